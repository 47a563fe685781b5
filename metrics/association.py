"""How strongly two factory-level figures move together — an association, never proof of cause.

Used by the linkage views (DOMAIN.md §3: late changes and order swings ↔ Working Time
non-compliance, below-cost prices ↔ Compensation …): one point per factory, e.g. x = the brand's
late-change share towards the factory, y = the factory's Working Time non-compliance.

What the statement says and what it holds back: ρ with its 95 % interval (:func:`rho_interval`);
words of strength only from :data:`MIN_FACTORIES_FOR_STRENGTH` factories on; whether it may be
chance only after correcting for every comparison the page offers (:func:`holm_adjust`,
:func:`compare_pairs`); the brand's share of the factories' output; and that it is not a cause
(:func:`describe_link`).

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
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reference.translation import N_, Translate, identity

#: Fewer factories than this (with both values) → no ρ: ranks of 3–4 points say nothing.
MIN_FACTORIES = 5
#: Fewer factories than this → no word of strength ("weak", "strong"…). Below 30 pairs the 95 %
#: interval of a rank correlation spans more than ±0.35 around zero (Fisher's z with Fieller's
#: variance 1.06 ÷ (n − 3)), wider than the steps between the words: "moderate" could as well
#: be "none". The interval itself is always given from :data:`MIN_FACTORIES` on.
MIN_FACTORIES_FOR_STRENGTH = 30
#: |ρ| thresholds for the words (Cohen's conventional 0.1 / 0.3 / 0.5).
NEGLIGIBLE_BELOW = 0.1
WEAK_BELOW = 0.3
MODERATE_BELOW = 0.5
SIGNIFICANCE_LEVEL = 0.05
#: the normal quantile of a two-sided 95 % interval
Z_95 = 1.959963984540054
NOT_CAUSATION = N_("This is an association, not proof that one causes the other.")


def _signed(value: float) -> str:
    """ρ and its bounds as the English text writes them: "+0.42", "-0.12"."""
    return f"{value:+.2f}"


@dataclass(frozen=True)
class Association:
    """Result of :func:`rank_correlation`.

    Attributes:
        rho: Spearman's ρ, −1…+1; NaN when it cannot be computed.
        n: factories with both values (pairs used).
        p_value: two-sided p-value (t-approximation), or None when ρ is NaN. Not corrected
            for other comparisons: see :func:`holm_adjust`.
        strength: "none", "weak", "moderate", "strong"; "" when ρ is NaN or n is below
            :data:`MIN_FACTORIES_FOR_STRENGTH`.
        direction: "positive", "negative" or "" (none / NaN).
        interpretation: one or two sentences for the page (figures stated once).
        low, high: the 95 % interval of ρ (NaN when ρ is NaN).
    """

    rho: float
    n: int
    p_value: float | None
    strength: str
    direction: str
    interpretation: str
    low: float = float("nan")
    high: float = float("nan")


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


def rho_interval(rho: float, n: int) -> tuple[float, float]:
    """95 % interval of a Spearman ρ over n pairs: Fisher's z = atanh(ρ) ± 1.96 √(1.06 ÷ (n − 3))
    (Fieller, Hartley & Pearson's variance for rank correlations), back-transformed. NaN for
    n ≤ 3 or NaN ρ."""
    if n <= 3 or math.isnan(rho):
        return float("nan"), float("nan")
    z = math.atanh(max(-0.999999, min(0.999999, rho)))
    half = Z_95 * math.sqrt(1.06 / (n - 3))
    return math.tanh(z - half), math.tanh(z + half)


def holm_adjust(p_values: list[float | None] | pd.Series) -> pd.Series:
    """Holm's step-down correction of p-values for several comparisons made at once.

    Sort the m available p-values p(1) ≤ … ≤ p(m); the adjusted p(i) is
    max over j ≤ i of min(1, (m − j + 1) · p(j)). A comparison "stands out" when its adjusted
    p is below 0.05: then the chance that *any* of the m comparisons stands out although no
    real association exists stays at most 5 %. Missing p-values (None/NaN: not computed) are
    left out of m and stay NaN.

    Returns:
        float Series in the input's order (and index, for a Series).
    """
    raw = pd.to_numeric(pd.Series(p_values, dtype="object"), errors="coerce").astype("float64")
    known = raw.dropna().sort_values(kind="stable")
    m = len(known)
    factors = m - np.arange(m)
    stepped = np.minimum(1.0, np.maximum.accumulate(known.to_numpy() * factors))
    adjusted = pd.Series(np.nan, index=raw.index)
    adjusted.loc[known.index] = stepped
    return adjusted


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
    translate: Translate = identity,
    signed: Callable[[float], str] = _signed,
) -> Association:
    """Spearman's rank correlation between two per-factory figures, with a plain reading.

    Args:
        x, y: one value per factory, same length and order (Series are aligned by position).
            Pairs where either value is missing are dropped.
        x_label, y_label: how the sentence names the two figures, e.g. "late-change share" and
            "Working Time non-compliance".
        translate: translates each sentence (the interface passes ``ui.i18n.gettext``);
            English by default.
        signed: writes ρ and its bounds ("+0.42"; the interface passes a locale-aware one).

    Returns:
        :class:`Association`. With fewer than :data:`MIN_FACTORIES` pairs, or when one figure is
        the same for every factory, ρ is NaN and the text says why. Below
        :data:`MIN_FACTORIES_FOR_STRENGTH` pairs the text gives ρ and its interval but no word
        of strength or direction. Otherwise it reads e.g. "Across 38 factories, those with
        higher late-change share tend to have higher Working Time non-compliance: a moderate
        link (rank correlation +0.42, likely between +0.12 and +0.65). This is an association,
        not proof that one causes the other." The p-value is not in the text: whether a result
        may be chance depends on how many comparisons were made (:func:`chance_sentence`).
    """
    xs = pd.to_numeric(pd.Series(np.asarray(x, dtype="object")), errors="coerce")
    ys = pd.to_numeric(pd.Series(np.asarray(y, dtype="object")), errors="coerce")
    if len(xs) != len(ys):
        raise ValueError(f"x and y differ in length ({len(xs)} vs {len(ys)})")
    both = xs.notna() & ys.notna()
    xs, ys = xs[both].astype("float64"), ys[both].astype("float64")
    n = len(xs)
    if n < MIN_FACTORIES:
        text = translate(N_("Too few factories to measure an association: {n} with both values, "
                            "at least {minimum} are needed.")).format(n=n, minimum=MIN_FACTORIES)
        return Association(float("nan"), n, None, "", "", text)
    rank_x, rank_y = xs.rank(method="average"), ys.rank(method="average")
    if rank_x.nunique() == 1 or rank_y.nunique() == 1:
        constant = x_label if rank_x.nunique() == 1 else y_label
        text = translate(N_("No association can be measured: {figure} is the same for all {n} "
                            "factories.")).format(figure=constant, n=n)
        return Association(float("nan"), n, None, "", "", text)
    rho = float(np.corrcoef(rank_x.to_numpy(), rank_y.to_numpy())[0, 1])
    rho = max(-1.0, min(1.0, rho))  # rounding can step just outside
    p_value = t_test_p_value(rho, n)
    low, high = rho_interval(rho, n)
    values = {"n": n, "rho": signed(rho), "low": signed(low), "high": signed(high),
              "x": x_label, "y": y_label}
    if n < MIN_FACTORIES_FOR_STRENGTH:
        strength, direction = "", ""
        reading = translate(N_(
            "Across {n} factories the rank correlation is {rho} (likely between {low} and "
            "{high}): with fewer than {minimum} factories that is too uncertain to say whether, "
            "or how much, {y} rises or falls with {x}.")).format(
            **values, minimum=MIN_FACTORIES_FOR_STRENGTH)
    else:
        strength = _strength(rho)
        direction = "" if strength == "none" else ("positive" if rho > 0 else "negative")
        if strength == "none":
            reading = translate(N_(
                "Across {n} factories there is little or no link between {x} and {y} (rank "
                "correlation {rho}, likely between {low} and {high}).")).format(**values)
        else:
            # one whole sentence per direction and strength: translators see each one
            readings = {
                ("higher", "weak"): N_(
                    "Across {n} factories, those with higher {x} tend to have higher {y}: a "
                    "weak link (rank correlation {rho}, likely between {low} and {high})."),
                ("higher", "moderate"): N_(
                    "Across {n} factories, those with higher {x} tend to have higher {y}: a "
                    "moderate link (rank correlation {rho}, likely between {low} and {high})."),
                ("higher", "strong"): N_(
                    "Across {n} factories, those with higher {x} tend to have higher {y}: a "
                    "strong link (rank correlation {rho}, likely between {low} and {high})."),
                ("lower", "weak"): N_(
                    "Across {n} factories, those with higher {x} tend to have lower {y}: a "
                    "weak link (rank correlation {rho}, likely between {low} and {high})."),
                ("lower", "moderate"): N_(
                    "Across {n} factories, those with higher {x} tend to have lower {y}: a "
                    "moderate link (rank correlation {rho}, likely between {low} and {high})."),
                ("lower", "strong"): N_(
                    "Across {n} factories, those with higher {x} tend to have lower {y}: a "
                    "strong link (rank correlation {rho}, likely between {low} and {high})."),
            }
            trend = "higher" if rho > 0 else "lower"
            reading = translate(readings[(trend, strength)]).format(**values)
    return Association(rho, n, p_value, strength, direction,
                       f"{reading} {translate(NOT_CAUSATION)}", low, high)


def chance_sentence(p_value: float | None, comparisons: int = 1,
                    translate: Translate = identity) -> str:
    """Whether a result may be chance, in words, for a p-value already corrected for
    ``comparisons`` comparisons (:func:`holm_adjust`). Empty for a missing p-value.
    ``translate``: as in :func:`rank_correlation`."""
    if p_value is None or math.isnan(p_value):
        return ""
    if p_value < 0.01:
        share = translate(N_("fewer than 1 %"))
    elif p_value >= 0.5:
        share = translate(N_("more than half"))
    else:
        share = translate(N_("about {pct} %")).format(pct=f"{p_value * 100:.0f}")
    unlikely = p_value < SIGNIFICANCE_LEVEL
    if comparisons > 1:
        sentence = (N_("Counting the {comparisons} comparisons offered here, a pattern at least "
                       "this clear would turn up by chance alone in {share} of cases even if "
                       "there were no real link, so it is unlikely to be chance.") if unlikely
                    else N_("Counting the {comparisons} comparisons offered here, a pattern at "
                            "least this clear would turn up by chance alone in {share} of cases "
                            "even if there were no real link, so it may well be chance."))
    else:
        sentence = (N_("A pattern at least this clear would turn up by chance alone in {share} "
                       "of cases even if there were no real link, so it is unlikely to be "
                       "chance.") if unlikely
                    else N_("A pattern at least this clear would turn up by chance alone in "
                            "{share} of cases even if there were no real link, so it may well "
                            "be chance."))
    return translate(sentence).format(comparisons=comparisons, share=share)


def compare_pairs(frame: pd.DataFrame, x_columns: dict[str, str],
                  y_columns: dict[str, str]) -> pd.DataFrame:
    """Every (x, y) pair of per-factory figures at once, with Holm-corrected p-values.

    A page that offers several comparisons (here 3 practices × 3 clusters = 9) must say how
    likely it is that one of them looks clear by chance: with nine independent comparisons and
    no real link anywhere, the chance that at least one has p < 0.05 is 1 − 0.95⁹ ≈ 37 %.
    ``p_adjusted`` (:func:`holm_adjust` over the pairs that could be computed) accounts for it.

    Args:
        frame: one row per factory.
        x_columns, y_columns: column → label (as in the sentences).

    Returns:
        One row per pair: ``x, y, rho, n, p_value, p_adjusted, low, high, strength,
        direction``.
    """
    rows = []
    for x, x_label in x_columns.items():
        for y, y_label in y_columns.items():
            result = rank_correlation(frame[x], frame[y], x_label=x_label, y_label=y_label)
            rows.append({"x": x, "y": y, "rho": result.rho, "n": result.n,
                         "p_value": result.p_value, "low": result.low, "high": result.high,
                         "strength": result.strength, "direction": result.direction})
    out = pd.DataFrame(rows, columns=["x", "y", "rho", "n", "p_value", "low", "high",
                                      "strength", "direction"])
    out.insert(5, "p_adjusted", holm_adjust(out["p_value"]).to_numpy())
    return out


def describe_link(frame: pd.DataFrame, x: str, x_label: str, y: str, y_label: str, *,
                  comparisons: pd.DataFrame | None = None,
                  capacity_share_pct: float | None = None,
                  translate: Translate = identity,
                  signed: Callable[[float], str] = _signed) -> str:
    """The one plain statement of the link between ``x`` and ``y`` shown on the page.

    It says, once each: the pattern and its size with its uncertainty
    (:func:`rank_correlation`), whether it may be chance once the other comparisons offered
    are counted (``comparisons``: :func:`compare_pairs` output including this pair), what share
    of these factories' output the brand's orders were (``capacity_share_pct``, a median: with
    a small share, conditions mostly depend on other buyers and the factory), and that an
    association is not a cause.

    ``translate`` and ``signed``: as in :func:`rank_correlation` (the interface passes
    ``ui.i18n.gettext`` and a locale-aware number format; ``x_label`` and ``y_label`` are then
    in the same language).
    """
    result = rank_correlation(frame[x], frame[y], x_label=x_label, y_label=y_label,
                              translate=translate, signed=signed)
    not_causation = translate(NOT_CAUSATION)
    parts = [result.interpretation.removesuffix(not_causation).strip()]
    if not math.isnan(result.rho):
        p_value, count = result.p_value, 1
        if comparisons is not None:
            count = int(comparisons["p_value"].notna().sum())
            row = comparisons[(comparisons["x"] == x) & (comparisons["y"] == y)]
            if not row.empty:
                p_value = float(row["p_adjusted"].iloc[0])
        parts.append(chance_sentence(p_value, count, translate))
        if capacity_share_pct is not None and not math.isnan(capacity_share_pct):
            parts.append(translate(N_(
                "Your orders were a median {share} % of these factories' annual output, so "
                "conditions there also depend on their other buyers and on the factory itself."
            )).format(share=f"{capacity_share_pct:.0f}"))
        parts.append(not_causation)
    return " ".join(p for p in parts if p)
