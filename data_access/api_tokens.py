"""API tokens (issue 18): read-only, brand-scoped credentials for the HTTP API (``api/``).

**The token.** ``scd_<prefix>_<secret>``: ``prefix`` is 12 hexadecimal characters (48 random
bits; public — shown in lists and audit rows, used to find the row), ``secret`` 43 URL-safe
characters (256 random bits, :func:`secrets.token_urlsafe`). The whole token is shown once,
when it is issued; the database keeps only its SHA-256 (a random 256-bit secret needs no slow
hash: there is nothing to guess from the digest). A presented token is checked by a
constant-time comparison of digests (:func:`hmac.compare_digest`), also when no row has its
prefix, so the answer takes the same path whatever was wrong.

**What a token may do.** Read its one brand's data, as the brand role it was issued with
(``scope``): ``brand_viewer`` (summary extracts) or ``brand_manager`` (every extract: orders,
findings, plan items too). Nothing else: the API has no endpoint that writes. Each token has
an expiry (required, at most :data:`MAX_DAYS` days); a revoked or expired token is refused
exactly like an unknown one.

**Who issues and revokes.** ``viewer.require("manage_api_tokens")``: a brand manager for its
own brand, an administrator for any brand. Every issue and revocation is written to the
account audit in the same transaction. Disabling an account, or changing its role or brand,
revokes the tokens it issued (:func:`revoke_issued_by`, called by ``data_access.accounts``):
a token never outlives its issuer's authority.

All of this runs in the system scope (``data_access.scope.system_connection``): the API reads
the token before it knows the brand, and the app's reading role has no grant on the table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, insert, or_, select, update

from data_access.errors import NotFound, PermissionDenied
from data_access.schema import AccountAudit, ApiToken, Brand
from data_access.scope import system_connection
from data_access.throttle import utcnow
from data_access.viewer import ROLE_LABELS, Viewer
from reference.translation import N_

TOKEN_MARK = "scd"  # noqa: S105 - the public mark of a token, not a secret
#: the brand roles a token can read as
TOKEN_SCOPES: tuple[str, ...] = ("brand_viewer", "brand_manager")
SCOPE_LABELS = {"brand_viewer": N_("Summary extracts (as a brand viewer)"),
                "brand_manager": N_("Every extract (as a brand manager)")}
MAX_DAYS = 365
EXPIRY_CHOICES_DAYS: tuple[int, ...] = (30, 90, 180, 365)
MAX_NAME_LENGTH = 100
#: ``last_used_at`` is written at most this often per token (one write a minute, not one per
#: request)
TOUCH_INTERVAL = dt.timedelta(seconds=60)
_FORMAT = re.compile(rf"{TOKEN_MARK}_([0-9a-f]{{12}})_([A-Za-z0-9_-]{{43}})")
_DUMMY_DIGEST = hashlib.sha256(b"no such token").hexdigest()
NO_SUCH_TOKEN = N_("There is no such API token.")


class TokenError(ValueError):
    """A request to issue a token that cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``token`` is the secret, to be shown once and never stored."""

    token_id: int
    token: str
    prefix: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class TokenPrincipal:
    """Who is calling the API: a valid token of one brand."""

    token_id: int
    prefix: str
    name: str
    brand_id: int
    brand_code: str
    brand_name: str
    scope: str
    expires_at: dt.datetime
    last_used_at: dt.datetime | None

    @property
    def viewer(self) -> Viewer:
        """The read-only principal every brand-scoped read takes: the token's brand, as its
        scope's role. Its name (``api:<prefix>``) is what the download audit records."""
        return Viewer(f"api:{self.prefix}", self.scope, self.brand_id)  # type: ignore[arg-type]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"{TOKEN_MARK}_{prefix}_{secrets.token_urlsafe(32)}"


def _audit(conn: Connection, actor: str, action: str, prefix: str, name: str, brand_id: int,
           details: dict[str, Any], now: dt.datetime) -> None:
    conn.execute(insert(AccountAudit).values(
        created_at=now, actor=actor[:80], action=action[:40],
        target=f"API token {prefix} ({name})"[:200], brand_id=brand_id,
        details=json.dumps(details, sort_keys=True, default=str)))


# ---- issuing and revoking (the app) -------------------------------------------------------------


def issue_token(engine: Engine, actor: Viewer, brand_id: int, name: str, *,
                scope: str = "brand_manager", days: int = 90,
                now: dt.datetime | None = None) -> IssuedToken:
    """Issue a token for ``brand_id`` valid ``days`` days; the returned token is the only copy.

    Raises:
        PermissionDenied: the actor may not manage tokens, or (a brand manager) not this brand.
        TokenError: no name, an unknown scope, an expiry outside 1–365 days, an unknown brand.
    """
    actor.require("manage_api_tokens")
    if not actor.is_admin and brand_id != actor.brand_id:
        raise PermissionDenied(N_("Brand managers can issue API tokens for their own brand only."))
    clean = " ".join(str(name or "").split())
    if not clean:
        raise TokenError(N_("Give the token a name that says what it is for (e.g. “Power BI "
                            "refresh”)."))
    if len(clean) > MAX_NAME_LENGTH:
        raise TokenError(f"A token's name has at most {MAX_NAME_LENGTH} characters.")
    if scope not in TOKEN_SCOPES:
        raise TokenError(N_("Choose what the token may read."))
    if not 1 <= int(days) <= MAX_DAYS:
        raise TokenError(f"A token is valid for 1 to {MAX_DAYS} days.")
    now = now or utcnow()
    expires = now + dt.timedelta(days=int(days))
    prefix, token = _new_token()
    with system_connection(engine) as conn:
        if conn.execute(select(Brand.id).where(Brand.id == brand_id)).scalar() is None:
            raise TokenError(N_("Choose the brand the token belongs to."))
        token_id = conn.execute(insert(ApiToken).values(
            prefix=prefix, secret_sha256=digest(token), brand_id=brand_id, name=clean,
            scope=scope, created_by=actor.username[:80], created_at=now, expires_at=expires,
        )).inserted_primary_key[0]
        _audit(conn, actor.username, "api_token_issued", prefix, clean, brand_id,
               {"scope": scope, "expires_at": expires.date().isoformat()}, now)
    return IssuedToken(token_id, token, prefix, expires)


def revoke_token(engine: Engine, actor: Viewer, token_id: int, *,
                 now: dt.datetime | None = None) -> bool:
    """Revoke a token at once (the API refuses it from its next request). Returns False when
    it was already revoked.

    Raises:
        NotFound: no such token — or another brand's, for a brand manager (the same message).
    """
    actor.require("manage_api_tokens")
    now = now or utcnow()
    with system_connection(engine) as conn:
        row = conn.execute(select(ApiToken.id, ApiToken.prefix, ApiToken.name,
                                  ApiToken.brand_id, ApiToken.revoked_at)
                           .where(ApiToken.id == int(token_id))).first()
        if row is None or (not actor.is_admin and row.brand_id != actor.brand_id):
            raise NotFound(NO_SUCH_TOKEN)
        if row.revoked_at is not None:
            return False
        conn.execute(update(ApiToken).where(ApiToken.id == row.id).values(
            revoked_at=now, revoked_by=actor.username[:80], revoked_reason="revoked"))
        _audit(conn, actor.username, "api_token_revoked", row.prefix, row.name, row.brand_id,
               {"reason": "revoked"}, now)
    return True


def revoke_issued_by(conn: Connection, username: str, reason: str, actor: str,
                     now: dt.datetime) -> int:
    """Revoke every live token ``username`` issued (``reason``: 'issuer_disabled',
    'issuer_role_changed'), audited; in the caller's system transaction. Returns how many."""
    rows = conn.execute(select(ApiToken.id, ApiToken.prefix, ApiToken.name, ApiToken.brand_id)
                        .where(ApiToken.created_by == username,
                               ApiToken.revoked_at.is_(None))).all()
    for row in rows:
        conn.execute(update(ApiToken).where(ApiToken.id == row.id).values(
            revoked_at=now, revoked_by=actor[:80], revoked_reason=reason))
        _audit(conn, actor, "api_token_revoked", row.prefix, row.name, row.brand_id,
               {"reason": reason}, now)
    return len(rows)


def token_status(revoked_at: Any, expires_at: Any, now: dt.datetime) -> str:
    if revoked_at is not None and not pd.isna(revoked_at):
        return N_("Revoked")
    return N_("Expired") if pd.Timestamp(expires_at) <= pd.Timestamp(now) else N_("Active")


TOKEN_LIST_COLUMNS = ["token_id", "prefix", "name", "brand_id", "brand", "scope", "scope_label",
                      "created_by", "created_at", "expires_at", "last_used_at", "revoked_at",
                      "revoked_by", "status"]


def list_tokens(engine: Engine, viewer: Viewer, brand_id: int | None = None, *,
                now: dt.datetime | None = None) -> pd.DataFrame:
    """The tokens a viewer may manage, newest first: a brand manager's brand's, an
    administrator's of ``brand_id`` (None: every brand). Never a secret or its digest.

    Columns: :data:`TOKEN_LIST_COLUMNS` (``status``: Active, Expired or Revoked).
    """
    viewer.require("manage_api_tokens")
    if not viewer.is_admin:
        brand_id = viewer.require_brand()
    now = now or utcnow()
    stmt = (select(ApiToken.id.label("token_id"), ApiToken.prefix, ApiToken.name,
                   ApiToken.brand_id, Brand.name.label("brand"), ApiToken.scope,
                   ApiToken.created_by, ApiToken.created_at, ApiToken.expires_at,
                   ApiToken.last_used_at, ApiToken.revoked_at, ApiToken.revoked_by)
            .join(Brand, Brand.id == ApiToken.brand_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    if brand_id is not None:
        stmt = stmt.where(ApiToken.brand_id == brand_id)
    with system_connection(engine) as conn:
        rows = conn.execute(stmt).mappings().all()
    read = [c for c in TOKEN_LIST_COLUMNS if c not in ("scope_label", "status")]
    frame = pd.DataFrame(rows, columns=read)
    frame["scope_label"] = frame["scope"].map(SCOPE_LABELS)
    frame["status"] = [token_status(r, e, now) for r, e in
                       zip(frame["revoked_at"], frame["expires_at"], strict=True)]
    for col in ("created_at", "expires_at", "last_used_at", "revoked_at"):
        frame[col] = pd.to_datetime(frame[col])
    return frame[TOKEN_LIST_COLUMNS]


# ---- using a token (the API) --------------------------------------------------------------------


def authenticate(engine: Engine, presented: str | None, *,
                 now: dt.datetime | None = None) -> TokenPrincipal | None:
    """The principal of a presented token, or None when it is missing, malformed, unknown,
    wrong, revoked or expired (one answer for all: the caller says the same in each case)."""
    now = now or utcnow()
    match = _FORMAT.fullmatch(presented or "")
    given = digest(presented or "")
    if match is None:
        hmac.compare_digest(_DUMMY_DIGEST, given)
        return None
    with system_connection(engine) as conn:
        row = conn.execute(
            select(ApiToken.id, ApiToken.prefix, ApiToken.name, ApiToken.brand_id,
                   ApiToken.secret_sha256, ApiToken.scope, ApiToken.expires_at,
                   ApiToken.last_used_at, ApiToken.revoked_at, Brand.code, Brand.name)
            .join(Brand, Brand.id == ApiToken.brand_id)
            .where(ApiToken.prefix == match.group(1))).first()
    stored = row.secret_sha256 if row is not None else _DUMMY_DIGEST
    if not hmac.compare_digest(stored, given) or row is None:
        return None
    if row.revoked_at is not None or row.expires_at <= now:
        return None
    return TokenPrincipal(token_id=row.id, prefix=row.prefix, name=row.name,
                          brand_id=row.brand_id, brand_code=row[9], brand_name=row[10],
                          scope=row.scope, expires_at=row.expires_at,
                          last_used_at=row.last_used_at)


_touched: dict[tuple[str, int], dt.datetime] = {}
_touch_lock = threading.Lock()


def touch(engine: Engine, principal: TokenPrincipal, *, now: dt.datetime | None = None) -> bool:
    """Record that the token was used: ``last_used_at`` is written at most once per
    :data:`TOUCH_INTERVAL` per token — per process (a memo) and across processes (the
    ``WHERE``). Returns True when a row was written."""
    now = now or utcnow()
    key = (engine.url.render_as_string(hide_password=True), principal.token_id)
    with _touch_lock:
        last = _touched.get(key)
        if last is not None and now - last < TOUCH_INTERVAL:
            return False
        _touched[key] = now
    with system_connection(engine) as conn:
        result = conn.execute(update(ApiToken).where(
            ApiToken.id == principal.token_id,
            or_(ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at <= now - TOUCH_INTERVAL)).values(last_used_at=now))
    return bool(result.rowcount)


def scope_label(scope: str) -> str:
    return SCOPE_LABELS.get(scope, ROLE_LABELS.get(scope, scope))
