"""Administrator-only reads about the installation itself."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from data_access.db import masked_url
from data_access.queries import dataset_state
from data_access.schema import (
    Assessment,
    Brand,
    Factory,
    Finding,
    ImprovementPlanItem,
    PurchaseOrder,
    SourcingRelationship,
)
from data_access.scope import system_connection
from data_access.viewer import Viewer

_COUNTED = [
    ("Brands", Brand),
    ("Factories", Factory),
    ("Sourcing relationships", SourcingRelationship),
    ("Assessments", Assessment),
    ("Findings", Finding),
    ("Improvement-plan items", ImprovementPlanItem),
    ("Purchase orders", PurchaseOrder),
]


def installation_summary(engine: Engine, viewer: Viewer) -> dict:
    """Database (password masked), dialect, data version and row counts. Admins only."""
    viewer.require_admin()
    with system_connection(engine) as conn:
        counts = [
            {"table": label, "rows": conn.execute(select(func.count()).select_from(model))
             .scalar_one()}
            for label, model in _COUNTED
        ]
    return {
        "database": masked_url(str(engine.url)),
        "dialect": engine.dialect.name,
        "state": dataset_state(engine),
        "row_counts": pd.DataFrame(counts),
    }
