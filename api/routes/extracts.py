"""The extracts as endpoints: the same builders as the Downloads page
(``services.extract_catalogue``), the same field names and dictionaries, JSON pages or a
streamed CSV (``api.responses``).

=========================  ===========================  ================================
endpoint                   extract                      filters
=========================  ===========================  ================================
``/v1/suppliers``          ``supplier-list``            the supplier directory's
``/v1/findings``           ``latest-findings``          the supplier directory's
``/v1/improvement-plans``  ``improvement-plans``        the supplier directory's
``/v1/purchase-orders``    ``purchase-orders``          confirmation dates, factory, country
``/v1/purchasing-indi…``   ``purchasing-indicators``    period, month end, country, factory
``/v1/risk-ranking``       ``risk-ranking``             country
``/v1/visibility-cover…``  ``visibility-by-country``    country
``/v1/extracts/{key}``     any extract of the catalogue all of the above
=========================  ===========================  ================================
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import closing
from dataclasses import replace
from itertools import islice
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import StringConstraints

from api.audit import remember
from api.auth import Caller, caller, state_of
from api.errors import ERROR_RESPONSES, ApiError
from api.responses import Format, Paging, csv_response, format_param, json_page, wants_csv
from api.schemas import page_model, row_model
from data_access.extracts import (
    extract_filename,
    filters_json,
    iter_purchase_orders,
    require_download,
)
from data_access.factories import (
    ASSESSMENT_AGE_CHOICES,
    GAP_CHOICES,
    PLAN_STATUS_CHOICES,
    DirectoryFilters,
)
from reference import CLUSTERS
from services.extract_catalogue import EXTRACTS, purchase_order_filters
from services.extract_requests import PERIODS, ExtractRequest, context_for
from services.reference_dates import brand_reference_dates

router = APIRouter(prefix="/v1", tags=["extracts"])

#: extract key -> its named endpoint (the path after /v1)
ENDPOINTS = {
    "supplier-list": "/suppliers",
    "latest-findings": "/findings",
    "improvement-plans": "/improvement-plans",
    "purchase-orders": "/purchase-orders",
    "purchasing-indicators": "/purchasing-indicators",
    "risk-ranking": "/risk-ranking",
    "visibility-by-country": "/visibility-coverage",
}
ID_MAX = 2**31 - 1

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
Countries = Annotated[list[CountryCode] | None, Query(
    description="ISO 3166-1 alpha-2 country code; repeat for several (`country_code=VN&"
                "country_code=KH`).")]
FactoryIds = Annotated[list[Annotated[int, Query(ge=1, le=ID_MAX)]] | None, Query(
    description="Only these factories (their `factory_id`); repeat for several. Another "
                "brand's factory, or one that does not exist, matches nothing.")]
ClusterCode = Literal[tuple(c.code for c in CLUSTERS)]  # type: ignore[valid-type]


def directory_params(
    search: Annotated[str, Query(max_length=100, description="Name or OS ID contains "
                                                             "(case-insensitive).")] = "",
    country_code: Countries = None,
    tier: Annotated[list[Annotated[int, Query(ge=1, le=4)]] | None,
                    Query(description="Supply-chain tier 1–4; repeat for several.")] = None,
    assessment_age: Annotated[list[Literal[ASSESSMENT_AGE_CHOICES]] | None,  # type: ignore[valid-type]
                              Query(description="recent (assessed in the last 365 days), "
                                                "older, never.")] = None,
    non_compliant_cluster: Annotated[list[ClusterCode] | None, Query(
        description="Non-compliant on this cluster in the latest assessment.")] = None,
    plan_status: Annotated[Literal[PLAN_STATUS_CHOICES] | None,  # type: ignore[valid-type]
                           Query(description="open, overdue or none_open improvement-plan "
                                             "items.")] = None,
    gap: Annotated[list[Literal[GAP_CHOICES]] | None,  # type: ignore[valid-type]
                   Query(description="Data gaps: no_os_id, no_geolocation, not_disclosed, "
                                     "incomplete_pledge.")] = None,
    include_former: Annotated[bool, Query(description="Also suppliers whose relationship "
                                                      "ended.")] = False,
    include_closed: Annotated[bool, Query(description="Also closed and moved "
                                                      "factories.")] = False,
    factory_id: FactoryIds = None,
) -> ExtractRequest:
    """The Suppliers page's filters."""
    return ExtractRequest(directory=DirectoryFilters(
        search=search, countries=tuple(c.upper() for c in country_code or ()),
        tiers=tuple(tier or ()), assessment_age=tuple(assessment_age or ()),
        clusters_non_compliant=tuple(non_compliant_cluster or ()),
        plan_status=plan_status or "", gaps=tuple(gap or ()),
        include_inactive=include_former, include_closed=include_closed,
        factory_ids=tuple(factory_id or ())))


def order_params(
    confirmed_from: Annotated[dt.date | None, Query(description="Orders confirmed on or "
                                                                "after (YYYY-MM-DD).")] = None,
    confirmed_to: Annotated[dt.date | None, Query(description="Orders confirmed on or "
                                                              "before.")] = None,
    factory_id: FactoryIds = None,
    country_code: Countries = None,
) -> ExtractRequest:
    return ExtractRequest(directory=DirectoryFilters(
        countries=tuple(c.upper() for c in country_code or ())),
        confirmed_from=confirmed_from, confirmed_to=confirmed_to,
        factory_ids=tuple(factory_id or ()))


Period = Literal[tuple(PERIODS)]  # type: ignore[valid-type]


def purchasing_params(
    period: Annotated[Period, Query(description="Orders confirmed in the last 12, 24 or 36 "
                                                "months up to the reference date, or all.")
                      ] = "12",
    as_of: Annotated[dt.date | None, Query(description="Figures as of an earlier month end "
                                                       "(YYYY-MM-DD) instead of the latest "
                                                       "order data.")] = None,
    country_code: Countries = None,
    factory_id: FactoryIds = None,
) -> ExtractRequest:
    """The Purchasing page's filters."""
    return ExtractRequest(directory=DirectoryFilters(
        countries=tuple(c.upper() for c in country_code or ())),
        factory_ids=tuple(factory_id or ()), period=period, month_end=as_of)


def country_params(country_code: Countries = None) -> ExtractRequest:
    return ExtractRequest(directory=DirectoryFilters(
        countries=tuple(c.upper() for c in country_code or ())))


def any_params(directory: ExtractRequest = Depends(directory_params),
               confirmed_from: Annotated[dt.date | None, Query()] = None,
               confirmed_to: Annotated[dt.date | None, Query()] = None,
               period: Annotated[Period, Query()] = "12",
               as_of: Annotated[dt.date | None, Query()] = None) -> ExtractRequest:
    """Every filter, for ``/v1/extracts/{key}`` (each extract uses those that apply)."""
    return replace(directory, confirmed_from=confirmed_from, confirmed_to=confirmed_to,
                   factory_ids=directory.directory.factory_ids, period=period,
                   month_end=as_of)


def serve(request: Request, who: Caller, key: str, wanted: ExtractRequest, paging: Paging,
          fmt: Format | None) -> JSONResponse | StreamingResponse:
    """Extract ``key`` for the caller's brand: a JSON page or the whole CSV."""
    csv = wants_csv(request, fmt)
    remember(request, key, {}, "csv" if csv else "json")
    spec = EXTRACTS[key]
    viewer = who.viewer
    require_download(viewer, key)  # 403 before anything is read
    engine = state_of(request).engine
    dates = brand_reference_dates(engine, viewer)
    try:
        ctx = context_for(engine, viewer, key, wanted, dates)
    except ValueError as exc:
        raise ApiError(422, "invalid_request", f"Invalid parameter: {exc}.") from exc
    filters = json.loads(filters_json({**ctx.describe(), **wanted.describe()}))
    remember(request, key, filters, "csv" if csv else "json")
    if csv:
        return csv_response(request, key, spec.columns, spec.build(engine, viewer, ctx),
                            extract_filename(who.token.brand_code, key, dates.figures),
                            filters)
    meta: dict[str, Any] = {"extract": key, "brand": who.token.brand_code,
                            "as_of": dates.figures.isoformat(), "filters": filters}
    if key == "purchase-orders":
        names = [c.name for c in spec.columns]
        day, number = names.index("confirmed_on"), names.index("po_number")
        order_filters = replace(purchase_order_filters(ctx), after=paging.after())
        with closing(iter_purchase_orders(engine, viewer, order_filters,
                                          limit=paging.limit + 1)) as rows:
            return json_page(request, key, spec.columns, rows, paging, meta, filters,
                             lambda page, _n: {"k": [str(page[-1][day])[:10],
                                                     str(page[-1][number])]})
    offset = paging.offset()
    rows = islice(spec.build(engine, viewer, ctx), offset, None)
    return json_page(request, key, spec.columns, rows, paging, meta, filters,
                     lambda _page, n: {"o": offset + n})


def _responses(key: str) -> dict[int | str, dict[str, Any]]:
    model = page_model(key, row_model(key, EXTRACTS[key].columns))
    return {200: {"model": model, "description": f"{EXTRACTS[key].description} JSON pages, "
                                                 "or CSV (`format=csv`).",
                  "content": {"text/csv": {"schema": {"type": "string"}}}},
            **ERROR_RESPONSES}


def _doc(key: str) -> str:
    spec = EXTRACTS[key]
    scope = ("Every token." if key in ("supplier-list", "purchasing-indicators",
                                       "risk-ranking", "visibility-by-country")
             else "Tokens that may read every extract (brand-manager scope).")
    return (f"**{spec.title}** — {spec.description}\n\nFields: the `{key}` extract's columns "
            f"(data dictionary: `/v1/dictionaries/{key}`). {scope}")


@router.get(ENDPOINTS["supplier-list"], name="suppliers", summary="Your suppliers",
            description=_doc("supplier-list"), responses=_responses("supplier-list"))
def suppliers(request: Request, who: Caller = Depends(caller),
              wanted: ExtractRequest = Depends(directory_params),
              paging: Paging = Depends(), format: Format | None = format_param()):
    return serve(request, who, "supplier-list", wanted, paging, format)


@router.get(ENDPOINTS["latest-findings"], name="findings",
            summary="Latest findings by compliance point",
            description=_doc("latest-findings"), responses=_responses("latest-findings"))
def findings(request: Request, who: Caller = Depends(caller),
             wanted: ExtractRequest = Depends(directory_params),
             paging: Paging = Depends(), format: Format | None = format_param()):
    return serve(request, who, "latest-findings", wanted, paging, format)


@router.get(ENDPOINTS["improvement-plans"], name="improvement_plans",
            summary="Improvement-plan items", description=_doc("improvement-plans"),
            responses=_responses("improvement-plans"))
def improvement_plans(request: Request, who: Caller = Depends(caller),
                      wanted: ExtractRequest = Depends(directory_params),
                      paging: Paging = Depends(),
                      format: Format | None = format_param()):
    return serve(request, who, "improvement-plans", wanted, paging, format)


@router.get(ENDPOINTS["purchase-orders"], name="purchase_orders", summary="Purchase orders",
            description=_doc("purchase-orders") + " Ordered by confirmation date and PO "
            "number; JSON pages are keyset pages (as fast at page 100 as at page 1); the CSV "
            "streams every matching order.", responses=_responses("purchase-orders"))
def purchase_orders(request: Request, who: Caller = Depends(caller),
                    wanted: ExtractRequest = Depends(order_params),
                    paging: Paging = Depends(),
                    format: Format | None = format_param()):
    return serve(request, who, "purchase-orders", wanted, paging, format)


@router.get(ENDPOINTS["purchasing-indicators"], name="purchasing_indicators",
            summary="Purchasing indicators by factory",
            description=_doc("purchasing-indicators") + " The brand-wide figures with other "
            "brands' typical range: `/v1/purchasing-summary`.",
            responses=_responses("purchasing-indicators"))
def purchasing_indicators(request: Request, who: Caller = Depends(caller),
                          wanted: ExtractRequest = Depends(purchasing_params),
                          paging: Paging = Depends(),
                          format: Format | None = format_param()):
    return serve(request, who, "purchasing-indicators", wanted, paging, format)


@router.get(ENDPOINTS["risk-ranking"], name="risk_ranking", summary="Risk ranking",
            description=_doc("risk-ranking"), responses=_responses("risk-ranking"))
def risk_ranking(request: Request, who: Caller = Depends(caller),
                 wanted: ExtractRequest = Depends(country_params),
                 paging: Paging = Depends(),
                 format: Format | None = format_param()):
    return serve(request, who, "risk-ranking", wanted, paging, format)


@router.get(ENDPOINTS["visibility-by-country"], name="visibility_coverage",
            summary="Assessment coverage by country",
            description=_doc("visibility-by-country"),
            responses=_responses("visibility-by-country"))
def visibility_coverage(request: Request, who: Caller = Depends(caller),
                        wanted: ExtractRequest = Depends(country_params),
                        paging: Paging = Depends(),
                        format: Format | None = format_param()):
    return serve(request, who, "visibility-by-country", wanted, paging, format)


@router.get("/extracts/{key}", name="extract", summary="Any extract of the catalogue",
            description="Every extract of `/v1/extracts` by its key, with every filter (each "
                        "extract uses those that apply to it). The named endpoints above are "
                        "the same extracts with only their own filters.",
            responses=ERROR_RESPONSES)
def extract(request: Request, key: Annotated[str, Path(max_length=80)],
            who: Caller = Depends(caller), wanted: ExtractRequest = Depends(any_params),
            paging: Paging = Depends(), format: Format | None = format_param()):
    if key not in EXTRACTS:
        remember(request, "extract", {"key": key[:80]})
        raise ApiError(404, "not_found", "Not found.")
    return serve(request, who, key, wanted, paging, format)
