"""What a token can ask for: the token itself, the catalogue of extracts, the data
dictionaries — and a health check for load balancers (no token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from api.audit import record_call, remember
from api.auth import Caller, caller, state_of
from api.errors import ERROR_RESPONSES, ApiError
from api.responses import Format, dictionary_body, format_param, wants_csv
from api.routes.extracts import ENDPOINTS
from api.schemas import Catalogue, Dictionary, TokenInfo
from data_access.api_tokens import scope_label
from data_access.extracts import ExtractColumn, data_dictionary_csv, may_download
from services.extract_catalogue import EXTRACTS
from services.records import CLUSTER_COLUMNS, FACTORY_COLUMNS, SUMMARY_COLUMNS

router = APIRouter(prefix="/v1", tags=["catalogue"])

#: the records' dictionaries beside the extracts': name -> (title, columns, endpoint)
RECORDS: dict[str, tuple[str, tuple[ExtractColumn, ...], str]] = {
    "factory": ("One factory: profile, latest assessment, risk", FACTORY_COLUMNS,
                "/v1/factories/{factory_id}"),
    "factory-clusters": ("One factory: results per cluster of its latest assessment",
                         CLUSTER_COLUMNS, "/v1/factories/{factory_id}"),
    "purchasing-summary": ("Purchasing figures with other brands' typical range",
                           SUMMARY_COLUMNS, "/v1/purchasing-summary"),
}


@router.get("/health", name="health", summary="Is the API up (no token)",
            description="200 `{\"status\": \"ok\"}` when the API can reach its database, 503 "
                        "otherwise. For load balancers and start-up scripts.")
def health(request: Request) -> JSONResponse:
    with state_of(request).engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok"})


@router.get("/token", name="token", summary="The token you are using",
            response_model=TokenInfo, responses=ERROR_RESPONSES)
def token(request: Request, who: Caller = Depends(caller)) -> JSONResponse:
    t = who.token
    record_call(request, "token", {}, 1)
    return JSONResponse({"prefix": t.prefix, "name": t.name, "scope": scope_label(t.scope),
                         "expires_at": t.expires_at.isoformat(timespec="seconds") + "Z",
                         "brand_code": t.brand_code, "brand_name": t.brand_name,
                         "rate_limit_per_minute":
                             state_of(request).settings.api_rate_limit_per_minute})


@router.get("/extracts", name="extracts", summary="Every extract and record",
            description="Each extract with its endpoint, its data dictionary and whether this "
                        "token may read it; then the records (factory, purchasing summary).",
            response_model=Catalogue, responses=ERROR_RESPONSES)
def catalogue(request: Request, who: Caller = Depends(caller)) -> JSONResponse:
    extracts = [{"key": key, "title": spec.title, "description": spec.description,
                 "endpoint": "/v1" + ENDPOINTS.get(key, f"/extracts/{key}"),
                 "dictionary": f"/v1/dictionaries/{key}",
                 "allowed": may_download(who.viewer, key)}
                for key, spec in EXTRACTS.items()]
    records = [{"name": name, "title": title, "endpoint": endpoint,
                "dictionary": f"/v1/dictionaries/{name}"}
               for name, (title, _columns, endpoint) in RECORDS.items()]
    record_call(request, "catalogue", {}, len(extracts) + len(records))
    return JSONResponse({"extracts": extracts, "records": records})


@router.get("/dictionaries/{name}", name="dictionary", summary="A data dictionary",
            description="Every field of an extract or record: name, type, unit and meaning — "
                        "the same dictionary that downloads beside the extract in the app.",
            response_model=Dictionary,
            responses={**ERROR_RESPONSES,
                       200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def dictionary(request: Request, name: Annotated[str, Path(max_length=80)],
               who: Caller = Depends(caller),
               format: Format | None = format_param()
               ) -> Response:
    csv = wants_csv(request, format)
    remember(request, "dictionary", {"name": name[:80]}, "csv" if csv else "json")
    if name in EXTRACTS:
        title, columns = EXTRACTS[name].title, EXTRACTS[name].columns
    elif name in RECORDS:
        title, columns, _ = RECORDS[name]
    else:
        raise ApiError(404, "not_found", "Not found.")
    record_call(request, "dictionary", {"name": name}, len(columns),
                fmt="csv" if csv else "json")
    if csv:
        return Response(data_dictionary_csv(columns), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition":
                                 f'attachment; filename="{name}_data-dictionary.csv"'})
    return JSONResponse(dictionary_body(name, title, columns))
