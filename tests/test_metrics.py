"""Metric functions against small hand-computed fixtures."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from metrics.compliance import (
    compliance_pct,
    non_compliance_rate,
    pooled_rate,
)
from metrics.countries import country_name
from metrics.portfolio import (
    ASSESSED_LONG_AGO,
    ASSESSED_RECENTLY,
    NEVER_ASSESSED,
    assessment_status,
    headline_figures,
    suppliers_by_country_status,
)

AS_OF = dt.date(2026, 11, 1)


def test_non_compliance_rate_counts_factories_not_questions():
    status = pd.DataFrame({
        "factory_id": [1, 2, 3, 1, 2, 3],
        "cluster_code": ["WT", "WT", "WT", "CL", "CL", "CL"],
        "non_compliant": [1, 1, 0, 0, 0, 1],
    })
    out = non_compliance_rate(status, ["cluster_code"]).set_index("cluster_code")
    assert out.loc["WT", "factories_assessed"] == 3
    assert out.loc["WT", "factories_non_compliant"] == 2
    assert out.loc["WT", "non_compliance_rate_pct"] == pytest.approx(200 / 3)
    assert out.loc["CL", "non_compliance_rate_pct"] == pytest.approx(100 / 3)


def test_non_compliance_rate_empty_input_gives_empty_frame():
    out = non_compliance_rate(pd.DataFrame(columns=["cluster_code", "non_compliant"]),
                              ["cluster_code"])
    assert out.empty
    assert "non_compliance_rate_pct" in out.columns


def test_pooled_rate_pools_counts_across_countries():
    counts = pd.DataFrame({
        "country_code": ["VN", "KH", "VN"],
        "cluster_code": ["OSH", "OSH", "WT"],
        "factories_assessed": [10, 30, 0],
        "factories_non_compliant": [9, 15, 0],
    })
    out = pooled_rate(counts, ["cluster_code"]).set_index("cluster_code")
    assert out.loc["OSH", "non_compliance_rate_pct"] == pytest.approx(100 * 24 / 40)
    assert math.isnan(out.loc["WT", "non_compliance_rate_pct"])  # nobody assessed


def test_compliance_pct():
    assert compliance_pct(250, 25) == pytest.approx(90.0)
    assert compliance_pct(10, 0) == 100.0
    assert math.isnan(compliance_pct(0, 0))
    with pytest.raises(ValueError):
        compliance_pct(10, 11)


def _suppliers() -> pd.DataFrame:
    return pd.DataFrame({
        "factory_id": [1, 2, 3, 4],
        "country_code": ["VN", "VN", "KH", "BD"],
        "workers": [1000, 3000, None, 500],
        "women_pct": [80.0, 60.0, 70.0, None],
        "latest_assessed_on": pd.to_datetime(["2026-06-01", "2025-01-01", None, "2025-11-01"]),
    })


def test_headline_figures_hand_computed():
    figures = headline_figures(_suppliers(), AS_OF)
    assert figures.active_suppliers == 4
    assert figures.countries == 3
    assert figures.workers == 4500  # the missing count adds nothing
    # women weighted by workers, only where both are known: (1000*80 + 3000*60) / 4000
    assert figures.women_pct == pytest.approx(65.0)
    # 2026-06-01 is recent; 2025-11-01 is exactly 365 days before AS_OF: recent too
    assert figures.assessed_recently == 2
    assert figures.assessed_recently_pct == pytest.approx(50.0)
    assert figures.never_assessed == 1


def test_headline_figures_empty_portfolio():
    empty = _suppliers().iloc[0:0]
    figures = headline_figures(empty, AS_OF)
    assert figures.active_suppliers == 0
    assert math.isnan(figures.assessed_recently_pct)


def test_assessment_status_labels_and_country_counts():
    suppliers = _suppliers()
    labels = list(assessment_status(suppliers["latest_assessed_on"], AS_OF))
    assert labels == [ASSESSED_RECENTLY, ASSESSED_LONG_AGO, NEVER_ASSESSED, ASSESSED_RECENTLY]
    counts = suppliers_by_country_status(suppliers, AS_OF)
    vn = counts[counts["country_code"] == "VN"].set_index("status")["suppliers"]
    assert vn[ASSESSED_RECENTLY] == 1 and vn[ASSESSED_LONG_AGO] == 1
    assert counts["suppliers"].sum() == 4


def test_country_name_uses_iso_list():
    assert country_name("KH") == "Cambodia"
    assert country_name("vn") == "Vietnam"  # common name, not "Viet Nam"
    assert country_name("ZZ") == "ZZ"
    assert country_name(None) == "Unknown"


def _cp_results() -> pd.DataFrame:
    # one assessment (10), factory 7: two CPs in WT, one in CL
    return pd.DataFrame({
        "assessment_id": [10, 10, 10],
        "factory_id": [7, 7, 7],
        "cluster_code": ["WT", "WT", "CL"],
        "cluster_name": ["Working Time", "Working Time", "Child Labour"],
        "cluster_order": [8, 8, 1],
        "cp_code": ["WT.1", "WT.2", "CL.1"],
        "questions_assessed": [6, 4, 5],
        "questions_non_compliant": [2, 0, 0],
        "non_compliant": [1, 0, 0],
    })


def test_cluster_results_roll_up_compliance_points():
    from metrics.compliance import cluster_results

    out = cluster_results(_cp_results()).set_index("cluster_code")
    assert list(out.index) == ["CL", "WT"]  # framework order
    assert out.loc["WT", "questions_assessed"] == 10
    assert out.loc["WT", "questions_non_compliant"] == 2
    assert out.loc["WT", "non_compliant"] == 1  # any CP non-compliant
    assert out.loc["WT", "compliance_pct"] == pytest.approx(80.0)  # 100 × (10 − 2) / 10
    assert out.loc["CL", "non_compliant"] == 0
    assert out.loc["CL", "compliance_pct"] == pytest.approx(100.0)
    assert cluster_results(_cp_results().iloc[0:0]).empty


def test_changes_between_assessments():
    from metrics.compliance import (
        CHANGE_NEW,
        CHANGE_PERSISTENT,
        CHANGE_REMEDIATED,
        changes_between,
    )

    previous = pd.DataFrame({"question_code": ["A", "B", "C", "D"],
                             "non_compliant": [True, True, False, False],
                             "question_text": ["a", "b", "c", "d"]})
    latest = pd.DataFrame({"question_code": ["A", "B", "C", "D", "E"],
                           "non_compliant": [True, False, True, False, True],
                           "question_text": ["a", "b", "c", "d", "e"]})
    out = changes_between(previous, latest).set_index("question_code")["change"].to_dict()
    assert out == {"A": CHANGE_PERSISTENT, "B": CHANGE_REMEDIATED, "C": CHANGE_NEW,
                   "E": CHANGE_NEW}  # E was not asked before: counts as compliant then
    first = changes_between(previous.iloc[0:0], latest)
    assert set(first["change"]) == {CHANGE_NEW}
    assert set(first["question_code"]) == {"A", "C", "E"}
