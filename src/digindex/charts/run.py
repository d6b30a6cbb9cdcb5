"""The charts of ``digindex run``: the ranking of the latest year, the trends of the best units
and of the groups, the aspect profile of the best units, and the tiers.

Every number drawn comes from the run's own tables (``Evaluation.results()`` and the regional
analytics); the charts only choose what to show: the best ``TOP`` units of the latest year,
the groups (parent regions) with the highest mean score.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..formatting import number
from .draw import BLUE, GREY, PALETTE, both, named, plt, save, unit_label

TOP = 30            # bars of the ranking (all units up to ALL)
ALL = 40
TIER_COLOURS = ["#1a365d", "#2b6cb0", "#63b3ed", "#a0aec0", "#e2e8f0", "#718096"]
LINES = 10          # units and groups in the trend charts
PROFILE = 12        # units in the aspect profile


def run_charts(evaluation, results: pd.DataFrame, regional, folder) -> list:
    """Draw every chart that applies into ``folder`` (a path or an AtomicBatch); return the paths.

    ``regional``: the regional tables, or a function that returns them: the charts of the
    results alone are drawn before it is called (the chart process draws them while the
    regional tables are being built)."""
    fw = evaluation.framework
    root = fw.tree.id
    index = results[results["node"] == root]
    years = sorted({y for y in pd.unique(index["year"]) if y is not None and not pd.isna(y)})
    latest = years[-1] if years else None
    this = index[index["year"] == latest] if latest is not None else index[index["year"].isna()]
    best = this.dropna(subset=["score"]).sort_values(["rank", "unit"], kind="stable")
    trends = _trends(evaluation, index, best, years, folder) if len(years) >= 2 else []
    aspects = _aspects(evaluation, results, best, latest, folder) if len(fw.tree.children) > 1 else []
    regional = regional() if callable(regional) else regional
    tiers = regional.get("tiers")
    paths = _ranking(evaluation, best, latest, tiers, folder)
    if len(years) >= 2:
        paths += trends
        paths += _groups(evaluation, regional, years, folder)
    paths += aspects
    if "tiers" in regional and len(regional["tiers"]):
        paths += _tiers(evaluation, regional["tiers"], folder)
    return paths


def _title(evaluation, key: str, **fields) -> str:
    """The chart's own title under the framework's name."""
    return named(evaluation.framework, both(key, **fields), evaluation.panel.synthetic)


def _ranking(evaluation, best: pd.DataFrame, year, tiers, folder) -> list:
    """The best units of the latest year (every unit up to ALL), coloured by tier when the
    framework has tiers, each bar with its score."""
    pyplot = plt()
    shown = best if len(best) <= ALL else best.head(TOP)
    n = len(shown)
    fig, ax = pyplot.subplots(figsize=(8, max(2.5, 0.26 * n + 1.4)))
    y = np.arange(n)[::-1]
    colours, legend = [BLUE] * n, {}
    if tiers is not None and len(tiers):
        now = tiers[tiers["year"] == year] if year is not None else tiers
        tier_of = dict(zip(now["unit"], now["tier"]))
        label_of = dict(zip(now["tier"], now["tier_label"]))
        colours = [TIER_COLOURS[(int(tier_of[u]) - 1) % len(TIER_COLOURS)] if u in tier_of else GREY
                   for u in shown["unit"]]
        legend = {int(t): label_of[t] for t in sorted({tier_of[u] for u in shown["unit"] if u in tier_of})}
    scores = shown["score"].to_numpy(float)
    ax.barh(y, scores, color=colours, height=0.7)
    digits = _digits(evaluation)
    for yi, value in zip(y, scores):
        ax.text(value, yi, " " + number(value, digits), va="center", fontsize=6.5, color=GREY)
    labels = [f"{int(r)}. {unit_label(evaluation.panel, u)}" for r, u in zip(shown["rank"], shown["unit"])]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, (np.nanmax(scores) if n else 1) * 1.12)
    ax.set_xlabel(both("score"))
    if legend:
        handles = [pyplot.Rectangle((0, 0), 1, 1, color=TIER_COLOURS[(t - 1) % len(TIER_COLOURS)])
                   for t in legend]
        ax.legend(handles, list(legend.values()), loc="lower right", frameon=False)
    title = _title(evaluation, "chart_ranking", year=_year(year))
    if len(best) > n:
        title += "  " + both("chart_top_of", n=n, total=f"{len(best):,}")
    ax.set_title(title)
    return save(fig, folder, "ranking")


def _trends(evaluation, index: pd.DataFrame, best: pd.DataFrame, years, folder) -> list:
    pyplot = plt()
    units = list(best["unit"].head(LINES))
    fig, ax = pyplot.subplots(figsize=(8, 4.8))
    wide = index[index["unit"].isin(units)].pivot(index="year", columns="unit", values="score")
    for k, unit in enumerate(units):
        ax.plot(wide.index.astype(int), wide[unit].to_numpy(float), marker="o", markersize=3,
                color=PALETTE[k % len(PALETTE)], label=unit_label(evaluation.panel, unit))
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylabel(both("score"))
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    ax.set_title(_title(evaluation, "chart_trends_top", n=len(units)))
    return save(fig, folder, "trends_top")


def _groups(evaluation, regional: dict, years, folder) -> list:
    """Mean score of the groups (parent regions) over the years, and of all units."""
    groups, overall = regional.get("disparity_groups"), regional.get("disparity")
    root = evaluation.framework.tree.id
    if groups is None or not len(groups):
        return []
    groups = groups[groups["node"] == root]
    if groups["parent"].nunique() < 2:  # one group (a province's cities): its mean is all units' mean
        return []
    pyplot = plt()
    wide = groups.pivot(index="year", columns="parent", values="mean")
    last = wide.iloc[-1].dropna().sort_values(ascending=False)
    shown = list(last.index[:LINES])
    fig, ax = pyplot.subplots(figsize=(8, 4.8))
    for k, parent in enumerate(shown):
        ax.plot(wide.index.astype(int), wide[parent].to_numpy(float), marker="o", markersize=3,
                color=PALETTE[k % len(PALETTE)], label=str(evaluation.panel.name(parent)))
    if overall is not None and len(overall):
        mean = overall[overall["node"] == root].set_index("year")["mean"]
        ax.plot(mean.index.astype(int), mean.to_numpy(float), color=GREY, linestyle="--", linewidth=2,
                label=both("all_units"))
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylabel(both("mean_score"))
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    ax.set_title(_title(evaluation, "chart_trends_groups", n=len(shown), total=len(last)))
    return save(fig, folder, "trends_groups")


def _aspects(evaluation, results: pd.DataFrame, best: pd.DataFrame, year, folder) -> list:
    """The aspect scores of the best units of the latest year, as a table of colours."""
    fw = evaluation.framework
    aspects = [c.id for c in fw.tree.children]
    units = list(best["unit"].head(PROFILE))
    rows = results[results["node"].isin(aspects) & results["unit"].isin(units)
                   & (results["year"] == year if year is not None else results["year"].isna())]
    table = rows.pivot(index="unit", columns="node", values="score").reindex(index=units, columns=aspects)
    ranks = rows.pivot(index="unit", columns="node", values="rank").reindex(index=units, columns=aspects)
    pyplot = plt()
    fig, ax = pyplot.subplots(figsize=(max(6, 1.3 * len(aspects) + 3), 0.34 * len(units) + 2))
    image = ax.imshow(table.to_numpy(float), aspect="auto", cmap="Blues")
    ax.set_xticks(range(len(aspects)), [_two_lines(fw.nodes[a]) for a in aspects])
    ax.set_yticks(range(len(units)), [unit_label(evaluation.panel, u) for u in units])
    values, positions = table.to_numpy(float), ranks.to_numpy(float)
    top = np.nanmax(values) if np.isfinite(values).any() else 1.0
    for i in range(len(units)):
        for j in range(len(aspects)):
            if np.isfinite(values[i, j]):  # the score in colour, its rank in words
                colour = "white" if values[i, j] > 0.6 * top else "black"
                shown = f"#{int(positions[i, j])}" if np.isfinite(positions[i, j]) else ""
                ax.text(j, i, shown, ha="center", va="center", fontsize=7, color=colour)
    fig.colorbar(image, ax=ax, shrink=0.6, label=both("score"))
    ax.spines[:].set_visible(False)
    ax.set_title(_title(evaluation, "chart_aspects", year=_year(year), n=len(units)))
    return save(fig, folder, "aspects")


def _tiers(evaluation, tiers: pd.DataFrame, folder) -> list:
    """The scores each tier spans, year by year (with its number of units), and how the units
    moved between tiers from the first year to the latest."""
    pyplot = plt()
    labels = tiers.drop_duplicates("tier").set_index("tier")["tier_label"].sort_index()
    spans = tiers.groupby(["year", "tier"])["score"].agg(["min", "max", "size"]).reset_index()
    years = sorted(spans["year"].unique())
    fig, (left, right) = pyplot.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [3, 2]})
    k = len(labels)
    width = 0.8 / max(k, 1)
    for j, tier in enumerate(labels.index):
        part = spans[spans["tier"] == tier].set_index("year").reindex(years)
        x = np.arange(len(years)) - 0.4 + width * (j + 0.5)
        left.bar(x, (part["max"] - part["min"]).to_numpy(float), bottom=part["min"].to_numpy(float), width=width,
                 color=TIER_COLOURS[j % len(TIER_COLOURS)], label=str(labels[tier]))
    low, high = float(spans["min"].min()), float(spans["max"].max())
    left.set_ylim(low - 0.05 * (high - low), high + 0.05 * (high - low))
    left.set_xticks(np.arange(len(years)), [str(int(y)) for y in years])
    left.set_ylabel(both("score"))
    # below the axis: above it the legend would cover the first year's bars
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=min(k, 6), frameon=False)
    left.set_title(both("chart_tier_spans"))
    first, last = years[0], years[-1]
    a = tiers[tiers["year"] == first].set_index("unit")["tier"]
    b = tiers[tiers["year"] == last].set_index("unit")["tier"]
    both_years = a.index.intersection(b.index)
    moves = pd.crosstab(a[both_years], b[both_years]).reindex(index=labels.index, columns=labels.index,
                                                              fill_value=0)
    right.imshow(moves.to_numpy(float), cmap="Blues")
    names = [str(labels[t]) for t in labels.index]
    right.set_xticks(range(k), names, rotation=30, ha="right")
    right.set_yticks(range(k), names)
    right.set_xlabel(f"{int(last)}")
    right.set_ylabel(f"{int(first)}")
    top = moves.to_numpy().max() if moves.size else 0
    for i in range(k):
        for j in range(k):
            count = int(moves.iat[i, j])
            right.text(j, i, f"{count:,}", ha="center", va="center", fontsize=8,
                       color="white" if count > 0.6 * top else "black")
    right.spines[:].set_visible(False)
    right.set_title(both("chart_tier_moves", first=int(first), last=int(last)))
    fig.suptitle(_title(evaluation, "chart_tiers"), fontsize=11)
    return save(fig, folder, "tiers")


def _digits(evaluation) -> int | None:
    """The published decimals, when the framework sets them (else by magnitude)."""
    publish = evaluation.framework.settings.get("publish")
    return None if publish is None else publish.decimals


def _two_lines(node) -> str:
    zh, en = node.label("zh"), node.label("en")
    return f"{zh}\n{en}" if zh != en else en


def _year(year) -> str:
    return "" if year is None else str(int(year))


__all__ = ["run_charts"]
