"""The one translation layer of the interface: gettext catalogues, the session's language.

**Catalogues.** ``locales/<language>/LC_MESSAGES/messages.po`` (gettext PO files, edited by
translators, kept in git). They are compiled in memory the first time a language is used in
the process (Babel's PO reader and MO writer → :class:`gettext.GNUTranslations`): no compiled
``.mo`` file is committed and there is no build step. English is the source language: its
texts are the message ids themselves, so it has no catalogue. Fuzzy entries are never used.

**Marking and translating** (docs/translation.md has the full guide):

* ``_("Suppliers")`` — :func:`gettext`, for every user-facing literal;
* ``_("Brand: {brand}").format(brand=plain(name))`` — placeholders are named and filled *after*
  translating (never an f-string inside ``_()``: the extractor cannot read it, and the
  translator must be able to move ``{brand}``);
* ``ngettext("{n} factory", "{n} factories", n).format(n=fmt(n))`` — plurals come from the
  catalogue's own plural rule (French treats 0 as singular, Spanish does not);
* ``pgettext("chart axis", "Rate")`` — the same English word needing two translations;
* ``N_("Overview")`` — mark a text where it is defined (module constants, data_access labels,
  data-dictionary meanings) and translate it where it is shown: ``_(spec.title)``.

**The active language** is per session (``st.session_state``), chosen with the sidebar picker
(:mod:`ui.language`). Outside a Streamlit run (services, the command line, plain tests) it is
English unless a caller sets one with :func:`use_locale`. Supported: English, Spanish, French;
the pseudo-locale ``qps`` (accented, longer texts, for layout tests) is offered only when the
environment variable ``DASHBOARD_PSEUDO_LOCALE`` is set to a true value.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

import pandas as pd
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import reference
from reference.translation import N_

__all__ = [
    "DEFAULT_LOCALE",
    "LANGUAGE_NAMES",
    "LOCALES_DIR",
    "LOCALE_KEY",
    "N_",
    "PSEUDO_LOCALE",
    "SUPPORTED_LOCALES",
    "_",
    "available_locales",
    "browser_locale",
    "catalogue_path",
    "current_language",
    "current_locale",
    "framework_name",
    "gettext",
    "localise_framework_names",
    "negotiate",
    "ngettext",
    "normalise_locale",
    "npgettext",
    "parse_accept_language",
    "pgettext",
    "pseudo_locale_enabled",
    "reload_catalogues",
    "set_locale",
    "translations",
    "use_locale",
]

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
#: the source language: message ids are English, so it needs no catalogue
DEFAULT_LOCALE = "en"
#: the languages users can choose, in the picker's order
SUPPORTED_LOCALES: tuple[str, ...] = ("en", "es", "fr")
#: accented, longer texts for layout tests (scripts/pseudo_locale.py writes its catalogue)
PSEUDO_LOCALE = "qps"
PSEUDO_ENV = "DASHBOARD_PSEUDO_LOCALE"
#: numbers and dates in the pseudo-locale follow this locale (decimal comma, narrow spaces), so
#: a figure formatted without the locale stands out in a pseudo-locale run
PSEUDO_FORMAT_LOCALE = "fr"
#: each language's name in itself: never translated, so anyone can find their own
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Español", "fr": "Français",
                                  PSEUDO_LOCALE: "[Ƥšéûðö]"}
#: session-state key of the session's language
LOCALE_KEY = "_locale"

#: a language set for this thread or task (:func:`use_locale`): beats the session's
_override: ContextVar[str | None] = ContextVar("dashboard_locale", default=None)
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


# ---- which languages -------------------------------------------------------------------------


def pseudo_locale_enabled() -> bool:
    """Whether the pseudo-locale may be chosen (``DASHBOARD_PSEUDO_LOCALE`` true)."""
    return os.environ.get(PSEUDO_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def available_locales() -> tuple[str, ...]:
    """The languages the picker offers: the supported ones, plus the pseudo-locale if enabled."""
    return SUPPORTED_LOCALES + ((PSEUDO_LOCALE,) if pseudo_locale_enabled() else ())


def normalise_locale(value: object) -> str | None:
    """The available language a locale tag names (``"es-AR"``, ``"fr_CA"``, ``"EN"`` → ``es``,
    ``fr``, ``en``), or None for anything else (unsupported, malformed, not a string)."""
    if not isinstance(value, str) or not _TAG.match(value.strip()):
        return None
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in available_locales() else None


def parse_accept_language(header: str | None) -> list[str]:
    """The language tags of an ``Accept-Language`` header, most preferred first (by ``q``;
    ``q=0`` and ``*`` left out; ties keep the header's order)."""
    entries: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            entries.append((-quality, position, tag))
    return [tag for _q, _p, tag in sorted(entries)]


def negotiate(preferred: Iterable[str]) -> str | None:
    """The first available language among ``preferred`` tags, or None."""
    for tag in preferred:
        found = normalise_locale(tag)
        if found is not None:
            return found
    return None


def browser_locale() -> str | None:
    """The browser's language if it is available: ``st.context.locale`` (the browser's
    ``navigator.language``), else the request's ``Accept-Language`` header; None outside a
    Streamlit run or when neither names an available language."""
    if not _in_streamlit_run():
        return None
    import streamlit as st

    try:
        found = negotiate([st.context.locale or ""])
        if found is None:
            found = negotiate(parse_accept_language(st.context.headers.get("Accept-Language")))
    except Exception:  # noqa: BLE001 - no browser context (AppTest): no preference
        return None
    return found


# ---- the active language ---------------------------------------------------------------------


def _in_streamlit_run() -> bool:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return get_script_run_ctx(suppress_warning=True) is not None


def current_language() -> str:
    """The catalogue language of this session (``en``, ``es``, ``fr``, or ``qps``): the one
    set by :func:`use_locale`, else the session's, else English."""
    override = _override.get()
    if override is not None:
        return override
    if _in_streamlit_run():
        import streamlit as st

        found = normalise_locale(st.session_state.get(LOCALE_KEY))
        if found is not None:
            return found
    return DEFAULT_LOCALE


def current_locale() -> str:
    """The Babel locale for numbers, percentages and dates (``ui.formatting``): the session's
    language, except the pseudo-locale, which formats as :data:`PSEUDO_FORMAT_LOCALE`."""
    language = current_language()
    return PSEUDO_FORMAT_LOCALE if language == PSEUDO_LOCALE else language


def set_locale(locale: str) -> str:
    """Make ``locale`` the session's language (in a Streamlit run). Returns the language set.

    Raises:
        ValueError: not an available language.
    """
    found = normalise_locale(locale)
    if found is None:
        raise ValueError(f"not an available language: {locale!r}")
    if _in_streamlit_run():
        import streamlit as st

        st.session_state[LOCALE_KEY] = found
    return found


@contextmanager
def use_locale(locale: str) -> Iterator[str]:
    """Translate in ``locale`` inside the block, in or outside a Streamlit run (a service
    building text for a chosen language, tests). Raises ValueError for an unknown language."""
    found = normalise_locale(locale)
    if found is None:
        raise ValueError(f"not an available language: {locale!r}")
    token = _override.set(found)
    try:
        yield found
    finally:
        _override.reset(token)


# ---- catalogues ------------------------------------------------------------------------------


def catalogue_path(locale: str) -> Path:
    """Where the PO catalogue of ``locale`` lives."""
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``locale`` (cached for the process); English, or a language
    without a catalogue, gets the message ids themselves."""
    path = catalogue_path(locale)
    if locale == DEFAULT_LOCALE or not path.is_file():
        return _gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=None if locale == PSEUDO_LOCALE else locale,
                          domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def reload_catalogues() -> None:
    """Forget the compiled catalogues (after editing a PO file in a running process)."""
    translations.cache_clear()


def gettext(message: str) -> str:
    """``message`` in the session's language (the message itself when untranslated)."""
    return translations(current_language()).gettext(message)


#: the conventional short name, recognised by ``pybabel extract``
_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for ``n`` by the language's plural rule; fill the
    count afterwards: ``ngettext("{n} factory", "{n} factories", n).format(n=n)``."""
    return translations(current_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the sense ``context`` gives it (two translations of one English text)."""
    return translations(current_language()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """:func:`ngettext` with a context."""
    return translations(current_language()).npgettext(context, singular, plural, n)


# ---- framework data --------------------------------------------------------------------------

#: name column → code column, as the data layer's frames carry them
FRAMEWORK_COLUMNS: dict[str, str] = {"cluster_name": "cluster_code", "cp_name": "cp_code"}


def framework_name(code: str) -> str:
    """The name of a cluster or compliance point (by code) in the session's language."""
    return reference.framework_name(code, current_language())


def localise_framework_names(frame: pd.DataFrame,
                             columns: dict[str, str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` whose cluster and compliance-point names are in the session's
    language, looked up by their codes (``cluster_name`` from ``cluster_code``, ``cp_name``
    from ``cp_code``; name columns without their code column are left alone). For display
    only: extracts keep the English names (a stable vocabulary)."""
    names = reference.framework_names(current_language())
    out = frame.copy()
    for name_column, code_column in (columns or FRAMEWORK_COLUMNS).items():
        if name_column in out.columns and code_column in out.columns:
            out[name_column] = out[code_column].map(names).fillna(out[name_column])
    return out
