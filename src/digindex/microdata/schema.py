"""Schemas of the micro-data registries: canonical columns, types, Chinese aliases.

Four registries are known. Each column has a canonical English name, a kind
(how its cells are read and checked) and aliases, so files exported from
Chinese administrative systems load without renaming (统一社会信用代码,
行政区划代码, 行业分类, 成立日期, ...). Aliases are matched after removing
spaces and case; the first matching column wins and a second one is an error.

=================  ==========================================================
registry           columns (required in bold in docs/microdata.md)
=================  ==========================================================
enterprises        credit_code, name, region, nbs_class, founded, status,
                   closed, cloud, cloud_year, lon, lat
projects           project_id, name, region, type, year, planned_investment,
                   completed_investment
platforms          platform_id, name, region, level, year_recognised
software_revenue   credit_code, year, revenue (region via enterprises)
=================  ==========================================================

Each registry also declares its time fields: ``start``/``end`` (the years a
record is in operation, for stock windows) and ``event`` (the year of the
record's event, for flow and cumulative windows). The NBS classes are those of
《数字经济及其核心产业统计分类（2021）》 (NBS order No. 33, 2021): 01-04 the
core digital-economy industries, 05 digital efficiency improvement.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # code | text | region | class | date | year | int | money | bool | status | level | coord
    required: bool = False
    aliases: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class Schema:
    name: str
    columns: tuple[Column, ...]
    key: str | None                 # unique record key (duplicates are rejected)
    event: str | None = None        # default year field of flow and cumulative windows
    start: str | None = None        # stock window: in operation from this date/year ...
    end: str | None = None          # ... until this date/year (null: still in operation)
    region_via: tuple[str, str] | None = None  # (registry, key): region of the linked record
    doc: str = ""
    values: dict = field(default_factory=dict)

    @property
    def by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def year_fields(self) -> list[str]:
        """Columns that can serve as a window's year (dates are taken by their year)."""
        return [c.name for c in self.columns if c.kind in ("date", "year")]


REGION_ALIASES = ("region_code", "county", "county_code", "unit", "行政区划代码", "区划代码",
                  "所在地区代码", "所属区县代码", "区县代码", "地区代码")
LON = Column("lon", "coord", aliases=("longitude", "lng", "x", "经度"),
             doc="longitude, GCJ-02 (the system of the county boundaries)")
LAT = Column("lat", "coord", aliases=("latitude", "y", "纬度"), doc="latitude, GCJ-02")

ENTERPRISES = Schema(
    "enterprises",
    (
        Column("credit_code", "code", True, ("unified_social_credit_code", "uscc", "统一社会信用代码",
                                             "社会信用代码", "信用代码"),
               "18-character unified social credit code (GB 32100-2015)"),
        Column("name", "text", False, ("enterprise_name", "企业名称", "名称", "企业名"), "enterprise name"),
        Column("region", "region", False, REGION_ALIASES,
               "county-level GB/T 2260 code; may be empty when lon/lat are given"),
        Column("nbs_class", "class", True, ("class", "digital_class", "行业分类", "数字经济分类",
                                            "数字经济产业分类", "数字经济大类", "产业分类"),
               "NBS digital-economy class 01-05 (4- or 6-digit codes are cut to their 2-digit class)"),
        Column("founded", "date", True, ("founding_date", "established", "成立日期", "注册日期",
                                         "登记日期"), "founding (registration) date"),
        Column("status", "status", True, ("经营状态", "登记状态", "企业状态"),
               "active, deregistered or revoked (存续/在业/开业, 注销, 吊销)"),
        Column("closed", "date", False, ("closing_date", "closed_date", "注销日期", "吊销日期",
                                         "注销吊销日期"), "deregistration or revocation date"),
        Column("cloud", "bool", False, ("on_cloud", "是否上云", "上云"), "moved onto the cloud"),
        Column("cloud_year", "year", False, ("上云年份", "上云年度"), "year of moving onto the cloud"),
        LON, LAT,
    ),
    key="credit_code", event="founded", start="founded", end="closed",
    doc="digital-economy enterprises (NBS classes 01-05)",
)

PROJECTS = Schema(
    "projects",
    (
        Column("project_id", "text", True, ("id", "项目编号", "项目代码", "项目编码"), "project id"),
        Column("name", "text", False, ("project_name", "项目名称"), "project name"),
        Column("region", "region", False, REGION_ALIASES, "county-level GB/T 2260 code"),
        Column("type", "text", True, ("project_type", "项目类型", "类型"),
               "e.g. intelligent_transformation, digital_economy_investment"),
        Column("year", "year", True, ("start_year", "年度", "开工年份", "年份", "立项年份"),
               "year the project started"),
        Column("planned_investment", "money", True, ("planned", "计划总投资", "计划投资", "计划投资额"),
               "planned investment (10,000 yuan)"),
        Column("completed_investment", "money", False, ("completed", "完成投资", "已完成投资",
                                                        "累计完成投资"), "completed investment (10,000 yuan)"),
        LON, LAT,
    ),
    key="project_id", event="year",
    doc="intelligent-transformation and digital-economy investment projects",
)

PLATFORMS = Schema(
    "platforms",
    (
        Column("platform_id", "text", True, ("id", "平台编号", "平台代码"), "platform id"),
        Column("name", "text", False, ("platform_name", "平台名称"), "platform name"),
        Column("region", "region", False, REGION_ALIASES, "county-level GB/T 2260 code"),
        Column("level", "level", True, ("级别", "平台级别", "认定级别"),
               "provincial or national (省级, 国家级)"),
        Column("year_recognised", "year", True, ("year", "recognised", "认定年份", "认定年度", "年份"),
               "year the platform was recognised"),
        LON, LAT,
    ),
    key="platform_id", event="year_recognised",
    doc="industrial-internet platforms recognised at provincial or national level",
)

SOFTWARE_REVENUE = Schema(
    "software_revenue",
    (
        Column("credit_code", "code", True, ("统一社会信用代码", "社会信用代码", "信用代码"),
               "credit code of an enterprise in the enterprises registry"),
        Column("year", "year", True, ("年度", "年份"), "year"),
        Column("revenue", "money", True, ("营业收入", "收入", "软件业务收入"), "revenue (10,000 yuan)"),
    ),
    key=None, event="year", region_via=("enterprises", "credit_code"),
    doc="yearly revenue of software and IT-services enterprises (one row per enterprise and year)",
)

SCHEMAS: dict[str, Schema] = {s.name: s for s in (ENTERPRISES, PROJECTS, PLATFORMS, SOFTWARE_REVENUE)}

STATUS_VALUES = {
    "active": "active", "存续": "active", "在业": "active", "开业": "active", "在营": "active",
    "正常": "active", "deregistered": "deregistered", "注销": "deregistered", "已注销": "deregistered",
    "revoked": "revoked", "吊销": "revoked", "已吊销": "revoked", "吊销未注销": "revoked",
}
LEVEL_VALUES = {"provincial": "provincial", "省级": "provincial", "省": "provincial",
                "national": "national", "国家级": "national", "国家": "national"}
TRUE_VALUES = ("1", "true", "yes", "y", "t", "是")
FALSE_VALUES = ("0", "false", "no", "n", "f", "否", "")
CLASSES = ("01", "02", "03", "04", "05")
FIRST_YEAR = 1900  # earlier founding dates are treated as impossible


def _key(text: str) -> str:
    return "".join(str(text).split()).lower()


def match_columns(columns: list[str], schema: Schema) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Map file columns to canonical names: ({file column: canonical}, clashes).

    A clash is (canonical, first column, second column) when two file columns
    name the same canonical column.
    """
    lookup: dict[str, str] = {}
    for col in schema.columns:
        for alias in (col.name, *col.aliases):
            lookup.setdefault(_key(alias), col.name)
    mapping: dict[str, str] = {}
    taken: dict[str, str] = {}
    clashes = []
    for c in columns:
        canon = lookup.get(_key(c))
        if canon is None:
            continue
        if canon in taken:
            clashes.append((canon, taken[canon], c))
            continue
        taken[canon] = c
        mapping[c] = canon
    return mapping, clashes
