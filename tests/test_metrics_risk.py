"""Risk score and association measure against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from metrics.association import (
    MIN_FACTORIES,
    MIN_FACTORIES_FOR_STRENGTH,
    NOT_CAUSATION,
    chance_sentence,
    compare_pairs,
    describe_link,
    holm_adjust,
    rank_correlation,
    rho_interval,
    t_test_p_value,
)
from metrics.risk import (
    COMPONENTS,
    HIGH_RISK_MIN_SCORE,
    MEDIUM_RISK_MIN_SCORE,
    RISK_CAPS,
    RISK_INPUT_COLUMNS,
    RISK_WEIGHTS,
    RiskWeights,
    risk_components,
    risk_level,
    risk_scores,
)


def _factories() -> pd.DataFrame:
    return pd.DataFrame({
        "factory_id": [1, 2, 3, 4],
        "open_nc_core": [3, 0, np.nan, 12],
        "open_nc_other": [12, 40, np.nan, 30],
        "assessment_age_days": [578, 100, np.nan, 800],
        "country_benchmark_rate_pct": [30.0, np.nan, 20.0, 50.0],
        "late_change_share_pct": [42.0, np.nan, np.nan, 50.0],
        "below_cost_share_pct": [10.0, np.nan, np.nan, np.nan],
        "median_days_late": [-2.0, np.nan, np.nan, 12.0],
        "share_of_capacity_pct": [45.0, np.nan, np.nan, 3.0],
    })


def test_weights_sum_to_100_and_core_weighs_most():
    weights = [getattr(RISK_WEIGHTS, c) for c in COMPONENTS]
    assert sum(weights) == pytest.approx(100.0)
    assert RISK_WEIGHTS.core_nc == max(weights)
    # per open issue, a core issue weighs more than another issue
    assert RISK_WEIGHTS.core_nc / RISK_CAPS.core_nc > RISK_WEIGHTS.other_nc / RISK_CAPS.other_nc
    assert RISK_WEIGHTS.leverage <= min(RISK_WEIGHTS.core_nc, RISK_WEIGHTS.late_change)
    with pytest.raises(ValueError, match="sum to 100"):
        RiskWeights(core_nc=40.0)


def test_components_normalised_with_caps_and_missing_rules():
    comp = risk_components(_factories())
    f1, f2, f3, f4 = (comp.loc[i] for i in range(4))
    assert f1["core_nc"] == pytest.approx(0.3)  # 3 / 10
    assert f1["other_nc"] == pytest.approx(0.4)  # 12 / 30
    assert f1["assessment_age"] == pytest.approx(578 / 730)
    assert f1["country"] == pytest.approx(0.6)  # 30 / 50
    assert f1["days_late"] == 0.0  # paid early is not late
    assert f1["leverage"] == 1.0  # 45 % is above the 30 % cap
    assert f2["other_nc"] == 1.0  # 40 capped at 30
    assert f2["late_change"] == 0.0 and f2["country"] == 0.0  # missing → 0
    assert f3["assessment_age"] == 1.0  # never assessed: maximum uncertainty
    assert f3["core_nc"] == 0.0
    assert f4["core_nc"] == 1.0 and f4["days_late"] == pytest.approx(0.4)  # 12 / 30
    assert ((comp >= 0) & (comp <= 1)).all().all()


def test_risk_scores_hand_computed():
    out = risk_scores(_factories())
    # factory 1: 9 + 6 + 15×578/730 + 6 + 8.4 + 2 + 0 + 5 = 48.28
    assert out.loc[0, "risk_score"] == pytest.approx(48.3)
    assert out.loc[0, "risk_level"] == "Medium"
    # factory 2: 15 (40 other issues, capped) + 15×100/730 = 17.05
    assert out.loc[1, "risk_score"] == pytest.approx(17.1)
    assert out.loc[1, "risk_level"] == "Low"
    # factory 3: never assessed 15 + country 20/50 × 10 = 19
    assert out.loc[2, "risk_score"] == pytest.approx(19.0)
    # factory 4: 30 + 15 + 15 + 10 + 10 + 0 + 5×12/30 + 5×3/30 = 82.5
    assert out.loc[3, "risk_score"] == pytest.approx(82.5)
    assert out.loc[3, "risk_level"] == "High"
    points = out[[f"{c}_points" for c in COMPONENTS]].sum(axis=1)
    assert np.allclose(points.round(1), out["risk_score"], atol=0.051)
    # input columns and order are kept
    assert list(out.columns[: len(RISK_INPUT_COLUMNS)]) == RISK_INPUT_COLUMNS
    assert out["factory_id"].tolist() == [1, 2, 3, 4]


def test_reasons_name_top_components_and_data_gaps():
    reasons = risk_scores(_factories())["reasons"].tolist()
    assert reasons[0] == ("last assessed 19 months ago; 3 open core-labour issues; "
                          "42 % of orders changed late")
    assert reasons[1] == "40 other open issues; last assessed 3 months ago; no orders"
    assert reasons[2] == "never assessed; country non-compliance 20 %; no orders"
    assert reasons[3].startswith("12 open core-labour issues")
    assert reasons[3].endswith("; no costing")


def test_reasons_singular_and_nothing_found():
    factories = _factories().iloc[[0]].assign(
        open_nc_core=1, open_nc_other=0, assessment_age_days=0,
        country_benchmark_rate_pct=0.0, late_change_share_pct=0.0, below_cost_share_pct=0.0,
        median_days_late=1.0, share_of_capacity_pct=0.0)
    reasons = risk_scores(factories)["reasons"].iloc[0]
    assert reasons == "1 open core-labour issue; paid a median 1 day late"
    clean = factories.assign(open_nc_core=0, median_days_late=0.0)
    assert risk_scores(clean)["reasons"].iloc[0] == "no risk factor found"
    assert risk_scores(clean)["risk_score"].iloc[0] == 0.0


def test_missing_payments_only_is_named():
    factories = _factories().iloc[[0]].assign(median_days_late=np.nan)
    assert risk_scores(factories)["reasons"].iloc[0].endswith("; no paid invoices")


def test_risk_level_boundaries():
    scores = pd.Series([HIGH_RISK_MIN_SCORE, 59.9, MEDIUM_RISK_MIN_SCORE, 34.9, 0.0])
    assert risk_level(scores).tolist() == ["High", "Medium", "Medium", "Low", "Low"]


def test_custom_weights_change_the_score():
    only_core = RiskWeights(core_nc=100.0, other_nc=0.0, assessment_age=0.0, country=0.0,
                            late_change=0.0, below_cost=0.0, days_late=0.0, leverage=0.0)
    out = risk_scores(_factories(), weights=only_core)
    assert out["risk_score"].tolist() == [30.0, 0.0, 0.0, 100.0]


def test_risk_scores_empty_and_missing_column():
    empty = risk_scores(_factories().iloc[0:0])
    assert empty.empty and {"risk_score", "risk_level", "reasons"} <= set(empty.columns)
    with pytest.raises(ValueError, match="open_nc_core"):
        risk_scores(_factories().drop(columns=["open_nc_core"]))


def test_risk_scores_keeps_a_custom_index():
    factories = _factories().set_axis([10, 20, 30, 40])
    out = risk_scores(factories)
    assert out.index.tolist() == [10, 20, 30, 40]
    assert out.loc[40, "risk_level"] == "High"


# ---- association ---------------------------------------------------------------------------------


def test_rank_correlation_hand_computed():
    # ranks differ by d = 1, −1, 1, −1, 0 → ρ = 1 − 6·Σd² / (n(n²−1)) = 1 − 24/120 = 0.8
    result = rank_correlation([1, 2, 3, 4, 5], [2, 1, 4, 3, 5],
                              x_label="late-change share", y_label="overtime non-compliance")
    assert result.rho == pytest.approx(0.8)
    assert result.n == 5
    # t = 0.8 √(3 / 0.36) = 2.309, 3 df → two-sided p = 0.1041
    assert result.p_value == pytest.approx(0.1041, abs=1e-4)
    # Fisher z: atanh(0.8) = 1.0986 ± 1.96 √(1.06 / 2) = ± 1.4269 → tanh → −0.317 … 0.987
    assert result.low == pytest.approx(-0.3170, abs=1e-3)
    assert result.high == pytest.approx(0.9873, abs=1e-3)
    # five factories: no word of strength or direction, only the figure and its interval
    assert result.strength == "" and result.direction == ""
    assert result.interpretation.startswith(
        "Across 5 factories the rank correlation is +0.80 (likely between -0.32 and +0.99)")
    assert f"fewer than {MIN_FACTORIES_FOR_STRENGTH} factories" in result.interpretation
    for word in ("weak", "moderate", "strong"):
        assert word not in result.interpretation
    assert result.interpretation.endswith(NOT_CAUSATION)


def test_rank_correlation_uses_ranks_not_values_and_averages_ties():
    # a monotone but non-linear relation is a perfect rank correlation
    perfect = rank_correlation([1, 2, 3, 4, 5, 6], [1, 8, 27, 64, 125, 1000])
    assert perfect.rho == pytest.approx(1.0) and perfect.p_value == 0.0
    # ties: x ranks 1.5, 1.5, 3, 4, 5; Pearson of ranks with y ranks 1..5
    tied = rank_correlation([1, 1, 2, 3, 4], [1, 2, 3, 4, 5])
    rx, ry = np.array([1.5, 1.5, 3, 4, 5]), np.arange(1, 6)
    assert tied.rho == pytest.approx(np.corrcoef(rx, ry)[0, 1])


def _first_k_reversed(k: int, n: int = 30) -> list[int]:
    """y = x with the first k ranks reversed: Σd² = k(k² − 1)/3, so
    ρ = 1 − 2k(k² − 1) / (n(n² − 1)) (n = 30: n(n² − 1) = 26 970)."""
    return list(range(k, 0, -1)) + list(range(k + 1, n + 1))


def test_rank_correlation_words_of_strength_from_thirty_factories():
    x = list(range(1, 31))
    moderate = rank_correlation(x, _first_k_reversed(20), x_label="late changes",
                                y_label="overtime")
    assert moderate.rho == pytest.approx(1 - 15_960 / 26_970)  # 0.408
    assert moderate.strength == "moderate" and moderate.direction == "positive"
    assert "those with higher late changes tend to have higher overtime: a moderate link" \
        in moderate.interpretation
    weak = rank_correlation(x, _first_k_reversed(22))
    assert weak.rho == pytest.approx(1 - 21_252 / 26_970)  # 0.212
    assert weak.strength == "weak"
    none = rank_correlation(x, _first_k_reversed(23))
    assert none.rho == pytest.approx(1 - 24_288 / 26_970)  # 0.099
    assert none.strength == "none" and "little or no link" in none.interpretation
    negative = rank_correlation(x, x[::-1])
    assert negative.rho == pytest.approx(-1.0) and negative.direction == "negative"
    assert "tend to have lower" in negative.interpretation
    # 29 factories: the same pattern gets no word of strength
    assert rank_correlation(x[:29], _first_k_reversed(20, 29)).strength == ""


def test_holm_correction_hand_computed():
    # sorted 0.01, 0.03, 0.04, 0.5 (m = 4): 4×0.01 = 0.04; 3×0.03 = 0.09; max(0.09, 2×0.04)
    # = 0.09; max(0.09, 1×0.5) = 0.5. The missing p-value stays missing and is not counted.
    adjusted = holm_adjust([0.01, 0.04, None, 0.03, 0.5])
    assert adjusted.iloc[0] == pytest.approx(0.04)
    assert adjusted.iloc[1] == pytest.approx(0.09)
    assert math.isnan(adjusted.iloc[2])
    assert adjusted.iloc[3] == pytest.approx(0.09)
    assert adjusted.iloc[4] == pytest.approx(0.5)
    assert holm_adjust([0.4, 0.5]).tolist() == [0.8, 0.8]  # capped by the running maximum
    assert holm_adjust([0.9, 0.8]).tolist() == [1.0, 1.0]  # and at 1


def test_one_plain_statement_with_the_correction_and_the_share():
    x = list(range(1, 31))
    # wt: a strong link with x (ρ = 1 − 2·16·255 / 26 970 = 0.697); comp, lead: scrambled
    frame = pd.DataFrame({"late": x, "wt": _first_k_reversed(16),
                          "comp": [(i * 7) % 31 for i in x], "lead": [(i * 11) % 31 for i in x]})
    pairs = compare_pairs(frame, {"late": "late changes", "lead": "lead time"},
                          {"wt": "overtime", "comp": "wage issues"})
    assert len(pairs) == 4
    assert list(pairs["p_adjusted"]) == pytest.approx(list(holm_adjust(pairs["p_value"])))
    by_pair = pairs.set_index(["x", "y"])
    text = describe_link(frame, "late", "late changes", "wt", "overtime", comparisons=pairs,
                         capacity_share_pct=4.2)
    assert text.count("rank correlation") == 1 and text.count("+0.70") == 1  # stated once
    assert "a strong link" in text
    assert "Counting the 4 comparisons offered here" in text
    assert by_pair.loc[("late", "wt"), "p_adjusted"] < 0.05 and "unlikely to be chance" in text
    assert "a median 4 % of these factories' annual output" in text
    assert text.endswith(NOT_CAUSATION) and text.count(NOT_CAUSATION) == 1
    assert "p =" not in text and "ρ" not in text  # plain words, no symbols
    # a pair with no link: corrected p near 1, said in words
    flat = describe_link(frame, "late", "late changes", "comp", "wage issues",
                         comparisons=pairs)
    assert by_pair.loc[("late", "comp"), "p_adjusted"] > 0.5
    assert "little or no link" in flat and "may well be chance" in flat


def test_chance_sentence_words():
    assert "fewer than 1 %" in chance_sentence(0.004, 9)
    assert "about 12 %" in chance_sentence(0.12, 9) and "may well be chance" in \
        chance_sentence(0.12, 9)
    assert "more than half" in chance_sentence(0.7, 9)
    assert chance_sentence(0.01).startswith("A pattern")  # a single comparison
    assert chance_sentence(None) == ""


def test_rho_interval_narrows_with_more_factories():
    low, high = rho_interval(0.0, 30)
    assert high == pytest.approx(-low) and high == pytest.approx(
        math.tanh(1.959964 * math.sqrt(1.06 / 27)), abs=1e-6)  # ±0.36: why 30 is the floor
    assert high > 0.35
    assert all(math.isnan(v) for v in rho_interval(0.5, 3))


def test_rank_correlation_too_few_factories_and_missing_pairs():
    result = rank_correlation(pd.Series([1, 2, None, 4, 5]), [1, 2, 3, np.nan, 5])
    assert result.n == 3  # pairs with a missing value are dropped
    assert math.isnan(result.rho) and result.p_value is None
    assert "Too few factories" in result.interpretation
    assert f"at least {MIN_FACTORIES}" in result.interpretation
    empty = rank_correlation([], [])
    assert empty.n == 0 and math.isnan(empty.rho)


def test_rank_correlation_constant_variable_and_length_mismatch():
    flat = rank_correlation([2, 2, 2, 2, 2], [1, 2, 3, 4, 5], x_label="share of capacity")
    assert math.isnan(flat.rho)
    assert "share of capacity is the same for all 5 factories" in flat.interpretation
    with pytest.raises(ValueError, match="length"):
        rank_correlation([1, 2, 3], [1, 2])


def test_p_value_against_known_t_table_values():
    # two-sided 5 % critical value of t with 10 df is 2.228 → ρ = t / √(t² + df)
    rho = 2.228 / math.sqrt(2.228**2 + 10)
    assert t_test_p_value(rho, 12) == pytest.approx(0.05, abs=2e-4)
    # 1 % critical value with 30 df is 2.750
    rho = 2.750 / math.sqrt(2.750**2 + 30)
    assert t_test_p_value(rho, 32) == pytest.approx(0.01, abs=1e-4)
    assert t_test_p_value(0.0, 20) == pytest.approx(1.0)
    assert math.isnan(t_test_p_value(0.5, 2))
