// Draws the target comparison chart from the JSON block the page carries; the table works without it.
(function () {
  var data = document.getElementById("chart-data");
  var box = document.getElementById("chart");
  if (!data || !box || typeof echarts === "undefined") { return; }
  var series = JSON.parse(data.textContent);
  if (!series.points.length) { return; }
  var chart = echarts.init(box);
  chart.setOption({
    title: { text: series.metric, left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "item", formatter: function (p) { return p.data.label; } },
    grid: { left: 60, right: 20, top: 40, bottom: 90 },
    xAxis: { type: "category", data: series.categories, axisLabel: { rotate: 30 } },
    yAxis: { type: "value", name: series.unit },
    series: [{ type: "bar", data: series.points.map(function (p) { return { value: p.value, label: p.label }; }) }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
