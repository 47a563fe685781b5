"""The engagement log (issue 16): a brand's own record of what it did with each supplier.

Entries (note, meeting, call, visit, commitment, follow-up) belong to one brand and one of its
suppliers; they are never visible to another brand — the brand filter is in every query here,
and on PostgreSQL row-level security is the second control (migration 0011).

* **Who writes.** ``viewer.require("manage_engagement_log")``: brand managers (and an
  administrator acting for a brand). Brand viewers read.
* **History.** Nothing is overwritten silently and nothing is deleted by a brand user: every
  change (created, edited, done, reopened, withdrawn) appends the entry's full content to
  ``engagement_revision`` in the same transaction; "withdraw" is a status.
* **Plain text.** Titles (at most :data:`MAX_TITLE` characters) and texts (at most
  :data:`MAX_TEXT`) are stored as typed (control characters other than line breaks and tabs
  removed) and shown as plain text only (``ui.components.plain`` / ``st.text``).
* **Scope of links.** The factory must be one of the brand's suppliers (else ``NotFound``, the
  same answer as for another brand's factory); linked findings and plan items must be the
  factory's.
* **Shared remediation.** :func:`other_brands_following` counts the *other* brands with an
  entry linked to the same finding (question) at the factory — in the system scope, after the
  access check, and only counts leave the database; the caller applies the disclosure minimum.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, insert, select, update

from data_access.errors import DataAccessError, NotFound
from data_access.schema import (
    ENGAGEMENT_KINDS,
    ENGAGEMENT_STATUSES,
    FOLLOW_UP_KINDS,
    Assessment,
    EngagementEntry,
    EngagementLink,
    EngagementRevision,
    Factory,
    Finding,
    ImprovementPlanItem,
    Question,
    SourcingRelationship,
)
from data_access.scope import scoped_connection, system_connection
from data_access.viewer import Viewer
from reference.translation import N_, Translate, identity

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_OWNER = 120
MAX_LINKS = 50
WRITE_ACTION = "manage_engagement_log"
NOT_FOUND_MESSAGE = N_("This factory is not one of your suppliers, or it does not exist.")
ENTRY_NOT_FOUND = N_("There is no such entry in your brand's engagement log.")
#: the kinds, statuses and changes in words (English; the interface translates them: ``_(label)``)
KIND_LABELS = {"note": N_("Note"), "meeting": N_("Meeting"), "call": N_("Call"),
               "visit": N_("Visit"), "commitment": N_("Commitment"),
               "follow-up": N_("Follow-up")}
STATUS_LABELS = {"open": N_("Open"), "done": N_("Done"), "withdrawn": N_("Withdrawn")}
CHANGE_LABELS = {"created": N_("Written"), "edited": N_("Edited"), "done": N_("Marked done"),
                 "reopened": N_("Reopened"), "withdrawn": N_("Withdrawn")}
CONFLICT_WHILE_EDITING = N_("Someone changed this entry while you were editing it: reload the "
                            "page to see their change, then try again.")
#: control characters other than tab and line breaks
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Explained(DataAccessError):
    """An error whose message is an English template (marked ``N_``) with named numbers:
    ``str(exc)`` is English; :meth:`message` says it in the caller's language."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template.format(**params))

    def message(self, translate: Translate = identity) -> str:
        """The message through ``translate`` (the interface passes ``ui.i18n.gettext``)."""
        return translate(self.template).format(**self.params)


class EntryInvalid(_Explained):
    """An entry that cannot be stored as given; the message says what to change."""


class EntryConflict(_Explained):
    """The entry changed since it was read (someone else saved first)."""


@dataclass(frozen=True)
class EntryInput:
    """What a user typed for an entry (before :func:`clean_entry`)."""

    kind: str
    title: str
    text: str = ""
    owner: str | None = None
    due_date: dt.date | None = None


def _clean_text(value: object, *, single_line: bool) -> str:
    text = _CONTROL.sub("", str(value or "")).replace("\r\n", "\n").replace("\r", "\n")
    if single_line:
        text = " ".join(text.split())
    return text.strip()


def clean_entry(entry: EntryInput) -> EntryInput:
    """The entry as it will be stored, or :class:`EntryInvalid` with a clear message."""
    if entry.kind not in ENGAGEMENT_KINDS:
        raise EntryInvalid(N_("Choose what kind of entry this is (note, meeting, call, visit, "
                              "commitment or follow-up)."))
    title = _clean_text(entry.title, single_line=True)
    text = _clean_text(entry.text, single_line=False)
    owner = _clean_text(entry.owner, single_line=True) or None
    if not title:
        raise EntryInvalid(N_("Give the entry a title."))
    if len(title) > MAX_TITLE:
        raise EntryInvalid(N_("The title has {n} characters; at most {most} are allowed. Put "
                              "the details in the text."), n=len(title), most=MAX_TITLE)
    if len(text) > MAX_TEXT:
        raise EntryInvalid(N_("The text has {n} characters; at most {most} are allowed."),
                           n=len(text), most=MAX_TEXT)
    if owner is not None and len(owner) > MAX_OWNER:
        raise EntryInvalid(N_("The owner's name has at most {most} characters."),
                           most=MAX_OWNER)
    due = entry.due_date
    if entry.kind in FOLLOW_UP_KINDS:
        if due is None:
            raise EntryInvalid(N_("A commitment or follow-up needs a due date."))
        if owner is None:
            raise EntryInvalid(N_("Say who owns this commitment or follow-up."))
    if due is not None and not isinstance(due, dt.date):
        raise EntryInvalid(N_("The due date is not a date."))
    if isinstance(due, dt.datetime):
        due = due.date()
    return EntryInput(entry.kind, title, text, owner, due)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _require_supplier(conn: Connection, brand_id: int, factory_id: int) -> None:
    """NotFound unless the brand has (or had) a relationship with the factory."""
    try:
        fid = int(factory_id)
    except (TypeError, ValueError):
        raise NotFound(NOT_FOUND_MESSAGE) from None
    if not -(2**31) < fid < 2**31:
        raise NotFound(NOT_FOUND_MESSAGE)
    found = conn.execute(select(SourcingRelationship.id).where(
        SourcingRelationship.brand_id == brand_id,
        SourcingRelationship.factory_id == fid)).first()
    if found is None:
        raise NotFound(NOT_FOUND_MESSAGE)


def _revision(conn: Connection, row: dict, change: str, by: str, at: dt.datetime) -> None:
    conn.execute(insert(EngagementRevision).values(
        entry_id=row["id"], brand_id=row["brand_id"], version=row["version"], change=change,
        kind=row["kind"], title=row["title"], body=row["body"], owner=row["owner"],
        due_date=row["due_date"], status=row["status"], changed_by=by[:80], changed_at=at))


def _links(conn: Connection, factory_id: int,
           findings: Iterable[tuple[int, int]], plan_item_ids: Iterable[int]) -> list[dict]:
    """The link rows, after checking each finding and plan item is the factory's."""
    out: list[dict] = []
    wanted = sorted({(int(a), int(q)) for a, q in findings})
    items = sorted({int(i) for i in plan_item_ids})
    if len(wanted) + len(items) > MAX_LINKS:
        raise EntryInvalid(N_("Link at most {most} findings and plan items to one entry."),
                           most=MAX_LINKS)
    for assessment_id, question_id in wanted:
        ok = conn.execute(select(Finding.question_id).join(
            Assessment, Assessment.id == Finding.assessment_id).where(
            Finding.assessment_id == assessment_id, Finding.question_id == question_id,
            Assessment.factory_id == factory_id)).first()
        if ok is None:
            raise NotFound(N_("A linked finding is not one of this factory's findings."))
        out.append({"factory_id": factory_id, "question_id": question_id,
                    "assessment_id": assessment_id, "plan_item_id": None})
    for item_id in items:
        row = conn.execute(select(ImprovementPlanItem.question_id,
                                  ImprovementPlanItem.assessment_id).join(
            Assessment, Assessment.id == ImprovementPlanItem.assessment_id).where(
            ImprovementPlanItem.id == item_id, Assessment.factory_id == factory_id)).first()
        if row is None:
            raise NotFound(N_("A linked plan item is not one of this factory's plan items."))
        out.append({"factory_id": factory_id, "question_id": row.question_id,
                    "assessment_id": row.assessment_id, "plan_item_id": item_id})
    return out


# ---- writing ---------------------------------------------------------------------------------


def add_entry(engine: Engine, viewer: Viewer, factory_id: int, entry: EntryInput, *,
              findings: Sequence[tuple[int, int]] = (), plan_item_ids: Sequence[int] = (),
              now: dt.datetime | None = None) -> int:
    """Write a new entry about one of the brand's suppliers; returns its id.

    Raises:
        PermissionDenied: the viewer may not write the engagement log.
        NotFound: the factory (or a linked finding / plan item) is not the brand's.
        EntryInvalid: the entry breaks a rule (the message says which).
    """
    viewer.require(WRITE_ACTION)
    brand_id = viewer.require_brand()
    clean = clean_entry(entry)
    at = _now(now)
    with scoped_connection(engine, viewer) as conn:
        _require_supplier(conn, brand_id, factory_id)
        links = _links(conn, int(factory_id), findings, plan_item_ids)
        row = {"brand_id": brand_id, "factory_id": int(factory_id), "kind": clean.kind,
               "title": clean.title, "body": clean.text, "owner": clean.owner,
               "due_date": clean.due_date, "status": "open", "version": 1}
        entry_id = conn.execute(insert(EngagementEntry).values(
            **row, created_by=viewer.username[:80], created_at=at,
            updated_by=viewer.username[:80], updated_at=at)).inserted_primary_key[0]
        row["id"] = entry_id
        _revision(conn, row, "created", viewer.username, at)
        for link in links:
            conn.execute(insert(EngagementLink).values(entry_id=entry_id, brand_id=brand_id,
                                                       **link))
    return int(entry_id)


def _load(conn: Connection, brand_id: int, entry_id: int) -> dict:
    try:
        eid = int(entry_id)
    except (TypeError, ValueError):
        raise NotFound(ENTRY_NOT_FOUND) from None
    if not -(2**31) < eid < 2**31:
        raise NotFound(ENTRY_NOT_FOUND)
    e = EngagementEntry
    row = conn.execute(select(e.id, e.brand_id, e.factory_id, e.kind, e.title, e.body,
                              e.owner, e.due_date, e.status, e.version)
                       .where(e.id == eid, e.brand_id == brand_id)).mappings().first()
    if row is None:
        raise NotFound(ENTRY_NOT_FOUND)
    return dict(row)


def _save(conn: Connection, viewer: Viewer, row: dict, change: str, at: dt.datetime,
          expected_version: int | None) -> int:
    if expected_version is not None and int(expected_version) != row["version"] - 1:
        raise EntryConflict(CONFLICT_WHILE_EDITING)
    done = conn.execute(update(EngagementEntry).where(
        EngagementEntry.id == row["id"], EngagementEntry.brand_id == row["brand_id"],
        EngagementEntry.version == row["version"] - 1).values(
        kind=row["kind"], title=row["title"], body=row["body"], owner=row["owner"],
        due_date=row["due_date"], status=row["status"], version=row["version"],
        updated_by=viewer.username[:80], updated_at=at)).rowcount
    if done != 1:
        raise EntryConflict(N_("Someone changed this entry at the same time: reload the page "
                               "and try again."))
    _revision(conn, row, change, viewer.username, at)
    return int(row["version"])


def edit_entry(engine: Engine, viewer: Viewer, entry_id: int, entry: EntryInput, *,
               expected_version: int | None = None, now: dt.datetime | None = None) -> int:
    """Change an entry's kind, title, text, owner or due date; the former content stays in its
    history. Returns the new version (the same when nothing changed: no revision is added).

    ``expected_version``: the version the user edited (a newer one raises
    :class:`EntryConflict`, nothing is overwritten)."""
    viewer.require(WRITE_ACTION)
    brand_id = viewer.require_brand()
    clean = clean_entry(entry)
    at = _now(now)
    with scoped_connection(engine, viewer) as conn:
        row = _load(conn, brand_id, entry_id)
        if row["status"] == "withdrawn":
            raise EntryInvalid(N_("A withdrawn entry cannot be edited."))
        new = {**row, "kind": clean.kind, "title": clean.title, "body": clean.text,
               "owner": clean.owner, "due_date": clean.due_date}
        if all(new[k] == row[k] for k in ("kind", "title", "body", "owner", "due_date")):
            if expected_version is not None and int(expected_version) != row["version"]:
                raise EntryConflict(CONFLICT_WHILE_EDITING)
            return int(row["version"])
        new["version"] = row["version"] + 1
        return _save(conn, viewer, new, "edited", at,
                     None if expected_version is None else int(expected_version))


def set_status(engine: Engine, viewer: Viewer, entry_id: int, status: str, *,
               now: dt.datetime | None = None) -> int:
    """Mark an entry done, reopen it, or withdraw it (kept, with its history, but no longer
    listed as open). Returns the new version (unchanged when it already had that status)."""
    viewer.require(WRITE_ACTION)
    brand_id = viewer.require_brand()
    if status not in ENGAGEMENT_STATUSES:
        raise EntryInvalid(N_("Choose open, done or withdrawn."))
    at = _now(now)
    with scoped_connection(engine, viewer) as conn:
        row = _load(conn, brand_id, entry_id)
        if row["status"] == status:
            return int(row["version"])
        if row["status"] == "withdrawn":
            raise EntryInvalid(N_("A withdrawn entry stays withdrawn."))
        change = {"done": "done", "open": "reopened", "withdrawn": "withdrawn"}[status]
        new = {**row, "status": status, "version": row["version"] + 1}
        return _save(conn, viewer, new, change, at, None)


# ---- reading -----------------------------------------------------------------------------------

ENTRY_COLUMNS = ["entry_id", "factory_id", "factory_name", "kind", "title", "text", "owner",
                 "due_date", "status", "version", "created_by", "created_at", "updated_by",
                 "updated_at", "links"]


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame([dict(r) for r in rows], columns=columns)
    for col in ("due_date",):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col]).dt.date
    return frame


def _link_counts(conn: Connection, entry_ids: list[int], brand_id: int) -> dict[int, int]:
    if not entry_ids:
        return {}
    rows = conn.execute(select(EngagementLink.entry_id, func.count()).where(
        EngagementLink.brand_id == brand_id, EngagementLink.entry_id.in_(entry_ids))
        .group_by(EngagementLink.entry_id)).all()
    return {int(e): int(n) for e, n in rows}


def _entries_stmt(brand_id: int):
    e = EngagementEntry
    return (select(e.id.label("entry_id"), e.factory_id, Factory.name.label("factory_name"),
                   e.kind, e.title, e.body.label("text"), e.owner, e.due_date, e.status,
                   e.version, e.created_by, e.created_at, e.updated_by, e.updated_at)
            .join(Factory, Factory.id == e.factory_id)
            .where(e.brand_id == brand_id))


def factory_entries(engine: Engine, viewer: Viewer, factory_id: int, *,
                    include_withdrawn: bool = True) -> pd.DataFrame:
    """The brand's entries about one of its suppliers, newest first (:data:`ENTRY_COLUMNS`;
    ``links``: how many findings and plan items each is linked to)."""
    brand_id = viewer.require_brand()
    e = EngagementEntry
    with scoped_connection(engine, viewer) as conn:
        _require_supplier(conn, brand_id, factory_id)
        stmt = _entries_stmt(brand_id).where(e.factory_id == int(factory_id))
        if not include_withdrawn:
            stmt = stmt.where(e.status != "withdrawn")
        rows = conn.execute(stmt.order_by(e.created_at.desc(), e.id.desc())).mappings().all()
        counts = _link_counts(conn, [r["entry_id"] for r in rows], brand_id)
    frame = _frame(rows, ENTRY_COLUMNS[:-1])
    frame["links"] = [counts.get(int(i), 0) for i in frame["entry_id"]]
    return frame


def follow_ups(engine: Engine, viewer: Viewer, *, factory_ids: Sequence[int] = (),
               owner: str | None = None, due_until: dt.date | None = None,
               overdue_before: dt.date | None = None) -> pd.DataFrame:
    """The brand's open commitments and follow-ups, earliest due first (:data:`ENTRY_COLUMNS`).

    Filters: ``factory_ids`` (empty: all), ``owner`` (exact), ``due_until`` (due on or before),
    ``overdue_before`` (only those due before that day: the overdue ones)."""
    brand_id = viewer.require_brand()
    e = EngagementEntry
    stmt = _entries_stmt(brand_id).where(e.status == "open", e.kind.in_(FOLLOW_UP_KINDS))
    ids = sorted({int(i) for i in factory_ids if -(2**31) < int(i) < 2**31})
    if factory_ids:
        stmt = stmt.where(e.factory_id.in_(ids or [-1]))
    if owner:
        stmt = stmt.where(e.owner == owner)
    if due_until is not None:
        stmt = stmt.where(e.due_date <= due_until)
    if overdue_before is not None:
        stmt = stmt.where(e.due_date < overdue_before)
    with scoped_connection(engine, viewer) as conn:
        rows = conn.execute(stmt.order_by(e.due_date, e.id)).mappings().all()
        counts = _link_counts(conn, [r["entry_id"] for r in rows], brand_id)
    frame = _frame(rows, ENTRY_COLUMNS[:-1])
    frame["links"] = [counts.get(int(i), 0) for i in frame["entry_id"]]
    return frame


def owners(engine: Engine, viewer: Viewer) -> list[str]:
    """The owners named on the brand's open commitments and follow-ups."""
    brand_id = viewer.require_brand()
    e = EngagementEntry
    with scoped_connection(engine, viewer) as conn:
        return sorted(conn.execute(select(e.owner).distinct().where(
            e.brand_id == brand_id, e.status == "open", e.owner.is_not(None))).scalars())


HISTORY_COLUMNS = ["version", "change", "kind", "title", "text", "owner", "due_date", "status",
                   "changed_by", "changed_at"]


def entry_history(engine: Engine, viewer: Viewer, entry_id: int) -> pd.DataFrame:
    """Every revision of one of the brand's entries, oldest first (:data:`HISTORY_COLUMNS`)."""
    brand_id = viewer.require_brand()
    r = EngagementRevision
    with scoped_connection(engine, viewer) as conn:
        _load(conn, brand_id, entry_id)
        rows = conn.execute(select(r.version, r.change, r.kind, r.title, r.body.label("text"),
                                   r.owner, r.due_date, r.status, r.changed_by, r.changed_at)
                            .where(r.entry_id == int(entry_id), r.brand_id == brand_id)
                            .order_by(r.version)).mappings().all()
    return _frame(rows, HISTORY_COLUMNS)


LINK_COLUMNS = ["entry_id", "question_id", "question_code", "question", "assessment_id",
                "plan_item_id"]


def entry_links(engine: Engine, viewer: Viewer, factory_id: int) -> pd.DataFrame:
    """The links of the brand's entries about one factory (:data:`LINK_COLUMNS`)."""
    brand_id = viewer.require_brand()
    lk = EngagementLink
    with scoped_connection(engine, viewer) as conn:
        _require_supplier(conn, brand_id, factory_id)
        rows = conn.execute(select(lk.entry_id, lk.question_id, Question.code.label(
            "question_code"), Question.text.label("question"), lk.assessment_id,
            lk.plan_item_id).join(Question, Question.id == lk.question_id).where(
            lk.brand_id == brand_id, lk.factory_id == int(factory_id))
            .order_by(lk.entry_id, Question.code)).mappings().all()
    return _frame(rows, LINK_COLUMNS)


LINK_OPTION_COLUMNS = ["option", "assessment_id", "question_id", "plan_item_id",
                       "question_code", "question", "assessed_on", "cycle", "plan_status"]


def link_options(engine: Engine, viewer: Viewer, factory_id: int) -> pd.DataFrame:
    """What an entry about the factory can be linked to: the non-compliant findings of its
    latest assessment and its improvement-plan items not completed (:data:`LINK_OPTION_COLUMNS`;
    ``option``: ``finding:<assessment>:<question>`` or ``plan:<item>``)."""
    brand_id = viewer.require_brand()
    fid = int(factory_id)
    a, q, f, i = Assessment, Question, Finding, ImprovementPlanItem
    with scoped_connection(engine, viewer) as conn:
        _require_supplier(conn, brand_id, fid)
        latest = conn.execute(select(a.id, a.assessed_on, a.cycle).where(a.factory_id == fid)
                              .order_by(a.assessed_on.desc(), a.cycle.desc()).limit(1)).first()
        rows: list[dict] = []
        if latest is not None:
            for r in conn.execute(select(f.assessment_id, f.question_id, q.code, q.text).join(
                    q, q.id == f.question_id).where(
                    f.assessment_id == latest.id, f.non_compliant.is_(True),
                    q.kind == "non_compliance").order_by(q.code)):
                rows.append({"option": f"finding:{r.assessment_id}:{r.question_id}",
                             "assessment_id": r.assessment_id, "question_id": r.question_id,
                             "plan_item_id": None, "question_code": r.code, "question": r.text,
                             "assessed_on": latest.assessed_on, "cycle": latest.cycle,
                             "plan_status": None})
        for r in conn.execute(select(i.id, i.assessment_id, i.question_id, i.status, q.code,
                                     q.text, a.assessed_on, a.cycle)
                              .join(a, a.id == i.assessment_id).join(q, q.id == i.question_id)
                              .where(a.factory_id == fid, i.status != "Completed")
                              .order_by(a.assessed_on.desc(), q.code)):
            rows.append({"option": f"plan:{r.id}", "assessment_id": r.assessment_id,
                         "question_id": r.question_id, "plan_item_id": r.id,
                         "question_code": r.code, "question": r.text,
                         "assessed_on": r.assessed_on, "cycle": r.cycle,
                         "plan_status": r.status})
    return pd.DataFrame(rows, columns=LINK_OPTION_COLUMNS)


def parse_link_options(options: Iterable[str]) -> tuple[list[tuple[int, int]], list[int]]:
    """``finding:<a>:<q>`` / ``plan:<id>`` options → (findings, plan item ids); anything else
    is ignored."""
    findings: list[tuple[int, int]] = []
    items: list[int] = []
    for option in options:
        parts = str(option).split(":")
        try:
            if parts[0] == "finding" and len(parts) == 3:
                findings.append((int(parts[1]), int(parts[2])))
            elif parts[0] == "plan" and len(parts) == 2:
                items.append(int(parts[1]))
        except ValueError:
            continue
    return findings, items


def other_brands_following(engine: Engine, viewer: Viewer, factory_id: int,
                           question_ids: Sequence[int]) -> dict[int, int]:
    """Per question: how many OTHER brands have a (not withdrawn) entry linked to that finding
    at this factory. Read in the system scope after the access check; only counts leave the
    database — never which brands. The caller applies the disclosure minimum."""
    brand_id = viewer.require_brand()
    with scoped_connection(engine, viewer) as conn:
        _require_supplier(conn, brand_id, factory_id)
    ids = sorted({int(q) for q in question_ids})
    if not ids:
        return {}
    lk, e = EngagementLink, EngagementEntry
    with system_connection(engine) as conn:
        rows = conn.execute(
            select(lk.question_id, func.count(func.distinct(lk.brand_id)))
            .join(e, and_(e.id == lk.entry_id, e.brand_id == lk.brand_id))
            .where(lk.factory_id == int(factory_id), lk.question_id.in_(ids),
                   lk.brand_id != brand_id, e.status != "withdrawn")
            .group_by(lk.question_id)).all()
    return {int(q): int(n) for q, n in rows}
