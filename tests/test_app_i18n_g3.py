"""Issue 19, phase 2 (group g3): the Overview, Suppliers, Risk ranking and Downloads pages in
Spanish and French — translated titles, labels and reasons, figures and dates in the
language's formats — while extracts and their column names stay machine-readable English."""

from __future__ import annotations

import json
import re

import pandas as pd

from data_access.viewer import Viewer
from metrics.risk import LEVELS, reason_sentences
from services import analysis
from tests.apphelpers import PAGES, brand_id, reference_for, seeded_sign_in, texts_shown
from ui.i18n import _, ngettext, use_locale

OVERVIEW = str(PAGES / "brand" / "overview.py")
SUPPLIERS = str(PAGES / "brand" / "suppliers.py")
RISK = str(PAGES / "brand" / "risk.py")
DOWNLOADS = str(PAGES / "brand" / "downloads.py")


def in_language(engine, locale: str, page: str | None = None):
    """nordwind signed in, the session in ``locale``, on ``page`` (default: the overview)."""
    at = seeded_sign_in(engine, "nordwind")
    at.session_state["_locale"] = locale
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def test_overview_in_spanish(app_env):
    at = in_language(app_env, "es")
    assert "Proveedores que requieren atención" in [s.value for s in at.subheader]
    labels = [m.label for m in at.metric]
    assert {"Proveedores activos", "Países", "Trabajadores", "Nunca evaluadas"} <= set(labels)
    shown = " ".join(texts_shown(at))
    assert "Cifras a " in shown  # the as-of line
    assert "Suppliers needing attention" not in shown and "Figures as of" not in shown
    # the workers' figure in the help text: Spanish digit grouping (a dot), never a comma
    workers = next(m for m in at.metric if m.label == "Trabajadores")
    assert re.match(r"^\d{1,3}(\.\d{3})+ trabajadores declarados", workers.proto.help)


def test_attention_reasons_follow_the_language(app_env):
    viewer = Viewer("x", "brand", brand_id(app_env, "nordwind"))
    ranking = analysis.risk_table(app_env, viewer, reference_for(app_env, viewer).figures)
    top = ranking[ranking["risk_level"].isin(LEVELS[:3])].head(5)
    with use_locale("fr"):
        expected = reason_sentences(top, translate=_, ngettext=ngettext)
    assert all(first[0] != english[0] for first, english in
               zip(expected, top["reason_list"], strict=True))
    at = in_language(app_env, "fr")
    shown = " ".join(m.value for m in at.markdown)
    for sentences in expected:
        # the date inside a sentence is the page's (French month), the words the catalogue's
        assert sentences[0].split(" du ")[0] in shown


def test_suppliers_page_in_french(app_env):
    at = in_language(app_env, "fr", SUPPLIERS)
    assert at.title[0].value == "Fournisseurs"
    assert at.text_input(key="filter_q").label == "Rechercher"
    assert at.toggle(key="directory_more_columns").label == "Plus de colonnes"
    plan = at.selectbox(key="filter_plan")
    assert plan.label == "Plan d'amélioration" and plan.options[0] == "Tous"
    assert plan.value == ""  # the option values stay the codes
    table = at.dataframe[0]
    assert "Score de risque" in str(table.proto) and "Risk score" not in str(table.proto)
    # the risk column: symbol + French level; the sort still follows the levels' codes
    levels = table.value["risk_level"].dropna()
    assert levels.map({lvl: i for i, lvl in enumerate(LEVELS)}).is_monotonic_increasing
    assert not table.value["risk"].str.contains("Zero tolerance|Unknown —", regex=True).any()


def test_risk_ranking_in_spanish(app_env):
    at = in_language(app_env, "es", RISK)
    assert at.title[0].value == "Clasificación de riesgos"
    assert {"Tolerancia cero", "Alto", "Desconocido", "Medio", "Bajo"} <= {
        m.label for m in at.metric}
    columns = at.dataframe[0].proto.columns  # the column configuration, as JSON
    assert "Antigüedad de la evaluación (puntos)" in json.loads(columns)["assessment_age_points"][
        "label"]
    table = at.dataframe[0].value
    assert not table["main_reason"].str.contains(r"\bopen\b|Never assessed", regex=True).any()
    assert at.pills(key="filter_level").label == "Mostrar"


def test_downloads_page_in_french_keeps_machine_column_names(app_env):
    at = in_language(app_env, "fr", DOWNLOADS)
    assert at.title[0].value == "Téléchargements"
    buttons = [b.label for b in at.get("download_button")]
    assert "Télécharger le CSV" in buttons and "Dictionnaire des données" in buttons
    assert any(re.fullmatch(r"Signification des \d+ colonnes", e.label) for e in at.expander)
    dictionary = at.dataframe[0].value
    assert isinstance(dictionary, pd.DataFrame)
    # column names stay the extract's machine-readable names; meanings are French
    assert "factory_id" in set(dictionary["column"])
    assert "Nom de l'usine." in set(dictionary["meaning"])
    assert "Nombre entier" in set(dictionary["type"])
