"""One profile builder: the profile of every unit a run publishes, as
``digindex.reports.unit_profile(...).to_dict()`` gives it (JSON), stored with the run.

Published profiles cannot be changed or deleted (triggers, as for the run's results). They
can be added: a publication made before this revision gets its profiles built once, from
the run's stored inputs, the first time a page needs them.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = [
    """CREATE TRIGGER run_profiles_published_no_update BEFORE UPDATE ON run_profiles
       WHEN EXISTS (SELECT 1 FROM publications p WHERE p.run_id = OLD.run_id)
       BEGIN SELECT RAISE(ABORT, 'published profiles are immutable'); END""",
    """CREATE TRIGGER run_profiles_published_no_delete BEFORE DELETE ON run_profiles
       WHEN EXISTS (SELECT 1 FROM publications p WHERE p.run_id = OLD.run_id)
       BEGIN SELECT RAISE(ABORT, 'published profiles are immutable'); END""",
]

PG_TRIGGERS = [
    """CREATE FUNCTION digindex_profiles_immutable() RETURNS trigger AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM publications p WHERE p.run_id = OLD.run_id) THEN
           RAISE EXCEPTION 'published profiles are immutable';
         END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER run_profiles_published_immutable BEFORE UPDATE OR DELETE ON run_profiles
       FOR EACH ROW EXECUTE FUNCTION digindex_profiles_immutable()""",
]


def upgrade() -> None:
    op.create_table(
        "run_profiles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("population", sa.String(8), nullable=False),
        sa.Column("unit", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("profile", sa.JSON, nullable=False),
        sa.UniqueConstraint("run_id", "population", "unit", "year", name="uq_run_profile"),
    )
    dialect = op.get_bind().dialect.name
    for sql in SQLITE_TRIGGERS if dialect == "sqlite" else PG_TRIGGERS if dialect == "postgresql" else []:
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS run_profiles_published_immutable ON run_profiles")
        op.execute("DROP FUNCTION IF EXISTS digindex_profiles_immutable()")
    op.drop_table("run_profiles")
