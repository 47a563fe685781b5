"""Session state and shareable URLs: the principal, the chosen brand and persistent filters.

Filters live in ``st.session_state`` (so they survive moving between pages) and are written to
``st.query_params`` on every page (so a filtered view can be shared). Sidebar navigation clears
query parameters (streamlit#7982), which is why session state is the source of truth and the URL
is re-written each run. A value coming from a URL is validated before it is used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from data_access import queries
from data_access.errors import NotFound
from data_access.factories import DirectoryFilters, parse_factory_id
from data_access.viewer import Viewer
from ui.components import plain
from ui.i18n import _

VIEWER_KEY = "viewer"
BRAND_KEY = "admin_brand_id"
BRAND_PARAM_SEEN = "_brand_param_seen"
FILTER_PREFIX = "filter_"
MAX_PARAM_LENGTH = 200


def set_viewer(viewer: Viewer) -> None:
    st.session_state[VIEWER_KEY] = viewer


def viewer() -> Viewer:
    """The principal ``app.py`` resolved for this run (pages only run when signed in)."""
    found = st.session_state.get(VIEWER_KEY)
    if not isinstance(found, Viewer):
        st.error(_("You are not signed in."))
        st.stop()
    return found


def resolve_brand(engine: Engine, principal: Viewer, brands: pd.DataFrame) -> Viewer:
    """Apply the brand chosen by an administrator (sidebar or ``?brand=`` link).

    A brand user's own brand is fixed; a ``?brand=`` naming any other brand is ignored with a
    message and never changes what is shown.
    """
    requested = st.query_params.get("brand")
    if requested is not None:
        requested = str(requested)[:MAX_PARAM_LENGTH]
    if not principal.is_admin:
        if requested is not None:
            try:
                queries.brand_by_code(engine, principal, requested)
            except NotFound:
                st.warning(_("The link named a brand you do not have access to; showing "
                             "your own brand instead."), icon=":material/lock:")
        return principal
    # Apply the link's brand only when the link changed: once the page has written the URL,
    # a choice in the sidebar must win over the (now stale) parameter of the previous run.
    if requested is not None and requested != st.session_state.get(BRAND_PARAM_SEEN):
        st.session_state[BRAND_PARAM_SEEN] = requested
        match = brands.loc[brands["code"] == requested, "brand_id"]
        if match.empty:
            st.warning(_("No brand with code “{code}”. Choose one in the sidebar.").format(
                code=plain(requested)))
        else:
            st.session_state[BRAND_KEY] = int(match.iloc[0])
    return principal.acting_for(st.session_state.get(BRAND_KEY))


def _code_of(brands: pd.DataFrame, brand_id: int | None) -> str | None:
    if brand_id is None:
        return None
    match = brands.loc[brands["brand_id"] == brand_id, "code"]
    return None if match.empty else str(match.iloc[0])


def sync_brand_param(brands: pd.DataFrame, principal: Viewer) -> None:
    """Keep ``?brand=`` in the URL in step with the brand shown (admins only)."""
    if not principal.is_admin:
        st.query_params.pop("brand", None)
        return
    code = _code_of(brands, principal.brand_id)
    if code is None:
        st.query_params.pop("brand", None)
    elif st.query_params.get("brand") != code:
        st.query_params["brand"] = code
    st.session_state[BRAND_PARAM_SEEN] = code


def list_filter(name: str, allowed: Iterable[str]) -> list[str]:
    """A multi-value filter from session state, else from the URL (``?name=a,b``).

    Values not in ``allowed`` are dropped (a stale or hand-edited link cannot inject values).
    """
    allowed_set = set(allowed)
    key = FILTER_PREFIX + name
    if key not in st.session_state:
        raw = str(st.query_params.get(name, ""))[:MAX_PARAM_LENGTH * 10]
        st.session_state[key] = [v for v in raw.split(",") if v in allowed_set]
    else:
        st.session_state[key] = [v for v in st.session_state[key] if v in allowed_set]
    return list(st.session_state[key])


def write_list_param(name: str, values: Sequence[str]) -> None:
    if values:
        st.query_params[name] = ",".join(values)
    else:
        st.query_params.pop(name, None)


def filter_key(name: str) -> str:
    """The widget key of a persistent filter (pass it to the widget as ``key=``)."""
    return FILTER_PREFIX + name


def keep_filters_alive() -> None:
    """Streamlit drops a widget's state when its page is not shown; re-assigning the values
    at the top of each run keeps filters across pages."""
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith(FILTER_PREFIX):
            st.session_state[key] = st.session_state[key]


def text_filter(name: str, max_length: int = 100) -> str:
    """A free-text filter from session state, else from the URL (truncated)."""
    key = FILTER_PREFIX + name
    if key not in st.session_state:
        st.session_state[key] = str(st.query_params.get(name, ""))[:max_length]
    return str(st.session_state[key])[:max_length]


def choice_filter(name: str, allowed: Sequence[str], default: str) -> str:
    """A single-choice filter from session state, else the URL; unknown values → default."""
    key = FILTER_PREFIX + name
    if key not in st.session_state or st.session_state[key] not in allowed:
        raw = str(st.query_params.get(name, default))
        st.session_state[key] = raw if raw in allowed else default
    return str(st.session_state[key])


def write_param(name: str, value: str, default: str = "") -> None:
    if value and value != default:
        st.query_params[name] = value
    else:
        st.query_params.pop(name, None)


def param_from_widget(name: str, key: str) -> None:
    """Widget callback: write the widget ``key``'s value to ``?name=`` (a callback defined
    here, not in the page: see ui/components.py)."""
    st.query_params[name] = str(st.session_state[key])


def id_list_param(name: str, max_items: int) -> tuple[list[int], int]:
    """Factory ids from ``?name=1,2,3`` (at most ``max_items``), and how many non-empty
    entries could not be ids at all (the page says so rather than ignoring them)."""
    raw = str(st.query_params.get(name, ""))[:MAX_PARAM_LENGTH]
    ids: list[int] = []
    malformed = 0
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            ids.append(parse_factory_id(part))  # the data layer's rule for an id in a URL
        except NotFound:
            malformed += 1
    return list(dict.fromkeys(ids))[:max_items], malformed


def keep_only_params(*names: str) -> None:
    """Drop query parameters that belong to other pages (the brand choice always stays)."""
    allowed = {"brand", *names}
    for key in list(st.query_params.keys()):
        if key not in allowed:
            del st.query_params[key]


def directory_filters() -> DirectoryFilters:
    """The supplier directory's filters as they stand in this session (also used by extracts)."""
    def values(name: str) -> list:
        return list(st.session_state.get(FILTER_PREFIX + name) or [])

    return DirectoryFilters(
        search=str(st.session_state.get(FILTER_PREFIX + "q") or ""),
        countries=tuple(values("countries")),
        tiers=tuple(int(t) for t in values("tiers")),
        assessment_age=tuple(values("assessment")),
        clusters_non_compliant=tuple(values("clusters")),
        plan_status=str(st.session_state.get(FILTER_PREFIX + "plan") or ""),
        gaps=tuple(values("gaps")),
        include_inactive=bool(st.session_state.get(FILTER_PREFIX + "former", False)),
        include_closed=bool(st.session_state.get(FILTER_PREFIX + "closed", False)),
    )
