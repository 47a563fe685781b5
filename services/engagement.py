"""The engagement log for pages and extracts (issue 16): timelines, the follow-up list, its
CSV / Excel download (formula-neutralised like every extract) and shared remediation counts.

Overdue is judged against the calendar date (``today``), not the data's as-of date: this is
the brand's own operational follow-up (docs/indicators.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import pandas as pd
from sqlalchemy import Engine

from data_access import engagement as eg
from data_access.extracts import ExtractColumn, csv_bytes, record_download, xlsx_bytes
from data_access.viewer import Viewer
from metrics.engagement import days_overdue, overdue_flags, published_followers, shown_status
from reference.translation import N_

#: the extract's name in the download audit log
FOLLOW_UP_EXTRACT = "engagement-follow-up"
#: the due-date windows of the follow-up list's filter (days from today; "" = any)
#: (English; the interface translates the labels: ``_(label)``)
DUE_WINDOWS = {"": N_("Any due date"), "7": N_("Due within 7 days"),
               "30": N_("Due within 30 days"), "90": N_("Due within 90 days")}

FOLLOW_UP_COLUMNS = [
    ExtractColumn("factory_id", "int", "The factory's id in the dashboard."),
    ExtractColumn("factory", "text", "The factory's name."),
    ExtractColumn("kind", "text", "Commitment or follow-up."),
    ExtractColumn("title", "text", "The entry's title, as written by your team."),
    ExtractColumn("owner", "text", "Who in your team owns it."),
    ExtractColumn("due_date", "date", "When it is due."),
    ExtractColumn("status", "text", "Open or Overdue (open and due before today's date)."),
    ExtractColumn("days_overdue", "int", "Days past the due date (0 when not overdue).", "days"),
    ExtractColumn("text", "text", "The entry's text, as written by your team."),
    ExtractColumn("written_by", "text", "Who wrote the entry."),
    ExtractColumn("updated_at", "datetime", "When it was last changed (UTC)."),
]


@dataclass(frozen=True)
class FollowUpFilters:
    """The follow-up list's filters (kept in the page's URL)."""

    factory_ids: tuple[int, ...] = ()
    owner: str = ""
    due_within: str = ""  # a key of DUE_WINDOWS
    overdue_only: bool = False


def timeline(engine: Engine, viewer: Viewer, factory_id: int, today: dt.date) -> pd.DataFrame:
    """The brand's entries about a factory, newest first, with ``shown_status`` (Open,
    Overdue, Done, Withdrawn) and ``overdue``."""
    frame = eg.factory_entries(engine, viewer, factory_id)
    frame["overdue"] = overdue_flags(frame, today)
    frame["shown_status"] = [shown_status(s, d, today) for s, d in
                             zip(frame["status"], frame["due_date"], strict=True)]
    frame["kind_label"] = frame["kind"].map(eg.KIND_LABELS)
    return frame


def history(engine: Engine, viewer: Viewer, entry_id: int) -> pd.DataFrame:
    """An entry's revisions, oldest first, with the change in words."""
    frame = eg.entry_history(engine, viewer, entry_id)
    frame["change_label"] = frame["change"].map(eg.CHANGE_LABELS)
    frame["kind_label"] = frame["kind"].map(eg.KIND_LABELS)
    frame["status_label"] = frame["status"].map(eg.STATUS_LABELS)
    return frame


def follow_up_list(engine: Engine, viewer: Viewer, filters: FollowUpFilters,
                   today: dt.date) -> pd.DataFrame:
    """The brand's open commitments and follow-ups with the filters applied, earliest due
    first; columns of :data:`FOLLOW_UP_COLUMNS` plus ``entry_id`` and ``overdue``."""
    due_until = None
    if filters.due_within in DUE_WINDOWS and filters.due_within:
        due_until = today + dt.timedelta(days=int(filters.due_within))
    frame = eg.follow_ups(engine, viewer, factory_ids=filters.factory_ids,
                          owner=filters.owner or None, due_until=due_until,
                          overdue_before=today if filters.overdue_only else None)
    out = pd.DataFrame({
        "entry_id": frame["entry_id"].astype("int64"),
        "factory_id": frame["factory_id"].astype("int64"),
        "factory": frame["factory_name"],
        "kind": frame["kind"].map(eg.KIND_LABELS),
        "title": frame["title"],
        "owner": frame["owner"].fillna(""),
        "due_date": frame["due_date"],
        "status": [shown_status(s, d, today) for s, d in
                   zip(frame["status"], frame["due_date"], strict=True)],
        "days_overdue": [days_overdue(d, today) for d in frame["due_date"]],
        "text": frame["text"],
        "written_by": frame["created_by"],
        "updated_at": pd.to_datetime(frame["updated_at"]),
    })
    out["overdue"] = out["status"] == "Overdue"
    return out


def follow_up_file(engine: Engine, viewer: Viewer, filters: FollowUpFilters, today: dt.date,
                   file_format: str = "csv") -> bytes:
    """The follow-up list as CSV or an Excel workbook: every text cell a spreadsheet would run
    as a formula is neutralised (data_access.extracts); the download is recorded in the audit
    log with the filters. Every brand role may download its own brand's list."""
    viewer.require("view_brand_pages")
    frame = follow_up_list(engine, viewer, filters, today)
    if file_format == "xlsx":
        data = xlsx_bytes(frame, FOLLOW_UP_COLUMNS, dictionary=True)
    else:
        data = csv_bytes(frame, FOLLOW_UP_COLUMNS)
    recorded = {**asdict(filters), "format": file_format, "today": today.isoformat()}
    record_download(engine, viewer, FOLLOW_UP_EXTRACT, recorded, len(frame))
    return data


def shared_remediation(engine: Engine, viewer: Viewer, factory_id: int,
                       question_ids: Sequence[int]) -> dict[int, int]:
    """Per finding (question) of the factory: how many OTHER brands also follow it — only
    where that count passes the disclosure minimum (smaller counts are left out: not shown).
    Never which brands."""
    raw = eg.other_brands_following(engine, viewer, factory_id, question_ids)
    out = {}
    for question, count in raw.items():
        shown = published_followers(count)
        if shown is not None:
            out[question] = shown
    return out
