"""Kernel density of the scores across units, per year (核密度估计), with statsmodels.

For the ``n`` values ``x_i`` of a year, the density at ``x`` is
``f(x) = (1 / (n h)) Σ_i K((x − x_i) / h)`` with a Gaussian kernel ``K`` by default and
Silverman's rule-of-thumb bandwidth ``h = 0.9 · min(σ, IQR / 1.349) · n^(−1/5)``
(σ the sample standard deviation, ddof 1: B. W. Silverman, *Density Estimation for
Statistics and Data Analysis*, 1986, eq. 3.31), as statsmodels'
``KDEUnivariate.fit(kernel="gau", bw="silverman")`` computes it. Scott's rule
(``1.059 · min(σ, IQR/1.349) · n^(−1/5)``) or a fixed number may be given instead.

The density is evaluated exactly (no FFT binning) on one grid shared by all years, from the
lowest value less 3 h to the highest plus 3 h, so that years can be compared on one axis.
Peaks are the grid's local maxima; the main peak is the highest.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from .inputs import ResearchData
from .result import Analysis

KERNELS = ("gau", "epa", "uni", "tri", "biw", "triw", "cos")


def _bandwidth(x: np.ndarray, bw, kernel: str = "gau") -> float:
    """The bandwidth statsmodels chooses for ``x`` (or ``bw`` itself when it is a number)."""
    if isinstance(bw, (int, float)):
        return float(bw)
    return density(x, x[:1], bw, kernel)[1]


def density(x, grid, bandwidth="silverman", kernel: str = "gau") -> tuple[np.ndarray, float]:
    """(density of ``x`` on ``grid``, bandwidth) with statsmodels ``KDEUnivariate``."""
    from statsmodels.nonparametric.kde import KDEUnivariate

    x = np.asarray(x, dtype=float)
    kde = KDEUnivariate(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bw = bandwidth if isinstance(bandwidth, str) else float(bandwidth)
        kde.fit(kernel=kernel, bw=bw, fft=False)
        values = np.asarray(kde.evaluate(np.asarray(grid, dtype=float)), dtype=float)
    return np.nan_to_num(values), float(kde.bw)


def peaks(grid: np.ndarray, values: np.ndarray) -> list[tuple[float, float]]:
    """Local maxima (x, density) of a curve on a grid, plateaus counted once."""
    out = []
    i, m = 1, len(values)
    while i < m - 1:
        if values[i] > values[i - 1]:
            j = i
            while j < m - 1 and values[j + 1] == values[i]:
                j += 1
            if j < m - 1 and values[j + 1] < values[i]:
                mid = (i + j) // 2
                out.append((float(grid[mid]), float(values[mid])))
            i = j + 1
        else:
            i += 1
    return out


def kde(data: ResearchData, bandwidth="silverman", kernel: str = "gau", points: int = 200) -> Analysis:
    """Kernel density of ``data.value`` per year.

    Tables: ``kde`` (year, x, density) and ``kde_peaks`` (year, n, bandwidth, peaks, main_x,
    main_density: the number of peaks and the main peak's location and height).
    """
    if kernel not in KERNELS:
        raise InputError(Problem(f"unknown kernel {kernel!r}", fix=f"use one of {', '.join(KERNELS)}"))
    if isinstance(bandwidth, str) and bandwidth not in ("silverman", "scott", "normal_reference"):
        try:
            bandwidth = float(bandwidth)
        except ValueError:
            raise InputError(Problem(f"bandwidth {bandwidth!r} is not silverman, scott or a number",
                                     fix="use --bandwidth silverman, scott or a positive number")) from None
    if not isinstance(bandwidth, str) and not bandwidth > 0:
        raise InputError(Problem("the bandwidth must be positive", fix="use e.g. --bandwidth 0.05"))
    if points < 20:
        raise InputError(Problem("--points must be at least 20", fix="use the default 200"))
    values = data.column()
    by_year = [(None if pd.isna(y) else y, part["value"].to_numpy(float))
               for y, part in values.groupby("year", sort=True, dropna=False)]
    problems = [Problem(f"{len(x)} value(s)" + (f" in {y}" if y is not None else "")
                        + ": a density needs at least 3 distinct values", file=data.source,
                        fix="analyse years with more units") for y, x in by_year if len(np.unique(x)) < 3]
    if problems:
        raise InputError(problems)
    widths = {y: _bandwidth(x, bandwidth, kernel) for y, x in by_year}
    lo = min(x.min() - 3 * widths[y] for y, x in by_year)
    hi = max(x.max() + 3 * widths[y] for y, x in by_year)
    grid = np.linspace(lo, hi, points)
    curves, summary = [], []
    for y, x in by_year:
        dens, bw = density(x, grid, bandwidth, kernel)
        found = peaks(grid, dens)
        main = max(found, key=lambda p: p[1]) if found else (float("nan"), float("nan"))
        curves.append(pd.DataFrame({"year": y, "x": grid, "density": dens}))
        summary.append({"year": y, "n": len(x), "bandwidth": bw, "peaks": len(found),
                        "main_x": main[0], "main_density": main[1]})
    return Analysis("kde", {"kde": pd.concat(curves, ignore_index=True), "kde_peaks": pd.DataFrame(summary)},
                    meta={"value": data.value, "value_label": data.label(data.value), "kernel": kernel,
                          "bandwidth": bandwidth})


__all__ = ["kde", "density", "peaks"]
