"""The fast path and the naive baseline must give the same numbers: comparisons per page.

A mismatch is collected as a message; the benchmark fails (exit status 1) if there is any.
Floats compare with a relative tolerance of 1e-9 (SQL and pandas may add in another order);
missing values must be missing on both sides.
"""

from __future__ import annotations

import math
from dataclasses import asdict, is_dataclass
from typing import Any

import numpy as np
import pandas as pd

RTOL = 1e-9


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (
            isinstance(b, float) and math.isnan(b)):
        return _missing(a) and _missing(b)
    if isinstance(a, int | float | np.number) and isinstance(b, int | float | np.number):
        return math.isclose(float(a), float(b), rel_tol=RTOL, abs_tol=1e-9)
    return a == b


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def same_mapping(name: str, fast: Any, naive: Any) -> list[str]:
    """Every key of two dicts (or dataclasses) holds the same value."""
    fast = asdict(fast) if is_dataclass(fast) else dict(fast)
    naive = asdict(naive) if is_dataclass(naive) else dict(naive)
    problems = []
    if set(fast) != set(naive):
        problems.append(f"{name}: keys differ: {sorted(set(fast) ^ set(naive))}")
    for key in sorted(set(fast) & set(naive)):
        if not _same(fast[key], naive[key]):
            problems.append(f"{name}.{key}: fast {fast[key]!r} ≠ naive {naive[key]!r}")
    return problems


def same_column(name: str, fast: pd.DataFrame, naive: pd.DataFrame, key: str | list[str],
                columns: list[str]) -> list[str]:
    """The frames have the same keys and, per key, the same values in ``columns``."""
    keys = [key] if isinstance(key, str) else key
    left = fast[keys + columns].set_index(keys).sort_index()
    right = naive[keys + columns].set_index(keys).sort_index()
    problems = []
    if not left.index.equals(right.index):
        missing = right.index.difference(left.index)
        extra = left.index.difference(right.index)
        return [f"{name}: rows differ (fast lacks {len(missing)}, has {len(extra)} extra)"]
    for col in columns:
        a = pd.to_numeric(left[col], errors="coerce").astype(float).to_numpy()
        b = pd.to_numeric(right[col], errors="coerce").astype(float).to_numpy()
        both_nan = np.isnan(a) & np.isnan(b)
        close = np.isclose(a, b, rtol=RTOL, atol=1e-9) | both_nan
        if not close.all():
            bad = int((~close).sum())
            i = int(np.flatnonzero(~close)[0])
            problems.append(f"{name}.{col}: {bad} value(s) differ, e.g. key "
                            f"{left.index[i]!r}: fast {a[i]!r} ≠ naive {b[i]!r}")
    return problems


def compare_page(page: str, fast: dict[str, Any], naive: dict[str, Any]) -> list[str]:
    """What is compared on each page (the figures a user reads there)."""
    if page == "overview":
        return same_mapping("overview.headline", fast["headline"], naive["headline"]) + \
            same_column("overview.cluster_table", fast["cluster_table"], naive["cluster_table"],
                        "cluster_code", ["portfolio_assessed", "portfolio_non_compliant",
                                         "portfolio_rate_pct", "portfolio_low_pct",
                                         "benchmark_assessed", "benchmark_rate_pct",
                                         "benchmark_low_pct", "benchmark_high_pct",
                                         "difference_pct_points"])
    if page == "suppliers":
        columns = ["compliance_pct", "questions_assessed", "questions_non_compliant",
                   "non_compliant_cps", "open_plan_items", "overdue_plan_items"]
        return same_column("suppliers.directory", fast["directory"], naive["directory"],
                           "factory_id", [*columns, "risk_score"]) + \
            same_column("suppliers.directory_with_former", fast["everything"],
                        naive["everything"], "factory_id", columns)
    if page == "factory":
        problems = same_column("factory.latest_clusters", fast["latest_clusters"],
                               naive["latest_clusters"], "cluster_code",
                               ["questions_assessed", "questions_non_compliant",
                                "non_compliant", "compliance_pct"])
        problems += same_mapping("factory.counts",
                                 {"open": fast["open_plan_items"], "other": fast["other_buyers"]},
                                 {"open": naive["open_plan_items"],
                                  "other": naive["other_buyers"]})
        if fast["practices"] is not None:
            problems += same_mapping("factory.practices", fast["practices"].iloc[0].to_dict(),
                                     naive["practices"].iloc[0].to_dict())
        return problems
    if page == "compare":
        return same_column("compare.summary", fast["summary"].reset_index(),
                           naive["summary"].reset_index(), "factory_id", ["compliance_pct"])
    if page == "visibility":
        return same_mapping("visibility.figures", fast["figures"], naive["figures"]) + \
            same_column("visibility.over_time", fast["over_time"], naive["over_time"],
                        "month_end", ["share_pct"])
    if page == "purchasing":
        return same_mapping("purchasing.summary", fast["summary"], naive["summary"]) + \
            same_mapping("purchasing.benchmark", fast["benchmark"], naive["benchmark"]) + \
            same_column("purchasing.linked", fast["linked"], naive["linked"], "factory_id",
                        ["late_change_share_pct", "WT_nc_questions"])
    if page == "risk":
        problems = same_column("risk.ranking", fast["ranking"], naive["ranking"], "factory_id",
                               ["risk_score", "level_rank", "open_nc_core", "open_nc_other",
                                "reported_fixed_core", "reported_fixed_other", "zt_open",
                                "zt_reported_fixed", "zt_verified_fixed",
                                "assessment_age_days", "late_change_excess_pct_points",
                                "below_cost_excess_pct_points", "share_of_capacity_pct"])
        if list(fast["ranking"]["factory_id"]) != list(naive["ranking"]["factory_id"]):
            problems.append("risk.ranking: the factories are ranked in another order")
        return problems
    raise ValueError(page)
