"""The same framework on PySpark (through Ibis) gives the same tables and reports as DuckDB.

Skipped only where pyspark is not installed (CI installs it with the spark extra). One local
session (local[2], 127.0.0.1) serves the whole module.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyspark")

from digindex.demo import credit_code, generate  # noqa: E402
from digindex.frameworks import builtin_framework_path  # noqa: E402
from digindex.microdata import derive_with_reports  # noqa: E402
from digindex.microdata.engines import spark_session_for  # noqa: E402

from test_microdata_derive import STATS  # noqa: E402
from test_microdata_derive import case as handbuilt  # noqa: E402,F401


@pytest.fixture(scope="module")
def spark():
    return spark_session_for()


def _same(a, b):
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    assert {k: r.to_dict() for k, r in a.reports.items()} == {k: r.to_dict() for k, r in b.reports.items()}


def test_handbuilt_registry(handbuilt, spark):  # noqa: F811 (fixture imported above)
    args = (handbuilt["framework"], handbuilt["registries"], STATS)
    _same(derive_with_reports(*args), derive_with_reports(*args, engine="spark", spark_session=spark))


def test_trusted_registries(handbuilt, spark):  # noqa: F811
    """Trusted records are grouped by region code and mapped to units afterwards, on Spark too."""
    args = (handbuilt["framework"], handbuilt["registries"], STATS)
    _same(derive_with_reports(*args, validate=False),
          derive_with_reports(*args, engine="spark", spark_session=spark, validate=False))


def _with_bad_rows(path, out):
    """The demo enterprises plus records to reject and records placed by their coordinates."""
    ent = pd.read_parquet(path)
    first = ent.iloc[0]
    fresh = credit_code.generate(np.array(["330483", "330483"]), np.random.default_rng(99))
    extra = pd.DataFrame([
        {**first, "nbs_class": "05"},                                    # duplicate credit code
        {**first, "credit_code": first["credit_code"][:17] + ("0" if first["credit_code"][17] != "0"
                                                              else "1")},  # wrong check character
        {**ent.iloc[1], "credit_code": "91330483MA2B0000X0", "county": "339999"},
        {**ent.iloc[2], "credit_code": fresh[0], "county": None, "lon": 120.487, "lat": 30.742},  # 乌镇
        {**ent.iloc[3], "credit_code": fresh[1], "county": None, "lon": 123.5, "lat": 29.0},      # at sea
    ])
    both = pd.concat([ent.assign(lon=float("nan"), lat=float("nan")), extra], ignore_index=True)
    both["cloud_year"] = both["cloud_year"].astype("Int16")
    both.to_parquet(out, index=False)
    return out


def test_reduced_demo_with_rejections_and_coordinates(tmp_path, spark):
    paths = generate(tmp_path / "demo", n_enterprises=3_000, n_projects=800)
    table = pd.read_csv(paths["cities_csv"], dtype={"unit": str})
    stats = table[["unit", "year", "population", "industrial_enterprises"]]
    regs = {k: paths[k] for k in ("enterprises", "software_revenue", "projects", "platforms")}
    regs["enterprises"] = _with_bad_rows(paths["enterprises"], tmp_path / "enterprises.parquet")
    fw = builtin_framework_path("zhejiang")
    duck = derive_with_reports(fw, regs, stats, level="prefecture")
    on_spark = derive_with_reports(fw, regs, stats, level="prefecture", engine="spark", spark_session=spark)
    _same(duck, on_spark)
    assert on_spark.engine == "spark" and len(on_spark.table) == len(stats) == 66
    rep = on_spark.reports["enterprises"]
    assert rep.reasons == {"duplicate": 1, "bad_credit_code": 2, "no_region_at_coordinates": 1}
    assert rep.geo_assigned == 1 and rep.input_rows == rep.accepted + rep.rejected == 3_005
    a, b = (d.reports["enterprises"].rejected_rows for d in (duck, on_spark))
    pd.testing.assert_frame_equal(a.astype(object).where(a.notna(), None),
                                  b.astype(object).where(b.notna(), None), check_dtype=False)
