"""Reconciliation of renamed, merged and split county-level units (Zhejiang).

Data series often use codes or names that were current when they were
collected. Each :class:`RegionChange` says what became of an old unit:

- ``renamed`` / ``merged``: the old code and name resolve to one current unit
  (``successor``), with a warning, because its data can be carried over;
- ``split``: the old unit went to several current units, so its data cannot be
  assigned automatically; looking it up is an error naming the successors;
- ``boundary``: the unit still exists under the same code but lost or gained
  area, so its series is not comparable across the change year (documentation
  only; lookups are unaffected).

The table lists the changes in Zhejiang since 2013; docs/regions.md shows it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RegionChange:
    old_code: str | None
    old_name: str
    year: int
    kind: str  # renamed | merged | split | boundary
    successors: tuple[str, ...]
    note: str

    @property
    def successor(self) -> str | None:
        """The single current unit the old one resolves to, or None for a split."""
        return self.successors[0] if self.kind in ("renamed", "merged") else None


CHANGES: tuple[RegionChange, ...] = (
    RegionChange("330621", "绍兴县", 2013, "renamed", ("330603",),
                 "绍兴县 became 柯桥区 of Shaoxing (Keqiao District)."),
    RegionChange("330682", "上虞市", 2013, "renamed", ("330604",),
                 "County-level city 上虞市 became 上虞区 of Shaoxing."),
    RegionChange("330183", "富阳市", 2014, "renamed", ("330111",),
                 "County-level city 富阳市 became 富阳区 of Hangzhou."),
    RegionChange("330322", "洞头县", 2015, "renamed", ("330305",),
                 "洞头县 became 洞头区 of Wenzhou."),
    RegionChange("330204", "江东区", 2016, "merged", ("330212",),
                 "江东区 of Ningbo was merged into 鄞州区 (some 鄞州 towns went to 海曙区 at the same time)."),
    RegionChange("330283", "奉化市", 2016, "renamed", ("330213",),
                 "County-level city 奉化市 became 奉化区 of Ningbo."),
    RegionChange("330185", "临安市", 2017, "renamed", ("330112",),
                 "County-level city 临安市 became 临安区 of Hangzhou."),
    RegionChange("331021", "玉环县", 2017, "renamed", ("331083",),
                 "玉环县 became the county-level city 玉环市 (Taizhou)."),
    RegionChange(None, "苍南县", 2019, "boundary", ("330327", "330383"),
                 "龙港市 (330383) was carved out of 苍南县 (330327); 苍南县 data before 2019 include 龙港."),
    RegionChange("330103", "下城区", 2021, "merged", ("330105",),
                 "Hangzhou 2021 reform: 下城区 was merged into 拱墅区."),
    RegionChange("330104", "江干区", 2021, "split", ("330102", "330114"),
                 "Hangzhou 2021 reform: 江干区 was abolished; most of it joined 上城区 (330102), "
                 "its 下沙 and 白杨 streets formed 钱塘区 (330114) with five streets of 萧山区."),
    RegionChange(None, "余杭区", 2021, "boundary", ("330110", "330113"),
                 "Hangzhou 2021 reform: 临平区 (330113) was carved out of 余杭区 (330110); "
                 "余杭区 data before 2021 include 临平."),
    RegionChange(None, "萧山区", 2021, "boundary", ("330109", "330114"),
                 "Hangzhou 2021 reform: five streets of 萧山区 (330109) went to the new 钱塘区 (330114)."),
)


def change_for(code_or_name: str) -> RegionChange | None:
    """The change recorded for an old code or old (full or short) name, if any.

    Only changes that retired a code or name count: a ``boundary`` entry is never
    returned, since its unit still exists.
    """
    from .names import short_name

    text = str(code_or_name).strip()
    for ch in CHANGES:
        if ch.kind == "boundary":
            continue
        if text in (ch.old_code, ch.old_name) or (text == short_name(ch.old_name)
                                                   and text != short_name_of_successor(ch)):
            return ch
    return None


def short_name_of_successor(ch: RegionChange) -> str | None:
    """The short name of a renamed unit's successor (临安市 -> 临安区 share 临安)."""
    from .names import short_name
    from .registry import registry

    succ = ch.successor
    if succ is None:
        return None
    region = registry().get(succ)
    return short_name(region.name) if region else None


def changes_table():
    """The reconciliation table as a DataFrame (old_code, old_name, year, kind, successors, note)."""
    import pandas as pd

    return pd.DataFrame([
        {"old_code": c.old_code or "", "old_name": c.old_name, "year": c.year, "kind": c.kind,
         "successors": " ".join(c.successors), "note": c.note} for c in CHANGES
    ])
