"""Accounts: provisioning from the users file, lockout, revocation (on both backends)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from data_access import accounts
from data_access.schema import AppUser
from data_access.settings import DEMO_USERS_FILE

POLICY = accounts.LockoutPolicy(max_attempts=3, window_minutes=10, lock_minutes=5)
T0 = dt.datetime(2026, 11, 1, 12, 0, 0)


@pytest.fixture
def provisioned(writable_engine):
    accounts.provision_users(writable_engine, accounts.read_users_file(DEMO_USERS_FILE))
    return writable_engine


def test_demo_users_file_holds_only_bcrypt_hashes():
    users = accounts.read_users_file(DEMO_USERS_FILE)
    assert {u.role for u in users} == {"brand", "admin"}
    assert all(u.password_hash.startswith("$2b$12$") for u in users)
    assert "demo-2026" not in DEMO_USERS_FILE.read_text()


def test_users_file_errors_name_the_entry(tmp_path):
    bad = tmp_path / "users.yaml"
    bad.write_text("credentials:\n  usernames:\n    eve:\n      role: brand\n"
                   "      password: plain-text\n      brand: x\n")
    with pytest.raises(accounts.UsersFileError, match="eve"):
        accounts.read_users_file(bad)
    bad.write_text("credentials:\n  usernames:\n    eve:\n      role: brand\n"
                   "      password: '$2b$12$abc'\n")
    with pytest.raises(accounts.UsersFileError, match="needs a 'brand'"):
        accounts.read_users_file(bad)


def test_provisioning_is_insert_only(writable_engine, tmp_path):
    users = accounts.read_users_file(DEMO_USERS_FILE)
    report = accounts.provision_users(writable_engine, users)
    # the tiny dataset has 4 brands: nordwind, maple-thread, atlas-outdoor, riverstone
    assert set(report["added"]) == {"nordwind", "maple", "atlas", "admin"}
    accounts.revoke_sessions(writable_engine, "nordwind", now=T0)
    again = accounts.provision_users(writable_engine, users)
    assert again == {"added": [], "skipped": []}
    with writable_engine.connect() as conn:  # database state survives re-provisioning
        kept = conn.execute(select(AppUser.sessions_valid_after)
                            .where(AppUser.username == "nordwind")).scalar_one()
    assert kept == T0


def test_unknown_brand_is_reported_not_provisioned(writable_engine):
    user = accounts.ProvisionedUser("ghost", "Ghost", None, "brand", "no-such-brand", "$2b$x")
    report = accounts.provision_users(writable_engine, [user])
    assert report["added"] == [] and "no-such-brand" in report["skipped"][0]


def test_password_check(provisioned):
    assert accounts.verify_password(provisioned, "Nordwind ", "nordwind-demo-2026")
    assert not accounts.verify_password(provisioned, "nordwind", "wrong")
    assert not accounts.verify_password(provisioned, "nobody", "nordwind-demo-2026")


def test_lockout_after_repeated_failures_and_expiry(provisioned):
    for attempt in range(1, 3):
        state = accounts.record_failed_login(provisioned, "maple", POLICY,
                                             now=T0 + dt.timedelta(seconds=attempt))
        assert not state.locked and state.failed_count == attempt
    state = accounts.record_failed_login(provisioned, "maple", POLICY,
                                         now=T0 + dt.timedelta(seconds=3))
    assert state.locked and state.retry_after_seconds == 300
    assert accounts.lock_state(provisioned, "MAPLE", POLICY,
                               now=T0 + dt.timedelta(minutes=4)).locked
    after = accounts.lock_state(provisioned, "maple", POLICY, now=T0 + dt.timedelta(minutes=6))
    assert not after.locked
    # a failure after the lock expired starts a new count
    state = accounts.record_failed_login(provisioned, "maple", POLICY,
                                         now=T0 + dt.timedelta(minutes=7))
    assert state.failed_count == 1 and not state.locked


def test_failures_outside_the_window_do_not_add_up(provisioned):
    accounts.record_failed_login(provisioned, "atlas", POLICY, now=T0)
    accounts.record_failed_login(provisioned, "atlas", POLICY, now=T0 + dt.timedelta(minutes=1))
    state = accounts.record_failed_login(provisioned, "atlas", POLICY,
                                         now=T0 + dt.timedelta(minutes=20))
    assert state.failed_count == 1 and not state.locked


def test_unknown_usernames_lock_too(provisioned):
    """Lockout does not reveal whether an account exists."""
    for i in range(3):
        state = accounts.record_failed_login(provisioned, "no-such-user", POLICY,
                                             now=T0 + dt.timedelta(seconds=i))
    assert state.locked


def test_success_resets_the_counter(provisioned):
    accounts.record_failed_login(provisioned, "nordwind", POLICY, now=T0)
    accounts.record_failed_login(provisioned, "nordwind", POLICY, now=T0)
    accounts.record_successful_login(provisioned, "nordwind", now=T0)
    assert accounts.lock_state(provisioned, "nordwind", POLICY, now=T0).failed_count == 0


def test_revocation_ends_older_sessions_only(provisioned):
    before, revoked, after = T0, T0 + dt.timedelta(minutes=1), T0 + dt.timedelta(minutes=2)
    assert accounts.principal_for_session(provisioned, "nordwind", before) is not None
    accounts.revoke_sessions(provisioned, "nordwind", now=revoked)
    assert accounts.principal_for_session(provisioned, "nordwind", before) is None
    viewer = accounts.principal_for_session(provisioned, "nordwind", after)
    assert viewer is not None and viewer.role == "brand" and viewer.brand_id is not None
    admin = accounts.principal_for_session(provisioned, "admin", after)
    assert admin.is_admin and admin.brand_id is None
    assert accounts.principal_for_session(provisioned, "nobody", after) is None


def test_disabled_account_has_no_session_and_no_credentials(provisioned):
    with provisioned.begin() as conn:
        conn.execute(text("UPDATE app_user SET disabled = :t WHERE username = 'maple'"),
                     {"t": True})
    assert accounts.principal_for_session(provisioned, "maple", T0) is None
    assert "maple" not in accounts.authenticator_credentials(provisioned)["usernames"]
    assert not accounts.verify_password(provisioned, "maple", "maple-demo-2026")


def test_hash_password_rejects_short_passwords():
    with pytest.raises(Exception, match="at least 8"):
        accounts.hash_password("short")
    assert accounts.hash_password("a long enough passphrase").startswith("$2b$12$")
