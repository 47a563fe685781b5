"""The database schema (SQLAlchemy 2.x typed declarative models).

One table per concept of DOMAIN.md. Tenant-owned tables carry ``brand_id`` (sourcing
relationships, purchase orders); factory-level assessment data is shared by every brand that
sources from the factory. Indexes follow the access paths of ``data_access.queries``:
brand → relationships → factory → latest assessment → findings.

Changing a model needs an Alembic migration: ``alembic revision --autogenerate -m "..."``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ASSESSMENT_KINDS = ("on-site", "virtual", "hybrid")
QUESTION_KINDS = ("non_compliance", "information")
PLAN_STATUSES = ("Pending", "In Progress", "Completed")
#: account roles (data_access.viewer.PERMISSIONS says what each may do)
USER_ROLES = ("brand_viewer", "brand_manager", "admin")
#: where an account comes from: the users file, the administration page, the demo users file
ACCOUNT_SOURCES = ("users_file", "app", "demo")
#: a factory's operating status (issue 14): closed and moved factories leave the active figures
FACTORY_STATUSES = ("active", "closed", "moved")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Brand(Base):
    __tablename__ = "brand"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    headquarters_country: Mapped[str | None] = mapped_column(String(2))


class Factory(Base):
    __tablename__ = "factory"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    os_id: Mapped[str | None] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    country_code: Mapped[str] = mapped_column(String(2), index=True)
    address: Mapped[str | None] = mapped_column(String(500))
    city: Mapped[str | None] = mapped_column(String(120))
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    sector: Mapped[str | None] = mapped_column(String(120))
    facility_type: Mapped[str | None] = mapped_column(String(120))
    processing_type: Mapped[str | None] = mapped_column(String(120))
    parent_company: Mapped[str | None] = mapped_column(String(300))
    product_type: Mapped[str | None] = mapped_column(String(300))
    workers: Mapped[int | None] = mapped_column(Integer)
    women_pct: Mapped[float | None] = mapped_column(Float)
    #: total output across all buyers, for "share of capacity" (DOMAIN.md §3)
    annual_output_units: Mapped[int | None] = mapped_column(Integer)
    #: the lead time the factory says it needs, for "share below required lead time"
    required_lead_time_days: Mapped[int | None] = mapped_column(SmallInteger)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: active, closed or moved — the value chosen from the sources (data_access.provenance)
    status: Mapped[str] = mapped_column(String(10), default="active", server_default="active")
    #: when it closed or moved (None: active, or the date is not known)
    status_since: Mapped[dt.date | None] = mapped_column(Date)
    #: the site a moved factory moved to, when that site is in the database
    moved_to_factory_id: Mapped[int | None] = mapped_column(
        ForeignKey("factory.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint("status IN ('active', 'closed', 'moved')", "status"),
        CheckConstraint("women_pct IS NULL OR (women_pct >= 0 AND women_pct <= 100)", "women"),
        CheckConstraint("workers IS NULL OR workers >= 0", "workers"),
        CheckConstraint("lat IS NULL OR (lat >= -90 AND lat <= 90)", "lat"),
        CheckConstraint("lng IS NULL OR (lng >= -180 AND lng <= 180)", "lng"),
    )


class SourcingRelationship(Base):
    """A brand sources from a factory. The tenant key of the whole product."""

    __tablename__ = "sourcing_relationship"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    factory_id: Mapped[int] = mapped_column(ForeignKey("factory.id", ondelete="CASCADE"))
    tier: Mapped[int] = mapped_column(SmallInteger, default=1)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    publicly_disclosed: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        UniqueConstraint("brand_id", "factory_id", name="uq_relationship_brand_factory"),
        Index("ix_relationship_brand_active", "brand_id", "active", "factory_id"),
        Index("ix_relationship_factory", "factory_id", "brand_id"),
        CheckConstraint("tier BETWEEN 1 AND 4", "tier"),
    )


class Cluster(Base):
    __tablename__ = "cluster"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    core_labour_standard: Mapped[bool] = mapped_column(Boolean)
    sort_order: Mapped[int] = mapped_column(SmallInteger)


class CompliancePoint(Base):
    __tablename__ = "compliance_point"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("cluster.id"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    sort_order: Mapped[int] = mapped_column(SmallInteger)


class Question(Base):
    __tablename__ = "question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compliance_point_id: Mapped[int] = mapped_column(ForeignKey("compliance_point.id"), index=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    public_disclosure: Mapped[bool] = mapped_column(Boolean, default=False)
    #: a finding on it is a zero-tolerance issue (reference/framework.yaml; migration 0006)
    zero_tolerance: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=false())

    __table_args__ = (
        CheckConstraint("kind IN ('non_compliance', 'information')", "kind"),
    )


class Assessment(Base):
    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factory.id", ondelete="CASCADE"))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    cycle: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(12), default="on-site")

    __table_args__ = (
        UniqueConstraint("factory_id", "cycle", name="uq_assessment_factory_cycle"),
        Index("ix_assessment_factory_date", "factory_id", "assessed_on"),
        CheckConstraint("kind IN ('on-site', 'virtual', 'hybrid')", "kind"),
        CheckConstraint("cycle >= 1", "cycle"),
    )


class Finding(Base):
    """One question's answer in one assessment. Information-only questions are stored too."""

    __tablename__ = "finding"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)
    non_compliant: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        # non-compliant findings by question (migration 0012): the zero-tolerance reads of the
        # risk ranking find a dozen questions' findings here instead of scanning every finding
        # (27 M at registry scale); the predicate is written as the queries write it
        Index("ix_finding_non_compliant_question", "question_id", "assessment_id",
              postgresql_where=sql_text("non_compliant IS true"),
              sqlite_where=sql_text("non_compliant IS 1")),
    )


class ImprovementPlanItem(Base):
    __tablename__ = "improvement_plan_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    action: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        # the finding this item remediates
        ForeignKeyConstraint(
            ["assessment_id", "question_id"],
            ["finding.assessment_id", "finding.question_id"],
            name="fk_plan_item_finding",
            ondelete="CASCADE",
        ),
        UniqueConstraint("assessment_id", "question_id", name="uq_plan_item_finding"),
        CheckConstraint("status IN ('Pending', 'In Progress', 'Completed')", "status"),
    )


class PurchaseOrder(Base):
    __tablename__ = "purchase_order"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    factory_id: Mapped[int] = mapped_column(ForeignKey("factory.id", ondelete="CASCADE"))
    po_number: Mapped[str] = mapped_column(String(40))
    season: Mapped[str | None] = mapped_column(String(8))
    confirmed_on: Mapped[dt.date] = mapped_column(Date)
    ex_factory_on: Mapped[dt.date | None] = mapped_column(Date)
    invoiced_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    payment_terms_days: Mapped[int] = mapped_column(SmallInteger)
    units_forecast: Mapped[int | None] = mapped_column(Integer)
    units_ordered: Mapped[int] = mapped_column(Integer)
    units_changed_after_confirmation: Mapped[int] = mapped_column(Integer, default=0)
    changed_after_confirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    fob_price_usd: Mapped[float] = mapped_column(Numeric(10, 2, asdecimal=False))
    cost_usd: Mapped[float | None] = mapped_column(Numeric(10, 2, asdecimal=False))
    amount_paid_usd: Mapped[float | None] = mapped_column(Numeric(14, 2, asdecimal=False))

    __table_args__ = (
        UniqueConstraint("brand_id", "po_number", name="uq_po_brand_number"),
        Index("ix_po_brand_factory_confirmed", "brand_id", "factory_id", "confirmed_on"),
        Index("ix_po_brand_confirmed", "brand_id", "confirmed_on"),
        CheckConstraint("units_ordered >= 0", "units"),
    )


class AppUser(Base):
    """An account. Identity (name, e-mail, role, brand, password) comes from the users file or
    the administration page; state (disabled, lockout, sessions) lives here only.
    data_access/accounts.py says which source wins."""

    __tablename__ = "app_user"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brand.id"))
    password_hash: Mapped[str] = mapped_column(String(100))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: why the account is disabled: 'admin' (by an administrator), 'removed_from_file' (no
    #: longer in the users file), 'demo' (a demo account outside demo mode)
    disabled_reason: Mapped[str | None] = mapped_column(String(40))
    #: sessions issued up to this instant are no longer valid (force sign-out, password
    #: change, disabling); each session also has its own row in user_session
    sessions_valid_after: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: 'users_file', 'app' (created on the administration page) or 'demo'
    provisioned_from: Mapped[str] = mapped_column(String(20), default="users_file")
    #: SHA-256 of the users-file entry last applied (a changed entry is applied again)
    file_fingerprint: Mapped[str | None] = mapped_column(String(64))
    #: a temporary password (set by an administrator) must be replaced at the next sign-in
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    #: a temporary password stops working at this instant
    password_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_by: Mapped[str | None] = mapped_column(String(80))
    #: the interface language the user picked ('en', 'es', 'fr'…; NULL: the browser's)
    locale: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        CheckConstraint("role IN ('brand_viewer', 'brand_manager', 'admin')", "role"),
        CheckConstraint("role = 'admin' OR brand_id IS NOT NULL", "brand_required"),
        CheckConstraint("provisioned_from IN ('users_file', 'app', 'demo')", "source"),
    )


class UserSession(Base):
    """One signed-in session (a sign-in, and every tab or reload that resumes it from the
    re-login cookie). The cookie carries the session id; only its SHA-256 is stored here."""

    __tablename__ = "user_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(
        ForeignKey("app_user.username", ondelete="CASCADE", onupdate="CASCADE"))
    #: the account's brand when the session was issued (row-level security on PostgreSQL)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brand.id", ondelete="SET NULL"))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    #: the absolute end of the session, whatever the activity
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: 'signed_out', 'idle', 'forced', 'password_changed', 'disabled', 'role_changed', …
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    #: the client address the session was issued to (as the server saw it)
    client: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        Index("ix_user_session_username", "username"),
        Index("ix_user_session_expires", "expires_at"),
    )


class LoginThrottle(Base):
    """Failed sign-ins per entered username (known or not) and client, plus one row per
    username for every client together (``client = '*'``: the exponential back-off)."""

    __tablename__ = "login_throttle"

    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    client: Mapped[str] = mapped_column(String(100), primary_key=True)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AccountAudit(Base):
    """Every change to an account: who did what to whom, when (administration page, users
    file at start-up, the user's own password change, lockouts)."""

    __tablename__ = "account_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    #: the administrator, the user themself, or 'users file' / 'start-up'
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200))
    #: the brand of the target account (row-level security on PostgreSQL)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brand.id", ondelete="SET NULL"))
    #: what changed, as JSON text (never a password or a hash)
    details: Mapped[str] = mapped_column(Text, default="{}")

    __table_args__ = (Index("ix_account_audit_created", "created_at"),)


class DatasetState(Base):
    """A single row: the data version (bumped by every import) and when data last changed."""

    __tablename__ = "dataset_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data_version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(200))
    #: the generated demo dataset was loaded into this database at some point: outside demo
    #: mode the app refuses to start on it (its brands and accounts are fictional and public)
    holds_demo_data: Mapped[bool] = mapped_column(Boolean, default=False)


# ---- imports and downloads (issue 5) ---------------------------------------------------------

IMPORT_KINDS = ("facilities", "assessments", "plans", "orders")
#: ``no_changes``: the file was valid and matched the database exactly (an idempotent re-import).
IMPORT_STATUSES = ("succeeded", "no_changes")


class ImportRun(Base):
    """One successful import (CLI or admin page). Rejected and dry-run imports write nothing,
    this log included, so "nothing written" stays literally true; they go to the Python log."""

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(255))
    #: the brand a facility list or order file was imported for (None for factory-level data)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brand.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime] = mapped_column(DateTime)
    rows: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))

    __table_args__ = (
        Index("ix_import_run_started", "started_at"),
        CheckConstraint("kind IN ('facilities', 'assessments', 'plans', 'orders')", "kind"),
        CheckConstraint("status IN ('succeeded', 'no_changes')", "status"),
    )


#: who supplied a factory attribute: Better Work, Open Supply Hub, one brand's facility list, or
#: data stored before sources were recorded (migration 0008)
SOURCE_KINDS = ("better_work", "open_supply_hub", "brand_list", "earlier_data")


class FactoryAttributeSource(Base):
    """One source's value of one factory attribute, kept current (issue 14: provenance).

    One row per (factory, attribute, source): Better Work, Open Supply Hub and "earlier data"
    rows have no brand; a brand's facility list has one row per brand (``brand_id``), which
    makes those rows tenant data (row-level security, migration 0008). ``observed_at`` is when
    this source first gave this value (a re-import of the same value keeps it). The factory's
    own columns hold the value :mod:`data_access.provenance` chooses from these rows.
    """

    __tablename__ = "factory_attribute_source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factory.id", ondelete="CASCADE"))
    attribute: Mapped[str] = mapped_column(String(30))
    value: Mapped[str] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(20))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_run.id", ondelete="SET NULL"))
    observed_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("source_kind IN ('better_work', 'open_supply_hub', 'brand_list', "
                        "'earlier_data')", "source_kind"),
        CheckConstraint("(source_kind = 'brand_list') = (brand_id IS NOT NULL)", "brand"),
        Index("uq_attribute_source_shared", "factory_id", "attribute", "source_kind",
              unique=True, sqlite_where=sql_text("brand_id IS NULL"),
              postgresql_where=sql_text("brand_id IS NULL")),
        Index("uq_attribute_source_brand", "factory_id", "attribute", "brand_id", unique=True,
              sqlite_where=sql_text("brand_id IS NOT NULL"),
              postgresql_where=sql_text("brand_id IS NOT NULL")),
        Index("ix_attribute_source_brand", "brand_id"),
    )


class ApiToken(Base):
    """An API token of one brand (issue 18): read-only, scoped to the brand, with an expiry.

    Only the SHA-256 of the token's 256-bit secret is stored (the token is shown once, when
    issued); ``prefix`` is its public part, shown in lists and audit rows and used to find the
    row. ``scope`` is the brand role the token reads as: ``brand_viewer`` (summary extracts)
    or ``brand_manager`` (every extract). Row-level security on PostgreSQL (brand_id).
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(80))
    #: 'revoked' (by hand), 'issuer_disabled', 'issuer_role_changed'
    revoked_reason: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (
        CheckConstraint("scope IN ('brand_viewer', 'brand_manager')", name="scope"),
        Index("ix_api_token_brand", "brand_id"),
        Index("ix_api_token_created_by", "created_by"),
    )


class ExtractAudit(Base):
    """Who downloaded which extract of which brand's data, with which filters (ASVS audit)."""

    __tablename__ = "extract_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    #: the brand whose data was extracted (None: an administrator's cross-brand extract)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brand.id", ondelete="SET NULL"))
    extract: Mapped[str] = mapped_column(String(80))
    #: the filters in force, as JSON text with sorted keys
    filters: Mapped[str] = mapped_column(Text)
    row_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_extract_audit_created", "created_at"),
        Index("ix_extract_audit_brand_created", "brand_id", "created_at"),
    )


# ---- summary tables (issue 7: performance) ---------------------------------------------------
# Derived data, never edited by hand: data_access.summaries.refresh_summaries() rebuilds them
# from assessment / finding for the factories an import touched (the demo generator and every
# import call it). They hold factory-level assessment results only — no brand's data.


class FactoryLatestAssessment(Base):
    """Each assessed factory's latest assessment (by date, then cycle) and its totals over the
    non-compliance questions (NULL when the assessment has no such findings)."""

    __tablename__ = "factory_latest_assessment"

    factory_id: Mapped[int] = mapped_column(
        ForeignKey("factory.id", ondelete="CASCADE"), primary_key=True
    )
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), unique=True
    )
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    cycle: Mapped[int] = mapped_column(SmallInteger)
    questions_assessed: Mapped[int | None] = mapped_column(Integer)
    questions_non_compliant: Mapped[int | None] = mapped_column(Integer)
    #: compliance points with at least one non-compliant question
    compliance_points_non_compliant: Mapped[int | None] = mapped_column(Integer)


class LatestClusterResult(Base):
    """Per factory and cluster: its latest assessment's counts (non-compliance questions)."""

    __tablename__ = "latest_cluster_result"

    factory_id: Mapped[int] = mapped_column(
        ForeignKey("factory.id", ondelete="CASCADE"), primary_key=True
    )
    #: the cluster (no foreign key: reference data, and each key costs a trigger per row)
    cluster_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    questions_assessed: Mapped[int] = mapped_column(Integer)
    questions_non_compliant: Mapped[int] = mapped_column(Integer)
    compliance_points_non_compliant: Mapped[int] = mapped_column(Integer)


class LatestCompliancePointResult(Base):
    """Per factory and compliance point: its latest assessment's counts."""

    __tablename__ = "latest_cp_result"

    factory_id: Mapped[int] = mapped_column(
        ForeignKey("factory.id", ondelete="CASCADE"), primary_key=True
    )
    #: the compliance point and its cluster (no foreign keys, as in LatestClusterResult)
    compliance_point_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(Integer)
    questions_assessed: Mapped[int] = mapped_column(Integer)
    questions_non_compliant: Mapped[int] = mapped_column(Integer)


class PurchasingBenchmark(Base):
    """The cross-brand purchasing benchmark as published to each brand, stored once computed.

    ``period_key``: the choice (period, reference month end, country) and the brand it is
    published to (``…|b<brand id>``; ``…|b-1`` for brands without orders in the choice). A value
    is the lower edge of the band around the median of the *other* brands — never a brand's own
    figure. Keyed by the ``data_version`` they were computed from: rows of an older version are
    never read (and are deleted when a newer one is stored), so an import invalidates them. The
    marker indicator ``__none__`` records "nothing to publish" (too few brands). Written by
    ``data_access.summaries.store_benchmark``.
    """

    __tablename__ = "purchasing_benchmark"

    period_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    data_version: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class BrandOrderSnapshot(Base):
    """A brand's whole order book as the pages read it (``data_access.orders.purchase_orders``
    without filters, minus the factory attributes merged at read time): one compressed Arrow
    IPC stream, so a cold page reads one row instead of up to 100 k orders (issue 17).

    Derived tenant data (``brand_id``; row-level security on PostgreSQL, migration 0012):
    rebuilt by ``data_access.orders.refresh_order_snapshots`` in the transaction that
    writes the brand's orders. ``order_count`` / ``max_order_id``: what it was built from — a
    reader that finds other figures in ``purchase_order`` ignores the snapshot.
    """

    __tablename__ = "brand_order_snapshot"

    brand_id: Mapped[int] = mapped_column(
        ForeignKey("brand.id", ondelete="CASCADE"), primary_key=True
    )
    order_count: Mapped[int] = mapped_column(Integer)
    max_order_id: Mapped[int | None] = mapped_column(Integer)
    format_version: Mapped[int] = mapped_column(Integer)
    frame: Mapped[bytes] = mapped_column(LargeBinary)
    built_at: Mapped[dt.datetime] = mapped_column(DateTime)


class BrandAnalysis(Base):
    """A brand's analysis as a page shows it, computed once per data version (issue 17): the
    risk ranking, the Purchasing page's figures for its whole order book. Stored by
    ``data_access.analyses`` — after every import for every brand (a background job of the
    services layer), and by the first view that had to compute one — so a first view reads one
    row instead of recomputing from orders and findings.

    Derived tenant data (``brand_id``; row-level security on PostgreSQL, migration 0014).
    A row is used only while ``data_version`` is the current data version and ``code_version``
    the running code's (another release may compute it differently); ``payload`` is an Arrow
    IPC stream (``payload_format`` ``arrow``) or JSON (``json``) — never a pickle.
    """

    __tablename__ = "brand_analysis"

    brand_id: Mapped[int] = mapped_column(
        ForeignKey("brand.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    data_version: Mapped[int] = mapped_column(Integer)
    code_version: Mapped[str] = mapped_column(String(16))
    payload_format: Mapped[str] = mapped_column(String(8))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class FactoryOpenPlanItems(Base):
    """Per factory and due date: how many improvement-plan items are not Completed (any of its
    assessments). The directory's open / overdue counts read this instead of every plan item;
    "overdue" (due before the day) is decided at read time."""

    __tablename__ = "factory_open_plan_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factory.id", ondelete="CASCADE"))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    open_items: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_factory_open_plan_items_factory", "factory_id", "due_date"),
    )


# ---- engagement log and "what's new" (issue 16) ---------------------------------------------
# Tenant data: every row carries brand_id (row-level security on PostgreSQL, migration 0011).

#: what an engagement entry records
ENGAGEMENT_KINDS = ("note", "meeting", "call", "visit", "commitment", "follow-up")
#: the kinds that carry an owner and a due date (the brand-wide follow-up list)
FOLLOW_UP_KINDS = ("commitment", "follow-up")
#: stored statuses; "overdue" is derived (an open entry whose due date has passed)
ENGAGEMENT_STATUSES = ("open", "done", "withdrawn")
#: what one revision did to an entry
REVISION_CHANGES = ("created", "edited", "done", "reopened", "withdrawn")


class EngagementEntry(Base):
    """One entry of a brand's engagement log with one of its suppliers (the current state).

    Never deleted by brand users: an entry is *withdrawn* (a status). Every change appends an
    :class:`EngagementRevision` in the same transaction; ``version`` is the latest revision's.
    """

    __tablename__ = "engagement_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    factory_id: Mapped[int] = mapped_column(ForeignKey("factory.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str | None] = mapped_column(String(120))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("kind IN ('note', 'meeting', 'call', 'visit', 'commitment', "
                        "'follow-up')", "kind"),
        CheckConstraint("status IN ('open', 'done', 'withdrawn')", "status"),
        Index("ix_engagement_entry_brand_factory", "brand_id", "factory_id", "created_at"),
        Index("ix_engagement_entry_brand_due", "brand_id", "status", "due_date"),
    )


class EngagementRevision(Base):
    """Append-only history of an entry: its full content after each change, who and when."""

    __tablename__ = "engagement_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("engagement_entry.id", ondelete="CASCADE"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str | None] = mapped_column(String(120))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    changed_by: Mapped[str] = mapped_column(String(80))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("entry_id", "version", name="uq_engagement_revision_version"),
        CheckConstraint("change IN ('created', 'edited', 'done', 'reopened', 'withdrawn')",
                        "change"),
        Index("ix_engagement_revision_brand", "brand_id"),
    )


class EngagementLink(Base):
    """An entry's link to a finding (a question at the factory, in one assessment) or to an
    improvement-plan item. ``question_id`` is set for both: "the same finding" across brands
    is the same question at the same factory (the shared-remediation count)."""

    __tablename__ = "engagement_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("engagement_entry.id", ondelete="CASCADE"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    factory_id: Mapped[int] = mapped_column(ForeignKey("factory.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="SET NULL"))
    plan_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("improvement_plan_item.id", ondelete="SET NULL"))

    __table_args__ = (
        Index("ix_engagement_link_entry", "entry_id"),
        Index("ix_engagement_link_factory_question", "factory_id", "question_id", "brand_id"),
        Index("ix_engagement_link_brand", "brand_id"),
    )


class UserVisit(Base):
    """A user's visits to "What's new", per brand: the last one and the one before it.

    The marks are the import watermarks at the visit (the highest assessment and sourcing
    relationship ids then in the database) and the data's as-of date: "new since" compares
    against what the database held, not against the wall clock.
    """

    __tablename__ = "user_visit"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"),
                                          primary_key=True)
    visited_at: Mapped[dt.datetime] = mapped_column(DateTime)
    as_of: Mapped[dt.date] = mapped_column(Date)
    assessment_mark: Mapped[int] = mapped_column(Integer, default=0)
    relationship_mark: Mapped[int] = mapped_column(Integer, default=0)
    previous_visited_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    previous_as_of: Mapped[dt.date | None] = mapped_column(Date)
    previous_assessment_mark: Mapped[int | None] = mapped_column(Integer)
    previous_relationship_mark: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_user_visit_brand", "brand_id"),)


class WhatsNewSeen(Base):
    """An item of "What's new" a user marked as seen (the item's stable key)."""

    __tablename__ = "whats_new_seen"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"),
                                          primary_key=True)
    item_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_whats_new_seen_brand", "brand_id"),)
