"""Charts of the profiles and bulletins, drawn with matplotlib (Agg) and embedded as PNG data URIs.

Every chart uses the CJK font registered by :func:`digindex.charts.fonts.cjk_font`, so
Chinese labels render in the PNG itself and the documents need no font at view time.
"""
from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..formatting import number  # noqa: E402
from ..charts.fonts import cjk_font  # noqa: E402

BLUE, GREY, GREEN, RED = "#2b6cb0", "#a0aec0", "#2f855a", "#c53030"
DPI = 100


def data_uri(fig, dpi: int = DPI, tight: bool = False) -> str:
    """The figure as a ``data:image/png;base64,...`` URI (the figure is closed); ``tight``
    crops the white margins (one more drawing pass)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None},
                **({"bbox_inches": "tight", "pad_inches": 0.05} if tight else {}))
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _aspect_axes(ax, labels, scores, medians, ranks, title, median_label, digits=1):
    y = np.arange(len(labels))[::-1]
    ax.barh(y, scores, color=BLUE, height=0.6)
    ax.scatter(medians, y, marker="|", s=250, color="black", zorder=3)
    lo_v = min(np.nanmin(scores), np.nanmin(medians))
    hi_v = max(np.nanmax(scores), np.nanmax(medians))
    span = max(hi_v - min(lo_v, 0.0 if lo_v >= 0 and hi_v <= 1 else lo_v), 1e-9)
    lo = max(0.0, lo_v - 0.25 * span) if lo_v >= 0 else lo_v - 0.1 * span
    ax.set_xlim(lo, hi_v + 0.35 * span)
    for yi, s, r in zip(y, scores, ranks):
        ax.text(s + 0.02 * span, yi, f"{number(s, digits)} #{r}", va="center", fontsize=7)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_title(f"{title}\n(| {median_label})", fontsize=9)


def _change_axes(ax, labels, changes, title, unit_label, digits=2):
    y = np.arange(len(labels))[::-1]
    ch = np.asarray(changes, dtype=float)
    ax.barh(y, np.nan_to_num(ch), color=[GREEN if c >= 0 else RED for c in np.nan_to_num(ch)], height=0.6)
    ax.axvline(0, color="black", lw=0.8)
    span = max(np.nanmax(np.abs(ch)) if np.isfinite(ch).any() else 0.0, 1e-9)
    for yi, c in zip(y, ch):
        if np.isfinite(c):
            ax.text(c + (0.06 if c >= 0 else -0.06) * span, yi, number(c, digits, signed=True), va="center",
                    ha="left" if c >= 0 else "right", fontsize=7)
    ax.set_xlim(-1.5 * span if np.nanmin(ch) < 0 else -0.1 * span, 1.5 * span)
    ax.set_yticks(y, [])  # same order as the aspect panel on its left
    ax.set_xlabel(unit_label, fontsize=7)
    ax.set_title(title, fontsize=9)


def _trend_axes(ax, years, scores, ranks, title, score_label, digits=1):
    ax.plot(years, scores, marker="o", color=BLUE)
    for x, s, r in zip(years, scores, ranks):
        ax.annotate(f"{number(s, digits)}\n#{r}", (x, s), textcoords="offset points", xytext=(0, 5), ha="center",
                    fontsize=7 if len(years) <= 6 else 6)
    ax.set_xticks(list(years), [str(y) for y in years])
    ax.tick_params(labelsize=7)
    ax.set_ylabel(score_label, fontsize=7)
    ax.set_title(title, fontsize=9)
    ax.margins(y=0.4)


def profile_panel(aspects: dict, trend: dict, change: dict | None) -> str:
    """One figure of a profile: aspect scores (bars, the province median as a tick, the rank),
    the contributions of the aspects to the score change (green up, red down) and the
    score over the years with the province rank at each point.

    ``aspects``: labels, scores, medians, ranks, title, median_label[, digits]; ``trend``: years,
    scores, ranks, title, score_label[, digits]; ``change``: labels, changes, title, unit_label[,
    digits] (or None). ``digits``: the decimals of the numbers written on the bars and points.
    """
    cjk_font()
    fig = plt.figure(figsize=(7.6, 5.4))
    # a fixed layout (no constrained/tight layout pass): room on the left of each bar panel for labels
    grid = fig.add_gridspec(2, 2 if change else 1, height_ratios=[1.25, 1], left=0.22, right=0.97, top=0.9,
                            bottom=0.07, wspace=0.12, hspace=0.45)
    _aspect_axes(fig.add_subplot(grid[0, 0]), **aspects)
    if change:
        _change_axes(fig.add_subplot(grid[0, 1]), **change)
    _trend_axes(fig.add_subplot(grid[1, :]), **trend)
    for ax in fig.axes:
        ax.spines[["top", "right"]].set_visible(False)
    return data_uri(fig)


__all__ = ["data_uri", "profile_panel"]
