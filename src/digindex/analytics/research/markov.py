"""Classic and spatial Markov chains of classes of the scores (马尔可夫链), with giddy.

Each unit's value is put in one of ``K`` classes, 1 the lowest and ``K`` the highest: by
default the quantiles of each year (``mapclassify.Quantiles``, a value on a boundary goes to the
lower class); with ``pooled`` the quantiles of all years together, so that a unit that grows
with everyone else moves up. Transitions are counted between consecutive years of the data
(``n_ij``, from class ``i`` to ``j``) and ``p_ij = n_ij / Σ_j n_ij`` is the maximum-likelihood
transition probability (Anderson & Goodman 1957). From ``P`` come the steady state ``π = πP``
and the mean first-passage times (Kemeny & Snell 1976), as ``giddy.markov.Markov`` gives them.

The spatial chain (Rey 2001, ``giddy.markov.Spatial_Markov``) counts the same transitions
separately by the class of the unit's spatial lag ``Σ_j w_ij y_j`` in the starting year, with
row-standardised weights ``w`` and ``M`` lag classes (default ``K``), classified like the
values. Bickenbach & Bode's (2003) ``Q`` (Pearson) and ``LR`` (likelihood-ratio) statistics
test whether the transition probabilities are the same in every lag class (χ², degrees of
freedom corrected for empty cells). ``relative`` first divides each value by its year's mean
(relative development levels, as in Rey 2001).

Units missing a year are left out (a chain needs every year), and said so in the notes.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from .inputs import ResearchData, balanced
from .result import Analysis


def _classify(y: np.ndarray, k: int, pooled: bool) -> np.ndarray:
    """0-based class ids (n, t) of ``y`` by quantiles per column, or over all of ``y``."""
    import mapclassify as mc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if pooled:
            return np.asarray(mc.Quantiles(y.flatten(), k=k).yb).reshape(y.shape)
        return np.column_stack([mc.Quantiles(y[:, t], k=k).yb for t in range(y.shape[1])])


def _panel(data: ResearchData, relative: bool) -> tuple[pd.DataFrame, list[str]]:
    if data.single_period:
        raise InputError(Problem("a Markov chain needs at least two years", file=data.source,
                                 fix="analyse a panel (a 'year' column with two or more years)"))
    wide, dropped = balanced(data)
    notes = [f"{len(dropped)} unit(s) missing a year were left out: {', '.join(dropped[:10])}"] if dropped else []
    if len(wide) < 2:
        raise InputError(Problem("fewer than two units have a value in every year", file=data.source,
                                 fix="fill the gaps or analyse fewer years"))
    if relative:
        means = wide.mean(axis=0)
        if (means <= 0).any():
            raise InputError(Problem("--relative divides by each year's mean, which is not positive",
                                     file=data.source, fix="analyse positive values, or drop --relative"))
        wide = wide / means
    return wide, notes


def _check_k(k: int, n: int, option: str = "--classes") -> None:
    if not 2 <= k <= max(2, n):
        raise InputError(Problem(f"{option} must be between 2 and the number of units ({n}), not {k}",
                                 fix=f"use e.g. {option} 4"))


def _transitions(counts: np.ndarray, probs: np.ndarray, **keys) -> pd.DataFrame:
    k = counts.shape[0]
    rows = [{**keys, "from": i + 1, "to": j + 1, "count": int(counts[i, j]), "probability": float(probs[i, j])}
            for i in range(k) for j in range(k)]
    return pd.DataFrame(rows)


def _steady(p: np.ndarray) -> tuple[np.ndarray, str | None]:
    from giddy.ergodic import steady_state

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = np.asarray(steady_state(p, fill_empty_classes=True), dtype=float)
    if s.ndim == 2:
        return np.full(p.shape[0], np.nan), (f"the chain has {s.shape[0]} closed classes, so no unique "
                                             "steady state")
    return s, None


def markov(data: ResearchData, classes: int = 4, pooled: bool = False) -> Analysis:
    """The classic Markov chain of ``data.value`` in ``classes`` quantile classes.

    Tables: ``markov_transitions`` (from, to, count, probability), ``markov_steady_state``
    (class, probability), ``markov_first_passage`` (from, to, years) and ``markov_classes``
    (unit, year, value, class).
    """
    from giddy.ergodic import mfpt
    from giddy.markov import Markov

    wide, notes = _panel(data, relative=False)
    _check_k(classes, len(wide))
    ids = _classify(wide.to_numpy(float), classes, pooled)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chain = Markov(ids, classes=np.arange(classes), summary=False)
        first = np.asarray(mfpt(chain.p, fill_empty_classes=True), dtype=float)
    steady, note = _steady(chain.p)
    notes += [note] if note else []
    k = classes
    return Analysis("markov", {
        "markov_transitions": _transitions(chain.transitions, chain.p),
        "markov_steady_state": pd.DataFrame({"class": np.arange(1, k + 1), "probability": steady}),
        "markov_first_passage": pd.DataFrame([{"from": i + 1, "to": j + 1, "years": float(first[i, j])}
                                              for i in range(k) for j in range(k)]),
        "markov_classes": _classes_table(wide, ids),
    }, notes=notes, meta={"value": data.value, "value_label": data.label(data.value), "classes": k,
                          "pooled": pooled, "units": len(wide), "years": list(wide.columns)})


def _classes_table(wide: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
    years = list(wide.columns)
    return pd.DataFrame([{"unit": u, "year": y, "value": float(wide.iat[i, t]), "class": int(ids[i, t]) + 1}
                         for i, u in enumerate(wide.index) for t, y in enumerate(years)])


def spatial_markov(data: ResearchData, neighbours, classes: int = 4, lag_classes: int | None = None,
                   pooled: bool = False, relative: bool = False) -> Analysis:
    """The spatial Markov chain of ``data.value`` conditioned on the class of its spatial lag.

    ``neighbours`` is a :class:`~digindex.analytics.research.spatial.Neighbours`. Tables:
    ``spatial_markov_transitions`` (lag_class, from, to, count, probability) and
    ``spatial_markov_tests`` (Q, Q_p, LR, LR_p).
    """
    from giddy.markov import Spatial_Markov

    wide, notes = _panel(data, relative)
    m = lag_classes or classes
    _check_k(classes, len(wide))
    _check_k(m, len(wide), "--lag-classes")
    units = [str(u) for u in wide.index]
    w = neighbours.to_w(units)
    notes += neighbours.notes
    islands = neighbours.subset(units).islands
    if islands:
        notes.append(f"units without neighbours (their spatial lag is 0): {', '.join(islands[:10])}")
    y = wide.to_numpy(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = Spatial_Markov(y, w, k=classes, m=m, fixed=pooled)
        tests = {"Q": float(sm.Q), "Q_p": float(sm.Q_p_value), "LR": float(sm.LR), "LR_p": float(sm.LR_p_value)}
        dof = int(sm.dof_hom)
    counts, probs = np.asarray(sm.T), np.asarray(sm.P)
    table = pd.concat([_transitions(counts[c], probs[c], lag_class=c + 1) for c in range(counts.shape[0])],
                      ignore_index=True)
    notes.append(f"homogeneity tests: {dof} degrees of freedom; weights: {neighbours.source}")
    return Analysis("spatial-markov", {
        "spatial_markov_transitions": table,
        "spatial_markov_tests": pd.DataFrame([tests]),
    }, notes=notes, meta={"value": data.value, "value_label": data.label(data.value), "classes": sm.k,
                          "lag_classes": counts.shape[0], "pooled": pooled, "relative": relative, "dof": dof,
                          "units": len(wide)})


__all__ = ["markov", "spatial_markov"]
