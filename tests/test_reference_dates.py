"""The as-of dates of each kind of data, the reference date derived from them and the staleness
flags: hand-computed rules (metrics.reference) and the brand-scoped reads (data_access.as_of)
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from data_access import as_of
from data_access.importing import import_csv
from data_access.viewer import Viewer
from metrics.reference import (
    STALE_AFTER_DAYS,
    ReferenceDates,
    as_of_line,
    is_stale,
    month_end_choices,
    reference_dates,
)
from tests.conftest import DEMO_AS_OF

D = dt.date
ADMIN = Viewer("admin", "admin", None)


def viewer_for(engine, code: str) -> Viewer:
    with engine.connect() as conn:
        bid = conn.execute(text("SELECT id FROM brand WHERE code = :c"), {"c": code}).scalar_one()
    return Viewer(code, "brand", bid)


# ---- the rules -----------------------------------------------------------------------------------


def test_reference_date_is_the_newest_of_assessments_and_orders():
    ref = reference_dates(D(2026, 10, 19), D(2026, 11, 1), D(2026, 9, 13), fallback=D(2030, 1, 1))
    assert ref.figures == D(2026, 11, 1)
    assert ref.order_figures == D(2026, 11, 1)
    # orders lag: figures as of the assessments, order figures as of the orders' own date
    lagging = reference_dates(D(2026, 10, 19), D(2026, 8, 31), None, fallback=D(2030, 1, 1))
    assert lagging.figures == D(2026, 10, 19)
    assert lagging.order_figures == D(2026, 8, 31)
    # only a facility list: its date; no data at all: the caller's calendar date
    assert reference_dates(None, None, D(2026, 5, 1), fallback=D(2030, 1, 1)).figures == \
        D(2026, 5, 1)
    assert reference_dates(None, None, None, fallback=D(2030, 1, 1)).figures == D(2030, 1, 1)
    # without orders, order figures follow the page's date
    assert ReferenceDates(D(2026, 1, 1)).order_figures == D(2026, 1, 1)


def test_staleness_thresholds_per_kind():
    today = D(2026, 12, 1)
    assert STALE_AFTER_DAYS == {"assessments": 90, "orders": 45, "facility_list": 183}
    assert not is_stale("orders", today - dt.timedelta(days=45), today)
    assert is_stale("orders", today - dt.timedelta(days=46), today)
    assert not is_stale("facility_list", today - dt.timedelta(days=183), today)
    assert is_stale("facility_list", today - dt.timedelta(days=184), today)
    assert is_stale("assessments", today - dt.timedelta(days=91), today)
    assert not is_stale("assessments", None, today)


def test_as_of_line_says_each_date_and_flags_old_data():
    ref = ReferenceDates(D(2026, 11, 1), D(2026, 10, 28), D(2026, 10, 30), D(2026, 3, 3))
    text_, stale = as_of_line(ref, ("assessments", "orders", "facility_list"), D(2026, 11, 2))
    assert text_ == ("Figures as of 1 Nov 2026 · assessments to 28 Oct 2026 · your orders to "
                     "30 Oct 2026 · your facility list updated 3 Mar 2026 (more than 6 months "
                     "old)")
    assert stale
    fresh, stale = as_of_line(ref, ("orders",), D(2026, 11, 2))
    assert fresh == "Figures as of 1 Nov 2026 · your orders to 30 Oct 2026" and not stale
    chosen, _ = as_of_line(ref, ("orders",), D(2026, 11, 2), figures=D(2026, 9, 30),
                           chosen=True)
    assert chosen.startswith("Figures as of 30 Sep 2026 (the date you chose)")
    empty, stale = as_of_line(ReferenceDates(D(2026, 1, 1)),
                              ("assessments", "orders", "facility_list"), D(2026, 1, 1))
    assert "no assessments on record yet" in empty and "no orders of yours yet" in empty
    assert "no facility list of yours yet" in empty and not stale
    with pytest.raises(ValueError, match="unknown kind"):
        as_of_line(ref, ("weather",), D(2026, 1, 1))


def test_month_end_choices():
    ends = month_end_choices(D(2026, 7, 15), D(2026, 10, 31))
    # 31 Oct is the latest data itself, not an earlier choice
    assert ends == [D(2026, 9, 30), D(2026, 8, 31), D(2026, 7, 31)]
    assert len(month_end_choices(D(2018, 1, 1), D(2026, 11, 1))) == 36
    assert month_end_choices(None, D(2026, 1, 1)) == []


# ---- the reads, brand-scoped -----------------------------------------------------------------


def test_data_dates_of_a_brand(engine):
    viewer = viewer_for(engine, "maple-thread")
    dates = as_of.data_dates(engine, viewer)
    with engine.connect() as conn:
        assessed = conn.execute(text("SELECT MAX(assessed_on) FROM assessment")).scalar()
        events = conn.execute(text(
            "SELECT MAX(confirmed_on), MAX(ex_factory_on), MAX(invoiced_on), MAX(paid_on) "
            "FROM purchase_order WHERE brand_id = :b"), {"b": viewer.brand_id}).one()
        changes = conn.execute(text(
            "SELECT MAX(start_date), MAX(end_date) FROM sourcing_relationship "
            "WHERE brand_id = :b"), {"b": viewer.brand_id}).one()

    def day(v):
        return dt.date.fromisoformat(str(v)[:10])

    assert dates.assessments == day(assessed)
    assert dates.orders == max(day(v) for v in events if v is not None)
    assert dates.orders <= DEMO_AS_OF
    assert dates.facility_list == max(day(v) for v in changes if v is not None)
    assert not dates.facility_list_imported
    # an administrator without a brand: the shared assessment date only
    assert as_of.data_dates(engine, ADMIN) == as_of.DataDates(dates.assessments, None, None)
    assert as_of.order_dates_by_brand(engine)[viewer.brand_id] == dates.orders


def test_a_facility_import_moves_only_that_brands_list_date(writable_engine):
    engine = writable_engine
    with engine.connect() as conn:
        codes = conn.execute(text("SELECT code FROM brand ORDER BY id")).scalars().all()
    importer, other = viewer_for(engine, codes[0]), viewer_for(engine, codes[1])
    before_other = as_of.data_dates(engine, other)
    before_importer = as_of.data_dates(engine, importer)
    csv = b"country,name,address\nVN,Leak Test Garments,\"1 Example Road, Hanoi\"\n"
    import_csv(engine, ADMIN, "facilities", csv, brand_code=codes[0],
               file_name="importer-confidential-list.csv", today=DEMO_AS_OF)
    with engine.connect() as conn:
        finished = conn.execute(text(
            "SELECT MAX(finished_at) FROM import_run WHERE brand_id = :b"),
            {"b": importer.brand_id}).scalar()
    after = as_of.data_dates(engine, importer)
    assert after.facility_list == dt.date.fromisoformat(str(finished)[:10])
    assert after.facility_list_imported and not before_importer.facility_list_imported
    assert after.orders == before_importer.orders
    # the other brand's dates do not move
    assert as_of.data_dates(engine, other) == before_other
