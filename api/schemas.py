"""OpenAPI models generated from the data dictionaries, so ``/openapi.json`` documents every
field with the extract's own name, type, unit and meaning — one source for the CSV's
dictionary, docs/extracts.md and the API description.

They document the responses; the rows themselves are written by ``api.responses`` straight
from the extract's row iterator (no second conversion of 1,000 rows through pydantic).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, create_model

from data_access.extracts import ExtractColumn

_TYPES: dict[str, Any] = {"text": str, "int": int, "float": float, "date": dt.date,
                          "datetime": dt.datetime, "bool": bool}


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def row_model(name: str, columns: Sequence[ExtractColumn]) -> type[BaseModel]:
    """A model with one optional field per column, described by its dictionary entry."""
    fields: dict[str, Any] = {}
    for c in columns:
        text = c.description + (f" Unit: {c.unit}." if c.unit and c.unit != c.type else "")
        fields[c.name] = (_TYPES[c.type] | None, Field(None, description=text))
    return create_model(_camel(name) + "Row", **fields)


def page_model(name: str, row: type[BaseModel]) -> type[BaseModel]:
    return create_model(
        _camel(name) + "Page",
        extract=(str, Field(description="The extract's key.")),
        brand=(str, Field(description="The token's brand (its code).")),
        as_of=(dt.date, Field(description="The reference date the figures are computed as "
                                          "of: the brand's newest data, never the calendar.")),
        filters=(dict[str, Any], Field(description="The filters in force, as interpreted.")),
        limit=(int, Field(description="The page size asked for.")),
        count=(int, Field(description="Rows in this page.")),
        data=(list[row], Field(description="The rows, keyed by the extract's column names.")),
        next=(str | None, Field(description="The next page's URL; null on the last page.")),
    )


class DictionaryEntry(BaseModel):
    column: str
    type: str
    unit: str
    meaning: str


class Dictionary(BaseModel):
    name: str
    title: str
    columns: list[DictionaryEntry]


class ExtractInfo(BaseModel):
    key: str
    title: str
    description: str
    endpoint: str
    dictionary: str
    #: whether this token's scope may read it
    allowed: bool


class Catalogue(BaseModel):
    extracts: list[ExtractInfo]
    records: list[dict[str, str]]


class TokenInfo(BaseModel):
    prefix: str
    name: str
    scope: str
    expires_at: dt.datetime
    brand_code: str
    brand_name: str
    rate_limit_per_minute: int
