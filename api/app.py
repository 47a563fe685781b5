"""The FastAPI application: :func:`create_app` (``python -m api`` serves it with uvicorn).

Read-only: every route is a GET. Responses carry ``Cache-Control: no-store`` (brand data must
not sit in a shared cache), ``X-Content-Type-Options: nosniff``, and — for a request with a
valid token — ``X-RateLimit-Limit`` / ``X-RateLimit-Remaining`` of its minute.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import errors
from api.audit import record_refusal
from api.routes import catalogue, extracts, records
from api.runtime import ApiState, open_state

DESCRIPTION = """\
Your brand's supply-chain data for your own systems: suppliers, factories and their latest
results, improvement plans, purchase orders, purchasing indicators with other brands' typical
range, the risk ranking and assessment coverage — the same figures, fields and data
dictionaries as the dashboard's extracts, and only your brand's.

**Authentication**: `Authorization: Bearer scd_…`, a token issued on the dashboard's *API
access* page (brand managers, for their brand) or by a programme administrator. Tokens are
read-only, belong to one brand and expire.

**Pages**: JSON lists come in pages of `limit` rows (at most 1,000) with a `next` link;
`format=csv` (or `Accept: text/csv`) streams every matching row as one CSV file.

**Limits**: 60 requests a minute per token by default (429 with `Retry-After` beyond).
**Errors**: `{"error": {"code": …, "message": …}}` with 401, 403, 404, 422, 429 or 503.
"""


class Headers:
    """Pure ASGI middleware adding the headers of the module docstring (no buffering of a
    streamed body, unlike Starlette's BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"cache-control", b"no-store"))
                headers.append((b"x-content-type-options", b"nosniff"))
                rate = scope.get("state", {}).get("rate")
                if rate is not None:
                    headers.append((b"x-ratelimit-limit", str(rate[0]).encode()))
                    headers.append((b"x-ratelimit-remaining", str(rate[1]).encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(state: ApiState | None = None) -> FastAPI:
    """The API. ``state``: an opened :class:`ApiState` (tests); None: opened at start-up from
    the settings (``api.runtime.open_state``), refusing to start as the app does."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = state is None
        app.state.api = open_state() if own else state
        try:
            yield
        finally:
            if own:
                app.state.api.close()

    app = FastAPI(title="Supply-chain dashboard API", version="1", description=DESCRIPTION,
                  lifespan=lifespan, openapi_url="/openapi.json", docs_url="/docs",
                  redoc_url=None)
    if state is not None:  # usable without the lifespan (TestClient outside a with block)
        app.state.api = state
    errors.install(app, record_refusal)
    app.include_router(catalogue.router)
    app.include_router(extracts.router)
    app.include_router(records.router)
    app.add_middleware(Headers)
    return app
