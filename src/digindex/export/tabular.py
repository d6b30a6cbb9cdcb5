"""CSV and Parquet files through DuckDB and pyarrow.

``write_csv`` gives the bytes pandas' ``to_csv(index=False)`` gave (same number formatting,
quoting and empty cells: DuckDB writes doubles as Python's ``repr`` does), several times
faster and without holding the text in memory; ``write_parquet`` writes the Arrow table.
"""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pandas as pd


def arrow_table(frame):
    """``frame`` (a DataFrame or an Arrow table) as an Arrow table written as pandas writes it:
    '' and NaN as empty cells, booleans as True/False."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    columns = []
    for column in table.columns:
        if pa.types.is_boolean(column.type):
            column = pc.if_else(column, "True", "False")
        elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            # DuckDB quotes an empty string ("") to tell it from NULL; pandas writes nothing
            column = pc.if_else(pc.equal(column, ""), pa.scalar(None, column.type), column)
        columns.append(column)
    return pa.table(columns, names=[str(c) for c in table.column_names])


def write_csv(frame, path) -> None:
    """``frame`` (a DataFrame or an Arrow table) to ``path`` as CSV with a header (DuckDB's writer)."""
    con = _database().cursor()  # a connection of its own: files are written side by side
    try:
        con.register("frame", arrow_table(frame))
        con.execute(f"COPY frame TO '{_quote(path)}' (FORMAT csv, HEADER)")
    finally:
        con.close()


_DATABASE = None
_DATABASE_LOCK = threading.Lock()


def _database():
    """One in-memory DuckDB for the process's CSV writers, each write on a cursor of it: a new
    database costs 15-20 ms (a run writes ten files), a cursor 1 ms. Without worker threads
    (``threads: 1``), each write runs on its caller's thread, so writes run side by side."""
    global _DATABASE
    with _DATABASE_LOCK:
        if _DATABASE is None:
            import duckdb

            _DATABASE = duckdb.connect(config={"threads": 1})
        return _DATABASE


def write_parquet(frame, path) -> None:
    """``frame`` (a DataFrame or an Arrow table) to ``path`` as Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, str(path))


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _quote(path) -> str:
    return str(Path(path)).replace("'", "''")


__all__ = ["arrow_table", "write_csv", "write_parquet", "sha256_file"]
