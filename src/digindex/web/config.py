"""Settings of the web app, from arguments and ``DIGINDEX_WEB_*`` environment variables."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace

DEFAULT_DB_URL = "sqlite:///digindex_web.db"


def _env(name: str, default, cast):
    raw = os.environ.get(f"DIGINDEX_WEB_{name.upper()}")
    if raw is None or raw == "":
        return default
    if cast is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if cast is tuple:
        return tuple(int(x) for x in raw.split(","))
    return cast(raw)


@dataclass(frozen=True)
class Settings:
    """Every tunable of the app; ``Settings.from_env(db_url)`` reads the environment.

    - ``secure_cookies``: mark the session and CSRF cookies ``Secure`` (HTTPS deployments);
    - ``session_hours``: lifetime of a login session;
    - ``max_upload_bytes``, ``max_unzipped_bytes``, ``max_zip_ratio``, ``max_zip_entries``:
      upload limits checked before any Excel parsing (zip-bomb guard);
    - ``login_max_failures`` consecutive failures lock an account for ``lockout_minutes``;
    - ``login_rate`` login attempts per ``login_window_s`` seconds per client address;
    - ``argon2``: (time_cost, memory_cost KiB, parallelism) of new password hashes;
    - ``cache_ttl_s``: how long a worker trusts its cache of published results before
      checking the database for a newer publication (publishing in the same worker clears
      it at once);
    - ``uncertainty_runs``: default Monte Carlo runs for rank intervals in an evaluation run;
    - ``framework``: the framework evaluated (a built-in name or a framework file);
    - ``four_eyes``: publishing needs a second admin's approval.

    Per-indicator rules (decimals, ranges, plausibility bounds) are read from the file in
    ``DIGINDEX_WEB_INDICATOR_RULES`` (default: the package's ``indicator_rules.yaml``).
    """

    db_url: str = DEFAULT_DB_URL
    secure_cookies: bool = False
    session_hours: float = 8.0
    max_upload_bytes: int = 2 * 1024 * 1024
    max_unzipped_bytes: int = 25 * 1024 * 1024
    max_zip_ratio: float = 100.0
    max_zip_entries: int = 200
    login_max_failures: int = 5
    lockout_minutes: float = 15.0
    login_rate: int = 30
    login_window_s: float = 60.0
    argon2: tuple = (3, 65536, 4)
    cache_ttl_s: float = 2.0
    uncertainty_runs: int = 200
    framework: str = "zhejiang"
    four_eyes: bool = False
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, db_url: str | None = None, **overrides) -> "Settings":
        values = {}
        for f in fields(cls):
            if f.name in ("extra",):
                continue
            cast = type(f.default) if f.default is not None else str
            values[f.name] = _env(f.name, f.default, cast)
        if db_url:
            values["db_url"] = db_url
        elif os.environ.get("DIGINDEX_DB_URL"):
            values["db_url"] = os.environ["DIGINDEX_DB_URL"]
        return replace(cls(**values), **overrides)
