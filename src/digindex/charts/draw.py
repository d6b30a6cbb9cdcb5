"""What every chart shares: matplotlib without a display, the CJK font, colours, bilingual
labels and saving as PNG and SVG."""
from __future__ import annotations

from pathlib import Path

from ..i18n import text

BLUE, GREY, LIGHT, RED, GREEN = "#2b6cb0", "#718096", "#cbd5e0", "#c53030", "#2f855a"
PALETTE = ["#2b6cb0", "#dd6b20", "#2f855a", "#c53030", "#6b46c1", "#b7791f", "#319795", "#d53f8c",
           "#4a5568", "#975a16"]
DPI = 100  # PNG for screens (1,000 px or so); the SVG is the one to print


def plt():
    """pyplot on the Agg backend with the CJK font registered (imported on first use)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    from .fonts import cjk_font

    cjk_font()
    matplotlib.rcParams.update({"svg.fonttype": "path", "axes.spines.top": False,
                                "axes.spines.right": False, "axes.titlesize": 11, "axes.labelsize": 9,
                                "xtick.labelsize": 8, "ytick.labelsize": 8, "legend.fontsize": 8})
    return pyplot


def both(key: str, **fields) -> str:
    """A label in Chinese and English ("排名 Ranking"); a long one on two lines."""
    zh, en = text(key, "zh", **fields), text(key, "en", **fields)
    return f"{zh}\n{en}" if 2 * len(zh) + len(en) > 80 else f"{zh} {en}"


def named(framework, title: str, synthetic: bool = False) -> str:
    """``title`` under the framework's name (Chinese and English: on two lines when long), which
    says what is charted, and under 合成数据 SYNTHETIC DATA when the data are marked synthetic
    (:attr:`Panel.synthetic`)."""
    mark = both("synthetic") + "\n" if synthetic else ""
    if framework is None:
        return mark + title
    zh, en = framework.label("zh"), framework.label("en")
    name = en if zh == en else f"{zh}\n{en}" if len(zh) * 2 + len(en) > 70 else f"{zh} {en}"
    return f"{mark}{name}\n{title}"


def tight(fig) -> None:
    """tight_layout's margins, applied once: ``Figure.tight_layout`` leaves a layout engine on
    the figure, and each ``savefig`` then lays the figure out again before drawing it."""
    from matplotlib.layout_engine import TightLayoutEngine

    TightLayoutEngine().execute(fig)


def save(fig, folder, stem: str) -> list[Path]:
    """``stem``.png and ``stem``.svg into ``folder`` (a path, or an AtomicBatch); the figure is closed.
    Returns the final paths."""
    pyplot = plt()
    out = []
    try:
        if fig.get_layout_engine() is None:
            tight(fig)
        for ext in ("png", "svg"):
            name = f"{stem}.{ext}"
            if hasattr(folder, "path"):  # an AtomicBatch: written under a temporary name
                target = folder.path(name)
                final = folder.folder / name
            else:
                Path(folder).mkdir(parents=True, exist_ok=True)
                target = final = Path(folder) / name
            fig.savefig(target, format=ext, dpi=DPI, metadata={"Software": None} if ext == "png" else
                        {"Creator": None, "Date": None})
            out.append(final)
    finally:
        pyplot.close(fig)
    return out


def unit_label(panel, unit) -> str:
    """A unit as the charts name it: its label (:meth:`Panel.labels`: its name, with its
    parent's where two units share it) when the data give names, else its code."""
    return str(panel.labels().get(unit, unit))


__all__ = ["plt", "both", "named", "save", "tight", "unit_label", "PALETTE", "BLUE", "GREY", "LIGHT", "RED", "GREEN"]
