"""Variance-based sensitivity indices of each uncertain choice, with bootstrap intervals.

For a model output Y and the Saltelli design (A, B, AB_g), with f_A = Y(A) etc.
and V the variance of Y over A and B together:

- first order (Saltelli et al. 2010, Table 2 (b)):  S_g  = mean(f_B·(f_ABg − f_A)) / V
- total order (Jansen 1999):                         ST_g = mean((f_A − f_ABg)²) / (2V)

Each choice is one group of columns (a weights perturbation is one input).
Confidence intervals are percentile bootstrap intervals over the N base rows.
The estimators are vectorised over outputs, so every unit's own rank is analysed
at once ("which assumption moves this unit").

A convergence check recomputes the indices on the first N/2 rows and reports,
per output, the largest change of any index. Where V = 0 (an output that no run of the base
samples moves) the indices are undefined (0/0) and are returned as NaN, never as a number.

References: Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. &
Tarantola, S. (2010) Variance based sensitivity analysis of model output,
Comput. Phys. Commun. 181, 259–270; Jansen, M.J.W. (1999) Comput. Phys.
Commun. 117, 35–43.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np


def indices(fA: np.ndarray, fB: np.ndarray, fAB: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """S1 and ST, shape (G, outputs), from fA, fB (N, outputs) and fAB (G, N, outputs)."""
    V = np.var(np.concatenate([fA, fB]), axis=0)
    safe = np.where(V > 0, V, 1.0)
    s1 = np.mean(fB[None] * (fAB - fA[None]), axis=1) / safe
    st = 0.5 * np.mean((fA[None] - fAB) ** 2, axis=1) / safe
    zero = V <= 0
    s1[:, zero] = np.nan
    st[:, zero] = np.nan
    return s1, st


@dataclass
class SobolResult:
    s1: np.ndarray      # (G, outputs)
    st: np.ndarray
    s1_ci: np.ndarray   # (2, G, outputs): lower, upper
    st_ci: np.ndarray
    convergence: np.ndarray  # per output: largest |change| of its indices between N/2 and N rows


def analyze(fA, fB, fAB, n_boot: int = 500, seed: int = 0, level: float = 0.95,
            chunk_outputs: int = 64) -> SobolResult:
    """Indices, bootstrap intervals and a convergence figure for every output column."""
    fA, fB, fAB = np.atleast_2d(fA.T).T, np.atleast_2d(fB.T).T, np.asarray(fAB)
    if fAB.ndim == 2:
        fAB = fAB[..., None]
    N = fA.shape[0]
    s1, st = indices(fA, fB, fAB)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, N, size=(n_boot, N))
    G, out = fAB.shape[0], fA.shape[1]
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    s1_ci = np.empty((2, G, out))
    st_ci = np.empty((2, G, out))
    for start in range(0, out, chunk_outputs):
        cols = slice(start, min(out, start + chunk_outputs))
        b1 = np.empty((n_boot, G, cols.stop - cols.start))
        bt = np.empty_like(b1)
        for b in range(n_boot):
            i = idx[b]
            b1[b], bt[b] = indices(fA[i, cols], fB[i, cols], fAB[:, i, cols])
        with warnings.catch_warnings():  # a resample in which the output never moves is NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            s1_ci[:, :, cols] = np.nanquantile(b1, [lo_q, hi_q], axis=0)
            st_ci[:, :, cols] = np.nanquantile(bt, [lo_q, hi_q], axis=0)
    half = max(N // 2, 2)
    h1, ht = indices(fA[:half], fB[:half], fAB[:, :half])
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        conv = (np.maximum(np.nanmax(np.abs(h1 - s1), axis=0), np.nanmax(np.abs(ht - st), axis=0))
                if N >= 4 else np.full(out, np.nan))
    return SobolResult(s1, st, s1_ci, st_ci, conv)
