"""Accounts and sessions (issue 13): server-side sessions, brand roles, throttling per client,
account audit, the demo-data marker, and row-level security on every table that holds
brand-identifying rows, with a 'system' scope the app's reading role cannot use.

* ``app_user``: roles ``brand_viewer`` / ``brand_manager`` / ``admin`` (existing ``brand``
  accounts become brand managers: they keep what they could do), the account's source
  (users file, app, demo), why it is disabled, temporary passwords, the users-file fingerprint.
* ``user_session``: one row per sign-in (hashed session id), revocable one by one.
* ``login_throttle``: keyed by username *and* client (``'*'``: all clients of a username). Its
  old rows are transient counters and are dropped.
* ``account_audit``: who changed which account, when, how.
* ``dataset_state.holds_demo_data``.
* PostgreSQL: the policies of 0004 are replaced. A row is visible or writable when the
  transaction's ``app.scope`` is 'brand' and its ``brand_id`` equals ``app.brand_id``; or when
  the scope is 'system' **and** the connecting role may use it — a member of the NOLOGIN role
  ``dashboard_system`` or of the tables' owner (``app_may_use_system_scope()``). Setting
  ``app.scope`` is open to every role (``set_config``), so the scope alone no longer opens
  anything: the app's reading role, which is neither, sees nothing in the 'system' scope.
  The same two policies now also cover ``extract_audit``, ``import_run``, ``app_user``,
  ``user_session`` and ``account_audit``.

Revision ID: 0005
Revises: 0004
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: every table with a brand_id whose rows identify a brand (data_access.scope.RLS_TABLES)
RLS_TABLES = ("sourcing_relationship", "purchase_order", "extract_audit", "import_run",
              "app_user", "user_session", "account_audit")
SYSTEM_ROLE = "dashboard_system"

BRAND_CONDITION = (
    "current_setting('app.scope', true) = 'brand' AND "
    "brand_id = NULLIF(current_setting('app.brand_id', true), '')::integer"
)
SYSTEM_CONDITION = "current_setting('app.scope', true) = 'system' AND app_may_use_system_scope()"

MAY_USE_SYSTEM_SCOPE = f"""
CREATE OR REPLACE FUNCTION app_may_use_system_scope() RETURNS boolean
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = pg_catalog, public AS $$
    SELECT EXISTS (SELECT 1 FROM pg_roles r
                   WHERE r.rolname = '{SYSTEM_ROLE}' AND pg_has_role(current_user, r.oid, 'MEMBER'))
        OR pg_has_role(current_user,
                       (SELECT c.relowner FROM pg_class c WHERE c.oid = 'public.brand'::regclass),
                       'MEMBER')
$$
"""  # noqa: S608 - built from this module's constants only


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("app_user", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_app_user_role"), type_="check")
        batch.alter_column("role", type_=sa.String(20), existing_type=sa.String(10),
                           existing_nullable=False)
        batch.add_column(sa.Column("disabled_reason", sa.String(40), nullable=True))
        batch.add_column(sa.Column("file_fingerprint", sa.String(64), nullable=True))
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("password_expires_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("created_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("created_by", sa.String(80), nullable=True))
    op.execute("UPDATE app_user SET role = 'brand_manager' WHERE role = 'brand'")
    op.execute("UPDATE app_user SET disabled_reason = 'admin' WHERE disabled")
    with op.batch_alter_table("app_user", recreate="auto") as batch:
        batch.create_check_constraint(
            op.f("ck_app_user_role"), "role IN ('brand_viewer', 'brand_manager', 'admin')")
        batch.create_check_constraint(
            op.f("ck_app_user_source"), "provisioned_from IN ('users_file', 'app', 'demo')")

    op.create_table(
        "user_session",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(40), nullable=True),
        sa.Column("client", sa.String(100), nullable=True),
        sa.ForeignKeyConstraint(["username"], ["app_user.username"],
                                name=op.f("fk_user_session_username_app_user"),
                                ondelete="CASCADE", onupdate="CASCADE"),
        sa.ForeignKeyConstraint(["brand_id"], ["brand.id"],
                                name=op.f("fk_user_session_brand_id_brand"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_user_session")),
    )
    op.create_index("ix_user_session_username", "user_session", ["username"])
    op.create_index("ix_user_session_expires", "user_session", ["expires_at"])

    op.drop_table("login_throttle")
    op.create_table(
        "login_throttle",
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("client", sa.String(100), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username", "client", name=op.f("pk_login_throttle")),
    )

    op.create_table(
        "account_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["brand_id"], ["brand.id"],
                                name=op.f("fk_account_audit_brand_id_brand"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_audit")),
    )
    op.create_index("ix_account_audit_created", "account_audit", ["created_at"])

    with op.batch_alter_table("dataset_state") as batch:
        batch.add_column(sa.Column("holds_demo_data", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.execute("UPDATE dataset_state SET holds_demo_data = true "
               "WHERE source LIKE 'demo data%'")

    if bind.dialect.name != "postgresql":
        return
    op.execute(MAY_USE_SYSTEM_SCOPE)
    for table in RLS_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"DROP POLICY IF EXISTS brand_isolation ON {table}")
        op.execute(f"DROP POLICY IF EXISTS system_scope ON {table}")
        op.execute(f"CREATE POLICY brand_isolation ON {table} USING ({BRAND_CONDITION}) "
                   f"WITH CHECK ({BRAND_CONDITION})")
        op.execute(f"CREATE POLICY system_scope ON {table} USING ({SYSTEM_CONDITION}) "
                   f"WITH CHECK ({SYSTEM_CONDITION})")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        old = ("current_setting('app.scope', true) = 'system' OR ("
               "current_setting('app.scope', true) = 'brand' AND "
               "brand_id = NULLIF(current_setting('app.brand_id', true), '')::integer)")
        for table in RLS_TABLES:
            op.execute(f"DROP POLICY IF EXISTS system_scope ON {table}")
            op.execute(f"DROP POLICY IF EXISTS brand_isolation ON {table}")
            if table in ("sourcing_relationship", "purchase_order"):
                op.execute(f"CREATE POLICY brand_isolation ON {table} USING ({old}) "
                           f"WITH CHECK ({old})")
            else:
                op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
                op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute("DROP FUNCTION IF EXISTS app_may_use_system_scope()")
    with op.batch_alter_table("dataset_state") as batch:
        batch.drop_column("holds_demo_data")
    op.drop_index("ix_account_audit_created", table_name="account_audit")
    op.drop_table("account_audit")
    op.drop_table("login_throttle")
    op.create_table(
        "login_throttle",
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_login_throttle")),
    )
    op.drop_index("ix_user_session_expires", table_name="user_session")
    op.drop_index("ix_user_session_username", table_name="user_session")
    op.drop_table("user_session")
    with op.batch_alter_table("app_user", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_app_user_source"), type_="check")
        batch.drop_constraint(op.f("ck_app_user_role"), type_="check")
    op.execute("DELETE FROM app_user WHERE role = 'brand_viewer'")
    op.execute("UPDATE app_user SET role = 'brand' WHERE role = 'brand_manager'")
    with op.batch_alter_table("app_user", recreate="auto") as batch:
        for column in ("created_by", "created_at", "password_changed_at", "password_expires_at",
                       "must_change_password", "file_fingerprint", "disabled_reason"):
            batch.drop_column(column)
        batch.alter_column("role", type_=sa.String(10), existing_type=sa.String(20),
                           existing_nullable=False)
        batch.create_check_constraint(op.f("ck_app_user_role"), "role IN ('brand', 'admin')")
