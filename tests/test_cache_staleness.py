"""Cached page results never outlive a data change: the data version alone refreshes them.

Every ``st.cache_data`` read takes the dataset's ``data_version`` (``ui/data.py``), which each
run reads afresh. These tests keep one AppTest session (and so one process-wide cache) across
a data change and never clear a cache: a change that does not bump the version stays invisible
(the cache is really in use), the bump alone — as every import does — makes the next rerun show
the new figure.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from data_access.dataset import bump_data_version
from data_access.importing import import_csv
from data_access.queries import dataset_state
from data_access.viewer import Viewer
from tests.apphelpers import PAGES, TIMEOUT, brand_id, metric_values

OVERVIEW = str(PAGES / "brand" / "overview.py")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"


def overview(viewer: Viewer) -> AppTest:
    at = AppTest.from_file(OVERVIEW, default_timeout=TIMEOUT)
    at.session_state["viewer"] = viewer
    at.run()
    assert not at.exception, at.exception
    return at


def active_suppliers(at: AppTest) -> int:
    return int(metric_values(at)["Active suppliers"].replace(",", ""))


def test_a_version_bump_alone_refreshes_a_cached_page(app_env):
    maple = brand_id(app_env, "maple-thread")
    at = overview(Viewer("maple", "brand", maple))
    before = active_suppliers(at)
    with app_env.begin() as conn:
        factory = conn.execute(text(
            "SELECT id FROM factory WHERE id NOT IN (SELECT factory_id FROM "
            "sourcing_relationship WHERE brand_id = :b) ORDER BY id LIMIT 1"), {"b": maple}
        ).scalar_one()
        conn.execute(text(
            "INSERT INTO sourcing_relationship (brand_id, factory_id, tier, active, "
            "publicly_disclosed) VALUES (:b, :f, 1, :t, :d)"),
            {"b": maple, "f": factory, "t": True, "d": False})

    at.run()  # same data version: the cached result is served (the cache is in use)
    assert active_suppliers(at) == before

    with app_env.begin() as conn:
        bump_data_version(conn, "test: a new supplier")
    at.run()  # no cache cleared: the new version is part of every cache key
    assert not at.exception, at.exception
    assert active_suppliers(at) == before + 1


def test_an_import_bumps_the_version_and_the_page_shows_it_at_once(app_env):
    nordwind = brand_id(app_env, "nordwind")
    at = overview(Viewer("nordwind", "brand", nordwind))
    before = active_suppliers(at)
    version = dataset_state(app_env)["data_version"]

    report = import_csv(app_env, Viewer("admin", "admin", None), "facilities",
                        FIXTURES / "facilities_good.csv", brand_code="nordwind")
    assert report.inserted > 0
    assert dataset_state(app_env)["data_version"] == version + 1

    at.run()
    assert not at.exception, at.exception
    with app_env.connect() as conn:
        expected = conn.execute(text(
            "SELECT COUNT(*) FROM sourcing_relationship r JOIN factory f ON f.id = "
            "r.factory_id WHERE r.brand_id = :b AND r.active AND f.status = 'active'"),
            {"b": nordwind}).scalar_one()
    assert expected > before
    assert active_suppliers(at) == expected
