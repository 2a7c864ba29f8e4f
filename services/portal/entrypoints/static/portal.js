// Draws the practitioner page's charts from the JSON the page carries (no inline script).
(function () {
  "use strict";
  var palette = ["#1d4f91", "#00703c", "#b10e1e", "#6e3619", "#4c2c92", "#28a197", "#505a5f", "#d4351c", "#0b0c0c"];

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function colour(datasets) {
    datasets.forEach(function (d, i) {
      d.borderColor = palette[i % palette.length];
      d.backgroundColor = palette[i % palette.length];
      d.borderWidth = i === 0 ? 3 : 2;
    });
    return datasets;
  }

  function timeline() {
    var spec = data("timeline-data");
    var canvas = document.getElementById("timeline-chart");
    if (!spec || !canvas || !window.Chart) return;
    var labels = spec.labels;
    colour(spec.datasets).forEach(function (d) { d.stepped = "before"; });
    new window.Chart(canvas, {
      type: "line",
      data: { datasets: spec.datasets },
      options: {
        maintainAspectRatio: false, animation: false, parsing: { xAxisKey: "x", yAxisKey: "y" },
        scales: {
          x: { type: "category", labels: Array.from(new Set(spec.datasets.flatMap(function (d) { return d.data.map(function (p) { return p.x; }); }))).sort() },
          y: { min: 0, max: labels.length - 1, ticks: { stepSize: 1, callback: function (v) { return labels[v]; } } }
        }
      }
    });
  }

  function fidelity() {
    var spec = data("fidelity-data");
    var canvas = document.getElementById("fidelity-chart");
    if (!spec || !canvas || !window.Chart) return;
    new window.Chart(canvas, {
      type: "line",
      data: { labels: spec.labels, datasets: colour(spec.datasets) },
      options: { maintainAspectRatio: false, animation: false, spanGaps: true, scales: { y: { min: 0, max: 100, title: { display: true, text: "% of indicators present" } } } }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { timeline(); fidelity(); });
})();
