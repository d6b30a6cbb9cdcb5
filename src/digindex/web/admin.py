"""Command-line administration: bootstrap users without the web interface."""
from __future__ import annotations

from .authz import Principal
from .config import Settings
from .db import Database, ensure_schema

CLI = Principal(id=0, username="cli", role="admin", region=None, via="system")


def create_user(db_url: str | None, username: str, password: str, role: str = "admin", region: str | None = None,
                display_name: str = "") -> dict:
    """Create a user in the database at ``db_url`` (migrated first); the change is audited
    as made by ``cli``. Raises :class:`~digindex.web.errors.WebError` on bad input."""
    from .auth import create_user as _create

    settings = Settings.from_env(db_url)
    ensure_schema(settings.db_url)
    db = Database(settings.db_url)
    try:
        return _create(db, CLI, username, password, role, region, display_name, settings)
    finally:
        db.dispose()
