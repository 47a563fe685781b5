"""Deterministic demo-data generator with realistic magnitudes (docs/indicators.md).

Same seed and ``as_of`` date → same data. Sizes (DOMAIN.md §5):

* ``tiny`` (tests) and ``demo``: ~300 factories, 12 brands, up to 5 assessment cycles (about a
  second on SQLite);
* ``M``: Better Work scale, 1,700 factories, 250 brands, 5–6 assessment cycles of 250 questions
  (≈ 2.3 M findings), ≈ 800 k purchase orders (≈ 100 k for the largest brand);
* ``L``: registry scale, 20,000 factories, 1,000 brands (≈ 27 M findings, ≈ 1 M orders;
  PostgreSQL).

What is modelled, and why:

* Non-compliance per compliance point follows the published rates (``parameters.yaml``) scaled by
  a country factor, a factory's own latent quality, improvement over cycles and persistence of
  last cycle's problems.
* Zero-tolerance questions (child labour, forced labour, violence, locked exits) are drawn one by
  one at their own, much lower rates (about 5 % of assessed factories have one in their latest
  assessment); one found at an assessment is found again at the next with a fixed chance, else
  the next assessment verifies the fix. Their improvement-plan items follow the same rules as
  the others, so some are reported fixed by the factory before any assessment verifies it.
* Each brand has a purchasing profile (lead time, late changes, below-cost prices, late payment),
  and each of its relationships presses a little more or less than that (late changes and
  prices vary by supplier). Factories whose buyers press harder have more Working Time,
  Compensation and Contracts & HR non-compliance — the association research reports
  (DOMAIN.md §3) — so the linkage views have something true to show.
* Gaps a real supplier base has: factories never assessed, assessments older than a year,
  missing OS IDs, coordinates, parent companies; undisclosed relationships.

How it is built (issue 7): every table is generated *vectorised* — one numpy array per column —
and streamed block by block into :func:`data_access.fastload.insert_columns` (binary ``COPY`` on
PostgreSQL, multi-row ``INSERT`` on SQLite); no block ever becomes millions of Python tuples, so
memory stays flat whatever the scale. Orders are generated per block of relationships and
assessments per block of factories, each block from its own random stream
(``SeedSequence([seed, stage, block])``): the output depends on the seed and ``as_of`` only. On
PostgreSQL the keys and foreign keys of the (empty) tables are dropped during the load and
re-created after it (:func:`data_access.fastload.relaxed_constraints`). The summary tables are
filled at the end (:func:`data_access.summaries.refresh_summaries`).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sqlalchemy import Connection, Engine, bindparam, text

from data_access.bulk import reset_sequences
from data_access.dataset import bump_data_version
from data_access.fastload import analyze, insert_columns, relaxed_constraints
from data_access.framework import seed_framework
from data_access.orders import refresh_order_snapshots
from data_access.provenance import status_text, to_text, workers_text
from data_access.schema import (
    Assessment,
    Brand,
    Factory,
    FactoryAttributeSource,
    Finding,
    ImprovementPlanItem,
    PurchaseOrder,
    SourcingRelationship,
)
from data_access.scope import apply_scope
from data_access.summaries import SUMMARY_TABLES, after_data_change, refresh_summaries
from reference import CLUSTERS

log = logging.getLogger(__name__)

DEFAULT_SEED = 20_220_227  # the strategy's years, nothing more
PARAMETERS_FILE = Path(__file__).resolve().parent / "parameters.yaml"


@dataclass(frozen=True)
class Scale:
    factories: int
    brands: int
    max_cycles: int
    largest_brand: int  # factories the largest brand sources from
    orders_per_relationship_year: float
    order_years: int = 3
    #: assessment cycles of an assessed factory are uniform in [min_cycles, max_cycles]
    min_cycles: int = 1
    #: share of factories never assessed (not in the programme)
    never_assessed_share: float = 0.2


SCALES: dict[str, Scale] = {
    "tiny": Scale(factories=40, brands=4, max_cycles=3, largest_brand=20,
                  orders_per_relationship_year=4),
    "demo": Scale(factories=300, brands=12, max_cycles=5, largest_brand=150,
                  orders_per_relationship_year=10),
    # Better Work: every factory is in the programme, most for several cycles (DOMAIN.md §5)
    "M": Scale(factories=1_700, brands=250, max_cycles=6, largest_brand=1_200,
               orders_per_relationship_year=35, min_cycles=5, never_assessed_share=0.02),
    "L": Scale(factories=20_000, brands=1_000, max_cycles=6, largest_brand=5_000,
               orders_per_relationship_year=8.2, min_cycles=5, never_assessed_share=0.02),
}

#: rows generated per block (bounded memory; part of the output's definition, do not tune
#: per run: another block size would draw other random numbers)
RELATIONSHIPS_PER_BLOCK = 2_000
FACTORIES_PER_BLOCK = 1_000
_STAGE_ORDERS, _STAGE_ASSESSMENTS, _STAGE_PROVENANCE, _STAGE_RELATIONSHIP_PRESSURE = 1, 2, 3, 4
#: spread of a relationship's purchasing pressure around its brand's (a brand presses some
#: suppliers harder than others: a rush product line, a smaller or newer supplier)
RELATIONSHIP_PRESSURE_SD = 0.5


def _load_parameters() -> dict:
    with PARAMETERS_FILE.open(encoding="utf-8") as handle:
        params = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    profiles = params["country_profiles"]
    if not math.isclose(sum(p["share_of_factories"] for p in profiles.values()), 1.0):
        raise ValueError("country_profiles: the shares of factories must sum to 1")
    if set(profiles) != set(params["country_factors"]):
        raise ValueError("country_profiles and country_factors must cover the same countries")
    codes = {cp.code for cluster in CLUSTERS for cp in cluster.compliance_points}
    if set(params["base_non_compliance_rate"]) != codes:
        raise ValueError("base_non_compliance_rate must give one rate per compliance point")
    zero_tolerance = {q.code for cluster in CLUSTERS for cp in cluster.compliance_points
                      for q in cp.questions if q.zero_tolerance}
    if set(params["zero_tolerance_rate"]) != zero_tolerance:
        raise ValueError("zero_tolerance_rate must give one rate per zero-tolerance question")
    return params


#: the generator's parameters (demo/parameters.yaml): data, not code
PARAMETERS = _load_parameters()
COUNTRY_FACTORS: dict[str, dict[str, float]] = PARAMETERS["country_factors"]
COUNTRY_PROFILES: dict[str, dict] = {
    code: {**profile, "cities": [tuple(city) for city in profile["cities"]]}
    for code, profile in PARAMETERS["country_profiles"].items()
}
BASE_NC_RATE: dict[str, float] = PARAMETERS["base_non_compliance_rate"]
ZERO_TOLERANCE_RATE: dict[str, float] = PARAMETERS["zero_tolerance_rate"]
ZERO_TOLERANCE_RECURRENCE = float(PARAMETERS["zero_tolerance_recurrence"])
DEMO_BRANDS = [(b["code"], b["name"], b["country"]) for b in PARAMETERS["brands"]]
DEMO_BRAND_SIZES = [int(b["factories"]) for b in PARAMETERS["brands"]]
NAME_FIRST = list(PARAMETERS["name_first_words"])
NAME_SECOND = list(PARAMETERS["name_second_words"])
LEGAL_SUFFIX: dict[str, str] = PARAMETERS["legal_suffix"]
PARENTS = list(PARAMETERS["parent_companies"])
PRODUCTS = list(PARAMETERS["product_types"])
FACILITY_TYPES_T1 = str(PARAMETERS["tier1_facility_type"])
FACILITY_TYPES_T2 = list(PARAMETERS["tier2_facility_types"])
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CROCKFORD_CHECK = CROCKFORD + "*~$=U"

STREETS = list(PARAMETERS["street_kinds"])
PLAN_DUE_DAYS = np.array([30, 60, 90, 120, 180])
#: the dates of assessments done remotely during the pandemic
COVID_FROM, COVID_TO = np.datetime64("2020-04-01"), np.datetime64("2021-09-30")

# clusters whose outcomes research links to purchasing practices (DOMAIN.md §3)
PRESSURE_SENSITIVE = {"WT": 1.0, "COMP": 0.7, "CHR": 0.5}

#: tables the generator fills (their constraints are relaxed during the load on PostgreSQL)
GENERATED_TABLES = ("brand", "factory", "sourcing_relationship", "purchase_order", "assessment",
                    "finding", "improvement_plan_item", "factory_attribute_source")


def os_id(country: str, registered: dt.date, rng: np.random.Generator) -> str:
    """An Open Supply Hub-style id: ISO-2 + YYYYDDD + 5 Crockford chars + check char."""
    return os_ids(np.array([country]), np.array([registered], dtype="datetime64[D]"), rng)[0]


def os_ids(countries: np.ndarray, registered: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Vectorised :func:`os_id`: one id per (country, registration date)."""
    digits = rng.integers(0, 32, (len(countries), 5))
    # Crockford's check symbol: the number the 5 symbols encode, modulo 37.
    value = digits @ (32 ** np.arange(4, -1, -1))
    alphabet = np.array(list(CROCKFORD))
    body = ["".join(row) for row in alphabet[digits].tolist()]
    check = np.array(list(CROCKFORD_CHECK))[value % 37].tolist()
    stamps = pd.DatetimeIndex(registered.astype("datetime64[D]"))
    days = [f"{y:04d}{d:03d}" for y, d in zip(stamps.year, stamps.day_of_year, strict=True)]
    return [f"{c}{d}{b}{k}" for c, d, b, k in zip(countries.tolist(), days, body, check,
                                                  strict=True)]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _brand_sizes(scale: Scale, rng: np.random.Generator) -> list[int]:
    if scale.brands == len(DEMO_BRAND_SIZES) and scale.largest_brand == DEMO_BRAND_SIZES[0]:
        return list(DEMO_BRAND_SIZES)
    ranks = np.arange(1, scale.brands + 1)
    sizes = np.maximum(3, np.round(scale.largest_brand * ranks ** -0.9)).astype(int)
    return [int(min(s, scale.factories)) for s in sizes]


def _brands(scale: Scale) -> list[tuple[str, str, str]]:
    out = list(DEMO_BRANDS[: scale.brands])
    for i in range(len(out), scale.brands):
        out.append((f"brand-{i + 1:04d}", f"Brand {i + 1:04d}", "US"))
    return out


def _days(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype="int64").astype("timedelta64[D]")


def _block_rng(seed: int, stage: int, block: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, stage, block]))


#: seconds per stage of the last :func:`generate_demo_data` call in this process
LAST_STAGE_SECONDS: dict[str, float] = {}


def generate_demo_data(
    engine: Engine,
    size: str = "demo",
    seed: int = DEFAULT_SEED,
    as_of: dt.date | None = None,
) -> dict[str, int]:
    """Fill an empty database with a synthetic but realistic dataset.

    Args:
        engine: target database (schema already migrated).
        size: a key of :data:`SCALES`.
        seed: random seed; the same seed and ``as_of`` give the same data.
        as_of: the "today" of the dataset (defaults to today, so demo data never looks stale).

    Returns:
        Row counts per table. The seconds each stage took are left in
        :data:`LAST_STAGE_SECONDS` (for the benchmark).
    """
    if size not in SCALES:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SCALES)}")
    scale = SCALES[size]
    as_of = as_of or dt.date.today()
    today = np.datetime64(as_of, "D")
    rng = np.random.default_rng(seed)
    counts: dict[str, int] = {}
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    with engine.begin() as conn:
        apply_scope(conn, scope="system")  # generation writes every brand's rows
        seed_framework(conn)
        framework = _framework_arrays()
        with relaxed_constraints(conn, GENERATED_TABLES):
            # ---- brands ---------------------------------------------------------------------
            brands = _brands(scale)
            counts["brand"] = insert_columns(conn, Brand.__table__, {
                "id": np.arange(1, len(brands) + 1),
                "code": np.array([b[0] for b in brands], dtype=object),
                "name": np.array([b[1] for b in brands], dtype=object),
                "headquarters_country": np.array([b[2] for b in brands], dtype=object),
            })
            profile = _brand_profiles(len(brands), rng)

            # ---- factories and relationships ------------------------------------------------
            factories = _factories(scale, rng, today)
            counts["factory"] = insert_columns(conn, Factory.__table__, factories.columns)
            rels = _relationships(scale, rng, today, profile, factories.tier2)
            counts["sourcing_relationship"] = insert_columns(
                conn, SourcingRelationship.__table__, rels.columns)
            lap("factories_and_relationships")

            # each relationship's pressure: its brand's, give or take (own random stream, so
            # the other streams draw what they drew before); each factory's: its buyers' mean
            offset = _block_rng(seed, _STAGE_RELATIONSHIP_PRESSURE, 0).normal(
                0.0, RELATIONSHIP_PRESSURE_SD, len(rels.brand))
            pressure = np.zeros(scale.factories)
            buyers = np.zeros(scale.factories)
            np.add.at(pressure, rels.factory, profile["pressure"][rels.brand] + offset)
            np.add.at(buyers, rels.factory, 1)
            f_pressure = np.divide(pressure, buyers, out=np.zeros_like(pressure),
                                   where=buyers > 0)

            # ---- purchase orders ------------------------------------------------------------
            units_last_year = np.zeros(scale.factories, dtype=np.int64)
            counts["purchase_order"] = 0
            for block, start in enumerate(range(0, len(rels.brand), RELATIONSHIPS_PER_BLOCK)):
                stop = min(len(rels.brand), start + RELATIONSHIPS_PER_BLOCK)
                columns, factory_index, recent_units = _purchase_orders(
                    scale, _block_rng(seed, _STAGE_ORDERS, block), today, profile, rels,
                    offset, slice(start, stop), factories.workers_for_volume,
                    first_id=counts["purchase_order"] + 1)
                counts["purchase_order"] += insert_columns(conn, PurchaseOrder.__table__,
                                                           columns)
                np.add.at(units_last_year, factory_index, recent_units)
            # brands in the data are only part of a factory's buyers
            share = rng.uniform(0.25, 0.85, scale.factories)
            output = np.maximum(units_last_year / share, factories.workers_for_volume * 600)
            _set_annual_output(conn, output.astype(np.int64))
            lap("purchase_orders")

            # ---- assessments, findings, improvement plans -----------------------------------
            counts.update(assessment=0, finding=0, improvement_plan_item=0)
            last_assessed = np.full(scale.factories, np.datetime64("NaT"), "datetime64[D]")
            for block, start in enumerate(range(0, scale.factories, FACTORIES_PER_BLOCK)):
                stop = min(scale.factories, start + FACTORIES_PER_BLOCK)
                tables = _assessments(
                    scale, _block_rng(seed, _STAGE_ASSESSMENTS, block), today,
                    np.arange(start, stop), factories, f_pressure, framework,
                    first_assessment_id=counts["assessment"] + 1,
                    first_plan_id=counts["improvement_plan_item"] + 1)
                for name, table in (("assessment", Assessment.__table__),
                                    ("finding", Finding.__table__),
                                    ("improvement_plan_item", ImprovementPlanItem.__table__)):
                    counts[name] += insert_columns(conn, table, tables[name])
                done = tables["assessment"]
                np.fmax.at(last_assessed, done["factory_id"] - 1, done["assessed_on"])
            lap("assessments_and_findings")

            # ---- status (closed, moved) and who supplied each attribute -------------------
            prov = _provenance(scale, _block_rng(seed, _STAGE_PROVENANCE, 0), today,
                               factories, rels, last_assessed)
            _set_status(conn, prov.status)
            counts["factory_attribute_source"] = insert_columns(
                conn, FactoryAttributeSource.__table__, prov.columns)
            lap("provenance")
        lap("constraints_and_indexes")
        analyze(conn, GENERATED_TABLES)  # the summaries' refresh is planned with them
        lap("analyze")
        with relaxed_constraints(conn, SUMMARY_TABLES):
            refresh_summaries(conn)
        analyze(conn, SUMMARY_TABLES)
        lap("summaries")
        # every brand's order book as the pages read it (data_access.orders, issue 17)
        refresh_order_snapshots(conn)
        lap("order_snapshots")
        reset_sequences(conn, [Brand.__table__, Factory.__table__,
                               SourcingRelationship.__table__, PurchaseOrder.__table__,
                               Assessment.__table__, ImprovementPlanItem.__table__])
        bump_data_version(conn, f"demo data ({size}, seed {seed}, as of {as_of.isoformat()})")
    lap("commit")
    # all-brand aggregates (the stored purchasing benchmark), as after any import (issue 17)
    after_data_change(engine)
    lap("benchmarks")
    LAST_STAGE_SECONDS.clear()
    LAST_STAGE_SECONDS.update(timings)
    log.info("Demo data generated: %s in %s s", counts, timings)
    return counts


# ---- factories -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Factories:
    columns: dict[str, np.ndarray]
    country: np.ndarray  # index into COUNTRY_CODES
    quality: np.ndarray  # latent quality: > 0 means more problems
    tier2: np.ndarray
    workers_for_volume: np.ndarray  # the size that drives order volumes (known or not)


COUNTRY_CODES = list(COUNTRY_PROFILES)


def _choice(rng: np.random.Generator, options: list, n: int) -> np.ndarray:
    return np.array(options, dtype=object)[rng.integers(0, len(options), n)]


def _factories(scale: Scale, rng: np.random.Generator, today: np.datetime64) -> _Factories:
    n = scale.factories
    shares = np.array([COUNTRY_PROFILES[c]["share_of_factories"] for c in COUNTRY_CODES])
    country = rng.choice(len(COUNTRY_CODES), size=n, p=shares / shares.sum())
    quality = rng.normal(0, 1, n)
    tier2 = rng.random(n) < 0.12
    required_lead = rng.integers(55, 110, n)
    codes = np.array(COUNTRY_CODES, dtype=object)[country]

    # city (and its coordinates): uniform among the country's cities
    n_cities = np.array([len(COUNTRY_PROFILES[c]["cities"]) for c in COUNTRY_CODES])
    city_index = np.floor(rng.random(n) * n_cities[country]).astype(int)
    cities = [COUNTRY_PROFILES[COUNTRY_CODES[c]]["cities"][i]
              for c, i in zip(country.tolist(), city_index.tolist(), strict=True)]
    city = np.array([c[0] for c in cities], dtype=object)
    lat = np.array([c[1] for c in cities]) + rng.normal(0, 0.08, n)
    lng = np.array([c[2] for c in cities]) + rng.normal(0, 0.08, n)
    has_geo = rng.random(n) < 0.9
    lat = np.where(has_geo, np.round(lat, 5), np.nan)
    lng = np.where(has_geo, np.round(lng, 5), np.nan)

    low = np.array([COUNTRY_PROFILES[c]["typical_workers"][0] for c in COUNTRY_CODES])[country]
    high = np.array([COUNTRY_PROFILES[c]["typical_workers"][1] for c in COUNTRY_CODES])[country]
    workers = np.clip(rng.lognormal(np.log((low + high) / 2), 0.6), 80, 15_000).astype(int)
    women_low = np.array([COUNTRY_PROFILES[c]["women_share"][0] for c in COUNTRY_CODES])[country]
    women_high = np.array([COUNTRY_PROFILES[c]["women_share"][1] for c in COUNTRY_CODES])[country]
    women = np.round(rng.uniform(women_low, women_high) * 100, 1)
    registered = today - _days(rng.integers(200, 2500, n))
    identifiers = np.array(_unique_os_ids(codes, registered, rng), dtype=object)
    identifiers[rng.random(n) >= 0.85] = None
    street = _choice(rng, STREETS, n)
    number = rng.integers(1, 400, n)
    address = np.array([f"{k} {s}, {c}" for k, s, c in zip(number.tolist(), street.tolist(),
                                                            city.tolist(), strict=True)],
                       dtype=object)
    facility_type = np.where(tier2, _choice(rng, FACILITY_TYPES_T2, n), FACILITY_TYPES_T1)
    processing = np.where(tier2, "Fabric production", "Cut, make and trim").astype(object)
    parent = _choice(rng, PARENTS, n)
    parent[rng.random(n) >= 0.55] = None
    product = _choice(rng, PRODUCTS, n)
    product[rng.random(n) >= 0.9] = None
    known_workers = np.where(rng.random(n) < 0.95, workers, np.nan)
    women = np.where(rng.random(n) < 0.9, women, np.nan)
    updated = (today - _days(rng.integers(0, 400, n))).astype("datetime64[s]") \
        + np.timedelta64(9, "h")
    columns = {
        "id": np.arange(1, n + 1),
        "os_id": identifiers,
        "name": np.array(_factory_names(codes, rng), dtype=object),
        "country_code": codes,
        "address": address,
        "city": city,
        "lat": lat,
        "lng": lng,
        "sector": np.full(n, "Apparel", dtype=object),
        "facility_type": facility_type.astype(object),
        "processing_type": processing,
        "parent_company": parent,
        "product_type": product,
        "workers": known_workers,
        "women_pct": women,
        "required_lead_time_days": required_lead,
        "updated_at": updated,
    }
    return _Factories(columns, country, quality, tier2, workers)


def _unique_os_ids(codes: np.ndarray, registered: np.ndarray,
                   rng: np.random.Generator) -> list[str]:
    ids = pd.Series(os_ids(codes, registered, rng))
    while ids.duplicated().any():  # 32^5 bodies per country and day: almost never loops
        again = ids.duplicated().to_numpy()
        ids[again] = os_ids(codes[again], registered[again], rng)
    return ids.tolist()


def _factory_names(codes: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Unique names: "<first> <second>[ <number>] <legal form>" (PT first in Indonesia)."""
    n = len(codes)
    first = _choice(rng, NAME_FIRST, n)
    second = _choice(rng, NAME_SECOND, n)
    number = np.full(n, "", dtype=object)

    def build() -> pd.Series:
        names = []
        for f, s, k, code in zip(first.tolist(), second.tolist(), number.tolist(),
                                 codes.tolist(), strict=True):
            base = f"{f} {s}{k}"
            suffix = LEGAL_SUFFIX.get(code, "Ltd.")
            names.append(f"PT {base}" if suffix == "PT" else f"{base} {suffix}")
        return pd.Series(names)

    names = build()
    for _attempt in range(200):
        clash = names.duplicated().to_numpy()
        if not clash.any():
            return names.tolist()
        numbers = rng.integers(2, 99 if n < 10_000 else 999, int(clash.sum()))
        number[clash] = [f" {k}" for k in numbers.tolist()]
        names = build()
    raise RuntimeError("could not find unique factory names")  # pragma: no cover


# ---- brands' purchasing and their relationships ----------------------------------------------


def _brand_profiles(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Each brand's purchasing behaviour; ``pressure`` in [-1, 1] summarises how hard it presses."""
    pressure = np.clip(rng.normal(0, 0.5, n), -1, 1)
    if n >= 2:
        pressure[0], pressure[1] = 0.35, -0.55  # demo: the big brand presses, the small does not
    return {
        "pressure": pressure,
        "lead_time_days": 85 - 18 * pressure + rng.normal(0, 4, n),
        "late_change_share": np.clip(0.22 + 0.18 * pressure + rng.normal(0, 0.03, n), 0.02, 0.8),
        "price_margin": 1.10 - 0.10 * pressure + rng.normal(0, 0.02, n),  # FOB / cost
        "payment_terms_days": rng.choice([30, 45, 60, 90], n, p=[0.3, 0.2, 0.35, 0.15]),
        "payment_delay_days": np.clip(6 + 14 * pressure + rng.normal(0, 3, n), 0, 60),
        "forecast_accuracy": np.clip(0.92 - 0.12 * pressure + rng.normal(0, 0.03, n), 0.5, 1.2),
        "disclosure": np.clip(rng.uniform(0.2, 1.0, n), 0, 1),
    }


@dataclass(frozen=True)
class _Relationships:
    columns: dict[str, np.ndarray]
    brand: np.ndarray  # 0-based brand index
    factory: np.ndarray  # 0-based factory index
    active: np.ndarray
    start: np.ndarray  # datetime64[D]


def _relationships(scale: Scale, rng: np.random.Generator, today: np.datetime64,
                   profile: dict[str, np.ndarray], tier2: np.ndarray) -> _Relationships:
    sizes = _brand_sizes(scale, rng)
    popularity = rng.pareto(1.5, scale.factories) + 1  # some factories serve many brands
    log_weight = np.log(popularity / popularity.sum())
    brand_parts, factory_parts = [], []
    for b, k in enumerate(sizes):
        # a weighted sample without replacement (Gumbel top-k: the k largest of
        # log weight + Gumbel noise)
        keys = log_weight + rng.gumbel(size=scale.factories)
        chosen = np.argpartition(-keys, k - 1)[:k]
        factory_parts.append(chosen[np.argsort(-keys[chosen])])
        brand_parts.append(np.full(k, b))
    brand = np.concatenate(brand_parts)
    factory = np.concatenate(factory_parts)
    n = len(brand)
    start = today - _days(rng.integers(60, 365 * 9, n))
    active = rng.random(n) < 0.93
    end = np.where(active, np.datetime64("NaT"), today - _days(rng.integers(30, 500, n)))
    disclosed = rng.random(n) < profile["disclosure"][brand]
    columns = {
        "id": np.arange(1, n + 1),
        "brand_id": brand + 1,
        "factory_id": factory + 1,
        "tier": np.where(tier2[factory], 2, 1),
        "start_date": start,
        "end_date": end.astype("datetime64[D]"),
        "active": active,
        "publicly_disclosed": disclosed,
    }
    return _Relationships(columns, brand, factory, active, start)


def _purchase_orders(scale: Scale, rng: np.random.Generator, today: np.datetime64,
                     profile: dict[str, np.ndarray], rels: _Relationships,
                     pressure_offset: np.ndarray, block: slice, workers: np.ndarray,
                     first_id: int):
    """Orders of the relationships in ``block``: the columns, each order's factory index and
    its units if confirmed in the last 365 days (else 0). A relationship pressed harder than
    its brand's habit (``pressure_offset`` > 0) gets more late changes and lower prices."""
    brand_of, factory_of = rels.brand[block], rels.factory[block]
    window_start = today - np.timedelta64(365 * scale.order_years, "D")
    start = np.maximum(rels.start[block], window_start)
    end = np.where(rels.active[block], today,
                   np.minimum(today, start + np.timedelta64(400, "D")))
    span = (end - start).astype(int)
    expected = np.where(span > 30, scale.orders_per_relationship_year * span / 365, 0.0)
    n_orders = rng.poisson(expected)
    rel = np.repeat(np.arange(len(span)), n_orders)
    n = len(rel)
    # confirmation dates: uniform over the relationship's span, in date order per relationship
    offsets = np.floor(rng.random(n) * span[rel]).astype(int)
    offsets = offsets[np.lexsort((offsets, rel))]
    b, f = brand_of[rel], factory_of[rel]
    lead = np.maximum(20, rng.normal(profile["lead_time_days"][b], 14)).astype(int)
    typical = np.log(workers[f] * 8 + 500)
    forecast = np.maximum(200, rng.lognormal(typical, 0.6)).astype(int)
    accuracy = np.clip(rng.normal(profile["forecast_accuracy"][b], 0.15), 0.2, 1.8)
    ordered = np.maximum(100, forecast * accuracy).astype(int)
    extra = pressure_offset[block][rel]
    changed = rng.random(n) < np.clip(profile["late_change_share"][b] + 0.25 * extra, 0.01, 0.9)
    changed_units = np.where(changed, (ordered * rng.uniform(0.05, 0.4, n)).astype(int), 0)
    fob = np.round(rng.uniform(3.5, 22.0, n), 2)
    cost = np.round(fob / rng.normal(profile["price_margin"][b] - 0.12 * extra, 0.08), 2)
    terms = profile["payment_terms_days"][b].astype(int)
    delay = np.maximum(0, rng.normal(profile["payment_delay_days"][b], 8)).astype(int)
    on_time = rng.random(n) < 0.45  # many buyers pay within terms regardless of habit
    delay = np.where(on_time, rng.integers(-5, 1, n), delay)
    short_paid = rng.random(n) < 0.04

    confirmed = start[rel] + _days(offsets)
    ex_factory = confirmed + _days(lead)
    invoiced = ex_factory + _days(rng.integers(0, 6, n))
    paid = invoiced + _days(terms + delay)
    shipped = ex_factory <= today
    invoiced_known = shipped & (invoiced <= today)
    paid_known = invoiced_known & (paid <= today)
    amount = np.where(paid_known,
                      np.round(ordered * fob * np.where(short_paid, 0.96, 1.0), 2), np.nan)
    nat = np.datetime64("NaT", "D")
    ex_month = ex_factory.astype("datetime64[M]").astype(int) % 12 + 1
    ex_year = ex_factory.astype("datetime64[Y]").astype(int) + 1970
    season = np.char.add(np.where(ex_month <= 6, "SS", "AW"),
                         np.char.zfill((ex_year % 100).astype(str), 2)).astype(object)
    ids = np.arange(first_id, first_id + n)
    po_number = np.array([f"PO-{bb + 1:04d}-{i:07d}" for bb, i in zip(b.tolist(), ids.tolist(),
                                                                      strict=True)],
                         dtype=object)
    columns = {
        "id": ids, "brand_id": b + 1, "factory_id": f + 1, "po_number": po_number,
        "season": season, "confirmed_on": confirmed,
        "ex_factory_on": np.where(shipped, ex_factory, nat),
        "invoiced_on": np.where(invoiced_known, invoiced, nat),
        "paid_on": np.where(paid_known, paid, nat),
        "payment_terms_days": terms, "units_forecast": forecast, "units_ordered": ordered,
        "units_changed_after_confirmation": changed_units,
        "changed_after_confirmation": changed, "fob_price_usd": fob, "cost_usd": cost,
        "amount_paid_usd": amount,
    }
    recent = (today - confirmed).astype(int) <= 365
    return columns, f, np.where(recent, ordered, 0)


def _set_annual_output(conn: Connection, output: np.ndarray) -> None:
    """Each factory's total output (all buyers), known only once its orders are generated."""
    ids = np.arange(1, len(output) + 1)
    if conn.dialect.name == "postgresql":
        conn.execute(text(
            "UPDATE factory SET annual_output_units = v.units FROM ("
            "SELECT unnest(CAST(:ids AS integer[])) AS id, "
            "unnest(CAST(:units AS integer[])) AS units) v WHERE factory.id = v.id"
        ), {"ids": ids.tolist(), "units": output.tolist()})
        return
    conn.execute(
        text("UPDATE factory SET annual_output_units = :units WHERE id = :id")
        .bindparams(bindparam("units"), bindparam("id")),
        [{"id": i, "units": u} for i, u in zip(ids.tolist(), output.tolist(), strict=True)],
    )


# ---- assessments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Framework:
    cp_cluster: np.ndarray  # cluster code per compliance point
    cp_base: np.ndarray  # base non-compliance rate per compliance point
    #: per compliance point: 0-based columns of its NC questions that are not zero tolerance
    cp_columns: list[np.ndarray]
    n_questions: int
    action: np.ndarray  # per question (0-based column): the improvement-plan action text
    zt_columns: np.ndarray  # 0-based columns of the zero-tolerance questions
    zt_cluster: np.ndarray  # their cluster codes
    zt_rate: np.ndarray  # their rates (parameters.yaml, zero_tolerance_rate)


def _framework_arrays() -> _Framework:
    """The framework in question-id order (``seed_framework`` numbers questions 1, 2, …)."""
    cp_cluster, cp_base, cp_columns, actions = [], [], [], []
    zt_columns, zt_cluster, zt_rate = [], [], []
    column = 0
    for cluster in CLUSTERS:
        for cp in cluster.compliance_points:
            columns = []
            for q in cp.questions:
                if q.zero_tolerance:
                    zt_columns.append(column)
                    zt_cluster.append(cluster.code)
                    zt_rate.append(ZERO_TOLERANCE_RATE[q.code])
                elif q.kind == "non_compliance":
                    columns.append(column)
                action = "Remediate: " + q.text.rstrip("?").replace("Does the employer ",
                                                                     "employer to ")
                actions.append(action[:500])
                column += 1
            cp_cluster.append(cluster.code)
            cp_base.append(BASE_NC_RATE[cp.code])
            cp_columns.append(np.array(columns, dtype=int))
    return _Framework(np.array(cp_cluster), np.array(cp_base), cp_columns, column,
                      np.array(actions, dtype=object), np.array(zt_columns, dtype=int),
                      np.array(zt_cluster), np.array(zt_rate))


def _assessments(scale: Scale, rng: np.random.Generator, today: np.datetime64,
                 factory_index: np.ndarray, factories: _Factories, f_pressure: np.ndarray,
                 fw: _Framework, first_assessment_id: int,
                 first_plan_id: int) -> dict[str, dict[str, np.ndarray]]:
    """Assessments of a block of factories with their findings and improvement-plan items."""
    m = len(factory_index)
    in_programme = rng.random(m) >= scale.never_assessed_share
    n_cycles = np.where(in_programme,
                        rng.integers(scale.min_cycles, scale.max_cycles + 1, m), 0)
    lapsed = rng.random(m) < 0.15  # last assessment more than a year ago
    last = today - _days(np.where(lapsed, rng.integers(400, 900, m), rng.integers(10, 350, m)))

    owner = np.repeat(np.arange(m), n_cycles)  # position in the block, per assessment
    a = len(owner)
    first_of_owner = np.repeat(np.cumsum(n_cycles) - n_cycles, n_cycles)
    cycle = np.arange(a) - first_of_owner + 1
    cycles_of_owner = n_cycles[owner]
    jitter = np.where(cycle == cycles_of_owner, 0, rng.integers(-45, 45, a))
    assessed_on = last[owner] - _days(365 * (cycles_of_owner - cycle) + jitter)
    remote = (assessed_on >= COVID_FROM) & (assessed_on <= COVID_TO)
    kind = np.where(remote, np.where(rng.random(a) < 0.6, "virtual", "hybrid"), "on-site")
    ids = np.arange(first_assessment_id, first_assessment_id + a)

    # non-compliance per compliance point, one cycle level at a time (persistence needs the
    # previous cycle's result); a factory's assessments are consecutive, so its previous
    # cycle is the row before
    factory = factory_index[owner]
    country = factories.country[factory]
    factors = np.array([[COUNTRY_FACTORS.get(code, {}).get(c, 1.0) for c in fw.cp_cluster]
                        for code in COUNTRY_CODES])
    base_logit = _logit(fw.cp_base[None, :] * factors)  # countries × compliance points
    sensitivity = np.array([PRESSURE_SENSITIVE.get(c, 0.0) for c in fw.cp_cluster])
    nc_cp = np.zeros((a, len(fw.cp_base)), dtype=bool)
    # zero-tolerance questions: rare, drawn one by one; found again at the next assessment
    # with a fixed chance (else the next assessment verifies the fix)
    zt_factors = np.array([[COUNTRY_FACTORS.get(code, {}).get(c, 1.0) for c in fw.zt_cluster]
                           for code in COUNTRY_CODES])
    zt_logit = _logit(fw.zt_rate[None, :] * zt_factors)  # countries × zero-tolerance questions
    zt = np.zeros((a, len(fw.zt_columns)), dtype=bool)
    for level in range(1, scale.max_cycles + 1):
        rows = np.flatnonzero(cycle == level)
        if not len(rows):
            continue
        prev = nc_cp[rows - 1] if level > 1 else np.zeros((len(rows), len(fw.cp_base)), bool)
        f = factory[rows]
        logits = (base_logit[country[rows]] + 0.45 * factories.quality[f][:, None]
                  - 0.15 * (level - 1) + 0.9 * sensitivity[None, :] * f_pressure[f][:, None]
                  + 0.8 * prev)
        nc_cp[rows] = rng.random(logits.shape) < _sigmoid(logits)
        zt_prev = zt[rows - 1] if level > 1 else np.zeros((len(rows), len(fw.zt_columns)), bool)
        p_zt = np.where(zt_prev, ZERO_TOLERANCE_RECURRENCE,
                        _sigmoid(zt_logit[country[rows]] + 0.45 * factories.quality[f][:, None]
                                 - 0.15 * (level - 1)))
        zt[rows] = rng.random(p_zt.shape) < p_zt

    # questions found non-compliant: in a non-compliant point, 1 + Binomial(n − 1, 0.18) of
    # its n questions, chosen at random
    flags = np.zeros((a, fw.n_questions), dtype=bool)
    for p, columns in enumerate(fw.cp_columns):
        if not len(columns):
            continue
        k = 1 + rng.binomial(len(columns) - 1, 0.18, a)
        ranks = rng.random((a, len(columns))).argsort(axis=1).argsort(axis=1)
        flags[:, columns] = (ranks < k[:, None]) & nc_cp[:, p][:, None]
    flags[:, fw.zt_columns] = zt
    findings = {
        "assessment_id": np.repeat(ids, fw.n_questions),
        "question_id": np.tile(np.arange(1, fw.n_questions + 1), a),
        "non_compliant": flags.ravel(),
    }

    # improvement-plan items for the non-compliance of the last two cycles
    recent = cycle >= cycles_of_owner - 1
    row, column = np.nonzero(flags & recent[:, None])
    n = len(row)
    item_date = assessed_on[row]
    latest = (cycle == cycles_of_owner)[row]
    age = (today - item_date).astype(int)
    p_done = np.minimum(0.75, age / 500)
    r = rng.random(n)
    status = np.where(
        latest,
        np.where(r < p_done, "Completed", np.where(r < p_done + 0.4, "In Progress", "Pending")),
        np.where(r < 0.8, "Completed", "In Progress"),
    )
    done = status == "Completed"
    completed = np.minimum(today, item_date + _days(rng.integers(14, 240, n)))
    plans = {
        "id": np.arange(first_plan_id, first_plan_id + n),
        "assessment_id": ids[row],
        "question_id": column + 1,
        "action": fw.action[column],
        "status": status.astype(object),
        "due_date": item_date + _days(PLAN_DUE_DAYS[rng.integers(0, len(PLAN_DUE_DAYS), n)]),
        "completed_on": np.where(done, completed, np.datetime64("NaT", "D")),
    }
    assessments = {
        "id": ids,
        "factory_id": factory + 1,
        "assessed_on": assessed_on,
        "cycle": cycle,
        "kind": kind.astype(object),
    }
    return {"assessment": assessments, "finding": findings, "improvement_plan_item": plans}


# ---- factory status and provenance (issue 14) -------------------------------------------------


@dataclass(frozen=True)
class _Provenance:
    columns: dict[str, np.ndarray]
    #: (factory id, status, status since, moved-to factory id or None)
    status: list[tuple[int, str, dt.date, int | None]]


def _provenance(scale: Scale, rng: np.random.Generator, today: np.datetime64,
                factories: _Factories, rels: _Relationships,
                last_assessed: np.ndarray) -> _Provenance:
    """Closed and moved factories, and one row per (factory, attribute, source) saying who
    gave each value: Open Supply Hub (factories with an OS ID), Better Work (assessed
    factories), the first brand that lists the factory, and — for a few factories — a second
    brand whose older list gives another address and worker count. Every value the factory
    row holds is the one ``data_access.provenance.choose`` picks from these rows."""
    n = scale.factories
    cols = factories.columns
    listed = np.unique(rels.factory)
    n_closed = max(1, round(PARAMETERS["closed_share"] * n))
    n_moved = max(1, round(PARAMETERS["moved_share"] * n))
    picked = rng.choice(listed, size=min(len(listed) - 1, n_closed + n_moved), replace=False)
    status = np.full(n, "active", dtype=object)
    since = today - _days(rng.integers(20, 300, n))
    status[picked[:n_closed]] = "closed"
    status[picked[n_closed:]] = "moved"
    moved_to: dict[int, int] = {}
    country = factories.country
    for f in picked[n_closed:].tolist():
        options = np.flatnonzero((country == country[f]) & (status == "active"))
        options = options[options != f]
        if len(options):
            moved_to[f] = int(rng.choice(options))
    status_rows = [(f + 1, status[f], _date(since[f]), moved_to[f] + 1 if f in moved_to else None)
                   for f in picked.tolist()]

    # the brands that list each factory, in brand order (the first one "gave" the values)
    order = np.lexsort((rels.brand, rels.factory))
    first_brand = np.full(n, -1)
    second_brand = np.full(n, -1)
    for f, b in zip(rels.factory[order].tolist(), rels.brand[order].tolist(), strict=True):
        if first_brand[f] < 0:
            first_brand[f] = b
        elif second_brand[f] < 0:
            second_brand[f] = b
    conflicting = (second_brand >= 0) & (rng.random(n) < PARAMETERS["conflicting_list_share"])
    if not conflicting.any() and (second_brand >= 0).any():
        conflicting[np.flatnonzero(second_brand >= 0)[0]] = True

    updated = cols["updated_at"]
    listed_at = updated.astype("datetime64[s]")
    registered = (updated - np.timedelta64(400, "D")).astype("datetime64[s]")
    assessed_at = last_assessed.astype("datetime64[s]") + np.timedelta64(12, "h")
    out: dict[str, list] = {k: [] for k in ("factory_id", "attribute", "value", "source_kind",
                                            "brand_id", "observed_at")}

    def add(f: int, attribute: str, value: str | None, kind: str, brand: int | None,
            when: np.datetime64) -> None:
        if value is None:
            return
        out["factory_id"].append(f + 1)
        out["attribute"].append(attribute)
        out["value"].append(value)
        out["source_kind"].append(kind)
        out["brand_id"].append(brand + 1 if brand is not None else None)
        out["observed_at"].append(when)

    values = {
        "name": cols["name"], "address": cols["address"], "city": cols["city"],
        "country_code": cols["country_code"], "os_id": cols["os_id"],
        "sector": cols["sector"], "facility_type": cols["facility_type"],
        "processing_type": cols["processing_type"], "parent_company": cols["parent_company"],
        "product_type": cols["product_type"], "women_pct": cols["women_pct"],
    }
    registry = ("os_id", "name", "address", "country_code", "sector", "facility_type")
    on_site = ("name", "address", "city", "women_pct")
    for f in range(n):
        text = {a: to_text(a, v[f]) for a, v in values.items()}
        text["coordinates"] = to_text("coordinates", (cols["lat"][f], cols["lng"][f]))
        workers = cols["workers"][f]
        text["workers"] = None if workers != workers else workers_text(int(workers),
                                                                       int(workers))
        stat = None
        if status[f] != "active":
            target = moved_to.get(f)
            target_os = cols["os_id"][target] if target is not None else None
            stat = status_text(status[f], _date(since[f]), target_os)
        has_os = text["os_id"] is not None
        if has_os:
            for a in (*registry, "coordinates"):
                add(f, a, text[a], "open_supply_hub", None, registered[f])
            add(f, "status", stat, "open_supply_hub", None, listed_at[f])
        if not np.isnat(last_assessed[f]):
            for a in (*on_site, "workers"):
                add(f, a, text[a], "better_work", None, assessed_at[f])
        if first_brand[f] >= 0:
            for a in values:
                add(f, a, text[a], "brand_list", int(first_brand[f]), listed_at[f])
            add(f, "coordinates", text["coordinates"], "brand_list", int(first_brand[f]),
                listed_at[f])
            add(f, "workers", text["workers"], "brand_list", int(first_brand[f]), listed_at[f])
            if not has_os:
                add(f, "status", stat, "brand_list", int(first_brand[f]), listed_at[f])
        if conflicting[f]:
            older = listed_at[f] - np.timedelta64(90, "D")
            brand = int(second_brand[f])
            add(f, "name", text["name"], "brand_list", brand, older)
            add(f, "address", f"{text['address']} (old premises)", "brand_list", brand, older)
            if text["workers"] is not None:
                add(f, "workers", str(int(workers * 1.25) + 1), "brand_list", brand, older)
    columns = {k: np.array(v, dtype=object) for k, v in out.items() if k != "observed_at"}
    columns["observed_at"] = np.array(out["observed_at"], dtype="datetime64[s]")
    return _Provenance(columns, status_rows)


def _date(value: np.datetime64) -> dt.date:
    return dt.date.fromisoformat(str(value.astype("datetime64[D]")))


def _set_status(conn: Connection, rows: list[tuple[int, str, dt.date, int | None]]) -> None:
    if rows:
        conn.execute(text("UPDATE factory SET status = :status, status_since = :since, "
                          "moved_to_factory_id = :target WHERE id = :id"),
                     [{"id": f, "status": s, "since": d, "target": t} for f, s, d, t in rows])
