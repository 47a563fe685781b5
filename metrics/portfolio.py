"""Headline figures of a brand's supplier base (DOMAIN.md §1 and §4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

RECENT_ASSESSMENT_DAYS = 365
#: The reporting window of "latest assessment": an assessment older than this many months is
#: outdated — its results are flagged, left out of every rate and benchmark, and a factory whose
#: latest assessment is older has the risk level "Unknown — needs assessment". Better Work
#: assesses about once a year; 18 months is one yearly cycle plus six months of slack for
#: rescheduled visits, so a factory is outdated only once it has missed a whole cycle.
REPORTING_WINDOW_MONTHS = 18
#: the window in days (18 × 30.44, rounded)
REPORTING_WINDOW_DAYS = 548


@dataclass(frozen=True)
class HeadlineFigures:
    """Figures for the overview's KPI row. Percentages are 0–100; NaN when undefined."""

    active_suppliers: int
    countries: int
    workers: int
    women_pct: float
    assessed_recently_pct: float
    assessed_recently: int
    never_assessed: int


def assessment_age_days(latest_assessed_on: pd.Series, as_of: dt.date) -> pd.Series:
    """Days between each latest assessment and ``as_of``; NaN when never assessed."""
    dates = pd.to_datetime(latest_assessed_on)
    return (pd.Timestamp(as_of) - dates).dt.days


def headline_figures(suppliers: pd.DataFrame, as_of: dt.date) -> HeadlineFigures:
    """Headline figures of the active supplier base.

    * active suppliers: factories with an active relationship (count);
    * countries: distinct country codes;
    * workers: sum of reported worker counts (factories without a count add 0);
    * women %: workers-weighted share of women among factories reporting both figures;
    * assessed recently %: share of active suppliers whose latest assessment is at most
      365 days before ``as_of`` (never-assessed factories count in the denominator).

    Args:
        suppliers: :func:`data_access.queries.suppliers` output (active relationships).
        as_of: the reference date.
    """
    n = len(suppliers)
    if n == 0:
        return HeadlineFigures(0, 0, 0, float("nan"), float("nan"), 0, 0)
    workers = pd.to_numeric(suppliers["workers"], errors="coerce")
    women = pd.to_numeric(suppliers["women_pct"], errors="coerce")
    both = workers.notna() & women.notna()
    weight = workers[both].sum()
    women_pct = float((workers[both] * women[both]).sum() / weight) if weight > 0 else np.nan
    age = assessment_age_days(suppliers["latest_assessed_on"], as_of)
    recent = int(((age >= 0) & (age <= RECENT_ASSESSMENT_DAYS)).sum())
    return HeadlineFigures(
        active_suppliers=n,
        countries=int(suppliers["country_code"].nunique()),
        workers=int(workers.fillna(0).sum()),
        women_pct=women_pct,
        assessed_recently_pct=100.0 * recent / n,
        assessed_recently=recent,
        never_assessed=int(suppliers["latest_assessed_on"].isna().sum()),
    )


ASSESSED_RECENTLY = "Assessed in the last 12 months"
ASSESSED_LONG_AGO = "Assessment older than 12 months"
NEVER_ASSESSED = "Never assessed"
ASSESSMENT_STATUSES = (ASSESSED_RECENTLY, ASSESSED_LONG_AGO, NEVER_ASSESSED)


def assessment_status(latest_assessed_on: pd.Series, as_of: dt.date) -> pd.Series:
    """Label each supplier by the age of its latest assessment (365-day threshold)."""
    age = assessment_age_days(latest_assessed_on, as_of)
    status = np.where(age.isna(), NEVER_ASSESSED,
                      np.where(age <= RECENT_ASSESSMENT_DAYS, ASSESSED_RECENTLY,
                               ASSESSED_LONG_AGO))
    return pd.Series(status, index=latest_assessed_on.index, name="assessment_status")


def suppliers_by_country_status(suppliers: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Supplier counts per country and assessment status: ``country_code, status, suppliers``."""
    if suppliers.empty:
        return pd.DataFrame(columns=["country_code", "status", "suppliers"])
    labelled = suppliers.assign(status=assessment_status(suppliers["latest_assessed_on"], as_of))
    return (
        labelled.groupby(["country_code", "status"], as_index=False)
        .size()
        .rename(columns={"size": "suppliers"})
    )


def within_reporting_window(latest_assessed_on: pd.Series, as_of: dt.date) -> pd.Series:
    """True where the latest assessment is at most :data:`REPORTING_WINDOW_DAYS` old on
    ``as_of`` (and not after it); False when never assessed or outdated."""
    age = assessment_age_days(latest_assessed_on, as_of)
    return ((age >= 0) & (age <= REPORTING_WINDOW_DAYS)).fillna(False).astype(bool)


def reporting_window_start(as_of: dt.date) -> dt.date:
    """The oldest assessment date still inside the reporting window on ``as_of``."""
    return as_of - dt.timedelta(days=REPORTING_WINDOW_DAYS)
