/* Wahaj charts: every <canvas data-chart="ID"> is drawn from the JSON in <script id="ID">
   (written by Django's json_script), so pages carry no inline script (CSP). Each chart has a
   data table beside it on the page: the table is the accessible alternative. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var palette = ["#5b2a6e", "#f0a500", "#2a9d8f", "#e76f51", "#264653", "#8ab17d", "#b5838d", "#6d597a", "#457b9d"];
  var rtl = document.documentElement.dir === "rtl";
  Chart.defaults.font.family = "system-ui, 'Noto Sans Arabic', 'Amiri', sans-serif";
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var many = spec.type === "doughnut" || spec.type === "pie";
    var datasets = spec.datasets.map(function (set, i) {
      var color = many ? palette : palette[i % palette.length];
      return { label: set.label, data: set.data, backgroundColor: color, borderColor: color, spanGaps: true };
    });
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        locale: document.documentElement.lang || "ar",
        animation: false,
        plugins: { legend: { rtl: rtl, display: many || datasets.length > 1 }, tooltip: { rtl: rtl } },
        scales: many ? {} : { x: { reverse: rtl }, y: { beginAtZero: true } }
      }
    });
  });
})();
