"""Entry point: page config, configuration check, sign-in, role-aware navigation, sidebar.

Run with ``streamlit run app.py``. Pages live in ``pages/`` and are registered here with
``st.navigation``; a signed-out visitor only ever gets the sign-in page.
"""

from __future__ import annotations

# First, before any library: concurrent first sessions must not import SQLAlchemy in parallel
# (ui/preload.py explains why).
import ui.preload  # noqa: F401

# isort: split
from dataclasses import dataclass

import streamlit as st

from data_access.db import DATABASE_DOWN_ERRORS, describe_db_error
from data_access.errors import DatabaseUnavailable
from data_access.settings import ConfigurationError
from data_access.viewer import ROLE_LABELS
from ui import components, data, language, state
from ui.auth import AuthGate
from ui.components import plain
from ui.i18n import N_, _
from ui.runtime import get_engine, get_settings
from ui.whats_new import menu_title as whats_new_title


@dataclass(frozen=True)
class PageSpec:
    script: str
    title: str
    icon: str
    url_path: str
    section: str
    admin_only: bool = False
    #: shown only to roles that may perform this action (data_access.viewer.PERMISSIONS)
    permission: str | None = None


#: Every page of the product, in menu order; the first one is the landing page.
PAGES = [
    PageSpec("pages/brand/overview.py", N_("Overview"), ":material/dashboard:", "overview",
             N_("Your supply chain")),
    PageSpec("pages/brand/whats_new.py", N_("What's new"), ":material/notifications:", "whats-new",
             N_("Your supply chain")),
    PageSpec("pages/brand/suppliers.py", N_("Suppliers"), ":material/factory:", "suppliers",
             N_("Your supply chain")),
    PageSpec("pages/brand/factory.py", N_("Factory profile"), ":material/domain:", "factory",
             N_("Your supply chain")),
    PageSpec("pages/brand/compare.py", N_("Compare factories"), ":material/compare_arrows:",
             "compare", N_("Your supply chain")),
    PageSpec("pages/brand/visibility.py", N_("Visibility"), ":material/visibility:", "visibility",
             N_("Your supply chain")),
    PageSpec("pages/brand/follow_up.py", N_("Follow-up"), ":material/checklist:", "follow-up",
             N_("Your practices")),
    PageSpec("pages/brand/purchasing.py", N_("Purchasing practices"), ":material/shopping_cart:",
             "purchasing", N_("Your practices")),
    PageSpec("pages/brand/risk.py", N_("Risk ranking"), ":material/warning:", "risk",
             N_("Your practices")),
    PageSpec("pages/brand/downloads.py", N_("Downloads"), ":material/download:", "downloads",
             N_("Your practices")),
    PageSpec("pages/brand/api_access.py", N_("API access"), ":material/key:", "api-access",
             N_("Your practices"), permission="manage_api_tokens"),
    PageSpec("pages/admin/data_and_accounts.py", N_("Data & accounts"),
             ":material/admin_panel_settings:", "admin", N_("Administration"), admin_only=True),
    PageSpec("pages/admin/import_data.py", N_("Import data"), ":material/upload_file:", "import",
             N_("Administration"), admin_only=True),
    PageSpec("pages/admin/audit_log.py", N_("Audit log"), ":material/history:", "audit",
             N_("Administration"), admin_only=True),
]

#: the signed-in user's own page (password change): not in the menu, linked from the sidebar
ACCOUNT_TITLE, ACCOUNT_ICON, ACCOUNT_PATH = (N_("Your account"), ":material/account_circle:",
                                             "account")

# the session's language (the browser's, or one picked before) before any text is written
language.start_session_locale()

st.set_page_config(
    page_title=_("Supply-chain conditions dashboard"),
    page_icon=":material/factory:",
    layout="wide",
    initial_sidebar_state="auto"  # closed on phones, open on wider screens,
)

try:
    settings = get_settings()
    engine = get_engine()
except ConfigurationError as exc:
    st.error(_("**The dashboard cannot start.** {problem}").format(problem=plain(exc)),
             icon=":material/gpp_bad:")
    st.stop()
except DatabaseUnavailable as exc:
    components.database_down(str(exc))
    st.stop()

try:
    gate = AuthGate(settings, engine)
    principal = gate.current_viewer()
    if principal is not None:
        language.load_user_locale(engine, principal)
    if principal is None or gate.must_change_password:
        # Every page's URL leads to the sign-in form (or, with a temporary password, to the
        # password form), so a shared link survives signing in.
        page = gate.render_login if principal is None else gate.render_password_page
        title = _("Sign in") if principal is None else _("Choose a new password")
        navigation = st.navigation(
            # the default page is served at "/"; "/login" is a page of its own (Streamlit keys
            # pages by url_path), so a bookmarked sign-in link does not end on "Page not found"
            [st.Page(page, title=title, icon=":material/login:", url_path="sign-in",
                     default=True),
             st.Page(page, title=title, url_path="login")]
            + [st.Page(page, title=_(spec.title), url_path=spec.url_path)
               for spec in PAGES]
            + [st.Page(page, title=_(ACCOUNT_TITLE), url_path=ACCOUNT_PATH)],
            position="hidden",
        )
        with st.sidebar:
            language.language_picker()
            if principal is not None:
                st.button(_("Log out"), on_click=gate.logout, icon=":material/logout:",
                          width="stretch")
        navigation.run()
        st.stop()

    version = data.data_version()
    brands = data.visible_brands(principal, version)
    viewer = state.resolve_brand(engine, principal, brands)
    state.set_viewer(viewer)
    state.keep_filters_alive()
except DATABASE_DOWN_ERRORS as exc:
    components.database_down(describe_db_error(engine, exc))
    st.stop()

with st.sidebar:
    st.markdown(f"**{plain(st.session_state.get('name') or viewer.username)}**")
    if viewer.is_admin:
        admin_label = ROLE_LABELS["admin"]
        st.caption(_(admin_label))
        ids = list(brands["brand_id"])
        if st.session_state.get(state.BRAND_KEY) not in ids:
            st.session_state[state.BRAND_KEY] = None
        st.selectbox(
            _("Brand"),
            options=ids,
            format_func=dict(zip(brands["brand_id"], brands["name"], strict=True)).get,
            placeholder=_("Choose a brand…"),
            key=state.BRAND_KEY,
            help=_("Administrators can look at any brand's dashboard."),
        )
        viewer = principal.acting_for(st.session_state.get(state.BRAND_KEY))
        state.set_viewer(viewer)
    else:
        st.caption(_("Brand: {brand} · {role}").format(brand=plain(brands["name"].iloc[0]),
                                                      role=_(ROLE_LABELS[viewer.role])))

state.sync_brand_param(brands, viewer)

sections: dict[str, list] = {}
for spec in PAGES:
    if (spec.admin_only and not viewer.is_admin) or (spec.permission
                                                     and not viewer.can(spec.permission)):
        continue
    landing = spec is PAGES[0]
    title = whats_new_title(viewer) if spec.url_path == "whats-new" else _(spec.title)
    # The landing page is served at "/"; Streamlit keys pages by url_path, so it gets an
    # internal one, and its own address stays valid as a hidden alias below.
    sections.setdefault(_(spec.section), []).append(
        st.Page(spec.script, title=title, icon=spec.icon,
                url_path="home" if landing else spec.url_path, default=landing)
    )
# "/overview" is the landing page's address while signed out (every page's URL leads to the
# sign-in form, and signing in keeps the URL): without this alias a signed-in browser opening
# such a link would get Streamlit's "Page not found" dialog.
# The sign-in form's own addresses lead to the landing page once signed in, likewise.
sections[_(PAGES[0].section)].extend(
    st.Page(PAGES[0].script, title=_(PAGES[0].title), icon=PAGES[0].icon,
            url_path=path, visibility="hidden")
    for path in (PAGES[0].url_path, "login", "sign-in"))
account_page = st.Page(gate.render_password_page, title=_(ACCOUNT_TITLE), icon=ACCOUNT_ICON,
                       url_path=ACCOUNT_PATH, visibility="hidden")
sections[_(PAGES[0].section)].append(account_page)
# every entry visible: with What's new and Follow-up the menu passed the number Streamlit shows
# before folding the rest under "View more" (which hid the administration pages)
navigation = st.navigation(sections, expanded=True)
with st.sidebar:
    st.page_link(account_page, label=_("Your account and password"), icon=ACCOUNT_ICON)
    st.button(_("Log out"), on_click=gate.logout, icon=":material/logout:", width="stretch")
    language.language_picker()
try:
    navigation.run()
except DATABASE_DOWN_ERRORS as exc:
    # The database went away mid-session: say so plainly; the next run reconnects by itself
    # (pool_pre_ping replaces dead connections), nothing to restart.
    components.database_down(describe_db_error(engine, exc))
