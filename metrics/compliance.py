"""Compliance indicators (DOMAIN.md §2, Better Work's analysis manual).

* A factory is non-compliant on a cluster (or compliance point) in an assessment if any
  non-compliance question under it has a finding of non-compliance. Information-only questions
  never count.
* The non-compliance rate of a group = factories non-compliant ÷ factories assessed, using each
  factory's latest assessment.
* Factory compliance % = 100 × (questions − violations) ÷ questions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

RATE_COLUMNS = ["factories_assessed", "factories_non_compliant", "non_compliance_rate_pct"]


def non_compliance_rate(status: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Non-compliance rate per group.

    Args:
        status: one row per factory and unit (cluster or compliance point) with a
            ``non_compliant`` column (0/1 or bool) for the factory's latest assessment.
            Rows for factories never assessed must not be present.
        by: the grouping columns, e.g. ``["cluster_code"]``.

    Returns:
        ``by`` + ``factories_assessed``, ``factories_non_compliant``,
        ``non_compliance_rate_pct`` (0–100, NaN never occurs: empty groups are absent).
    """
    if status.empty:
        return pd.DataFrame(columns=[*by, *RATE_COLUMNS])
    grouped = (
        status.assign(non_compliant=status["non_compliant"].astype(int))
        .groupby(list(by), as_index=False)
        .agg(factories_assessed=("non_compliant", "size"),
             factories_non_compliant=("non_compliant", "sum"))
    )
    grouped["non_compliance_rate_pct"] = (
        100.0 * grouped["factories_non_compliant"] / grouped["factories_assessed"]
    )
    return grouped


def pooled_rate(counts: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Pool pre-aggregated counts (e.g. per country) into a rate per ``by`` group.

    Args:
        counts: rows with ``factories_assessed`` and ``factories_non_compliant``.

    Returns:
        ``by`` + :data:`RATE_COLUMNS`. A group with zero factories assessed has rate NaN.
    """
    if counts.empty:
        return pd.DataFrame(columns=[*by, *RATE_COLUMNS])
    pooled = counts.groupby(list(by), as_index=False)[
        ["factories_assessed", "factories_non_compliant"]
    ].sum()
    assessed = pooled["factories_assessed"].astype(float)
    pooled["non_compliance_rate_pct"] = np.where(
        assessed > 0, 100.0 * pooled["factories_non_compliant"] / assessed.replace(0, np.nan),
        np.nan,
    )
    return pooled


def portfolio_vs_benchmark(
    portfolio_status: pd.DataFrame, benchmark_counts: pd.DataFrame, clusters: pd.DataFrame
) -> pd.DataFrame:
    """Cluster non-compliance of the brand's portfolio next to its country benchmark.

    The benchmark is the pooled rate over all assessed factories in the countries where the
    brand has assessed suppliers (DOMAIN.md §2 formula applied to that group).

    Args:
        portfolio_status: :func:`data_access.queries.latest_cluster_status` output.
        benchmark_counts: :func:`data_access.queries.country_cluster_benchmark` output for the
            portfolio's countries.
        clusters: ``cluster_code, cluster_name, sort_order`` reference.

    Returns:
        One row per cluster, in framework order: ``cluster_code, cluster_name,
        portfolio_assessed, portfolio_non_compliant, portfolio_rate_pct, benchmark_assessed,
        benchmark_rate_pct, difference_pct_points`` (portfolio − benchmark).
    """
    mine = non_compliance_rate(portfolio_status, ["cluster_code"]).rename(
        columns={"factories_assessed": "portfolio_assessed",
                 "factories_non_compliant": "portfolio_non_compliant",
                 "non_compliance_rate_pct": "portfolio_rate_pct"}
    )
    bench = pooled_rate(benchmark_counts, ["cluster_code"]).rename(
        columns={"factories_assessed": "benchmark_assessed",
                 "factories_non_compliant": "benchmark_non_compliant",
                 "non_compliance_rate_pct": "benchmark_rate_pct"}
    )
    out = clusters[["cluster_code", "cluster_name", "sort_order"]].merge(
        mine, on="cluster_code", how="left"
    ).merge(bench, on="cluster_code", how="left")
    out["portfolio_assessed"] = out["portfolio_assessed"].fillna(0).astype(int)
    out["portfolio_non_compliant"] = out["portfolio_non_compliant"].fillna(0).astype(int)
    out["benchmark_assessed"] = out["benchmark_assessed"].fillna(0).astype(int)
    out["portfolio_rate_pct"] = out["portfolio_rate_pct"].astype(float)
    out["benchmark_rate_pct"] = out["benchmark_rate_pct"].astype(float)
    out["difference_pct_points"] = out["portfolio_rate_pct"] - out["benchmark_rate_pct"]
    return out.sort_values("sort_order").drop(columns=["sort_order", "benchmark_non_compliant"])\
        .reset_index(drop=True)


def compliance_pct(questions: int, violations: int) -> float:
    """Factory compliance % = 100 × (questions − violations) ÷ questions; NaN if no questions."""
    if questions <= 0:
        return float("nan")
    if not 0 <= violations <= questions:
        raise ValueError("violations must be between 0 and the number of questions")
    return 100.0 * (questions - violations) / questions
