"""digindex: regional digital-economy evaluation, from framework to published index.

The public API::

    from digindex import load_framework, load_data, evaluate
    fw = load_framework("examples/desi2022/framework.yaml")
    data = load_data("examples/desi2022/data.csv", framework=fw)
    result = evaluate(fw, data)
    result.results()          # tidy (unit, year, node, level, score, rank)
    result.rerun("aggregate", "geometric", node="desi")

The names are imported on first use (``digindex --help`` need not load pandas).
"""

from .errors import InputError, Problem
from .lazy import lazy_names
from .version import __version__

# name -> module that defines it (imported when the name is first used)
_LAZY = {
    "Panel": ".data", "load_data": ".data", "load_groups": ".data",
    "Evaluation": ".engine", "evaluate": ".engine",
    "Framework": ".framework", "load_framework": ".framework", "save_framework": ".framework",
    "get_method": ".methods", "methods": ".methods",
}

__all__ = [
    "__version__", "load_framework", "save_framework", "load_data", "evaluate", "Framework",
    "Panel", "Evaluation", "InputError", "Problem", "methods", "get_method", "write_results",
    "run", "load_groups",
]


__getattr__, __dir__ = lazy_names(__name__, _LAZY, globals())


def _api(name: str):
    """A public name as the module holds it now (so that a test or a benchmark may replace it)."""
    return globals()[name] if name in globals() else __getattr__(name)


def write_results(evaluation, out_dir, framework_file=None, options=None, lang="en", *, charts=False,
                  scope="aspects", store=None):
    """Write every output of ``evaluation`` into ``out_dir`` atomically (with ``charts``, the
    charts too: True, or the chart job :func:`run` started before reading the data); with
    ``store``, record the run in that run store. Returns the run id (or None)."""
    from .export import chart_job, run_record
    from .export import write_results as _write

    # the chart process first: it loads matplotlib while the tables are built
    drawing = chart_job(out_dir) if charts is True else charts or None
    pending = None
    try:
        record = run_record(evaluation, framework_file, options or {})
        if drawing is not None:  # the charts' rows first: the chart process draws meanwhile
            drawing.give_results(evaluation)
        table = evaluation.results_table()  # the tidy results, for the files and the store
        if store is not None:  # the result rows go into the store while the files are written
            from .store import PendingRun

            pending = PendingRun(store, evaluation, table=table)
        _write(evaluation, out_dir, record, lang=lang, charts=drawing or False, scope=scope, table=table,
               jobs=[pending.insert] if pending is not None else ())
    except BaseException:
        if drawing is not None:
            drawing.cancel()
        if pending is not None:
            pending.abort()
        raise
    return pending.commit(record) if pending is not None else None


def run(framework, data, regions=None, out=None, sheet=None, lang="en", units_in=None, level=None,
        layout=None, *, charts=True, scope="aspects", store=None):
    """Load, evaluate and (with ``out``) write, with the charts unless ``charts=False``, and
    (with ``store``) record the run: what ``digindex run`` does."""
    Framework = _api("Framework")
    fw = framework if isinstance(framework, Framework) else _api("load_framework")(framework)
    files = [data] if isinstance(data, (str, bytes)) or hasattr(data, "__fspath__") else list(data)
    # the chart process before the data are read: it loads matplotlib meanwhile
    drawing = None
    if out is not None and charts:
        from .export import chart_job

        drawing = chart_job(out)
    try:
        panel = _api("load_data")(files, framework=fw, regions=regions, sheet=sheet, units_in=units_in,
                                  level=level, layout=layout)
        result = _api("evaluate")(fw, panel)
    except BaseException:
        if drawing is not None:
            drawing.cancel()
        raise
    if out is not None:
        _api("write_results")(
            result, out, framework_file=None if isinstance(framework, Framework) else str(framework),
            options={"data": [str(f) for f in files], "regions": str(regions) if regions else None,
                     "sheet": sheet, "lang": lang, "out": str(out), "units_in": units_in,
                     "level": panel.level, "layout": layout, "scope": scope},
            lang=lang, charts=drawing or False, scope=scope, store=store)
    return result
