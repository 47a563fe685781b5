"""One factory (profile and latest results) and the brand's purchasing headline figures with
other brands' typical range — the Factory profile and Purchasing practices pages as records
(``services.records``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import create_model

from api.audit import record_call, remember
from api.auth import Caller, caller, state_of
from api.errors import ERROR_RESPONSES, ApiError
from api.responses import Format, csv_response, format_param, wants_csv
from api.routes.extracts import purchasing_params
from api.schemas import row_model
from data_access.extracts import extract_filename, json_rows
from data_access.factories import parse_factory_id
from services.extract_requests import ExtractRequest, order_view
from services.records import (
    CLUSTER_COLUMNS,
    FACTORY_COLUMNS,
    SUMMARY_COLUMNS,
    factory_record,
    purchasing_summary,
)
from services.reference_dates import brand_reference_dates

router = APIRouter(prefix="/v1", tags=["records"])

FactoryRow = row_model("factory", FACTORY_COLUMNS)
ClusterRow = row_model("factory-cluster", CLUSTER_COLUMNS)
SummaryRow = row_model("purchasing-summary", SUMMARY_COLUMNS)
FactoryBody = create_model("FactoryRecord", as_of=(str, ...), factory=(FactoryRow, ...),
                           clusters=(list[ClusterRow], ...), links=(dict[str, str], ...))
SummaryBody = create_model("PurchasingSummary", brand=(str, ...), as_of=(str, ...),
                           since=(str | None, ...), period=(str, ...),
                           countries=(list[str], ...), factory_ids=(list[int], ...),
                           orders=(int, ...), units=(float, ...), factories=(int, ...),
                           benchmark_note=(str, ...), data=(list[SummaryRow], ...))


@router.get("/factories/{factory_id}", name="factory", summary="One factory",
            description="The factory's profile (Open Supply Hub fields, status, your "
                        "relationship, how many other brands source from it — never their "
                        "names), its latest assessment, its results per cluster and its risk "
                        "level with the reasons, as of your reference date. Any factory your "
                        "brand sources from or did; any other id — unknown or another brand's "
                        "— is 404 with the same body. Fields: `/v1/dictionaries/factory` and "
                        "`/v1/dictionaries/factory-clusters`.",
            response_model=FactoryBody, responses=ERROR_RESPONSES)
def factory(request: Request, factory_id: Annotated[str, Path(max_length=40)],
            who: Caller = Depends(caller)) -> JSONResponse:
    remember(request, "factory-profile", {"factory_id": factory_id})
    fid = parse_factory_id(factory_id)  # anything but a positive id: NotFound, as unknown
    engine = state_of(request).engine
    dates = brand_reference_dates(engine, who.viewer)
    record = factory_record(engine, who.viewer, fid, dates.figures)
    wide = {"factory_id": str(fid), "include_former": "true", "include_closed": "true"}
    links = {
        "findings": str(request.url_for("findings").include_query_params(**wide)),
        "improvement_plans": str(request.url_for("improvement_plans")
                                 .include_query_params(**wide)),
        "purchase_orders": str(request.url_for("purchase_orders")
                               .include_query_params(factory_id=str(fid))),
    }
    body = {"as_of": dates.figures.isoformat(),
            "factory": next(json_rows([record.factory], FACTORY_COLUMNS)),
            "clusters": list(json_rows(record.clusters, CLUSTER_COLUMNS)), "links": links}
    record_call(request, "factory-profile", {"factory_id": fid}, 1 + len(record.clusters))
    return JSONResponse(body)


@router.get("/purchasing-summary", name="purchasing_summary",
            summary="Purchasing figures with other brands' typical range",
            description="The Purchasing practices page's figures for your orders in the "
                        "period, each next to the band containing the median of at least five "
                        "*other* brands (computed the same way over the same period and "
                        "country, never including yours; not published for a choice of "
                        "factories or several countries, or with fewer than five other "
                        "brands). Fields: `/v1/dictionaries/purchasing-summary`.",
            response_model=SummaryBody,
            responses={**ERROR_RESPONSES,
                       200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def summary(request: Request, who: Caller = Depends(caller),
            wanted: ExtractRequest = Depends(purchasing_params),
            format: Format | None = format_param()
            ) -> JSONResponse | StreamingResponse:
    csv = wants_csv(request, format)
    remember(request, "purchasing-summary", wanted.describe(), "csv" if csv else "json")
    viewer = who.viewer
    viewer.require("download_summary_extracts")
    engine = state_of(request).engine
    dates = brand_reference_dates(engine, viewer)
    try:
        view, chosen = order_view(engine, viewer, dates, wanted)
    except ValueError as exc:
        raise ApiError(422, "invalid_request", f"Invalid parameter: {exc}.") from exc
    result = purchasing_summary(engine, viewer, view, chosen)
    rows = result.rows()
    filters: dict[str, Any] = {"as_of": view.as_of.isoformat(), "period": wanted.period,
                               "countries": list(view.countries),
                               "factory_ids": list(view.factory_ids)}
    if csv:
        return csv_response(request, "purchasing-summary", SUMMARY_COLUMNS, rows,
                            extract_filename(who.token.brand_code, "purchasing-summary",
                                             view.as_of), filters)
    body = {"brand": who.token.brand_code, "as_of": view.as_of.isoformat(),
            "since": view.since.isoformat() if view.since else None, "period": wanted.period,
            "countries": list(view.countries), "factory_ids": list(view.factory_ids),
            "orders": int(result.figures.get("orders", 0)),
            "units": float(result.figures.get("units", 0)),
            "factories": int(result.figures.get("factories", 0)),
            "benchmark_note": result.no_benchmark,
            "data": list(json_rows(rows, SUMMARY_COLUMNS))}
    record_call(request, "purchasing-summary", filters, len(rows))
    return JSONResponse(body)
