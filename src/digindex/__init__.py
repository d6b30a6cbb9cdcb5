"""digindex: regional digital-economy evaluation, from framework to published index.

The public API::

    from digindex import load_framework, load_data, evaluate
    fw = load_framework("examples/desi2022/framework.yaml")
    data = load_data("examples/desi2022/data.csv", framework=fw)
    result = evaluate(fw, data)
    result.results()          # tidy (unit, year, node, level, score, rank)
    result.rerun("aggregate", "geometric", node="desi")
"""
from .data import Panel, load_data, load_groups
from .engine import Evaluation, evaluate
from .errors import InputError, Problem
from .framework import Framework, load_framework, save_framework
from .methods import get_method, methods
from .version import __version__

__all__ = [
    "__version__", "load_framework", "save_framework", "load_data", "evaluate", "Framework",
    "Panel", "Evaluation", "InputError", "Problem", "methods", "get_method", "write_results",
    "run", "load_groups",
]


def write_results(evaluation, out_dir, framework_file=None, options=None, lang="en"):
    """Write every output of ``evaluation`` into ``out_dir`` atomically."""
    from .export import run_record
    from .export import write_results as _write

    record = run_record(evaluation, framework_file, options or {})
    return _write(evaluation, out_dir, record, lang=lang)


def run(framework, data, regions=None, out=None, sheet=None, lang="en", units_in=None, level=None,
        layout=None):
    """Load, evaluate and (with ``out``) write: what ``digindex run`` does."""
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    files = [data] if isinstance(data, (str, bytes)) or hasattr(data, "__fspath__") else list(data)
    panel = load_data(files, framework=fw, regions=regions, sheet=sheet, units_in=units_in, level=level,
                      layout=layout)
    result = evaluate(fw, panel)
    if out is not None:
        write_results(result, out, framework_file=None if isinstance(framework, Framework) else str(framework),
                      options={"data": [str(f) for f in files], "regions": str(regions) if regions else None,
                               "sheet": sheet, "lang": lang, "out": str(out), "units_in": units_in,
                               "level": panel.level, "layout": layout},
                      lang=lang)
    return result
