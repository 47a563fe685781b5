"""What's new since a user's last visit (issue 16), for the brand's suppliers.

**Visits.** ``user_visit`` keeps, per user and brand, the last visit and the one before it. A
visit records the data's as-of date and the *import watermarks* then — the highest assessment
id and the brand's highest sourcing-relationship id in the database. Rows are numbered in the
order they are loaded, so "an assessment new since the last visit" is one whose id is above the
watermark: what was loaded since, whatever its assessment date, without reading a wall clock.
Factory closures and moves use the time the status was recorded (``factory_attribute_source.
observed_at``, written by the import). Opening the page once per session calls
:func:`record_visit`, which moves the last visit to "previous" and returns it: the list shows
what is new since then. Opening it again within :data:`VISIT_GAP` of the last visit (a reload,
another tab) continues that visit: the baseline stays.

**First visit.** Without an earlier visit, the baseline is the last :data:`FIRST_VISIT_DAYS`
days of data before the as-of date (assessment dates, relationship start dates, status dates).

**Items** (one SQL ``UNION ALL``, the brand filter in every branch, seen items left out with
``NOT IN``, paged with ``LIMIT``/``OFFSET``; :data:`ITEM_KINDS`):

* ``zero_tolerance`` — a finding on a zero-tolerance question in a new assessment that was not
  non-compliant in the factory's previous assessment;
* ``commitment_overdue`` / ``commitment_due`` — the brand's open commitments and follow-ups
  due before ``today`` (the calendar date) / within the next days;
* ``plan_overdue`` — improvement-plan items not completed whose due date passed between the
  previous visit's as-of date and this one's;
* ``new_assessment`` — an assessment loaded since the last visit;
* ``factory_status`` — a supplier recorded as closed or moved since the last visit;
* ``lapse`` — a supplier whose latest assessment leaves the reporting window within the next
  days (a state: listed until seen);
* ``supplier_new`` — a sourcing relationship added since the last visit.

Each item has a stable key (``kind:ids``), so "seen" marks survive later visits; a commitment
that becomes overdue, or a status that changes again, gets a new key and shows again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    String,
    bindparam,
    func,
    select,
    text,
)

from data_access.errors import NotFound
from data_access.schema import (
    AppUser,
    Assessment,
    SourcingRelationship,
    UserVisit,
    WhatsNewSeen,
)
from data_access.scope import scoped_connection, system_connection
from data_access.viewer import Viewer

FIRST_VISIT_DAYS = 30
#: opening the page again within this time of the last visit continues that visit (a reload,
#: a second tab, a new session after signing in again): the list keeps its baseline
VISIT_GAP = dt.timedelta(minutes=30)
ITEM_KINDS = ("zero_tolerance", "commitment_overdue", "commitment_due", "plan_overdue",
              "new_assessment", "factory_status", "lapse", "supplier_new")
ITEM_COLUMNS = ["item_key", "kind", "rank", "factory_id", "factory_name", "event_date",
                "ref_id", "label"]
MAX_PAGE = 500


@dataclass(frozen=True)
class Baseline:
    """What "new" is measured against: a visit (None fields: the first visit)."""

    visited_at: dt.datetime | None
    as_of: dt.date | None
    assessment_mark: int
    relationship_mark: int

    @property
    def first(self) -> bool:
        return self.visited_at is None


FIRST_VISIT = Baseline(None, None, 0, 0)


@dataclass(frozen=True)
class Window:
    """The dates the items are judged by."""

    as_of: dt.date  # the data's reference date (plan items, lapses)
    today: dt.date  # the calendar date (the brand's own commitments)
    reporting_window_days: int
    lapse_days: int = 60
    due_soon_days: int = 7


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _marks(conn: Connection, brand_id: int) -> tuple[int, int]:
    amark = conn.execute(select(func.max(Assessment.id))).scalar() or 0
    rmark = conn.execute(select(func.max(SourcingRelationship.id)).where(
        SourcingRelationship.brand_id == brand_id)).scalar() or 0
    return int(amark), int(rmark)


def _stored(conn: Connection, viewer: Viewer, brand_id: int):
    return conn.execute(select(UserVisit.__table__).where(
        UserVisit.username == viewer.username[:80], UserVisit.brand_id == brand_id)).first()


def _previous(row) -> Baseline:
    if row.previous_visited_at is None:
        return FIRST_VISIT
    return Baseline(row.previous_visited_at, row.previous_as_of,
                    int(row.previous_assessment_mark or 0),
                    int(row.previous_relationship_mark or 0))


def _last(row) -> Baseline:
    return Baseline(row.visited_at, row.as_of, int(row.assessment_mark),
                    int(row.relationship_mark))


def _ongoing(row, now: dt.datetime) -> bool:
    """The stored visit is the one still going on (a reload, a second tab)."""
    return now - row.visited_at < VISIT_GAP


def baseline(engine: Engine, viewer: Viewer, *, recorded: bool,
             now: dt.datetime | None = None) -> Baseline:
    """The baseline of this session's list: the visit before this session's one when the
    session already recorded its visit (``recorded``) or the stored visit is still going on,
    else the last stored visit (what :func:`record_visit` will return)."""
    brand_id = viewer.require_brand()
    with scoped_connection(engine, viewer) as conn:
        row = _stored(conn, viewer, brand_id)
    if row is None:
        return FIRST_VISIT
    if recorded or _ongoing(row, now or _now()):
        return _previous(row)
    return _last(row)


def record_visit(engine: Engine, viewer: Viewer, as_of: dt.date, *,
                 now: dt.datetime | None = None) -> Baseline:
    """Record a visit now (the last visit becomes the previous one); returns the baseline the
    list is measured against — the visit before this one."""
    brand_id = viewer.require_brand()
    now = now or _now()
    with scoped_connection(engine, viewer) as conn:
        amark, rmark = _marks(conn, brand_id)
        row = _stored(conn, viewer, brand_id)
        if row is None:
            conn.execute(UserVisit.__table__.insert().values(
                username=viewer.username[:80], brand_id=brand_id, visited_at=now, as_of=as_of,
                assessment_mark=amark, relationship_mark=rmark))
            return FIRST_VISIT
        if _ongoing(row, now):  # the same visit, reopened: the same baseline
            return _previous(row)
        before = _last(row)
        conn.execute(UserVisit.__table__.update().where(
            UserVisit.username == viewer.username[:80], UserVisit.brand_id == brand_id).values(
            previous_visited_at=row.visited_at, previous_as_of=row.as_of,
            previous_assessment_mark=row.assessment_mark,
            previous_relationship_mark=row.relationship_mark,
            visited_at=now, as_of=as_of, assessment_mark=amark, relationship_mark=rmark))
    return before


# ---- the items ---------------------------------------------------------------------------------

_SUPPLIER = ("JOIN sourcing_relationship sr ON sr.factory_id = {f} AND sr.brand_id = :b "
             "AND sr.active = :yes")
_NEW_ASSESSMENT = "((:first = 0 AND a.id > :amark) OR (:first = 1 AND a.assessed_on > :since))"
_PREVIOUS = ("(SELECT p.id FROM assessment p WHERE p.factory_id = a.factory_id AND "
             "(p.assessed_on < a.assessed_on OR (p.assessed_on = a.assessed_on AND "
             "p.cycle < a.cycle)) ORDER BY p.assessed_on DESC, p.cycle DESC LIMIT 1)")

_BRANCHES = [
    # zero-tolerance findings newly open in a new assessment
    "SELECT 'zero_tolerance:' || CAST(a.id AS VARCHAR(20)) || ':' || CAST(q.id AS VARCHAR(20)) "  # noqa: S608
    "AS item_key, 'zero_tolerance' AS kind, 1 AS rank, a.factory_id AS factory_id, "
    "f.name AS factory_name, a.assessed_on AS event_date, q.id AS ref_id, q.text AS label "
    "FROM assessment a " + _SUPPLIER.format(f="a.factory_id") + " "
    "JOIN factory f ON f.id = a.factory_id "
    "JOIN finding fi ON fi.assessment_id = a.id AND fi.non_compliant = :yes "
    "JOIN question q ON q.id = fi.question_id AND q.zero_tolerance = :yes "
    "WHERE " + _NEW_ASSESSMENT + " AND NOT EXISTS (SELECT 1 FROM finding pf WHERE "
    "pf.question_id = q.id AND pf.non_compliant = :yes AND pf.assessment_id = " + _PREVIOUS
    + ")",
    # the brand's own open commitments and follow-ups, overdue or due soon (calendar)
    "SELECT 'commitment:' || CAST(e.id AS VARCHAR(20)) || ':' || CAST(e.due_date AS "
    "VARCHAR(10)) || CASE WHEN e.due_date < :today THEN '\\:overdue' ELSE '\\:due' END, "
    "CASE WHEN e.due_date < :today THEN 'commitment_overdue' ELSE 'commitment_due' END, "
    "CASE WHEN e.due_date < :today THEN 2 ELSE 3 END, e.factory_id, f.name, e.due_date, "
    "e.id, e.title FROM engagement_entry e JOIN factory f ON f.id = e.factory_id "
    "WHERE e.brand_id = :b AND e.status = 'open' AND e.kind IN ('commitment', 'follow-up') "
    "AND e.due_date <= :due_to",
    # improvement-plan items that became overdue since the previous visit's as-of date
    "SELECT 'plan_overdue:' || CAST(i.id AS VARCHAR(20)), 'plan_overdue', 4, a.factory_id, "  # noqa: S608
    "f.name, i.due_date, i.id, q.text FROM improvement_plan_item i "
    "JOIN assessment a ON a.id = i.assessment_id " + _SUPPLIER.format(f="a.factory_id") + " "
    "JOIN factory f ON f.id = a.factory_id JOIN question q ON q.id = i.question_id "
    "WHERE i.status <> 'Completed' AND i.due_date < :as_of AND i.due_date >= :overdue_since",
    # assessments loaded since the last visit
    "SELECT 'assessment:' || CAST(a.id AS VARCHAR(20)), 'new_assessment', 5, a.factory_id, "  # noqa: S608
    "f.name, a.assessed_on, a.id, '' FROM assessment a " + _SUPPLIER.format(f="a.factory_id")
    + " JOIN factory f ON f.id = a.factory_id WHERE " + _NEW_ASSESSMENT,
    # suppliers recorded as closed or moved since the last visit
    "SELECT 'factory_status:' || CAST(f.id AS VARCHAR(20)) || ':' || f.status, "
    "'factory_status', 6, f.id, f.name, COALESCE(f.status_since, :as_of), f.id, f.status "
    "FROM factory f JOIN sourcing_relationship sr ON sr.factory_id = f.id AND sr.brand_id = :b "
    "WHERE f.status IN ('closed', 'moved') AND ((:first = 0 AND EXISTS (SELECT 1 FROM "
    "factory_attribute_source s WHERE s.factory_id = f.id AND s.attribute = 'status' AND "
    "s.observed_at > :visited_at)) OR (:first = 1 AND f.status_since > :since))",
    # latest assessments leaving the reporting window soon
    "SELECT 'lapse:' || CAST(la.assessment_id AS VARCHAR(20)), 'lapse', 7, la.factory_id, "  # noqa: S608
    "f.name, la.assessed_on, la.assessment_id, '' FROM factory_latest_assessment la "
    + _SUPPLIER.format(f="la.factory_id") + " JOIN factory f ON f.id = la.factory_id "
    "WHERE f.status = 'active' AND la.assessed_on > :lapse_lo AND la.assessed_on <= :lapse_hi",
    # suppliers added since the last visit
    "SELECT 'supplier_new:' || CAST(sr.id AS VARCHAR(20)), 'supplier_new', 8, f.id, f.name, "
    "COALESCE(sr.start_date, :as_of), sr.id, '' FROM sourcing_relationship sr "
    "JOIN factory f ON f.id = sr.factory_id WHERE sr.brand_id = :b AND sr.active = :yes AND "
    "((:first = 0 AND sr.id > :rmark) OR (:first = 1 AND sr.start_date > :since))",
]
# NOT IN over the user's seen keys (never NULL: primary key), not NOT EXISTS: PostgreSQL runs it
# as one hashed subplan whatever its statistics say — a correlated NOT EXISTS on a table just
# filled by "mark all as seen" (not yet analysed) was planned as a nested loop: 4.7 s at scale M
_UNSEEN = ("SELECT * FROM (" + " UNION ALL ".join(_BRANCHES) + ") u WHERE u.item_key NOT IN ("  # noqa: S608
           "SELECT s.item_key FROM whats_new_seen s WHERE s.username = :u AND s.brand_id = :b)")
_TYPES = [bindparam(n, type_=Date) for n in ("since", "today", "due_to", "as_of",
                                             "overdue_since", "lapse_lo", "lapse_hi")]
_TYPES += [bindparam("visited_at", type_=DateTime), bindparam("u", type_=String)]


def _params(viewer: Viewer, base: Baseline, window: Window) -> dict:
    since = window.as_of - dt.timedelta(days=FIRST_VISIT_DAYS)
    lapse_lo = window.as_of - dt.timedelta(days=window.reporting_window_days)
    return {
        "b": viewer.require_brand(), "u": viewer.username[:80], "yes": True,
        "first": 1 if base.first else 0, "amark": base.assessment_mark,
        "rmark": base.relationship_mark, "since": since,
        "visited_at": base.visited_at or dt.datetime(1970, 1, 1),
        "today": window.today, "due_to": window.today + dt.timedelta(days=window.due_soon_days),
        "as_of": window.as_of,
        "overdue_since": since if base.first or base.as_of is None else base.as_of,
        "lapse_lo": lapse_lo, "lapse_hi": lapse_lo + dt.timedelta(days=window.lapse_days),
    }


def _stmt(sql: str):
    return text(sql).bindparams(*_TYPES)


def _no_jit(conn: Connection) -> None:
    """PostgreSQL: no JIT compilation for these queries. Their cost estimates (a union of
    correlated subqueries) pass the JIT threshold, and compiling took ~3 s at scale M — ten
    times the query itself (docs/performance.md)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL jit = off"))


def count_items(engine: Engine, viewer: Viewer, base: Baseline, window: Window) -> dict[str, int]:
    """How many unseen items of each kind (kinds without any left out)."""
    params = _params(viewer, base, window)
    sql = "SELECT kind, COUNT(*) FROM (" + _UNSEEN + ") c GROUP BY kind"  # noqa: S608 - constants
    with scoped_connection(engine, viewer) as conn:
        _no_jit(conn)
        return {str(k): int(n) for k, n in conn.execute(_stmt(sql), params).all()}


def list_items(engine: Engine, viewer: Viewer, base: Baseline, window: Window, *,
               limit: int = 50, offset: int = 0,
               kinds: Sequence[str] = ()) -> pd.DataFrame:
    """One page of unseen items (:data:`ITEM_COLUMNS`), most urgent kind first, newest first
    within a kind. ``kinds``: only these (empty: all). New assessments carry their open
    non-compliance counts (``non_compliant``, ``non_compliant_before``; NaN before: the
    factory's first assessment)."""
    params = _params(viewer, base, window)
    params.update(limit=max(1, min(int(limit), MAX_PAGE)), offset=max(0, int(offset)))
    sql = "SELECT * FROM (" + _UNSEEN + ") p"  # noqa: S608 - constants only
    wanted = [k for k in kinds if k in ITEM_KINDS]
    if wanted:
        sql += " WHERE kind IN (" + ", ".join(f"'{k}'" for k in wanted) + ")"
    sql += " ORDER BY rank, event_date DESC, item_key LIMIT :limit OFFSET :offset"
    stmt = _stmt(sql).bindparams(bindparam("limit", type_=Integer),
                                 bindparam("offset", type_=Integer))
    stmt = stmt.columns(item_key=String, kind=String, rank=Integer, factory_id=Integer,
                        factory_name=String, event_date=Date, ref_id=Integer, label=String)
    with scoped_connection(engine, viewer) as conn:
        _no_jit(conn)
        rows = conn.execute(stmt, params).mappings().all()
        frame = pd.DataFrame([dict(r) for r in rows], columns=ITEM_COLUMNS)
        new = [int(i) for i in frame.loc[frame["kind"] == "new_assessment", "ref_id"]]
        counts = _non_compliance(conn, new)
    frame["non_compliant"] = [counts.get(int(r), (None, None))[0] if k == "new_assessment"
                              else None for k, r in zip(frame["kind"], frame["ref_id"],
                                                        strict=True)]
    frame["non_compliant_before"] = [
        counts.get(int(r), (None, None))[1] if k == "new_assessment" else None
        for k, r in zip(frame["kind"], frame["ref_id"], strict=True)]
    return frame


_NC = ("(SELECT COUNT(*) FROM finding f JOIN question q ON q.id = f.question_id WHERE "
       "f.assessment_id = {a} AND f.non_compliant = :yes AND q.kind = 'non_compliance')")


def _non_compliance(conn: Connection, assessment_ids: list[int]) -> dict[int, tuple]:
    """assessment → (its open non-compliances, the previous assessment's; None: no previous)."""
    if not assessment_ids:
        return {}
    sql = (f"SELECT a.id, {_NC.format(a='a.id')} AS now_nc, {_PREVIOUS} AS prev_id, "  # noqa: S608
           f"{_NC.format(a=_PREVIOUS)} AS prev_nc FROM assessment a WHERE a.id IN :ids")
    stmt = text(sql).bindparams(bindparam("ids", expanding=True))
    out = {}
    for r in conn.execute(stmt, {"ids": assessment_ids, "yes": True}):
        out[int(r.id)] = (int(r.now_nc), None if r.prev_id is None else int(r.prev_nc))
    return out


def mark_seen(engine: Engine, viewer: Viewer, item_keys: Iterable[str], *,
              now: dt.datetime | None = None) -> int:
    """Mark items as seen by this user (keys already marked are skipped); returns how many."""
    brand_id = viewer.require_brand()
    keys = sorted({str(k)[:120] for k in item_keys if k})
    if not keys:
        return 0
    now = now or _now()
    with scoped_connection(engine, viewer) as conn:
        have = set(conn.execute(select(WhatsNewSeen.item_key).where(
            WhatsNewSeen.username == viewer.username[:80], WhatsNewSeen.brand_id == brand_id,
            WhatsNewSeen.item_key.in_(keys))).scalars())
        rows = [{"username": viewer.username[:80], "brand_id": brand_id, "item_key": k,
                 "seen_at": now} for k in keys if k not in have]
        if rows:
            conn.execute(WhatsNewSeen.__table__.insert(), rows)
    return len(rows)


def mark_all_seen(engine: Engine, viewer: Viewer, base: Baseline, window: Window, *,
                  now: dt.datetime | None = None) -> int:
    """Mark every unseen item as seen (one ``INSERT … SELECT``); returns how many."""
    params = _params(viewer, base, window)
    params["now"] = now or _now()
    sql = ("INSERT INTO whats_new_seen (username, brand_id, item_key, seen_at) "  # noqa: S608
           "SELECT :u, :b, item_key, :now FROM (" + _UNSEEN + ") m")
    stmt = _stmt(sql).bindparams(bindparam("now", type_=DateTime))
    with scoped_connection(engine, viewer) as conn:
        _no_jit(conn)
        return int(conn.execute(stmt, params).rowcount or 0)


def account_viewer(engine: Engine, username: str) -> Viewer:
    """The principal of an enabled brand account (for the digest command, run by the operator).

    Raises:
        NotFound: no such account, a disabled one, or an administrator (who has no brand).
    """
    with system_connection(engine) as conn:
        row = conn.execute(select(AppUser.username, AppUser.role, AppUser.brand_id,
                                  AppUser.disabled).where(AppUser.username == username)).first()
    if row is None or row.disabled:
        raise NotFound(f"There is no enabled account {username!r}.")
    if row.brand_id is None or row.role == "admin":
        raise NotFound(f"The account {username!r} belongs to no brand: a digest is per brand "
                       "user.")
    return Viewer(row.username, row.role, int(row.brand_id))
