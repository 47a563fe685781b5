"""When is an uploaded facility the same as one already in the database?

1. If the row has an OS ID and a factory with that OS ID exists: that factory.
2. Otherwise by the *normalised* name + country + normalised address (see :func:`facility_key`).
   An OS ID in the row is then added to the matched factory — unless that factory already has a
   different OS ID, in which case Open Supply Hub says they are different facilities and the
   row becomes a new factory.

Normalising (for comparison only; the stored name keeps the spelling of the file):

* Unicode NFKC, case-folded, accents removed ("Sài Gòn" = "sai gon");
* "&" read as "and"; punctuation removed (dots vanish so "S.A." = "SA", "L.L.C." = "LLC");
* legal-form words removed at the end ("Ltd.", "Co., Ltd.", "(Pvt) Ltd.", "PLC", "S.A.E.",
  "L.L.C.", "Inc", "GmbH", ...) and at the start ("PT", "CV");
* whitespace collapsed; a few address abbreviations spelled out ("Rd" = "Road").

A name that consists only of legal-form words keeps them, so it never normalises to "".
"""

from __future__ import annotations

import re
import unicodedata

# Legal forms seen in garment-producing countries (Better Work's footprint and big sourcing
# countries). Compared after punctuation is removed, so "S.A.E." is "sae".
LEGAL_SUFFIXES = frozenset({
    "ltd", "limited", "co", "company", "corp", "corporation", "inc", "incorporated", "plc",
    "llc", "lc", "sa", "sae", "sas", "sarl", "srl", "spa", "pvt", "private", "pte", "pty",
    "gmbh", "ag", "bv", "nv", "jsc", "jsco", "tbk", "bhd", "sdn", "llp", "lp", "oy", "ab",
    "as", "kg", "cv", "de", "rl",
})
LEGAL_PREFIXES = frozenset({"pt", "cv", "ud", "m/s", "ms"})
_ADDRESS_WORDS = {
    "rd": "road", "st": "street", "str": "street", "ave": "avenue", "hwy": "highway",
    "ind": "industrial", "indus": "industrial", "epz": "export processing zone",
    "no": "number", "bldg": "building", "dist": "district", "blvd": "boulevard",
}
_PUNCT = re.compile(r"[^\w\s]")


def _fold(value: str) -> str:
    value = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", value).casefold())
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = value.replace("&", " and ").replace(".", "")
    return _PUNCT.sub(" ", value).replace("_", " ")


def normalise_name(name: str) -> str:
    """``"PT. Golden Thread"``, ``"Golden Thread Co., Ltd."`` and ``"golden  thread"`` all
    become ``"golden thread"``."""
    words = _fold(name).split()
    core = list(words)
    while core and core[-1] in LEGAL_SUFFIXES:
        core.pop()
    while core and core[0] in LEGAL_PREFIXES:
        core.pop(0)
    return " ".join(core or words)


def normalise_address(address: str | None) -> str:
    """Case, punctuation, spacing and common abbreviations do not make a different address."""
    if not address:
        return ""
    return " ".join(_ADDRESS_WORDS.get(w, w) for w in _fold(address).split())


def facility_key(name: str, country_code: str, address: str | None) -> tuple[str, str, str]:
    """The key two facility rows share when they describe the same place (without OS ID)."""
    return normalise_name(name), country_code.upper(), normalise_address(address)
