"""Reference data: Better Work's assessment framework, read from ``reference/framework.yaml``.

The framework is data, not code: the clusters, compliance points and questions (with their
kind, public-disclosure and zero-tolerance marks) live in the YAML file beside this module, where
they can be reviewed and corrected without reading Python. This module only loads and checks
them, and offers them as frozen records:

* :data:`CLUSTERS` — the 8 clusters in the assessment tool's order, each with its compliance
  points and questions;
* :func:`iter_questions`, :func:`question_count`, :func:`zero_tolerance_issues`;
* :func:`framework_name`, :func:`framework_names`, :func:`zero_tolerance_issue`: the names of
  clusters and compliance points (and the zero-tolerance issues' words) in a language, from
  ``reference/framework_translations.yaml`` (English: ``framework.yaml`` itself).

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
    "TRANSLATIONS_FILE",
    "ClusterSpec",
    "CompliancePointSpec",
    "QuestionSpec",
    "framework_name",
    "framework_names",
    "iter_questions",
    "load_framework",
    "question_count",
    "translated_languages",
    "zero_tolerance_issue",
    "zero_tolerance_issues",
]

FRAMEWORK_FILE = Path(__file__).resolve().parent / "framework.yaml"
TRANSLATIONS_FILE = Path(__file__).resolve().parent / "framework_translations.yaml"

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


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader


def load_framework(path: Path = FRAMEWORK_FILE) -> tuple[ClusterSpec, ...]:
    """Read and check the framework file.

    Raises:
        FrameworkError: a code out of place or repeated, an unknown kind, a compliance point
            without a non-compliance question, a repeated question text.
    """
    document = _read_yaml(path)
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


# ---- the framework in other languages --------------------------------------------------------


@dataclass(frozen=True)
class _Translations:
    languages: tuple[str, ...]
    #: language → code → text
    names: dict[str, dict[str, str]]
    issues: dict[str, dict[str, str]]


def load_translations(path: Path = TRANSLATIONS_FILE,
                      clusters: tuple[ClusterSpec, ...] | None = None) -> _Translations:
    """Read and check the translations file: every cluster and compliance point of the
    framework, and every zero-tolerance issue, has a non-empty text in every listed language,
    and no entry names a code the framework does not have.

    Raises:
        FrameworkError: a missing, empty or unknown entry (the message says which).
    """
    clusters = _clusters() if clusters is None else clusters
    document = _read_yaml(path)
    languages = tuple(str(code) for code in document["languages"])
    name_codes = {c.code for c in clusters} | {cp.code for c in clusters
                                               for cp in c.compliance_points}
    issue_codes = {q.code for c in clusters for cp in c.compliance_points
                   for q in cp.questions if q.zero_tolerance}
    tables: dict[str, dict[str, dict[str, str]]] = {}
    for section, codes in (("names", name_codes), ("issues", issue_codes)):
        raw = document.get(section) or {}
        unknown = sorted(set(map(str, raw)) - codes)
        if unknown:
            raise FrameworkError(f"{section}: no such code in the framework: {unknown}")
        table: dict[str, dict[str, str]] = {language: {} for language in languages}
        for code in sorted(codes):
            entry = raw.get(code) or {}
            for language in languages:
                text = str(entry.get(language) or "").strip()
                if not text:
                    raise FrameworkError(f"{section}: {code} has no {language} text")
                table[language][code] = text
        tables[section] = table
    return _Translations(languages, tables["names"], tables["issues"])


@cache
def _translations() -> _Translations:
    return load_translations()


def _language(locale: str | None) -> str:
    """``"es_AR"``, ``"es-AR"`` → ``"es"``; None → English."""
    return (locale or "en").replace("-", "_").split("_")[0].lower()


def translated_languages() -> tuple[str, ...]:
    """The languages the framework's names are translated into (besides English)."""
    return _translations().languages


@cache
def _names(language: str) -> dict[str, str]:
    english = {c.code: c.name for c in CLUSTERS} | {cp.code: cp.name for c in CLUSTERS
                                                     for cp in c.compliance_points}
    return english | _translations().names.get(language, {})


def framework_names(locale: str | None = "en") -> dict[str, str]:
    """Code → name of every cluster and compliance point in ``locale`` (English for English
    or a language without translations)."""
    return dict(_names(_language(locale)))


def framework_name(code: str, locale: str | None = "en") -> str:
    """The name of the cluster or compliance point ``code`` in ``locale``; English when the
    language has no translations.

    Raises:
        KeyError: no cluster or compliance point has this code.
    """
    return _names(_language(locale))[code]


def zero_tolerance_issue(code: str, locale: str | None = "en") -> str:
    """What the zero-tolerance finding of question ``code`` means, in ``locale``.

    Raises:
        KeyError: not a zero-tolerance question.
    """
    english = zero_tolerance_issues()[code]
    return _translations().issues.get(_language(locale), {}).get(code, english)
