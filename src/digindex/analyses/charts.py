"""The charts of ``digindex analyse``: one PNG figure per analysis, bilingual labels, CJK font.

Each ``draw_<kind>(analysis, lang)`` returns ``{file name: matplotlib figure}``; the tables of
the :class:`~digindex.analytics.research.result.Analysis` are all they read (nothing is
computed here). Labels come from the catalogue (:mod:`digindex.i18n`) in ``lang`` (``both``
gives "中文 English").
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..formatting import number, year as fmt_year  # noqa: E402
from ..analytics.research.coupling import grade_label  # noqa: E402
from ..i18n import text  # noqa: E402
from ..charts.draw import tight  # noqa: E402
from ..charts.fonts import cjk_font  # noqa: E402

BLUE, ORANGE, GREEN, RED, GREY = "#2b6cb0", "#dd6b20", "#2f855a", "#c53030", "#a0aec0"
DPI = 150


def _years(table: pd.DataFrame) -> list:
    return [fmt_year(y) if y is not None and not pd.isna(y) else "—" for y in table["year"]]


def unit_names(units) -> dict[str, str]:
    """{unit: short Chinese name} when every code among ``units`` is a GB/T 2260 code
    (:meth:`Registry.all_of`, the rule :meth:`digindex.data.Panel.regions` follows: 06, 11 and 12
    are US states); other units, and labels such as 全省, as written."""
    from ..regions import registry

    found = registry().all_of(dict.fromkeys(str(u) for u in units if str(u).isdigit()))
    return {u: found[str(u)].short_name if str(u) in found else str(u) for u in units}


def _title(fig, title: str, extra: str = "") -> None:
    fig.suptitle(title + (f" — {extra}" if extra else ""), fontsize=12)


def draw_dagum(a, lang):
    main, within, between = a["dagum"], a["dagum_within"], a["dagum_between"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    x = _years(main)
    ax = axes[0]
    for key, col, colour in (("an_gini", "gini", "black"), ("an_within", "within", BLUE),
                             ("an_between", "between", ORANGE), ("an_transvariation", "transvariation", GREEN)):
        ax.plot(x, main[col], marker="o", color=colour, label=text(key, lang))
    ax.set_title(text("an_dagum", lang), fontsize=10)
    ax.legend(fontsize=8)
    ax = axes[1]
    for group, part in within.groupby("group", sort=False):
        ax.plot(_years(part), part["gini"], marker="o", label=str(group))
    for (ga, gb), part in between.groupby(["group_a", "group_b"], sort=False):
        ax.plot(_years(part), part["gini"], linestyle="--", marker=".", label=f"{ga}–{gb}")
    ax.set_title(text("an_group_gini", lang) + " / " + text("an_pair_gini", lang), fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    ax = axes[2]
    bottom = np.zeros(len(main))
    for key, col, colour in (("an_within", "within_share", BLUE), ("an_between", "between_share", ORANGE),
                             ("an_transvariation", "transvariation_share", GREEN)):
        ax.bar(x, main[col], bottom=bottom, color=colour, label=text(key, lang))
        bottom += main[col].fillna(0).to_numpy()
    ax.set_ylim(0, 1)
    ax.set_title(text("an_dagum_shares", lang), fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3)
    for ax in axes:
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    _title(fig, text("an_dagum", lang), a.meta.get("value_label", ""))
    return {"dagum.png": fig}


def draw_kde(a, lang):
    curves, peaks = a["kde"], a["kde_peaks"]
    years = list(dict.fromkeys(curves["year"]))
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.55 * len(years)))
    top = float(curves["density"].max()) or 1.0
    cmap = plt.get_cmap("viridis")
    for i, y in enumerate(years):
        part = curves[curves["year"].astype(object) == y] if y is not None else curves
        offset = i * 0.6 * top
        colour = cmap(i / max(1, len(years) - 1))
        ax.fill_between(part["x"], offset, offset + part["density"], color=colour, alpha=0.55, zorder=len(years) - i)
        ax.plot(part["x"], offset + part["density"], color="black", linewidth=0.6, zorder=len(years) - i)
        ax.text(part["x"].iloc[0], offset + 0.05 * top, fmt_year(y) if y is not None else "", fontsize=8)
    ax.set_yticks([])
    ax.set_xlabel(a.meta.get("value_label", ""))
    ax.set_ylabel(text("an_density", lang))
    last = peaks.iloc[-1]
    _title(fig, text("an_kde", lang), text("an_peaks", lang, n=int(last["peaks"]), x=number(last["main_x"], 3),
                                     year=fmt_year(last["year"]) if last["year"] is not None else ""))
    return {"kde.png": fig}


def _heatmap(ax, probs: pd.DataFrame, title: str, lang: str) -> None:
    k = int(probs["from"].max())
    m = np.zeros((k, k))
    m[probs["from"].to_numpy(int) - 1, probs["to"].to_numpy(int) - 1] = probs["probability"].to_numpy(float)
    ax.imshow(m, cmap="Blues", vmin=0, vmax=1)
    for i in range(k):
        for j in range(k):
            ax.text(j, i, number(m[i, j], 2), ha="center", va="center", fontsize=8,
                    color="white" if m[i, j] > 0.6 else "black")
    ax.set_xticks(range(k), [str(c) for c in range(1, k + 1)])
    ax.set_yticks(range(k), [str(c) for c in range(1, k + 1)])
    ax.set_xlabel(text("an_to_class", lang), fontsize=8)
    ax.set_ylabel(text("an_from_class", lang), fontsize=8)
    ax.set_title(title, fontsize=9)


def draw_markov(a, lang):
    fig, ax = plt.subplots(figsize=(5.5, 5))
    _heatmap(ax, a["markov_transitions"], a.meta.get("value_label", ""), lang)
    _title(fig, text("an_markov", lang))
    return {"markov.png": fig}


def draw_spatial_markov(a, lang):
    table = a["spatial_markov_transitions"]
    lags = sorted(table["lag_class"].unique())
    fig, axes = plt.subplots(1, len(lags), figsize=(4.2 * len(lags), 4.4))
    for ax, c in zip(np.atleast_1d(axes), lags):
        _heatmap(ax, table[table["lag_class"] == c], text("an_lag_class", lang, k=int(c)), lang)
    tests = a["spatial_markov_tests"].iloc[0]
    _title(fig, text("an_spatial_markov", lang), f"Q = {number(tests['Q'], 2)} (p = {number(tests['Q_p'], 3)}), "
                                           f"LR = {number(tests['LR'], 2)} (p = {number(tests['LR_p'], 3)})")
    return {"spatial_markov.png": fig}


def draw_convergence(a, lang):
    sigma = a["sigma"]
    fig, ax = plt.subplots(figsize=(7, 4))
    x = _years(sigma)
    ax.plot(x, sigma["sd"], marker="o", color=BLUE, label=text("an_sd", lang))
    ax.set_ylabel(text("an_sd", lang), color=BLUE)
    ax2 = ax.twinx()
    ax2.plot(x, sigma["cv"], marker="s", color=ORANGE, label=text("an_cv", lang))
    ax2.set_ylabel(text("an_cv", lang), color=ORANGE)
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    beta = a["beta"]
    caption = "; ".join(f"{r.model}: β = {number(r.beta, 4)} (p = {number(r.p, 3)})" for r in beta.itertuples())
    ax.set_title(caption, fontsize=8)
    _title(fig, text("an_sigma", lang), a.meta.get("value_label", ""))
    return {"convergence.png": fig}


def draw_coupling(a, lang):
    table = a["coupling"].assign(grade_number=a.meta["grade_number"])
    by_year = table.groupby("year", sort=True, dropna=False)
    means = by_year[["C", "T", "D"]].mean()
    x = [fmt_year(y) if y is not None and not pd.isna(y) else "—" for y in means.index]
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    for col, colour in (("C", BLUE), ("T", GREEN), ("D", ORANGE)):
        axes[0].plot(x, means[col], marker="o", color=colour, label=col)
    axes[0].set_ylim(0, 1.02)
    axes[0].legend(fontsize=8)
    axes[0].set_title(text("an_coupling", lang), fontsize=10)
    counts = table.pivot_table(index="year", columns="grade_number", values="unit", aggfunc="count",
                               dropna=False).fillna(0) if table["year"].notna().any() else \
        table.groupby("grade_number")["unit"].count().to_frame().T
    bottom = np.zeros(len(counts))
    cmap = plt.get_cmap("RdYlGn")
    for g in sorted(counts.columns):
        axes[1].bar(x[:len(counts)], counts[g], bottom=bottom, color=cmap((g - 1) / 9),
                    label=grade_label(int(g), lang))
        bottom += counts[g].to_numpy()
    axes[1].set_ylabel(text("an_units", lang))
    axes[1].set_title(text("an_coupling_grades", lang), fontsize=10)
    axes[1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    for ax in axes:
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    _title(fig, text("an_coupling", lang))
    return {"coupling.png": fig}


def draw_obstacle(a, lang):
    table = a.tables.get("obstacle_aspects", a["obstacle"])
    labels = a.meta.get("labels", {})
    latest = table["year"].dropna().max() if table["year"].notna().any() else None
    part = table[table["year"] == latest] if latest is not None else table
    means = part.groupby("node", sort=False)["obstacle"].mean().sort_values()
    fig, ax = plt.subplots(figsize=(8, 1.5 + 0.35 * len(means)))
    ax.barh([labels.get(n, n) for n in means.index], means.to_numpy(), color=RED)
    for i, v in enumerate(means.to_numpy()):
        ax.text(v, i, " " + number(v * 100, 1) + "%", va="center", fontsize=8)
    ax.set_xlabel(text("an_obstacle_mean", lang))
    _title(fig, text("an_obstacle", lang), fmt_year(latest) if latest is not None else "")
    return {"obstacle.png": fig}


def draw_grey(a, lang):
    table = a["grey"]
    latest = table["year"].dropna().max() if table["year"].notna().any() else None
    part = (table[table["year"] == latest] if latest is not None else table).sort_values("grade")
    names = unit_names(part["unit"])
    fig, ax = plt.subplots(figsize=(8, 1.5 + 0.28 * len(part)))
    ax.barh([names[u] for u in part["unit"]], part["grade"], color=BLUE)
    ax.set_xlim(0, 1)
    ax.set_xlabel(text("an_grey", lang))
    _title(fig, text("an_grey", lang), fmt_year(latest) if latest is not None else "")
    return {"grey.png": fig}


def draw_ellipse(a, lang):
    from matplotlib.patches import Ellipse

    main, points = a["ellipse"], a["ellipse_points"]
    fig, ax = plt.subplots(figsize=(8, 7))
    ax.scatter(points["x"], points["y"], s=12, color=GREY, zorder=1)
    names = unit_names(points["unit"])
    for r in points.itertuples(index=False):
        ax.annotate(names[r.unit], (r.x, r.y), fontsize=6, color="#4a5568")
    cmap = plt.get_cmap("viridis")
    n = len(main)
    for i, r in enumerate(main.itertuples(index=False)):
        colour = cmap(i / max(1, n - 1))
        # matplotlib's angle is counter-clockwise from the x axis; rotation is clockwise from north
        ax.add_patch(Ellipse((r.x, r.y), 2 * r.sx, 2 * r.sy, angle=90 - r.rotation, fill=False,
                             edgecolor=colour, linewidth=1.2,
                             label=fmt_year(r.year) if r.year is not None and not pd.isna(r.year) else None))
    ax.plot(main["x"], main["y"], color="black", marker=".", linewidth=0.8, zorder=3)
    ax.set_xlabel(text("an_longitude", lang))
    ax.set_ylabel(text("an_latitude", lang))
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(fontsize=7, ncol=2)
    _title(fig, text("an_ellipse", lang), a.meta.get("value_label", ""))
    return {"ellipse.png": fig}


def draw_moran(a, lang):
    main, scatter = a["moran"], a["moran_scatter"]
    fig, axes = plt.subplots(1, 2, figsize=(13, 5))
    x = _years(main)
    colours = [RED if p < 0.05 else GREY for p in main["p"]]
    axes[0].plot(x, main["I"], color=BLUE)
    axes[0].scatter(x, main["I"], color=colours, zorder=3)
    axes[0].axhline(float(main["expected"].iloc[0]), color=GREY, linestyle="--", linewidth=0.8)
    axes[0].set_title(text("an_moran", lang) + " (p < 0.05: ●)", fontsize=10)
    axes[0].tick_params(axis="x", labelrotation=45, labelsize=8)
    latest = main["year"].iloc[-1]
    part = scatter[scatter["year"] == latest] if latest is not None and not pd.isna(latest) else scatter
    ax = axes[1]
    ax.scatter(part["z"], part["lag"], s=16, color=BLUE)
    names = unit_names(part["unit"])
    for r in part.itertuples(index=False):
        ax.annotate(names[r.unit], (r.z, r.lag), fontsize=6, color="#4a5568")
    if len(part) > 1 and part["z"].std() > 0:
        slope = float(np.polyfit(part["z"], part["lag"], 1)[0])
        xs = np.linspace(part["z"].min(), part["z"].max(), 10)
        ax.plot(xs, slope * xs, color=RED, linewidth=1)
    ax.axhline(0, color=GREY, linewidth=0.8)
    ax.axvline(0, color=GREY, linewidth=0.8)
    ax.set_xlabel(text("an_deviation", lang))
    ax.set_ylabel(text("an_lag", lang))
    ax.set_title(text("an_moran_scatter", lang) + (f" {fmt_year(latest)}" if latest is not None
                                                    and not pd.isna(latest) else ""), fontsize=10)
    _title(fig, text("an_moran", lang), a.meta.get("value_label", ""))
    return {"moran.png": fig}


DRAW = {"dagum": draw_dagum, "kde": draw_kde, "markov": draw_markov, "spatial-markov": draw_spatial_markov,
        "convergence": draw_convergence, "coupling": draw_coupling, "obstacle": draw_obstacle,
        "grey": draw_grey, "ellipse": draw_ellipse, "moran": draw_moran}


def charts(analysis, lang: str = "both") -> dict:
    """{file name: figure} of ``analysis``, drawn with the CJK font."""
    cjk_font()
    with plt.rc_context({"axes.spines.top": False, "axes.spines.right": False}):
        figures = DRAW[analysis.kind](analysis, lang)
    for fig in figures.values():
        tight(fig)
    return figures


__all__ = ["charts", "DRAW", "unit_names", "DPI"]
