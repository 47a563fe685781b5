"""Facility matching for imports: the rules live in :mod:`data_access.matching` (shared with
:mod:`data_access.provenance`, which compares values the same way); re-exported here."""

from data_access.matching import (
    LEGAL_PREFIXES,
    LEGAL_SUFFIXES,
    facility_key,
    normalise_address,
    normalise_name,
)

__all__ = ["LEGAL_PREFIXES", "LEGAL_SUFFIXES", "facility_key", "normalise_address",
           "normalise_name"]
