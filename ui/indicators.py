"""How purchasing indicators and their benchmark read on a page: values with their unit, the
other brands' published band, and a brand's figure compared with that band."""

from __future__ import annotations

import math
from dataclasses import dataclass

from metrics.purchasing import INDICATORS, benchmark_band, format_years
from ui.formatting import fmt_number, fmt_pct

UNIT_WORDS = {"days": "days", "%": "%", "ratio": "", "CV": "", "years": "years"}
#: decimals a value of each unit is shown with
DISPLAY_DECIMALS = {"days": 0, "%": 0, "ratio": 2, "CV": 2, "years": 1}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(value: float | None, unit: str) -> str:
    """57.2 days → "57 days"; 12.4 % → "12 %"; 1.104 → "1.10"; 2.54 years → "2.5 years"."""
    if _missing(value):
        return "—"
    if unit == "years":
        return format_years(value)
    if unit == "%":
        return fmt_pct(value)
    if unit in ("ratio", "CV"):
        return fmt_number(value, 2)
    return f"{fmt_number(value, 0)} {UNIT_WORDS[unit]}".strip()


def _number(value: float, unit: str) -> str:
    return fmt_number(value, DISPLAY_DECIMALS[unit])


def band_text(lower: float | None, unit: str) -> str:
    """The published band, e.g. "55–60 days", "10–15 %", "1.05–1.10", "4.0–4.5 years"."""
    if _missing(lower):
        return "—"
    low, high = benchmark_band(lower, unit)
    words = UNIT_WORDS[unit]
    return f"{_number(low, unit)}–{_number(high, unit)} {words}".strip()


@dataclass(frozen=True)
class Comparison:
    """A brand's figure against the other brands' band, for ``st.metric``'s delta."""

    text: str | None
    colour: str  # a delta_color value
    arrow: str  # a delta_arrow value


def compare_with_band(key: str, mine: float | None, lower: float | None) -> Comparison:
    """Where the brand's figure lies relative to the band [lower, lower + width]: "3 days
    above other brands (55–60 days)", "within other brands' range (10–15 %)". Green when on
    the better side, red when on the worse side, grey for an indicator with no better
    direction; no delta when either value is missing."""
    spec = INDICATORS[key]
    if _missing(mine) or _missing(lower):
        return Comparison(None, "off", "off")
    low, high = benchmark_band(lower, spec.unit)
    band = band_text(lower, spec.unit)
    mine = round(mine, DISPLAY_DECIMALS[spec.unit])  # compare what the page shows
    if low <= mine <= high:
        return Comparison(f"within other brands' range ({band})", "gray", "off")
    above = mine > high
    gap = mine - high if above else low - mine
    unit = "points" if spec.unit == "%" else UNIT_WORDS[spec.unit]
    amount = f"{_number(gap, spec.unit)} {unit}".strip()
    text = f"{amount} {'above' if above else 'below'} other brands ({band})"
    if spec.better in ("lower", "higher"):
        good = above == (spec.better == "higher")
        colour = "green" if good else "red"
    else:
        colour = "gray"
    return Comparison(text, colour, "up" if above else "down")
