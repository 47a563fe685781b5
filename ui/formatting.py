"""The one place numbers, percentages, dates and counted nouns are written for people.

Every page shows figures through these functions (``ui.components`` re-exports the older
names), so one style holds everywhere: thousands separators, one date style ("1 Nov 2026"),
a missing value as "—" (never "None", "nan" or "NaT"), a value that rounds to zero as "0"
(never "−0"), and "1 supplier" / "3 suppliers".

Every formatter takes an optional ``locale``; when it is None, :func:`active_locale` decides.
It returns "en" for now; the translation work will make it read the user's language, and no
caller needs to change. No Streamlit here: the module is plain Python (and Babel).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from functools import lru_cache
from numbers import Real

import pandas as pd
from babel import Locale
from babel.dates import DateTimePattern
from babel.dates import parse_pattern as parse_date_pattern
from babel.numbers import (
    NumberPattern,
    format_compact_decimal,
    get_minus_sign_symbol,
    parse_pattern,
)

from ui.i18n import _, current_locale, ngettext

MISSING = "—"
#: the one date style of the product: day without a leading zero, abbreviated month, year
DATE_PATTERN = "d MMM y"
MONTH_PATTERN = "MMM y"
DEFAULT_LOCALE = "en"


def active_locale() -> str:
    """The locale figures are written in when a formatter is given none: the session's
    language (``ui.i18n.current_locale``; English outside a Streamlit run)."""
    return current_locale() or DEFAULT_LOCALE


def _locale(locale: str | None) -> str:
    return locale or active_locale()


def is_missing(value: object) -> bool:
    """None, NaN, NaT and pandas' NA are all "no value"."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _rounded(value: float, decimals: int) -> float:
    """``value`` rounded for display, with −0 turned into 0."""
    shown = round(float(value), decimals)
    return 0.0 if shown == 0 else shown


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


# Babel parses the locale and the pattern on every call (≈ 70 % of a call); a map of a
# thousand suppliers formats three labels each on every run. Parsed once, applied the same way
# as ``babel.numbers.format_decimal`` / ``babel.dates.format_date`` apply them.
@lru_cache(maxsize=64)
def _babel_locale(name: str) -> Locale:
    return Locale.parse(name)


@lru_cache(maxsize=16)
def _number_pattern(decimals: int) -> NumberPattern:
    return parse_pattern(_pattern(decimals))


@lru_cache(maxsize=8)
def _date_pattern(pattern: str) -> DateTimePattern:
    return parse_date_pattern(pattern)


def fmt_number(value: float | int | None, decimals: int = 0, *,
               locale: str | None = None) -> str:
    """1234.5 → "1,235" (0 decimals) or "1,234.5" (1); −0.04 → "0"; missing → "—"."""
    if is_missing(value):
        return MISSING
    return _number_pattern(decimals).apply(_rounded(value, decimals),  # type: ignore[arg-type]
                                           _babel_locale(_locale(locale)))


def fmt_int(value: float | int | None, *, locale: str | None = None) -> str:
    """1234567 → "1,234,567"; missing → "—"."""
    return fmt_number(value, 0, locale=locale)


def fmt_signed(value: float | int | None, decimals: int = 1, *,
               locale: str | None = None) -> str:
    """A difference: "+1.5", "−2.0" (a true minus sign), "0.0" when it rounds to zero."""
    if is_missing(value):
        return MISSING
    shown = _rounded(value, decimals)  # type: ignore[arg-type]
    text = fmt_number(abs(shown), decimals, locale=locale)
    if shown > 0:
        return "+" + text
    if shown < 0:
        minus = get_minus_sign_symbol(_locale(locale)).replace("-", "\u2212")
        return minus + text
    return text


def fmt_pct(value: float | None, digits: int = 0, *, locale: str | None = None) -> str:
    """42.345 → "42 %" (a value already in percent); missing → "—"."""
    if is_missing(value):
        return MISSING
    return f"{fmt_number(value, digits, locale=locale)} %"


def fmt_points(value: float | None, decimals: int = 1, *, locale: str | None = None) -> str:
    """Risk-score points: 12.25 → "12.3 points", 1 → "1.0 point"."""
    if is_missing(value):
        return MISSING
    text = fmt_number(value, decimals, locale=locale)
    shown = abs(_rounded(value, decimals))  # type: ignore[arg-type]
    count = int(shown) if shown.is_integer() else 2  # the plural form a fraction takes
    return ngettext("{points} point", "{points} points", count).format(points=text)


def fmt_compact(value: float | int | None, *, locale: str | None = None) -> str:
    """2_400_000 → "2.4M"; 12_300 → "12.3K"; 950 → "950"; missing → "—"."""
    if is_missing(value):
        return MISSING
    if abs(value) < 1000:  # type: ignore[arg-type]
        return fmt_int(value, locale=locale)
    return format_compact_decimal(value, format_type="short", fraction_digits=1,
                                  locale=_locale(locale))


def fmt_date(value: dt.date | dt.datetime | pd.Timestamp | None, *,
             locale: str | None = None) -> str:
    """1 Nov 2026 (the product's one date style); missing → "—"."""
    if is_missing(value):
        return MISSING
    if isinstance(value, pd.Timestamp):
        value = value.date()
    return _date_pattern(DATE_PATTERN).apply(value, _babel_locale(_locale(locale)))


def fmt_month(value: dt.date | pd.Timestamp | None, *, locale: str | None = None) -> str:
    """Nov 2026; missing → "—"."""
    if is_missing(value):
        return MISSING
    if isinstance(value, pd.Timestamp):
        value = value.date()
    return _date_pattern(MONTH_PATTERN).apply(value, _babel_locale(_locale(locale)))


def fmt_each(values: Iterable[object], formatter: Callable[..., str], *,
             locale: str | None = None) -> list[str]:
    """``[formatter(v, locale=…) for v in values]`` with the locale resolved once and each
    distinct value formatted once (a map labels thousands of factories on every run)."""
    chosen = _locale(locale)
    done: dict[object, str] = {}
    out = []
    for value in values:
        text = done.get(value)
        if text is None:
            text = done[value] = formatter(value, locale=chosen)
        out.append(text)
    return out


def fmt_text(value: object, missing: str = MISSING) -> str:
    """A data value as text for a table cell: None / NaN become ``missing``, numbers are
    formatted, everything else is ``str``."""
    if is_missing(value):
        return missing
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Real) and not isinstance(value, bool):
        return fmt_number(value, 0 if float(value).is_integer() else 1)
    return str(value)


def is_finite(value: object) -> bool:
    return isinstance(value, Real) and math.isfinite(float(value))
