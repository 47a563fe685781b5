"""Zero-tolerance findings and their state: open, reported fixed, verified fixed.

Better Work's Zero Tolerance Protocol names the issues it acts on at once: child labour (below
the minimum age; the unconditional worst forms), forced labour (confinement, debt bondage,
threats or violence, forced overtime, prison labour), corporal punishment, physical abuse and
violence including sexual violence, and imminent threats to workers' safety. The framework marks
the questions whose finding is such an issue (``zero_tolerance``).

Each non-compliant finding on such a question, from one assessment of one factory, is in exactly
one state (:func:`classify`), decided by the first *later* assessment of the same factory that
answered the same question (up to the reference date) and by its improvement-plan item:

* :data:`FOUND_AGAIN` — that later assessment found it non-compliant again: this finding is
  superseded by the later one (which has its own state);
* :data:`VERIFIED_FIXED` — that later assessment found the question compliant: the fix is
  verified;
* :data:`REPORTED_FIXED` — no later assessment yet, and the factory marked the finding's
  improvement-plan item Completed: reported fixed by the factory, **not yet verified** by an
  assessment (a factory's own report is not verification; Better Work verifies fixes at its next
  visit);
* :data:`OPEN` — no later assessment yet, and no Completed plan item.

Only :data:`OPEN` and :data:`REPORTED_FIXED` findings are live. A factory with any live
zero-tolerance finding is at the top risk level (``metrics.risk``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

OPEN = "Open"
REPORTED_FIXED = "Reported fixed by the factory, not yet verified"
VERIFIED_FIXED = "Verified fixed at a later assessment"
FOUND_AGAIN = "Found again at the next assessment"
#: the states, most urgent first
STATES = (OPEN, REPORTED_FIXED, FOUND_AGAIN, VERIFIED_FIXED)
LIVE_STATES = (OPEN, REPORTED_FIXED)

FINDING_COLUMNS = [
    "factory_id", "assessment_id", "assessed_on", "cycle", "question_code", "question_text",
    "cluster_name", "cp_name", "plan_status", "verified_on", "found_again_on",
]
SUMMARY_COLUMNS = [
    "factory_id", "zt_open", "zt_reported_fixed", "zt_verified_fixed", "zt_open_issues",
    "zt_reported_issues", "zt_latest_found_on",
]


def classify(findings: pd.DataFrame, issues: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The state of each non-compliant zero-tolerance finding.

    Args:
        findings: :func:`data_access.factories.zero_tolerance_findings` output — one row per
            non-compliant finding on a zero-tolerance question (:data:`FINDING_COLUMNS`):
            ``verified_on`` / ``found_again_on`` are the dates of the first later assessment
            of the same factory that found the question compliant / non-compliant (NaT if
            none); ``plan_status`` the finding's improvement-plan item status (None if none).

    Returns:
        ``findings`` plus ``state`` (one of :data:`STATES`), ``issue`` ("Child Labourers
        (Child Labour)": the compliance point and its cluster, in words), sorted most urgent first,
        then newest first.
    """
    if findings.empty:
        return findings.assign(state=pd.Series(dtype="object"),
                               issue=pd.Series(dtype="object"))
    verified = pd.to_datetime(findings["verified_on"])
    again = pd.to_datetime(findings["found_again_on"])
    found_again = again.notna() & (verified.isna() | (again <= verified))
    state = np.select(
        [found_again.to_numpy(), verified.notna().to_numpy(),
         (findings["plan_status"] == "Completed").to_numpy()],
        [FOUND_AGAIN, VERIFIED_FIXED, REPORTED_FIXED], OPEN)
    fallback = findings["cp_name"] + " (" + findings["cluster_name"] + ")"
    named = findings["question_code"].map(dict(issues or {}))
    out = findings.assign(state=state, issue=named.where(named.notna() & (named != ""),
                                                         fallback))
    rank = out["state"].map({s: i for i, s in enumerate(STATES)})
    return out.assign(_rank=rank).sort_values(
        ["_rank", "assessed_on"], ascending=[True, False], kind="stable"
    ).drop(columns="_rank").reset_index(drop=True)


def per_factory(classified: pd.DataFrame) -> pd.DataFrame:
    """Counts per factory: ``zt_open``, ``zt_reported_fixed``, ``zt_verified_fixed`` (findings
    in each state), ``zt_open_issues`` / ``zt_reported_issues`` (their issues in words, "; "
    between distinct issues) and ``zt_latest_found_on`` (date of the newest live finding).
    Factories without any zero-tolerance finding are absent (their counts are 0)."""
    if classified.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    state = classified["state"]
    is_open, reported = state == OPEN, state == REPORTED_FIXED
    live_on = pd.to_datetime(classified["assessed_on"]).where(is_open | reported)
    flags = classified.assign(o=is_open.astype("int64"), r=reported.astype("int64"),
                              v=(state == VERIFIED_FIXED).astype("int64"), live_on=live_on)
    out = flags.groupby("factory_id").agg(
        zt_open=("o", "sum"), zt_reported_fixed=("r", "sum"), zt_verified_fixed=("v", "sum"),
        zt_latest_found_on=("live_on", "max"))

    def issues(rows: pd.DataFrame) -> pd.Series:
        """Distinct issues per factory, in the (most urgent, newest first) order of rows."""
        return rows.groupby("factory_id", sort=False)["issue"].agg(
            lambda names: "; ".join(dict.fromkeys(names)))

    out["zt_open_issues"] = issues(classified[is_open]).reindex(out.index).fillna("")
    out["zt_reported_issues"] = issues(classified[reported]).reindex(out.index).fillna("")
    return out.reset_index()[SUMMARY_COLUMNS]
