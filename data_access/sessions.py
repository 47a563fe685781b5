"""Server-side sessions: one ``user_session`` row per sign-in, checked on every request.

A sign-in creates a random session id (256 bits); the re-login cookie carries it (``sid``) and
its issue time (``iat``); the database keeps only its SHA-256. Every script run *and* every
server-side action that does not rerun the page (a download's file callable, an import, a
form callback) calls :func:`check_session`, which refuses the session when

* it is unknown, or revoked — sign-out, idle timeout, an administrator's force sign-out,
  disabling, a password or role change;
* it has been idle longer than ``idle_minutes`` (then it is revoked, exactly like a sign-out:
  a reload that brings the cookie back finds it revoked);
* it is older than ``max_hours`` (absolute lifetime, whatever the activity), judged both by
  the end stored at sign-in and by the current setting, so shortening the setting shortens
  sessions already running and never lengthens one;
* it was issued before the account's ``sessions_valid_after``;
* the account is disabled, gone, or a demo account outside demo mode.

The session's last activity is written at most every :data:`TOUCH_SECONDS` seconds, so a page
with many runs does not write on each one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, and_, delete, func, insert, or_, select, update

from data_access.schema import AppUser, UserSession
from data_access.scope import system_connection
from data_access.throttle import normalise_username, utcnow
from data_access.viewer import Viewer
from reference.translation import N_

TOUCH_SECONDS = 15
#: ended sessions are kept this long (for the administrator's view), then deleted
KEEP_ENDED_DAYS = 30

#: why a session ended, as the sign-in page says it (translated where shown)
REASONS = {
    "signed_out": N_("You have signed out."),
    "idle": N_("You were signed out after a period without activity."),
    "expired": N_("Your session reached its maximum length. Please sign in again."),
    "forced": N_("An administrator signed you out. Please sign in again."),
    "password_changed": N_("Your password was changed. Please sign in again."),
    "role_changed": N_("Your account was changed by an administrator. Please sign in again."),
    "disabled": N_("Your session has ended. Please sign in again."),
}


@dataclass(frozen=True)
class SessionPolicy:
    idle_minutes: int = 30
    max_hours: float = 12.0


@dataclass(frozen=True)
class SessionCheck:
    """The outcome of :func:`check_session`: a principal, or the reason there is none."""

    viewer: Viewer | None
    reason: str = ""
    display_name: str = ""
    must_change_password: bool = False

    @property
    def live(self) -> bool:
        return self.viewer is not None


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def hash_session_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def start_session(engine: Engine, username: str, policy: SessionPolicy, *,
                  client: str | None = None, now: dt.datetime | None = None
                  ) -> tuple[str, dt.datetime, dt.datetime]:
    """A new session for ``username``: ``(session id, issued at, absolute end)``."""
    now = now or utcnow()
    session_id = new_session_id()
    expires = now + dt.timedelta(hours=policy.max_hours)
    name = normalise_username(username)
    with system_connection(engine) as conn:
        brand_id = conn.execute(select(AppUser.brand_id)
                                .where(AppUser.username == name)).scalar()
        conn.execute(insert(UserSession).values(
            id_hash=hash_session_id(session_id), username=name, brand_id=brand_id,
            issued_at=now, last_seen_at=now, expires_at=expires,
            client=(client or "")[:100] or None))
    return session_id, now, expires


def _revoke(conn, condition, reason: str, now: dt.datetime) -> int:
    return conn.execute(update(UserSession).where(condition, UserSession.revoked_at.is_(None))
                        .values(revoked_at=now, revoked_reason=reason)).rowcount or 0


def check_session(engine: Engine, session_id: str | None, policy: SessionPolicy, *,
                  allow_demo: bool = True, now: dt.datetime | None = None,
                  touch: bool = True) -> SessionCheck:
    """Is the session ``session_id`` live right now? (See the module docstring.) An idle or
    expired session is revoked here, so that nothing can bring it back."""
    if not session_id:
        return SessionCheck(None, "unknown")
    now = now or utcnow()
    key = hash_session_id(session_id)
    with system_connection(engine) as conn:
        row = conn.execute(
            select(UserSession.username, UserSession.issued_at, UserSession.last_seen_at,
                   UserSession.expires_at, UserSession.revoked_at, UserSession.revoked_reason,
                   AppUser.role, AppUser.brand_id, AppUser.disabled, AppUser.display_name,
                   AppUser.sessions_valid_after, AppUser.provisioned_from,
                   AppUser.must_change_password)
            .join(AppUser, AppUser.username == UserSession.username)
            .where(UserSession.id_hash == key)
        ).first()
        if row is None:
            return SessionCheck(None, "unknown")
        if row.revoked_at is not None:
            return SessionCheck(None, row.revoked_reason or "signed_out")
        reason = ""
        absolute_end = min(row.expires_at,
                           row.issued_at + dt.timedelta(hours=policy.max_hours))
        if row.disabled or (row.provisioned_from == "demo" and not allow_demo):
            reason = "disabled"
        elif row.sessions_valid_after is not None and row.issued_at <= row.sessions_valid_after:
            reason = "forced"
        elif now >= absolute_end:
            reason = "expired"
        elif now - row.last_seen_at > dt.timedelta(minutes=policy.idle_minutes):
            reason = "idle"
        if reason:
            _revoke(conn, UserSession.id_hash == key, reason, now)
            return SessionCheck(None, reason)
        if touch and (now - row.last_seen_at).total_seconds() >= TOUCH_SECONDS:
            conn.execute(update(UserSession).where(UserSession.id_hash == key)
                         .values(last_seen_at=now))
    viewer = Viewer(username=row.username, role=row.role,
                    brand_id=None if row.role == "admin" else row.brand_id)
    return SessionCheck(viewer, "", row.display_name, bool(row.must_change_password))


def end_session(engine: Engine, session_id: str | None, reason: str = "signed_out",
                now: dt.datetime | None = None) -> bool:
    """Revoke one session (sign-out, idle timeout seen by the page). True if it was live."""
    if not session_id:
        return False
    with system_connection(engine) as conn:
        return _revoke(conn, UserSession.id_hash == hash_session_id(session_id), reason,
                       now or utcnow()) > 0


def revoke_all(conn, username: str, reason: str, now: dt.datetime, *,
               except_session: str | None = None) -> int:
    """Revoke every live session of ``username`` (inside the caller's system transaction);
    ``except_session`` keeps the caller's own (after changing one's own password)."""
    condition = UserSession.username == normalise_username(username)
    if except_session:
        condition = and_(condition, UserSession.id_hash != hash_session_id(except_session))
    return _revoke(conn, condition, reason, now)


def live_session_counts(conn, now: dt.datetime, policy: SessionPolicy) -> dict[str, int]:
    """Per username, the sessions that are live right now (not revoked, not past their end,
    active within the idle timeout)."""
    rows = conn.execute(
        select(UserSession.username, func.count())
        .where(UserSession.revoked_at.is_(None), UserSession.expires_at > now,
               UserSession.issued_at > now - dt.timedelta(hours=policy.max_hours),
               UserSession.last_seen_at >= now - dt.timedelta(minutes=policy.idle_minutes))
        .group_by(UserSession.username)).all()
    return {name: count for name, count in rows}


def purge_sessions(engine: Engine, now: dt.datetime | None = None) -> int:
    """Delete sessions that ended more than :data:`KEEP_ENDED_DAYS` ago (run at start-up)."""
    cutoff = (now or utcnow()) - dt.timedelta(days=KEEP_ENDED_DAYS)
    with system_connection(engine) as conn:
        return conn.execute(delete(UserSession).where(or_(
            UserSession.expires_at < cutoff, UserSession.revoked_at < cutoff))).rowcount or 0
