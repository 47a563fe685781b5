"""provenance and status: who supplied each factory attribute, and closed / moved factories (issue 14)

* ``factory_attribute_source``: one row per (factory, attribute, source) — Better Work, Open
  Supply Hub, one brand's facility list, or "earlier data" — with the value and when the source
  gave it. Rows of a brand's list carry ``brand_id`` and are tenant data: row-level security
  lets a brand's transaction read its own rows and the shared ones (no brand), never another
  brand's (docs/security.md).
* ``factory.status`` (active / closed / moved), ``status_since`` and ``moved_to_factory_id``.
* Existing factories get one ``earlier_data`` row per attribute they hold a value for, so no
  stored value is without a source and a later import cannot replace one silently.

Revision ID: 0008
Revises: 0006
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: the policies of migration 0005 (a brand's own rows; the system scope only for roles allowed
#: it, app_may_use_system_scope()), plus: rows without a brand are shared, readable in any scope
BRAND_CONDITION = (
    "current_setting('app.scope', true) = 'brand' AND "
    "brand_id = NULLIF(current_setting('app.brand_id', true), '')::integer"
)
SYSTEM_CONDITION = "current_setting('app.scope', true) = 'system' AND app_may_use_system_scope()"
SHARED_CONDITION = "brand_id IS NULL"
#: attribute -> SQL expression of its value as text (frozen copy of data_access.provenance)
_BACKFILL = {
    "name": "name", "address": "address", "city": "city", "country_code": "country_code",
    "os_id": "os_id", "sector": "sector", "facility_type": "facility_type",
    "processing_type": "processing_type", "parent_company": "parent_company",
    "product_type": "product_type", "workers": "CAST(workers AS VARCHAR(20))",
    "women_pct": "CAST(women_pct AS VARCHAR(30))",
    "coordinates": "CAST(lat AS VARCHAR(30)) || ',' || CAST(lng AS VARCHAR(30))",
}


def upgrade() -> None:
    with op.batch_alter_table("factory", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=10), server_default="active",
                                      nullable=False))
        batch_op.add_column(sa.Column("status_since", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("moved_to_factory_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_factory_moved_to_factory_id_factory"),
                                    "factory", ["moved_to_factory_id"], ["id"],
                                    ondelete="SET NULL")
        batch_op.create_check_constraint("status", "status IN ('active', 'closed', 'moved')")

    op.create_table(
        "factory_attribute_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("factory_id", sa.Integer(), nullable=False),
        sa.Column("attribute", sa.String(length=30), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=True),
        sa.Column("import_run_id", sa.Integer(), nullable=True),
        sa.Column("observed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("(source_kind = 'brand_list') = (brand_id IS NOT NULL)",
                           name=op.f("ck_factory_attribute_source_brand")),
        sa.CheckConstraint("source_kind IN ('better_work', 'open_supply_hub', 'brand_list', "
                           "'earlier_data')", name=op.f("ck_factory_attribute_source_source_kind")),
        sa.ForeignKeyConstraint(["brand_id"], ["brand.id"],
                                name=op.f("fk_factory_attribute_source_brand_id_brand"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["factory_id"], ["factory.id"],
                                name=op.f("fk_factory_attribute_source_factory_id_factory"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["import_run_id"], ["import_run.id"],
                                name=op.f("fk_factory_attribute_source_import_run_id_import_run"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_factory_attribute_source")),
    )
    op.create_index("ix_attribute_source_brand", "factory_attribute_source", ["brand_id"])
    op.create_index("uq_attribute_source_shared", "factory_attribute_source",
                    ["factory_id", "attribute", "source_kind"], unique=True,
                    sqlite_where=sa.text("brand_id IS NULL"),
                    postgresql_where=sa.text("brand_id IS NULL"))
    op.create_index("uq_attribute_source_brand", "factory_attribute_source",
                    ["factory_id", "attribute", "brand_id"], unique=True,
                    sqlite_where=sa.text("brand_id IS NOT NULL"),
                    postgresql_where=sa.text("brand_id IS NOT NULL"))

    for attribute, expression in _BACKFILL.items():
        present = "lat IS NOT NULL AND lng IS NOT NULL" if attribute == "coordinates" \
            else f"{attribute} IS NOT NULL"
        sql = ("INSERT INTO factory_attribute_source (factory_id, attribute, value, "  # noqa: S608 - constants only
               f"source_kind, observed_at) SELECT id, '{attribute}', {expression}, "
               "'earlier_data', COALESCE(updated_at, CURRENT_TIMESTAMP) FROM factory "
               f"WHERE {present}")
        op.execute(sql)

    if op.get_bind().dialect.name == "postgresql":
        table = "factory_attribute_source"
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        for policy in ("brand_isolation", "system_scope", "shared_rows"):
            op.execute(f"DROP POLICY IF EXISTS {policy} ON {table}")
        op.execute(f"CREATE POLICY brand_isolation ON {table} USING ({BRAND_CONDITION}) "
                   f"WITH CHECK ({BRAND_CONDITION})")
        op.execute(f"CREATE POLICY system_scope ON {table} USING ({SYSTEM_CONDITION}) "
                   f"WITH CHECK ({SYSTEM_CONDITION})")
        # shared rows (Better Work, Open Supply Hub, earlier data) are read by every scope;
        # only the system scope writes them
        op.execute(f"CREATE POLICY shared_rows ON {table} FOR SELECT USING ({SHARED_CONDITION})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for policy in ("brand_isolation", "system_scope", "shared_rows"):
            op.execute(f"DROP POLICY IF EXISTS {policy} ON factory_attribute_source")
    op.drop_index("uq_attribute_source_brand", table_name="factory_attribute_source")
    op.drop_index("uq_attribute_source_shared", table_name="factory_attribute_source")
    op.drop_index("ix_attribute_source_brand", table_name="factory_attribute_source")
    op.drop_table("factory_attribute_source")
    with op.batch_alter_table("factory", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_factory_status"), type_="check")
        batch_op.drop_constraint(op.f("fk_factory_moved_to_factory_id_factory"), type_="foreignkey")
        batch_op.drop_column("moved_to_factory_id")
        batch_op.drop_column("status_since")
        batch_op.drop_column("status")
