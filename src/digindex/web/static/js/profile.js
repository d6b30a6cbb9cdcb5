// Region profile: score trend on the publication's basis (with the values as published) and aspect scores.
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
  trend.setOption({
    tooltip: { trigger: "axis" }, grid: { left: 44, right: 44, top: 56, bottom: 28 },
    legend: { top: 0, data: [scoreName, d.labels.published, d.labels.rank] },
    xAxis: { type: "category", data: d.trend.map(function (t) { return String(t.year); }) },
    yAxis: [{ type: "value", scale: true, name: d.labels.score }, { type: "value", inverse: true, minInterval: 1, name: d.labels.rank }],
    series: [{ name: scoreName, type: "line", data: d.trend.map(function (t) { return t.score; }) },
             { name: d.labels.published, type: "line", lineStyle: { type: "dashed" }, symbol: "diamond",
               data: d.trend.map(function (t) { return t.published ? t.published.score : null; }) },
             { name: d.labels.rank, type: "line", yAxisIndex: 1, data: d.trend.map(function (t) { return t.rank; }) }]
  });
  asp.setOption({
    tooltip: {}, grid: { left: 110, right: 40, top: 10, bottom: 25 },
    xAxis: { type: "value", min: 50, max: 100 },
    yAxis: { type: "category", inverse: true, data: d.aspects.map(function (a) { return a.name; }) },
    series: [{ type: "bar", data: d.aspects.map(function (a) { return { value: a.score, label: a.fmt.score }; }),
               itemStyle: { color: "#3182bd" },
               label: { show: true, position: "right", formatter: function (p) { return p.data.label; } } }]
  });
  window.addEventListener("resize", function () { trend.resize(); asp.resize(); });
  document.body.setAttribute("data-ready", "1");
})();
