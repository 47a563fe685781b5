"""Statistical disclosure control of the country benchmarks: what a brand may see of factories
it does not source from.

A country benchmark cell (one country × one cluster or compliance point) counts every assessed
factory in the country: ``n`` assessed, ``x`` non-compliant. The viewing brand knows its own
factories' results exactly (it sees their assessments), so it can subtract them: the *other*
factories number ``n_o = n − n_own`` with ``x_o = x − x_own`` non-compliant. Whatever is
published must not let a brand work out the result of any one other factory. Two rules, applied
per cell to those other factories:

1. **Minimum of other factories** (:data:`MIN_OTHER_FACTORIES` = 3): with fewer than 3 other
   assessed factories the cell is **suppressed** ("not shown: fewer than 3 other assessed
   factories in Jordan"). With 1 other factory its result is the cell minus the brand's own;
   with 2, a count of 0 or 2 gives both away and 1 leaves each with a coin toss the brand can
   often settle from what it knows of one of them.
2. **Extreme counts are published as a band** (the dominance rule for counts): if the other
   factories' count is 0 or 1 non-compliant, the cell is published as the range "own + 0 to
   own + 1"; if it is ``n_o − 1`` or ``n_o``, as "own + n_o − 1 to own + n_o". A published 0 of
   12 others would tell the brand that each of the 12 is compliant (all 12 share one result: the
   group is "dominated" by one status); the band says only "at most one of them is
   non-compliant", which leaves every factory's result open. Both ends of the band are
   published whichever of the two counts is true, so a band itself reveals nothing more; and the
   band is used for 1 (and ``n_o − 1``) too, so that seeing a band does not mean "0".
   Otherwise (2 ≤ ``x_o`` ≤ ``n_o − 2``) the cell is exact: at least two other factories are
   non-compliant and two compliant, and nothing says which.

Why a band and not suppression for rule 2: suppressing the cells whose others share one result
would itself leak it — the brand can see that enough other factories exist (from the cluster
next to it), so a hidden cell would mean "all the same", and for child labour that is "all
compliant". A band is published for 0 *and* 1, so it carries no such signal.

**Complementary suppression**: every pooled figure (the overview pools the countries of the
brand's suppliers) is the sum of the *published* country cells — the bands added as ranges,
suppressed countries left out and named — never a total recomputed from the raw counts. So no
suppressed or banded cell can be recovered by subtracting published cells from a published total.

What this does not stop, said plainly: two brands pooling what they know; a brand comparing the
benchmark before and after an import or at two reference dates, when it can tell from elsewhere
that exactly one other factory's assessment changed in between (the change of one count is then
that factory's result). Cells are rebuilt from the data on every view, not kept per brand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reference.translation import N_, Translate, identity

#: fewer other assessed factories than this in a cell → the cell is not shown
MIN_OTHER_FACTORIES = 3

SHOWN = "shown"
BANDED = "banded"
SUPPRESSED = "suppressed"

PROTECTED_COLUMNS = [
    "factories_assessed", "non_compliant_low", "non_compliant_high", "rate_low_pct",
    "rate_high_pct", "rate_pct", "publication", "note",
]


#: why a cell is not shown exactly (marked here; :func:`note` translates them)
SUPPRESSED_NOTE = N_("not shown: fewer than {minimum} other assessed factories in {country}")
BANDED_NOTE = N_("a range, so that no other factory's result can be worked out")


def note(publication: str, country: str, translate: Translate = identity) -> str:
    """The note of a cell published as ``publication`` (:data:`SUPPRESSED`, :data:`BANDED`,
    :data:`SHOWN`: none) for ``country`` (its name), in English or through ``translate`` (the
    interface passes ``ui.i18n.gettext`` and a country name in the session's language)."""
    if publication == SUPPRESSED:
        return translate(SUPPRESSED_NOTE).format(minimum=MIN_OTHER_FACTORIES, country=country)
    if publication == BANDED:
        return translate(BANDED_NOTE)
    return ""


def protect_cells(cells: pd.DataFrame, country_names: pd.Series | None = None) -> pd.DataFrame:
    """Apply the two rules to benchmark cells.

    Args:
        cells: one row per cell with ``country_code`` (plus any unit columns, e.g.
            ``cluster_code``), ``factories_assessed`` and ``factories_non_compliant`` (every
            assessed factory in the country) and ``own_assessed``, ``own_non_compliant`` (the
            viewing brand's own factories among them: every factory it has a relationship with).
        country_names: optional ``country_code → name`` for the notes (else the code is used).

    Returns:
        ``cells`` without the raw non-compliant counts, plus :data:`PROTECTED_COLUMNS`:
        ``factories_assessed`` (n, kept: a count of assessed factories is no one's result);
        ``non_compliant_low/high`` (the published count range; equal when exact; NaN when
        suppressed); ``rate_low_pct/high_pct`` (the same as % of n); ``rate_pct`` (the exact
        rate, or the middle of the band; NaN when suppressed); ``publication``
        (:data:`SHOWN`, :data:`BANDED` or :data:`SUPPRESSED`) and ``note`` (why, in words;
        "" when shown exactly).
    """
    out = cells.copy()
    n = pd.to_numeric(out["factories_assessed"]).astype("float64").to_numpy()
    x = pd.to_numeric(out["factories_non_compliant"]).astype("float64").to_numpy()
    n_own = pd.to_numeric(out["own_assessed"]).fillna(0).astype("float64").to_numpy()
    x_own = pd.to_numeric(out["own_non_compliant"]).fillna(0).astype("float64").to_numpy()
    if ((n_own > n) | (x_own > x) | (x_own > n_own) | (x > n)).any():
        raise ValueError("own counts must be part of the cell's counts")
    n_o, x_o = n - n_own, x - x_own
    suppressed = n_o < MIN_OTHER_FACTORIES
    low_band = ~suppressed & (x_o <= 1)
    high_band = ~suppressed & ~low_band & (x_o >= n_o - 1)
    low = np.where(low_band, x_own, np.where(high_band, x_own + n_o - 1, x))
    high = np.where(low_band, x_own + 1, np.where(high_band, x_own + n_o, x))
    low = np.where(suppressed, np.nan, low)
    high = np.where(suppressed, np.nan, high)
    names = out["country_code"].map(country_names) if country_names is not None else None
    where = (names if names is not None else out["country_code"]).fillna(out["country_code"])
    publication = np.select([suppressed, low_band | high_band], [SUPPRESSED, BANDED], SHOWN)
    notes = [note(kind, place) for kind, place in zip(publication, where.astype(str),
                                                         strict=True)]
    out = out.drop(columns=["factories_non_compliant", "own_assessed", "own_non_compliant"])
    out["factories_assessed"] = n.astype("int64")
    out["non_compliant_low"] = low
    out["non_compliant_high"] = high
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rate_low_pct"] = np.where(n > 0, 100.0 * low / n, np.nan)
        out["rate_high_pct"] = np.where(n > 0, 100.0 * high / n, np.nan)
    out["rate_pct"] = (out["rate_low_pct"] + out["rate_high_pct"]) / 2.0
    out["publication"] = publication
    out["note"] = notes
    return out


def pool_published(protected: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Pool published country cells into one figure per ``by`` group (complementary rule:
    only what was published is added up; suppressed countries are left out and listed).

    Args:
        protected: :func:`protect_cells` output.
        by: the unit columns, e.g. ``["cluster_code"]``.

    Returns:
        ``by`` + ``factories_assessed`` (Σ n over published countries), ``non_compliant_low``
        and ``_high`` (Σ of the published ranges), ``rate_low_pct``, ``rate_high_pct``,
        ``rate_pct`` (middle), ``publication`` (:data:`SHOWN` when every pooled country is
        exact, :data:`BANDED` when one is a range, :data:`SUPPRESSED` when none is published),
        ``left_out`` (the ``country_code`` values suppressed, sorted, as a tuple).
    """
    columns = [*by, "factories_assessed", "non_compliant_low", "non_compliant_high",
               "rate_low_pct", "rate_high_pct", "rate_pct", "publication", "left_out"]
    if protected.empty:
        return pd.DataFrame(columns=columns)
    frame = protected.assign(
        published_n=np.where(protected["publication"] == SUPPRESSED, 0,
                             protected["factories_assessed"]),
        banded=(protected["publication"] == BANDED).astype(int),
        suppressed_code=protected["country_code"].where(
            protected["publication"] == SUPPRESSED),
    )
    pooled = frame.groupby(list(by), as_index=False, sort=False).agg(
        factories_assessed=("published_n", "sum"),
        non_compliant_low=("non_compliant_low", lambda s: s.sum(min_count=1)),
        non_compliant_high=("non_compliant_high", lambda s: s.sum(min_count=1)),
        banded=("banded", "sum"),
        left_out=("suppressed_code", lambda s: tuple(sorted(s.dropna().unique()))),
    )
    n = pooled["factories_assessed"].astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled["rate_low_pct"] = np.where(n > 0, 100.0 * pooled["non_compliant_low"] / n, np.nan)
        pooled["rate_high_pct"] = np.where(n > 0, 100.0 * pooled["non_compliant_high"] / n,
                                           np.nan)
    pooled["rate_pct"] = (pooled["rate_low_pct"] + pooled["rate_high_pct"]) / 2.0
    pooled["publication"] = np.select([n <= 0, pooled["banded"] > 0], [SUPPRESSED, BANDED],
                                      SHOWN)
    pooled["factories_assessed"] = pooled["factories_assessed"].astype("int64")
    return pooled[columns]


def format_published(low_pct: float, high_pct: float, publication: str, note: str = "") -> str:
    """A published rate as text: "42 %", "41–43 %" (a range), or the note when suppressed."""
    if publication == SUPPRESSED or pd.isna(low_pct):
        return note or "not shown"
    lo, hi = round(float(low_pct)), round(float(high_pct))
    return f"{lo} %" if lo == hi else f"{lo}–{hi} %"
