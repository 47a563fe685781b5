"""Who is calling: the bearer token, checked on every request, and the per-token rate limit.

``Authorization: Bearer scd_<prefix>_<secret>`` — the header only (a token in a URL ends up in
proxy and server logs). :func:`caller` is the dependency of every data endpoint:

1. a client that has made :data:`api.runtime.FAILED_AUTH_PER_MINUTE` failed attempts in the
   last minute gets 429 before its token is even looked up;
2. the token is checked (``data_access.api_tokens.authenticate``): missing, malformed,
   unknown, wrong, expired or revoked all give the same 401;
3. the token's moving window of the last 60 seconds may hold at most
   ``api_rate_limit_per_minute`` requests (60 by default): beyond, 429 with ``Retry-After``;
4. ``last_used_at`` is recorded (at most once a minute per token).

The limits are counted in the API process (``limits``' in-memory moving window): with N API
processes behind a load balancer a token may make up to N × the limit (docs/api.md).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import UNAUTHORIZED, ApiError
from api.runtime import ApiState
from data_access import api_tokens
from data_access.api_tokens import TokenPrincipal
from data_access.viewer import Viewer

bearer = HTTPBearer(auto_error=False, scheme_name="API token",
                    description="An API token issued on the API access page: "
                                "`Authorization: Bearer scd_…`.")


@dataclass(frozen=True)
class Caller:
    """The token behind a request and the read-only principal it reads as."""

    token: TokenPrincipal

    @property
    def viewer(self) -> Viewer:
        return self.token.viewer


def state_of(request: Request) -> ApiState:
    return request.app.state.api


def client_address(request: Request, header: str | None) -> str:
    """The configured proxy header's last entry (the address the proxy saw), else the
    connection's address — as the app's sign-in throttling (``ui.auth.client_address``)."""
    if header:
        value = request.headers.get(header, "")
        last = value.split(",")[-1].strip()
        if last:
            return last[:100]
    return (request.client.host if request.client else "local")[:100]


def _retry_after(state: ApiState, item, *keys: str) -> str:
    reset = state.limiter.get_window_stats(item, *keys).reset_time
    return str(max(1, math.ceil(reset - time.time())))


def caller(request: Request,
           credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Caller:
    """The dependency of every data endpoint (see the module docstring)."""
    state = state_of(request)
    client = client_address(request, state.settings.client_ip_header)
    if not state.limiter.test(state.failed_auth, "failed", client):
        raise ApiError(429, "rate_limited", "Too many requests with an invalid token from "
                       "your address. Check the token, then try again in a minute.",
                       headers={"Retry-After": _retry_after(state, state.failed_auth,
                                                            "failed", client)})
    presented = credentials.credentials if credentials is not None else None
    token = api_tokens.authenticate(state.engine, presented)
    if token is None:
        state.limiter.hit(state.failed_auth, "failed", client)
        raise ApiError(401, "unauthorized", UNAUTHORIZED,
                       headers={"WWW-Authenticate": "Bearer"})
    limit = state.settings.api_rate_limit_per_minute
    if not state.limiter.hit(state.per_token, "token", token.prefix):
        raise ApiError(429, "rate_limited", f"Too many requests: at most {limit} a minute "
                       "for one token. Wait as Retry-After says, then go on.",
                       headers={"Retry-After": _retry_after(state, state.per_token, "token",
                                                            token.prefix)})
    remaining = state.limiter.get_window_stats(state.per_token, "token", token.prefix).remaining
    request.state.rate = (limit, remaining)
    api_tokens.touch(state.engine, token)
    found = Caller(token)
    request.state.caller = found
    return found
