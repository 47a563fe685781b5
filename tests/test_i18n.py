"""Issue 19: the translation layer, the catalogues, the pseudo-locale, the check for unmarked
texts, locale-aware formats, the framework's names in other languages, and the language each
user chose (stored, used again at the next sign-in)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.numbers import format_decimal, format_percent
from sqlalchemy import insert, select

import reference
from data_access import preferences
from data_access.extracts import ExtractColumn, data_dictionary
from data_access.schema import AppUser
from data_access.viewer import Viewer
from scripts.i18n_tools import (
    PSEUDO_GROWTH,
    TEMPLATE_FILE,
    extract_template,
    find_unmarked,
    find_unmarked_in_files,
    pseudo_catalogue,
    pseudo_translate,
    read_catalogue,
    write_catalogue,
)
from ui import i18n
from ui.i18n import (
    PSEUDO_ENV,
    PSEUDO_LOCALE,
    SUPPORTED_LOCALES,
    _,
    catalogue_path,
    current_language,
    current_locale,
    negotiate,
    ngettext,
    normalise_locale,
    parse_accept_language,
    pgettext,
    use_locale,
)

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [locale for locale in SUPPORTED_LOCALES if locale != "en"]

#: Every file of the interface (pages/, ui/ and app.py) marks all its user-facing texts:
#: test_every_interface_file_marks_every_user_facing_text fails on a plain literal in a
#: Streamlit call (``python -m scripts.i18n_tools unmarked FILE…`` lists them).
INTERFACE_FILES = sorted(ROOT.glob("pages/**/*.py")) + sorted(ROOT.glob("ui/*.py")) + \
    [ROOT / "app.py"]


# ---- the translation layer -------------------------------------------------------------------


def test_outside_a_streamlit_run_texts_are_english():
    assert current_language() == "en" and current_locale() == "en"
    assert _("Language") == "Language"
    assert ngettext("{n} factory", "{n} factories", 1) == "{n} factory"
    assert ngettext("{n} factory", "{n} factories", 0) == "{n} factories"


@pytest.mark.parametrize(("locale", "expected"), [("es", "Idioma"), ("fr", "Langue")])
def test_a_chosen_language_translates_from_its_catalogue(locale, expected):
    with use_locale(locale):
        assert current_language() == locale and current_locale() == locale
        assert _("Language") == expected
        assert _("A text no catalogue has") == "A text no catalogue has"
    assert _("Language") == "Language"  # the block's language does not outlive it


def test_tags_are_normalised_and_unknown_languages_refused(monkeypatch):
    monkeypatch.delenv(PSEUDO_ENV, raising=False)
    assert [normalise_locale(t) for t in ("es-AR", "fr_CA", "EN", " fr ", "de", "", None,
                                          "es;drop", 42, PSEUDO_LOCALE)] == \
        ["es", "fr", "en", "fr", None, None, None, None, None, None]
    with pytest.raises(ValueError, match="not an available language"), use_locale("de"):
        pass
    with pytest.raises(ValueError):
        i18n.set_locale("qps")  # hidden unless enabled


def test_the_pseudo_locale_is_offered_only_when_enabled(monkeypatch):
    monkeypatch.delenv(PSEUDO_ENV, raising=False)
    assert i18n.available_locales() == ("en", "es", "fr")
    monkeypatch.setenv(PSEUDO_ENV, "1")
    assert i18n.available_locales() == ("en", "es", "fr", "qps")
    with use_locale("qps"):
        assert _("Language") == pseudo_translate("Language")
        assert current_locale() == i18n.PSEUDO_FORMAT_LOCALE  # figures format as French


def test_the_browser_language_is_negotiated_from_accept_language():
    header = "de-CH, de;q=0.9, fr;q=0.8, es-MX;q=0.85, en;q=0.1, *;q=0.5, it;q=0"
    assert parse_accept_language(header) == ["de-CH", "de", "es-MX", "fr", "en"]
    assert negotiate(parse_accept_language(header)) == "es"
    assert negotiate(parse_accept_language("pt-BR,pt;q=0.9")) is None
    assert parse_accept_language(None) == [] and parse_accept_language("fr;q=x") == []


# ---- plural forms and contexts from the catalogues -------------------------------------------


@pytest.fixture
def test_catalogues(tmp_path, monkeypatch):
    """Copies of the real Spanish and French catalogues (their own plural rules) with a
    plural, a context and a fuzzy entry added; the layer reads them instead of the real ones."""
    for locale in TRANSLATED:
        catalog = read_catalogue(catalogue_path(locale), locale)
        forms = {"es": ("{n} fábrica", "{n} fábricas"), "fr": ("{n} usine", "{n} usines")}
        catalog.add(("{n} factory", "{n} factories"), forms[locale])
        catalog.add("Rate", {"es": "Tasa", "fr": "Taux"}[locale], context="chart axis")
        catalog.add("Rate", {"es": "Valorar", "fr": "Noter"}[locale], context="verb")
        catalog.add("Half done", "A medias", flags=["fuzzy"])
        write_catalogue(catalog, tmp_path / locale / "LC_MESSAGES" / "messages.po")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.reload_catalogues()
    yield
    i18n.reload_catalogues()


@pytest.mark.parametrize(("locale", "counts"), [
    # French: 0 and 1 are singular; Spanish: only 1
    ("fr", {0: "0 usine", 1: "1 usine", 2: "2 usines", 1000: "1000 usines"}),
    ("es", {0: "0 fábricas", 1: "1 fábrica", 2: "2 fábricas", 1000: "1000 fábricas"}),
    ("en", {0: "0 factories", 1: "1 factory", 2: "2 factories"}),
])
def test_plural_forms_follow_each_languages_rule(test_catalogues, locale, counts):
    with use_locale(locale):
        shown = {n: ngettext("{n} factory", "{n} factories", n).format(n=n) for n in counts}
    assert shown == counts


def test_contexts_keep_two_translations_apart_and_fuzzy_entries_are_never_used(
        test_catalogues):
    with use_locale("fr"):
        assert (pgettext("chart axis", "Rate"), pgettext("verb", "Rate")) == ("Taux", "Noter")
        assert _("Half done") == "Half done"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_each_catalogue_declares_its_languages_plural_rule(locale):
    catalog = read_catalogue(catalogue_path(locale), locale)
    assert catalog.plural_forms == Catalog(locale=locale).plural_forms


# ---- the catalogues are complete -------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%(?:\([^)]*\))?[sdif%]")


def _key(message) -> tuple:
    return (message.id, message.context)


@pytest.fixture(scope="module")
def template() -> Catalog:
    """The texts marked in the code now (Babel's extractor, in-process)."""
    return extract_template()


def test_the_extraction_finds_marked_texts_and_only_those(template):
    ids = {m.id for m in template if m.id}
    assert "Language" in ids
    # only marked texts: a literal that is not inside _(), N_() … never reaches the catalogue
    assert not any(isinstance(i, str) and ("ruff" in i or i.startswith("SELECT")) for i in ids)
    assert all(isinstance(i, str) or len(i) == 2 for i in ids)  # plurals: singular and plural


def test_the_committed_template_is_up_to_date(template):
    committed = read_catalogue(TEMPLATE_FILE)
    assert {_key(m) for m in committed if m.id} == {_key(m) for m in template if m.id}, \
        "run: bash scripts/i18n.sh update"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_catalogue_is_complete_and_nothing_is_fuzzy(template, locale):
    catalog = read_catalogue(catalogue_path(locale), locale)
    entries = {_key(m): m for m in catalog if m.id}
    missing = sorted(str(k) for k in {_key(m) for m in template if m.id} - set(entries))
    stale = sorted(str(k) for k in set(entries) - {_key(m) for m in template if m.id})
    assert missing == [], f"not in the {locale} catalogue (bash scripts/i18n.sh update)"
    assert stale == [], f"no longer in the code (bash scripts/i18n.sh update): {locale}"
    fuzzy = [str(k) for k, m in entries.items() if m.fuzzy]
    untranslated = [str(k) for k, m in entries.items()
                    if not all(m.string if isinstance(m.string, tuple) else (m.string,))]
    assert fuzzy == [] and untranslated == [], (locale, fuzzy, untranslated)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_every_placeholder(locale):
    """``.format(name=…)`` on a translation needs exactly the English placeholders."""
    catalog = read_catalogue(catalogue_path(locale), locale)
    broken = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = sorted(set(_PLACEHOLDER.findall(ids[-1])))
        broken += [(ids[0], s) for s in strings if sorted(set(_PLACEHOLDER.findall(s))) != wanted]
    assert broken == []


def test_the_pseudo_catalogue_is_generated_from_the_current_template(template):
    committed = read_catalogue(catalogue_path(PSEUDO_LOCALE))
    fresh = pseudo_catalogue(template)
    assert {(_key(m), m.string) for m in committed if m.id} == \
        {(_key(m), m.string) for m in fresh if m.id}, "run: bash scripts/i18n.sh pseudo"


# ---- the pseudo-locale -----------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Suppliers",
    "Non-compliance by cluster: your suppliers vs. their countries",
    "Share of factories non-compliant on at least one question of the cluster in their "
    "latest assessment, counting only assessments from the last 24 months.",
])
def test_pseudo_texts_are_accented_and_30_to_40_percent_longer(text):
    pseudo = pseudo_translate(text)
    assert not re.search(r"[A-Za-z]", pseudo)  # every letter accented: an English one stands out
    assert 1.30 <= len(pseudo) / len(text) <= 1.40
    assert abs(len(pseudo) / len(text) - 1 - PSEUDO_GROWTH) < 0.05


def test_pseudo_texts_keep_placeholders_icons_links_and_markup():
    text = ("**{name}** has %(n)s factories :material/factory: in {count:,} places — see "
            "[the guide](https://example.org/guide) or `code`, <b>bold</b> &amp; :red[alert]\n")
    pseudo = pseudo_translate(text)
    for kept in ("{name}", "%(n)s", ":material/factory:", "{count:,}",
                 "](https://example.org/guide)", "`code`", "<b>", "</b>", "&amp;", ":red[",
                 "**"):
        assert kept in pseudo, kept
    assert pseudo.endswith("\n")
    assert pseudo_translate("{name}: {n}").format(name="X", n=3).startswith("X: 3")
    assert pseudo_translate("") == "" and pseudo_translate("  ") == "  "


# ---- the check for unmarked texts ------------------------------------------------------------


def _unmarked(source: str) -> list[str]:
    return [item.text for item in find_unmarked(source)]


def test_the_check_finds_plain_literals_in_streamlit_calls():
    source = '''
st.title("Suppliers")
st.sidebar.button("Log out", help="Ends your session.")
left.metric("Workers", value)
st.download_button(label="Download", data=b"")
st.selectbox("Brand", options, placeholder="Choose a brand…")
st.tabs(["Orders", _("Plans")])
st.column_config.NumberColumn("Share (%)", help=_("Of all orders."))
alt.X("rate:Q", title="Non-compliant (%)")
alt.Chart(frame).mark_bar().properties(title="By cluster")
chart.properties(title="By country", width=300)
empty_state("No data yet.", _("Import some."))
Kpi("Suppliers", fmt(n), "Active relationships.")
bar_column("Compliance", higher_is="better")
'''
    assert _unmarked(source) == [
        "Suppliers", "Log out", "Ends your session.", "Workers", "Download", "Brand",
        "Choose a brand…", "Orders", "Share (%)", "Non-compliant (%)", "By cluster",
        "By country",
        "No data yet.", "Suppliers", "Active relationships.", "Compliance"]


def test_f_strings_and_concatenations_count_as_unmarked():
    source = '''
st.caption(f"{n} factories in {country}")
st.caption(_(f"{n} factories"))
st.caption(_("Updated") + " yesterday")
st.info("Saved." if ok else _("Not saved."))
'''
    found = find_unmarked(source)
    assert [item.text for item in found] == [" factories in ", "f'{n} factories'",
                                             " yesterday", "Saved."]
    assert "f-string inside the translation call" in found[1].reason


def test_marked_texts_data_values_and_non_text_pass():
    source = '''
st.title(_("Suppliers"))
st.caption(_("{n} factories in {country}").format(n=n, country=plain(c)))
st.write(ngettext("{n} factory", "{n} factories", n).format(n=n))
st.button(pgettext("verb", "Rate"))
st.markdown(f"**{plain(name)}**")
st.markdown("<style>.x {color: red}</style>", unsafe_allow_html=True)
st.button(":material/refresh:", key="again")
st.metric(label, value, help=HELP[key])
alt.X("rate:Q")
st.dataframe(frame, column_order=["name", "country"])
st.text("ABC-123")  # i18n: ignore
log.warning("Account not provisioned: %s", problem)
handle.write("raw bytes")
'''
    assert _unmarked(source) == []


def test_every_interface_file_marks_every_user_facing_text():
    assert len(INTERFACE_FILES) > 30 and all(path.is_file() for path in INTERFACE_FILES)
    assert [str(item) for item in find_unmarked_in_files(INTERFACE_FILES)] == []


# ---- numbers and dates follow the chosen language --------------------------------------------


@pytest.mark.parametrize(("locale", "number", "percent", "long_date", "short_date"), [
    ("en", "1,234.5", "26%", "March 5, 2026", "3/5/26"),
    ("es", "1.234,5", "26\xa0%", "5 de marzo de 2026", "5/3/26"),
    ("fr", "1\u202f234,5", "26\xa0%", "5 mars 2026", "05/03/2026"),
])
def test_numbers_and_dates_follow_the_current_locale(locale, number, percent, long_date,
                                                     short_date):
    day = dt.date(2026, 3, 5)
    with use_locale(locale):
        shown = (format_decimal(1234.5, locale=current_locale()),
                 format_percent(0.256, locale=current_locale()),
                 format_date(day, format="long", locale=current_locale()),
                 format_date(day, format="short", locale=current_locale()))
    assert shown == (number, percent, long_date, short_date)


# ---- the framework in other languages --------------------------------------------------------


def test_cluster_names_in_spanish_and_french():
    assert {code: (reference.framework_name(code, "es"), reference.framework_name(code, "fr"))
            for code in ("CL", "DISC", "FL", "FOA", "COMP", "CHR", "OSH", "WT")} == {
        "CL": ("Trabajo infantil", "Travail des enfants"),
        "DISC": ("Discriminación", "Discrimination"),
        "FL": ("Trabajo forzoso", "Travail forcé"),
        "FOA": ("Libertad sindical y negociación colectiva",
                "Liberté syndicale et négociation collective"),
        "COMP": ("Compensación", "Rémunération"),
        "CHR": ("Contratos y recursos humanos", "Contrats et ressources humaines"),
        "OSH": ("Seguridad y salud en el trabajo", "Santé et sécurité au travail"),
        "WT": ("Jornada laboral", "Temps de travail"),
    }


def test_every_framework_name_and_issue_has_every_language():
    english = reference.framework_names("en")
    assert len(english) == 8 + sum(len(c.compliance_points) for c in reference.CLUSTERS)
    assert set(reference.translated_languages()) == set(TRANSLATED)
    for locale in TRANSLATED:
        names = reference.framework_names(locale)
        assert names.keys() == english.keys()
        # translated, not copied (a few words are the same in both languages: "Discrimination")
        assert sum(names[c] != english[c] for c in english) > 0.9 * len(english)
        assert all(reference.zero_tolerance_issue(code, locale)
                   != reference.zero_tolerance_issue(code, "en")
                   for code in reference.zero_tolerance_issues())
    # another language, or a regional tag, falls back / maps as expected
    assert reference.framework_name("OSH.2", "de") == "Emergency Preparedness"
    assert reference.framework_name("OSH.2", "es-MX") == "Preparación para emergencias"


def test_a_missing_or_unknown_framework_translation_is_refused(tmp_path):
    text = reference.TRANSLATIONS_FILE.read_text(encoding="utf-8")
    broken = tmp_path / "missing.yaml"
    broken.write_text(text.replace('  WT.3: {es: "Jornada ordinaria", fr: "Horaires normaux"}\n',
                                   ""), encoding="utf-8")
    with pytest.raises(reference.FrameworkError, match=r"WT\.3 has no es text"):
        reference.load_translations(broken)
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(text.replace("names:\n", 'names:\n  XX.9: {es: "a", fr: "b"}\n', 1),
                       encoding="utf-8")
    with pytest.raises(reference.FrameworkError, match=r"XX\.9"):
        reference.load_translations(unknown)


def test_frames_show_framework_names_in_the_session_language_and_data_as_it_is():
    frame = pd.DataFrame({"cluster_code": ["OSH", "CL"], "factory": ["Nord Knit", "Sur"],
                          "cluster_name": ["Occupational Safety and Health", "Child Labour"]})
    with use_locale("fr"):
        shown = i18n.localise_framework_names(frame)
    assert list(shown["cluster_name"]) == ["Santé et sécurité au travail", "Travail des enfants"]
    assert list(shown["factory"]) == ["Nord Knit", "Sur"]
    assert list(frame["cluster_name"]) == ["Occupational Safety and Health", "Child Labour"]


def test_the_data_dictionary_translates_meanings_never_column_names():
    columns = [ExtractColumn("factory_id", "integer", "Factory identifier"),
               ExtractColumn("country", "text")]
    assert data_dictionary(columns, translate=str.upper) == [
        {"column": "factory_id", "type": "integer", "unit": "", "meaning": "FACTORY IDENTIFIER"},
        {"column": "country", "type": "text", "unit": "", "meaning": ""}]
    assert data_dictionary(columns)[0]["meaning"] == "Factory identifier"


# ---- the language each user chose ------------------------------------------------------------


def _add_user(engine, username: str, brand_id: int | None = None) -> Viewer:
    from data_access.scope import system_connection

    with system_connection(engine) as conn:
        conn.execute(insert(AppUser).values(
            username=username, display_name=username.title(), role="admin", brand_id=brand_id,
            password_hash="x", disabled=False, provisioned_from="app"))
    return Viewer(username, "admin", None)


def test_a_users_language_is_stored_for_them_only(writable_engine):
    ana, ben = _add_user(writable_engine, "ana-i18n"), _add_user(writable_engine, "ben-i18n")
    assert preferences.own_locale(writable_engine, ana) is None
    preferences.set_own_locale(writable_engine, ana, "es")
    assert preferences.own_locale(writable_engine, ana) == "es"
    assert preferences.own_locale(writable_engine, ben) is None
    # an administrator acting for a brand is still themselves
    preferences.set_own_locale(writable_engine, ana.acting_for(None), "fr")
    assert preferences.own_locale(writable_engine, ana) == "fr"
    with pytest.raises(ValueError, match="not a language tag"):
        preferences.set_own_locale(writable_engine, ana, "fr'; DROP TABLE app_user; --")
    preferences.set_own_locale(writable_engine, ana, None)
    assert preferences.own_locale(writable_engine, ana) is None


def _stored(engine, username: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(AppUser.locale).where(AppUser.username == username)
                            ).scalar_one()


def test_the_chosen_language_is_used_at_the_next_sign_in(app_env):
    """lena picked Spanish before: her next session is in Spanish; she switches to French in
    the sidebar, which is stored, kept across signing out, and used by her next session."""
    from tests.apphelpers import seeded_sign_in

    at = seeded_sign_in(app_env, "lena")  # provisions the demo accounts on its first run
    viewer = Viewer("lena", "brand_viewer", 1)
    preferences.set_own_locale(app_env, viewer, "es")
    at = seeded_sign_in(app_env, "lena").run()
    assert not at.exception, at.exception
    picker = at.sidebar.selectbox(key="language_picker")
    assert at.session_state[i18n.LOCALE_KEY] == "es"
    assert picker.value == "es" and "Idioma" in picker.label

    picker.set_value("fr").run()
    assert not at.exception, at.exception
    assert _stored(app_env, "lena") == "fr"
    assert at.sidebar.selectbox(key="language_picker").label.endswith("Langue")

    at.sidebar.button[0].click().run()  # sign out: the sign-in page stays in French
    assert at.session_state[i18n.LOCALE_KEY] == "fr"
    assert at.sidebar.selectbox(key="language_picker").value == "fr"

    again = seeded_sign_in(app_env, "lena").run()
    assert again.session_state[i18n.LOCALE_KEY] == "fr"


def test_a_new_visitor_without_a_stored_language_gets_english(app_env):
    from streamlit.testing.v1 import AppTest

    from tests.apphelpers import APP, TIMEOUT

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.session_state[i18n.LOCALE_KEY] == "en"
    assert at.sidebar.selectbox(key="language_picker").options == ["English", "Español",
                                                                   "Français"]


def test_the_pseudo_locale_runs_the_app_when_enabled(app_env, monkeypatch):
    """With DASHBOARD_PSEUDO_LOCALE set, the picker offers the pseudo-locale and the app runs
    in it (phase 2 runs every page so and checks the texts: none left in plain English)."""
    from tests.apphelpers import seeded_sign_in

    monkeypatch.setenv(PSEUDO_ENV, "1")
    at = seeded_sign_in(app_env, "maple").run()
    picker = at.sidebar.selectbox(key="language_picker")
    assert picker.options[-1] == i18n.LANGUAGE_NAMES[PSEUDO_LOCALE]
    picker.set_value(PSEUDO_LOCALE).run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="language_picker").label.endswith(
        pseudo_translate("Language"))
