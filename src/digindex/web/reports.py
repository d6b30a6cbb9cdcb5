"""PDF profiles of published results through :mod:`digindex.reports` (when it is installed).

A published run stores the exact values it evaluated, so its :class:`~digindex.Evaluation`
can be rebuilt at any time and handed to ``digindex.reports.profile_report``. Rebuilt
evaluations are kept for the last few runs; PDFs are memoised with the published snapshot.
"""
from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from importlib.util import find_spec
from pathlib import Path

from . import indicators
from .errors import NotFound, WebError
from .models import EvaluationRun

_EVALS: OrderedDict = OrderedDict()
_LOCK = threading.Lock()


class Unavailable(WebError):
    status, code = 501, "not_available"


def available() -> bool:
    """True when digindex.reports and WeasyPrint can be imported."""
    return find_spec("digindex.reports") is not None and find_spec("weasyprint") is not None


def run_evaluation(db, run_id: int, population: str, fw_name: str):
    """The evaluation of a stored run (rebuilt from its inputs, cached)."""
    key = (db.url, run_id, population)
    with _LOCK:
        if key in _EVALS:
            _EVALS.move_to_end(key)
            return _EVALS[key]
    from .evaluation import _evaluate, inputs_frame

    with db.read() as s:
        run = s.get(EvaluationRun, run_id)
        records = (run.inputs or {}).get(population) if run else None
    if not records:
        raise NotFound(f"run {run_id} has no stored {population} inputs")
    ev = _evaluate(inputs_frame(records, indicators.info(fw_name).indicator_ids), fw_name)[2]
    with _LOCK:
        _EVALS[key] = ev
        while len(_EVALS) > 4:
            _EVALS.popitem(last=False)
    return ev


def profile_pdf(db, run_id: int, population: str, unit: str, year: int, lang: str, fw_name: str) -> bytes:
    if not available():
        raise Unavailable("PDF reports need digindex.reports with WeasyPrint installed")
    from ..reports import profile_report

    ev = run_evaluation(db, run_id, population, fw_name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{unit}.pdf"
        profile_report(ev, unit, path, lang=lang, format="pdf", year=year)
        return path.read_bytes()
