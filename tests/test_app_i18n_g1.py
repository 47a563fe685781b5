"""The factory profile, Compare, Follow-up and What's new in Spanish and French (issue 19,
phase 2, group g1): titles, labels, messages of the data layer and numbers in the language."""

from __future__ import annotations

from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from tests.apphelpers import ROOT, active_supplier_ids, seeded_sign_in, texts_shown
from ui.components import plain
from ui.formatting import fmt_int
from ui.state import filter_key

FACTORY_PAGE = str(ROOT / "pages" / "brand" / "factory.py")
COMPARE_PAGE = str(ROOT / "pages" / "brand" / "compare.py")
FOLLOW_UP_PAGE = str(ROOT / "pages" / "brand" / "follow_up.py")
WHATS_NEW_PAGE = str(ROOT / "pages" / "brand" / "whats_new.py")




def _in(engine, locale: str, page: str, **params: str) -> AppTest:
    at = seeded_sign_in(engine, "nordwind")
    at.session_state["_locale"] = locale
    at.run()
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_the_factory_profile_speaks_spanish_with_spanish_figures(app_env):
    factory = active_supplier_ids(app_env, "nordwind")[0]
    at = _in(app_env, "es", FACTORY_PAGE, id=str(factory))
    assert [t.label for t in at.tabs][:4] == ["Última evaluación", "Tendencia y cambios",
                                              "Plan de mejora", "Sus pedidos"]
    assert any(e.label == "Datos de la fábrica" for e in at.expander)
    assert any(e.label == "De dónde procede esta información" for e in at.expander)
    assert {"Última evaluación", "Cumplimiento", "Otros compradores"} <= {
        m.label for m in at.metric}
    assert any(s.value == "Seguimiento" for s in at.subheader)  # the engagement section
    assert at.selectbox(key="profile_switch").label == "Cambiar de fábrica"
    with app_env.connect() as conn:
        workers = conn.execute(text("SELECT workers FROM factory WHERE id = :i"),
                               {"i": factory}).scalar_one()
    facts = " ".join(m.value for m in at.markdown)
    assert "**Trabajadores**" in facts
    if workers is not None:
        assert plain(fmt_int(workers, locale="es")) in facts  # "1.980": Spanish grouping


def test_an_engagement_error_of_the_data_layer_is_shown_in_french(app_env):
    factory = active_supplier_ids(app_env, "nordwind")[0]
    at = _in(app_env, "fr", FACTORY_PAGE, id=str(factory))
    assert any(e.label == "Ajouter une entrée" for e in at.expander)
    at.selectbox(key="engagement_kind").set_value("commitment")
    at.text_input(key="engagement_title").input("Audit")
    at.button(key="engagement_save").click().run()  # no due date, no owner
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == ["Un engagement ou un suivi doit avoir une échéance."]


def test_compare_speaks_french(app_env):
    ids = active_supplier_ids(app_env, "nordwind", 2)
    at = _in(app_env, "fr", COMPARE_PAGE, ids=",".join(map(str, ids)))
    assert at.title[0].value == "Comparer des usines"
    assert at.multiselect(key="compare_ids").label == "Usines"
    assert any(s.value == "Domaines de la dernière évaluation" for s in at.subheader)


def test_follow_up_and_whats_new_speak_spanish(app_env):
    at = _in(app_env, "es", FOLLOW_UP_PAGE)
    assert at.title[0].value == "Seguimiento"
    assert at.toggle[0].label == "Solo vencidos"
    due = at.selectbox(key=filter_key("fu_due"))
    assert due.label == "Vence"
    assert due.options[0] == "Cualquier fecha límite"  # labels translated, values unchanged
    assert due.value == ""
    at.switch_page(WHATS_NEW_PAGE).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Novedades"
    shown = " ".join(texts_shown(at))
    assert "primera visita" in shown or "última visita" in shown


def test_the_profiles_risk_reasons_are_written_in_the_chosen_language(app_env):
    """The "why" of the profile's risk level: the ranking's reasons written again in Spanish
    (metrics.risk.reason_sentences), not the English sentences the ranking stores."""
    from data_access.viewer import Viewer
    from services import analysis
    from tests.apphelpers import brand_id, reference_for

    factory = active_supplier_ids(app_env, "nordwind")[0]
    at = _in(app_env, "es", FACTORY_PAGE, id=str(factory))
    why = [e for e in at.expander if e.label.startswith("Nivel de riesgo: ")]
    assert len(why) == 1
    shown = " ".join(m.value for m in why[0].markdown)
    viewer = Viewer("x", "brand", brand_id(app_env, "nordwind"))
    ranking = analysis.risk_table(app_env, viewer, reference_for(app_env, viewer).figures)
    mine = ranking[ranking["factory_id"] == factory]
    english = list(mine.iloc[0]["reason_list"])
    assert english and all(sentence not in shown for sentence in english)
    assert shown.count("- ") >= len(english)  # as many sentences, in Spanish


def test_benchmark_cells_and_their_notes_follow_the_language():
    """A country benchmark cell on the profile and Compare: the disclosure note in the
    session's language with the country's name in it, numbers in the locale's format."""
    from metrics.disclosure import BANDED, SHOWN, SUPPRESSED
    from ui.i18n import use_locale
    from ui.insights import published_rate

    nan = float("nan")
    assert published_rate(41.6, 41.6, SHOWN, "KH") == "42 %"
    assert published_rate(41.6, 43.4, BANDED, "KH") == "42–43 %"
    assert published_rate(nan, nan, SUPPRESSED, "KH").startswith("not shown: fewer than")
    assert published_rate(nan, nan, SHOWN, "KH", missing="none") == "none"
    with use_locale("fr"):
        note = published_rate(nan, nan, SUPPRESSED, "KH")
        assert "Cambodge" in note and "not shown" not in note
        assert published_rate(nan, nan, SHOWN, "KH") != "not shown"
