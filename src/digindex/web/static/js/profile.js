// Region profile: score trend on the publication's basis (with the values as published) and aspect scores
// with the population's medians (the numbers of the profile builder, digindex.reports.unit_profile).
(function () {
  "use strict";
  var form = document.getElementById("profile-form");
  if (form) {
    var year = document.getElementById("f-year"), version = document.getElementById("f-version");
    year.addEventListener("change", function () { version.disabled = true; form.submit(); });
    version.addEventListener("change", function () { form.submit(); });
  }
  var dataEl = document.getElementById("page-data");
  var trendEl = document.getElementById("trend"), aspEl = document.getElementById("aspects");
  if (!dataEl || !window.echarts || !trendEl) { document.body.setAttribute("data-ready", "1"); return; }
  var d = JSON.parse(dataEl.textContent);
  var trend = echarts.init(trendEl), asp = echarts.init(aspEl);
  var scoreName = d.labels.score + " (" + d.labels.basis + ")";
  var SCORE = "#2b6cb0", PUBLISHED = "#d95f02", RANK = "#6b7280";
  trend.setOption({
    tooltip: { trigger: "axis" }, grid: { left: 8, right: 8, top: 58, bottom: 8, containLabel: true },
    legend: { top: 0, data: [scoreName, d.labels.published, d.labels.rank] },
    xAxis: { type: "category", data: d.trend.map(function (t) { return String(t.year); }) },
    color: [SCORE, PUBLISHED, RANK],   // each axis in the colour of its line: scores left, ranks right
    yAxis: [{ type: "value", scale: true, axisLabel: { color: SCORE } },
            { type: "value", inverse: true, minInterval: 1, splitLine: { show: false }, axisLabel: { color: RANK } }],
    series: [{ name: scoreName, type: "line", showAllSymbol: true, data: d.trend.map(function (t) { return t.score; }) },
             { name: d.labels.published, type: "line", lineStyle: { type: "dashed" }, symbol: "diamond",
               data: d.trend.map(function (t) { return t.published; }) },
             { name: d.labels.rank, type: "line", yAxisIndex: 1, showAllSymbol: true, data: d.trend.map(function (t) { return t.rank; }) }]
  });
  var floor10 = function (v) { return Math.max(0, Math.floor((v.min - 2) / 10) * 10); };
  var ceil10 = function (v) { return Math.ceil((v.max + 1) / 10) * 10; };
  asp.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0, data: [d.labels.score, d.labels.median] },
    grid: { left: 8, right: 48, top: 30, bottom: 25, containLabel: true },
    xAxis: { type: "value", min: floor10, max: ceil10 },
    yAxis: { type: "category", inverse: true, data: d.aspects.map(function (a) { return a.name; }),
             axisLabel: { width: 120, overflow: "break" } },
    series: [{ name: d.labels.score, type: "bar", data: d.aspects.map(function (a) { return { value: a.score, label: a.label }; }),
               itemStyle: { color: SCORE },
               label: { show: true, position: "insideLeft", color: "#fff", formatter: function (p) { return p.data.label; } } },
             { name: d.labels.median, type: "scatter", symbol: "rect", symbolSize: [3, 22], itemStyle: { color: RANK },
               data: d.aspects.map(function (a) { return a.median; }) }]
  });
  var loc = locator(d.map);
  window.addEventListener("resize", function () { trend.resize(); asp.resize(); if (loc.chart) { loc.chart.resize(); } });
  loc.done.then(function () { document.body.setAttribute("data-ready", "1"); });

  // The unit (orange) among the publication's units, coloured by tier (tier 1 darkest), as in the PDF.
  function locator(m) {
    var el = document.getElementById("locator"), out = { chart: null, done: Promise.resolve() };
    if (!el || !m) { return out; }
    var get = function (url) { return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }); };
    var COLORS = ["#08306b", "#3182bd", "#9ecae1", "#deebf7", "#f7fbff"], NONE = "#d0d4d9", HERE = "#f16913";
    out.done = Promise.all([get(m.geo), get(m.ranking)]).then(function (res) {
      echarts.registerMap("locator", res[0]);
      var tiers = {}, rows = res[1].rows;
      rows.forEach(function (r) { if (r.tier) { tiers[r.tier] = r.tier_label; } });
      var pieces = Object.keys(tiers).map(Number).sort().map(function (k) {
        return { value: k, label: tiers[k], color: COLORS[Math.min(k, COLORS.length) - 1] }; });
      if (rows.some(function (r) { return !r.reported; })) { pieces.push({ value: 0, label: d.labels.not_reported, color: NONE }); }
      var data = rows.map(function (r) {
        var me = r.unit === m.unit;
        // the unit itself has no value: the tier colours (visualMap) would paint over its own colour
        return { name: r.unit, value: me ? NaN : (r.reported ? r.tier || NaN : 0),
                 label: r.name + " · " + (r.reported ? r.tier_label || "" : d.labels.not_reported),
                 itemStyle: me ? { areaColor: HERE, borderColor: "#7f2704", borderWidth: 1 } : undefined,
                 label: me ? { show: true, formatter: r.name, color: "#111", backgroundColor: "rgba(255,255,255,.85)",
                               padding: [2, 4], borderRadius: 3, offset: [0, -18] } : undefined };
      });
      out.chart = echarts.init(el);
      out.chart.setOption({
        tooltip: { trigger: "item", confine: true, formatter: function (p) { return p.data ? p.data.label : p.name; } },
        visualMap: { type: "piecewise", pieces: pieces, orient: "horizontal", left: "center", bottom: 0,
                     itemWidth: 12, itemHeight: 10, textStyle: { fontSize: 11 }, selectedMode: false },
        series: [{ type: "map", map: "locator", nameProperty: "code", data: data, roam: false, selectedMode: false,
                   top: 6, bottom: 36, itemStyle: { borderColor: "#fff", borderWidth: 0.5 }, label: { show: false },
                   emphasis: { itemStyle: { areaColor: "#fdae6b" }, label: { show: false } } }]
      });
    }).catch(function () { el.style.display = "none"; });
    return out;
  }
})();
