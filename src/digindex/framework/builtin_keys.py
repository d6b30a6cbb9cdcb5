"""Framework keys owned by the layers below the framework, registered by the framework.

- ``definition``, ``source``, ``notes`` (nodes; ``notes`` also at the top level): bilingual
  text, ``TEXT`` or ``{en: TEXT, zh: TEXT}`` → ``{"en": ..., "zh": ...}``; ``version`` (top):
  text. Documentation: reports and the indicator dictionary read them.
- ``screen`` (top) → :class:`~digindex.methods.impute.prepare.ScreenConfig`; data check:
  force_include/force_exclude units are in the data.
- ``denominator`` and ``factor`` (indicators) →
  :class:`~digindex.methods.impute.prepare.DenominatorSpec` (with the factor); data check:
  the denominator column is in the data.
- ``impute`` and ``treat`` (indicators) → :class:`~digindex.methods.choice.MethodChoice`,
  read through ``fw.method_for(step, node)``; data check: imputation group columns (of
  the default and of every indicator) are in the data.
"""
from __future__ import annotations

from ..methods.choice import parse_choice
from ..methods.impute.prepare import impute_groups, parse_denominator, parse_screen, unknown_screen_units
from .keys import AGGREGATE, INDICATOR, TOP, register_key


def _text(raw, ctx) -> dict[str, str]:
    if isinstance(raw, str):
        return {"en": raw}
    if isinstance(raw, dict) and all(isinstance(v, (str, int, float)) for v in raw.values()):
        return {str(k): str(v) for k, v in raw.items() if v not in (None, "")}
    raise ValueError(f"write text, or {{en: TEXT, zh: TEXT}}, not {raw!r}")


def _version(raw, ctx) -> str:
    if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        return str(raw)
    raise ValueError(f"write the version as text, e.g. \"2024.1\", not {raw!r}")


for _name, _where in (("definition", (INDICATOR, AGGREGATE)), ("source", (INDICATOR, AGGREGATE)),
                      ("notes", (TOP, INDICATOR, AGGREGATE))):
    register_key(_name, _where, _text, doc="documentation: text or {en, zh}")
register_key("version", TOP, _version, doc="documentation: the framework's version")


# ---- screen -------------------------------------------------------------------------------

def _screen_units(fw, panel, report) -> None:
    cfg = fw.settings.get("screen")
    unknown = unknown_screen_units(cfg, panel.units) if cfg is not None else []
    if unknown:
        report.data_problem(f"screen: force_include/force_exclude name units not in the data: "
                            f"{', '.join(unknown)}", fix="correct the unit codes in the framework's screen")


def _screen(raw, ctx):
    try:
        return parse_screen(raw)
    except ValueError as exc:
        ctx.problem(str(exc), "write e.g. 'screen: {min_coverage: 0.9}'; keys: min_coverage, after, per, "
                              "indicator_min_coverage, force_include, force_exclude (coverages are "
                              "shares between 0 and 1)")
        return None


register_key("screen", TOP, _screen, check_data=_screen_units,
             doc="screening of units and indicators by data availability (methods.impute.prepare)")


# ---- denominator and factor ---------------------------------------------------------------

def _factor(raw, ctx):
    if "denominator" not in ctx.siblings:
        ctx.problem(f"indicator {ctx.node.id!r} has a factor but no denominator",
                    "add 'denominator: COLUMN' or remove 'factor'")
        return None
    return raw  # checked with the denominator, which reports a bad factor


def _denominator(raw, ctx):
    try:
        return parse_denominator(raw, ctx.siblings.get("factor"))
    except ValueError as exc:
        ctx.problem(f"indicator {ctx.node.id!r}: {exc}",
                    "write e.g. 'denominator: Population' and 'factor: 10000'")
        return None


def _denominator_columns(fw, panel, report) -> None:
    columns = set(panel.table.columns)
    for node in fw.indicators:
        spec = node.settings.get("denominator")
        if spec is not None and spec.column not in columns:
            report.data_problem(f"indicator {node.id!r}: denominator column {spec.column!r} is not in the data",
                                fix=f"add a column {spec.column!r} to the data, or correct the denominator",
                                column=spec.column)


register_key("denominator", INDICATOR, _denominator, check_data=_denominator_columns,
             doc="divide the indicator by a data column (methods.impute.prepare)")
register_key("factor", INDICATOR, _factor, doc="multiplier of a denominated indicator")


# ---- per-indicator impute and treat -------------------------------------------------------

def _method_key(step: str):
    def parse(raw, ctx):
        try:
            return parse_choice(raw, step)
        except ValueError as exc:
            ctx.problem(f"indicator {ctx.node.id!r}: {exc}",
                        f"run 'digindex methods {step}' to list methods and their parameters")
            return None
    return parse


def _impute_groups(fw, panel, report) -> None:
    for group, indicators in impute_groups(fw).items():
        where = f"imputation of {', '.join(map(repr, indicators[:3]))}" + (" ..." if len(indicators) > 3 else "")
        if group == "parent":
            if not panel.parents:
                report.data_problem(f"group 'parent' ({where}) needs parent regions",
                                    fix="add a 'parent' column to the data or pass a regions file")
        elif group not in panel.table.columns:
            report.data_problem(f"group column {group!r} is not in the data ({where})",
                                fix=f"add a column {group!r} to the data, or correct the group",
                                column=group)


register_key("impute", INDICATOR, _method_key("impute"), check_data=_impute_groups,
             dump=lambda choice: choice.to_yaml(), doc="this indicator's imputation method")
register_key("treat", INDICATOR, _method_key("treat"), dump=lambda choice: choice.to_yaml(),
             doc="this indicator's outlier treatment")


# ---- over: what an aggregate node combines -------------------------------------------------

OVER = ("children", "indicators")


def _over(raw, ctx) -> str:
    if raw not in OVER:
        raise ValueError(f"over must be 'children' or 'indicators', not {raw!r}")
    return raw


register_key("over", AGGREGATE, _over,
             doc="children (default) or indicators: the node's weighting and aggregation take every "
                 "indicator below it at once (e.g. one TOPSIS over all indicators), while its "
                 "children keep their own scores (the dimension sub-scores)")
