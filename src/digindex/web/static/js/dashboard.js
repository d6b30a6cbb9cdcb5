// Public dashboard: choropleth map (ECharts, local GeoJSON) and a sortable, filterable ranking of
// one publication (year and version). Numbers come formatted by the server (row.fmt): one formatter.
(function () {
  "use strict";
  var page = JSON.parse(document.getElementById("page-data").textContent);
  var L = page.labels, lang = page.lang;
  function $(id) { return document.getElementById(id); }
  var params = new URLSearchParams(location.search);
  var st = { year: null, version: null, node: null, pop: params.get("population") || "county",
             city: params.get("city") || "", q: params.get("q") || "", sortKey: "rank", sortDir: 1, rows: [],
             meta: null, data: null };
  var registered = {}, chart = null;

  function qs(o) {
    return Object.keys(o).filter(function (k) { return o[k] !== null && o[k] !== "" && o[k] !== undefined; })
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(o[k]); }).join("&");
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }
  function fill(select, pairs, keepFirst) {
    while (select.options.length > (keepFirst ? 1 : 0)) { select.remove(select.options.length - 1); }
    pairs.forEach(function (p) { var o = document.createElement("option"); o.value = p[0]; o.textContent = p[1]; select.appendChild(o); });
  }

  // The search rule of docs/web.md (and digindex.web.units.matches): digits start the code; Chinese
  // is part of the name; Latin letters start a whole pinyin, English-name or initials key.
  function norm(s) { return String(s || "").normalize("NFKC").toLowerCase().replace(/[\s'’\-.·]/g, ""); }
  function matches(search, q) {
    q = norm(q);
    if (!q) { return true; }
    if (/^[0-9]+$/.test(q)) { return search.code.indexOf(q) === 0; }
    if (/[\u4e00-\u9fff]/.test(q)) { return search.name.indexOf(q) >= 0; }
    return search.latin.some(function (k) { return k.indexOf(q) === 0; });
  }

  function versionsOf(year) { return (st.meta.versions[String(year)] || []); }

  function fillVersions() {
    fill($("f-version"), versionsOf(st.year).map(function (v) {
      return [v.version, "v" + v.version + (v.current ? " · " + L.current_version : "")];
    }));
  }

  function init() {
    getJSON("/api/public/meta?" + qs({ lang: lang })).then(function (meta) {
      st.meta = meta;
      if (!meta.years.length) { $("empty").hidden = false; return; }
      fill($("f-year"), meta.years.slice().reverse().map(function (y) { return [y, String(y)]; }));
      fill($("f-node"), meta.nodes.map(function (n) { return [n.id, n.name]; }));
      fill($("f-city"), meta.cities.map(function (c) { return [c.code, c.name]; }), true);
      var y = parseInt(params.get("year"), 10);
      st.year = meta.years.indexOf(y) >= 0 ? y : meta.latest;
      fillVersions();
      var v = parseInt(params.get("version"), 10);
      st.version = versionsOf(st.year).some(function (x) { return x.version === v; }) ? v : null;
      st.node = params.get("node") || meta.root;
      $("f-year").value = st.year; $("f-node").value = st.node; $("f-pop").value = st.pop;
      $("f-city").value = st.city; $("f-q").value = st.q;
      if (st.version) { $("f-version").value = st.version; }
      $("f-year").addEventListener("change", function () { st.year = parseInt(this.value, 10); st.version = null; fillVersions(); load(); });
      $("f-version").addEventListener("change", function () {
        var v = parseInt(this.value, 10), cur = versionsOf(st.year)[0];
        st.version = cur && cur.version === v ? null : v; load();
      });
      $("f-node").addEventListener("change", function () { st.node = this.value; load(); });
      $("f-pop").addEventListener("change", function () { st.pop = this.value; load(); });
      $("f-city").addEventListener("change", function () { st.city = this.value; drawTable(); drawMap(); remember(); });
      $("f-q").addEventListener("input", function () { st.q = this.value; drawTable(); remember(); });
      document.querySelectorAll("#ranking th[data-key]").forEach(function (th) {
        th.addEventListener("click", function () {
          var k = th.getAttribute("data-key");
          st.sortDir = st.sortKey === k ? -st.sortDir : 1; st.sortKey = k; drawTable();
        });
      });
      chart = echarts.init($("map"));
      window.addEventListener("resize", function () { chart.resize(); });
      chart.on("click", function (p) { if (p.data && p.data.unit) { location.href = profileUrl(p.data.unit); } });
      load();
    });
  }

  function profileUrl(unit) {
    return "/units/" + unit + "?" + qs({ year: st.year, version: st.version });
  }

  function remember() {
    history.replaceState(null, "", "?" + qs({ year: st.year, version: st.version, node: st.node, population: st.pop,
                                               city: st.city, q: st.q }));
  }

  function load() {
    var url = "/api/public/ranking?" + qs({ year: st.year, version: st.version, node: st.node, population: st.pop, lang: lang });
    var geoFile = "/static/geo/zhejiang_" + (st.pop === "city" ? "cities" : "counties") + ".json";
    var geo = registered[st.pop] ? Promise.resolve(null) : getJSON(geoFile);
    return Promise.all([getJSON(url), geo]).then(function (res) {
      st.data = res[0]; st.rows = res[0].rows;
      if (res[1]) { echarts.registerMap("zj-" + st.pop, res[1]); registered[st.pop] = true; }
      drawMap(); drawTable(); drawVersion(); links(); remember();
      document.body.setAttribute("data-ready", "1");
    });
  }

  function esc(s) { var d = document.createElement("div"); d.textContent = s === null || s === undefined ? "" : String(s); return d.innerHTML; }

  function tooltip(p) {
    var r = p.data;
    if (!r || !r.row) { return esc(p.name); }
    r = r.row;
    var lines = ["<b>" + esc(r.name) + "</b>" + (r.parent_name && st.pop === "county" ? " · " + esc(r.parent_name) : "")];
    if (!r.reported) { lines.push(esc(L.not_reported)); return lines.join("<br>"); }
    lines.push(esc(L.score) + ": " + esc(r.fmt.score), esc(L.rank) + ": " + esc(r.fmt.rank));
    if (st.pop === "county") { lines.push(esc(L.rank_in_city) + ": " + esc(r.fmt.rank_in_parent)); }
    if (r.tier_label) { lines.push(esc(L.tier) + ": " + esc(r.tier_label)); }
    if (r.score_change !== null) { lines.push(esc(L.change) + ": " + esc(r.fmt.score_change)); }
    if (r.prev_published) { lines.push(esc(L.prev_published) + ": " + esc(r.fmt.prev_published)); }
    if (r.rank_lo !== null) { lines.push(esc(L.interval) + ": " + esc(r.fmt.interval)); }
    return lines.join("<br>");
  }

  function drawMap() {
    if (!chart || !registered[st.pop]) { return; }
    var scores = st.rows.map(function (r) { return r.score; }).filter(function (x) { return x !== null; });
    var data = st.rows.map(function (r) {
      var dim = st.city && st.pop === "county" && r.parent !== st.city;
      return { name: r.unit, value: r.score === null ? NaN : r.score, unit: r.unit, row: r,
               itemStyle: dim ? { opacity: 0.25 } : (r.reported ? undefined : { areaColor: "#d0d4d9" }) };
    });
    var narrow = $("map").clientWidth < 520;
    chart.setOption({
      tooltip: { trigger: "item", formatter: tooltip, confine: true },
      visualMap: { min: Math.floor(Math.min.apply(null, scores)), max: Math.ceil(Math.max.apply(null, scores)),
                   calculable: true, orient: narrow ? "horizontal" : "vertical", left: narrow ? "center" : 10,
                   bottom: 10, itemWidth: 12, itemHeight: narrow ? 120 : 160,
                   textStyle: { color: "#333" }, inRange: { color: ["#f7fbff", "#9ecae1", "#3182bd", "#08306b"] } },
      series: [{ type: "map", map: "zj-" + st.pop, nameProperty: "code", roam: true, data: data,
                 emphasis: { label: { show: false }, itemStyle: { areaColor: "#fdae6b" } },
                 itemStyle: { borderColor: "#fff", borderWidth: 0.6 }, label: { show: false } }]
    }, true);
  }

  function sortValue(r, k) {
    if (k === "prev_published") { return r.prev_published ? r.prev_published.score : null; }
    return r[k];
  }

  function visible() {
    var rows = st.rows.filter(function (r) {
      return (!st.city || st.pop !== "county" || r.parent === st.city) && matches(r.search, st.q);
    });
    var k = st.sortKey, d = st.sortDir;
    return rows.slice().sort(function (a, b) {
      if (a.reported !== b.reported) { return a.reported ? -1 : 1; }   // not reported: always last
      var x = sortValue(a, k), y = sortValue(b, k);
      if (x === null || x === undefined) { return 1; }
      if (y === null || y === undefined) { return -1; }
      if (typeof x === "string") { return d * x.localeCompare(y, lang === "zh" ? "zh-CN" : "en"); }
      return d * (x - y) || a.unit.localeCompare(b.unit);
    });
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td"); td.textContent = text; if (cls) { td.className = cls; } tr.appendChild(td); return td;
  }

  function drawTable() {
    var tbody = document.querySelector("#ranking tbody");
    tbody.textContent = "";
    var rows = visible();
    rows.forEach(function (r) {
      var tr = document.createElement("tr"); tr.setAttribute("data-unit", r.unit);
      if (!r.reported) { tr.className = "not-reported"; }
      cell(tr, r.fmt.rank, "num col-rank");
      var td = document.createElement("td"), a = document.createElement("a");
      a.href = profileUrl(r.unit); a.textContent = r.name; td.appendChild(a); td.className = "col-name"; tr.appendChild(td);
      cell(tr, st.pop === "county" ? r.parent_name : "", "col-city");
      cell(tr, r.fmt.score, "num score");
      cell(tr, st.pop === "county" ? r.fmt.rank_in_parent : "", "num col-city");
      cell(tr, r.fmt.tier, "tier");
      var ch = r.score_change;
      cell(tr, r.fmt.score_change, "num change " + (ch > 0 ? "up" : ch < 0 ? "down" : ""));
      var pp = cell(tr, r.fmt.prev_published_score, "num col-wide");
      if (r.prev_published) { pp.title = r.fmt.prev_published; }
      cell(tr, r.fmt.interval, "num col-wide");
      tbody.appendChild(tr);
    });
    $("no-match").hidden = rows.length > 0;
    document.querySelectorAll("#ranking th[data-key]").forEach(function (th) {
      th.classList.remove("asc", "desc");
      if (th.getAttribute("data-key") === st.sortKey) { th.classList.add(st.sortDir > 0 ? "asc" : "desc"); }
    });
  }

  function drawVersion() {
    var v = st.data.version, b = st.data.basis;
    $("version").textContent = v ? st.data.year + " · " + L.version + " " + v.version + " · " + L.published + " " + v.published_at_local : "";
    var note = $("change-note");
    note.hidden = !(v && v.note);
    note.textContent = v && v.note ? L.change_note + ": " + v.note : "";
    var sup = $("superseded");
    sup.hidden = !b || b.current;
    sup.textContent = b && !b.current ? L.superseded.replace("{version}", b.latest_version) : "";
    $("basis").textContent = b ? L.basis_short.replace("{basis}", b.label) : "";
  }

  function links() {
    var base = { year: st.year, version: st.version, population: st.pop, lang: lang };
    $("dl-csv").href = "/api/public/download?" + qs(Object.assign({ format: "csv" }, base));
    $("dl-xlsx").href = "/api/public/download?" + qs(Object.assign({ format: "xlsx" }, base));
    $("versions-link").href = "/compare/versions?" + qs({ year: st.year, population: st.pop });
  }

  init();
})();
