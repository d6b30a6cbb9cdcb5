"""Build the HDI 2021 example from UNDP's composite-indices time series.

Keeps the 191 countries with all four 2021 components (life expectancy, expected
and mean years of schooling, GNI per capita) and writes ``data.csv`` (UTF-8) here.
The framework, ``framework.yaml``, is written by hand from HDR Technical note 1.

Run: ``python examples/hdi2021/build.py [path/to/shared/validation/hdi-2021]``.
Source: UNDP (2022) Human Development Report 2021/22.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).parent
DEFAULT_SRC = HERE.parents[1] / ".." / "shared" / "validation" / "hdi-2021"
FILE = "HDR21-22_Composite_indices_complete_time_series.csv"
COMPONENTS = ["le_2021", "eys_2021", "mys_2021", "gnipc_2021"]


def complete_rows(src: Path) -> list[dict]:
    with open(src / FILE, encoding="latin-1") as fh:
        return [r for r in csv.DictReader(fh) if all(r[c].strip() for c in COMPONENTS)]


def build(src: Path) -> None:
    rows = complete_rows(src)
    with open(HERE / "data.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["unit", "name", "year", "le", "eys", "mys", "gnipc"])
        for r in rows:
            w.writerow([r["iso3"], r["country"], 2021] + [r[c] for c in COMPONENTS])


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SRC)
