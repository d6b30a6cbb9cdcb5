"""Reading speed: the pyarrow CSV reader gives what pandas gave, and loading is fast.

The fast path must be invisible: every CSV it accepts reads to the same table of strings as
pandas' reader (which still reads everything the fast path declines, with its messages).
"""
from __future__ import annotations

import io
import time
from pathlib import Path

import pandas as pd
import pytest

from digindex import load_data, load_framework
from digindex.data import readers

ROOT = Path(__file__).resolve().parents[1]

SAMPLES = {
    "plain": "unit,year,x\nA,2020,1\nB,2020,2.5\n",
    "spaces": " unit , year ,x \n A , 2020 ,  1 \nB,2020,\n",
    "crlf": "unit,year,x\r\nA,2020,1\r\nB,2020,na\r\n",
    "quoted": 'unit,year,x\n"A, the first",2020,"1"\nB,2020,""\n',
    "newline in a cell": 'unit,year,note\n"A\nsecond line",2020,x\n',
    "space before a quote": 'unit,year,x\nA, "1,5",2\n',
    "blank lines": "unit,year,x\n\nA,2020,1\n\n\nB,2020,2\n",
    "chinese": "地区,年份,指标\n浙江,2020,1\n江苏,2020,２\n",
    "full-width space": "unit,year,x\n\u3000A\u3000,2020,1\n",
    "only a header": "unit,year,x\n",
    "empty cells": "unit,year,x,y\nA,2020,,\n,,,\n",
    "unnamed column": "unit,,x\nA,1,2\n",
    "duplicate header": "unit,x,x\nA,1,2\n",
    "short row": "unit,year,x\nA,2020\n",
    "trailing comma": "unit,year,x\nA,2020,1,\nB,2021,2,\n",
}


def _pandas(text: str) -> pd.DataFrame:
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    return readers._finish(df, "f.csv", None)


@pytest.mark.parametrize("name", list(SAMPLES))
def test_the_arrow_reader_reads_as_pandas_or_declines(name):
    text = SAMPLES[name]
    fast = readers._read_csv_arrow(text.encode("utf-8"), text)
    if fast is None:
        return  # pandas reads it, as before
    pd.testing.assert_frame_equal(fast, _pandas(text))


def test_the_arrow_reader_takes_the_usual_files():
    for name in ("plain", "spaces", "crlf", "quoted", "newline in a cell", "chinese", "only a header",
                 "empty cells", "blank lines"):
        text = SAMPLES[name]
        assert readers._read_csv_arrow(text.encode("utf-8"), text) is not None, name


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("examples/*/*.csv")))
def test_example_files_read_as_pandas_did(path):
    raw = (ROOT / path).read_bytes()
    text = readers.decode_text(raw, path)
    fast = readers._read_csv_arrow(raw, text)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, _pandas(text))


def test_gb18030_file_reads_as_utf8(tmp_path):
    text = "地区,年份,x\n浙江省,2020,1\n"
    (tmp_path / "gb.csv").write_bytes(text.encode("gb18030"))
    (tmp_path / "u8.csv").write_bytes(("\ufeff" + text).encode("utf-8"))
    gb = readers.read_sheets(tmp_path / "gb.csv")[None]
    u8 = readers.read_sheets(tmp_path / "u8.csv")[None]
    pd.testing.assert_frame_equal(gb, u8)
    pd.testing.assert_frame_equal(gb, _pandas(text))


def test_asem_loads_fast():
    # benchmarks/startup.py measures the target (20 ms on an idle machine, it took 70-110 ms);
    # here a bound that a busy machine still meets, and a return to the old path would not:
    # CPU time, the best of ten (small files are read on one thread)
    fw = load_framework(ROOT / "examples/asem/framework.yaml")
    load_data(ROOT / "examples/asem/data.csv", framework=fw)  # first use: imports, registry
    best = min(_timed(lambda: load_data(ROOT / "examples/asem/data.csv", framework=fw)) for _ in range(10))
    assert best < 0.050, f"ASEM's CSV loaded in {best * 1000:.1f} ms of CPU"


def _timed(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start
