"""Uncertainty and sensitivity analysis of an evaluation: sample, run, analyse, export."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..files import AtomicBatch, excel_safe
from ..framework import Framework
from ..version import __version__
from .batch import rank_rows, rank_rows_within
from .design import decode, read_design, saltelli, unit_points
from .model import BatchedModel
from .problem import UncertaintyProblem, problem_from_framework
from .sobol import analyze
from .summary import rank_counts, rank_frequency, rank_summary


@dataclass
class UncertaintyResult:
    problem: UncertaintyProblem
    design: pd.DataFrame
    scores: np.ndarray          # (R, n) root scores
    ranks: np.ndarray           # (R, n)
    ranks_in_parent: np.ndarray | None
    summary: pd.DataFrame
    frequency: pd.DataFrame
    sensitivity: pd.DataFrame | None
    convergence: float | None
    units: list
    record: dict = field(default_factory=dict)

    def replications(self) -> pd.DataFrame:
        R, n = self.scores.shape
        out = pd.DataFrame({
            "replication": np.repeat(np.arange(1, R + 1), n),
            "unit": np.tile(np.asarray(self.units, dtype=object), R),
            "score": self.scores.ravel(),
            "rank": self.ranks.ravel().astype(int),
        })
        if self.ranks_in_parent is not None:
            out["rank_in_parent"] = self.ranks_in_parent.ravel().astype(int)
        return out

    def write(self, out_dir: str | Path, replications: bool = True) -> None:
        with AtomicBatch(out_dir) as batch:
            self.summary.to_csv(batch.path("uncertainty_summary.csv"), index=False)
            self.frequency.to_csv(batch.path("rank_frequency.csv"), index=False)
            self.design.to_csv(batch.path("design.csv"), index=False)
            if self.sensitivity is not None:
                self.sensitivity.to_csv(batch.path("sensitivity.csv"), index=False)
            if replications:
                self.replications().to_csv(batch.path("replications.csv"), index=False)
            with pd.ExcelWriter(batch.path("uncertainty.xlsx"), engine="openpyxl") as xw:
                excel_safe(self.summary).to_excel(xw, sheet_name="summary", index=False)
                excel_safe(self.frequency).to_excel(xw, sheet_name="rank frequency", index=False)
                if self.sensitivity is not None:
                    excel_safe(self.sensitivity).to_excel(xw, sheet_name="sensitivity", index=False)
            batch.path("run.json").write_text(json.dumps(self.record, indent=2, ensure_ascii=False,
                                                         default=str), encoding="utf-8")


def check_choices_matter(model: BatchedModel, tol: float = 1e-12) -> None:
    """Fail loudly, naming every declared choice that does not change any score.

    Each choice is varied alone, the others held at their first alternative and
    weights unperturbed: a categorical choice over all its alternatives, a
    weights perturbation over a few random draws against no perturbation. All
    these replications are evaluated as one design.
    """
    problem = model.problem
    rng = np.random.default_rng(12345)
    blocks = []  # per choice: its design columns
    for c in problem.choices:
        rows = 5 if c.kind == "noise" else c.n_levels
        block = {k.id: np.ones(rows, dtype=int) for k in problem.choices if k.kind != "noise"}
        for k in problem.choices:
            if k.kind == "noise":
                for node, j in k.weight_targets:
                    block[k.column(node, j)] = np.ones(rows)
        if c.kind == "noise":
            for node, j in c.weight_targets:
                block[c.column(node, j)] = np.r_[1.0, c.multipliers(rng.random(rows - 1))]
        else:
            block[c.id] = np.arange(1, rows + 1)
        blocks.append(block)
    design = {name: np.concatenate([b[name] for b in blocks]) for name in blocks[0]}
    Y = model.scores(design)
    dead, start = [], 0
    for c, block in zip(problem.choices, blocks):
        part = Y[start:start + len(next(iter(block.values())))]
        start += len(part)
        if np.allclose(part, part[:1], atol=tol, rtol=0, equal_nan=True):
            dead.append(c.id)
    if dead:
        raise InputError([Problem(f"uncertain choice {cid!r} does not change any score: its alternatives "
                                  "all give the same result", file=model.fw.source,
                                  fix="remove it or give it alternatives that differ") for cid in dead])


def run_uncertainty(fw: Framework, panel, runs: int = 1000, seed: int = 0, design_file=None,
                    sensitivity: bool = True, method: str | None = None, n_boot: int = 300,
                    top_k: tuple[int, ...] = (1, 3, 10), problem: UncertaintyProblem | None = None,
                    check: bool = True, progress=None, year=None) -> UncertaintyResult:
    """Sample the declared choices, evaluate every replication and summarise ranks.

    With ``sensitivity`` the design is Saltelli's (N = ``runs`` base rows, N·(G + 2)
    evaluations for G choices) and Sobol indices are estimated; without it,
    ``runs`` quasi-random points are used. ``design_file`` replays a given design.
    Ranks are compared within one year of a panel: ``year``, by default the latest.
    """
    if runs < 4 and design_file is None:
        raise InputError(Problem(f"--runs must be at least 4, not {runs}"))
    problem = problem or problem_from_framework(fw)
    model = BatchedModel(fw, panel, problem)
    if check:
        check_choices_matter(model)
    nominal_scores = model.nominal_scores()
    units = list(model.units)
    panel = model.kept
    sobol_parts = None
    if design_file is not None:
        design = read_design(problem, design_file)
        sensitivity = False
    elif sensitivity:
        sd = saltelli(problem, runs, seed)
        design = decode(problem, sd.stacked())
        sobol_parts = runs
    else:
        design = decode(problem, unit_points(problem, runs, seed, method))
    Y = model.scores(design, progress=progress)
    # ranks compare units within one year: the latest, unless ``year`` is given
    years = np.asarray(panel.years, dtype=object)
    real = sorted({y for y in years if y is not None})
    if year is not None and year not in real:
        raise InputError(Problem(f"year {year} is not in the data (years: {', '.join(map(str, real))})",
                                 fix="choose one of the data's years with --year"))
    chosen = year if year is not None else (real[-1] if real else None)
    rows = np.flatnonzero(years == chosen) if chosen is not None else np.arange(len(units))
    Y, nominal_scores = Y[:, rows], nominal_scores[rows]
    units = [units[i] for i in rows]
    ranks, counts = rank_rows(Y, model.workers, counts=True)
    parents = np.array([panel.parents.get(u, "") for u in units], dtype=object) if panel.has_parents else None
    ranks_in = rank_rows_within(Y, parents, model.workers) if parents is not None else None

    nominal_rank = rank_rows(nominal_scores[None])[0]
    summary = rank_summary(ranks, nominal_rank, units, top_k=top_k, counts=counts)
    summary.insert(1, "nominal_score", nominal_scores)
    if ranks_in is not None:
        summary.insert(1, "parent", parents)
        nominal_in = rank_rows_within(nominal_scores[None], parents)[0]
        largest = max(np.unique(parents, return_counts=True)[1])
        summary = summary.merge(rank_summary(ranks_in, nominal_in, units, "parent_", top_k=(),
                                             counts=rank_counts(ranks_in, largest)), on="unit")
    frequency = rank_frequency(ranks, units, counts=counts)

    sens, conv = None, None
    if sobol_parts is not None:
        sens, conv = _sensitivity(problem, ranks, nominal_rank, sobol_parts, units, n_boot, seed)
    record = {
        "digindex_version": __version__, "framework": fw.id, "seed": seed, "runs": runs,
        "evaluations": int(len(design)), "year": chosen, "sampling": "replay" if design_file else (method or problem.sampling),
        "sensitivity": bool(sobol_parts), "choices": [c.id for c in problem.choices],
        "design_file": str(design_file) if design_file else None,
        "convergence_max_change": conv, "data": panel.files,
    }
    return UncertaintyResult(problem, design, Y, ranks, ranks_in, summary, frequency, sens, conv, units,
                             record)


def _undefined_reason(every_run: np.ndarray, fA: np.ndarray, fB: np.ndarray) -> str:
    """Why an output's indices are left empty ("" when they are defined)."""
    if np.nanmax(every_run) == np.nanmin(every_run):
        return "the rank is the same in every run: no choice moves it"
    if np.var(np.concatenate([fA, fB])) == 0:
        return ("the rank moves only in the mixed runs, never in the base samples: too few "
                "runs to estimate; increase --runs")
    return ""


def _sensitivity(problem, ranks, nominal_rank, N, units, n_boot, seed):
    G = len(problem.choices)
    shift = np.nanmean(np.abs(ranks - nominal_rank[None]), axis=1)
    outputs = np.column_stack([shift, ranks])  # column 0: mean |rank shift|; then each unit's rank
    fA, fB = outputs[:N], outputs[N:2 * N]
    fAB = np.stack([outputs[(2 + g) * N:(3 + g) * N] for g in range(G)])
    res = analyze(fA, fB, fAB, n_boot=n_boot, seed=seed)
    names = ["mean_abs_rank_shift"] + [str(u) for u in units]
    rows = []
    for g, c in enumerate(problem.choices):
        for o, name in enumerate(names):
            rows.append({"choice": c.id, "output": name, "S1": res.s1[g, o], "S1_low": res.s1_ci[0, g, o],
                         "S1_high": res.s1_ci[1, g, o], "ST": res.st[g, o], "ST_low": res.st_ci[0, g, o],
                         "ST_high": res.st_ci[1, g, o]})
    table = pd.DataFrame(rows)
    reasons = [_undefined_reason(outputs[:, o], fA[:, o], fB[:, o]) for o in range(len(names))]
    table["reason"] = reasons * G  # rows are choice-major, outputs within
    # plausible: each interval reaches into [0, 1] and S1 does not exceed ST
    table["consistent"] = ((table["S1_high"] >= 0) & (table["S1_low"] <= 1) & (table["ST_high"] >= 0)
                           & (table["ST_low"] <= 1) & (table["S1_low"] <= table["ST_high"]))
    conv = {"overall": float(res.convergence[0]),
            "units_median": float(np.nanmedian(res.convergence[1:])),
            "units_p95": float(np.nanpercentile(res.convergence[1:], 95))}
    return table, conv
