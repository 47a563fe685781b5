"""Reference data: Better Work's assessment framework, read from ``reference/framework.yaml``.

The framework is data, not code: the clusters, compliance points and questions (with their
kind, public-disclosure and zero-tolerance marks) live in the YAML file beside this module, where
they can be reviewed and corrected without reading Python. This module only loads and checks
them, and offers them as frozen records:

* :data:`CLUSTERS` — the 8 clusters in the assessment tool's order, each with its compliance
  points and questions;
* :func:`iter_questions`, :func:`question_count`, :func:`zero_tolerance_issues`.

Nothing here touches a database or Streamlit; ``data_access.framework`` seeds the database from
these records, and the demo generator reads them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CLUSTERS",
    "FRAMEWORK_FILE",
    "QUESTION_KINDS",
    "ClusterSpec",
    "CompliancePointSpec",
    "QuestionSpec",
    "iter_questions",
    "load_framework",
    "question_count",
    "zero_tolerance_issues",
]

FRAMEWORK_FILE = Path(__file__).resolve().parent / "framework.yaml"

#: The two question types. Information-only questions are excluded from every rate.
QUESTION_KINDS: tuple[str, ...] = ("non_compliance", "information")


@dataclass(frozen=True)
class QuestionSpec:
    """One assessment question, e.g. code ``"OSH.2.01"``.

    ``public_disclosure`` marks issues published by factory name; ``zero_tolerance`` marks a
    finding that is a zero-tolerance issue (child or forced labour, violence, imminent danger),
    and ``issue`` says what such a finding means in a few plain words ("emergency exits locked
    during working hours"; empty for other questions).
    """

    code: str
    text: str
    kind: str
    public_disclosure: bool
    zero_tolerance: bool = False
    issue: str = ""


@dataclass(frozen=True)
class CompliancePointSpec:
    """A compliance point, e.g. code ``"OSH.2"``."""

    code: str
    name: str
    questions: tuple[QuestionSpec, ...]


@dataclass(frozen=True)
class ClusterSpec:
    """A cluster, e.g. code ``"OSH"``; ``core`` is True for the four core labour standards."""

    code: str
    name: str
    core: bool
    compliance_points: tuple[CompliancePointSpec, ...]


class FrameworkError(ValueError):
    """The framework file breaks one of its rules (the message says which entry)."""


def _question(raw: dict[str, Any], cp_code: str) -> QuestionSpec:
    code = str(raw.get("code", ""))
    if not code.startswith(cp_code + "."):
        raise FrameworkError(f"question {code!r} is not under compliance point {cp_code}")
    kind = raw.get("kind")
    if kind not in QUESTION_KINDS:
        raise FrameworkError(f"question {code}: kind must be one of {QUESTION_KINDS}")
    text = str(raw.get("text") or "").strip()
    if not text:
        raise FrameworkError(f"question {code} has no text")
    zero_tolerance = bool(raw.get("zero_tolerance", False))
    if zero_tolerance and kind != "non_compliance":
        raise FrameworkError(f"question {code}: only a non-compliance question can be zero "
                             "tolerance")
    issue = str(raw.get("issue") or "").strip()
    if zero_tolerance != bool(issue):
        raise FrameworkError(f"question {code}: a zero-tolerance question needs an issue, and "
                             "only such a question has one")
    return QuestionSpec(code, text, kind, bool(raw.get("public", False)), zero_tolerance, issue)


def load_framework(path: Path = FRAMEWORK_FILE) -> tuple[ClusterSpec, ...]:
    """Read and check the framework file.

    Raises:
        FrameworkError: a code out of place or repeated, an unknown kind, a compliance point
            without a non-compliance question, a repeated question text.
    """
    with path.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    clusters: list[ClusterSpec] = []
    codes: set[str] = set()
    texts: set[str] = set()
    for raw_cluster in document["clusters"]:
        cluster_code = str(raw_cluster["code"])
        points: list[CompliancePointSpec] = []
        for raw_cp in raw_cluster["compliance_points"]:
            cp_code = str(raw_cp["code"])
            if not cp_code.startswith(cluster_code + "."):
                raise FrameworkError(f"compliance point {cp_code} is not under {cluster_code}")
            questions = tuple(_question(q, cp_code) for q in raw_cp["questions"])
            if not any(q.kind == "non_compliance" for q in questions):
                raise FrameworkError(f"{cp_code} has no non-compliance question")
            for code in (cp_code, *(q.code for q in questions)):
                if code in codes:
                    raise FrameworkError(f"code {code} appears twice")
                codes.add(code)
            for question in questions:
                if question.text in texts:
                    raise FrameworkError(f"question text repeated: {question.text!r}")
                texts.add(question.text)
            points.append(CompliancePointSpec(cp_code, str(raw_cp["name"]), questions))
        codes.add(cluster_code)
        clusters.append(ClusterSpec(cluster_code, str(raw_cluster["name"]),
                                    bool(raw_cluster["core"]), tuple(points)))
    return tuple(clusters)


@cache
def _clusters() -> tuple[ClusterSpec, ...]:
    return load_framework()


#: The 8 clusters in the assessment tool's order; the first four (core labour standards) have
#: ``core=True``.
CLUSTERS: tuple[ClusterSpec, ...] = _clusters()


def iter_questions() -> Iterator[tuple[ClusterSpec, CompliancePointSpec, QuestionSpec]]:
    """Yield every (cluster, compliance point, question) in framework order."""
    for cluster in CLUSTERS:
        for cp in cluster.compliance_points:
            for question in cp.questions:
                yield cluster, cp, question


def zero_tolerance_issues() -> dict[str, str]:
    """Question code → what its zero-tolerance finding means, for the marked questions."""
    return {q.code: q.issue for _, _, q in iter_questions() if q.zero_tolerance}


def question_count() -> int:
    """Total number of questions (both kinds) in the framework."""
    return sum(len(cp.questions) for cluster in CLUSTERS for cp in cluster.compliance_points)
