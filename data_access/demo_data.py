"""Deterministic demo-data generator with the magnitudes of DOMAIN.md.

Same seed and ``as_of`` date → same data. Sizes (DOMAIN.md §5):

* ``demo``: ~300 factories, 12 brands, up to 5 assessment cycles (a few seconds on SQLite);
* ``M``: Better Work scale, 1,700 factories, 250 brands, 6 cycles
  (≈ 2.5 M findings, ≥ 500 k orders);
* ``L``: registry scale, 20,000 factories, 1,000 brands (PostgreSQL).

What is modelled, and why:

* Non-compliance per compliance point follows the published rates (``framework_data``) scaled by
  a country factor, a factory's own latent quality, improvement over cycles and persistence of
  last cycle's problems.
* Each brand has a purchasing profile (lead time, late changes, below-cost prices, late payment).
  Factories whose buyers press harder have more Working Time, Compensation and Contracts & HR
  non-compliance — the association research reports (DOMAIN.md §3) — so the linkage views have
  something true to show.
* Gaps a real supplier base has: factories never assessed, assessments older than a year,
  missing OS IDs, coordinates, parent companies; undisclosed relationships.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine

from data_access.bulk import bulk_insert, reset_sequences
from data_access.db import bump_data_version
from data_access.framework import seed_framework
from data_access.framework_data import CLUSTERS, COUNTRY_FACTORS, COUNTRY_PROFILES
from data_access.schema import (
    Assessment,
    Brand,
    Factory,
    Finding,
    ImprovementPlanItem,
    PurchaseOrder,
    SourcingRelationship,
)

log = logging.getLogger(__name__)

DEFAULT_SEED = 20_220_227  # the strategy's years, nothing more


@dataclass(frozen=True)
class Scale:
    factories: int
    brands: int
    max_cycles: int
    largest_brand: int  # factories the largest brand sources from
    orders_per_relationship_year: float
    order_years: int = 3


SCALES: dict[str, Scale] = {
    "tiny": Scale(factories=40, brands=4, max_cycles=3, largest_brand=20,
                  orders_per_relationship_year=4),
    "demo": Scale(factories=300, brands=12, max_cycles=5, largest_brand=150,
                  orders_per_relationship_year=10),
    "M": Scale(factories=1_700, brands=250, max_cycles=6, largest_brand=1_200,
               orders_per_relationship_year=28),
    "L": Scale(factories=20_000, brands=1_000, max_cycles=6, largest_brand=5_000,
               orders_per_relationship_year=6),
}

DEMO_BRANDS = [
    ("nordwind", "Nordwind Apparel", "DE"),
    ("maple-thread", "Maple & Thread", "CA"),
    ("atlas-outdoor", "Atlas Outdoor", "US"),
    ("riverstone", "Riverstone Denim", "NL"),
    ("sol-kids", "Sol Kids", "ES"),
    ("blue-heron", "Blue Heron Basics", "GB"),
    ("kestrel", "Kestrel Sportswear", "US"),
    ("lumen-workwear", "Lumen Workwear", "SE"),
    ("orchid-lane", "Orchid Lane", "AU"),
    ("tidewater", "Tidewater Home Textiles", "US"),
    ("pinecrest", "Pinecrest Uniforms", "GB"),
    ("verde-active", "Verde Active", "IT"),
]
# Maple & Thread is deliberately small so the two demo brand users see different pictures.
DEMO_BRAND_SIZES = [150, 12, 70, 55, 45, 38, 32, 26, 22, 18, 15, 10]

NAME_FIRST = ["Golden", "Silver", "Lotus", "Crown", "Pacific", "Evergreen", "Bright", "Grand",
              "Royal", "Sunrise", "Delta", "Harbor", "Jade", "Summit", "Unity", "Orient",
              "Green Field", "Star", "Eastern", "Blue Ocean", "Apex", "Pearl", "Phoenix",
              "Sapphire", "Lucky", "Ever Bright", "Asia Pacific", "Meridian", "Noble", "Vista"]
NAME_SECOND = ["Thread", "Garments", "Apparel", "Knitwear", "Textiles", "Fashion", "Sewing",
               "Knit", "Denim", "Sportswear", "Clothing", "Wear", "Dyeing", "Fabrics", "Stitch"]
LEGAL_SUFFIX = {"BD": "Ltd.", "KH": "Co., Ltd.", "VN": "Co., Ltd.", "ID": "PT", "JO": "L.L.C.",
                "EG": "S.A.E.", "ET": "PLC", "HT": "S.A.", "NI": "S.A.", "PK": "(Pvt) Ltd.",
                "LK": "(Pvt) Ltd."}
PARENTS = ["Crystal Group", "Hirdaramani", "MAS Holdings", "Esquel", "Shahi Exports",
           "TAL Apparel", "Youngone", "Pou Chen", "Epic Group", "Ha-Meem Group", "Brandix",
           "DBL Group", "Pan-Pacific", "Nien Hsing", "Makalot"]
PRODUCTS = ["T-shirts; polo shirts", "Denim trousers; jackets", "Knitwear; sweaters",
            "Outerwear; jackets", "Sportswear; leggings", "Children's wear", "Workwear; uniforms",
            "Dresses; blouses", "Underwear; sleepwear", "Home textiles; towels"]
FACILITY_TYPES_T1 = "Final Product Assembly"
FACILITY_TYPES_T2 = ["Textile or Material Production", "Printing, Dyeing and Laundering",
                     "Raw Material Processing or Production"]
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CROCKFORD_CHECK = CROCKFORD + "*~$=U"

# clusters whose outcomes research links to purchasing practices (DOMAIN.md §3)
PRESSURE_SENSITIVE = {"WT": 1.0, "COMP": 0.7, "CHR": 0.5}


def os_id(country: str, registered: dt.date, rng: np.random.Generator) -> str:
    """An Open Supply Hub-style id: ISO-2 + YYYYDDD + 5 Crockford chars + check char."""
    body = "".join(CROCKFORD[i] for i in rng.integers(0, 32, 5))
    # Crockford's check symbol: the number the 5 symbols encode, modulo 37.
    value = 0
    for ch in body:
        value = value * 32 + CROCKFORD.index(ch)
    return f"{country}{registered:%Y}{registered.timetuple().tm_yday:03d}{body}" + (
        CROCKFORD_CHECK[value % 37]
    )


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
        Row counts per table.
    """
    if size not in SCALES:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SCALES)}")
    scale = SCALES[size]
    as_of = as_of or dt.date.today()
    rng = np.random.default_rng(seed)
    counts: dict[str, int] = {}

    with engine.begin() as conn:
        seed_framework(conn)
        framework = _framework_arrays()

        # ---- brands -------------------------------------------------------------------------
        brands = _brands(scale)
        bulk_insert(conn, Brand.__table__, ["id", "code", "name", "headquarters_country"],
                    [(i + 1, code, name, hq) for i, (code, name, hq) in enumerate(brands)])
        counts["brand"] = len(brands)
        profile = _brand_profiles(len(brands), rng)

        # ---- factories ----------------------------------------------------------------------
        countries = list(COUNTRY_PROFILES)
        shares = np.array([COUNTRY_PROFILES[c]["share_of_factories"] for c in countries])
        shares = shares / shares.sum()
        f_country = rng.choice(len(countries), size=scale.factories, p=shares)
        f_quality = rng.normal(0, 1, scale.factories)  # >0 means more problems
        f_tier2 = rng.random(scale.factories) < 0.12
        factory_rows = []
        f_workers = np.zeros(scale.factories, dtype=int)
        f_required_lead = rng.integers(55, 110, scale.factories)
        name_seen: set[str] = set()
        for i in range(scale.factories):
            code = countries[f_country[i]]
            prof = COUNTRY_PROFILES[code]
            city, lat, lng = prof["cities"][rng.integers(0, len(prof["cities"]))]
            name = _factory_name(code, rng, name_seen)
            low, high = prof["typical_workers"]
            workers = int(np.clip(rng.lognormal(np.log((low + high) / 2), 0.6), 80, 15_000))
            f_workers[i] = workers
            women_low, women_high = prof["women_share"]
            registered = as_of - dt.timedelta(days=int(rng.integers(200, 2500)))
            has_geo = rng.random() < 0.9
            factory_rows.append((
                i + 1,
                os_id(code, registered, rng) if rng.random() < 0.85 else None,
                name,
                code,
                f"{int(rng.integers(1, 400))} {rng.choice(['Industrial Zone', 'Export Processing Zone', 'Road', 'Highway', 'Street'])}, {city}",  # noqa: E501
                city,
                round(lat + rng.normal(0, 0.08), 5) if has_geo else None,
                round(lng + rng.normal(0, 0.08), 5) if has_geo else None,
                "Apparel",
                rng.choice(FACILITY_TYPES_T2) if f_tier2[i] else FACILITY_TYPES_T1,
                "Cut, make and trim" if not f_tier2[i] else "Fabric production",
                rng.choice(PARENTS) if rng.random() < 0.55 else None,
                rng.choice(PRODUCTS) if rng.random() < 0.9 else None,
                workers if rng.random() < 0.95 else None,
                round(float(rng.uniform(women_low, women_high)) * 100, 1)
                if rng.random() < 0.9 else None,
                None,  # annual output: set after orders are known
                int(f_required_lead[i]),
                dt.datetime.combine(as_of - dt.timedelta(days=int(rng.integers(0, 400))),
                                    dt.time(9)),
            ))

        # ---- sourcing relationships ---------------------------------------------------------
        sizes = _brand_sizes(scale, rng)
        popularity = rng.pareto(1.5, scale.factories) + 1  # some factories serve many brands
        popularity = popularity / popularity.sum()
        rel_rows = []
        rel_brand, rel_factory, rel_active, rel_start = [], [], [], []
        for b, n in enumerate(sizes):
            chosen = rng.choice(scale.factories, size=n, replace=False, p=popularity)
            for f in chosen:
                start = as_of - dt.timedelta(days=int(rng.integers(60, 365 * 9)))
                active = rng.random() < 0.93
                rel_brand.append(b)
                rel_factory.append(int(f))
                rel_active.append(active)
                rel_start.append(start)
                rel_rows.append((
                    len(rel_rows) + 1, b + 1, int(f) + 1,
                    2 if f_tier2[f] else 1,
                    start,
                    None if active else as_of - dt.timedelta(days=int(rng.integers(30, 500))),
                    active,
                    bool(rng.random() < profile["disclosure"][b]),
                ))
        rel_brand_a = np.array(rel_brand)
        rel_factory_a = np.array(rel_factory)

        # each factory's purchasing pressure: mean of its buyers' pressure
        pressure = np.zeros(scale.factories)
        buyers = np.zeros(scale.factories)
        np.add.at(pressure, rel_factory_a, profile["pressure"][rel_brand_a])
        np.add.at(buyers, rel_factory_a, 1)
        f_pressure = np.divide(pressure, buyers, out=np.zeros_like(pressure), where=buyers > 0)

        # ---- purchase orders ----------------------------------------------------------------
        po_rows, units_by_factory_year = _purchase_orders(
            scale, rng, as_of, profile, rel_brand, rel_factory, rel_active, rel_start,
            f_workers, f_required_lead,
        )
        for i, row in enumerate(factory_rows):
            own_units = units_by_factory_year.get(i, 0)
            share = rng.uniform(0.25, 0.85)  # brands in the data are only part of its buyers
            total = int(max(own_units / share, f_workers[i] * 600))
            factory_rows[i] = (*row[:15], total, *row[16:])

        bulk_insert(conn, Factory.__table__, [
            "id", "os_id", "name", "country_code", "address", "city", "lat", "lng", "sector",
            "facility_type", "processing_type", "parent_company", "product_type", "workers",
            "women_pct", "annual_output_units", "required_lead_time_days", "updated_at",
        ], factory_rows)
        counts["factory"] = len(factory_rows)
        bulk_insert(conn, SourcingRelationship.__table__, [
            "id", "brand_id", "factory_id", "tier", "start_date", "end_date", "active",
            "publicly_disclosed",
        ], rel_rows)
        counts["sourcing_relationship"] = len(rel_rows)
        counts["purchase_order"] = bulk_insert(conn, PurchaseOrder.__table__, PO_COLUMNS, po_rows)

        # ---- assessments, findings, improvement plans ---------------------------------------
        a_rows, finding_rows, plan_rows = _assessments(
            scale, rng, as_of, f_country, countries, f_quality, f_pressure, framework
        )
        counts["assessment"] = bulk_insert(
            conn, Assessment.__table__, ["id", "factory_id", "assessed_on", "cycle", "kind"],
            a_rows,
        )
        counts["finding"] = bulk_insert(
            conn, Finding.__table__, ["assessment_id", "question_id", "non_compliant"],
            finding_rows,
        )
        counts["improvement_plan_item"] = bulk_insert(
            conn, ImprovementPlanItem.__table__,
            ["id", "assessment_id", "question_id", "action", "status", "due_date",
             "completed_on"],
            plan_rows,
        )
        reset_sequences(conn, [Brand.__table__, Factory.__table__,
                               SourcingRelationship.__table__, PurchaseOrder.__table__,
                               Assessment.__table__, ImprovementPlanItem.__table__])
        bump_data_version(conn, f"demo data ({size}, seed {seed}, as of {as_of.isoformat()})")
    log.info("Demo data generated: %s", counts)
    return counts


PO_COLUMNS = [
    "id", "brand_id", "factory_id", "po_number", "season", "confirmed_on", "ex_factory_on",
    "invoiced_on", "paid_on", "payment_terms_days", "units_forecast", "units_ordered",
    "units_changed_after_confirmation", "changed_after_confirmation", "fob_price_usd",
    "cost_usd", "amount_paid_usd",
]


def _factory_name(country: str, rng: np.random.Generator, seen: set[str]) -> str:
    for attempt in range(50):
        base = f"{rng.choice(NAME_FIRST)} {rng.choice(NAME_SECOND)}"
        if attempt > 5:
            base += f" {int(rng.integers(2, 99))}"
        suffix = LEGAL_SUFFIX.get(country, "Ltd.")
        name = f"PT {base}" if suffix == "PT" else f"{base} {suffix}"
        if name not in seen:
            seen.add(name)
            return name
    raise RuntimeError("could not find a unique factory name")  # pragma: no cover


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


def _purchase_orders(scale, rng, as_of, profile, rel_brand, rel_factory, rel_active, rel_start,
                     f_workers, f_required_lead):
    rows = []
    units_by_factory_year: dict[int, int] = {}
    window_start = as_of - dt.timedelta(days=365 * scale.order_years)
    for r, b in enumerate(rel_brand):
        f = rel_factory[r]
        start = max(rel_start[r], window_start)
        end = as_of if rel_active[r] else min(as_of, start + dt.timedelta(days=400))
        span = (end - start).days
        if span <= 30:
            continue
        n = rng.poisson(scale.orders_per_relationship_year * span / 365)
        if n == 0:
            continue
        confirm_offsets = np.sort(rng.integers(0, span, n))
        lead = np.maximum(
            20, rng.normal(profile["lead_time_days"][b], 14, n)
        ).astype(int)
        typical = np.log(f_workers[f] * 8 + 500)
        forecast = np.maximum(200, rng.lognormal(typical, 0.6, n)).astype(int)
        accuracy = np.clip(rng.normal(profile["forecast_accuracy"][b], 0.15, n), 0.2, 1.8)
        ordered = np.maximum(100, (forecast * accuracy)).astype(int)
        changed = rng.random(n) < profile["late_change_share"][b]
        changed_units = np.where(changed, (ordered * rng.uniform(0.05, 0.4, n)).astype(int), 0)
        fob = np.round(rng.uniform(3.5, 22.0, n), 2)
        margin = rng.normal(profile["price_margin"][b], 0.08, n)
        cost = np.round(fob / margin, 2)
        terms = int(profile["payment_terms_days"][b])
        delay = np.maximum(0, rng.normal(profile["payment_delay_days"][b], 8, n)).astype(int)
        on_time = rng.random(n) < 0.45  # many buyers pay within terms regardless of habit
        delay = np.where(on_time, rng.integers(-5, 1, n), delay)
        short_paid = rng.random(n) < 0.04
        for k in range(n):
            confirmed = start + dt.timedelta(days=int(confirm_offsets[k]))
            ex_factory = confirmed + dt.timedelta(days=int(lead[k]))
            invoiced = ex_factory + dt.timedelta(days=int(rng.integers(0, 6)))
            paid = invoiced + dt.timedelta(days=terms + int(delay[k]))
            if ex_factory > as_of:
                ex_factory_v = invoiced_v = paid_v = amount = None
            else:
                ex_factory_v = ex_factory
                invoiced_v = invoiced if invoiced <= as_of else None
                paid_v = paid if invoiced_v and paid <= as_of else None
                amount = (round(float(ordered[k] * fob[k] * (0.96 if short_paid[k] else 1.0)), 2)
                          if paid_v else None)
            season = f"{'SS' if ex_factory.month <= 6 else 'AW'}{ex_factory:%y}"
            rows.append((
                len(rows) + 1, b + 1, f + 1, f"PO-{b + 1:04d}-{len(rows) + 1:07d}", season,
                confirmed, ex_factory_v, invoiced_v, paid_v, terms, int(forecast[k]),
                int(ordered[k]), int(changed_units[k]), bool(changed[k]), float(fob[k]),
                float(cost[k]), amount,
            ))
            if (as_of - confirmed).days <= 365:
                units_by_factory_year[f] = units_by_factory_year.get(f, 0) + int(ordered[k])
    _ = f_required_lead
    return rows, units_by_factory_year


@dataclass(frozen=True)
class _Framework:
    cp_cluster: np.ndarray  # cluster code per CP
    cp_base: np.ndarray  # base rate per CP
    cp_questions: list[np.ndarray]  # question ids (non-compliance) per CP
    cp_question_texts: list[list[str]]
    info_questions: np.ndarray


def _framework_arrays() -> _Framework:
    cp_cluster, cp_base, cp_questions, cp_texts, info = [], [], [], [], []
    qid = 0
    for cluster in CLUSTERS:
        for cp in cluster.compliance_points:
            ids, texts = [], []
            for q in cp.questions:
                qid += 1
                if q.kind == "non_compliance":
                    ids.append(qid)
                    texts.append(q.text)
                else:
                    info.append(qid)
            cp_cluster.append(cluster.code)
            cp_base.append(cp.base_nc_rate)
            cp_questions.append(np.array(ids, dtype=int))
            cp_texts.append(texts)
    return _Framework(np.array(cp_cluster), np.array(cp_base), cp_questions, cp_texts,
                      np.array(info, dtype=int))


def _assessments(scale, rng, as_of, f_country, countries, f_quality, f_pressure, fw):
    a_rows, finding_rows, plan_rows = [], [], []
    n_cp = len(fw.cp_base)
    sensitivity = np.array([PRESSURE_SENSITIVE.get(c, 0.0) for c in fw.cp_cluster])
    for f in range(scale.factories):
        if rng.random() < 0.2:
            continue  # not in the programme: never assessed
        country = countries[f_country[f]]
        factors = COUNTRY_FACTORS.get(country, {})
        base = fw.cp_base * np.array([factors.get(c, 1.0) for c in fw.cp_cluster])
        n_cycles = int(rng.integers(1, scale.max_cycles + 1))
        lapsed = rng.random() < 0.15  # last assessment more than a year ago
        last = as_of - dt.timedelta(days=int(rng.integers(400, 900) if lapsed
                                               else rng.integers(10, 350)))
        dates = [last - dt.timedelta(days=int(365 * k + rng.integers(-45, 45)))
                 for k in range(n_cycles - 1, 0, -1)] + [last]
        prev = np.zeros(n_cp, dtype=bool)
        for c, date in enumerate(dates, start=1):
            a_id = len(a_rows) + 1
            kind = "on-site" if not (dt.date(2020, 4, 1) <= date <= dt.date(2021, 9, 30)) else (
                "virtual" if rng.random() < 0.6 else "hybrid")
            a_rows.append((a_id, f + 1, date, c, kind))
            logits = (_logit(base) + 0.45 * f_quality[f] - 0.15 * (c - 1)
                      + 0.9 * sensitivity * f_pressure[f] + 0.8 * prev)
            nc_cp = rng.random(n_cp) < _sigmoid(logits)
            is_recent = c >= len(dates) - 1
            for p in range(n_cp):
                qs = fw.cp_questions[p]
                if len(qs) == 0:
                    continue
                flags = np.zeros(len(qs), dtype=bool)
                if nc_cp[p]:
                    k = 1 + rng.binomial(len(qs) - 1, 0.18)
                    flags[rng.choice(len(qs), size=min(k, len(qs)), replace=False)] = True
                for q, flag in zip(qs, flags, strict=True):
                    finding_rows.append((a_id, int(q), bool(flag)))
                    if flag and is_recent:
                        plan_rows.append(_plan_item(len(plan_rows) + 1, a_id, int(q), date,
                                                    as_of, c == len(dates), rng,
                                                    fw.cp_question_texts[p]
                                                    [int(np.where(qs == q)[0][0])]))
            for q in fw.info_questions:
                finding_rows.append((a_id, int(q), False))
            prev = nc_cp
    return a_rows, finding_rows, plan_rows


def _plan_item(item_id, a_id, q_id, assessed_on, as_of, latest, rng, question_text):
    due = assessed_on + dt.timedelta(days=int(rng.choice([30, 60, 90, 120, 180])))
    age = (as_of - assessed_on).days
    if not latest:
        status = "Completed" if rng.random() < 0.8 else "In Progress"
    else:
        p_done = min(0.75, age / 500)
        r = rng.random()
        status = "Completed" if r < p_done else ("In Progress" if r < p_done + 0.4 else "Pending")
    completed = None
    if status == "Completed":
        completed = min(as_of, assessed_on + dt.timedelta(days=int(rng.integers(14, 240))))
    action = "Remediate: " + question_text.rstrip("?").replace("Does the employer ", "employer to ")
    return (item_id, a_id, q_id, action[:500], status, due, completed)
