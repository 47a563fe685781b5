"""Every API call with a valid token is written to the download audit (``extract_audit``),
like a download from the Downloads page: who (``api:<token prefix>``), which brand, what
(the extract, or ``factory-profile``, ``purchasing-summary``, ``catalogue``, ``dictionary``,
``token``), the filters and the number of rows sent — plus ``via: api``, the token's prefix,
the path, the format, the HTTP status and the query as sent (cut at 500 characters).

A streamed CSV is recorded when its last row has gone, or when the client stops reading
(``complete: false`` with the rows sent until then). Refusals after the token was accepted
(403, 404, 422) are recorded with their status and no rows. Calls without a valid token are
not (there is no brand to record them under); they are counted by the failed-authentication
limit and logged.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request

from api.auth import state_of
from data_access.extracts import record_download

log = logging.getLogger("api")
MAX_QUERY_CHARS = 500


def describe(request: Request, name: str, filters: dict[str, Any] | None = None, *,
             fmt: str = "json", status: int = 200, complete: bool = True) -> dict[str, Any]:
    caller = request.state.caller
    return {"via": "api", "token": caller.token.prefix, "path": request.url.path,
            "query": str(request.url.query)[:MAX_QUERY_CHARS], "format": fmt,
            "status": status, "complete": complete, "filters": filters or {}}


def remember(request: Request, name: str, filters: dict[str, Any] | None = None,
             fmt: str = "json") -> None:
    """What a refusal raised later in this request should be recorded as."""
    request.state.audit = (name, filters or {}, fmt)


def record_call(request: Request, name: str, filters: dict[str, Any] | None, rows: int, *,
                fmt: str = "json", status: int = 200, complete: bool = True) -> None:
    state = state_of(request)
    record_download(state.engine, request.state.caller.viewer, name,
                    describe(request, name, filters, fmt=fmt, status=status,
                             complete=complete), rows)


def record_refusal(request: Request, status: int) -> None:
    """Record a 403/404/422 of a request whose token was valid (no-op otherwise)."""
    if getattr(request.state, "caller", None) is None:
        return
    name, filters, fmt = getattr(request.state, "audit",
                                 (request.url.path.rsplit("/", 1)[-1][:80], {}, "json"))
    try:
        record_call(request, name, filters, 0, fmt=fmt, status=status)
    except Exception:  # an audit failure must not hide the refusal itself
        log.exception("Could not record a refused API call")
