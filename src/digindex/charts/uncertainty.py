"""The charts of ``digindex uncertainty``: rank intervals and Sobol indices.

- rank intervals: each unit's 5th–95th percentile rank over the replications (a bar), its
  median (a dot) and its nominal rank (a cross), units ordered by nominal rank; names are
  shown up to ``NAMED`` units;
- sensitivity: first-order (S1) and total (ST) Sobol indices of each uncertain choice for the
  mean absolute rank shift, with their bootstrap intervals.
"""
from __future__ import annotations

import numpy as np

from .draw import BLUE, GREY, RED, both, named, plt, save

NAMED = 60


def uncertainty_charts(result, folder, names: dict | None = None, framework=None, synthetic: bool = False) -> list:
    """Draw the charts of an UncertaintyResult into ``folder`` (titled under ``framework``'s name
    when given, and marked when the data are synthetic); return the paths."""
    paths = _intervals(result, folder, names or {}, framework, synthetic)
    if result.sensitivity is not None and len(result.sensitivity):
        paths += _sobol(result, folder, framework, synthetic)
    return paths


def _intervals(result, folder, names: dict, framework, synthetic: bool) -> list:
    table = result.summary.sort_values(["nominal_rank", "unit"], kind="stable")
    n = len(table)
    x = np.arange(1, n + 1)
    pyplot = plt()
    each_named = n <= NAMED  # few units: each one named on the axis
    fig, ax = pyplot.subplots(figsize=(max(7, 0.22 * n + 2) if each_named else 10, 5))
    lo, hi = table["p05_rank"].to_numpy(float), table["p95_rank"].to_numpy(float)
    ax.vlines(x, lo, hi, color=BLUE, linewidth=4 if each_named else max(0.3, 300 / n), alpha=0.55,
              label=both("interval_5_95"))
    ax.scatter(x, table["median_rank"].to_numpy(float), s=12 if each_named else 2, color=BLUE, zorder=3,
               label=both("median_rank"))
    ax.scatter(x, table["nominal_rank"].to_numpy(float), s=18 if each_named else 2, marker="x", color=RED,
               zorder=4, label=both("nominal_rank"))
    ax.invert_yaxis()
    ax.set_ylabel(both("rank"))
    if each_named:
        ax.set_xticks(x, [str(names.get(u, u)) for u in table["unit"]], rotation=90)
        ax.set_xlim(0.3, n + 0.7)
    else:
        ax.set_xlabel(both("nominal_rank"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_title(named(framework, both("chart_rank_intervals", runs=f"{len(result.design):,}"), synthetic))
    return save(fig, folder, "rank_intervals")


def _sobol(result, folder, framework, synthetic: bool) -> list:
    table = result.sensitivity[result.sensitivity["output"] == "mean_abs_rank_shift"]
    if not len(table):
        return []
    pyplot = plt()
    choices = list(table["choice"])
    y = np.arange(len(choices))[::-1]
    fig, ax = pyplot.subplots(figsize=(9, 0.55 * len(choices) + 1.8))
    for offset, key, colour in ((0.17, "S1", BLUE), (-0.17, "ST", GREY)):
        value = table[key].to_numpy(float)
        err = np.vstack([value - table[f"{key}_low"].to_numpy(float), table[f"{key}_high"].to_numpy(float) - value])
        ax.barh(y + offset, value, height=0.32, color=colour, label=both(f"sobol_{key.lower()}"),
                xerr=np.clip(err, 0, None), error_kw={"elinewidth": 1, "capsize": 3, "ecolor": "black"})
    ax.set_yticks(y, choices)
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel(both("sobol_index"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_title(named(framework, both("chart_sobol"), synthetic))
    return save(fig, folder, "sensitivity")


__all__ = ["uncertainty_charts"]
