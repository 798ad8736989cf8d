// Draws the dashboard charts from the JSON the page embeds (ECharts, vendored).
(function () {
  "use strict";
  function draw() {
    if (!window.echarts) { return; }
    var data = JSON.parse(document.getElementById("evaluation-charts").textContent);
    function line(id, rows) {
      var el = document.getElementById(id);
      if (!el) { return; }
      echarts.init(el).setOption({
        tooltip: { trigger: "axis" },
        legend: { data: ["上报", "结案", "超期"] },
        xAxis: { type: "category", data: rows.map(function (r) { return r[0]; }) },
        yAxis: { type: "value", minInterval: 1 },
        series: ["上报", "结案", "超期"].map(function (name, i) {
          return { name: name, type: "line", data: rows.map(function (r) { return r[i + 1]; }) };
        })
      });
    }
    function bars(id, rows) {
      var el = document.getElementById(id);
      if (!el) { return; }
      echarts.init(el).setOption({
        tooltip: {},
        grid: { left: 220 },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r[0]; }) },
        series: [{ name: "上报", type: "bar", data: rows.map(function (r) { return r[1]; }) }]
      });
    }
    line("chart-daily", data.daily);
    line("chart-weekly", data.weekly);
    bars("chart-category", data.category);
    bars("chart-grade", data.grade);
    bars("chart-item", data.item);
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
