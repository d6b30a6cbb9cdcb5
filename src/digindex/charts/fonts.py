"""The CJK font used by the charts, maps and PDF documents (Noto Sans CJK, Debian fonts-noto-cjk).

:func:`cjk_font` finds the font file through :mod:`matplotlib.font_manager` (the system
font directories), registers it explicitly with matplotlib and returns its path and family
name. Without the font the reports cannot show Chinese text, so this fails with a clear
message naming the package to install rather than drawing empty boxes.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FAMILY = "Noto Sans CJK SC"
FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansCJK-Regular.otf",
         "NotoSansSC-Regular.otf", "NotoSansSC-Regular.ttf")
BOLD_FILES = ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf", "NotoSansSC-Bold.otf")


class FontMissing(RuntimeError):
    """No CJK font is installed."""


def _find(names) -> Path | None:
    from matplotlib import font_manager

    found = {Path(p).name: Path(p) for p in font_manager.findSystemFonts()}
    for name in names:
        if name in found:
            return found[name]
    return None


@lru_cache(maxsize=1)
def cjk_font() -> tuple[Path, str]:
    """(font file, family name) of the CJK font, registered with matplotlib; FontMissing if absent."""
    import matplotlib
    from matplotlib import font_manager

    path = _find(FILES)
    if path is None:
        raise FontMissing("no CJK font found: the reports need Noto Sans CJK to show Chinese text. "
                          "Install it with 'apt-get install fonts-noto-cjk' (Debian/Ubuntu) and run again.")
    font_manager.fontManager.addfont(str(path))
    bold = _find(BOLD_FILES)
    if bold is not None:
        font_manager.fontManager.addfont(str(bold))
    names = {f.name for f in font_manager.fontManager.ttflist if Path(f.fname) == path}
    family = FAMILY if FAMILY in names else sorted(names)[0]
    matplotlib.rcParams["font.family"] = [family]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return path, family


__all__ = ["cjk_font", "FontMissing", "FAMILY"]
