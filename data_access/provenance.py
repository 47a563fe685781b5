"""Who supplied each factory attribute, and which value the dashboard shows (issue 14).

Factories are shared: Better Work, Open Supply Hub and every buyer's facility list describe the
same sites, and do not always agree. Every value each source gave is kept in
``factory_attribute_source`` (one row per factory, attribute and source — one per brand for
brands' lists); the factory's own columns hold the value :func:`choose` picks. An import never
replaces a value silently: the other values stay, and the factory profile lists them.

**The rule** (docs/import.md "Which value is shown"), per attribute:

1. Sources rank by what they know best (:data:`PRECEDENCE`): Better Work's assessors check the
   name, address and workforce on site at every assessment, so Better Work comes first for
   those; Open Supply Hub is the registry of OS IDs, locations and closures, so it comes first
   for those. Brands' facility lists — and data stored before sources were recorded (migration
   0008), which counts like one more list — come last.
2. The value of the highest-ranked source that gave one is shown.
3. Among brands' lists, the value **most lists agree with** is shown ("agree": the same name or
   address once case, punctuation and legal forms are ignored; the same count, or a range that
   contains it; coordinates within about 10 m). On a tie an exact worker count beats a range;
   then the value already shown stays (a re-spelling, or a newer list that agrees, changes
   nothing; one list cannot undo another's value on its own); otherwise the most recent list's
   value is shown.

Majority before recency because independent lists that agree corroborate each other, and a
single outdated or mistyped list must not flip a value several others confirm; recency only
decides when nothing else does. Which values disagree is visible on the factory profile.

Reads for the profile: :func:`factory_provenance`. A brand sees its own list named ("your
facility list, <file>") and other brands' values only as "another buyer's list" — their rows
are read in the system scope after the access check, and only attribute, value and date leave
the database (never a brand, file name or import id). See docs/security.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, select

from data_access.factories import factory_profile
from data_access.matching import normalise_address, normalise_name
from data_access.schema import FactoryAttributeSource, ImportRun
from data_access.scope import scoped_connection, system_connection
from data_access.viewer import Viewer
from reference.translation import N_

BETTER_WORK, OPEN_SUPPLY_HUB, BRAND_LIST, EARLIER = (
    "better_work", "open_supply_hub", "brand_list", "earlier_data")

#: attribute -> its label on the profile (the order is the profile's)
#: (English; the interface translates them at display: ``_(label)``)
ATTRIBUTES: dict[str, str] = {
    "name": N_("Name"), "address": N_("Address"), "city": N_("City"),
    "country_code": N_("Country"), "coordinates": N_("Location (latitude, longitude)"),
    "os_id": N_("OS ID"), "status": N_("Status"), "workers": N_("Workers"),
    "women_pct": N_("Women (% of workers)"), "sector": N_("Sector"),
    "facility_type": N_("Facility type"), "processing_type": N_("Processing type"),
    "parent_company": N_("Parent company"), "product_type": N_("Product type"),
}
#: attribute -> the factory columns it sets
COLUMNS: dict[str, tuple[str, ...]] = {
    **{a: (a,) for a in ATTRIBUTES},
    "coordinates": ("lat", "lng"),
    "status": ("status", "status_since"),
}

_ON_SITE = (BETTER_WORK, OPEN_SUPPLY_HUB)  # Better Work first, then Open Supply Hub
_REGISTRY = (OPEN_SUPPLY_HUB, BETTER_WORK)  # Open Supply Hub first
#: attribute -> sources ranked before brands' lists (step 1 of the rule)
PRECEDENCE: dict[str, tuple[str, ...]] = {
    "name": _ON_SITE, "address": _ON_SITE, "workers": _ON_SITE, "women_pct": _ON_SITE,
    "city": _ON_SITE,
    "os_id": _REGISTRY, "coordinates": _REGISTRY, "country_code": _REGISTRY,
    "status": _REGISTRY, "sector": _REGISTRY, "facility_type": _REGISTRY,
    "processing_type": _REGISTRY, "parent_company": _REGISTRY, "product_type": _REGISTRY,
}
SOURCE_LABELS = {BETTER_WORK: "Better Work", OPEN_SUPPLY_HUB: "Open Supply Hub",
                 EARLIER: N_("an earlier import (source not recorded)")}
#: the brands' lists as sources (``source`` of :func:`factory_provenance`; the interface
#: rebuilds them in the session's language from ``source_file`` and ``source_lists``)
OWN_LIST = N_("your facility list")
OWN_LIST_FILE = N_("your facility list ({file})")
OTHER_LIST = N_("another buyer's list")
OTHER_LISTS = N_("{n} other buyers' lists")
#: coordinates closer than this (degrees, ≈ 11 m at the equator) are the same place
COORDINATE_TOLERANCE = 0.0001


@dataclass(frozen=True)
class Observation:
    """One source's value of one attribute. ``id`` is None for a value not yet stored."""

    attribute: str
    value: str
    source_kind: str
    brand_id: int | None
    observed_at: dt.datetime
    id: int | None = None


# ---- values as text -----------------------------------------------------------------------


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def workers_text(low: int, high: int | None) -> str:
    """"2350" (exact), "1001-5000" (a range), "10001+" (an open band)."""
    if high is None:
        return f"{low}+"
    return str(low) if low == high else f"{low}-{high}"


def workers_range(text: str) -> tuple[int, int | None]:
    """The (low, high) a workers text stands for; high None: no upper bound."""
    if text.endswith("+"):
        return int(text[:-1]), None
    low, _, high = text.partition("-")
    return int(low), int(high or low)


def workers_value(text: str) -> int:
    """The one number stored for a workers text: the count, a range's midpoint rounded down,
    an open band's lower end (as the importer's cleaner, docs/import.md)."""
    low, high = workers_range(text)
    return low if high is None else (low + high) // 2


def status_text(status: str, since: dt.date | None = None, moved_to_os_id: str | None = None
                ) -> str:
    """"active", "closed|2026-03-01", "moved|2026-03-01|VN2020112K3M9QX" (parts may be empty)."""
    if status == "active":
        return "active"
    parts = [status, since.isoformat() if since else ""]
    if status == "moved":
        parts.append(moved_to_os_id or "")
    return "|".join(parts)


def parse_status(text: str) -> tuple[str, dt.date | None, str | None]:
    """(status, since, moved-to OS ID) from :func:`status_text`."""
    parts = text.split("|")
    since = dt.date.fromisoformat(parts[1]) if len(parts) > 1 and parts[1] else None
    moved_to = parts[2] if len(parts) > 2 and parts[2] else None
    return parts[0], since, moved_to


def to_text(attribute: str, value: Any) -> str | None:
    """A factory column's value as observation text (None: no value)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if attribute == "workers":
        return str(int(value))
    if attribute == "women_pct":
        return _number_text(value)
    if attribute == "coordinates":
        lat, lng = value
        if lat is None or lng is None or any(isinstance(v, float) and math.isnan(v)
                                             for v in (lat, lng)):
            return None
        return f"{_number_text(lat)},{_number_text(lng)}"
    return str(value)


def column_values(attribute: str, text: str | None) -> dict[str, Any]:
    """The factory columns an observation text sets (all None for no value)."""
    if text is None:
        if attribute == "status":
            return {"status": "active", "status_since": None}
        return dict.fromkeys(COLUMNS[attribute])
    if attribute == "workers":
        return {"workers": workers_value(text)}
    if attribute == "women_pct":
        return {"women_pct": float(text)}
    if attribute == "coordinates":
        lat, lng = text.split(",")
        return {"lat": float(lat), "lng": float(lng)}
    if attribute == "status":
        status, since, _ = parse_status(text)
        return {"status": status, "status_since": since}
    return {attribute: text}


def display_value(attribute: str, text: str) -> str:
    """An observation's value in words for the profile ("1001–5000", "closed on 3 Mar 2026")."""
    if attribute == "workers":
        low, high = workers_range(text)
        if high is None:
            return f"{low:,} or more"
        return f"{low:,}" if low == high else f"{low:,}–{high:,}"
    if attribute == "women_pct":
        return f"{float(text):g} %"
    if attribute == "coordinates":
        return text.replace(",", ", ")
    if attribute == "status":
        status, since, moved_to = parse_status(text)
        words = {"active": "active", "closed": "closed", "moved": "moved"}[status]
        if since:
            words += f" on {since:%d %b %Y}"
        if moved_to:
            words += f" (to the site with OS ID {moved_to})"
        return words
    return text


# ---- agreement and the rule ---------------------------------------------------------------


def agree(attribute: str, a: str, b: str) -> bool:
    """Do two values of an attribute say the same thing? (See the module docstring.)"""
    if a == b:
        return True
    if attribute == "name":
        return normalise_name(a) == normalise_name(b)
    if attribute == "address":
        return normalise_address(a) == normalise_address(b)
    if attribute == "workers":
        (a_low, a_high), (b_low, b_high) = workers_range(a), workers_range(b)
        if a_low == a_high:  # a is exact: inside b?
            return b_low <= a_low <= (b_high if b_high is not None else a_low)
        if b_low == b_high:
            return a_low <= b_low <= (a_high if a_high is not None else b_low)
        return False
    if attribute == "coordinates":
        (a_lat, a_lng), (b_lat, b_lng) = (tuple(map(float, v.split(","))) for v in (a, b))
        return (abs(a_lat - b_lat) <= COORDINATE_TOLERANCE
                and abs(a_lng - b_lng) <= COORDINATE_TOLERANCE)
    if attribute == "women_pct":
        return abs(float(a) - float(b)) < 0.05
    if attribute == "status":  # the same status since the same day (sources may know the
        return parse_status(a)[:2] == parse_status(b)[:2]  # new site or not)
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _exact(attribute: str, text: str) -> bool:
    if attribute != "workers":
        return True
    low, high = workers_range(text)
    return low == high


def choose(attribute: str, observations: Sequence[Observation],
           current: str | None = None) -> Observation | None:
    """The observation whose value is shown, by the rule of the module docstring.

    ``current`` is the value shown now (as text), for the "the value already shown stays"
    tie-break. None when there is no observation.
    """
    mine = [o for o in observations if o.attribute == attribute]
    for kind in PRECEDENCE[attribute]:
        ranked = [o for o in mine if o.source_kind == kind]
        if ranked:
            return ranked[0]
    lists = [o for o in mine if o.source_kind in (BRAND_LIST, EARLIER)]
    if not lists:
        return None

    def key(o: Observation) -> tuple:
        support = sum(1 for other in lists if agree(attribute, o.value, other.value))
        return (support, _exact(attribute, o.value),
                current is not None and o.value == current,
                current is not None and agree(attribute, o.value, current),
                o.observed_at, o.id if o.id is not None else math.inf)

    return max(lists, key=key)


def chosen_columns(observations: Iterable[Observation],
                   current: dict[str, Any]) -> dict[str, Any]:
    """Every attribute's chosen column values for one factory; attributes without any
    observation keep ``current`` (the factory row as stored)."""
    by_attribute: dict[str, list[Observation]] = {}
    for o in observations:
        by_attribute.setdefault(o.attribute, []).append(o)
    out: dict[str, Any] = {}
    for attribute in ATTRIBUTES:
        found = by_attribute.get(attribute)
        if not found:
            continue
        if attribute == "coordinates":
            shown = to_text(attribute, (current.get("lat"), current.get("lng")))
        elif attribute == "status":
            shown = None
        else:
            shown = to_text(attribute, current.get(attribute))
        winner = choose(attribute, found, shown)
        out.update(column_values(attribute, winner.value if winner else None))
    return out


# ---- the profile's read -------------------------------------------------------------------

PROVENANCE_COLUMNS = ["attribute", "label", "value", "source", "observed_at", "shown",
                      "agrees_with_shown", "own", "source_file", "source_lists"]


def factory_provenance(engine: Engine, viewer: Viewer, factory_id: int) -> pd.DataFrame:
    """Every value each source gave for the factory's attributes, as the viewer may see them.

    Columns: ``attribute, label, value`` (in words), ``source`` ("Better Work", "Open Supply
    Hub", "your facility list (suppliers.csv)", "another buyer's list", "2 other buyers'
    lists", …), ``observed_at``, ``shown`` (the value the dashboard shows), ``agrees_with_shown``
    and ``own`` (the viewer brand's own list); ``source_file`` (the own list's file name, or
    "") and ``source_lists`` (how many other buyers' lists, 0 for other sources) let the
    interface say the source in its language. Other brands' values that agree with each other
    are one row ("2 other buyers' lists", the latest date).

    Raises:
        NotFound: the factory is not one of the brand's (the same check as its profile).
    """
    profile = factory_profile(engine, viewer, factory_id)  # the access check, and the values
    brand_id = viewer.require_brand()
    source = FactoryAttributeSource
    # own and shared rows: through the brand's own scope (row-level security allows exactly
    # these); the brand's file names come from its own imports only
    mine = (select(source.id, source.attribute, source.value, source.source_kind,
                   source.brand_id, source.observed_at, ImportRun.file_name)
            .outerjoin(ImportRun, and_(ImportRun.id == source.import_run_id,
                                       source.brand_id == brand_id))
            .where(source.factory_id == factory_id,
                   (source.brand_id.is_(None)) | (source.brand_id == brand_id)))
    # other brands' rows: read in the system scope after the access check above, and only
    # attribute, value and date leave the database — never the brand or the file
    others = (select(source.attribute, source.value, source.observed_at)
              .where(source.factory_id == factory_id, source.brand_id.is_not(None),
                     source.brand_id != brand_id))
    with scoped_connection(engine, viewer) as conn:
        own_rows = conn.execute(mine).all()
    with system_connection(engine) as conn:
        other_rows = conn.execute(others).all()

    observations: list[tuple[Observation, str, str, int]] = []
    for row in own_rows:
        if row.brand_id is not None:
            label = (OWN_LIST_FILE.format(file=row.file_name) if row.file_name
                     else OWN_LIST)
        else:
            label = SOURCE_LABELS[row.source_kind]
        observations.append((Observation(row.attribute, row.value, row.source_kind,
                                         row.brand_id, row.observed_at, row.id), label,
                             (row.file_name or "") if row.brand_id is not None else "", 0))
    grouped: dict[tuple[str, str], list[dt.datetime]] = {}
    for row in other_rows:
        match = next((key for key in grouped if key[0] == row.attribute
                      and agree(row.attribute, key[1], row.value)), None)
        grouped.setdefault(match or (row.attribute, row.value), []).append(row.observed_at)
    for (attribute, value), dates in grouped.items():
        label = OTHER_LIST if len(dates) == 1 else OTHER_LISTS.format(n=len(dates))
        observations.append((Observation(attribute, value, BRAND_LIST, -1, max(dates)), label,
                             "", len(dates)))

    shown_text = {a: (to_text(a, (profile["lat"], profile["lng"])) if a == "coordinates"
                      else status_text(profile["status"], profile["status_since"])
                      if a == "status" else to_text(a, profile.get(a)))
                  for a in ATTRIBUTES}
    records = []
    order = list(ATTRIBUTES)
    for o, label, source_file, source_lists in observations:
        if o.attribute not in ATTRIBUTES:
            continue
        shown = shown_text[o.attribute]
        is_shown = shown is not None and (o.value == shown or (
            o.attribute == "status" and parse_status(o.value)[:2] == parse_status(shown)[:2]))
        records.append({
            "attribute": o.attribute, "label": ATTRIBUTES[o.attribute],
            "value": display_value(o.attribute, o.value), "source": label,
            "observed_at": o.observed_at, "shown": is_shown,
            "agrees_with_shown": shown is not None and agree(o.attribute, o.value, shown),
            "own": o.brand_id == brand_id,
            "source_file": source_file, "source_lists": source_lists,
        })
    frame = pd.DataFrame(records, columns=PROVENANCE_COLUMNS)
    if frame.empty:
        return frame
    frame["_order"] = frame["attribute"].map(order.index)
    frame = frame.sort_values(["_order", "shown", "observed_at"], ascending=[True, False, False])
    return frame.drop(columns="_order").reset_index(drop=True)


def conflicts(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`factory_provenance` whose value disagrees with the value shown."""
    if frame.empty:
        return frame
    return frame[~frame["agrees_with_shown"]].reset_index(drop=True)
