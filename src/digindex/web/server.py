"""``serve(db_url, host, port)``: the app under uvicorn."""
from __future__ import annotations

import os

from .config import Settings
from .db import ensure_schema


def serve(db_url: str | None = None, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          log_level: str = "info") -> None:
    """Serve the web app. With ``workers`` > 1 uvicorn starts that many processes (each
    keeps its own cache of published results; see ``cache_ttl_s``)."""
    import uvicorn

    settings = Settings.from_env(db_url)
    ensure_schema(settings.db_url)
    if workers > 1:
        os.environ["DIGINDEX_DB_URL"] = settings.db_url
        uvicorn.run("digindex.web.server:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, proxy_headers=False)
        return
    from .app import create_app

    uvicorn.run(create_app(settings=settings, migrate=False), host=host, port=port, log_level=log_level,
                proxy_headers=False)


def app_from_env():
    from .app import create_app

    return create_app(settings=Settings.from_env(), migrate=False)
