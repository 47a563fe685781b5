"""Pre-aggregated summary tables and their refresh (issue 7: pages that stay fast at scale).

Every page starts from "each supplier's latest assessment", and most of them then count
non-compliant questions per cluster or compliance point. Computing that from ``finding`` on every
page view means ranking all assessments and aggregating 250 findings per factory (≈ 5 M rows for
the country benchmark at registry scale). Three small tables hold the result instead:

* ``factory_latest_assessment`` — each assessed factory's latest assessment (by date, then
  cycle) with its totals over the non-compliance questions;
* ``latest_cluster_result`` — per factory × cluster: questions assessed / non-compliant and
  compliance points non-compliant, in that latest assessment;
* ``latest_cp_result`` — per factory × compliance point: the same counts;
* ``factory_open_plan_items`` — per factory × due date: improvement-plan items not Completed
  (the directory's open / overdue columns; "overdue" is decided at read time).

They are *derived* data: :func:`refresh_summaries` rebuilds them from ``assessment``,
``finding`` and ``improvement_plan_item``. **Whatever writes assessments, findings or
improvement-plan items must call it in the same transaction** — the demo generator does, and so
must every importer of assessments and of plans (with the factory ids it touched) — otherwise
pages go on showing the previous latest assessment or plan status.

The tables hold factory-level results only (shared by every brand that sources from the
factory, like ``assessment``): brand scoping still happens in the queries that join them to
``sourcing_relationship``.

``purchasing_benchmark`` is different: it stores the cross-brand purchasing benchmark *as
published* to each brand (:func:`stored_benchmark` / :func:`store_benchmark`) once some process
has computed it for a choice of period, reference month end and country: per brand, the band
around the median of the *other* brands (metrics.purchasing.published_benchmarks) — never a
brand's own figure, and nothing from which one brand's figure could be worked out that the
brand it is published to could not see anyway. Rows are keyed by the ``data_version`` they
were computed from, so an import makes them unreachable without any call. Right after every
import's transaction (and after the demo data is generated) :func:`after_data_change` runs the
refreshes the services layer registered — ``services.analysis.refresh_stored_benchmarks``
stores the benchmark of every period the Purchasing page offers, so no page view computes it
(issue 17); only a rarer choice (one country, an earlier month end) is computed by its first
view and stored. Every app process (and replica) shares them.

The brands' order snapshots (``brand_order_snapshot``) live in :mod:`data_access.orders`
(``refresh_order_snapshots``): they are rebuilt in the orders import's own transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, text
from sqlalchemy.exc import DBAPIError

from data_access.db import create_db_engine
from data_access.schema import DatasetState, PurchasingBenchmark
from data_access.scope import system_connection
from data_access.settings import load_settings

log = logging.getLogger(__name__)

#: the summary tables, in the order they are filled
SUMMARY_TABLES = ("latest_cp_result", "latest_cluster_result", "factory_latest_assessment",
                  "factory_open_plan_items")
#: factory ids per statement when refreshing some factories
REFRESH_CHUNK = 500

_LATEST = """
SELECT factory_id, id AS assessment_id, assessed_on, cycle FROM (
    SELECT id, factory_id, assessed_on, cycle,
           ROW_NUMBER() OVER (PARTITION BY factory_id
                              ORDER BY assessed_on DESC, cycle DESC) AS rn
    FROM assessment {where}
) ranked WHERE rn = 1
"""

_FILL_CP = """
INSERT INTO latest_cp_result (factory_id, compliance_point_id, cluster_id, questions_assessed,
                              questions_non_compliant)
SELECT l.factory_id, q.compliance_point_id, cp.cluster_id, COUNT(*),
       SUM(CASE WHEN f.non_compliant THEN 1 ELSE 0 END)
FROM ({latest}) l
JOIN finding f ON f.assessment_id = l.assessment_id
JOIN question q ON q.id = f.question_id
JOIN compliance_point cp ON cp.id = q.compliance_point_id
WHERE q.kind = 'non_compliance'
GROUP BY l.factory_id, q.compliance_point_id, cp.cluster_id
"""

_FILL_CLUSTER = """
INSERT INTO latest_cluster_result (factory_id, cluster_id, questions_assessed,
                                   questions_non_compliant, compliance_points_non_compliant)
SELECT factory_id, cluster_id, SUM(questions_assessed), SUM(questions_non_compliant),
       SUM(CASE WHEN questions_non_compliant > 0 THEN 1 ELSE 0 END)
FROM latest_cp_result {where}
GROUP BY factory_id, cluster_id
"""

_FILL_LATEST = """
INSERT INTO factory_latest_assessment (factory_id, assessment_id, assessed_on, cycle,
                                       questions_assessed, questions_non_compliant,
                                       compliance_points_non_compliant)
SELECT l.factory_id, l.assessment_id, l.assessed_on, l.cycle, t.questions_assessed,
       t.questions_non_compliant, t.compliance_points_non_compliant
FROM ({latest}) l
LEFT JOIN (
    SELECT factory_id, SUM(questions_assessed) AS questions_assessed,
           SUM(questions_non_compliant) AS questions_non_compliant,
           SUM(compliance_points_non_compliant) AS compliance_points_non_compliant
    FROM latest_cluster_result {where}
    GROUP BY factory_id
) t ON t.factory_id = l.factory_id
"""


_FILL_OPEN_ITEMS = """
INSERT INTO factory_open_plan_items (factory_id, due_date, open_items)
SELECT a.factory_id, i.due_date, COUNT(*)
FROM improvement_plan_item i JOIN assessment a ON a.id = i.assessment_id
WHERE i.status <> 'Completed' {where}
GROUP BY a.factory_id, i.due_date
"""


def refresh_summaries(conn: Connection, factory_ids: Iterable[int] | None = None) -> None:
    """Rebuild the summary tables for ``factory_ids`` (all factories when None).

    Call it in the transaction that wrote assessments or findings, after writing them, with the
    ids of the factories whose assessments changed (an import of assessments: the factories in
    the file). Cost: one pass over those factories' latest findings (≈ 250 rows per factory);
    a full refresh takes ≈ 1 s at Better Work scale on SQLite. Works on SQLite and PostgreSQL.
    """
    if factory_ids is None:
        for table in SUMMARY_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - our table names
        _fill(conn, where="", params={})
        return
    ids = sorted({int(i) for i in factory_ids})
    for start in range(0, len(ids), REFRESH_CHUNK):
        chunk = ids[start:start + REFRESH_CHUNK]
        for table in SUMMARY_TABLES:
            conn.execute(
                text(f"DELETE FROM {table} WHERE factory_id IN :ids")  # noqa: S608
                .bindparams(bindparam("ids", expanding=True)), {"ids": chunk})
        _fill(conn, where="WHERE factory_id IN :ids", params={"ids": chunk})


def _fill(conn: Connection, where: str, params: dict) -> None:
    latest = _LATEST.format(where=where)
    open_items_where = "AND a.factory_id IN :ids" if where else ""
    for sql in (_FILL_CP.format(latest=latest), _FILL_CLUSTER.format(where=where),
                _FILL_LATEST.format(latest=latest, where=where),
                _FILL_OPEN_ITEMS.format(where=open_items_where)):
        stmt = text(sql)
        if params:
            stmt = stmt.bindparams(bindparam("ids", expanding=True))
        conn.execute(stmt, params)


# ---- the stored purchasing benchmark -----------------------------------------------------------

NO_BENCHMARK = "__none__"
#: the row of a brand that has no orders in the choice (metrics.purchasing.OUTSIDE_BRAND)
OUTSIDE = -1


def benchmark_key(months: int | None, chosen: dt.date | None, country: str | None) -> str:
    """The choice a benchmark was computed for: period in months (``all``), reference month
    end (``latest``: each brand's own order as-of date) and country (``*``: all)."""
    return f"{months or 'all'}|{chosen or 'latest'}|{country or '*'}"


def _row_key(key: str, brand_id: int) -> str:
    return f"{key}|b{brand_id}"


def stored_benchmark(engine: Engine, key: str,
                     brand_id: int) -> tuple[int, dict[str, float] | None]:
    """The current data version and the benchmark published to ``brand_id`` for ``key`` at
    that version: its own row, else the row for a brand without orders in the choice; ``{}``
    when no benchmark could be published; None when not computed yet."""
    bench = PurchasingBenchmark
    wanted = {_row_key(key, brand_id): "own", _row_key(key, OUTSIDE): "outside"}
    with system_connection(engine) as conn:
        version = conn.execute(select(DatasetState.data_version)).scalar() or 0
        rows = conn.execute(
            select(bench.period_key, bench.indicator, bench.value)
            .where(bench.period_key.in_(list(wanted)), bench.data_version == version)
        ).all()
    if not rows:
        return version, None
    by_row: dict[str, dict[str, float]] = {"own": {}, "outside": {}}
    for row_key, name, value in rows:
        if name != NO_BENCHMARK:
            by_row[wanted[row_key]][name] = math.nan if value is None else float(value)
    return version, by_row["own"] or by_row["outside"]


def store_benchmark(engine: Engine, key: str, version: int,
                    published: Mapping[int, Mapping[str, float]]) -> bool:
    """Store the benchmark published to every brand for ``key`` (brand id → indicator →
    value; :data:`OUTSIDE` for brands without orders in the choice), computed from the data
    at ``version`` (if that is still the current version), and drop the rows of older
    versions. Returns whether it was stored.

    Best effort: another process storing the same key at the same time, or a read-only
    database (a replica), only means the value is not stored — it is still correct.
    """
    bench = PurchasingBenchmark
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [{"period_key": _row_key(key, brand), "data_version": version, "indicator": name,
             "value": None if value is None or math.isnan(value) else float(value),
             "computed_at": now}
            for brand, values in published.items() for name, value in values.items()]
    if OUTSIDE not in published:  # marks "computed: nothing to publish"
        rows.append({"period_key": _row_key(key, OUTSIDE), "data_version": version,
                     "indicator": NO_BENCHMARK, "value": None, "computed_at": now})
    try:
        with system_connection(engine) as conn:
            current = conn.execute(select(DatasetState.data_version)).scalar() or 0
            if current != version:
                return False
            conn.execute(delete(bench).where(bench.data_version != version))
            conn.execute(delete(bench).where(bench.period_key.like(f"{key}|b%")))
            conn.execute(insert(bench), rows)
        return True
    except DBAPIError as exc:
        log.info("purchasing benchmark not stored (%s)", str(exc).splitlines()[0][:200])
        return False


# ---- all-brand aggregates recomputed when the data changes (issue 17) ----------------------------

#: functions ``f(engine)`` run after every committed import (and after the demo data is made):
#: the services layer registers the stored purchasing benchmark's refresh here
#: (``services.analysis.refresh_stored_benchmarks``) — data_access cannot compute it itself
#: (the figures are metrics), and must not leave it to a page view.
_AFTER_DATA_CHANGE: list[Callable[[Engine], object]] = []


def register_after_data_change(function: Callable[[Engine], object]) -> None:
    """Run ``function(engine)`` after every committed import (once per function)."""
    if function not in _AFTER_DATA_CHANGE:
        _AFTER_DATA_CHANGE.append(function)


def after_data_change(engine: Engine) -> None:
    """Run the registered refreshes (after an import's commit). A refresh that fails is logged
    and skipped: the import is committed, and a page view computes what is missing."""
    for function in list(_AFTER_DATA_CHANGE):
        try:
            function(engine)
        except Exception:
            log.exception("refresh after the import failed: %s", getattr(function, "__name__",
                                                                          function))


@contextmanager
def after_data_change_paused() -> Iterator[None]:
    """No refresh after imports inside the block (the benchmark times the import's own work
    and the refresh apart); the caller runs :func:`after_data_change` itself afterwards."""
    saved = list(_AFTER_DATA_CHANGE)
    _AFTER_DATA_CHANGE.clear()
    try:
        yield
    finally:
        _AFTER_DATA_CHANGE[:] = saved


def current_data_version(engine: Engine) -> int:
    """The dataset's current ``data_version`` (0 before any data)."""
    with system_connection(engine) as conn:
        return int(conn.execute(select(DatasetState.data_version)).scalar() or 0)


def main() -> None:  # pragma: no cover - a thin command line
    """``python -m data_access.summaries``: rebuild every summary table of the configured
    database (after a restore, or an import by a tool that does not refresh them)."""
    engine = create_db_engine(load_settings().database_url)
    with system_connection(engine) as conn:
        refresh_summaries(conn)
    engine.dispose()
    print("summary tables rebuilt")


if __name__ == "__main__":  # pragma: no cover
    main()
