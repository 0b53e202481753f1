// The score histogram of an exam's results page, from JSON the page embeds.
(function () {
  "use strict";
  var holder = document.getElementById("score-chart");
  var source = document.getElementById("score-chart-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  chart.setOption({
    title: { text: data.title, left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 16, bottom: 40, top: 40 },
    xAxis: { type: "category", data: data.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.counts, itemStyle: { color: "#b71c1c" }, barMaxWidth: 40,
               label: { show: true, position: "top" } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
