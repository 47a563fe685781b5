"""Tenant isolation through the HTTP API, property-based, on SQLite and PostgreSQL (there as
production reads: the reading role under row-level security).

Hypothesis draws a brand (each brand holds a token), an endpoint, JSON or CSV and the
filters of ``tests/test_isolation_properties`` (hostile search text, bogus countries,
tiers and clusters, own / foreign / unknown / out-of-range factory ids) and checks against
the same independent oracle (raw SQL in the system scope):

* a token of brand A never returns a row of brand B — every ``factory_id``, factory name,
  OS ID and PO number in any response is A's own; a bad parameter is a 422, never data, never
  a server error;
* a factory id that belongs to another brand is answered exactly like one that does not
  exist: the same status (404) and the same body, byte for byte.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from api.app import create_app
from api.routes.extracts import ENDPOINTS
from api.runtime import ApiState
from data_access import api_tokens
from data_access.settings import load_settings
from data_access.viewer import Viewer
from tests.conftest import CASE_COUNTS
from tests.test_api import ENVIRON, remove_api_rows
from tests.test_isolation_properties import (
    Truth,
    directory_filters,
    factory_ids,
    hypothesis_settings,
    truth_of,
)
from tests.test_row_level_security import app_engine  # noqa: F401 - the PostgreSQL fixture

CASES: Counter[str] = CASE_COUNTS.setdefault("tenant isolation (HTTP API)", Counter())
ID_MAX = 2**31 - 1


@dataclass
class World:
    client: TestClient
    truth: Truth
    tokens: dict[int, str]  # brand id -> token (brand-manager scope: every extract)

    def get(self, brand: int, path: str, params: dict | None = None):
        return self.client.get(path, params=params or {},
                               headers={"Authorization": f"Bearer {self.tokens[brand]}"})


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(request):
    if request.param == "postgresql":
        engine = request.getfixturevalue("app_engine")
        truth = truth_of(request.getfixturevalue("postgres_engine"))
    else:
        engine = request.getfixturevalue("sqlite_engine")
        truth = truth_of(engine)
    remove_api_rows(engine)
    admin = Viewer("admin", "admin", None)
    tokens = {b: api_tokens.issue_token(engine, admin, b, f"isolation {code}").token
              for b, code in truth.brands.items()}
    client = TestClient(create_app(ApiState(settings=load_settings(environ=ENVIRON),
                                            engine=engine)))
    yield World(client, truth, tokens)
    remove_api_rows(engine)


def _rows(response) -> list[dict]:
    if response.headers["content-type"].startswith("text/csv"):
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    return response.json()["data"]


@hypothesis_settings(30)
@given(data=st.data())
def test_a_token_never_returns_another_brands_rows(world, request, data):
    CASES[request.node.name] += 1
    truth = world.truth
    brand = data.draw(st.sampled_from(sorted(truth.brands)), label="brand")
    key = data.draw(st.sampled_from(sorted(ENDPOINTS)), label="extract")
    fmt = data.draw(st.sampled_from(["json", "csv"]), label="format")
    filters = data.draw(directory_filters(truth, brand), label="filters")
    ids = data.draw(st.lists(factory_ids(truth, brand), max_size=3), label="factory ids")
    params = {"format": fmt, "limit": 1000, "country_code": list(filters.countries),
              "factory_id": ids}
    if key in ("supplier-list", "latest-findings", "improvement-plans"):
        params.update(search=filters.search, tier=list(filters.tiers),
                      assessment_age=list(filters.assessment_age),
                      non_compliant_cluster=list(filters.clusters_non_compliant),
                      plan_status=filters.plan_status or None, gap=list(filters.gaps),
                      include_former=filters.include_inactive,
                      include_closed=filters.include_closed)
    response = world.get(brand, "/v1" + ENDPOINTS[key], params)
    assert response.status_code in (200, 422), (response.status_code, response.text[:300])
    if response.status_code == 422:  # a value outside its range: no data, one envelope
        assert response.json()["error"]["code"] == "invalid_request"
        return
    own = truth.own(brand)
    own_names = {truth.factory_name[f] for f in own}
    own_os_ids = {truth.factory_os_id[f] or "" for f in own} | {None, ""}
    own_numbers = {n for _, _, n in truth.orders.get(brand, {}).values()}
    for row in _rows(response):
        if row.get("factory_id") not in (None, ""):
            assert int(row["factory_id"]) in own, (key, row["factory_id"])
        for column in ("name", "factory_name"):
            if column in row:
                assert row[column] in own_names, (key, row[column])
        for column in ("os_id", "factory_os_id"):
            if column in row:
                assert row[column] in own_os_ids, (key, row[column])
        if "po_number" in row:
            assert row["po_number"] in own_numbers, (key, row["po_number"])


@hypothesis_settings(50)
@given(data=st.data())
def test_a_foreign_factory_is_answered_exactly_like_an_unknown_one(world, request, data):
    CASES[request.node.name] += 1
    truth = world.truth
    brand = data.draw(st.sampled_from(sorted(truth.brands)), label="brand")
    factory = data.draw(factory_ids(truth, brand), label="factory id")
    response = world.get(brand, f"/v1/factories/{factory}")
    if factory in truth.own(brand):
        assert response.status_code == 200, response.text[:300]
        body = response.json()
        assert body["factory"]["factory_id"] == factory
        assert body["factory"]["name"] == truth.factory_name[factory]
        return
    unknown = world.get(brand, f"/v1/factories/{max(truth.factory_name) + 1}")
    assert (response.status_code, response.text) == (404, unknown.text)
    # as a filter, another brand's factory matches nothing, as an unknown one does
    if 1 <= factory <= ID_MAX:
        rows = world.get(brand, "/v1/purchase-orders", {"factory_id": factory}).json()["data"]
        assert rows == []


def test_zz_generated_api_isolation_cases_ran():
    assert sum(CASES.values()) >= 80, dict(CASES)
