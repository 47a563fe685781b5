"""The deployment guide's PostgreSQL roles and grants, run as written on a fresh server.

``docs/deployment.md`` gives the commands (superuser SQL, the migration as the owner, the
grants as the owner) in marked blocks; this test extracts them, runs them with ``psql`` and
Alembic's own command line against a new PostgreSQL cluster, then checks what the guide
promises: the app's start-up check finds nothing to refuse or warn about, the system role
migrates nothing and provisions, signs in and imports, the reading role reads its brand's
rows only, cannot read accounts, and gains nothing by setting the system scope.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from data_access import accounts, api_tokens, engagement, orders, passwords, queries, whats_new
from data_access.db import create_db_engine, prepare_database
from data_access.importing import import_csv
from data_access.scope import apply_scope, check_database_roles, use_system_engine
from data_access.viewer import Viewer
from services.import_cli import main as import_cli
from tests.conftest import PROJECT_ROOT, PostgresServer, unavailable

pytestmark = pytest.mark.postgres
GUIDE = PROJECT_ROOT / "docs" / "deployment.md"


def guide_block(marker: str) -> str:
    """The fenced block that follows ``<!-- deployment-…: marker -->`` in the guide."""
    match = re.search(rf"<!-- deployment-\w+: {marker} -->\s*```\w*\n(.*?)```",
                      GUIDE.read_text(), re.S)
    assert match, f"docs/deployment.md has no block marked {marker!r}"
    return match.group(1)


@pytest.fixture(scope="module")
def fresh_server():
    try:
        server = PostgresServer()
    except (FileNotFoundError, subprocess.SubprocessError) as exc:
        unavailable(f"cannot start PostgreSQL: {exc}")
        return
    yield server
    server.cleanup()


def _psql(server: PostgresServer, user: str, database: str, sql: str) -> None:
    result = subprocess.run(
        [str(server.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
         "-p", str(server.port), "-U", user, "-d", database],
        input=sql, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr


def _url(server: PostgresServer, user: str) -> str:
    return f"postgresql+psycopg://{user}:pw@127.0.0.1:{server.port}/dashboard"


def test_the_guides_roles_and_grants_work_on_a_fresh_server(fresh_server, tmp_path, monkeypatch):
    server = fresh_server
    _psql(server, "postgres", "postgres", guide_block("superuser"))

    command = guide_block("migrate").replace("\\\n", " ")
    command = command.replace("db:5432", f"127.0.0.1:{server.port}")
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"}
    for name in ("DASHBOARD_DEMO", "DASHBOARD_COOKIE_KEY", "DASHBOARD_USERS_FILE"):
        env.pop(name, None)
    migrated = subprocess.run(["bash", "-c", command], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    _psql(server, "dashboard_owner", "dashboard", guide_block("owner"))

    reader = create_db_engine(_url(server, "dashboard_app"))
    system = create_db_engine(_url(server, "dashboard_sys"))
    use_system_engine(reader, system)
    try:
        report = check_database_roles(reader)
        assert report.problems == [] and report.warnings == []
        prepare_database(system)  # at head: reads, migrates nothing

        with system.begin() as conn:
            conn.execute(text("INSERT INTO brand (code, name) VALUES "
                              "('acme', 'Acme'), ('other', 'Other Co')"))
        hashed = passwords.hash_password("river tulip engine 7")
        users = [accounts.ProvisionedUser("ops", "Ops", None, "admin", None, hashed),
                 accounts.ProvisionedUser("ann", "Ann", None, "brand_viewer", "acme", hashed)]
        assert set(accounts.provision_users(reader, users, demo_mode=False)["added"]) == \
            {"ops", "ann"}
        policy = accounts.LockoutPolicy()
        admin = accounts.authenticate(reader, "ops", "river tulip engine 7", policy).viewer
        ann = accounts.authenticate(reader, "ann", "river tulip engine 7", policy).viewer
        assert admin is not None and admin.is_admin and ann is not None

        for code, name in (("acme", "Acme Knit Ltd"), ("other", "Other Sewing Ltd")):
            facility = f"name,address,country\n{name},1 Road,Viet Nam\n".encode()
            import_csv(reader, admin, "facilities", facility, brand_code=code)

        own = queries.suppliers(reader, ann)
        assert list(own["name"]) == ["Acme Knit Ltd"]
        # orders through the roles of a deployment: COPY into a staging table (row-level
        # security refuses COPY into the table itself), and the brand's order snapshot
        factory_id = int(own["factory_id"].iloc[0])
        order_file = ("po_number,factory_id,confirmed_on,units_ordered,fob_price_usd,"
                      "payment_terms_days\n"
                      f"A-1,{factory_id},2024-01-15,100,5.10,60\n"
                      f"A-2,{factory_id},2024-02-15,200,5.20,60\n").encode()
        assert import_csv(reader, admin, "orders", order_file, brand_code="acme").inserted == 2
        book = orders.purchase_orders(reader, ann)
        assert list(book["po_number"]) == ["A-1", "A-2"]
        assert orders.read_order_snapshot(reader, ann) is not None
        assert orders.read_order_snapshot(reader, Viewer("x", "brand_viewer",
                                                         ann.brand_id + 1)) is None

        # the command-line importer does its system work through the system role too: with
        # the reading role alone, row-level security refuses the brand-crossing writes
        listing = tmp_path / "acme.csv"
        listing.write_text("name,address,country\nAcme Dye House,2 Road,Viet Nam\n")
        monkeypatch.setenv("DASHBOARD_DATABASE_URL", _url(server, "dashboard_app"))
        monkeypatch.setenv("DASHBOARD_SYSTEM_DATABASE_URL", _url(server, "dashboard_sys"))
        monkeypatch.setenv("DASHBOARD_DEMO", "true")
        assert import_cli(["facilities", "--brand", "acme", "--quiet", str(listing)]) == 0
        assert sorted(queries.suppliers(reader, ann)["name"]) == \
            ["Acme Dye House", "Acme Knit Ltd"]
        monkeypatch.delenv("DASHBOARD_SYSTEM_DATABASE_URL")
        listing.write_text("name,address,country\nAcme Print Works,3 Road,Viet Nam\n")
        assert import_cli(["facilities", "--brand", "acme", "--quiet", str(listing)]) != 0
        assert "Acme Print Works" not in set(queries.suppliers(reader, ann)["name"])

        # the engagement log and "what's new": written by the reading role in the brand's
        # scope with the guide's grants; the history cannot be deleted
        manager = Viewer("mgr", "brand_manager", ann.brand_id)
        factory = int(own["factory_id"].iloc[0])
        entry = engagement.add_entry(reader, manager, factory,
                                     engagement.EntryInput("note", "Met HR"))
        engagement.edit_entry(reader, manager, entry, engagement.EntryInput("note", "Met HR."))
        engagement.set_status(reader, manager, entry, "withdrawn")
        for hour in (9, 12):  # the second visit updates the row
            whats_new.record_visit(reader, manager, dt.date(2026, 11, 1),
                                   now=dt.datetime(2026, 11, 20, hour))
        whats_new.mark_seen(reader, manager, ["supplier_new:1"])
        assert len(engagement.entry_history(reader, manager, entry)) == 3
        with pytest.raises(ProgrammingError, match="permission denied"), \
                reader.begin() as conn:
            apply_scope(conn, scope="brand", brand_id=ann.brand_id)
            conn.execute(text("DELETE FROM engagement_revision"))
        with reader.begin() as conn:
            conn.execute(text("SELECT set_config('app.scope', 'system', true)"))
            assert conn.execute(text("SELECT COUNT(*) FROM sourcing_relationship")
                                ).scalar_one() == 0
        with pytest.raises(ProgrammingError, match="permission denied"), \
                reader.connect() as conn:
            conn.execute(text("SELECT password_hash FROM app_user"))
        # API tokens: issued and checked through the system role; the reading role cannot
        # even read their digests
        token = api_tokens.issue_token(reader, admin, ann.brand_id, "BI").token
        principal = api_tokens.authenticate(reader, token)
        assert principal is not None and principal.brand_code == "acme"
        assert sorted(queries.suppliers(reader, principal.viewer)["name"]) == \
            ["Acme Dye House", "Acme Knit Ltd"]
        with pytest.raises(ProgrammingError, match="permission denied"), \
                reader.connect() as conn:
            conn.execute(text("SELECT secret_sha256 FROM api_token"))
        other = Viewer("x", "brand_manager", ann.brand_id + 1)
        assert list(queries.suppliers(reader, other)["name"]) == ["Other Sewing Ltd"]
    finally:
        reader.dispose()
        system.dispose()
