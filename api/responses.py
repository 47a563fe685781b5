"""How rows leave the API: JSON pages with a ``next`` link, or one streamed CSV.

**JSON** — ``limit`` rows per page (default :data:`DEFAULT_LIMIT`, at most
:data:`MAX_LIMIT`), the rows as objects keyed by the extract's column names, values typed as
the data dictionary says (``data_access.extracts.json_value``: numbers, ISO dates, booleans,
``null`` for missing), and ``next``: the URL of the following page (the same query with a
``cursor``), or ``null`` on the last page; also as a ``Link: <…>; rel="next"`` header. The
cursor is opaque: a position in the extract's order (purchase orders: the last order's
confirmation date and PO number, so a page is one indexed range read however deep it is;
other extracts: the number of rows already sent).

**CSV** — ``?format=csv`` or ``Accept: text/csv``: every row that matches the filters, in one
response streamed from the same row iterator and cell formatters as the Downloads page's CSV
(``data_access.extracts.csv_chunks``: formula neutralising, ISO dates, numbers untouched), in
chunks of 5,000 rows — 100,000 orders never sit in memory. ``limit`` and ``cursor`` do not
apply to CSV.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Literal

from fastapi import Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from api.audit import record_call
from api.errors import ApiError
from data_access.extracts import ExtractColumn, csv_chunks, data_dictionary, json_rows
from services.extract_catalogue import CSV_BYTE_ORDER_MARK

DEFAULT_LIMIT = 100
MAX_LIMIT = 1_000
Format = Literal["json", "csv"]


class Paging:
    """The ``limit`` and ``cursor`` query parameters (a dependency)."""

    def __init__(self,
                 limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT,
                                    description=f"Rows per JSON page (at most {MAX_LIMIT})."),
                 cursor: str | None = Query(None, max_length=400,
                                            description="Where the page starts: the cursor "
                                                        "of the previous page's `next` link.")
                 ) -> None:
        self.limit = limit
        self.cursor = cursor

    def position(self) -> dict[str, Any]:
        """The decoded cursor (``{}`` for the first page)."""
        if not self.cursor:
            return {}
        try:
            padded = self.cursor + "=" * (-len(self.cursor) % 4)
            value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        except (ValueError, UnicodeError, binascii.Error) as exc:
            raise invalid_cursor() from exc
        if not isinstance(value, dict) or not set(value) <= {"o", "k"} or len(value) != 1:
            raise invalid_cursor()
        return value

    def offset(self) -> int:
        position = self.position()
        if "k" in position:
            raise invalid_cursor()
        offset = position.get("o", 0)
        if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset < 10**9:
            raise invalid_cursor()
        return offset

    def after(self) -> tuple[dt.date, str] | None:
        """The keyset position of the purchase-order pages."""
        position = self.position()
        if "o" in position:
            raise invalid_cursor()
        key = position.get("k")
        if key is None:
            return None
        try:
            day, number = key
            return dt.date.fromisoformat(day), str(number)
        except (TypeError, ValueError) as exc:
            raise invalid_cursor() from exc


def invalid_cursor() -> ApiError:
    return ApiError(422, "invalid_request", "Invalid parameter: cursor. Use the `next` link of "
                    "the previous page as it is.",
                    details=[{"parameter": "cursor", "message": "not a cursor of this API"}])


def encode_cursor(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def format_param(description: str = "`json` (default) or `csv`; `Accept: text/csv` also "
                                    "asks for CSV."):
    return Query(None, description=description)


def wants_csv(request: Request, fmt: Format | None) -> bool:
    if fmt is not None:
        return fmt == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept


def next_url(request: Request, position: dict[str, Any]) -> str:
    return str(request.url.include_query_params(cursor=encode_cursor(position)))


def json_page(request: Request, name: str, columns: Sequence[ExtractColumn],
              rows: Iterable[Sequence[Any]], paging: Paging, meta: dict[str, Any],
              audit_filters: dict[str, Any],
              next_position: Callable[[list[Sequence[Any]], int], dict[str, Any]]
              ) -> JSONResponse:
    """One page of ``rows`` (which start at the page's position and hold at most
    ``paging.limit + 1`` rows: one more tells whether a next page exists)."""
    taken = []
    for row in rows:
        taken.append(row)
        if len(taken) > paging.limit:
            break
    more = len(taken) > paging.limit
    page = taken[:paging.limit]
    link = next_url(request, next_position(page, len(page))) if more else None
    body = {**meta, "limit": paging.limit, "count": len(page),
            "data": list(json_rows(page, columns)), "next": link}
    record_call(request, name, audit_filters, len(page))
    headers = {"Link": f'<{link}>; rel="next"'} if link else None
    return JSONResponse(body, headers=headers)


def csv_response(request: Request, name: str, columns: Sequence[ExtractColumn],
                 rows: Iterable[Sequence[Any]], filename: str,
                 audit_filters: dict[str, Any]) -> StreamingResponse:
    """Every row, streamed as CSV; recorded in the audit when the stream ends."""
    counter = [0]

    def stream() -> Iterator[bytes]:
        complete = False
        try:
            yield from csv_chunks(rows, columns, counter=counter,
                                  excel_bom=CSV_BYTE_ORDER_MARK)
            complete = True
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()  # a stopped stream releases its database connection now
            record_call(request, name, audit_filters, counter[0], fmt="csv",
                        complete=complete)

    return StreamingResponse(stream(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def dictionary_body(name: str, title: str, columns: Sequence[ExtractColumn]) -> dict[str, Any]:
    return {"name": name, "title": title, "columns": data_dictionary(columns)}
