/* Wahaj charts: every <canvas data-chart="ID"> is drawn from the JSON in <script id="ID">
   (written by Django's json_script), so pages carry no inline script (CSP). Each chart has a
   data table beside it on the page: the table is the accessible alternative. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var palette = ["#5b2a6e", "#f0a500", "#2a9d8f", "#e76f51", "#264653", "#8ab17d", "#b5838d", "#6d597a", "#457b9d"];
  var rtl = document.documentElement.dir === "rtl";
  // Tick numbers in the digits the page uses (DISPLAY_DIGITS, Western by default): Chart.js
  // formats them with Intl, and plain "ar" would write Arabic-Indic digits beside 0-9 text.
  var lang = document.documentElement.lang || "ar";
  var digits = (document.currentScript && document.currentScript.dataset.digits) || "latin";
  var locale = lang === "ar" && digits !== "arabic" ? "ar-u-nu-latn" : lang;
  // A long category name ("Assistance-request service") is cut or skipped when it does not
  // fit under its bar: it is wrapped onto lines of about this many characters instead.
  var LINE = 16;
  function wrap(label) {
    var lines = [], line = "";
    String(label).split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > LINE) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines.length > 1 ? lines : label;
  }
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
      data: { labels: many ? spec.labels : spec.labels.map(wrap), datasets: datasets },
      options: {
        locale: locale,
        animation: false,
        // Rotated category labels lean left from their tick: room for the leftmost one.
        layout: many ? {} : { padding: { left: 24 } },
        plugins: { legend: { rtl: rtl, display: many || datasets.length > 1 }, tooltip: { rtl: rtl } },
        // In Arabic the bars read from the right, so the value axis sits on the right too;
        // every category label shows (no auto-skipping), wrapped above, rotated if still long.
        scales: many ? {} : {
          x: { reverse: rtl, ticks: { autoSkip: false, maxRotation: 90 } },
          y: { beginAtZero: true, position: rtl ? "right" : "left", ticks: { precision: 0 } }
        }
      }
    });
  });
})();
