"""The bilingual terminal summary of the main job (presentation only: no numbers computed here)."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table


def _table(title: str, columns: list[str]) -> Table:
    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c, justify="right" if c.split()[0] in ("排名", "得分", "市内") else "left")
    return t


def _signed(v) -> str:
    if v is None:
        return "–"
    return f"{v:+d}" if isinstance(v, int) else f"{v:+.2f}"


def print_summary(out: Console, job, s: dict) -> None:
    year = s["year"]
    names_en = job.names_en
    city_names = s["city_names"]
    out.rule(f"浙江省数字经济发展综合评价 {year} · Zhejiang digital-economy evaluation {year} "
             "· SYNTHETIC DATA 合成数据")

    top = _table(f"全省县（市、区）前十 Top 10 county-level units, {year}",
                 ["排名 rank", "单位 unit", "所属市 city", "得分 score"])
    for r in s["top10"].itertuples(index=False):
        top.add_row(str(r.rank), f"{r.name} {names_en.get(r.unit, '')}",
                    city_names.get(r.parent, r.parent), f"{r.zj_dei:.2f}")
    out.print(top)

    cities = _table(f"11个设区市 The 11 prefecture cities, {year}",
                    ["排名 rank", "城市 city", "得分 score"])
    for r in s["cities"].itertuples(index=False):
        cities.add_row(str(r.rank), f"{r.name} {names_en.get(r.unit, '')}", f"{r.zj_dei:.2f}")
    out.print(cities)

    out.print(f"[bold]各市县（市、区）排名 Each city's ranking of its counties, {year}[/]")
    counties = s["counties"]
    for city in s["cities"]["unit"]:
        rows = counties[counties["parent"] == city].sort_values("rank_in_city")
        listing = "  ".join(f"{int(r.rank_in_city)}.{r.name}({r.zj_dei:.1f})" for r in rows.itertuples())
        out.print(f"  {city_names.get(city, city)} {names_en.get(city, '')}: {listing}")

    out.print(f"[bold]梯队 Tiers, {year}[/]")
    for label, members in s["tiers"].items():
        out.print(f"  {label}（{len(members)}）: {'、'.join(members)}")

    f = s["focus"]
    if f:
        head = f["table"].iloc[0]
        out.print(f"[bold]{f['name']} {f['name_en']}[/]: 在{f['parent_name']}排第{head['rank_in_parent']}"
                  f"（共{f['n_in_parent']}个），全省第{head['rank']}（共{f['n']}个）；"
                  f"ranked {head['rank_in_parent']} of {f['n_in_parent']} in {names_en.get(f['parent'], '')} "
                  f"and {head['rank']} of {f['n']} in the province, {year}.")
        focus = _table(f"{f['name']} {f['name_en']}: 总指数与各一级指标 total and aspects, {year} vs {year - 1}",
                       ["指标 aspect", "得分 score", "变化 change", "全省排名 rank", "变化 move (+ up)",
                        "市内排名 in city", "变化 move (+ up) "])
        for r in f["table"].itertuples(index=False):
            focus.add_row(f"{r.name_zh} {r.name_en}", f"{r.score:.2f}", _signed(None if r.score_change is None
                                                                              else float(r.score_change)),
                          str(r.rank), _signed(r.rank_change), str(r.rank_in_parent), _signed(r.rank_in_parent_change))
        out.print(focus)
    out.print(f"results: {job.out_dir}/counties and {job.out_dir}/cities (CSV, Parquet, Excel); "
              f"runs {', '.join(job.run_ids.values())} recorded in {job.store}")
