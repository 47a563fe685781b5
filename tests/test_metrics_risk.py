"""Risk levels, score and reasons, zero-tolerance states, and the association measure, against
hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from metrics import zero_tolerance
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
from metrics.portfolio import REPORTING_WINDOW_DAYS
from metrics.risk import (
    COMPONENTS,
    HIGH,
    HIGH_RISK_MIN_SCORE,
    LOW,
    MEDIUM,
    MEDIUM_RISK_MIN_SCORE,
    RISK_CAPS,
    RISK_INPUT_COLUMNS,
    RISK_WEIGHTS,
    UNKNOWN,
    ZERO_TOLERANCE,
    RiskWeights,
    rank,
    relative_practices,
    risk_components,
    risk_level,
    risk_scores,
)
from metrics.stats import Z_95


def _factories() -> pd.DataFrame:
    """Seven factories, one per situation (the comments give each one's expected level)."""
    nan = np.nan
    return pd.DataFrame({
        "factory_id": [1, 2, 3, 4, 5, 6, 7],
        "name": ["F1 high", "F2 medium", "F3 never", "F4 stale", "F5 zt open",
                 "F6 zt reported", "F7 low"],
        "open_nc_core": [3, 0, nan, 6, 0, 0, 0],
        "open_nc_other": [12, 40, nan, 30, 2, 0, 0],
        "reported_fixed_core": [1, 0, nan, 0, 0, 0, 0],
        "reported_fixed_other": [6, 0, nan, 0, 0, 0, 0],
        "assessment_age_days": [274, 100, nan, 800, 30, 60, 10],
        "zt_open": [0, 0, 0, 0, 1, 0, 0],
        "zt_reported_fixed": [0, 0, 0, 0, 0, 1, 0],
        "zt_verified_fixed": [0, 0, 0, 0, 0, 0, 1],
        "zt_open_issues": ["", "", "", "", "child workers under the minimum working age", "", ""],
        "zt_reported_issues": ["", "", "", "", "", "workers confined to the factory or dormitory",
                               ""],
        "zt_latest_found_on": [pd.NaT, pd.NaT, pd.NaT, pd.NaT, pd.Timestamp("2026-03-03"),
                               pd.Timestamp("2026-01-10"), pd.NaT],
        "late_change_excess_pct_points": [10.0, nan, nan, 30.0, nan, nan, nan],
        "late_change_share_pct": [30.0, nan, nan, 50.0, nan, nan, nan],
        "late_change_elsewhere_pct": [12.0, nan, nan, 10.0, nan, nan, nan],
        "below_cost_excess_pct_points": [nan, nan, nan, 5.0, nan, nan, nan],
        "below_cost_share_pct": [nan, nan, nan, 20.0, nan, nan, nan],
        "below_cost_elsewhere_pct": [nan, nan, nan, 11.0, nan, nan, nan],
        "practice_orders": [20, nan, nan, 40, nan, nan, nan],
        "costed_orders": [0, nan, nan, 40, nan, nan, nan],
        "share_of_capacity_pct": [45.0, nan, nan, 3.0, 0.0, nan, nan],
    })


def test_weights_sum_to_100_and_core_weighs_most():
    weights = [getattr(RISK_WEIGHTS, c) for c in COMPONENTS]
    assert sum(weights) == pytest.approx(100.0)
    assert RISK_WEIGHTS.core_nc == max(weights)
    # per open issue, a core issue weighs more than another issue
    assert RISK_WEIGHTS.core_nc / RISK_CAPS.core_nc > RISK_WEIGHTS.other_nc / RISK_CAPS.other_nc
    assert RISK_CAPS.assessment_age == REPORTING_WINDOW_DAYS
    # the near-constant components are gone
    assert "country" not in COMPONENTS and "days_late" not in COMPONENTS
    with pytest.raises(ValueError, match="sum to 100"):
        RiskWeights(core_nc=40.0)


def test_components_normalised_with_caps_and_missing_rules():
    comp = risk_components(_factories())
    f1, f2, f3, f4 = (comp.loc[i] for i in range(4))
    assert f1["core_nc"] == pytest.approx(0.7)  # (3 + ½ × 1) / 5
    assert f1["other_nc"] == pytest.approx(0.5)  # (12 + ½ × 6) / 30
    assert f1["assessment_age"] == pytest.approx(0.5)  # 274 / 548
    assert f1["late_change"] == pytest.approx(0.4)  # 10 / 25
    assert f1["below_cost"] == 0.0  # no costing → 0
    assert f1["leverage"] == 1.0  # 45 % is above the 30 % cap
    assert f2["other_nc"] == 1.0  # 40 capped at 30
    assert f3["assessment_age"] == 1.0 and f3["core_nc"] == 0.0  # never assessed
    assert f4["assessment_age"] == 1.0 and f4["late_change"] == 1.0
    assert f4["below_cost"] == pytest.approx(0.2)  # 5 / 25
    assert ((comp >= 0) & (comp <= 1)).all().all()


def test_risk_scores_and_levels_hand_computed():
    out = risk_scores(_factories())
    # F1: 24.5 + 12.5 + 5 + 4 + 0 + 10 = 56.0
    assert out.loc[0, "risk_score"] == pytest.approx(56.0)
    # F2: 25 + 10 × 100 / 548 = 26.82
    assert out.loc[1, "risk_score"] == pytest.approx(26.8)
    assert out.loc[2, "risk_score"] == pytest.approx(10.0)  # F3: only the age points
    # F4: 35 + 25 + 10 + 10 + 2 + 1 = 83, yet its assessment is too old to know
    assert out.loc[3, "risk_score"] == pytest.approx(83.0)
    assert out["risk_level"].tolist() == [HIGH, MEDIUM, UNKNOWN, UNKNOWN, ZERO_TOLERANCE,
                                          ZERO_TOLERANCE, LOW]
    points = out[[f"{c}_points" for c in COMPONENTS]].sum(axis=1)
    assert np.allclose(points.round(1), out["risk_score"], atol=0.051)
    assert set(RISK_INPUT_COLUMNS) <= set(out.columns)  # the inputs are kept beside


def test_zero_tolerance_beats_any_score_and_unknown_is_never_low():
    calm = _factories().iloc[[4]].assign(open_nc_other=0, assessment_age_days=0)
    assert risk_scores(calm)["risk_score"].iloc[0] == 0.0
    assert risk_scores(calm)["risk_level"].iloc[0] == ZERO_TOLERANCE
    nothing = _factories().iloc[[2]].assign(share_of_capacity_pct=0.0)
    assert risk_scores(nothing)["risk_level"].iloc[0] == UNKNOWN
    # exactly at the window's end is still known; a day more is not
    edge = _factories().iloc[[6]].assign(assessment_age_days=REPORTING_WINDOW_DAYS)
    assert risk_scores(edge)["risk_level"].iloc[0] == LOW
    assert risk_scores(edge.assign(assessment_age_days=REPORTING_WINDOW_DAYS + 1))[
        "risk_level"].iloc[0] == UNKNOWN


def test_level_boundaries():
    frame = pd.DataFrame({"assessment_age_days": [10.0] * 5, "zt_open": 0,
                          "zt_reported_fixed": 0})
    scores = pd.Series([HIGH_RISK_MIN_SCORE, HIGH_RISK_MIN_SCORE - 0.1, MEDIUM_RISK_MIN_SCORE,
                        MEDIUM_RISK_MIN_SCORE - 0.1, 0.0])
    assert risk_level(frame, scores).tolist() == [HIGH, MEDIUM, MEDIUM, LOW, LOW]


def test_ranking_order_levels_then_live_findings_then_score():
    ranked = rank(risk_scores(_factories()))
    assert ranked["name"].tolist() == ["F5 zt open", "F6 zt reported", "F1 high", "F4 stale",
                                       "F3 never", "F2 medium", "F7 low"]


def test_reasons_are_full_sentences_most_severe_first():
    reasons = risk_scores(_factories())["reason_list"].tolist()
    assert reasons[0] == [
        "3 open core-labour issues, and 1 more reported fixed by the factory, not yet verified "
        "by an assessment.",
        "12 open issues in wages, contracts, safety and health or working time, and 6 more "
        "reported fixed by the factory, not yet verified by an assessment.",
        "You buy about 45 % of the factory's output: more power to improve conditions here, "
        "and more responsibility for them.",
        "Last assessed 9 months ago.",
        "30 % of your orders here were changed after confirmation in the last two years, "
        "against 12 % at your other suppliers.",
        "None of your orders here has a costing, so below-cost prices cannot be checked.",
    ]
    assert reasons[2] == [
        "Never assessed: nothing is known about working conditions here until an assessment.",
        "None of your orders of the last two years is in the data, so your purchasing "
        "practices here cannot be judged.",
    ]
    assert reasons[3][0] == ("The latest assessment is 26 months old, older than the 18-month "
                             "reporting window: its findings may no longer hold.")
    assert reasons[4][0] == ("An open zero-tolerance finding (child workers under the minimum "
                             "working age), found at the assessment of 3 Mar 2026.")
    assert reasons[4][1].startswith("2 open issues in wages")
    assert "Last assessed 1 month ago." in reasons[4]
    assert reasons[5][0] == ("A zero-tolerance finding (workers confined to the factory or "
                             "dormitory) reported fixed by the factory, not yet verified by an "
                             "assessment.")
    assert reasons[6][-1] == ("1 earlier zero-tolerance finding was verified fixed at a later "
                              "assessment.")
    joined = risk_scores(_factories())["reasons"].iloc[0]
    assert joined.startswith("3 open core-labour issues") and "_" not in joined


def test_reasons_plural_and_other_beside_zero_tolerance():
    two = _factories().iloc[[4]].assign(zt_open=2, open_nc_core=1, open_nc_other=0,
                                        reported_fixed_core=2, assessment_age_days=0)
    reasons = risk_scores(two)["reason_list"].iloc[0]
    assert reasons[0] == ("2 open zero-tolerance findings (child workers under the minimum "
                          "working age), the latest found at the assessment of 3 Mar 2026.")
    assert reasons[1] == ("1 other open core-labour issue, and 2 more reported fixed by the "
                          "factory, not yet verified by an assessment.")
    clean = _factories().iloc[[6]].assign(zt_verified_fixed=0, practice_orders=12,
                                          costed_orders=12)
    assert risk_scores(clean)["reasons"].iloc[0] == "No risk factor found in the data."


def test_custom_weights_change_the_score():
    only_core = RiskWeights(core_nc=100.0, other_nc=0.0, assessment_age=0.0, late_change=0.0,
                            below_cost=0.0, leverage=0.0)
    out = risk_scores(_factories(), weights=only_core)
    assert out["risk_score"].tolist() == [70.0, 0.0, 0.0, 100.0, 0.0, 0.0, 0.0]


def test_risk_scores_empty_and_missing_column():
    empty = risk_scores(_factories().iloc[0:0])
    assert empty.empty and {"risk_score", "risk_level", "reasons"} <= set(empty.columns)
    with pytest.raises(ValueError, match="open_nc_core"):
        risk_scores(_factories().drop(columns=["open_nc_core"]))


def test_risk_scores_keeps_a_custom_index():
    factories = _factories().set_axis([10, 20, 30, 40, 50, 60, 70])
    out = risk_scores(factories)
    assert out.index.tolist() == [10, 20, 30, 40, 50, 60, 70]
    assert out.loc[10, "risk_level"] == HIGH


def _wilson_low(k: int, n: int) -> float:
    """The 95 % Wilson lower bound written out by hand, in %."""
    z = Z_95
    centre = (k + z * z / 2) / (n + z * z)
    half = z / (n + z * z) * math.sqrt(k * (n - k) / n + z * z / 4)
    return 100 * (centre - half)


def test_relative_practices_hand_computed():
    as_of = pd.Timestamp("2026-06-30")
    rows = []
    # factory 1: 10 recent orders, 6 changed late, 4 below cost (all costed)
    rows += [(1, as_of - pd.Timedelta(days=10 + i), i < 6, i < 4) for i in range(10)]
    # factory 2: 30 recent orders, 3 changed late, none costed
    rows += [(2, as_of - pd.Timedelta(days=20 + i), i < 3, np.nan) for i in range(30)]
    # out of the window (older than two years, or after the reference date): ignored
    rows += [(1, as_of - pd.Timedelta(days=800), True, True),
             (2, as_of + pd.Timedelta(days=1), True, True)]
    measures = pd.DataFrame(rows, columns=["factory_id", "confirmed_on", "changed_late",
                                           "below_cost"])
    out = relative_practices(measures, as_of).set_index("factory_id")
    f1, f2 = out.loc[1], out.loc[2]
    assert f1["practice_orders"] == 10 and f2["practice_orders"] == 30
    assert f1["late_change_share_pct"] == pytest.approx(60.0)
    assert f1["late_change_elsewhere_pct"] == pytest.approx(10.0)  # 3 of 30 at factory 2
    # Wilson lower bound of 6 of 10 = 31.27 % → 21.27 points above 10 %
    assert f1["late_change_excess_pct_points"] == pytest.approx(_wilson_low(6, 10) - 10.0)
    assert f1["late_change_excess_pct_points"] == pytest.approx(21.27, abs=0.01)
    assert f2["late_change_excess_pct_points"] == 0.0  # 10 % against 60 %: not above
    assert f1["costed_orders"] == 10 and f2["costed_orders"] == 0
    assert math.isnan(f1["below_cost_elsewhere_pct"])  # no other factory has a costing
    assert math.isnan(f1["below_cost_excess_pct_points"])
    assert math.isnan(f2["below_cost_share_pct"])


# ---- zero-tolerance states -------------------------------------------------------------------


def test_zero_tolerance_states_hand_made():
    day = pd.Timestamp
    findings = pd.DataFrame({
        "factory_id": [1, 1, 2, 3, 4],
        "assessment_id": [10, 11, 20, 30, 40],
        "assessed_on": [day("2024-01-01"), day("2025-01-01"), day("2025-06-01"),
                        day("2025-03-01"), day("2023-05-01")],
        "cycle": [1, 2, 3, 2, 1],
        "question_code": ["CL.1.01"] * 2 + ["FL.2.02", "OSH.2.01", "CL.1.01"],
        "question_text": ["q"] * 5,
        "cluster_name": ["Child Labour"] * 2 + ["Forced Labour", "Occupational Safety and Health",
                                                "Child Labour"],
        "cp_name": ["Child Labourers"] * 2 + ["Coercion", "Emergency Preparedness",
                                              "Child Labourers"],
        "plan_status": ["Completed", "In Progress", "Completed", None, "Completed"],
        # factory 1: found in 2024, found again in 2025, open since; factory 4: verified in 2024
        "verified_on": [pd.NaT, pd.NaT, pd.NaT, pd.NaT, day("2024-05-01")],
        "found_again_on": [day("2025-01-01"), pd.NaT, pd.NaT, pd.NaT, pd.NaT],
    })
    classified = zero_tolerance.classify(findings)
    states = dict(zip(classified["assessment_id"], classified["state"], strict=True))
    assert states == {10: zero_tolerance.FOUND_AGAIN, 11: zero_tolerance.OPEN,
                      20: zero_tolerance.REPORTED_FIXED, 30: zero_tolerance.OPEN,
                      40: zero_tolerance.VERIFIED_FIXED}
    assert classified["state"].iloc[0] == zero_tolerance.OPEN  # most urgent first
    summary = zero_tolerance.per_factory(classified).set_index("factory_id")
    assert summary.loc[1, ["zt_open", "zt_reported_fixed", "zt_verified_fixed"]].tolist() == \
        [1, 0, 0]
    assert summary.loc[1, "zt_open_issues"] == "Child Labourers (Child Labour)"
    assert summary.loc[1, "zt_latest_found_on"] == day("2025-01-01")
    assert summary.loc[2, "zt_reported_fixed"] == 1
    assert summary.loc[2, "zt_reported_issues"] == "Coercion (Forced Labour)"  # no plain name
    named = zero_tolerance.classify(findings, {"CL.1.01": "child workers under the minimum age"})
    assert set(named.loc[named["question_code"] == "CL.1.01", "issue"]) == \
        {"child workers under the minimum age"}
    assert set(named.loc[named["question_code"] == "OSH.2.01", "issue"]) == \
        {"Emergency Preparedness (Occupational Safety and Health)"}
    assert summary.loc[4, ["zt_open", "zt_verified_fixed"]].tolist() == [0, 1]
    assert pd.isna(summary.loc[4, "zt_latest_found_on"])


def test_found_again_after_a_verified_fix_is_open_again():
    day = pd.Timestamp
    findings = pd.DataFrame({
        "factory_id": [1, 1], "assessment_id": [1, 3],
        "assessed_on": [day("2022-01-01"), day("2024-01-01")], "cycle": [1, 3],
        "question_code": ["FL.2.03"] * 2, "question_text": ["q"] * 2,
        "cluster_name": ["Forced Labour"] * 2, "cp_name": ["Coercion"] * 2,
        "plan_status": ["Completed", None],
        # fixed at cycle 2 (2023), found again at cycle 3 (2024)
        "verified_on": [day("2023-01-01"), pd.NaT],
        "found_again_on": [day("2024-01-01"), pd.NaT],
    })
    states = zero_tolerance.classify(findings).set_index("assessment_id")["state"]
    assert states[1] == zero_tolerance.VERIFIED_FIXED and states[3] == zero_tolerance.OPEN
    assert zero_tolerance.classify(findings.iloc[0:0]).empty


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
