"""digindex web: public dashboard, reporting workflow and JSON API (FastAPI + SQLAlchemy).

::

    from digindex.web import create_app, serve, create_user, seed_demo
    create_user("sqlite:///digindex_web.db", "admin", "a long password", role="admin")
    serve("sqlite:///digindex_web.db", host="127.0.0.1", port=8000)

See docs/web.md. Needs the ``web`` extra (fastapi, uvicorn, sqlalchemy, alembic,
argon2-cffi, python-multipart, jinja2, psycopg for PostgreSQL).
"""
from __future__ import annotations

from .config import DEFAULT_DB_URL, Settings

__all__ = ["create_app", "serve", "create_user", "seed_demo", "Settings", "DEFAULT_DB_URL", "migrate"]


def create_app(db_url: str | None = None, settings: Settings | None = None, migrate: bool = True):
    """The FastAPI app on ``db_url`` (migrated to the latest schema first)."""
    from .app import create_app as _create

    return _create(db_url, settings, migrate)


def serve(db_url: str | None = None, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          log_level: str = "info") -> None:
    """Run the app under uvicorn (what ``digindex serve`` does)."""
    from .server import serve as _serve

    _serve(db_url, host, port, workers, log_level)


def create_user(db_url: str | None, username: str, password: str, role: str = "admin", region: str | None = None,
                display_name: str = "") -> dict:
    """Create a user directly in the database (bootstraps the first province admin)."""
    from .admin import create_user as _create

    return _create(db_url, username, password, role, region, display_name)


def seed_demo(db_url: str | None = None, **kwargs) -> dict:
    """Load SYNTHETIC demo data and publish results for every year (see :mod:`.seed`)."""
    from .seed import seed_demo as _seed

    return _seed(db_url, **kwargs)


def migrate(db_url: str | None = None) -> None:
    """Bring the database schema up to date (Alembic ``upgrade head``)."""
    from .db import migrate as _migrate

    _migrate(Settings.from_env(db_url).db_url)
