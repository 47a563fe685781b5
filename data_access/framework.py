"""Loads Better Work's assessment framework (clusters → compliance points → questions) into
the database, from the reference data (``reference/framework.yaml``).

The framework is reference data every installation needs (imports of assessments refer to
question codes), so it is seeded on first start whether or not demo data is generated, and its
marks and wording are brought in step with the reference data on every start
(:func:`sync_framework`), so that a corrected mark reaches existing databases.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, func, insert, select, update

from data_access.schema import Cluster, CompliancePoint, Question
from reference import CLUSTERS, iter_questions


def seed_framework(conn: Connection) -> bool:
    """Insert the framework when the cluster table is empty. Returns True if it inserted."""
    if conn.execute(select(func.count()).select_from(Cluster)).scalar_one():
        return False
    cluster_rows, cp_rows, question_rows = [], [], []
    cp_id = question_id = 0
    for c_index, cluster in enumerate(CLUSTERS, start=1):
        cluster_rows.append(
            {
                "id": c_index,
                "code": cluster.code,
                "name": cluster.name,
                "core_labour_standard": cluster.core,
                "sort_order": c_index,
            }
        )
        for p_index, cp in enumerate(cluster.compliance_points, start=1):
            cp_id += 1
            cp_rows.append(
                {
                    "id": cp_id,
                    "cluster_id": c_index,
                    "code": cp.code,
                    "name": cp.name,
                    "sort_order": p_index,
                }
            )
            for q in cp.questions:
                question_id += 1
                question_rows.append(
                    {
                        "id": question_id,
                        "compliance_point_id": cp_id,
                        "code": q.code,
                        "text": q.text,
                        "kind": q.kind,
                        "public_disclosure": q.public_disclosure,
                        "zero_tolerance": q.zero_tolerance,
                    }
                )
    conn.execute(insert(Cluster), cluster_rows)
    conn.execute(insert(CompliancePoint), cp_rows)
    conn.execute(insert(Question), question_rows)
    return True


def sync_framework(conn: Connection) -> int:
    """Bring each stored question's text, public-disclosure and zero-tolerance marks in step
    with the reference data (matched by code; questions the reference does not know are left
    alone, and kinds never change: that would change past rates). Returns the rows updated."""
    stored = {row.code: row for row in conn.execute(
        select(Question.code, Question.text, Question.public_disclosure,
               Question.zero_tolerance))}
    changes = [
        {"q_code": q.code, "q_text": q.text, "q_public": q.public_disclosure,
         "q_zero": q.zero_tolerance}
        for _, _, q in iter_questions()
        if q.code in stored and (stored[q.code].text, bool(stored[q.code].public_disclosure),
                                 bool(stored[q.code].zero_tolerance))
        != (q.text, q.public_disclosure, q.zero_tolerance)
    ]
    if changes:
        table = Question.__table__
        conn.execute(
            update(table).where(table.c.code == bindparam("q_code"))
            .values(text=bindparam("q_text"), public_disclosure=bindparam("q_public"),
                    zero_tolerance=bindparam("q_zero")),
            changes,
        )
    return len(changes)
