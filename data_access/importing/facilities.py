"""Facility lists in Open Supply Hub's columns: one brand's list, Better Work's or Open Supply
Hub's own.

A row creates or updates a factory — and, for a brand's list, the brand's sourcing relationship
with it. Matching an uploaded facility to a stored one follows
:mod:`data_access.importing.matching` (OS ID first, then normalised name + country + address).

**Provenance** (issue 14). A row does not overwrite the factory: it records what *this source*
says about each attribute (``factory_attribute_source``: one row per factory, attribute and
source — per brand for brands' lists), and the factory's columns then take the value
:func:`data_access.provenance.choose` picks from every source. So a brand's list never replaces
silently what Better Work, Open Supply Hub or another buyer's list said; the other values stay
and the factory profile shows them. Within one source: an empty cell never erases what the
source said before, a re-spelling of the same name or address is not a change, and a worker
range that contains the count the source gave before keeps that count.

**Rows describing the same facility** (the same OS ID; the same normalised name, country and
address without two different OS IDs; or matching the same stored factory) are merged: the
first row wins, a later row fills only cells the first left empty, and is reported as "merged
with row N" — with a warning for each value that differs from the kept one.

Row outcome: ``inserted`` when it created a factory or added the factory to the brand's list;
``updated`` when it changed what the source said (or the brand's relationship); ``merged`` when
it was merged into an earlier row; ``unchanged`` otherwise. A list never ends relationships
missing from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text, update

from data_access import provenance as pv
from data_access.importing import cleaners as c
from data_access.importing.common import (
    ChangePlan,
    chunks,
    execute_many,
    insert_rows,
    select_in,
    utcnow,
    write_chunk_size,
)
from data_access.importing.matching import facility_key
from data_access.importing.reading import Column, FileSpec, ParsedFile, Row
from data_access.schema import Factory, FactoryAttributeSource, SourcingRelationship
from reference.translation import N_

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
        # closed and moved facilities (Open Supply Hub reports both)
        Column("status", c.factory_status, aliases=("facility_status", "is_closed")),
        Column("status_date", c.iso_date, aliases=("closed_on", "moved_on", "closure_date")),
        Column("moved_to_os_id", c.os_id, aliases=("new_os_id",)),
    ),
)

#: columns about the brand's relationship, meaningless in Better Work's or Open Supply Hub's list
RELATIONSHIP_COLUMNS = ("tier", "start_date", "publicly_disclosed")
#: file column -> provenance attribute, for the one-column attributes
_ATTRIBUTE_OF = {
    "name": "name", "address": "address", "city": "city", "country": "country_code",
    "os_id": "os_id", "sector": "sector", "facility_type": "facility_type",
    "processing_type": "processing_type", "parent_company": "parent_company",
    "product_type": "product_type", "women_pct": "women_pct",
}
#: the factory columns an import reads and may change
_FACTORY_COLUMNS = ("os_id", "name", "country_code", "address", "city", "lat", "lng", "sector",
                    "facility_type", "processing_type", "parent_company", "product_type",
                    "workers", "women_pct", "status", "status_since", "moved_to_factory_id")
_MERGED_COLUMNS = tuple(col.name for col in SPEC.columns)


@dataclass
class _Group:
    """One facility of the file: its first row, the values after merging later rows."""

    row: Row
    values: dict[str, Any]
    factory_id: int | None
    merged_rows: list[int] = field(default_factory=list)


def plan_facilities(conn: Connection, parsed: ParsedFile, brand_id: int | None,
                    today: dt.date, *, source_kind: str = pv.BRAND_LIST) -> ChangePlan:
    """Validate the rows against each other and the database; plan the writes.

    ``source_kind`` is whose list this is: ``brand_list`` (``brand_id`` required),
    ``better_work`` or ``open_supply_hub``.
    """
    if (source_kind == pv.BRAND_LIST) != (brand_id is not None):
        raise ValueError("a brand's list needs its brand; other sources have none")
    if source_kind != pv.BRAND_LIST:
        ignored = tuple(parsed.display[col] for col in RELATIONSHIP_COLUMNS
                        if col in parsed.present)
        parsed.ignored_columns = parsed.ignored_columns + ignored

    factories = {r.id: dict(r._mapping) for r in conn.execute(
        select(Factory.id, *(getattr(Factory, col) for col in _FACTORY_COLUMNS)))}
    by_os_id = {f["os_id"]: fid for fid, f in factories.items() if f["os_id"]}
    by_key: dict[tuple[str, str, str], list[int]] = {}
    for fid, f in factories.items():
        by_key.setdefault(facility_key(f["name"], f["country_code"], f["address"]), []).append(fid)

    groups = _group_rows(parsed, today, factories, by_os_id, by_key)
    plan = ChangePlan(rows=parsed.row_count)
    if parsed.problems:
        return plan  # the file is rejected: no need to plan its writes

    matched = [g.factory_id for g in groups if g.factory_id is not None]
    stored = _stored_observations(conn, matched, source_kind, brand_id)
    relationships = {}
    if brand_id is not None:
        relationships = {r.factory_id: dict(r._mapping) for r in conn.execute(
            select(SourcingRelationship.id, SourcingRelationship.factory_id,
                   SourcingRelationship.tier, SourcingRelationship.start_date,
                   SourcingRelationship.active, SourcingRelationship.end_date,
                   SourcingRelationship.publicly_disclosed)
            .where(SourcingRelationship.brand_id == brand_id))}

    now = utcnow()
    work = _Work(source_kind, brand_id, now)
    for group in groups:
        v = group.values
        mine = _observations_of(v, source_kind, brand_id, now)
        plan.merged += len(group.merged_rows)
        if group.factory_id is None:
            chosen = pv.chosen_columns(mine.values(), {})
            work.new_factories.append({**_blank_factory(), **chosen, "updated_at": now})
            work.new_observations.append(list(mine.values()))
            work.new_moved_to.append(_moved_to(mine))
            if brand_id is not None:
                work.new_factory_rels.append(_new_relationship(v))
            plan.count("inserted")
            continue

        fid = group.factory_id
        current = factories[fid]
        before = stored.get(fid, {})
        everything = dict(before.get("all", {}))  # (attribute, source key) -> Observation
        changed_observation = False
        for attribute, new in mine.items():
            old = before.get("own", {}).get(attribute)
            if old is not None and _keeps(attribute, old.value, new.value):
                continue
            changed_observation = True
            if old is None:
                work.observation_inserts.append((fid, new))
            else:
                work.observation_updates.append({"b_id": old.id, "b_value": new.value,
                                                 "b_observed_at": now})
            everything[(attribute, _source_key(new))] = new
        chosen = pv.chosen_columns(everything.values(), current)
        changes = {col: val for col, val in chosen.items() if val != current[col]}
        moved_to = next((_moved_to({"status": o}) for o in everything.values()
                         if o.attribute == "status" and _is_chosen(o, chosen)), None)
        if chosen.get("status", current["status"]) != "moved" and current["moved_to_factory_id"]:
            changes["moved_to_factory_id"] = None
        if changes:
            work.factory_updates.append({"b_id": fid, "b_updated_at": now,
                                         **{f"b_{k}": val for k, val in changes.items()}})
        if moved_to is not None and by_os_id.get(moved_to, -1) != current["moved_to_factory_id"]:
            work.moved_to_updates.append({"b_id": fid, "b_os_id": moved_to})
        status = chosen.get("status", current["status"])
        if source_kind == pv.BRAND_LIST and status != "active" and "status" not in mine:
            since = chosen.get("status_since", current["status_since"])
            parsed.warn(group.row.number, "name",
                        f"this factory is recorded as {status}"
                        + (f" since {since:%d %b %Y}" if since else "")
                        + "; it is kept in your list but left out of active figures")

        rel_change: dict[str, Any] = {}
        if brand_id is not None:
            rel = relationships.get(fid)
            if rel is None:
                work.rel_inserts.append(_relationship_tuple(brand_id, fid, _new_relationship(v)))
                plan.count("inserted")
                continue
            rel_change = _relationship_changes(rel, v)
            if rel_change:
                work.rel_updates.append({"b_id": rel["id"],
                                         **{f"b_{k}": val for k, val in rel_change.items()}})
        plan.count("updated" if rel_change or changed_observation or changes else "unchanged")

    plan.details = {
        "factories_inserted": len(work.new_factories),
        "factories_updated": len(work.factory_updates),
        "sources_recorded": (sum(len(o) for o in work.new_observations)
                             + len(work.observation_inserts) + len(work.observation_updates)),
    }
    if brand_id is not None:
        plan.details.update({
            "relationships_inserted": len(work.new_factories) + len(work.rel_inserts),
            "relationships_updated": len(work.rel_updates),
        })
    if plan.merged:
        plan.details["rows_merged"] = plan.merged
    work.add_steps(plan)
    return plan


# ---- rows of the same facility ---------------------------------------------------------------


def _group_rows(parsed: ParsedFile, today: dt.date, factories, by_os_id,
                by_key) -> list[_Group]:
    """Check every row, match it, and merge rows describing the same facility."""
    groups: list[_Group] = []
    by_os: dict[str, _Group] = {}
    by_row_key: dict[tuple[str, str, str], _Group] = {}
    by_factory: dict[int, _Group] = {}
    for row in parsed.rows:
        v = row.values
        _check_row(parsed, row, today)
        if not row.is_valid("country", "name", "address", "os_id") or None in (
                v["country"], v["name"], v["address"]):
            continue
        key = facility_key(v["name"], v["country"], v["address"])
        same = by_os.get(v["os_id"]) if v["os_id"] else None
        if same is None and key in by_row_key:
            other = by_row_key[key]
            if not (v["os_id"] and other.values["os_id"]
                    and v["os_id"] != other.values["os_id"]):
                same = other
        factory_id = None
        if same is None:
            factory_id = _match(parsed, row, key, factories, by_os_id, by_key)
            if factory_id is False:
                continue
            if factory_id is not None:
                same = by_factory.get(factory_id)
        if same is not None:
            _merge(parsed, same, row)
            continue
        group = _Group(row, dict(v), factory_id)
        groups.append(group)
        if v["os_id"]:
            by_os[v["os_id"]] = group
        by_row_key.setdefault(key, group)
        if factory_id is not None:
            by_factory[factory_id] = group
    return groups


def _merge(parsed: ParsedFile, group: _Group, row: Row) -> None:
    """Row ``row`` describes the facility of ``group``'s first row: fill what that row left
    empty, warn about every value that differs from the one kept."""
    first = group.row.number
    filled = []
    for name in _MERGED_COLUMNS:
        new = row.values.get(name)
        if new is None or not row.is_valid(name):
            continue
        kept = group.values.get(name)
        if kept is None:
            group.values[name] = new
            filled.append(parsed.display.get(name, name))
        elif not _same_cell(name, kept, new):
            parsed.warn(row.number, name,
                        f"{_shown(new)} differs from row {first}'s {_shown(kept)}, which is "
                        "kept")
    group.merged_rows.append(row.number)
    detail = f"; it adds {', '.join(filled)}" if filled else ""
    parsed.warn(row.number, None, f"merged with row {first} (the same facility){detail}")


def _same_cell(name: str, a: Any, b: Any) -> bool:
    attribute = _ATTRIBUTE_OF.get(name)
    if name == "number_of_workers":
        return pv.agree("workers", pv.workers_text(a.low, a.high), pv.workers_text(b.low, b.high))
    if attribute is not None and isinstance(a, str) and isinstance(b, str):
        return pv.agree(attribute, a, b)
    return a == b


def _shown(value: Any) -> str:
    if isinstance(value, c.WorkerCount):
        return repr(pv.display_value("workers", pv.workers_text(value.low, value.high)))
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value) if isinstance(value, str) else str(value)


def _check_row(parsed: ParsedFile, row: Row, today: dt.date) -> None:
    v = row.values
    if row.is_valid("lat", "lng") and (v["lat"] is None) != (v["lng"] is None):
        missing = "lng" if v["lng"] is None else "lat"
        parsed.problem(row.number, missing, N_("lat and lng must be given together"))
    if v["start_date"] is not None and v["start_date"] > today:
        parsed.problem(row.number, "start_date", f"{v['start_date']} is in the future")
    if v["status_date"] is not None and v["status_date"] > today:
        parsed.problem(row.number, "status_date", f"{v['status_date']} is in the future")
    if row.is_valid("status") and v["status"] in (None, "active"):
        if v["moved_to_os_id"] is not None:
            parsed.problem(row.number, "moved_to_os_id",
                           N_("is only meaningful when the status is moved"))
        if v["status_date"] is not None:
            parsed.problem(row.number, "status_date",
                           N_("is the date a facility closed or moved; the status says neither"))
    if v["moved_to_os_id"] is not None and v["moved_to_os_id"] == v["os_id"]:
        parsed.problem(row.number, "moved_to_os_id", N_("is the facility's own OS ID"))


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


# ---- observations ----------------------------------------------------------------------------


def _observations_of(v: dict[str, Any], source_kind: str, brand_id: int | None,
                     now: dt.datetime) -> dict[str, pv.Observation]:
    """What this row says, attribute by attribute (only cells with a value)."""
    texts: dict[str, str] = {}
    for column, attribute in _ATTRIBUTE_OF.items():
        value = pv.to_text(attribute, v[column])
        if value is not None:
            texts[attribute] = value
    if v["lat"] is not None and v["lng"] is not None:
        texts["coordinates"] = pv.to_text("coordinates", (v["lat"], v["lng"]))
    workers: c.WorkerCount | None = v["number_of_workers"]
    if workers is not None:
        texts["workers"] = pv.workers_text(workers.low, workers.high)
    if v["status"] is not None:
        texts["status"] = pv.status_text(v["status"], v["status_date"], v["moved_to_os_id"])
    return {attribute: pv.Observation(attribute, value, source_kind, brand_id, now)
            for attribute, value in texts.items()}


def _keeps(attribute: str, old: str, new: str) -> bool:
    """Does the same source's new value leave its stored one as it is? A re-spelling (or a range
    containing the count given before) does; a more precise count does not."""
    if old == new:
        return True
    if attribute == "workers":
        low, high = pv.workers_range(old)
        return low == high and pv.agree(attribute, old, new)
    if attribute in ("name", "address"):
        return pv.agree(attribute, old, new)
    return False


def _source_key(o: pv.Observation) -> tuple[str, int | None]:
    return (o.source_kind, o.brand_id)


def _stored_observations(conn: Connection, factory_ids: list[int], source_kind: str,
                         brand_id: int | None) -> dict[int, dict[str, dict]]:
    """Per factory: ``all`` — every stored observation, keyed by (attribute, source) — and
    ``own`` — this source's, keyed by attribute."""
    src = FactoryAttributeSource
    out: dict[int, dict[str, dict]] = {}
    rows = select_in(conn, lambda chunk: select(
        src.id, src.factory_id, src.attribute, src.value, src.source_kind, src.brand_id,
        src.observed_at).where(src.factory_id.in_(chunk)), factory_ids)
    for r in rows:
        o = pv.Observation(r.attribute, r.value, r.source_kind, r.brand_id, r.observed_at, r.id)
        entry = out.setdefault(r.factory_id, {"all": {}, "own": {}})
        entry["all"][(r.attribute, _source_key(o))] = o
        if r.source_kind == source_kind and r.brand_id == brand_id:
            entry["own"][r.attribute] = o
    return out


def _is_chosen(o: pv.Observation, chosen: dict[str, Any]) -> bool:
    status, since, _ = pv.parse_status(o.value)
    return status == chosen.get("status") and since == chosen.get("status_since")


def _moved_to(observations: dict[str, pv.Observation]) -> str | None:
    status = observations.get("status")
    if status is None:
        return None
    kind, _, target = pv.parse_status(status.value)
    return target if kind == "moved" else None


def _blank_factory() -> dict[str, Any]:
    return {col: None for col in _FACTORY_COLUMNS} | {"status": "active"}


# ---- relationships ---------------------------------------------------------------------------


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
_OBSERVATION_COLUMNS = ["factory_id", "attribute", "value", "source_kind", "brand_id",
                        "import_run_id", "observed_at"]


@dataclass
class _Work:
    """Everything the plan will write, filled row by row, turned into steps at the end."""

    source_kind: str
    brand_id: int | None
    now: dt.datetime
    new_factories: list[dict[str, Any]] = field(default_factory=list)
    new_observations: list[list[pv.Observation]] = field(default_factory=list)
    new_moved_to: list[str | None] = field(default_factory=list)
    new_factory_rels: list[dict[str, Any]] = field(default_factory=list)
    observation_inserts: list[tuple[int, pv.Observation]] = field(default_factory=list)
    observation_updates: list[dict[str, Any]] = field(default_factory=list)
    factory_updates: list[dict[str, Any]] = field(default_factory=list)
    moved_to_updates: list[dict[str, Any]] = field(default_factory=list)
    rel_inserts: list[tuple] = field(default_factory=list)
    rel_updates: list[dict[str, Any]] = field(default_factory=list)

    def add_steps(self, plan: ChangePlan) -> None:
        new_ids: list[int] = []
        factory_table = Factory.__table__

        def insert_factories(conn: Connection, advance) -> None:
            # RETURNING in parameter order gives each new factory's id
            result = conn.execute(insert(Factory).returning(Factory.id,
                                                            sort_by_parameter_order=True),
                                  self.new_factories)
            new_ids.extend(result.scalars())
            advance(len(self.new_factories))

        def observation_rows() -> list[tuple]:
            rows = [(fid, o.attribute, o.value, o.source_kind, o.brand_id, plan.import_run_id,
                     o.observed_at)
                    for fid, found in zip(new_ids, self.new_observations, strict=True)
                    for o in found]
            rows += [(fid, o.attribute, o.value, o.source_kind, o.brand_id, plan.import_run_id,
                      o.observed_at) for fid, o in self.observation_inserts]
            return rows

        def insert_observations(conn: Connection, advance) -> None:
            rows = observation_rows()
            for chunk in chunks(rows, write_chunk_size(len(rows))):
                conn.execute(insert(FactoryAttributeSource),
                             [dict(zip(_OBSERVATION_COLUMNS, row, strict=True))
                              for row in chunk])
                advance(len(chunk))

        def update_observations(conn: Connection, advance) -> None:
            table = FactoryAttributeSource.__table__
            stmt = (update(table).where(table.c.id == bindparam("b_id"))
                    .values(value=bindparam("b_value"), observed_at=bindparam("b_observed_at"),
                            import_run_id=bindparam("b_run")))
            params = [{**p, "b_run": plan.import_run_id} for p in self.observation_updates]
            execute_many(stmt, params)(conn, advance)

        def insert_new_factory_relationships(conn: Connection, advance) -> None:
            assert self.brand_id is not None
            rows = [_relationship_tuple(self.brand_id, fid, rel)
                    for fid, rel in zip(new_ids, self.new_factory_rels, strict=True)]
            insert_rows(SourcingRelationship.__table__, _REL_COLUMNS, rows)(conn, advance)

        def link_moved_factories(conn: Connection, advance) -> None:
            # the site a factory moved to, by its OS ID, once every new factory exists
            params = self.moved_to_updates + [
                {"b_id": fid, "b_os_id": target}
                for fid, target in zip(new_ids, self.new_moved_to, strict=True) if target]
            conn.execute(text(
                "UPDATE factory SET moved_to_factory_id = (SELECT f.id FROM factory f "
                "WHERE f.os_id = :b_os_id) WHERE id = :b_id"), params)
            advance(len(params))

        observations = (sum(len(o) for o in self.new_observations)
                        + len(self.observation_inserts))
        plan.step(len(self.new_factories), insert_factories)
        plan.step(observations, insert_observations)
        plan.step(len(self.observation_updates), update_observations)
        if self.brand_id is not None:
            plan.step(len(self.new_factories), insert_new_factory_relationships)
        for cols, params in _group_by_columns(self.factory_updates).items():
            stmt = (update(factory_table).where(factory_table.c.id == bindparam("b_id"))
                    .values({col: bindparam(f"b_{col}") for col in cols}))
            plan.step(len(params), execute_many(stmt, params))
        plan.step(len(self.moved_to_updates) + sum(1 for t in self.new_moved_to if t),
                  link_moved_factories)
        plan.step(len(self.rel_inserts), insert_rows(SourcingRelationship.__table__,
                                                     _REL_COLUMNS, self.rel_inserts))
        rel_table = SourcingRelationship.__table__
        for cols, params in _group_by_columns(self.rel_updates).items():
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
