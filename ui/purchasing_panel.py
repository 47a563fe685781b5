"""The brand's purchasing relationship with one factory (used on the factory profile).

The numbers come from the same metric functions as the purchasing-practices page.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from data_access.viewer import Viewer
from ui import insights, reference
from ui.components import Kpi, empty_state, fmt_int, fmt_pct, kpi_row
from ui.formatting import fmt_date
from ui.i18n import _, ngettext
from ui.indicators import format_value, format_years


def purchasing_relationship(viewer: Viewer, factory_id: int, profile: dict, today: dt.date,
                            version: int) -> None:
    """All the brand's orders with the factory, as of the order data's own as-of date when
    that is earlier than the page's reference date ``today``."""
    as_of = min(today, reference.order_figures_date(viewer, version))
    practices = insights.factory_purchasing(viewer, factory_id, as_of, version)
    if practices.empty:
        empty_state(_("No purchase orders with this factory."),
                    _("Order figures appear once your purchase orders are imported."))
        return
    row = practices.iloc[0]
    required = profile.get("required_lead_time_days")
    lead_help = _("Ex-factory date minus order confirmation, median over shipped orders.")
    if required:
        lead_help = ngettext(
            "Ex-factory date minus order confirmation, median over shipped orders. The factory "
            "asks for {days} day.",
            "Ex-factory date minus order confirmation, median over shipped orders. The factory "
            "asks for {days} days.", int(required)).format(days=fmt_int(required))
    units = int(row["units"]) if row["units"] == row["units"] else 0
    kpi_row([
        Kpi(_("Orders"), fmt_int(row["orders"]),
            ngettext("{units} unit ordered in all.", "{units} units ordered in all.",
                     units).format(units=fmt_int(row["units"]))),
        Kpi(_("Median lead time"), format_value(row["median_lead_time_days"], "days"),
            lead_help),
        Kpi(_("Changed late"), fmt_pct(row["late_change_share_pct"]),
            _("Share of orders changed (quantity, style or date) after confirmation.")),
        Kpi(_("Below cost"), fmt_pct(row["below_cost_share_pct"]),
            _("Share of orders whose FOB price is below the costed production cost.")),
        Kpi(_("Payment delay"), format_value(row["median_days_late"], "days"),
            _("Median days paid after the agreed terms (negative: early).")),
        Kpi(_("Share of capacity"), fmt_pct(row["share_of_capacity_pct"]),
            _("Your units in the last 12 months ÷ the factory's annual output: your leverage, "
              "and its dependence on you.")),
        Kpi(_("Relationship"), format_years(row["relationship_years"]),
            _("Years since your sourcing relationship with the factory started (or, with no "
              "start recorded, since your first order with it).")),
    ])
    st.caption(_("All your orders with this factory, as of {date}. The Purchasing practices "
                 "page explains each figure in its help.").format(date=fmt_date(as_of)))
