"""API tokens: read-only, brand-scoped tokens for the HTTP API (issue 18)

* ``api_token``: one row per token — its public prefix, the SHA-256 of its secret (never the
  secret), the brand, a name, the scope it reads as (``brand_viewer`` or ``brand_manager``),
  who issued it and when, its expiry (required), when it was last used, and when and by whom
  it was revoked.
* PostgreSQL: the rows identify a brand, so the table gets migration 0005's policy pair
  (``brand_isolation``: the transaction's brand; ``system_scope``: only roles allowed the
  system scope, ``app_may_use_system_scope()``). Tokens are looked up, issued and revoked in
  the system scope (the API does not know the brand before it has read the token); the app's
  reading role gets no grant on the table (docs/deployment.md).

Revision ID: 0010
Revises: 0008
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
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
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=80), nullable=True),
        sa.Column("revoked_reason", sa.String(length=40), nullable=True),
        sa.CheckConstraint("scope IN ('brand_viewer', 'brand_manager')",
                           name=op.f("ck_api_token_scope")),
        sa.ForeignKeyConstraint(["brand_id"], ["brand.id"],
                                name=op.f("fk_api_token_brand_id_brand"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_token_prefix")),
    )
    op.create_index("ix_api_token_brand", "api_token", ["brand_id"])
    op.create_index("ix_api_token_created_by", "api_token", ["created_by"])
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE api_token ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE api_token FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY brand_isolation ON api_token USING ({BRAND_CONDITION}) "
               f"WITH CHECK ({BRAND_CONDITION})")
    op.execute(f"CREATE POLICY system_scope ON api_token USING ({SYSTEM_CONDITION}) "
               f"WITH CHECK ({SYSTEM_CONDITION})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for policy in ("brand_isolation", "system_scope"):
            op.execute(f"DROP POLICY IF EXISTS {policy} ON api_token")
    op.drop_index("ix_api_token_created_by", table_name="api_token")
    op.drop_index("ix_api_token_brand", table_name="api_token")
    op.drop_table("api_token")
