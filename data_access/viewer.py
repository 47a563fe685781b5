"""The signed-in principal that every brand-scoped read takes, and what each role may do.

Roles (docs/users.md has the matrix of role × page × action, and a test keeps it equal to
:data:`PERMISSIONS`):

* ``brand_viewer`` — a brand's staff who look: every brand page, summary extracts;
* ``brand_manager`` — the brand's sourcing lead: also raw order-, finding- and plan-level
  extracts, the brand's API tokens (and, later, the brand's engagement log);
* ``admin`` — a programme administrator: any brand, imports, accounts, audit logs.

The checks are made here, in ``data_access``, by the functions that do the work
(``viewer.require(...)``); pages hide what a role cannot use, but hiding is not the control.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from data_access.errors import NoBrandSelected, PermissionDenied
from reference.translation import N_

Role = Literal["brand_viewer", "brand_manager", "admin"]
BRAND_ROLES: tuple[str, ...] = ("brand_viewer", "brand_manager")
ROLES: tuple[str, ...] = (*BRAND_ROLES, "admin")
#: the role name before brand roles were split (users files, older callers): a brand manager,
#: which can do everything a brand account could do then
LEGACY_BRAND_ROLE = "brand"

#: shown to users: marked for the catalogues, translated where shown (``_(ROLE_LABELS[role])``)
ROLE_LABELS = {"brand_viewer": N_("Brand viewer"), "brand_manager": N_("Brand manager"),
               "admin": N_("Programme administrator")}

#: action -> what it lets a user do, in the users' words (docs/users.md, refusals)
ACTIONS: dict[str, str] = {
    "view_brand_pages": "see the brand's pages",
    "download_summary_extracts": "download summary extracts",
    "download_raw_extracts": "download order-, finding- and plan-level extracts",
    "manage_engagement_log": "manage the brand's engagement log",
    "manage_api_tokens": "issue and revoke the brand's API tokens",
    "choose_any_brand": "look at any brand",
    "import_data": "import data",
    "manage_accounts": "manage accounts",
    "view_audit_log": "see the audit logs",
}

#: action -> the refusal a role without it gets (the sentence :meth:`Viewer.require` raises
#: with), marked for the catalogues so that the interface can show it translated
REFUSALS: dict[str, str] = {
    "view_brand_pages": N_("Your account cannot see the brand's pages. Ask your brand's "
                           "manager or a programme administrator if you need to."),
    "download_summary_extracts": N_("Your account cannot download summary extracts. Ask your "
                                    "brand's manager or a programme administrator if you need "
                                    "to."),
    "download_raw_extracts": N_("Your account cannot download order-, finding- and plan-level "
                                "extracts. Ask your brand's manager or a programme "
                                "administrator if you need to."),
    "manage_engagement_log": N_("Your account cannot manage the brand's engagement log. Ask "
                                "your brand's manager or a programme administrator if you "
                                "need to."),
    "manage_api_tokens": N_("Your account cannot issue and revoke the brand's API tokens. Ask "
                            "your brand's manager or a programme administrator if you need "
                            "to."),
}
#: an action missing from :data:`REFUSALS` (the administrators' own are refused as such)
REFUSED = N_("Your account cannot do this. Ask your brand's manager or a programme "
             "administrator if you need to.")

#: role -> the actions it may perform: the one place that says who may do what
PERMISSIONS: dict[str, frozenset[str]] = {
    "brand_viewer": frozenset({"view_brand_pages", "download_summary_extracts"}),
    "brand_manager": frozenset({"view_brand_pages", "download_summary_extracts",
                                "download_raw_extracts", "manage_engagement_log",
                                "manage_api_tokens"}),
    "admin": frozenset(ACTIONS),
}


def normalise_role(role: str) -> str:
    """A role name as stored: ``brand`` (the old name) is a brand manager."""
    return "brand_manager" if role == LEGACY_BRAND_ROLE else role


@dataclass(frozen=True)
class Viewer:
    """Who is asking. Hashable, so it can be part of a cache key.

    ``brand_id`` is the brand whose data is shown: a brand user's own brand (fixed), or the
    brand an administrator has chosen (``None`` until chosen). ``role`` ``"brand"`` is accepted
    and stored as ``"brand_manager"``.
    """

    username: str
    role: Role
    brand_id: int | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", normalise_role(self.role))
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.role != "admin" and self.brand_id is None:
            raise ValueError("a brand user must belong to a brand")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can(self, action: str) -> bool:
        """May this viewer perform ``action`` (a key of :data:`ACTIONS`)? Unknown: no."""
        return action in PERMISSIONS.get(self.role, frozenset())

    def require(self, action: str) -> None:
        """Raise :class:`PermissionDenied` unless the viewer may perform ``action``."""
        if not self.can(action):
            if action in PERMISSIONS["admin"] - PERMISSIONS["brand_manager"]:
                raise PermissionDenied(N_("This is only available to programme administrators."))
            raise PermissionDenied(REFUSALS.get(action, REFUSED))

    def acting_for(self, brand_id: int | None) -> Viewer:
        """An administrator's view of another brand. Brand users cannot switch brands."""
        if not self.is_admin:
            if brand_id == self.brand_id:
                return self
            raise PermissionDenied(N_("Brand users can only see their own brand."))
        return replace(self, brand_id=brand_id)

    def require_brand(self) -> int:
        """The brand id every tenant-scoped query filters on."""
        if self.brand_id is None:
            raise NoBrandSelected(N_("Choose a brand in the sidebar to see its data."))
        return self.brand_id

    def require_admin(self) -> None:
        if not self.is_admin:
            raise PermissionDenied(N_("This is only available to programme administrators."))
