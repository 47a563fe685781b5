"""Improvement-plan items: one row per finding being remediated.

The assessment is found by factory and ``cycle`` or ``assessment_date`` (both may be given; they
must then name the same assessment). The finding must already be stored — import the
assessment first — because an item remediates a finding (the schema's foreign key).

Plan rows are complete records: a column present in the file replaces the stored value, an
empty cell included (an empty ``due_date`` means "no due date"); a column absent from the file
keeps stored values. ``completed_on`` is cleared when the status is not Completed.

Row outcome: ``inserted`` (new item), ``updated`` (any field changed) or ``unchanged``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from data_access.importing import cleaners as c
from data_access.importing.common import (
    FACTORY_REFERENCE_COLUMNS,
    ChangePlan,
    execute_many,
    insert_rows,
    load_factory_refs,
    load_question_ids,
    question_code,
    resolve_factory,
    select_in,
)
from data_access.importing.reading import Column, FileSpec, ParsedFile
from data_access.schema import Assessment, Finding, ImprovementPlanItem
from data_access.summaries import refresh_summaries
from reference.translation import N_

STATUSES = {"pending": "Pending", "open": "Pending", "not started": "Pending",
            "in progress": "In Progress", "ongoing": "In Progress", "started": "In Progress",
            "completed": "Completed", "complete": "Completed", "done": "Completed",
            "closed": "Completed"}

SPEC = FileSpec(
    kind="plans",
    columns=(
        *FACTORY_REFERENCE_COLUMNS,
        Column("assessment_date", c.iso_date, aliases=("assessed_on",)),
        Column("cycle", c.integer(1, 100)),
        Column("question_code", question_code, required=True, aliases=("question",)),
        Column("action", c.text(4000, single_line=False), required=True),
        Column("status", c.choice(STATUSES, "status"), required=True),
        Column("due_date", c.iso_date, aliases=("due_on",)),
        Column("completed_on", c.iso_date, aliases=("completion_date",)),
    ),
    one_of=(("factory_os_id", "factory_id"), ("assessment_date", "cycle")),
)
_FIELDS = ("action", "status", "due_date", "completed_on")


def plan_plans(conn: Connection, parsed: ParsedFile, today: dt.date) -> ChangePlan:
    refs = load_factory_refs(conn)
    questions = load_question_ids(conn)
    plan = ChangePlan(rows=parsed.row_count)

    factory_of_row: dict[int, int] = {}
    for row in parsed.rows:
        factory_id = resolve_factory(parsed, row, refs)
        if factory_id is not None:
            factory_of_row[row.number] = factory_id
    assessments = select_in(
        conn, lambda ids: select(Assessment.id, Assessment.factory_id, Assessment.cycle,
                                 Assessment.assessed_on).where(Assessment.factory_id.in_(ids)),
        set(factory_of_row.values()))
    by_cycle = {(a.factory_id, a.cycle): a for a in assessments}
    by_date: dict[tuple[int, dt.date], list[Any]] = {}
    for a in assessments:
        by_date.setdefault((a.factory_id, a.assessed_on), []).append(a)
    assessment_ids = [a.id for a in assessments]
    findings = {(r.assessment_id, r.question_id) for r in select_in(
        conn, lambda ids: select(Finding.assessment_id, Finding.question_id)
        .where(Finding.assessment_id.in_(ids)), assessment_ids)}
    stored = {(r.assessment_id, r.question_id): r for r in select_in(
        conn, lambda ids: select(ImprovementPlanItem.id, ImprovementPlanItem.assessment_id,
                                 ImprovementPlanItem.question_id, ImprovementPlanItem.action,
                                 ImprovementPlanItem.status, ImprovementPlanItem.due_date,
                                 ImprovementPlanItem.completed_on)
        .where(ImprovementPlanItem.assessment_id.in_(ids)), assessment_ids)}

    seen: dict[tuple[int, int], int] = {}
    inserts: list[tuple] = []
    updates: list[dict[str, Any]] = []
    present = [f for f in _FIELDS if f in parsed.present]
    for row in parsed.rows:
        v = row.values
        question_id = None
        if v["question_code"] is not None:
            question_id = questions.get(v["question_code"])
            if question_id is None:
                parsed.problem(row.number, "question_code",
                               f"{v['question_code']!r} is not a question of the assessment "
                               "framework")
        factory_id = factory_of_row.get(row.number)
        assessment = None
        if factory_id is not None and row.is_valid("cycle", "assessment_date"):
            assessment = _find_assessment(parsed, row, factory_id, by_cycle, by_date)
        if assessment is not None:
            _check_dates(parsed, row, assessment.assessed_on, today)
        if assessment is None or question_id is None:
            continue
        key = (assessment.id, question_id)
        if key not in findings:
            parsed.problem(row.number, "question_code",
                           f"the assessment has no finding for {v['question_code']}; import "
                           "the assessment's findings first")
            continue
        if key in seen:
            parsed.problem(row.number, "question_code",
                           f"{v['question_code']} already has a plan item on row {seen[key]} "
                           "for this assessment")
            continue
        seen[key] = row.number
        if row.number in parsed.bad_rows:
            continue
        completed_on = v["completed_on"] if v["status"] == "Completed" else None
        values = {"action": v["action"], "status": v["status"], "due_date": v["due_date"],
                  "completed_on": completed_on}
        old = stored.get(key)
        if old is None:
            inserts.append((assessment.id, question_id, values["action"], values["status"],
                            values["due_date"], values["completed_on"]))
            plan.count("inserted")
            continue
        changes = {f: values[f] for f in present if values[f] != getattr(old, f)}
        if "status" in changes and completed_on is None and old.completed_on is not None:
            changes["completed_on"] = None
        if changes:
            updates.append({"b_id": old.id, **{f"b_{f}": value for f, value in changes.items()}})
            plan.count("updated")
        else:
            plan.count("unchanged")

    plan.details = {"plan_items_inserted": len(inserts), "plan_items_updated": len(updates)}
    plan.step(len(inserts), insert_rows(
        ImprovementPlanItem.__table__,
        ["assessment_id", "question_id", "action", "status", "due_date", "completed_on"],
        inserts))
    table = ImprovementPlanItem.__table__
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for params in updates:
        groups.setdefault(tuple(sorted(k for k in params if k != "b_id")), []).append(params)
    for cols, params in groups.items():
        stmt = (update(table).where(table.c.id == bindparam("b_id"))
                .values({col[2:]: bindparam(col) for col in cols}))
        plan.step(len(params), execute_many(stmt, params))

    if inserts or updates:
        touched = sorted(set(factory_of_row.values()))

        def refresh(conn: Connection, advance) -> None:
            # the directory's open / overdue items come from a summary table: rebuild it for
            # the factories in this file, in the same transaction (data_access.summaries)
            refresh_summaries(conn, touched)
            advance(1)

        plan.step(1, refresh)
    return plan


def _find_assessment(parsed: ParsedFile, row, factory_id: int, by_cycle, by_date):
    cycle, date = row.values["cycle"], row.values["assessment_date"]
    if cycle is None and date is None:
        parsed.problem(row.number, "cycle" if "cycle" in parsed.present else "assessment_date",
                       N_("the assessment is required (cycle or assessment_date)"))
        return None
    if cycle is not None:
        found = by_cycle.get((factory_id, cycle))
        if found is None:
            parsed.problem(row.number, "cycle", f"the factory has no assessment in cycle "
                           f"{cycle}; import the assessment first")
            return None
        if date is not None and found.assessed_on != date:
            parsed.problem(row.number, "assessment_date",
                           f"{date} is not the date of cycle {cycle} ({found.assessed_on})")
            return None
        return found
    candidates = by_date.get((factory_id, date), [])
    if not candidates:
        parsed.problem(row.number, "assessment_date",
                       f"the factory has no assessment on {date}; import the assessment first")
        return None
    if len(candidates) > 1:
        parsed.problem(row.number, "assessment_date",
                       f"the factory has several assessments on {date}; give the cycle")
        return None
    return candidates[0]


def _check_dates(parsed: ParsedFile, row, assessed_on: dt.date, today: dt.date) -> None:
    v = row.values
    if v["due_date"] is not None and v["due_date"] < assessed_on:
        parsed.problem(row.number, "due_date",
                       f"{v['due_date']} is before the assessment ({assessed_on})")
    done = v["completed_on"]
    if done is None:
        return
    if v["status"] is not None and v["status"] != "Completed":
        parsed.problem(row.number, "completed_on",
                       f"is set but the status is {v['status']!r}, not 'Completed'")
    elif done < assessed_on:
        parsed.problem(row.number, "completed_on",
                       f"{done} is before the assessment ({assessed_on})")
    elif done > today:
        parsed.problem(row.number, "completed_on", f"{done} is in the future")
