"""Failed sign-ins: a lock per username *and client*, and a back-off per username.

Why two counters (OWASP ASVS 6.3.1, and its warning that lockout must not become a way to
deny service). A lock on the username alone lets anyone lock every account by typing five
wrong passwords for each name. Here:

1. **Per username and client** (``login_throttle`` row ``(username, client)``; the client is
   the address the server sees, or a configured proxy header): ``max_attempts`` failures
   within ``window_minutes`` lock that username *from that client* for ``lock_minutes``. The
   owner of the account, elsewhere, is not locked out by someone else's failures.
2. **Per username, every client together** (row ``(username, '*')``): an attacker spreading
   attempts over many addresses meets an exponential back-off. After ``backoff_after``
   failures, each further attempt for the username must wait ``2^(n - backoff_after)``
   seconds after the previous failure, at most ``backoff_max_seconds``. The count starts
   again after ``window_minutes`` without a failure. With the defaults (10 failures, then
   1 s, 2 s, 4 s … 60 s) an attacker gets at most about 75 guesses per account per hour —
   under ASVS 4.0.3's "no more than 100 failed attempts per hour" — while the account's
   owner waits at most a minute and is never locked out by the attack. No captcha.

Failures are counted for usernames that do not exist exactly as for those that do, so neither
the messages nor the counters reveal which accounts exist (ASVS 6.3.8). A successful sign-in
clears its own client's counter only (not the back-off, which an attacker would otherwise
reset by watching for the owner to sign in). An administrator's *unlock* clears both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select, update

from data_access.schema import LoginThrottle
from data_access.scope import system_connection

ALL_CLIENTS = "*"


def utcnow() -> dt.datetime:
    """Naive UTC now (the database columns are naive UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def normalise_username(username: str) -> str:
    return username.strip().lower()


@dataclass(frozen=True)
class LockoutPolicy:
    max_attempts: int = 5
    window_minutes: int = 15
    lock_minutes: int = 15
    backoff_after: int = 10
    backoff_max_seconds: int = 60


@dataclass(frozen=True)
class LockState:
    """``locked``: refused now. ``scope``: 'client' (this username from this client) or
    'username' (the back-off across every client). ``failed_count``: this client's count."""

    locked: bool
    failed_count: int
    retry_after_seconds: int = 0
    scope: str = "client"


def _key(username: str) -> str:
    return normalise_username(username)[:200]


def _client(client: str | None) -> str:
    return (client or "local")[:100]


def _backoff_seconds(count: int, policy: LockoutPolicy) -> int:
    if count < policy.backoff_after:
        return 0
    return min(2 ** (count - policy.backoff_after), policy.backoff_max_seconds)


def _rows(conn: Connection, name: str, client: str, lock: bool = False):
    stmt = (select(LoginThrottle.client, LoginThrottle.failed_count,
                   LoginThrottle.window_started_at, LoginThrottle.locked_until)
            .where(LoginThrottle.username == name,
                   LoginThrottle.client.in_([client, ALL_CLIENTS])))
    if lock:
        stmt = stmt.with_for_update()
    return {row.client: row for row in conn.execute(stmt)}


def _state(rows: dict, client: str, policy: LockoutPolicy, now: dt.datetime) -> LockState:
    mine = rows.get(client)
    count = 0
    if mine is not None:
        if mine.locked_until and mine.locked_until > now:
            return LockState(True, mine.failed_count,
                             int((mine.locked_until - now).total_seconds()) + 1, "client")
        if mine.window_started_at >= now - dt.timedelta(minutes=policy.window_minutes):
            count = mine.failed_count
    everyone = rows.get(ALL_CLIENTS)
    if everyone is not None and everyone.locked_until and everyone.locked_until > now:
        return LockState(True, count, int((everyone.locked_until - now).total_seconds()) + 1,
                         "username")
    return LockState(False, count)


def lock_state(engine: Engine, username: str, policy: LockoutPolicy,
               now: dt.datetime | None = None, *, client: str | None = None) -> LockState:
    """May this username be tried from this client right now?"""
    now = now or utcnow()
    with system_connection(engine) as conn:
        return _state(_rows(conn, _key(username), _client(client)), _client(client), policy,
                      now)


def record_failed_login(engine: Engine, username: str, policy: LockoutPolicy,
                        now: dt.datetime | None = None, *,
                        client: str | None = None) -> LockState:
    """Count a failure for (username, client) and for the username; returns the new state."""
    now = now or utcnow()
    name, client = _key(username), _client(client)
    window = dt.timedelta(minutes=policy.window_minutes)
    with system_connection(engine) as conn:
        rows = _rows(conn, name, client, lock=True)
        mine = rows.get(client)
        if mine is None or mine.window_started_at < now - window or (
                mine.locked_until is not None and mine.locked_until <= now):
            count, started = 1, now
        else:
            count, started = mine.failed_count + 1, mine.window_started_at
        locked_until = (now + dt.timedelta(minutes=policy.lock_minutes)
                        if count >= policy.max_attempts else None)
        _upsert(conn, mine is not None, name, client, count, started, locked_until)

        # every client together: window_started_at is the latest failure here
        everyone = rows.get(ALL_CLIENTS)
        total = 1 if everyone is None or everyone.window_started_at < now - window \
            else everyone.failed_count + 1
        delay = _backoff_seconds(total, policy)
        _upsert(conn, everyone is not None, name, ALL_CLIENTS, total, now,
                now + dt.timedelta(seconds=delay) if delay else None)
    if locked_until:
        return LockState(True, count, int((locked_until - now).total_seconds()), "client")
    if delay:
        return LockState(True, count, delay, "username")
    return LockState(False, count)


def _upsert(conn: Connection, exists: bool, name: str, client: str, count: int,
            started: dt.datetime, locked_until: dt.datetime | None) -> None:
    values = {"failed_count": count, "window_started_at": started, "locked_until": locked_until}
    if exists:
        conn.execute(update(LoginThrottle).where(LoginThrottle.username == name,
                                                 LoginThrottle.client == client)
                     .values(**values))
    else:
        conn.execute(insert(LoginThrottle).values(username=name, client=client, **values))


def clear_client(conn: Connection, username: str, client: str | None) -> None:
    """After a successful sign-in: this client's counter only."""
    conn.execute(delete(LoginThrottle).where(LoginThrottle.username == _key(username),
                                             LoginThrottle.client == _client(client)))


def clear_all(conn: Connection, username: str) -> int:
    """An administrator's unlock: every counter of the username. Returns the rows removed."""
    return conn.execute(delete(LoginThrottle)
                        .where(LoginThrottle.username == _key(username))).rowcount or 0


def locked_usernames(conn: Connection, now: dt.datetime) -> set[str]:
    """Usernames locked right now from some client, or in back-off."""
    return set(conn.execute(select(LoginThrottle.username)
                            .where(LoginThrottle.locked_until > now)).scalars())
