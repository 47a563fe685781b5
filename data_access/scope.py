"""Connections that carry the tenant scope into the database (PostgreSQL row-level security),
the engine that does system work, and the start-up check of the database roles.

The brand filter in every query of ``data_access`` is the control. On PostgreSQL, row-level
security is a second, independent one (defence in depth): each read runs in a transaction that
first sets ``app.brand_id`` (and ``app.scope``) with ``set_config(..., true)`` — transaction-local,
so the setting can never leak to the next user of a pooled connection. The policies (migrations
0005, 0008) let a row through when

* the scope is ``brand`` and the row's ``brand_id`` equals ``app.brand_id``; or
* the scope is ``system`` **and** the connecting role may use it: a member of the NOLOGIN role
  ``dashboard_system`` (or of the tables' owner). Any role can *set* ``app.scope``; only those
  roles are let through by it, so the app's reading role gains nothing by setting it.

No setting at all matches nothing: fail closed — except the shared rows of
:data:`SHARED_ROW_TABLES` (no brand at all), which any scope may read.

**Two engines.** Pages read through the app's engine (its *reading role*). System work —
imports, account and session bookkeeping, the anonymous cross-brand benchmark, the
administrator's summaries and audit logs — runs through :func:`system_engine` of it: a second
engine on ``system_database_url`` (a role in ``dashboard_system``) when one is configured, else
the same engine (then the one role must be allowed the system scope, and the start-up check
warns: docs/deployment.md).

On SQLite there is no row-level security; the same functions simply open a transaction.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, text

from data_access.viewer import Viewer

#: tables whose rows belong to one brand (tenant data)
TENANT_TABLES = ("sourcing_relationship", "purchase_order", "factory_attribute_source",
                 "brand_order_snapshot", "brand_analysis")
#: the engagement log and "what's new" (issue 16, migration 0011): a brand's own rows only
ENGAGEMENT_TABLES = ("engagement_entry", "engagement_revision", "engagement_link",
                     "user_visit", "whats_new_seen")
#: tenant tables that also hold shared rows (``brand_id`` NULL: Better Work's and Open Supply
#: Hub's values of a factory's attributes), which every scope may read (migration 0008)
SHARED_ROW_TABLES = ("factory_attribute_source",)
#: every table with row-level security on PostgreSQL: tenant data and the tables whose rows
#: identify a brand (downloads with their filters, imports, accounts, sessions, account audit,
#: API tokens)
RLS_TABLES = (*TENANT_TABLES, "extract_audit", "import_run", "app_user", "user_session",
              "account_audit", "api_token", *ENGAGEMENT_TABLES)
#: the NOLOGIN role whose members may use the 'system' scope (migration 0005)
SYSTEM_ROLE = "dashboard_system"

_SET_SCOPE = text(
    "SELECT set_config('app.scope', :scope, true), set_config('app.brand_id', :brand, true)"
)
_SYSTEM_ENGINES: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def use_system_engine(engine: Engine, system: Engine) -> None:
    """Route the system work of ``engine``'s callers to ``system`` (another database role)."""
    _SYSTEM_ENGINES[engine] = system


def system_engine(engine: Engine) -> Engine:
    """The engine that does system work for ``engine`` (itself unless one was registered)."""
    return _SYSTEM_ENGINES.get(engine, engine)


def apply_scope(conn: Connection, *, scope: str, brand_id: int | None = None) -> None:
    """Set the tenant scope for the current transaction (no-op on SQLite)."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(_SET_SCOPE, {"scope": scope, "brand": "" if brand_id is None else str(brand_id)})


@contextmanager
def scoped_connection(engine: Engine, viewer: Viewer) -> Iterator[Connection]:
    """A read transaction limited to the viewer's (chosen) brand."""
    with engine.begin() as conn:
        apply_scope(conn, scope="brand", brand_id=viewer.brand_id)
        yield conn


@contextmanager
def system_connection(engine: Engine) -> Iterator[Connection]:
    """A transaction that may touch every brand's rows (imports, accounts, benchmarks), on the
    system engine of ``engine``."""
    with system_engine(engine).begin() as conn:
        apply_scope(conn, scope="system")
        yield conn


# ---- the start-up check of the database roles (PostgreSQL) -----------------------------------


@dataclass
class RoleReport:
    """What the start-up check found: ``problems`` refuse a start outside demo mode,
    ``warnings`` are logged and shown to administrators."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_ROLE_FACTS = text("""
    SELECT r.rolname, r.rolsuper, r.rolbypassrls, r.rolcreaterole,
           COALESCE((SELECT bool_or(pg_has_role(current_user, c.relowner, 'MEMBER'))
                     FROM pg_class c WHERE c.oid = ANY(CAST(:tables AS regclass[]))), false)
               AS owns_tables,
           EXISTS (SELECT 1 FROM pg_roles s WHERE s.rolname = :system
                   AND pg_has_role(current_user, s.oid, 'MEMBER')) AS in_system_role,
           has_table_privilege(current_user, 'public.app_user', 'SELECT') AS reads_accounts
    FROM pg_roles r WHERE r.rolname = current_user
""")


def _facts(engine: Engine):
    tables = "{" + ",".join(f"public.{t}" for t in RLS_TABLES) + "}"
    with engine.connect() as conn:
        return conn.execute(_ROLE_FACTS, {"tables": tables, "system": SYSTEM_ROLE}).one()


def check_database_roles(engine: Engine) -> RoleReport:
    """Check the roles ``engine`` (the reading role) and its system engine connect as.

    The reading role must not be a superuser, have BYPASSRLS or CREATEROLE, own the tables with
    row-level security, or be allowed the 'system' scope while a separate system role is
    configured: any of those would let a query of a brand page see every brand. A single role
    for both (no ``system_database_url``) is reported as a warning. SQLite: nothing to check.
    """
    report = RoleReport()
    if engine.dialect.name != "postgresql":
        return report
    reader = _facts(engine)
    name = reader.rolname
    if reader.rolsuper:
        report.problems.append(f"the database role {name!r} is a superuser, so row-level "
                               "security does not apply to it")
    if reader.rolbypassrls:
        report.problems.append(f"the database role {name!r} has BYPASSRLS, so row-level "
                               "security does not apply to it")
    if reader.owns_tables:
        report.problems.append(f"the database role {name!r} owns the tables (or is a member "
                               "of their owner): connect as a role that owns nothing and run "
                               "migrations with the owner")
    if reader.rolcreaterole:
        report.problems.append(f"the database role {name!r} can create roles (CREATEROLE)")
    system = system_engine(engine)
    if system is engine:
        if not reader.rolsuper and not reader.owns_tables and not reader.in_system_role:
            report.warnings.append(
                f"the database role {name!r} may not use the system scope, so imports, "
                "sign-in and the administration pages will fail: set system_database_url to "
                f"a role in {SYSTEM_ROLE!r} (see the deployment guide)")
        elif reader.in_system_role:
            report.warnings.append(
                f"the app reads with the database role {name!r}, which may also use the system "
                "scope: set system_database_url to a separate role so that pages cannot "
                "(see the deployment guide)")
    else:
        if reader.reads_accounts and not reader.rolsuper:
            report.warnings.append(f"the reading role {name!r} can read the accounts table: "
                                   "revoke it (see the deployment guide)")
        if reader.in_system_role:
            report.problems.append(f"the reading role {name!r} is a member of "
                                   f"{SYSTEM_ROLE!r}: it could read every brand's rows")
        sys_facts = _facts(system)
        if not (sys_facts.in_system_role or sys_facts.rolsuper or sys_facts.owns_tables):
            report.problems.append(f"the system role {sys_facts.rolname!r} is not a member "
                                   f"of {SYSTEM_ROLE!r}")
        if sys_facts.rolsuper or sys_facts.rolbypassrls:
            report.warnings.append(f"the system role {sys_facts.rolname!r} is a superuser or "
                                   "has BYPASSRLS: it needs neither")
    return report
