"""Supplier review pages through AppTest: directory filters, profile, comparison, not found."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from data_access import factories
from data_access.factories import DirectoryFilters
from data_access.viewer import Viewer
from tests.apphelpers import PAGES, ROOT, reference_for, sign_in
from tests.pagespecs import brand_pages
from ui.formatting import fmt_date

SUPPLIERS = str(PAGES / "brand" / "suppliers.py")
FACTORY = str(PAGES / "brand" / "factory.py")
COMPARE = str(PAGES / "brand" / "compare.py")


def brand_viewer(engine, code: str) -> Viewer:
    with engine.connect() as conn:
        bid = conn.execute(text("SELECT id FROM brand WHERE code = :c"), {"c": code}).scalar_one()
    return Viewer(code, "brand", bid)


def own_directory(engine, code: str):
    viewer = brand_viewer(engine, code)
    return factories.supplier_directory(engine, viewer, DirectoryFilters(),
                                        reference_for(engine, viewer).figures)


def open_page(at: AppTest, page: str, **params: str) -> AppTest:
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_map_shows_every_located_supplier_of_the_filtered_directory(app_env):
    """The map is built once per choice and version (ui.insights.supplier_map): what the
    page sends is the deck ui.charts.supplier_map makes of the directory — one point per
    supplier with coordinates, its tooltip — and it follows the filters."""
    import json

    at = open_page(sign_in("nordwind", "nordwind-demo-2026"), SUPPLIERS)
    expected = own_directory(app_env, "nordwind")
    located = expected.dropna(subset=["lat", "lng"])
    assert len(located) > 10  # positive control

    def shown_points(at: AppTest) -> list[dict]:
        maps = at.get("deck_gl_json_chart")
        assert len(maps) == 1
        spec = json.loads(maps[0].proto.json)
        assert "Compliance:" in json.loads(maps[0].proto.tooltip)["html"]
        return spec["layers"][0]["data"]

    points = shown_points(at)
    assert len(points) == len(located)
    assert {p["name"] for p in points} == set(located["name"])
    at.multiselect(key="filter_assessment").set_value(["never"]).run()
    never = located[located["latest_assessment_id"].isna()]
    assert 0 < len(shown_points(at)) == len(never)
    assert {p["assessed_label"] for p in shown_points(at)} == {"never"}


def test_directory_lists_own_suppliers_and_filters_change_the_table(app_env):
    at = open_page(sign_in("nordwind", "nordwind-demo-2026"), SUPPLIERS)
    expected = own_directory(app_env, "nordwind")
    table = at.dataframe[0].value
    assert set(table["factory_id"]) == set(expected["factory_id"])

    at.multiselect(key="filter_assessment").set_value(["never"]).run()
    never = at.dataframe[0].value
    assert set(never["factory_id"]) == set(
        expected[expected["latest_assessment_id"].isna()]["factory_id"])
    assert at.query_params["assessment"] == "never"

    at.multiselect(key="filter_assessment").set_value([]).run()
    at.text_input(key="filter_q").input(expected.iloc[0]["name"][:10]).run()
    searched = at.dataframe[0].value
    assert expected.iloc[0]["factory_id"] in set(searched["factory_id"])
    assert len(searched) < len(expected)


def test_filters_persist_across_pages(app_env):
    at = open_page(sign_in("nordwind", "nordwind-demo-2026"), SUPPLIERS)
    at.multiselect(key="filter_countries").set_value(["VN"]).run()
    vn = at.dataframe[0].value
    assert set(vn["country_code"]) == {"VN"}
    open_page(at, str(PAGES / "brand" / "overview.py"))
    assert at.multiselect(key="filter_countries").value == ["VN"]
    open_page(at, SUPPLIERS)
    assert set(at.dataframe[0].value["country_code"]) == {"VN"}


def test_filters_come_from_a_shared_link(app_env):
    at = AppTest.from_file(str(PAGES.parent / "app.py"), default_timeout=60)
    at = sign_in("nordwind", "nordwind-demo-2026")
    open_page(at, SUPPLIERS, plan="overdue", gaps="no_os_id,bogus")
    table = at.dataframe[0].value
    assert (table["overdue_plan_items"] > 0).all()
    assert table["os_id"].isna().all()
    assert at.session_state["filter_gaps"] == ["no_os_id"]  # unknown value dropped


def test_profile_shows_the_latest_assessment(app_env):
    directory = own_directory(app_env, "nordwind")
    row = directory.dropna(subset=["latest_assessment_id"]).iloc[0]
    at = open_page(sign_in("nordwind", "nordwind-demo-2026"), FACTORY, id=str(row["factory_id"]))
    assert at.title[0].value == row["name"]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Last assessed"] == fmt_date(row["latest_assessed_on"])  # "1 Jun 2026"
    assert shown["Compliance"] == f"{row['compliance_pct']:.0f} %"
    assert shown["Open plan items"] == f"{row['open_plan_items']:,}"
    cluster_table = next(d.value for d in at.dataframe if "country_value" in d.value.columns)
    assert len(cluster_table) == 8
    # a rate ("42 %"), a range ("41–43 %") or why it is not shown — never a bare number
    assert cluster_table["country_value"].str.fullmatch(
        r"\d+ %|\d+–\d+ %|not shown: .+").all()


def test_foreign_or_malformed_factory_id_is_not_found(app_env):
    maple = brand_viewer(app_env, "maple-thread")
    with app_env.connect() as conn:
        foreign = conn.execute(text(
            "SELECT id FROM factory WHERE id NOT IN (SELECT factory_id FROM "
            "sourcing_relationship WHERE brand_id = :b) LIMIT 1"), {"b": maple.brand_id}
        ).scalar_one()
        foreign_name = conn.execute(text("SELECT name FROM factory WHERE id = :f"),
                                    {"f": foreign}).scalar_one()
    at = sign_in("maple", "maple-demo-2026")
    for bad in [str(foreign), "999999999", "1 OR 1=1", "'; DROP TABLE factory; --", "x" * 3000]:
        open_page(at, FACTORY, id=bad)
        assert any("Factory not found" in e.value for e in at.error), bad
        assert not at.metric
        assert all(foreign_name not in (t.value or "") for t in at.title)


def test_compare_two_and_six_factories_and_the_link(app_env):
    directory = own_directory(app_env, "nordwind")
    ids = [int(i) for i in directory.dropna(subset=["latest_assessment_id"])["factory_id"][:6]]
    at = sign_in("nordwind", "nordwind-demo-2026")
    open_page(at, COMPARE, ids=",".join(map(str, ids[:2])))
    summary = at.dataframe[0].value
    assert list(summary["factory_id"]) == sorted(ids[:2], key=lambda i: directory.set_index(
        "factory_id").loc[i, "name"])
    at.multiselect(key="compare_ids").set_value(ids).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 6
    assert at.query_params["ids"] == ",".join(map(str, ids))


def test_compare_drops_foreign_ids_from_a_link(app_env):
    maple = own_directory(app_env, "maple-thread")
    nordwind_only = set(own_directory(app_env, "nordwind")["factory_id"]) - set(
        maple["factory_id"])
    foreign = sorted(nordwind_only)[0]
    own = [int(i) for i in maple["factory_id"][:2]]
    at = sign_in("maple", "maple-demo-2026")
    open_page(at, COMPARE, ids=f"{own[0]},{foreign},{own[1]}")
    assert any("not found" in e.value for e in at.error)
    assert set(at.dataframe[0].value["factory_id"]) == set(own)


@pytest.mark.parametrize("page", [str(ROOT / spec.script) for spec in brand_pages()])
def test_pages_ask_an_admin_to_choose_a_brand(app_env, page):
    """Every brand page, before an administrator has chosen a brand: the empty state, no
    figures, no error."""
    at = open_page(sign_in("admin", "admin-demo-2026"), page)
    assert not at.exception
    assert any("Choose a brand" in i.value for i in at.info)
    assert any("No brand chosen." in i.value for i in at.info)
    assert not at.dataframe and not at.metric
