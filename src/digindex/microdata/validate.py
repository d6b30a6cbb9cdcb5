"""Validate a registry: every record is accepted or rejected with a reason, none is lost.

For each registry file, ``input rows = accepted + rejected``. A rejected record
keeps its typed values, the reason (its first failed check) and the offending
value (``detail``); :func:`check_registry` returns the accepted records as a
cached Ibis table (with ``county``, the current county code, and ``unit``, the
unit at the level being derived) and a :class:`RegistryReport`. Trusted
registries (``full=False``) keep only their region code, mapped to units after
the aggregation (:func:`.compile.aggregate`).

Check order: missing required fields and unreadable values (:mod:`.clean`);
impossible dates and statuses; region (no code and no coordinates; coordinates
in no county; unknown code); duplicates (a second record with the same key:
credit code, project or platform id, or credit code and year for revenue; the
first valid record in file order, or in value order for Parquet, is kept).

Region codes must be county-level units of GB/T 2260 as known to
:mod:`digindex.regions`; codes of units renamed or merged since 2013
(:data:`digindex.regions.CHANGES`) are moved to their successor and counted as
``remapped``. A record without a code but with coordinates (GCJ-02) is placed
by point in polygon (:mod:`.geo`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..errors import Problem
from .clean import barrier, trusted_value, typed
from .compile import CODE
from .engines import from_pandas, materialise
from .read import ROW, Source

EXAMPLES = 5


@dataclass
class RegistryReport:
    """Counts and examples of one registry's validation."""

    name: str
    file: str
    input_rows: int
    accepted: int
    rejected: int
    reasons: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[dict]] = field(default_factory=dict)
    geo_assigned: int = 0
    geo_unassigned: int = 0
    remapped: int = 0
    rejected_rows: pd.DataFrame | None = field(default=None, repr=False)
    pending: str | None = field(default=None, repr=False)  # trusted revenue: counted by the aggregation
    # trusted registries: a table of record counts (_n) per region code, counted with the aggregation
    # (one query for everything); the counts above are filled in from it
    deferred: object = field(default=None, repr=False)

    def problems(self) -> list[Problem]:
        """One warning per rejection reason, with counts and the first examples."""
        out = []
        for reason, n in sorted(self.reasons.items(), key=lambda kv: (-kv[1], kv[0])):
            ex = self.examples.get(reason, [])
            first = ex[0] if ex else {}
            shown = "; ".join(_describe(e) for e in ex)
            out.append(Problem(f"{n} of {self.input_rows} records rejected ({reason}): {shown}",
                               file=self.file, row=first.get("row"), column=_column_of(reason),
                               fix=FIXES.get(reason.split("_", 1)[0], FIXES.get(reason))))
        if self.geo_unassigned:
            out.append(Problem(f"{self.geo_unassigned} records have coordinates inside no county "
                               f"({self.geo_assigned} were placed by their coordinates)", file=self.file,
                               column="lon/lat", fix="check that coordinates are GCJ-02 longitude/latitude"))
        return out

    def to_dict(self) -> dict:
        return {"registry": self.name, "file": self.file, "input_rows": self.input_rows,
                "accepted": self.accepted, "rejected": self.rejected, "reasons": dict(self.reasons),
                "examples": self.examples, "geo_assigned": self.geo_assigned,
                "geo_unassigned": self.geo_unassigned, "remapped": self.remapped}


FIXES = {
    "missing": "fill in the field or delete the record",
    "bad": "correct the value (dates as YYYY-MM-DD, classes 01-05, years as e.g. 2022)",
    "impossible": "correct the date (not before 1900 nor after today)",
    "closed_before_founded": "correct the founding or closing date",
    "closed_in_future": "correct the closing date",
    "status_conflict": "active enterprises have no closing date; closed ones need one",
    "unknown_region": "use a current county-level GB/T 2260 code (see digindex.regions)",
    "no_region_at_coordinates": "check that lon/lat are GCJ-02 and inside China, or give the code",
    "duplicate": "keep one record per key",
    "unknown_enterprise": "add the enterprise to the enterprises registry, or correct the code",
}


def _column_of(reason: str) -> str | None:
    for prefix in ("missing_", "bad_"):
        if reason.startswith(prefix):
            return reason[len(prefix):]
    return {"impossible_founded": "founded", "closed_before_founded": "closed", "closed_in_future": "closed",
            "status_conflict": "status", "impossible_cloud_year": "cloud_year", "unknown_region": "region",
            "no_region_at_coordinates": "lon/lat", "unknown_enterprise": "credit_code"}.get(reason)


def _describe(example: dict) -> str:
    where = f"row {example['row']}" if example.get("row") is not None else example.get("key") or "?"
    return f"{where}: {example.get('detail')!r}" if example.get("detail") not in (None, "") else str(where)


def check_registry(con, source: Source, regions_map, enterprises=None, provinces=None, full=True):
    """(accepted Ibis table, RegistryReport, release) for one opened registry.

    The checked records are kept by the engine; call ``release()`` when done with them.
    With ``full=False`` (trusted registries, e.g. the accepted records of an earlier
    run) only region codes are checked, without coordinates or duplicates, and
    nothing is kept: records with an unknown code are still counted as rejected, by the
    aggregation's query (the report's ``deferred`` counts, filled in by the caller).
    """
    import ibis

    schema, cols = source.schema, source.columns
    if not full and (schema.region_via or "region" in cols):
        return _trusted(source, enterprises)
    t, checks = typed(source.table, schema, cols)
    t = t.mutate(_r0=ibis.cases(*[(c, r) for r, c, _ in checks], else_=ibis.null("string")),
                 _d0=ibis.cases(*[(c, d.cast("string")) for _, c, d in checks], else_=ibis.null("string")))
    t = barrier(t.drop(*[c for c in t.columns if c.startswith(("_raw_", "_bad_", "_cc_"))]))
    geo_assigned = geo_unassigned = 0
    if schema.region_via:  # revenue rows take the region of their enterprise
        ent = enterprises.select(_k=enterprises.credit_code, county=enterprises.county, unit=enterprises.unit)
        t = t.left_join(ent, t.credit_code == ent._k).drop("_k")
        region_checks = [("unknown_enterprise", t.county.isnull(), t.credit_code)]
    else:
        code = t.region.re_replace(r"\.0+$", "") if "region" in cols else ibis.null("string")
        t = t.mutate(_region=code)
        has_xy = ("lon" in cols and "lat" in cols)
        if has_xy:
            t, geo_assigned, geo_unassigned = _place(con, t, provinces)
        else:
            t = t.mutate(_geo=ibis.null("string"))
        t = t.mutate(_region=t._region.coalesce(t._geo))
        rm = regions_map.rename(_code="code")
        t = t.left_join(rm, t._region == rm._code).drop("_code")
        xy = (t.lon.notnull() & t.lat.notnull()) if has_xy else ibis.literal(False)
        region_checks = [
            ("missing_region", t._region.isnull() & ~xy, ibis.literal("")),
            ("no_region_at_coordinates", t._region.isnull() & xy,
             t.lon.cast("string").concat(",", t.lat.cast("string")) if has_xy else ibis.literal("")),
            ("unknown_region", t.county.isnull(), t._region),
        ]
    t = barrier(t)
    t = t.mutate(
        _r1=t._r0.coalesce(ibis.cases(*[(c, r) for r, c, _ in region_checks], else_=ibis.null("string"))),
        _d1=t._d0.coalesce(ibis.cases(*[(c, d.cast("string")) for _, c, d in region_checks],
                                      else_=ibis.null("string"))))
    t = barrier(t)
    key = [schema.key] if schema.key else ["credit_code", "year"]
    order = [t._r1.notnull()] + ([t[ROW]] if source.has_rows else [])
    for c in cols:
        order += [t[c].isnull(), t[c]]
    n = ibis.row_number().over(group_by=[t[k] for k in key], order_by=order)
    dup = (n > 0) & t._r1.isnull()
    for k in key:
        dup = dup & t[k].notnull()
    t = t.mutate(_reason=ibis.ifelse(dup, "duplicate", t._r1),
                 _detail=ibis.ifelse(dup, t[key[0]].cast("string"), t._d1))
    drop = [c for c in ("_r0", "_d0", "_r1", "_d1", "_geo") if c in t.columns]
    checked, release = materialise(con, t.drop(*drop))
    report = _report(source, checked, geo_assigned, geo_unassigned, key[0])
    accepted = checked.filter(checked._reason.isnull()).drop("_reason", "_detail")
    return accepted, report, release


def _trusted(source: Source, enterprises):
    """Light path for trusted registries: columns used as they are, region codes mapped later.

    Columns already of their kind's type are not touched (no trimming or case folding);
    others are converted as in full validation. The records keep their region code (revenue:
    its enterprise's) and get no unit: the aggregation groups them by code and maps the codes
    to units on its few thousand result rows (:func:`.compile.aggregate`), not record by
    record. Records with an unknown region code (or, for revenue, an unknown enterprise) are
    counted as rejected: the counts per code are left in the report's ``deferred`` table,
    computed with the aggregation (one query in all).
    """
    import ibis

    t = source.table
    conv = {}
    for c in source.columns:
        kind, col = source.schema.by_name[c].kind, t[c]
        if not _native(kind, col.type()):
            conv[c] = trusted_value(kind, col)
    t = t.mutate(**conv) if conv else t
    report = RegistryReport(source.name, source.file, 0, 0, 0, {})
    if source.schema.region_via:
        # Unmatched rows keep a null unit (or code); the aggregation counts them (see
        # compile.UNMATCHED), which saves a second join of the two registries.
        key = "unit" if "unit" in enterprises.columns else CODE  # a validated or a trusted registry
        ent = enterprises.select(_k=enterprises.credit_code, **{key: enterprises[key]})
        report.pending = "unknown_enterprise"
        report.deferred = t.aggregate(_n=t.count()).mutate(**{CODE: ibis.null("string")})
        return t.left_join(ent, t.credit_code == ent._k).drop("_k"), report, lambda: None
    report.pending = "unknown_region"
    report.deferred = t.group_by(CODE).aggregate(_n=t.count())  # a few thousand codes, checked later
    return t, report, lambda: None


def _native(kind: str, dtype) -> bool:
    return {"date": dtype.is_date(), "year": dtype.is_integer(), "money": dtype.is_numeric(),
            "int": dtype.is_integer(), "coord": dtype.is_floating(), "bool": dtype.is_boolean()
            }.get(kind, dtype.is_string())


def _place(con, t, provinces):
    """Add ``_geo``: the county of records with coordinates but no code (point in polygon)."""
    import ibis

    from . import geo

    need = t.filter(t._region.isnull() & t.lon.notnull() & t.lat.notnull())
    points = need.select("lon", "lat").distinct().to_pandas()
    if points.empty:
        return t.mutate(_geo=ibis.null("string")), 0, 0
    if provinces is None:
        seen = t.filter(t._region.notnull()).select(p=t._region.substr(0, 2)).distinct().to_pandas()
        provinces = sorted(p for p in seen["p"] if p and p.isdigit()) or None
    points["_geo"] = geo.assign(points["lon"], points["lat"], provinces)
    counts = need.group_by("lon", "lat").agg(_n=need.count()).to_pandas()
    counts = counts.merge(points, on=["lon", "lat"], how="left")
    assigned = int(counts.loc[counts["_geo"].notna(), "_n"].sum())
    unassigned = int(counts.loc[counts["_geo"].isna(), "_n"].sum())
    mt = from_pandas(con, points.rename(columns={"lon": "_lon", "lat": "_lat"}).astype({"_geo": "string"}))
    joined = t.left_join(mt, [t.lon == mt._lon, t.lat == mt._lat]).drop("_lon", "_lat")
    return joined, assigned, unassigned


def _report(source: Source, checked, geo_assigned, geo_unassigned, key) -> RegistryReport:
    moved = (checked._region != checked.county) if "_region" in checked.columns else None
    metrics = {"n": checked.count()}
    if moved is not None:
        metrics["moved"] = checked.count(where=moved)
    counts = checked.group_by("_reason").agg(**metrics).to_pandas()
    total = int(counts["n"].sum())
    reasons = {str(r): int(n) for r, n in zip(counts["_reason"], counts["n"]) if pd.notna(r)}
    rejected = sum(reasons.values())
    remapped = int(counts.loc[counts["_reason"].isna(), "moved"].sum()) if moved is not None else 0
    rows = None
    examples: dict[str, list[dict]] = {}
    if rejected:
        rej = checked.filter(checked._reason.notnull())
        rows = rej.drop(*[c for c in ("_region", "county", "unit") if c in rej.columns]).to_pandas()
        sort = [ROW] if ROW in rows else [key]
        rows = rows.sort_values(sort, kind="stable", na_position="last").reset_index(drop=True)
        for reason, grp in rows.groupby("_reason", sort=True):
            examples[str(reason)] = [
                {"row": int(r[ROW]) if ROW in grp and pd.notna(r[ROW]) else None,
                 "key": None if pd.isna(r.get(key)) else str(r.get(key)),
                 "detail": None if pd.isna(r["_detail"]) else str(r["_detail"])}
                for _, r in grp.head(EXAMPLES).iterrows()]
        rows = rows.rename(columns={"_reason": "reason", "_detail": "detail", ROW: "row"})
    return RegistryReport(source.name, source.file, total, total - rejected, rejected, reasons, examples,
                          geo_assigned, geo_unassigned, remapped, rows)
