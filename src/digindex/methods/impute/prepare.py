"""Data preparation before imputation: denomination and screening.

Denomination (indicator keys, applied before anything else, stage ``denominated``)::

    - {id: flights, denominator: Population, factor: 1000}     # x / Population · 1000
    - {id: elec, denominator: {column: Energy, on_missing: missing}}

``x' = x / d · factor`` with ``d`` the value of the data column ``denominator`` in the same
(unit, year) row; ``factor`` (default 1) expresses e.g. "per 10k residents" (10000). A
missing or zero denominator where the indicator has a value is an error naming the unit,
year and column (``on_missing: error``, the default); ``on_missing: missing`` leaves the
value missing instead (as COINr's ``Denominate``, where NA/x is NA) and logs it, so that
imputation can fill it. Denominator columns need not be listed in ``data_columns``.

Screening (framework top-level key ``screen``)::

    screen:
      min_coverage: 0.9             # a unit-year needs >= 90 % of the indicators present
      after: denominate             # or impute: where coverage is measured and rows dropped
      per: year                     # or unit: pool a unit's coverage over its years
      indicator_min_coverage: 0.5   # optional: screen out indicators present in < 50 % of rows
      force_include: [LAO]          # optional: keep these units whatever their coverage
      force_exclude: [EU]           # optional: always drop these units

``screen: 0.9`` is short for ``{min_coverage: 0.9}``. Indicators are screened first (their
share of rows with a value, over all rows); a screened-out indicator is set missing everywhere
and is neither imputed nor treated, so aggregation skips it. Then each row's coverage is its
share of the remaining indicators present; rows with coverage < ``min_coverage`` (strictly,
as COINr's ``Dat_Avail < dat_thresh``) are dropped from every stage and from the results
(with ``per: unit`` all rows of a unit go together). Every dropped row and indicator is logged
(stage ``screen``).

``after: denominate`` (the default) screens on the data as supplied, before imputation, as
the OECD/JRC Handbook orders the steps (coverage, then imputation). ``after: impute``
measures coverage on the imputed values, as COINr's example pipeline does
(``Impute`` then ``Screen(dset = "Imputed", dat_thresh = 0.9, unit_screen = "byNA")``): there
only cells imputation could not fill count as missing.

Reference: OECD/JRC (2008) Handbook, §1.3 and Step 3; COINr ``Screen()``, ``Denominate()``.
"""
from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, ValidationError

from ...errors import InputError, Problem
from ...lazy import lazy_module
from ..registry import Params
from .common import log_entry

np = lazy_module("numpy", globals())

MAX_REPORTED = 20


# ---- denomination -----------------------------------------------------------------------

class DenominatorSpec(Params):
    column: str
    on_missing: Literal["error", "missing"] = "error"
    factor: float = 1.0


def parse_denominator(raw, factor=None) -> DenominatorSpec:
    """The spec of an indicator's ``denominator`` (and ``factor``) keys; ValueError if malformed."""
    spec = dict(raw) if isinstance(raw, dict) else {"column": raw}
    if factor is not None:
        spec["factor"] = factor
    try:
        out = DenominatorSpec(**spec)
        ok = out.factor > 0 and math.isfinite(out.factor)
    except (ValidationError, TypeError):
        ok = False
    if not ok:
        raise ValueError(f"denominator must be a column name or {{column: NAME, on_missing: "
                         f"error|missing}}, and factor a number > 0, not {raw!r} / {factor!r}")
    return out


def denominator_specs(fw) -> dict[str, DenominatorSpec]:
    """The checked ``denominator`` of each indicator that has one (parsed when the framework is read)."""
    return {n.id: n.settings["denominator"] for n in fw.indicators if "denominator" in n.settings}


def denominate(fw, panel, X: np.ndarray, specs: dict[str, DenominatorSpec]):
    """x / d · factor for every indicator with a denominator; returns (values, log entries)."""
    out = X.copy()
    entries, problems = [], []
    data_files = ", ".join(panel.files) or None
    units, years = panel.units, panel.years
    for j, node in enumerate(fw.indicators):
        spec = specs.get(node.id)
        if spec is None:  # (a denominator column missing from the data is refused before)
            continue
        d = panel.matrix([spec.column])[:, 0]
        bad = ~np.isnan(X[:, j]) & (np.isnan(d) | (d == 0))
        for r in np.flatnonzero(bad):
            what = "missing" if np.isnan(d[r]) else "zero"
            if spec.on_missing == "error":
                if len(problems) < MAX_REPORTED:
                    problems.append(Problem(
                        f"indicator {node.id!r} needs denominator {spec.column!r}, which is {what} "
                        f"for unit {units[r]!r}, year {years[r]}", file=data_files, column=spec.column,
                        fix=f"fill in {spec.column!r} for that unit and year, or write "
                            f"'denominator: {{column: {spec.column}, on_missing: missing}}' to leave "
                            "the value missing"))
            else:
                entries.append(log_entry("denominate", f"denominator {spec.column!r} is {what}; "
                                         "value left missing", node=node.id, unit=units[r],
                                         year=years[r], column=spec.column, value=float(X[r, j])))
        with np.errstate(divide="ignore", invalid="ignore"):
            out[:, j] = np.where(bad, np.nan, X[:, j] / d * spec.factor)
        entries.append(log_entry("denominate", f"divided by {spec.column!r}"
                                 + (f", times {spec.factor:g}" if spec.factor != 1 else ""),
                                 node=node.id, column=spec.column, factor=spec.factor))
    if problems:
        raise InputError(problems)
    return out, entries


# ---- screening --------------------------------------------------------------------------

class ScreenConfig(Params):
    min_coverage: float = Field(0.0, ge=0, le=1)
    after: Literal["denominate", "impute"] = "denominate"
    per: Literal["year", "unit"] = "year"
    indicator_min_coverage: float | None = Field(None, ge=0, le=1)
    force_include: list[str] = []
    force_exclude: list[str] = []


def parse_screen(raw) -> ScreenConfig:
    """The checked ``screen`` settings (a mapping, or a number: the min coverage); ValueError if not."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = {"min_coverage": raw}
    if not isinstance(raw, dict):
        raise ValueError(f"screen must be a number or a mapping, not {raw!r}")
    try:
        return ScreenConfig(**raw)
    except ValidationError as exc:
        msgs = [f"{'.'.join(str(p) for p in e['loc']) or 'screen'}: {e['msg']}" for e in exc.errors()]
        raise ValueError("screen: " + "; ".join(msgs)) from None


def screen_config(fw) -> ScreenConfig | None:
    """The framework's ``screen`` settings (parsed when the framework is read), or None."""
    return fw.settings.get("screen")


def unknown_screen_units(cfg: ScreenConfig, units) -> list[str]:
    """Units named by force_include/force_exclude that are not among ``units``."""
    return sorted(set(cfg.force_include + cfg.force_exclude) - set(units))


def screen(fw, X: np.ndarray, units, years, cfg: ScreenConfig):
    """Returns (keep rows mask, screened-out indicator columns, log entries)."""
    entries = []
    ids = fw.indicator_ids
    present = ~np.isnan(X)
    out_cols: set[int] = set()
    if cfg.indicator_min_coverage is not None:
        for j, share in enumerate(present.mean(axis=0)):
            if j not in out_cols and share < cfg.indicator_min_coverage:
                out_cols.add(j)
                entries.append(log_entry(
                    "screen", f"indicator screened out: present in {share:.0%} of rows, below "
                    f"{cfg.indicator_min_coverage:.0%}; set missing everywhere", node=ids[j],
                    coverage=float(share), rows=int(present[:, j].sum())))
    active = [j for j in range(X.shape[1]) if j not in out_cols]
    counts = present[:, active].sum(axis=1)
    k = len(active)
    units = np.asarray(units, dtype=object)  # (units named but not in the data are refused before)
    if cfg.per == "unit":
        cov = np.empty(len(units))
        for u in dict.fromkeys(units.tolist()):
            m = units == u
            cov[m] = counts[m].sum() / max(k * m.sum(), 1)
    else:
        cov = counts / max(k, 1)
    keep = cov >= cfg.min_coverage
    keep |= np.isin(units, cfg.force_include)
    keep &= ~np.isin(units, cfg.force_exclude)
    for r in np.flatnonzero(~keep):
        forced = units[r] in cfg.force_exclude
        why = ("forced out (force_exclude)" if forced else
               f"{cov[r]:.1%} of indicators present, below {cfg.min_coverage:.0%}")
        entries.append(log_entry("screen", f"dropped: {why}", unit=units[r], year=years[r],
                                 coverage=float(cov[r]), present=int(counts[r]), indicators=k))
    entries.append(log_entry(
        "screen", f"kept {int(keep.sum())} of {len(keep)} rows (min coverage {cfg.min_coverage:.0%} "
        f"of {k} indicators, measured after {cfg.after}, per {cfg.per}); dropped "
        f"{int((~keep).sum())} rows and {len(out_cols)} indicators", kept=int(keep.sum()),
        dropped=int((~keep).sum()), indicators_dropped=len(out_cols)))
    if not keep.any():
        raise InputError(Problem(f"screening drops every unit (min_coverage {cfg.min_coverage})",
                                 file=fw.source, fix="lower screen.min_coverage"))
    return keep, sorted(out_cols), entries


def data_references(fw) -> tuple[set[str], set[str]]:
    """Data columns the framework names outside ``data_columns``: (denominators, group columns)."""
    denoms = {spec.column for spec in denominator_specs(fw).values()}
    groups = set(impute_groups(fw))
    groups.discard("parent")
    return denoms, groups


def impute_groups(fw) -> dict[str, list[str]]:
    """{group column (or 'parent'): indicators imputed within it}, from every impute choice."""
    out: dict[str, list[str]] = {}
    for node in fw.indicators:
        group = fw.method_for("impute", node).params.get("group")
        if isinstance(group, str):
            out.setdefault(group, []).append(node.id)
    return out
