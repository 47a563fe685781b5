"""Brand-scoped reads. Every function takes the engine and the signed-in :class:`Viewer`.

The scope is applied here, in SQL, never by the caller: the brand comes from
``viewer.require_brand()``, not from an argument a page could fill from a URL. Tenant data
(relationships, orders) is filtered on ``brand_id``; factory-level assessment data is reachable
only through the brand's own sourcing relationships. Benchmarks across all factories are
aggregates (counts), never rows of another brand, and they go through disclosure control
(``metrics.disclosure``, applied in ``services/analysis.py``) before anything is shown.

Frames are returned with stable column names documented per function; aggregation happens in
the database (GROUP BY), not in pandas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, Select, and_, case, func, select

from data_access.errors import NotFound
from data_access.schema import (
    Brand,
    Cluster,
    DatasetState,
    Factory,
    FactoryLatestAssessment,
    LatestClusterResult,
    SourcingRelationship,
)
from data_access.scope import scoped_connection
from data_access.sqlutil import (
    latest_assessment_subquery,
    possible_texts,
    read_frame,
    read_rows_frame,
)
from data_access.viewer import Viewer

# ---- reference data ------------------------------------------------------------------------


def dataset_state(engine: Engine) -> dict:
    """``{"data_version": int, "updated_at": datetime, "source": str}`` (version 0 if empty)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(DatasetState.data_version, DatasetState.updated_at, DatasetState.source)
        ).first()
    if row is None:
        return {"data_version": 0, "updated_at": None, "source": "no data loaded"}
    return dict(row._mapping)


def clusters(engine: Engine) -> pd.DataFrame:
    """The 8 clusters: ``cluster_code, cluster_name, core_labour_standard, sort_order``."""
    return read_frame(
        engine,
        select(Cluster.code.label("cluster_code"), Cluster.name.label("cluster_name"),
               Cluster.core_labour_standard, Cluster.sort_order).order_by(Cluster.sort_order),
    )


def visible_brands(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Brands the viewer may look at: their own, or every brand for an administrator.

    Columns: ``brand_id, code, name``.
    """
    stmt = select(Brand.id.label("brand_id"), Brand.code, Brand.name).order_by(Brand.name)
    if not viewer.is_admin:
        stmt = stmt.where(Brand.id == viewer.require_brand())
    return read_frame(engine, stmt, viewer=viewer)


def brand_by_code(engine: Engine, viewer: Viewer, code: str) -> dict:
    """Resolve a brand code (e.g. from a URL). Another brand's code is "not found" for a brand
    user, exactly like a code that does not exist."""
    if "\x00" in code:  # no code contains NUL; PostgreSQL would refuse the parameter
        raise NotFound(f"No brand with code {code[:60]!r} is available to you.")
    stmt = select(Brand.id, Brand.code, Brand.name).where(Brand.code == code)
    if not viewer.is_admin:
        stmt = stmt.where(Brand.id == viewer.require_brand())
    with scoped_connection(engine, viewer) as conn:
        row = conn.execute(stmt).first()
    if row is None:
        raise NotFound(f"No brand with code {code[:60]!r} is available to you.")
    return dict(row._mapping)


def current_brand(engine: Engine, viewer: Viewer) -> dict:
    """The brand whose data is shown: ``{"id", "code", "name", "headquarters_country"}``."""
    brand_id = viewer.require_brand()
    with scoped_connection(engine, viewer) as conn:
        row = conn.execute(
            select(Brand.id, Brand.code, Brand.name, Brand.headquarters_country)
            .where(Brand.id == brand_id)
        ).first()
    if row is None:
        raise NotFound("That brand does not exist.")
    return dict(row._mapping)


# ---- suppliers -----------------------------------------------------------------------------


SUPPLIER_COLUMNS = [
    "factory_id", "name", "os_id", "country_code", "city", "address", "lat", "lng", "sector",
    "facility_type", "processing_type", "product_type", "parent_company", "workers", "women_pct",
    "tier",
    "start_date", "active", "publicly_disclosed", "latest_assessment_id",
    "latest_assessed_on", "latest_cycle", "updated_at", "status",
]


def suppliers(engine: Engine, viewer: Viewer, *, include_inactive: bool = False,
              include_closed: bool = False) -> pd.DataFrame:
    """The brand's suppliers, one row per factory, with its latest assessment (if any).

    By default its *active suppliers*: an active relationship with a factory that is operating
    (closed and moved factories leave the active figures; ``include_closed`` keeps them).
    Columns: :data:`SUPPLIER_COLUMNS`.
    """
    brand_id = viewer.require_brand()
    latest = latest_assessment_subquery()
    rel = SourcingRelationship
    stmt = (
        select(
            Factory.id.label("factory_id"), Factory.name, Factory.os_id, Factory.country_code,
            Factory.city, Factory.address, Factory.lat, Factory.lng, Factory.sector,
            Factory.facility_type, Factory.processing_type,
            Factory.product_type, Factory.parent_company, Factory.workers, Factory.women_pct,
            rel.tier, rel.start_date, rel.active, rel.publicly_disclosed,
            latest.c.assessment_id.label("latest_assessment_id"),
            latest.c.assessed_on.label("latest_assessed_on"),
            latest.c.cycle.label("latest_cycle"),
            Factory.updated_at, Factory.status,
        )
        .join(rel, rel.factory_id == Factory.id)
        .outerjoin(latest, latest.c.factory_id == Factory.id)
        .where(rel.brand_id == brand_id)
        .order_by(Factory.name)
    )
    if not include_inactive:
        stmt = stmt.where(rel.active.is_(True))
    if not include_closed:
        stmt = stmt.where(Factory.status == "active")
    frame = read_frame(engine, stmt, SUPPLIER_COLUMNS, viewer=viewer)
    for col in ("start_date", "latest_assessed_on", "updated_at"):
        frame[col] = pd.to_datetime(frame[col])
    return frame


def _cluster_status_stmt() -> Select:
    """Each factory's latest-assessment result per cluster, from the ``latest_cluster_result``
    summary (data_access/summaries.py): ``factory_id, assessment_id, assessed_on,
    cluster_code, non_compliant, questions_non_compliant, questions_assessed``."""
    result, latest = LatestClusterResult, FactoryLatestAssessment
    return (
        select(
            result.factory_id,
            latest.assessment_id,
            latest.assessed_on,
            Cluster.code.label("cluster_code"),
            case((result.questions_non_compliant > 0, 1), else_=0).label("non_compliant"),
            result.questions_non_compliant,
            result.questions_assessed,
        )
        .join(latest, latest.factory_id == result.factory_id)
        .join(Cluster, Cluster.id == result.cluster_id)
    )


def latest_cluster_status(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Cluster-level result of each active supplier's latest assessment.

    A factory is non-compliant on a cluster if any non-compliance question under it has a
    finding of non-compliance (DOMAIN.md §2). Columns: ``factory_id, country_code,
    assessment_id, assessed_on, cluster_code, non_compliant (0/1), questions_non_compliant,
    questions_assessed``.
    """
    brand_id = viewer.require_brand()
    rel = SourcingRelationship
    status = _cluster_status_stmt().subquery("status")
    stmt = (
        select(status.c.factory_id, Factory.country_code, status.c.assessment_id,
               status.c.assessed_on, status.c.cluster_code, status.c.non_compliant,
               status.c.questions_non_compliant, status.c.questions_assessed)
        .join(rel, and_(rel.factory_id == status.c.factory_id, rel.brand_id == brand_id,
                        rel.active.is_(True)))
        .join(Factory, and_(Factory.id == status.c.factory_id, Factory.status == "active"))
        .order_by(status.c.factory_id, status.c.cluster_code)
    )
    # the driver's tuples straight into the frame: 8 rows per supplier (37 k at registry scale)
    frame = read_rows_frame(engine, stmt, CLUSTER_STATUS_COLUMNS, viewer=viewer)
    # SQLite gives ISO text, PostgreSQL dates: the same day-resolution column from both
    frame["assessed_on"] = pd.to_datetime(frame["assessed_on"]).astype("datetime64[s]")
    return frame


CLUSTER_STATUS_COLUMNS = ["factory_id", "country_code", "assessment_id", "assessed_on",
                          "cluster_code", "non_compliant", "questions_non_compliant",
                          "questions_assessed"]


def country_cluster_benchmark(
    engine: Engine, viewer: Viewer, country_codes: Sequence[str], since: dt.date,
    until: dt.date,
) -> pd.DataFrame:
    """Raw counts for the country benchmark: every factory in the given countries, whoever it
    sells to, whose latest assessment is dated ``since`` … ``until`` (the reporting window),
    with the viewing brand's own factories among them counted apart. These counts are the input
    of disclosure control (``metrics.disclosure``), never shown as they are: the brand could
    subtract its own factories and read the others'.

    Columns: ``country_code, cluster_code, factories_assessed, factories_non_compliant,
    own_assessed, own_non_compliant`` ("own": any factory the brand has a relationship with,
    active or former — it sees their assessments).
    """
    columns = ["country_code", "cluster_code", "factories_assessed", "factories_non_compliant",
               "own_assessed", "own_non_compliant"]
    codes = sorted({c.upper() for c in possible_texts(country_codes)})
    if not codes:
        return pd.DataFrame(columns=columns)
    rel = SourcingRelationship
    status = _cluster_status_stmt().subquery("status")
    own = status.c.factory_id.in_(
        select(rel.factory_id).where(rel.brand_id == viewer.require_brand()))
    stmt = (
        select(
            Factory.country_code,
            status.c.cluster_code,
            func.count().label("factories_assessed"),
            func.sum(status.c.non_compliant).label("factories_non_compliant"),
            func.sum(case((own, 1), else_=0)).label("own_assessed"),
            func.sum(case((own, status.c.non_compliant), else_=0)).label("own_non_compliant"),
        )
        .join(Factory, Factory.id == status.c.factory_id)
        .where(Factory.country_code.in_(codes), status.c.assessed_on >= since,
               status.c.assessed_on <= until)
        .group_by(Factory.country_code, status.c.cluster_code)
        .order_by(Factory.country_code, status.c.cluster_code)
    )
    frame = read_frame(engine, stmt, columns, viewer=viewer)
    for col in columns[2:]:
        frame[col] = pd.to_numeric(frame[col]).astype(int)
    return frame
