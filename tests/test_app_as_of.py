"""Every brand page states the as-of date of each kind of data it uses — for the signed-in
brand only: another brand's import (its file name, its time) never shows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from data_access.importing import import_csv
from data_access.viewer import Viewer
from metrics.reference import fmt_date
from tests.apphelpers import brand_id, reference_for, sign_in, texts_shown
from tests.pagespecs import brand_pages

ADMIN = Viewer("admin", "admin", None)
TELLING_NAME = "nordwind-confidential-new-suppliers-q4.csv"


def _open(at, script: str, **params):
    at.switch_page(script)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _first_factory(engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT r.factory_id FROM sourcing_relationship r JOIN brand b ON b.id = r.brand_id "
            "WHERE b.code = :c AND r.active ORDER BY r.factory_id LIMIT 1"), {"c": code}
        ).scalar_one()


def test_every_brand_page_states_its_own_as_of_dates_and_nothing_of_another_brand(app_env):
    """Each brand page has one line with the reference date and the as-of date of each kind of
    data it uses. And the leak of issue 14: after an administrator imported a facility list
    for Nordwind, Maple's overview said "source: import of facilities from <Nordwind's file>"
    with a new "data as of" time. Now no page of Maple's shows the file name or the time of
    that import, and Maple's own dates do not move."""
    maple = Viewer("maple", "brand", brand_id(app_env, "maple-thread"))
    ref = reference_for(app_env, maple)
    csv = (b"country,name,address\n"
           b'VN,Leak Test Garments,"1 Example Road, Hanoi"\n')
    import_csv(app_env, ADMIN, "facilities", csv, brand_code="nordwind",
               file_name=TELLING_NAME, today=dt.date.today())
    with app_env.connect() as conn:
        finished = conn.execute(text(
            "SELECT MAX(finished_at) FROM import_run WHERE file_name = :f"),
            {"f": TELLING_NAME}).scalar()
    finished = dt.datetime.fromisoformat(str(finished))
    times = {f"{finished:%d %b %Y %H:%M}", f"{finished:%H:%M}", fmt_date(finished),
             f"{finished:%d %b %Y}", finished.date().isoformat()}
    assert reference_for(app_env, maple) == ref

    at = sign_in("maple", "maple-demo-2026")
    assert at.title[0].value == "Maple & Thread — overview"
    factory = _first_factory(app_env, "maple-thread")
    for spec in brand_pages():
        _open(at, spec.script, **({"id": str(factory)} if spec.stem == "factory" else {}))
        texts = texts_shown(at)
        shown = " ".join(texts)
        assert TELLING_NAME not in shown and "import of facilities" not in shown, spec.stem
        assert not any(t in shown for t in times), (spec.stem, [t for t in times if t in shown])
        lines = [t for t in texts if t.startswith("Figures as of ")]
        assert len(lines) == 1, spec.stem
        line = lines[0]
        figures = ref.order_figures if spec.stem == "purchasing" else ref.figures
        assert line.startswith(f"Figures as of {fmt_date(figures)}"), (spec.stem, line)
        assert f"assessments to {fmt_date(ref.assessments)}" in line, spec.stem
        assert f"your facility list updated {fmt_date(ref.facility_list)}" in line, spec.stem
        if spec.stem in ("purchasing", "risk", "factory", "downloads", "suppliers"):
            assert f"your orders to {fmt_date(ref.orders)}" in line, spec.stem

    # the importing brand sees its own list's new date (positive control)
    at = sign_in("nordwind", "nordwind-demo-2026")
    assert f"your facility list updated {fmt_date(finished)}" in " ".join(texts_shown(at))
