"""Visibility and transparency of the brand's supplier base (DOMAIN.md §4).

Input is a *suppliers frame*, one row per factory the brand sources from
(:data:`data_access.queries.SUPPLIER_COLUMNS`, optionally with ``updated_at``, the factory
record's last update). Definitions come from the Transparency Pledge (published supplier-list
fields, worker bands), the Fashion Transparency Index (list updated recently, contributed to Open
Supply Hub) and Better Work (assessment less than 12 months old).

Percentages are 0–100 with every supplier in the frame in the denominator; an empty frame gives
NaN. "Assessed recently" reuses :func:`metrics.portfolio.assessment_age_days` and
:data:`metrics.portfolio.RECENT_ASSESSMENT_DAYS`, and worker figures come from
:func:`metrics.portfolio.headline_figures`, so the overview and these pages agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from metrics.portfolio import RECENT_ASSESSMENT_DAYS, assessment_age_days, headline_figures
from reference.translation import N_

DateLike = dt.date | dt.datetime | pd.Timestamp | str

NOT_REPORTED = N_("Not reported")

# ---- small building blocks --------------------------------------------------------------------


def _pct(mask: pd.Series) -> float:
    """Share of True in ``mask`` × 100; NaN for an empty frame."""
    return 100.0 * float(mask.sum()) / len(mask) if len(mask) else float("nan")


def _filled_text(values: pd.Series) -> pd.Series:
    """True where a text field holds something other than blanks."""
    text = values.astype("string").str.strip()
    return (text.notna() & (text != "")).fillna(False).astype(bool)


def _timestamp(value: DateLike) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def assessed_recently(suppliers: pd.DataFrame, as_of: DateLike) -> pd.Series:
    """Per supplier: True if its latest assessment is 0–365 days before ``as_of``.

    Same rule as the overview's "assessed recently" (:func:`metrics.portfolio.headline_figures`):
    never assessed → False; an assessment dated after ``as_of`` → False.
    """
    age = assessment_age_days(suppliers["latest_assessed_on"], as_of)
    return ((age >= 0) & (age <= RECENT_ASSESSMENT_DAYS)).rename("assessed_recently")


def has_geolocation(suppliers: pd.DataFrame) -> pd.Series:
    """Per supplier: True if ``lat`` and ``lng`` are both present, within range, and not the
    (0, 0) placeholder that geocoders return for an address they could not place."""
    lat = pd.to_numeric(suppliers["lat"], errors="coerce")
    lng = pd.to_numeric(suppliers["lng"], errors="coerce")
    valid = lat.between(-90, 90) & lng.between(-180, 180) & ~((lat == 0) & (lng == 0))
    return valid.fillna(False).astype(bool).rename("has_geolocation")


def has_os_id(suppliers: pd.DataFrame) -> pd.Series:
    """Per supplier: True if it has a non-blank Open Supply Hub ID (the format is not checked
    here: that belongs to the import's cleaning)."""
    return _filled_text(suppliers["os_id"]).rename("has_os_id")


def is_publicly_disclosed(suppliers: pd.DataFrame) -> pd.Series:
    """Per supplier: True if the brand discloses it publicly; unknown counts as not disclosed."""
    flag = suppliers["publicly_disclosed"]
    return flag.where(flag.notna(), False).astype(bool).rename("publicly_disclosed")


# ---- shares -----------------------------------------------------------------------------------


def share_geolocated_pct(suppliers: pd.DataFrame) -> float:
    """Share of suppliers with a usable geolocation, % (see :func:`has_geolocation`)."""
    return _pct(has_geolocation(suppliers))


def share_with_os_id_pct(suppliers: pd.DataFrame) -> float:
    """Share of suppliers with an Open Supply Hub ID, % (see :func:`has_os_id`)."""
    return _pct(has_os_id(suppliers))


def share_assessed_recently_pct(suppliers: pd.DataFrame, as_of: DateLike) -> float:
    """Share of suppliers whose latest assessment is at most 365 days old, % (never-assessed
    suppliers are in the denominator). See :func:`assessed_recently`."""
    return _pct(assessed_recently(suppliers, as_of))


def share_publicly_disclosed_pct(suppliers: pd.DataFrame) -> float:
    """Share of suppliers the brand discloses publicly, % (unknown = not disclosed)."""
    return _pct(is_publicly_disclosed(suppliers))


def suppliers_by_tier_and_type(suppliers: pd.DataFrame) -> pd.DataFrame:
    """Supplier counts per tier and facility type.

    Returns:
        ``tier`` (nullable integer; NA when unknown), ``facility_type`` (blank or missing →
        ``"Not reported"``), ``suppliers`` — sorted by tier, then by count descending.
    """
    if suppliers.empty:
        return pd.DataFrame({"tier": pd.Series(dtype="Int64"),
                             "facility_type": pd.Series(dtype="string"),
                             "suppliers": pd.Series(dtype="int64")})
    facility_type = suppliers["facility_type"].astype("string").str.strip()
    frame = pd.DataFrame({
        "tier": pd.to_numeric(suppliers["tier"], errors="coerce").astype("Int64"),
        "facility_type": facility_type.where(_filled_text(suppliers["facility_type"]),
                                             NOT_REPORTED),
    })
    counts = frame.groupby(["tier", "facility_type"], dropna=False).size()
    counts = counts.rename("suppliers").reset_index()
    return counts.sort_values(["tier", "suppliers", "facility_type"],
                              ascending=[True, False, True], na_position="last",
                              ignore_index=True)


# ---- workers ----------------------------------------------------------------------------------

WORKER_BANDS = ("<1000", "1001–5000", "5001–10000", ">10000")
_WORKER_BAND_EDGES = (0, 1000, 5000, 10000, np.inf)


def workers_band(workers: Any) -> Any:
    """Transparency Pledge worker band of a worker count (DOMAIN.md §4).

    Bands: ``"<1000"`` (1–1000: 1000 itself is in the first band, as the Pledge's next band starts
    at 1001), ``"1001–5000"``, ``"5001–10000"``, ``">10000"``.

    Args:
        workers: a number or a Series of numbers.

    Returns:
        For a Series: an ordered categorical Series (NaN where the count is missing or not
        positive). For a scalar: the band label or ``None``.
    """
    if isinstance(workers, pd.Series):
        counts = pd.to_numeric(workers, errors="coerce")
        return pd.cut(counts, bins=list(_WORKER_BAND_EDGES), labels=list(WORKER_BANDS),
                      right=True, ordered=True).rename("workers_band")
    result = workers_band(pd.Series([workers], dtype="object"))
    return None if pd.isna(result.iloc[0]) else str(result.iloc[0])


def workers_covered(suppliers: pd.DataFrame) -> int:
    """Workers in the supplier base: Σ reported worker counts (a missing count adds 0)."""
    return _worker_figures(suppliers).workers


def women_pct(suppliers: pd.DataFrame) -> float:
    """Share of women among the workers, %: workers-weighted mean of ``women_pct`` over suppliers
    reporting both figures; NaN when none does."""
    return _worker_figures(suppliers).women_pct


def _worker_figures(suppliers: pd.DataFrame):
    # The worker formulas live in metrics.portfolio.headline_figures; its worker figures do not
    # depend on the reference date, so any date will do.
    return headline_figures(suppliers, as_of=dt.date(2000, 1, 1))


# ---- Transparency Pledge --------------------------------------------------------------------

#: Pledge field → how to tell it is present.
PLEDGE_FIELDS: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "name": lambda s: _filled_text(s["name"]),
    "address": lambda s: _filled_text(s["address"]),
    "parent_company": lambda s: _filled_text(s["parent_company"]),
    "product_type": lambda s: _filled_text(s["product_type"]),
    "workers_band": lambda s: workers_band(s["workers"]).notna(),
}
#: the fields' names as pages show them (marked here, translated where shown)
PLEDGE_FIELD_LABELS = {
    "name": N_("Full name"), "address": N_("Site address"),
    "parent_company": N_("Parent company"), "product_type": N_("Product type"),
    "workers_band": N_("Number of workers (band)"),
}


@dataclass(frozen=True, eq=False)
class PledgeCompleteness:
    """Transparency Pledge completeness of the supplier list.

    Attributes:
        per_factory: ``factory_id``, one bool column per :data:`PLEDGE_FIELDS` key,
            ``fields_present`` (0–5) and ``complete`` (all five present).
        per_field: ``field, label, suppliers_with_field, share_pct`` (one row per field).
        complete_pct: share of suppliers with all five fields, %; NaN for no suppliers.
        complete: number of suppliers with all five fields.
    """

    per_factory: pd.DataFrame
    per_field: pd.DataFrame
    complete_pct: float
    complete: int


def pledge_completeness(suppliers: pd.DataFrame) -> PledgeCompleteness:
    """Which of the 5 Transparency Pledge fields each supplier has, and the portfolio shares.

    Fields (DOMAIN.md §4): full name, site address, parent company, product type, number of
    workers as a Pledge band. A text field is present when it is not blank; the workers field
    when the count is a positive number. Placeholders such as "N/A" count as present: cleaning
    them is the import's job, not a metric's.
    """
    present = pd.DataFrame({field: test(suppliers) for field, test in PLEDGE_FIELDS.items()},
                           index=suppliers.index)
    per_factory = pd.concat([suppliers[["factory_id"]], present], axis=1)
    per_factory["fields_present"] = present.sum(axis=1).astype("int64")
    per_factory["complete"] = present.all(axis=1)
    per_field = pd.DataFrame({
        "field": list(PLEDGE_FIELDS),
        "label": [PLEDGE_FIELD_LABELS[f] for f in PLEDGE_FIELDS],
        "suppliers_with_field": [int(present[f].sum()) for f in PLEDGE_FIELDS],
        "share_pct": [_pct(present[f]) for f in PLEDGE_FIELDS],
    })
    return PledgeCompleteness(
        per_factory=per_factory.reset_index(drop=True),
        per_field=per_field,
        complete_pct=_pct(per_factory["complete"]),
        complete=int(per_factory["complete"].sum()),
    )


# ---- freshness and coverage -----------------------------------------------------------------


def newest_data_age_days(suppliers: pd.DataFrame, as_of: DateLike) -> float:
    """Age of the newest data about the supplier base, in days.

    Not shown to brands: a factory record's ``updated_at`` changes with *any* brand's import of
    that factory, so it would tell one brand when another imported. The Visibility page shows
    the age of the brand's own facility list instead (``services.analysis.facility_list_age_days``).

    Formula: ``as_of`` − the most recent date among the suppliers' latest assessment dates and,
    when the column exists, ``updated_at`` (factory record last updated). Dates after ``as_of``
    are ignored. Missing data: no usable date (or no ``updated_at`` column and no assessment)
    → NaN.
    """
    end = _timestamp(as_of)
    dates = [pd.to_datetime(suppliers["latest_assessed_on"], errors="coerce")]
    if "updated_at" in suppliers.columns:
        dates.append(pd.to_datetime(suppliers["updated_at"], errors="coerce"))
    stacked = pd.concat(dates, ignore_index=True)
    # Compare at day level: a record updated at 09:00 on as_of is 0 days old.
    stacked = stacked.dt.normalize()
    newest = stacked[stacked <= end].max()
    return float((end - newest).days) if pd.notna(newest) else float("nan")


def coverage_by_country(suppliers: pd.DataFrame, as_of: DateLike) -> pd.DataFrame:
    """Suppliers and recent-assessment coverage per country.

    Returns:
        ``country_code, suppliers, assessed_recently, share_pct`` (assessed recently ÷ suppliers
        × 100), most suppliers first. See :func:`assessed_recently`.
    """
    frame = pd.DataFrame({"country_code": suppliers["country_code"],
                          "recent": assessed_recently(suppliers, as_of).astype("int64")})
    out = frame.groupby("country_code", as_index=False, dropna=False).agg(
        suppliers=("recent", "size"), assessed_recently=("recent", "sum"))
    out["share_pct"] = 100.0 * out["assessed_recently"] / out["suppliers"]
    return out.sort_values(["suppliers", "country_code"], ascending=[False, True],
                           ignore_index=True)


def month_ends(start: DateLike, end: DateLike) -> pd.DatetimeIndex:
    """Every month end from ``start``'s month up to ``end`` (a month end after ``end`` is left
    out, so no point lies in the future): the grid for :func:`assessed_share_over_time`."""
    first = pd.Timestamp(start).to_period("M").to_timestamp(how="end").normalize()
    return pd.date_range(first, _timestamp(end), freq="ME")


def assessed_share_over_time(
    assessments: pd.DataFrame, suppliers: pd.DataFrame, months: Iterable[DateLike]
) -> pd.DataFrame:
    """Share of today's suppliers that were "assessed recently" at each month end.

    Formula: for each month end *m*, a supplier counts when its latest assessment on or before
    *m* is at most 365 days old (:data:`~metrics.portfolio.RECENT_ASSESSMENT_DAYS`); share =
    those suppliers ÷ all suppliers in ``suppliers`` × 100. The denominator is the *current*
    supplier list projected back in time (relationship start dates are not used), so the line
    shows how assessment coverage of today's base built up.

    Args:
        assessments: ``factory_id, assessed_on`` (every assessment, any factory; others are
            ignored). Rows without a date are ignored.
        suppliers: the suppliers frame (only ``factory_id`` is used).
        months: dates; each is moved to its month end (see :func:`month_ends`).

    Returns:
        ``month_end, suppliers, assessed_recently, share_pct`` in date order (share NaN when
        there are no suppliers).
    """
    grid = pd.DatetimeIndex(pd.to_datetime(list(months))).to_period("M").to_timestamp(
        how="end").normalize().unique().sort_values().astype("datetime64[ns]")
    factory_ids = pd.Series(suppliers["factory_id"].unique())
    n = len(factory_ids)
    if len(grid) == 0:
        return pd.DataFrame({"month_end": pd.Series(dtype="datetime64[ns]"),
                             "suppliers": pd.Series(dtype="int64"),
                             "assessed_recently": pd.Series(dtype="int64"),
                             "share_pct": pd.Series(dtype="float64")})
    known = assessments.loc[assessments["factory_id"].isin(factory_ids), ["factory_id",
                                                                          "assessed_on"]]
    dated = pd.DataFrame({
        "factory_id": known["factory_id"].astype(factory_ids.dtype),
        "assessed_on": pd.to_datetime(known["assessed_on"], errors="coerce").astype(
            "datetime64[ns]"),
    }).dropna().sort_values("assessed_on")
    pairs = pd.merge(pd.DataFrame({"month_end": grid}),
                     pd.DataFrame({"factory_id": factory_ids}), how="cross")
    latest = pd.merge_asof(pairs.sort_values("month_end"), dated, left_on="month_end",
                           right_on="assessed_on", by="factory_id", direction="backward")
    age = (latest["month_end"] - latest["assessed_on"]).dt.days
    latest["recent"] = (age <= RECENT_ASSESSMENT_DAYS).astype("int64")
    counts = latest.groupby("month_end")["recent"].sum().reindex(grid, fill_value=0)
    return pd.DataFrame({
        "month_end": grid,
        "suppliers": n,
        "assessed_recently": counts.to_numpy(dtype="int64"),
        "share_pct": 100.0 * counts.to_numpy(dtype="float64") / n if n else np.nan,
    })


# ---- gaps -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Gap:
    key: str
    test: Callable[[pd.DataFrame, pd.Timestamp], pd.Series]
    message: str  # "{count} {suppliers} …": {suppliers} becomes "supplier" or "suppliers"
    filter: dict[str, Any]


def _older_than_12_months(s: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    return assessment_age_days(s["latest_assessed_on"], as_of) > RECENT_ASSESSMENT_DAYS


#: The gaps a sourcing team can close, in the order pages show them. ``filter`` is what a page
#: puts in its filter state (the supplier directory's filter names and values) to list those
#: suppliers; :func:`suppliers_with_gap` applies the same test to a frame.
GAPS: tuple[_Gap, ...] = (
    _Gap("never_assessed", lambda s, _: s["latest_assessed_on"].isna(),
         "{count} {suppliers} never assessed", {"assessment": ["never"]}),
    _Gap("assessment_outdated", _older_than_12_months,
         "{count} {suppliers} last assessed more than 12 months ago",
         {"assessment": ["older"]}),
    _Gap("no_os_id", lambda s, _: ~has_os_id(s),
         "{count} {suppliers} without an Open Supply Hub ID", {"gaps": ["no_os_id"]}),
    _Gap("no_geolocation", lambda s, _: ~has_geolocation(s),
         "{count} {suppliers} without geolocation", {"gaps": ["no_geolocation"]}),
    _Gap("not_disclosed", lambda s, _: ~is_publicly_disclosed(s),
         "{count} {suppliers} not publicly disclosed", {"gaps": ["not_disclosed"]}),
    _Gap("pledge_incomplete", lambda s, _: ~pledge_completeness(s).per_factory["complete"]
         .set_axis(s.index),
         "{count} {suppliers} with incomplete Transparency Pledge fields",
         {"gaps": ["incomplete_pledge"]}),
)
_GAPS_BY_KEY = {gap.key: gap for gap in GAPS}


def gap_mask(suppliers: pd.DataFrame, key: str, as_of: DateLike) -> pd.Series:
    """Per supplier: True if it has the gap ``key`` (one of :data:`GAPS`)."""
    if key not in _GAPS_BY_KEY:
        raise ValueError(f"unknown gap {key!r}; one of {list(_GAPS_BY_KEY)}")
    mask = _GAPS_BY_KEY[key].test(suppliers, _timestamp(as_of))
    return mask.fillna(False).astype(bool).rename(key)


def suppliers_with_gap(suppliers: pd.DataFrame, key: str, as_of: DateLike) -> pd.DataFrame:
    """The suppliers that have gap ``key`` (what a gap's ``filter`` selects)."""
    return suppliers[gap_mask(suppliers, key, as_of)]


def gaps(suppliers: pd.DataFrame, as_of: DateLike, *,
         include_empty: bool = False) -> list[dict[str, Any]]:
    """Visibility gaps of the supplier base, for a to-do list.

    Returns:
        ``[{"key", "count", "message", "filter"}, …]`` in :data:`GAPS` order, e.g.
        ``{"key": "never_assessed", "count": 41, "message": "41 suppliers never assessed",
        "filter": {"assessment": ["never"]}}`` ("1 supplier never assessed" for one). Gaps with
        a count of 0 are left out unless ``include_empty``.
    """
    result = []
    for gap in GAPS:
        count = int(gap_mask(suppliers, gap.key, as_of).sum())
        if count == 0 and not include_empty:
            continue
        noun = "supplier" if count == 1 else "suppliers"
        result.append({"key": gap.key, "count": count,
                       "message": gap.message.format(count=count, suppliers=noun),
                       "filter": dict(gap.filter)})
    return result
