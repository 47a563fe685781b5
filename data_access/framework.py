"""Loads Better Work's assessment framework (clusters → compliance points → questions) into
the database, from the reference data (``reference/framework.yaml``).

The framework is reference data every installation needs (imports of assessments refer to
question codes), so it is seeded on first start whether or not demo data is generated.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select

from data_access.schema import Cluster, CompliancePoint, Question
from reference import CLUSTERS


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
                    }
                )
    conn.execute(insert(Cluster), cluster_rows)
    conn.execute(insert(CompliancePoint), cp_rows)
    conn.execute(insert(Question), question_rows)
    return True
