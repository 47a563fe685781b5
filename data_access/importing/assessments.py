"""Assessments with question-level findings, in long format (one row per question answered).

Rows with the same factory and cycle are one assessment: they must agree on its date and kind.
An assessment is keyed by (factory, cycle) — the schema's unique key — and a finding by
(assessment, question). Findings not in the file are left as stored (a file may add questions
to an assessment); a finding in the file replaces the stored answer.

If a column is missing from the file, stored values of it are kept (``kind`` of an existing
assessment); a new assessment without a kind is "on-site".

Row outcome: ``inserted`` when the finding is new; ``updated`` when its answer changed or its
assessment's date or kind changed; ``unchanged`` otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

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
from data_access.schema import Assessment, Finding
from data_access.summaries import refresh_summaries

SPEC = FileSpec(
    kind="assessments",
    columns=(
        *FACTORY_REFERENCE_COLUMNS,
        Column("assessment_date", c.iso_date, required=True, aliases=("assessed_on", "date")),
        Column("cycle", c.integer(1, 100), required=True),
        Column("kind", c.choice({"on site": "on-site", "onsite": "on-site",
                                 "virtual": "virtual", "remote": "virtual",
                                 "hybrid": "hybrid"}, "assessment kind"),
               aliases=("assessment_kind",)),
        Column("question_code", question_code, required=True, aliases=("question",)),
        Column("finding", c.finding, required=True, aliases=("non_compliant",)),
    ),
    one_of=(("factory_os_id", "factory_id"),),
)


def plan_assessments(conn: Connection, parsed: ParsedFile, today: dt.date) -> ChangePlan:
    refs = load_factory_refs(conn)
    questions = load_question_ids(conn)
    plan = ChangePlan(rows=parsed.row_count)

    # pass 1: validate rows and group them into assessments
    groups: dict[tuple[int, int], dict[str, Any]] = {}  # (factory, cycle) -> header
    seen: dict[tuple[int, int, int], int] = {}
    valid_rows: list[tuple[tuple[int, int], int, bool]] = []
    for row in parsed.rows:
        v = row.values
        factory_id = resolve_factory(parsed, row, refs)
        question_id = None
        if v["question_code"] is not None:
            question_id = questions.get(v["question_code"])
            if question_id is None:
                parsed.problem(row.number, "question_code",
                               f"{v['question_code']!r} is not a question of the assessment "
                               "framework")
        if v["assessment_date"] is not None and v["assessment_date"] > today:
            parsed.problem(row.number, "assessment_date", f"{v['assessment_date']} is in the "
                           "future")
        if factory_id is None or v["cycle"] is None:
            continue
        key = (factory_id, v["cycle"])
        header = groups.get(key)
        if header is None:
            groups[key] = {"row": row.number, "date": v["assessment_date"], "kind": v["kind"]}
        else:
            if (v["assessment_date"] is not None and header["date"] is not None
                    and v["assessment_date"] != header["date"]):
                parsed.problem(row.number, "assessment_date",
                               f"{v['assessment_date']} differs from row {header['row']} "
                               f"({header['date']}) for the same factory and cycle")
            if v["kind"] is not None:
                if header["kind"] is None:
                    header["kind"] = v["kind"]
                elif v["kind"] != header["kind"]:
                    parsed.problem(row.number, "kind",
                                   f"{v['kind']!r} differs from {header['kind']!r} given for "
                                   "the same factory and cycle")
        if question_id is None:
            continue
        finding_key = (factory_id, v["cycle"], question_id)
        if finding_key in seen:
            parsed.problem(row.number, "question_code",
                           f"{v['question_code']} is answered twice for this assessment (also "
                           f"row {seen[finding_key]})")
            continue
        seen[finding_key] = row.number
        if row.number not in parsed.bad_rows and v["finding"] is not None:
            valid_rows.append((key, question_id, v["finding"]))
    if parsed.problems:
        return plan

    # pass 2: compare with what is stored
    factory_ids = {factory for factory, _ in groups}
    stored = {(r.factory_id, r.cycle): r for r in select_in(
        conn, lambda ids: select(Assessment.id, Assessment.factory_id, Assessment.cycle,
                                 Assessment.assessed_on, Assessment.kind)
        .where(Assessment.factory_id.in_(ids)), factory_ids)}
    stored_findings = {(r.assessment_id, r.question_id): r.non_compliant for r in select_in(
        conn, lambda ids: select(Finding.assessment_id, Finding.question_id,
                                 Finding.non_compliant).where(Finding.assessment_id.in_(ids)),
        [stored[k].id for k in groups if k in stored])}

    new_assessments: list[tuple[int, int]] = []  # keys, in insert order
    header_updates: list[dict[str, Any]] = []
    header_changed: set[tuple[int, int]] = set()
    kind_present = "kind" in parsed.present
    for key, header in groups.items():
        old = stored.get(key)
        if old is None:
            new_assessments.append(key)
            continue
        kind = header["kind"] if kind_present and header["kind"] else old.kind
        if header["date"] != old.assessed_on or kind != old.kind:
            header_changed.add(key)
            header_updates.append({"b_id": old.id, "b_assessed_on": header["date"],
                                   "b_kind": kind})

    finding_inserts: list[tuple[tuple[int, int], int, bool]] = []
    finding_updates: list[dict[str, Any]] = []
    for key, question_id, non_compliant in valid_rows:
        old = stored.get(key)
        current = None if old is None else stored_findings.get((old.id, question_id))
        if current is None:
            finding_inserts.append((key, question_id, non_compliant))
            plan.count("inserted")
        elif current != non_compliant:
            finding_updates.append({"b_assessment_id": old.id, "b_question_id": question_id,
                                    "b_non_compliant": non_compliant})
            plan.count("updated")
        else:
            plan.count("updated" if key in header_changed else "unchanged")

    plan.details = {
        "assessments_inserted": len(new_assessments),
        "assessments_updated": len(header_updates),
        "findings_inserted": len(finding_inserts),
        "findings_updated": len(finding_updates),
    }
    ids = {key: stored[key].id for key in groups if key in stored}

    def insert_assessments(conn: Connection, advance) -> None:
        result = conn.execute(
            insert(Assessment).returning(Assessment.id, sort_by_parameter_order=True),
            [{"factory_id": f, "cycle": cyc, "assessed_on": groups[(f, cyc)]["date"],
              "kind": groups[(f, cyc)]["kind"] or "on-site"} for f, cyc in new_assessments])
        ids.update(zip(new_assessments, result.scalars(), strict=True))
        advance(len(new_assessments))

    def insert_findings(conn: Connection, advance) -> None:
        rows = [(ids[key], question_id, nc) for key, question_id, nc in finding_inserts]
        insert_rows(Finding.__table__, ["assessment_id", "question_id", "non_compliant"],
                    rows)(conn, advance)

    a, f = Assessment.__table__, Finding.__table__
    plan.step(len(new_assessments), insert_assessments)
    plan.step(len(header_updates), execute_many(
        update(a).where(a.c.id == bindparam("b_id"))
        .values(assessed_on=bindparam("b_assessed_on"), kind=bindparam("b_kind")),
        header_updates))
    plan.step(len(finding_inserts), insert_findings)
    plan.step(len(finding_updates), execute_many(
        update(f).where(f.c.assessment_id == bindparam("b_assessment_id"),
                        f.c.question_id == bindparam("b_question_id"))
        .values(non_compliant=bindparam("b_non_compliant")),
        finding_updates))

    def refresh(conn: Connection, advance) -> None:
        # the pages read each factory's latest assessment from the summary tables: rebuild
        # them for the factories in this file, in the same transaction (data_access.summaries)
        refresh_summaries(conn, factory_ids)
        advance(1)

    if new_assessments or header_updates or finding_inserts or finding_updates:
        plan.step(1, refresh)
    return plan
