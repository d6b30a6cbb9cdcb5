"""End to end in headless Chromium (Debian's /usr/bin/chromium driven by Playwright; no
browser download): a reporter downloads the template, uploads it with one error, fixes it
and submits; the city reviewer approves; the province admin locks, runs and publishes;
the public dashboard shows the map and the ranking, in Chinese and English, on a desktop
and on a 390 px phone screen. Screenshots go to tests/artifacts/web/ (git-ignored)."""
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
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("DIGINDEX_ARTIFACTS", Path(__file__).resolve().parent / "artifacts")) / "web"


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
                                                   viewport={"width": 1280, "height": 900}, accept_downloads=True,
                                                   locale="zh-CN")
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

    def login(self, username: str) -> None:
        self.page.goto(self.base + "/login")
        self.page.fill("#login-form input[name=username]", username)
        self.page.fill("#login-form input[name=password]", PASSWORD)
        self.page.click("#login-form button[type=submit]")
        self.page.wait_for_url(self.base + "/work")

    def logout(self) -> None:
        self.page.click("header form.inline button")
        self.page.wait_for_url(self.base + "/")


def _fill(path: Path, out: Path, bad_cell: str | None = None) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb["data"]
    for r in range(2, ws.max_row + 1):
        hi = indicators.info().indicator(ws[f"A{r}"].value).hi or 1e12
        ws[f"G{r}"] = min(hi, round((ws[f"F{r}"].value or 10.0) * 1.03, 4))
    if bad_cell:
        ws[bad_cell] = "12..5"
    wb.save(out)


def test_report_review_publish_and_dashboard(browser, tmp_path):
    ctx, expect = browser
    url = world("sqlite").copy(tmp_path)
    server = ServerProcess(url, log=tmp_path / "server.log").start()
    page = ctx.new_page()
    outside, errors = [], []
    local = (server.base, "data:", "blob:")
    page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    f = Flow(page, server.base)
    try:
        # -- the reporter: template, upload with one error, fix, submit --------------------
        f.login("rep_tx")
        page.fill("#new-submission input[name=year]", "2022")
        page.click("#new-submission button[type=submit]")
        expect(page.locator("#sub-title")).to_contain_text("桐乡市 · 2022")
        sid = page.url.rstrip("/").split("/")[-1]
        with page.expect_download() as dl:
            page.click("#template-link")
        template = tmp_path / "template.xlsx"
        dl.value.save_as(template)
        _fill(template, tmp_path / "bad.xlsx", bad_cell="G6")
        page.set_input_files("#upload-form input[type=file]", str(tmp_path / "bad.xlsx"))
        page.click("#upload-form button[type=submit]")
        expect(page.locator("#problems .cell")).to_have_text(["G6"])
        expect(page.locator("#problems")).to_contain_text("not a number: '12..5'")
        f.shot("upload_with_error")
        _fill(template, tmp_path / "good.xlsx")
        page.set_input_files("#upload-form input[type=file]", str(tmp_path / "good.xlsx"))
        page.click("#upload-form button[type=submit]")
        expect(page.locator("#flash")).to_have_text("saved")
        expect(page.locator("#sub-version")).to_have_text("2")
        page.click("#action-submit")
        expect(page.locator("#sub-state")).to_have_text("已提交")
        f.shot("submitted")
        f.logout()
        # -- the city reviewer approves ---------------------------------------------------------
        f.login("rev_jx")
        page.goto(f"{server.base}/work/submissions/{sid}")
        page.click("#action-approve")
        expect(page.locator("#sub-state")).to_have_text("已审核")
        f.logout()
        # -- the province admin locks, runs, previews and publishes ------------------------------
        f.login("admin")
        page.goto(server.base + "/work/admin")
        page.fill("#lock-form input[name=year]", "2022")
        page.click("#lock-form button[type=submit]")
        expect(page.locator("#flash")).to_have_text("locked 1")
        page.fill("#run-form input[name=year]", "2022")
        page.fill("#run-form input[name=uncertainty_runs]", "50")
        page.click("#run-form button[type=submit]")
        expect(page.locator("#run-status")).to_have_text("preview")
        expect(page.locator("#preview tbody tr")).to_have_count(90)
        f.shot("run_preview")
        page.fill("#publish-form input[name=change_note]", "补充桐乡市2022年数据 / Tongxiang 2022 added")
        page.click("#publish")
        expect(page.locator("#run-status")).to_have_text("published")
        f.logout()
        # -- the public dashboard -------------------------------------------------------------
        page.goto(server.base + "/")
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("#ranking tbody tr")).to_have_count(90)
        expect(page.locator("#version")).to_contain_text("2022 · 版本 2")
        expect(page.locator("#change-note")).to_contain_text("Tongxiang 2022 added")
        box = page.locator("#map").bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.45)
        f.shot("dashboard_zh", full=False)
        page.fill("#f-q", "tongxiang")
        expect(page.locator("#ranking tbody tr")).to_have_count(1)
        expect(page.locator("#ranking tbody tr")).to_contain_text("桐乡市")
        page.fill("#f-q", "")
        page.select_option("#f-city", "3304")
        expect(page.locator("#ranking tbody tr")).to_have_count(7)
        page.click("#ranking th[data-key=score]")
        page.select_option("#f-pop", "city")
        expect(page.locator("#ranking tbody tr")).to_have_count(11)
        f.shot("dashboard_cities", full=False)
        page.click("a[href='?lang=en']")
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("header nav a.active").first).to_have_text("Results")
        # -- a phone --------------------------------------------------------------------------
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(server.base + "/?population=county")
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("#ranking tbody tr")).to_have_count(90)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        f.shot("dashboard_phone_390")
        page.goto(server.base + "/units/330483")
        expect(page.locator("#unit-name")).to_contain_text("Tongxiang City")
        page.wait_for_selector("body[data-ready='1']")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        f.shot("profile_phone_390")
        assert outside == [], f"requests left the server: {outside[:5]}"
        assert errors == [], errors
    finally:
        page.close()
        server.stop()
