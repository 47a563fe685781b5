"""Altair chart builders shared by the pages (labelled axes, tooltips, consistent colours)."""

from __future__ import annotations

import altair as alt
import pydeck as pdk
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


def _compliance_colour(pct: float | None) -> list[int]:
    """Red (≤ 70 % compliant) → amber → green (100 %); grey when never assessed."""
    if pct is None or pd.isna(pct):
        return [150, 150, 150, 180]
    t = min(1.0, max(0.0, (float(pct) - 70.0) / 30.0))
    return [int(198 - 152 * t), int(40 + 85 * t), int(40 + 10 * t), 200]


def supplier_map(frame: pd.DataFrame) -> pdk.Deck:
    """Factories as circles sized by workers and coloured by latest compliance %.

    ``frame`` needs ``lat, lng, name, country, workers, compliance_pct, latest_assessed_on``.
    """
    points = frame.assign(
        colour=[_compliance_colour(v) for v in frame["compliance_pct"]],
        radius=(frame["workers"].fillna(300).astype(float).clip(lower=100) ** 0.5) * 120,
        compliance_label=[("—" if pd.isna(v) else f"{v:.0f} %") for v in frame["compliance_pct"]],
        workers_label=[("—" if pd.isna(v) else f"{int(v):,}") for v in frame["workers"]],
        assessed_label=[("never" if pd.isna(v) else f"{v:%d %b %Y}")
                        for v in frame["latest_assessed_on"]],
    )[["lat", "lng", "name", "country", "colour", "radius", "compliance_label",
       "workers_label", "assessed_label"]]
    layer = pdk.Layer(
        "ScatterplotLayer",
        data=points,
        get_position="[lng, lat]",
        get_fill_color="colour",
        get_radius="radius",
        radius_min_pixels=3,
        radius_max_pixels=30,
        pickable=True,
        stroked=True,
        get_line_color=[255, 255, 255],
        line_width_min_pixels=1,
    )
    view = pdk.data_utils.compute_view(points[["lng", "lat"]].values.tolist())
    return pdk.Deck(
        layers=[layer],
        initial_view_state=view,
        map_style=None,
        tooltip={"html": "<b>{name}</b><br/>{country}<br/>Workers: {workers_label}<br/>"
                         "Compliance: {compliance_label}<br/>Last assessed: {assessed_label}"},
    )


def cluster_trend(frame: pd.DataFrame) -> alt.Chart:
    """Lines: compliance % per cluster across assessment cycles.

    ``frame``: ``cycle, assessed_on, cluster_name, cluster_order, compliance_pct,
    questions_non_compliant, questions_assessed``.
    """
    order = list(frame.sort_values("cluster_order")["cluster_name"].unique())
    base = alt.Chart(frame).encode(
        x=alt.X("cycle:O", title="Assessment cycle", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("compliance_pct:Q", title="Questions compliant (%)",
                scale=alt.Scale(zero=False)),
        color=alt.Color("cluster_name:N", title="Cluster", sort=order,
                        legend=alt.Legend(labelLimit=320)),
        tooltip=[
            alt.Tooltip("cluster_name:N", title="Cluster"),
            alt.Tooltip("cycle:O", title="Cycle"),
            alt.Tooltip("assessed_on:T", title="Assessed", format="%d %b %Y"),
            alt.Tooltip("compliance_pct:Q", title="Compliant (%)", format=".1f"),
            alt.Tooltip("questions_non_compliant:Q", title="Questions non-compliant"),
            alt.Tooltip("questions_assessed:Q", title="Questions assessed"),
        ],
    )
    return (base.mark_line() + base.mark_point(filled=True, size=60)).properties(height=360)


def comparison_heatmap(frame: pd.DataFrame) -> alt.Chart:
    """Factories × clusters: non-compliant or not in the latest assessment, with the country rate.

    ``frame``: ``factory, cluster_name, cluster_order, status, questions_non_compliant,
    questions_assessed, country_rate_pct``.
    """
    order = list(frame.sort_values("cluster_order")["cluster_name"].unique())
    base = alt.Chart(frame).encode(
        x=alt.X("factory:N", title=None, axis=alt.Axis(labelAngle=0, labelLimit=180)),
        y=alt.Y("cluster_name:N", title=None, sort=order, axis=alt.Axis(labelLimit=320)),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("status:N", title="Latest assessment",
                        scale=alt.Scale(domain=["Non-compliant", "Compliant", "Not assessed"],
                                        range=["#c62828", "#2e7d32", "#b0b7bf"]),
                        legend=alt.Legend(orient="top")),
        tooltip=[
            alt.Tooltip("factory:N", title="Factory"),
            alt.Tooltip("cluster_name:N", title="Cluster"),
            alt.Tooltip("status:N", title="Status"),
            alt.Tooltip("questions_non_compliant:Q", title="Questions non-compliant"),
            alt.Tooltip("questions_assessed:Q", title="Questions assessed"),
            alt.Tooltip("country_rate_pct:Q", title="Country: % non-compliant", format=".0f"),
        ],
    )
    labels = base.mark_text(color="white", fontSize=11).encode(
        text=alt.Text("questions_non_compliant:Q", format="d"))
    return (cells + labels).properties(height=alt.Step(34))
