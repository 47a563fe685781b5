"""Purchasing-practice indicators: what the brand's own orders do to its suppliers (DOMAIN.md §3).

Input is an *orders frame*, one row per purchase order, with the columns in
:data:`ORDER_COLUMNS` (dates as datetime64 or ``datetime.date``, missing as NaT/None; numbers may
be NaN). ``season`` and ``country_code`` are optional (only the season trend and grouping by
country need them); a missing required column raises ``ValueError`` naming it. Factory
attributes (``required_lead_time_days``, ``annual_output_units``) are repeated on each of the
factory's order rows.

How the module is built, so that one number has one definition:

* every indicator is first defined **per order** in :func:`order_measures` — a number (lead time,
  days late, price ÷ cost) or a 0/1 flag (changed late, below cost, on time and in full), NaN
  when that order cannot tell (not shipped, no costing, not yet due …);
* every aggregate — the brand's headline, a factory's profile, a month of the trend — is the same
  reduction of those per-order values: the **median** of a number or the **share** (%) of flags
  equal to 1 among the orders that can tell (:data:`REDUCTIONS`). An order that cannot tell is
  left out of both numerator and denominator, never counted as good or bad.

Indicators that are not order-level (order volatility, share of capacity, relationship length)
are defined per factory; the brand's figure is their median across its factories.
:data:`INDICATORS` describes each indicator (label, unit, formula, better direction, Better Buying
category, CFRPP principle, source) for pages, tooltips, extract headers and docs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api.typing import SeriesGroupBy

from reference.translation import N_

ORDER_COLUMNS = [
    "po_id", "factory_id", "country_code", "season", "confirmed_on", "ex_factory_on",
    "invoiced_on", "paid_on", "payment_terms_days", "units_forecast", "units_ordered",
    "units_changed_after_confirmation", "changed_after_confirmation", "fob_price_usd",
    "cost_usd", "amount_paid_usd", "required_lead_time_days", "annual_output_units",
]

#: An order is paid "in full" when at least this share of units × FOB price was paid (rounding,
#: bank charges).
FULL_PAYMENT_TOLERANCE = 0.995
#: Share of capacity looks at orders confirmed in this many days up to and including ``as_of``.
CAPACITY_WINDOW_DAYS = 365
#: Order volatility needs at least this many months between a factory's first and last order.
MIN_MONTHS_FOR_VOLATILITY = 3
DAYS_PER_YEAR = 365.25

DateLike = dt.date | dt.datetime | pd.Timestamp | str


# ---- the indicator registry ------------------------------------------------------------------

BETTER_BUYING_CATEGORIES = (
    N_("Planning & Forecasting"),
    N_("Design & Development"),
    N_("Cost & Cost Negotiation"),
    N_("Sourcing & Order Placement"),
    N_("Payment & Terms"),
    N_("Management of the Purchasing Process"),
    N_("Win-Win Sustainable Partnership"),
)
CFRPP_PRINCIPLES = (
    N_("integration & reporting"),
    N_("equal partnership"),
    N_("collaborative production planning"),
    N_("fair payment & contract terms"),
    N_("sustainable costing"),
)
Better = Literal["lower", "higher", "target", "neutral"]


@dataclass(frozen=True)
class Indicator:
    """Description of one indicator, read by pages, tooltips, extracts and docs.

    Attributes:
        key: column / dict key under which the value appears (e.g. in :func:`brand_summary`).
        label: short name in the users' words.
        unit: ``"days"``, ``"%"``, ``"ratio"``, ``"CV"`` or ``"years"``.
        formula: the definition in plain text.
        better: ``"lower"`` or ``"higher"`` is better; ``"target"``: closer to :attr:`target` is
            better (forecast accuracy: both under- and over-booking hurt the factory);
            ``"neutral"``: no direction is better (share of capacity is leverage and dependence
            at once) — pages should not colour it green or red.
        category: one of :data:`BETTER_BUYING_CATEGORIES`.
        cfrpp_principle: one of :data:`CFRPP_PRINCIPLES`.
        source: where the definition comes from.
        target: the ideal value when ``better == "target"``.
    """

    key: str
    label: str
    unit: str
    formula: str
    better: Better
    category: str
    cfrpp_principle: str
    source: str
    target: float | None = None

    def __post_init__(self) -> None:
        if self.category not in BETTER_BUYING_CATEGORIES:
            raise ValueError(f"{self.key}: unknown Better Buying category {self.category!r}")
        if self.cfrpp_principle not in CFRPP_PRINCIPLES:
            raise ValueError(f"{self.key}: unknown CFRPP principle {self.cfrpp_principle!r}")
        if (self.better == "target") != (self.target is not None):
            raise ValueError(f"{self.key}: a target is required exactly when better='target'")


_PLANNING = N_("collaborative production planning")
_INDICATOR_LIST = [
    Indicator(
        "median_lead_time_days", N_("Median lead time"), "days",
        N_("ex-factory date − order confirmation date, median over shipped orders"),
        "higher", "Sourcing & Order Placement", _PLANNING,
        N_("Better Buying; ILO 2017 supplier survey (only 17 % found lead times sufficient)"),
    ),
    Indicator(
        "lead_time_below_required_pct", N_("Orders with too short a lead time"), "%",
        N_("shipped orders whose lead time < the factory's required lead time ÷ shipped orders "
           "whose factory states a required lead time × 100"),
        "lower", "Sourcing & Order Placement", _PLANNING,
        N_("Better Buying; ILO 2017 supplier survey"),
    ),
    Indicator(
        "late_change_share_pct", N_("Orders changed after confirmation"), "%",
        N_("confirmed orders changed (quantity, style or date) after confirmation ÷ confirmed "
           "orders × 100"),
        "lower", "Management of the Purchasing Process", _PLANNING, N_("Better Buying; CFRPP"),
    ),
    Indicator(
        "forecast_accuracy_pct", N_("Forecast accuracy"), "%",
        N_("100 − Σ |units ordered − units forecast| ÷ Σ units forecast × 100 (100 − weighted "
           "absolute percentage error), over orders with a forecast, at least 0; over- and "
           "under-booking both count as error and cannot cancel out"),
        "higher", "Planning & Forecasting", _PLANNING, N_("Better Buying; CFRPP"),
    ),
    Indicator(
        "order_volatility_cv", N_("Order volatility"), "CV",
        N_("standard deviation ÷ mean of a factory's monthly units ordered, months without orders "
           "between its first and last order counted as 0 (≥ 3 months); brand figure = median "
           "over its factories"),
        "lower", "Planning & Forecasting", _PLANNING, N_("Better Buying; CFRPP"),
    ),
    Indicator(
        "below_cost_share_pct", N_("Orders priced below cost"), "%",
        N_("orders with FOB price < costed production cost (incl. legal minimum wage) ÷ orders "
           "with a costing × 100"),
        "lower", "Cost & Cost Negotiation", "sustainable costing",
        N_("CFRPP; ILO 2017 supplier survey (52 % of suppliers accepted orders below cost)"),
    ),
    Indicator(
        "median_price_to_cost_ratio", N_("Price ÷ cost (median)"), "ratio",
        N_("FOB price ÷ costed production cost, median over orders with a costing "
           "(below 1 = below cost)"),
        "higher", "Cost & Cost Negotiation", "sustainable costing", N_("CFRPP; Better Buying"),
    ),
    Indicator(
        "median_days_late", N_("Median days paid late"), "days",
        N_("payment date − invoice date − agreed payment terms, median over paid orders "
           "(negative = paid early)"),
        "lower", "Payment & Terms", "fair payment & contract terms",
        N_("Better Buying (days to payment)"),
    ),
    Indicator(
        "on_time_in_full_pct", N_("Paid on time and in full"), "%",
        N_("paid orders paid within terms and with amount ≥ 99.5 % of units × FOB, plus unpaid "
           "invoices past their due date (counted as not on time), ÷ those orders × 100"),
        "higher", "Payment & Terms", "fair payment & contract terms",
        N_("Better Buying 2018 (~65 % of buyers paid on time); CFRPP"),
    ),
    Indicator(
        "share_of_capacity_pct", N_("Share of factory capacity"), "%",
        N_("units ordered by the brand in the 365 days up to the reference date ÷ the factory's "
           "annual output × 100; brand figure = median over its factories"),
        "neutral", "Sourcing & Order Placement", "equal partnership",
        N_("Better Buying; CFRPP (leverage and dependence)"),
    ),
    Indicator(
        "relationship_years", N_("Relationship length"), "years",
        N_("years from the start of the sourcing relationship (or, if no start is recorded, the "
           "first order ever placed with the factory) to the reference date, whatever period is "
           "chosen; brand figure = median over its current suppliers"),
        "higher", "Win-Win Sustainable Partnership", "equal partnership",
        N_("Better Buying; CFRPP"),
    ),
]
INDICATORS: dict[str, Indicator] = {ind.key: ind for ind in _INDICATOR_LIST}


# ---- reading the input -----------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"orders frame lacks column(s): {', '.join(missing)}")


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_datetime(frame[column], errors="coerce")


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def _days_between(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """Whole days from ``earlier`` to ``later`` as float; NaN when either date is missing."""
    return (later - earlier).dt.days.astype("float64")


def _flag(condition: pd.Series, known: pd.Series) -> pd.Series:
    """1.0 / 0.0 where ``known``, else NaN: the per-order form of a share indicator."""
    values = np.where(known.to_numpy(dtype=bool), condition.to_numpy(dtype=bool), np.nan)
    return pd.Series(values, index=condition.index, dtype="float64")


def _timestamp(value: DateLike) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


# ---- the orders as known on a date -------------------------------------------------------------

ORDER_EVENT_COLUMNS = ("confirmed_on", "ex_factory_on", "invoiced_on", "paid_on")


def order_data_as_of(orders: pd.DataFrame) -> pd.Timestamp:
    """The as-of date of an order book: its newest event date (confirmation, ex-factory,
    invoice or payment), NaT when there is none.

    Call it on the brand's *whole* order book: an export made on day D holds no event after D,
    and the newest event is the latest day it is known to cover (a filtered subset says
    nothing about the export).
    """
    present = [c for c in ORDER_EVENT_COLUMNS if c in orders.columns]
    if not present or orders.empty:
        return pd.NaT
    return pd.concat([_dates(orders, c) for c in present], ignore_index=True).max()


def orders_known_on(orders: pd.DataFrame, as_of: DateLike) -> pd.DataFrame:
    """The orders as the data stood at the end of ``as_of``: what a figure "as of" that date
    may use.

    * orders confirmed after ``as_of`` did not exist yet → dropped;
    * an ex-factory, invoice or payment date after ``as_of`` had not happened yet → blank
      (the order was not shipped / invoiced / paid then), and so is the amount of a payment
      made after it; an invoice after ``as_of`` also blanks a payment;
    * the "changed after confirmation" flag is kept as it is: the data does not say when a
      change was made, so a change recorded later counts (a limit of a past reference date).

    With ``as_of`` on or after :func:`order_data_as_of` nothing changes and ``orders`` itself
    is returned (no copy: the usual case, 100 k orders at Better Work scale); otherwise a copy
    with a fresh index.
    """
    day = _timestamp(as_of)
    newest = order_data_as_of(orders)
    if pd.isna(newest) or newest <= day:
        return orders
    kept = orders.loc[~(_dates(orders, "confirmed_on") > day)].copy()
    for column in ("ex_factory_on", "invoiced_on", "paid_on"):
        if column in kept.columns:
            dates = _dates(kept, column)
            kept[column] = dates.where(~(dates > day))
    if "invoiced_on" in kept.columns and "paid_on" in kept.columns:
        kept["paid_on"] = _dates(kept, "paid_on").where(_dates(kept, "invoiced_on").notna())
    if "amount_paid_usd" in kept.columns and "paid_on" in kept.columns:
        kept["amount_paid_usd"] = _numbers(kept, "amount_paid_usd").where(
            _dates(kept, "paid_on").notna())
    return kept.reset_index(drop=True)


# ---- per-order definitions -------------------------------------------------------------------


def lead_time_days(orders: pd.DataFrame) -> pd.Series:
    """Lead time per order: ex-factory date − confirmation date, in days.

    Missing data: NaN when the order has not shipped (``ex_factory_on`` NaT) or has no
    confirmation date; a negative value (shipped before confirmation) is a data error and is
    NaN too.

    Returns:
        float Series aligned with ``orders``, named ``lead_time_days``.
    """
    _require(orders, ["confirmed_on", "ex_factory_on"])
    days = _days_between(_dates(orders, "ex_factory_on"), _dates(orders, "confirmed_on"))
    return days.where(days >= 0).rename("lead_time_days")


def lead_time_below_required(orders: pd.DataFrame) -> pd.Series:
    """Flag per order: 1 if lead time < the factory's ``required_lead_time_days``, else 0.

    Missing data: NaN when the lead time is unknown (not shipped) or the factory states no
    required lead time.
    """
    _require(orders, ["required_lead_time_days"])
    lead = lead_time_days(orders)
    required = _numbers(orders, "required_lead_time_days")
    return _flag(lead < required, lead.notna() & required.notna()).rename(
        "lead_time_below_required")


def changed_late(orders: pd.DataFrame) -> pd.Series:
    """Flag per order: 1 if the order was changed after confirmation, 0 if not.

    Missing data: NaN for an order without a confirmation date (not a confirmed order) or with
    an unknown ``changed_after_confirmation`` flag.
    """
    _require(orders, ["confirmed_on", "changed_after_confirmation"])
    raw = orders["changed_after_confirmation"]
    known = raw.notna() & _dates(orders, "confirmed_on").notna()
    return _flag(raw.where(raw.notna(), False).astype(bool), known).rename("changed_late")


def price_to_cost_ratio(orders: pd.DataFrame) -> pd.Series:
    """FOB price ÷ costed production cost per order (unitless; < 1 means below cost).

    Missing data: NaN when the cost is missing or not positive, or the price is missing.
    """
    _require(orders, ["fob_price_usd", "cost_usd"])
    cost = _numbers(orders, "cost_usd")
    return (_numbers(orders, "fob_price_usd") / cost.where(cost > 0)).rename(
        "price_to_cost_ratio")


def below_cost(orders: pd.DataFrame) -> pd.Series:
    """Flag per order: 1 if FOB price < costed production cost (incl. legal minimum wage).

    Missing data: NaN when the order has no usable costing (see :func:`price_to_cost_ratio`).
    """
    ratio = price_to_cost_ratio(orders)
    return _flag(ratio < 1.0, ratio.notna()).rename("below_cost")


def days_late(orders: pd.DataFrame) -> pd.Series:
    """Days paid late per order: paid_on − invoiced_on − payment_terms_days.

    Negative means paid before the due date. Missing data: NaN when the order is not invoiced,
    not (yet) paid, or has no payment terms — unpaid invoices are *not* in this measure (see
    :func:`on_time_in_full` for how overdue unpaid invoices count).
    """
    _require(orders, ["invoiced_on", "paid_on", "payment_terms_days"])
    elapsed = _days_between(_dates(orders, "paid_on"), _dates(orders, "invoiced_on"))
    return (elapsed - _numbers(orders, "payment_terms_days")).rename("days_late")


def on_time_in_full(orders: pd.DataFrame, as_of: DateLike | None = None) -> pd.Series:
    """Flag per order: 1 if paid on time *and* in full, 0 if not.

    * paid within terms (days late ≤ 0) and amount paid ≥ units ordered × FOB ×
      :data:`FULL_PAYMENT_TOLERANCE` → 1;
    * paid after the due date → 0 (whatever the amount);
    * invoiced, unpaid, and ``as_of`` is after the due date (invoice date + terms) → 0;
    * otherwise NaN: not invoiced, unpaid but not yet due (or no ``as_of`` given), or paid on
      time with an unknown amount.
    """
    _require(orders, ["invoiced_on", "paid_on", "payment_terms_days", "units_ordered",
                      "fob_price_usd", "amount_paid_usd"])
    late = days_late(orders)
    expected = _numbers(orders, "units_ordered") * _numbers(orders, "fob_price_usd")
    amount = _numbers(orders, "amount_paid_usd")
    in_full = amount >= expected * FULL_PAYMENT_TOLERANCE
    paid_on_time_known = (late <= 0) & amount.notna() & expected.notna()
    result = _flag(in_full, paid_on_time_known)
    result = result.mask(late > 0, 0.0)
    if as_of is not None:
        invoiced = _dates(orders, "invoiced_on")
        due = invoiced + pd.to_timedelta(_numbers(orders, "payment_terms_days"), unit="D")
        overdue_unpaid = invoiced.notna() & _dates(orders, "paid_on").isna() & (
            due < _timestamp(as_of))
        result = result.mask(overdue_unpaid, 0.0)
    return result.rename("on_time_in_full")


def units_booked_vs_forecast(orders: pd.DataFrame) -> pd.DataFrame:
    """Per order: ``units_forecast``, ``units_booked`` (units ordered) and
    ``forecast_abs_error`` = |units booked − units forecast|, all NaN for an order without a
    forecast (or without a unit count) — so forecast accuracy compares like with like."""
    _require(orders, ["units_forecast", "units_ordered"])
    forecast = _numbers(orders, "units_forecast")
    booked = _numbers(orders, "units_ordered")
    known = forecast.notna() & booked.notna()
    forecast, booked = forecast.where(known), booked.where(known)
    return pd.DataFrame({"units_forecast": forecast, "units_booked": booked,
                         "forecast_abs_error": (booked - forecast).abs()}, index=orders.index)


def order_measures(orders: pd.DataFrame, as_of: DateLike | None = None) -> pd.DataFrame:
    """All per-order measures in one frame (the rows every aggregate in this module reduces).

    Returns:
        ``po_id, factory_id, season`` (NA when ``orders`` has no season column),
        ``confirmed_on, units_ordered, units_forecast, units_booked, forecast_abs_error`` (see
        :func:`units_booked_vs_forecast`), and the measures ``lead_time_days,
        lead_time_below_required, changed_late, below_cost, price_to_cost_ratio, days_late,
        on_time_in_full`` (see their functions). Same index as ``orders``. Useful as a
        drill-down extract.
    """
    _require(orders, ["po_id", "factory_id", "confirmed_on"])
    forecast = units_booked_vs_forecast(orders)
    season = orders["season"] if "season" in orders.columns else pd.NA
    return pd.DataFrame({
        "po_id": orders["po_id"],
        "factory_id": orders["factory_id"],
        "season": season,
        "confirmed_on": _dates(orders, "confirmed_on"),
        "units_ordered": _numbers(orders, "units_ordered"),
        "units_forecast": forecast["units_forecast"],
        "units_booked": forecast["units_booked"],
        "forecast_abs_error": forecast["forecast_abs_error"],
        "lead_time_days": lead_time_days(orders),
        "lead_time_below_required": lead_time_below_required(orders),
        "changed_late": changed_late(orders),
        "below_cost": below_cost(orders),
        "price_to_cost_ratio": price_to_cost_ratio(orders),
        "days_late": days_late(orders),
        "on_time_in_full": on_time_in_full(orders, as_of),
    }, index=orders.index)


# ---- reductions: the one rule that turns per-order values into a figure ----------------------


def _share_pct(values: pd.Series | SeriesGroupBy) -> float | pd.Series:
    """Share of flags equal to 1 among known flags, × 100 (NaN flags are skipped)."""
    return values.mean() * 100.0


def _median(values: pd.Series | SeriesGroupBy) -> float | pd.Series:
    return values.median()


#: indicator key → (per-order measure, reduction). Works on a Series or a grouped Series alike.
REDUCTIONS: dict[str, tuple[str, Callable]] = {
    "median_lead_time_days": ("lead_time_days", _median),
    "lead_time_below_required_pct": ("lead_time_below_required", _share_pct),
    "late_change_share_pct": ("changed_late", _share_pct),
    "below_cost_share_pct": ("below_cost", _share_pct),
    "median_price_to_cost_ratio": ("price_to_cost_ratio", _median),
    "median_days_late": ("days_late", _median),
    "on_time_in_full_pct": ("on_time_in_full", _share_pct),
}


def _forecast_accuracy(abs_error: pd.Series | float, forecast: pd.Series | float):
    """max(0, 100 − Σ |booked − forecast| ÷ Σ forecast × 100); NaN where nothing was
    forecast. The arguments are the two sums."""
    if isinstance(forecast, pd.Series):
        return (100.0 - 100.0 * abs_error / forecast.where(forecast > 0)).clip(lower=0.0)
    if not forecast > 0:
        return float("nan")
    return max(0.0, 100.0 - 100.0 * abs_error / forecast)


def _aggregate(measures: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Reduce per-order measures per group: orders, units, every :data:`REDUCTIONS` indicator
    with its ``n_<key>`` (orders that could tell) and forecast accuracy."""
    grouped = measures.groupby(keys, sort=True)
    out = pd.DataFrame({
        "orders": grouped.size(),
        "units": grouped["units_ordered"].sum(),
    })
    for key, (measure, reduce) in REDUCTIONS.items():
        out[key] = reduce(grouped[measure])
        out[f"n_{key}"] = grouped[measure].count()
    out["forecast_accuracy_pct"] = _forecast_accuracy(
        grouped["forecast_abs_error"].sum(), grouped["units_forecast"].sum())
    out["n_forecast_accuracy_pct"] = grouped["units_forecast"].count()
    return out


# ---- order-level indicators as single figures ------------------------------------------------


@dataclass(frozen=True)
class LeadTimeSummary:
    """Lead-time figures of a set of orders. Days; percentages 0–100; NaN when undefined."""

    median_days: float
    p25_days: float
    p75_days: float
    n: int
    share_below_required_pct: float
    n_with_required: int


def lead_time_summary(orders: pd.DataFrame) -> LeadTimeSummary:
    """Median and quartiles of lead time, and the share of orders below the required lead time.

    Formula (DOMAIN.md §3): lead time = ex-factory − confirmation (days). Quartiles use linear
    interpolation (pandas' default). ``share_below_required_pct`` = shipped orders with lead time
    < the factory's ``required_lead_time_days`` ÷ shipped orders whose factory states one × 100.

    Missing data: orders not yet shipped are excluded (``n`` counts shipped orders); factories
    without a required lead time are excluded from the share only. Empty input → ``n = 0`` and
    NaN figures.
    """
    lead = lead_time_days(orders).dropna()
    below = lead_time_below_required(orders)
    return LeadTimeSummary(
        median_days=float(lead.median()) if len(lead) else float("nan"),
        p25_days=float(lead.quantile(0.25)) if len(lead) else float("nan"),
        p75_days=float(lead.quantile(0.75)) if len(lead) else float("nan"),
        n=len(lead),
        share_below_required_pct=float(_share_pct(below)),
        n_with_required=int(below.count()),
    )


def late_change_share_pct(orders: pd.DataFrame) -> float:
    """Share of confirmed orders changed after confirmation, % (0–100).

    Formula (DOMAIN.md §3): orders with ``changed_after_confirmation`` ÷ confirmed orders × 100.
    Missing data: orders without a confirmation date or with an unknown flag are left out.
    Empty input → NaN.
    """
    return float(_share_pct(changed_late(orders)))


def forecast_accuracy_pct(orders: pd.DataFrame) -> float:
    """Forecast accuracy, % (100 = every order booked exactly what was forecast).

    Formula: 100 − WAPE, where WAPE (weighted absolute percentage error) = Σ |units ordered −
    units forecast| ÷ Σ units forecast × 100 over the orders with a forecast; floored at 0 (an
    error larger than everything forecast gives 0, not a negative accuracy).

    Why not Σ ordered ÷ Σ forecast: there, one order booked 50 % over its forecast and another
    50 % under cancel out to a "perfect" 100 %, although the factory planned capacity wrongly
    twice. Here each order's error counts whichever way it goes: booking less than forecast
    leaves reserved capacity idle, booking more forces capacity the factory was not told about
    (overtime). Weighting by units (rather than averaging per-order percentages) keeps a few
    tiny orders from dominating.

    Missing data: orders without a forecast (or unit count) are left out of both sums; no order
    with a positive forecast → NaN.
    """
    units = units_booked_vs_forecast(orders)
    return float(_forecast_accuracy(units["forecast_abs_error"].sum(),
                                    units["units_forecast"].sum()))


def share_below_cost_pct(orders: pd.DataFrame) -> float:
    """Share of orders priced below cost, %: orders with FOB < costed cost ÷ orders with a
    costing × 100 (DOMAIN.md §3). Orders without a cost are left out; none → NaN."""
    return float(_share_pct(below_cost(orders)))


def median_days_late(orders: pd.DataFrame) -> float:
    """Median of :func:`days_late` over paid orders (days; negative = paid early). Unpaid
    invoices are left out; no paid order → NaN."""
    return float(days_late(orders).median())


def on_time_in_full_pct(orders: pd.DataFrame, as_of: DateLike | None = None) -> float:
    """Share of orders paid on time and in full, % (0–100), over the orders that can tell.

    See :func:`on_time_in_full` for the per-order rule: overdue unpaid invoices (due date before
    ``as_of``) count as not on time; unpaid invoices not yet due are left out. No order that can
    tell → NaN.
    """
    return float(_share_pct(on_time_in_full(orders, as_of)))


# ---- factory-level indicators ----------------------------------------------------------------


def order_volatility_cv(orders: pd.DataFrame, by: str = "factory_id") -> pd.Series:
    """Coefficient of variation of monthly units ordered, per ``by`` group (unitless).

    Formula (DOMAIN.md §3): CV = standard deviation ÷ mean of units ordered per calendar month of
    ``confirmed_on``, over every month from the group's first to its last order month — months
    without orders count as 0. The standard deviation is the sample one (ddof = 1, as pandas'
    ``Series.std``). 0 = perfectly even; 1 = swings as large as the average month.

    Missing data: orders without a confirmation date or a unit count are left out. A group whose
    orders span fewer than :data:`MIN_MONTHS_FOR_VOLATILITY` months (e.g. a single order) → NaN.

    Returns:
        float Series indexed by the ``by`` values, named ``order_volatility_cv``.
    """
    _require(orders, [by, "confirmed_on", "units_ordered"])
    confirmed = _dates(orders, "confirmed_on")
    frame = pd.DataFrame({
        "group": orders[by],
        "month": confirmed.dt.year * 12 + confirmed.dt.month,
        "units": _numbers(orders, "units_ordered"),
    }).dropna()
    if frame.empty:
        return pd.Series(dtype="float64", name="order_volatility_cv").rename_axis(by)
    monthly = frame.groupby(["group", "month"])["units"].sum().reset_index()
    monthly["units_sq"] = monthly["units"] ** 2
    per_group = monthly.groupby("group").agg(
        first=("month", "min"), last=("month", "max"),
        total=("units", "sum"), total_sq=("units_sq", "sum"),
    )
    # Empty months add nothing to Σx and Σx² but count in n: the mean and variance over the full
    # month grid follow without building it.
    n = per_group["last"] - per_group["first"] + 1
    mean = per_group["total"] / n
    variance = ((per_group["total_sq"] - n * mean * mean) / (n - 1)).clip(lower=0.0)
    cv = np.sqrt(variance) / mean.where(mean > 0)
    cv = cv.where(n >= MIN_MONTHS_FOR_VOLATILITY)
    return cv.astype("float64").rename("order_volatility_cv").rename_axis(by)


def _per_factory_first(orders: pd.DataFrame, column: str) -> pd.Series:
    """A factory attribute repeated on each order row: its first non-missing value."""
    return _numbers(orders, column).groupby(orders["factory_id"]).first()


def share_of_capacity_pct(orders: pd.DataFrame, as_of: DateLike | pd.Series) -> pd.Series:
    """Brand's share of each factory's capacity, % (leverage and dependence; DOMAIN.md §3).

    Formula: units ordered with ``confirmed_on`` in the :data:`CAPACITY_WINDOW_DAYS` days up to
    and including ``as_of`` (as_of − 365 days < confirmed_on ≤ as_of) ÷ the factory's
    ``annual_output_units`` × 100. May exceed 100 if the stated output is out of date.
    ``as_of`` may be one date or a Series of dates indexed by ``factory_id`` (a window ending
    at a different date per factory, e.g. the day before its assessment).

    Missing data: NaN when the factory's annual output is missing or not positive; a factory
    with output but no order in the window → 0.

    Returns:
        float Series indexed by ``factory_id`` (every factory in ``orders``).
    """
    _require(orders, ["factory_id", "confirmed_on", "units_ordered", "annual_output_units"])
    if isinstance(as_of, pd.Series):
        end = pd.to_datetime(orders["factory_id"].map(as_of)).dt.normalize()
    else:
        end = _timestamp(as_of)
    confirmed = _dates(orders, "confirmed_on")
    in_window = (confirmed > end - pd.Timedelta(days=CAPACITY_WINDOW_DAYS)) & (confirmed <= end)
    units = _numbers(orders, "units_ordered").where(in_window, 0.0).fillna(0.0)
    recent_units = units.groupby(orders["factory_id"]).sum()
    output = _per_factory_first(orders, "annual_output_units")
    share = 100.0 * recent_units / output.where(output > 0)
    return share.astype("float64").rename("share_of_capacity_pct").rename_axis("factory_id")


#: columns of a *relationships frame*: one row per factory the brand sources or sourced from
#: (``first_order_on``: its first order ever with the factory, whatever period is shown)
RELATIONSHIP_COLUMNS = ["factory_id", "start_date", "end_date", "active", "first_order_on"]


def relationship_start(relationships: pd.DataFrame) -> pd.Series:
    """When each sourcing relationship started: its ``start_date``, or — when none is
    recorded — the ``first_order_on`` (first order ever). NaT when neither is known."""
    _require(relationships, ["start_date", "first_order_on"])
    start = _dates(relationships, "start_date")
    return start.fillna(_dates(relationships, "first_order_on"))


def relationship_years(relationships: pd.DataFrame, as_of: DateLike) -> pd.Series:
    """Length of each sourcing relationship in years (days ÷ 365.25), as of ``as_of``.

    Formula (DOMAIN.md §3, "years since first order"): from the relationship's start
    (:func:`relationship_start`: its recorded start date, else the first order *ever* — never
    the first order of a chosen period) to ``as_of``, or to its ``end_date`` when the
    relationship ended before ``as_of``. Never negative (a start after ``as_of`` gives 0).

    It is a property of the relationship, not of the orders shown: the same for the 12-month
    view and for all orders.

    Missing data: no start date and no order → NaN.

    Args:
        relationships: a relationships frame (:data:`RELATIONSHIP_COLUMNS`; ``end_date`` may be
            absent), one row per factory.
        as_of: the reference date.

    Returns:
        float Series indexed by ``factory_id``, named ``relationship_years``.
    """
    _require(relationships, ["factory_id", "start_date", "first_order_on"])
    end = pd.Series(_timestamp(as_of), index=relationships.index)
    if "end_date" in relationships.columns:
        ended = _dates(relationships, "end_date")
        end = end.where(~(ended < end), ended)
    days = _days_between(end, relationship_start(relationships))
    years = (days / DAYS_PER_YEAR).clip(lower=0.0)
    return pd.Series(years.to_numpy(), index=relationships["factory_id"].to_numpy(),
                     dtype="float64", name="relationship_years").rename_axis("factory_id")


def current_relationships(relationships: pd.DataFrame, as_of: DateLike) -> pd.Series:
    """Flag per relationship: True when it had started by ``as_of`` and had not ended by then.

    Ended by ``as_of``: an ``end_date`` on or before it, or — without an end date — the
    relationship is no longer ``active`` (when it ended is not known, so it does not count).
    A relationship with no known start does not count either.
    """
    _require(relationships, ["start_date", "first_order_on"])
    day = _timestamp(as_of)
    started = relationship_start(relationships) <= day
    ended = pd.Series(False, index=relationships.index)
    if "end_date" in relationships.columns:
        end_date = _dates(relationships, "end_date")
        ended = end_date <= day
        if "active" in relationships.columns:
            inactive = ~relationships["active"].fillna(False).astype(bool)
            ended = ended | (inactive & end_date.isna())
    return (started & ~ended).rename("current")


def brand_relationship_years(relationships: pd.DataFrame, as_of: DateLike) -> float:
    """The brand's relationship length: median of :func:`relationship_years` over its current
    relationships (:func:`current_relationships`) — the same whatever period of orders is
    shown. No current relationship with a known start → NaN."""
    if relationships.empty:
        return float("nan")
    current = current_relationships(relationships, as_of).to_numpy()
    return float(relationship_years(relationships, as_of)[current].median())


def format_years(years: float) -> str:
    """Years with one decimal and the right noun: 1.0 → "1.0 year", 2.54 → "2.5 years",
    NaN → "—"."""
    if years is None or pd.isna(years):
        return "—"
    text = f"{years:.1f}"
    return f"{text} year" if text == "1.0" else f"{text} years"


# ---- frames for pages -------------------------------------------------------------------------

TREND_INDICATORS = (*REDUCTIONS, "forecast_accuracy_pct")
PER_FACTORY_COLUMNS = [
    "factory_id", "orders", "units", "median_lead_time_days", "late_change_share_pct",
    "below_cost_share_pct", "median_days_late", "on_time_in_full_pct", "share_of_capacity_pct",
    "relationship_years",
    # extras, same definitions as the brand headline
    "lead_time_below_required_pct", "forecast_accuracy_pct", "order_volatility_cv",
    "median_price_to_cost_ratio",
]

#: A month (or season) of a trend is *complete* when at least this share (%) of its orders have
#: reached the stage the indicator measures (:data:`FINAL_WHEN`); a younger month is marked
#: "not yet complete": its value is made only of the fastest orders (e.g. quick shipments) and
#: would drift once the slower ones arrive.
COMPLETE_COHORT_PCT = 90.0
#: indicator → when an order's value for it is final: ``"shipped"`` (ex-factory date known:
#: lead time, and quantity, style and date can still change until then), ``"paid"``,
#: ``"paid_or_due"`` (paid, or unpaid past its due date: "not on time" is then certain), or
#: None (fixed at confirmation: price and costing)
FINAL_WHEN: dict[str, str | None] = {
    "median_lead_time_days": "shipped",
    "lead_time_below_required_pct": "shipped",
    "late_change_share_pct": "shipped",
    "forecast_accuracy_pct": "shipped",
    "below_cost_share_pct": None,
    "median_price_to_cost_ratio": None,
    "median_days_late": "paid",
    "on_time_in_full_pct": "paid_or_due",
}


def value_is_final(orders: pd.DataFrame, indicator: str,
                   as_of: DateLike | None = None) -> pd.Series:
    """Flag per order: True when its value for ``indicator`` can no longer change
    (:data:`FINAL_WHEN`). ``as_of`` decides "past its due date" (without it, only a payment
    makes an invoice final)."""
    stage = FINAL_WHEN[indicator]
    if stage is None:
        return pd.Series(True, index=orders.index)
    if stage == "shipped":
        return _dates(orders, "ex_factory_on").notna()
    paid = _dates(orders, "paid_on").notna()
    if stage == "paid" or as_of is None:
        return paid
    invoiced = _dates(orders, "invoiced_on")
    due = invoiced + pd.to_timedelta(_numbers(orders, "payment_terms_days"), unit="D")
    return paid | (invoiced.notna() & (due < _timestamp(as_of)))


def monthly_trend(
    orders: pd.DataFrame,
    indicator: str,
    as_of: DateLike | None = None,
    *,
    period: Literal["month", "season"] = "month",
    date_column: str = "confirmed_on",
) -> pd.DataFrame:
    """One indicator per month (or season), for the trend charts.

    The value for a month is the indicator computed over the orders whose ``date_column``
    (default: confirmation date) falls in that month — the same per-order rule and reduction as
    the brand headline. ``n`` is the number of orders that could tell (e.g. shipped orders for
    lead time).

    Incomplete recent months: the lead time of a month's orders is known only for those that
    have shipped — the quick ones first — so a recent month's median lead time is too low until
    its slow orders ship (payment delays likewise until invoices are paid). ``final_pct`` is the
    share of the month's orders whose value is final (:func:`value_is_final`), and ``complete``
    is ``final_pct ≥`` :data:`COMPLETE_COHORT_PCT`; charts mark the other months "not yet
    complete" and a comparison should leave them out.

    Args:
        orders: the orders frame.
        indicator: one of :data:`TREND_INDICATORS`.
        as_of: reference date for overdue unpaid invoices (``on_time_in_full_pct``).
        period: ``"month"`` — every calendar month from the first to the last one with orders
            (``month`` = first day of month; months without orders have value NaN, n 0);
            ``"season"`` — one row per ``season`` value, ordered by its earliest order date.
        date_column: the date that places an order in a month (e.g. ``"invoiced_on"``).

    Returns:
        ``month`` (or ``season``), ``value``, ``n``, ``orders`` (orders in the month),
        ``final_pct``, ``complete``. Empty input → empty frame with those columns.
    """
    if indicator not in TREND_INDICATORS:
        raise ValueError(f"unknown trend indicator {indicator!r}; one of {TREND_INDICATORS}")
    if period not in ("month", "season"):
        raise ValueError(f"period must be 'month' or 'season', not {period!r}")
    _require(orders, [date_column] + (["season"] if period == "season" else []))
    label = period
    orders = orders.reset_index(drop=True)
    measures = order_measures(orders, as_of)
    measures["_final"] = value_is_final(orders, indicator, as_of).astype("float64")
    dates = _dates(orders, date_column)
    if period == "month":
        measures["_period"] = dates.dt.to_period("M").dt.to_timestamp()
    else:
        measures["_period"] = orders["season"]
    measures = measures.dropna(subset=["_period"])
    if measures.empty:
        return pd.DataFrame({label: [], "value": [], "n": [], "orders": [], "final_pct": [],
                             "complete": []}).astype({"n": "int64", "orders": "int64",
                                                      "complete": bool})
    reduced = _aggregate(measures, ["_period"])
    trend = reduced[[indicator, f"n_{indicator}", "orders"]].set_axis(
        ["value", "n", "orders"], axis=1)
    trend["final_pct"] = 100.0 * measures.groupby("_period")["_final"].mean()
    if period == "month":
        grid = pd.date_range(trend.index.min(), trend.index.max(), freq="MS")
        trend = trend.reindex(grid.astype(trend.index.dtype))
    else:
        first_seen = dates.loc[measures.index].groupby(measures["_period"]).min()
        trend = trend.loc[first_seen.sort_values(kind="stable").index]
    trend["n"] = trend["n"].fillna(0).astype("int64")
    trend["orders"] = trend["orders"].fillna(0).astype("int64")
    # a month without orders has nothing pending
    trend["complete"] = trend["final_pct"].isna() | (trend["final_pct"] >= COMPLETE_COHORT_PCT)
    return trend.rename_axis(label).reset_index()


#: practices are compared with an assessment over the orders confirmed in this many days
#: before it (not on or after its date: the practice must come before the conditions found)
LINK_WINDOW_DAYS = 365
#: a factory enters the comparison only with at least this many such orders (one or two orders
#: make a share of 0 % or 100 % that says little about a practice)
MIN_ORDERS_FOR_LINK = 3
LINK_COLUMNS = ["factory_id", "orders", "late_change_share_pct", "median_lead_time_days",
                "below_cost_share_pct", "share_of_capacity_pct"]


def practices_before(orders: pd.DataFrame, assessed_on: pd.Series,
                     window_days: int = LINK_WINDOW_DAYS,
                     min_orders: int = MIN_ORDERS_FOR_LINK) -> pd.DataFrame:
    """The brand's practices towards each factory in the year *before* its assessment.

    For a factory assessed on day D, only orders confirmed from D − ``window_days`` up to the
    day before D count: a practice can bear on the conditions an assessment found only if it
    came before the assessment, and a recent one more than one from years earlier. Figures
    (same per-order rules as everywhere): late-change share, median lead time, below-cost
    share, and the share of the factory's annual output those orders were
    (:func:`share_of_capacity_pct` over the same window) — the brand's weight in the factory.

    Missing data: factories without an assessment date, or with fewer than ``min_orders``
    orders in the window, are left out. A change recorded after D on an order placed before it
    still counts (the data does not say when a change was made).

    Args:
        orders: the brand's orders (all of them).
        assessed_on: the date of the assessment each factory is compared on, indexed by
            ``factory_id``.

    Returns:
        :data:`LINK_COLUMNS`, one row per factory kept.
    """
    dates = pd.to_datetime(assessed_on).dt.normalize().dropna()
    day = pd.to_datetime(orders["factory_id"].map(dates))
    confirmed = _dates(orders, "confirmed_on")
    kept = orders[(confirmed < day) & (confirmed >= day - pd.Timedelta(days=window_days))]
    if kept.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in LINK_COLUMNS})
    figures = _aggregate(order_measures(kept), ["factory_id"])
    figures["share_of_capacity_pct"] = share_of_capacity_pct(
        kept, dates - pd.Timedelta(days=1))
    figures = figures[figures["orders"] >= min_orders]
    return figures.rename_axis("factory_id").reset_index()[LINK_COLUMNS]


def _relationships_for(relationships: pd.DataFrame | None,
                       factory_ids: pd.Series) -> pd.DataFrame:
    """The relationship rows of these factories (an empty frame when none are given)."""
    if relationships is None or relationships.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in RELATIONSHIP_COLUMNS})
    return relationships[relationships["factory_id"].isin(factory_ids)]


def per_factory_practices(orders: pd.DataFrame, as_of: DateLike,
                          relationships: pd.DataFrame | None) -> pd.DataFrame:
    """The brand's purchasing practices towards each factory: one row per ``factory_id``.

    Columns: :data:`PER_FACTORY_COLUMNS` — ``orders`` (count), ``units`` (Σ units ordered), then
    the indicators of :data:`INDICATORS` computed over that factory's orders (see each for its
    formula and missing-data rule). ``relationship_years`` comes from ``relationships`` (a
    relationships frame, :data:`RELATIONSHIP_COLUMNS`), so it is the same whichever orders are
    passed; a factory without a row there (or ``relationships`` None) gets NaN. Used by the
    factory profile, the extract and the risk ranking. Empty input → empty frame with those
    columns.
    """
    measures = order_measures(orders, as_of)
    if measures.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in PER_FACTORY_COLUMNS})
    years = relationship_years(_relationships_for(relationships, measures["factory_id"]), as_of)
    out = _aggregate(measures, ["factory_id"]).join([
        order_volatility_cv(orders),
        share_of_capacity_pct(orders, as_of),
        years[~years.index.duplicated()],
    ])
    return out.rename_axis("factory_id").reset_index()[PER_FACTORY_COLUMNS]


def brand_summary(orders: pd.DataFrame, as_of: DateLike,
                  relationships: pd.DataFrame | None) -> dict[str, float]:
    """The brand's headline values, one flat dict.

    Keys: ``orders``, ``factories``, ``units``, every key of :data:`INDICATORS`, and
    ``lead_time_p25_days`` / ``lead_time_p75_days``. Order-level indicators are computed over
    the given orders; ``order_volatility_cv`` and ``share_of_capacity_pct`` are the median over
    the factories in them; ``relationship_years`` is :func:`brand_relationship_years` of
    ``relationships`` — the brand's current relationships in the same countries or factories,
    whatever period the orders cover (None → NaN). Empty input → counts 0, NaN elsewhere.
    """
    measures = order_measures(orders, as_of)
    summary: dict[str, float] = {"orders": len(measures),
                                 "factories": int(measures["factory_id"].nunique()),
                                 "units": float(measures["units_ordered"].sum())}
    for key, (measure, reduce) in REDUCTIONS.items():
        summary[key] = float(reduce(measures[measure]))
    summary["forecast_accuracy_pct"] = forecast_accuracy_pct(orders)
    lead = measures["lead_time_days"].dropna()
    summary["lead_time_p25_days"] = float(lead.quantile(0.25)) if len(lead) else float("nan")
    summary["lead_time_p75_days"] = float(lead.quantile(0.75)) if len(lead) else float("nan")
    summary["order_volatility_cv"] = float(order_volatility_cv(orders).median())
    summary["share_of_capacity_pct"] = float(share_of_capacity_pct(orders, as_of).median())
    summary["relationship_years"] = (float("nan") if relationships is None
                                     else brand_relationship_years(relationships, as_of))
    return summary


def _pairs(groups: np.ndarray, factories: np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """Codes of the (group, factory) pairs, in order of first appearance, and each code's
    group. Integer keys are packed into one int64 and factorised (≈ 10× faster than a
    MultiIndex for 800 k orders; the same codes); other keys go through a MultiIndex."""
    if (groups.dtype.kind in "iu" and factories.dtype.kind in "iu" and len(groups)
            and groups.min() >= 0 and factories.min() >= 0
            and groups.max() < 2**31 and factories.max() < 2**31):
        packed = (groups.astype(np.int64) << 32) | factories.astype(np.int64)
        codes, uniques = pd.factorize(packed)
        first = pd.Series(uniques >> 32, index=np.arange(len(uniques)))
        return codes, first.astype(groups.dtype)
    codes, pairs = pd.factorize(pd.MultiIndex.from_arrays([groups, factories]))
    return codes, pd.Series(pairs.get_level_values(0), index=np.arange(len(pairs)))


def brand_summaries(orders: pd.DataFrame, as_of: DateLike, relationships: pd.DataFrame,
                    by: str = "brand_key") -> pd.DataFrame:
    """:func:`brand_summary` for every ``by`` group at once, vectorised: one row per group.

    Same keys and the same definitions as :func:`brand_summary` — it reduces the same per-order
    measures (:func:`order_measures`) with the same :data:`REDUCTIONS`, and the factory-level
    indicators are computed per (group, factory) with the same functions before taking the
    median over each group's factories. ``relationships`` carries the ``by`` column too; a
    group's relationship length is the median over its current relationships. Only the
    grouping is done in one pass instead of one call per group (250 brands at Better Work
    scale: 57 s → well under a second; issue 7). Sums may differ from the per-group call in the
    last floating-point bits.

    Returns:
        Indexed by the ``by`` values of ``orders``; columns as :func:`brand_summary`'s keys.
    """
    _require(orders, [by])
    orders = orders.reset_index(drop=True)
    columns = ["orders", "factories", "units", *REDUCTIONS, "forecast_accuracy_pct",
               "lead_time_p25_days", "lead_time_p75_days", "order_volatility_cv",
               "share_of_capacity_pct", "relationship_years"]
    if orders.empty:
        return pd.DataFrame(columns=columns).rename_axis(by).astype("float64")
    measures = order_measures(orders, as_of)
    measures["_group"] = orders[by].to_numpy()
    out = _aggregate(measures, ["_group"])
    out["factories"] = measures.groupby("_group")["factory_id"].nunique()
    lead = measures.groupby("_group")["lead_time_days"]
    out["lead_time_p25_days"] = lead.quantile(0.25)
    out["lead_time_p75_days"] = lead.quantile(0.75)
    # factory-level indicators: each (group, factory) pair as one "factory"
    pair_codes, group_of_pair = _pairs(orders[by].to_numpy(), orders["factory_id"].to_numpy())
    as_pairs = orders.assign(factory_id=pair_codes)
    for key, values in (
        ("order_volatility_cv", order_volatility_cv(as_pairs)),
        ("share_of_capacity_pct", share_of_capacity_pct(as_pairs, as_of)),
    ):
        out[key] = values.groupby(group_of_pair.reindex(values.index).to_numpy()).median()
    out["relationship_years"] = float("nan")
    if relationships is not None and not relationships.empty:
        _require(relationships, [by])
        rel = relationships[relationships[by].isin(out.index)].reset_index(drop=True)
        current = current_relationships(rel, as_of).to_numpy()
        years = relationship_years(rel, as_of).to_numpy()
        per_group = pd.Series(years[current]).groupby(rel[by].to_numpy()[current]).median()
        out["relationship_years"] = per_group.reindex(out.index)
    return out[columns].rename_axis(by).astype("float64")


# ---- the cross-brand benchmark: disclosure control ---------------------------------------------

#: A benchmark figure is published only when at least this many brands *other than the viewer*
#: have a value for it (statistical disclosure control: k contributors besides the viewer).
MIN_OTHER_BRANDS_FOR_BENCHMARK = 5
#: Width of the band a published benchmark is rounded down to, per unit: the published figure
#: is "the typical other brand lies in 55–60 days", never a number that could be one brand's.
BENCHMARK_BAND_WIDTH: dict[str, float] = {"days": 5.0, "%": 5.0, "ratio": 0.05, "CV": 0.05,
                                          "years": 0.5}
#: the row of :func:`published_benchmarks` for a brand that has no row in ``per_brand``
OUTSIDE_BRAND = -1


def benchmark_band(lower: float, unit: str) -> tuple[float, float]:
    """The band ``[lower, lower + width)`` a published benchmark stands for."""
    return lower, lower + BENCHMARK_BAND_WIDTH[unit]


def band_lower_edge(values: pd.Series | np.ndarray | float, unit: str):
    """Round down to the band width of ``unit`` (:data:`BENCHMARK_BAND_WIDTH`): 57.4 days →
    55; 12.5 % → 10; NaN stays NaN."""
    width = BENCHMARK_BAND_WIDTH[unit]
    # the tiny epsilon keeps 60.0 (stored as 59.999…) in the 60 band
    return np.round(np.floor(np.asarray(values, dtype="float64") / width + 1e-9) * width, 6)


def _medians_without_each(values: np.ndarray, own: np.ndarray) -> np.ndarray:
    """For each entry of ``own`` (a value among ``values``, or NaN): the median of ``values``
    without that one entry (without nothing for NaN). ``values`` holds no NaN."""
    v = np.sort(values)
    n = len(v)
    result = np.full(len(own), np.nan)
    has = ~np.isnan(own)
    if n:
        result[~has] = np.median(v)
    if n < 2 or not has.any():
        return result
    r = np.searchsorted(v, own[has], side="left")  # equal values: removing any one is the same

    def remaining(j: int | np.ndarray) -> np.ndarray:  # element j of v with position r taken out
        j = np.broadcast_to(j, r.shape)
        return np.where(j < r, v[np.minimum(j, n - 1)], v[np.minimum(j + 1, n - 1)])

    m = n - 1
    if m % 2:
        result[has] = remaining(m // 2)
    else:
        result[has] = (remaining(m // 2 - 1) + remaining(m // 2)) / 2.0
    return result


def published_benchmarks(per_brand: pd.DataFrame,
                         min_other_brands: int = MIN_OTHER_BRANDS_FOR_BENCHMARK) -> pd.DataFrame:
    """The benchmark each brand may see: for brand b and each indicator, the band containing
    the median of the *other* brands' values — never a figure that includes b, and never a
    number that could be one brand's exact figure.

    Rules (statistical disclosure control; docs/indicators.md gives the reasoning):

    * b's own value is left out, so b cannot subtract itself from the published figure (with
      b included, an even count made the median the mean of b and one other brand, which b
      could solve for the other's exact value);
    * at least ``min_other_brands`` other brands must have a value, else NaN (not published);
    * the median is rounded down to a band of :data:`BENCHMARK_BAND_WIDTH` (e.g. 5 days): with
      an odd count the median *is* one brand's value, and the band reveals only that some
      brand lies in it.

    Args:
        per_brand: one row per brand (index: brand), columns :data:`INDICATORS` keys (others
            ignored), e.g. :func:`brand_summaries`.
        min_other_brands: k, the privacy floor.

    Returns:
        Indexed by ``per_brand``'s index plus :data:`OUTSIDE_BRAND` (the figure for a brand with
        no row: every brand with a value is "other"); one column per indicator: the lower edge
        of the published band (:func:`benchmark_band`), NaN when not published.
    """
    index = [*per_brand.index, OUTSIDE_BRAND]
    out = pd.DataFrame(index=pd.Index(index, dtype="object"))
    for key, spec in INDICATORS.items():
        if key not in per_brand.columns:
            continue
        own = pd.to_numeric(per_brand[key], errors="coerce").to_numpy(dtype="float64")
        values = own[~np.isnan(own)]
        others = len(values) - (~np.isnan(own)).astype(int)
        medians = _medians_without_each(values, own)
        medians = np.where(others >= min_other_brands, medians, np.nan)
        outside = float(np.median(values)) if len(values) >= min_other_brands else np.nan
        out[key] = band_lower_edge(np.append(medians, outside), spec.unit)
    return out
