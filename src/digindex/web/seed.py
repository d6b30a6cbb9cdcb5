"""SYNTHETIC demo content: history imported as locked data and results published per year.

``seed_demo(db_url)`` generates :mod:`digindex.demo` data (labelled SYNTHETIC; real
region codes and names), imports counties and cities for 2017-2022 as locked
submissions and publishes one evaluation run per year. ``exclude`` leaves (unit, year)
pairs out, e.g. to let a reporter submit them through the workflow.
"""
from __future__ import annotations

import tempfile

import pandas as pd

from . import evaluation, imports
from .authz import Principal
from .config import Settings
from .db import Database, ensure_schema

SEED = Principal(id=0, username="seed", role="admin", region=None, via="system")


def demo_table(n_enterprises: int = 40_000, n_projects: int = 6_000) -> pd.DataFrame:
    """Counties and cities, 2017-2022, wide (unit, year, indicators); SYNTHETIC."""
    from ..demo import generate

    with tempfile.TemporaryDirectory() as tmp:
        paths = generate(tmp, n_enterprises=n_enterprises, n_projects=n_projects)
        frames = [pd.read_csv(paths[k], dtype={"unit": str, "parent": str}) for k in ("counties_csv", "cities_csv")]
    return pd.concat(frames, ignore_index=True)


def seed_demo(db_url: str | None = None, years=None, publish: bool = True, exclude=(), uncertainty_runs: int = 0,
              table: pd.DataFrame | None = None, settings: Settings | None = None) -> dict:
    settings = settings or Settings.from_env(db_url)
    ensure_schema(settings.db_url)
    db = Database(settings.db_url)
    try:
        df = table if table is not None else demo_table()
        drop = {(str(u), int(y)) for u, y in exclude}
        if drop:
            df = df[[(str(u), int(y)) not in drop for u, y in zip(df["unit"], df["year"])]]
        rows = imports.prepare(df, settings.framework)
        counts = imports.import_values(db, SEED, rows)
        published = []
        if publish:
            for year in (years or sorted({y for _u, y in rows})):
                run_id = evaluation.run_evaluation(db, SEED, int(year), settings, uncertainty_runs)
                pub = evaluation.publish(db, SEED, run_id, "")
                published.append((pub.year, pub.version))
        return {**counts, "published": published}
    finally:
        db.dispose()
