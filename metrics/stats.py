"""Uncertainty of a rate over a small group: the Wilson score interval and the minimum group size
below which a rate is not compared at all.

A non-compliance rate over a brand's 8 factories in one cluster is a count (3 of 8), not a
precise figure: had two other factories been assessed, it could read 25 % or 50 %. The interval
says how far the rate could move by chance alone:

* **Wilson score interval** (Wilson 1927; recommended over the textbook "rate ± 1.96 standard
  errors", which gives impossible ranges below 0 % or above 100 % and is far too narrow near
  0 % and 100 %). For k of n and z = 1.96 (95 %)::

      centre = (k + z²/2) / (n + z²)
      half   = z / (n + z²) × √(k (n − k) / n + z²/4)
      range  = centre ± half

  e.g. 3 of 8 → 13.7 %–69.4 %; 0 of 10 → 0 %–27.8 %; 30 of 100 → 21.9 %–39.6 %.
* **Too few to compare**: below :data:`MIN_GROUP_FOR_RATE` (10) factories the 95 % range spans
  about half the scale or more (5 of 9 → 26.7 %–81.1 %), so a rate is shown as its count only
  and never compared with a benchmark.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: z for a two-sided 95 % interval
Z_95 = 1.959963984540054
#: a rate over fewer factories than this is "too few to compare"
MIN_GROUP_FOR_RATE = 10
TOO_FEW_TO_COMPARE = "too few to compare"


def wilson_interval(successes, n, z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of ``successes`` of ``n``, as percentages (0–100).

    Args:
        successes, n: counts (scalars or arrays of the same shape); ``0 ≤ successes ≤ n``.
        z: the normal quantile (default: 95 % two-sided).

    Returns:
        ``(low_pct, high_pct)`` as float arrays; NaN where ``n`` is 0 or missing.

    Raises:
        ValueError: a count is negative or ``successes`` exceeds ``n``.
    """
    k = np.asarray(pd.to_numeric(pd.Series(np.atleast_1d(successes)), errors="coerce"),
                   dtype="float64")
    total = np.asarray(pd.to_numeric(pd.Series(np.atleast_1d(n)), errors="coerce"),
                       dtype="float64")
    known = ~np.isnan(k) & ~np.isnan(total)
    if ((k[known] < 0) | (total[known] < 0) | (k[known] > total[known])).any():
        raise ValueError("counts must satisfy 0 ≤ successes ≤ n")
    with np.errstate(invalid="ignore", divide="ignore"):
        z2 = z * z
        denominator = total + z2
        centre = (k + z2 / 2.0) / denominator
        half = z / denominator * np.sqrt(k * (total - k) / total + z2 / 4.0)
        low = np.where(total > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(total > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    # exact bounds where the formula's rounding could leave 1e-17 above 0 or below 1
    low = np.where(k == 0, 0.0, low)
    high = np.where(k == total, 1.0, high)
    low = np.where(total > 0, low, np.nan)
    high = np.where(total > 0, high, np.nan)
    return 100.0 * low, 100.0 * high


def enough_to_compare(n) -> np.ndarray:
    """True where a group of ``n`` factories is large enough for its rate to be compared."""
    total = np.asarray(pd.to_numeric(pd.Series(np.atleast_1d(n)), errors="coerce"),
                       dtype="float64")
    return np.nan_to_num(total, nan=0.0) >= MIN_GROUP_FOR_RATE


def format_range(low_pct: float, high_pct: float) -> str:
    """A range of percentages as text, "14–69 %" ("—" when unknown; "42 %" when both ends
    round to the same whole number)."""
    if pd.isna(low_pct) or pd.isna(high_pct):
        return "—"
    lo, hi = round(float(low_pct)), round(float(high_pct))
    return f"{lo} %" if lo == hi else f"{lo}–{hi} %"
