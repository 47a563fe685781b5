"""The purchasing-practices and visibility pages in Spanish and French (issue 19, phase 2):
translated titles, labels and units, figures in the language's own number format."""

from __future__ import annotations

import pytest

from tests.apphelpers import PAGES, seeded_sign_in, texts_shown
from ui.formatting import fmt_int
from ui.i18n import LOCALE_KEY

VISIBILITY = str(PAGES / "brand" / "visibility.py")
PURCHASING = str(PAGES / "brand" / "purchasing.py")


def open_in(app_env, locale: str, page: str):
    at = seeded_sign_in(app_env, "nordwind")
    at.session_state[LOCALE_KEY] = locale
    at.run()
    assert not at.exception, at.exception
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(("locale", "title", "lead", "unit", "period"), [
    ("es", "Prácticas de compra", "Plazo de entrega mediano", " días", "Últimos 12 meses"),
    ("fr", "Pratiques d'achat", "Délai de livraison médian", " jours", "12 derniers mois"),
])
def test_purchasing_page_speaks_the_chosen_language(app_env, locale, title, lead, unit,
                                                    period):
    at = open_in(app_env, locale, PURCHASING)
    assert at.title[0].value == title
    metrics = {m.label: m for m in at.metric}
    assert metrics[lead].value.endswith(unit)
    # the band and the comparison read in the language too
    assert any(m.proto.delta and ("otras marcas" in m.proto.delta
                                  or "autres marques" in m.proto.delta) for m in at.metric)
    period_box = at.selectbox(key="filter_period")
    assert period_box.format_func(period_box.value) == period
    # counts: the language's plural and number format ("**1.234** pedidos", "**1 234** commandes")
    orders = "pedidos" if locale == "es" else "commandes"
    summary = next(m.value for m in at.markdown if f"** {orders}, **" in m.value)
    count = summary.split("**")[1]
    assert count == fmt_int(int(count.replace(".", "").replace("\u202f", "")
                                .replace("\xa0", "")), locale=locale)
    assert not any("Trend by month" in t or "Lead times" in t for t in texts_shown(at))
    # the statement on practices and conditions: whole sentences in the language
    statement = [i.value for i in at.info if "correlación de rangos" in i.value
                 or "corrélation de rangs" in i.value]
    assert len(statement) == 1 and "rank correlation" not in statement[0]


@pytest.mark.parametrize(("locale", "title", "suppliers", "gap"), [
    ("es", "Visibilidad", "Proveedores", "proveedor"),
    ("fr", "Visibilité", "Fournisseurs", "fournisseur"),
])
def test_visibility_page_speaks_the_chosen_language(app_env, locale, title, suppliers, gap):
    at = open_in(app_env, locale, VISIBILITY)
    assert at.title[0].value == title
    shown = {m.label: m.value for m in at.metric}
    assert suppliers in shown and "Suppliers" not in shown
    age = next(value for label, value in shown.items()
               if label.startswith(("Antigüedad", "Ancienneté")))
    assert age.endswith((" día", " días", " jour", " jours"))
    # the gaps to close: whole sentences with the language's plural
    gaps = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert gaps and all(gap in text for text in gaps)
    assert at.button(key="gap_never_assessed").label in ("Mostrarlos", "Les afficher")
    # the country filter names countries in the language (Bangladés / Bangladesh, Egipto /
    # Égypte)
    labels = at.multiselect(key="filter_countries").options
    assert ("Egipto (EG)" if locale == "es" else "Égypte (EG)") in labels
    assert not any(text.startswith("Share of") for text in texts_shown(at))
