"""The engagement log and "What's new" in the app, through AppTest (issue 16).

A brand manager writes an entry on a factory profile (shown as plain text), follows a commitment
to done, sees the overdue flag on the profile and on the Follow-up page (filters in the URL); a
brand viewer sees the log without the forms; "What's new" lists new assessments after an import
of assessments, marks them as seen, and its menu entry carries the count.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from data_access import engagement as eg
from data_access.importing import import_csv
from data_access.viewer import Viewer
from tests.apphelpers import ROOT, brand_id, seeded_sign_in, texts_shown

FACTORY_PAGE = str(ROOT / "pages" / "brand" / "factory.py")
FOLLOW_UP_PAGE = str(ROOT / "pages" / "brand" / "follow_up.py")
WHATS_NEW_PAGE = str(ROOT / "pages" / "brand" / "whats_new.py")


def _supplier(engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT MIN(r.factory_id) FROM sourcing_relationship r JOIN brand b "
            "ON b.id = r.brand_id WHERE b.code = :c AND r.active"), {"c": code}).scalar_one()


def _button(at: AppTest, label: str, prefix: str = ""):
    return next(b for b in at.button if b.label == label and str(b.key).startswith(prefix))


def _profile(at: AppTest, factory_id: int) -> AppTest:
    at.query_params["id"] = str(factory_id)
    at.switch_page(FACTORY_PAGE).run()
    assert not at.exception, at.exception
    return at


def test_a_manager_writes_an_entry_and_follows_a_commitment_to_done(app_env):
    factory = _supplier(app_env, "nordwind")
    at = _profile(seeded_sign_in(app_env, "nordwind").run(), factory)
    assert any(s.value == "Engagement" for s in at.subheader)
    assert any("No entries yet" in i.value for i in at.info)

    title = "Call with HR about **overtime** <b>records</b>"
    at.selectbox(key="engagement_kind").set_value("commitment")
    at.text_input(key="engagement_title").input(title)
    at.text_area(key="engagement_text").input("Line one\n[link](http://x.example)")
    at.text_input(key="engagement_owner").input("Nadia")
    at.date_input(key="engagement_due").set_value(dt.date.today() - dt.timedelta(days=3))
    at.button(key="engagement_save").click().run()
    assert not at.exception, at.exception
    assert any("saved" in s.value for s in at.success)
    shown = texts_shown(at)
    # plain text: the Markdown/HTML characters are escaped, the text shown as typed
    assert any("\\*\\*overtime\\*\\*" in t and "\\<b\\>" in t for t in shown)
    assert any(t.value == "Line one\n[link](http://x.example)" for t in at.text)
    # overdue: open, due before today's date
    assert any("Overdue" in m.value for m in at.markdown if "overtime" in m.value)

    with app_env.connect() as conn:
        entry_id, status = conn.execute(text(
            "SELECT id, status FROM engagement_entry WHERE title = :t"), {"t": title}).one()
    assert status == "open"
    _button(at, "Mark done", "engagement_done_").click().run()
    assert not at.exception, at.exception
    with app_env.connect() as conn:
        assert conn.execute(text("SELECT status FROM engagement_entry WHERE id = :i"),
                            {"i": entry_id}).scalar_one() == "done"
        changes = conn.execute(text("SELECT change FROM engagement_revision WHERE entry_id = :i "
                                    "ORDER BY version"), {"i": entry_id}).scalars().all()
    assert changes == ["created", "done"]
    assert not any("Overdue" in m.value for m in at.markdown if "overtime" in m.value)
    assert any(e.label.startswith("History (2 versions)") for e in at.expander)
    assert any(b.label == "Reopen" for b in at.button)


def test_the_follow_up_page_filters_by_url_and_flags_overdue(app_env):
    nordwind = brand_id(app_env, "nordwind")
    factory = _supplier(app_env, "nordwind")
    manager = Viewer("nordwind", "brand_manager", nordwind)
    today = dt.date.today()
    late = eg.add_entry(app_env, manager, factory, eg.EntryInput(
        "follow-up", "Late fire-safety check", owner="Ola", due_date=today - dt.timedelta(1)))
    eg.add_entry(app_env, manager, factory, eg.EntryInput(
        "commitment", "Pay on time", owner="Nadia", due_date=today + dt.timedelta(20)))
    eg.add_entry(app_env, manager, factory, eg.EntryInput("note", "Just a note"))

    at = seeded_sign_in(app_env, "nordwind").run()
    at.switch_page(FOLLOW_UP_PAGE).run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table["title"]) == ["Late fire-safety check", "Pay on time"]  # no note
    assert list(table["status"]) == ["Overdue", "Open"]

    at.toggle(key="filter_fu_overdue").set_value(True).run()
    assert list(at.dataframe[0].value["entry_id"]) == [late]
    assert at.query_params["fu_overdue"] == ["1"] or at.query_params["fu_overdue"] == "1"

    # a shared link opens with its filters
    link = seeded_sign_in(app_env, "lena").run()
    link.query_params["fu_owner"] = "Nadia"
    link.switch_page(FOLLOW_UP_PAGE).run()
    assert not link.exception, link.exception
    assert list(link.dataframe[0].value["title"]) == ["Pay on time"]


def test_a_brand_viewer_reads_the_log_without_the_forms(app_env):
    nordwind = brand_id(app_env, "nordwind")
    factory = _supplier(app_env, "nordwind")
    eg.add_entry(app_env, Viewer("nordwind", "brand_manager", nordwind), factory,
                 eg.EntryInput("meeting", "Quarterly review"))
    at = _profile(seeded_sign_in(app_env, "lena").run(), factory)
    assert any("Quarterly review" in m.value for m in at.markdown)
    keys = {str(w.key) for w in at.button} | {str(w.key) for w in at.text_input}
    assert not any(k.startswith(("engagement_", "edit_")) for k in keys)


def assessments_file(engine, factory_id: int) -> bytes:
    """An assessments import file with a new, later cycle of a supplier: its latest
    assessment's non-compliance questions again, every one of them non-compliant (worse)."""
    with engine.connect() as conn:
        latest = conn.execute(text(
            "SELECT id, cycle, assessed_on FROM assessment WHERE factory_id = :f "
            "ORDER BY assessed_on DESC, cycle DESC LIMIT 1"), {"f": factory_id}).one()
        codes = conn.execute(text(
            "SELECT q.code FROM finding fi JOIN question q ON q.id = fi.question_id "
            "WHERE fi.assessment_id = :a AND q.kind = 'non_compliance'"),
            {"a": latest.id}).scalars().all()
    day = dt.date.fromisoformat(str(latest.assessed_on)[:10]) + dt.timedelta(days=1)
    rows = ["factory_id,assessment_date,cycle,kind,question_code,finding"]
    rows += [f"{factory_id},{day.isoformat()},{latest.cycle + 1},on-site,{c},non_compliant"
             for c in codes]
    return ("\n".join(rows) + "\n").encode()


def test_whats_new_lists_assessments_imported_since_the_last_visit(app_env):
    factory = _supplier(app_env, "nordwind")
    at = seeded_sign_in(app_env, "nordwind").run()
    at.switch_page(WHATS_NEW_PAGE).run()  # the first visit: recorded now
    assert not at.exception, at.exception
    assert at.title[0].value == "What's new"

    with app_env.begin() as conn:  # the user comes back two hours later
        conn.execute(text("UPDATE user_visit SET visited_at = :t"),
                      {"t": dt.datetime.now(dt.UTC).replace(tzinfo=None)
                       - dt.timedelta(hours=2)})
    import_csv(app_env, Viewer("admin", "admin", None), "assessments",
               assessments_file(app_env, factory), file_name="new_cycle.csv")

    at = seeded_sign_in(app_env, "nordwind").run()  # a new session: the next visit
    nav = [p.get("page_name") or p.get("title") for p in at._registered_pages.values()]
    assert any(str(t).startswith("What's new (") for t in nav), nav
    at.switch_page(WHATS_NEW_PAGE).run()
    assert not at.exception, at.exception
    shown = " ".join(texts_shown(at))
    assert "Changes since your last visit" in shown
    assert "New assessment" in shown and "worse than the previous one" in shown
    seen_buttons = [b for b in at.button if str(b.key).startswith("seen_assessment:")]
    assert len(seen_buttons) == 1, [b.key for b in at.button]
    key = str(seen_buttons[0].key).removeprefix("seen_")
    seen_buttons[0].click().run()
    assert not at.exception, at.exception
    assert not any(str(b.key) == f"seen_{key}" for b in at.button)
    with app_env.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM whats_new_seen WHERE item_key = :k"),
                            {"k": key}).scalar_one() == 1
