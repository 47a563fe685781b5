"""Row-level security on the tenant tables (PostgreSQL only; defence in depth).

The brand filter of every query in data_access/ is the first control; these policies are the
second. A row of a tenant table is visible or writable only when the transaction's
``app.scope`` is 'system', or it is 'brand' and the row's brand_id equals ``app.brand_id``
(both set with set_config(..., true) by data_access.scope). A missing or empty setting matches
nothing. FORCE makes the policies bind the table owner too; only superusers and BYPASSRLS roles
escape them, so the app must not connect as one (docs/security.md).

Revision ID: 0004
Revises: 0003
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ("sourcing_relationship", "purchase_order")
CONDITION = (
    "current_setting('app.scope', true) = 'system' OR ("
    "current_setting('app.scope', true) = 'brand' AND "
    "brand_id = NULLIF(current_setting('app.brand_id', true), '')::integer)"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"DROP POLICY IF EXISTS brand_isolation ON {table}")
        op.execute(
            f"CREATE POLICY brand_isolation ON {table} USING ({CONDITION}) "
            f"WITH CHECK ({CONDITION})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TENANT_TABLES:
        op.execute(f"DROP POLICY IF EXISTS brand_isolation ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
