"""engagement log and "what's new" (issue 16)

* ``engagement_entry``: a brand's entries about one of its suppliers (note, meeting, call,
  visit, commitment, follow-up) with owner, due date and status (open, done, withdrawn —
  "overdue" is derived); ``engagement_revision``: the append-only history (every change keeps
  the entry's full content, who and when); ``engagement_link``: links to findings and
  improvement-plan items.
* ``user_visit``: per user and brand, the last visit to "What's new" and the one before, with
  the import watermarks then; ``whats_new_seen``: the items a user marked as seen.
* PostgreSQL: every one of them carries ``brand_id`` and gets migration 0005's policy pair
  (``brand_isolation``: the transaction's brand; ``system_scope``: only roles allowed the system
  scope, ``app_may_use_system_scope()``).

Revision ID: 0011
Revises: 0010
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: the policies of migration 0005
BRAND_CONDITION = (
    "current_setting('app.scope', true) = 'brand' AND "
    "brand_id = NULLIF(current_setting('app.brand_id', true), '')::integer"
)
SYSTEM_CONDITION = "current_setting('app.scope', true) = 'system' AND app_may_use_system_scope()"
TABLES = ("engagement_entry", "engagement_revision", "engagement_link", "user_visit",
          "whats_new_seen")


def _brand_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["brand_id"], ["brand.id"],
                                   name=op.f(f"fk_{table}_brand_id_brand"), ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "engagement_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("factory_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('note', 'meeting', 'call', 'visit', 'commitment', "
                           "'follow-up')", name=op.f("ck_engagement_entry_kind")),
        sa.CheckConstraint("status IN ('open', 'done', 'withdrawn')",
                           name=op.f("ck_engagement_entry_status")),
        _brand_fk("engagement_entry"),
        sa.ForeignKeyConstraint(["factory_id"], ["factory.id"],
                                name=op.f("fk_engagement_entry_factory_id_factory"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_entry")),
    )
    op.create_index("ix_engagement_entry_brand_factory", "engagement_entry",
                    ["brand_id", "factory_id", "created_at"])
    op.create_index("ix_engagement_entry_brand_due", "engagement_entry",
                    ["brand_id", "status", "due_date"])

    op.create_table(
        "engagement_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("changed_by", sa.String(length=80), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("change IN ('created', 'edited', 'done', 'reopened', 'withdrawn')",
                           name=op.f("ck_engagement_revision_change")),
        _brand_fk("engagement_revision"),
        sa.ForeignKeyConstraint(["entry_id"], ["engagement_entry.id"],
                                name=op.f("fk_engagement_revision_entry_id_engagement_entry"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_revision")),
        sa.UniqueConstraint("entry_id", "version", name="uq_engagement_revision_version"),
    )
    op.create_index("ix_engagement_revision_brand", "engagement_revision", ["brand_id"])

    op.create_table(
        "engagement_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("factory_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("plan_item_id", sa.Integer(), nullable=True),
        _brand_fk("engagement_link"),
        sa.ForeignKeyConstraint(["entry_id"], ["engagement_entry.id"],
                                name=op.f("fk_engagement_link_entry_id_engagement_entry"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["factory_id"], ["factory.id"],
                                name=op.f("fk_engagement_link_factory_id_factory"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"],
                                name=op.f("fk_engagement_link_question_id_question")),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"],
                                name=op.f("fk_engagement_link_assessment_id_assessment"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["plan_item_id"], ["improvement_plan_item.id"],
            name=op.f("fk_engagement_link_plan_item_id_improvement_plan_item"),
            ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_link")),
    )
    op.create_index("ix_engagement_link_entry", "engagement_link", ["entry_id"])
    op.create_index("ix_engagement_link_factory_question", "engagement_link",
                    ["factory_id", "question_id", "brand_id"])
    op.create_index("ix_engagement_link_brand", "engagement_link", ["brand_id"])

    op.create_table(
        "user_visit",
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("visited_at", sa.DateTime(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("assessment_mark", sa.Integer(), nullable=False),
        sa.Column("relationship_mark", sa.Integer(), nullable=False),
        sa.Column("previous_visited_at", sa.DateTime(), nullable=True),
        sa.Column("previous_as_of", sa.Date(), nullable=True),
        sa.Column("previous_assessment_mark", sa.Integer(), nullable=True),
        sa.Column("previous_relationship_mark", sa.Integer(), nullable=True),
        _brand_fk("user_visit"),
        sa.PrimaryKeyConstraint("username", "brand_id", name=op.f("pk_user_visit")),
    )
    op.create_index("ix_user_visit_brand", "user_visit", ["brand_id"])

    op.create_table(
        "whats_new_seen",
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=120), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        _brand_fk("whats_new_seen"),
        sa.PrimaryKeyConstraint("username", "brand_id", "item_key",
                                name=op.f("pk_whats_new_seen")),
    )
    op.create_index("ix_whats_new_seen_brand", "whats_new_seen", ["brand_id"])

    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY brand_isolation ON {table} USING ({BRAND_CONDITION}) "
                   f"WITH CHECK ({BRAND_CONDITION})")
        op.execute(f"CREATE POLICY system_scope ON {table} USING ({SYSTEM_CONDITION}) "
                   f"WITH CHECK ({SYSTEM_CONDITION})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            for policy in ("brand_isolation", "system_scope"):
                op.execute(f"DROP POLICY IF EXISTS {policy} ON {table}")
    op.drop_index("ix_whats_new_seen_brand", table_name="whats_new_seen")
    op.drop_table("whats_new_seen")
    op.drop_index("ix_user_visit_brand", table_name="user_visit")
    op.drop_table("user_visit")
    for index in ("ix_engagement_link_brand", "ix_engagement_link_factory_question",
                  "ix_engagement_link_entry"):
        op.drop_index(index, table_name="engagement_link")
    op.drop_table("engagement_link")
    op.drop_index("ix_engagement_revision_brand", table_name="engagement_revision")
    op.drop_table("engagement_revision")
    op.drop_index("ix_engagement_entry_brand_due", table_name="engagement_entry")
    op.drop_index("ix_engagement_entry_brand_factory", table_name="engagement_entry")
    op.drop_table("engagement_entry")
