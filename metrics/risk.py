"""Risk levels and a ranking score per factory: where a brand's due diligence should look first.

Severity comes before likelihood (OECD Due Diligence Guidance for the garment sector), and not
knowing is a gap to close, never a low risk. So the **level** is decided in this order:

1. **Zero tolerance — act now** (:data:`ZERO_TOLERANCE`): any zero-tolerance finding that is
   open, or reported fixed by the factory but not yet verified by a later assessment
   (``metrics.zero_tolerance``) — whatever the other figures say.
2. **Unknown — needs assessment** (:data:`UNKNOWN`): never assessed, or the latest assessment is
   older than the reporting window (:data:`metrics.portfolio.REPORTING_WINDOW_DAYS`, 18
   months): nothing current is known.
3. Otherwise the score: **High** ≥ :data:`HIGH_RISK_MIN_SCORE`, **Medium** ≥
   :data:`MEDIUM_RISK_MIN_SCORE`, else **Low**.

The **ranking** lists levels in the order of :data:`LEVELS` (zero tolerance, high, unknown,
medium, low — a factory known to be in a bad state comes before one about which nothing is
known, which comes before one known to be in a fair state), and by score within a level.

The **score** (0–100) adds six components, each a plain fact normalised to 0–1 by a cap
(:data:`RISK_CAPS`) times a weight in points (:data:`RISK_WEIGHTS`, they sum to 100)::

    component        input (0 → 1.0 at the cap)                                    cap   weight
    core_nc          open core-labour issues + ½ × those reported fixed, not yet      5      35
                     verified (Child Labour, Discrimination, Forced Labour, FoA;
                     zero-tolerance findings are counted apart, above)
    other_nc         the same for the other four clusters                           30      25
    assessment_age   days since the latest assessment                              548      10
    late_change      how far this factory's share of orders changed after            25      10
                     confirmation exceeds the brand's share at its other factories
                     (percentage points, from the 95 % lower bound at this factory)
    below_cost       the same for orders priced below cost                           25      10
    leverage         the brand's share of the factory's capacity, %                  30      10

    risk_score = Σ weight × min(value ÷ cap, 1), rounded to one decimal.

Why these components: every one must separate factories of one brand from each other, or it
cannot help rank them. The country's average non-compliance (nearly the same for every factory
of a country: 0.1 points of spread on the demo data) and the brand's payment delay (a brand-wide
habit: 0.3 points) were dropped; the brand's purchasing pressure counts only where it is
*higher than at the brand's other suppliers*, measured from the 95 % Wilson lower bound so that a
factory with three orders is not singled out by chance (``metrics.stats``). A fix reported by
the factory halves an issue's weight until an assessment verifies it. Leverage is not a risk to
workers by itself: a brand buying much of a factory's output has more responsibility for
conditions there and more power to improve them.

Reasons are full sentences, most severe first: zero-tolerance findings, the unknown state, then
the components from the largest contribution down, then gaps in the purchasing data, then
earlier zero-tolerance findings verified fixed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd

from metrics.portfolio import REPORTING_WINDOW_DAYS, REPORTING_WINDOW_MONTHS
from metrics.stats import wilson_interval
from reference.translation import N_, Ngettext, Translate, english_ngettext, identity

# the level names are the values of ``risk_level`` (extracts, API: English); the interface
# translates them at display (``_(level)``)
ZERO_TOLERANCE = N_("Zero tolerance — act now")
HIGH = N_("High")
UNKNOWN = N_("Unknown — needs assessment")
MEDIUM = N_("Medium")
LOW = N_("Low")
#: the levels in ranking order
LEVELS = (ZERO_TOLERANCE, HIGH, UNKNOWN, MEDIUM, LOW)

HIGH_RISK_MIN_SCORE = 50.0
MEDIUM_RISK_MIN_SCORE = 25.0
DAYS_PER_MONTH = 30.44
#: purchasing pressure is judged on the brand's orders confirmed in this many days before the
#: reference date: recent enough to be today's practice, long enough to have orders to count
PRACTICE_WINDOW_DAYS = 730

RISK_INPUT_COLUMNS = [
    "factory_id", "open_nc_core", "open_nc_other", "reported_fixed_core",
    "reported_fixed_other", "assessment_age_days", "zt_open", "zt_reported_fixed",
    "zt_verified_fixed", "late_change_excess_pct_points", "below_cost_excess_pct_points",
    "share_of_capacity_pct",
]
#: optional inputs that only change the wording of the reasons
REASON_COLUMNS = [
    "zt_open_issues", "zt_reported_issues", "zt_latest_found_on", "late_change_share_pct",
    "late_change_elsewhere_pct", "below_cost_share_pct", "below_cost_elsewhere_pct",
    "practice_orders", "costed_orders",
]


@dataclass(frozen=True)
class RiskWeights:
    """Points each component can add to the 0–100 score (they must sum to 100)."""

    core_nc: float = 35.0
    other_nc: float = 25.0
    assessment_age: float = 10.0
    late_change: float = 10.0
    below_cost: float = 10.0
    leverage: float = 10.0

    def __post_init__(self) -> None:
        total = sum(asdict(self).values())
        if abs(total - 100.0) > 1e-9:
            raise ValueError(f"risk weights must sum to 100, not {total}")
        if any(w < 0 for w in asdict(self).values()):
            raise ValueError("risk weights cannot be negative")


@dataclass(frozen=True)
class RiskCaps:
    """The input value at which each component reaches 1.0 (values above are capped)."""

    core_nc: float = 5.0  # open core-labour issues (reported fixed count half)
    other_nc: float = 30.0  # other open issues (~200 questions; OSH alone often has many)
    assessment_age: float = float(REPORTING_WINDOW_DAYS)  # days: the 18-month window
    late_change: float = 25.0  # percentage points above the brand's other factories
    below_cost: float = 25.0  # percentage points above the brand's other factories
    leverage: float = 30.0  # % of the factory's annual output


RISK_WEIGHTS = RiskWeights()
RISK_CAPS = RiskCaps()
COMPONENTS = tuple(f.name for f in fields(RiskWeights))

#: component → what it counts, in words (pages and the extract's data dictionary)
COMPONENT_LABELS = {
    "core_nc": N_("Open core-labour issues"),
    "other_nc": N_("Other open issues"),
    "assessment_age": N_("Assessment age"),
    "late_change": N_("Late changes above your usual"),
    "below_cost": N_("Below-cost prices above your usual"),
    "leverage": N_("Your share of capacity"),
}

#: writes a date in the reader's language (``ui.formatting.fmt_date`` in the interface)
FormatDate = Callable[[object], str]


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


# ---- inputs ---------------------------------------------------------------------------------


def relative_practices(measures: pd.DataFrame, as_of) -> pd.DataFrame:
    """The brand's purchasing pressure at each factory compared with its other factories.

    For each flag (changed after confirmation; priced below cost), over the brand's orders
    confirmed in the :data:`PRACTICE_WINDOW_DAYS` up to ``as_of``: at this factory, k of n orders
    (orders that can tell, as in ``metrics.purchasing``); at the brand's other factories, K − k
    of N − n. The excess is how far the 95 % Wilson lower bound at this factory lies above the
    share elsewhere, in percentage points, never below 0:

        excess = max(0, wilson_low(k, n) − 100 × (K − k) ÷ (N − n))

    Args:
        measures: :func:`metrics.purchasing.order_measures` output for all the brand's orders
            (``factory_id, confirmed_on, changed_late, below_cost``).
        as_of: the reference date.

    Returns:
        One row per factory with orders in the window: ``factory_id, practice_orders``,
        ``late_change_share_pct``, ``late_change_elsewhere_pct``,
        ``late_change_excess_pct_points``, ``costed_orders``, ``below_cost_share_pct``,
        ``below_cost_elsewhere_pct``, ``below_cost_excess_pct_points``. NaN where no order can
        tell (or the brand has no other factory to compare with; excess then NaN → 0 points).
    """
    columns = ["factory_id", "practice_orders", "late_change_share_pct",
               "late_change_elsewhere_pct", "late_change_excess_pct_points", "costed_orders",
               "below_cost_share_pct", "below_cost_elsewhere_pct",
               "below_cost_excess_pct_points"]
    if measures.empty:
        return pd.DataFrame(columns=columns)
    end = pd.Timestamp(as_of)
    confirmed = pd.to_datetime(measures["confirmed_on"])
    recent = measures[(confirmed <= end)
                      & (confirmed > end - pd.Timedelta(days=PRACTICE_WINDOW_DAYS))]
    out = pd.DataFrame({"factory_id": sorted(recent["factory_id"].unique())})
    out["practice_orders"] = out["factory_id"].map(recent.groupby("factory_id").size())
    for flag, name, n_name in (("changed_late", "late_change", None),
                               ("below_cost", "below_cost", "costed_orders")):
        known = recent[recent[flag].notna()]
        per = known.groupby("factory_id")[flag].agg(["sum", "size"])
        k = out["factory_id"].map(per["sum"]).fillna(0).astype("float64")
        n = out["factory_id"].map(per["size"]).fillna(0).astype("float64")
        total_k, total_n = float(per["sum"].sum()), float(per["size"].sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(n > 0, 100.0 * k / n, np.nan)
            elsewhere = np.where(total_n - n > 0, 100.0 * (total_k - k) / (total_n - n), np.nan)
        low, _ = wilson_interval(k, n)
        out[f"{name}_share_pct"] = share
        out[f"{name}_elsewhere_pct"] = elsewhere
        out[f"{name}_excess_pct_points"] = np.clip(low - elsewhere, 0.0, None)
        if n_name:
            out[n_name] = n.astype("int64")
    return out[columns]


# ---- score and level --------------------------------------------------------------------------


def risk_components(factories: pd.DataFrame, caps: RiskCaps = RISK_CAPS) -> pd.DataFrame:
    """Each component normalised to 0–1 (value ÷ cap, clipped), with the missing-data rules:
    never assessed → issue counts 0 (there are no findings to count) and ``assessment_age``
    1.0 (maximum uncertainty; the level is Unknown anyway); no orders, no costing, no capacity
    figure → 0 (the reasons say so).

    Returns:
        One float column per :data:`COMPONENTS` name, same index as ``factories``.
    """
    missing = [c for c in RISK_INPUT_COLUMNS if c not in factories.columns]
    if missing:
        raise ValueError(f"risk input lacks column(s): {', '.join(missing)}")
    core = _numbers(factories, "open_nc_core").fillna(0) \
        + 0.5 * _numbers(factories, "reported_fixed_core").fillna(0)
    other = _numbers(factories, "open_nc_other").fillna(0) \
        + 0.5 * _numbers(factories, "reported_fixed_other").fillna(0)
    age = _numbers(factories, "assessment_age_days")
    values = {
        "core_nc": core,
        "other_nc": other,
        "assessment_age": age.clip(lower=0),
        "late_change": _numbers(factories, "late_change_excess_pct_points"),
        "below_cost": _numbers(factories, "below_cost_excess_pct_points"),
        "leverage": _numbers(factories, "share_of_capacity_pct"),
    }
    out = {c: (v / getattr(caps, c)).clip(0.0, 1.0).fillna(0.0) for c, v in values.items()}
    out["assessment_age"] = out["assessment_age"].mask(age.isna(), 1.0)
    return pd.DataFrame(out, index=factories.index)


def risk_level(factories: pd.DataFrame, score: pd.Series) -> pd.Series:
    """The level of each factory (module docstring): zero tolerance, then unknown, then the
    score's High (≥ :data:`HIGH_RISK_MIN_SCORE`) / Medium (≥ :data:`MEDIUM_RISK_MIN_SCORE`) /
    Low."""
    live = (_numbers(factories, "zt_open").fillna(0)
            + _numbers(factories, "zt_reported_fixed").fillna(0)) > 0
    age = _numbers(factories, "assessment_age_days")
    unknown = age.isna() | (age > REPORTING_WINDOW_DAYS)
    levels = np.select(
        [live.to_numpy(), unknown.to_numpy(), (score >= HIGH_RISK_MIN_SCORE).to_numpy(),
         (score >= MEDIUM_RISK_MIN_SCORE).to_numpy()],
        [ZERO_TOLERANCE, UNKNOWN, HIGH, MEDIUM], LOW)
    return pd.Series(levels, index=factories.index, name="risk_level", dtype="object")


def risk_scores(
    factories: pd.DataFrame,
    weights: RiskWeights = RISK_WEIGHTS,
    caps: RiskCaps = RISK_CAPS,
) -> pd.DataFrame:
    """Risk level, score and reasons per factory.

    Args:
        factories: one row per factory with :data:`RISK_INPUT_COLUMNS` (module docstring;
            ``assessment_age_days`` NaN = never assessed; issue counts NaN = never assessed;
            purchasing columns from :func:`relative_practices`, NaN = no orders) and, for the
            wording, any of :data:`REASON_COLUMNS`.
        weights, caps: the components' points and caps (defaults :data:`RISK_WEIGHTS`,
            :data:`RISK_CAPS`).

    Returns:
        ``factories`` (same index and order) plus ``<component>_points`` for each component
        (they add up to the score), ``risk_score`` (0–100, one decimal), ``risk_level``
        (:data:`LEVELS`), ``level_rank`` (0 = most urgent), ``reasons`` (full sentences, most
        severe first, one string) and ``reason_list`` (the same sentences as a list).
    """
    components = risk_components(factories, caps)
    weight = pd.Series(asdict(weights))
    points = components * weight[components.columns]
    score = points.sum(axis=1).round(1)
    level = risk_level(factories, score)
    sentences = _reasons(factories, points)
    out = factories.copy()
    for component in COMPONENTS:
        out[f"{component}_points"] = points[component]
    out["risk_score"] = score
    out["risk_level"] = level
    out["level_rank"] = level.map({name: i for i, name in enumerate(LEVELS)}).astype("int64")
    out["reason_list"] = pd.Series(sentences, index=factories.index, dtype="object")
    out["reasons"] = pd.Series([" ".join(s) for s in sentences], index=factories.index,
                               dtype="object")
    return out


def rank(scored: pd.DataFrame) -> pd.DataFrame:
    """Sort a :func:`risk_scores` frame for the ranking: by level (:data:`LEVELS` order), then
    live zero-tolerance findings, then score (highest first), then name."""
    live = (_numbers(scored, "zt_open").fillna(0) * 1000
            + _numbers(scored, "zt_reported_fixed").fillna(0))
    keyed = scored.assign(_live=live)
    by = ["level_rank", "_live", "risk_score"] + (["name"] if "name" in scored.columns else [])
    ascending = [True, False, False] + ([True] if "name" in scored.columns else [])
    return keyed.sort_values(by, ascending=ascending, kind="stable").drop(columns="_live") \
        .reset_index(drop=True)


# ---- reasons --------------------------------------------------------------------------------
#
# Every reason is one whole sentence of the catalogues (``N_``, or for a count a
# ``lambda ngettext, n: ngettext(singular, plural, n)`` that the extractor records as a plural
# entry and :class:`_Words` calls with the language's ``ngettext``), filled
# after translating: the interface passes ``translate``, ``ngettext`` and ``format_date`` to
# :func:`reason_sentences` to show the reasons in the reader's language; the stored ``reasons``
# and ``reason_list`` (extracts, API) are English.


def _date(value) -> str:
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {stamp:%b %Y}"


#: a sentence with a count: its singular and plural, picked by the ``ngettext`` it is given
Forms = Callable[[Ngettext, int], str]

#: (issues named?, date known?) → the open zero-tolerance sentence
_ZT_OPEN: dict[tuple[bool, bool], Forms] = {
    (True, True): lambda ngettext, n: ngettext(
        "An open zero-tolerance finding ({issues}), found at the assessment of {date}.",
        "{n} open zero-tolerance findings ({issues}), the latest found at the assessment of "
        "{date}.", n),
    (False, True): lambda ngettext, n: ngettext(
        "An open zero-tolerance finding, found at the assessment of {date}.",
        "{n} open zero-tolerance findings, the latest found at the assessment of {date}.", n),
    (True, False): lambda ngettext, n: ngettext(
        "An open zero-tolerance finding ({issues}).",
        "{n} open zero-tolerance findings ({issues}).", n),
    (False, False): lambda ngettext, n: ngettext(
        "An open zero-tolerance finding.", "{n} open zero-tolerance findings.", n),
}
#: issues named? → the reported-fixed zero-tolerance sentence
_ZT_REPORTED: dict[bool, Forms] = {
    True: lambda ngettext, n: ngettext(
        "A zero-tolerance finding ({issues}) reported fixed by the factory, not yet verified "
        "by an assessment.",
        "{n} zero-tolerance findings ({issues}) reported fixed by the factory, not yet "
        "verified by an assessment.", n),
    False: lambda ngettext, n: ngettext(
        "A zero-tolerance finding reported fixed by the factory, not yet verified by an "
        "assessment.",
        "{n} zero-tolerance findings reported fixed by the factory, not yet verified by an "
        "assessment.", n),
}
#: (kind, beside zero tolerance?, case) → the issues sentence; case "open": open issues only,
#: "open_more": open and more reported fixed, "reported": reported fixed only
_ISSUES: dict[tuple[str, bool, str], Forms] = {
    ("core", False, "open"): lambda ngettext, n: ngettext(
        "{n} open core-labour issue.", "{n} open core-labour issues.", n),
    ("core", False, "open_more"): lambda ngettext, n: ngettext(
        "{n} open core-labour issue, and {more} more reported fixed by the factory, not yet "
        "verified by an assessment.",
        "{n} open core-labour issues, and {more} more reported fixed by the factory, not yet "
        "verified by an assessment.", n),
    ("core", False, "reported"): lambda ngettext, n: ngettext(
        "{n} core-labour issue reported fixed by the factory, not yet verified by an "
        "assessment.",
        "{n} core-labour issues reported fixed by the factory, not yet verified by an "
        "assessment.", n),
    ("core", True, "open"): lambda ngettext, n: ngettext(
        "{n} other open core-labour issue.", "{n} other open core-labour issues.", n),
    ("core", True, "open_more"): lambda ngettext, n: ngettext(
        "{n} other open core-labour issue, and {more} more reported fixed by the factory, not "
        "yet verified by an assessment.",
        "{n} other open core-labour issues, and {more} more reported fixed by the factory, "
        "not yet verified by an assessment.", n),
    ("core", True, "reported"): lambda ngettext, n: ngettext(
        "{n} other core-labour issue reported fixed by the factory, not yet verified by an "
        "assessment.",
        "{n} other core-labour issues reported fixed by the factory, not yet verified by an "
        "assessment.", n),
    ("other", False, "open"): lambda ngettext, n: ngettext(
        "{n} open issue in wages, contracts, safety and health or working time.",
        "{n} open issues in wages, contracts, safety and health or working time.", n),
    ("other", False, "open_more"): lambda ngettext, n: ngettext(
        "{n} open issue in wages, contracts, safety and health or working time, and {more} "
        "more reported fixed by the factory, not yet verified by an assessment.",
        "{n} open issues in wages, contracts, safety and health or working time, and {more} "
        "more reported fixed by the factory, not yet verified by an assessment.", n),
    ("other", False, "reported"): lambda ngettext, n: ngettext(
        "{n} issue in wages, contracts, safety and health or working time reported fixed by "
        "the factory, not yet verified by an assessment.",
        "{n} issues in wages, contracts, safety and health or working time reported fixed by "
        "the factory, not yet verified by an assessment.", n),
}
NEVER_ASSESSED = N_("Never assessed: nothing is known about working conditions here until an "
                    "assessment.")


def _too_old(ngettext: Ngettext, n: int) -> str:
    return ngettext("The latest assessment is {n} month old, older than the {window}-month "
                    "reporting window: its findings may no longer hold.",
                    "The latest assessment is {n} months old, older than the {window}-month "
                    "reporting window: its findings may no longer hold.", n)


def _last_assessed(ngettext: Ngettext, n: int) -> str:
    return ngettext("Last assessed {n} month ago.", "Last assessed {n} months ago.", n)


def _verified(ngettext: Ngettext, n: int) -> str:
    return ngettext("{n} earlier zero-tolerance finding was verified fixed at a later "
                    "assessment.",
                    "{n} earlier zero-tolerance findings were verified fixed at a later "
                    "assessment.", n)


LATE_CHANGE = N_("{share} % of your orders here were changed after confirmation in the last "
                 "two years, against {elsewhere} % at your other suppliers.")
BELOW_COST = N_("{share} % of your orders here were priced below cost in the last two years, "
                "against {elsewhere} % at your other suppliers.")
LEVERAGE = N_("You buy about {share} % of the factory's output: more power to improve "
              "conditions here, and more responsibility for them.")
NO_ORDERS = N_("None of your orders of the last two years is in the data, so your purchasing "
               "practices here cannot be judged.")
NO_COSTING = N_("None of your orders here has a costing, so below-cost prices cannot be "
                "checked.")
NO_RISK_FACTOR = N_("No risk factor found in the data.")


@dataclass(frozen=True)
class _Words:
    """The language the reasons are written in."""

    translate: Translate = identity
    ngettext: Ngettext = english_ngettext
    format_date: FormatDate = _date

    def one(self, message: str, **values) -> str:
        return self.translate(message).format(**values)

    def count(self, forms: Forms, n: int, **values) -> str:
        """``forms``: the sentence's singular and plural, picked by the given ``ngettext``."""
        return forms(self.ngettext, n).format(n=n, **values)


_ENGLISH = _Words()


def _zero_tolerance_sentences(open_n: float, reported_n: float, open_issues: str,
                              reported_issues: str, found_on,
                              words: _Words = _ENGLISH) -> list[str]:
    """e.g. "An open zero-tolerance finding (emergency exits locked during working hours),
    found at the assessment of 16 Feb 2026." """
    out = []
    if open_n > 0:
        n = round(open_n)
        dated = bool(pd.notna(found_on))
        out.append(words.count(_ZT_OPEN[(bool(open_issues), dated)], n, issues=open_issues,
                               date=words.format_date(pd.Timestamp(found_on)) if dated else ""))
    if reported_n > 0:
        out.append(words.count(_ZT_REPORTED[bool(reported_issues)], round(reported_n),
                               issues=reported_issues))
    return out


def _issues_sentence(open_n: float, reported_n: float, kind: str, *, other: bool = False,
                     words: _Words = _ENGLISH) -> str | None:
    """e.g. "3 open core-labour issues, and 1 more reported fixed by the factory, not yet
    verified by an assessment." (``other``: "3 other open …", beside zero-tolerance findings)."""
    if open_n > 0:
        case = "open_more" if reported_n > 0 else "open"
        return words.count(_ISSUES[(kind, other, case)], round(float(open_n)),
                           more=round(float(reported_n)))
    if reported_n > 0:
        return words.count(_ISSUES[(kind, other, "reported")], round(float(reported_n)))
    return None


def _reasons(factories: pd.DataFrame, points: pd.DataFrame,
             words: _Words = _ENGLISH) -> list[list[str]]:
    """The sentences of each factory's reasons (see :func:`risk_scores`)."""
    get = {c: _numbers(factories, c).to_numpy() for c in (
        "open_nc_core", "open_nc_other", "reported_fixed_core", "reported_fixed_other",
        "assessment_age_days", "zt_open", "zt_reported_fixed", "zt_verified_fixed",
        "late_change_share_pct", "late_change_elsewhere_pct", "below_cost_share_pct",
        "below_cost_elsewhere_pct", "share_of_capacity_pct", "practice_orders",
        "costed_orders")}
    text = {c: (factories[c].fillna("").astype(str).to_numpy() if c in factories.columns
                else np.full(len(factories), "", dtype=object))
            for c in ("zt_open_issues", "zt_reported_issues")}
    found_on = (factories["zt_latest_found_on"].to_numpy() if "zt_latest_found_on"
                in factories.columns else np.full(len(factories), None))
    contributions = points.to_numpy()
    names = list(points.columns)
    order = np.argsort(-contributions, axis=1, kind="stable")
    result: list[list[str]] = []
    for row in range(len(factories)):
        def value(column: str, row: int = row) -> float:
            v = get[column][row]
            return 0.0 if np.isnan(v) else float(v)

        zt_open, zt_reported = value("zt_open"), value("zt_reported_fixed")
        sentences = _zero_tolerance_sentences(zt_open, zt_reported, text["zt_open_issues"][row],
                                              text["zt_reported_issues"][row], found_on[row],
                                              words)
        age = get["assessment_age_days"][row]
        if np.isnan(age):
            sentences.append(words.one(NEVER_ASSESSED))
        elif age > REPORTING_WINDOW_DAYS:
            months = round(float(age / DAYS_PER_MONTH))
            sentences.append(words.count(_too_old, months, window=REPORTING_WINDOW_MONTHS))
        has_zero = zt_open + zt_reported > 0
        for i in order[row]:
            component = names[i]
            if contributions[row, i] < 0.5:
                continue
            sentence = _component_sentence(component, row, get, has_zero, words)
            if sentence:
                sentences.append(sentence)
        no_orders = np.isnan(get["practice_orders"][row]) or value("practice_orders") == 0
        if no_orders:
            sentences.append(words.one(NO_ORDERS))
        elif value("costed_orders") == 0:
            sentences.append(words.one(NO_COSTING))
        verified = value("zt_verified_fixed")
        if verified > 0:
            sentences.append(words.count(_verified, round(verified)))
        result.append(sentences or [words.one(NO_RISK_FACTOR)])
    return result


def reason_sentences(scored: pd.DataFrame, *, translate: Translate = identity,
                     ngettext: Ngettext = english_ngettext,
                     format_date: FormatDate = _date) -> list[list[str]]:
    """The reasons of each factory of a :func:`risk_scores` (or :func:`rank`) frame, written
    again with ``translate``, ``ngettext`` and ``format_date`` (the interface passes its own, so
    that a page shows the reasons in the reader's language; the defaults give the English of
    ``reason_list``). Same order as the frame's rows."""
    points = pd.DataFrame({c: _numbers(scored, f"{c}_points").fillna(0.0) for c in COMPONENTS},
                          index=scored.index)
    return _reasons(scored, points, _Words(translate, ngettext, format_date))


def _nan_to_zero(value: float) -> float:
    """``np.nan_to_num`` for one count (no infinities here), without numpy's per-call cost
    (≈ 40 % of the risk table's reasons for 4,700 suppliers)."""
    return 0.0 if math.isnan(value) else value


def _component_sentence(component: str, row: int, get: dict[str, np.ndarray],
                        has_zero: bool, words: _Words = _ENGLISH) -> str | None:
    def value(column: str) -> float:
        return float(get[column][row])

    if component == "core_nc":
        return _issues_sentence(_nan_to_zero(value("open_nc_core")),
                                _nan_to_zero(value("reported_fixed_core")), "core",
                                other=has_zero, words=words)
    if component == "other_nc":
        return _issues_sentence(_nan_to_zero(value("open_nc_other")),
                                _nan_to_zero(value("reported_fixed_other")), "other",
                                words=words)
    if component == "assessment_age":
        months = value("assessment_age_days") / DAYS_PER_MONTH
        if np.isnan(months) or months > REPORTING_WINDOW_MONTHS:
            return None  # said above, as the unknown level
        return words.count(_last_assessed, round(months))
    if component in ("late_change", "below_cost"):
        share, elsewhere = value(f"{component}_share_pct"), value(f"{component}_elsewhere_pct")
        return words.one(LATE_CHANGE if component == "late_change" else BELOW_COST,
                         share=f"{share:.0f}", elsewhere=f"{elsewhere:.0f}")
    if component == "leverage":
        return words.one(LEVERAGE, share=f"{value('share_of_capacity_pct'):.0f}")
    raise ValueError(f"unknown component {component!r}")
