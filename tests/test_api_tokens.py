"""API tokens in data_access: shown once, stored as a digest, checked in constant time; who may
issue and revoke them for which brand; refused when revoked, expired, malformed or wrong;
revoked with the issuer's authority; audited in words; last use recorded at most once a
minute."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data_access import accounts, api_tokens
from data_access.errors import NotFound, PermissionDenied
from data_access.schema import ApiToken
from data_access.throttle import utcnow
from data_access.viewer import Viewer
from tests.apphelpers import brand_id

ADMIN = Viewer("admin", "admin", None)


@pytest.fixture
def db(app_env):
    accounts.provision_users(app_env, accounts.read_users_file(
        accounts.DEMO_USERS_FILE))
    return app_env


def test_a_token_is_shown_once_and_stored_as_a_digest(db):
    nordwind = brand_id(db, "nordwind")
    issued = api_tokens.issue_token(db, ADMIN, nordwind, "  BI   refresh ", days=90)
    mark, prefix, secret = issued.token.split("_", 2)
    assert mark == "scd" and prefix == issued.prefix and len(prefix) == 12
    assert len(secret) == 43  # 256 random bits, URL-safe base64
    with db.connect() as conn:
        row = conn.execute(select(ApiToken.__table__)).mappings().one()
        dumped = " ".join(str(v) for v in row.values())
    assert secret not in dumped and issued.token not in dumped
    assert row["secret_sha256"] == api_tokens.digest(issued.token)
    assert row["name"] == "BI refresh" and row["scope"] == "brand_manager"
    assert abs((row["expires_at"] - row["created_at"]) - dt.timedelta(days=90)) \
        < dt.timedelta(seconds=1)
    listed = api_tokens.list_tokens(db, ADMIN)
    assert list(listed.columns) == api_tokens.TOKEN_LIST_COLUMNS
    assert issued.token not in listed.to_string() and "sha256" not in " ".join(listed.columns)

    principal = api_tokens.authenticate(db, issued.token)
    assert principal is not None and principal.brand_id == nordwind
    assert principal.viewer == Viewer(f"api:{prefix}", "brand_manager", nordwind)


def test_every_wrong_token_gets_the_same_answer(db):
    nordwind = brand_id(db, "nordwind")
    good = api_tokens.issue_token(db, ADMIN, nordwind, "good").token
    expired = api_tokens.issue_token(db, ADMIN, nordwind, "old", days=1,
                                     now=utcnow() - dt.timedelta(days=2)).token
    revoked = api_tokens.issue_token(db, ADMIN, nordwind, "gone")
    api_tokens.revoke_token(db, ADMIN, revoked.token_id)
    wrong_secret = good[:-1] + ("A" if good[-1] != "A" else "B")
    unknown_prefix = "scd_000000000000_" + good.split("_", 2)[2]
    for presented in (None, "", "scd_", good + "x", good.upper(), wrong_secret,
                      unknown_prefix, expired, revoked.token, "Bearer " + good, good[4:]):
        assert api_tokens.authenticate(db, presented) is None, presented
    assert api_tokens.authenticate(db, good) is not None  # positive control
    # expiry is checked against now, to the second
    soon = api_tokens.issue_token(db, ADMIN, nordwind, "soon", days=1)
    assert api_tokens.authenticate(db, soon.token, now=soon.expires_at
                                   - dt.timedelta(seconds=1)) is not None
    assert api_tokens.authenticate(db, soon.token, now=soon.expires_at) is None


def test_who_may_issue_and_revoke_for_which_brand(db):
    nordwind, maple = brand_id(db, "nordwind"), brand_id(db, "maple-thread")
    manager = Viewer("nordwind", "brand_manager", nordwind)
    viewer = Viewer("lena", "brand_viewer", nordwind)
    own = api_tokens.issue_token(db, manager, nordwind, "ERP", scope="brand_viewer")
    with pytest.raises(PermissionDenied, match="own brand"):
        api_tokens.issue_token(db, manager, maple, "ERP")
    with pytest.raises(PermissionDenied, match="API tokens"):
        api_tokens.issue_token(db, viewer, nordwind, "ERP")
    with pytest.raises(PermissionDenied):
        api_tokens.list_tokens(db, viewer)
    foreign = api_tokens.issue_token(db, ADMIN, maple, "Maple BI")
    # another brand's token and one that does not exist: the same refusal
    messages = set()
    for token_id in (foreign.token_id, 10**6):
        with pytest.raises(NotFound) as refused:
            api_tokens.revoke_token(db, manager, token_id)
        messages.add(str(refused.value))
    assert messages == {api_tokens.NO_SUCH_TOKEN}
    assert api_tokens.authenticate(db, foreign.token) is not None
    assert list(api_tokens.list_tokens(db, manager)["name"]) == ["ERP"]
    assert set(api_tokens.list_tokens(db, ADMIN)["name"]) == {"ERP", "Maple BI"}
    assert api_tokens.revoke_token(db, manager, own.token_id) is True
    assert api_tokens.revoke_token(db, manager, own.token_id) is False
    for bad in ({"name": " "}, {"name": "x" * 101}, {"days": 366}, {"days": 0},
                {"scope": "admin"}):
        with pytest.raises(api_tokens.TokenError):
            api_tokens.issue_token(db, manager, nordwind, **{"name": "ok", **bad})


def test_a_token_does_not_outlive_its_issuers_authority(db):
    nordwind = brand_id(db, "nordwind")
    by_manager = api_tokens.issue_token(db, Viewer("nordwind", "brand_manager", nordwind),
                                        nordwind, "ERP").token
    by_atlas = api_tokens.issue_token(db, Viewer("atlas", "brand_manager",
                                                 brand_id(db, "atlas-outdoor")),
                                      brand_id(db, "atlas-outdoor"), "Atlas BI").token
    accounts.set_disabled(db, ADMIN, "nordwind", True)
    assert api_tokens.authenticate(db, by_manager) is None
    assert api_tokens.authenticate(db, by_atlas) is not None
    accounts.change_role(db, ADMIN, "atlas", "brand_viewer", brand_id(db, "atlas-outdoor"))
    assert api_tokens.authenticate(db, by_atlas) is None
    changes = accounts.list_account_changes(db, ADMIN)
    words = list(changes[changes["target"].str.startswith("API token")]["change"])
    assert "Revoked the API token (the account that issued it was disabled)" in words
    assert ("Revoked the API token (the role or brand of the account that issued it "
            "changed)") in words
    assert sum(w.startswith("Issued the API token for every extract") for w in words) == 2


def test_last_use_is_written_at_most_once_a_minute(db):
    issued = api_tokens.issue_token(db, ADMIN, brand_id(db, "nordwind"), "BI")
    principal = api_tokens.authenticate(db, issued.token)
    start = utcnow()
    writes = [api_tokens.touch(db, principal, now=start + dt.timedelta(seconds=s))
              for s in (0, 1, 30, 59, 61, 62)]
    assert writes == [True, False, False, False, True, False]
    with db.connect() as conn:
        last = conn.execute(select(ApiToken.last_used_at)).scalar_one()
    assert last == start + dt.timedelta(seconds=61)
