"""A transparent risk score per factory, for ranking where to look first.

The score adds up eight components, each a plain fact about the factory normalised to 0–1 by a
documented cap (:data:`RISK_CAPS`), times a weight (:data:`RISK_WEIGHTS`, points out of 100):

=====================  ===========================================================  ======  =====
component              input (0 → 1.0 at the cap)                                   cap     weight
=====================  ===========================================================  ======  =====
``core_nc``            open non-compliant questions in core labour clusters          10       30
                       (Child Labour, Discrimination, Forced Labour, FoA)
``other_nc``           open non-compliant questions in the other clusters            30       15
``assessment_age``     days since the latest assessment (never assessed = 1.0)       730      15
``country``            country non-compliance rate, % (averaged over clusters)       50       10
``late_change``        % of the brand's orders changed after confirmation            50       10
``below_cost``         % of the brand's orders priced below cost                     50       10
``days_late``          median days the brand paid late (≤ 0 → 0)                    30        5
``leverage``           brand's share of the factory's capacity, %                    30        5
=====================  ===========================================================  ======  =====

risk_score = Σ weight × min(value ÷ cap, 1), 0–100, rounded to one decimal.
Levels: "High" ≥ :data:`HIGH_RISK_MIN_SCORE` (60), "Medium" ≥ :data:`MEDIUM_RISK_MIN_SCORE`
(35), else "Low".

Why these weights: core labour standards (child and forced labour, discrimination, freedom of
association) are fundamental rights, so core non-compliance has the largest weight: each open
core issue adds 3 points (up to 30), each other open issue 0.5 points (up to 15). An old or
missing assessment means the brand does not know — uncertainty is treated as risk. The brand's
own purchasing practices are in the score because research links them to Working Time,
Compensation and Contracts & HR outcomes (DOMAIN.md §3). **Leverage** (share of capacity) is not
a risk to workers by itself: it raises the brand's responsibility for, and ability to change,
what happens in the factory, so it carries a small weight to lift factories where acting is
most possible and most owed.

Missing data is explicit: never assessed → ``assessment_age`` = 1.0 (maximum uncertainty) and open
issue counts 0 (there are no findings to count); missing purchasing figures → component 0, and
``reasons`` says "no orders" (or "no costing" / "no paid invoices" when only those are missing);
missing country benchmark or capacity share → component 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd

from metrics.portfolio import RECENT_ASSESSMENT_DAYS

RISK_INPUT_COLUMNS = [
    "factory_id", "open_nc_core", "open_nc_other", "assessment_age_days",
    "country_benchmark_rate_pct", "late_change_share_pct", "below_cost_share_pct",
    "median_days_late", "share_of_capacity_pct",
]

HIGH_RISK_MIN_SCORE = 60.0
MEDIUM_RISK_MIN_SCORE = 35.0
HIGH, MEDIUM, LOW = "High", "Medium", "Low"
#: How many contributing components ``reasons`` names, largest first.
REASONS_SHOWN = 3
DAYS_PER_MONTH = 30.44


@dataclass(frozen=True)
class RiskWeights:
    """Points each component can add to the 0–100 score (they must sum to 100)."""

    core_nc: float = 30.0
    other_nc: float = 15.0
    assessment_age: float = 15.0
    country: float = 10.0
    late_change: float = 10.0
    below_cost: float = 10.0
    days_late: float = 5.0
    leverage: float = 5.0

    def __post_init__(self) -> None:
        total = sum(asdict(self).values())
        if abs(total - 100.0) > 1e-9:
            raise ValueError(f"risk weights must sum to 100, not {total}")
        if any(w < 0 for w in asdict(self).values()):
            raise ValueError("risk weights cannot be negative")


@dataclass(frozen=True)
class RiskCaps:
    """The input value at which each component reaches 1.0 (values above are capped)."""

    core_nc: float = 10.0  # open core-labour issues
    other_nc: float = 30.0  # other open issues (~250 questions; OSH alone often has many)
    assessment_age: float = 2.0 * RECENT_ASSESSMENT_DAYS  # days: 24 months
    country: float = 50.0  # % of the country's factories non-compliant, cluster average
    late_change: float = 50.0  # % of orders changed after confirmation
    below_cost: float = 50.0  # % of orders priced below cost
    days_late: float = 30.0  # median days paid after the due date
    leverage: float = 30.0  # % of the factory's annual output


RISK_WEIGHTS = RiskWeights()
RISK_CAPS = RiskCaps()
COMPONENTS = tuple(f.name for f in fields(RiskWeights))

#: component → the input column it reads.
COMPONENT_INPUTS = {
    "core_nc": "open_nc_core",
    "other_nc": "open_nc_other",
    "assessment_age": "assessment_age_days",
    "country": "country_benchmark_rate_pct",
    "late_change": "late_change_share_pct",
    "below_cost": "below_cost_share_pct",
    "days_late": "median_days_late",
    "leverage": "share_of_capacity_pct",
}


def _plural(count: float, one: str, many: str) -> str:
    return one if round(count) == 1 else many


def _describe(component: str, value: float) -> str:
    """A component's input value in words, e.g. ``"3 open core-labour issues"``."""
    if component == "core_nc":
        return f"{value:.0f} open core-labour {_plural(value, 'issue', 'issues')}"
    if component == "other_nc":
        return f"{value:.0f} other open {_plural(value, 'issue', 'issues')}"
    if component == "assessment_age":
        if np.isnan(value):
            return "never assessed"
        months = value / DAYS_PER_MONTH
        return f"last assessed {months:.0f} {_plural(months, 'month', 'months')} ago"
    if component == "country":
        return f"country non-compliance {value:.0f} %"
    if component == "late_change":
        return f"{value:.0f} % of orders changed late"
    if component == "below_cost":
        return f"{value:.0f} % of orders priced below cost"
    if component == "days_late":
        return f"paid a median {value:.0f} {_plural(value, 'day', 'days')} late"
    if component == "leverage":
        return f"brand buys {value:.0f} % of the factory's capacity"
    raise ValueError(f"unknown component {component!r}")


def risk_components(factories: pd.DataFrame, caps: RiskCaps = RISK_CAPS) -> pd.DataFrame:
    """Each component normalised to 0–1 (value ÷ cap, clipped), with the missing-data rules.

    Returns:
        One float column per :data:`COMPONENTS` name, same index as ``factories``.
    """
    missing = [c for c in RISK_INPUT_COLUMNS if c not in factories.columns]
    if missing:
        raise ValueError(f"risk input lacks column(s): {', '.join(missing)}")
    out = {}
    for component, column in COMPONENT_INPUTS.items():
        value = pd.to_numeric(factories[column], errors="coerce").astype("float64")
        # Missing → 0 (no findings / no orders / no benchmark); negative (paid early) → 0.
        out[component] = (value / getattr(caps, component)).clip(0.0, 1.0).fillna(0.0)
    never_assessed = pd.to_numeric(factories["assessment_age_days"], errors="coerce").isna()
    out["assessment_age"] = out["assessment_age"].mask(never_assessed, 1.0)
    return pd.DataFrame(out, index=factories.index)


def risk_level(score: pd.Series) -> pd.Series:
    """Level of each score: "High" ≥ :data:`HIGH_RISK_MIN_SCORE` (60), "Medium" ≥
    :data:`MEDIUM_RISK_MIN_SCORE` (35), else "Low"."""
    levels = np.where(score >= HIGH_RISK_MIN_SCORE, HIGH,
                      np.where(score >= MEDIUM_RISK_MIN_SCORE, MEDIUM, LOW))
    return pd.Series(levels, index=score.index, name="risk_level")


def _missing_notes(factories: pd.DataFrame) -> pd.Series:
    """Purchasing-data gaps worth saying, per factory: "no orders", "no costing", "no paid
    invoices" (their components are 0, which must not read as good practice)."""
    def absent(column: str) -> pd.Series:
        return pd.to_numeric(factories[column], errors="coerce").isna().to_numpy()

    no_costing = absent("below_cost_share_pct")
    no_payments = absent("median_days_late")
    no_orders = absent("late_change_share_pct") & no_costing & no_payments
    notes = np.select(
        [no_orders, no_costing & no_payments, no_costing, no_payments],
        ["no orders", "no costing; no paid invoices", "no costing", "no paid invoices"],
        default="",
    )
    return pd.Series(notes, index=factories.index, dtype="object")


def risk_scores(
    factories: pd.DataFrame,
    weights: RiskWeights = RISK_WEIGHTS,
    caps: RiskCaps = RISK_CAPS,
) -> pd.DataFrame:
    """Risk score, level and reasons per factory.

    Args:
        factories: one row per factory with :data:`RISK_INPUT_COLUMNS` (see the module docstring
            for each; ``assessment_age_days`` NaN = never assessed; purchasing columns are
            :func:`metrics.purchasing.per_factory_practices` output, NaN = no orders).
        weights: points per component (default :data:`RISK_WEIGHTS`).
        caps: value at which a component is full (default :data:`RISK_CAPS`).

    Returns:
        ``factories`` (same index and order) plus ``<component>_points`` for each component (its
        contribution; they add up to the score), ``risk_score`` (0–100, one decimal),
        ``risk_level`` and ``reasons``, e.g. "3 open core-labour issues; last assessed 19 months
        ago; 42 % of orders changed late" — the :data:`REASONS_SHOWN` largest contributions,
        then data gaps ("never assessed", "no orders").
    """
    components = risk_components(factories, caps)
    weight = pd.Series(asdict(weights))
    points = components * weight[components.columns]
    score = points.sum(axis=1).round(1)

    # Reasons are text per row; the ranking of contributions is vectorised, the wording is not.
    names = list(points.columns)
    contributions = points.to_numpy()
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :REASONS_SHOWN]
    raw = {c: pd.to_numeric(factories[COMPONENT_INPUTS[c]], errors="coerce").to_numpy(
        dtype="float64") for c in names}
    never_assessed = np.isnan(raw["assessment_age"])
    notes = _missing_notes(factories).to_numpy()
    reasons = []
    for row, top in enumerate(order):
        parts = [_describe(names[i], raw[names[i]][row]) for i in top
                 if contributions[row, i] > 0]
        if never_assessed[row] and "never assessed" not in parts:
            parts.append("never assessed")
        if notes[row]:
            parts.append(notes[row])
        reasons.append("; ".join(parts) if parts else "no risk factor found")

    out = factories.copy()
    for component in COMPONENTS:
        out[f"{component}_points"] = points[component]
    out["risk_score"] = score
    out["risk_level"] = risk_level(score)
    out["reasons"] = pd.Series(reasons, index=factories.index, dtype="object")
    return out
