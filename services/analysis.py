"""Analyses that combine several brand-scoped reads with metric functions.

No Streamlit here: ``ui/insights.py`` caches these for the pages, and the extract catalogue
calls them for downloads, so a page and its CSV always agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from data_access import as_of as data_as_of
from data_access import factories, orders, queries, summaries
from data_access.viewer import Viewer
from metrics import visibility as vis
from metrics import zero_tolerance
from metrics.association import compare_pairs
from metrics.compliance import cluster_results
from metrics.countries import country_name
from metrics.disclosure import protect_cells
from metrics.portfolio import (
    assessment_age_days,
    reporting_window_start,
    within_reporting_window,
)
from metrics.purchasing import (
    INDICATORS,
    OUTSIDE_BRAND,
    brand_summaries,
    brand_summary,
    order_data_as_of,
    order_measures,
    orders_known_on,
    per_factory_practices,
    practices_before,
    published_benchmarks,
    share_of_capacity_pct,
)
from metrics.risk import rank, relative_practices, risk_scores
from reference import zero_tolerance_issues
from reference.translation import N_

#: clusters research links to purchasing practices (DOMAIN.md §3)
LINKED_CLUSTERS = ("WT", "COMP", "CHR")
#: the practices and cluster outcomes the linkage section compares: 3 × 3 = 9 comparisons
LINK_PRACTICES = {"late_change_share_pct": "share of orders changed late",
                  "median_lead_time_days": "median lead time",
                  "below_cost_share_pct": "share of orders below cost"}
LINK_OUTCOMES = {"WT_nc_questions": "Working Time non-compliance",
                 "COMP_nc_questions": "Compensation non-compliance",
                 "CHR_nc_questions": "Contracts and Human Resources non-compliance"}


# ---- which orders a purchasing figure covers ----------------------------------------------------


@dataclass(frozen=True)
class OrderView:
    """The orders a purchasing figure is computed from, and as of when.

    ``as_of``: the order figures' reference date (the orders' as-of date, or an earlier month
    end chosen on the Purchasing page); ``months``: the period — orders confirmed in the
    ``months`` months up to ``as_of`` (None: every order up to ``as_of``); ``countries`` /
    ``factory_ids``: the page's filters (empty: all).
    """

    as_of: dt.date
    months: int | None = 12
    countries: tuple[str, ...] = ()
    factory_ids: tuple[int, ...] = ()

    @property
    def since(self) -> dt.date | None:
        if self.months is None:
            return None
        return (pd.Timestamp(self.as_of) - pd.DateOffset(months=self.months)).date()


def orders_in_view(all_orders: pd.DataFrame, view: OrderView) -> pd.DataFrame:
    """The brand's orders in ``view``: its countries and factories, confirmed from
    ``view.since`` up to ``view.as_of``, as the data stood on ``view.as_of``
    (metrics.purchasing.orders_known_on: later shipments, invoices and payments not yet
    happened)."""
    frame = all_orders
    if view.factory_ids:
        frame = frame[frame["factory_id"].isin([int(i) for i in view.factory_ids])]
    if view.countries:
        frame = frame[frame["country_code"].isin([c.upper() for c in view.countries])]
    if view.since is not None:
        frame = frame[frame["confirmed_on"] >= pd.Timestamp(view.since)]
    return orders_known_on(frame, view.as_of)


def relationships_in_view(relationships: pd.DataFrame, view: OrderView) -> pd.DataFrame:
    """The brand's relationships in ``view``'s countries and factories — not its period:
    relationship length does not depend on which months of orders are shown."""
    frame = relationships
    if view.factory_ids:
        frame = frame[frame["factory_id"].isin([int(i) for i in view.factory_ids])]
    if view.countries:
        frame = frame[frame["country_code"].isin([c.upper() for c in view.countries])]
    return frame


# the reasons are shown by the Purchasing page, which translates them (``_(reason)``)
NO_BENCHMARK_FACTORIES = N_("No comparison with other brands for a choice of factories: other "
                            "brands' orders with particular factories are not shown.")
NO_BENCHMARK_COUNTRIES = N_("No comparison with other brands for several countries at once: "
                            "choose one country, or all, to compare like with like.")
NO_BENCHMARK_TOO_FEW = N_("No comparison with other brands: fewer than five other brands have "
                          "orders for this choice.")


def benchmark_choice(view: OrderView) -> tuple[bool, str | None, str]:
    """Whether ``view`` is compared with other brands, like for like: ``(compare, country,
    reason)`` — the same period and reference date, and the same one country (None: all) for
    the other brands; never for a choice of factories or of several countries (``reason``
    says why not)."""
    if view.factory_ids:
        return False, None, NO_BENCHMARK_FACTORIES
    if len(view.countries) > 1:
        return False, None, NO_BENCHMARK_COUNTRIES
    return True, (view.countries[0] if view.countries else None), ""


#: the indicators of payments: their trend places an order in the month of its invoice
PAYMENT_INDICATORS = frozenset({"median_days_late", "on_time_in_full_pct"})


def trend_date_column(indicator: str) -> str:
    """The date that places an order in a month of ``indicator``'s trend: the invoice date
    for payment indicators, else the confirmation date."""
    return "invoiced_on" if indicator in PAYMENT_INDICATORS else "confirmed_on"


def purchasing_summary(all_orders: pd.DataFrame, relationships: pd.DataFrame,
                       view: OrderView) -> dict[str, float]:
    """The Purchasing page's headline figures (metrics.purchasing.brand_summary) for ``view``."""
    return brand_summary(orders_in_view(all_orders, view), view.as_of,
                         relationships_in_view(relationships, view))


def order_figures_date(all_orders: pd.DataFrame, as_of: dt.date) -> dt.date:
    """The date order figures are computed as of on a page whose reference date is ``as_of``:
    the brand's order as-of date (its newest order event) when that is earlier, so an invoice
    whose payment has not reached the data yet is not counted late. ``all_orders``: the
    brand's whole order book."""
    newest = order_data_as_of(all_orders)
    return min(as_of, newest.date()) if pd.notna(newest) else as_of


def factory_practices(engine: Engine, viewer: Viewer, as_of: dt.date,
                      all_orders: pd.DataFrame | None = None,
                      relationships: pd.DataFrame | None = None) -> pd.DataFrame:
    """The brand's purchasing practices per factory over all its orders, as of the page's
    reference date ``as_of`` — or of the order data's own as-of date when that is earlier
    (:func:`order_figures_date`). ``all_orders`` / ``relationships``: the brand's orders and
    relationships when the caller already holds them (e.g. from a cache)."""
    if all_orders is None:
        all_orders = orders.purchase_orders(engine, viewer)
    if relationships is None:
        relationships = orders.relationships(engine, viewer)
    day = order_figures_date(all_orders, as_of)
    return per_factory_practices(orders_known_on(all_orders, day), day, relationships)


def risk_table(engine: Engine, viewer: Viewer, as_of: dt.date,
               all_orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """The risk ranking of the brand's active suppliers (``metrics.risk``), most urgent first.

    Columns: ``factory_id, os_id, name, country_code, city, workers, tier,
    latest_assessed_on``, the risk inputs (:data:`metrics.risk.RISK_INPUT_COLUMNS` and
    :data:`metrics.risk.REASON_COLUMNS`), ``<component>_points``, ``risk_score``,
    ``risk_level``, ``level_rank``, ``reasons``, ``reason_list``.
    """
    suppliers = queries.suppliers(engine, viewer)
    if suppliers.empty:
        return pd.DataFrame()
    open_nc = factories.open_non_compliance(engine, viewer)
    zero = zero_tolerance.per_factory(zero_tolerance_states(
        factories.zero_tolerance_findings(engine, viewer, as_of)))
    if all_orders is None:
        all_orders = orders.purchase_orders(engine, viewer)
    base = suppliers[["factory_id", "os_id", "name", "country_code", "city", "workers", "tier",
                      "latest_assessed_on"]].copy()
    base["assessment_age_days"] = assessment_age_days(base["latest_assessed_on"], as_of)
    base = base.merge(open_nc, on="factory_id", how="left")
    assessed = base["latest_assessed_on"].notna()
    for col in ("open_nc_core", "open_nc_other", "reported_fixed_core", "reported_fixed_other"):
        # never assessed: unknown, not zero (the level says "Unknown — needs assessment")
        base[col] = np.where(assessed, base[col].fillna(0), np.nan)
    base = base.merge(zero, on="factory_id", how="left")
    for col in ("zt_open", "zt_reported_fixed", "zt_verified_fixed"):
        base[col] = base[col].fillna(0).astype("int64")
    if all_orders.empty:
        relative = relative_practices(all_orders, as_of)
        capacity = pd.Series(dtype="float64", name="share_of_capacity_pct")
    else:
        # order figures as of the orders' own date when it is earlier (order_figures_date)
        day = order_figures_date(all_orders, as_of)
        known = orders_known_on(all_orders, day)
        relative = relative_practices(order_measures(known, day), day)
        capacity = share_of_capacity_pct(known, day)
    base = base.merge(relative, on="factory_id", how="left")
    base["share_of_capacity_pct"] = base["factory_id"].map(capacity)
    return rank(risk_scores(base))


def zero_tolerance_states(findings: pd.DataFrame) -> pd.DataFrame:
    """``metrics.zero_tolerance.classify`` of the findings, each issue named in the framework's
    plain words (``reference``: "emergency exits locked during working hours")."""
    return zero_tolerance.classify(findings, zero_tolerance_issues())


@dataclass(frozen=True)
class Comparison:
    """The comparison page's figures for the chosen factories (in the chosen order)."""

    brief: pd.DataFrame  # factories_brief
    labels: dict[int, str]  # factory id -> name (with the city when two names are equal)
    latest: pd.DataFrame  # each factory's latest assessment
    latest_cp: pd.DataFrame  # its compliance-point results
    clusters: pd.DataFrame  # its cluster results (metrics.compliance.cluster_results)
    summary: pd.DataFrame  # one row per factory: assessment, plan, zero-tolerance, risk columns


#: the risk ranking's columns the comparison shows beside the assessment ones
COMPARISON_RISK_COLUMNS = ["risk_level", "risk_score", "late_change_share_pct",
                           "below_cost_share_pct", "share_of_capacity_pct"]


def compare_factories(chosen: Sequence[int], as_of: dt.date, *, brief: pd.DataFrame,
                      assessments: pd.DataFrame, cp: pd.DataFrame, plans: pd.DataFrame,
                      zero: pd.DataFrame, ranking: pd.DataFrame) -> Comparison:
    """The comparison of ``chosen`` factories as of ``as_of`` from the brand's reads of them
    (``factories_brief``, their assessments, compliance-point results and plan items), their
    zero-tolerance issues per factory (``metrics.zero_tolerance.per_factory``) and the risk
    ranking (:func:`risk_table`)."""
    # label factories by name; disambiguate equal names with the city
    labels = dict(zip(brief["factory_id"], brief["name"], strict=True))
    if brief["name"].duplicated().any():
        labels = dict(zip(brief["factory_id"], brief["name"] + " (" + brief["city"].fillna("")
                          + ")", strict=True))
    latest = assessments.sort_values(["assessed_on", "cycle"]).groupby("factory_id").tail(1)
    latest_cp = cp[cp["assessment_id"].isin(set(latest["assessment_id"]))]
    clusters = cluster_results(latest_cp)
    open_items = plans[plans["status"] != "Completed"].groupby("factory_id").size()
    overdue = plans[(plans["status"] != "Completed")
                    & (plans["due_date"] < pd.Timestamp(as_of))].groupby("factory_id").size()
    done = plans[plans["status"] == "Completed"].groupby("factory_id").size()
    total = plans.groupby("factory_id").size()
    per_factory = clusters.groupby("factory_id").agg(
        questions=("questions_assessed", "sum"), violations=("questions_non_compliant", "sum"),
        clusters_nc=("non_compliant", "sum"))
    summary = brief.set_index("factory_id").join(
        latest.set_index("factory_id")[["assessed_on", "cycle"]]).join(per_factory)
    summary["compliance_pct"] = 100 * (summary["questions"] - summary["violations"]) \
        / summary["questions"]
    summary["non_compliant_cps"] = latest_cp.groupby("factory_id")["non_compliant"].sum()
    summary["open_items"] = open_items
    summary["overdue_items"] = overdue
    summary["plan_done_pct"] = 100 * done.reindex(summary.index).fillna(0) / total
    live = zero.set_index("factory_id")[["zt_open", "zt_reported_fixed"]].sum(axis=1)
    summary["zero_tolerance"] = live.reindex(summary.index).fillna(0).astype(int)
    summary["outdated"] = summary["assessed_on"].notna() & ~within_reporting_window(
        summary["assessed_on"], as_of)
    summary = summary.reindex(list(chosen)).reset_index()  # the chosen order everywhere
    summary["factory"] = summary["factory_id"].map(labels)
    # risk and purchasing figures beside the assessment ones (the Risk ranking's figures)
    risk_cols = COMPARISON_RISK_COLUMNS
    summary = summary.merge(ranking[["factory_id", *risk_cols]] if not ranking.empty else
                            pd.DataFrame(columns=["factory_id", *risk_cols]),
                            on="factory_id", how="left")
    return Comparison(brief, labels, latest, latest_cp, clusters, summary)


def country_benchmark(engine: Engine, viewer: Viewer, countries: Sequence[str], as_of: dt.date,
                      *, level: str = "cluster") -> pd.DataFrame:
    """The country benchmark cells the viewer may see: every factory in ``countries`` whose
    latest assessment is inside the reporting window on ``as_of``, per country and cluster
    (``level="cluster"``) or compliance point (``"cp"``), after disclosure control
    (``metrics.disclosure.protect_cells``: suppressed, banded or exact). The raw counts never
    leave this function.

    Columns: ``country_code``, ``cluster_code`` or ``cp_code``, then
    :data:`metrics.disclosure.PROTECTED_COLUMNS`.
    """
    since = reporting_window_start(as_of)
    if level == "cluster":
        raw = queries.country_cluster_benchmark(engine, viewer, countries, since, as_of)
    elif level == "cp":
        raw = factories.country_compliance_point_benchmark(engine, viewer, countries, since,
                                                           as_of)
    else:
        raise ValueError(f"unknown benchmark level {level!r}")
    names = pd.Series({code: country_name(code) for code in raw["country_code"].unique()},
                      dtype="object")
    return protect_cells(raw, names)


def practices_and_conditions(engine: Engine, viewer: Viewer,
                             all_orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per assessed factory: the brand's practices in the year before the factory's latest
    assessment (metrics.purchasing.practices_before: only orders placed before it) next to the
    non-compliance that assessment found on the clusters research links to them.

    Columns: ``factory_id, name, country_code, assessed_on, orders, late_change_share_pct,
    median_lead_time_days, below_cost_share_pct, share_of_capacity_pct`` and, per linked
    cluster, ``<code>_nc_questions``. Factories with too few orders in that year are left out.
    """
    if all_orders is None:
        all_orders = orders.purchase_orders(engine, viewer)
    suppliers = queries.suppliers(engine, viewer)
    status = queries.latest_cluster_status(engine, viewer)
    assessed = suppliers.dropna(subset=["latest_assessed_on"]).set_index("factory_id")
    practices = practices_before(all_orders, assessed["latest_assessed_on"])
    linked = status[status["cluster_code"].isin(LINKED_CLUSTERS)].pivot_table(
        index="factory_id", columns="cluster_code", values="questions_non_compliant",
        aggfunc="sum")
    linked.columns = [f"{c}_nc_questions" for c in linked.columns]
    out = suppliers[["factory_id", "name", "country_code", "latest_assessed_on"]].rename(
        columns={"latest_assessed_on": "assessed_on"}).merge(practices, on="factory_id")
    return out.merge(linked.reset_index(), on="factory_id")


def link_comparisons(linked: pd.DataFrame) -> pd.DataFrame:
    """The nine practice × cluster comparisons of the linkage section, with p-values corrected
    for making nine (metrics.association.compare_pairs)."""
    present = {k: v for k, v in LINK_OUTCOMES.items() if k in linked.columns}
    return compare_pairs(linked, LINK_PRACTICES, present)


# ---- the cross-brand purchasing benchmark --------------------------------------------------------


def compute_published_benchmarks(
    engine: Engine, months: int | None, chosen: dt.date | None, country: str | None,
) -> dict[int, dict[str, float]]:
    """Every brand's published benchmark for one choice (metrics.purchasing.published_benchmarks).

    Like for like: each brand's figure is computed as that brand's own page computes it — over
    its orders in the same ``country`` (None: all), confirmed in the ``months`` months (None:
    all) up to its reference date, as the data stood that day, with its relationships there.
    The reference date is the brand's own order as-of date, or ``chosen`` (a month end) when
    that is earlier.

    Returns:
        brand id → {indicator: lower edge of the published band, NaN: not published}, plus
        :data:`metrics.purchasing.OUTSIDE_BRAND` for a brand without orders in the choice.
    """
    return compute_published_benchmarks_for(engine, (months,), chosen, country)[months]


def _since(day: dt.date, months: int | None) -> dt.date | None:
    return None if months is None else (pd.Timestamp(day) - pd.DateOffset(months=months)).date()


def compute_published_benchmarks_for(
    engine: Engine, periods: Sequence[int | None], chosen: dt.date | None, country: str | None,
) -> dict[int | None, dict[int, dict[str, float]]]:
    """:func:`compute_published_benchmarks` for several periods at once, from one read of every
    brand's orders (the read is most of the cost). Returns period → brand id → figures."""
    out: dict[int | None, dict[int, dict[str, float]]] = {months: {} for months in periods}
    dates = data_as_of.order_dates_by_brand(engine)
    if not dates or not periods:
        return out
    as_of_of = {b: (min(d, chosen) if chosen else d) for b, d in dates.items()}
    earliest = min(as_of_of.values())
    since = (None if any(m is None for m in periods)
             else _since(earliest, max(m for m in periods if m is not None)))
    feed = orders.benchmark_feed(engine, since=since, until=max(as_of_of.values()),
                                 country=country, order_dates=dates)
    if feed.orders.empty:
        return out
    brand_of_key = {k: b for b, k in feed.key_of_brand.items()}
    day_of_key = pd.Series({k: as_of_of[brand_of_key[k]] for k in brand_of_key})
    groups = day_of_key.groupby(day_of_key).groups.items()
    for months in periods:
        parts = []
        for day, keys in groups:
            subset = feed.orders[feed.orders["brand_key"].isin(list(keys))]
            start = _since(day, months)
            if start is not None:
                subset = subset[subset["confirmed_on"] >= pd.Timestamp(start)]
            subset = orders_known_on(subset, day)
            if subset.empty:
                continue
            rel = feed.relationships[feed.relationships["brand_key"].isin(list(keys))]
            parts.append(brand_summaries(subset, day, rel, by="brand_key"))
        if not parts:
            continue
        published = published_benchmarks(pd.concat(parts))
        result = {}
        for key, row in published.iterrows():
            brand = OUTSIDE_BRAND if key == OUTSIDE_BRAND else brand_of_key[int(key)]
            result[brand] = {k: float(v) for k, v in row.items() if k in INDICATORS}
        out[months] = result
    return out


#: the periods the Purchasing page offers (months; None: all orders) — stored after each import
BENCHMARK_PERIODS: tuple[int | None, ...] = (12, 24, 36, None)


def refresh_stored_benchmarks(engine: Engine,
                              periods: Sequence[int | None] = BENCHMARK_PERIODS) -> int:
    """Compute and store the cross-brand benchmark of every period the Purchasing page offers,
    as of each brand's latest order data and over all countries (the page's choices before a
    country or an earlier month end is chosen), for the current data version — so that no page
    view computes it. Run right after every import (:mod:`data_access.summaries`'
    after-change hooks, registered below) and after the demo data is generated; the rarer
    choices (one country, an earlier month end) are computed by their first view and stored.
    Returns how many choices were stored."""
    version = summaries.current_data_version(engine)
    computed = compute_published_benchmarks_for(engine, periods, None, None)
    return sum(summaries.store_benchmark(engine, summaries.benchmark_key(months, None, None),
                                         version, computed[months])
               for months in periods)


summaries.register_after_data_change(refresh_stored_benchmarks)


def purchasing_benchmark(engine: Engine, brand_id: int, months: int | None,
                         chosen: dt.date | None, country: str | None) -> dict[str, float]:
    """The benchmark ``brand_id`` may see for a choice of period, reference month end and
    country: per indicator, the lower edge of the band around the median of the *other*
    brands (NaN: fewer than five other brands have a value). Empty dict: no benchmark at all.

    Computed once per choice and data version for every brand and process, and stored in the
    ``purchasing_benchmark`` table (data_access/summaries.py) — only published figures are
    stored, never a brand's own value, since reading every brand's orders is the one expensive
    read of the app (issue 7).
    """
    key = summaries.benchmark_key(months, chosen, country)
    version, stored = summaries.stored_benchmark(engine, key, brand_id)
    if stored is not None:
        return stored
    computed = compute_published_benchmarks(engine, months, chosen, country)
    summaries.store_benchmark(engine, key, version, computed)
    return computed.get(brand_id, computed.get(OUTSIDE_BRAND, {}))


@dataclass(frozen=True)
class VisibilityView:
    """Everything the Visibility page shows for one set of suppliers (computed once per data
    version, day and country choice; the page only draws it)."""

    figures: dict[str, float]  # the KPIs, keyed as in the benchmark's equality check
    gaps: list[dict]
    pledge_per_field: pd.DataFrame
    tier_and_type: pd.DataFrame
    coverage: pd.DataFrame  # by country, with the country's name
    over_time: pd.DataFrame


def facility_list_age_days(facility_list: dt.date | None, today: dt.date) -> float:
    """Days from the brand's facility-list date (data_access.as_of: its newest import, else its
    newest relationship change) to the reference date ``today``; 0 when the list is newer;
    NaN without a list. Never the factories' own record dates: another brand's import of a
    shared factory must not show as a change to this brand's list."""
    if facility_list is None:
        return float("nan")
    return float(max(0, (today - facility_list).days))


def visibility_view(suppliers: pd.DataFrame, history: pd.DataFrame,
                    today: dt.date, facility_list: dt.date | None = None) -> VisibilityView:
    """The visibility indicators of ``suppliers`` (metrics/visibility.py), their gaps and the
    frames behind the page's charts; ``history`` is the brand's assessment history,
    ``facility_list`` the date of its facility list (:func:`facility_list_age_days`)."""
    pledge = vis.pledge_completeness(suppliers)
    figures = {
        "suppliers": len(suppliers),
        "assessed_recently_pct": vis.share_assessed_recently_pct(suppliers, today),
        "os_id_pct": vis.share_with_os_id_pct(suppliers),
        "geolocated_pct": vis.share_geolocated_pct(suppliers),
        "disclosed_pct": vis.share_publicly_disclosed_pct(suppliers),
        "pledge_complete_pct": pledge.complete_pct,
        "workers": vis.workers_covered(suppliers),
        "women_pct": vis.women_pct(suppliers),
        "newest_days": facility_list_age_days(facility_list, today),
    }
    coverage = vis.coverage_by_country(suppliers, today)
    coverage["country"] = coverage["country_code"].map(country_name)
    history = history[history["factory_id"].isin(suppliers["factory_id"])]
    months = vis.month_ends(pd.Timestamp(today) - pd.DateOffset(months=36), today)
    return VisibilityView(
        figures=figures,
        gaps=vis.gaps(suppliers, today),
        pledge_per_field=pledge.per_field,
        tier_and_type=vis.suppliers_by_tier_and_type(suppliers),
        coverage=coverage,
        over_time=vis.assessed_share_over_time(history, suppliers, months),
    )
