"""Supplier review reads: the directory, one factory's profile, several factories compared.

Every function takes the signed-in :class:`Viewer`. A factory is reachable only through one of
the viewer's brand's sourcing relationships (active or former); any other id — unknown, or
another brand's — raises :class:`NotFound` with the same message, so an id in a URL is never a
key to another brand's data. Assessment results are factory-level and shared with every brand
that sources from the factory; other buyers are only ever *counted*, never named.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, Select, and_, case, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from data_access.errors import NotFound
from data_access.schema import (
    Assessment,
    Cluster,
    CompliancePoint,
    Factory,
    FactoryLatestAssessment,
    FactoryOpenPlanItems,
    Finding,
    ImprovementPlanItem,
    LatestClusterResult,
    LatestCompliancePointResult,
    Question,
    SourcingRelationship,
)
from data_access.scope import scoped_connection, system_connection
from data_access.sqlutil import (
    ID_MAX,
    non_compliant_int,
    possible_ids,
    possible_texts,
    read_frame,
)
from data_access.viewer import Viewer

NOT_FOUND_MESSAGE = (
    "Factory not found. It may not exist, or your brand does not source from it."
)
ASSESSMENT_AGE_CHOICES = ("recent", "older", "never")
PLAN_STATUS_CHOICES = ("open", "overdue", "none_open")
#: data gaps a directory can be narrowed to (the visibility page links here)
GAP_CHOICES = ("no_os_id", "no_geolocation", "not_disclosed", "incomplete_pledge")
MAX_SEARCH_LENGTH = 100


@dataclass(frozen=True)
class DirectoryFilters:
    """Filters of the supplier directory. Every field is validated by the caller's UI and again
    here (values outside the allowed sets are ignored)."""

    search: str = ""
    countries: tuple[str, ...] = ()
    tiers: tuple[int, ...] = ()
    assessment_age: tuple[str, ...] = ()  # subset of ASSESSMENT_AGE_CHOICES
    clusters_non_compliant: tuple[str, ...] = ()  # cluster codes
    plan_status: str = ""  # one of PLAN_STATUS_CHOICES or ""
    gaps: tuple[str, ...] = ()  # subset of GAP_CHOICES
    include_inactive: bool = False
    #: closed and moved factories too (they leave the active figures but stay findable)
    include_closed: bool = False
    factory_ids: tuple[int, ...] = ()  # only these factories (e.g. one profile, a comparison)


def parse_factory_id(raw: object) -> int:
    """A factory id from a URL or widget: a positive integer, else :class:`NotFound`."""
    text = str(raw).strip()
    # ASCII digits only: str.isdigit() also accepts "²", which int() then rejects
    if not re.fullmatch(r"[0-9]{1,12}", text):
        raise NotFound(NOT_FOUND_MESSAGE)
    value = int(text)
    if not 0 < value <= ID_MAX:
        raise NotFound(NOT_FOUND_MESSAGE)
    return value


def _own_factory_ids(viewer: Viewer, *, include_inactive: bool = True) -> Select:
    """The brand's factories; ``include_inactive=False``: its *active suppliers* — an active
    relationship with a factory that is operating (not closed, not moved away)."""
    rel = SourcingRelationship
    stmt = select(rel.factory_id).where(rel.brand_id == viewer.require_brand())
    if not include_inactive:
        stmt = (stmt.join(Factory, Factory.id == rel.factory_id)
                .where(rel.active.is_(True), Factory.status == "active"))
    return stmt


def supplier_directory(
    engine: Engine, viewer: Viewer, filters: DirectoryFilters, as_of: dt.date
) -> pd.DataFrame:
    """The brand's suppliers with their latest assessment figures, filtered in SQL.

    Columns: ``factory_id, name, os_id, country_code, city, tier, facility_type, workers,
    women_pct, active, publicly_disclosed, lat, lng, latest_assessment_id, latest_assessed_on,
    latest_cycle, questions_assessed, questions_non_compliant, compliance_pct,
    non_compliant_cps, open_plan_items, overdue_plan_items, status, status_since``. Closed and
    moved factories are left out unless ``filters.include_closed``.
    """
    brand_id = viewer.require_brand()
    rel = SourcingRelationship
    summary = FactoryLatestAssessment  # each factory's latest assessment with its totals
    latest = select(
        summary.factory_id, summary.assessment_id, summary.assessed_on, summary.cycle,
        summary.questions_assessed, summary.questions_non_compliant,
        summary.compliance_points_non_compliant,
    ).subquery("latest")
    # open items per factory and due date come from a summary (data_access/summaries.py):
    # a quarter of all plan items at registry scale otherwise (issue 7)
    items = FactoryOpenPlanItems
    plans = (
        select(
            items.factory_id,
            func.sum(items.open_items).label("open_items"),
            func.sum(case((items.due_date < as_of, items.open_items), else_=0))
            .label("overdue_items"),
        )
        .where(items.factory_id.in_(_own_factory_ids(viewer)))
        .group_by(items.factory_id)
        .subquery("plans")
    )
    stmt = (
        select(
            Factory.id.label("factory_id"), Factory.name, Factory.os_id, Factory.country_code,
            Factory.city, rel.tier, Factory.facility_type, Factory.workers, Factory.women_pct,
            rel.active, rel.publicly_disclosed, Factory.lat, Factory.lng,
            latest.c.assessment_id.label("latest_assessment_id"),
            latest.c.assessed_on.label("latest_assessed_on"),
            latest.c.cycle.label("latest_cycle"),
            latest.c.questions_assessed,
            latest.c.questions_non_compliant,
            latest.c.compliance_points_non_compliant.label("non_compliant_cps"),
            func.coalesce(plans.c.open_items, 0).label("open_plan_items"),
            func.coalesce(plans.c.overdue_items, 0).label("overdue_plan_items"),
            Factory.status, Factory.status_since,
        )
        .join(rel, and_(rel.factory_id == Factory.id, rel.brand_id == brand_id))
        .outerjoin(latest, latest.c.factory_id == Factory.id)
        .outerjoin(plans, plans.c.factory_id == Factory.id)
        .order_by(Factory.name)
    )
    stmt = _apply_filters(stmt, filters, latest, plans, as_of)
    frame = read_frame(engine, stmt, viewer=viewer)
    frame["latest_assessed_on"] = pd.to_datetime(frame["latest_assessed_on"])
    frame["status_since"] = pd.to_datetime(frame["status_since"])
    for col in ("questions_assessed", "questions_non_compliant", "non_compliant_cps"):
        frame[col] = pd.to_numeric(frame[col]).astype("Int64")
    for col in ("open_plan_items", "overdue_plan_items"):
        frame[col] = pd.to_numeric(frame[col]).astype(int)
    frame["compliance_pct"] = (
        100.0 * (frame["questions_assessed"] - frame["questions_non_compliant"])
        / frame["questions_assessed"]
    ).astype("Float64")
    return frame


def _apply_filters(stmt: Select, filters: DirectoryFilters, latest, plans, as_of: dt.date):
    rel = SourcingRelationship
    if not filters.include_inactive:
        stmt = stmt.where(rel.active.is_(True))
    if not filters.include_closed:
        stmt = stmt.where(Factory.status == "active")
    # NUL cannot be sent to PostgreSQL and no name contains it: drop it rather than fail
    search = filters.search.replace("\x00", "").strip()[:MAX_SEARCH_LENGTH]
    if search:
        pattern = "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%")\
            .replace("_", "\\_") + "%"
        stmt = stmt.where(or_(func.lower(Factory.name).like(pattern, escape="\\"),
                              func.lower(Factory.os_id).like(pattern, escape="\\")))
    if filters.factory_ids:
        # ids outside INTEGER match nothing (PostgreSQL would reject them as out of range)
        ids = possible_ids(filters.factory_ids)
        stmt = stmt.where(Factory.id.in_(ids) if ids else false())
    if filters.countries:
        stmt = stmt.where(Factory.country_code.in_(
            [c.upper() for c in possible_texts(filters.countries)]))
    if filters.tiers:
        # tiers outside the schema's range (1–4) match nothing; never send them to the
        # database, where a huge value overflows the SMALLINT column on PostgreSQL
        stmt = stmt.where(rel.tier.in_([int(t) for t in filters.tiers if 1 <= int(t) <= 4]
                                       or [-1]))
    ages = [a for a in filters.assessment_age if a in ASSESSMENT_AGE_CHOICES]
    if ages and len(ages) < len(ASSESSMENT_AGE_CHOICES):
        cutoff = as_of - dt.timedelta(days=365)
        conditions = []
        if "never" in ages:
            conditions.append(latest.c.assessment_id.is_(None))
        if "older" in ages:
            conditions.append(latest.c.assessed_on < cutoff)
        if "recent" in ages:
            conditions.append(latest.c.assessed_on >= cutoff)
        stmt = stmt.where(or_(*conditions))
    for code in filters.clusters_non_compliant:
        result = LatestClusterResult
        stmt = stmt.where(
            exists(
                select(result.factory_id)
                .join(Cluster, Cluster.id == result.cluster_id)
                .where(result.factory_id == latest.c.factory_id,
                       result.questions_non_compliant > 0, Cluster.code == code)
            )
        )
    gap_conditions = {
        "no_os_id": Factory.os_id.is_(None),
        # (0, 0) is a placeholder, not a place (as metrics.visibility.has_geolocation)
        "no_geolocation": or_(Factory.lat.is_(None), Factory.lng.is_(None),
                              and_(Factory.lat == 0, Factory.lng == 0)),
        "not_disclosed": rel.publicly_disclosed.is_(False),
        "incomplete_pledge": or_(Factory.address.is_(None), Factory.parent_company.is_(None),
                                 Factory.product_type.is_(None), Factory.workers.is_(None)),
    }
    for gap in filters.gaps:
        if gap in gap_conditions:
            stmt = stmt.where(gap_conditions[gap])
    if filters.plan_status == "open":
        stmt = stmt.where(func.coalesce(plans.c.open_items, 0) > 0)
    elif filters.plan_status == "overdue":
        stmt = stmt.where(func.coalesce(plans.c.overdue_items, 0) > 0)
    elif filters.plan_status == "none_open":
        stmt = stmt.where(func.coalesce(plans.c.open_items, 0) == 0)
    return stmt


# ---- one factory ---------------------------------------------------------------------------


def factory_profile(engine: Engine, viewer: Viewer, factory_id: int) -> dict:
    """Header facts and the brand's relationship with the factory.

    Raises:
        NotFound: the factory does not exist or the brand has no relationship with it.
    """
    brand_id = viewer.require_brand()
    if possible_ids([factory_id]) != [int(factory_id)]:
        raise NotFound(NOT_FOUND_MESSAGE)
    rel = SourcingRelationship
    stmt = (
        select(
            Factory.id.label("factory_id"), Factory.name, Factory.os_id, Factory.country_code,
            Factory.address, Factory.city, Factory.lat, Factory.lng, Factory.sector,
            Factory.facility_type, Factory.processing_type, Factory.parent_company,
            Factory.product_type, Factory.workers, Factory.women_pct,
            Factory.annual_output_units, Factory.required_lead_time_days,
            Factory.status, Factory.status_since, Factory.moved_to_factory_id,
            rel.tier, rel.start_date, rel.end_date, rel.active, rel.publicly_disclosed,
        )
        .join(rel, and_(rel.factory_id == Factory.id, rel.brand_id == brand_id))
        .where(Factory.id == factory_id)
    )
    with scoped_connection(engine, viewer) as conn:
        row = conn.execute(stmt).first()
    if row is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return dict(row._mapping)


def other_buyers_count(engine: Engine, viewer: Viewer, factory_id: int) -> int:
    """How many OTHER brands actively source from this factory (a count, never names).

    Other brands' relationships are invisible in the brand's own scope (row-level security on
    PostgreSQL), so the count is read in the system scope — after the access check, and only
    the count leaves the database."""
    factory_profile(engine, viewer, factory_id)  # access check
    rel = SourcingRelationship
    with system_connection(engine) as conn:
        return int(conn.execute(
            select(func.count()).select_from(rel).where(
                rel.factory_id == factory_id, rel.active.is_(True),
                rel.brand_id != viewer.require_brand())
        ).scalar_one())


def _check_factories(engine: Engine, viewer: Viewer, factory_ids: Sequence[int]) -> list[int]:
    viewer.require_brand()
    ids = sorted({int(i) for i in factory_ids})
    if not ids:
        return []
    if len(possible_ids(ids)) != len(ids):
        raise NotFound(NOT_FOUND_MESSAGE)
    with scoped_connection(engine, viewer) as conn:
        own = set(conn.execute(
            _own_factory_ids(viewer).where(SourcingRelationship.factory_id.in_(ids))
        ).scalars())
    if own != set(ids):
        raise NotFound(NOT_FOUND_MESSAGE)
    return ids


def factories_brief(engine: Engine, viewer: Viewer, factory_ids: Sequence[int]) -> pd.DataFrame:
    """Name, country, workers and relationship of several factories (all must be the brand's)."""
    ids = _check_factories(engine, viewer, factory_ids)
    rel = SourcingRelationship
    stmt = (
        select(Factory.id.label("factory_id"), Factory.name, Factory.country_code, Factory.city,
               Factory.os_id, Factory.workers, Factory.women_pct, rel.tier, rel.active)
        .join(rel, and_(rel.factory_id == Factory.id, rel.brand_id == viewer.require_brand()))
        .where(Factory.id.in_(ids))
        .order_by(Factory.name)
    )
    return read_frame(engine, stmt, viewer=viewer)


def assessments_of(engine: Engine, viewer: Viewer, factory_ids: Sequence[int]) -> pd.DataFrame:
    """Every assessment of the given factories: ``assessment_id, factory_id, assessed_on,
    cycle, kind`` (newest last)."""
    ids = _check_factories(engine, viewer, factory_ids)
    stmt = (
        select(Assessment.id.label("assessment_id"), Assessment.factory_id,
               Assessment.assessed_on, Assessment.cycle, Assessment.kind)
        .where(Assessment.factory_id.in_(ids))
        .order_by(Assessment.factory_id, Assessment.assessed_on, Assessment.cycle)
    )
    frame = read_frame(engine, stmt, viewer=viewer)
    frame["assessed_on"] = pd.to_datetime(frame["assessed_on"])
    return frame


def compliance_point_results(
    engine: Engine, viewer: Viewer, factory_ids: Sequence[int]
) -> pd.DataFrame:
    """Per assessment and compliance point of the given factories: ``assessment_id,
    factory_id, cluster_code, cluster_name, cluster_order, cp_code, cp_name, cp_order,
    questions_assessed, questions_non_compliant, non_compliant (0/1)``."""
    ids = _check_factories(engine, viewer, factory_ids)
    nc = non_compliant_int()
    stmt = (
        select(
            Finding.assessment_id, Assessment.factory_id,
            Cluster.code.label("cluster_code"), Cluster.name.label("cluster_name"),
            Cluster.sort_order.label("cluster_order"),
            CompliancePoint.code.label("cp_code"), CompliancePoint.name.label("cp_name"),
            CompliancePoint.sort_order.label("cp_order"),
            func.count().label("questions_assessed"),
            func.sum(nc).label("questions_non_compliant"),
            func.max(nc).label("non_compliant"),
        )
        .join(Assessment, Assessment.id == Finding.assessment_id)
        .join(Question, Question.id == Finding.question_id)
        .join(CompliancePoint, CompliancePoint.id == Question.compliance_point_id)
        .join(Cluster, Cluster.id == CompliancePoint.cluster_id)
        .where(Assessment.factory_id.in_(ids), Question.kind == "non_compliance")
        .group_by(Finding.assessment_id, Assessment.factory_id, Cluster.code, Cluster.name,
                  Cluster.sort_order, CompliancePoint.code, CompliancePoint.name,
                  CompliancePoint.sort_order)
        .order_by(Finding.assessment_id, Cluster.sort_order, CompliancePoint.sort_order)
    )
    frame = read_frame(engine, stmt, viewer=viewer)
    for col in ("questions_assessed", "questions_non_compliant", "non_compliant"):
        frame[col] = pd.to_numeric(frame[col]).astype(int)
    return frame


def question_findings(
    engine: Engine, viewer: Viewer, assessment_ids: Sequence[int], *, non_compliant_only: bool
) -> pd.DataFrame:
    """Question-level findings of assessments of the brand's factories: ``assessment_id,
    question_code, question_text, public_disclosure, zero_tolerance, cp_code, cp_name,
    cluster_code, non_compliant``. Assessments of other factories raise :class:`NotFound`."""
    ids = sorted({int(i) for i in assessment_ids})
    if not ids:
        return pd.DataFrame(columns=["assessment_id", "question_code", "question_text",
                                     "public_disclosure", "zero_tolerance", "cp_code",
                                     "cp_name", "cluster_code", "non_compliant"])
    viewer.require_brand()
    if len(possible_ids(ids)) != len(ids):
        raise NotFound("Assessment not found for your brand's factories.")
    with scoped_connection(engine, viewer) as conn:
        allowed = set(conn.execute(
            select(Assessment.id).where(Assessment.id.in_(ids),
                                        Assessment.factory_id.in_(_own_factory_ids(viewer)))
        ).scalars())
    if allowed != set(ids):
        raise NotFound("Assessment not found for your brand's factories.")
    stmt = (
        select(
            Finding.assessment_id, Question.code.label("question_code"),
            Question.text.label("question_text"), Question.public_disclosure,
            Question.zero_tolerance, CompliancePoint.code.label("cp_code"),
            CompliancePoint.name.label("cp_name"), Cluster.code.label("cluster_code"),
            Finding.non_compliant,
        )
        .join(Question, Question.id == Finding.question_id)
        .join(CompliancePoint, CompliancePoint.id == Question.compliance_point_id)
        .join(Cluster, Cluster.id == CompliancePoint.cluster_id)
        .where(Finding.assessment_id.in_(ids), Question.kind == "non_compliance")
        .order_by(Finding.assessment_id, Cluster.sort_order, CompliancePoint.sort_order,
                  Question.code)
    )
    if non_compliant_only:
        stmt = stmt.where(Finding.non_compliant.is_(True))
    frame = read_frame(engine, stmt, viewer=viewer)
    frame["non_compliant"] = frame["non_compliant"].astype(bool)
    frame["public_disclosure"] = frame["public_disclosure"].astype(bool)
    frame["zero_tolerance"] = frame["zero_tolerance"].astype(bool)
    return frame


def improvement_plans(engine: Engine, viewer: Viewer, factory_ids: Sequence[int]) -> pd.DataFrame:
    """Improvement-plan items of the given factories: ``item_id, factory_id, assessment_id,
    assessed_on, cycle, question_code, question_text, cp_name, action, status, due_date,
    completed_on``."""
    ids = _check_factories(engine, viewer, factory_ids)
    item = ImprovementPlanItem
    stmt = (
        select(
            item.id.label("item_id"), Assessment.factory_id, item.assessment_id,
            Assessment.assessed_on, Assessment.cycle, Question.code.label("question_code"),
            Question.text.label("question_text"), CompliancePoint.name.label("cp_name"),
            item.action, item.status, item.due_date, item.completed_on,
        )
        .join(Assessment, Assessment.id == item.assessment_id)
        .join(Question, Question.id == item.question_id)
        .join(CompliancePoint, CompliancePoint.id == Question.compliance_point_id)
        .where(Assessment.factory_id.in_(ids))
        .order_by(Assessment.factory_id, Assessment.assessed_on.desc(), item.due_date)
    )
    frame = read_frame(engine, stmt, viewer=viewer)
    for col in ("assessed_on", "due_date", "completed_on"):
        frame[col] = pd.to_datetime(frame[col])
    return frame


def country_compliance_point_benchmark(
    engine: Engine, viewer: Viewer, country_codes: Sequence[str], since: dt.date,
    until: dt.date,
) -> pd.DataFrame:
    """Raw counts for the compliance-point country benchmark, over every factory in the
    countries whose latest assessment is dated ``since`` … ``until`` (the reporting window),
    with the viewing brand's own factories among them counted apart (for disclosure control:
    ``metrics.disclosure`` must be applied before anything is shown).

    Columns: ``country_code, cp_code, factories_assessed, factories_non_compliant,
    own_assessed, own_non_compliant`` ("own": any factory the brand has a relationship with).
    """
    codes = sorted({c.upper() for c in possible_texts(country_codes)})
    columns = ["country_code", "cp_code", "factories_assessed", "factories_non_compliant",
               "own_assessed", "own_non_compliant"]
    if not codes:
        return pd.DataFrame(columns=columns)
    result, latest = LatestCompliancePointResult, FactoryLatestAssessment
    non_compliant = case((result.questions_non_compliant > 0, 1), else_=0)
    own = result.factory_id.in_(_own_factory_ids(viewer))
    stmt = (
        select(Factory.country_code, CompliancePoint.code.label("cp_code"),
               func.count().label("factories_assessed"),
               func.sum(non_compliant).label("factories_non_compliant"),
               func.sum(case((own, 1), else_=0)).label("own_assessed"),
               func.sum(case((own, non_compliant), else_=0)).label("own_non_compliant"))
        .join(latest, latest.factory_id == result.factory_id)
        .join(Factory, Factory.id == result.factory_id)
        .join(CompliancePoint, CompliancePoint.id == result.compliance_point_id)
        .where(Factory.country_code.in_(codes), latest.assessed_on >= since,
               latest.assessed_on <= until)
        .group_by(Factory.country_code, CompliancePoint.code)
    )
    frame = read_frame(engine, stmt, columns, viewer=viewer)
    for col in columns[2:]:
        frame[col] = pd.to_numeric(frame[col]).astype(int)
    return frame


def _zero_tolerance_question_ids(engine: Engine, viewer: Viewer) -> list[int]:
    """The ids of the zero-tolerance questions. Queries name them as a literal list: the
    finding key (assessment, question) is then probed 13 times per assessment instead of
    reading all its 250 findings (0.3 s instead of 2.6 s for 1,200 factories at scale M)."""
    with scoped_connection(engine, viewer) as conn:
        return list(conn.execute(select(Question.id).where(
            Question.zero_tolerance.is_(True), Question.kind == "non_compliance")
            .order_by(Question.id)).scalars())


def open_non_compliance(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Non-compliance of each active supplier's latest assessment that is not zero tolerance
    (those are read apart: :func:`zero_tolerance_findings`), split by whether the cluster is a
    core labour standard and by the state of its improvement-plan item: ``factory_id,
    open_nc_core, open_nc_other, reported_fixed_core, reported_fixed_other``.

    "Open" = found non-compliant in the latest assessment and its plan item (if any) is not
    Completed; "reported fixed" = its plan item is Completed — the factory says it is fixed, but
    no later assessment exists to verify it (this is the latest). Factories never assessed are
    absent.
    """
    # found − zero tolerance − completed: the first term comes from the latest_cluster_result
    # summary; the others read only zero-tolerance findings and completed items
    own = _own_factory_ids(viewer, include_inactive=False)
    core = Cluster.core_labour_standard.is_(True)
    result, item, latest = LatestClusterResult, ImprovementPlanItem, FactoryLatestAssessment
    found = (
        select(
            result.factory_id,
            func.sum(case((core, result.questions_non_compliant), else_=0)).label("nc_core"),
            func.sum(case((core, 0), else_=result.questions_non_compliant)).label("nc_other"),
        )
        .join(Cluster, Cluster.id == result.cluster_id)
        .where(result.factory_id.in_(own))
        .group_by(result.factory_id)
        .subquery("found")
    )
    zero = (
        select(
            latest.factory_id,
            func.sum(case((core, 1), else_=0)).label("zt_core"),
            func.sum(case((core, 0), else_=1)).label("zt_other"),
        )
        .join(Finding, Finding.assessment_id == latest.assessment_id)
        .join(Question, Question.id == Finding.question_id)
        .join(CompliancePoint, CompliancePoint.id == Question.compliance_point_id)
        .join(Cluster, Cluster.id == CompliancePoint.cluster_id)
        .where(latest.factory_id.in_(own),
               Finding.question_id.in_(_zero_tolerance_question_ids(engine, viewer) or [-1]),
               Finding.non_compliant.is_(True))
        .group_by(latest.factory_id)
        .subquery("zero")
    )
    closed = (
        select(
            latest.factory_id,
            func.sum(case((core, 1), else_=0)).label("closed_core"),
            func.sum(case((core, 0), else_=1)).label("closed_other"),
        )
        .join(item, item.assessment_id == latest.assessment_id)
        .join(Finding, and_(Finding.assessment_id == item.assessment_id,
                            Finding.question_id == item.question_id))
        .join(Question, Question.id == item.question_id)
        .join(CompliancePoint, CompliancePoint.id == Question.compliance_point_id)
        .join(Cluster, Cluster.id == CompliancePoint.cluster_id)
        .where(latest.factory_id.in_(own), item.status == "Completed",
               Finding.non_compliant.is_(True), Question.kind == "non_compliance",
               Question.zero_tolerance.is_(False))
        .group_by(latest.factory_id)
        .subquery("closed")
    )
    zt_core, zt_other = func.coalesce(zero.c.zt_core, 0), func.coalesce(zero.c.zt_other, 0)
    done_core = func.coalesce(closed.c.closed_core, 0)
    done_other = func.coalesce(closed.c.closed_other, 0)
    stmt = (
        select(
            found.c.factory_id,
            (found.c.nc_core - zt_core - done_core).label("open_nc_core"),
            (found.c.nc_other - zt_other - done_other).label("open_nc_other"),
            done_core.label("reported_fixed_core"),
            done_other.label("reported_fixed_other"),
        )
        .outerjoin(zero, zero.c.factory_id == found.c.factory_id)
        .outerjoin(closed, closed.c.factory_id == found.c.factory_id)
    )
    columns = ["factory_id", "open_nc_core", "open_nc_other", "reported_fixed_core",
               "reported_fixed_other"]
    frame = read_frame(engine, stmt, columns, viewer=viewer)
    for col in columns[1:]:
        frame[col] = pd.to_numeric(frame[col]).astype(int)
    return frame


ZERO_TOLERANCE_COLUMNS = ["factory_id", "assessment_id", "assessed_on", "cycle",
                          "question_code", "question_text", "cluster_name", "cp_name",
                          "plan_status", "verified_on", "found_again_on"]


def zero_tolerance_findings(
    engine: Engine, viewer: Viewer, as_of: dt.date, factory_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Every non-compliant finding on a zero-tolerance question in the assessments (dated up
    to ``as_of``) of the brand's factories — all of them, or ``factory_ids`` (each must be the
    brand's, else :class:`NotFound`) — with the facts that decide its state
    (``metrics.zero_tolerance.classify``):

    * ``plan_status`` — the status of the finding's improvement-plan item (None: no item);
    * ``verified_on`` — the date of the first later assessment of the same factory (up to
      ``as_of``) that found the question compliant (None: none yet);
    * ``found_again_on`` — the date of the first later one that found it non-compliant again.

    Columns: ``factory_id, assessment_id, assessed_on, cycle, question_code, question_text,
    cluster_name, cp_name, plan_status, verified_on, found_again_on``.
    """
    if factory_ids is None:
        viewer.require_brand()
        factories = _own_factory_ids(viewer)
    else:
        factories = _check_factories(engine, viewer, factory_ids)
    a, f = Assessment, Finding
    later, later_finding = aliased(Assessment), aliased(Finding)
    item = ImprovementPlanItem
    marked = _zero_tolerance_question_ids(engine, viewer)
    if not marked:
        return pd.DataFrame(columns=ZERO_TOLERANCE_COLUMNS)

    def first_later(non_compliant: bool):
        return (
            select(func.min(later.assessed_on))
            .join(later_finding, and_(later_finding.assessment_id == later.id,
                                      later_finding.question_id == f.question_id))
            .where(later.factory_id == a.factory_id, later.assessed_on <= as_of,
                   or_(later.assessed_on > a.assessed_on,
                       and_(later.assessed_on == a.assessed_on, later.cycle > a.cycle)),
                   later_finding.non_compliant.is_(non_compliant))
            .scalar_subquery()
        )

    stmt = (
        select(
            a.factory_id, a.id.label("assessment_id"), a.assessed_on, a.cycle,
            Question.code.label("question_code"), Question.text.label("question_text"),
            Cluster.name.label("cluster_name"), CompliancePoint.name.label("cp_name"),
            item.status.label("plan_status"),
            first_later(False).label("verified_on"),
            first_later(True).label("found_again_on"),
        )
        .join(f, f.assessment_id == a.id)
        .join(Question, Question.id == f.question_id)
        .join(CompliancePoint, CompliancePoint.id == Question.compliance_point_id)
        .join(Cluster, Cluster.id == CompliancePoint.cluster_id)
        .outerjoin(item, and_(item.assessment_id == f.assessment_id,
                              item.question_id == f.question_id))
        .where(a.factory_id.in_(factories), a.assessed_on <= as_of,
               f.question_id.in_(marked), f.non_compliant.is_(True))
        .order_by(a.factory_id, a.assessed_on, Question.code)
    )
    frame = read_frame(engine, stmt, ZERO_TOLERANCE_COLUMNS, viewer=viewer)
    for col in ("assessed_on", "verified_on", "found_again_on"):
        frame[col] = pd.to_datetime(frame[col])
    return frame


def assessment_history(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Dates of every assessment of the brand's active suppliers: ``factory_id, assessed_on``
    (for coverage over time)."""
    stmt = (
        select(Assessment.factory_id, Assessment.assessed_on)
        .where(Assessment.factory_id.in_(_own_factory_ids(viewer, include_inactive=False)))
        .order_by(Assessment.assessed_on)
    )
    frame = read_frame(engine, stmt, ["factory_id", "assessed_on"], viewer=viewer)
    frame["assessed_on"] = pd.to_datetime(frame["assessed_on"])
    return frame
