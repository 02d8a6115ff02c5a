// Charts of the bureau dashboard (Apache ECharts, bundled: no CDN).
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var monthly = data("dash-monthly");
  var box = document.getElementById("chart-monthly");
  if (monthly && box) {
    var expected = monthly.months.map(function (_, i) {
      return Math.round((100 * (i + 1)) / 12);  // linear plan, end of each month
    });
    var series = monthly.series.map(function (s) {
      return { name: s.name, type: "line", data: s.data, smooth: true };
    });
    series.push({
      name: "应完成进度", type: "line", data: expected,
      lineStyle: { type: "dashed", color: "#999" }, itemStyle: { color: "#999" }
    });
    echarts.init(box).setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
      legend: { type: "scroll", top: 0 },
      grid: { top: 60, left: 50, right: 20, bottom: 30 },
      xAxis: { type: "category", data: monthly.months },
      yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      series: series
    });
  }
  var heat = data("dash-heatmap");
  var hbox = document.getElementById("chart-heatmap");
  if (heat && hbox) {
    // One row per subject: the box grows with the number of subjects.
    hbox.style.height = Math.max(220, 44 * heat.subjects.length + 130) + "px";
    echarts.init(hbox).setOption({
      tooltip: {
        formatter: function (p) {
          var d = p.data;
          return heat.subjects[d[1]] + " " + heat.grades[d[0]] + "<br>" +
            d[3] + "/" + d[4] + "（" + d[2] + "%）";
        }
      },
      grid: { top: 20, left: 110, right: 20, bottom: 100 },
      xAxis: { type: "category", data: heat.grades, splitArea: { show: true } },
      yAxis: {
        type: "category", data: heat.subjects, inverse: true, splitArea: { show: true }
      },
      visualMap: {
        min: 0, max: 100, calculable: true, orient: "horizontal", left: "center",
        bottom: 0, inRange: { color: ["#f8d0c8", "#fbe7a1", "#8fd19e", "#2e8b57"] }
      },
      series: [{
        type: "heatmap", data: heat.data,
        label: { show: true, formatter: function (p) { return p.data[2] + "%"; } }
      }]
    });
  }
})();
