"""The API as operators run it: ``python -m api`` in its own process on a free loopback port,
called over real HTTP; and refused at start, like the app, when the configuration is unsafe.
Also the command-line extract, ``python -m services.extract_cli``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pandas as pd
import pytest
from sqlalchemy import text

from data_access import api_tokens
from data_access.db import create_db_engine
from data_access.extracts import list_downloads
from data_access.factories import DirectoryFilters
from data_access.viewer import Viewer
from services import extract_cli
from services.extract_catalogue import ExtractContext, build_file
from services.reference_dates import brand_reference_dates
from tests.conftest import PROJECT_ROOT, free_port

ADMIN = Viewer("admin", "admin", None)


@pytest.fixture
def demo_copy(sqlite_demo_path, tmp_path):
    path = tmp_path / "api.sqlite3"
    shutil.copy(sqlite_demo_path, path)
    engine = create_db_engine(f"sqlite:///{path}")
    yield engine, f"sqlite:///{path}"
    engine.dispose()


def _environ(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASHBOARD_")}
    return {**env, **extra}


def _call(url: str, token: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url)  # noqa: S310 - a loopback URL of the test
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_python_m_api_serves_over_http(demo_copy, tmp_path):
    engine, url = demo_copy
    with engine.connect() as conn:
        nordwind = conn.execute(text("SELECT id FROM brand WHERE code = 'nordwind'")).scalar()
    token = api_tokens.issue_token(engine, ADMIN, nordwind, "process test").token
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "api.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "api", "--port", str(port)], cwd=PROJECT_ROOT,
        env=_environ(DASHBOARD_DATABASE_URL=url, DASHBOARD_DEMO="true"), stdout=log,
        stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "api.log").read_text()[-3000:]
            try:
                status, _, body = _call(f"{base}/v1/health")
                if status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the API did not become ready"
            time.sleep(0.2)
        assert json.loads(body) == {"status": "ok"}

        status, headers, body = _call(f"{base}/v1/risk-ranking?limit=3", token)
        assert status == 200 and headers["content-type"] == "application/json"
        page = json.loads(body)
        assert page["brand"] == "nordwind" and page["count"] == 3
        assert page["next"].startswith(f"{base}/v1/risk-ranking?")
        assert "server" not in {k.lower() for k in headers}

        status, headers, body = _call(f"{base}/v1/purchase-orders?format=csv", token)
        assert status == 200 and headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        with engine.connect() as conn:
            orders = conn.execute(text("SELECT COUNT(*) FROM purchase_order WHERE brand_id = "
                                       ":b"), {"b": nordwind}).scalar_one()
        assert rows[0][0] == "po_number" and len(rows) - 1 == orders
        # docs/api.md's pandas example, as written there
        frame = pd.read_csv(f"{base}/v1/purchase-orders?format=csv&confirmed_from=2026-01-01",
                            storage_options={"Authorization": f"Bearer {token}"},
                            parse_dates=["confirmed_on", "ex_factory_on", "invoiced_on",
                                         "paid_on"])
        assert len(frame) > 0 and frame["confirmed_on"].min() >= pd.Timestamp("2026-01-01")

        status, _, body = _call(f"{base}/v1/suppliers")
        assert status == 401 and json.loads(body)["error"]["code"] == "unauthorized"
        status, _, body = _call(f"{base}/openapi.json")
        assert status == 200 and "/v1/purchase-orders" in json.loads(body)["paths"]
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def test_python_m_api_refuses_an_unsafe_configuration(tmp_path):
    database = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-m", "api", "--port", str(free_port())], cwd=PROJECT_ROOT,
        env=_environ(DASHBOARD_DATABASE_URL=database), capture_output=True, text=True,
        timeout=60, check=False)
    assert result.returncode == 2
    assert "not in demo mode and refuses to start" in result.stderr
    assert "no cookie key" in result.stderr and "no users file" in result.stderr


def test_the_command_line_extract_is_the_download(demo_copy, tmp_path, monkeypatch, capsys):
    engine, url = demo_copy
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", url)
    monkeypatch.setenv("DASHBOARD_DEMO", "true")
    out = tmp_path / "orders.csv"
    code = extract_cli.main(["--brand", "nordwind", "--extract", "purchase-orders",
                             "--confirmed-from", "2026-01-01", "--country", "vn",
                             "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    with engine.connect() as conn:
        nordwind = conn.execute(text("SELECT id FROM brand WHERE code = 'nordwind'")).scalar()
    viewer = Viewer("x", "brand_manager", nordwind)
    ctx = ExtractContext(as_of=brand_reference_dates(engine, viewer).figures,
                         orders_since=dt.date(2026, 1, 1),
                         directory=DirectoryFilters(countries=("VN",)))
    assert out.read_bytes() == build_file(engine, viewer, "purchase-orders", ctx)
    assert out.read_bytes().count(b"\r\n") > 1
    newest = list_downloads(engine, ADMIN, limit=2).iloc[1]  # before build_file's own row
    assert newest["username"].startswith("system:") and \
        newest["username"].endswith(" via command line")
    assert newest["brand_code"] == "nordwind" and newest["extract"] == "purchase-orders"

    assert extract_cli.main(["--brand", "nobody", "--extract", "risk-ranking",
                             "--out", str(tmp_path / "x.csv")]) == 2
    assert "No brand with code 'nobody'" in capsys.readouterr().err
    assert extract_cli.main(["--brand", "nordwind", "--extract", "purchasing-indicators",
                             "--as-of", "2026-06-15", "--out", str(tmp_path / "x.csv")]) == 2
    assert "end of a month" in capsys.readouterr().err
    assert extract_cli.main(["--brand", "nordwind", "--extract", "supplier-list",
                             "--format", "xlsx", "--out", str(tmp_path / "s.xlsx")]) == 0
    assert (tmp_path / "s.xlsx").read_bytes()[:2] == b"PK"
