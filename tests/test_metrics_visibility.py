"""Visibility and transparency indicators against a hand-made supplier list."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from metrics.portfolio import headline_figures
from metrics.visibility import (
    GAPS,
    NOT_REPORTED,
    WORKER_BANDS,
    assessed_recently,
    assessed_share_over_time,
    coverage_by_country,
    gap_mask,
    gaps,
    has_geolocation,
    has_os_id,
    month_ends,
    newest_data_age_days,
    pledge_completeness,
    share_assessed_recently_pct,
    share_geolocated_pct,
    share_publicly_disclosed_pct,
    share_with_os_id_pct,
    suppliers_by_tier_and_type,
    suppliers_with_gap,
    women_pct,
    workers_band,
    workers_covered,
)

AS_OF = dt.date(2026, 11, 1)


def _suppliers() -> pd.DataFrame:
    """Five suppliers. Ages of the latest assessment at AS_OF: 153, 669, never, 365, 31 days."""
    return pd.DataFrame({
        "factory_id": [1, 2, 3, 4, 5],
        "name": ["Alpha", "Beta", "  ", "Delta", "Echo"],
        "os_id": ["VN2019067X1K87E", None, "  ", "BD2020123ABCDE7", None],
        "country_code": ["VN", "VN", "KH", "BD", "KH"],
        "city": ["HCMC", "Hanoi", None, "Dhaka", "Phnom Penh"],
        "address": ["1 Road", "2 Road", None, "4 Road", "5 Road"],
        "lat": [10.8, 21.0, np.nan, 23.8, 0.0],
        "lng": [106.6, 105.8, 104.9, 90.4, 0.0],  # supplier 5: the (0, 0) placeholder
        "facility_type": ["Final product assembly", "Final product assembly", "",
                          "Final product assembly", "Printing, dyeing and laundering"],
        "product_type": ["Shirts", "Jeans", "Knits", "Tees", "Fabric"],
        "parent_company": ["P Group", None, "Q", "R", ""],
        "workers": [1000, 1001, np.nan, 20000, 5000],
        "women_pct": [80.0, 60.0, 70.0, np.nan, 55.0],
        "tier": [1, 1, 2, np.nan, 2],
        "start_date": pd.to_datetime(["2020-01-01"] * 5),
        "active": [True] * 5,
        "publicly_disclosed": [True, None, False, True, True],
        "latest_assessment_id": [11, 12, np.nan, 14, 15],
        "latest_assessed_on": pd.to_datetime(["2026-06-01", "2025-01-01", None, "2025-11-01",
                                              "2026-10-01"]),
        "latest_cycle": [3, 1, np.nan, 2, 1],
        "updated_at": pd.to_datetime(["2026-10-20", "2026-03-01", None, "2026-11-15", None]),
    })


def _empty() -> pd.DataFrame:
    return _suppliers().iloc[0:0]


def test_per_supplier_tests():
    suppliers = _suppliers()
    assert has_geolocation(suppliers).tolist() == [True, True, False, True, False]
    assert has_os_id(suppliers).tolist() == [True, False, False, True, False]
    # 365 days old is still recent; never assessed is not
    assert assessed_recently(suppliers, AS_OF).tolist() == [True, False, False, True, True]


def test_shares_hand_computed():
    suppliers = _suppliers()
    assert share_geolocated_pct(suppliers) == pytest.approx(60.0)  # 1, 2, 4
    assert share_with_os_id_pct(suppliers) == pytest.approx(40.0)  # 1, 4
    assert share_assessed_recently_pct(suppliers, AS_OF) == pytest.approx(60.0)  # 1, 4, 5
    assert share_publicly_disclosed_pct(suppliers) == pytest.approx(60.0)  # unknown = not


def test_geolocation_rejects_out_of_range():
    suppliers = _suppliers()
    suppliers.loc[0, "lat"] = 95.0
    assert share_geolocated_pct(suppliers) == pytest.approx(40.0)


def test_assessed_recently_agrees_with_overview():
    suppliers = _suppliers()
    for as_of in (AS_OF, dt.date(2025, 6, 1), dt.date(2027, 1, 1)):
        assert share_assessed_recently_pct(suppliers, as_of) == pytest.approx(
            headline_figures(suppliers, as_of).assessed_recently_pct)


def test_empty_supplier_list():
    empty = _empty()
    assert math.isnan(share_geolocated_pct(empty))
    assert math.isnan(share_assessed_recently_pct(empty, AS_OF))
    assert math.isnan(pledge_completeness(empty).complete_pct)
    assert workers_covered(empty) == 0 and math.isnan(women_pct(empty))
    assert math.isnan(newest_data_age_days(empty, AS_OF))
    assert suppliers_by_tier_and_type(empty).empty
    assert coverage_by_country(empty, AS_OF).empty
    assert gaps(empty, AS_OF) == []


def test_suppliers_by_tier_and_type():
    out = suppliers_by_tier_and_type(_suppliers())
    rows = [(None if pd.isna(t) else int(t), f, n) for t, f, n in out.itertuples(index=False)]
    assert rows == [
        (1, "Final product assembly", 2),
        (2, NOT_REPORTED, 1),  # blank facility type
        (2, "Printing, dyeing and laundering", 1),
        (None, "Final product assembly", 1),  # unknown tier kept, last
    ]


@pytest.mark.parametrize(("workers", "band"), [
    (1, "<1000"), (1000, "<1000"), (1001, "1001–5000"), (5000, "1001–5000"),
    (5001, "5001–10000"), (10000, "5001–10000"), (10001, ">10000"),
    (0, None), (-5, None), (None, None), (np.nan, None),
])
def test_workers_band_edges(workers, band):
    assert workers_band(workers) == band


def test_workers_band_on_a_series_is_ordered():
    bands = workers_band(pd.Series([20000, 500, None]))
    assert list(bands.cat.categories) == list(WORKER_BANDS)
    assert bands.cat.ordered
    assert bands.iloc[0] == ">10000" and pd.isna(bands.iloc[2])


def test_workers_and_women():
    suppliers = _suppliers()
    assert workers_covered(suppliers) == 1000 + 1001 + 20000 + 5000  # missing count adds 0
    # weighted over suppliers with both figures: 1, 2 and 5
    expected = (1000 * 80 + 1001 * 60 + 5000 * 55) / (1000 + 1001 + 5000)
    assert women_pct(suppliers) == pytest.approx(expected)


def test_pledge_completeness_per_factory_and_field():
    result = pledge_completeness(_suppliers())
    per_factory = result.per_factory.set_index("factory_id")
    assert per_factory["fields_present"].tolist() == [5, 4, 2, 5, 4]
    assert per_factory["complete"].tolist() == [True, False, False, True, False]
    assert not per_factory.loc[2, "parent_company"]  # None
    assert not per_factory.loc[5, "parent_company"]  # empty string
    assert not per_factory.loc[3, "name"]  # blanks only
    per_field = result.per_field.set_index("field")["share_pct"]
    assert per_field.to_dict() == pytest.approx({
        "name": 80.0, "address": 80.0, "parent_company": 60.0, "product_type": 100.0,
        "workers_band": 80.0,
    })
    assert result.complete == 2
    assert result.complete_pct == pytest.approx(40.0)


def test_newest_data_age():
    suppliers = _suppliers()
    # newest usable date: updated 2026-10-20 (2026-11-15 is after AS_OF and ignored)
    assert newest_data_age_days(suppliers, AS_OF) == 12.0
    # without updated_at, the newest assessment (2026-10-01) counts
    assert newest_data_age_days(suppliers.drop(columns=["updated_at"]), AS_OF) == 31.0
    suppliers.loc[0, "updated_at"] = pd.Timestamp("2026-10-31 09:30")
    assert newest_data_age_days(suppliers, AS_OF) == 1.0
    no_dates = suppliers.assign(latest_assessed_on=pd.NaT, updated_at=pd.NaT)
    assert math.isnan(newest_data_age_days(no_dates, AS_OF))


def test_coverage_by_country():
    out = coverage_by_country(_suppliers(), AS_OF)
    assert list(out.columns) == ["country_code", "suppliers", "assessed_recently", "share_pct"]
    assert list(out["country_code"]) == ["KH", "VN", "BD"]  # most suppliers first, then A–Z
    rows = out.set_index("country_code")
    assert rows.loc["KH", "assessed_recently"] == 1 and rows.loc["KH", "share_pct"] == 50.0
    assert rows.loc["BD", "share_pct"] == 100.0


def _assessments() -> pd.DataFrame:
    return pd.DataFrame({
        "factory_id": [1, 1, 2, 4, 5, 9, 2],
        "assessed_on": pd.to_datetime(["2024-05-15", "2026-06-01", "2025-01-01", "2025-11-01",
                                       "2026-10-01", "2026-01-01", None]),
    })


def test_assessed_share_over_time_hand_computed():
    grid = month_ends("2025-01-15", AS_OF)
    assert len(grid) == 22  # Jan 2025 … Oct 2026; 30 Nov 2026 is after AS_OF
    out = assessed_share_over_time(_assessments(), _suppliers(), grid).set_index("month_end")
    assert (out["suppliers"] == 5).all()  # today's five suppliers; factory 9 is not one
    assert out.loc["2025-01-31", "assessed_recently"] == 2  # 1 (261 days) and 2
    assert out.loc["2025-05-31", "assessed_recently"] == 1  # 1 is now 381 days old
    assert out.loc["2025-11-30", "assessed_recently"] == 2  # 2 and 4
    assert out.loc["2026-01-31", "assessed_recently"] == 1  # 2 is 395 days old
    assert out.loc["2026-10-31", "share_pct"] == pytest.approx(60.0)  # 1, 4, 5


def test_assessed_share_over_time_ends_where_the_snapshot_is():
    # at a date after every assessment, the line equals today's snapshot share
    suppliers = _suppliers()
    last = assessed_share_over_time(_assessments(), suppliers, [dt.date(2026, 10, 31)])
    assert last["share_pct"].iloc[0] == share_assessed_recently_pct(suppliers,
                                                                    dt.date(2026, 10, 31))


def test_assessed_share_over_time_365_day_boundary_and_empty():
    suppliers = _suppliers().iloc[:1]
    assessments = pd.DataFrame({"factory_id": [1], "assessed_on": [dt.date(2025, 1, 31)]})
    out = assessed_share_over_time(assessments, suppliers, ["2026-01-01", "2026-02-01"])
    assert out["share_pct"].tolist() == [100.0, 0.0]  # 365 days: recent; 393: not
    none = assessed_share_over_time(assessments, _empty(), ["2026-01-01"])
    assert none["suppliers"].iloc[0] == 0 and math.isnan(none["share_pct"].iloc[0])
    assert assessed_share_over_time(assessments, suppliers, []).empty


def test_gaps_messages_counts_and_filters():
    found = {g["key"]: g for g in gaps(_suppliers(), AS_OF)}
    assert found["never_assessed"] == {"key": "never_assessed", "count": 1,
                                       "message": "1 supplier never assessed",
                                       "filter": {"assessment": ["never"]}}
    assert found["assessment_outdated"]["count"] == 1  # supplier 2, 669 days
    assert found["no_os_id"]["message"] == "3 suppliers without an Open Supply Hub ID"
    assert found["no_geolocation"]["count"] == 2
    assert found["not_disclosed"]["count"] == 2
    assert found["not_disclosed"]["filter"] == {"gaps": ["not_disclosed"]}
    assert found["pledge_incomplete"]["count"] == 3
    assert [g["key"] for g in gaps(_suppliers(), AS_OF)] == [g.key for g in GAPS]


def test_gaps_without_issues_are_left_out_unless_asked():
    suppliers = _suppliers().iloc[[0]]  # supplier 1 has no gap at all
    assert gaps(suppliers, AS_OF) == []
    every = gaps(suppliers, AS_OF, include_empty=True)
    assert len(every) == len(GAPS)
    assert every[0]["message"] == "0 suppliers never assessed"


def test_suppliers_with_gap_lists_the_counted_suppliers():
    suppliers = _suppliers()
    assert suppliers_with_gap(suppliers, "no_os_id", AS_OF)["factory_id"].tolist() == [2, 3, 5]
    assert gap_mask(suppliers, "pledge_incomplete", AS_OF).tolist() == [
        False, True, True, False, True]
    with pytest.raises(ValueError, match="unknown gap"):
        gap_mask(suppliers, "nope", AS_OF)


def test_gaps_do_not_depend_on_row_order_or_index():
    shuffled = _suppliers().iloc[::-1].set_axis([50, 40, 30, 20, 10])
    assert gaps(shuffled, AS_OF) == gaps(_suppliers(), AS_OF)
    assert pledge_completeness(shuffled).per_factory["factory_id"].tolist() == [5, 4, 3, 2, 1]
