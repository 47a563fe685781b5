"""Issue 15 in AppTest: the overview leads with the suppliers needing attention, the directory
with risk, the risk ranking reads plainly, and no page shows a raw value."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from data_access.viewer import Viewer
from metrics.risk import LEVELS, LOW, ZERO_TOLERANCE
from services import analysis
from tests.apphelpers import PAGES, brand_id, reference_for, sign_in, texts_shown
from tests.pagespecs import admin_pages, brand_pages
from ui.components import RISK_ICONS, accounts_brand_column, risk_label
from ui.tables import ATTENTION_LEVELS, ATTENTION_MAX, DIRECTORY_COLUMNS

OVERVIEW = str(PAGES / "brand" / "overview.py")
SUPPLIERS = str(PAGES / "brand" / "suppliers.py")
RISK = str(PAGES / "brand" / "risk.py")
FACTORY = str(PAGES / "brand" / "factory.py")
#: what a raw value looks like when it reaches the page
#: ("None of these suppliers…" is English, "Brand: None" is not)
RAW = re.compile(r"\bNone\b(?! of)|\b(null|nan|NaN|NaT|True|False)\b|\{\"|\.py\b|\.yaml\b|<NA>")


def page_links(at) -> list[tuple[str, str, str]]:
    return [(link.proto.label, link.proto.page, link.proto.query_string)
            for link in at.get("page_link")]


def open_page(at, page, **params):
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def ranking_for(engine, code: str) -> pd.DataFrame:
    viewer = Viewer("x", "brand", brand_id(engine, code))
    return analysis.risk_table(engine, viewer, reference_for(engine, viewer).figures)


def test_overview_leads_with_the_suppliers_needing_attention(app_env):
    at = sign_in("nordwind", "nordwind-demo-2026")
    ranking = ranking_for(app_env, "nordwind")
    expected = ranking[ranking["risk_level"].isin(ATTENTION_LEVELS)].head(ATTENTION_MAX)
    assert len(expected) == ATTENTION_MAX
    assert "Suppliers needing attention" in [s.value for s in at.subheader]
    factory_links = [link for link in page_links(at) if link[1] == "factory"]
    # in ranking order, each to its profile (same tab: a page link, not an external URL)
    assert factory_links == [(name, "factory", f"id={fid}") for name, fid in
                             zip(expected["name"], expected["factory_id"], strict=True)]
    shown = " ".join(m.value for m in at.markdown)
    for sentences, level in zip(expected["reason_list"], expected["risk_level"], strict=True):
        assert sentences[0] in shown  # the main reason, in full
        assert risk_label(level) in shown  # the level with its symbol
    assert ("See the whole risk ranking", "risk", "") in page_links(at)


def test_directory_leads_with_risk_and_sorts_by_it(app_env):
    at = open_page(sign_in("nordwind", "nordwind-demo-2026"), SUPPLIERS)
    table = at.dataframe[0]
    order = list(table.proto.column_order)
    assert order[:3] == ["risk", "risk_score", "name"] == DIRECTORY_COLUMNS[:3]
    assert "city" not in order and "os_id" not in order  # behind "More columns"
    shown = table.value
    ranks = shown["risk_level"].map({level: i for i, level in enumerate(LEVELS)})
    assert ranks.is_monotonic_increasing
    assert shown["risk"].iloc[0] == f"{RISK_ICONS[ZERO_TOLERANCE]} {ZERO_TOLERANCE}"
    at.toggle(key="directory_more_columns").set_value(True).run()
    assert {"city", "os_id", "tier"} <= set(at.dataframe[0].proto.column_order)
    # one row opens the profile; several rows only once "Compare several" is on
    assert not any(b.label.startswith("Compare (") for b in at.button)
    at.toggle(key="directory_compare_mode").set_value(True).run()
    assert any(b.label.startswith("Compare (") for b in at.button)


def test_risk_ranking_reads_plainly_and_says_when_a_level_is_empty(app_env, empty_brands):
    at = open_page(sign_in("nordwind", "nordwind-demo-2026"), RISK)
    table = at.dataframe[0]
    text = str(table.proto)
    for label in ("Assessment age (points)", "Open core-labour issues (points)"):
        assert label in text, label
    assert "assessment age 15.0" not in text.lower()
    assert set(table.value["level"]) <= {risk_label(level) for level in LEVELS}
    assert not any("Σ" in t or "min(" in t for t in texts_shown(at))

    admin = sign_in("admin", "admin-demo-2026")
    admin.sidebar.selectbox(key="admin_brand_id").set_value(empty_brands["quiet"]).run()
    open_page(admin, RISK)
    admin.pills(key="filter_level").set_value([LOW]).run()
    assert not admin.exception
    assert any("No factory at this level" in i.value for i in admin.info)
    assert not admin.dataframe and not admin.get("download_button")  # no grid, no button


@pytest.fixture
def empty_brands(app_env):
    from sqlalchemy import text

    with app_env.begin() as conn:
        conn.execute(text("INSERT INTO brand (id, code, name) VALUES (901, 'quiet', "
                          "'Quiet Brand')"))
        never = conn.execute(text(
            "SELECT id FROM factory WHERE id NOT IN (SELECT factory_id FROM assessment) "
            "ORDER BY id LIMIT 2")).scalars().all()
        for i, factory in enumerate(never):
            conn.execute(text(
                "INSERT INTO sourcing_relationship (id, brand_id, factory_id, tier, active, "
                "publicly_disclosed) VALUES (:i, 901, :f, 2, :t, :fa)"),
                {"i": 90_000 + i, "f": factory, "t": True, "fa": False})
    return {"quiet": 901}


def test_factory_profile_has_one_title_and_one_picker(app_env):
    at = sign_in("nordwind", "nordwind-demo-2026")
    at.switch_page(FACTORY)
    at.session_state["profile_factory_id"] = None
    at.run()
    # no factory chosen yet: one title, one picker; choosing one shows the profile
    # (the sidebar's language picker is the other selectbox on every page)
    main_pickers = [s.label for s in at.main.selectbox]
    assert len(at.title) == 1 and main_pickers == ["Factory"], main_pickers
    factory_id = int(ranking_for(app_env, "nordwind")["factory_id"].iloc[0])
    at.selectbox(key="profile_pick").set_value(factory_id).run()
    assert at.query_params.get("id") in (str(factory_id), [str(factory_id)])
    assert not at.exception
    titles = [t.value for t in at.title]
    pickers = [s for s in at.selectbox if s.label in ("Factory", "Switch factory")]
    assert len(titles) == 1 and len(pickers) == 1, (titles, [p.label for p in pickers])


def test_no_page_shows_a_raw_value(app_env, empty_brands):
    """Every page of a brand manager and of an administrator (on a brand whose factories have
    no assessment): no None, nan, True/False, JSON or file names in any text."""
    at = sign_in("nordwind", "nordwind-demo-2026")
    for spec in brand_pages():
        open_page(at, str(PAGES.parent / spec.script))
        bad = [t for t in texts_shown(at) if RAW.search(t)]
        assert not bad, (spec.title, bad[:3])
    admin = sign_in("admin", "admin-demo-2026")
    admin.sidebar.selectbox(key="admin_brand_id").set_value(empty_brands["quiet"]).run()
    for spec in [*brand_pages(), *admin_pages()]:
        open_page(admin, str(PAGES.parent / spec.script))
        bad = [t for t in texts_shown(admin) if RAW.search(t)]
        assert not bad, (spec.title, bad[:3])
        for frame in admin.dataframe:
            value = frame.value
            if isinstance(value, pd.DataFrame):
                cells = value.select_dtypes(include="object").astype(str)
                assert not cells.isin(["None", "nan", "null"]).any().any(), spec.title


def test_accounts_table_names_an_administrators_brand():
    users = pd.DataFrame({"role": ["admin", "brand_viewer", "brand_manager"],
                          "brand": [None, "Nordwind Apparel", None]})
    assert list(accounts_brand_column(users)) == ["All brands (administrator)",
                                                  "Nordwind Apparel", "No brand"]
