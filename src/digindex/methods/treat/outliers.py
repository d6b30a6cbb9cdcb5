"""Outlier treatment: COINr's default rule (winsorise, else log) and its building blocks.

Every method treats each indicator separately and, on panels, each year separately. Skewness
and kurtosis are COINr's ``skew()``/``kurt()``: the bias-corrected sample estimators of
e1071 ``type = 2`` (Excel's SKEW and KURT; scipy ``skew(bias=False)`` and
``kurtosis(fisher=True, bias=False)``), over the non-missing values:

    G1 = √(n(n−1))/(n−2) · m3/m2^{3/2}
    G2 = (n−1)/((n−2)(n−3)) · ((n+1)·(m4/m2² − 3) + 6)

An indicator *fails* when |G1| ≥ skew_threshold **and** G2 ≥ kurtosis_threshold (COINr's
``check_SkewKurt`` passes when |G1| < 2 or G2 < 3.5).

Every treated indicator-year gets a summary LogEntry (stage "treat", node = indicator, year,
detail: skew, kurtosis, action, points) and every changed point one more (unit, old, new,
reason). Indicator-years that need no treatment are logged too ("passes").

Reference: COINr 1.1 ``Treat()``, ``winsorise()``, ``log_CT()``, ``log_CT_plus()``,
``boxcox()``, ``check_SkewKurt()`` (Becker W., bluefoxr/COINr, R/treat.R; vignette "treat");
OECD/JRC (2008) Handbook on Constructing Composite Indicators, §1.5.
"""
from __future__ import annotations

import hashlib

from typing import Literal

from pydantic import Field

from ...lazy import lazy_module
from ..impute.common import log_entry, year_slices
from ..registry import Capabilities, Params, register
from .columns import WinsoriseTrace, passes_columns, skew_kurt_columns

np = lazy_module("numpy", globals())


def skew(v: np.ndarray) -> float:
    """COINr ``skew()``: bias-corrected sample skewness G1 of the non-missing values (n ≥ 3)."""
    return float(skew_kurt_columns(np.asarray(v, float)[:, None])[0][0])


def kurt(v: np.ndarray) -> float:
    """COINr ``kurt()``: bias-corrected sample excess kurtosis G2 of the non-missing values (n ≥ 4)."""
    return float(skew_kurt_columns(np.asarray(v, float)[:, None])[1][0])


def passes(v: np.ndarray, skew_threshold: float, kurtosis_threshold: float) -> bool | None:
    """COINr ``check_SkewKurt``: True when |skew| < threshold or kurtosis < threshold; None if undefined."""
    s, k = skew(v), kurt(v)
    if np.isnan(s) or np.isnan(k):
        return None
    return bool(abs(s) < skew_threshold or k < kurtosis_threshold)


def winsorise_points(v: np.ndarray, max_points: int, skew_threshold: float, kurtosis_threshold: float,
                     force: bool = False, side: str = "auto"):
    """COINr ``winsorise()``: returns (values, high indices, low indices, points).

    While the vector fails (or ``force``) and fewer than ``max_points`` points are winsorised:
    on the side of the skew (high when G1 ≥ 0), every point equal to the extreme takes the
    next value inward (ties move together), then re-test. Points already moved stay tied with
    the extreme, so the count is cumulative.
    """
    x = v.astype(float).copy()
    hi = lo = np.array([], dtype=int)
    ok = passes(x, skew_threshold, kurtosis_threshold)
    n_points = 0
    while (force or ok is False) and n_points < max_points:
        s = skew(x)
        if side == "auto" and np.isnan(s):
            break
        high = s >= 0 if side == "auto" else side == "high"
        extreme = np.nanmax(x) if high else np.nanmin(x)
        idx = np.flatnonzero(x == extreme)
        rest = np.delete(x, idx)
        rest = rest[~np.isnan(rest)]
        if rest.size == 0:
            break
        x[idx] = rest.max() if high else rest.min()
        if high:
            hi = idx
        else:
            lo = idx
        n_points = len(hi) + len(lo)
        ok = passes(x, skew_threshold, kurtosis_threshold)
    return x, hi, lo, n_points


def log_ct(v: np.ndarray, form: str = "ct") -> tuple[np.ndarray, str]:
    """COINr log_CT: ln(x − min + a), a = 0.01(max − min); ct_plus with skew ≤ 0: −ln(max + a − x)."""
    lo, hi = np.nanmin(v), np.nanmax(v)
    a = 0.01 * (hi - lo)
    if form == "ct_plus" and not skew(v) > 0:
        return -np.log(hi + a - v), "log_CT_neg"
    return np.log(v - lo + a), "log_CT"


def boxcox_values(v: np.ndarray, lam: float, makepos: bool = True) -> np.ndarray:
    """COINr ``boxcox``: x' = x − min + 1 (makepos), then (x'^λ − 1)/λ, or ln x' when λ = 0."""
    x = v - np.nanmin(v) + 1 if makepos else v
    return np.log(x) if lam == 0 else (x ** lam - 1) / lam


# ---- the per-indicator, per-year driver --------------------------------------------------

def _treat_matrix(X, ctx, one, method: str):
    """Apply ``one(v) -> (new, action, reason, points)`` per indicator and year; log everything."""
    X = np.asarray(X, float)
    out = X.copy()
    entries = []
    for j, ind in enumerate(ctx.indicators):
        for year, rows in year_slices(ctx.years):
            v = X[rows, j]
            if np.all(np.isnan(v)):
                continue
            s, k = skew(v), kurt(v)
            new, action, reason, points = one(v)
            out[rows, j] = new
            entries.append(log_entry(
                "treat", f"{action}: {reason}", node=ind, year=year, method=method, action=action,
                skew=s, kurtosis=k, points=points, skew_after=skew(new), kurtosis_after=kurt(new)))
            changed = ~np.isnan(v) & (new != v)
            for r in np.flatnonzero(changed):
                entries.append(log_entry(
                    "treat", f"{action}: {v[r]:.6g} → {new[r]:.6g}", node=ind, unit=ctx.units[rows[r]],
                    year=year, method=method, action=action, old=float(v[r]), new=float(new[r]),
                    reason=reason))
    return out, entries


def _sk(v) -> str:
    return f"skew {skew(v):.3f}, kurtosis {kurt(v):.3f}"


class WinsoriseLogParams(Params):
    skew_threshold: float = Field(2.0, gt=0)
    kurtosis_threshold: float = 3.5
    max_points: int = Field(5, ge=0)
    log_form: Literal["ct", "ct_plus"] = "ct"


@register("treat", "winsorise_log", WinsoriseLogParams, capabilities=Capabilities(scope="year"))
def winsorise_log(X, ctx, params: WinsoriseLogParams):
    """COINr's default outlier rule: winsorise up to ``max_points``, else log-transform.

    An indicator (per year) fails when |skew| ≥ skew_threshold (2) and kurtosis ≥
    kurtosis_threshold (3.5), with COINr's bias-corrected G1/G2 (see module). A failing
    indicator is winsorised one extreme at a time on the side of the skew (the extreme takes
    the next value), re-tested after each step, up to ``max_points`` (5) points. If it still
    fails, the winsorising is discarded and the *original* values become
    ln(x − min + a), a = 0.01·(max − min) (COINr ``log_CT``, COINr's default whatever the sign
    of the skew); ``log_form: ct_plus`` uses −ln(max + a − x) when skew ≤ 0 (``log_CT_plus``).
    The GII uses skew_threshold 2.25.

    Reference: COINr ``Treat()`` defaults (f1 winsorise, f2 log_CT, f_pass check_SkewKurt).
    """
    st, kt = params.skew_threshold, params.kurtosis_threshold
    X = np.asarray(X, float)
    out, entries = X.copy(), []
    for year, rows in year_slices(ctx.years):
        V = X[rows]
        g1, g2 = skew_kurt_columns(V)
        state = passes_columns(g1, g2, st, kt)
        W, points, hi_mask, _ = _trace(V, params.max_points, st, kt, getattr(ctx, "memo", None)
                                       ).result(params.max_points)
        a1, a2 = skew_kurt_columns(W)
        after = passes_columns(a1, a2, st, kt)
        if getattr(ctx, "quiet", False):  # the same outcome as the loop below, without its log
            fails = state == 0
            out[np.ix_(rows, np.flatnonzero(fails & (after == 1)))] = W[:, fails & (after == 1)]
            for j in np.flatnonzero(fails & (after == 0)):
                out[rows, j] = log_ct(V[:, j], params.log_form)[0]
            continue
        for j, ind in enumerate(ctx.indicators):
            v = V[:, j]
            if np.all(np.isnan(v)):
                continue
            sk = f"skew {g1[j]:.3f}, kurtosis {g2[j]:.3f}"
            if state[j] != 0:
                new, action, points_j = v, "passes", 0
                reason = "too few values to test" if state[j] < 0 else sk
            elif after[j] < 0:  # COINr returns the vector untreated when the re-test is undefined
                new, action, points_j = v, "passes", 0
                reason = "skew/kurtosis undefined after winsorising; left untreated"
            elif after[j] == 1:
                side = "high" if hi_mask[:, j].any() else "low"
                new, action, points_j = W[:, j], "winsorised", int(points[j])
                reason = f"{sk} fail the thresholds; {points_j} {side} point(s) winsorised"
            else:
                new, form = log_ct(v, params.log_form)
                action, points_j = "log", 0
                reason = (f"{sk} fail the thresholds and still fail after winsorising {int(points[j])} "
                          f"point(s); {form} applied to the original values")
            out[rows, j] = new
            if not getattr(ctx, "quiet", False):
                _log_column(entries, ind, year, ctx.units[rows], v, new, action, reason, points_j,
                            (g1[j], g2[j]), "winsorise_log")
    return out, entries


TRACE_POINTS = 5  # COINr's default max_points: a shared trace serves every limit up to it


def _trace(V: np.ndarray, max_points: int, st: float, kt: float, memo: dict | None) -> WinsoriseTrace:
    """The winsorising trace of V; with a memo (several variants of one run), shared by limits."""
    if memo is None:
        return WinsoriseTrace(V, max_points, st, kt)
    key = ("winsorise_log trace", V.shape, hashlib.sha1(np.ascontiguousarray(V).tobytes()).hexdigest(),
           st, kt)
    trace = memo.get(key)
    if trace is None or trace.max_points < max_points:
        trace = memo[key] = WinsoriseTrace(V, max(max_points, TRACE_POINTS), st, kt)
    return trace


def _log_column(entries, ind, year, units, v, new, action, reason, points, sk_before, method):
    """One summary entry per indicator-year, and one per changed point."""
    s_after, k_after = (sk_before if new is v else (skew(new), kurt(new)))
    entries.append(log_entry(
        "treat", f"{action}: {reason}", node=ind, year=year, method=method, action=action,
        skew=float(sk_before[0]), kurtosis=float(sk_before[1]), points=points,
        skew_after=float(s_after), kurtosis_after=float(k_after)))
    if new is v:
        return
    for r in np.flatnonzero(~np.isnan(v) & (new != v)):
        entries.append(log_entry(
            "treat", f"{action}: {v[r]:.6g} → {new[r]:.6g}", node=ind, unit=units[r], year=year,
            method=method, action=action, old=float(v[r]), new=float(new[r]), reason=reason))


class WinsoriseParams(Params):
    points: int = Field(ge=1)
    side: Literal["auto", "high", "low"] = "auto"


@register("treat", "winsorise", WinsoriseParams, capabilities=Capabilities(scope="year"))
def winsorise(X, ctx, params: WinsoriseParams):
    """Force ``points`` winsorised points, whatever the skew and kurtosis.

    One extreme at a time takes the next value inward (ties together), on the side of the
    skew (``auto``, re-decided at each step as COINr's ``force_win``) or on ``side`` high/low.

    Reference: COINr ``winsorise(force_win = TRUE, winmax = points)``.
    """
    def one(v):
        w, hi, lo, n = winsorise_points(v, params.points, np.inf, np.inf, force=True, side=params.side)
        return w, "winsorised", f"forced: {n} point(s) winsorised ({_sk(v)})", n

    return _treat_matrix(X, ctx, one, "winsorise")


class LogParams(Params):
    form: Literal["ct", "ct_plus"] = "ct"


@register("treat", "log", LogParams, capabilities=Capabilities(scope="year"))
def log_transform(X, ctx, params: LogParams):
    """Always log-transform: ln(x − min + a), a = 0.01·(max − min); ``ct_plus``: −ln(max + a − x).

    ``form: ct_plus`` uses the flipped form only when the skew is ≤ 0, as COINr's ``log_CT_plus``.

    Reference: COINr ``log_CT()`` / ``log_CT_plus()``.
    """
    def one(v):
        new, form = log_ct(v, params.form)
        return new, "log", f"forced {form} ({_sk(v)})", 0

    return _treat_matrix(X, ctx, one, "log")


class BoxCoxParams(Params):
    model_config = {**Params.model_config, "populate_by_name": True}

    lmbda: float = Field(alias="lambda")
    makepos: bool = True


@register("treat", "boxcox", BoxCoxParams, capabilities=Capabilities(scope="year"))
def boxcox(X, ctx, params: BoxCoxParams):
    """Box-Cox with a fixed λ: x' = x − min + 1 (``makepos``), then (x'^λ − 1)/λ, or ln x' for λ = 0.

    Reference: Box G.E.P., Cox D.R. (1964) JRSS B 26(2); COINr ``boxcox()``.
    """
    def one(v):
        if not params.makepos and np.nanmin(v) <= 0:
            raise ValueError("boxcox with makepos: false needs values > 0")
        return boxcox_values(v, params.lmbda, params.makepos), "boxcox", f"forced, λ = {params.lmbda:g}", 0

    return _treat_matrix(X, ctx, one, "boxcox")
