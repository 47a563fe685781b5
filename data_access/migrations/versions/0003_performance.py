"""performance: summary tables of each factory's latest assessment, stored benchmark (issue 7)

``factory_latest_assessment``, ``latest_cluster_result``, ``latest_cp_result`` and
``factory_open_plan_items`` are derived from ``assessment``, ``finding`` and
``improvement_plan_item`` (see data_access/summaries.py); this migration creates them
and fills them from the data already there, with a frozen copy of the refresh SQL so that the
migration keeps working whatever later versions of the code do. ``purchasing_benchmark`` stores
the cross-brand medians once computed (keyed by period and data version); it starts empty.

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LATEST = """
SELECT factory_id, id AS assessment_id, assessed_on, cycle FROM (
    SELECT id, factory_id, assessed_on, cycle,
           ROW_NUMBER() OVER (PARTITION BY factory_id
                              ORDER BY assessed_on DESC, cycle DESC) AS rn
    FROM assessment
) ranked WHERE rn = 1
"""
_FILL = [
    f"""
    INSERT INTO latest_cp_result (factory_id, compliance_point_id, cluster_id,
                                  questions_assessed, questions_non_compliant)
    SELECT l.factory_id, q.compliance_point_id, cp.cluster_id, COUNT(*),
           SUM(CASE WHEN f.non_compliant THEN 1 ELSE 0 END)
    FROM ({_LATEST}) l
    JOIN finding f ON f.assessment_id = l.assessment_id
    JOIN question q ON q.id = f.question_id
    JOIN compliance_point cp ON cp.id = q.compliance_point_id
    WHERE q.kind = 'non_compliance'
    GROUP BY l.factory_id, q.compliance_point_id, cp.cluster_id
    """,  # noqa: S608 - no input, our own SQL
    """
    INSERT INTO latest_cluster_result (factory_id, cluster_id, questions_assessed,
                                       questions_non_compliant, compliance_points_non_compliant)
    SELECT factory_id, cluster_id, SUM(questions_assessed), SUM(questions_non_compliant),
           SUM(CASE WHEN questions_non_compliant > 0 THEN 1 ELSE 0 END)
    FROM latest_cp_result GROUP BY factory_id, cluster_id
    """,
    f"""
    INSERT INTO factory_latest_assessment (factory_id, assessment_id, assessed_on, cycle,
                                           questions_assessed, questions_non_compliant,
                                           compliance_points_non_compliant)
    SELECT l.factory_id, l.assessment_id, l.assessed_on, l.cycle, t.qa, t.qnc, t.cps
    FROM ({_LATEST}) l
    LEFT JOIN (SELECT factory_id, SUM(questions_assessed) AS qa,
                      SUM(questions_non_compliant) AS qnc,
                      SUM(compliance_points_non_compliant) AS cps
               FROM latest_cluster_result GROUP BY factory_id) t
      ON t.factory_id = l.factory_id
    """,  # noqa: S608 - no input, our own SQL
    """
    INSERT INTO factory_open_plan_items (factory_id, due_date, open_items)
    SELECT a.factory_id, i.due_date, COUNT(*)
    FROM improvement_plan_item i JOIN assessment a ON a.id = i.assessment_id
    WHERE i.status <> 'Completed'
    GROUP BY a.factory_id, i.due_date
    """,
]


def upgrade() -> None:
    op.create_table(
        "factory_latest_assessment",
        sa.Column("factory_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("cycle", sa.SmallInteger(), nullable=False),
        sa.Column("questions_assessed", sa.Integer(), nullable=True),
        sa.Column("questions_non_compliant", sa.Integer(), nullable=True),
        sa.Column("compliance_points_non_compliant", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"],
                                name=op.f("fk_factory_latest_assessment_assessment_id_assessment"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["factory_id"], ["factory.id"],
                                name=op.f("fk_factory_latest_assessment_factory_id_factory"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("factory_id", name=op.f("pk_factory_latest_assessment")),
        sa.UniqueConstraint("assessment_id",
                            name=op.f("uq_factory_latest_assessment_assessment_id")),
    )
    op.create_table(
        "latest_cluster_result",
        sa.Column("factory_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("questions_assessed", sa.Integer(), nullable=False),
        sa.Column("questions_non_compliant", sa.Integer(), nullable=False),
        sa.Column("compliance_points_non_compliant", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["factory_id"], ["factory.id"],
                                name=op.f("fk_latest_cluster_result_factory_id_factory"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("factory_id", "cluster_id",
                                name=op.f("pk_latest_cluster_result")),
    )
    op.create_table(
        "latest_cp_result",
        sa.Column("factory_id", sa.Integer(), nullable=False),
        sa.Column("compliance_point_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("questions_assessed", sa.Integer(), nullable=False),
        sa.Column("questions_non_compliant", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["factory_id"], ["factory.id"],
                                name=op.f("fk_latest_cp_result_factory_id_factory"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("factory_id", "compliance_point_id",
                                name=op.f("pk_latest_cp_result")),
    )
    op.create_table(
        "factory_open_plan_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("factory_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("open_items", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["factory_id"], ["factory.id"],
                                name=op.f("fk_factory_open_plan_items_factory_id_factory"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_factory_open_plan_items")),
    )
    with op.batch_alter_table("factory_open_plan_items", schema=None) as batch_op:
        batch_op.create_index("ix_factory_open_plan_items_factory", ["factory_id", "due_date"],
                              unique=False)
    op.create_table(
        "purchasing_benchmark",
        sa.Column("period_key", sa.String(length=80), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("period_key", "data_version", "indicator",
                                name=op.f("pk_purchasing_benchmark")),
    )
    for statement in _FILL:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("purchasing_benchmark")
    op.drop_table("factory_open_plan_items")
    op.drop_table("latest_cp_result")
    op.drop_table("latest_cluster_result")
    op.drop_table("factory_latest_assessment")
