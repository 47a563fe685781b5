"""Tenant isolation, property-based: random brands, principals, filters and ids against every read.

Hypothesis draws a principal (a brand user, an administrator acting for a brand, a brand id that
does not exist, an administrator with no brand chosen), filters (search text with SQL
metacharacters and unicode, bogus country codes, out-of-range tiers, unknown cluster codes…) and
ids (the brand's own factories, other brands' factories, ids that do not exist, negative ids,
ids up to 2**63 - 1) and calls every brand-scoped read of ``data_access``. The property, for
each call: it returns only rows of the viewer brand's own relationships (or factory-level
assessment data of factories it sources from) — and, where the expected set is determined,
exactly those rows — or it raises ``NotFound`` (``NoBrandSelected`` for an administrator with no
brand). Never another brand's row, and never a database error.

The expected sets come from independent raw SQL over the whole database (read in the
``system`` scope, so PostgreSQL row-level security cannot hide rows from the oracle), computed
once per backend. Every test runs on SQLite and on PostgreSQL (the ``engine`` fixture).

Hypothesis runs derandomized (the same cases every run, so a CI failure reproduces locally).
Each executed case is counted; the last test asserts the suite ran at least
:data:`MIN_TOTAL_CASES` of them and the count is printed in pytest's terminal summary.
"""

from __future__ import annotations

import datetime as dt
import string
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
import pytest
import streamlit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from streamlit.testing.v1 import AppTest

from data_access import extracts, factories, orders, provenance, queries
from data_access.db import create_db_engine, upgrade_schema
from data_access.errors import NoBrandSelected, NotFound, PermissionDenied
from data_access.factories import (
    ASSESSMENT_AGE_CHOICES,
    GAP_CHOICES,
    PLAN_STATUS_CHOICES,
    DirectoryFilters,
)
from data_access.scope import system_connection
from data_access.viewer import Viewer
from demo import generate_demo_data
from services.extract_catalogue import EXTRACTS, ExtractContext
from tests.apphelpers import PAGES, seeded_sign_in
from tests.conftest import CASE_COUNTS, DEMO_AS_OF, new_postgres_database
from tests.pagespecs import brand_pages

#: executed hypothesis cases, per test and backend (read by the terminal summary hook)
CASES: Counter[str] = CASE_COUNTS.setdefault("tenant isolation (data access)", Counter())
MIN_TOTAL_CASES = 1_000
INT64_MAX = 2**63 - 1


def hypothesis_settings(max_examples: int):
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )


def count_case(request) -> None:
    CASES[request.node.name] += 1


# ---- the oracle: every relevant row of the database, read with raw SQL --------------------------


@dataclass
class Truth:
    """What the database holds, independent of ``data_access``'s queries."""

    brands: dict[int, str] = field(default_factory=dict)  # id -> code
    factory_name: dict[int, str] = field(default_factory=dict)
    factory_country: dict[int, str] = field(default_factory=dict)
    factory_os_id: dict[int, str | None] = field(default_factory=dict)
    factory_status: dict[int, str] = field(default_factory=dict)  # active, closed, moved
    # brand -> factory -> (tier, active)
    relationships: dict[int, dict[int, tuple[int, bool]]] = field(default_factory=dict)
    assessment_factory: dict[int, int] = field(default_factory=dict)
    latest_assessment: dict[int, int] = field(default_factory=dict)  # factory -> assessment
    plan_item_factory: dict[int, int] = field(default_factory=dict)
    # brand -> po id -> (factory, confirmed_on, po_number)
    orders: dict[int, dict[int, tuple[int, dt.date, str]]] = field(default_factory=dict)
    countries: list[str] = field(default_factory=list)
    clusters: list[str] = field(default_factory=list)

    def own(self, brand_id: int | None, *, active_only: bool = False) -> set[int]:
        """The brand's factories; ``active_only``: its active suppliers (an active
        relationship with a factory that is operating — not closed, not moved)."""
        rels = self.relationships.get(brand_id, {}) if brand_id is not None else {}
        return {f for f, (_, active) in rels.items()
                if not active_only or (active and self.factory_status[f] == "active")}

    def foreign(self, brand_id: int | None) -> set[int]:
        return set(self.factory_name) - self.own(brand_id)

    def assessments_of(self, factory_ids: set[int]) -> set[int]:
        return {a for a, f in self.assessment_factory.items() if f in factory_ids}


_TRUTH: dict[str, Truth] = {}


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def truth_of(engine: Engine) -> Truth:
    key = engine.url.render_as_string(hide_password=True)
    if key in _TRUTH:
        return _TRUTH[key]
    t = Truth()
    with system_connection(engine) as conn:
        q = lambda sql: conn.execute(text(sql)).all()  # noqa: E731
        t.brands = {r[0]: r[1] for r in q("SELECT id, code FROM brand")}
        for fid, name, country, os_id, status in q(
                "SELECT id, name, country_code, os_id, status FROM factory"):
            t.factory_name[fid] = name
            t.factory_country[fid] = country
            t.factory_os_id[fid] = os_id
            t.factory_status[fid] = status
        for brand, fid, tier, active in q(
                "SELECT brand_id, factory_id, tier, active FROM sourcing_relationship"):
            t.relationships.setdefault(brand, {})[fid] = (int(tier), bool(active))
        t.assessment_factory = dict(q("SELECT id, factory_id FROM assessment"))
        # latest = newest date, then highest cycle (DOMAIN.md: "latest assessment")
        for fid, aid in q(
            "SELECT a.factory_id, a.id FROM assessment a WHERE NOT EXISTS ("
            " SELECT 1 FROM assessment b WHERE b.factory_id = a.factory_id AND"
            " (b.assessed_on > a.assessed_on OR"
            "  (b.assessed_on = a.assessed_on AND b.cycle > a.cycle)))"
        ):
            t.latest_assessment[fid] = aid
        t.plan_item_factory = dict(q(
            "SELECT i.id, a.factory_id FROM improvement_plan_item i "
            "JOIN assessment a ON a.id = i.assessment_id"))
        for pid, brand, fid, confirmed, number in q(
                "SELECT id, brand_id, factory_id, confirmed_on, po_number FROM purchase_order"):
            t.orders.setdefault(brand, {})[pid] = (fid, _as_date(confirmed), number)
        t.clusters = [r[0] for r in q("SELECT code FROM cluster ORDER BY code")]
    t.countries = sorted(set(t.factory_country.values()))
    assert len(t.brands) >= 12 and t.orders and t.latest_assessment  # the demo dataset
    _TRUTH[key] = t
    return t


# ---- strategies ---------------------------------------------------------------------------------

SQL_NASTIES = [
    "' OR '1'='1", "' OR 1=1 --", "1; DROP TABLE factory; --", "%", "_", "%%", "\\", "\\%",
    "' UNION SELECT id, name FROM factory --", '"', "'", ";", "--", "/*", "*/", "NULL",
    "\u0000", "a\u0000b", "\u202e", "Ω≈ç√", "工厂", "🧵", "Ｆａｃｔｏｒｙ", "İstanbul", "ﬁ",
    " ", "\t", "\n", "x" * 300, "%' AND brand_id <> 0 AND '%'='",
]
text_inputs = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=string.printable, max_size=40),
    st.sampled_from(SQL_NASTIES),
)


@dataclass(frozen=True)
class Principal:
    viewer: Viewer
    scope: int | None  # the brand whose relationships count; None: no brand chosen
    exists: bool  # the brand exists


def principals(truth: Truth):
    brand_ids = sorted(truth.brands)
    # ids a brand user could never hold (brand ids come from app_user.brand_id), in range
    ghost = st.sampled_from([0, -1, max(brand_ids) + 1, 10**6, 2**31 - 1])
    return st.one_of(
        st.builds(lambda b, u: Principal(Viewer(u, "brand", b), b, True),
                  st.sampled_from(brand_ids), st.text(min_size=1, max_size=12)),
        st.builds(lambda b: Principal(Viewer("admin", "admin", None).acting_for(b), b, True),
                  st.sampled_from(brand_ids)),
        st.builds(lambda b: Principal(Viewer("ghost", "brand", b), b, False), ghost),
        st.just(Principal(Viewer("admin", "admin", None), None, True)),
    )


def factory_ids(truth: Truth, brand: int | None):
    own = sorted(truth.own(brand))
    foreign = sorted(truth.foreign(brand))
    biggest = max(truth.factory_name)
    options = [
        st.sampled_from(foreign),
        st.integers(-(2**31), 0),
        st.integers(biggest + 1, 2**31 - 1),
        st.integers(2**31, INT64_MAX),
        st.sampled_from([2**31 - 1, 2**31, 2**32, 10**12 - 1, INT64_MAX]),
    ]
    if own:
        options = [st.sampled_from(own), st.sampled_from(own), *options]
    return st.one_of(*options)


def assessment_ids(truth: Truth, brand: int | None):
    own = sorted(truth.assessments_of(truth.own(brand)))
    foreign = sorted(set(truth.assessment_factory) - set(own))
    options = [st.sampled_from(foreign), st.integers(-(2**31), 0),
               st.integers(max(truth.assessment_factory) + 1, INT64_MAX)]
    if own:
        options = [st.sampled_from(own), st.sampled_from(own), *options]
    return st.one_of(*options)


def directory_filters(truth: Truth, brand: int | None):
    names = sorted(truth.factory_name.values())
    search = st.one_of(
        st.just(""), text_inputs,
        # fragments of real names (own and foreign): a search must never reach across brands
        st.builds(lambda n, i, j: n[min(i, j):max(i, j) + 1], st.sampled_from(names),
                  st.integers(0, 30), st.integers(0, 30)),
    )
    countries = st.lists(st.one_of(st.sampled_from(truth.countries),
                                   st.sampled_from(["XX", "", "vn", "ZZZ", "' OR 1=1 --"]),
                                   text_inputs), max_size=4)
    return st.builds(
        DirectoryFilters,
        search=search,
        countries=countries.map(tuple),
        tiers=st.lists(st.one_of(st.integers(1, 4), st.integers(-3, 9),
                                 st.sampled_from([0, 32_767, 2**31 - 1])), max_size=3).map(tuple),
        assessment_age=st.lists(st.sampled_from([*ASSESSMENT_AGE_CHOICES, "bogus", ""]),
                                max_size=4, unique=True).map(tuple),
        clusters_non_compliant=st.lists(
            st.sampled_from([*truth.clusters, "NOPE", "", "osh", "%"]), max_size=3,
            unique=True).map(tuple),
        plan_status=st.sampled_from(["", *PLAN_STATUS_CHOICES, "bogus", "' OR 1=1 --"]),
        gaps=st.lists(st.sampled_from([*GAP_CHOICES, "bogus"]), max_size=3,
                      unique=True).map(tuple),
        include_inactive=st.booleans(),
        include_closed=st.booleans(),
    )


dates = st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))


def brand_scoped(principal: Principal, call):
    """Run ``call``; an administrator without a brand must get NoBrandSelected, nothing else."""
    if principal.scope is None:
        with pytest.raises(NoBrandSelected):
            call()
        return None
    return call()


def assert_not_found_or(expected_ok: bool, call):
    """``call()`` when access is expected; otherwise it must raise NotFound (never data)."""
    if expected_ok:
        return call()
    with pytest.raises(NotFound):
        call()
    return None


# ---- brands -------------------------------------------------------------------------------------


@hypothesis_settings(100)
@given(data=st.data())
def test_brand_reads_name_only_the_viewers_brand(engine, request, data):
    count_case(request)
    truth = truth_of(engine)
    p = data.draw(principals(truth), label="principal")
    visible = queries.visible_brands(engine, p.viewer)
    if p.viewer.is_admin:
        assert set(visible["brand_id"]) == set(truth.brands)
    else:
        assert set(visible["brand_id"]) == ({p.scope} if p.exists else set())

    code = data.draw(st.one_of(st.sampled_from(sorted(truth.brands.values())), text_inputs,
                               st.sampled_from(["NORDWIND", " nordwind", "nordwind%", "%"])),
                     label="code")
    owner = {c: b for b, c in truth.brands.items()}.get(code)
    allowed = owner is not None and (p.viewer.is_admin or owner == p.scope)
    found = assert_not_found_or(allowed, lambda: queries.brand_by_code(engine, p.viewer, code))
    if found is not None:
        assert found["id"] == owner

    current = brand_scoped(p, lambda: assert_not_found_or(
        p.exists, lambda: queries.current_brand(engine, p.viewer)))
    if current is not None:
        assert current["id"] == p.scope


# ---- whole-brand lists --------------------------------------------------------------------------


@hypothesis_settings(60)
@given(data=st.data())
def test_brand_wide_lists_hold_only_own_suppliers(engine, request, data):
    count_case(request)
    truth = truth_of(engine)
    p = data.draw(principals(truth), label="principal")
    include_inactive = data.draw(st.booleans(), label="include_inactive")
    own_active = truth.own(p.scope, active_only=True)

    frame = brand_scoped(p, lambda: queries.suppliers(engine, p.viewer,
                                                      include_inactive=include_inactive,
                                                      include_closed=include_inactive))
    if frame is None:
        return
    expected = truth.own(p.scope, active_only=not include_inactive)
    assert set(frame["factory_id"]) == expected
    assert len(frame) == len(expected)  # one row per factory, no join fan-out
    for fid, aid in zip(frame["factory_id"], frame["latest_assessment_id"], strict=True):
        assert (aid != aid and fid not in truth.latest_assessment) \
            or truth.latest_assessment.get(fid) == aid  # NaN: never assessed

    status = queries.latest_cluster_status(engine, p.viewer)
    assert set(status["factory_id"]) <= own_active
    assert set(status["factory_id"]) == own_active & set(truth.latest_assessment)
    assert {truth.latest_assessment[f] for f in status["factory_id"]} \
        == set(status["assessment_id"])

    open_nc = factories.open_non_compliance(engine, p.viewer)
    assert set(open_nc["factory_id"]) <= own_active & set(truth.latest_assessment)

    own_any = truth.own(p.scope)
    zero = factories.zero_tolerance_findings(engine, p.viewer, DEMO_AS_OF)
    assert set(zero["factory_id"]) <= own_any
    assert set(zero["assessment_id"]) <= truth.assessments_of(own_any)

    # the benchmark's own counts are this brand's factories, never another brand's
    everything = (dt.date(1900, 1, 1), dt.date(2100, 1, 1))
    countries = sorted(set(truth.factory_country.values()))
    cells = queries.country_cluster_benchmark(engine, p.viewer, countries, *everything)
    per_cluster = cells.groupby("cluster_code")["own_assessed"].sum()
    assert set(per_cluster) == {len(own_any & set(truth.latest_assessment))}

    history = factories.assessment_history(engine, p.viewer)
    expected_history = Counter(f for f in truth.assessment_factory.values() if f in own_active)
    assert Counter(history["factory_id"]) == expected_history


@hypothesis_settings(150)
@given(data=st.data())
def test_supplier_directory_with_any_filters_holds_only_own_suppliers(engine, request, data):
    count_case(request)
    truth = truth_of(engine)
    p = data.draw(principals(truth), label="principal")
    filters = data.draw(directory_filters(truth, p.scope), label="filters")
    as_of = data.draw(st.one_of(st.just(DEMO_AS_OF), dates), label="as_of")
    frame = brand_scoped(p, lambda: factories.supplier_directory(engine, p.viewer, filters,
                                                                 as_of))
    if frame is None:
        return
    rels = truth.relationships.get(p.scope, {})
    countries = {c.upper() for c in filters.countries}
    candidates = {
        f for f, (tier, active) in rels.items()
        if (active or filters.include_inactive)
        and (truth.factory_status[f] == "active" or filters.include_closed)
        and (not countries or truth.factory_country[f] in countries)
        and (not filters.tiers or tier in filters.tiers)
    }
    got = set(frame["factory_id"])
    assert got <= candidates  # in particular: no foreign factory, whatever the search said
    assert len(frame) == len(got)
    unfiltered = not (filters.search.strip() or filters.clusters_non_compliant or filters.gaps
                      or filters.plan_status in PLAN_STATUS_CHOICES
                      or 0 < len(set(filters.assessment_age) & set(ASSESSMENT_AGE_CHOICES)) < 3)
    if unfiltered:
        assert got == candidates
    for fid, aid in zip(frame["factory_id"], frame["latest_assessment_id"], strict=True):
        assert pd.isna(aid) or truth.assessment_factory[int(aid)] == fid


# ---- one factory, several factories -------------------------------------------------------------


@hypothesis_settings(200)
@given(data=st.data())
def test_one_factory_by_any_id_is_own_or_not_found(engine, request, data):
    count_case(request)
    truth = truth_of(engine)
    p = data.draw(principals(truth), label="principal")
    fid = data.draw(factory_ids(truth, p.scope), label="factory_id")
    rel = truth.relationships.get(p.scope, {}).get(fid)

    profile = brand_scoped(p, lambda: assert_not_found_or(
        rel is not None, lambda: factories.factory_profile(engine, p.viewer, fid)))
    if profile is not None:
        assert profile["factory_id"] == fid
        assert (profile["tier"], bool(profile["active"])) == rel  # this brand's relationship
        assert profile["name"] == truth.factory_name[fid]

    others = brand_scoped(p, lambda: assert_not_found_or(
        rel is not None, lambda: factories.other_buyers_count(engine, p.viewer, fid)))
    if others is not None:
        assert others == sum(1 for b, rels in truth.relationships.items()
                             if b != p.scope and rels.get(fid, (0, False))[1])


@hypothesis_settings(120)
@given(data=st.data())
def test_several_factories_are_all_own_or_not_found(engine, request, data):
    count_case(request)
    truth = truth_of(engine)
    p = data.draw(principals(truth), label="principal")
    ids = data.draw(st.lists(factory_ids(truth, p.scope), max_size=6), label="factory_ids")
    requested = set(ids)
    ok = requested <= truth.own(p.scope)

    brief = brand_scoped(p, lambda: assert_not_found_or(
        ok, lambda: factories.factories_brief(engine, p.viewer, ids)))
    zero = brand_scoped(p, lambda: assert_not_found_or(
        ok, lambda: factories.zero_tolerance_findings(engine, p.viewer, DEMO_AS_OF, ids)))
    if brief is None:
        return
    assert set(brief["factory_id"]) == requested and len(brief) == len(requested)

    expected_assessments = truth.assessments_of(requested)
    assessed = factories.assessments_of(engine, p.viewer, ids)
    assert set(assessed["assessment_id"]) == expected_assessments
    assert set(assessed["factory_id"]) <= requested

    cp = factories.compliance_point_results(engine, p.viewer, ids)
    assert set(cp["assessment_id"]) <= expected_assessments
    assert set(cp["factory_id"]) <= requested

    plans = factories.improvement_plans(engine, p.viewer, ids)
    assert set(plans["item_id"]) == {i for i, f in truth.plan_item_factory.items()
                                     if f in requested}

    assert set(zero["factory_id"]) <= requested
    assert set(zero["assessment_id"]) <= expected_assessments


@hypothesis_settings(120)
@given(data=st.data())
def test_findings_of_any_assessment_ids_are_own_or_not_found(engine, request, data):
    count_case(request)
    truth = truth_of(engine)
    p = data.draw(principals(truth), label="principal")
    ids = data.draw(st.lists(assessment_ids(truth, p.scope), max_size=3), label="assessments")
    only_nc = data.draw(st.booleans(), label="non_compliant_only")
    requested = set(ids)
    ok = requested <= truth.assessments_of(truth.own(p.scope))
    if not requested:  # nothing asked, nothing returned (no brand check needed)
        frame = factories.question_findings(engine, p.viewer, ids, non_compliant_only=only_nc)
        assert frame.empty
        return
    frame = brand_scoped(p, lambda: assert_not_found_or(
        ok, lambda: factories.question_findings(engine, p.viewer, ids,
                                                non_compliant_only=only_nc)))
    if frame is not None:
        assert set(frame["assessment_id"]) <= requested
        if only_nc:
            assert frame["non_compliant"].all()


# ---- orders and the order extract ---------------------------------------------------------------


@hypothesis_settings(100)
@given(data=st.data())
def test_orders_and_order_extract_hold_only_own_orders(engine, request, data):
    count_case(request)
    truth = truth_of(engine)
    p = data.draw(principals(truth), label="principal")
    fids = data.draw(st.one_of(st.none(), st.lists(factory_ids(truth, p.scope), max_size=5)),
                     label="factory_ids")
    countries = data.draw(st.one_of(st.none(), st.lists(st.one_of(
        st.sampled_from(truth.countries), st.sampled_from(["xx", "vn", "' OR 1=1 --"]),
        text_inputs), max_size=3)), label="countries")
    since = data.draw(st.one_of(st.none(), dates), label="since")
    until = data.draw(st.one_of(st.none(), dates), label="until")

    def keep(fid: int, confirmed: dt.date) -> bool:
        return ((fids is None or fid in set(fids))
                and (not countries
                     or truth.factory_country[fid] in {c.upper() for c in countries})
                and (since is None or confirmed >= since)
                and (until is None or confirmed <= until))

    own_orders = truth.orders.get(p.scope, {})
    expected = {pid for pid, (fid, confirmed, _) in own_orders.items() if keep(fid, confirmed)}
    frame = brand_scoped(p, lambda: orders.purchase_orders(
        engine, p.viewer, factory_ids=fids, countries=countries, since=since, until=until))
    if frame is None:
        return
    assert set(frame["po_id"]) == expected

    extract_filters = extracts.PurchaseOrderFilters(
        confirmed_from=since, confirmed_to=until,
        factory_ids=None if fids is None else tuple(fids),
        country_codes=tuple(countries) if countries else None)
    rows = list(extracts.iter_purchase_orders(engine, p.viewer, extract_filters))
    numbers = {number for pid, (_, _, number) in own_orders.items() if pid in expected}
    assert {row[0] for row in rows} == numbers and len(rows) == len(numbers)
    assert {row[1] for row in rows} <= truth.own(p.scope)


def test_order_snapshots_hold_only_own_orders(engine, request):
    """Each brand's order snapshot (issue 17) — what the pages read instead of its orders —
    holds exactly that brand's orders, and a viewer of one brand never gets another's."""
    truth = truth_of(engine)
    checked = 0
    for brand in truth.brands:
        count_case(request)
        own = set(truth.orders.get(brand, {}))
        snapshot = orders.read_order_snapshot(engine, Viewer("u", "brand_viewer", brand))
        if not own:
            assert snapshot is None
            continue
        assert snapshot is not None and set(snapshot["po_id"]) == own
        checked += 1
    assert checked >= 5


# ---- where a factory's facts come from (issue 14) ----------------------------------------------


@hypothesis_settings(60)
@given(data=st.data())
def test_factory_provenance_by_any_id_shows_other_buyers_only_anonymously(engine, request,
                                                                          data):
    """Every source's values of a factory's facts: the viewer's own list is named, every other
    brand's values appear only as "another buyer's list" — no brand, no file — and exactly as
    many of them as the database holds; any other id is "not found"."""
    count_case(request)
    truth = truth_of(engine)
    p = data.draw(principals(truth), label="principal")
    fid = data.draw(factory_ids(truth, p.scope), label="factory_id")
    rel = truth.relationships.get(p.scope, {}).get(fid)
    frame = brand_scoped(p, lambda: assert_not_found_or(
        rel is not None, lambda: provenance.factory_provenance(engine, p.viewer, fid)))
    if frame is None:
        return
    with system_connection(engine) as conn:
        rows = conn.execute(text(
            "SELECT brand_id FROM factory_attribute_source WHERE factory_id = :f"),
            {"f": fid}).scalars().all()
    foreign_rows = sum(1 for b in rows if b is not None and b != p.scope)
    own_rows = sum(1 for b in rows if b == p.scope)
    shared_rows = sum(1 for b in rows if b is None)
    allowed = {"Better Work", "Open Supply Hub", "an earlier import (source not recorded)"}
    others = 0
    for source, own in zip(frame["source"], frame["own"], strict=True):
        if own:
            assert source.startswith("your facility list")
        elif source == "another buyer's list":
            others += 1
        elif source.endswith("other buyers' lists"):
            others += int(source.split()[0])
        else:
            assert source in allowed, source
    assert others == foreign_rows
    assert int(frame["own"].sum()) == own_rows
    assert len(frame) - int(frame["own"].sum()) - frame["source"].str.contains(
        "other buyer").sum() == shared_rows
    shown = " ".join(frame.astype(str).to_numpy().ravel())
    assert not any(code in shown for b, code in truth.brands.items() if b != p.scope)


# ---- every hostile string, deterministically -----------------------------------------------------


def test_every_hostile_string_finds_nothing_foreign_and_fails_cleanly(engine):
    """The strings the properties draw from, each one tried on every text input of the reads
    (hypothesis samples them; this makes sure each one is tried on each backend)."""
    truth = truth_of(engine)
    brand = min(truth.brands)
    viewer = Viewer("u", "brand", brand)
    own = truth.own(brand)
    own_numbers = {number for _, _, number in truth.orders[brand].values()}
    failures = {}
    for value in SQL_NASTIES:
        calls = {
            "brand_by_code": lambda v=value: queries.brand_by_code(engine, viewer, v),
            "directory search": lambda v=value: set(factories.supplier_directory(
                engine, viewer, DirectoryFilters(search=v), DEMO_AS_OF)["factory_id"]) <= own,
            "directory countries": lambda v=value: set(factories.supplier_directory(
                engine, viewer, DirectoryFilters(countries=(v,)), DEMO_AS_OF)["factory_id"])
            <= own,
            "order countries": lambda v=value: set(orders.purchase_orders(
                engine, viewer, countries=[v])["factory_id"]) <= own,
            "order extract countries": lambda v=value: {row[0] for row in
                                                        extracts.iter_purchase_orders(
                engine, viewer, extracts.PurchaseOrderFilters(country_codes=(v,)))}
            <= own_numbers,
        }
        for name, call in calls.items():
            try:
                assert call() in (True,) or name == "brand_by_code", "foreign rows"
            except NotFound:
                continue
            except Exception as exc:  # noqa: BLE001 - every unclean failure is collected
                failures[f"{name}({value[:20]!r})"] = f"{type(exc).__name__}: {exc}"[:120]
    assert not failures, failures


# ---- every CSV extract of the catalogue ---------------------------------------------------------


@hypothesis_settings(40)
@given(data=st.data())
def test_every_extract_holds_only_own_rows(engine, request, data):
    """Each extract of ``services.extract_catalogue`` (what the Downloads page and the table pages'
    download buttons write), with random filters in force: every factory named, every OS ID
    and every PO number is the viewer brand's own."""
    count_case(request)
    truth = truth_of(engine)
    p = data.draw(principals(truth), label="principal")
    key = data.draw(st.sampled_from(sorted(EXTRACTS)), label="extract")
    ctx = ExtractContext(
        as_of=data.draw(st.one_of(st.just(DEMO_AS_OF), dates), label="as_of"),
        directory=data.draw(directory_filters(truth, p.scope), label="filters"),
        orders_since=data.draw(st.one_of(st.none(), dates), label="orders_since"),
        order_factory_ids=tuple(data.draw(st.lists(factory_ids(truth, p.scope), max_size=3),
                                          label="order_factory_ids")),
    )
    spec = EXTRACTS[key]
    rows = brand_scoped(p, lambda: list(spec.build(engine, p.viewer, ctx)))
    if rows is None:
        return
    own = truth.own(p.scope)
    own_names = {truth.factory_name[f] for f in own}
    own_os_ids = {truth.factory_os_id[f] for f in own} | {None}
    own_numbers = {number for _, _, number in truth.orders.get(p.scope, {}).values()}
    names = [c.name for c in spec.columns]
    for row in rows:
        cell = dict(zip(names, row, strict=True))
        for column in ("name", "factory_name"):
            if column in cell:
                assert cell[column] in own_names, (key, cell[column])
        for column in ("os_id", "factory_os_id"):
            if column in cell:
                assert cell[column] in own_os_ids, (key, cell[column])
        if "po_number" in cell:
            assert cell["po_number"] in own_numbers, (key, cell["po_number"])
        if "factory_id" in cell:
            assert cell["factory_id"] in own, (key, cell["factory_id"])
    if key == "visibility-by-country":
        wanted = {c for c in ctx.directory.countries}
        expected = sum(1 for f in truth.own(p.scope, active_only=True)
                       if not wanted or truth.factory_country[f] in wanted)
        assert sum(cell[names.index("suppliers")] for cell in rows) == expected


# ---- pages, through AppTest, with hostile URL parameters ---------------------------------------

PAGE_CASES: Counter[str] = CASE_COUNTS.setdefault("tenant isolation (pages via AppTest)", Counter())
#: every non-admin page of app.py (read from its PAGES)
BRAND_PAGES = [spec.stem for spec in brand_pages()]
DEMO_BRAND_USERS = {"nordwind": "nordwind", "maple": "maple-thread", "atlas": "atlas-outdoor"}
NOT_FOUND = "Factory not found"
#: the bits of a number a URL might carry: unicode digits (isdigit() but not int()), signs,
#: spaces, SQL, percent-encoding left undecoded, very long runs
ID_NASTIES = ["", "0", "-1", "+1", " 1 ", "1.0", "1e3", "0x10", "²", "١٢", "𝟙", "1 OR 1=1",
              "1;--", "%31", "9" * 12, "9" * 13, "9" * 400, "2147483648", "NaN", "null", "[1]"]


@dataclass
class PageTruth:
    own: dict[str, set[int]]  # username -> factory ids (any relationship)
    foreign_names: dict[str, set[str]]  # username -> names that must never be rendered
    all_factories: list[int]
    brand_codes: list[str]


def page_truth(engine: Engine) -> PageTruth:
    with engine.connect() as conn:
        names = dict(conn.execute(text("SELECT id, name FROM factory")).all())
        brands = dict(conn.execute(text("SELECT code, id FROM brand")).all())
        brand_names = dict(conn.execute(text("SELECT code, name FROM brand")).all())
        rels = conn.execute(text("SELECT brand_id, factory_id FROM sourcing_relationship")).all()
    own: dict[str, set[int]] = {}
    foreign: dict[str, set[str]] = {}
    for user, code in DEMO_BRAND_USERS.items():
        mine = {f for b, f in rels if b == brands[code]}
        own[user] = mine
        own_names = [names[f] for f in mine]
        # a foreign name that is part of an own name (or of UI text) could appear legitimately
        foreign[user] = {n for f, n in names.items() if f not in mine and len(n) >= 8
                         and not any(n in o for o in own_names)}
        foreign[user] |= {n for c, n in brand_names.items() if c != code}
    return PageTruth(own, foreign, sorted(names), sorted(brands))


def _strings_of(message, out: list[str]) -> None:
    """Every string (and bytes, decoded leniently) in a protobuf message, recursively: labels,
    markdown bodies, widget options, chart specs, Arrow-encoded table and chart data."""
    for fd, value in message.ListFields():
        repeated = fd.is_repeated if hasattr(fd, "is_repeated") \
            else fd.label == fd.LABEL_REPEATED  # protobuf < 5.28 has only ``label``
        values = value if repeated else [value]
        for item in values:
            if fd.type == fd.TYPE_MESSAGE:
                if hasattr(item, "ListFields"):
                    _strings_of(item, out)
            elif fd.type == fd.TYPE_STRING:
                out.append(item)
            elif fd.type == fd.TYPE_BYTES:
                out.append(item.decode("utf-8", "ignore"))


def rendered_text(at) -> str:
    """All text the run rendered, main area and sidebar, every element and block."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            _strings_of(proto, out)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for frame in at.dataframe:
        out.extend(str(v) for v in frame.value.astype(str).to_numpy().ravel())
    return "\n".join(out)


def url_params(truth: PageTruth, user: str):
    own = sorted(truth.own[user])
    foreign = sorted(set(truth.all_factories) - truth.own[user])
    an_id = st.one_of(st.sampled_from(own).map(str), st.sampled_from(foreign).map(str),
                      st.sampled_from(ID_NASTIES), st.integers(-10**6, 10**13).map(str))
    value = st.one_of(text_inputs, st.sampled_from(ID_NASTIES),
                      st.sampled_from(["a" * 5_000, "%" * 300, "," * 200]))
    return st.fixed_dictionaries({}, optional={
        "id": st.one_of(an_id, value),
        "ids": st.one_of(st.lists(an_id, max_size=8).map(",".join), value),
        "brand": st.one_of(st.sampled_from(truth.brand_codes), value),
        "countries": st.one_of(st.lists(st.sampled_from(["VN", "KH", "BD", "XX", "vn", "' OR 1=1"]),
                                        max_size=4).map(",".join), value),
        "q": value,
        "tiers": st.one_of(st.sampled_from(["1", "2,3", "9", "-1"]), value),
        "plan": st.one_of(st.sampled_from(["open", "overdue", "bogus"]), value),
        "gaps": st.one_of(st.sampled_from(["no_os_id", "bogus,no_os_id"]), value),
        "period": value, "factories": value, "level": value,
    })


def seeded_app(engine, user: str) -> AppTest:
    """The app with ``user`` signed in (the session keys a real sign-in leaves, and a live
    server-side session): page tests then cost one script run, not a bcrypt check and a form
    round trip each."""
    return seeded_sign_in(engine, user)


@settings(max_examples=60, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_pages_with_hostile_url_parameters_show_only_own_data(app_env, request, data):
    PAGE_CASES[request.node.name] += 1
    truth = page_truth(app_env)
    user = data.draw(st.sampled_from(sorted(DEMO_BRAND_USERS)), label="user")
    page = data.draw(st.sampled_from(BRAND_PAGES), label="page")
    params = data.draw(url_params(truth, user), label="query_params")

    at = seeded_app(app_env, user)
    at.switch_page(str(PAGES / "brand" / f"{page}.py"))
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    shown = rendered_text(at)
    leaked = sorted(n for n in truth.foreign_names[user] if n in shown)
    assert not leaked, f"{user} on /{page}?{params} sees {leaked[:5]}"
    assert "Traceback" not in shown

    if page == "factory" and "id" in params:
        raw = params["id"].strip()
        own_id = raw.isascii() and raw.isdigit() and int(raw) in truth.own[user]
        errors = " ".join(e.value for e in at.error)
        assert (NOT_FOUND in errors) != own_id, (params, errors)
    if page == "compare" and "ids" in params:
        asked = [p.strip() for p in params["ids"].split(",")]
        if any(p.isascii() and p.isdigit() and int(p) not in truth.own[user] for p in asked):
            assert any("not found among your suppliers" in e.value for e in at.error)


# ---- URL attempts, one by one, on both backends ------------------------------------------------


@pytest.fixture(scope="module")
def postgres_pages_url(postgres_server) -> str:
    """A PostgreSQL database with the tiny demo dataset, for page tests on that backend."""
    url = new_postgres_database(postgres_server, "pages_isolation")
    engine = create_db_engine(url)
    upgrade_schema(engine)
    generate_demo_data(engine, size="tiny", as_of=DEMO_AS_OF)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_app_env(request, monkeypatch):
    """``app_env`` on SQLite, or the same settings pointed at a PostgreSQL database."""
    if request.param == "sqlite":
        yield request.getfixturevalue("app_env")
        return
    url = request.getfixturevalue("postgres_pages_url")
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", url)
    monkeypatch.setenv("DASHBOARD_DEMO", "true")
    streamlit.cache_resource.clear()
    streamlit.cache_data.clear()
    engine = create_db_engine(url)
    yield engine
    engine.dispose()
    streamlit.cache_resource.clear()
    streamlit.cache_data.clear()


#: (page, query parameters); OWN / FOREIGN / FOREIGN_BRAND are filled in per database
URL_ATTEMPTS = [
    ("factory", {"id": "FOREIGN"}),
    ("factory", {"id": "FOREIGN", "brand": "FOREIGN_BRAND"}),
    ("factory", {"id": "-1"}),
    ("factory", {"id": "0"}),
    ("factory", {"id": "1 OR 1=1"}),
    ("factory", {"id": "OWN' OR '1'='1"}),
    ("factory", {"id": "²"}),  # str.isdigit() is true, int() refuses it
    ("factory", {"id": "2147483648"}),  # beyond a 32-bit integer column
    ("factory", {"id": "999999999999"}),
    ("factory", {"id": "9" * 5_000}),
    ("compare", {"ids": "OWN,FOREIGN"}),
    ("compare", {"ids": "FOREIGN,FOREIGN"}),
    ("compare", {"ids": "OWN,²"}),
    ("compare", {"ids": "OWN," + "9" * 190}),
    ("compare", {"ids": ",".join(["OWN"] * 300)}),
    ("suppliers", {"q": "' OR 1=1 --"}),
    ("suppliers", {"q": "%"}),
    ("suppliers", {"q": "\x00"}),
    ("suppliers", {"q": "x" * 10_000}),
    ("suppliers", {"countries": "XX,' OR '1'='1", "tiers": "1 OR 1=1", "gaps": "bogus"}),
    ("overview", {"brand": "FOREIGN_BRAND"}),
    ("overview", {"brand": "\x00"}),
    ("overview", {"brand": "' OR 1=1 --"}),
    ("overview", {"countries": "," * 3_000}),
    ("purchasing", {"factories": "FOREIGN", "period": "' OR 1=1"}),
    ("risk", {"level": "<script>alert(1)</script>"}),
]


def test_url_attempts_give_not_found_or_a_message_never_data(any_app_env):
    """A brand user opening crafted links: no exception, no other brand's data, and a clear
    "not found" where the link named something that is not theirs. Each attempt is a fresh
    session; every failing attempt is reported, not only the first."""
    engine = any_app_env
    with engine.connect() as conn:
        maple = conn.execute(text("SELECT id FROM brand WHERE code = 'maple-thread'")).scalar()
        own = conn.execute(text("SELECT MIN(factory_id) FROM sourcing_relationship "
                                "WHERE brand_id = :b"), {"b": maple}).scalar()
        foreign, foreign_brand = conn.execute(text(
            "SELECT r.factory_id, b.code FROM sourcing_relationship r JOIN brand b "
            "ON b.id = r.brand_id WHERE r.factory_id NOT IN (SELECT factory_id FROM "
            "sourcing_relationship WHERE brand_id = :b) ORDER BY r.factory_id LIMIT 1"),
            {"b": maple}).one()
    truth = page_truth(engine)
    failures: dict[str, str] = {}
    for number, (page, params) in enumerate(URL_ATTEMPTS):
        filled = {k: v.replace("FOREIGN_BRAND", foreign_brand).replace("FOREIGN", str(foreign))
                  .replace("OWN", str(own)) for k, v in params.items()}
        label = f"#{number} /{page}?" + "&".join(f"{k}={v[:40]!r}" for k, v in filled.items())
        try:
            _check_url_attempt(engine, truth, page, filled, str(foreign), foreign_brand)
        except AssertionError as exc:
            failures[label] = str(exc).splitlines()[0][:300]
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())


def _check_url_attempt(engine, truth: PageTruth, page: str, filled: dict[str, str],
                       foreign: str, foreign_brand: str) -> None:
    at = seeded_app(engine, "maple")
    at.switch_page(str(PAGES / "brand" / f"{page}.py"))
    for key, value in filled.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, f"exception: {at.exception[0].message[:120]}"
    shown = rendered_text(at)
    assert "Traceback" not in shown
    leaked = [n for n in truth.foreign_names["maple"] if n in shown]
    assert not leaked, f"foreign names shown: {leaked[:3]}"
    errors = " ".join(e.value for e in at.error)
    warnings = " ".join(w.value for w in at.warning)
    if page == "factory":
        assert NOT_FOUND in errors, f"no not-found message: {errors!r}"
        assert at.title[0].value == "Factory profile"  # the generic title, no factory's name
    asked = filled.get("ids", "")[:200].split(",")  # the page reads at most 200 characters
    if page == "compare" and (foreign in asked or "²" in asked):
        assert "not found among your suppliers" in errors, f"no not-found message: {errors!r}"
    if filled.get("brand") == foreign_brand:
        assert "do not have access" in warnings
        assert at.title[0].value.startswith(("Maple & Thread", "Factory profile"))


# ---- the engagement log and "what's new" (issue 16) --------------------------------------------


@dataclass
class EngagementTruth:
    brands: list[int]
    own: dict[int, set[int]]  # brand -> factories it has a relationship with
    entries: dict[int, int]  # entry id -> brand
    entry_factory: dict[int, int]
    factories: list[int]


@pytest.fixture(scope="module", params=["sqlite",
                                        pytest.param("postgresql", marks=pytest.mark.postgres)])
def engagement_db(request, tmp_path_factory):
    """A tiny dataset where every brand wrote entries (with links) about two of its suppliers
    — module-scoped, so the shared demo databases stay untouched."""
    from data_access import engagement as eg
    from data_access import whats_new as wn

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('engagement') / 'tiny.sqlite3'}"
    else:
        url = new_postgres_database(request.getfixturevalue("postgres_server"), "engagement_iso")
    engine = create_db_engine(url)
    upgrade_schema(engine)
    generate_demo_data(engine, size="tiny", as_of=DEMO_AS_OF)
    with system_connection(engine) as conn:
        rels = conn.execute(text("SELECT brand_id, factory_id FROM sourcing_relationship "
                                 "ORDER BY brand_id, factory_id")).all()
        factories_all = sorted(conn.execute(text("SELECT id FROM factory")).scalars())
    own: dict[int, set[int]] = {}
    for brand, fid in rels:
        own.setdefault(int(brand), set()).add(int(fid))
    for brand, fids in own.items():
        viewer = Viewer(f"mgr{brand}", "brand_manager", brand)
        for n, fid in enumerate(sorted(fids)[:2]):
            options = eg.link_options(engine, viewer, fid)
            findings, items = eg.parse_link_options(list(options["option"][:2]))
            eg.add_entry(engine, viewer, fid, eg.EntryInput(
                "commitment", f"Brand {brand} secret {n}", f"text {brand}", f"Owner {brand}",
                DEMO_AS_OF + dt.timedelta(days=10 * n - 5)), findings=findings,
                plan_item_ids=items)
            eg.add_entry(engine, viewer, fid, eg.EntryInput("note", f"Brand {brand} note {n}"))
        wn.record_visit(engine, viewer, DEMO_AS_OF)
    with system_connection(engine) as conn:
        entries = {int(i): int(b) for i, b in conn.execute(text(
            "SELECT id, brand_id FROM engagement_entry"))}
        entry_factory = {int(i): int(f) for i, f in conn.execute(text(
            "SELECT id, factory_id FROM engagement_entry"))}
    yield engine, EngagementTruth(sorted(own), own, entries, entry_factory, factories_all)
    engine.dispose()


@hypothesis_settings(120)
@given(data=st.data())
def test_engagement_reads_and_writes_stay_in_the_brand(engagement_db, request, data):
    """Every read of the engagement log and of "what's new" returns only the viewer brand's
    entries (or NotFound / NoBrandSelected); a write to another brand's entry is NotFound."""
    from data_access import engagement as eg
    from data_access import whats_new as wn

    count_case(request)
    engine, t = engagement_db
    ghost = max(t.brands) + 1
    kind = data.draw(st.sampled_from(["manager", "viewer", "admin_for", "ghost", "admin"]),
                     label="principal")
    brand = data.draw(st.sampled_from(t.brands), label="brand")
    viewer = {"manager": Viewer("m", "brand_manager", brand),
              "viewer": Viewer("v", "brand_viewer", brand),
              "admin_for": Viewer("admin", "admin", None).acting_for(brand),
              "ghost": Viewer("g", "brand_manager", ghost),
              "admin": Viewer("admin", "admin", None)}[kind]
    scope = None if kind == "admin" else (ghost if kind == "ghost" else brand)
    own = t.own.get(scope, set()) if scope is not None else set()
    mine = {e for e, b in t.entries.items() if b == scope}
    fid = data.draw(st.one_of(st.sampled_from(t.factories), st.integers(-(2**31), 2**40)),
                    label="factory")
    eid = data.draw(st.one_of(st.sampled_from(sorted(t.entries)),
                              st.integers(-(2**31), 2**40)), label="entry")

    if scope is None:
        for call in (lambda: eg.factory_entries(engine, viewer, fid),
                     lambda: eg.follow_ups(engine, viewer),
                     lambda: wn.count_items(engine, viewer, wn.FIRST_VISIT,
                                            wn.Window(DEMO_AS_OF, DEMO_AS_OF, 548))):
            with pytest.raises(NoBrandSelected):
                call()
        return

    entries = assert_not_found_or(fid in own, lambda: eg.factory_entries(engine, viewer, fid))
    if entries is not None:
        assert set(entries["entry_id"]) == {e for e in mine if t.entry_factory[e] == fid}
    assert_not_found_or(fid in own, lambda: eg.entry_links(engine, viewer, fid))
    options = assert_not_found_or(fid in own, lambda: eg.link_options(engine, viewer, fid))
    if options is not None and not options.empty:
        counts = eg.other_brands_following(engine, viewer, fid, list(options["question_id"]))
        assert all(isinstance(n, int) for n in counts.values())  # counts only, never brands

    picks = data.draw(st.lists(st.one_of(st.sampled_from(t.factories),
                                         st.integers(-(2**31), 2**31 - 1)), max_size=3),
                      label="filter factories")
    owner = data.draw(st.one_of(st.just(""), text_inputs,
                                st.sampled_from([f"Owner {b}" for b in t.brands])),
                      label="owner")
    listed = eg.follow_ups(engine, viewer, factory_ids=picks, owner=owner or None)
    assert set(listed["entry_id"]) <= mine
    assert set(eg.owners(engine, viewer)) <= {f"Owner {scope}"}

    history = assert_not_found_or(eid in mine, lambda: eg.entry_history(engine, viewer, eid))
    if history is not None:
        assert len(history) >= 1
    if kind == "viewer":
        with pytest.raises(PermissionDenied):
            eg.set_status(engine, viewer, eid, "done")
    else:
        assert_not_found_or(eid in mine, lambda: eg.set_status(engine, viewer, eid, "done"))

    base = wn.Baseline(dt.datetime(2026, 1, 1), DEMO_AS_OF,
                       data.draw(st.integers(0, 10**6), label="mark"), 0)
    window = wn.Window(DEMO_AS_OF, DEMO_AS_OF + dt.timedelta(days=20), 548)
    for b in (base, wn.FIRST_VISIT):
        items = wn.list_items(engine, viewer, b, window, limit=500)
        assert set(items["factory_id"]) <= own
        commitments = items[items["kind"].str.startswith("commitment")]
        assert set(commitments["ref_id"]) <= mine


# ---- the count ----------------------------------------------------------------------------------


def test_zz_at_least_a_thousand_generated_cases_ran():
    """Runs last in this module (pytest keeps file order): the suite's case count."""
    total = sum(CASES.values())
    assert total >= MIN_TOTAL_CASES, (
        f"only {total} generated isolation cases ran (run the whole module): {dict(CASES)}")
    assert sum(PAGE_CASES.values()) >= 50, dict(PAGE_CASES)
