"""Every error as one JSON body: ``{"error": {"code": "...", "message": "..."}}``.

* 401 ``unauthorized`` — missing, malformed, unknown, wrong, expired or revoked token: one
  message for all, so the answer tells nothing about which;
* 403 ``forbidden`` — the token's scope does not include this (summary-only tokens and the
  order-, finding- and plan-level extracts);
* 404 ``not_found`` — an unknown path or extract, and a factory id that does not exist *or*
  belongs to another brand: the same body, byte for byte (the data layer raises one
  ``NotFound`` for both);
* 422 ``invalid_request`` — a parameter out of its range or format, with ``details`` naming
  each parameter (FastAPI's validation, reworded; the value sent is never echoed);
* 429 ``rate_limited`` — with ``Retry-After`` (seconds);
* 503 ``unavailable`` — the database cannot be reached (retry later);
* 500 ``internal_error`` — anything else, without details (they go to the log).

Refusals after a token was accepted (403, 404, 422) are written to the download audit too,
with their status and no rows (``api.audit``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from data_access.db import DATABASE_DOWN_ERRORS
from data_access.errors import NoBrandSelected, NotFound, PermissionDenied

log = logging.getLogger("api")

UNAUTHORIZED = "Missing, invalid, expired or revoked API token."
NOT_FOUND = "Not found."
SCOPE_REFUSED = ("This API token may read summary extracts only (supplier list, purchasing "
                 "indicators, risk ranking, coverage by country). Ask your brand's manager "
                 "for a token that may read every extract.")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, str]] | None = None


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


class ApiError(Exception):
    """An error the API answers with :func:`error_response`."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None,
                 details: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        self.details = details


def error_response(status: int, code: str, message: str, *,
                   headers: dict[str, str] | None = None,
                   details: list[dict[str, str]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


#: the error responses every data endpoint documents in the OpenAPI description
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing, invalid, expired or revoked token."},
    403: {"model": ErrorBody, "description": "The token's scope does not include this."},
    404: {"model": ErrorBody, "description": "Not found (unknown, or another brand's)."},
    422: {"model": ErrorBody, "description": "A parameter is invalid."},
    429: {"model": ErrorBody, "description": "Too many requests; see Retry-After."},
}

_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 406: "not_acceptable", 422: "invalid_request",
                 429: "rate_limited", 503: "unavailable"}


def _field(loc: tuple | list) -> str:
    parts = [str(p) for p in loc if p != "body" and not isinstance(p, int)]
    if parts and parts[0] in ("query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "request"


def install(app: FastAPI, on_refusal: Callable[[Request, int], None]) -> None:
    """Register the handlers that turn every exception into the JSON body; ``on_refusal``
    records a 403, 404 or 422 (``api.audit.record_refusal``)."""
    _audit_refusal = on_refusal

    @app.exception_handler(ApiError)
    def api_error(request: Request, exc: ApiError) -> JSONResponse:
        if exc.status in (403, 404, 422):
            _audit_refusal(request, exc.status)
        return error_response(exc.status, exc.code, exc.message, headers=exc.headers,
                              details=exc.details)

    @app.exception_handler(NotFound)
    def not_found(request: Request, exc: NotFound) -> JSONResponse:
        _audit_refusal(request, 404)
        return error_response(404, "not_found", str(exc) or NOT_FOUND)

    @app.exception_handler(PermissionDenied)
    def forbidden(request: Request, exc: PermissionDenied) -> JSONResponse:
        _audit_refusal(request, 403)
        return error_response(403, "forbidden", SCOPE_REFUSED)

    @app.exception_handler(NoBrandSelected)
    def no_brand(request: Request, exc: NoBrandSelected) -> JSONResponse:  # never for a token
        return error_response(403, "forbidden", "This token belongs to no brand.")

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"parameter": _field(e.get("loc", ())), "message": str(e.get("msg", ""))}
                   for e in exc.errors()]
        _audit_refusal(request, 422)
        names = ", ".join(sorted({d["parameter"] for d in details}))
        return error_response(422, "invalid_request", f"Invalid parameter: {names}.",
                              details=details)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        message = NOT_FOUND if exc.status_code == 404 else str(exc.detail)
        return error_response(exc.status_code, code, message,
                              headers=getattr(exc, "headers", None))

    for error in DATABASE_DOWN_ERRORS:
        @app.exception_handler(error)
        def unavailable(request: Request, exc: Exception) -> JSONResponse:
            log.warning("Database unavailable: %s", exc)
            return error_response(503, "unavailable", "The database cannot be reached just "
                                  "now. Try again in a minute.", headers={"Retry-After": "30"})

    @app.exception_handler(Exception)
    def internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("Unexpected error on %s", request.url.path)
        return error_response(500, "internal_error", "Something went wrong on our side; it "
                              "has been logged.")
