"""Accounts on both backends: the users file (which source wins), passwords of any length,
throttling per username and client, server-side sessions, administrator operations and
their audit.

Findings of issue 13 proven here (each test fails on the code before the change):
4. demo accounts outlive demo mode — ``test_demo_accounts_are_disabled_outside_demo_mode``;
5. a changed users file has no effect — ``test_a_changed_entry_in_the_users_file_…``;
6. long passwords — ``test_passwords_of_any_length_never_raise_and_count_as_failures``;
7. revoked sessions come back — ``test_sessions_end_by_their_own_id_…``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from data_access import accounts, passwords, sessions
from data_access.errors import PermissionDenied
from data_access.schema import AccountAudit, AppUser, UserSession
from data_access.settings import DEMO_USERS_FILE
from data_access.viewer import Viewer

POLICY = accounts.LockoutPolicy(max_attempts=3, window_minutes=10, lock_minutes=5,
                                backoff_after=6, backoff_max_seconds=60)
SESSIONS = sessions.SessionPolicy(idle_minutes=30, max_hours=12)
T0 = dt.datetime(2026, 11, 1, 12, 0, 0)
ADMIN = Viewer("admin", "admin", None)


def _user(name: str, password: str, role: str = "brand_manager", brand: str | None = "nordwind",
          display: str | None = None) -> accounts.ProvisionedUser:
    return accounts.ProvisionedUser(name, display or name.title(), None, role,
                                    brand if role != "admin" else None,
                                    passwords.hash_password(password))


@pytest.fixture
def provisioned(writable_engine):
    accounts.provision_users(writable_engine, accounts.read_users_file(DEMO_USERS_FILE),
                             demo_mode=True, now=T0)
    return writable_engine


def _sign_in(engine, name, password, *, client="203.0.113.5", allow_demo=True, now=T0):
    return accounts.authenticate(engine, name, password, POLICY, client=client,
                                 allow_demo=allow_demo, now=now)


def _audit(engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(AccountAudit.actor, AccountAudit.action, AccountAudit.target)
            .order_by(AccountAudit.id))]


# ---- the users file --------------------------------------------------------------------------


def test_demo_users_file_holds_only_hashes_and_every_role():
    users = accounts.read_users_file(DEMO_USERS_FILE)
    assert {u.role for u in users} == {"brand_viewer", "brand_manager", "admin"}
    assert all(passwords.is_password_hash(u.password_hash) for u in users)
    assert "demo-2026" not in DEMO_USERS_FILE.read_text()
    roles = {u.username: u.role for u in users}
    assert roles["nordwind"] == "brand_manager" and roles["lena"] == "brand_viewer"


def test_users_file_errors_name_the_entry(tmp_path):
    bad = tmp_path / "users.yaml"
    bad.write_text("credentials:\n  usernames:\n    eve:\n      role: brand\n"
                   "      password: plain-text\n      brand: x\n")
    with pytest.raises(accounts.UsersFileError, match="eve"):
        accounts.read_users_file(bad)
    bad.write_text("credentials:\n  usernames:\n    eve:\n      role: brand_viewer\n"
                   "      password: '$2b$12$abc'\n")
    with pytest.raises(accounts.UsersFileError, match="needs a 'brand'"):
        accounts.read_users_file(bad)
    bad.write_text("credentials:\n  usernames:\n    eve:\n      role: owner\n"
                   "      password: '$2b$12$abc'\n")
    with pytest.raises(accounts.UsersFileError, match="brand_viewer, brand_manager or admin"):
        accounts.read_users_file(bad)


def test_the_old_brand_role_is_a_brand_manager(tmp_path):
    path = tmp_path / "users.yaml"
    path.write_text("credentials:\n  usernames:\n    old:\n      role: brand\n"
                    "      brand: nordwind\n      password: '$2b$12$abc'\n")
    assert accounts.read_users_file(path)[0].role == "brand_manager"
    assert Viewer("x", "brand", 1) == Viewer("x", "brand_manager", 1)


def test_provisioning_twice_changes_nothing(writable_engine):
    users = accounts.read_users_file(DEMO_USERS_FILE)
    report = accounts.provision_users(writable_engine, users, demo_mode=True, now=T0)
    # the tiny dataset has 4 brands: nordwind, maple-thread, atlas-outdoor, riverstone
    assert set(report["added"]) == {"nordwind", "lena", "maple", "atlas", "admin"}
    accounts.revoke_sessions(writable_engine, "nordwind", now=T0)
    again = accounts.provision_users(writable_engine, users, demo_mode=True, now=T0)
    assert again == {"added": [], "updated": [], "disabled": [], "enabled": [], "skipped": []}
    with writable_engine.connect() as conn:  # database state survives re-provisioning
        kept = conn.execute(select(AppUser.sessions_valid_after)
                            .where(AppUser.username == "nordwind")).scalar_one()
    assert kept == T0


def test_unknown_brand_is_reported_not_provisioned(writable_engine):
    user = accounts.ProvisionedUser("ghost", "Ghost", None, "brand", "no-such-brand", "$2b$x")
    report = accounts.provision_users(writable_engine, [user], demo_mode=False)
    assert report["added"] == [] and "no-such-brand" in report["skipped"][0]


def test_a_changed_entry_in_the_users_file_replaces_the_password_and_ends_sessions(
        writable_engine):
    """Finding 5: a new hash in the users file used to be ignored (insert-only)."""
    engine = writable_engine
    accounts.provision_users(engine, [_user("j.doe", "first passphrase here")],
                             demo_mode=False, now=T0)
    sid, *_ = sessions.start_session(engine, "j.doe", SESSIONS, now=T0)
    assert _sign_in(engine, "j.doe", "first passphrase here").status == "ok"

    later = T0 + dt.timedelta(minutes=5)
    report = accounts.provision_users(engine, [_user("j.doe", "second passphrase now")],
                                      demo_mode=False, now=later)
    assert report["updated"] == ["j.doe"]
    assert _sign_in(engine, "j.doe", "first passphrase here", now=later).status == "invalid"
    assert _sign_in(engine, "j.doe", "second passphrase now", now=later).status == "ok"
    ended = sessions.check_session(engine, sid, SESSIONS, now=later)
    assert not ended.live and ended.reason == "password_changed"
    assert ("users file", "updated", "j.doe") in _audit(engine)


def test_app_changes_to_a_file_account_stay_until_its_entry_changes(writable_engine):
    engine = writable_engine
    entry = _user("j.doe", "first passphrase here")
    accounts.provision_users(engine, [entry], demo_mode=False, now=T0)
    accounts.change_role(engine, ADMIN, "j.doe", "brand_viewer", _brand(engine, "nordwind"),
                         now=T0)
    accounts.provision_users(engine, [entry], demo_mode=False, now=T0)  # same entry: kept
    assert _role(engine, "j.doe") == "brand_viewer"
    changed = accounts.ProvisionedUser(**{**entry.__dict__, "display_name": "Jane Doe"})
    accounts.provision_users(engine, [changed], demo_mode=False, now=T0)  # changed: applied
    assert _role(engine, "j.doe") == "brand_manager"


def test_accounts_removed_from_the_file_are_disabled_and_come_back(writable_engine):
    engine = writable_engine
    one, two = _user("one.user", "first passphrase here"), _user("two.user", "other passphrase")
    accounts.provision_users(engine, [one, two], demo_mode=False, now=T0)
    app_made = accounts.create_account(engine, ADMIN, "made.here", "Made Here", None,
                                       "brand_viewer", _brand(engine, "nordwind"), now=T0)
    report = accounts.provision_users(engine, [one], demo_mode=False, now=T0)
    assert report["disabled"] == ["two.user"]
    assert _sign_in(engine, "two.user", "other passphrase").status == "invalid"
    assert _sign_in(engine, "made.here", app_made).status == "ok"  # the file leaves it alone
    report = accounts.provision_users(engine, [one, two], demo_mode=False, now=T0)
    assert report["enabled"] == ["two.user"]
    assert _sign_in(engine, "two.user", "other passphrase").status == "ok"
    skipped = accounts.provision_users(engine, [one, _user("made.here", "x" * 12)],
                                       demo_mode=False, now=T0)["skipped"]
    assert skipped and skipped[0].startswith("made.here: an account created on the admin")


def test_demo_accounts_are_disabled_outside_demo_mode(provisioned):
    """Finding 4: after one demo start, a non-demo start with a users file that does not
    list them used to keep accepting the demo usernames and published passwords."""
    engine = provisioned
    sid, *_ = sessions.start_session(engine, "nordwind", SESSIONS, now=T0)
    assert _sign_in(engine, "nordwind", "nordwind-demo-2026").status == "ok"  # control

    copied = accounts.read_users_file(DEMO_USERS_FILE)[0]  # a demo entry pasted into a file
    report = accounts.provision_users(engine, [_user("real.user", "a real passphrase"),
                                               copied], demo_mode=False, now=T0)
    assert set(report["disabled"]) == {"nordwind", "lena", "maple", "atlas", "admin"}
    assert report["skipped"] == [f"{copied.username}: uses a published demo password"]
    for name, password in (("nordwind", "nordwind-demo-2026"), ("admin", "admin-demo-2026")):
        assert _sign_in(engine, name, password, allow_demo=False).status == "invalid"
    assert not sessions.check_session(engine, sid, SESSIONS, allow_demo=False, now=T0).live
    # even re-enabled by hand, a demo account is refused outside demo mode
    with engine.begin() as conn:
        conn.execute(text("UPDATE app_user SET disabled = :f"), {"f": False})
    assert _sign_in(engine, "maple", "maple-demo-2026", allow_demo=False).status == "invalid"
    assert _sign_in(engine, "real.user", "a real passphrase", allow_demo=False).status == "ok"


# ---- passwords and sign-in ----------------------------------------------------------------


def test_passwords_of_any_length_never_raise_and_count_as_failures(provisioned):
    """Finding 6: bcrypt 5 raised on a password over 72 bytes for an unknown user (an error
    page) but not for a known one ("incorrect"): a way to tell which accounts exist."""
    engine = provisioned
    long = "ä" * 40 + "x" * 2000  # 2,080 bytes
    for name in ("nordwind", "no-such-user"):
        outcome = _sign_in(engine, name, long)
        assert outcome.status == "invalid" and outcome.lock.failed_count == 1
    # a long password works in full when it is the password
    phrase = "grüne Bäume am Fluss " * 8  # 176 characters, 192 bytes
    accounts.provision_users(engine, [_user("long.pass", phrase)], demo_mode=False, now=T0)
    assert _sign_in(engine, "long.pass", phrase).status == "ok"
    assert _sign_in(engine, "long.pass", phrase[:72]).status == "invalid"  # not truncated


def test_plain_bcrypt_hashes_still_work_and_are_upgraded(provisioned):
    engine = provisioned
    assert _sign_in(engine, "Nordwind ", "nordwind-demo-2026").status == "ok"
    with engine.connect() as conn:
        stored = conn.execute(select(AppUser.password_hash)
                              .where(AppUser.username == "nordwind")).scalar_one()
    assert stored.startswith(passwords.PREFIX)
    assert _sign_in(engine, "nordwind", "nordwind-demo-2026").status == "ok"


def test_new_password_rules():
    assert passwords.problems_with("short") == [
        "Use at least 12 characters (a few unrelated words are easy to remember)."]
    assert "too easy to guess" in passwords.problems_with("password1234")[0]
    assert "too easy to guess" in passwords.problems_with("aaaaaaaaaaaaaaaa")[0]
    assert passwords.problems_with("x" * 129) == ["Use at most 128 characters."]
    assert passwords.problems_with("river tulip engine 7") == []  # no composition rules
    assert passwords.problems_with("学习中文的时候要有耐心和毅力") == []  # any script
    with pytest.raises(PermissionDenied, match="at least 12"):
        accounts.hash_password("short")


# ---- throttling ------------------------------------------------------------------------------


def test_a_lock_from_one_client_does_not_lock_out_the_owner_elsewhere(provisioned):
    engine = provisioned
    for i in range(3):
        outcome = _sign_in(engine, "maple", "wrong", client="198.51.100.7",
                           now=T0 + dt.timedelta(seconds=i))
    assert outcome.status == "locked" and outcome.lock.retry_after_seconds == 300
    # the attacker's client stays locked, even with the right password
    assert _sign_in(engine, "maple", "maple-demo-2026", client="198.51.100.7",
                    now=T0 + dt.timedelta(minutes=1)).status == "locked"
    # the owner, from another client, signs in
    assert _sign_in(engine, "maple", "maple-demo-2026", client="203.0.113.9",
                    now=T0 + dt.timedelta(minutes=1)).status == "ok"
    # an administrator's unlock clears it
    accounts.unlock_account(engine, ADMIN, "maple", now=T0)
    assert _sign_in(engine, "maple", "maple-demo-2026", client="198.51.100.7",
                    now=T0 + dt.timedelta(minutes=1)).status == "ok"
    assert ("admin", "unlocked", "maple") in _audit(engine)


def test_failures_from_many_clients_meet_an_exponential_back_off(provisioned):
    """ASVS 6.3.1: spread over ever new addresses, at most ~75 guesses per account per hour
    with the defaults; here (back-off after 6) the delays double up to 60 s."""
    engine = provisioned
    policy = accounts.LockoutPolicy(max_attempts=5, window_minutes=15, lock_minutes=15,
                                    backoff_after=10, backoff_max_seconds=60)
    # an attacker with a new address for every attempt, as fast as allowed, for one hour
    # (the throttle's own functions: authenticate() adds only the bcrypt work, tested above)
    now, guesses, attempt = T0, 0, 0
    while now < T0 + dt.timedelta(hours=1):
        attempt += 1
        client = f"10.0.{attempt // 250}.{attempt % 250}"
        state = accounts.lock_state(engine, "atlas", policy, now, client=client)
        if not state.locked:
            guesses += 1
            state = accounts.record_failed_login(engine, "atlas", policy, now, client=client)
        now += dt.timedelta(seconds=state.retry_after_seconds if state.locked else 1)
    assert 60 <= guesses <= 100, guesses
    blocked = accounts.authenticate(engine, "atlas", "atlas-demo-2026", policy,
                                    client="owner", now=now - dt.timedelta(seconds=1))
    assert blocked.status == "backoff" and not blocked.checked
    # the owner waits at most a minute, then signs in: never locked out by the attack
    state = accounts.lock_state(engine, "atlas", policy, now, client="owner")
    assert state.retry_after_seconds <= 61
    later = now + dt.timedelta(seconds=state.retry_after_seconds)
    assert accounts.authenticate(engine, "atlas", "atlas-demo-2026", policy, client="owner",
                                 now=later).status == "ok"


def test_unknown_usernames_are_throttled_like_known_ones(provisioned):
    states = [_sign_in(provisioned, name, "wrong", now=T0 + dt.timedelta(seconds=i))
              for name in ("no-such-user", "maple") for i in range(3)]
    assert [s.status for s in states] == ["invalid", "invalid", "locked"] * 2


def test_lockout_window_and_expiry(provisioned):
    engine = provisioned
    accounts.record_failed_login(engine, "atlas", POLICY, now=T0, client="c")
    accounts.record_failed_login(engine, "atlas", POLICY, now=T0 + dt.timedelta(minutes=1),
                                 client="c")
    state = accounts.record_failed_login(engine, "atlas", POLICY,
                                         now=T0 + dt.timedelta(minutes=20), client="c")
    assert state.failed_count == 1 and not state.locked


# ---- sessions ------------------------------------------------------------------------------


def test_sessions_end_by_their_own_id_whatever_the_settings_say_later(provisioned):
    """Finding 7: the issue time used to be derived from the cookie's expiry minus the
    current lifetime setting, so shortening the setting revived revoked cookies. A session
    is now its own row: once ended, no setting brings it back; a shorter maximum shortens
    running sessions and a longer one never lengthens them."""
    engine = provisioned
    first, *_ = sessions.start_session(engine, "nordwind", SESSIONS, now=T0)
    second, *_ = sessions.start_session(engine, "nordwind", SESSIONS, now=T0)
    assert sessions.end_session(engine, first, now=T0 + dt.timedelta(minutes=1))
    for hours in (0.5, 6, 12, 48):
        policy = sessions.SessionPolicy(idle_minutes=30, max_hours=hours)
        assert not sessions.check_session(engine, first, policy,
                                          now=T0 + dt.timedelta(minutes=2)).live
    assert sessions.check_session(engine, second, SESSIONS, now=T0 + dt.timedelta(minutes=2),
                                  ).live  # the other session of the account goes on
    shorter = sessions.SessionPolicy(idle_minutes=30, max_hours=0.25)
    ended = sessions.check_session(engine, second, shorter, now=T0 + dt.timedelta(minutes=16))
    assert ended.reason == "expired"
    longer = sessions.SessionPolicy(idle_minutes=30, max_hours=48)
    assert not sessions.check_session(engine, second, longer,
                                      now=T0 + dt.timedelta(minutes=17)).live


def test_idle_and_absolute_limits(provisioned):
    engine = provisioned
    policy = sessions.SessionPolicy(idle_minutes=30, max_hours=2)
    sid, _, end = sessions.start_session(engine, "maple", policy, now=T0)
    assert end == T0 + dt.timedelta(hours=2)
    now = T0
    while now + dt.timedelta(minutes=25) < end:  # active every 25 minutes: stays live
        now += dt.timedelta(minutes=25)
        assert sessions.check_session(engine, sid, policy, now=now).live
    assert sessions.check_session(engine, sid, policy, now=end).reason == "expired"
    idle_sid, *_ = sessions.start_session(engine, "maple", policy, now=T0)
    assert sessions.check_session(engine, idle_sid, policy,
                                  now=T0 + dt.timedelta(minutes=31)).reason == "idle"
    # revoked once idle: activity afterwards does not revive it
    assert sessions.check_session(engine, idle_sid, policy,
                                  now=T0 + dt.timedelta(minutes=32)).reason == "idle"


def test_session_ids_are_stored_hashed(provisioned):
    sid, *_ = sessions.start_session(provisioned, "atlas", SESSIONS, now=T0)
    with provisioned.connect() as conn:
        stored = conn.execute(select(UserSession.id_hash)).scalars().all()
    assert sid not in stored and sessions.hash_session_id(sid) in stored
    assert len(sid) >= 43  # 256 bits


# ---- administration --------------------------------------------------------------------------


def _brand(engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM brand WHERE code = :c"), {"c": code}).scalar_one()


def _role(engine, name: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(AppUser.role).where(AppUser.username == name)).scalar_one()


def test_administrator_operations_do_what_they_say_and_are_audited(provisioned):
    engine = provisioned
    nordwind = _brand(engine, "nordwind")
    temporary = accounts.create_account(engine, ADMIN, "New.Person", "New Person",
                                        "new@nordwind.example", "brand_viewer", nordwind, now=T0)
    signed = _sign_in(engine, "new.person", temporary)
    assert signed.status == "ok" and signed.must_change_password
    assert signed.viewer == Viewer("new.person", "brand_viewer", nordwind)
    assert accounts.change_own_password(engine, "new.person", "password1234",
                                        current_password=None, session_id=None)  # refused
    assert accounts.change_own_password(engine, "new.person", "lantern orbit seventeen",
                                        current_password=None, session_id=None) == []
    assert not _sign_in(engine, "new.person", "lantern orbit seventeen").must_change_password

    sid, *_ = sessions.start_session(engine, "new.person", SESSIONS, now=T0)
    accounts.change_role(engine, ADMIN, "new.person", "brand_manager", nordwind, now=T0)
    assert sessions.check_session(engine, sid, SESSIONS, now=T0).reason == "role_changed"
    sid, *_ = sessions.start_session(engine, "new.person", SESSIONS, now=T0)
    assert accounts.force_sign_out(engine, ADMIN, "new.person", now=T0) == 1
    assert not sessions.check_session(engine, sid, SESSIONS, now=T0).live
    accounts.set_disabled(engine, ADMIN, "new.person", True, now=T0)
    assert _sign_in(engine, "new.person", "lantern orbit seventeen").status == "invalid"
    accounts.set_disabled(engine, ADMIN, "new.person", False, now=T0)
    reset = accounts.reset_password(engine, ADMIN, "new.person", now=T0)
    assert _sign_in(engine, "new.person", "lantern orbit seventeen").status == "invalid"
    assert _sign_in(engine, "new.person", reset).must_change_password
    expired = _sign_in(engine, "new.person", reset, now=T0 + dt.timedelta(hours=73))
    assert expired.status == "expired"

    actions = [a for a in _audit(engine) if a[2] == "new.person"]
    assert [a[1] for a in actions] == ["created", "password_changed", "role_changed",
                                       "signed_out", "disabled", "enabled", "password_reset"]
    assert {a[0] for a in actions} == {"admin", "new.person"}
    changes = accounts.list_account_changes(engine, ADMIN)
    words = set(changes.loc[changes["target"] == "new.person", "change"])
    assert "Created the account as Brand viewer" in words
    assert "Changed the role or brand: Brand viewer of Nordwind Apparel → Brand manager of " \
           "Nordwind Apparel" in words
    with engine.connect() as conn:  # the audit never holds a password or a hash
        details = " ".join(conn.execute(select(AccountAudit.details)).scalars())
    assert temporary not in details and reset not in details and "$2b$" not in details


def test_administrators_cannot_lock_themselves_or_everyone_out(provisioned):
    engine = provisioned
    with pytest.raises(accounts.AccountError, match="your own account"):
        accounts.set_disabled(engine, ADMIN, "admin", True)
    with pytest.raises(accounts.AccountError, match="your own administrator role"):
        accounts.change_role(engine, ADMIN, "admin", "brand_viewer", _brand(engine, "nordwind"))
    other = Viewer("other.admin", "admin", None)
    with pytest.raises(accounts.AccountError, match="last active administrator"):
        accounts.set_disabled(engine, other, "admin", True)
    with pytest.raises(accounts.AccountError, match="already taken"):
        accounts.create_account(engine, ADMIN, "MAPLE", "Someone", None, "brand_viewer",
                                _brand(engine, "nordwind"))
    with pytest.raises(accounts.AccountError, match="brand this account belongs to"):
        accounts.create_account(engine, ADMIN, "nobrand", "No Brand", None, "brand_viewer", None)


@pytest.mark.parametrize("role", ["brand_viewer", "brand_manager"])
def test_brand_users_cannot_use_administrator_operations(provisioned, role):
    engine = provisioned
    brand_user = Viewer("nordwind", role, _brand(engine, "nordwind"))
    calls = {
        "create": lambda: accounts.create_account(engine, brand_user, "x.y", "X", None,
                                                  "admin", None),
        "disable": lambda: accounts.set_disabled(engine, brand_user, "maple", True),
        "enable": lambda: accounts.set_disabled(engine, brand_user, "maple", False),
        "unlock": lambda: accounts.unlock_account(engine, brand_user, "maple"),
        "sign out": lambda: accounts.force_sign_out(engine, brand_user, "maple"),
        "reset": lambda: accounts.reset_password(engine, brand_user, "maple"),
        "role": lambda: accounts.change_role(engine, brand_user, "nordwind", "admin", None),
        "list": lambda: accounts.list_accounts(engine, brand_user),
        "audit": lambda: accounts.list_account_changes(engine, brand_user),
    }
    before = _audit(engine)
    for name, call in calls.items():
        with pytest.raises(PermissionDenied, match="programme administrators"):
            call()
        assert name
    assert _audit(engine) == before and _role(engine, "nordwind") == "brand_manager"
