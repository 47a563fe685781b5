"""Records the HTTP API serves beside the extracts, each with its data dictionary: one
factory's profile with its latest results, and the Purchasing page's headline figures next to
the benchmark published to the brand.

They are built from the same reads and metric functions as the Factory profile and the
Purchasing practices pages, and their field names are those of the extracts wherever the
extracts have the same field (:func:`column` copies the extract's dictionary entry), so a
field means one thing everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from data_access import factories, orders
from data_access.extracts import ExtractColumn
from data_access.factories import DirectoryFilters
from data_access.viewer import Viewer
from metrics.compliance import cluster_results
from metrics.countries import country_name
from metrics.purchasing import INDICATORS, benchmark_band
from services import analysis
from services.extract_catalogue import EXTRACTS

C = ExtractColumn


def column(extract: str, name: str, rename: str | None = None) -> ExtractColumn:
    """The dictionary entry of column ``name`` of extract ``extract`` (named ``rename``)."""
    found = next(c for c in EXTRACTS[extract].columns if c.name == name)
    return ExtractColumn(rename or found.name, found.type, found.description, found.unit)


# ---- one factory ----------------------------------------------------------------------------

FACTORY_COLUMNS: tuple[ExtractColumn, ...] = (
    C("factory_id", "int", "The factory's id in this dashboard."),
    column("supplier-list", "os_id"),
    column("supplier-list", "name"),
    column("supplier-list", "address"),
    C("city", "text", "City."),
    column("supplier-list", "country_code"),
    column("supplier-list", "country_name"),
    column("supplier-list", "lat"),
    column("supplier-list", "lng"),
    column("supplier-list", "sector"),
    column("supplier-list", "facility_type"),
    C("processing_type", "text", "Processing type (Open Supply Hub list)."),
    column("supplier-list", "product_type"),
    column("supplier-list", "parent_company"),
    column("supplier-list", "number_of_workers"),
    C("women_pct", "float", "Share of women among the workers.", "%"),
    C("annual_output_units", "int", "The factory's annual output.", "units"),
    C("required_lead_time_days", "int", "The lead time the factory asks for.", "days"),
    C("status", "text", "active, closed or moved (closed and moved factories leave the "
                        "active figures)."),
    C("status_since", "date", "Since when the factory is closed or moved.", "date"),
    column("supplier-list", "tier"),
    C("relationship_start", "date", "Start of your sourcing relationship.", "date"),
    C("relationship_end", "date", "End of your sourcing relationship (empty: ongoing).",
      "date"),
    C("active_relationship", "bool", "Your sourcing relationship is active."),
    column("supplier-list", "publicly_disclosed"),
    C("other_buyers", "int", "How many other brands actively source from the factory (a "
                             "count, never their names).", "brands"),
    column("supplier-list", "latest_assessment_date"),
    column("latest-findings", "cycle"),
    C("questions_assessed", "int", "Non-compliance questions assessed in the latest "
                                   "assessment.", "questions"),
    C("questions_non_compliant", "int", "Of which found non-compliant.", "questions"),
    column("supplier-list", "compliance_pct"),
    C("non_compliant_points", "int", "Compliance points with a non-compliant question in the "
                                     "latest assessment.", "compliance points"),
    C("open_plan_items", "int", "Improvement-plan items not completed.", "items"),
    C("overdue_plan_items", "int", "Of which past their due date on the reference date.",
      "items"),
    column("risk-ranking", "risk_level"),
    column("risk-ranking", "risk_score"),
    column("risk-ranking", "reasons"),
)

CLUSTER_COLUMNS: tuple[ExtractColumn, ...] = (
    C("cluster_code", "text", "Better Work cluster code (CL, DISC, FL, FOA, COMP, CHR, OSH, "
                              "WT)."),
    column("latest-findings", "cluster"),
    column("latest-findings", "questions_assessed"),
    column("latest-findings", "questions_non_compliant"),
    C("non_compliant", "bool", "Non-compliant on the cluster: any of its compliance points "
                               "non-compliant."),
    C("compliance_pct", "float", "100 × (questions − violations) ÷ questions in the "
                                 "cluster.", "%"),
)


@dataclass(frozen=True)
class FactoryRecord:
    """One factory as the API serves it: ``factory`` in :data:`FACTORY_COLUMNS` order and
    ``clusters`` (latest assessment, :data:`CLUSTER_COLUMNS` order)."""

    factory: tuple
    clusters: list[tuple] = field(default_factory=list)


def factory_record(engine: Engine, viewer: Viewer, factory_id: int,
                   as_of: dt.date) -> FactoryRecord:
    """The factory's profile, relationship, latest assessment, clusters and risk level, as of
    the reference date ``as_of``.

    Raises:
        NotFound: the factory does not exist or the brand has no relationship with it (one
            message for both: ``data_access.factories``).
    """
    profile = factories.factory_profile(engine, viewer, factory_id)  # the access check
    directory = factories.supplier_directory(
        engine, viewer, DirectoryFilters(include_inactive=True, include_closed=True,
                                         factory_ids=(factory_id,)), as_of)
    latest = directory.iloc[0] if not directory.empty else pd.Series(dtype="object")
    risk = analysis.risk_table(engine, viewer, as_of)
    mine = risk[risk["factory_id"] == factory_id] if not risk.empty else risk
    risk_row = mine.iloc[0] if not mine.empty else pd.Series(dtype="object")
    values: dict[str, Any] = {
        **profile,
        "country_name": country_name(profile["country_code"]),
        "number_of_workers": profile["workers"],
        "relationship_start": profile["start_date"],
        "relationship_end": profile["end_date"],
        "active_relationship": profile["active"],
        "other_buyers": factories.other_buyers_count(engine, viewer, factory_id),
        "latest_assessment_date": latest.get("latest_assessed_on"),
        "cycle": latest.get("latest_cycle"),
        "questions_assessed": latest.get("questions_assessed"),
        "questions_non_compliant": latest.get("questions_non_compliant"),
        "compliance_pct": latest.get("compliance_pct"),
        "non_compliant_points": latest.get("non_compliant_cps"),
        "open_plan_items": latest.get("open_plan_items"),
        "overdue_plan_items": latest.get("overdue_plan_items"),
        "risk_level": risk_row.get("risk_level"),
        "risk_score": risk_row.get("risk_score"),
        "reasons": risk_row.get("reasons"),
    }
    clusters: list[tuple] = []
    assessment = latest.get("latest_assessment_id")
    if assessment is not None and not pd.isna(assessment):
        cp = factories.compliance_point_results(engine, viewer, [factory_id])
        rows = cluster_results(cp[cp["assessment_id"] == int(assessment)])
        rows = rows.assign(cluster=rows["cluster_name"],
                           non_compliant=rows["non_compliant"].astype(bool))
        clusters = list(rows[[c.name for c in CLUSTER_COLUMNS]].itertuples(index=False,
                                                                          name=None))
    return FactoryRecord(tuple(values.get(c.name) for c in FACTORY_COLUMNS), clusters)


# ---- the Purchasing page's headline figures and the published benchmark --------------------

SUMMARY_COLUMNS: tuple[ExtractColumn, ...] = (
    C("indicator", "text", "The indicator: the name of its column in the purchasing-indicators "
                           "extract."),
    C("label", "text", "The indicator in words."),
    C("category", "text", "Better Buying's category of purchasing practices."),
    C("unit", "text", "days, %, ratio, CV or years."),
    C("better", "text", "lower or higher is better; target: closest to a target value; "
                        "neutral: neither."),
    C("value", "float", "Your figure over your orders in the period, as of the reference "
                        "date (empty: no value)."),
    C("others_low", "float", "Other brands' typical range, lower end: the band containing the "
                             "median of at least five other brands' figures, computed the same "
                             "way over the same period — never including yours (empty: not "
                             "published)."),
    C("others_high", "float", "Upper end of that band (the band is 5 days, 5 percentage "
                              "points, 0.05 or half a year wide)."),
)


@dataclass(frozen=True)
class PurchasingSummary:
    """The headline figures of one order view and what is published of other brands."""

    view: analysis.OrderView
    figures: dict[str, float]
    benchmark: dict[str, float]
    #: why there is no comparison with other brands ("" when there is one)
    no_benchmark: str

    def rows(self) -> list[tuple]:
        """One row per indicator, :data:`SUMMARY_COLUMNS` order."""
        out = []
        for key, spec in INDICATORS.items():
            lower = self.benchmark.get(key)
            low, high = ((None, None) if lower is None or pd.isna(lower)
                         else benchmark_band(lower, spec.unit))
            out.append((key, spec.label, spec.category, spec.unit, spec.better,
                        self.figures.get(key), low, high))
        return out


def purchasing_summary(engine: Engine, viewer: Viewer, view: analysis.OrderView,
                       chosen: dt.date | None) -> PurchasingSummary:
    """The brand's purchasing figures for ``view`` (``services.analysis.purchasing_summary``)
    and the benchmark published to it for the same choice (``chosen``: the month end chosen,
    None for the latest order data), under the Purchasing page's rules
    (:func:`services.analysis.benchmark_choice`)."""
    figures = analysis.purchasing_summary(orders.purchase_orders(engine, viewer),
                                          orders.relationships(engine, viewer), view)
    compare, country, reason = analysis.benchmark_choice(view)
    benchmark: dict[str, float] = {}
    if compare:
        benchmark = analysis.purchasing_benchmark(engine, viewer.require_brand(), view.months,
                                                  chosen, country)
        if not any(pd.notna(v) for v in benchmark.values()):
            benchmark, reason = {}, analysis.NO_BENCHMARK_TOO_FEW
    return PurchasingSummary(view, figures, benchmark, reason)
