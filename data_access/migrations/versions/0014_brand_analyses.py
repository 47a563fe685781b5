"""Per-brand analyses computed once per data version (issue 17: every first view fast)

* ``brand_analysis``: one row per brand, kind of analysis (the risk ranking, the Purchasing
  page's figures) and choice (reference date, period): the result as the page shows it, as an
  Arrow IPC stream or JSON, with the data version and code version it was computed from.
  Derived data: written after every import by the services layer's refresh and by the first
  view that computed a missing one (``data_access.analyses``); a row of another data version
  or code version is never read.
* PostgreSQL: tenant data (a brand's figures), so the table gets migration 0005's policy pair
  (``brand_isolation``: the transaction's brand; ``system_scope``: only roles allowed the
  system scope).

Revision ID: 0014
Revises: 0013
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
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
        "brand_analysis",
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("code_version", sa.String(length=16), nullable=False),
        sa.Column("payload_format", sa.String(length=8), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["brand_id"], ["brand.id"],
                                name=op.f("fk_brand_analysis_brand_id_brand"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("brand_id", "kind", "key", name=op.f("pk_brand_analysis")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE brand_analysis ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE brand_analysis FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY brand_isolation ON brand_analysis USING ({BRAND_CONDITION}) "
               f"WITH CHECK ({BRAND_CONDITION})")
    op.execute(f"CREATE POLICY system_scope ON brand_analysis USING ({SYSTEM_CONDITION}) "
               f"WITH CHECK ({SYSTEM_CONDITION})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for policy in ("brand_isolation", "system_scope"):
            op.execute(f"DROP POLICY IF EXISTS {policy} ON brand_analysis")
    op.drop_table("brand_analysis")
