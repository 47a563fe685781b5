"""How purchasing indicators and their benchmark read on a page: values with their unit, the
other brands' published band, and a brand's figure compared with that band — in the session's
language (units with their plural forms: "1 day", "57 days")."""

from __future__ import annotations

import math
from dataclasses import dataclass

from metrics.purchasing import INDICATORS, benchmark_band
from ui.formatting import MISSING, fmt_number, fmt_pct
from ui.i18n import N_, _, ngettext

#: a unit's word where no count goes with it (a chart axis: "Median lead time (days)"); marked
#: here, translated where shown (``_(UNIT_WORDS[unit])``); "" for units without a word
UNIT_WORDS = {"days": N_("days"), "%": "%", "ratio": "", "CV": "", "years": N_("years")}
#: decimals a value of each unit is shown with
DISPLAY_DECIMALS = {"days": 0, "%": 0, "ratio": 2, "CV": 2, "years": 1}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _count(shown: float) -> int:
    """The number that decides a unit's plural form: the value as shown (2.5 years → plural);
    a fraction takes the plural form."""
    shown = abs(shown)
    return int(shown) if float(shown).is_integer() else 2


def unit_word(unit: str) -> str:
    """The unit's word in the session's language ("days", "días"); "" for none."""
    word = UNIT_WORDS.get(unit, "")
    return _(word) if word and word != "%" else word


def format_years(years: float | None) -> str:
    """Years with one decimal and the right noun: 1.0 → "1.0 year", 2.54 → "2.5 years" (the
    English of :func:`metrics.purchasing.format_years`, in the session's language)."""
    if _missing(years):
        return MISSING
    shown = round(float(years), 1)  # type: ignore[arg-type]
    return ngettext("{years} year", "{years} years", _count(shown)).format(
        years=fmt_number(shown, 1))


def _with_unit(text: str, shown: float, unit: str) -> str:
    """A formatted amount ``text`` (worth ``shown``) with its unit's word."""
    n = _count(shown)
    if unit == "days":
        return ngettext("{value} day", "{value} days", n).format(value=text)
    if unit == "years":
        return ngettext("{value} year", "{value} years", n).format(value=text)
    return text


def format_value(value: float | None, unit: str) -> str:
    """57.2 days → "57 days"; 12.4 % → "12 %"; 1.104 → "1.10"; 2.54 years → "2.5 years"."""
    if _missing(value):
        return MISSING
    if unit == "years":
        return format_years(value)
    if unit == "%":
        return fmt_pct(value)
    if unit in ("ratio", "CV"):
        return fmt_number(value, 2)
    return _with_unit(fmt_number(value, 0), round(float(value), 0), unit)  # type: ignore[arg-type]


def _number(value: float, unit: str) -> str:
    return fmt_number(value, DISPLAY_DECIMALS[unit])


def band_text(lower: float | None, unit: str) -> str:
    """The published band, e.g. "55–60 days", "10–15 %", "1.05–1.10", "4.0–4.5 years"."""
    if _missing(lower):
        return MISSING
    low, high = benchmark_band(lower, unit)
    numbers = f"{_number(low, unit)}–{_number(high, unit)}"
    if unit == "%":
        return f"{numbers} %"
    return _with_unit(numbers, round(high, DISPLAY_DECIMALS[unit]), unit)


@dataclass(frozen=True)
class Comparison:
    """A brand's figure against the other brands' band, for ``st.metric``'s delta."""

    text: str | None
    colour: str  # a delta_color value
    arrow: str  # a delta_arrow value


def _amount(gap: float, unit: str) -> str:
    """A difference with its unit: "3 days", "5 points" (percentage points), "0.20"."""
    text = _number(gap, unit)
    shown = round(gap, DISPLAY_DECIMALS[unit])
    if unit == "%":
        # Translators: percentage points, the difference between two percentages
        return ngettext("{value} point", "{value} points", _count(shown)).format(value=text)
    return _with_unit(text, shown, unit)


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
        return Comparison(_("within other brands' range ({band})").format(band=band), "gray",
                          "off")
    above = mine > high
    gap = mine - high if above else low - mine
    amount = _amount(gap, spec.unit)
    text = (_("{amount} above other brands ({band})") if above
            else _("{amount} below other brands ({band})")).format(amount=amount, band=band)
    if spec.better in ("lower", "higher"):
        good = above == (spec.better == "higher")
        colour = "green" if good else "red"
    else:
        colour = "gray"
    return Comparison(text, colour, "up" if above else "down")
