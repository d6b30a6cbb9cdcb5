"""Initial schema: users, sessions, API tokens, submissions, transitions, audit log,
evaluation runs, their results and publications; published results are made immutable
by triggers (SQLite and PostgreSQL).

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("region", sa.String(6), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_index("ix_login_sessions_user_id", "login_sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("indicator_values", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("updated_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("unit", "year", name="uq_submission_unit_year"),
    )
    op.create_index("ix_submissions_unit", "submissions", ["unit"])
    op.create_index("ix_submissions_year", "submissions", ["year"])
    op.create_table(
        "transitions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("from_state", sa.String(16), nullable=False),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_transitions_submission_id", "transitions", ["submission_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("object_type", sa.String(32), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(64), nullable=True),
        sa.Column("old", sa.Text, nullable=True),
        sa.Column("new", sa.Text, nullable=True),
    )
    op.create_index("ix_audit_object", "audit_log", ["object_type", "object_id"])
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("framework", sa.String(64), nullable=False),
        sa.Column("framework_sha256", sa.String(64), nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("inputs", sa.JSON, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_runs_year", "runs", ["year"])
    op.create_table(
        "run_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("population", sa.String(8), nullable=False),
        sa.Column("unit", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("node", sa.String(64), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("rank", sa.Integer, nullable=True),
        sa.Column("rank_in_parent", sa.Integer, nullable=True),
        sa.Column("raw", sa.Float, nullable=True),
        sa.Column("tier", sa.Integer, nullable=True),
        sa.Column("rank_lo", sa.Float, nullable=True),
        sa.Column("rank_hi", sa.Float, nullable=True),
    )
    op.create_index("ix_run_results_run", "run_results", ["run_id", "population", "node"])
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, unique=True),
        sa.Column("change_note", sa.Text, nullable=False),
        sa.Column("published_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("published_at", TS, nullable=False),
        sa.UniqueConstraint("year", "version", name="uq_publication_year_version"),
    )
    _immutability_triggers(op.get_bind().dialect.name)


SQLITE_TRIGGERS = [
    """CREATE TRIGGER run_results_published_no_update BEFORE UPDATE ON run_results
       WHEN EXISTS (SELECT 1 FROM publications p WHERE p.run_id = OLD.run_id)
       BEGIN SELECT RAISE(ABORT, 'published results are immutable'); END""",
    """CREATE TRIGGER run_results_published_no_delete BEFORE DELETE ON run_results
       WHEN EXISTS (SELECT 1 FROM publications p WHERE p.run_id = OLD.run_id)
       BEGIN SELECT RAISE(ABORT, 'published results are immutable'); END""",
    """CREATE TRIGGER run_results_published_no_insert BEFORE INSERT ON run_results
       WHEN EXISTS (SELECT 1 FROM publications p WHERE p.run_id = NEW.run_id)
       BEGIN SELECT RAISE(ABORT, 'published results are immutable'); END""",
    """CREATE TRIGGER publications_no_update BEFORE UPDATE ON publications
       BEGIN SELECT RAISE(ABORT, 'publications are immutable'); END""",
    """CREATE TRIGGER publications_no_delete BEFORE DELETE ON publications
       BEGIN SELECT RAISE(ABORT, 'publications are immutable'); END""",
]

PG_TRIGGERS = [
    """CREATE FUNCTION digindex_results_immutable() RETURNS trigger AS $$
       DECLARE rid integer;
       BEGIN
         IF TG_OP = 'INSERT' THEN rid := NEW.run_id; ELSE rid := OLD.run_id; END IF;
         IF EXISTS (SELECT 1 FROM publications p WHERE p.run_id = rid) THEN
           RAISE EXCEPTION 'published results are immutable';
         END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER run_results_published_immutable BEFORE INSERT OR UPDATE OR DELETE ON run_results
       FOR EACH ROW EXECUTE FUNCTION digindex_results_immutable()""",
    """CREATE FUNCTION digindex_publications_immutable() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'publications are immutable'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER publications_immutable BEFORE UPDATE OR DELETE ON publications
       FOR EACH ROW EXECUTE FUNCTION digindex_publications_immutable()""",
]


def _immutability_triggers(dialect: str) -> None:
    statements = SQLITE_TRIGGERS if dialect == "sqlite" else PG_TRIGGERS if dialect == "postgresql" else []
    for sql in statements:
        op.execute(sql)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS publications_immutable ON publications")
        op.execute("DROP TRIGGER IF EXISTS run_results_published_immutable ON run_results")
        op.execute("DROP FUNCTION IF EXISTS digindex_publications_immutable()")
        op.execute("DROP FUNCTION IF EXISTS digindex_results_immutable()")
    for table in ("publications", "run_results", "runs", "audit_log", "transitions", "submissions",
                  "api_tokens", "login_sessions", "users"):
        op.drop_table(table)
