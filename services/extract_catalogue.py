"""Every CSV extract the product offers: its columns (the data dictionary) and how its rows are
built from brand-scoped reads and metric functions, for the filters in force.

No Streamlit here, so the same builders serve the Downloads page, the download buttons on the
table pages, the tests and docs/extracts.md. Writing goes through ``data_access.extracts``
(formula neutralising, ISO dates, audit log).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import IO, Any

import pandas as pd
from sqlalchemy import Engine

from data_access import factories, orders, queries
from data_access.extracts import (
    PURCHASE_ORDER_COLUMNS,
    ExtractColumn,
    PurchaseOrderFilters,
    export_csv,
    export_xlsx,
    iter_purchase_orders,
    require_download,
)
from data_access.factories import DirectoryFilters
from data_access.viewer import Viewer
from metrics import visibility as vis
from metrics.countries import country_name
from metrics.portfolio import REPORTING_WINDOW_MONTHS
from metrics.purchasing import INDICATORS, orders_known_on, per_factory_practices
from metrics.risk import (
    COMPONENT_LABELS,
    COMPONENTS,
    HIGH_RISK_MIN_SCORE,
    MEDIUM_RISK_MIN_SCORE,
    RISK_CAPS,
    RISK_WEIGHTS,
)
from reference.translation import N_
from services.analysis import risk_table


def C(name: str, kind: Any = "text", description: str = "", unit: str = "",
      **values: Any) -> ExtractColumn:
    """An extract column. ``description`` is a catalogue message (marked ``N_`` here); with
    ``values`` it is a template whose ``{placeholders}`` they fill, and the data dictionary
    translates the template before filling it (``ExtractColumn.meaning``)."""
    if not values:
        return ExtractColumn(name, kind, description, unit)
    return ExtractColumn(name, kind, description.format(**values), unit,
                         meaning=((description, tuple(values.items())),))


@dataclass(frozen=True)
class ExtractContext:
    """The filters in force when an extract is built."""

    as_of: dt.date
    directory: DirectoryFilters = field(default_factory=DirectoryFilters)
    orders_since: dt.date | None = None
    order_factory_ids: tuple[int, ...] = ()
    #: the order figures' reference date (the Purchasing page's); None: ``as_of``
    orders_as_of: dt.date | None = None

    @property
    def order_date(self) -> dt.date:
        return self.orders_as_of or self.as_of

    def describe(self) -> dict[str, Any]:
        """The filters as recorded in the audit log."""
        return {"as_of": self.as_of, "directory": asdict(self.directory),
                "orders_since": self.orders_since, "orders_as_of": self.order_date,
                "order_factory_ids": list(self.order_factory_ids)}


Rows = Iterable[tuple]


@dataclass(frozen=True)
class ExtractSpec:
    key: str
    title: str
    description: str
    columns: tuple[ExtractColumn, ...]
    build: Callable[[Engine, Viewer, ExtractContext], Rows]


def _directory(engine: Engine, viewer: Viewer, ctx: ExtractContext) -> pd.DataFrame:
    return factories.supplier_directory(engine, viewer, ctx.directory, ctx.as_of)


def _rows(frame: pd.DataFrame, columns: tuple[ExtractColumn, ...]) -> Iterator[tuple]:
    names = [c.name for c in columns]
    for row in frame[names].itertuples(index=False, name=None):
        yield tuple(None if (not isinstance(v, str) and pd.isna(v)) else v for v in row)


#: the first column of every factory-level extract: the key to join extracts on (an OS ID may
#: be missing) and the id the HTTP API's factory endpoints take
FACTORY_ID = C("factory_id", "int", N_("The factory's id in this dashboard (as in the "
                                       "purchase-order extract)."))


# ---- supplier list (Transparency Pledge / Open Supply Hub columns) ---------------------------

SUPPLIER_COLUMNS = (
    FACTORY_ID,
    C("os_id", "text", N_("Open Supply Hub facility id (empty: not on Open Supply Hub).")),
    C("name", "text", N_("Factory name.")),
    C("address", "text", N_("Site address.")),
    C("country_code", "text", N_("Country, ISO 3166-1 alpha-2.")),
    C("country_name", "text", N_("Country name (ISO 3166).")),
    C("lat", "float", N_("Latitude (WGS 84)."), "degrees"),
    C("lng", "float", N_("Longitude (WGS 84)."), "degrees"),
    C("sector", "text", N_("Sector.")),
    C("facility_type", "text", N_("Facility type (Open Supply Hub list).")),
    C("product_type", "text", N_("Products made.")),
    C("parent_company", "text", N_("Parent company.")),
    C("number_of_workers", "int", N_("Workers at the site."), "workers"),
    C("workers_band", "text", N_("Transparency Pledge band: <1000, 1001–5000, 5001–10000, "
                                 ">10000.")),
    C("tier", "int", N_("Supply-chain tier (1 = final product assembly).")),
    C("publicly_disclosed", "bool", N_("On the brand's published supplier list.")),
    C("latest_assessment_date", "date", N_("Date of the latest Better Work assessment."), "date"),
    C("compliance_pct", "float", N_("100 × (questions − violations) ÷ questions in the latest "
                                    "assessment."), "%"),
)


def _suppliers(engine: Engine, viewer: Viewer, ctx: ExtractContext) -> Rows:
    directory = _directory(engine, viewer, ctx)
    full = queries.suppliers(engine, viewer, include_inactive=True,
                             include_closed=True).set_index("factory_id")
    frame = directory.join(full[["address", "sector", "product_type", "parent_company"]],
                           on="factory_id")
    frame = frame.assign(
        country_name=frame["country_code"].map(country_name),
        number_of_workers=frame["workers"],
        workers_band=vis.workers_band(frame["workers"]).astype("object"),
        latest_assessment_date=frame["latest_assessed_on"],
    )
    return _rows(frame, SUPPLIER_COLUMNS)


# ---- latest findings by factory and compliance point ------------------------------------------

FINDING_COLUMNS = (
    FACTORY_ID,
    C("factory_os_id", "text", N_("Open Supply Hub facility id.")),
    C("factory_name", "text", N_("Factory name.")),
    C("country_code", "text", N_("Country, ISO 3166-1 alpha-2.")),
    C("assessment_date", "date", N_("Date of the factory's latest assessment."), "date"),
    C("cycle", "int", N_("Assessment cycle (1 = first assessment).")),
    C("cluster", "text", N_("Better Work cluster.")),
    C("compliance_point_code", "text", N_("Compliance point code.")),
    C("compliance_point", "text", N_("Compliance point.")),
    C("questions_assessed", "int", N_("Non-compliance questions assessed under the point."),
      "questions"),
    C("questions_non_compliant", "int", N_("Questions found non-compliant."), "questions"),
    C("non_compliant", "bool", N_("Non-compliant on the point: any question non-compliant.")),
)


def _findings(engine: Engine, viewer: Viewer, ctx: ExtractContext) -> Rows:
    directory = _directory(engine, viewer, ctx)
    assessed = directory.dropna(subset=["latest_assessment_id"])
    if assessed.empty:
        return iter(())
    cp = factories.compliance_point_results(engine, viewer, list(assessed["factory_id"]))
    cp = cp[cp["assessment_id"].isin(assessed["latest_assessment_id"].astype(int))]
    frame = cp.merge(assessed[["factory_id", "os_id", "name", "country_code",
                               "latest_assessed_on", "latest_cycle"]], on="factory_id")
    frame = frame.assign(
        factory_os_id=frame["os_id"], factory_name=frame["name"],
        assessment_date=frame["latest_assessed_on"], cycle=frame["latest_cycle"],
        cluster=frame["cluster_name"], compliance_point_code=frame["cp_code"],
        compliance_point=frame["cp_name"], non_compliant=frame["non_compliant"].astype(bool),
    ).sort_values(["factory_name", "cluster_order", "cp_order"])
    return _rows(frame, FINDING_COLUMNS)


# ---- improvement plans ------------------------------------------------------------------------

PLAN_COLUMNS = (
    FACTORY_ID,
    C("factory_os_id", "text", N_("Open Supply Hub facility id.")),
    C("factory_name", "text", N_("Factory name.")),
    C("assessment_date", "date", N_("Assessment the item follows from."), "date"),
    C("cycle", "int", N_("Assessment cycle.")),
    C("question_code", "text", N_("Question found non-compliant.")),
    C("compliance_point", "text", N_("Compliance point of the question.")),
    C("action", "text", N_("Agreed remediation action.")),
    C("status", "text", N_("Pending, In Progress or Completed.")),
    C("due_date", "date", N_("Due date."), "date"),
    C("completed_on", "date", N_("Completion date (empty: not completed)."), "date"),
    C("overdue", "bool", N_("Not completed and past its due date on the extract date.")),
)


def _plans(engine: Engine, viewer: Viewer, ctx: ExtractContext) -> Rows:
    directory = _directory(engine, viewer, ctx)
    if directory.empty:
        return iter(())
    plans = factories.improvement_plans(engine, viewer, list(directory["factory_id"]))
    frame = plans.merge(directory[["factory_id", "os_id", "name"]], on="factory_id")
    frame = frame.assign(
        factory_os_id=frame["os_id"], factory_name=frame["name"],
        assessment_date=frame["assessed_on"], compliance_point=frame["cp_name"],
        overdue=(frame["status"] != "Completed") & (frame["due_date"] < pd.Timestamp(ctx.as_of)),
    ).sort_values(["factory_name", "assessment_date", "due_date"],
                  ascending=[True, False, True])
    return _rows(frame, PLAN_COLUMNS)


# ---- purchase orders (streamed) ---------------------------------------------------------------


def purchase_order_filters(ctx: ExtractContext) -> PurchaseOrderFilters:
    """The purchase-order extract's filters for ``ctx`` (the HTTP API pages them)."""
    return PurchaseOrderFilters(
        confirmed_from=ctx.orders_since,
        confirmed_to=ctx.orders_as_of,
        factory_ids=ctx.order_factory_ids or None,
        country_codes=ctx.directory.countries or None,
    )


def _purchase_orders(engine: Engine, viewer: Viewer, ctx: ExtractContext) -> Rows:
    return iter_purchase_orders(engine, viewer, purchase_order_filters(ctx))


# ---- indicator tables -------------------------------------------------------------------------

PRACTICE_COLUMNS = (
    FACTORY_ID,
    C("factory_os_id", "text", N_("Open Supply Hub facility id.")),
    C("factory_name", "text", N_("Factory name.")),
    C("country_code", "text", N_("Country, ISO 3166-1 alpha-2.")),
    C("as_of", "date", N_("The date the figures are computed as of: the latest order data, or "
                          "the month end chosen on the Purchasing page."), "date"),
    C("orders", "int", N_("Orders confirmed in the period."), "orders"),
    C("units", "int", N_("Units ordered in the period."), "units"),
    # the indicator's name and formula are themselves messages where metrics.purchasing marks
    # them (the data dictionary translates every text value)
    *(C(key, "float", N_("{indicator}: {formula}."), spec.unit, indicator=spec.label,
        formula=spec.formula)
      for key, spec in INDICATORS.items()),
)


def _practices(engine: Engine, viewer: Viewer, ctx: ExtractContext) -> Rows:
    # the Purchasing page's orders: the same filters, as the data stood on its reference date
    frame = orders_known_on(
        orders.purchase_orders(engine, viewer, since=ctx.orders_since, until=ctx.order_date,
                               factory_ids=ctx.order_factory_ids or None,
                               countries=ctx.directory.countries or None), ctx.order_date)
    per_factory = per_factory_practices(frame, ctx.order_date,
                                        orders.relationships(engine, viewer))
    names = queries.suppliers(engine, viewer, include_inactive=True, include_closed=True)[
        ["factory_id", "os_id", "name", "country_code"]]
    merged = per_factory.merge(names, on="factory_id", how="left")
    merged = merged.assign(factory_os_id=merged["os_id"], factory_name=merged["name"],
                           as_of=pd.Timestamp(ctx.order_date))
    for key in INDICATORS:
        if key not in merged:
            merged[key] = float("nan")
    return _rows(merged.sort_values("factory_name"), PRACTICE_COLUMNS)


COVERAGE_COLUMNS = (
    C("country_code", "text", N_("Country, ISO 3166-1 alpha-2.")),
    C("country_name", "text", N_("Country name.")),
    C("suppliers", "int", N_("Active suppliers in the country."), "factories"),
    C("assessed_recently", "int", N_("Of which assessed in the 365 days before the extract date."),
      "factories"),
    C("share_pct", "float", N_("assessed_recently ÷ suppliers × 100."), "%"),
)


def _coverage(engine: Engine, viewer: Viewer, ctx: ExtractContext) -> Rows:
    suppliers = queries.suppliers(engine, viewer)
    if ctx.directory.countries:
        suppliers = suppliers[suppliers["country_code"].isin(ctx.directory.countries)]
    frame = vis.coverage_by_country(suppliers, ctx.as_of)
    frame["country_name"] = frame["country_code"].map(country_name)
    return _rows(frame, COVERAGE_COLUMNS)


RISK_COLUMNS = (
    C("rank", "int", N_("Place in the ranking: by level (zero tolerance, high, unknown, medium, "
                        "low), then open zero-tolerance findings, then score.")),
    FACTORY_ID,
    C("factory_os_id", "text", N_("Open Supply Hub facility id.")),
    C("factory_name", "text", N_("Factory name.")),
    C("country_code", "text", N_("Country, ISO 3166-1 alpha-2.")),
    C("risk_level", "text",
      N_("Zero tolerance — act now (a zero-tolerance finding open, or reported fixed but not "
         "yet verified by an assessment); Unknown — needs assessment (never assessed, or the "
         "latest assessment older than {months} months); otherwise High (score ≥ {high}), "
         "Medium (≥ {medium}) or Low."),
      months=REPORTING_WINDOW_MONTHS, high=f"{HIGH_RISK_MIN_SCORE:g}",
      medium=f"{MEDIUM_RISK_MIN_SCORE:g}"),
    C("risk_score", "float", N_("The sum of the component points below (each component gives its "
                                "full weight once its value reaches its \u201cfull at\u201d value, "
                                "a proportional share below that); orders factories within a "
                                "level."), "points (0–100)"),
    C("reasons", "text", N_("Why, in full sentences, most severe first.")),
    *(C(f"{c}_points", "float", N_("{component}: points out of {weight} (full at {cap})."),
        "points", component=COMPONENT_LABELS[c], weight=f"{getattr(RISK_WEIGHTS, c):g}",
        cap=f"{getattr(RISK_CAPS, c):g}")
      for c in COMPONENTS),
    C("zt_open", "int", N_("Zero-tolerance findings open (no fix reported, no later assessment).")),
    C("zt_reported_fixed", "int", N_("Zero-tolerance findings the factory reports fixed (plan item "
                                     "completed), not yet verified by a later assessment.")),
    C("zt_verified_fixed", "int", N_("Earlier zero-tolerance findings a later assessment found "
                                     "fixed.")),
    C("open_nc_core", "int", N_("Open non-compliant questions in the core labour clusters (child "
                                "labour, discrimination, forced labour, freedom of association) of "
                                "the latest assessment, zero-tolerance ones apart.")),
    C("reported_fixed_core", "int", N_("The same questions whose plan item the factory marked "
                                       "completed (not yet verified).")),
    C("open_nc_other", "int", N_("Open non-compliant questions in the other four clusters.")),
    C("reported_fixed_other", "int", N_("The same, reported fixed by the factory.")),
    C("assessment_age_days", "int", N_("Days from the latest assessment to the reference date; "
                                       "empty when never assessed."), "days"),
    C("late_change_share_pct", "float", N_("Your orders here changed after confirmation, of "
                                           "those confirmed in the last two years."), "%"),
    C("late_change_elsewhere_pct", "float", N_("The same share at your other suppliers."), "%"),
    C("late_change_excess_pct_points", "float",
      N_("How far the cautious (95 % lower) end of the share here lies above the share elsewhere; "
         "0 when not clearly above."), "percentage points"),
    C("below_cost_share_pct", "float", N_("Your orders here priced below cost, of those with a "
                                          "costing confirmed in the last two years."), "%"),
    C("below_cost_elsewhere_pct", "float", N_("The same share at your other suppliers."), "%"),
    C("below_cost_excess_pct_points", "float", N_("As for late changes."), "percentage points"),
    C("share_of_capacity_pct", "float", N_("Your units ordered in the last 365 days ÷ the "
                                           "factory's annual output."), "%"),
)


def _risk(engine: Engine, viewer: Viewer, ctx: ExtractContext) -> Rows:
    table = risk_table(engine, viewer, ctx.as_of)
    if table.empty:
        return iter(())
    if ctx.directory.countries:
        table = table[table["country_code"].isin(ctx.directory.countries)]
    table = table.reset_index(drop=True)
    table = table.assign(rank=table.index + 1, factory_os_id=table["os_id"],
                         factory_name=table["name"])
    return _rows(table, RISK_COLUMNS)


# ---- precision and encoding -----------------------------------------------------------------

#: decimals a number with each unit is written with in every extract (CSV, Excel, API); the
#: data dictionary states it for each column
DECIMALS_BY_UNIT = {"%": 1, "percentage points": 1, "points": 1, "points (0–100)": 1,
                    "degrees": 6, "USD": 2, "days": 1, "years": 1, "ratio": 2, "CV": 2}
DEFAULT_DECIMALS = 2
#: CSV extracts start with a UTF-8 byte-order mark, so that a spreadsheet opened by a double
#: click (Excel in particular) reads accents and dashes correctly; other programs skip it.
#: The Downloads page, the command line and the HTTP API's CSV all follow this setting.
CSV_BYTE_ORDER_MARK = True


def decimals_of(column: ExtractColumn) -> int | None:
    """How many decimals a float column is rounded to (None: not a float column)."""
    if column.type != "float":
        return None
    return DECIMALS_BY_UNIT.get(column.unit, DEFAULT_DECIMALS)


def _with_precision(columns: tuple[ExtractColumn, ...]) -> tuple[ExtractColumn, ...]:
    """The columns with their rounding stated in the data dictionary."""
    out = []
    for column in columns:
        places = decimals_of(column)
        if places is None:
            out.append(column)
            continue
        note = (N_("Rounded to 1 decimal place.") if places == 1
                else N_("Rounded to {places} decimal places."))
        parts = column.meaning or (((column.description, ()),) if column.description else ())
        out.append(replace(column,
                           description=f"{column.description} "
                                       f"{note.format(places=places)}".strip(),
                           meaning=(*parts, (note, (("places", places),)))))
    return tuple(out)


def _rounded(value: Any, places: int) -> Any:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, float) and value != value:  # NaN: written as missing
        return value
    shown = round(float(value), places)
    return 0.0 if shown == 0 else shown  # never "-0.0"


def _rounding(build: Callable[[Engine, Viewer, ExtractContext], Rows],
              columns: tuple[ExtractColumn, ...]
              ) -> Callable[[Engine, Viewer, ExtractContext], Rows]:
    """``build`` with every float cell rounded to its column's stated precision."""
    places = [(i, column.name, decimals_of(column)) for i, column in enumerate(columns)
              if decimals_of(column) is not None]
    if not places:
        return build

    def rounded_build(engine: Engine, viewer: Viewer, ctx: ExtractContext) -> Iterator[Any]:
        rows = iter(build(engine, viewer, ctx))
        try:
            for row in rows:
                if isinstance(row, dict):
                    row = dict(row)
                    for _, name, n in places:
                        if name in row:
                            row[name] = _rounded(row[name], n)
                else:
                    row = list(row)
                    for i, _, n in places:
                        row[i] = _rounded(row[i], n)
                    row = tuple(row)
                yield row
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()  # a stopped stream releases its database connection now

    return rounded_build


def _spec(key: str, title: str, description: str, columns: tuple[ExtractColumn, ...],
          build: Callable[[Engine, Viewer, ExtractContext], Rows]) -> ExtractSpec:
    return ExtractSpec(key, title, description, _with_precision(columns),
                       _rounding(build, columns))


EXTRACTS: dict[str, ExtractSpec] = {spec.key: spec for spec in (
    _spec("supplier-list", N_("Supplier list"),
                N_("Your suppliers in Open Supply Hub / Transparency Pledge columns, for a "
                   "published supplier list or an Open Supply Hub upload. Follows the Suppliers "
                   "page filters."), SUPPLIER_COLUMNS, _suppliers),
    _spec("latest-findings", N_("Latest findings by compliance point"),
                N_("Each supplier's latest assessment, one row per compliance point. Follows the "
                   "Suppliers page filters."), FINDING_COLUMNS, _findings),
    _spec("improvement-plans", N_("Improvement-plan items"),
                N_("Every improvement-plan item of your suppliers with status and due date. "
                   "Follows the Suppliers page filters."), PLAN_COLUMNS, _plans),
    _spec("purchase-orders", N_("Purchase orders"),
                N_("Your purchase orders (streamed, any size). Follows the Purchasing page's "
                   "period and factory filters and the country filter."),
                PURCHASE_ORDER_COLUMNS, _purchase_orders),
    _spec("purchasing-indicators", N_("Purchasing indicators by factory"),
                N_("Your purchasing-practice indicators per factory for the Purchasing page's "
                   "period."), PRACTICE_COLUMNS, _practices),
    _spec("risk-ranking", N_("Risk ranking"),
                N_("Every active supplier's risk score, level, reasons and components (Risk "
                   "ranking page). Follows the country filter."), RISK_COLUMNS, _risk),
    _spec("visibility-by-country", N_("Assessment coverage by country"),
                N_("Suppliers and recent assessments per country (Visibility page)."),
                COVERAGE_COLUMNS, _coverage),
)}


def write_extract(engine: Engine, viewer: Viewer, key: str, ctx: ExtractContext,
                  out: IO[bytes], file_format: str = "csv") -> int:
    """Stream extract ``key`` into ``out`` and record the download; returns the row count.

    ``file_format`` is ``"csv"`` or ``"xlsx"`` (the same columns and rows as an Excel workbook,
    with the data dictionary on a second sheet). Rows go from the database cursor to ``out``
    one by one (the CLI or a test can write a 100 k-row extract to disk without holding it in
    memory).
    """
    spec = EXTRACTS[key]
    require_download(viewer, key)  # before reading anything (the export checks again)
    if file_format == "xlsx":
        return export_xlsx(engine, viewer, key, spec.build(engine, viewer, ctx), spec.columns,
                           out, ctx.describe())
    return export_csv(engine, viewer, key, spec.build(engine, viewer, ctx), spec.columns, out,
                      ctx.describe(), excel_bom=CSV_BYTE_ORDER_MARK)


def build_file(engine: Engine, viewer: Viewer, key: str, ctx: ExtractContext,
               file_format: str = "csv") -> bytes:
    """The extract as CSV (or XLSX) bytes for ``st.download_button``, recorded in the audit log.

    Streamlit serves a download from memory, so the bytes are collected here — through a
    spooled temporary file, so building never holds both the rows and the text at once.
    """
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
        write_extract(engine, viewer, key, ctx, out, file_format)
        out.seek(0)
        return out.read()
