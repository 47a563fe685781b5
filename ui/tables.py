"""Table shapes shared by pages: the supplier directory's columns and its risk ordering."""

from __future__ import annotations

import pandas as pd

from metrics.risk import HIGH, UNKNOWN, ZERO_TOLERANCE
from ui.components import risk_label

#: the directory filters' choices in words (the Suppliers and Downloads pages)
ASSESSMENT_LABELS = {"recent": "Assessed in the last 12 months",
                     "older": "Assessment older than 12 months", "never": "Never assessed"}
PLAN_LABELS = {"": "Any", "open": "Has open items", "overdue": "Has overdue items",
               "none_open": "No open items"}
GAP_LABELS = {"no_os_id": "No OS ID", "no_geolocation": "No geolocation",
              "not_disclosed": "Not publicly disclosed",
              "incomplete_pledge": "Transparency Pledge fields incomplete"}

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
    merged = merged.assign(risk=merged["risk_level"].map(risk_label, na_action=None),
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
    return top.assign(main_reason=top["reason_list"].map(
        lambda sentences: sentences[0] if len(sentences) else ""))[
        ["factory_id", "name", "risk_level", "risk_score", "main_reason"]]
