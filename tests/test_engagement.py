"""The engagement log, "What's new" and the digest (issue 16): rules, history, brand scope,
shared remediation under the disclosure minimum, paging and seen marks. Each test runs on
SQLite and PostgreSQL (``writable_engine``: the tiny demo dataset, fresh per test)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import Engine, text

from data_access import engagement as eg
from data_access import whats_new as wn
from data_access.errors import NoBrandSelected, NotFound, PermissionDenied
from data_access.scope import system_connection
from data_access.viewer import Viewer
from metrics.engagement import (
    MIN_OTHER_BRANDS,
    change_direction,
    is_overdue,
    published_followers,
    shown_status,
)
from services import digest, whats_new
from services import engagement as service

TODAY = dt.date(2026, 11, 20)
AS_OF = dt.date(2026, 11, 1)


def _brands(engine: Engine) -> list[tuple[int, str]]:
    with system_connection(engine) as conn:
        return [tuple(r) for r in conn.execute(text("SELECT id, code FROM brand ORDER BY id"))]


def _own_and_foreign(engine: Engine, brand: int) -> tuple[int, int]:
    with system_connection(engine) as conn:
        own = conn.execute(text("SELECT MIN(factory_id) FROM sourcing_relationship "
                                "WHERE brand_id = :b"), {"b": brand}).scalar_one()
        foreign = conn.execute(text(
            "SELECT MIN(id) FROM factory WHERE id NOT IN (SELECT factory_id FROM "
            "sourcing_relationship WHERE brand_id = :b)"), {"b": brand}).scalar_one()
    return own, foreign


def _shared_factory(engine: Engine, buyers: int) -> tuple[int, list[int]]:
    """A factory with at least ``buyers`` brands and an assessed non-compliant finding."""
    with system_connection(engine) as conn:
        row = conn.execute(text(
            "SELECT r.factory_id FROM sourcing_relationship r JOIN assessment a ON "
            "a.factory_id = r.factory_id JOIN finding f ON f.assessment_id = a.id AND "
            "f.non_compliant GROUP BY r.factory_id HAVING COUNT(DISTINCT r.brand_id) >= :n "
            "ORDER BY r.factory_id LIMIT 1"), {"n": buyers}).first()
        if row is None:
            return 0, []
        brands = conn.execute(text("SELECT DISTINCT brand_id FROM sourcing_relationship "
                                   "WHERE factory_id = :f ORDER BY brand_id"),
                              {"f": row[0]}).scalars().all()
    return int(row[0]), [int(b) for b in brands]


def test_metrics_overdue_and_disclosure():
    assert is_overdue("open", dt.date(2026, 11, 19), TODAY)
    assert not is_overdue("open", TODAY, TODAY)  # due today is not overdue yet
    assert not is_overdue("done", dt.date(2026, 1, 1), TODAY)
    assert not is_overdue("open", None, TODAY)
    assert shown_status("open", dt.date(2026, 1, 1), TODAY) == "Overdue"
    assert shown_status("withdrawn", dt.date(2026, 1, 1), TODAY) == "Withdrawn"
    assert [published_followers(n) for n in range(5)] == [None, None, None, 3, 4]
    assert MIN_OTHER_BRANDS == 3
    assert change_direction(5, 9) == "better" and change_direction(9, 5) == "worse"
    assert change_direction(5, None) == "first" and change_direction(5, 5) == "same"


def test_validation_messages():
    with pytest.raises(eg.EntryInvalid, match="title"):
        eg.clean_entry(eg.EntryInput("note", "   "))
    with pytest.raises(eg.EntryInvalid, match="at most 200"):
        eg.clean_entry(eg.EntryInput("note", "x" * 201))
    with pytest.raises(eg.EntryInvalid, match="at most 4000"):
        eg.clean_entry(eg.EntryInput("note", "t", "y" * 4001))
    with pytest.raises(eg.EntryInvalid, match="due date"):
        eg.clean_entry(eg.EntryInput("commitment", "t", owner="A"))
    with pytest.raises(eg.EntryInvalid, match="owns"):
        eg.clean_entry(eg.EntryInput("follow-up", "t", due_date=TODAY))
    with pytest.raises(eg.EntryInvalid, match="kind"):
        eg.clean_entry(eg.EntryInput("<script>", "t"))
    clean = eg.clean_entry(eg.EntryInput("note", " a\x00b \n c ", "line 1\r\nline 2\x07"))
    assert clean.title == "ab c" and clean.text == "line 1\nline 2"


def test_entries_history_roles_and_scope(writable_engine):
    (first, _), (second, _) = _brands(writable_engine)[:2]
    own, foreign = _own_and_foreign(writable_engine, first)
    manager = Viewer("m1", "brand_manager", first)
    viewer = Viewer("v1", "brand_viewer", first)
    other = Viewer("m2", "brand_manager", second)

    with pytest.raises(PermissionDenied):
        eg.add_entry(writable_engine, viewer, own, eg.EntryInput("note", "x"))
    with pytest.raises(NoBrandSelected):
        eg.add_entry(writable_engine, Viewer("admin", "admin", None), own,
                     eg.EntryInput("note", "x"))
    with pytest.raises(NotFound):
        eg.add_entry(writable_engine, manager, foreign, eg.EntryInput("note", "x"))
    with pytest.raises(NotFound):
        eg.add_entry(writable_engine, manager, own, eg.EntryInput("note", "x"),
                     plan_item_ids=[10**6])

    entry = eg.add_entry(writable_engine, manager, own, eg.EntryInput(
        "commitment", "Fix exits", "first text", "Ana", dt.date(2026, 11, 10)),
        now=dt.datetime(2026, 11, 1, 9))
    assert eg.edit_entry(writable_engine, manager, entry, eg.EntryInput(
        "commitment", "Fix exits", "second text", "Ana", dt.date(2026, 11, 30)),
        expected_version=1) == 2
    with pytest.raises(eg.EntryConflict):  # edited from a stale page: nothing overwritten
        eg.edit_entry(writable_engine, manager, entry, eg.EntryInput(
            "commitment", "Stale", "x", "Ana", dt.date(2026, 11, 30)), expected_version=1)
    assert eg.set_status(writable_engine, manager, entry, "done") == 3
    assert eg.set_status(writable_engine, manager, entry, "withdrawn") == 4
    with pytest.raises(eg.EntryInvalid):
        eg.set_status(writable_engine, manager, entry, "open")

    history = eg.entry_history(writable_engine, viewer, entry)  # a viewer reads
    assert list(history["change"]) == ["created", "edited", "done", "withdrawn"]
    assert list(history["text"])[:2] == ["first text", "second text"]  # kept, not overwritten
    timeline = service.timeline(writable_engine, viewer, own, TODAY)
    assert list(timeline["shown_status"]) == ["Withdrawn"]

    # another brand: no entry, no history, no edit — the same answer as a missing entry
    with pytest.raises(NotFound):
        eg.entry_history(writable_engine, other, entry)
    with pytest.raises(NotFound):
        eg.set_status(writable_engine, other, entry, "done")
    with pytest.raises(NotFound):
        eg.factory_entries(writable_engine, other, foreign if foreign != own else own)
    with system_connection(writable_engine) as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM engagement_revision WHERE entry_id = :e"),
                            {"e": entry}).scalar_one() == 4


def test_follow_up_list_and_its_files_are_neutralised(writable_engine):
    (first, _), *_ = _brands(writable_engine)
    own, _ = _own_and_foreign(writable_engine, first)
    manager = Viewer("m1", "brand_manager", first)
    eg.add_entry(writable_engine, manager, own, eg.EntryInput(
        "follow-up", "=HYPERLINK(\"http://evil\")", "+1", "@owner", dt.date(2026, 11, 1)))
    eg.add_entry(writable_engine, manager, own, eg.EntryInput(
        "commitment", "Later", owner="Bo", due_date=dt.date(2027, 1, 1)))
    frame = service.follow_up_list(writable_engine, manager, service.FollowUpFilters(), TODAY)
    assert list(frame["status"]) == ["Overdue", "Open"] and list(frame["days_overdue"]) == [19, 0]
    only = service.follow_up_list(writable_engine, manager,
                                  service.FollowUpFilters(overdue_only=True), TODAY)
    assert len(only) == 1
    soon = service.follow_up_list(writable_engine, manager,
                                  service.FollowUpFilters(due_within="30"), TODAY)
    assert list(soon["title"]) == ["=HYPERLINK(\"http://evil\")"]
    viewer = Viewer("v1", "brand_viewer", first)
    csv = service.follow_up_file(writable_engine, viewer, service.FollowUpFilters(), TODAY)
    assert b"'=HYPERLINK" in csv and b"'@owner" in csv and b"\n=HYPERLINK" not in csv
    book = openpyxl.load_workbook(io.BytesIO(service.follow_up_file(
        writable_engine, viewer, service.FollowUpFilters(), TODAY, "xlsx")))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row]
    # Excel: the text stored as a text cell, never a formula
    [cell] = [c for c in cells if str(c.value).endswith('HYPERLINK("http://evil")')]
    assert cell.data_type == "s" and not any(c.data_type == "f" for c in cells)
    with system_connection(writable_engine) as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM extract_audit WHERE extract = "
                                 "'engagement-follow-up'")).scalar_one() == 2


def test_shared_remediation_counts_other_brands_only_above_the_minimum(writable_engine):
    factory, buyers = _shared_factory(writable_engine, MIN_OTHER_BRANDS + 1)
    if not factory:
        pytest.skip("the tiny dataset has no factory with enough buyers")  # pragma: no cover
    me, *others = buyers
    me_viewer = Viewer("me", "brand_manager", me)
    option = eg.link_options(writable_engine, me_viewer, factory).iloc[0]
    finding = (int(option["assessment_id"]), int(option["question_id"]))
    question = finding[1]

    def follow(brand: int) -> None:
        eg.add_entry(writable_engine, Viewer(f"u{brand}", "brand_manager", brand), factory,
                     eg.EntryInput("note", f"brand {brand} follows"), findings=[finding])

    follow(me)  # my own entry never counts
    for n, brand in enumerate(others[:MIN_OTHER_BRANDS], start=1):
        follow(brand)
        raw = eg.other_brands_following(writable_engine, me_viewer, factory, [question])
        assert raw == {question: n}
        shown = service.shared_remediation(writable_engine, me_viewer, factory, [question])
        assert shown == ({question: n} if n >= MIN_OTHER_BRANDS else {})  # small: suppressed
    # only a count: no brand id or name anywhere in what is returned
    with system_connection(writable_engine) as conn:
        names = conn.execute(text("SELECT code, name FROM brand")).all()
    blob = repr(service.shared_remediation(writable_engine, me_viewer, factory, [question]))
    assert not any(code in blob or name in blob for code, name in names)
    # a brand that does not source from the factory gets nothing at all
    outsider = next((b for b, _ in _brands(writable_engine) if b not in buyers), None)
    if outsider is not None:
        with pytest.raises(NotFound):
            eg.other_brands_following(writable_engine, Viewer("x", "brand_viewer", outsider),
                                      factory, [question])


def test_whats_new_paging_seen_marks_and_digest(writable_engine, tmp_path):
    (first, _), *_ = _brands(writable_engine)
    own, _ = _own_and_foreign(writable_engine, first)
    viewer = Viewer("m1", "brand_manager", first)
    window = whats_new.window(AS_OF, TODAY)
    start = dt.datetime(2026, 11, 20, 9)
    assert wn.record_visit(writable_engine, viewer, AS_OF, now=start) == wn.FIRST_VISIT
    base = wn.baseline(writable_engine, viewer, recorded=True)
    assert base.first
    # reopened within the visit gap (a reload, another tab): the same visit, the same list
    soon = start + wn.VISIT_GAP / 2
    assert wn.baseline(writable_engine, viewer, recorded=False, now=soon).first
    assert wn.record_visit(writable_engine, viewer, AS_OF, now=soon).first
    eg.add_entry(writable_engine, viewer, own, eg.EntryInput(
        "commitment", "Overdue one", owner="A", due_date=TODAY - dt.timedelta(days=2)))
    eg.add_entry(writable_engine, viewer, own, eg.EntryInput(
        "commitment", "Due soon", owner="A", due_date=TODAY + dt.timedelta(days=2)))
    counts = wn.count_items(writable_engine, viewer, base, window)
    assert counts["commitment_overdue"] == 1 and counts["commitment_due"] == 1
    total = sum(counts.values())
    pages = [wn.list_items(writable_engine, viewer, base, window, limit=3, offset=o)
             for o in range(0, total + 3, 3)]
    keys = [k for p in pages for k in p["item_key"]]
    assert len(keys) == total == len(set(keys))  # every item once across pages
    assert pages[0]["kind"].iloc[0] in ("zero_tolerance", "commitment_overdue")

    # the other brand's user sees none of these commitments
    (second, _) = _brands(writable_engine)[1]
    theirs = wn.count_items(writable_engine, Viewer("m2", "brand_manager", second),
                            wn.FIRST_VISIT, window)
    assert "commitment_overdue" not in theirs and "commitment_due" not in theirs

    # the digest: the same items, in words, for the account (no mail server involved)
    with system_connection(writable_engine) as conn:
        conn.execute(text("INSERT INTO app_user (username, display_name, role, brand_id, "
                          "password_hash, disabled, provisioned_from, must_change_password) "
                          "VALUES ('m1', 'M', 'brand_manager', :b, 'x', :no, 'app', :no)"),
                     {"b": first, "no": False})
    out = tmp_path / "digest.md"
    body = digest.build_digest(writable_engine, "m1", today=TODAY, base_url="https://d.example")
    out.write_text(body)
    # measured against the last stored visit (the digest is not a visit): the assessments of
    # the first-visit list are not new since then; the commitments still are
    assert "2 changes" in body and "Overdue one" in body and "Due soon" in body
    assert "since your last visit" in body
    assert "https://d.example/factory?id=" in body
    assert "## Your commitment is overdue" in body
    with pytest.raises(NotFound):
        digest.build_digest(writable_engine, "nobody", today=TODAY)

    assert wn.mark_seen(writable_engine, viewer, [keys[0]]) == 1
    assert wn.mark_seen(writable_engine, viewer, [keys[0]]) == 0
    assert sum(wn.count_items(writable_engine, viewer, base, window).values()) == total - 1
    assert wn.mark_all_seen(writable_engine, viewer, base, window) == total - 1
    assert wn.count_items(writable_engine, viewer, base, window) == {}

    # the next visit: the previous one becomes the baseline, marks from the database
    later = wn.record_visit(writable_engine, viewer, AS_OF, now=start + 2 * wn.VISIT_GAP)
    assert not later.first and later.visited_at == start and later.assessment_mark > 0
    assert wn.baseline(writable_engine, viewer, recorded=True) == later


def test_the_digest_command_writes_a_file_for_a_demo_account(app_env, tmp_path, capsys):
    from data_access import accounts
    from data_access.settings import DEMO_USERS_FILE

    accounts.provision_users(app_env, accounts.read_users_file(DEMO_USERS_FILE))
    out = tmp_path / "nordwind.md"
    assert digest.main(["--user", "nordwind", "--out", str(out)]) == 0
    body = out.read_text(encoding="utf-8")
    assert body.startswith("# What's new for nordwind") and "first visit" in body
    assert "factory?id=" in body
    assert digest.main(["--user", "admin"]) == 2  # an administrator has no brand
    assert digest.main(["--user", "nobody", "--format", "text"]) == 2
    assert "no enabled account" in capsys.readouterr().err
