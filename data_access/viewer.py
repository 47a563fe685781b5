"""The signed-in principal that every brand-scoped read takes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from data_access.errors import NoBrandSelected, PermissionDenied

Role = Literal["brand", "admin"]


@dataclass(frozen=True)
class Viewer:
    """Who is asking. Hashable, so it can be part of a cache key.

    ``brand_id`` is the brand whose data is shown: a brand user's own brand (fixed), or the
    brand an administrator has chosen (``None`` until chosen).
    """

    username: str
    role: Role
    brand_id: int | None

    def __post_init__(self) -> None:
        if self.role not in ("brand", "admin"):
            raise ValueError(f"unknown role {self.role!r}")
        if self.role == "brand" and self.brand_id is None:
            raise ValueError("a brand user must belong to a brand")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def acting_for(self, brand_id: int | None) -> Viewer:
        """An administrator's view of another brand. Brand users cannot switch brands."""
        if not self.is_admin:
            if brand_id == self.brand_id:
                return self
            raise PermissionDenied("Brand users can only see their own brand.")
        return replace(self, brand_id=brand_id)

    def require_brand(self) -> int:
        """The brand id every tenant-scoped query filters on."""
        if self.brand_id is None:
            raise NoBrandSelected("Choose a brand in the sidebar to see its data.")
        return self.brand_id

    def require_admin(self) -> None:
        if not self.is_admin:
            raise PermissionDenied("This is only available to programme administrators.")
