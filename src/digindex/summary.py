"""The bilingual terminal summary of the main job (presentation only: no numbers computed here)."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .formatting import integer, number, rank
from .i18n import text

BOTH = "both"


def _table(title: str, columns: list[tuple[str, str]]) -> Table:
    """A table of ``(header, justify)`` columns."""
    t = Table(title=title, title_justify="left")
    for header, justify in columns:
        t.add_column(header, justify=justify)
    return t


def _signed(v, whole: bool = False) -> str:
    return integer(v, signed=True) if whole else number(v, 2, signed=True)


def print_summary(out: Console, job, s: dict) -> None:
    year = s["year"]
    names_en = job.names_en
    city_names = s["city_names"]
    out.rule(f"{text('main_job_title', 'zh', year=year)} · {text('main_job_title', 'en', year=year)} "
             f"· {text('synthetic', 'en')} {text('synthetic', 'zh')}")

    top = _table(text("top_counties", BOTH, n=len(s["top10"]), year=year),
                 [(text("rank", BOTH), "right"), (text("name", BOTH), "left"), (text("in_city", BOTH), "left"),
                  (text("score", BOTH), "right")])
    for r in s["top10"].itertuples(index=False):
        top.add_row(rank(r.rank), f"{r.name} {names_en.get(r.unit, '')}",
                    city_names.get(r.parent, r.parent), number(r.zj_dei, 2))
    out.print(top)

    cities = _table(text("all_cities_n", BOTH, n=len(s["cities"]), year=year),
                    [(text("rank", BOTH), "right"), (text("name", BOTH), "left"), (text("score", BOTH), "right")])
    for r in s["cities"].itertuples(index=False):
        cities.add_row(rank(r.rank), f"{r.name} {names_en.get(r.unit, '')}", number(r.zj_dei, 2))
    out.print(cities)

    out.print(f"[bold]{text('counties_by_city', BOTH, year=year)}[/]")
    counties = s["counties"]
    for city in s["cities"]["unit"]:
        rows = counties[counties["parent"] == city].sort_values("rank_in_city")
        listing = "  ".join(f"{rank(r.rank_in_city)}.{r.name}({number(r.zj_dei, 1)})" for r in rows.itertuples())
        out.print(f"  {city_names.get(city, city)} {names_en.get(city, '')}: {listing}")

    out.print(f"[bold]{text('tiers_in_year', BOTH, year=year)}[/]")
    for label, members in s["tiers"].items():
        out.print(f"  {label}（{len(members)}）: {'、'.join(members)}")

    f = s["focus"]
    if f:
        head = f["table"].iloc[0]
        parent = {"zh": f["parent_name"], "en": names_en.get(f["parent"], "")}
        out.print(f"[bold]{f['name']} {f['name_en']}[/]: " +
                  text("focus_sentence", BOTH, year=year, parent=parent, rank_in_city=rank(head["rank_in_parent"]),
                       n_in_city=f["n_in_parent"], rank=rank(head["rank"]), n=f["n"]))
        focus = _table(f"{f['name']} {f['name_en']}: " + text("total_and_aspects", BOTH, year=year, prev=year - 1),
                       [(text("indicator", BOTH), "left"), (text("score", BOTH), "right"),
                        (text("change", BOTH), "right"), (text("rank_province", BOTH), "right"),
                        (text("rank_move", BOTH), "right"), (text("rank_in_city", BOTH), "right"),
                        (text("rank_move", BOTH), "right")])
        for r in f["table"].itertuples(index=False):
            focus.add_row(f"{r.name_zh} {r.name_en}", number(r.score, 2), _signed(r.score_change),
                          rank(r.rank), _signed(r.rank_change, whole=True), rank(r.rank_in_parent),
                          _signed(r.rank_in_parent_change, whole=True))
        out.print(focus)
    out.print(f"results: {job.out_dir}/counties and {job.out_dir}/cities (CSV, Parquet, Excel); "
              f"runs {', '.join(job.run_ids.values())} recorded in {job.store}")
