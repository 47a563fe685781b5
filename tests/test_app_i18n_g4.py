"""Sign-in, account, administration, import, audit and API access pages in Spanish and French
(issue 19, phase 2): titles, labels, messages and role names come from the catalogues, numbers
follow the language, data values (brand names, usernames) stay as they are."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.apphelpers import ADMIN_PAGE, APP, PAGES, TIMEOUT, seeded_sign_in

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
IMPORT = str(PAGES / "admin" / "import_data.py")
AUDIT = str(PAGES / "admin" / "audit_log.py")
API = str(PAGES / "brand" / "api_access.py")


def _open(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _signed_in(engine, username: str, locale: str) -> AppTest:
    at = seeded_sign_in(engine, username)
    at.session_state["_locale"] = locale
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_sign_in_page_speaks_spanish(app_env):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["_locale"] = "es"
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Panel de condiciones en la cadena de suministro"
    assert at.text_input(key="login_username").label == "Nombre de usuario"
    assert at.text_input(key="login_password").label == "Contraseña"
    assert any("Modo de demostración" in i.value for i in at.info)
    at.button[0].click().run()  # nothing typed
    assert [w.value for w in at.warning] == ["Introduzca su nombre de usuario y su contraseña."]


def test_the_administration_pages_speak_french(app_env):
    at = _signed_in(app_env, "admin", "fr")
    # the menu and the sidebar
    titles = {str(info.get("page_name", "")) for info in at._registered_pages.values()}
    assert {"Données et comptes", "Importer des données", "Journal d'audit"} <= titles
    assert "Administrateur du programme" in [c.value for c in at.sidebar.caption]
    assert any(b.label == "Se déconnecter" for b in at.sidebar.button)

    _open(at, ADMIN_PAGE)
    assert at.title[0].value == "Données et comptes"
    assert [t.label for t in at.tabs][:2] == ["Gérer un compte", "Créer un compte"]
    accounts = at.dataframe[0].value
    assert "Administrateur du programme" in set(accounts["role_label"])
    assert "admin" in set(accounts["username"])  # data values are not translated
    assert any(t.value.startswith("Version des données ") for t in at.text)

    _open(at, AUDIT)
    assert at.title[0].value == "Journal d'audit"
    assert [t.label for t in at.tabs] == ["Téléchargements", "Modifications de comptes"]
    changes = at.dataframe[-1].value
    assert "A créé le compte en tant que Gestionnaire de marque" in set(changes["change"])


def test_an_import_is_reported_in_spanish(app_env):
    at = _open(_signed_in(app_env, "admin", "es"), IMPORT)
    assert at.title[0].value == "Importar datos"
    kind = at.selectbox(key="import_kind")
    assert kind.label == "¿Qué va a importar?"
    assert "Lista de instalaciones (columnas de Open Supply Hub)" in kind.options
    at.selectbox(key="import_brand").set_value("maple-thread").run()
    at.file_uploader(key="import_file").set_value(
        ("facilities_bad.csv", (FIXTURES / "facilities_bad.csv").read_bytes(),
         "text/csv")).run()
    at.button[0].click().run()
    assert not at.exception, at.exception
    [error] = at.error
    assert "no se importó" in error.value and "No se escribió nada" in error.value
    problems = next(d.value for d in at.dataframe if "problem" in d.value.columns)
    # fixed messages are translated; those quoting the file's value stay English for now
    assert {"se requiere un valor", "lat y lng deben indicarse juntas"} <= set(
        problems["problem"])
    assert "Descargar la lista de problemas (CSV)" in [
        b.proto.label for b in at.get("download_button")]


def test_the_api_access_page_speaks_french_with_french_numbers(app_env):
    at = _open(_signed_in(app_env, "nordwind", "fr"), API)
    assert at.title[0].value == "Accès à l'API"
    assert any("Votre équipe data peut importer les chiffres de Nordwind" in c.value
               for c in at.caption)
    where = next(m.value for m in at.markdown if "**Où**" in m.value)
    assert "1\u202f000 lignes" in where  # French digit grouping
    assert any("Aucun jeton d'API pour l'instant." in i.value for i in at.info)
    scope = at.selectbox(key="api_scope_brand")
    assert scope.label == "Peut lire"
    assert "Toutes les extractions (comme gestionnaire de marque)" in scope.options


def test_each_refusal_says_the_action_in_the_users_words():
    """The refusals are whole sentences (translatable) that say what ``ACTIONS`` says."""
    from data_access.viewer import ACTIONS, PERMISSIONS, REFUSALS

    brand_actions = set(ACTIONS) - (PERMISSIONS["admin"] - PERMISSIONS["brand_manager"])
    assert set(REFUSALS) == brand_actions
    for action, sentence in REFUSALS.items():
        assert sentence == (f"Your account cannot {ACTIONS[action]}. Ask your brand's manager "
                            "or a programme administrator if you need to.")


def test_a_refusal_is_shown_in_spanish(app_env):
    from data_access.viewer import Viewer
    from tests.apphelpers import brand_id

    at = AppTest.from_file(API, default_timeout=TIMEOUT)
    at.session_state["viewer"] = Viewer("lena", "brand_viewer", brand_id(app_env, "nordwind"))
    at.session_state["_locale"] = "es"
    at.run()
    assert at.title[0].value == "Acceso a la API"
    assert [e.value for e in at.error] == [
        "Su cuenta no puede emitir ni revocar los tokens de API de la marca. Pida acceso al "
        "gestor de su marca o a un administrador del programa si lo necesita."]
