"""Execution engines for derivations: DuckDB in-process (default) or PySpark, both via Ibis.

Derivations are Ibis expressions (https://ibis-project.org), so the same
framework runs unchanged on either backend:

- ``duckdb``: ``ibis.duckdb.connect()``, in-process, all cores. Set
  ``DIGINDEX_DUCKDB_MEMORY`` (e.g. ``3GB``) to cap its memory; DuckDB spills to
  disk beyond it.
- ``spark``: ``ibis.pyspark.connect(session)`` on a SparkSession. Without a
  master URL the session is local (``local[2]``, bound to 127.0.0.1 with
  ``SPARK_LOCAL_IP``); with ``spark_master`` (``spark://host:7077``, ``yarn``,
  ``k8s://...``) it joins that cluster. Extra Spark settings come from
  ``spark_conf`` or the usual ``spark-defaults.conf``/``SPARK_CONF_DIR``.
  Needs the ``digindex[spark]`` extra (pyspark) and Java 17 or newer.

An existing session is reused (``SparkSession.builder.getOrCreate``), so a
process pays Spark's start-up once.
"""
from __future__ import annotations

import os

from ..errors import InputError, Problem

ENGINES = ("duckdb", "spark")


def connect(engine: str = "duckdb", spark_master: str | None = None, spark_conf: dict | None = None,
            spark_session=None):
    """An Ibis backend for ``engine``."""
    import ibis

    if engine == "duckdb":
        config = {}
        if os.environ.get("DIGINDEX_DUCKDB_MEMORY"):
            config["memory_limit"] = os.environ["DIGINDEX_DUCKDB_MEMORY"]
        return ibis.duckdb.connect(**config)
    if engine == "spark":
        session = spark_session or spark_session_for(spark_master, spark_conf)
        return ibis.pyspark.connect(session)
    raise InputError(Problem(f"unknown engine {engine!r}", fix="use --engine duckdb or --engine spark"))


def spark_session_for(master: str | None = None, conf: dict | None = None):
    """A SparkSession: local[2] on 127.0.0.1 by default, or joining ``master``."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError(Problem("the spark engine needs pyspark",
                                 fix="pip install 'digindex[spark]' (and Java 17+), or use --engine duckdb")) \
            from None
    local = master is None or master.startswith("local")
    if local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master(master or "local[2]").appName("digindex-derive")
    settings = {"spark.sql.session.timeZone": "UTC", "spark.sql.ansi.enabled": "false"}
    if local:
        import tempfile

        warehouse = os.path.join(tempfile.gettempdir(), "digindex-spark-warehouse")  # not ./spark-warehouse
        settings.update({"spark.sql.warehouse.dir": warehouse,
                         "spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1",
                         "spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
                         "spark.sql.shuffle.partitions": "4",
                         "spark.default.parallelism": "2"})
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def engine_name(con) -> str:
    return "spark" if con.name == "pyspark" else con.name


def materialise(con, expr):
    """(table, release) with ``expr`` computed once and kept by the engine until ``release()``.

    DuckDB: a temporary table (dropped with plain SQL, which works with every
    sqlglot version); Spark: a persisted DataFrame (Ibis's cache).
    """
    import uuid

    if con.name == "duckdb":
        name = f"_digindex_{uuid.uuid4().hex}"
        table = con.create_table(name, expr, temp=True)
        return table, lambda: con.raw_sql(f'DROP TABLE IF EXISTS "{name}"')
    cached = expr.cache()
    return cached, cached.release


def from_pandas(con, df):
    """A small pandas DataFrame as a table of the engine (registered, so Spark caches can see it)."""
    import uuid

    import ibis

    if con.name == "duckdb":
        return ibis.memtable(df)
    name = f"_digindex_{uuid.uuid4().hex}"
    session = con._session  # the SparkSession behind ibis.pyspark.connect
    types = {"i": "bigint", "u": "bigint", "f": "double", "b": "boolean"}
    ddl = ", ".join(f"`{c}` {types.get(df[c].dtype.kind, 'string')}" for c in df.columns)
    # Arrow ships the rows to the JVM directly: executors need no Python for digindex
    session.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
    session.createDataFrame(df, schema=ddl).createOrReplaceTempView(name)
    return con.table(name)
