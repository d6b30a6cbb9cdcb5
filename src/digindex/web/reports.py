"""PDF profiles of a publication through :mod:`digindex.reports` (when it is installed).

A published run stores the exact values it evaluated, so its
:class:`~digindex.Evaluation` can be rebuilt and handed to
``digindex.reports.profile_report``: the PDF shows the publication itself, every year on
its basis, as the page and the downloads do. Before a PDF is made the rebuilt scores are
compared with the stored, published ones; if they differ (the software changed since
publication) no PDF is made, rather than one that contradicts the page. Rebuilt
evaluations are kept for the last few runs; PDFs are memoised with the published snapshot.
"""
from __future__ import annotations

import math
import tempfile
import threading
from collections import OrderedDict
from importlib.util import find_spec
from pathlib import Path

from sqlalchemy import select

from .errors import NotFound, WebError
from .messages import t
from .models import EvaluationRun, RunResult

_EVALS: OrderedDict = OrderedDict()
_LOCK = threading.Lock()


class Unavailable(WebError):
    status, code = 501, "not_available"


class Diverged(WebError):
    status, code = 409, "diverged"


def available() -> bool:
    """True when digindex.reports and WeasyPrint can be imported."""
    return find_spec("digindex.reports") is not None and find_spec("weasyprint") is not None


def run_evaluation(db, run_id: int, population: str, fw_name: str):
    """The evaluation of a stored run (rebuilt from its inputs, checked against its results, cached)."""
    key = (db.url, run_id, population)
    with _LOCK:
        if key in _EVALS:
            _EVALS.move_to_end(key)
            return _EVALS[key]
    from .evaluation import evaluate_records

    with db.read() as s:
        run = s.get(EvaluationRun, run_id)
        records = (run.inputs or {}).get(population) if run else None
        stored = {(u, y, n): sc for u, y, n, sc in s.execute(
            select(RunResult.unit, RunResult.year, RunResult.node, RunResult.score)
            .where(RunResult.run_id == run_id, RunResult.population == population)).all()}
    if not records:
        raise NotFound(t("not_found"))
    ev = evaluate_records(records, fw_name)[2]
    check_same(ev, stored)
    with _LOCK:
        _EVALS[key] = ev
        while len(_EVALS) > 4:
            _EVALS.popitem(last=False)
    return ev


def check_same(ev, stored: dict, tol: float = 1e-9) -> None:
    """Refuse an evaluation whose scores differ from the published ones."""
    res = ev.results()
    for u, y, n, sc in zip(res["unit"], res["year"], res["node"], res["score"]):
        want = stored.get((u, int(y), n), "absent")
        if want == "absent":
            continue
        same = (want is None and (sc is None or math.isnan(sc))) or (
            want is not None and sc is not None and not math.isnan(sc) and abs(float(sc) - want) <= tol)
        if not same:
            raise Diverged(t("report_diverged"))


def profile_pdf(db, run_id: int, population: str, unit: str, year: int, lang: str, fw_name: str) -> bytes:
    if not available():
        raise Unavailable(t("pdf_unavailable"))
    from ..reports import profile_report

    ev = run_evaluation(db, run_id, population, fw_name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{unit}.pdf"
        profile_report(ev, unit, path, lang=lang, format="pdf", year=year)
        return path.read_bytes()
