// Public dashboard: choropleth map (ECharts, local GeoJSON) and a sortable, filterable ranking.
(function () {
  "use strict";
  var page = JSON.parse(document.getElementById("page-data").textContent);
  var L = page.labels, lang = page.lang;
  function $(id) { return document.getElementById(id); }
  var params = new URLSearchParams(location.search);
  var st = { year: null, node: null, pop: params.get("population") || "county", city: params.get("city") || "",
             q: params.get("q") || "", sortKey: "rank", sortDir: 1, rows: [], version: null };
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
  function norm(s) { return String(s || "").toLowerCase().replace(/['\s]/g, ""); }
  function fmt(x, d) { return x === null || x === undefined ? "—" : Number(x).toFixed(d); }

  function init() {
    getJSON("/api/public/meta?" + qs({ lang: lang })).then(function (meta) {
      if (!meta.years.length) { $("empty").hidden = false; return; }
      fill($("f-year"), meta.years.slice().reverse().map(function (y) { return [y, y]; }));
      fill($("f-node"), meta.nodes.map(function (n) { return [n.id, n.name]; }));
      fill($("f-city"), meta.cities.map(function (c) { return [c.code, c.name]; }), true);
      var y = parseInt(params.get("year"), 10);
      st.year = meta.years.indexOf(y) >= 0 ? y : meta.latest;
      st.node = params.get("node") || meta.root;
      $("f-year").value = st.year; $("f-node").value = st.node; $("f-pop").value = st.pop;
      $("f-city").value = st.city; $("f-q").value = st.q;
      $("f-year").addEventListener("change", function () { st.year = parseInt(this.value, 10); load(); });
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
      chart.on("click", function (p) { if (p.data && p.data.unit) { location.href = "/units/" + p.data.unit; } });
      load();
    });
  }

  function remember() {
    history.replaceState(null, "", "?" + qs({ year: st.year, node: st.node, population: st.pop, city: st.city, q: st.q }));
  }

  function load() {
    var url = "/api/public/ranking?" + qs({ year: st.year, node: st.node, population: st.pop, lang: lang });
    var geoFile = "/static/geo/zhejiang_" + (st.pop === "city" ? "cities" : "counties") + ".json";
    var geo = registered[st.pop] ? Promise.resolve(null) : getJSON(geoFile);
    return Promise.all([getJSON(url), geo]).then(function (res) {
      st.rows = res[0].rows; st.version = res[0].version;
      if (res[1]) { echarts.registerMap("zj-" + st.pop, res[1]); registered[st.pop] = true; }
      drawMap(); drawTable(); drawVersion(); links(); remember();
      document.body.setAttribute("data-ready", "1");
    });
  }

  function tooltip(p) {
    var r = p.data;
    if (!r || !r.row) { return p.name; }
    r = r.row;
    var lines = ["<b>" + r.name + "</b>" + (r.parent_name && st.pop === "county" ? " · " + r.parent_name : ""),
      L.score + ": " + fmt(r.score, 2), L.rank + ": " + (r.rank || "—") + "/" + st.rows.length];
    if (st.pop === "county") { lines.push(L.rank_in_city + ": " + (r.rank_in_parent || "—") + "/" + (r.n_in_parent || "—")); }
    if (r.tier_label) { lines.push(L.tier + ": " + r.tier_label); }
    if (r.score_change !== null) { lines.push(L.change + ": " + (r.score_change > 0 ? "+" : "") + fmt(r.score_change, 2)); }
    if (r.rank_lo !== null) { lines.push(L.interval + ": " + fmt(r.rank_lo, 0) + "–" + fmt(r.rank_hi, 0)); }
    return lines.join("<br>");
  }

  function drawMap() {
    if (!chart || !registered[st.pop]) { return; }
    var scores = st.rows.map(function (r) { return r.score; }).filter(function (x) { return x !== null; });
    var data = st.rows.map(function (r) {
      var dim = st.city && st.pop === "county" && r.parent !== st.city;
      return { name: r.unit, value: r.score, unit: r.unit, row: r, itemStyle: dim ? { opacity: 0.25 } : undefined };
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

  function visible() {
    var q = norm(st.q);
    var rows = st.rows.filter(function (r) {
      return (!st.city || st.pop !== "county" || r.parent === st.city) &&
        (!q || norm(r.keys).indexOf(q) >= 0 || norm(r.name).indexOf(q) >= 0);
    });
    var k = st.sortKey, d = st.sortDir;
    return rows.slice().sort(function (a, b) {
      var x = a[k], y = b[k];
      if (x === null || x === undefined) { return 1; }
      if (y === null || y === undefined) { return -1; }
      if (typeof x === "string") { return d * x.localeCompare(y, lang === "zh" ? "zh-CN" : "en"); }
      return d * (x - y);
    });
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td"); td.textContent = text; if (cls) { td.className = cls; } tr.appendChild(td); return td;
  }

  function drawTable() {
    var tbody = document.querySelector("#ranking tbody");
    tbody.textContent = "";
    visible().forEach(function (r) {
      var tr = document.createElement("tr"); tr.setAttribute("data-unit", r.unit);
      cell(tr, r.rank || "—", "num");
      var td = document.createElement("td"), a = document.createElement("a");
      a.href = "/units/" + r.unit; a.textContent = r.name; td.appendChild(a); tr.appendChild(td);
      cell(tr, st.pop === "county" ? r.parent_name : "", "col-city");
      cell(tr, fmt(r.score, 2), "num score");
      cell(tr, st.pop === "county" ? (r.rank_in_parent || "—") : "", "num col-city");
      cell(tr, r.tier_label || "—");
      var ch = r.score_change;
      cell(tr, ch === null ? "—" : (ch > 0 ? "▲ +" : ch < 0 ? "▼ " : "") + fmt(ch, 2), "num " + (ch > 0 ? "up" : ch < 0 ? "down" : ""));
      cell(tr, r.rank_lo === null ? "—" : fmt(r.rank_lo, 0) + "–" + fmt(r.rank_hi, 0), "num");
      tbody.appendChild(tr);
    });
    document.querySelectorAll("#ranking th[data-key]").forEach(function (th) {
      th.classList.remove("asc", "desc");
      if (th.getAttribute("data-key") === st.sortKey) { th.classList.add(st.sortDir > 0 ? "asc" : "desc"); }
    });
  }

  function drawVersion() {
    var v = st.version;
    $("version").textContent = v ? st.year + " · " + L.version + " " + v.version + " · " + L.published + " " + v.published_at.slice(0, 10) : "";
    var note = $("change-note");
    note.hidden = !(v && v.note);
    note.textContent = v && v.note ? L.change_note + ": " + v.note : "";
  }

  function links() {
    var base = { year: st.year, population: st.pop, lang: lang };
    $("dl-csv").href = "/api/public/download?" + qs(Object.assign({ format: "csv" }, base));
    $("dl-xlsx").href = "/api/public/download?" + qs(Object.assign({ format: "xlsx" }, base));
  }

  init();
})();
