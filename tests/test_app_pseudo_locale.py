"""Every page in the pseudo-locale through AppTest (issue 19): no page fails when every text is
about 35 % longer and accented, and no text of the interface stays in English.

The pseudo-locale accents every letter of a translated text (``Suppliers`` → ``Šûƥƥļîéŕš ļöŕ``),
so an English phrase left on a page — three plain lowercase words in a row — is a text that did
not go through the translation layer. Data values (factory names, addresses, the demo's notes)
are never translated; the texts looked at are the interface's own: titles, headings, labels,
buttons, help, alerts, table column labels and chart titles.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.apphelpers import active_supplier_ids, sign_in
from tests.pagespecs import admin_pages, page_specs
from ui.i18n import LOCALE_KEY, PSEUDO_ENV, PSEUDO_LOCALE

#: three plain (unaccented) lowercase words in a row: English that was not translated
ENGLISH = re.compile(r"\b[a-z]{2,}\s+[a-z]{2,}\s+[a-z]{2,}\b")
#: what is not for people to read as interface text: URLs, code, e-mail addresses, placeholders
NOT_TEXT = re.compile(r"https?://\S+|`[^`]*`|\S+@\S+|\{[^}]*\}|:material/[a-z_]+:")


def _interface_texts(at) -> list[str]:
    """The interface's own texts of a run (not data: tables' cells are left out)."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "info", "warning", "error", "success"):
        out += [str(el.value) for el in getattr(at, kind)]
    for kind in ("button", "selectbox", "multiselect", "radio", "checkbox", "toggle",
                 "text_input", "text_area", "date_input", "number_input", "slider",
                 "select_slider"):
        for widget in getattr(at, kind, []):
            out.append(str(getattr(widget, "label", "")))
            out.append(str(getattr(widget.proto, "help", "") or ""))
    for metric in at.metric:
        out += [str(metric.label), str(metric.proto.help)]
    for tab in at.tabs:
        out.append(str(tab.label))
    for expander in at.expander:
        out.append(str(expander.label))
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        out += [str(c.get("label") or "") for c in config.values() if isinstance(c, dict)]
        out += [str(c.get("help") or "") for c in config.values() if isinstance(c, dict)]
    for chart in at.get("arrow_vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        out += _chart_titles(spec)
    return [t for t in out if t]


def _chart_titles(spec) -> list[str]:
    found: list[str] = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str):
                found.append(value)
            elif key == "title" and isinstance(value, dict) and isinstance(value.get("text"), str):
                found.append(value["text"])
            elif key not in ("data", "datasets"):
                found += _chart_titles(value)
    elif isinstance(spec, list):
        for item in spec:
            found += _chart_titles(item)
    return found


def english_left(texts: list[str]) -> list[str]:
    return [t[:90] for t in texts if ENGLISH.search(NOT_TEXT.sub(" ", t))]


def test_the_detector_tells_english_from_the_pseudo_locale():
    from scripts.i18n_tools import pseudo_translate

    english = "Assessed in the last 12 months"
    assert english_left([english]) == [english]
    assert english_left([pseudo_translate(english)]) == []
    assert english_left(["See {factory_name} at https://example.org/a/b/c now"]) == []


@pytest.mark.parametrize("who", ["brand", "admin"])
def test_every_page_in_the_pseudo_locale(app_env, monkeypatch, who):
    monkeypatch.setenv(PSEUDO_ENV, "1")
    if who == "brand":
        at = sign_in("nordwind", "nordwind-demo-2026")
        specs = [s for s in page_specs() if not s.admin_only]
    else:
        at = sign_in("admin", "admin-demo-2026")
        specs = admin_pages()
    at.session_state[LOCALE_KEY] = PSEUDO_LOCALE
    at.run()
    left: dict[str, list[str]] = {}
    for spec in specs:
        at.switch_page(spec.script)
        at.run()
        assert not at.exception, (spec.script, at.exception)
        titles = [str(t.value) for t in at.title]
        assert titles, spec.script
        # the page's title is translated: no plain lowercase word left in it (names are
        # capitalised; a factory profile's title is the factory's name)
        if spec.stem != "factory":
            assert not re.search(r"\b[a-z]{3,}\b", titles[0]), (spec.script, titles)
        found = english_left(_interface_texts(at))
        if found:
            left[spec.script] = found
    if who == "brand":
        # the two longest pages with something chosen: a profile, and three factories compared
        ids = active_supplier_ids(app_env, "nordwind", 3)
        for script, params in (("pages/brand/factory.py", {"id": str(ids[0])}),
                               ("pages/brand/compare.py", {"ids": ",".join(map(str, ids))})):
            for name, value in params.items():
                at.query_params[name] = value
            at.switch_page(script)
            at.run()
            assert not at.exception, (script, at.exception)
            texts = _interface_texts(at)
            assert len(texts) > 20, (script, len(texts))  # the page itself, not its empty state
            found = english_left(texts)
            if found:
                left[f"{script} {params}"] = found
    assert not left, left
