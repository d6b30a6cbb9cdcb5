"""The bulletin's chapter on regional disparity and dynamics, for a population with peer groups:
Dagum's Gini decomposition by group, the kernel density of the index over the years and the
Markov transition matrix of its quantile classes.

Every number is :mod:`digindex.analytics.research`'s (the analyses ``digindex analyse dagum``,
``kde`` and ``markov`` compute, on the published scores up to the bulletin's year); the density
plot is :mod:`digindex.analyses.charts`'. A part that cannot be computed (negative scores for the
Gini, one year for the chain) is replaced by a sentence saying why.
"""
from __future__ import annotations

from dataclasses import replace

from ..analyses.charts import charts
from ..analytics.research import dagum, kde, markov
from ..analytics.research.inputs import from_evaluation
from ..errors import InputError
from ..i18n import text
from .charts import data_uri
from .document import Image, Section, Table
from .population import Population, heading, peers_of, said

MATRIX_GROUPS = 12   # up to this many groups: the matrix of within (diagonal) and between Ginis
KDE_YEARS = 6        # the density plot shows at most this many years, evenly spaced
PRINT_GROUPS = 40    # more groups: the first this many in HTML/PDF (Excel has all)
CLASSES = 4          # Markov classes: quartiles of each year


def _data(ev, year):
    """The evaluation's scores up to the bulletin's ``year``."""
    data = from_evaluation(ev)
    if year is None:
        return data
    keep = [y is None or y <= year for y in data.table["year"]]
    return replace(data, table=data.table[keep].reset_index(drop=True))


def _why(error: InputError) -> str:
    return "; ".join(p.message for p in error.problems)


def _dagum_tables(data, pop: Population, lang) -> list[Table]:
    a = dagum(data)  # by the run's parents: the peer groups
    main = a["dagum"]
    headers = [text("year", lang), "G", "G_w", "G_nb", "G_t", "G_w/G", "G_nb/G", "G_t/G"]
    body = [[r["year"], r["gini"], r["within"], r["between"], r["transvariation"],
             r["within_share"], r["between_share"], r["transvariation_share"]] for _, r in main.iterrows()]
    groups = pop.peer_noun()
    tables = [Table(heading(pop.title(), "dagum_heading", lang), headers, body, ["year"] + ["p"] * 7,
                    sheet=f"dagum_{pop.level or 'units'}", note=text("dagum_note", lang, groups=groups))]
    last = main["year"].iloc[-1]
    within = a["dagum_within"][a["dagum_within"]["year"].astype(object) == last]
    between = a["dagum_between"][a["dagum_between"]["year"].astype(object) == last]
    order = list(within["group"])  # poorest group first (dagum_gini's order)
    names = [said(pop.peer_name(g), lang) for g in order]
    suffix = f"{int(last)}" if last is not None else ""
    if len(order) <= MATRIX_GROUPS:
        gini = dict(zip(within["group"], within["gini"]))
        pair = {frozenset((a_, b_)): g for a_, b_, g in zip(between["group_a"], between["group_b"], between["gini"])}
        body = [[names[i]] + [gini[g] if g == h else pair[frozenset((g, h))] for h in order]
                for i, g in enumerate(order)]
        tables.append(Table(heading(pop.title(), "dagum_matrix", lang, suffix), [""] + names, body,
                            ["text"] + ["p"] * len(order), sheet=f"dagum_groups_{pop.level or 'units'}",
                            note=text("dagum_matrix_note", lang)))
    else:
        body = [[n, g] for n, g in zip(names, within["gini"])]
        tables.append(Table(heading(pop.title(), "dagum_within_heading", lang, suffix), ["", "Gini"], body, ["text", "p"],
                            sheet=f"dagum_groups_{pop.level or 'units'}", print_rows=PRINT_GROUPS,
                            note=text("dagum_pairs_note", lang, n=len(order))))
    return tables


def _markov_table(data, pop: Population, lang) -> Table:
    a = markov(data, classes=min(CLASSES, max(2, len(data.units) // 2)))
    k = a.meta["classes"]
    t = a["markov_transitions"]
    counts = t.groupby("from")["count"].sum()
    body = []
    for c in range(1, k + 1):
        row = t[t["from"] == c].sort_values("to")
        body.append([str(c), int(counts.get(c, 0))] + list(row["probability"]))
    steady = a["markov_steady_state"].sort_values("class")["probability"]
    body.append([text("steady_state", lang), None] + list(steady))
    years = a.meta["years"]
    note = text("markov_note", lang, k=k, n=a.meta["units"], first=int(years[0]), last=int(years[-1]))
    left = len({str(u) for u in data.units}) - a.meta["units"]
    note += (" " if lang == "en" else "") + text("markov_left_out", lang, n=left) if left else ""
    return Table(heading(pop.title(), "markov_heading", lang), [f"{text('an_from_class', lang)} \\ t+1", "n"]
                 + [str(c) for c in range(1, k + 1)], body, ["text", "int"] + ["p"] * k,
                 sheet=f"markov_{pop.level or 'units'}", note=note)


def _density(data, lang) -> Image:
    years = [y for y in data.years if y is not None]
    if len(years) > KDE_YEARS:  # evenly spaced years from the first to the last, as papers show them
        years = [years[round(i * (len(years) - 1) / (KDE_YEARS - 1))] for i in range(KDE_YEARS)]
    if years:
        data = replace(data, table=data.table[data.table["year"].isin(years)].reset_index(drop=True))
    figures = charts(kde(data), lang)
    return Image(data_uri(next(iter(figures.values())), tight=True), text("an_kde", lang), gid="kde")


def dynamics_section(ev, pop: Population, year, lang: str) -> Section | None:
    """The chapter for one population, or None when it has no peer groups."""
    if not peers_of(ev):
        return None
    groups = pop.peer_noun()
    paragraphs, tables, images = [text("dynamics_intro", lang, groups=groups)], [], []
    data = _data(ev, year)
    try:
        if (data.column()["value"] < 0).any():
            paragraphs.append(text("dagum_negative", lang))
        else:
            tables += _dagum_tables(data, pop, lang)
    except InputError as e:
        paragraphs.append(f"{text('an_dagum', lang)}: {_why(e)}")
    try:
        images.append(_density(data, lang))
    except InputError as e:
        paragraphs.append(f"{text('an_kde', lang)}: {_why(e)}")
    if len(data.years) < 2:  # one year, or one period without years
        paragraphs.append(text("markov_one_year", lang))
    else:
        try:
            tables.append(_markov_table(data, pop, lang))
        except InputError as e:
            paragraphs.append(f"{text('an_markov', lang)}: {_why(e)}")
    return Section(heading(pop.title(), "dynamics", lang), paragraphs=paragraphs, images=images, tables=tables,
                   css_class="small", page_break=True)


__all__ = ["dynamics_section"]
