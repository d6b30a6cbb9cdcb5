"""The main job: the provincial evaluation of every prefecture city and county, in one call.

``run_main_job`` generates the SYNTHETIC demonstration data when it is missing,
validates it, evaluates the built-in ``zhejiang`` framework (modelled on the
provincial method) for the two populations, cities and counties, over all years,
records both runs in the DuckDB run store, and writes results as CSV, Parquet and
Excel. ``summary_tables`` gives what the command line prints.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import evaluate, load_data, load_framework
from .analytics import changes, tier_config, tiers
from .engine import Evaluation
from .export import run_record, write_results
from .frameworks import builtin_framework_path

POPULATIONS = ("counties", "cities")
TONGXIANG = "330483"


@dataclass
class MainJob:
    data_dir: Path
    out_dir: Path
    store: Path
    evaluations: dict[str, Evaluation]
    run_ids: dict[str, str]
    generated: bool
    names_en: dict[str, str] = field(default_factory=dict)


def run_main_job(data_dir="demo-data", out_dir="out/zhejiang", store="digindex.duckdb",
                 seed: int | None = None, lang: str = "zh", progress=None) -> MainJob:
    """Generate (if missing), validate, evaluate, record and write the provincial evaluation."""
    from .demo import DEFAULT_SEED, generate
    from .store import record_run

    step = progress or (lambda message: None)
    data_dir, out_dir, store = Path(data_dir), Path(out_dir), Path(store)
    paths = _demo_paths(data_dir)
    generated = False
    if not all(p.exists() for p in paths.values()):
        step("generating the SYNTHETIC demonstration data")
        generate(data_dir, seed=DEFAULT_SEED if seed is None else seed)
        generated = True
    framework_file = builtin_framework_path("zhejiang")
    fw = load_framework(framework_file)
    evaluations, run_ids = {}, {}
    for population in POPULATIONS:
        step(f"validating and evaluating {population}")
        panel = load_data(paths[population], framework=fw, regions=paths["regions"])
        ev = evaluate(fw, panel)
        evaluations[population] = ev
        options = {"population": population, "data": [str(paths[population])],
                   "regions": str(paths["regions"]), "lang": lang, "synthetic": True}
        record = run_record(ev, str(framework_file), options)
        step(f"writing {population} results")
        write_results(ev, out_dir / population, record, lang=lang)
        run_ids[population] = record_run(store, ev, record)
    regions = pd.read_csv(paths["regions"], dtype=str, encoding="utf-8-sig")
    names_en = dict(zip(regions["unit"], regions["name_en"]))
    return MainJob(data_dir, out_dir, store, evaluations, run_ids, generated, names_en)


def _demo_paths(data_dir: Path) -> dict[str, Path]:
    return {"counties": data_dir / "zhejiang_counties_SYNTHETIC.csv",
            "cities": data_dir / "zhejiang_cities_SYNTHETIC.csv",
            "regions": data_dir / "zhejiang_regions.csv"}


def latest_year(ev: Evaluation):
    return max(y for y in ev.panel.years if y is not None)


def _ranked(ev: Evaluation, year, within_parent=False) -> pd.DataFrame:
    scores = ev.scores_table()
    ranks = ev.ranks_table(within_parent=within_parent)
    root = ev.framework.tree.id
    aspects = [c.id for c in ev.framework.tree.children]
    out = scores.loc[scores["year"] == year, ["unit", "parent", root] + aspects].copy()
    out["rank"] = ranks.loc[scores["year"] == year, root].astype(int)
    out["name"] = out["unit"].map(ev.panel.names)
    return out.sort_values(["rank", "unit"])


def summary_tables(job: MainJob, unit: str = TONGXIANG) -> dict:
    """The tables of the bilingual summary: top 10 counties, each city's counties, the cities,
    tiers, and one unit's position (total and per aspect, with the change from last year)."""
    counties, cities = job.evaluations["counties"], job.evaluations["cities"]
    year = latest_year(counties)
    root = counties.framework.tree.id
    ranked = _ranked(counties, year)
    within = _ranked(counties, year, within_parent=True).set_index("unit")["rank"]
    ranked["rank_in_city"] = ranked["unit"].map(within)
    city_names = cities.panel.names
    tier_table = tiers(counties)
    tier_table = tier_table[tier_table["year"] == year]
    config = tier_config(counties.framework)
    by_tier = {f"{config.label(int(k), 'zh')} {config.label(int(k), 'en')}":
               list(grp.sort_values("rank")["unit"].map(counties.panel.names))
               for k, grp in tier_table.groupby("tier", sort=True)}
    focus = None
    if unit in set(counties.panel.units):
        nodes = [root] + [c.id for c in counties.framework.tree.children]
        ch = changes(counties, nodes=nodes)
        ch = ch[(ch["unit"] == unit) & (ch["year"] == year)].set_index("node")
        rows = []
        for node in nodes:
            n = counties.framework.nodes[node]
            rows.append({"node": node, "name_zh": n.label("zh"), "name_en": n.label("en"),
                         "score": ch.loc[node, "score"] if node in ch.index else None,
                         "rank": _int(ch, node, "rank"), "rank_change": _int(ch, node, "rank_change"),
                         "rank_in_parent": _int(ch, node, "rank_in_parent"),
                         "rank_in_parent_change": _int(ch, node, "rank_in_parent_change"),
                         "score_change": ch.loc[node, "score_change"] if node in ch.index else None})
        focus = {"unit": unit, "name": counties.panel.names.get(unit), "name_en": job.names_en.get(unit),
                 "parent": counties.panel.parents.get(unit),
                 "parent_name": city_names.get(counties.panel.parents.get(unit)),
                 "n_in_parent": int((ranked["parent"] == counties.panel.parents.get(unit)).sum()),
                 "n": len(ranked), "table": pd.DataFrame(rows)}
    return {"year": year, "top10": ranked.head(10), "counties": ranked,
            "cities": _ranked(cities, latest_year(cities)), "city_names": city_names,
            "tiers": by_tier, "focus": focus}


def _int(table, node, column):
    if node not in table.index or column not in table.columns or pd.isna(table.loc[node, column]):
        return None
    return int(table.loc[node, column])
