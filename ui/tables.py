"""Table shapes shared by pages: the supplier directory's columns and its risk ordering."""

from __future__ import annotations

import pandas as pd

from metrics.risk import HIGH, UNKNOWN, ZERO_TOLERANCE, reason_sentences
from ui.components import risk_label
from ui.formatting import fmt_date
from ui.i18n import DEFAULT_LOCALE, N_, _, current_language, ngettext

#: the directory filters' choices in words (the Suppliers and Downloads pages); marked here,
#: translated where shown (:func:`labels`)
ASSESSMENT_LABELS = {"recent": N_("Assessed in the last 12 months"),
                     "older": N_("Assessment older than 12 months"),
                     "never": N_("Never assessed")}
PLAN_LABELS = {"": N_("Any"), "open": N_("Has open items"), "overdue": N_("Has overdue items"),
               "none_open": N_("No open items")}
GAP_LABELS = {"no_os_id": N_("No OS ID"), "no_geolocation": N_("No geolocation"),
              "not_disclosed": N_("Not publicly disclosed"),
              "incomplete_pledge": N_("Transparency Pledge fields incomplete")}
NOT_RANKED = N_("Not ranked")


def labels(words: dict[str, str]) -> dict[str, str]:
    """``words`` (code → marked English label) in the session's language: pass its ``.get``
    as a select box's ``format_func`` (the option values stay the codes)."""
    return {code: _(text) for code, text in words.items()}


def level_label(level: object) -> str:
    """A risk level with its symbol, in the session's language ("🔺 Alto"); no level → "Not
    ranked" (``ui.components.risk_label``, whose words are the English level names)."""
    if level is None or level is pd.NA or (isinstance(level, float) and level != level):
        return _(NOT_RANKED)
    shown, text = risk_label(level), str(level)
    # the words of the level, translated; the symbol as ui.components gives it
    return shown.replace(text, _(text)) if text in shown else shown


def localised_reasons(ranking: pd.DataFrame) -> pd.Series:
    """Each factory's reasons (``reason_list`` of a risk table) in the session's language,
    written again from the table's inputs (``metrics.risk.reason_sentences``): a list of
    sentences per row, same index. English: the table's own ``reason_list``."""
    if ranking.empty or current_language() == DEFAULT_LOCALE:
        return ranking["reason_list"] if "reason_list" in ranking else pd.Series(
            [], index=ranking.index, dtype="object")
    return pd.Series(reason_sentences(ranking, translate=_, ngettext=ngettext,
                                      format_date=fmt_date),
                     index=ranking.index, dtype="object")

#: the directory's columns that fit at 1440 px, most important first (risk leads)
DIRECTORY_COLUMNS = ["risk", "risk_score", "name", "country", "latest_assessed_on",
                     "compliance_pct", "non_compliant_cps", "open_plan_items",
                     "overdue_plan_items", "workers"]
#: shown after "More columns"
DIRECTORY_MORE_COLUMNS = ["city", "os_id", "tier", "facility_type", "women_pct",
                          "latest_cycle"]


def with_risk(directory: pd.DataFrame, risk: pd.DataFrame) -> pd.DataFrame:
    """The directory with each factory's risk level (symbol and words) and score, sorted as
    the risk ranking sorts (level first, then score, highest first); factories the ranking
    does not cover (former, closed) come last as "Not ranked"."""
    if risk.empty:
        merged = directory.assign(risk_score=float("nan"), risk_level=None, level_rank=None)
    else:
        merged = directory.merge(risk[["factory_id", "risk_score", "risk_level",
                                       "level_rank"]], on="factory_id", how="left")
    merged = merged.assign(risk=merged["risk_level"].map(level_label, na_action=None),
                           _rank=pd.to_numeric(merged["level_rank"]).fillna(99))
    merged = merged.sort_values(["_rank", "risk_score", "name"],
                                ascending=[True, False, True], na_position="last",
                                kind="stable")
    return merged.drop(columns="_rank").reset_index(drop=True)


#: the overview's "needing attention" list: how many, and which levels qualify
ATTENTION_MAX = 5
ATTENTION_LEVELS = (ZERO_TOLERANCE, HIGH, UNKNOWN)


def attention_list(ranking: pd.DataFrame, limit: int = ATTENTION_MAX) -> pd.DataFrame:
    """The top of the risk ranking (already in ranking order) among the levels that need
    action, each with its main (most severe) reason: ``factory_id, name, risk_level,
    risk_score, main_reason``."""
    if ranking.empty:
        return pd.DataFrame(columns=["factory_id", "name", "risk_level", "risk_score",
                                     "main_reason"])
    top = ranking[ranking["risk_level"].isin(ATTENTION_LEVELS)].head(limit)
    return top.assign(main_reason=localised_reasons(top).map(
        lambda sentences: sentences[0] if len(sentences) else ""))[
        ["factory_id", "name", "risk_level", "risk_score", "main_reason"]]
