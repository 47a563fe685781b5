"""Per-brand order snapshots (issue 17: every first view fast)

* ``brand_order_snapshot``: one row per brand — its whole order book as the pages read it
  (``data_access.orders.purchase_orders`` without filters, minus the factory attributes, which
  are merged at read time), stored as one compressed Arrow IPC stream, with the number of
  orders and the highest order id it was built from. Derived data: rebuilt in the transaction
  that writes the brand's orders (``data_access.orders.refresh_order_snapshots``).
* PostgreSQL: tenant data (a brand's orders), so the table gets migration 0005's policy pair
  (``brand_isolation``: the transaction's brand; ``system_scope``: only roles allowed the
  system scope).
* ``ix_finding_non_compliant_question``: a partial index of the non-compliant findings by
  question, for the risk ranking's zero-tolerance reads (a dozen questions' findings instead of
  a scan of every finding at registry scale).

Revision ID: 0012
Revises: 0011
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: the policies of migration 0005
BRAND_CONDITION = (
    "current_setting('app.scope', true) = 'brand' AND "
    "brand_id = NULLIF(current_setting('app.brand_id', true), '')::integer"
)
SYSTEM_CONDITION = "current_setting('app.scope', true) = 'system' AND app_may_use_system_scope()"


def upgrade() -> None:
    op.create_table(
        "brand_order_snapshot",
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("order_count", sa.Integer(), nullable=False),
        sa.Column("max_order_id", sa.Integer(), nullable=True),
        sa.Column("format_version", sa.Integer(), nullable=False),
        sa.Column("frame", sa.LargeBinary(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["brand_id"], ["brand.id"],
                                name=op.f("fk_brand_order_snapshot_brand_id_brand"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("brand_id", name=op.f("pk_brand_order_snapshot")),
    )
    # non-compliant findings by question: the risk ranking's zero-tolerance reads
    op.create_index("ix_finding_non_compliant_question", "finding",
                    ["question_id", "assessment_id"],
                    postgresql_where=sa.text("non_compliant IS true"),
                    sqlite_where=sa.text("non_compliant IS 1"))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE brand_order_snapshot ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE brand_order_snapshot FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY brand_isolation ON brand_order_snapshot USING ({BRAND_CONDITION}) "
               f"WITH CHECK ({BRAND_CONDITION})")
    op.execute(f"CREATE POLICY system_scope ON brand_order_snapshot USING ({SYSTEM_CONDITION}) "
               f"WITH CHECK ({SYSTEM_CONDITION})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for policy in ("brand_isolation", "system_scope"):
            op.execute(f"DROP POLICY IF EXISTS {policy} ON brand_order_snapshot")
    op.drop_table("brand_order_snapshot")
    op.drop_index("ix_finding_non_compliant_question", table_name="finding")
