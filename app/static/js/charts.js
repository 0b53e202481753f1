// Completion bar chart, from JSON the page embeds (the CSP allows no inline scripts).
(function () {
  "use strict";
  var holder = document.getElementById("completion-chart");
  var source = document.getElementById("completion-chart-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  chart.setOption({
    title: { text: data.title, left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
    grid: { left: 40, right: 16, bottom: 60, top: 40 },
    xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 4 ? 30 : 0 } },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ type: "bar", data: data.rates, itemStyle: { color: "#b71c1c" }, barMaxWidth: 40,
               label: { show: true, position: "top", formatter: "{c}%" } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
