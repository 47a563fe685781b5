"""Chart axes read plainly: counts in whole numbers, each month once, one date style."""

from __future__ import annotations

import json

import pandas as pd

from ui import charts


def _spec(chart) -> str:
    return json.dumps(chart.to_dict())


def _x_encodings(chart) -> list[dict]:
    spec = chart.to_dict()
    layers = spec.get("layer", [spec])
    return [layer.get("encoding", {}).get("x", {}) for layer in layers]


def test_count_axes_show_whole_numbers_only():
    frame = pd.DataFrame({"country": ["Viet Nam"] * 2, "status": list(charts.STATUS_COLOURS)[:2],
                          "suppliers": [1, 2]})
    x = charts.suppliers_by_country(frame).to_dict()["encoding"]["x"]
    assert x["axis"]["format"] == "d" and x["axis"]["tickMinStep"] == 1
    orders = charts.lead_time_histogram(pd.DataFrame({"lead_time_days": [30, 45, 60]}), None)
    y = orders.to_dict()["encoding"]["y"]
    assert y["axis"]["format"] == "d" and y["axis"]["tickMinStep"] == 1


def test_month_axes_tick_once_a_month_at_most():
    months = pd.date_range("2025-01-31", periods=3, freq="ME")
    trend = charts.monthly_trend(pd.DataFrame({"month": months, "value": [1.0, 2.0, 3.0],
                                               "n": [5, 5, 5], "final_pct": [100, 100, 80],
                                               "complete": [True, True, False]}), "Lead time",
                                 "days")
    coverage = charts.coverage_over_time(pd.DataFrame({
        "month_end": months, "share_pct": [50.0, 60.0, 70.0], "assessed_recently": [1, 2, 3],
        "suppliers": [4, 4, 4]}))
    for chart in (trend, coverage):
        for x in _x_encodings(chart):
            if not x:
                continue
            assert x["timeUnit"] == "yearmonth"  # one value per month, never a day
            assert x["axis"]["tickCount"] == {"interval": "month", "step": 1}
            assert x["axis"]["format"] == "%b %Y"


def test_tooltips_use_the_one_date_style():
    assert charts.DATE_FORMAT == "%-d %b %Y"  # "1 Nov 2026", as ui.formatting.fmt_date
    assert "%d %b %Y" not in _spec(charts.coverage_over_time(pd.DataFrame({
        "month_end": pd.date_range("2025-01-31", periods=2, freq="ME"),
        "share_pct": [1.0, 2.0], "assessed_recently": [1, 2], "suppliers": [3, 3]})))


def test_heat_map_cells_carry_a_symbol_and_follow_the_given_order():
    frame = pd.DataFrame({"factory": ["A", "B"], "cluster_name": ["X", "X"],
                          "cluster_order": [1, 1], "status": ["Non-compliant", "Compliant"],
                          "questions_non_compliant": [3, 0], "questions_assessed": [5, 5],
                          "country_rate": ["10 %", "12 %"]})
    spec = charts.comparison_heatmap(frame, ["B", "A"]).to_dict()
    data = next(iter(spec["datasets"].values()))
    assert [row["cell_text"] for row in data] == ["✗ 3", "✓"]
    assert spec["layer"][0]["encoding"]["x"]["sort"] == ["B", "A"]
    assert spec["resolve"]["scale"]["color"] == "independent"
