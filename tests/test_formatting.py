"""ui/formatting.py: the one way figures are written for people."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from ui import formatting as f


def test_active_locale_is_the_default_of_every_formatter():
    assert f.active_locale() == "en"
    assert f.fmt_int(1234567) == f.fmt_int(1234567, locale="en") == "1,234,567"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT, math.nan])
def test_missing_values_are_a_dash_never_none_or_nan(missing):
    for text in (f.fmt_int(missing), f.fmt_number(missing, 2), f.fmt_pct(missing),
                 f.fmt_compact(missing), f.fmt_date(missing), f.fmt_month(missing),
                 f.fmt_signed(missing), f.fmt_points(missing), f.fmt_text(missing)):
        assert text == "—"


@pytest.mark.parametrize("value", [-0.0, -0.04, -0.4999, 0.0])
def test_minus_zero_is_never_shown(value):
    assert f.fmt_int(value) == "0"
    assert f.fmt_pct(value) == "0 %"
    assert f.fmt_number(value / 10, 1) == "0.0"
    assert f.fmt_signed(value / 10, 1) == "0.0"


def test_numbers_percentages_and_differences():
    assert f.fmt_number(1234.56, 1) == "1,234.6"
    assert f.fmt_pct(42.345) == "42 %" and f.fmt_pct(42.345, 1) == "42.3 %"
    assert f.fmt_signed(1.46) == "+1.5" and f.fmt_signed(-2) == "\u22122.0"
    assert f.fmt_compact(950) == "950" and f.fmt_compact(2_400_000) == "2.4M"
    assert f.fmt_points(1.0) == "1.0 point" and f.fmt_points(12.25) == "12.2 points"


def test_one_date_style():
    day = dt.date(2026, 11, 1)
    assert f.fmt_date(day) == "1 Nov 2026"
    assert f.fmt_date(pd.Timestamp(day)) == "1 Nov 2026"
    assert f.fmt_date(dt.datetime(2026, 3, 9, 14, 5)) == "9 Mar 2026"
    assert f.fmt_month(day) == "Nov 2026"


def test_another_locale_is_honoured():
    assert f.fmt_int(1234567, locale="de") == "1.234.567"
    assert f.fmt_date(dt.date(2026, 3, 9), locale="fr").startswith("9 mars")


def test_components_reexports_the_same_functions():
    from ui import components

    assert components.fmt_int is f.fmt_int and components.fmt_pct is f.fmt_pct
    assert components.fmt_compact is f.fmt_compact
    assert not hasattr(f, "plural")  # counts go through ngettext: the catalogue's plural rule


def test_formatters_follow_the_sessions_language_when_given_none():
    """No locale argument: the chosen language decides (English outside a run)."""
    import datetime as dt

    from ui.formatting import fmt_date, fmt_int, fmt_pct
    from ui.i18n import use_locale

    assert fmt_int(1234567) == "1,234,567"
    with use_locale("es"):
        assert fmt_int(1234567) == "1.234.567"
        assert fmt_date(dt.date(2026, 11, 1)) != fmt_date(dt.date(2026, 11, 1), locale="en")
    with use_locale("fr"):
        assert fmt_int(1234567).replace("\u202f", " ").replace("\xa0", " ") == "1 234 567"
        assert fmt_pct(12.5, 1).startswith("12,5")


@pytest.mark.parametrize("locale", ["en", "fr", "es"])
def test_formatting_many_values_gives_each_value_its_own_text(locale):
    """fmt_each (the map's labels) formats each distinct value once: same texts, in order."""
    from babel.numbers import format_decimal

    values = pd.Series([87.5, 86.5, math.nan, 0.0, -0.2, 100.0, 87.5, 1234.4])
    texts = f.fmt_each(values, f.fmt_pct, locale=locale)
    assert texts == [f.fmt_pct(v, locale=locale) for v in values]
    # and the cached Babel patterns write what Babel itself writes (half to even: 86.5 → 86)
    assert texts[1] == format_decimal(86, format="#,##0", locale=locale) + " %"
    assert texts[2] == "—"
    days = pd.Series(pd.to_datetime(["2026-01-02", None, "2026-01-02"]))
    assert f.fmt_each(days, f.fmt_date, locale=locale) == [
        f.fmt_date(d, locale=locale) for d in days]
    counts = iter(range(100))
    assert f.fmt_each([5, 5, 7, 5], lambda v, locale: f"{v}:{next(counts)}") == \
        ["5:0", "5:0", "7:1", "5:0"]
