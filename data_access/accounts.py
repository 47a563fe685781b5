"""User accounts: provisioning from the YAML users file, lockout and session revocation.

The YAML file (streamlit-authenticator's ``credentials.usernames`` layout plus ``role`` and
``brand``) is how accounts are *first provisioned*. From then on an account's state lives in the
database (``app_user`` and ``login_throttle``), so administrators can later disable or unlock
accounts in the app and several app replicas agree on it. The file is never written at run time.

Why not streamlit-authenticator's own ``max_login_attempts``: it keeps the count in memory, has no
time window and never unlocks (its issue #237). Here failures are counted per *entered* username
— known or not, so a lockout message does not reveal which accounts exist — within a time
window, and lock the name for a configurable time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import pandas as pd
import yaml
from sqlalchemy import Engine, delete, insert, select, update

from data_access.errors import PermissionDenied
from data_access.schema import AppUser, Brand, LoginThrottle
from data_access.viewer import Viewer

# A real bcrypt hash of a random string: checked against when the username is unknown, so a
# failed sign-in takes as long for a missing account as for a wrong password (ASVS 6.3.8).
_DUMMY_HASH = bcrypt.hashpw(b"no-such-user-placeholder", bcrypt.gensalt(rounds=12))


def utcnow() -> dt.datetime:
    """Naive UTC now (the database columns are naive UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class ProvisionedUser:
    username: str
    display_name: str
    email: str | None
    role: str
    brand_code: str | None
    password_hash: str


@dataclass(frozen=True)
class LockState:
    locked: bool
    failed_count: int
    retry_after_seconds: int = 0


@dataclass(frozen=True)
class LockoutPolicy:
    max_attempts: int = 5
    window_minutes: int = 15
    lock_minutes: int = 15


class UsersFileError(ValueError):
    """The users file is unreadable or an entry is invalid; the message names the entry."""


def normalise_username(username: str) -> str:
    return username.strip().lower()


def read_users_file(path: Path) -> list[ProvisionedUser]:
    """Parse and validate the YAML users file. Passwords must already be bcrypt hashes."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UsersFileError(f"cannot read users file {path}: {exc}") from exc
    entries = (data.get("credentials") or {}).get("usernames") or {}
    if not isinstance(entries, dict) or not entries:
        raise UsersFileError(f"{path}: no users under credentials.usernames")
    users = []
    for raw_name, entry in entries.items():
        name = normalise_username(str(raw_name))
        if not isinstance(entry, dict):
            raise UsersFileError(f"{path}: user {name!r} must be a mapping")
        role = entry.get("role")
        if role not in ("brand", "admin"):
            raise UsersFileError(f"{path}: user {name!r} needs role 'brand' or 'admin'")
        brand = entry.get("brand")
        if role == "brand" and not brand:
            raise UsersFileError(f"{path}: brand user {name!r} needs a 'brand' (brand code)")
        password = str(entry.get("password", ""))
        if not password.startswith(("$2b$", "$2a$", "$2y$")):
            raise UsersFileError(
                f"{path}: user {name!r} must have a bcrypt password hash "
                "(python -m data_access.accounts hash)"
            )
        users.append(
            ProvisionedUser(
                username=name,
                display_name=str(entry.get("name") or name),
                email=entry.get("email"),
                role=role,
                brand_code=str(brand) if brand else None,
                password_hash=password,
            )
        )
    return users


def provision_users(engine: Engine, users: list[ProvisionedUser]) -> dict[str, list[str]]:
    """Insert accounts that do not exist yet; existing accounts keep their database state.

    Returns ``{"added": [...], "skipped": ["name: reason", ...]}``.
    """
    report: dict[str, list[str]] = {"added": [], "skipped": []}
    with engine.begin() as conn:
        existing = set(conn.execute(select(AppUser.username)).scalars())
        brands = {code: id_ for code, id_ in conn.execute(select(Brand.code, Brand.id))}
        for user in users:
            if user.username in existing:
                continue
            brand_id = None
            if user.role == "brand":
                brand_id = brands.get(user.brand_code or "")
                if brand_id is None:
                    report["skipped"].append(f"{user.username}: unknown brand {user.brand_code!r}")
                    continue
            conn.execute(
                insert(AppUser).values(
                    username=user.username,
                    display_name=user.display_name,
                    email=user.email,
                    role=user.role,
                    brand_id=brand_id,
                    password_hash=user.password_hash,
                    disabled=False,
                    provisioned_from="users_file",
                )
            )
            report["added"].append(user.username)
    return report


def authenticator_credentials(engine: Engine) -> dict:
    """Enabled accounts in streamlit-authenticator's credentials layout (hashes only)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(AppUser.username, AppUser.display_name, AppUser.email, AppUser.role,
                   AppUser.password_hash).where(AppUser.disabled.is_(False))
        ).all()
    return {
        "usernames": {
            r.username: {
                "name": r.display_name,
                "email": r.email or "",
                "password": r.password_hash,
                "roles": [r.role],
            }
            for r in rows
        }
    }


def verify_password(engine: Engine, username: str, password: str) -> bool:
    """Check a password with constant work whether or not the account exists."""
    with engine.connect() as conn:
        stored = conn.execute(
            select(AppUser.password_hash).where(
                AppUser.username == normalise_username(username), AppUser.disabled.is_(False)
            )
        ).scalar_one_or_none()
    candidate = password.encode("utf-8")
    if stored is None:
        bcrypt.checkpw(candidate, _DUMMY_HASH)
        return False
    return bcrypt.checkpw(candidate, stored.encode("utf-8"))


def lock_state(engine: Engine, username: str, policy: LockoutPolicy,
               now: dt.datetime | None = None) -> LockState:
    """Is this entered username locked out right now?"""
    now = now or utcnow()
    with engine.connect() as conn:
        row = conn.execute(
            select(LoginThrottle.failed_count, LoginThrottle.window_started_at,
                   LoginThrottle.locked_until)
            .where(LoginThrottle.username == normalise_username(username))
        ).first()
    if row is None:
        return LockState(False, 0)
    if row.locked_until and row.locked_until > now:
        return LockState(True, row.failed_count, int((row.locked_until - now).total_seconds()) + 1)
    if row.window_started_at < now - dt.timedelta(minutes=policy.window_minutes):
        return LockState(False, 0)
    return LockState(False, row.failed_count)


def record_failed_login(engine: Engine, username: str, policy: LockoutPolicy,
                        now: dt.datetime | None = None) -> LockState:
    """Count a failure; lock the name once ``max_attempts`` failures fall within the window."""
    now = now or utcnow()
    name = normalise_username(username)[:200]
    window = dt.timedelta(minutes=policy.window_minutes)
    with engine.begin() as conn:
        row = conn.execute(
            select(LoginThrottle.failed_count, LoginThrottle.window_started_at,
                   LoginThrottle.locked_until)
            .where(LoginThrottle.username == name)
            .with_for_update()
        ).first()
        if row is None or row.window_started_at < now - window or (
            row.locked_until is not None and row.locked_until <= now
        ):
            count, started = 1, now
        else:
            count, started = row.failed_count + 1, row.window_started_at
        locked_until = None
        if count >= policy.max_attempts:
            locked_until = now + dt.timedelta(minutes=policy.lock_minutes)
        values = {"failed_count": count, "window_started_at": started,
                  "locked_until": locked_until}
        if row is None:
            conn.execute(insert(LoginThrottle).values(username=name, **values))
        else:
            conn.execute(update(LoginThrottle).where(LoginThrottle.username == name)
                         .values(**values))
    if locked_until:
        return LockState(True, count, int((locked_until - now).total_seconds()))
    return LockState(False, count)


def record_successful_login(engine: Engine, username: str, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    name = normalise_username(username)
    with engine.begin() as conn:
        conn.execute(delete(LoginThrottle).where(LoginThrottle.username == name))
        conn.execute(update(AppUser).where(AppUser.username == name).values(last_login_at=now))


def revoke_sessions(engine: Engine, username: str, now: dt.datetime | None = None) -> None:
    """End every session and re-login cookie of this user issued up to now (logout, disable)."""
    with engine.begin() as conn:
        conn.execute(
            update(AppUser)
            .where(AppUser.username == normalise_username(username))
            .values(sessions_valid_after=now or utcnow())
        )


def principal_for_session(engine: Engine, username: str, issued_at: dt.datetime) -> Viewer | None:
    """The principal of a sign-in issued at ``issued_at``, or None if it is no longer valid.

    Invalid when the account is gone or disabled, or the sign-in predates a revocation.
    Administrators start with no brand chosen.
    """
    with engine.connect() as conn:
        row = conn.execute(
            select(AppUser.role, AppUser.brand_id, AppUser.disabled,
                   AppUser.sessions_valid_after)
            .where(AppUser.username == normalise_username(username))
        ).first()
    if row is None or row.disabled:
        return None
    if row.sessions_valid_after is not None and issued_at <= row.sessions_valid_after:
        return None
    return Viewer(username=normalise_username(username), role=row.role,
                  brand_id=row.brand_id if row.role == "brand" else None)


def list_accounts(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Every account with its state (administrators only)."""
    viewer.require_admin()
    now = utcnow()
    with engine.connect() as conn:
        rows = conn.execute(
            select(AppUser.username, AppUser.display_name, AppUser.role, Brand.name.label("brand"),
                   AppUser.disabled, AppUser.last_login_at, LoginThrottle.failed_count,
                   LoginThrottle.locked_until)
            .outerjoin(Brand, Brand.id == AppUser.brand_id)
            .outerjoin(LoginThrottle, LoginThrottle.username == AppUser.username)
            .order_by(AppUser.role, AppUser.username)
        ).mappings().all()
    frame = pd.DataFrame(rows, columns=["username", "display_name", "role", "brand", "disabled",
                                        "last_login_at", "failed_count", "locked_until"])
    frame["failed_count"] = frame["failed_count"].fillna(0).astype(int)
    frame["locked"] = frame["locked_until"].notna() & (frame["locked_until"] > now)
    return frame


def hash_password(password: str) -> str:
    """bcrypt hash (cost 12) for the users file. Reads at most 72 bytes, as bcrypt does."""
    if len(password) < 8:
        raise PermissionDenied("Passwords must be at least 8 characters long.")
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=12)).decode("ascii")


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - thin CLI
    """``python -m data_access.accounts hash``: print a bcrypt hash for the users file."""
    import getpass
    import sys

    args = sys.argv[1:] if argv is None else argv
    if args[:1] != ["hash"]:
        print("usage: python -m data_access.accounts hash", file=sys.stderr)
        return 2
    password = getpass.getpass("Password (at least 8 characters, 15+ recommended): ")
    print(hash_password(password))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
