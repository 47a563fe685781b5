"""Purchasing-practice indicators against a small hand-computed order book."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metrics.purchasing import (
    BETTER_BUYING_CATEGORIES,
    CFRPP_PRINCIPLES,
    COMPLETE_COHORT_PCT,
    INDICATORS,
    MIN_OTHER_BRANDS_FOR_BENCHMARK,
    ORDER_COLUMNS,
    OUTSIDE_BRAND,
    PER_FACTORY_COLUMNS,
    TREND_INDICATORS,
    Indicator,
    band_lower_edge,
    brand_relationship_years,
    brand_summaries,
    brand_summary,
    changed_late,
    current_relationships,
    days_late,
    forecast_accuracy_pct,
    format_years,
    late_change_share_pct,
    lead_time_days,
    lead_time_summary,
    median_days_late,
    monthly_trend,
    on_time_in_full,
    on_time_in_full_pct,
    order_data_as_of,
    order_volatility_cv,
    orders_known_on,
    per_factory_practices,
    practices_before,
    price_to_cost_ratio,
    published_benchmarks,
    relationship_years,
    share_below_cost_pct,
    share_of_capacity_pct,
    units_booked_vs_forecast,
    value_is_final,
)

AS_OF = dt.date(2026, 6, 30)
NaT = None


def _orders() -> pd.DataFrame:
    """Six orders, three factories. Per order (hand-computed):

    po  factory  lead  below req.  changed  price/cost    days late  on time in full (AS_OF)
    1   1        60    1 (<75)     0        5/4 = 1.25    30−30 = 0  1 (5000 ≥ 4975)
    2   1        90    0           1        5/5.5 = .909  45−30 = 15 0 (late)
    3   1        —     —           1        — (no cost)   —          — (not invoiced)
    4   2        40    — (no req.) 0        4/3 = 1.333   —          0 (unpaid, due 2026-04-12)
    5   2        50    —           0        4/4 = 1.0     —          — (unpaid, due 2026-07-20)
    6   3        40    0 (≥30)     0        3/2 = 1.5     25−30 = −5 0 (5950 < 5970)
    """
    return pd.DataFrame({
        "po_id": [1, 2, 3, 4, 5, 6],
        "factory_id": [1, 1, 1, 2, 2, 3],
        "country_code": ["VN", "VN", "VN", "KH", "KH", "BD"],
        "season": ["SS26", "SS26", "SS26", "AW26", "AW26", "SS25"],
        "confirmed_on": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-03-10", "2026-02-01",
                                        "2026-05-01", "2025-05-01"]),
        "ex_factory_on": pd.to_datetime(["2026-03-06", "2026-04-20", NaT, "2026-03-13",
                                         "2026-06-20", "2025-06-10"]),
        "invoiced_on": pd.to_datetime(["2026-03-06", "2026-04-20", NaT, "2026-03-13",
                                       "2026-06-20", "2025-06-10"]),
        "paid_on": pd.to_datetime(["2026-04-05", "2026-06-04", NaT, NaT, NaT, "2025-07-05"]),
        "payment_terms_days": [30, 30, 30, 30, 30, 30],
        "units_forecast": [1000, 1000, np.nan, 500, np.nan, 2000],
        "units_ordered": [1000, 800, 600, 500, 400, 2000],
        "units_changed_after_confirmation": [0, 100, 50, 0, 0, 0],
        "changed_after_confirmation": [False, True, True, False, False, False],
        "fob_price_usd": [5.0, 5.0, 5.0, 4.0, 4.0, 3.0],
        "cost_usd": [4.0, 5.5, np.nan, 3.0, 4.0, 2.0],
        "amount_paid_usd": [5000.0, 4000.0, np.nan, np.nan, np.nan, 5950.0],
        "required_lead_time_days": [75, 75, 75, np.nan, np.nan, 30],
        "annual_output_units": [20000, 20000, 20000, np.nan, np.nan, 10000],
    })


def _empty() -> pd.DataFrame:
    return _orders().iloc[0:0]


def _relationships() -> pd.DataFrame:
    """Relationships as of AS_OF = 2026-06-30 (hand-computed):

    factory  start                    end         length (days ÷ 365.25)        current
    1        2020-06-30               —           2191 (six years, 2 leap days)  yes
    2        — → first order 2024-02-01 —         731 + 149 = 880               yes
    3        2027-01-01 (future)      —           0 (clipped)                    no (not started)
    4        2018-01-01               2025-12-31  2921 (to its end)              no (ended)
    """
    return pd.DataFrame({
        "factory_id": [1, 2, 3, 4],
        "start_date": pd.to_datetime(["2020-06-30", NaT, "2027-01-01", "2018-01-01"]),
        "end_date": pd.to_datetime([NaT, NaT, NaT, "2025-12-31"]),
        "active": [True, True, True, False],
        "first_order_on": pd.to_datetime(["2021-02-01", "2024-02-01", "2025-05-01",
                                          "2018-03-01"]),
    })


# ---- per-order rules ---------------------------------------------------------------------------


def test_lead_time_excludes_unshipped_and_negative():
    orders = _orders()
    orders.loc[5, "ex_factory_on"] = pd.Timestamp("2025-04-01")  # before confirmation: data error
    lead = lead_time_days(orders)
    assert lead.iloc[:5].tolist()[:2] == [60.0, 90.0]
    assert math.isnan(lead.iloc[2])  # not shipped
    assert math.isnan(lead.iloc[5])  # negative → NaN
    assert lead.iloc[3] == 40.0


def test_lead_time_summary_hand_computed():
    summary = lead_time_summary(_orders())
    # shipped lead times 40, 40, 50, 60, 90
    assert summary.n == 5
    assert summary.median_days == 50.0
    assert summary.p25_days == 40.0  # linear quantile at position 1 of 0..4
    assert summary.p75_days == 60.0  # position 3
    # required known for orders 1, 2, 6: only order 1 (60 < 75) is below
    assert summary.n_with_required == 3
    assert summary.share_below_required_pct == pytest.approx(100 / 3)


def test_lead_time_summary_empty_and_all_unshipped():
    empty = lead_time_summary(_empty())
    assert empty.n == 0 and math.isnan(empty.median_days)
    assert math.isnan(empty.share_below_required_pct)
    unshipped = _orders().assign(ex_factory_on=pd.NaT)
    summary = lead_time_summary(unshipped)
    assert summary.n == 0 and math.isnan(summary.p75_days)


def test_late_change_share_counts_confirmed_orders_only():
    # orders 2 and 3 changed out of 6 confirmed
    assert late_change_share_pct(_orders()) == pytest.approx(100 * 2 / 6)
    orders = _orders()
    orders.loc[0, "confirmed_on"] = pd.NaT  # not a confirmed order any more: 2 of 5
    assert late_change_share_pct(orders) == pytest.approx(40.0)
    assert math.isnan(late_change_share_pct(_empty()))


def test_late_change_unknown_flag_is_left_out():
    orders = _orders().astype({"changed_after_confirmation": "object"})
    orders.loc[1, "changed_after_confirmation"] = None  # order 2 (changed) now unknown: 1 of 5
    flags = changed_late(orders)
    assert math.isnan(flags.iloc[1])
    assert late_change_share_pct(orders) == pytest.approx(20.0)


def test_forecast_accuracy_uses_only_orders_with_forecast():
    # |1000−1000| + |800−1000| + |500−500| + |2000−2000| = 200 over 4500 forecast
    assert forecast_accuracy_pct(_orders()) == pytest.approx(100 - 100 * 200 / 4500)
    units = units_booked_vs_forecast(_orders())
    assert math.isnan(units.loc[2, "units_booked"])  # order 3 had no forecast
    assert math.isnan(units.loc[2, "forecast_abs_error"])
    assert units.loc[1, "forecast_abs_error"] == 200.0
    assert math.isnan(forecast_accuracy_pct(_orders().assign(units_forecast=np.nan)))
    assert math.isnan(forecast_accuracy_pct(_empty()))


def test_forecast_accuracy_over_and_under_booking_do_not_cancel():
    orders = _orders().iloc[:2].copy()
    orders["units_forecast"] = [1000.0, 1000.0]
    orders["units_ordered"] = [1500, 500]  # 50 % over, 50 % under: Σ booked = Σ forecast
    # the old ratio Σ booked ÷ Σ forecast would say 100 %; the error is 1000 of 2000 units
    assert forecast_accuracy_pct(orders) == pytest.approx(50.0)
    # an error larger than everything forecast gives 0, not a negative accuracy
    orders["units_ordered"] = [4000, 100]  # |3000| + |900| = 3900 > 2000
    assert forecast_accuracy_pct(orders) == 0.0
    # exactly as forecast → 100
    orders["units_ordered"] = [1000, 1000]
    assert forecast_accuracy_pct(orders) == 100.0


def test_price_vs_cost_and_share_below_cost():
    ratio = price_to_cost_ratio(_orders())
    assert ratio.iloc[0] == pytest.approx(1.25)
    assert ratio.iloc[1] == pytest.approx(5 / 5.5)
    assert math.isnan(ratio.iloc[2])
    # below cost: only order 2, out of the 5 orders with a cost (order 5 at cost is not below)
    assert share_below_cost_pct(_orders()) == pytest.approx(20.0)


def test_all_nan_cost_gives_nan_not_zero():
    orders = _orders().assign(cost_usd=np.nan)
    assert price_to_cost_ratio(orders).isna().all()
    assert math.isnan(share_below_cost_pct(orders))
    zero_cost = _orders().assign(cost_usd=0.0)  # a zero cost is not a costing
    assert math.isnan(share_below_cost_pct(zero_cost))


def test_days_late_and_median():
    late = days_late(_orders())
    assert late.iloc[0] == 0.0
    assert late.iloc[1] == 15.0
    assert late.iloc[5] == -5.0  # paid early
    assert late.iloc[2:5].isna().all()  # unpaid orders are not in this measure
    assert median_days_late(_orders()) == 0.0  # median of 0, 15, −5
    assert math.isnan(median_days_late(_empty()))


def test_on_time_in_full_rules():
    flags = on_time_in_full(_orders(), AS_OF)
    assert flags.iloc[0] == 1.0
    assert flags.iloc[1] == 0.0  # 15 days late
    assert math.isnan(flags.iloc[2])  # not invoiced
    assert flags.iloc[3] == 0.0  # unpaid and overdue at AS_OF
    assert math.isnan(flags.iloc[4])  # unpaid, not yet due
    assert flags.iloc[5] == 0.0  # on time but 5950 < 0.995 × 6000
    # 1 of the 4 orders that can tell
    assert on_time_in_full_pct(_orders(), AS_OF) == pytest.approx(25.0)
    # without a reference date the overdue unpaid invoice cannot be judged: 1 of 3
    assert on_time_in_full_pct(_orders()) == pytest.approx(100 / 3)


def test_on_time_in_full_due_date_boundary_and_unknown_amount():
    orders = _orders()
    # order 4 is due 2026-04-12: on that day it is not overdue yet, the day after it is
    assert math.isnan(on_time_in_full(orders, dt.date(2026, 4, 12)).iloc[3])
    assert on_time_in_full(orders, dt.date(2026, 4, 13)).iloc[3] == 0.0
    orders.loc[0, "amount_paid_usd"] = np.nan  # paid on time, amount unknown → cannot tell
    orders.loc[1, "amount_paid_usd"] = np.nan  # paid late: not on time whatever the amount
    flags = on_time_in_full(orders, AS_OF)
    assert math.isnan(flags.iloc[0])
    assert flags.iloc[1] == 0.0
    # tolerance: 4975 = 0.995 × 5000 is still "in full"
    orders.loc[0, "amount_paid_usd"] = 4975.0
    assert on_time_in_full(orders, AS_OF).iloc[0] == 1.0


def test_dates_as_python_objects_give_the_same_figures():
    """Frames straight from SQL carry datetime.date objects and None."""
    orders = _orders()
    as_objects = orders.copy()
    for col in ("confirmed_on", "ex_factory_on", "invoiced_on", "paid_on"):
        as_objects[col] = [None if pd.isna(v) else v.date() for v in orders[col]]
    assert brand_summary(as_objects, AS_OF, _relationships()) == pytest.approx(
        brand_summary(orders, AS_OF, _relationships()), nan_ok=True)


def test_order_data_as_of_is_the_newest_event():
    # newest of confirmations (2026-05-01), ex-factory and invoices (2026-06-20), payments
    assert order_data_as_of(_orders()) == pd.Timestamp("2026-06-20")
    assert pd.isna(order_data_as_of(_empty()))


def test_orders_known_on_a_past_date():
    known = orders_known_on(_orders(), dt.date(2026, 4, 10))
    # order 5 (confirmed 2026-05-01) did not exist yet
    assert list(known["po_id"]) == [1, 2, 3, 4, 6]
    by_po = known.set_index("po_id")
    # order 2 shipped and was invoiced on 2026-04-20: not yet on 2026-04-10
    assert pd.isna(by_po.loc[2, "ex_factory_on"]) and pd.isna(by_po.loc[2, "invoiced_on"])
    assert pd.isna(by_po.loc[2, "paid_on"]) and math.isnan(by_po.loc[2, "amount_paid_usd"])
    # order 1 was invoiced 2026-03-06 and paid 2026-04-05: both known
    assert by_po.loc[1, "paid_on"] == pd.Timestamp("2026-04-05")
    assert by_po.loc[1, "amount_paid_usd"] == 5000.0
    # as of 2026-04-01 order 1 is invoiced but unpaid (due 2026-04-05: not yet late)
    early = orders_known_on(_orders(), dt.date(2026, 4, 1)).set_index("po_id")
    assert pd.isna(early.loc[1, "paid_on"]) and math.isnan(early.loc[1, "amount_paid_usd"])
    assert early.loc[1, "invoiced_on"] == pd.Timestamp("2026-03-06")
    # on or after the data's own as-of date nothing changes
    assert orders_known_on(_orders(), AS_OF).equals(_orders())


# ---- factory-level -----------------------------------------------------------------------------


def test_order_volatility_hand_computed_with_empty_months():
    cv = order_volatility_cv(_orders())
    # factory 1: Jan 1800, Feb 0, Mar 600 → mean 800, sample sd √(1 680 000 / 2) = 916.52
    assert cv[1] == pytest.approx(math.sqrt(1_680_000 / 2) / 800)
    # factory 2: Feb 500, Mar 0, Apr 0, May 400 → mean 225, sample sd √(207 500 / 3)
    assert cv[2] == pytest.approx(math.sqrt(207_500 / 3) / 225)
    assert math.isnan(cv[3])  # single order: fewer than 3 months


def test_order_volatility_matches_explicit_month_grid():
    orders = _orders()
    for factory, group in orders.groupby("factory_id"):
        monthly = group.set_index("confirmed_on")["units_ordered"].resample("MS").sum()
        if len(monthly) >= 3:
            expected = monthly.std() / monthly.mean()
            assert order_volatility_cv(orders)[factory] == pytest.approx(expected)


def test_order_volatility_two_months_and_other_grouping_and_empty():
    orders = _orders()
    orders.loc[2, "confirmed_on"] = pd.Timestamp("2026-02-10")  # factory 1 spans Jan–Feb only
    assert math.isnan(order_volatility_cv(orders)[1])
    by_country = order_volatility_cv(_orders(), by="country_code")
    assert by_country["VN"] == pytest.approx(order_volatility_cv(_orders())[1])
    assert order_volatility_cv(_empty()).empty


def test_share_of_capacity_window_and_missing_output():
    share = share_of_capacity_pct(_orders(), AS_OF)
    assert share[1] == pytest.approx(100 * 2400 / 20000)  # all three orders within 365 days
    assert math.isnan(share[2])  # no annual output stated
    assert share[3] == 0.0  # its only order (2025-05-01) is older than 365 days
    # the window is as_of − 365 days (exclusive) … as_of (inclusive)
    orders = _orders()
    orders.loc[5, "confirmed_on"] = pd.Timestamp("2025-06-30")
    assert share_of_capacity_pct(orders, AS_OF)[3] == 0.0
    orders.loc[5, "confirmed_on"] = pd.Timestamp("2025-07-01")
    assert share_of_capacity_pct(orders, AS_OF)[3] == pytest.approx(20.0)


def test_relationship_years_from_start_date_or_first_order_ever():
    years = relationship_years(_relationships(), AS_OF)
    assert years[1] == pytest.approx(2191 / 365.25)  # six years incl. two leap days
    assert years[2] == pytest.approx(880 / 365.25)  # no start date: first order 2024-02-01
    assert years[3] == 0.0  # start after as_of is clipped
    assert years[4] == pytest.approx(2921 / 365.25)  # ended 2025-12-31: counted to its end
    assert list(current_relationships(_relationships(), AS_OF)) == [True, True, False, False]
    # brand figure: median over current relationships (factories 1 and 2)
    assert brand_relationship_years(_relationships(), AS_OF) == pytest.approx(
        (2191 + 880) / 2 / 365.25)
    # an inactive relationship without an end date does not count as current
    unknown_end = _relationships().assign(active=[True, False, True, False])
    assert list(current_relationships(unknown_end, AS_OF)) == [True, False, False, False]
    assert math.isnan(brand_relationship_years(_relationships().iloc[0:0], AS_OF))


def test_relationship_length_does_not_depend_on_the_period():
    """The 12-month bug: years since the first order *in the period* gave "1 years" for
    everyone. The figure now comes from the relationships, whatever orders are passed."""
    orders = _orders()
    recent = orders[orders["confirmed_on"] >= pd.Timestamp("2026-03-01")]
    whole = brand_summary(orders, AS_OF, _relationships())["relationship_years"]
    assert brand_summary(recent, AS_OF, _relationships())["relationship_years"] == whole
    per_factory = per_factory_practices(orders, AS_OF, _relationships()).set_index("factory_id")
    per_factory_recent = per_factory_practices(recent, AS_OF, _relationships()).set_index(
        "factory_id")
    assert per_factory_recent.loc[1, "relationship_years"] == per_factory.loc[
        1, "relationship_years"] == pytest.approx(2191 / 365.25)


def test_format_years_one_decimal_and_plural():
    assert format_years(1.0) == "1.0 year"
    assert format_years(1.04) == "1.0 year"
    assert format_years(2.54) == "2.5 years"
    assert format_years(0.4) == "0.4 years"
    assert format_years(float("nan")) == "—"


def test_per_factory_practices_hand_computed():
    frame = per_factory_practices(_orders(), AS_OF, _relationships())
    assert list(frame.columns) == PER_FACTORY_COLUMNS
    assert list(frame["factory_id"]) == [1, 2, 3]
    f1, f2, f3 = (frame.set_index("factory_id").loc[i] for i in (1, 2, 3))
    assert f1["orders"] == 3 and f1["units"] == 2400
    assert f1["median_lead_time_days"] == 75.0  # 60, 90; order 3 not shipped
    assert f1["late_change_share_pct"] == pytest.approx(200 / 3)
    assert f1["below_cost_share_pct"] == pytest.approx(50.0)  # order 2 of orders 1–2
    assert f1["median_days_late"] == 7.5  # 0, 15
    assert f1["on_time_in_full_pct"] == pytest.approx(50.0)
    assert f1["share_of_capacity_pct"] == pytest.approx(12.0)
    assert f1["forecast_accuracy_pct"] == pytest.approx(90.0)  # 100 − 200 / 2000 × 100
    assert f1["relationship_years"] == pytest.approx(2191 / 365.25)
    assert f1["lead_time_below_required_pct"] == pytest.approx(50.0)
    assert f2["median_lead_time_days"] == 45.0
    assert math.isnan(f2["median_days_late"])  # nothing paid yet
    assert f2["on_time_in_full_pct"] == 0.0  # order 4 overdue; order 5 not yet due
    assert math.isnan(f2["lead_time_below_required_pct"])
    # single-order factory: figures from one order, no volatility
    assert f3["orders"] == 1 and f3["median_days_late"] == -5.0
    assert math.isnan(f3["order_volatility_cv"])


def test_per_factory_practices_empty():
    frame = per_factory_practices(_empty(), AS_OF, _relationships())
    assert frame.empty
    assert list(frame.columns) == PER_FACTORY_COLUMNS


# ---- brand level, trend and benchmark ----------------------------------------------------------


def test_brand_summary_hand_computed():
    summary = brand_summary(_orders(), AS_OF, _relationships())
    assert summary["orders"] == 6 and summary["factories"] == 3 and summary["units"] == 5300
    assert summary["median_lead_time_days"] == 50.0
    assert summary["lead_time_p25_days"] == 40.0 and summary["lead_time_p75_days"] == 60.0
    assert summary["late_change_share_pct"] == pytest.approx(100 / 3)
    assert summary["below_cost_share_pct"] == pytest.approx(20.0)
    assert summary["median_price_to_cost_ratio"] == pytest.approx(1.25)  # of .909,1,1.25,1.33,1.5
    assert summary["on_time_in_full_pct"] == pytest.approx(25.0)
    assert summary["forecast_accuracy_pct"] == pytest.approx(100 - 100 * 200 / 4500)
    # per-factory indicators: median over factories
    assert summary["share_of_capacity_pct"] == pytest.approx(6.0)  # median of 12, 0 (NaN out)
    cv = order_volatility_cv(_orders())
    assert summary["order_volatility_cv"] == pytest.approx((cv[1] + cv[2]) / 2)
    assert summary["relationship_years"] == pytest.approx((2191 + 880) / 2 / 365.25)
    assert set(INDICATORS) <= set(summary)


def test_brand_summary_agrees_with_single_figure_functions():
    orders = _orders()
    summary = brand_summary(orders, AS_OF, _relationships())
    assert summary["late_change_share_pct"] == late_change_share_pct(orders)
    assert summary["below_cost_share_pct"] == share_below_cost_pct(orders)
    assert summary["on_time_in_full_pct"] == on_time_in_full_pct(orders, AS_OF)
    assert summary["median_lead_time_days"] == lead_time_summary(orders).median_days


def test_brand_summary_empty():
    summary = brand_summary(_empty(), AS_OF, _relationships().iloc[0:0])
    assert summary["orders"] == 0 and summary["factories"] == 0
    assert all(math.isnan(summary[key]) for key in INDICATORS)


def test_monthly_trend_fills_the_month_grid():
    trend = monthly_trend(_orders(), "late_change_share_pct")
    assert list(trend.columns) == ["month", "value", "n", "orders", "final_pct", "complete"]
    assert len(trend) == 13  # 2025-05 … 2026-05
    by_month = trend.set_index("month")
    assert by_month.loc["2026-01-01", "value"] == 50.0  # orders 1 (no) and 2 (changed)
    assert by_month.loc["2026-01-01", "n"] == 2
    assert by_month.loc["2026-03-01", "value"] == 100.0
    assert math.isnan(by_month.loc["2025-09-01", "value"])
    assert by_month.loc["2025-09-01", "n"] == 0
    assert trend["n"].sum() == 6


def test_monthly_trend_lead_time_and_payment():
    lead = monthly_trend(_orders(), "median_lead_time_days").set_index("month")
    assert lead.loc["2026-01-01", "value"] == 75.0
    assert lead.loc["2026-03-01", "n"] == 0  # order 3 not shipped
    paid = monthly_trend(_orders(), "on_time_in_full_pct", AS_OF).set_index("month")
    assert paid.loc["2026-02-01", "value"] == 0.0  # order 4 overdue
    assert paid.loc["2026-05-01", "n"] == 0  # order 5 not yet due
    by_invoice = monthly_trend(_orders(), "late_change_share_pct", date_column="invoiced_on")
    assert by_invoice["n"].sum() == 5  # order 3 has no invoice date
    assert by_invoice.set_index("month").loc["2026-04-01", "value"] == 100.0  # order 2


def test_monthly_trend_marks_months_not_yet_complete():
    lead = monthly_trend(_orders(), "median_lead_time_days", AS_OF).set_index("month")
    # January: orders 1 and 2 both shipped → final, complete
    assert lead.loc["2026-01-01", "final_pct"] == 100.0
    assert lead.loc["2026-01-01", "complete"]
    # March: order 3 not shipped → 0 % final, not complete
    assert lead.loc["2026-03-01", "final_pct"] == 0.0
    assert not lead.loc["2026-03-01", "complete"]
    # a month without orders has nothing pending
    assert lead.loc["2025-09-01", "complete"] and lead.loc["2025-09-01", "orders"] == 0
    # 9 of 10 orders shipped is complete (the threshold is ≥ 90 %), 8 of 10 is not
    ten = pd.concat([_orders().iloc[[0]]] * 10, ignore_index=True).assign(po_id=range(10))
    ten.loc[0, "ex_factory_on"] = pd.NaT
    assert COMPLETE_COHORT_PCT == 90.0
    assert monthly_trend(ten, "median_lead_time_days", AS_OF)["complete"].iloc[0]
    ten.loc[1, "ex_factory_on"] = pd.NaT
    assert not monthly_trend(ten, "median_lead_time_days", AS_OF)["complete"].iloc[0]
    # price and costing are fixed at confirmation: every month complete
    costing = monthly_trend(_orders(), "below_cost_share_pct", AS_OF)
    assert costing["complete"].all()
    # on time in full by invoice month: order 5 (invoiced June, unpaid, due 2026-07-20) is not
    # final on AS_OF; order 4 (invoiced March, unpaid, due 2026-04-12) is overdue: final
    paid = monthly_trend(_orders(), "on_time_in_full_pct", AS_OF,
                         date_column="invoiced_on").set_index("month")
    assert not paid.loc["2026-06-01", "complete"]
    assert paid.loc["2026-03-01", "final_pct"] == 100.0
    assert list(value_is_final(_orders(), "median_days_late")) == [True, True, False, False,
                                                                  False, True]


def test_monthly_trend_by_season_in_date_order():
    trend = monthly_trend(_orders(), "late_change_share_pct", period="season")
    assert list(trend["season"]) == ["SS25", "SS26", "AW26"]
    assert trend.set_index("season").loc["SS26", "value"] == pytest.approx(200 / 3)


def test_monthly_trend_empty_and_unknown_indicator():
    trend = monthly_trend(_empty(), "below_cost_share_pct")
    assert trend.empty and list(trend.columns) == ["month", "value", "n", "orders",
                                                   "final_pct", "complete"]
    with pytest.raises(ValueError, match="unknown trend indicator"):
        monthly_trend(_orders(), "lead_time")
    for indicator in TREND_INDICATORS:
        assert len(monthly_trend(_orders(), indicator, AS_OF)) == 13


def _per_brand(values: list[float], unit_key: str = "late_change_share_pct") -> pd.DataFrame:
    return pd.DataFrame({unit_key: values}, index=pd.Index(range(101, 101 + len(values))))


def test_published_benchmark_leaves_the_viewer_out_and_bands_the_median():
    # seven brands: 10, 20, …, 70 % of orders changed late
    published = published_benchmarks(_per_brand([10, 20, 30, 40, 50, 60, 70.0]))
    column = published["late_change_share_pct"]
    # brand 101 (10 %): others 20…70 → median (40 + 50) / 2 = 45 → band 45–50
    assert column[101] == 45.0
    # brand 104 (40 %): others 10, 20, 30, 50, 60, 70 → (30 + 50) / 2 = 40 → band 40–45
    assert column[104] == 40.0
    # brand 107 (70 %): others 10…60 → (30 + 40) / 2 = 35
    assert column[107] == 35.0
    # a brand without orders in the choice: all seven are others → median 40
    assert column[OUTSIDE_BRAND] == 40.0


def test_published_benchmark_needs_five_other_brands():
    assert MIN_OTHER_BRANDS_FOR_BENCHMARK == 5
    six = published_benchmarks(_per_brand([10, 20, 30, 40, 50, 60.0]))["late_change_share_pct"]
    assert six.drop(OUTSIDE_BRAND).notna().all()  # each brand has five others
    five = published_benchmarks(_per_brand([10, 20, 30, 40, 50.0]))["late_change_share_pct"]
    assert five.drop(OUTSIDE_BRAND).isna().all()  # four others: not published
    assert five[OUTSIDE_BRAND] == 30.0  # an outsider sees five brands
    # a brand without a value sees every brand with one as "other"
    gaps = published_benchmarks(_per_brand([np.nan, 20, 30, 40, 50, 60.0]))
    assert gaps.loc[101, "late_change_share_pct"] == 40.0  # median 40 of the five others
    assert math.isnan(gaps.loc[102, "late_change_share_pct"])  # only four others with a value


def test_published_benchmark_cannot_be_solved_for_another_brand():
    """The old attack: with the viewer included and an even count, median = (own + other) ÷ 2,
    so other = 2 × median − own. Now the viewer's own value never moves its benchmark, and what
    is published is a band edge, a multiple of the band width."""
    rng = np.random.default_rng(7)
    for _ in range(50):
        values = list(rng.uniform(0, 100, rng.integers(6, 12)))
        before = published_benchmarks(_per_brand(values))["late_change_share_pct"]
        viewer = int(rng.integers(0, len(values)))
        changed = values.copy()
        changed[viewer] = float(rng.uniform(0, 100))
        after = published_benchmarks(_per_brand(changed))["late_change_share_pct"]
        assert after.iloc[viewer] == before.iloc[viewer]  # independent of its own value
        assert (before.dropna() % 5.0 == 0).all()
    # the band follows the indicator's unit: days in 5-day bands, ratios in 0.05 steps
    assert band_lower_edge(57.4, "days") == 55.0 and band_lower_edge(60.0, "days") == 60.0
    assert band_lower_edge(1.1049, "ratio") == pytest.approx(1.10)
    assert band_lower_edge(2.74, "years") == 2.5


def test_benchmark_from_brand_summaries_is_grouped_like_one_brand():
    orders = _orders()
    both = pd.concat([orders.assign(brand_key=1), orders.assign(brand_key=2)],
                     ignore_index=True)
    relationships = pd.concat([_relationships().assign(brand_key=1),
                               _relationships().assign(brand_key=2)], ignore_index=True)
    grouped = brand_summaries(both, AS_OF, relationships)
    single = brand_summary(orders, AS_OF, _relationships())
    for key in INDICATORS:
        assert grouped.loc[1, key] == pytest.approx(single[key], nan_ok=True), key


def test_practices_before_assessment_use_only_orders_placed_before_it():
    assessed = pd.Series(pd.to_datetime(["2026-03-01", "2026-05-01"]), index=[1, 2])
    # factory 1: orders 1 (2026-01-05) and 2 (01-20) before 2026-03-01; order 3 (03-10) after
    linked = practices_before(_orders(), assessed, min_orders=2).set_index("factory_id")
    assert list(linked.index) == [1]  # factory 2 has one order before 2026-05-01
    f1 = linked.loc[1]
    assert f1["orders"] == 2
    assert f1["late_change_share_pct"] == 50.0  # order 2 changed, order 3 left out
    assert f1["median_lead_time_days"] == 75.0
    assert f1["below_cost_share_pct"] == 50.0
    assert f1["share_of_capacity_pct"] == pytest.approx(100 * 1800 / 20000)
    # with the default minimum of three orders nothing is left
    assert practices_before(_orders(), assessed).empty
    # a window of 30 days before 2026-03-01 keeps neither January order
    assert practices_before(_orders(), assessed, window_days=30, min_orders=1).empty


# ---- registry and input checks -----------------------------------------------------------------


def test_indicator_registry_is_complete_and_valid():
    assert len(INDICATORS) == 11
    for key, indicator in INDICATORS.items():
        assert indicator.key == key
        assert indicator.category in BETTER_BUYING_CATEGORIES
        assert indicator.cfrpp_principle in CFRPP_PRINCIPLES
        assert indicator.better in ("lower", "higher", "target", "neutral")
        assert indicator.formula and indicator.source and indicator.label
    assert INDICATORS["forecast_accuracy_pct"].better == "higher"
    assert INDICATORS["late_change_share_pct"].better == "lower"
    # every per-factory indicator column is described in the registry
    assert set(PER_FACTORY_COLUMNS) - {"factory_id", "orders", "units"} <= set(INDICATORS)


def test_indicator_rejects_unknown_category():
    with pytest.raises(ValueError, match="Better Buying category"):
        Indicator("x", "X", "%", "f", "lower", "Pricing", "sustainable costing", "s")
    with pytest.raises(ValueError, match="target"):
        Indicator("x", "X", "%", "f", "target", "Payment & Terms", "sustainable costing", "s")


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="ex_factory_on"):
        lead_time_days(_orders().drop(columns=["ex_factory_on"]))
    assert "required_lead_time_days" in ORDER_COLUMNS


def test_benchmark_extract_without_season_or_country_works():
    """The anonymised cross-brand extract drops season (and may drop country)."""
    orders = _orders().drop(columns=["season", "country_code"])
    assert brand_summary(orders, AS_OF, _relationships()) == pytest.approx(
        brand_summary(_orders(), AS_OF, _relationships()), nan_ok=True)
    with pytest.raises(ValueError, match="season"):
        monthly_trend(orders, "late_change_share_pct", period="season")


def test_every_indicator_is_documented():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "indicators.md").read_text("utf-8")
    for key in INDICATORS:
        assert f"`{key}`" in doc, f"{key} missing from docs/indicators.md"
