"""The web app's tables (SQLAlchemy 2 ORM). The schema itself is created by Alembic
(``migrations/versions``); ``tests/test_web_unit.py`` checks the two agree.

Submission states: ``draft -> submitted -> approved | returned -> locked`` (see
:mod:`digindex.web.workflow`). ``Submission.version`` is the optimistic-locking counter:
every change increments it and an update naming an older version is refused.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, false)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 in UTC with its offset (SQLite hands back naive datetimes, which are UTC)."""
    if dt is None:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).isoformat()


class Base(DeclarativeBase):
    pass


TS = DateTime(timezone=True)
EMPTY = sql_text("'{}'")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))            # admin | reviewer | reporter
    region: Mapped[str | None] = mapped_column(String(6), nullable=True)  # city or county code
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class LoginSession(Base):
    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TS)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    read_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("unit", "year", name="uq_submission_unit_year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(6), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    values: Mapped[dict] = mapped_column("indicator_values", JSON, default=dict)  # {indicator id: number}
    # {indicator id: text}: why a value is missing, or what explains a value outside the plausibility bounds
    notes: Mapped[dict] = mapped_column("indicator_notes", JSON, default=dict, server_default=EMPTY)
    version: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[str] = mapped_column(String(16), default="web")   # web | upload | import
    comment: Mapped[str] = mapped_column(Text, default="")          # last reviewer comment
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    __mapper_args__ = {"version_id_col": version}


class Revision(Base):
    """A submission as it was at one version: every change leaves one, so any two versions
    can be compared value by value."""
    __tablename__ = "submission_revisions"
    __table_args__ = (UniqueConstraint("submission_id", "version", name="uq_revision_submission_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    values: Mapped[dict] = mapped_column("indicator_values", JSON, default=dict)
    notes: Mapped[dict] = mapped_column("indicator_notes", JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class Transition(Base):
    __tablename__ = "transitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    username: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"), Index("ix_audit_at", "at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str | None] = mapped_column(String(64), nullable=True)
    old: Mapped[str | None] = mapped_column(Text, nullable=True)
    new: Mapped[str | None] = mapped_column(Text, nullable=True)


class EvaluationRun(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(16), default="preview")  # preview | requested | published
    framework: Mapped[str] = mapped_column(String(64))
    framework_sha256: Mapped[str] = mapped_column(String(64))
    summary: Mapped[dict] = mapped_column(JSON, default=dict)  # coverage, inputs, log
    # The exact values evaluated: {population: [[unit, year, {indicator: value}], ...]}
    inputs: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class RunResult(Base):
    __tablename__ = "run_results"
    __table_args__ = (Index("ix_run_results_run", "run_id", "population", "node"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    population: Mapped[str] = mapped_column(String(8))     # county | city
    unit: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    node: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank_in_parent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    raw: Mapped[float | None] = mapped_column(Float, nullable=True)
    tier: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank_lo: Mapped[float | None] = mapped_column(Float, nullable=True)
    rank_hi: Mapped[float | None] = mapped_column(Float, nullable=True)
    # year-on-year change within the run (both years on its basis), from digindex.analytics.changes
    prev_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    score_change: Mapped[float | None] = mapped_column(Float, nullable=True)
    rank_change: Mapped[int | None] = mapped_column(Integer, nullable=True)


class RunProfile(Base):
    """A unit's profile in a run's year: ``digindex.reports.unit_profile(...).to_dict()`` of the
    run's evaluation (:mod:`digindex.web.profiles`). Immutable once the run is published."""
    __tablename__ = "run_profiles"
    __table_args__ = (UniqueConstraint("run_id", "population", "unit", "year", name="uq_run_profile"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    population: Mapped[str] = mapped_column(String(8))
    unit: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    profile: Mapped[dict] = mapped_column(JSON)


class Publication(Base):
    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("year", "version", name="uq_publication_year_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), unique=True)
    change_note: Mapped[str] = mapped_column(Text, default="")
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    published_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    missing: Mapped[dict] = mapped_column(JSON, default=dict, server_default=EMPTY)  # {population: [unit, ...]}
    approved_by: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the second admin (four-eyes)
