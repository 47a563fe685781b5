"""User accounts: sign-in, provisioning from the users file, administration, the account audit.

**Where an account comes from, and which source wins** (docs/users.md says the same):

* *Users file* accounts (``provisioned_from = 'users_file'``). At every start the file is
  applied: a missing account is created; an entry that changed since the last start (name,
  e-mail, role, brand or password hash — compared by a fingerprint of the entry) is copied
  into the database, and a changed password hash, role or brand ends the account's sessions;
  an account that was provisioned from the file and is no longer in it is disabled (and
  enabled again if it comes back). Changes made on the administration page to a file account
  stay until its entry in the file changes: the most recent change wins.
* *App* accounts (``'app'``), created on the administration page, are never touched by the
  file; a file entry with the same username is skipped with a warning.
* *Demo* accounts (``'demo'``) come from the bundled demo users file in demo mode only. At a
  start outside demo mode they are disabled, and so is any account whose password hash is one
  of the published demo hashes; a session or sign-in of a demo account is refused outside demo
  mode even if something re-enabled it.

Disabling, enabling, unlocking, forcing sign-out, resetting a password, changing role or brand
and creating accounts are administrator operations (``viewer.require("manage_accounts")``);
each writes a row to ``account_audit`` (who, what, to whom, when) in the same transaction.
Disabling an account, or changing its role or brand, also revokes the API tokens it issued
(``data_access.api_tokens.revoke_issued_by``).
Passwords: :mod:`data_access.passwords`; throttling: :mod:`data_access.throttle`; sessions:
:mod:`data_access.sessions`. All of this runs on the system engine (``data_access.scope``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from sqlalchemy import Connection, Engine, func, insert, select, update

from data_access import api_tokens, passwords, sessions, throttle
from data_access.errors import NotFound, PermissionDenied
from data_access.schema import AccountAudit, AppUser, Brand
from data_access.scope import system_connection
from data_access.settings import DEMO_USERS_FILE
from data_access.throttle import (
    LockoutPolicy,
    LockState,
    lock_state,
    normalise_username,
    record_failed_login,
    utcnow,
)
from data_access.viewer import (
    BRAND_ROLES,
    LEGACY_BRAND_ROLE,
    ROLE_LABELS,
    ROLES,
    Viewer,
    normalise_role,
)
from reference.translation import N_, Ngettext, Translate, english_ngettext, identity

#: a temporary password (new account, reset) stops working after this many hours
TEMPORARY_PASSWORD_HOURS = 72
USERS_FILE_ACTOR = "users file"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")


@dataclass(frozen=True)
class ProvisionedUser:
    username: str
    display_name: str
    email: str | None
    role: str
    brand_code: str | None
    password_hash: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", normalise_role(self.role))

    def fingerprint(self) -> str:
        entry = [self.username, self.display_name, self.email, self.role, self.brand_code,
                 self.password_hash]
        return hashlib.sha256(json.dumps(entry).encode("utf-8")).hexdigest()


class UsersFileError(ValueError):
    """The users file is unreadable or an entry is invalid; the message names the entry."""


class AccountError(ValueError):
    """An administration request that cannot be done as asked; the message says why.

    ``message`` is a text marked for the catalogues, with ``{placeholders}`` filled from
    ``values``; :meth:`translated` gives it in the interface's language."""

    def __init__(self, message: str, **values: str) -> None:
        super().__init__(message.format(**values) if values else message)
        self.template, self.values = message, values

    def translated(self, translate: Translate) -> str:
        text = translate(self.template)
        return text.format(**self.values) if self.values else text


# ---- the users file ---------------------------------------------------------------------------


def read_users_file(path: Path) -> list[ProvisionedUser]:
    """Parse and validate the YAML users file. Passwords must already be hashes."""
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
        if not _USERNAME.match(name):
            raise UsersFileError(f"{path}: username {name!r} may use only a–z, 0–9 and . _ @ -")
        role = entry.get("role")
        if role not in (*ROLES, LEGACY_BRAND_ROLE):
            raise UsersFileError(f"{path}: user {name!r} needs role brand_viewer, "
                                 "brand_manager or admin")
        role = "brand_manager" if role == LEGACY_BRAND_ROLE else role
        brand = entry.get("brand")
        if role in BRAND_ROLES and not brand:
            raise UsersFileError(f"{path}: brand user {name!r} needs a 'brand' (brand code)")
        password = str(entry.get("password", ""))
        if not passwords.is_password_hash(password):
            raise UsersFileError(
                f"{path}: user {name!r} must have a password hash "
                "(python -m data_access.accounts hash)")
        users.append(ProvisionedUser(
            username=name, display_name=str(entry.get("name") or name)[:200],
            email=(str(entry["email"])[:200] if entry.get("email") else None), role=role,
            brand_code=str(brand) if brand and role in BRAND_ROLES else None,
            password_hash=password))
    return users


def demo_password_hashes() -> frozenset[str]:
    """The hashes of the published demo passwords (README): never valid outside demo mode."""
    return frozenset(u.password_hash for u in read_users_file(DEMO_USERS_FILE))


def provision_users(engine: Engine, users: list[ProvisionedUser], *, demo_mode: bool = True,
                    source: str | None = None, now: dt.datetime | None = None
                    ) -> dict[str, list[str]]:
    """Apply the users file (see the module docstring for the rules).

    ``source`` is 'demo' for the bundled demo file, else 'users_file' (default: decided by
    ``demo_mode``). Returns ``{"added", "updated", "disabled", "enabled", "skipped"}``, lists
    of usernames (``skipped``: "name: reason").
    """
    now = now or utcnow()
    source = source or ("demo" if demo_mode else "users_file")
    report: dict[str, list[str]] = {"added": [], "updated": [], "disabled": [], "enabled": [],
                                    "skipped": []}
    demo_hashes = frozenset() if demo_mode else demo_password_hashes()
    listed = {u.username for u in users}
    with system_connection(engine) as conn:
        existing = {r.username: r for r in conn.execute(
            select(AppUser.username, AppUser.provisioned_from, AppUser.file_fingerprint,
                   AppUser.disabled, AppUser.disabled_reason, AppUser.password_hash,
                   AppUser.role, AppUser.brand_id))}
        brands = {code: id_ for code, id_ in conn.execute(select(Brand.code, Brand.id))}
        for user in users:
            brand_id = None
            if user.role in BRAND_ROLES:
                brand_id = brands.get(user.brand_code or "")
                if brand_id is None:
                    report["skipped"].append(f"{user.username}: unknown brand "
                                             f"{user.brand_code!r}")
                    continue
            if user.password_hash in demo_hashes:
                report["skipped"].append(f"{user.username}: uses a published demo password")
                listed.discard(user.username)  # as if not in the file: disabled below
                continue
            row = existing.get(user.username)
            if row is None:
                conn.execute(insert(AppUser).values(
                    username=user.username, display_name=user.display_name,
                    email=user.email, role=user.role, brand_id=brand_id,
                    password_hash=user.password_hash, disabled=False,
                    provisioned_from=source, file_fingerprint=user.fingerprint(),
                    created_at=now, created_by=USERS_FILE_ACTOR, password_changed_at=now))
                _audit(conn, USERS_FILE_ACTOR, "created", user.username, brand_id,
                       {"role": user.role, "source": source}, now)
                report["added"].append(user.username)
                continue
            if row.provisioned_from == "app":
                report["skipped"].append(f"{user.username}: an account created on the "
                                         "administration page; the users file does not "
                                         "change it")
                continue
            if row.file_fingerprint != user.fingerprint() or row.provisioned_from != source:
                changed = _apply_entry(conn, row, user, brand_id, source, now)
                if changed:
                    report["updated"].append(user.username)
            if row.disabled and row.disabled_reason in ("removed_from_file", "demo"):
                conn.execute(update(AppUser).where(AppUser.username == user.username)
                             .values(disabled=False, disabled_reason=None))
                _audit(conn, USERS_FILE_ACTOR, "enabled", user.username, brand_id,
                       {"reason": "listed in the users file again"}, now)
                report["enabled"].append(user.username)
        for row in existing.values():
            if row.username in listed or row.disabled:
                continue
            reason = None
            if row.provisioned_from == "demo" and not demo_mode:
                reason = "demo"
            elif row.provisioned_from == source:  # provisioned from this kind of file
                reason = "removed_from_file"
            elif row.password_hash in demo_hashes:
                reason = "demo"
            if reason is None:
                continue
            _disable(conn, row.username, reason, USERS_FILE_ACTOR, row.brand_id, now)
            report["disabled"].append(row.username)
    return report


def _apply_entry(conn: Connection, row: Any, user: ProvisionedUser, brand_id: int | None,
                 source: str, now: dt.datetime) -> list[str]:
    values: dict[str, Any] = {"display_name": user.display_name, "email": user.email,
                              "role": user.role, "brand_id": brand_id,
                              "provisioned_from": source, "file_fingerprint": user.fingerprint()}
    changed = []
    if row.password_hash != user.password_hash:
        values.update(password_hash=user.password_hash, must_change_password=False,
                      password_expires_at=None, password_changed_at=now)
        changed.append("password")
    if row.role != user.role:
        changed.append("role")
    if row.brand_id != brand_id:
        changed.append("brand")
    conn.execute(update(AppUser).where(AppUser.username == user.username).values(**values))
    if changed:
        reason = "password_changed" if "password" in changed else "role_changed"
        sessions.revoke_all(conn, user.username, reason, now)
        _revoke_before(conn, user.username, now)
        _audit(conn, USERS_FILE_ACTOR, "updated", user.username, brand_id,
               {"changed": changed, "role": user.role}, now)
        if "role" in changed or "brand" in changed:
            api_tokens.revoke_issued_by(conn, user.username, "issuer_role_changed",
                                        USERS_FILE_ACTOR, now)
    return changed


# ---- signing in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """The outcome of :func:`authenticate`. ``status``: 'ok', 'locked' (this client),
    'backoff' (this username, every client), 'invalid' (wrong username or password — one
    answer for both), 'expired' (a correct but expired temporary password)."""

    status: str
    viewer: Viewer | None = None
    display_name: str = ""
    email: str = ""
    must_change_password: bool = False
    lock: LockState = field(default_factory=lambda: LockState(False, 0))
    #: whether the password was checked (False: refused by throttling before that)
    checked: bool = True


def authenticate(engine: Engine, username: str, password: str, policy: LockoutPolicy, *,
                 client: str | None = None, allow_demo: bool = True,
                 now: dt.datetime | None = None) -> SignIn:
    """Check a sign-in: throttling first, then the password with the same work whether or
    not the account exists (or is disabled), then the failure or success bookkeeping.
    Never raises for any input (a 10,000-character password is a failure like another)."""
    now = now or utcnow()
    name = normalise_username(username)
    lock = lock_state(engine, name, policy, now, client=client)
    if lock.locked:
        return SignIn("locked" if lock.scope == "client" else "backoff", lock=lock,
                      checked=False)
    with system_connection(engine) as conn:
        row = conn.execute(
            select(AppUser.username, AppUser.password_hash, AppUser.role, AppUser.brand_id,
                   AppUser.display_name, AppUser.email, AppUser.must_change_password,
                   AppUser.password_expires_at, AppUser.provisioned_from)
            .where(AppUser.username == name, AppUser.disabled.is_(False))).first()
    usable = row is not None and (allow_demo or row.provisioned_from != "demo")
    ok = passwords.verify_password(row.password_hash if usable else None, password)
    if not ok:
        lock = record_failed_login(engine, name, policy, now, client=client)
        if lock.locked:
            return SignIn("locked" if lock.scope == "client" else "backoff", lock=lock)
        return SignIn("invalid", lock=lock)
    if row.must_change_password and row.password_expires_at and row.password_expires_at <= now:
        return SignIn("expired")
    with system_connection(engine) as conn:
        throttle.clear_client(conn, name, client)
        values: dict[str, Any] = {"last_login_at": now}
        if passwords.is_legacy_hash(row.password_hash):
            values["password_hash"] = passwords.hash_password(password)  # upgrade the form
        conn.execute(update(AppUser).where(AppUser.username == name).values(**values))
    viewer = Viewer(username=name, role=row.role,
                    brand_id=None if row.role == "admin" else row.brand_id)
    return SignIn("ok", viewer, row.display_name, row.email or "",
                  bool(row.must_change_password))


def record_successful_login(engine: Engine, username: str, now: dt.datetime | None = None, *,
                            client: str | None = None) -> None:
    """Clear this client's failure counter and note the sign-in time."""
    name = normalise_username(username)
    with system_connection(engine) as conn:
        throttle.clear_client(conn, name, client)
        conn.execute(update(AppUser).where(AppUser.username == name)
                     .values(last_login_at=now or utcnow()))


def change_own_password(engine: Engine, username: str, new_password: str, *,
                        current_password: str | None, session_id: str | None,
                        now: dt.datetime | None = None,
                        translate: Translate = identity) -> list[str]:
    """A user sets their own password. ``current_password`` is required unless the account
    must change a temporary password it has just signed in with. Returns the problems (empty:
    done), in the language ``translate`` gives (English by default); on success every other
    session of the account ends."""
    now = now or utcnow()
    name = normalise_username(username)
    with system_connection(engine) as conn:
        row = conn.execute(select(AppUser.password_hash, AppUser.display_name, AppUser.email,
                                  AppUser.must_change_password, AppUser.brand_id)
                           .where(AppUser.username == name, AppUser.disabled.is_(False))
                           ).first()
    if row is None:
        return [translate(N_("Your account is no longer active."))]
    if not row.must_change_password and not passwords.verify_password(
            row.password_hash, current_password or ""):
        return [translate(N_("Your current password is not correct."))]
    problems = passwords.problems_with(new_password,
                                       user_inputs=(name, row.display_name, row.email or ""),
                                       translate=translate)
    if not problems and passwords.verify_password(row.password_hash, new_password):
        problems.append(translate(N_("Choose a password different from the current one.")))
    if problems:
        return problems
    with system_connection(engine) as conn:
        conn.execute(update(AppUser).where(AppUser.username == name).values(
            password_hash=passwords.hash_password(new_password), must_change_password=False,
            password_expires_at=None, password_changed_at=now))
        sessions.revoke_all(conn, name, "password_changed", now, except_session=session_id)
        _audit(conn, name, "password_changed", name, row.brand_id,
               {"temporary": bool(row.must_change_password)}, now)
    return []


# ---- administration -------------------------------------------------------------------------


def _audit(conn: Connection, actor: str, action: str, target: str, brand_id: int | None,
           details: dict[str, Any], now: dt.datetime) -> None:
    conn.execute(insert(AccountAudit).values(
        created_at=now, actor=actor[:80], action=action[:40], target=target[:200],
        brand_id=brand_id, details=json.dumps(details, sort_keys=True, default=str)))


def _revoke_before(conn: Connection, username: str, now: dt.datetime) -> None:
    conn.execute(update(AppUser).where(AppUser.username == username)
                 .values(sessions_valid_after=now))


def _disable(conn: Connection, username: str, reason: str, actor: str, brand_id: int | None,
             now: dt.datetime) -> None:
    conn.execute(update(AppUser).where(AppUser.username == username)
                 .values(disabled=True, disabled_reason=reason))
    sessions.revoke_all(conn, username, "disabled", now)
    _revoke_before(conn, username, now)
    _audit(conn, actor, "disabled", username, brand_id, {"reason": reason}, now)
    api_tokens.revoke_issued_by(conn, username, "issuer_disabled", actor, now)


def _account(conn: Connection, username: str):
    row = conn.execute(select(AppUser.username, AppUser.role, AppUser.brand_id,
                              AppUser.disabled, AppUser.provisioned_from)
                       .where(AppUser.username == normalise_username(username))).first()
    if row is None:
        raise NotFound(f"There is no account {normalise_username(username)!r}.")
    return row


def _enabled_admins(conn: Connection) -> set[str]:
    return set(conn.execute(select(AppUser.username).where(
        AppUser.role == "admin", AppUser.disabled.is_(False))).scalars())


def _check_brand(conn: Connection, role: str, brand_id: int | None) -> int | None:
    if role not in ROLES:
        raise AccountError(N_("Choose a role."))
    if role == "admin":
        return None
    if brand_id is None or conn.execute(select(Brand.id).where(Brand.id == brand_id)
                                        ).scalar() is None:
        raise AccountError(N_("Choose the brand this account belongs to."))
    return brand_id


def _temporary(conn: Connection, username: str, now: dt.datetime) -> str:
    password = passwords.temporary_password()
    conn.execute(update(AppUser).where(AppUser.username == username).values(
        password_hash=passwords.hash_password(password), must_change_password=True,
        password_expires_at=now + dt.timedelta(hours=TEMPORARY_PASSWORD_HOURS),
        password_changed_at=now))
    return password


def create_account(engine: Engine, actor: Viewer, username: str, display_name: str,
                   email: str | None, role: str, brand_id: int | None, *,
                   now: dt.datetime | None = None) -> str:
    """Create an account (source 'app') with a temporary password, which is returned — to be
    shown once — and must be changed at the first sign-in."""
    actor.require("manage_accounts")
    now = now or utcnow()
    name = normalise_username(username)
    if not _USERNAME.match(name):
        raise AccountError(N_("A username has 2 to 80 characters: letters a–z, digits and "
                              ". _ @ - (it is not case-sensitive)."))
    if not display_name.strip():
        raise AccountError(N_("Enter the person's name."))
    with system_connection(engine) as conn:
        if conn.execute(select(AppUser.username).where(AppUser.username == name)).first():
            raise AccountError(N_("The username {name} is already taken."), name=repr(name))
        brand_id = _check_brand(conn, role, brand_id)
        conn.execute(insert(AppUser).values(
            username=name, display_name=display_name.strip()[:200],
            email=(email or "").strip()[:200] or None, role=role, brand_id=brand_id,
            password_hash="!", disabled=False, provisioned_from="app", created_at=now,  # noqa: S106 - no password yet; set just below
            created_by=actor.username))
        password = _temporary(conn, name, now)
        _audit(conn, actor.username, "created", name, brand_id, {"role": role}, now)
    return password


def set_disabled(engine: Engine, actor: Viewer, username: str, disabled: bool, *,
                 now: dt.datetime | None = None) -> None:
    """Disable (ending every session at once) or enable an account."""
    actor.require("manage_accounts")
    now = now or utcnow()
    with system_connection(engine) as conn:
        row = _account(conn, username)
        if disabled:
            if row.username == actor.username:
                raise AccountError(N_("You cannot disable your own account."))
            if row.role == "admin" and _enabled_admins(conn) == {row.username}:
                raise AccountError(N_("This is the last active administrator account."))
            if not row.disabled:
                _disable(conn, row.username, "admin", actor.username, row.brand_id, now)
        elif row.disabled:
            conn.execute(update(AppUser).where(AppUser.username == row.username)
                         .values(disabled=False, disabled_reason=None))
            _audit(conn, actor.username, "enabled", row.username, row.brand_id, {}, now)


def unlock_account(engine: Engine, actor: Viewer, username: str, *,
                   now: dt.datetime | None = None) -> None:
    """Clear the failed sign-ins of a username (every client, and the back-off)."""
    actor.require("manage_accounts")
    now = now or utcnow()
    with system_connection(engine) as conn:
        row = _account(conn, username)
        cleared = throttle.clear_all(conn, row.username)
        _audit(conn, actor.username, "unlocked", row.username, row.brand_id,
               {"counters_cleared": cleared}, now)


def force_sign_out(engine: Engine, actor: Viewer, username: str, *,
                   now: dt.datetime | None = None) -> int:
    """End every session of the account (every browser, every copy of its cookie)."""
    actor.require("manage_accounts")
    now = now or utcnow()
    with system_connection(engine) as conn:
        row = _account(conn, username)
        ended = sessions.revoke_all(conn, row.username, "forced", now)
        _revoke_before(conn, row.username, now)
        _audit(conn, actor.username, "signed_out", row.username, row.brand_id,
               {"sessions_ended": ended}, now)
    return ended


def reset_password(engine: Engine, actor: Viewer, username: str, *,
                   now: dt.datetime | None = None) -> str:
    """Give the account a temporary password (returned, to be shown once), which must be
    changed at the next sign-in and stops working after :data:`TEMPORARY_PASSWORD_HOURS`;
    every session ends and the failed sign-ins are cleared."""
    actor.require("manage_accounts")
    now = now or utcnow()
    with system_connection(engine) as conn:
        row = _account(conn, username)
        password = _temporary(conn, row.username, now)
        sessions.revoke_all(conn, row.username, "password_changed", now)
        _revoke_before(conn, row.username, now)
        throttle.clear_all(conn, row.username)
        _audit(conn, actor.username, "password_reset", row.username, row.brand_id,
               {"valid_hours": TEMPORARY_PASSWORD_HOURS}, now)
    return password


def change_role(engine: Engine, actor: Viewer, username: str, role: str, brand_id: int | None,
                *, now: dt.datetime | None = None) -> None:
    """Change an account's role and brand; its sessions end (it signs in again as what it
    now is)."""
    actor.require("manage_accounts")
    now = now or utcnow()
    with system_connection(engine) as conn:
        row = _account(conn, username)
        brand_id = _check_brand(conn, role, brand_id)
        if row.role == "admin" and role != "admin":
            if row.username == actor.username:
                raise AccountError(N_("You cannot take away your own administrator role."))
            if _enabled_admins(conn) == {row.username}:
                raise AccountError(N_("This is the last active administrator account."))
        if (row.role, row.brand_id) == (role, brand_id):
            return
        conn.execute(update(AppUser).where(AppUser.username == row.username)
                     .values(role=role, brand_id=brand_id))
        sessions.revoke_all(conn, row.username, "role_changed", now)
        _revoke_before(conn, row.username, now)
        _audit(conn, actor.username, "role_changed", row.username, brand_id,
               {"from_role": row.role, "to_role": role, "from_brand": row.brand_id,
                "to_brand": brand_id}, now)
        api_tokens.revoke_issued_by(conn, row.username, "issuer_role_changed",
                                    actor.username, now)


def revoke_sessions(engine: Engine, username: str, now: dt.datetime | None = None) -> None:
    """End every session of ``username`` issued up to now (no audit: the CLI and tests)."""
    now = now or utcnow()
    with system_connection(engine) as conn:
        sessions.revoke_all(conn, normalise_username(username), "forced", now)
        _revoke_before(conn, normalise_username(username), now)


# ---- reading accounts and their audit -----------------------------------------------------


SOURCE_LABELS = {"users_file": N_("Users file"), "app": N_("Created here"), "demo": N_("Demo")}


def list_accounts(engine: Engine, viewer: Viewer,
                  session_policy: sessions.SessionPolicy | None = None) -> pd.DataFrame:
    """Every account with its state (administrators only)."""
    viewer.require("manage_accounts")
    now = utcnow()
    policy = session_policy or sessions.SessionPolicy()
    with system_connection(engine) as conn:
        rows = conn.execute(
            select(AppUser.username, AppUser.display_name, AppUser.email, AppUser.role,
                   AppUser.brand_id, Brand.name.label("brand"), AppUser.disabled,
                   AppUser.disabled_reason, AppUser.provisioned_from,
                   AppUser.must_change_password, AppUser.last_login_at)
            .outerjoin(Brand, Brand.id == AppUser.brand_id)
            .order_by(AppUser.role, AppUser.username)).mappings().all()
        locked = throttle.locked_usernames(conn, now)
        live = sessions.live_session_counts(conn, now, policy)
    frame = pd.DataFrame(rows, columns=["username", "display_name", "email", "role", "brand_id",
                                        "brand", "disabled", "disabled_reason",
                                        "provisioned_from", "must_change_password",
                                        "last_login_at"])
    frame["role_label"] = frame["role"].map(ROLE_LABELS)
    frame["source"] = frame["provisioned_from"].map(SOURCE_LABELS)
    frame["locked"] = frame["username"].isin(locked)
    frame["sessions"] = frame["username"].map(live).fillna(0).astype(int)
    return frame


#: the change in words, for the audit log (marked for the catalogues, translated by the caller's
#: ``translate``)
_ACTION_TEXT = {
    "created": N_("Created the account"),
    "updated": N_("Updated the account from the users file"),
    "disabled": N_("Disabled the account"),
    "enabled": N_("Enabled the account"),
    "unlocked": N_("Cleared the failed sign-ins"),
    "signed_out": N_("Signed the account out everywhere"),
    "password_reset": N_("Reset the password (temporary password)"),
    "password_changed": N_("Changed the password"),
    "role_changed": N_("Changed the role or brand"),
    "api_token_issued": N_("Issued the API token"),
    "api_token_revoked": N_("Revoked the API token"),
}
_TOKEN_REVOKED_TEXT = {"issuer_disabled": N_("the account that issued it was disabled"),
                       "issuer_role_changed": N_("the role or brand of the account that issued "
                                                 "it changed")}
_REASON_TEXT = {"admin": N_("by an administrator"),
                "removed_from_file": N_("no longer in the users file"),
                "demo": N_("a demo account outside demo mode")}

def _label(text: str, translate: Translate) -> str:
    """A marked label in ``translate``'s language (an empty text stays empty: gettext would
    answer it with the catalogue's header)."""
    return translate(text) if text else text


def describe_change(action: str, details: dict[str, Any], brands: dict[int, str], *,
                    translate: Translate = identity,
                    ngettext: Ngettext = english_ngettext) -> str:
    """One audit row in words, e.g. "Changed the role or brand: Brand manager → Brand viewer",
    in the language of ``translate`` / ``ngettext`` (English by default)."""

    def role_label(role: str | None) -> str:
        return translate(ROLE_LABELS[role]) if role in ROLE_LABELS else (role or "—")

    if action not in _ACTION_TEXT:
        text = action.replace("_", " ")
        return text[0].upper() + text[1:]
    text = translate(_ACTION_TEXT[action])
    if action == "created" and details.get("role"):
        return translate(N_("Created the account as {role}")).format(
            role=role_label(details["role"]))
    if action == "disabled" and details.get("reason"):
        reason = details["reason"]
        return translate(N_("{change} ({detail})")).format(
            change=text, detail=translate(_REASON_TEXT[reason]) if reason in _REASON_TEXT
            else reason)
    if action == "updated" and details.get("changed"):
        return translate(N_("Updated the account from the users file: {fields} changed")).format(
            fields=", ".join(details["changed"]))
    if action == "role_changed":
        def side(role: str | None, brand: int | None) -> str:
            if not brand:
                return role_label(role)
            return translate(N_("{role} of {brand}")).format(
                role=role_label(role),
                brand=brands.get(brand) or translate(N_("a removed brand")))
        return translate(N_("Changed the role or brand: {before} → {after}")).format(
            before=side(details.get("from_role"), details.get("from_brand")),
            after=side(details.get("to_role"), details.get("to_brand")))
    if action == "signed_out":
        count = int(details.get("sessions_ended", 0))
        return ngettext("Signed the account out everywhere ({n} session ended)",
                        "Signed the account out everywhere ({n} sessions ended)",
                        count).format(n=count)
    if action == "password_reset" and details.get("valid_hours"):
        return translate(N_("Reset the password (temporary password), valid {hours} hours")
                         ).format(hours=details["valid_hours"])
    if action == "password_changed" and details.get("temporary"):
        return translate(N_("Changed the password (replacing a temporary password)"))
    if action == "api_token_issued":
        return translate(N_("Issued the API token for {scope}, valid until {date}")).format(
            scope=_label(api_tokens.scope_label(details.get("scope", "")), translate).lower(),
            date=details.get("expires_at", "?"))
    if action == "api_token_revoked" and details.get("reason") in _TOKEN_REVOKED_TEXT:
        return translate(N_("{change} ({detail})")).format(
            change=text, detail=translate(_TOKEN_REVOKED_TEXT[details["reason"]]))
    return text


def list_account_changes(engine: Engine, viewer: Viewer, *, limit: int = 500,
                         translate: Translate = identity,
                         ngettext: Ngettext = english_ngettext) -> pd.DataFrame:
    """The account audit, newest first, in words (administrators only; ``translate`` and
    ``ngettext`` give the words' language, English by default).

    Columns: ``created_at, actor, target, brand, change``.
    """
    viewer.require("view_audit_log")
    with system_connection(engine) as conn:
        brands = {id_: name for id_, name in conn.execute(select(Brand.id, Brand.name))}
        rows = conn.execute(
            select(AccountAudit.created_at, AccountAudit.actor, AccountAudit.target,
                   AccountAudit.brand_id, AccountAudit.action, AccountAudit.details)
            .order_by(AccountAudit.created_at.desc(), AccountAudit.id.desc())
            .limit(limit)).all()
    records = [{"created_at": r.created_at, "actor": r.actor, "target": r.target,
                "brand": brands.get(r.brand_id, ""),
                "change": describe_change(r.action, json.loads(r.details or "{}"), brands,
                                          translate=translate, ngettext=ngettext)}
               for r in rows]
    return pd.DataFrame(records, columns=["created_at", "actor", "target", "brand", "change"])


def count_accounts(engine: Engine) -> int:
    with system_connection(engine) as conn:
        return conn.execute(select(func.count()).select_from(AppUser)).scalar_one()


def hash_password(password: str) -> str:
    """A hash for the users file, after the rules for a new password (ASVS 6.2)."""
    problems = passwords.problems_with(password)
    if problems:
        raise PermissionDenied(" ".join(problems))
    return passwords.hash_password(password)


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - thin CLI
    """``python -m data_access.accounts hash``: print a password hash for the users file."""
    import getpass
    import sys

    args = sys.argv[1:] if argv is None else argv
    if args[:1] != ["hash"]:
        print("usage: python -m data_access.accounts hash", file=sys.stderr)
        return 2
    password = getpass.getpass(f"Password (at least {passwords.MIN_LENGTH} characters; "
                               "a few unrelated words work well): ")
    try:
        print(hash_password(password))
    except PermissionDenied as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
