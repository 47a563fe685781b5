"""Compliance indicators (DOMAIN.md §2, Better Work's analysis manual).

* A factory is non-compliant on a cluster (or compliance point) in an assessment if any
  non-compliance question under it has a finding of non-compliance. Information-only questions
  never count.
* The non-compliance rate of a group = factories non-compliant ÷ factories assessed, using each
  factory's latest assessment.
* Factory compliance % = 100 × (questions − violations) ÷ questions.

Rates over small groups carry their 95 % Wilson range and are compared with a benchmark only
from :data:`metrics.stats.MIN_GROUP_FOR_RATE` factories up (``metrics.stats``); benchmarks are
what disclosure control lets the viewer see (``metrics.disclosure``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from metrics.disclosure import SUPPRESSED, pool_published
from metrics.stats import enough_to_compare, wilson_interval
from reference.translation import N_

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


COMPARE_HIGHER = N_("Higher than the benchmark")
COMPARE_LOWER = N_("Lower than the benchmark")
COMPARE_UNCLEAR = N_("No clear difference")
COMPARE_TOO_FEW = N_("Too few to compare")
COMPARE_NO_BENCHMARK = N_("No benchmark")


def compare_with_benchmark(non_compliant, assessed, bench_low_pct, bench_high_pct,
                           bench_published) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Compare a group's rate (k of n) with a benchmark, honestly about small groups.

    Returns ``(low_pct, high_pct, verdict)``: the group's 95 % Wilson range
    (``metrics.stats``) and, per row, :data:`COMPARE_TOO_FEW` (fewer than
    ``MIN_GROUP_FOR_RATE`` factories), :data:`COMPARE_NO_BENCHMARK` (benchmark not published),
    :data:`COMPARE_HIGHER` / :data:`COMPARE_LOWER` (the benchmark, even as a range, lies wholly
    below / above the group's range) or :data:`COMPARE_UNCLEAR` (it lies inside: the difference
    could be chance).
    """
    low, high = wilson_interval(non_compliant, assessed)
    b_low = np.asarray(bench_low_pct, dtype="float64")
    b_high = np.asarray(bench_high_pct, dtype="float64")
    verdict = np.select(
        [~enough_to_compare(assessed), ~np.asarray(bench_published, dtype=bool),
         b_high < low, b_low > high],
        [COMPARE_TOO_FEW, COMPARE_NO_BENCHMARK, COMPARE_HIGHER, COMPARE_LOWER],
        COMPARE_UNCLEAR)
    return low, high, verdict


def portfolio_vs_benchmark(
    portfolio_status: pd.DataFrame, benchmark_cells: pd.DataFrame, clusters: pd.DataFrame
) -> pd.DataFrame:
    """Cluster non-compliance of the brand's portfolio next to its country benchmark.

    The benchmark pools the *published* country cells (``metrics.disclosure``: suppressed
    countries left out, banded ones as ranges) of the countries where the brand has assessed
    suppliers. Both sides use only factories whose latest assessment is inside the reporting
    window (the caller filters the portfolio; the benchmark cells are read that way).

    Args:
        portfolio_status: :func:`data_access.queries.latest_cluster_status` rows of the
            suppliers to show, already limited to the reporting window.
        benchmark_cells: :func:`metrics.disclosure.protect_cells` output per country and
            ``cluster_code`` for the portfolio's countries.
        clusters: ``cluster_code, cluster_name, sort_order`` reference.

    Returns:
        One row per cluster, in framework order: ``cluster_code, cluster_name,
        portfolio_assessed, portfolio_non_compliant, portfolio_rate_pct, portfolio_low_pct,
        portfolio_high_pct`` (95 % Wilson range), ``benchmark_assessed, benchmark_rate_pct``
        (exact, or the middle of a range), ``benchmark_low_pct, benchmark_high_pct,
        benchmark_publication, benchmark_left_out`` (suppressed country codes),
        ``difference_pct_points`` (portfolio − benchmark; NaN when too few to compare or no
        benchmark), ``comparison`` (:func:`compare_with_benchmark`'s verdict).
    """
    mine = non_compliance_rate(portfolio_status, ["cluster_code"]).rename(
        columns={"factories_assessed": "portfolio_assessed",
                 "factories_non_compliant": "portfolio_non_compliant",
                 "non_compliance_rate_pct": "portfolio_rate_pct"}
    )
    bench = pool_published(benchmark_cells, ["cluster_code"]).rename(columns={
        "factories_assessed": "benchmark_assessed", "rate_pct": "benchmark_rate_pct",
        "rate_low_pct": "benchmark_low_pct", "rate_high_pct": "benchmark_high_pct",
        "publication": "benchmark_publication", "left_out": "benchmark_left_out"})
    out = clusters[["cluster_code", "cluster_name", "sort_order"]].merge(
        mine, on="cluster_code", how="left"
    ).merge(bench, on="cluster_code", how="left")
    out["portfolio_assessed"] = out["portfolio_assessed"].fillna(0).astype(int)
    out["portfolio_non_compliant"] = out["portfolio_non_compliant"].fillna(0).astype(int)
    out["benchmark_assessed"] = out["benchmark_assessed"].fillna(0).astype(int)
    out["benchmark_publication"] = out["benchmark_publication"].fillna(SUPPRESSED)
    out["benchmark_left_out"] = out["benchmark_left_out"].apply(
        lambda v: v if isinstance(v, tuple) else ())
    for col in ("portfolio_rate_pct", "benchmark_rate_pct", "benchmark_low_pct",
                "benchmark_high_pct"):
        out[col] = out[col].astype(float)
    low, high, verdict = compare_with_benchmark(
        out["portfolio_non_compliant"], out["portfolio_assessed"], out["benchmark_low_pct"],
        out["benchmark_high_pct"], out["benchmark_publication"] != SUPPRESSED)
    out["portfolio_low_pct"], out["portfolio_high_pct"] = low, high
    out["comparison"] = verdict
    comparable = ~np.isin(verdict, [COMPARE_TOO_FEW, COMPARE_NO_BENCHMARK])
    out["difference_pct_points"] = np.where(
        comparable, out["portfolio_rate_pct"] - out["benchmark_rate_pct"], np.nan)
    columns = ["cluster_code", "cluster_name", "portfolio_assessed", "portfolio_non_compliant",
               "portfolio_rate_pct", "portfolio_low_pct", "portfolio_high_pct",
               "benchmark_assessed", "benchmark_rate_pct", "benchmark_low_pct",
               "benchmark_high_pct", "benchmark_publication", "benchmark_left_out",
               "difference_pct_points", "comparison"]
    return out.sort_values("sort_order")[columns].reset_index(drop=True)


def compliance_pct(questions: int, violations: int) -> float:
    """Factory compliance % = 100 × (questions − violations) ÷ questions; NaN if no questions."""
    if questions <= 0:
        return float("nan")
    if not 0 <= violations <= questions:
        raise ValueError("violations must be between 0 and the number of questions")
    return 100.0 * (questions - violations) / questions


def cluster_results(cp_results: pd.DataFrame) -> pd.DataFrame:
    """Roll compliance-point results up to clusters, per assessment.

    Args:
        cp_results: :func:`data_access.factories.compliance_point_results` output.

    Returns:
        ``assessment_id, factory_id, cluster_code, cluster_name, cluster_order,
        questions_assessed, questions_non_compliant, non_compliant (0/1), compliance_pct``
        where the cluster is non-compliant if any of its compliance points is, and
        compliance % = 100 × (questions − violations) ÷ questions.
    """
    columns = ["assessment_id", "factory_id", "cluster_code", "cluster_name", "cluster_order",
               "questions_assessed", "questions_non_compliant", "non_compliant",
               "compliance_pct"]
    if cp_results.empty:
        return pd.DataFrame(columns=columns)
    out = (
        cp_results.groupby(["assessment_id", "factory_id", "cluster_code", "cluster_name",
                            "cluster_order"], as_index=False)
        .agg(questions_assessed=("questions_assessed", "sum"),
             questions_non_compliant=("questions_non_compliant", "sum"),
             non_compliant=("non_compliant", "max"))
    )
    out["compliance_pct"] = (
        100.0 * (out["questions_assessed"] - out["questions_non_compliant"])
        / out["questions_assessed"].where(out["questions_assessed"] > 0)
    )
    return out.sort_values(["assessment_id", "cluster_order"]).reset_index(drop=True)[columns]


CHANGE_NEW = "Newly non-compliant"
CHANGE_REMEDIATED = "Remediated"
CHANGE_PERSISTENT = "Still non-compliant"


def changes_between(previous: pd.DataFrame, latest: pd.DataFrame) -> pd.DataFrame:
    """What changed between two assessments of one factory, question by question.

    Args:
        previous, latest: question findings (``question_code`` and ``non_compliant`` plus any
            descriptive columns) of the earlier and the later assessment; all questions
            assessed, not only the non-compliant ones.

    Returns:
        Questions whose status is non-compliant in either assessment, with ``change`` one of
        :data:`CHANGE_NEW` (compliant before, non-compliant now), :data:`CHANGE_REMEDIATED`
        (non-compliant before, compliant now — or not assessed now) and
        :data:`CHANGE_PERSISTENT`. Descriptive columns come from the latest assessment where
        present. A question absent from the previous assessment counts as compliant then.
    """
    key = "question_code"
    before = previous.set_index(key)["non_compliant"].astype(bool) if not previous.empty \
        else pd.Series(dtype=bool)
    now = latest.set_index(key)["non_compliant"].astype(bool) if not latest.empty \
        else pd.Series(dtype=bool)
    codes = sorted(set(before[before].index) | set(now[now].index))
    rows = []
    for code in codes:
        was, is_ = bool(before.get(code, False)), bool(now.get(code, False))
        change = CHANGE_PERSISTENT if was and is_ else (CHANGE_NEW if is_ else CHANGE_REMEDIATED)
        rows.append({key: code, "change": change})
    changes = pd.DataFrame(rows, columns=[key, "change"])
    descriptive = pd.concat([latest, previous]).drop_duplicates(key).drop(
        columns=["non_compliant", "assessment_id"], errors="ignore")
    return changes.merge(descriptive, on=key, how="left")
