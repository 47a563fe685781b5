"""PostgreSQL row-level security: the second, independent tenant control.

The app role here is what production uses: a LOGIN role that is neither superuser, nor
BYPASSRLS, nor the tables' owner. Every "denied" case has a positive control (the same query
for the right brand returns rows), following Supabase's RLS-testing guidance.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, text

from data_access import as_of, factories, orders, provenance, queries
from data_access.db import create_db_engine
from data_access.factories import DirectoryFilters
from data_access.scope import (
    RLS_TABLES,
    SHARED_ROW_TABLES,
    SYSTEM_ROLE,
    TENANT_TABLES,
    check_database_roles,
    scoped_connection,
    system_connection,
    system_engine,
    use_system_engine,
)
from data_access.viewer import Viewer
from tests.conftest import DEMO_AS_OF

pytestmark = pytest.mark.postgres
APP_ROLE = "dashboard_app"
SYSTEM_LOGIN = "dashboard_sys"


def _role_engine(postgres_engine, role: str) -> Engine:
    url = postgres_engine.url.set(username=role)
    return create_db_engine(url.render_as_string(hide_password=False))


@pytest.fixture(scope="module")
def app_engine(postgres_engine) -> Engine:
    """The demo database seen through the app's reading role — a LOGIN role that is neither
    superuser, nor BYPASSRLS, nor the tables' owner, nor in dashboard_system — with its
    system work routed to a second role that is in dashboard_system (as in production)."""
    with postgres_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for role, options in ((SYSTEM_ROLE, "NOLOGIN"),
                              (APP_ROLE, "LOGIN NOSUPERUSER NOBYPASSRLS"),
                              (SYSTEM_LOGIN,
                               f"LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE {SYSTEM_ROLE}")):
            exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                                  {"r": role}).scalar()
            if not exists:
                conn.execute(text(f"CREATE ROLE {role} {options}"))
        for role in (APP_ROLE, SYSTEM_LOGIN):
            conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
            conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
                              f"public TO {role}"))
            conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    engine = _role_engine(postgres_engine, APP_ROLE)
    system = _role_engine(postgres_engine, SYSTEM_LOGIN)
    use_system_engine(engine, system)
    yield engine
    engine.dispose()
    system.dispose()


def brands(engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT id FROM brand ORDER BY id")).scalars())


def test_catalog_shows_forced_rls_and_an_unprivileged_app_role(app_engine, postgres_engine):
    with postgres_engine.connect() as conn:
        for table in RLS_TABLES:
            enabled, forced, owner = conn.execute(text(
                "SELECT relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner) "
                "FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}).one()
            assert enabled and forced, table
            assert owner != APP_ROLE
            policies = set(conn.execute(text(
                "SELECT policyname FROM pg_policies WHERE tablename = :t"), {"t": table}
            ).scalars())
            expected = {"brand_isolation", "system_scope"}
            if table in SHARED_ROW_TABLES:  # + reading the rows that belong to no brand
                expected.add("shared_rows")
            assert policies == expected, table
        superuser, bypass = conn.execute(text(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
        ).one()
    assert not superuser and not bypass
    with app_engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar_one() == APP_ROLE


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_a_query_without_brand_filter_returns_only_the_scoped_brand(app_engine, table):
    ids = brands(app_engine)
    seen = {}
    for brand in ids[:4]:
        with scoped_connection(app_engine, Viewer("t", "brand", brand)) as conn:
            rows = conn.execute(text(f"SELECT DISTINCT brand_id FROM {table}")).scalars().all()
        seen[brand] = set(rows)
        # positive control: rows, and only the brand's (plus shared rows without a brand)
        assert set(rows) == ({brand, None} if table in SHARED_ROW_TABLES else {brand})
    assert len(seen) == 4


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_no_scope_means_no_rows(app_engine, table):
    # shared rows (no brand) are nobody's: visible in any scope; no brand's row is
    count = f"SELECT COUNT(*) FROM {table} WHERE brand_id IS NOT NULL"
    with app_engine.connect() as conn:
        assert conn.execute(text(count)).scalar_one() == 0
    with app_engine.connect() as conn:  # an empty setting, as after a rollback, matches nothing
        conn.execute(text("SELECT set_config('app.scope', 'brand', false), "
                          "set_config('app.brand_id', '', false)"))
        assert conn.execute(text(count)).scalar_one() == 0
        conn.rollback()
    with system_connection(app_engine) as conn:  # positive control: the rows exist
        assert conn.execute(text(count)).scalar_one() > 0


def test_scope_does_not_leak_to_the_next_user_of_a_pooled_connection(app_engine):
    engine = create_db_engine(app_engine.url.render_as_string(hide_password=False))
    engine.pool._pool.maxsize = 1  # one physical connection, reused
    brand = brands(app_engine)[0]
    with scoped_connection(engine, Viewer("t", "brand", brand)) as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM purchase_order")).scalar_one() > 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM purchase_order")).scalar_one() == 0
    engine.dispose()


def test_foreign_writes_affect_no_rows(app_engine, postgres_engine):
    first, second = brands(app_engine)[:2]
    with postgres_engine.connect() as conn:
        before = conn.execute(text(
            "SELECT COUNT(*), SUM(units_ordered) FROM purchase_order WHERE brand_id = :b"),
            {"b": second}).one()
    with scoped_connection(app_engine, Viewer("t", "brand", first)) as conn:
        updated = conn.execute(text(
            "UPDATE purchase_order SET units_ordered = 0 WHERE brand_id = :b"), {"b": second})
        deleted = conn.execute(text(
            "DELETE FROM sourcing_relationship WHERE brand_id = :b"), {"b": second})
        assert updated.rowcount == 0 and deleted.rowcount == 0
        conn.rollback()
    with (pytest.raises(Exception, match="row-level security"),
          scoped_connection(app_engine, Viewer("t", "brand", first)) as conn):
        conn.execute(text(
            "INSERT INTO sourcing_relationship (brand_id, factory_id, tier, active, "
            "publicly_disclosed) VALUES (:b, 1, 1, true, false)"), {"b": second})
    with postgres_engine.connect() as conn:
        after = conn.execute(text(
            "SELECT COUNT(*), SUM(units_ordered) FROM purchase_order WHERE brand_id = :b"),
            {"b": second}).one()
    assert tuple(before) == tuple(after)


def test_every_read_through_rls_equals_the_read_as_superuser(app_engine, postgres_engine):
    """The data-access functions set the scope correctly: through RLS they return exactly what
    they return without it (and the brand filter alone is proven by tests/test_isolation.py)."""
    for brand in brands(app_engine):
        viewer = Viewer("t", "brand", brand)
        for read in (
            lambda e, v=viewer: queries.suppliers(e, v),
            lambda e, v=viewer: queries.latest_cluster_status(e, v),
            lambda e, v=viewer: factories.supplier_directory(e, v, DirectoryFilters(),
                                                             DEMO_AS_OF),
            lambda e, v=viewer: factories.open_non_compliance(e, v),
            lambda e, v=viewer: factories.zero_tolerance_findings(e, v, DEMO_AS_OF),
            # the benchmark's own counts read the tenant table of relationships
            lambda e, v=viewer: queries.country_cluster_benchmark(
                e, v, ["BD", "KH", "VN", "ID"], dt.date(1900, 1, 1), DEMO_AS_OF),
            lambda e, v=viewer: orders.purchase_orders(e, v),
            lambda e, v=viewer: orders.relationships(e, v),
        ):
            through_rls, direct = read(app_engine), read(postgres_engine)
            assert len(through_rls) == len(direct)
            keys = list(direct.columns[:1])  # the first column identifies the row
            assert through_rls.sort_values(keys).reset_index(drop=True).equals(
                direct.sort_values(keys).reset_index(drop=True))
        # the as-of dates of the brand's orders and facility list are read in its scope
        assert as_of.data_dates(app_engine, viewer) == as_of.data_dates(postgres_engine, viewer)
        assert as_of.data_dates(app_engine, viewer).orders is not None
    feed, direct = orders.benchmark_feed(app_engine), orders.benchmark_feed(postgres_engine)
    assert len(feed.orders) == len(direct.orders) > 0
    assert len(feed.relationships) == len(direct.relationships) > 0
    assert as_of.order_dates_by_brand(app_engine) == as_of.order_dates_by_brand(postgres_engine)


def test_shared_factory_reads_through_rls_equal_the_reads_as_superuser(app_engine,
                                                                       postgres_engine):
    """Reads that show another buyer only anonymously (a count, "another buyer's list") read
    those rows in the system scope after the access check: through the app role they return
    what they return without RLS. Before issue 14, other_buyers_count returned 0 here."""
    with postgres_engine.connect() as conn:
        shared = conn.execute(text(
            "SELECT r.brand_id, r.factory_id FROM sourcing_relationship r JOIN "
            "factory_attribute_source s ON s.factory_id = r.factory_id AND s.brand_id IS NOT "
            "NULL AND s.brand_id <> r.brand_id WHERE r.active GROUP BY r.brand_id, "
            "r.factory_id ORDER BY r.factory_id LIMIT 5")).all()
    assert shared
    for brand, factory in shared:
        viewer = Viewer("t", "brand", brand)
        others = factories.other_buyers_count(app_engine, viewer, factory)
        assert others == factories.other_buyers_count(postgres_engine, viewer, factory) > 0
        through_rls = provenance.factory_provenance(app_engine, viewer, factory)
        direct = provenance.factory_provenance(postgres_engine, viewer, factory)
        assert through_rls.equals(direct)
        assert through_rls["source"].str.contains("other buyer").any()


def test_system_scope_sees_every_brand_only_through_the_system_role(app_engine):
    with system_connection(app_engine) as conn:  # the registered system role
        assert conn.execute(text("SELECT current_user")).scalar_one() == SYSTEM_LOGIN
        assert conn.execute(text(
            "SELECT COUNT(DISTINCT brand_id) FROM purchase_order")).scalar_one() == len(
            brands(app_engine))


@pytest.mark.parametrize("table", RLS_TABLES)
def test_the_reading_role_cannot_use_the_system_scope(app_engine, postgres_engine, table):
    """Setting app.scope is open to every role; the policies let 'system' through only for
    members of dashboard_system. The reading role setting it itself sees nothing — while the
    system role sees the table's rows (positive control, where the table has any)."""
    # rows that belong to no brand (shared provenance rows) are readable in any scope
    shared = " WHERE brand_id IS NOT NULL" if table in SHARED_ROW_TABLES else ""
    with postgres_engine.connect() as conn:
        total = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
        branded = conn.execute(text(f"SELECT COUNT(*) FROM {table}{shared}")).scalar_one()
    assert branded > 0 or table not in SHARED_ROW_TABLES
    with app_engine.begin() as conn:
        conn.execute(text("SELECT set_config('app.scope', 'system', true)"))
        assert conn.execute(text(f"SELECT COUNT(*) FROM {table}{shared}")).scalar_one() == 0
        # nor from inside a query, as an injected expression would try
        where = (shared + " AND") if shared else " WHERE"
        assert conn.execute(text(
            f"SELECT COUNT(*) FROM {table}{where} "
            "set_config('app.scope', 'system', true) IS NOT NULL")).scalar_one() == 0
    with system_connection(app_engine) as conn:
        assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == total


def test_brand_identifying_tables_show_a_brand_only_its_own_rows(app_engine, postgres_engine):
    """Downloads, import runs, accounts, sessions and API tokens: the brand scope sees its own
    brand's rows and may write only its own (a download recorded for another brand is
    refused)."""
    from data_access import accounts, api_tokens, extracts, sessions
    from data_access.settings import DEMO_USERS_FILE

    accounts.provision_users(app_engine, accounts.read_users_file(DEMO_USERS_FILE))
    first, second = brands(app_engine)[:2]
    own = Viewer("nordwind", "brand_manager", first)
    for brand in (first, second):
        api_tokens.issue_token(app_engine, Viewer("admin", "admin", None), brand, "RLS test")
    extracts.record_download(app_engine, own, "supplier-list", {}, 3)
    sessions.start_session(app_engine, "nordwind", sessions.SessionPolicy())
    with postgres_engine.connect() as conn:
        foreign_rows = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t} WHERE brand_id <> :b"),
                                        {"b": first}).scalar_one()
                        for t in ("extract_audit", "app_user", "user_session", "api_token")}
    assert all(foreign_rows.values()) or foreign_rows["app_user"]
    with scoped_connection(app_engine, own) as conn:
        for table in ("extract_audit", "app_user", "user_session", "import_run",
                      "account_audit", "api_token"):
            seen = set(conn.execute(text(f"SELECT DISTINCT brand_id FROM {table}")).scalars())
            assert seen <= {first}, table
        assert conn.execute(text("SELECT COUNT(*) FROM app_user")).scalar_one() >= 1
        assert conn.execute(text("SELECT COUNT(*) FROM api_token")).scalar_one() >= 1
    with (pytest.raises(Exception, match="row-level security"),
          scoped_connection(app_engine, own) as conn):
        conn.execute(text("INSERT INTO extract_audit (username, brand_id, extract, filters, "
                          "row_count, created_at) VALUES ('x', :b, 'e', '{}', 1, now())"),
                     {"b": second})


def test_the_start_up_check_of_the_database_roles(app_engine, postgres_engine):
    """Refused: a superuser, an owner, a reading role in dashboard_system beside a system role.
    Warned: one role for both jobs. Clean: the reading role and a separate system role."""
    assert check_database_roles(app_engine).problems == []
    superuser = check_database_roles(postgres_engine).problems
    assert any("superuser" in p for p in superuser)
    assert any("owns the tables" in p for p in superuser)

    alone = _role_engine(postgres_engine, APP_ROLE)  # no system role registered
    report = check_database_roles(alone)
    assert report.problems == [] and any("may not use the system scope" in w
                                         for w in report.warnings)
    with postgres_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"GRANT {SYSTEM_ROLE} TO {APP_ROLE}"))
    try:
        assert any("also use the system scope" in w
                   for w in check_database_roles(alone).warnings)
        assert any("is a member of" in p for p in check_database_roles(app_engine).problems)
    finally:
        with postgres_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"REVOKE {SYSTEM_ROLE} FROM {APP_ROLE}"))
        alone.dispose()
    assert system_engine(app_engine) is not app_engine


def test_bulk_load_falls_back_to_insert_where_rls_binds_the_role(app_engine):
    """COPY FROM is refused under RLS; bulk_insert must still work for the app role (imports)."""
    from data_access.bulk import bulk_insert
    from data_access.schema import PurchaseOrder

    brand = brands(app_engine)[0]
    with system_connection(app_engine) as conn:
        factory = conn.execute(text(
            "SELECT factory_id FROM sourcing_relationship WHERE brand_id = :b LIMIT 1"),
            {"b": brand}).scalar_one()
    columns = ["brand_id", "factory_id", "po_number", "confirmed_on", "payment_terms_days",
               "units_ordered", "units_changed_after_confirmation",
               "changed_after_confirmation", "fob_price_usd"]
    with system_engine(app_engine).connect() as conn, conn.begin() as tx:
        n = bulk_insert(conn, PurchaseOrder.__table__, columns,
                        [(brand, factory, "RLS-TEST-1", "2026-01-05", 60, 100, 0, False, 4.5)])
        assert n == 1
        assert conn.execute(text(
            "SELECT COUNT(*) FROM purchase_order WHERE po_number = 'RLS-TEST-1'")).scalar_one() == 1
        tx.rollback()


def test_engagement_tables_show_a_brand_only_its_own_rows(app_engine, postgres_engine):
    """The engagement log and "what's new" (migration 0011), written through the app's
    reading role: each brand's scope sees and writes only its own rows, no scope sees none,
    and the shared-remediation count still reaches across brands through the system role."""
    from data_access import engagement as eg
    from data_access import whats_new as wn
    from data_access.scope import ENGAGEMENT_TABLES

    with postgres_engine.connect() as conn:
        factory, first, second = conn.execute(text(
            "SELECT a.factory_id, MIN(a.brand_id), MAX(a.brand_id) FROM sourcing_relationship a "
            "JOIN assessment s ON s.factory_id = a.factory_id JOIN finding f ON "
            "f.assessment_id = s.id AND f.non_compliant GROUP BY a.factory_id "
            "HAVING COUNT(DISTINCT a.brand_id) >= 2 ORDER BY a.factory_id LIMIT 1")).one()
    viewers = {b: Viewer(f"rls{b}", "brand_manager", b) for b in (first, second)}
    option = eg.link_options(app_engine, viewers[first], factory).iloc[0]
    finding = (int(option["assessment_id"]), int(option["question_id"]))
    entries = {}
    for brand, viewer in viewers.items():
        entries[brand] = eg.add_entry(app_engine, viewer, factory, eg.EntryInput(
            "commitment", f"RLS {brand}", owner="A", due_date=dt.date(2026, 11, 1)),
            findings=[finding])
        eg.set_status(app_engine, viewer, entries[brand], "done")
        wn.record_visit(app_engine, viewer, DEMO_AS_OF)
        wn.mark_seen(app_engine, viewer, [f"rls-item-{brand}"])
    for brand, viewer in viewers.items():
        with scoped_connection(app_engine, viewer) as conn:
            for table in ENGAGEMENT_TABLES:
                seen = set(conn.execute(text(f"SELECT DISTINCT brand_id FROM {table}"))
                           .scalars())
                assert seen == {brand}, table  # positive control: its own rows, only them
    with app_engine.connect() as conn:
        for table in ENGAGEMENT_TABLES:
            assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == 0, table
    with system_connection(app_engine) as conn:
        for table in ENGAGEMENT_TABLES:
            assert set(conn.execute(text(f"SELECT DISTINCT brand_id FROM {table}")).scalars()) \
                >= {first, second}, table
    # another brand's entry: invisible to the data layer, and not writable even by raw SQL
    with pytest.raises(Exception, match="no such entry"):
        eg.entry_history(app_engine, viewers[first], entries[second])
    with scoped_connection(app_engine, viewers[first]) as conn:
        changed = conn.execute(text("UPDATE engagement_entry SET title = 'x' WHERE id = :i"),
                               {"i": entries[second]}).rowcount
    assert changed == 0
    with (pytest.raises(Exception, match="row-level security"),
          scoped_connection(app_engine, viewers[first]) as conn):
        conn.execute(text("INSERT INTO whats_new_seen (username, brand_id, item_key, seen_at) "
                          "VALUES ('x', :b, 'k', now())"), {"b": second})
    # the count of other brands following the finding (system role; a count, no names)
    assert eg.other_brands_following(app_engine, viewers[first], factory,
                                     [finding[1]]) == {finding[1]: 1}
