"""Dagum (1997) Gini coefficient and its decomposition by groups (Dagum基尼系数及其分解).

For ``n`` values ``y`` with mean ``μ`` in ``k`` groups (group ``j``: ``n_j`` values
``y_j1..y_jn_j``, mean ``μ_j``; groups ordered so that ``μ_1 ≤ … ≤ μ_k``), with
``p_j = n_j / n`` and ``s_j = n_j μ_j / (n μ)``:

- total ``G = Σ_j Σ_h Σ_i Σ_r |y_ji − y_hr| / (2 n² μ)`` (the usual Gini);
- within group ``j``: ``G_jj = Σ_i Σ_r |y_ji − y_jr| / (2 n_j² μ_j)``;
- between groups ``j, h``: ``G_jh = Σ_i Σ_r |y_ji − y_hr| / (n_j n_h (μ_j + μ_h))``;
- ``G_w = Σ_j G_jj p_j s_j`` (within-group contribution);
- ``G_nb = Σ_{j=2..k} Σ_{h<j} G_jh (p_j s_h + p_h s_j) D_jh`` (net between-group);
- ``G_t = Σ_{j=2..k} Σ_{h<j} G_jh (p_j s_h + p_h s_j) (1 − D_jh)`` (transvariation,
  the overlap of the groups);
- ``D_jh = (d_jh − p_jh) / (d_jh + p_jh)`` for ``μ_j ≥ μ_h``, with the gross economic
  affluence ``d_jh = Σ_i Σ_r max(y_ji − y_hr, 0) / (n_j n_h)`` and the first-order moment of
  transvariation ``p_jh = Σ_i Σ_r max(y_hr − y_ji, 0) / (n_j n_h)``.

Then ``G = G_w + G_nb + G_t`` exactly, and ``G_t = 0`` when no value of a poorer group exceeds
one of a richer group. Reference: C. Dagum, "A new approach to the decomposition of the Gini
income inequality ratio", Empirical Economics 22 (1997) 515–531, eqs. (2)–(13). Values must be
non-negative with a positive total (scores are); missing values are left out.
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from .inputs import ResearchData, groups_of
from .result import Analysis


def _pair_sums(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(Σ max(a_i − b_r, 0), Σ max(b_r − a_i, 0)) over all pairs."""
    diff = a[:, None] - b[None, :]
    return float(np.clip(diff, 0, None).sum()), float(np.clip(-diff, 0, None).sum())


def dagum_gini(values, groups) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """The decomposition of one cross-section (see the module doc).

    Returns ``({gini, within, between, transvariation}, within table [group, n, mean, gini],
    between table [group_a, group_b, gini, D])``; ``group_a`` is the richer group of a pair.
    """
    y = np.asarray(values, dtype=float)
    g = np.asarray(groups, dtype=object)
    keep = ~np.isnan(y)
    y, g = y[keep], g[keep]
    if y.size == 0 or (y < 0).any() or y.sum() <= 0:
        raise ValueError("the Dagum Gini needs non-negative values with a positive total")
    n, mu = y.size, y.mean()
    labels = sorted(pd.unique(g), key=lambda lab: (y[g == lab].mean(), str(lab)))
    parts = {lab: y[g == lab] for lab in labels}
    p = {lab: parts[lab].size / n for lab in labels}
    s = {lab: parts[lab].sum() / (n * mu) for lab in labels}
    total = np.abs(y[:, None] - y[None, :]).sum() / (2 * n * n * mu)
    within_rows, g_w = [], 0.0
    for lab in labels:
        yj = parts[lab]
        mj = yj.mean()
        gjj = np.abs(yj[:, None] - yj[None, :]).sum() / (2 * yj.size ** 2 * mj) if mj > 0 else 0.0
        g_w += gjj * p[lab] * s[lab]
        within_rows.append({"group": lab, "n": int(yj.size), "mean": float(mj), "gini": float(gjj)})
    between_rows, g_nb, g_t = [], 0.0, 0.0
    for h, j in itertools.combinations(labels, 2):  # μ_h ≤ μ_j: j is the richer group
        yj, yh = parts[j], parts[h]
        d_jh, p_jh = _pair_sums(yj, yh)
        denom = yj.size * yh.size * (yj.mean() + yh.mean())
        gjh = (d_jh + p_jh) / denom if denom > 0 else 0.0
        big_d = (d_jh - p_jh) / (d_jh + p_jh) if d_jh + p_jh > 0 else 0.0
        weight = p[j] * s[h] + p[h] * s[j]
        g_nb += gjh * weight * big_d
        g_t += gjh * weight * (1 - big_d)
        between_rows.append({"group_a": j, "group_b": h, "gini": float(gjh), "D": float(big_d)})
    parts_out = {"gini": float(total), "within": float(g_w), "between": float(g_nb), "transvariation": float(g_t)}
    return parts_out, pd.DataFrame(within_rows), pd.DataFrame(between_rows)


def dagum(data: ResearchData, groups: dict | None = None) -> Analysis:
    """Dagum's decomposition of ``data.value`` by ``groups`` ({unit: group}; default the
    run's parents), per year.

    Tables: ``dagum`` (year, gini, within, between, transvariation and their ``*_share`` of
    gini), ``dagum_within`` (year, group, gini), ``dagum_between`` (year, group_a, group_b,
    gini).
    """
    groups = groups if groups is not None else groups_of(data)
    values = data.column()
    values["group"] = values["unit"].map(lambda u: groups.get(str(u)))
    lacking = values.loc[values["group"].isna(), "unit"].unique().tolist()
    if lacking:
        raise InputError(Problem(f"units without a group: {', '.join(map(str, lacking[:10]))}",
                                 file=data.source, fix="give every unit of the data a group"))
    if values["group"].nunique() < 2:
        raise InputError(Problem("the Dagum decomposition needs at least two groups", file=data.source,
                                 fix="give units of at least two groups"))
    main, within, between = [], [], []
    for year, part in values.groupby("year", sort=True, dropna=False):
        year = None if pd.isna(year) else year
        if (part["value"] < 0).any() or part["value"].sum() <= 0:
            raise InputError(Problem(f"{data.value} has negative values or sums to 0"
                                     + (f" in {year}" if year is not None else ""), file=data.source,
                                     fix="the Gini needs non-negative values; analyse a score on a "
                                         "non-negative scale"))
        total, w_table, b_table = dagum_gini(part["value"].to_numpy(), part["group"].to_numpy())
        g = total["gini"]
        main.append({"year": year, **total,
                     **{f"{k}_share": (total[k] / g if g > 0 else np.nan)
                        for k in ("within", "between", "transvariation")}})
        within.append(w_table.assign(year=year))
        between.append(b_table.assign(year=year))
    within_t = pd.concat(within, ignore_index=True)
    between_t = pd.concat(between, ignore_index=True)
    return Analysis("dagum", {
        "dagum": pd.DataFrame(main)[["year", "gini", "within", "between", "transvariation",
                                     "within_share", "between_share", "transvariation_share"]],
        "dagum_within": within_t[["year", "group", "gini"]],
        "dagum_between": between_t[["year", "group_a", "group_b", "gini"]],
    }, meta={"value": data.value, "value_label": data.label(data.value)})


__all__ = ["dagum", "dagum_gini"]
