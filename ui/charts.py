"""Altair chart builders shared by the pages (labelled axes, tooltips, consistent colours)."""

from __future__ import annotations

import html
import json

import altair as alt
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from metrics.compliance import COMPARE_TOO_FEW
from metrics.stats import format_range
from metrics.visibility import NOT_REPORTED
from ui.formatting import fmt_date, fmt_each, fmt_int, fmt_pct
from ui.i18n import N_, _, pgettext

#: Okabe & Ito's colour-blind-safe qualitative palette ("Color Universal Design", 2008)
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9",
             "bluish green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
             "vermillion": "#D55E00", "reddish purple": "#CC79A7"}
PORTFOLIO_COLOUR = OKABE_ITO["blue"]
BENCHMARK_COLOUR = "#B0B7BF"
#: never red against green: blue (good), yellow (ageing), vermillion (never); the legend and
#: tooltips name each status, so colour is never the only signal
STATUS_COLOURS = {
    N_("Assessed in the last 12 months"): OKABE_ITO["blue"],
    N_("Assessment older than 12 months"): OKABE_ITO["yellow"],
    N_("Never assessed"): OKABE_ITO["vermillion"],
}
#: the comparison heat map: each cell also carries a symbol (✗ non-compliant, ✓ compliant)
HEATMAP_COLOURS = {N_("Non-compliant"): OKABE_ITO["vermillion"],
                   N_("Compliant"): OKABE_ITO["blue"], N_("Not assessed"): "#DDDDDD"}
HEATMAP_SYMBOLS = {"Non-compliant": "✗", "Compliant": "✓", "Not assessed": "–"}
#: series told apart by colour *and* dash pattern *and* point shape (cluster trends)
SERIES_COLOURS = [OKABE_ITO[k] for k in ("blue", "orange", "bluish green", "vermillion",
                                         "reddish purple", "sky blue", "black", "yellow")]
SERIES_DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [1, 0], [6, 3], [2, 2], [8, 3, 2, 3]]
SERIES_SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down",
                 "circle", "square"]
#: the map's compliance ramp (viridis stops: dark purple = low, yellow = 100 %)
VIRIDIS = ["#440154", "#3B528B", "#21918C", "#5EC962", "#FDE725"]
#: axes that count things (suppliers, orders): whole numbers only
COUNT_AXIS = alt.Axis(tickMinStep=1, format="d")
#: month axes: one tick per month at most, each month written once ("Nov 2026")
MONTH_AXIS = alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 1},
                      labelOverlap="greedy", labelAngle=0)
#: the product's one date style in chart tooltips ("1 Nov 2026", ui/formatting.py)
DATE_FORMAT = "%-d %b %Y"
#: every palette whose colours must stay distinguishable for colour-blind readers
#: (tests/test_palettes.py simulates protanopia, deuteranopia and tritanopia on them)
PALETTES: dict[str, list[str]] = {
    "assessment status": list(STATUS_COLOURS.values()),
    "heat map": list(HEATMAP_COLOURS.values()),
    "portfolio vs benchmark": [PORTFOLIO_COLOUR, BENCHMARK_COLOUR],
    "series": SERIES_COLOURS,
}


def _translated(values: pd.Series) -> list[str]:
    """Labels the app defines (statuses, marked with ``N_``) in the session's language; a chart
    shows these, never the English codes its frame carries."""
    return [_(str(v)) if isinstance(v, str) else v for v in values]


def cluster_comparison(frame: pd.DataFrame, series_label: str, benchmark_label: str) -> alt.Chart:
    """Grouped horizontal bars: non-compliance rate per cluster, portfolio vs benchmark, each
    with a line across its range (the portfolio's 95 % range; the benchmark's published range
    where disclosure control gives one). A rate over too few factories, or a benchmark not
    shown, has no bar.

    ``frame`` is :func:`metrics.compliance.portfolio_vs_benchmark` output.
    """
    enough = frame["comparison"] != COMPARE_TOO_FEW
    published = frame["benchmark_publication"] != "suppressed"
    long = pd.concat(
        [
            frame.assign(series=series_label,
                         rate=frame["portfolio_rate_pct"].where(enough),
                         low=frame["portfolio_low_pct"].where(enough),
                         high=frame["portfolio_high_pct"].where(enough),
                         assessed=frame["portfolio_assessed"]),
            frame.assign(series=benchmark_label,
                         rate=frame["benchmark_rate_pct"].where(published),
                         low=frame["benchmark_low_pct"].where(published),
                         high=frame["benchmark_high_pct"].where(published),
                         assessed=frame["benchmark_assessed"]),
        ],
        ignore_index=True,
    )[["cluster_name", "series", "rate", "low", "high", "assessed"]]
    long["range"] = [format_range(lo, hi) for lo, hi in zip(long["low"], long["high"],
                                                             strict=True)]
    order = list(frame["cluster_name"])
    base = alt.Chart(long).encode(
        y=alt.Y("cluster_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        yOffset=alt.YOffset("series:N", sort=[series_label, benchmark_label]),
        tooltip=[
            alt.Tooltip("cluster_name:N", title=_("Cluster")),
            alt.Tooltip("series:N", title=_("Group")),
            alt.Tooltip("rate:Q", title=_("Non-compliant (%)"), format=".1f"),
            alt.Tooltip("range:N", title=_("Range")),
            alt.Tooltip("assessed:Q", title=_("Factories assessed"), format=","),
        ],
    )
    bars = base.mark_bar().encode(
        x=alt.X("rate:Q", title=_("Factories non-compliant (%)"), scale=alt.Scale(domain=[0, 100])),
        color=alt.Color(
            "series:N",
            title=None,
            scale=alt.Scale(domain=[series_label, benchmark_label],
                            range=[PORTFOLIO_COLOUR, BENCHMARK_COLOUR]),
            legend=alt.Legend(orient="top", labelLimit=400),
        ),
    )
    ranges = base.mark_rule(color="#333333", strokeWidth=1.5).encode(x="low:Q", x2="high:Q")
    return (bars + ranges).properties(height=alt.Step(14))


def suppliers_by_country(frame: pd.DataFrame) -> alt.Chart:
    """Stacked bars: suppliers per country by assessment status.

    ``frame``: ``country, status, suppliers`` (``status``: a :data:`STATUS_COLOURS` key, shown
    in the session's language).
    """
    return (
        alt.Chart(frame.assign(status=_translated(frame["status"])))
        .mark_bar()
        .encode(
            x=alt.X("suppliers:Q", title=_("Active suppliers"), axis=COUNT_AXIS),
            y=alt.Y("country:N", sort="-x", title=None),
            color=alt.Color("status:N", title=_("Assessment"),
                            scale=alt.Scale(domain=[_(s) for s in STATUS_COLOURS],
                                            range=list(STATUS_COLOURS.values())),
                            legend=alt.Legend(orient="top")),
            tooltip=[
                alt.Tooltip("country:N", title=_("Country")),
                alt.Tooltip("status:N", title=_("Assessment")),
                alt.Tooltip("suppliers:Q", title=_("Suppliers"), format=","),
            ],
        )
    )


def _compliance_colour(pct: float | None) -> list[int]:
    """Viridis from dark purple (≤ 70 % compliant) to yellow (100 %), readable with any
    colour vision (lightness carries the value); grey when never assessed."""
    if pct is None or pd.isna(pct):
        return [150, 150, 150, 180]
    t = min(1.0, max(0.0, (float(pct) - 70.0) / 30.0)) * (len(VIRIDIS) - 1)
    low = min(int(t), len(VIRIDIS) - 2)
    frac = t - low
    a, b = (tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in VIRIDIS[low:low + 2])
    return [round(x + (y - x) * frac) for x, y in zip(a, b, strict=True)] + [210]


class _CompactDeck(pdk.Deck):
    """A Deck whose JSON (what ``st.pydeck_chart`` sends) is written without indentation.

    pydeck indents its JSON, which makes Python's ``json`` fall back to its pure-Python encoder:
    ≈ 0.3–1 s per render for 5,000 factories, on every rerun (issue 7). The same JSON without
    indentation goes through the C encoder.
    """

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize)


def _assessed_label(value: object, locale: str | None = None) -> str:
    return pgettext("last assessed", "never") if pd.isna(value) else fmt_date(value,
                                                                               locale=locale)


def supplier_map(frame: pd.DataFrame) -> pdk.Deck:
    """Factories as circles sized by workers and coloured by latest compliance %.

    ``frame`` needs ``lat, lng, name, country, workers, compliance_pct, latest_assessed_on``.
    The tooltip is an HTML template, so the factory's name and country are HTML-escaped
    first: a name like ``<img src=…>`` shows as text and loads nothing.
    """
    points = frame.assign(
        name=[html.escape(str(v)) for v in frame["name"]],
        country=[html.escape(str(v)) for v in frame["country"]],
    ).assign(
        colour=[_compliance_colour(v) for v in frame["compliance_pct"]],
        radius=(frame["workers"].fillna(300).astype(float).clip(lower=100) ** 0.5) * 120,
        compliance_label=fmt_each(frame["compliance_pct"], fmt_pct),
        workers_label=fmt_each(frame["workers"], fmt_int),
        assessed_label=fmt_each(frame["latest_assessed_on"], _assessed_label),
    )[["lat", "lng", "name", "country", "colour", "radius", "compliance_label",
       "workers_label", "assessed_label"]]
    layer = pdk.Layer(
        "ScatterplotLayer",
        # records, not the frame: what Streamlit would convert it to (pandas 3), done once
        data=points.to_dict("records"),
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
    return _CompactDeck(layers=[layer], initial_view_state=view, map_style=None,
                        tooltip=supplier_map_tooltip())


def supplier_map_tooltip() -> dict[str, str]:
    """The supplier map's tooltip, in the session's language."""
    # the template's {…} are pydeck's fields, filled in the browser: the translations keep them
    return {"html": "<b>{name}</b><br/>{country}<br/>"  # i18n: ignore
                    + _("Workers: {workers_label}") + "<br/>"
                    + _("Compliance: {compliance_label}") + "<br/>"
                    + _("Last assessed: {assessed_label}")}


class _PrebuiltDeck(pdk.Deck):
    """A deck whose JSON was written before (a cached :func:`supplier_map`): Streamlit sends
    ``spec`` as it is, and reads the tooltip from the deck."""

    def __init__(self, spec: str, tooltip: dict[str, str]) -> None:
        super().__init__(layers=[], map_style=None, tooltip=tooltip)
        self._spec = spec

    def to_json(self) -> str:
        return self._spec


def prebuilt_deck(spec: str, tooltip: dict[str, str]) -> pdk.Deck:
    """A deck for ``st.pydeck_chart`` from the JSON of a deck made earlier (``deck.to_json()``
    of :func:`supplier_map`)."""
    return _PrebuiltDeck(spec, tooltip)


def cluster_trend(frame: pd.DataFrame) -> alt.Chart:
    """Lines: compliance % per cluster across assessment cycles.

    ``frame``: ``cycle, assessed_on, cluster_name, cluster_order, compliance_pct,
    questions_non_compliant, questions_assessed``.
    """
    order = list(frame.sort_values("cluster_order")["cluster_name"].unique())
    base = alt.Chart(frame).encode(
        x=alt.X("cycle:O", title=_("Assessment cycle"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("compliance_pct:Q", title=_("Questions compliant (%)"),
                scale=alt.Scale(zero=False)),
        color=alt.Color("cluster_name:N", title=_("Cluster"), sort=order,
                        scale=alt.Scale(domain=order, range=SERIES_COLOURS[:len(order)]),
                        legend=alt.Legend(labelLimit=320, symbolType="stroke")),
        strokeDash=alt.StrokeDash("cluster_name:N", sort=order, legend=None,
                                  scale=alt.Scale(domain=order,
                                                  range=SERIES_DASHES[:len(order)])),
        shape=alt.Shape("cluster_name:N", sort=order, legend=None,
                        scale=alt.Scale(domain=order, range=SERIES_SHAPES[:len(order)])),
        tooltip=[
            alt.Tooltip("cluster_name:N", title=_("Cluster")),
            alt.Tooltip("cycle:O", title=_("Cycle")),
            alt.Tooltip("assessed_on:T", title=_("Assessed"), format=DATE_FORMAT),
            alt.Tooltip("compliance_pct:Q", title=_("Compliant (%)"), format=".1f"),
            alt.Tooltip("questions_non_compliant:Q", title=_("Questions non-compliant")),
            alt.Tooltip("questions_assessed:Q", title=_("Questions assessed")),
        ],
    )
    return (base.mark_line(strokeWidth=2) + base.mark_point(filled=True, size=60)
            ).properties(height=360)


def comparison_heatmap(frame: pd.DataFrame,
                       factory_order: list[str] | None = None) -> alt.Chart:
    """Factories × clusters: non-compliant or not in the latest assessment, with the country rate.

    ``frame``: ``factory, cluster_name, cluster_order, status, questions_non_compliant,
    questions_assessed, country_rate`` (the published country benchmark, as text).
    """
    order = list(frame.sort_values("cluster_order")["cluster_name"].unique())
    frame = frame.assign(cell_text=[
        HEATMAP_SYMBOLS.get(status, "") + (f" {int(n)}" if status == "Non-compliant"
                                           and not pd.isna(n) else "")
        for status, n in zip(frame["status"], frame["questions_non_compliant"], strict=True)],
        status=_translated(frame["status"]))
    domain = [_(s) for s in HEATMAP_COLOURS]
    non_compliant, compliant = domain[:2]
    # the legend's entries (a Vega expression: the texts as JSON string literals)
    entries = [json.dumps(text) for text in (
        non_compliant, _("✗ Non-compliant (number: questions)"), compliant, _("✓ Compliant"),
        _("– Not assessed"))]
    legend_text = "datum.label == {} ? {} : datum.label == {} ? {} : {}".format(*entries)
    base = alt.Chart(frame).encode(
        x=alt.X("factory:N", title=None, sort=factory_order,
                axis=alt.Axis(labelAngle=0, labelLimit=180)),
        y=alt.Y("cluster_name:N", title=None, sort=order, axis=alt.Axis(labelLimit=320)),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("status:N", title=_("Latest assessment"),
                        scale=alt.Scale(domain=domain, range=list(HEATMAP_COLOURS.values())),
                        legend=alt.Legend(orient="top", labelExpr=legend_text,
                                          labelLimit=400)),
        tooltip=[
            alt.Tooltip("factory:N", title=_("Factory")),
            alt.Tooltip("cluster_name:N", title=_("Cluster")),
            alt.Tooltip("status:N", title=_("Status")),
            alt.Tooltip("questions_non_compliant:Q", title=_("Questions non-compliant")),
            alt.Tooltip("questions_assessed:Q", title=_("Questions assessed")),
            alt.Tooltip("country_rate:N", title=_("Country: factories non-compliant")),
        ],
    )
    labels = base.mark_text(fontSize=12, fontWeight="bold").encode(
        text=alt.Text("cell_text:N"),
        color=alt.Color("status:N", legend=None,
                        scale=alt.Scale(domain=domain,
                                        range=["#000000", "#FFFFFF", "#333333"])))
    # the text's colours are its own scale (shared, it would paint each symbol in its cell's
    # colour, i.e. invisibly)
    return (cells + labels).resolve_scale(color="independent").properties(height=alt.Step(34))


def tier_and_type(frame: pd.DataFrame) -> alt.Chart:
    """Stacked bars: suppliers per tier, split by facility type. ``tier, facility_type,
    suppliers``."""
    shown = frame.assign(
        tier_label=[_("Tier not stated") if pd.isna(t) else _("Tier {tier}").format(tier=int(t))
                    for t in frame["tier"]],
        facility_type=[_(NOT_REPORTED) if v == NOT_REPORTED else v
                       for v in frame["facility_type"]])
    return (
        alt.Chart(shown)
        .mark_bar()
        .encode(
            y=alt.Y("tier_label:N", title=None),
            x=alt.X("suppliers:Q", title=_("Suppliers"), axis=COUNT_AXIS),
            color=alt.Color("facility_type:N", title=_("Facility type"),
                            scale=alt.Scale(range=SERIES_COLOURS),
                            legend=alt.Legend(orient="bottom", columns=2, labelLimit=260)),
            tooltip=[alt.Tooltip("tier_label:N", title=_("Tier")),
                     alt.Tooltip("facility_type:N", title=_("Facility type")),
                     alt.Tooltip("suppliers:Q", title=_("Suppliers"), format=",")],
        )
    )


def pledge_fields(frame: pd.DataFrame) -> alt.Chart:
    """Bars: share of suppliers with each Transparency Pledge field. ``label, share_pct,
    suppliers_with_field``."""
    return (
        alt.Chart(frame.assign(label=_translated(frame["label"])))
        .mark_bar(color=PORTFOLIO_COLOUR)
        .encode(
            y=alt.Y("label:N", title=None, sort=None),
            x=alt.X("share_pct:Q", title=_("Suppliers with the field (%)"),
                    scale=alt.Scale(domain=[0, 100])),
            tooltip=[alt.Tooltip("label:N", title=_("Field")),
                     alt.Tooltip("share_pct:Q", title=_("Suppliers (%)"), format=".0f"),
                     alt.Tooltip("suppliers_with_field:Q", title=_("Suppliers"), format=",")],
        )
    )


def coverage_by_country(frame: pd.DataFrame) -> alt.Chart:
    """Bars: share of suppliers assessed in the last 12 months per country. ``country,
    suppliers, assessed_recently, share_pct``."""
    return (
        alt.Chart(frame)
        .mark_bar(color=PORTFOLIO_COLOUR)
        .encode(
            y=alt.Y("country:N", sort="-x", title=None),
            x=alt.X("share_pct:Q", title=_("Suppliers assessed in the last 12 months (%)"),
                    scale=alt.Scale(domain=[0, 100])),
            tooltip=[alt.Tooltip("country:N", title=_("Country")),
                     alt.Tooltip("suppliers:Q", title=_("Suppliers"), format=","),
                     alt.Tooltip("assessed_recently:Q", title=_("Assessed recently"),
                                 format=","),
                     alt.Tooltip("share_pct:Q", title=_("Share (%)"), format=".0f")],
        )
    )


def coverage_over_time(frame: pd.DataFrame) -> alt.Chart:
    """Line: share of suppliers with an assessment ≤ 12 months old at each month end.
    ``month_end, share_pct, assessed_recently, suppliers``."""
    return (
        alt.Chart(frame)
        .mark_line(point=True, color=PORTFOLIO_COLOUR)
        .encode(
            x=alt.X("yearmonth(month_end):T", title=_("Month"), axis=MONTH_AXIS),
            y=alt.Y("share_pct:Q", title=_("Assessed in the previous 12 months (%)"),
                    scale=alt.Scale(domain=[0, 100])),
            tooltip=[alt.Tooltip("month_end:T", title=_("Month end"), format=DATE_FORMAT),
                     alt.Tooltip("share_pct:Q", title=_("Share (%)"), format=".0f"),
                     alt.Tooltip("assessed_recently:Q", title=_("Suppliers assessed"),
                                 format=","),
                     alt.Tooltip("suppliers:Q", title=_("Suppliers"), format=",")],
        )
        .properties(height=300)
    )


#: legend entries of the trend chart's months
COMPLETE_MONTH = N_("Complete")
INCOMPLETE_MONTH = N_("Not yet complete")


def monthly_trend(frame: pd.DataFrame, label: str, unit: str,
                  band: tuple[float, float] | None = None) -> alt.LayerChart:
    """An indicator by month: a line through the complete months, every month as a point —
    months not yet complete (``complete`` False, see metrics.purchasing.monthly_trend) as
    hollow, lighter triangles with their own legend entry — and the other brands' typical
    range (``band``, the published benchmark) as a shaded strip.

    ``frame``: ``month, value, n, final_pct, complete``."""
    complete, incomplete = _(COMPLETE_MONTH), _(INCOMPLETE_MONTH)
    shown = frame.dropna(subset=["value"]).assign(
        status=lambda f: f["complete"].map({True: complete, False: incomplete}))
    x = alt.X("yearmonth(month):T", title=_("Month"),
              axis=MONTH_AXIS)
    # Translators: a chart axis: an indicator and its unit, e.g. "Median lead time (days)"
    y = alt.Y("value:Q", title=_("{label} ({unit})").format(label=label, unit=unit)
              if unit else label)
    tooltip = [alt.Tooltip("month:T", title=_("Month"), format="%b %Y"),
               alt.Tooltip("value:Q", title=label, format=".1f"),
               alt.Tooltip("n:Q", title=_("Orders that count"), format=","),
               alt.Tooltip("final_pct:Q", title=_("Orders with a final value (%)"),
                           format=".0f"),
               alt.Tooltip("status:N", title=_("Month"))]
    domain = [complete, incomplete]
    line = (alt.Chart(shown[shown["status"] == complete])
            .mark_line(color=PORTFOLIO_COLOUR).encode(x=x, y=y))
    points = (
        alt.Chart(shown)
        .mark_point(size=70, color=PORTFOLIO_COLOUR)
        .encode(
            x=x, y=y, tooltip=tooltip,
            shape=alt.Shape("status:N", scale=alt.Scale(domain=domain,
                                                       range=["circle", "triangle-up"]),
                            legend=alt.Legend(title=_("Month"), orient="bottom")),
            fill=alt.Fill("status:N", scale=alt.Scale(domain=domain,
                                                     range=[PORTFOLIO_COLOUR, "white"]),
                          legend=None),
            opacity=alt.Opacity("status:N", scale=alt.Scale(domain=domain, range=[1.0, 0.6]),
                                legend=None),
        )
    )
    chart = (line + points).properties(height=300)
    if band is None or any(pd.isna(v) for v in band):
        return chart
    strip = alt.Chart(pd.DataFrame({"low": [band[0]], "high": [band[1]],
                                    "label": [_("Other brands (typical range)")]})) \
        .mark_rect(color=BENCHMARK_COLOUR, opacity=0.35) \
        .encode(y="low:Q", y2="high:Q",
                tooltip=[alt.Tooltip("label:N", title=""),
                         alt.Tooltip("low:Q", title=pgettext("range", "From"), format=".2f"),
                         alt.Tooltip("high:Q", title=pgettext("range", "To"), format=".2f")])
    return (strip + line + points).properties(height=300)


def lead_time_histogram(frame: pd.DataFrame, required_median: float | None) -> alt.Chart:
    """Histogram of lead times (``lead_time_days``) with the factories' median required lead
    time as a rule."""
    bars = (
        # only the one column the chart bins: the browser gets 1/14 of the data (issue 7)
        alt.Chart(frame[["lead_time_days"]].dropna())
        .mark_bar(color=PORTFOLIO_COLOUR)
        .encode(
            x=alt.X("lead_time_days:Q", bin=alt.Bin(step=10), title=_("Lead time (days)")),
            y=alt.Y("count():Q", title=_("Orders"), axis=COUNT_AXIS),
            tooltip=[alt.Tooltip("lead_time_days:Q", bin=alt.Bin(step=10),
                                 title=_("Lead time (days)")),
                     alt.Tooltip("count():Q", title=_("Orders"), format=",")],
        )
        .properties(height=260)
    )
    if required_median is None or pd.isna(required_median):
        return bars
    rule = alt.Chart(pd.DataFrame({"x": [required_median]})).mark_rule(
        color="#c62828", strokeDash=[6, 4], size=2).encode(
        x="x:Q", tooltip=[alt.Tooltip("x:Q", title=_("Factories' required lead time (median)"))])
    return bars + rule


def practice_scatter(frame: pd.DataFrame, x: str, x_title: str, y: str,
                     y_title: str) -> alt.Chart:
    """One point per factory: a purchasing practice against a cluster's non-compliance."""
    return (
        alt.Chart(frame.dropna(subset=[x, y]))
        .mark_circle(size=70, opacity=0.7, color=PORTFOLIO_COLOUR)
        .encode(
            x=alt.X(f"{x}:Q", title=x_title),
            y=alt.Y(f"{y}:Q", title=y_title),
            tooltip=[alt.Tooltip("name:N", title=_("Factory")),
                     alt.Tooltip("country_code:N", title=_("Country")),
                     alt.Tooltip(f"{x}:Q", title=x_title, format=".1f"),
                     alt.Tooltip(f"{y}:Q", title=y_title),
                     alt.Tooltip("orders:Q", title=_("Orders in the year before the assessment"),
                                 format=","),
                     alt.Tooltip("share_of_capacity_pct:Q",
                                 title=_("Your share of its annual output (%)"), format=".1f")],
        )
        .properties(height=340)
    )
