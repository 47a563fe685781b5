"""Small SQL building blocks shared by the query modules."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, Select, case, func, select

from data_access.schema import Assessment, Finding


def read_frame(engine: Engine, stmt: Select, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Run a SELECT and return a DataFrame (with ``columns`` even when there are no rows)."""
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.all(), columns=list(columns or result.keys()))


def non_compliant_int():
    """1 for a non-compliant finding, else 0 (PostgreSQL has no MAX/SUM over booleans)."""
    return case((Finding.non_compliant.is_(True), 1), else_=0)


def latest_assessment_subquery():
    """Each factory's latest assessment (by date, then cycle): ``factory_id, assessment_id,
    assessed_on, cycle``."""
    ranked = select(
        Assessment.factory_id,
        Assessment.id.label("assessment_id"),
        Assessment.assessed_on,
        Assessment.cycle,
        func.row_number()
        .over(partition_by=Assessment.factory_id,
              order_by=(Assessment.assessed_on.desc(), Assessment.cycle.desc()))
        .label("rn"),
    ).subquery("ranked")
    return (
        select(ranked.c.factory_id, ranked.c.assessment_id, ranked.c.assessed_on, ranked.c.cycle)
        .where(ranked.c.rn == 1)
        .subquery("latest")
    )
