"""End to end in headless Chromium (Debian's /usr/bin/chromium driven by Playwright; no
browser download), through every gate:

- the county reporter cannot submit an empty draft; uploads the template with one bad cell
  (refused cell by cell), then with one value missing and one implausible (kept, flagged);
  cannot submit until the missing value has a reason and the flagged one an explanation;
- the city reviewer sees the flag and its explanation, approves; a second tab acting on the
  old version is refused (409) and the approval stands;
- the province admin sees the reporting progress; a run without the county shows 89/90 and
  cannot be published without a confirmation; after locking, the correction needs a change
  note; then it is published as version 2; the audit log is filtered and downloaded;
- the public dashboard shows version 2 and, on asking, the superseded version 1 (Tongxiang
  not reported); the version comparison says why units moved; search "tx" finds Tongxiang
  only; the profile prints every indicator; unknown URLs get an HTML page; in Chinese and
  English, at 1366 px and on a 390 px phone with the key values on screen.

Screenshots go to tests/artifacts/web/ (git-ignored)."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from test_web_support import PASSWORD, world

from digindex.web import indicators  # noqa: E402
from digindex.web.testing import ServerProcess  # noqa: E402

CHROMIUM = os.environ.get("DIGINDEX_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=zh-CN"]
ARTIFACTS = Path(os.environ.get("DIGINDEX_ARTIFACTS", Path(__file__).resolve().parent / "artifacts")) / "web"
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
N = len(indicators.info().indicators)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install -y chromium)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ignore = ARTIFACTS.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    profile = tempfile.mkdtemp(prefix="digindex-chromium-")          # a fresh --user-data-dir
    with sync_api.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
                                                   viewport=DESKTOP, accept_downloads=True, locale="zh-CN")
        try:
            yield ctx, sync_api.expect
        finally:
            ctx.close()
            shutil.rmtree(profile, ignore_errors=True)


class Flow:
    def __init__(self, page, base: str):
        self.page, self.base, self.n = page, base, 0

    def shot(self, name: str, full: bool = True) -> None:
        self.n += 1
        self.page.screenshot(path=str(ARTIFACTS / f"{self.n:02d}_{name}.png"), full_page=full)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def login(self, username: str) -> None:
        self.go("/login")
        self.page.fill("#login-form input[name=username]", username)
        self.page.fill("#login-form input[name=password]", PASSWORD)
        self.page.click("#login-form button[type=submit]")
        self.page.wait_for_url(self.base + "/work")

    def logout(self) -> None:
        self.page.click("header form.inline button")
        self.page.wait_for_url(self.base + "/")

    def inside(self, selector: str, box: str) -> bool:
        """Whether every element matching ``selector`` is shown whole inside ``box`` (not scrolled away)."""
        return self.page.evaluate("""([sel, box]) => { const b = document.querySelector(box).getBoundingClientRect();
            return [...document.querySelectorAll(sel)].every(e => { const r = e.getBoundingClientRect();
                return r.left >= b.left - 0.5 && r.right <= b.right + 0.5; }); }""", [selector, box])

    def on_screen(self, selector: str) -> bool:
        """Whether every element matching ``selector`` lies within the viewport's width."""
        width = self.page.viewport_size["width"]
        return self.page.evaluate("""([sel, w]) => [...document.querySelectorAll(sel)].every(e => {
            const r = e.getBoundingClientRect(); return r.left >= -0.5 && r.right <= w + 0.5; })""", [selector, width])


def _fill(path: Path, out: Path, bad_cell: str | None = None, empty: str | None = None,
          boost: tuple[str, float] | None = None) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb["data"]
    for r in range(2, ws.max_row + 1):
        ind = indicators.info().indicator(ws[f"A{r}"].value)
        value = round((ws[f"F{r}"].value or 10.0) * 1.02, 4)
        if boost and ind.id == boost[0]:
            value = round((ws[f"F{r}"].value or 10.0) * boost[1], 4)
        ws[f"G{r}"] = None if ind.id == empty else min(ind.hi or 1e12, value)
    if bad_cell:
        ws[bad_cell] = "12..5"
    wb.save(out)


def test_every_gate_from_reporter_to_public(browser, tmp_path):
    ctx, expect = browser
    url = world("sqlite").copy(tmp_path)
    server = ServerProcess(url, log=tmp_path / "server.log").start()
    page = ctx.new_page()
    outside, errors = [], []
    local = (server.base, "data:", "blob:")
    page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    f = Flow(page, server.base)
    slow = {"timeout": 120_000}
    try:
        # -- the county reporter --------------------------------------------------------------
        f.login("rep_tx")
        page.fill("#new-submission input[name=year]", "2022")
        page.click("#new-submission button[type=submit]")
        expect(page.locator("#sub-title")).to_contain_text("桐乡市 · 2022")
        sid = page.url.rstrip("/").split("/")[-1].split("?")[0]
        page.click("#action-submit")                                                 # gate: empty draft
        expect(page.locator("#flash")).to_contain_text(f"还有{N}项需处理，暂不能提交")
        expect(page.locator("#problems tr.problem")).to_have_count(N)
        expect(page.locator("#sub-state")).to_have_text("草稿")
        f.shot("reporter_empty_draft_refused")
        with page.expect_download() as dl:
            page.click("#template-link")
        template = tmp_path / "template.xlsx"
        dl.value.save_as(template)
        _fill(template, tmp_path / "bad.xlsx", bad_cell="G6")
        page.set_input_files("#upload-form input[type=file]", str(tmp_path / "bad.xlsx"))
        page.click("#upload-form button[type=submit]")
        expect(page.locator("#problems .cell")).to_have_text(["G6"])
        expect(page.locator("#problems")).to_contain_text("不是数值：'12..5'")
        f.shot("reporter_upload_error")
        _fill(template, tmp_path / "good.xlsx", empty="iiot_platforms", boost=("cloud_ent_rate", 3.0))
        page.set_input_files("#upload-form input[type=file]", str(tmp_path / "good.xlsx"))
        page.click("#upload-form button[type=submit]")
        expect(page.locator("#flash")).to_have_text("已保存")
        expect(page.locator("#sub-version")).to_have_text("2")
        expect(page.locator("#warnings li[data-indicator=cloud_ent_rate]")).to_contain_text("较上年变化+200%")
        expect(page.locator("#completeness")).to_contain_text(f"{N - 1}/{N}")
        page.click("#action-submit")                                                 # gate: reason, explanation
        expect(page.locator("#flash")).to_contain_text("暂不能提交")
        expect(page.locator("#problems")).to_contain_text("没有数值，也没有说明原因")
        expect(page.locator("#problems")).to_contain_text("需要解释")
        flagged = page.locator("#warnings li").evaluate_all("els => els.map(e => e.dataset.indicator)")
        page.fill("input[name=n_iiot_platforms]", "本年度平台认定结果尚未公布")
        for ind in flagged:
            page.fill(f"input[name=n_{ind}]", "新增上云补贴政策，企业集中上云")
        page.click("#save-values")
        expect(page.locator("#flash")).to_have_text("已保存")
        page.click("#action-submit")
        expect(page.locator("#sub-state")).to_have_text("已提交")
        f.shot("reporter_submitted")
        page.set_viewport_size(PHONE)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert f.on_screen("#values-table tbody tr[data-indicator=cloud_ent_rate] td")
        f.shot("reporter_submission_phone_390")
        page.set_viewport_size(DESKTOP)
        f.logout()
        # -- the city reviewer: sees the flag, approves; a stale tab is refused --------------
        f.login("rev_jx")
        stale = ctx.new_page()
        stale.goto(f"{server.base}/work/submissions/{sid}")
        f.go(f"/work/submissions/{sid}")
        expect(page.locator("#warnings")).to_contain_text("新增上云补贴政策")
        page.click("#action-approve")
        expect(page.locator("#sub-state")).to_have_text("已审核")
        stale.fill("#transition-form input[name=comment]", "请核对上云企业数")
        stale.click("#action-return")
        expect(stale.locator("#flash")).to_contain_text("已被rev_jx于")
        expect(stale.locator("#sub-state")).to_have_text("已审核")                   # the approval stands
        stale.screenshot(path=str(ARTIFACTS / "00_reviewer_stale_tab_refused.png"), full_page=False)
        stale.close()
        f.logout()
        # -- the province admin -------------------------------------------------------------
        f.login("admin")
        f.go("/work/progress?year=2022")
        expect(page.locator("#progress-counties tr[data-unit='330483']")).to_contain_text("已审核")
        expect(page.locator("#progress-cities tfoot [data-state=locked]")).to_have_text("89")
        f.shot("admin_progress")
        f.go("/work/admin")
        page.fill("#run-form input[name=year]", "2022")
        page.fill("#run-form input[name=uncertainty_runs]", "0")
        page.click("#run-form button[type=submit]")
        expect(page.locator("#coverage li[data-population=county]")).to_contain_text("89/90", **slow)
        expect(page.locator("#preview tr.not-reported")).to_have_count(1)
        page.fill("#publish-form input[name=change_note]", "补报前重新计算")
        page.click("#publish")                                                      # gate: coverage
        expect(page.locator("#flash")).to_contain_text("有1个地区未报送")
        expect(page.locator("#run-status")).to_have_text("预览")
        f.shot("admin_publish_missing_refused")
        f.go("/work/admin")
        page.fill("#lock-form input[name=year]", "2022")
        page.click("#lock-form button[type=submit]")
        expect(page.locator("#flash")).to_have_text("已锁定2022年的1份填报。")
        page.fill("#run-form input[name=year]", "2022")
        page.fill("#run-form input[name=uncertainty_runs]", "30")
        page.click("#run-form button[type=submit]")
        expect(page.locator("#coverage li[data-population=county]")).to_contain_text("90/90", **slow)
        page.click("#publish")                                                      # gate: a correction's note
        expect(page.locator("#flash")).to_contain_text("更正须填写更正说明")
        page.fill("#publish-form input[name=change_note]", "补充桐乡市2022年数据 / Tongxiang 2022 added")
        page.click("#publish")
        expect(page.locator("#run-status")).to_have_text("已发布")
        f.go("/work/admin/audit?user=rep_tx")
        expect(page.locator("#audit tbody tr").first).to_be_visible()
        with page.expect_download() as dl:
            page.click("#audit-csv")
        assert dl.value.suggested_filename == "audit.csv"
        f.shot("admin_audit_log")
        f.logout()
        # -- the public ------------------------------------------------------------------------
        f.go("/")
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("#ranking tbody tr")).to_have_count(90)
        expect(page.locator("#version")).to_contain_text("2022 · 版本 2")
        expect(page.locator("#change-note")).to_contain_text("Tongxiang 2022 added")
        expect(page.locator("#superseded")).to_be_hidden()
        box = page.locator("#map").bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.45)
        for col in ("score", "tier", "change"):                                     # key columns in view
            assert f.inside(f"#ranking tbody tr:nth-child(-n+5) td.{col}", "#ranking-wrap"), col
        f.shot("public_dashboard_zh_1366", full=False)
        page.fill("#f-q", "tx")                                                     # no false matches
        expect(page.locator("#ranking tbody tr")).to_have_count(1)
        expect(page.locator("#ranking tbody tr")).to_contain_text("桐乡市")
        page.fill("#f-q", "")
        page.select_option("#f-city", "3304")
        expect(page.locator("#ranking tbody tr")).to_have_count(7)
        page.select_option("#f-version", "1")                                       # the superseded version
        expect(page.locator("#version")).to_contain_text("版本 1")
        expect(page.locator("#superseded")).to_contain_text("第2版取代")
        expect(page.locator("#ranking tbody tr").last).to_contain_text("未报送")
        expect(page.locator("#ranking tbody tr.not-reported")).to_have_count(1)
        f.shot("public_superseded_v1", full=False)
        f.go("/compare/versions?year=2022&a=1&b=2")
        expect(page.locator("#versions tbody tr[data-unit='330483'] .reasons")).to_contain_text("报送范围变化")
        expect(page.locator("#versions tbody tr").first).to_be_visible()
        f.shot("public_versions_compared")
        f.go("/units/330483")
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("#kpi-tier")).not_to_have_text("—")
        expect(page.locator("#basis-note")).to_contain_text("2022年第2版口径")
        f.shot("public_profile_zh_1366")
        page.emulate_media(media="print")                                           # every indicator on paper
        rows = page.locator("#indicators tbody tr[data-node]")
        expect(rows).to_have_count(N)
        assert page.evaluate("""() => { const w = document.querySelector('#indicators').closest('.table-wrap');
            return w.scrollHeight <= w.clientHeight + 1 && getComputedStyle(w).overflowY === 'visible'; }""")
        assert all(b["height"] > 0 for b in rows.evaluate_all("els => els.map(e => e.getBoundingClientRect())"))
        page.emulate_media(media="screen")
        f.go("/no/such/page")
        expect(page.locator("h1")).to_contain_text("404 · 未找到")
        page.click("#lang-en")                                                      # English
        expect(page.locator("h1")).to_contain_text("404 · Not found")
        f.go("/units/330483")
        expect(page.locator("#unit-name")).to_contain_text("Tongxiang City")
        expect(page.locator("#kpi-tier")).to_contain_text("Tier")
        page.wait_for_selector("body[data-ready='1']")
        assert f.inside("#aspects-table td", "#aspects-table")
        assert f.inside("#aspects-table", "#aspects-table-wrap")
        f.shot("public_profile_en_1366")
        f.go("/")
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("header nav a.active").first).to_have_text("Results")
        for col in ("score", "tier", "change"):
            assert f.inside(f"#ranking tbody tr:nth-child(-n+5) td.{col}", "#ranking-wrap"), col
        f.shot("public_dashboard_en_1366", full=False)
        # -- a phone --------------------------------------------------------------------------
        page.set_viewport_size(PHONE)
        f.go("/?population=county&lang=zh")
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("#ranking tbody tr")).to_have_count(90)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        for col in ("score", "tier", "change"):                                     # the values stay visible
            assert f.on_screen(f"#ranking tbody tr:nth-child(-n+5) td.{col}"), col
            assert f.inside(f"#ranking tbody tr:nth-child(-n+5) td.{col}", "#ranking-wrap"), col
        f.shot("public_dashboard_phone_390")
        f.go("/units/330483")
        page.wait_for_selector("body[data-ready='1']")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert f.on_screen("#indicators td") and f.on_screen(".kpi .value")
        f.shot("public_profile_phone_390")
        f.go("/compare/versions?year=2022&a=1&b=2")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        f.shot("public_versions_phone_390")
        page.set_viewport_size(DESKTOP)
        assert outside == [], f"requests left the server: {outside[:5]}"
        assert errors == [], errors
        assert " 500 " not in (tmp_path / "server.log").read_text()
    finally:
        page.close()
        server.stop()
