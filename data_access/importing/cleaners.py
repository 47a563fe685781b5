"""One small cleaner per kind of field: text in, ``(value, error)`` out — never an exception.

The pattern is Open Supply Hub's *contricleaner*: each cleaner looks at one stripped, non-empty
cell and returns the cleaned value and ``None``, or ``None`` and a short reason. The caller
(:mod:`data_access.importing.reading`) handles empty cells and "required", adds file, row,
column and the raw text, and collects every problem instead of stopping at the first one.

Cleaners are pure functions of the text, so they are tested without a database; the ones that
need a lookup (country) use a maintained library (pycountry), not a home-made list.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import pycountry
import yaml

#: ``(value, None)`` when the cell is fine, ``(None, reason)`` when it is not.
Cleaned = tuple[Any, str | None]
Cleaner = Callable[[str], Cleaned]

# ---- text -----------------------------------------------------------------------------------

# Control characters other than tab/newline have no business in a name or an address and can
# break downstream tools (NUL ends C strings; others hide text in spreadsheets).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(max_length: int, *, single_line: bool = True) -> Cleaner:
    """Free text up to ``max_length`` characters; single-line text has its whitespace collapsed
    ("Golden  Thread\\n Ltd." → "Golden Thread Ltd."), so re-imports of re-typed names match."""

    def clean(value: str) -> Cleaned:
        # fast path: printable (no control characters, tabs or line breaks), single spaces
        if not (value.isprintable() and "  " not in value):
            if _CONTROL.search(value):
                return None, "contains a control character"
            if single_line:
                value = " ".join(value.split())
        if len(value) > max_length:
            return None, f"is longer than {max_length} characters"
        return value, None

    return clean


def choice(options: Mapping[str, str], label: str) -> Cleaner:
    """One of a fixed set, matched case- and spacing-insensitively; returns the canonical form.

    ``options`` maps accepted spellings (already :func:`_token`-normalised) to canonical values.
    """
    listed = ", ".join(sorted(set(options.values())))

    def clean(value: str) -> Cleaned:
        canonical = options.get(_token(value))
        if canonical is None:
            return None, f"is not a valid {label} (expected one of: {listed})"
        return canonical, None

    return clean


def _token(value: str) -> str:
    """``"In Progress"``, ``"in_progress"`` and ``"IN-PROGRESS"`` all become ``"in progress"``."""
    return " ".join(re.sub(r"[_\-\s]+", " ", value.casefold()).split())


# ---- numbers --------------------------------------------------------------------------------

# Digits with optional thousands separators ("12,500"). Not float(): it accepts "nan", "inf",
# "1e5" and "1_000", none of which a person means in a spreadsheet cell.
_INT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)")
_DECIMAL = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")


def integer(minimum: int | None = None, maximum: int | None = None) -> Cleaner:
    """A whole number within ``[minimum, maximum]``; "1,200" is read as 1200."""

    def clean(value: str) -> Cleaned:
        if value.isdigit() and value.isascii():  # the common case, without a regex
            number = int(value)
        elif _INT.fullmatch(value):
            number = int(value.replace(",", ""))
        elif _DECIMAL.fullmatch(value) and float(value.replace(",", "")).is_integer():
            number = int(float(value.replace(",", "")))  # "1200.0" from a spreadsheet
        else:
            return None, "is not a whole number"
        return _in_range(number, minimum, maximum)

    return clean


def decimal(minimum: float | None = None, maximum: float | None = None) -> Cleaner:
    """A decimal number with a point (``12.50``) within ``[minimum, maximum]``.

    A decimal comma ("12,50") is rejected rather than guessed: "1,250" could be either.
    """

    def clean(value: str) -> Cleaned:
        if value.replace(".", "", 1).isdigit() and value.isascii():  # fast path: "12.50"
            return _in_range(float(value), minimum, maximum)
        if not _DECIMAL.fullmatch(value):
            return None, "is not a number (use a decimal point, e.g. 12.50)"
        return _in_range(float(value.replace(",", "")), minimum, maximum)

    return clean


def _in_range(number: float, minimum: float | None, maximum: float | None) -> Cleaned:
    if minimum is not None and number < minimum:
        if minimum == 0:
            return None, "must not be negative"
        return None, f"must be at least {minimum:g}"
    if maximum is not None and number > maximum:
        return None, f"must be at most {maximum:g}"
    return number, None


def percent(value: str) -> Cleaned:
    """A percentage 0–100; a trailing "%" is allowed. 0.62 means 0.62 %, not 62 %."""
    number_text = value[:-1].rstrip() if value.endswith("%") else value
    if not _DECIMAL.fullmatch(number_text):
        return None, "is not a percentage (e.g. 62.5)"
    number = float(number_text.replace(",", ""))
    if not 0 <= number <= 100:
        return None, "must be between 0 and 100"
    return number, None


def latitude(value: str) -> Cleaned:
    number, error = decimal()(value)
    if error:
        return None, error
    if not -90 <= number <= 90:
        return None, "is outside -90..90 (latitude)"
    return number, None


def longitude(value: str) -> Cleaned:
    number, error = decimal()(value)
    if error:
        return None, error
    if not -180 <= number <= 180:
        return None, "is outside -180..180 (longitude)"
    return number, None


# ---- workers --------------------------------------------------------------------------------


class WorkerCount(NamedTuple):
    """A number of workers as given: exact (``low == high == value``) or a range.

    ``value`` is what is stored (the schema has one integer):

    * an exact count is stored as is;
    * a range "1001-5000" stores the midpoint rounded down, ``(1001 + 5000) // 2 = 3000``;
    * "<1000" (the Transparency Pledge band 1–999) stores 500, the midpoint of 1..999;
    * ">10000" has no upper bound: it stores the smallest count it allows, 10001.

    Each stored value falls back into the band it came from, so a supplier list exported in
    bands shows the band that was imported. ``low``/``high`` let an import keep a stored exact
    count that already lies inside the uploaded range (see ``facilities.py``).
    """

    value: int
    low: int
    high: int | None


_NUM = r"\d{1,3}(?:,\d{3})+|\d+"
_RANGE = re.compile(rf"({_NUM})\s*(?:-|–|—|to)\s*({_NUM})", re.IGNORECASE)
_BELOW = re.compile(rf"(?:<|less than|under|fewer than)\s*({_NUM})", re.IGNORECASE)
_ABOVE = re.compile(rf"(?:>|more than|over)\s*({_NUM})|({_NUM})\s*\+", re.IGNORECASE)
MAX_WORKERS = 1_000_000  # larger than any single factory; catches pasted totals and typos


def _num(text_: str) -> int:
    return int(text_.replace(",", ""))


def workers(value: str) -> Cleaned:
    """A worker count "2500", "2,500", a range "1001-5000" / "1001 – 5000" / "1001 to 5000",
    or an open band "<1000" / ">10000" / "10000+". See :class:`WorkerCount` for what is stored."""
    if (value.isdigit() and value.isascii()) or re.fullmatch(_NUM, value):
        count = _num(value)
        if count > MAX_WORKERS:
            return None, f"is more than {MAX_WORKERS:,} workers"
        return WorkerCount(count, count, count), None
    if match := _RANGE.fullmatch(value):
        low, high = _num(match[1]), _num(match[2])
        if low > high:
            return None, "is a range whose lower end is above its upper end"
        if high > MAX_WORKERS:
            return None, f"is more than {MAX_WORKERS:,} workers"
        return WorkerCount((low + high) // 2, low, high), None
    if match := _BELOW.fullmatch(value):
        bound = _num(match[1])
        if bound < 2:
            return None, "is not a usable worker band"
        return WorkerCount(bound // 2, 1, bound - 1), None
    if match := _ABOVE.fullmatch(value):
        bound = _num(match[1] or match[2])
        low = bound if match[2] else bound + 1  # "10000+" includes 10000, ">10000" does not
        if low > MAX_WORKERS:
            return None, f"is more than {MAX_WORKERS:,} workers"
        return WorkerCount(low, low, None), None
    if value.lstrip().startswith("-"):
        return None, "must not be negative"
    return None, 'is not a worker count or range (e.g. 2500, "1001-5000", "<1000", ">10000")'


# ---- dates and booleans ---------------------------------------------------------------------

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# A date with a midnight time, as spreadsheets and pandas write them.
_ISO_MIDNIGHT = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]00:00(?::00(?:\.0+)?)?Z?")
_SLASHED = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}")


def iso_date(value: str) -> Cleaned:
    """An ISO-8601 calendar date ``YYYY-MM-DD`` (a midnight time part is tolerated).

    "03/04/2025" is refused, not guessed: it is 3 April in Europe and 4 March in the US.
    """
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value), None
        except ValueError:
            if _ISO_DATE.fullmatch(value):
                return None, "is not a valid calendar date"
    elif match := _ISO_MIDNIGHT.fullmatch(value):
        return iso_date(match[1])
    if _SLASHED.fullmatch(value):
        return None, ("is ambiguous (day/month order differs between countries); "
                      "write dates as YYYY-MM-DD")
    return None, "is not a date in ISO 8601 format (YYYY-MM-DD)"


_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


def boolean(value: str) -> Cleaned:
    """yes/no, true/false, y/n, 1/0 in any case."""
    folded = value.casefold()
    if folded in _TRUE:
        return True, None
    if folded in _FALSE:
        return False, None
    return None, "is not yes/no (accepted: yes, no, true, false, 1, 0)"


def finding(value: str) -> Cleaned:
    """Is there a finding of non-compliance? ``True`` = non-compliant.

    Accepted: non_compliant / non-compliant / nc / yes / true / 1 → non-compliant;
    compliant / c / no / false / 0 → compliant.
    """
    token = _token(value)
    if token in {"non compliant", "noncompliant", "nc", "non compliance"}:
        return True, None
    if token in {"compliant", "c", "compliance"}:
        return False, None
    result, error = boolean(value)
    if error:
        return None, "is not a finding (non_compliant, compliant, yes, no, true, false, 1, 0)"
    return result, None


# ---- countries and identifiers --------------------------------------------------------------

#: spellings ISO 3166 lacks (common names, abbreviations, trade and former names) and the ones
#: that name several countries: reference data, in reference/country_aliases.yaml
COUNTRY_ALIASES_FILE = Path(__file__).resolve().parents[2] / "reference" / "country_aliases.yaml"


def country_key(value: str) -> str:
    """A spelling folded for comparison: case, accents, dots and apostrophes ignored, other
    punctuation read as a space ("U.S.A." → "usa", "Côte d'Ivoire" → "cote divoire")."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", value).casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = re.sub(r"[.'’`´]", "", folded.replace("&", " and "))
    return " ".join(re.sub(r"[^\w]+", " ", folded).split())


@lru_cache(maxsize=1)
def _country_tables() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """(folded spelling → alpha-2, folded ambiguous spelling → the codes it could mean)."""
    with COUNTRY_ALIASES_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    known: dict[str, str] = {}
    for country_ in pycountry.countries:
        for attr in ("alpha_2", "alpha_3", "numeric", "name", "official_name", "common_name"):
            spelling = getattr(country_, attr, None)
            if spelling:
                known.setdefault(country_key(spelling), country_.alpha_2)
    for alias, code in data["aliases"].items():
        if pycountry.countries.get(alpha_2=code) is None:
            raise ValueError(f"country_aliases.yaml: {alias!r} -> {code!r} is not an ISO code")
        known[country_key(str(alias))] = code
    ambiguous = {country_key(str(k)): tuple(v) for k, v in data["ambiguous"].items()}
    for key in ambiguous:
        known.pop(key, None)
    return known, ambiguous


@lru_cache(maxsize=4096)
def _country(key: str) -> Cleaned:
    known, ambiguous = _country_tables()
    if key in known:
        return known[key], None
    if key in ambiguous:
        choices = ", ".join(f"{pycountry.countries.get(alpha_2=c).name} ({c})"
                            for c in ambiguous[key])
        return None, f"could mean several countries ({choices}); write the ISO code"
    return None, "is not a country name or ISO 3166 code"


def country(value: str) -> Cleaned:
    """ISO 3166 alpha-2 code from "KH", "KHM", "Cambodia", "viet nam", "U.K.", "Hong Kong SAR",
    "Côte d'Ivoire", … (pycountry's codes and names plus reference/country_aliases.yaml).

    An exact lookup, never a fuzzy one: "Niger" must never become "Nigeria"; a name that
    could mean several countries ("Congo", "Korea") is refused with the choices.
    """
    return _country(country_key(value))


# ISO-2 country + YYYYDDD (registration year and day of year) + 5 Crockford base32 characters
# + a check character. The check character is not verified: its algorithm is not published.
_OS_ID = re.compile(r"[A-Z]{2}\d{4}(?:00[1-9]|0[1-9]\d|[12]\d\d|3[0-5]\d|36[0-6])"
                    r"[0-9A-HJKMNP-TV-Z]{5}[0-9A-HJKMNP-TV-Z*~$=U]")


def os_id(value: str) -> Cleaned:
    """An Open Supply Hub facility id such as ``IN2019067X1K87E`` (case-insensitive)."""
    upper = value.upper()
    if not _OS_ID.fullmatch(upper):
        return None, "is not an Open Supply Hub ID (e.g. BD2019067X1K87E)"
    return upper, None


def tier(value: str) -> Cleaned:
    """Supply-chain tier 1–4: "1", "Tier 1", "T1"."""
    match = re.fullmatch(r"(?:tier|t)?\s*([1-4])", value.strip(), re.IGNORECASE)
    if match is None:
        return None, "is not a tier from 1 to 4"
    return int(match[1]), None


FACILITY_TYPES = (
    "Raw Material Processing or Production",
    "Textile or Material Production",
    "Printing, Dyeing and Laundering",
    "Final Product Assembly",
    "Warehousing / Distribution",
    "Office / HQ",
)
_FACILITY_TYPE_KEYS = {_token(t): t for t in FACILITY_TYPES}
_facility_text = text(120)


def facility_type(value: str) -> Cleaned:
    """Free text; Open Supply Hub's own facility types get their canonical spelling."""
    cleaned, error = _facility_text(value)
    if error:
        return None, error
    return _FACILITY_TYPE_KEYS.get(_token(cleaned), cleaned), None


_STATUS_WORDS = {
    "active": "active", "open": "active", "operating": "active", "in operation": "active",
    "closed": "closed", "permanently closed": "closed", "closed down": "closed",
    "shut down": "closed", "moved": "moved", "relocated": "moved", "moved away": "moved",
}


def factory_status(value: str) -> Cleaned:
    """A facility's status as Open Supply Hub reports it: active, closed or moved (also "open",
    "operating", "permanently closed", "relocated", … in any case)."""
    status = _STATUS_WORDS.get(_token(value))
    if status is None:
        return None, "is not a facility status (expected: active, closed or moved)"
    return status, None
