"""An assessment import must show on the pages at once: the summary tables the pages read are
rebuilt in the import's transaction, and the data version moves so caches refresh."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from data_access import factories
from data_access.factories import DirectoryFilters
from data_access.importing import import_csv
from data_access.queries import dataset_state
from data_access.viewer import Viewer
from tests.conftest import DEMO_AS_OF

ADMIN = Viewer("admin", "admin", None)


def test_imported_assessment_becomes_the_latest_on_the_directory(writable_engine):
    with writable_engine.connect() as conn:
        brand, factory, os_id = conn.execute(text(
            "SELECT r.brand_id, f.id, f.os_id FROM sourcing_relationship r "
            "JOIN factory f ON f.id = r.factory_id WHERE r.active AND f.os_id IS NOT NULL "
            "ORDER BY f.id LIMIT 1")).one()
        cycle = conn.execute(text(
            "SELECT COALESCE(MAX(cycle), 0) + 1 FROM assessment WHERE factory_id = :f"),
            {"f": factory}).scalar_one()
        questions = conn.execute(text(
            "SELECT code FROM question WHERE kind = 'non_compliance' ORDER BY code")
        ).scalars().all()
    new_date = DEMO_AS_OF - dt.timedelta(days=3)
    lines = ["factory_os_id,assessment_date,cycle,kind,question_code,finding"]
    # every question compliant except the first one
    lines += [f"{os_id},{new_date},{cycle},on-site,{q},{'non_compliant' if i == 0 else 'compliant'}"
              for i, q in enumerate(questions)]
    version = dataset_state(writable_engine)["data_version"]
    report = import_csv(writable_engine, ADMIN, "assessments", "\n".join(lines).encode(),
                        file_name="new_cycle.csv", today=DEMO_AS_OF)
    assert report.inserted == len(questions)
    assert dataset_state(writable_engine)["data_version"] == version + 1

    viewer = Viewer("u", "brand", brand)
    row = factories.supplier_directory(writable_engine, viewer,
                                       DirectoryFilters(factory_ids=(factory,)), DEMO_AS_OF).iloc[0]
    assert row["latest_assessed_on"].date() == new_date
    assert row["latest_cycle"] == cycle
    assert row["questions_non_compliant"] == 1
    assert row["non_compliant_cps"] == 1
