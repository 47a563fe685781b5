"""Disclosure control of the country benchmarks and the uncertainty of small-group rates, on
hand-made cells (metrics/disclosure.py, metrics/stats.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.compliance import (
    COMPARE_LOWER,
    COMPARE_NO_BENCHMARK,
    COMPARE_TOO_FEW,
    COMPARE_UNCLEAR,
    portfolio_vs_benchmark,
)
from metrics.disclosure import (
    BANDED,
    MIN_OTHER_FACTORIES,
    SHOWN,
    SUPPRESSED,
    format_published,
    pool_published,
    protect_cells,
)
from metrics.stats import MIN_GROUP_FOR_RATE, enough_to_compare, format_range, wilson_interval


def _cell(n, x, n_own, x_own, country="JO", unit="CL"):
    return {"country_code": country, "cluster_code": unit, "factories_assessed": n,
            "factories_non_compliant": x, "own_assessed": n_own, "own_non_compliant": x_own}


def _protect(*cells):
    return protect_cells(pd.DataFrame(list(cells)), pd.Series({"JO": "Jordan", "VN": "Vietnam"}))


# ---- Wilson interval ---------------------------------------------------------------------------


def test_wilson_interval_hand_values():
    # 3 of 8: centre (3 + 1.92) / 11.84 = 0.4156, half 0.2787 → 13.7 %–69.4 %
    low, high = wilson_interval([3, 0, 10, 30], [8, 10, 10, 100])
    assert low[0] == pytest.approx(13.68, abs=0.01) and high[0] == pytest.approx(69.43, abs=0.01)
    assert low[1] == 0.0 and high[1] == pytest.approx(27.75, abs=0.01)  # 0 of 10
    assert low[2] == pytest.approx(72.25, abs=0.01) and high[2] == 100.0  # 10 of 10
    assert low[3] == pytest.approx(21.89, abs=0.01) and high[3] == pytest.approx(39.58, abs=0.01)


def test_wilson_interval_edge_cases():
    low, high = wilson_interval(0, 0)
    assert math.isnan(low[0]) and math.isnan(high[0])
    with pytest.raises(ValueError):
        wilson_interval(5, 4)
    assert enough_to_compare([MIN_GROUP_FOR_RATE - 1, MIN_GROUP_FOR_RATE, np.nan]).tolist() == \
        [False, True, False]
    assert format_range(13.68, 69.43) == "14–69 %"
    assert format_range(42.2, 41.9) == "42 %" and format_range(np.nan, 3) == "—"


# ---- cells -------------------------------------------------------------------------------------


def test_four_assessed_three_own_is_suppressed():
    """The issue's example: the 4th factory would be fully determined."""
    out = _protect(_cell(4, 2, 3, 1)).iloc[0]
    assert out["publication"] == SUPPRESSED
    assert math.isnan(out["rate_pct"]) and math.isnan(out["non_compliant_low"])
    assert out["note"] == "not shown: fewer than 3 other assessed factories in Jordan"
    assert "factories_non_compliant" not in out.index  # the raw count does not leave
    # two others are not enough either; three are
    assert _protect(_cell(5, 2, 3, 1)).iloc[0]["publication"] == SUPPRESSED
    assert _protect(_cell(6, 3, 3, 1)).iloc[0]["publication"] != SUPPRESSED
    assert MIN_OTHER_FACTORIES == 3


def test_extreme_counts_among_other_factories_are_banded():
    # 10 assessed, 4 own (2 non-compliant): 0 or 1 of the 6 others non-compliant → 2–3 of 10
    zero, one = _protect(_cell(10, 2, 4, 2), _cell(10, 3, 4, 2)).to_dict("records")
    for cell in (zero, one):
        assert cell["publication"] == BANDED
        assert (cell["non_compliant_low"], cell["non_compliant_high"]) == (2, 3)
        assert (cell["rate_low_pct"], cell["rate_high_pct"]) == (20.0, 30.0)
        assert cell["rate_pct"] == pytest.approx(25.0)
    assert {k: v for k, v in zero.items() if k != "note"} == \
        {k: v for k, v in one.items() if k != "note"}  # 0 and 1 look the same
    # all 6 or 5 of 6 others non-compliant: 7–8 of 10
    all_, five = _protect(_cell(10, 8, 4, 2), _cell(10, 7, 4, 2)).to_dict("records")
    assert (all_["non_compliant_low"], all_["non_compliant_high"]) == (7, 8)
    assert (five["non_compliant_low"], five["non_compliant_high"]) == (7, 8)
    # 3 of 6 others: exact
    mid = _protect(_cell(10, 5, 4, 2)).iloc[0]
    assert mid["publication"] == SHOWN and mid["rate_pct"] == 50.0 and mid["note"] == ""


def test_cells_without_own_factories_follow_the_same_rules():
    out = _protect(_cell(3, 0, 0, 0), _cell(20, 7, 0, 0))
    assert out["publication"].tolist() == [BANDED, SHOWN]
    assert out.iloc[0]["rate_high_pct"] == pytest.approx(100 / 3)


def test_inconsistent_own_counts_are_refused():
    with pytest.raises(ValueError):
        _protect(_cell(4, 1, 5, 0))
    with pytest.raises(ValueError):
        _protect(_cell(4, 1, 3, 2))


@st.composite
def _counts(draw):
    n = draw(st.integers(0, 40))
    n_own = draw(st.integers(0, n))
    x_own = draw(st.integers(0, n_own))
    x_other = draw(st.integers(0, n - n_own))
    return n, n_own, x_own, x_other


@settings(max_examples=80, deadline=None)
@given(st.lists(_counts(), min_size=1, max_size=60))
def test_no_published_cell_determines_another_factory(cases):
    """Whatever the counts, a brand that subtracts its own factories from a published cell
    is left with at least two possible results for the others, and not "all the same"."""
    cells = _protect(*[_cell(n, x_own + x_other, n_own, x_own)
                       for n, n_own, x_own, x_other in cases])
    for (n, n_own, x_own, x_other), cell in zip(cases, cells.to_dict("records"), strict=True):
        n_other = n - n_own
        if cell["publication"] == SUPPRESSED:
            assert n_other < MIN_OTHER_FACTORIES
            continue
        assert n_other >= MIN_OTHER_FACTORIES
        possible = {v for v in range(n_other + 1)
                    if cell["non_compliant_low"] <= x_own + v <= cell["non_compliant_high"]}
        assert x_other in possible
        assert possible not in ({0}, {n_other})  # nobody's status is fixed


def test_pooling_adds_only_published_cells_and_names_the_left_out():
    cells = _protect(
        _cell(4, 2, 3, 1, country="JO"),  # suppressed
        _cell(10, 3, 4, 2, country="VN"),  # banded 2–3
        _cell(20, 10, 0, 0, country="KH"),  # exact 10
    )
    pooled = pool_published(cells, ["cluster_code"]).iloc[0]
    assert pooled["factories_assessed"] == 30  # Jordan's 4 are not in it
    assert (pooled["non_compliant_low"], pooled["non_compliant_high"]) == (12, 13)
    assert pooled["publication"] == BANDED and pooled["left_out"] == ("JO",)
    only_suppressed = pool_published(cells.iloc[[0]], ["cluster_code"]).iloc[0]
    assert only_suppressed["publication"] == SUPPRESSED
    assert format_published(12.3, 12.4, SHOWN) == "12 %"
    assert format_published(20, 30, BANDED) == "20–30 %"
    assert format_published(np.nan, np.nan, SUPPRESSED, "not shown: x") == "not shown: x"


def test_portfolio_vs_benchmark_with_ranges_and_too_few():
    clusters = pd.DataFrame({"cluster_code": ["CL", "WT", "OSH"],
                             "cluster_name": ["Child", "Time", "Safety"], "sort_order": [1, 2, 3]})
    status = pd.DataFrame({
        "factory_id": list(range(12)) * 2 + list(range(5)),
        "cluster_code": ["WT"] * 12 + ["CL"] * 12 + ["OSH"] * 5,
        "non_compliant": [1] * 6 + [0] * 6 + [0] * 12 + [1] * 5,
    })
    cells = protect_cells(pd.DataFrame([
        _cell(40, 30, 12, 6, country="VN", unit="WT"),  # others 24 of 28: exact 75 %
        _cell(40, 1, 12, 0, country="VN", unit="CL"),  # others 1 of 28: band 0–1
        _cell(14, 5, 12, 5, country="VN", unit="OSH"),  # 2 others: suppressed
    ]))
    out = portfolio_vs_benchmark(status, cells, clusters).set_index("cluster_code")
    assert list(out.index) == ["CL", "WT", "OSH"]
    wt = out.loc["WT"]
    assert wt["portfolio_rate_pct"] == pytest.approx(50.0)
    # 6 of 12 → 25.4 %–74.6 %: the benchmark's 75 % lies above it
    assert wt["portfolio_high_pct"] == pytest.approx(74.6, abs=0.05)
    assert wt["benchmark_rate_pct"] == pytest.approx(75.0)
    assert wt["comparison"] == COMPARE_LOWER
    assert wt["difference_pct_points"] == pytest.approx(-25.0)
    cl = out.loc["CL"]
    assert (cl["benchmark_low_pct"], cl["benchmark_high_pct"]) == (0.0, 2.5)
    assert cl["comparison"] == COMPARE_UNCLEAR  # 0 of 12 → 0 %–24 % includes 0–2.5 %
    osh = out.loc["OSH"]
    assert osh["comparison"] == COMPARE_TOO_FEW and math.isnan(osh["difference_pct_points"])
    assert osh["benchmark_left_out"] == ("VN",)
    no_bench = portfolio_vs_benchmark(status[status["cluster_code"] == "WT"],
                                      cells.iloc[0:0], clusters).set_index("cluster_code")
    assert no_bench.loc["WT", "comparison"] == COMPARE_NO_BENCHMARK
    assert no_bench.loc["CL", "portfolio_assessed"] == 0
