"""The charts of ``digindex audit``: the correlation heatmap and the distributions with the
audit's outlier flags.

- correlations: each component against the aggregates of its parent's level, latest year
  (the audit's ``correlations_level`` table, Pearson), own parent framed — the JRC audits'
  heatmap; one panel per level;
- distributions: the raw values of every indicator in the latest year, a box each (points past
  1.5 × the interquartile range drawn as points), the indicators the audit flags for skewness
  and kurtosis (``descriptives``, stage raw) in red.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .draw import BLUE, RED, both, named, plt, save

MAX_BOXES = 60


def audit_charts(evaluation, audit, folder) -> list:
    """Draw the audit's charts into ``folder`` (a path or an AtomicBatch); return the paths."""
    paths = _correlations(evaluation, audit.tables.get("correlations_level"), folder)
    paths += _distributions(evaluation, audit.tables.get("descriptives"), folder)
    return paths


def _latest(table: pd.DataFrame) -> pd.DataFrame:
    years = [y for y in pd.unique(table["year"]) if y is not None and not pd.isna(y)]
    return table[table["year"] == max(years)] if years else table


def _correlations(evaluation, table: pd.DataFrame | None, folder) -> list:
    if table is None or not len(table):
        return []
    fw = evaluation.framework
    table = _latest(table[table["method"] == "pearson"])
    levels = sorted(table["level"].unique())
    pyplot = plt()
    panels = [table[table["level"] == lv] for lv in levels]
    heights = [max(1.5, 0.24 * part["node"].nunique()) for part in panels]
    widths = [part["other"].nunique() for part in panels]
    fig, axes = pyplot.subplots(len(panels), 1, squeeze=False, layout="constrained",
                                figsize=(max(7, 0.55 * max(widths) + 5), sum(heights) + 1.6 * len(panels)),
                                gridspec_kw={"height_ratios": heights})
    image = None
    for ax, part in zip(axes[:, 0], panels):
        rows = list(dict.fromkeys(part["node"]))
        cols = list(dict.fromkeys(part["other"]))
        grid = part.pivot(index="node", columns="other", values="r").reindex(index=rows, columns=cols)
        image = ax.imshow(grid.to_numpy(float), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
        ax.set_xticks(range(len(cols)), [fw.nodes[c].label("zh") if c in fw.nodes else c for c in cols],
                      rotation=45, ha="right")
        ax.set_yticks(range(len(rows)), [f"{r} {fw.nodes[r].label('zh')}"[:28] for r in rows])
        own = part[part["own_parent"].astype(bool)]
        for node, other in zip(own["node"], own["other"]):
            ax.add_patch(pyplot.Rectangle((cols.index(other) - 0.5, rows.index(node) - 0.5), 1, 1,
                                          fill=False, edgecolor="black", linewidth=1.2))
        if len(rows) * len(cols) <= 400:
            values = grid.to_numpy(float)
            for i in range(len(rows)):
                for j in range(len(cols)):
                    if np.isfinite(values[i, j]):
                        ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center", fontsize=6,
                                color="white" if abs(values[i, j]) > 0.6 else "black")
        ax.spines[:].set_visible(False)
    year = _latest(table)["year"].iloc[0] if len(table) else None
    fig.colorbar(image, ax=axes[:, 0].tolist(), shrink=min(0.5, 6 / sum(heights)), aspect=30,
                 label="Pearson r", location="right")
    fig.suptitle(named(evaluation.framework, both("chart_correlations", year=_year(year)),
                       evaluation.panel.synthetic), fontsize=11)
    return save(fig, folder, "correlations")


def _distributions(evaluation, stats: pd.DataFrame | None, folder) -> list:
    raw = evaluation.stage("raw")
    years = sorted({y for y in pd.unique(raw["year"]) if y is not None and not pd.isna(y)})
    rows = raw[raw["year"] == years[-1]] if years else raw
    indicators = list(evaluation.framework.indicator_ids)[:MAX_BOXES]
    flagged = set()
    if stats is not None and len(stats):
        latest = _latest(stats[stats["stage"] == "raw"])
        flagged = set(latest.loc[latest["flag_skew_kurt"].astype(bool), "indicator"])
    pyplot = plt()
    n = len(indicators)
    cols = min(5, n)
    grid = math.ceil(n / cols)
    fig, axes = pyplot.subplots(grid, cols, squeeze=False, figsize=(2.3 * cols, 1.35 * grid + 1.2))
    fw = evaluation.framework
    for k, ax in enumerate(axes.ravel()):
        if k >= n:
            ax.set_visible(False)
            continue
        ind = indicators[k]
        values = rows[ind].to_numpy(float)
        values = values[np.isfinite(values)]
        colour = RED if ind in flagged else BLUE
        if values.size:
            ax.boxplot(values, vert=False, widths=0.6, patch_artist=True,
                       boxprops={"facecolor": "white", "edgecolor": colour},
                       medianprops={"color": colour}, whiskerprops={"color": colour}, capprops={"color": colour},
                       flierprops={"marker": "o", "markersize": 2.5, "markerfacecolor": RED,
                                   "markeredgecolor": RED, "alpha": 0.6})
        ax.set_yticks([])
        ax.tick_params(axis="x", labelsize=6)
        title = f"{ind} {fw.nodes[ind].label('zh')}"[:22] + (" ※" if ind in flagged else "")
        ax.set_title(title, fontsize=7, color=colour)
    more = f" ({n}/{len(evaluation.framework.indicator_ids)})" if n < len(evaluation.framework.indicator_ids) else ""
    fig.suptitle(named(evaluation.framework, both("chart_distributions", year=_year(years[-1] if years else None))
                       + more, evaluation.panel.synthetic), fontsize=10)
    return save(fig, folder, "distributions")


def _year(year) -> str:
    return "" if year is None or pd.isna(year) else str(int(year))


__all__ = ["audit_charts"]
