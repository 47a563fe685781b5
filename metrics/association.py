"""How strongly two factory-level figures move together — an association, never proof of cause.

Used by the linkage views (DOMAIN.md §3: late changes and order swings ↔ Working Time
non-compliance, below-cost prices ↔ Compensation …): one point per factory, e.g. x = the brand's
late-change share towards the factory, y = the factory's Working Time non-compliance.

The measure is **Spearman's rank correlation ρ**: rank each variable (ties get their average
rank), then take Pearson's correlation of the ranks. It reads only the order of the values, so
one extreme factory cannot dominate it, and it catches any steadily rising or falling relation,
not just a straight line. ρ = +1: the factories rank the same on both; −1: in reverse; 0: no
monotone relation. The p-value (two-sided) uses the usual t-approximation,
t = ρ √((n − 2) / (1 − ρ²)) with n − 2 degrees of freedom, computed with ``math`` only.

Why it is not causation: a positive ρ between late changes and overtime violations fits
"late changes cause overtime", but also "busy factories get more changes and more overtime" or a
third factor (country, product, factory size) behind both. The text always says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Fewer factories than this (with both values) → no ρ: ranks of 3–4 points say nothing.
MIN_FACTORIES = 5
#: |ρ| thresholds for the words (Cohen's conventional 0.1 / 0.3 / 0.5).
NEGLIGIBLE_BELOW = 0.1
WEAK_BELOW = 0.3
MODERATE_BELOW = 0.5
SIGNIFICANCE_LEVEL = 0.05
NOT_CAUSATION = "This is an association, not proof that one causes the other."


@dataclass(frozen=True)
class Association:
    """Result of :func:`rank_correlation`.

    Attributes:
        rho: Spearman's ρ, −1…+1; NaN when it cannot be computed.
        n: factories with both values (pairs used).
        p_value: two-sided p-value (t-approximation), or None when ρ is NaN.
        strength: "none", "weak", "moderate", "strong" or "" when ρ is NaN.
        direction: "positive", "negative" or "" (none / NaN).
        interpretation: one or two sentences for the page.
    """

    rho: float
    n: int
    p_value: float | None
    strength: str
    direction: str
    interpretation: str


def _regularized_incomplete_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b) by its continued fraction (modified Lentz; Numerical Recipes §6.4)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if x > (a + 1.0) / (a + b + 2.0):  # the fraction converges fast only below this point
        return 1.0 - _regularized_incomplete_beta(1.0 - x, b, a)
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    fraction = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            fraction *= c * d
        if abs(c * d - 1.0) < eps:
            break
    return math.exp(log_front) * fraction / a


def t_test_p_value(rho: float, n: int) -> float:
    """Two-sided p-value of a correlation ρ over n pairs (t-approximation, n − 2 df).

    p = I_{df/(df+t²)}(df/2, 1/2) with t = ρ √(df / (1 − ρ²)); |ρ| = 1 → 0.
    """
    df = n - 2
    if df <= 0 or math.isnan(rho):
        return float("nan")
    if abs(rho) >= 1.0:
        return 0.0
    t_squared = rho * rho * df / (1.0 - rho * rho)
    return _regularized_incomplete_beta(df / (df + t_squared), df / 2.0, 0.5)


def _format_p(p_value: float) -> str:
    if p_value < 0.001:
        return "p < 0.001"
    return f"p = {p_value:.3f}" if p_value < 0.01 else f"p = {p_value:.2f}"


def _strength(rho: float) -> str:
    size = abs(rho)
    if size < NEGLIGIBLE_BELOW:
        return "none"
    if size < WEAK_BELOW:
        return "weak"
    if size < MODERATE_BELOW:
        return "moderate"
    return "strong"


def rank_correlation(
    x: pd.Series | list | np.ndarray,
    y: pd.Series | list | np.ndarray,
    *,
    x_label: str = "x",
    y_label: str = "y",
) -> Association:
    """Spearman's rank correlation between two per-factory figures, with a plain reading.

    Args:
        x, y: one value per factory, same length and order (Series are aligned by position).
            Pairs where either value is missing are dropped.
        x_label, y_label: how the sentence names the two figures, e.g. "late-change share" and
            "Working Time non-compliance".

    Returns:
        :class:`Association`. With fewer than :data:`MIN_FACTORIES` pairs, or when one figure is
        the same for every factory, ρ is NaN and the text says why. Otherwise the text reads e.g.
        "Moderate positive association (ρ = 0.42, n = 38 factories, p = 0.01): factories with
        higher late-change share tend to have higher Working Time non-compliance. This is an
        association, not proof that one causes the other."
    """
    xs = pd.to_numeric(pd.Series(np.asarray(x, dtype="object")), errors="coerce")
    ys = pd.to_numeric(pd.Series(np.asarray(y, dtype="object")), errors="coerce")
    if len(xs) != len(ys):
        raise ValueError(f"x and y differ in length ({len(xs)} vs {len(ys)})")
    both = xs.notna() & ys.notna()
    xs, ys = xs[both].astype("float64"), ys[both].astype("float64")
    n = len(xs)
    if n < MIN_FACTORIES:
        text = (f"Too few factories to measure an association: {n} with both values, at least "
                f"{MIN_FACTORIES} are needed.")
        return Association(float("nan"), n, None, "", "", text)
    rank_x, rank_y = xs.rank(method="average"), ys.rank(method="average")
    if rank_x.nunique() == 1 or rank_y.nunique() == 1:
        constant = x_label if rank_x.nunique() == 1 else y_label
        text = (f"No association can be measured: {constant} is the same for all {n} "
                "factories.")
        return Association(float("nan"), n, None, "", "", text)
    rho = float(np.corrcoef(rank_x.to_numpy(), rank_y.to_numpy())[0, 1])
    rho = max(-1.0, min(1.0, rho))  # rounding can step just outside
    p_value = t_test_p_value(rho, n)
    strength = _strength(rho)
    direction = "" if strength == "none" else ("positive" if rho > 0 else "negative")
    figures = f"(ρ = {rho:.2f}, n = {n} factories, {_format_p(p_value)})"
    if strength == "none":
        reading = (f"Little or no association {figures}: {y_label} does not rise or fall "
                   f"with {x_label}.")
    else:
        trend = "higher" if rho > 0 else "lower"
        reading = (f"{strength.capitalize()} {direction} association {figures}: factories with "
                   f"higher {x_label} tend to have {trend} {y_label}.")
        if p_value >= SIGNIFICANCE_LEVEL:
            reading += f" It may be chance (p ≥ {SIGNIFICANCE_LEVEL:g})."
    return Association(rho, n, p_value, strength, direction, f"{reading} {NOT_CAUSATION}")
