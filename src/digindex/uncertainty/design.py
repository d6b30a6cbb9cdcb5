"""Sampling designs: quasi-random points mapped onto the declared choices.

``sample`` draws N points of the problem's dimension from a scrambled Sobol
sequence or a Latin hypercube (scipy.stats.qmc). A categorical choice with k
alternatives maps u ∈ [0, 1) to alternative ⌊k·u⌋: the inverse CDF of a discrete
uniform, so every alternative has probability 1/k (no rounding of a continuous
number, which would halve the chance of the end points). A noise choice maps
each of its dimensions to a weight multiplier 1 + noise·(2u − 1).

``saltelli`` builds the matrices A, B and AB_i (Saltelli et al. 2010) for
first-order and total Sobol indices of each choice as one group of columns.

References: Sobol' (1967); Owen (1998) scrambling; McKay et al. (1979) LHS;
Saltelli, Annoni, Azzini, Campolongo, Ratto & Tarantola (2010) Comput. Phys.
Commun. 181, 259–270.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import qmc

from ..errors import InputError, Problem
from .problem import UncertaintyProblem


def unit_points(problem: UncertaintyProblem, n: int, seed: int, method: str | None = None,
                dims: int | None = None) -> np.ndarray:
    method = method or problem.sampling
    d = dims or problem.dims
    if method == "sobol":
        sampler = qmc.Sobol(d=d, scramble=True, seed=np.random.default_rng(seed))
        m = int(np.ceil(np.log2(max(n, 2))))
        return sampler.random_base2(m)[:n]
    sampler = qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed))
    return sampler.random(n)


@dataclass
class SaltelliDesign:
    A: np.ndarray
    B: np.ndarray
    AB: list[np.ndarray]  # one per choice

    def stacked(self) -> np.ndarray:
        """A, B, AB_1, ..., AB_G stacked: N·(G + 2) points."""
        return np.vstack([self.A, self.B, *self.AB])


def saltelli(problem: UncertaintyProblem, n: int, seed: int) -> SaltelliDesign:
    """A and B from one 2D-dimensional sequence; AB_g takes choice g's columns from B."""
    d = problem.dims
    base = unit_points(problem, n, seed, dims=2 * d)
    A, B = base[:, :d], base[:, d:]
    AB = []
    for sl in problem.slices().values():
        M = A.copy()
        M[:, sl] = B[:, sl]
        AB.append(M)
    return SaltelliDesign(A, B, AB)


def decode(problem: UncertaintyProblem, U: np.ndarray) -> pd.DataFrame:
    """The design as a table: one row per replication, one column per choice.

    Categorical choices give the 1-based position of the alternative; noise
    choices give one column per perturbed weight, named ``<id>:<node>/<child>``.
    """
    cols = {}
    for c, sl in zip(problem.choices, problem.slices().values()):
        block = U[:, sl]
        if c.kind == "noise":
            for (node, j), col in zip(c.weight_targets, block.T):
                cols[c.column(node, j)] = c.multipliers(col)
        else:
            cols[c.id] = c.level_of(block[:, 0]) + 1
    return pd.DataFrame(cols)


def read_design(problem: UncertaintyProblem, path: str | Path) -> pd.DataFrame:
    """Read a design CSV for replay: one row per replication, a column per choice.

    A categorical value is the alternative's label or its 1-based position; a
    weight-sets value is the row number (1-based); a noise choice gives its
    multipliers in columns ``<id>:<node>/<child>`` (all default to 1).
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001
        raise InputError(Problem(f"cannot read the design ({exc})", file=str(path))) from None
    problems, out = [], {}
    known = set()
    for c in problem.choices:
        if c.kind == "noise":
            for node, j in c.weight_targets:
                name = c.column(node, j)
                known.add(name)
                out[name] = pd.to_numeric(raw[name], errors="coerce") if name in raw else np.ones(len(raw))
            continue
        known.add(c.id)
        if c.id not in raw:
            problems.append(Problem(f"the design has no column for choice {c.id!r}", file=str(path),
                                    fix=f"add a column {c.id!r} with a label or position per row"))
            continue
        values = []
        for i, cell in enumerate(raw[c.id]):
            pos = _position(c, cell)
            if pos is None:
                problems.append(Problem(f"{cell!r} is not an alternative of {c.id!r} "
                                        f"(labels: {', '.join(c.labels)}; or 1..{c.n_levels})",
                                        file=str(path), row=i + 2, column=c.id))
            values.append(pos or 1)
        out[c.id] = np.array(values)
    for col in raw.columns:
        if col not in known:
            problems.append(Problem(f"unknown design column {col!r}", file=str(path), column=col,
                                    fix="columns are the choice ids of the framework's uncertainty section"))
    if problems:
        raise InputError(problems)
    return pd.DataFrame(out)


def _position(choice, cell: str) -> int | None:
    cell = cell.strip()
    if cell in choice.labels:
        return choice.labels.index(cell) + 1
    try:
        pos = int(cell)
    except ValueError:
        return None
    return pos if 1 <= pos <= choice.n_levels else None
