"""Facility lists in Open Supply Hub's columns, linked to one brand.

A row creates or updates a factory and the brand's sourcing relationship with it. Matching an
uploaded facility to a stored one follows :mod:`data_access.importing.matching` (OS ID first,
then normalised name + country + address).

Facility rows are *merged* into what is stored: an empty cell never erases a stored value, since
several brands' lists (and Open Supply Hub) describe the same factory and a blank in one list
is not knowledge that the value is gone. A different spelling of the same name or address
(same normalised form) is not a change either, so two brands' lists do not flip a name back and
forth. A worker range that contains the stored exact count keeps the exact count.

Row outcome: ``inserted`` when it created a factory or added the factory to the brand's list;
``updated`` when it changed a stored factory or relationship (including reactivating an ended
relationship); ``unchanged`` otherwise. A list never ends relationships missing from it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from data_access.importing import cleaners as c
from data_access.importing.common import ChangePlan, execute_many, insert_rows, utcnow
from data_access.importing.matching import facility_key, normalise_address, normalise_name
from data_access.importing.reading import Column, FileSpec, ParsedFile, Row
from data_access.schema import Factory, SourcingRelationship

SPEC = FileSpec(
    kind="facilities",
    columns=(
        Column("country", c.country, required=True, aliases=("country_code", "country_name")),
        Column("name", c.text(300), required=True, aliases=("facility_name",)),
        Column("address", c.text(500), required=True),
        Column("sector", c.text(120)),
        Column("parent_company", c.text(300)),
        Column("product_type", c.text(300)),
        Column("facility_type", c.facility_type),
        Column("processing_type", c.text(120)),
        Column("number_of_workers", c.workers, aliases=("workers",)),
        Column("lat", c.latitude, aliases=("latitude",)),
        Column("lng", c.longitude, aliases=("longitude", "lon", "long")),
        Column("os_id", c.os_id),
        # our own optional columns
        Column("city", c.text(120)),
        Column("tier", c.tier),
        Column("start_date", c.iso_date),
        Column("publicly_disclosed", c.boolean),
        Column("women_pct", c.percent, aliases=("women_percent", "percent_women")),
    ),
)

# file column -> factory column, for the plain "replace when given and different" fields
_PLAIN_FIELDS = {
    "sector": "sector", "parent_company": "parent_company", "product_type": "product_type",
    "facility_type": "facility_type", "processing_type": "processing_type", "lat": "lat",
    "lng": "lng", "os_id": "os_id", "city": "city", "women_pct": "women_pct",
    "country": "country_code",
}
_FACTORY_COLUMNS = ("os_id", "name", "country_code", "address", "city", "lat", "lng", "sector",
                    "facility_type", "processing_type", "parent_company", "product_type",
                    "workers", "women_pct")


def plan_facilities(conn: Connection, parsed: ParsedFile, brand_id: int,
                    today: dt.date) -> ChangePlan:
    """Validate the rows against each other and the database; plan the writes."""
    factories = {r.id: dict(r._mapping) for r in conn.execute(
        select(Factory.id, *(getattr(Factory, col) for col in _FACTORY_COLUMNS)))}
    by_os_id = {f["os_id"]: fid for fid, f in factories.items() if f["os_id"]}
    by_key: dict[tuple[str, str, str], list[int]] = {}
    for fid, f in factories.items():
        by_key.setdefault(facility_key(f["name"], f["country_code"], f["address"]), []).append(fid)
    relationships = {r.factory_id: dict(r._mapping) for r in conn.execute(
        select(SourcingRelationship.id, SourcingRelationship.factory_id, SourcingRelationship.tier,
               SourcingRelationship.start_date, SourcingRelationship.active,
               SourcingRelationship.end_date, SourcingRelationship.publicly_disclosed)
        .where(SourcingRelationship.brand_id == brand_id))}

    plan = ChangePlan(rows=parsed.row_count)
    seen_os: dict[str, int] = {}
    seen_key: dict[tuple[str, str, str], tuple[int, str | None]] = {}
    seen_factory: dict[int, int] = {}
    new_factories: list[dict[str, Any]] = []
    new_factory_rels: list[dict[str, Any]] = []  # relationship of new_factories[i]
    factory_updates: list[dict[str, Any]] = []
    rel_inserts: list[tuple] = []
    rel_updates: list[dict[str, Any]] = []
    now = utcnow()

    for row in parsed.rows:
        v = row.values
        _check_row(parsed, row, today)
        if not row.is_valid("country", "name", "address", "os_id") or None in (
                v["country"], v["name"], v["address"]):
            continue
        key = facility_key(v["name"], v["country"], v["address"])
        # duplicates inside the file
        if v["os_id"]:
            if v["os_id"] in seen_os:
                parsed.problem(row.number, "os_id",
                               f"the same OS ID is already on row {seen_os[v['os_id']]}")
                continue
            seen_os[v["os_id"]] = row.number
        if key in seen_key:
            other_row, other_os = seen_key[key]
            if not (v["os_id"] and other_os and v["os_id"] != other_os):
                parsed.problem(row.number, "name",
                               f"describes the same facility as row {other_row} (same name, "
                               "country and address)")
                continue
        seen_key[key] = (row.number, v["os_id"])

        factory_id = _match(parsed, row, key, factories, by_os_id, by_key)
        if factory_id is False:
            continue
        if factory_id is not None:
            if factory_id in seen_factory:
                parsed.problem(row.number, "name",
                               f"matches the same stored factory (id {factory_id}) as row "
                               f"{seen_factory[factory_id]}")
                continue
            seen_factory[factory_id] = row.number
        if row.number in parsed.bad_rows:
            continue  # reported; the file will be rejected, no need to plan its writes

        if factory_id is None:
            new_factories.append(_new_factory(v, now))
            new_factory_rels.append(_new_relationship(v))
            plan.count("inserted")
            continue
        changed_factory = _factory_changes(factories[factory_id], v)
        if changed_factory:
            factory_updates.append({"b_id": factory_id, "b_updated_at": now,
                                    **{f"b_{k}": val for k, val in changed_factory.items()}})
        rel = relationships.get(factory_id)
        if rel is None:
            rel_inserts.append(_relationship_tuple(brand_id, factory_id, _new_relationship(v)))
            plan.count("inserted")
        else:
            rel_change = _relationship_changes(rel, v)
            if rel_change:
                rel_updates.append({"b_id": rel["id"],
                                    **{f"b_{k}": val for k, val in rel_change.items()}})
            plan.count("updated" if rel_change or changed_factory else "unchanged")

    plan.details = {
        "factories_inserted": len(new_factories),
        "factories_updated": len(factory_updates),
        "relationships_inserted": len(new_factories) + len(rel_inserts),
        "relationships_updated": len(rel_updates),
    }
    _add_steps(plan, brand_id, new_factories, new_factory_rels, factory_updates, rel_inserts,
               rel_updates)
    return plan


def _check_row(parsed: ParsedFile, row: Row, today: dt.date) -> None:
    v = row.values
    if row.is_valid("lat", "lng") and (v["lat"] is None) != (v["lng"] is None):
        missing = "lng" if v["lng"] is None else "lat"
        parsed.problem(row.number, missing, "lat and lng must be given together")
    if v["start_date"] is not None and v["start_date"] > today:
        parsed.problem(row.number, "start_date", f"{v['start_date']} is in the future")


def _match(parsed: ParsedFile, row: Row, key, factories, by_os_id, by_key) -> int | bool | None:
    """The stored factory this row describes, ``None`` for a new one, ``False`` on a problem."""
    os_value = row.values["os_id"]
    if os_value and os_value in by_os_id:
        return by_os_id[os_value]
    candidates = [fid for fid in by_key.get(key, ())
                  if not os_value or factories[fid]["os_id"] in (None, os_value)]
    if len(candidates) > 1:
        ids = ", ".join(str(fid) for fid in sorted(candidates))
        parsed.problem(row.number, "name",
                       f"matches several stored factories (ids {ids}) by name, country and "
                       "address; add their os_id to say which one")
        return False
    return candidates[0] if candidates else None


def _new_factory(v: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    workers = v["number_of_workers"]
    return {
        "os_id": v["os_id"], "name": v["name"], "country_code": v["country"],
        "address": v["address"], "city": v["city"], "lat": v["lat"], "lng": v["lng"],
        "sector": v["sector"], "facility_type": v["facility_type"],
        "processing_type": v["processing_type"], "parent_company": v["parent_company"],
        "product_type": v["product_type"], "workers": workers.value if workers else None,
        "women_pct": v["women_pct"], "updated_at": now,
    }


def _factory_changes(stored: dict[str, Any], v: dict[str, Any]) -> dict[str, Any]:
    """Columns whose value the row changes (empty cells and re-spellings are no change)."""
    changes: dict[str, Any] = {}
    for file_col, db_col in _PLAIN_FIELDS.items():
        new = v[file_col]
        if new is not None and new != stored[db_col]:
            changes[db_col] = new
    if normalise_name(v["name"]) != normalise_name(stored["name"]):
        changes["name"] = v["name"]
    if normalise_address(v["address"]) != normalise_address(stored["address"]):
        changes["address"] = v["address"]
    workers: c.WorkerCount | None = v["number_of_workers"]
    if workers is not None:
        current = stored["workers"]
        inside = current is not None and workers.low <= current <= (workers.high or current)
        if not inside:
            changes["workers"] = workers.value
    return changes


def _new_relationship(v: dict[str, Any]) -> dict[str, Any]:
    return {"tier": v["tier"] or 1, "start_date": v["start_date"],
            "publicly_disclosed": bool(v["publicly_disclosed"])}


def _relationship_tuple(brand_id: int, factory_id: int, rel: dict[str, Any]) -> tuple:
    return (brand_id, factory_id, rel["tier"], rel["start_date"], None, True,
            rel["publicly_disclosed"])


def _relationship_changes(rel: dict[str, Any], v: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for col in ("tier", "start_date", "publicly_disclosed"):
        if v[col] is not None and v[col] != rel[col]:
            changes[col] = v[col]
    if not rel["active"]:  # listed again: the brand sources from it again
        changes["active"] = True
    if rel["end_date"] is not None:
        changes["end_date"] = None
    return changes


_REL_COLUMNS = ["brand_id", "factory_id", "tier", "start_date", "end_date", "active",
                "publicly_disclosed"]


def _add_steps(plan: ChangePlan, brand_id: int, new_factories, new_factory_rels,
               factory_updates, rel_inserts, rel_updates) -> None:
    new_ids: list[int] = []

    def insert_factories(conn: Connection, advance) -> None:
        # RETURNING in parameter order gives each new factory's id for its relationship.
        result = conn.execute(insert(Factory).returning(Factory.id, sort_by_parameter_order=True),
                              new_factories)
        new_ids.extend(result.scalars())
        advance(len(new_factories))

    def insert_new_factory_relationships(conn: Connection, advance) -> None:
        rows = [_relationship_tuple(brand_id, fid, rel)
                for fid, rel in zip(new_ids, new_factory_rels, strict=True)]
        insert_rows(SourcingRelationship.__table__, _REL_COLUMNS, rows)(conn, advance)

    plan.step(len(new_factories), insert_factories)
    plan.step(len(new_factories), insert_new_factory_relationships)
    table = Factory.__table__
    for cols, params in _group_by_columns(factory_updates).items():
        stmt = (update(table).where(table.c.id == bindparam("b_id"))
                .values({col: bindparam(f"b_{col}") for col in cols}))
        plan.step(len(params), execute_many(stmt, params))
    plan.step(len(rel_inserts), insert_rows(SourcingRelationship.__table__, _REL_COLUMNS,
                                            rel_inserts))
    rel_table = SourcingRelationship.__table__
    for cols, params in _group_by_columns(rel_updates).items():
        stmt = (update(rel_table).where(rel_table.c.id == bindparam("b_id"))
                .values({col: bindparam(f"b_{col}") for col in cols}))
        plan.step(len(params), execute_many(stmt, params))


def _group_by_columns(updates: list[dict[str, Any]]) -> dict[tuple[str, ...], list[dict]]:
    """executemany needs the same parameters in every set: group updates by changed columns."""
    groups: dict[tuple[str, ...], list[dict]] = {}
    for params in updates:
        cols = tuple(sorted(k[2:] for k in params if k != "b_id"))
        groups.setdefault(cols, []).append(params)
    return groups
