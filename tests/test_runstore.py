"""The run store: record, list, get, diff; one transaction per run; locks; a real SIGKILL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import digindex
from digindex import InputError
from digindex.export import run_record
from digindex.store import diff_runs, get_run, list_runs, record_run, run_info

FRAMEWORK = """\
id: toy
normalise: {{method: minmax, min: 0, max: 100}}
tree:
  id: idx
  children:
    - id: a1
      weight: {w}
      children:
        - {{id: x1}}
        - {{id: x2}}
    - id: a2
      children:
        - {{id: x3}}
"""


def write_inputs(folder: Path, n_units: int = 4, years=(2021, 2022), weight: float = 1, seed: int = 0,
                 parents: bool = True, name: str = "data") -> tuple[Path, Path]:
    """A framework file and a data file (unit, [parent], year, x1..x3) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    fw = folder / f"fw_w{weight}.yaml"
    fw.write_text(FRAMEWORK.format(w=weight), encoding="utf-8")
    rng = np.random.default_rng(seed)
    rows = []
    for year in years:
        for i in range(n_units):
            row = {"unit": f"u{i:05d}", "year": year}
            if parents:
                row["parent"] = f"c{i % 3}"
            row.update({f"x{k}": round(float(rng.uniform(0, 100)), 3) for k in (1, 2, 3)})
            rows.append(row)
    data = folder / f"{name}.csv"
    pd.DataFrame(rows).to_csv(data, index=False)
    return fw, data


def evaluate(fw: Path, data: Path):
    framework = digindex.load_framework(fw)
    result = digindex.evaluate(framework, digindex.load_data([data], framework=framework))
    return result, run_record(result, str(fw), {"data": [str(data)]})


def test_record_and_get_round_trip(tmp_path):
    store = tmp_path / "runs.duckdb"
    ev, rec = evaluate(*write_inputs(tmp_path))
    run_id = record_run(store, ev, rec)
    assert run_id == "r1"
    stored = get_run(store, run_id)
    assert stored.run_id == "r1" and stored.record == rec
    pd.testing.assert_frame_equal(stored.results, ev.results())
    info = run_info(store, "latest")
    assert info["n_rows"] == len(ev.results()) and info["framework_id"] == "toy"


def test_same_inputs_same_results_and_sequential_ids(tmp_path):
    store = tmp_path / "runs.duckdb"
    fw, data = write_inputs(tmp_path)
    ids = [record_run(store, *evaluate(fw, data)) for _ in range(3)]
    assert ids == ["r1", "r2", "r3"]
    runs = list_runs(store)
    assert runs["run_id"].tolist() == ids
    assert runs["results_sha256"].nunique() == 1 and runs["data_sha256"].nunique() == 1
    pd.testing.assert_frame_equal(get_run(store, "r1").results, get_run(store, "r3").results)
    diff = diff_runs(store, "r1", "r3")
    assert diff.verdict == "nothing changed (same inputs)"
    assert diff.results_identical and diff.changes.empty
    assert "results identical" in diff.reasons
    assert get_run(store, "previous").run_id == "r2"


def test_diff_classifies_framework_data_and_both(tmp_path):
    store = tmp_path / "runs.duckdb"
    fw1, data = write_inputs(tmp_path, seed=0)
    fw3, _ = write_inputs(tmp_path, weight=3, seed=0)
    base = evaluate(fw1, data)
    record_run(store, *base)                      # r1
    record_run(store, *evaluate(fw3, data))       # r2: framework changed
    write_inputs(tmp_path, seed=1)                # the data file is edited in place
    data_run = evaluate(fw1, data)
    record_run(store, *data_run)                  # r3: data changed
    record_run(store, *evaluate(fw3, data))       # r4: both
    assert diff_runs(store, "r1", "r2").verdict == "framework changed"
    assert diff_runs(store, "r1", "r4").verdict == "both"
    assert diff_runs(store, "r2", "r3").verdict == "both"
    diff = diff_runs(store, "r1", "r3")
    assert diff.verdict == "data changed" and not diff.results_identical
    assert diff.reasons[0].startswith(f"data file {data} changed (sha256 ")
    # per-unit rank changes match the two evaluations' ranks
    a = base[0].results().set_index(["unit", "year", "node"])
    b = data_run[0].results().set_index(["unit", "year", "node"])
    expected = a.index[(a["rank"] != b.loc[a.index, "rank"]).to_numpy()]
    ch = diff.changes[diff.changes["status"] == "rank changed"].set_index(["unit", "year", "node"])
    assert set(ch.index) == set(expected) and len(expected) > 0
    for key, row in ch.iterrows():
        assert row["rank_a"] == a.loc[key, "rank"] and row["rank_b"] == b.loc[key, "rank"]
        assert row["rank_change"] == a.loc[key, "rank"] - b.loc[key, "rank"]
    assert "r1 -> r3: data changed" in diff.summary()


def test_units_added_and_single_period_without_parents(tmp_path):
    store = tmp_path / "runs.duckdb"
    fw, small = write_inputs(tmp_path, n_units=3, years=(2022,), parents=False, name="small")
    _, large = write_inputs(tmp_path, n_units=4, years=(2022,), parents=False, name="large")
    ev, rec = evaluate(fw, small)
    record_run(store, ev, rec)
    pd.testing.assert_frame_equal(get_run(store, "r1").results, ev.results())
    record_run(store, *evaluate(fw, large))
    diff = diff_runs(store, "r1", "r2")
    assert diff.verdict == "data changed"
    assert set(diff.changes.loc[diff.changes["status"] == "only in b", "unit"]) == {"u00003"}


def test_unknown_run_missing_store_and_not_a_store(tmp_path):
    store = tmp_path / "runs.duckdb"
    assert list_runs(store).empty
    with pytest.raises(InputError, match="no run store here yet"):
        get_run(store, "r1")
    record_run(store, *evaluate(*write_inputs(tmp_path)))
    with pytest.raises(InputError, match="no run 'r9'.*Fix: .*r1"):
        get_run(store, "r9")
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a database")
    with pytest.raises(InputError, match="not a digindex run store"):
        list_runs(junk)
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    with pytest.raises(InputError, match="not a digindex run store"):
        list_runs(other)
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE sales (x INTEGER)")
    with pytest.raises(InputError, match="holds other tables"):
        record_run(other, *evaluate(*write_inputs(tmp_path)))


def test_failure_inside_the_transaction_records_nothing(tmp_path):
    store = tmp_path / "runs.duckdb"
    ev, rec = evaluate(*write_inputs(tmp_path, n_units=50))
    record_run(store, ev, rec)

    def interrupt(done, total):
        if done >= 100:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        record_run(store, ev, rec, chunk_rows=40, on_progress=interrupt)
    assert list_runs(store)["run_id"].tolist() == ["r1"]
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM results").fetchall()[0][0] == len(ev.results())
    assert record_run(store, ev, rec) == "r2"  # the interrupted run used no id


KILLED_WRITER = textwrap.dedent("""\
    import sys, time
    from pathlib import Path
    import digindex
    from digindex.export import run_record
    from digindex.store import record_run

    fw_file, small, big, store, flag = sys.argv[1:6]
    fw = digindex.load_framework(fw_file)
    for data in (small, big):
        ev = digindex.evaluate(fw, digindex.load_data([data], framework=fw))
        if data == small:
            record_run(store, ev, run_record(ev, fw_file, {}))   # r1, committed
            continue

        def progress(done, total):
            # 130,000 rows inside the open transaction is more than one DuckDB
            # row group (122,880 rows), so some of them may already be on disk.
            if done >= 130_000:
                Path(flag + ".tmp").write_text(f"{done}/{total}")
                Path(flag + ".tmp").replace(flag)             # the flag appears whole
                time.sleep(300)                               # killed here

        record_run(store, ev, run_record(ev, fw_file, {}), chunk_rows=10_000, on_progress=progress)
    """)


def _exited(proc) -> str:
    out, err = proc.communicate(timeout=30)
    return f"the subprocess exited early with status {proc.returncode}:\n{out.decode()}\n{err.decode()}"


def test_sigkill_mid_insert_leaves_earlier_runs_intact(tmp_path):
    store, flag = tmp_path / "runs.duckdb", tmp_path / "inserting.flag"
    fw, small = write_inputs(tmp_path, n_units=20, name="small")
    _, big = write_inputs(tmp_path, n_units=12_000, years=(2020, 2021), name="big")  # 144,000 rows
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(fw), str(small), str(big), str(store),
                             str(flag)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while not flag.exists():
            assert proc.poll() is None, _exited(proc)
            assert time.monotonic() < deadline, "the writer never reached the middle of its insert"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert int(flag.read_text().split("/")[0]) >= 130_000

    small_ev, _ = evaluate(fw, small)
    assert list_runs(store)["run_id"].tolist() == ["r1"]
    pd.testing.assert_frame_equal(get_run(store, "r1").results, small_ev.results())
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM results").fetchall()[0][0] == len(small_ev.results())
        assert con.execute("SELECT count(*) FROM results WHERE run_id <> 'r1'").fetchall()[0][0] == 0
    # the store is writable again and the killed run used no id
    assert record_run(store, *evaluate(fw, small)) == "r2"


HOLDER = textwrap.dedent("""\
    import sys, time
    from pathlib import Path
    from digindex.store import connect

    with connect(sys.argv[1], write=True) as con:
        Path(sys.argv[2] + ".tmp").write_text("holding")
        Path(sys.argv[2] + ".tmp").replace(sys.argv[2])
        time.sleep(300)
    """)


def test_store_held_by_another_process(tmp_path, monkeypatch):
    store, flag = tmp_path / "runs.duckdb", tmp_path / "held.flag"
    ev, rec = evaluate(*write_inputs(tmp_path))
    record_run(store, ev, rec)
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(store), str(flag)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert proc.poll() is None, _exited(proc)
            assert time.monotonic() < deadline, "the holder never opened the store"
            time.sleep(0.05)
        with pytest.raises(InputError, match=rf"in use by another process \(PID {proc.pid}\).*Fix: wait") as err:
            record_run(store, ev, rec, lock_timeout=0)
        assert str(store) in str(err.value)
        start = time.monotonic()
        with pytest.raises(InputError, match="in use by another process"):
            list_runs(store, lock_timeout=0.5)
        assert time.monotonic() - start >= 0.4  # it waited before giving up
        # a run recording into it is refused before it writes anything
        import functools

        import digindex.store

        monkeypatch.setattr(digindex.store, "PendingRun",
                            functools.partial(digindex.store.PendingRun, lock_timeout=0))
        out = tmp_path / "out"
        with pytest.raises(InputError, match="in use by another process"):
            digindex.write_results(ev, out, store=store)
        assert not out.exists() or not any(out.iterdir())
    finally:
        proc.kill()
        proc.wait()
    assert list_runs(store)["run_id"].tolist() == ["r1"]  # usable once the holder is gone
