"""Country names from ISO codes (pycountry, the maintained ISO 3166 list)."""

from __future__ import annotations

from functools import lru_cache

import pycountry


@lru_cache(maxsize=512)
def country_name(code: str | None) -> str:
    """'VN' → 'Vietnam' (ISO's common name where it has one); unknown codes come back as given."""
    if not code:
        return "Unknown"
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name
