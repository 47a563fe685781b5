"""The naive baseline: what a user might write instead of ``data_access``.

Whole tables are read with ``pd.read_sql("SELECT * FROM <table>")`` and filtered, joined and
aggregated in pandas; the *same* ``metrics`` functions then produce each page's figures. No SQL
aggregation, no index use beyond the full scans, no summary table, no cache.

Timing: every table is read once per run and its read time recorded; a page's baseline time is
the read time of the tables it needs (a naive page re-reads them on every render) plus its
pandas work. Reading each table once instead of once per page keeps the run short (reading
27 M findings takes minutes at scale L) without changing what is measured.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from metrics import visibility as vis
from metrics import zero_tolerance
from metrics.compliance import cluster_results, portfolio_vs_benchmark
from metrics.countries import country_name
from metrics.disclosure import protect_cells
from metrics.portfolio import REPORTING_WINDOW_DAYS, assessment_age_days, headline_figures
from metrics.purchasing import (
    INDICATORS,
    band_lower_edge,
    brand_summary,
    order_measures,
    orders_known_on,
    per_factory_practices,
    practices_before,
    share_of_capacity_pct,
)
from metrics.risk import rank, relative_practices, risk_scores
from reference import zero_tolerance_issues

TABLES = ("factory", "sourcing_relationship", "assessment", "finding", "question",
          "compliance_point", "cluster", "improvement_plan_item", "purchase_order",
          "import_run")

#: the tables each page's naive version reads
PAGE_TABLES: dict[str, tuple[str, ...]] = {
    "overview": ("factory", "sourcing_relationship", "assessment", "finding", "question",
                 "compliance_point", "cluster"),
    "suppliers": TABLES,
    "factory": TABLES,
    "compare": ("factory", "sourcing_relationship", "assessment", "finding", "question",
                "compliance_point", "cluster", "improvement_plan_item"),
    "visibility": ("factory", "sourcing_relationship", "assessment", "import_run"),
    "purchasing": TABLES,
    "risk": TABLES,
}
DATES = {"factory": ["updated_at"], "sourcing_relationship": ["start_date", "end_date"],
         "assessment": ["assessed_on"], "improvement_plan_item": ["due_date", "completed_on"],
         "purchase_order": ["confirmed_on", "ex_factory_on", "invoiced_on", "paid_on"],
         "import_run": ["finished_at"]}
BOOLS = {"sourcing_relationship": ["active", "publicly_disclosed"], "finding": ["non_compliant"],
         "question": ["public_disclosure", "zero_tolerance"],
         "cluster": ["core_labour_standard"],
         "purchase_order": ["changed_after_confirmation"]}
LINKED_CLUSTERS = ("WT", "COMP", "CHR")


class NaiveBaseline:
    """Whole tables in pandas, and each page's figures computed from them."""

    def __init__(self, engine: Engine, brand_id: int, today: dt.date,
                 orders_as_of: dt.date | None = None) -> None:
        self.engine = engine
        self.brand_id = brand_id
        self.today = today  # the pages' reference date
        self.orders_as_of = orders_as_of or today  # the order figures' date
        self.t: dict[str, pd.DataFrame] = {}
        self.read_seconds: dict[str, float] = {}

    def load(self) -> None:
        for table in TABLES:
            start = time.perf_counter()
            frame = pd.read_sql(f"SELECT * FROM {table}", self.engine)  # noqa: S608
            for col in DATES.get(table, []):
                frame[col] = pd.to_datetime(frame[col])
            for col in BOOLS.get(table, []):
                frame[col] = frame[col].astype(bool)
            self.t[table] = frame
            self.read_seconds[table] = time.perf_counter() - start

    def page_read_seconds(self, page: str) -> float:
        return sum(self.read_seconds[t] for t in PAGE_TABLES[page])

    # ---- building blocks ----------------------------------------------------------------

    def latest(self) -> pd.DataFrame:
        """Each factory's latest assessment: factory_id, assessment_id, assessed_on, cycle."""
        a = self.t["assessment"].sort_values(["factory_id", "assessed_on", "cycle"])
        last = a.groupby("factory_id").tail(1)
        return last.rename(columns={"id": "assessment_id"})[
            ["factory_id", "assessment_id", "assessed_on", "cycle"]]

    def relationships(self, *, include_inactive: bool) -> pd.DataFrame:
        rel = self.t["sourcing_relationship"]
        # closed and moved factories leave every figure (the app's default, issue 14)
        factory = self.t["factory"]
        operating = set(factory.loc[factory["status"] == "active", "id"])
        rel = rel[(rel["brand_id"] == self.brand_id) & rel["factory_id"].isin(operating)]
        return rel if include_inactive else rel[rel["active"]]

    def suppliers(self) -> pd.DataFrame:
        rel = self.relationships(include_inactive=False)
        out = rel[["factory_id", "tier", "start_date", "active", "publicly_disclosed"]].merge(
            self.t["factory"].rename(columns={"id": "factory_id"}), on="factory_id")
        latest = self.latest().rename(columns={"assessment_id": "latest_assessment_id",
                                               "assessed_on": "latest_assessed_on",
                                               "cycle": "latest_cycle"})
        return out.merge(latest, on="factory_id", how="left").sort_values("name") \
            .reset_index(drop=True)

    def question_frame(self) -> pd.DataFrame:
        q = self.t["question"].rename(columns={"id": "question_id", "code": "question_code"})
        cp = self.t["compliance_point"].rename(columns={"id": "compliance_point_id",
                                                        "code": "cp_code", "name": "cp_name",
                                                        "sort_order": "cp_order"})
        cl = self.t["cluster"].rename(columns={"id": "cluster_id", "code": "cluster_code",
                                               "name": "cluster_name",
                                               "sort_order": "cluster_order"})
        return q.merge(cp, on="compliance_point_id").merge(cl, on="cluster_id")

    def findings_of(self, assessment_ids) -> pd.DataFrame:
        f = self.t["finding"]
        f = f[f["assessment_id"].isin(set(assessment_ids))]
        q = self.question_frame()
        return f.merge(q[q["kind"] == "non_compliance"], on="question_id")

    def cluster_status(self, latest: pd.DataFrame) -> pd.DataFrame:
        found = self.findings_of(latest["assessment_id"])
        found["nc"] = found["non_compliant"].astype(int)
        status = found.groupby(["assessment_id", "cluster_code"], as_index=False).agg(
            non_compliant=("nc", "max"), questions_non_compliant=("nc", "sum"),
            questions_assessed=("nc", "size"))
        factory = self.t["factory"][["id", "country_code"]].rename(columns={"id": "factory_id"})
        return status.merge(latest[["factory_id", "assessment_id", "assessed_on"]],
                            on="assessment_id").merge(factory, on="factory_id")

    def latest_cluster_status(self) -> pd.DataFrame:
        own = set(self.relationships(include_inactive=False)["factory_id"])
        latest = self.latest()
        return self.cluster_status(latest[latest["factory_id"].isin(own)])

    def in_window(self, latest: pd.DataFrame) -> pd.DataFrame:
        """Latest assessments inside the reporting window on ``today``."""
        age = (pd.Timestamp(self.today) - latest["assessed_on"]).dt.days
        return latest[(age >= 0) & (age <= REPORTING_WINDOW_DAYS)]

    def country_benchmark(self, countries, level: str = "cluster") -> pd.DataFrame:
        """The benchmark cells the brand may see: counts over every factory of the countries
        with a latest assessment in the window, own factories apart, then disclosure control."""
        factory = self.t["factory"]
        in_countries = set(factory[factory["country_code"].isin(countries)]["id"])
        latest = self.in_window(self.latest())
        latest = latest[latest["factory_id"].isin(in_countries)]
        unit = "cluster_code" if level == "cluster" else "cp_code"
        found = self.findings_of(latest["assessment_id"]).merge(
            latest[["factory_id", "assessment_id"]], on="assessment_id")
        status = found.groupby(["factory_id", unit], as_index=False)["non_compliant"].max()
        status = status.merge(factory[["id", "country_code"]].rename(columns={"id": "factory_id"}),
                              on="factory_id")
        # "own" for disclosure control: every factory the brand has or had a relationship with,
        # closed and moved ones included — the brand knows their results (docs/indicators.md
        # §1b; data_access.queries.country_cluster_benchmark)
        rel = self.t["sourcing_relationship"]
        own = set(rel.loc[rel["brand_id"] == self.brand_id, "factory_id"])
        status["own"] = status["factory_id"].isin(own)
        status["own_nc"] = status["own"] & status["non_compliant"]
        raw = status.groupby(["country_code", unit], as_index=False).agg(
            factories_assessed=("factory_id", "size"),
            factories_non_compliant=("non_compliant", "sum"),
            own_assessed=("own", "sum"), own_non_compliant=("own_nc", "sum"))
        names = pd.Series({c: country_name(c) for c in raw["country_code"].unique()},
                          dtype="object")
        return protect_cells(raw, names)

    def clusters(self) -> pd.DataFrame:
        return self.t["cluster"].rename(columns={"code": "cluster_code", "name": "cluster_name"})

    def orders(self, *, brand_only: bool = True, since: dt.date | None = None) -> pd.DataFrame:
        po = self.t["purchase_order"]
        if brand_only:
            po = po[po["brand_id"] == self.brand_id]
        if since is not None:
            po = po[po["confirmed_on"] >= pd.Timestamp(since)]
        factory = self.t["factory"][["id", "country_code", "required_lead_time_days",
                                     "annual_output_units"]].rename(columns={"id": "factory_id"})
        out = po.rename(columns={"id": "po_id"}).merge(factory, on="factory_id")
        for col in ("fob_price_usd", "cost_usd", "amount_paid_usd", "units_forecast",
                    "required_lead_time_days", "annual_output_units"):
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
        return out.sort_values(["confirmed_on", "po_id"]).reset_index(drop=True)

    def order_relationships(self, brand_id: int | None = None) -> pd.DataFrame:
        """A brand's relationships with the first order ever per factory (relationship
        length), factories it only ordered from included."""
        brand_id = self.brand_id if brand_id is None else brand_id
        rel = self.t["sourcing_relationship"]
        rel = rel[rel["brand_id"] == brand_id][["factory_id", "start_date", "end_date",
                                                "active"]]
        po = self.t["purchase_order"]
        first = po[po["brand_id"] == brand_id].groupby("factory_id", as_index=False).agg(
            first_order_on=("confirmed_on", "min"))
        out = rel.merge(first, on="factory_id", how="outer")
        out["active"] = out["active"].astype("boolean").fillna(True).astype(bool)
        country = self.t["factory"][["id", "country_code"]].rename(columns={"id": "factory_id"})
        return out.merge(country, on="factory_id", how="left")

    def order_as_of(self, brand_id: int) -> dt.date:
        """A brand's newest order event (its order data's as-of date)."""
        po = self.t["purchase_order"]
        po = po[po["brand_id"] == brand_id]
        return max(po[c].max() for c in ("confirmed_on", "ex_factory_on", "invoiced_on",
                                          "paid_on")).date()

    def practices(self) -> pd.DataFrame:
        """Per-factory practices over all the brand's orders, as of the order data's date."""
        day = self.orders_as_of
        return per_factory_practices(orders_known_on(self.orders(), day), day,
                                     self.order_relationships())

    def directory(self, *, include_inactive: bool) -> pd.DataFrame:
        rel = self.relationships(include_inactive=include_inactive)
        latest = self.latest()
        own_latest = latest[latest["factory_id"].isin(set(rel["factory_id"]))]
        found = self.findings_of(own_latest["assessment_id"])
        stats = found.groupby("assessment_id").agg(
            questions_assessed=("non_compliant", "size"),
            questions_non_compliant=("non_compliant", "sum"),
            non_compliant_cps=("compliance_point_id",
                               lambda s: s[found.loc[s.index, "non_compliant"]].nunique()))
        plans = self.t["improvement_plan_item"].merge(
            self.t["assessment"][["id", "factory_id"]].rename(columns={"id": "assessment_id"}),
            on="assessment_id")
        plans = plans[plans["factory_id"].isin(set(rel["factory_id"]))]
        is_open = plans["status"] != "Completed"
        plans = plans.assign(open=is_open.astype(int), overdue=(
            is_open & (plans["due_date"] < pd.Timestamp(self.today))).astype(int))
        per_factory = plans.groupby("factory_id").agg(open_plan_items=("open", "sum"),
                                                       overdue_plan_items=("overdue", "sum"))
        out = rel[["factory_id", "tier", "active", "publicly_disclosed"]].merge(
            own_latest, on="factory_id", how="left").merge(
            stats, left_on="assessment_id", right_index=True, how="left").merge(
            per_factory, left_on="factory_id", right_index=True, how="left")
        for col in ("open_plan_items", "overdue_plan_items"):
            out[col] = out[col].fillna(0).astype(int)
        out["compliance_pct"] = 100.0 * (out["questions_assessed"]
                                         - out["questions_non_compliant"]) \
            / out["questions_assessed"]
        return out

    def open_non_compliance(self) -> pd.DataFrame:
        own = set(self.relationships(include_inactive=False)["factory_id"])
        latest = self.latest()
        latest = latest[latest["factory_id"].isin(own)]
        found = self.findings_of(latest["assessment_id"]).merge(
            latest[["factory_id", "assessment_id"]], on="assessment_id")
        found = found[found["non_compliant"] & ~found["zero_tolerance"]]
        items = self.t["improvement_plan_item"][["assessment_id", "question_id", "status"]]
        found = found.merge(items, on=["assessment_id", "question_id"], how="left")
        done = found["status"] == "Completed"
        core = found["core_labour_standard"].astype(bool)
        found = found.assign(open_nc_core=(~done & core).astype(int),
                             open_nc_other=(~done & ~core).astype(int),
                             reported_fixed_core=(done & core).astype(int),
                             reported_fixed_other=(done & ~core).astype(int))
        return found.groupby("factory_id", as_index=False)[
            ["open_nc_core", "open_nc_other", "reported_fixed_core", "reported_fixed_other"]
        ].sum()

    def zero_tolerance_findings(self) -> pd.DataFrame:
        """Non-compliant zero-tolerance findings of the brand's factories with the dates of the
        first later compliant / non-compliant answer (``metrics.zero_tolerance`` input)."""
        own = set(self.relationships(include_inactive=True)["factory_id"])
        a = self.t["assessment"].rename(columns={"id": "assessment_id"})
        a = a[a["factory_id"].isin(own) & (a["assessed_on"] <= pd.Timestamp(self.today))]
        q = self.question_frame().rename(columns={"text": "question_text"})
        q = q[q["zero_tolerance"] & (q["kind"] == "non_compliance")]
        f = self.t["finding"].merge(
            q[["question_id", "question_code", "question_text", "cluster_name", "cp_name"]],
            on="question_id").merge(a[["assessment_id", "factory_id", "assessed_on", "cycle"]],
                                    on="assessment_id")
        nc = f[f["non_compliant"]]
        pairs = nc.merge(f[["factory_id", "question_id", "assessed_on", "cycle",
                            "non_compliant"]], on=["factory_id", "question_id"],
                         suffixes=("", "_later"))
        later = pairs[(pairs["assessed_on_later"] > pairs["assessed_on"])
                      | ((pairs["assessed_on_later"] == pairs["assessed_on"])
                         & (pairs["cycle_later"] > pairs["cycle"]))]
        key = ["assessment_id", "question_id"]
        verified = later[~later["non_compliant_later"]].groupby(key)["assessed_on_later"].min()
        again = later[later["non_compliant_later"]].groupby(key)["assessed_on_later"].min()
        items = self.t["improvement_plan_item"][["assessment_id", "question_id", "status"]]
        out = nc.merge(items.rename(columns={"status": "plan_status"}), on=key, how="left")
        out = out.merge(verified.rename("verified_on").reset_index(), on=key, how="left") \
            .merge(again.rename("found_again_on").reset_index(), on=key, how="left")
        return out

    # ---- pages -----------------------------------------------------------------------------

    def overview(self) -> dict[str, Any]:
        suppliers = self.suppliers()
        status = self.latest_cluster_status()
        age = (pd.Timestamp(self.today) - status["assessed_on"]).dt.days
        current = status[(age >= 0) & (age <= REPORTING_WINDOW_DAYS)]
        countries = sorted(current["country_code"].unique())
        table = portfolio_vs_benchmark(current, self.country_benchmark(countries),
                                       self.clusters())
        return {"headline": headline_figures(suppliers, self.today), "cluster_table": table}

    def risk_table(self) -> pd.DataFrame:
        suppliers = self.suppliers()
        day = self.orders_as_of
        orders = orders_known_on(self.orders(), day)
        base = suppliers[["factory_id", "os_id", "name", "country_code", "city", "workers",
                          "tier", "latest_assessed_on"]].copy()
        base["assessment_age_days"] = assessment_age_days(base["latest_assessed_on"],
                                                          self.today)
        base = base.merge(self.open_non_compliance(), on="factory_id", how="left")
        assessed = base["latest_assessed_on"].notna()
        for col in ("open_nc_core", "open_nc_other", "reported_fixed_core",
                    "reported_fixed_other"):
            base[col] = np.where(assessed, base[col].fillna(0), np.nan)
        zero = zero_tolerance.per_factory(zero_tolerance.classify(
            self.zero_tolerance_findings(), zero_tolerance_issues()))
        base = base.merge(zero, on="factory_id", how="left")
        for col in ("zt_open", "zt_reported_fixed", "zt_verified_fixed"):
            base[col] = base[col].fillna(0).astype("int64")
        base = base.merge(relative_practices(order_measures(orders, day), day),
                          on="factory_id", how="left")
        base["share_of_capacity_pct"] = base["factory_id"].map(
            share_of_capacity_pct(orders, day))
        return rank(risk_scores(base))

    def suppliers_page(self) -> dict[str, Any]:
        everything = self.directory(include_inactive=True)
        directory = self.directory(include_inactive=False)
        directory = directory.merge(self.risk_table()[["factory_id", "risk_score"]],
                                    on="factory_id", how="left")
        return {"directory": directory, "everything": everything}

    def cp_results(self, factory_ids) -> pd.DataFrame:
        a = self.t["assessment"]
        a = a[a["factory_id"].isin(set(factory_ids))]
        found = self.findings_of(a["id"]).merge(
            a[["id", "factory_id"]].rename(columns={"id": "assessment_id"}), on="assessment_id")
        found["nc"] = found["non_compliant"].astype(int)
        return found.groupby(["assessment_id", "factory_id", "cluster_code", "cluster_name",
                              "cluster_order", "cp_code", "cp_name", "cp_order"],
                             as_index=False).agg(
            questions_assessed=("nc", "size"), questions_non_compliant=("nc", "sum"),
            non_compliant=("nc", "max"))

    def factory_page(self, factory_id: int) -> dict[str, Any]:
        a = self.t["assessment"]
        mine = a[a["factory_id"] == factory_id].sort_values(["assessed_on", "cycle"])
        latest_id = int(mine.iloc[-1]["id"])
        clusters = cluster_results(self.cp_results([factory_id]))
        plans = self.t["improvement_plan_item"]
        plans = plans[plans["assessment_id"].isin(set(mine["id"]))]
        rel = self.t["sourcing_relationship"]
        others = int(((rel["factory_id"] == factory_id) & rel["active"]
                      & (rel["brand_id"] != self.brand_id)).sum())
        practices = self.practices()
        return {"latest_clusters": clusters[clusters["assessment_id"] == latest_id],
                "open_plan_items": int((plans["status"] != "Completed").sum()),
                "other_buyers": others,
                "practices": practices[practices["factory_id"] == factory_id]}

    def compare_page(self, factory_ids) -> dict[str, Any]:
        cp = self.cp_results(factory_ids)
        latest = self.latest()
        latest_cp = cp[cp["assessment_id"].isin(set(latest["assessment_id"]))]
        clusters = cluster_results(latest_cp)
        per_factory = clusters.groupby("factory_id").agg(
            questions=("questions_assessed", "sum"),
            violations=("questions_non_compliant", "sum"))
        per_factory["compliance_pct"] = 100 * (per_factory["questions"]
                                               - per_factory["violations"]) \
            / per_factory["questions"]
        return {"summary": per_factory}

    def visibility_page(self) -> dict[str, Any]:
        suppliers = self.suppliers()
        a = self.t["assessment"]
        history = a[a["factory_id"].isin(set(suppliers["factory_id"]))][
            ["factory_id", "assessed_on"]].sort_values("assessed_on")
        months = vis.month_ends(pd.Timestamp(self.today) - pd.DateOffset(months=36), self.today)
        figures = {
            "suppliers": len(suppliers),
            "assessed_recently_pct": vis.share_assessed_recently_pct(suppliers, self.today),
            "os_id_pct": vis.share_with_os_id_pct(suppliers),
            "geolocated_pct": vis.share_geolocated_pct(suppliers),
            "disclosed_pct": vis.share_publicly_disclosed_pct(suppliers),
            "pledge_complete_pct": vis.pledge_completeness(suppliers).complete_pct,
            "workers": vis.workers_covered(suppliers),
            "women_pct": vis.women_pct(suppliers),
            "newest_days": self.facility_list_age_days(),
        }
        return {"figures": figures,
                "over_time": vis.assessed_share_over_time(history, suppliers, months)}

    def facility_list_age_days(self) -> float:
        """Days from the brand's newest facility import (else newest relationship start or
        end) to the reference date."""
        runs = self.t["import_run"]
        runs = runs[(runs["brand_id"] == self.brand_id) & (runs["kind"] == "facilities")]
        if len(runs):
            listed = runs["finished_at"].max().normalize()
        else:
            rel = self.relationships(include_inactive=True)
            listed = max(rel["start_date"].max(), rel["end_date"].max())
        return float(max(0, (pd.Timestamp(self.today) - listed).days))

    def brand_figures(self, brand_id: int, months: int, as_of: dt.date) -> dict[str, float]:
        """One brand's purchasing figures as its own page computes them: orders confirmed in
        the ``months`` months up to ``as_of``, as known that day, its relationships."""
        since = pd.Timestamp(as_of) - pd.DateOffset(months=months)
        if "_all_orders" not in self.__dict__:
            self._all_orders = self.orders(brand_only=False)
        po = self._all_orders
        po = po[(po["brand_id"] == brand_id) & (po["confirmed_on"] >= since)
                & (po["confirmed_on"] <= pd.Timestamp(as_of))]
        return brand_summary(orders_known_on(po, as_of), as_of,
                             self.order_relationships(brand_id))

    def purchasing_page(self, months: int) -> dict[str, Any]:
        summary = self.brand_figures(self.brand_id, months, self.orders_as_of)
        # the benchmark: each other brand as of its own order data, the median of the others
        brands = self.t["purchase_order"]["brand_id"].unique()
        others = pd.DataFrame([self.brand_figures(int(b), months, self.order_as_of(int(b)))
                               for b in brands if int(b) != self.brand_id])
        benchmark = {}
        for key, spec in INDICATORS.items():
            values = others[key].dropna()
            benchmark[key] = (float(band_lower_edge(values.median(), spec.unit))
                              if len(values) >= 5 else float("nan"))
        # the page's linkage scatter: orders placed in the year before each latest assessment
        latest = self.latest().set_index("factory_id")["assessed_on"]
        own = self.relationships(include_inactive=False)["factory_id"]
        practices = practices_before(self.orders(), latest[latest.index.isin(set(own))])
        status = self.latest_cluster_status()
        linked = status[status["cluster_code"].isin(LINKED_CLUSTERS)].pivot_table(
            index="factory_id", columns="cluster_code", values="questions_non_compliant",
            aggfunc="sum")
        linked.columns = [f"{c}_nc_questions" for c in linked.columns]
        linked = practices[["factory_id", "late_change_share_pct"]].merge(
            linked.reset_index(), on="factory_id")
        return {"summary": summary, "benchmark": benchmark, "linked": linked}

    def risk_page(self) -> dict[str, Any]:
        return {"ranking": self.risk_table()}
