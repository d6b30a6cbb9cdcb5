// Region profile: score trend and aspect scores (ECharts).
(function () {
  "use strict";
  var d = JSON.parse(document.getElementById("page-data").textContent);
  var sel = document.getElementById("f-year");
  if (sel) { sel.addEventListener("change", function () { sel.form.submit(); }); }
  var trendEl = document.getElementById("trend"), aspEl = document.getElementById("aspects");
  if (!window.echarts || !trendEl) { return; }
  var trend = echarts.init(trendEl), asp = echarts.init(aspEl);
  trend.setOption({
    tooltip: { trigger: "axis" }, grid: { left: 44, right: 44, top: 48, bottom: 28 },
    legend: { top: 0, data: [d.labels.score, d.labels.rank] },
    xAxis: { type: "category", data: d.trend.map(function (t) { return String(t.year); }) },
    yAxis: [{ type: "value", scale: true, name: d.labels.score }, { type: "value", inverse: true, minInterval: 1, name: d.labels.rank }],
    series: [{ name: d.labels.score, type: "line", data: d.trend.map(function (t) { return t.score; }) },
             { name: d.labels.rank, type: "line", yAxisIndex: 1, data: d.trend.map(function (t) { return t.rank; }) }]
  });
  asp.setOption({
    tooltip: {}, grid: { left: 110, right: 20, top: 10, bottom: 25 },
    xAxis: { type: "value", min: 50, max: 100 },
    yAxis: { type: "category", inverse: true, data: d.aspects.map(function (a) { return a.name; }) },
    series: [{ type: "bar", data: d.aspects.map(function (a) { return a.score; }), itemStyle: { color: "#3182bd" },
               label: { show: true, position: "right", formatter: function (p) { return p.value === null ? "" : p.value.toFixed(1); } } }]
  });
  window.addEventListener("resize", function () { trend.resize(); asp.resize(); });
  document.body.setAttribute("data-ready", "1");
})();
