"""The neutral side of translation: marking text for the catalogues without translating it.

The interface is translated by :mod:`ui.i18n` (gettext catalogues under ``locales/``), which is
Streamlit-side. Layers that must stay free of Streamlit — ``data_access``, ``services``,
``metrics``, ``reference`` — never translate themselves. They either

* **mark** a user-facing text with :func:`N_` where it is defined (a label in a mapping, a
  column's data-dictionary meaning), so that ``pybabel extract`` puts it in the catalogues, and
  leave the translating to the interface at display time (``ui.i18n.gettext(value)``); or
* take a ``translate`` callable (:data:`Translate`, default :func:`identity`) from their caller
  when they build text themselves (the interface passes ``ui.i18n.gettext``).

Nothing here reads a catalogue.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["N_", "Ngettext", "Translate", "english_ngettext", "identity"]

#: translates one catalogue message (``ui.i18n.gettext`` in the interface)
Translate = Callable[[str], str]
#: picks the singular or plural message for a count (``ui.i18n.ngettext`` in the interface)
Ngettext = Callable[[str, str, int], str]


def N_(message: str) -> str:
    """Mark ``message`` for extraction into the catalogues and return it unchanged; translate it
    where it is shown (``ui.i18n.gettext(message)``)."""
    return message


def identity(message: str) -> str:
    """The :data:`Translate` that keeps the English text (command line, HTTP API, tests)."""
    return message


def english_ngettext(singular: str, plural: str, n: int) -> str:
    """The :data:`Ngettext` of English: the singular for 1, else the plural (command line,
    HTTP API, extracts, tests)."""
    return singular if n == 1 else plural
