"""The HTTP API through FastAPI's test client, on SQLite and on the real PostgreSQL the suite
starts — there read as production does: the reading role under row-level security, tokens
and audit through the system role (``app_engine`` of test_row_level_security).

Every endpoint answers what the extract catalogue builds for the same filters (same rows,
same field names, same CSV bytes); pages walk the whole extract; every error has the JSON
envelope; a summary-scope token is refused the raw extracts; a revoked or expired token is
refused like an unknown one; the rate limit holds; every call is in the download audit.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.routes.extracts import ENDPOINTS
from api.runtime import ApiState
from data_access import api_tokens, factories, orders
from data_access.extracts import json_rows, list_downloads, write_csv
from data_access.scope import system_connection
from data_access.settings import load_settings
from data_access.throttle import utcnow
from data_access.viewer import Viewer
from services import analysis
from services.extract_catalogue import CSV_BYTE_ORDER_MARK, EXTRACTS
from services.extract_requests import ExtractRequest, context_for
from services.records import FACTORY_COLUMNS
from services.reference_dates import brand_reference_dates
from tests.test_row_level_security import app_engine  # noqa: F401 - the PostgreSQL fixture

ADMIN = Viewer("admin", "admin", None)
ENVIRON = {"DASHBOARD_DEMO": "true", "DASHBOARD_API_RATE_LIMIT_PER_MINUTE": "100000"}


@dataclass
class Api:
    client: TestClient
    engine: Engine
    brands: dict[str, int]
    tokens: dict[str, str]
    prefixes: dict[str, str]

    def get(self, path: str, token: str | None = "manager", **params):  # noqa: S107
        headers = {"Authorization": f"Bearer {self.tokens.get(token, token)}"} if token else {}
        return self.client.get(path, params=params, headers=headers)


def remove_api_rows(engine: Engine) -> None:
    """Leave the shared demo database as the session made it (other modules read it)."""
    with system_connection(engine) as conn:
        conn.execute(text("DELETE FROM extract_audit WHERE username LIKE 'api:%'"))
        conn.execute(text("DELETE FROM account_audit WHERE action LIKE 'api_token%'"))
        conn.execute(text("DELETE FROM api_token"))


def make_api(engine: Engine, environ: dict[str, str] | None = None) -> Api:
    with engine.connect() as conn:
        brands = dict(conn.execute(text("SELECT code, id FROM brand")).all())
    settings = load_settings(environ={**ENVIRON, **(environ or {})})
    issue = api_tokens.issue_token
    nordwind, maple = brands["nordwind"], brands["maple-thread"]
    issued = {
        "manager": issue(engine, ADMIN, nordwind, "BI"),
        "summary": issue(engine, ADMIN, nordwind, "Summary only", scope="brand_viewer"),
        "maple": issue(engine, ADMIN, maple, "Maple BI"),
        "revoked": issue(engine, ADMIN, nordwind, "Old"),
        "expired": issue(engine, ADMIN, nordwind, "Older", days=1,
                         now=utcnow() - dt.timedelta(days=2)),
    }
    api_tokens.revoke_token(engine, ADMIN, issued["revoked"].token_id)
    client = TestClient(create_app(ApiState(settings=settings, engine=engine)))
    return Api(client, engine, brands, {k: v.token for k, v in issued.items()},
               {k: v.prefix for k, v in issued.items()})


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def api(request):
    name = "app_engine" if request.param == "postgresql" else "sqlite_engine"
    engine = request.getfixturevalue(name)
    remove_api_rows(engine)
    built = make_api(engine)
    yield built
    remove_api_rows(engine)


def expected(api: Api, key: str, brand: str = "nordwind",
             wanted: ExtractRequest | None = None) -> tuple[list[dict], bytes]:
    """What the catalogue builds for the API's default filters: JSON rows and CSV bytes."""
    viewer = Viewer("x", "brand_manager", api.brands[brand])
    ctx = context_for(api.engine, viewer, key, wanted or ExtractRequest(),
                      brand_reference_dates(api.engine, viewer))
    spec = EXTRACTS[key]
    rows = list(spec.build(api.engine, viewer, ctx))
    buffer = io.BytesIO()
    # the Downloads page's bytes: with the byte-order mark a spreadsheet needs
    write_csv(rows, spec.columns, buffer, excel_bom=CSV_BYTE_ORDER_MARK)
    return list(json_rows(rows, spec.columns)), buffer.getvalue()


@pytest.mark.parametrize("key", sorted(EXTRACTS))
def test_every_extract_endpoint_serves_the_catalogues_rows(api, key):
    rows, csv_bytes = expected(api, key)
    assert rows, key  # the demo brand has data in every extract (positive control)
    response = api.get("/v1" + ENDPOINTS[key], limit=1000)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["extract"] == key and body["brand"] == "nordwind"
    assert body["data"] == rows[:1000]
    assert list(body["data"][0]) == [c.name for c in EXTRACTS[key].columns]
    assert body["count"] == min(len(rows), 1000)
    assert (body["next"] is None) == (len(rows) <= 1000)
    assert response.headers["cache-control"] == "no-store"
    as_csv = api.get("/v1" + ENDPOINTS[key], format="csv")
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_csv.content == csv_bytes
    assert f'filename="nordwind_{key}_' in as_csv.headers["content-disposition"]
    # the same through the generic endpoint and Accept: text/csv
    generic = api.client.get(f"/v1/extracts/{key}", headers={
        "Authorization": f"Bearer {api.tokens['manager']}", "Accept": "text/csv"})
    assert generic.content == csv_bytes


def test_pages_walk_the_whole_extract(api):
    for key, limit in (("purchase-orders", 1000), ("supplier-list", 40)):
        rows, _ = expected(api, key)
        assert len(rows) > limit  # several pages (positive control)
        seen, url, pages = [], "/v1" + ENDPOINTS[key] + f"?limit={limit}", 0
        while url:
            response = api.client.get(url, headers={
                "Authorization": f"Bearer {api.tokens['manager']}"})
            assert response.status_code == 200, response.text
            body = response.json()
            seen += body["data"]
            url = body["next"]
            pages += 1
            if url:
                assert response.headers["link"] == f'<{url}>; rel="next"'
        assert seen == rows, key
        assert pages == -(-len(rows) // limit)
    huge = base64.urlsafe_b64encode(json.dumps({"o": 10**30}).encode()).decode()
    for cursor in ("nonsense", "eyJvIjotMX0", "eyJrIjpbIngiXX0", "e30", huge, "é"):
        bad = api.get("/v1/purchase-orders", cursor=cursor)
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"


def test_filters_are_the_pages_filters(api):
    wanted = ExtractRequest(confirmed_from=dt.date(2025, 1, 1),
                            confirmed_to=dt.date(2025, 6, 30))
    rows, _ = expected(api, "purchase-orders", wanted=wanted)
    body = api.get("/v1/purchase-orders", limit=1000, confirmed_from="2025-01-01",
                   confirmed_to="2025-06-30").json()
    assert body["data"] == rows and rows
    assert {r["confirmed_on"][:7] for r in rows} <= {f"2025-0{m}" for m in range(1, 7)}
    suppliers = api.get("/v1/suppliers", limit=1000, country_code=["vn", "KH"]).json()["data"]
    assert suppliers and {r["country_code"] for r in suppliers} <= {"VN", "KH"}
    one = suppliers[0]["factory_id"]
    findings = api.get("/v1/findings", limit=1000, factory_id=one).json()["data"]
    assert findings and {r["factory_id"] for r in findings} == {one}
    late = api.get("/v1/purchasing-indicators", period="24", as_of="2026-06-15")
    assert late.status_code == 422 and "month" in late.json()["error"]["message"]


def test_one_factory_and_its_links(api):
    viewer = Viewer("x", "brand_manager", api.brands["nordwind"])
    today = brand_reference_dates(api.engine, viewer).figures
    risk = analysis.risk_table(api.engine, viewer, today)
    top = risk.iloc[0]
    response = api.get(f"/v1/factories/{int(top['factory_id'])}")
    assert response.status_code == 200, response.text
    body = response.json()
    factory = body["factory"]
    assert list(factory) == [c.name for c in FACTORY_COLUMNS]
    profile = factories.factory_profile(api.engine, viewer, int(top["factory_id"]))
    assert factory["name"] == profile["name"] and factory["os_id"] == profile["os_id"]
    assert factory["risk_level"] == top["risk_level"] and factory["reasons"] == top["reasons"]
    assert factory["other_buyers"] == factories.other_buyers_count(
        api.engine, viewer, int(top["factory_id"]))
    if factory["latest_assessment_date"]:
        assert len(body["clusters"]) == 8
        assert sum(c["questions_assessed"] for c in body["clusters"]) == \
            factory["questions_assessed"]
    findings = api.client.get(body["links"]["findings"], headers={
        "Authorization": f"Bearer {api.tokens['manager']}"}).json()["data"]
    assert {f["factory_id"] for f in findings} <= {factory["factory_id"]}


def test_the_purchasing_summary_and_its_benchmark(api):
    viewer = Viewer("x", "brand_manager", api.brands["nordwind"])
    dates = brand_reference_dates(api.engine, viewer)
    view = analysis.OrderView(dates.order_figures, 12)
    body = api.get("/v1/purchasing-summary").json()
    figures = analysis.purchasing_summary(orders.purchase_orders(api.engine, viewer),
                                          orders.relationships(api.engine, viewer), view)
    assert body["orders"] == figures["orders"] and body["as_of"] == view.as_of.isoformat()
    published = analysis.purchasing_benchmark(api.engine, api.brands["nordwind"], 12, None,
                                              None)
    rows = {r["indicator"]: r for r in body["data"]}
    assert body["benchmark_note"] == ""
    shown = 0
    for key, row in rows.items():
        value = figures[key]
        assert row["value"] == (None if value != value else pytest.approx(value)), key
        lower = published.get(key)
        if lower is not None and lower == lower:
            assert row["others_low"] == lower and row["others_high"] > lower
            shown += 1
        else:
            assert row["others_low"] is None and row["others_high"] is None
    assert shown >= 3  # twelve brands: most indicators are published (positive control)
    first = api.get("/v1/suppliers", limit=1).json()["data"][0]["factory_id"]
    one = api.get("/v1/purchasing-summary", factory_id=first).json()
    assert "choice of factories" in one["benchmark_note"]
    assert all(r["others_low"] is None for r in one["data"])
    summary_csv = api.get("/v1/purchasing-summary", format="csv").content
    assert summary_csv.startswith(b"\xef\xbb\xbf")  # a spreadsheet reads it as UTF-8
    assert summary_csv.decode("utf-8-sig").splitlines()[0].startswith(
        "indicator,label,category,unit,better,value,others_low,others_high")


def test_errors_have_one_envelope_and_tell_nothing(api):
    unauthorized = {api.get("/v1/suppliers", token=t).text
                    for t in (None, "revoked", "expired", "scd_nonsense",
                              api.tokens["manager"][:-2] + "xx")}
    assert unauthorized == {json.dumps({"error": {
        "code": "unauthorized", "message": "Missing, invalid, expired or revoked API token."}},
        separators=(",", ":"))}
    assert api.get("/v1/suppliers", token=None).headers["www-authenticate"] == "Bearer"

    summary = api.get("/v1/purchase-orders", token="summary")
    assert summary.status_code == 403 and summary.json()["error"]["code"] == "forbidden"
    assert api.get("/v1/risk-ranking", token="summary").status_code == 200  # summary extract

    with system_connection(api.engine) as conn:  # the oracle sees every brand
        foreign = conn.execute(text(
            "SELECT MIN(factory_id) FROM sourcing_relationship WHERE brand_id = :m AND "
            "factory_id NOT IN (SELECT factory_id FROM sourcing_relationship WHERE "
            "brand_id = :n)"), {"m": api.brands["maple-thread"], "n": api.brands["nordwind"]}
        ).scalar_one()
        biggest = conn.execute(text("SELECT MAX(id) FROM factory")).scalar_one()
    assert api.get(f"/v1/factories/{foreign}", token="maple").status_code == 200  # control
    answers = {(r.status_code, r.text) for r in (
        api.get(f"/v1/factories/{x}") for x in (foreign, biggest + 1, 0, -3, "abc", "1e3",
                                               2**40))}
    assert len(answers) == 1 and next(iter(answers))[0] == 404
    assert api.get("/v1/extracts/no-such-extract").status_code == 404
    assert api.get("/v1/nowhere").json() == {"error": {"code": "not_found",
                                                       "message": "Not found."}}

    for params in ({"limit": 0}, {"limit": 1001}, {"country_code": "VNM"}, {"tier": 9},
                   {"assessment_age": "ancient"}, {"include_closed": "maybe"}):
        response = api.get("/v1/suppliers", **params)
        assert response.status_code == 422, params
        error = response.json()["error"]
        assert error["code"] == "invalid_request" and error["details"], params
        assert next(iter(params)) in error["message"]
        assert "VNM" not in response.text and "ancient" not in response.text  # not echoed
    assert api.get("/v1/purchase-orders", confirmed_from="2025-13-01").status_code == 422
    assert api.client.post("/v1/suppliers").status_code == 405  # read-only


def test_every_call_is_audited_like_a_download(api):
    before = len(list_downloads(api.engine, ADMIN, limit=100_000))
    api.get("/v1/risk-ranking", limit=5)
    api.get("/v1/purchase-orders", format="csv", confirmed_from="2026-01-01")
    api.get("/v1/factories/0")
    log = list_downloads(api.engine, ADMIN, limit=3)
    assert len(list_downloads(api.engine, ADMIN, limit=100_000)) == before + 3
    newest, csv_row, page = (log.iloc[i] for i in range(3))
    prefix = api.prefixes["manager"]
    assert set(log["username"]) == {f"api:{prefix}"}
    assert set(log["brand_code"]) == {"nordwind"}
    assert (page["extract"], page["row_count"]) == ("risk-ranking", 5)
    recorded = json.loads(csv_row["filters"])
    assert recorded["via"] == "api" and recorded["token"] == prefix
    assert recorded["format"] == "csv" and recorded["complete"] is True
    assert recorded["filters"]["orders_since"] == "2026-01-01"
    rows = api.get("/v1/purchase-orders", format="csv", confirmed_from="2026-01-01")
    assert csv_row["row_count"] == len(rows.text.splitlines()) - 1 > 0
    assert (newest["extract"], newest["row_count"]) == ("factory-profile", 0)
    assert json.loads(newest["filters"])["status"] == 404
    with system_connection(api.engine) as conn:
        used = conn.execute(text("SELECT last_used_at FROM api_token WHERE prefix = :p"),
                            {"p": prefix}).scalar_one()
    assert used is not None


def test_catalogue_dictionaries_and_openapi(api):
    catalogue = api.get("/v1/extracts", token="summary").json()
    allowed = {e["key"]: e["allowed"] for e in catalogue["extracts"]}
    assert allowed == {k: k in ("supplier-list", "purchasing-indicators", "risk-ranking",
                                "visibility-by-country") for k in EXTRACTS}
    for key, spec in EXTRACTS.items():
        dictionary = api.get(f"/v1/dictionaries/{key}").json()
        assert [c["column"] for c in dictionary["columns"]] == [c.name for c in spec.columns]
    assert api.get("/v1/dictionaries/factory").json()["columns"][0]["column"] == "factory_id"
    token = api.get("/v1/token").json()
    assert token["prefix"] == api.prefixes["manager"] and token["brand_code"] == "nordwind"
    schema = api.client.get("/openapi.json").json()
    assert {"/v1/suppliers", "/v1/purchase-orders", "/v1/factories/{factory_id}",
            "/v1/purchasing-summary", "/v1/dictionaries/{name}"} <= set(schema["paths"])
    row = schema["components"]["schemas"]["PurchaseOrdersRow"]["properties"]
    assert list(row) == [c.name for c in EXTRACTS["purchase-orders"].columns]
    assert "Free-on-board price per unit" in row["fob_price_usd"]["description"]
    assert "API token" in schema["components"]["securitySchemes"]
    assert api.client.get("/v1/health").json() == {"status": "ok"}


def test_the_rate_limit_per_token(api):
    small = make_api(api.engine, {"DASHBOARD_API_RATE_LIMIT_PER_MINUTE": "3"})
    answers = [small.get("/v1/token") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers.get("x-ratelimit-remaining") for a in answers[:3]] == ["2", "1", "0"]
    refused = answers[3]
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert small.get("/v1/token", token="maple").status_code == 200  # per token
    # a flood of bad tokens from one client is cut off too (before any database look-up)
    bad = [small.get("/v1/token", token="scd_bad").status_code for _ in range(21)]
    assert bad == [401] * 20 + [429]
