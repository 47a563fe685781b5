"""Visibility, purchasing-practices and risk pages through AppTest, incl. empty brands."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from data_access import orders, queries
from data_access.viewer import Viewer
from metrics import visibility as vis
from metrics.purchasing import INDICATORS, brand_summary, format_years, orders_known_on
from metrics.reference import fmt_date
from metrics.risk import HIGH, LEVELS, LOW, MEDIUM, UNKNOWN, ZERO_TOLERANCE
from services import analysis
from tests.apphelpers import PAGES, brand_id, metric_values, reference_for, sign_in
from ui.components import fmt_int, fmt_pct
from ui.indicators import band_text

VISIBILITY = str(PAGES / "brand" / "visibility.py")
PURCHASING = str(PAGES / "brand" / "purchasing.py")
RISK = str(PAGES / "brand" / "risk.py")
SUPPLIERS = str(PAGES / "brand" / "suppliers.py")


def open_page(at, page, **params):
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def empty_brands(app_env):
    """Two extra brands: one sourcing only from never-assessed factories and placing no
    orders, one with no suppliers at all."""
    with app_env.begin() as conn:
        conn.execute(text("INSERT INTO brand (id, code, name) VALUES (901, 'quiet', "
                          "'Quiet Brand'), (902, 'newcomer', 'Newcomer Brand')"))
        never = conn.execute(text(
            "SELECT id FROM factory WHERE id NOT IN (SELECT factory_id FROM assessment) "
            "ORDER BY id LIMIT 2")).scalars().all()
        for i, factory in enumerate(never):
            conn.execute(text(
                "INSERT INTO sourcing_relationship (id, brand_id, factory_id, tier, active, "
                "publicly_disclosed) VALUES (:i, 901, :f, 1, :t, :fa)"),
                {"i": 90_000 + i, "f": factory, "t": True, "fa": False})
    return {"quiet": 901, "newcomer": 902}


def choose_brand(at, brand):
    at.sidebar.selectbox(key="admin_brand_id").set_value(brand).run()
    assert not at.exception, at.exception
    return at


def test_visibility_figures_are_the_brands(app_env):
    at = open_page(sign_in("maple", "maple-demo-2026"), VISIBILITY)
    viewer = Viewer("maple", "brand", brand_id(app_env, "maple-thread"))
    suppliers = queries.suppliers(app_env, viewer)
    shown = metric_values(at)
    assert shown["Suppliers"] == fmt_int(len(suppliers))
    assert shown["With an OS ID"] == fmt_pct(vis.share_with_os_id_pct(suppliers))
    assert shown["Publicly disclosed"] == fmt_pct(vis.share_publicly_disclosed_pct(suppliers))


def test_gap_button_opens_the_filtered_directory(app_env):
    at = open_page(sign_in("nordwind", "nordwind-demo-2026"), VISIBILITY)
    at.button(key="gap_never_assessed").click().run()
    assert not at.exception
    assert at.title[0].value == "Suppliers"
    table = at.dataframe[0].value
    assert len(table) > 0 and table["latest_assessed_on"].isna().all()
    assert at.session_state["filter_assessment"] == ["never"]


def test_purchasing_figures_match_the_metrics_for_the_period(app_env):
    at = open_page(sign_in("nordwind", "nordwind-demo-2026"), PURCHASING)
    viewer = Viewer("n", "brand", brand_id(app_env, "nordwind"))
    # as of the brand's order data, not the calendar date
    as_of = reference_for(app_env, viewer).order_figures
    since = (pd.Timestamp(as_of) - pd.DateOffset(months=12)).date()
    expected = brand_summary(
        orders_known_on(orders.purchase_orders(app_env, viewer, since=since, until=as_of),
                        as_of), as_of, orders.relationships(app_env, viewer))
    shown = metric_values(at)
    late = INDICATORS["late_change_share_pct"].label
    assert shown[late] == f"{expected['late_change_share_pct']:.0f} %"
    lead = INDICATORS["median_lead_time_days"].label
    assert shown[lead] == f"{expected['median_lead_time_days']:,.0f} days"
    forecast = INDICATORS["forecast_accuracy_pct"].label
    assert shown[forecast] == f"{expected['forecast_accuracy_pct']:.0f} %"
    years = shown[INDICATORS["relationship_years"].label]
    assert years == format_years(expected["relationship_years"]) and years.endswith(" years")
    assert any(c.value.startswith(f"Figures as of {fmt_date(as_of)} · your orders to ")
               for c in [*at.caption, *at.warning])
    # the benchmark exists (eleven other brands ≥ 5) and is shown as a band
    assert any(m.proto.delta and "other brands (" in m.proto.delta for m in at.metric)
    statement = [i.value for i in at.info if "rank correlation" in i.value]
    assert len(statement) == 1 and statement[0].count("rank correlation") == 1
    assert "Counting the 9 comparisons offered here" in statement[0]
    assert "of these factories' annual output" in statement[0]


def test_purchasing_benchmark_leaves_out_the_brand_and_follows_the_choice(app_env):
    at = open_page(sign_in("nordwind", "nordwind-demo-2026"), PURCHASING)
    viewer = Viewer("n", "brand", brand_id(app_env, "nordwind"))
    published = analysis.purchasing_benchmark(app_env, viewer.brand_id, 12, None, None)
    lead = INDICATORS["median_lead_time_days"]
    shown = next(m for m in at.metric if m.label == lead.label)
    band = band_text(published["median_lead_time_days"], lead.unit)
    assert f"({band})" in shown.proto.delta and band in shown.proto.help
    # one country: like for like, and the page says which
    at.multiselect(key="filter_countries").set_value(["VN"]).run()
    assert any("their own orders in Vietnam" in c.value for c in at.caption)
    # several countries, or a choice of factories: no comparison, and the page says why
    at.multiselect(key="filter_countries").set_value(["VN", "KH"]).run()
    assert any("for several countries at once" in c.value for c in at.caption)
    assert not any(m.proto.delta for m in at.metric)
    at.multiselect(key="filter_countries").set_value([]).run()
    factory = at.multiselect(key="filter_factories").options[0]
    at.multiselect(key="filter_factories").set_value([factory]).run()
    assert any("for a choice of factories" in c.value for c in at.caption)
    assert not any(m.proto.delta for m in at.metric)


def test_purchasing_period_from_a_link(app_env):
    at = open_page(sign_in("nordwind", "nordwind-demo-2026"), PURCHASING, period="all")
    viewer = Viewer("n", "brand", brand_id(app_env, "nordwind"))
    total = len(orders.purchase_orders(app_env, viewer))
    assert any(f"**{fmt_int(total)}** orders" in m.value for m in at.markdown)


def test_purchasing_as_of_an_earlier_month_end_from_a_link(app_env):
    at = open_page(sign_in("maple", "maple-demo-2026"), PURCHASING, as_of="2026-06-30")
    viewer = Viewer("m", "brand", brand_id(app_env, "maple-thread"))
    assert any(c.value.startswith("Figures as of 30 Jun 2026 (the date you chose)")
               for c in [*at.caption, *at.warning])
    every = orders.purchase_orders(app_env, viewer)
    confirmed = every["confirmed_on"]
    expected = ((confirmed >= pd.Timestamp("2025-06-30"))
                & (confirmed <= pd.Timestamp("2026-06-30"))).sum()
    assert any(f"**{fmt_int(expected)}** orders" in m.value and "to 30 Jun 2026" in m.value
               for m in at.markdown)
    assert at.query_params["as_of"] == "2026-06-30"
    # a date the data does not offer (not a month end, or after the data) is not honoured
    for bad in ("2026-06-15", "2031-01-31", "not-a-date"):
        at = open_page(sign_in("maple", "maple-demo-2026"), PURCHASING, as_of=bad)
        assert not any("the date you chose" in c.value for c in [*at.caption, *at.warning])
        assert "as_of" not in at.query_params


def test_risk_ranking_is_sorted_and_explained(app_env):
    at = open_page(sign_in("nordwind", "nordwind-demo-2026"), RISK)
    table = at.dataframe[0].value
    order = {level: i for i, level in enumerate(LEVELS)}
    ranks = table["risk_level"].map(order)
    assert ranks.is_monotonic_increasing  # levels in ranking order
    for _, group in table.groupby("risk_level"):
        if group["risk_level"].iloc[0] != ZERO_TOLERANCE:  # there: live findings first
            assert group["risk_score"].is_monotonic_decreasing
    assert table["reasons"].str.len().gt(0).all()
    assert set(table["risk_level"]) <= set(LEVELS)
    assert {ZERO_TOLERANCE, HIGH, UNKNOWN, MEDIUM, LOW} <= set(table["risk_level"])
    shown = metric_values(at)
    assert shown["Zero tolerance"] == str((table["risk_level"] == ZERO_TOLERANCE).sum())
    at.pills(key="filter_level").set_value([LOW]).run()
    assert set(at.dataframe[0].value["risk_level"]) == {LOW}


def test_brand_without_orders_or_assessments_gets_clear_empty_states(app_env, empty_brands):
    at = sign_in("admin", "admin-demo-2026")
    at.run()
    choose_brand(at, empty_brands["quiet"])
    open_page(at, PURCHASING)
    assert any("No purchase orders yet" in i.value for i in at.info)
    open_page(at, VISIBILITY)
    shown = metric_values(at)
    assert shown["Suppliers"] == "2" and shown["Recently assessed"] == "0 %"
    open_page(at, RISK)
    assert set(at.dataframe[0].value["risk_level"]) == {UNKNOWN}  # never "Low"
    assert at.dataframe[0].value["reasons"].str.startswith("Never assessed").all()
    for page in (SUPPLIERS, str(PAGES / "brand" / "overview.py")):
        open_page(at, page)

    choose_brand(at, empty_brands["newcomer"])
    for page, message in ((VISIBILITY, "No active suppliers yet"),
                          (PURCHASING, "No purchase orders yet"),
                          (RISK, "No active suppliers to rank"),
                          (SUPPLIERS, "No suppliers yet")):
        open_page(at, page)
        assert any(message in i.value for i in at.info), page
