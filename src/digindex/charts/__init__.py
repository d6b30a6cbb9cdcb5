"""Charts of run, audit and uncertainty, as PNG and SVG, with labels in Chinese and English.

::

    from digindex.charts import run_charts, audit_charts, uncertainty_charts
    run_charts(evaluation, evaluation.results(), regional_tables(evaluation), "out/charts")

- ``run``: the ranking of the latest year, the trends of the best units and of the groups
  (parent regions), the aspect profile of the best units, the tiers (:mod:`.run`);
- ``audit``: the correlation heatmap, the distributions with outliers flagged (:mod:`.audit`);
- ``uncertainty``: rank intervals by nominal rank, Sobol indices with intervals
  (:mod:`.uncertainty`).

matplotlib (Agg) draws them with the CJK font of :mod:`.fonts`; SVG text is drawn as paths, so
Chinese shows without the font installed. matplotlib is imported on first use.
"""
from __future__ import annotations

from pathlib import Path

FOLDER = "charts"  # the charts' folder inside an output folder


def _atomically(draw, folder) -> list[Path]:
    """``draw(batch)`` into ``folder``: an AtomicBatch given, or one of its own (all charts or none)."""
    if hasattr(folder, "path"):
        return draw(folder)
    from ..files import AtomicBatch

    with AtomicBatch(folder) as batch:
        return draw(batch)


def run_charts(evaluation, results, regional: dict, folder) -> list[Path]:
    """The charts of a run into ``folder`` (a path, or an AtomicBatch of the run's files)."""
    from .run import run_charts as draw

    return _atomically(lambda batch: draw(evaluation, results, regional, batch), folder)


def audit_charts(evaluation, audit, folder) -> list[Path]:
    """The charts of an AuditResult of ``evaluation`` into ``folder``."""
    from .audit import audit_charts as draw

    return _atomically(lambda batch: draw(evaluation, audit, batch), folder)


def uncertainty_charts(result, folder, names: dict | None = None, framework=None,
                       synthetic: bool = False) -> list[Path]:
    """The charts of an UncertaintyResult into ``folder`` (units named by ``names``, titled under
    ``framework``'s name when given, marked when the data are synthetic)."""
    from .uncertainty import uncertainty_charts as draw

    return _atomically(lambda batch: draw(result, batch, names, framework, synthetic), folder)


class ChartJob:
    """The run's charts drawn by a child process while the parent writes its other files (on
    systems with ``fork``; elsewhere they are drawn by :meth:`finish`).

    Made before any thread, as early as the caller can (``digindex.run`` makes it before the
    data are read; a forked child has only the thread that forked): the child loads
    matplotlib and the font meanwhile, then it gets what the charts show, each as soon as it
    exists (:meth:`give_results`: the framework, the unit names and the index's and the
    aspects' rows of the results; :meth:`give_regional`: the regional tables), and draws the
    charts of each meanwhile."""

    def __init__(self, near):
        self.evaluation = self.results = self.regional = None
        self._handed = 0
        self.process = self.folder = self.pipe = self.go = None
        if not _can_fork():
            return
        import multiprocessing
        import sys
        import tempfile

        near = Path(near)
        near.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=".digindex-charts-", dir=near))
        receive, send = multiprocessing.Pipe(duplex=False)
        self.go, start = multiprocessing.Pipe(duplex=False)
        sys.stdout.flush()
        sys.stderr.flush()
        self.process = multiprocessing.get_context("fork").Process(
            target=_draw_in_child, args=(self.folder, self.go, send), daemon=True)
        self.process.start()
        send.close()
        self.go.close()
        self.go, self.pipe = start, receive

    def give_results(self, evaluation) -> None:
        """The evaluation: the child draws the charts of its results alone meanwhile. It gets the
        rows they show (the index's and the aspects': a small message on the pipe, the rows in a
        file), made alone, before the whole results table (once; later calls do nothing)."""
        if self.evaluation is not None:
            return
        fw = evaluation.framework
        self.evaluation = evaluation
        # an Arrow table: the child makes the DataFrame (its Python strings) while it is idle
        self.results = evaluation.results_table(nodes=[fw.tree.id, *(c.id for c in fw.tree.children)])
        if self.process is not None:
            self._hand((_Context.of(evaluation), self.results))

    def give_regional(self, regional: dict) -> None:
        """The regional tables: the child draws the remaining charts."""
        self.regional = regional
        self._hand({k: v for k, v in regional.items() if k in CHART_TABLES})

    def _hand(self, table) -> None:
        if self.process is None:
            return
        import pickle

        self._handed += 1
        with open(self.folder / f"{INPUT}{self._handed}", "wb") as fh:
            pickle.dump(table, fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.go.send(self._handed)

    def finish(self, batch) -> list[Path]:
        """The charts into ``batch`` (an AtomicBatch): moved from the child's folder, or drawn now."""
        import os
        import shutil

        if self.process is None:
            return run_charts(self.evaluation, self.results.to_pandas(), self.regional, batch)
        try:
            outcome = self.pipe.recv() if self.pipe.poll(None) else ("error", "the chart process ended")
        except EOFError:
            outcome = ("error", f"the chart process ended (exit code {self.process.exitcode})")
        self.process.join()
        try:
            if outcome[0] != "ok":
                raise RuntimeError(f"drawing the charts failed: {outcome[1]}")
            paths = []
            for name in outcome[1]:
                target = batch.path(name)
                os.replace(self.folder / name, target)
                paths.append(batch.folder / name)
            return paths
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def cancel(self) -> None:
        import shutil

        if self.process is not None:
            if self.process.is_alive():
                self.process.terminate()
            self.process.join()
            shutil.rmtree(self.folder, ignore_errors=True)


class _Context:
    """What the run's charts read of an evaluation (its framework; its panel's unit labels, its
    parents' names and whether its data are synthetic), sent to the chart process instead of the
    whole evaluation."""

    def __init__(self, framework, labels: dict, parents: dict, synthetic: bool):
        self.framework = framework
        self.panel = _PanelNames(labels, parents, synthetic)

    @classmethod
    def of(cls, evaluation) -> "_Context":
        panel = evaluation.panel
        parents = {p: panel.name(p) for p in set(panel.parents.values())}
        return cls(evaluation.framework, panel.labels(), parents, panel.synthetic)


class _PanelNames:
    """The Panel's names the charts read: ``labels()`` and ``name(parent)``."""

    def __init__(self, labels: dict, parents: dict, synthetic: bool):
        self._labels, self._parents, self.synthetic = labels, parents, synthetic

    def labels(self) -> dict:
        return self._labels

    def name(self, unit) -> str:
        return self._parents.get(unit) or self._labels.get(unit, str(unit))


# what the run's charts read besides the index's and the aspects' results (see .run)
CHART_TABLES = ("tiers", "disparity", "disparity_groups")
INPUT = "input.pickle"


def _can_fork() -> bool:
    import multiprocessing
    import sys

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _draw_in_child(folder, go, send) -> None:
    import gc

    # a short process that makes five figures: the collector's full passes (over everything
    # the parent had imported, each figure's cycles) took 0.2-0.3 s of its 2 s; its cycles are
    # freed at its end instead
    gc.disable()
    try:
        from . import run  # noqa: F401 - loaded while the parent reads and evaluates
        from .draw import plt

        plt()
        context, results = _received(go, folder)
        paths = run_charts(context, results.to_pandas(), lambda: _received(go, folder), folder)
        send.send(("ok", [p.name for p in paths]))
    except BaseException as exc:  # noqa: BLE001 - reported by the parent
        send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _received(go, folder):
    """The next table the parent handed over (waiting for it)."""
    import pickle

    path = Path(folder) / f"{INPUT}{go.recv()}"
    with open(path, "rb") as fh:
        table = pickle.load(fh)
    path.unlink()
    return table


__all__ = ["FOLDER", "ChartJob", "run_charts", "audit_charts", "uncertainty_charts"]
