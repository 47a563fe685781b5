"""Altair chart builders shared by the pages (labelled axes, tooltips, consistent colours)."""

from __future__ import annotations

import altair as alt
import pandas as pd

PORTFOLIO_COLOUR = "#1f5f8b"
BENCHMARK_COLOUR = "#b0b7bf"
STATUS_COLOURS = {
    "Assessed in the last 12 months": "#2e7d32",
    "Assessment older than 12 months": "#f9a825",
    "Never assessed": "#c62828",
}


def cluster_comparison(frame: pd.DataFrame, series_label: str, benchmark_label: str) -> alt.Chart:
    """Grouped horizontal bars: non-compliance rate per cluster, portfolio vs benchmark.

    ``frame`` is :func:`metrics.compliance.portfolio_vs_benchmark` output.
    """
    long = pd.concat(
        [
            frame.assign(series=series_label, rate=frame["portfolio_rate_pct"],
                         assessed=frame["portfolio_assessed"]),
            frame.assign(series=benchmark_label, rate=frame["benchmark_rate_pct"],
                         assessed=frame["benchmark_assessed"]),
        ],
        ignore_index=True,
    )[["cluster_name", "series", "rate", "assessed"]]
    order = list(frame["cluster_name"])
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("cluster_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
            yOffset=alt.YOffset("series:N", sort=[series_label, benchmark_label]),
            x=alt.X("rate:Q", title="Factories non-compliant (%)",
                    scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=[series_label, benchmark_label],
                                range=[PORTFOLIO_COLOUR, BENCHMARK_COLOUR]),
                legend=alt.Legend(orient="top", labelLimit=400),
            ),
            tooltip=[
                alt.Tooltip("cluster_name:N", title="Cluster"),
                alt.Tooltip("series:N", title="Group"),
                alt.Tooltip("rate:Q", title="Non-compliant (%)", format=".1f"),
                alt.Tooltip("assessed:Q", title="Factories assessed", format=","),
            ],
        )
        .properties(height=alt.Step(14))
    )


def suppliers_by_country(frame: pd.DataFrame) -> alt.Chart:
    """Stacked bars: suppliers per country by assessment status.

    ``frame``: ``country, status, suppliers``.
    """
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("suppliers:Q", title="Active suppliers"),
            y=alt.Y("country:N", sort="-x", title=None),
            color=alt.Color("status:N", title="Assessment",
                            scale=alt.Scale(domain=list(STATUS_COLOURS),
                                            range=list(STATUS_COLOURS.values())),
                            legend=alt.Legend(orient="top")),
            tooltip=[
                alt.Tooltip("country:N", title="Country"),
                alt.Tooltip("status:N", title="Assessment"),
                alt.Tooltip("suppliers:Q", title="Suppliers", format=","),
            ],
        )
    )
