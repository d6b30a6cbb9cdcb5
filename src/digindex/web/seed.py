"""SYNTHETIC demo content: history imported as locked data and results published per year.

``seed_demo(db_url)`` generates the :mod:`digindex.demo` data set exactly as
``digindex demo`` does (same seed, same sizes: labelled SYNTHETIC; real region codes and
names), imports counties and cities for 2017-2022 as locked submissions and publishes one
evaluation run per year. So the web's publication of the last year, which covers every
year, gives the same scores as ``digindex demo`` and ``digindex run`` on those files.
``exclude`` leaves (unit, year) pairs out, e.g. to let a reporter submit them through the
workflow; a year published without some units says so in its change note.
"""
from __future__ import annotations

import tempfile
from functools import lru_cache

import pandas as pd

from . import evaluation, imports
from .authz import Principal
from .config import Settings
from .db import Database, ensure_schema

SEED = Principal(id=0, username="seed", role="admin", region=None, via="system")
MISSING_NOTE = ("SYNTHETIC demo: units left out of the seed are not reported / "
                "演示数据：种子数据中未包含的地区未报送")


@lru_cache(maxsize=1)
def demo_table() -> pd.DataFrame:
    """Counties and cities, 2017-2022, wide (unit, year, indicators): the data of ``digindex demo``."""
    from ..demo import DEFAULT_SEED, generate

    with tempfile.TemporaryDirectory() as tmp:
        paths = generate(tmp, seed=DEFAULT_SEED)
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
                with db.read() as s:
                    missing = evaluation.missing_units(s.get(evaluation.EvaluationRun, run_id))
                pub = evaluation.publish(db, SEED, run_id, MISSING_NOTE if missing else "", confirm_missing=True)
                published.append((pub["year"], pub["version"]))
        return {**counts, "published": published}
    finally:
        db.dispose()
