"""Gated workflow and one published truth: notes on submission values (reasons for missing
values, explanations of implausible ones), every version of a submission kept as a
revision, read-only API tokens, run results for every year a run covers with their
year-on-year changes, the units missing from a publication and its second approver.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
EMPTY = sa.text("'{}'")


def upgrade() -> None:
    op.add_column("submissions", sa.Column("indicator_notes", sa.JSON, nullable=False, server_default=EMPTY))
    op.create_table(
        "submission_revisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("indicator_values", sa.JSON, nullable=False),
        sa.Column("indicator_notes", sa.JSON, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.UniqueConstraint("submission_id", "version", name="uq_revision_submission_version"),
    )
    op.add_column("api_tokens", sa.Column("read_only", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("run_results", sa.Column("prev_year", sa.Integer, nullable=True))
    op.add_column("run_results", sa.Column("score_change", sa.Float, nullable=True))
    op.add_column("run_results", sa.Column("rank_change", sa.Integer, nullable=True))
    op.add_column("publications", sa.Column("missing", sa.JSON, nullable=False, server_default=EMPTY))
    op.add_column("publications", sa.Column("approved_by", sa.Integer, nullable=True))  # a user id (no FK: SQLite)
    op.create_index("ix_audit_at", "audit_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_at", "audit_log")
    op.drop_column("publications", "approved_by")  # plain columns: SQLite (>= 3.35) drops them in place
    op.drop_column("publications", "missing")
    for col in ("rank_change", "score_change", "prev_year"):
        op.drop_column("run_results", col)
    op.drop_column("api_tokens", "read_only")
    op.drop_table("submission_revisions")
    op.drop_column("submissions", "indicator_notes")
