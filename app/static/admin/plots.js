/* Back-office plots: fetch a node's or installation's hourly means and draw them
   with uPlot (vendored from the npm registry into /static/vendor/uplot/ by
   `make vendor`). Each .airq-plot element names its JSON in data-series-url;
   when drawn it gets data-rendered="true" and data-points="<hours with data>". */
(function () {
  "use strict";

  function status(el, text) {
    var p = el.querySelector(".airq-plot-status");
    if (p) { p.textContent = text; }
  }

  function draw(el, labels, series) {
    var n = series.times_s.length;
    el.setAttribute("data-points", String(n));
    if (n === 0) {
      status(el, labels.empty);
      el.setAttribute("data-rendered", "true");
      return;
    }
    status(el, "");
    var width = Math.max(320, el.clientWidth || 800);
    var opts = {
      // 24-hour clock and ISO dates on the time axis, whatever the browser's locale.
      fmtDate: function (tpl) {
        return uPlot.fmtDate(tpl.replace(/\{h\}/g, "{HH}").replace(/\{aa\}/g, "")
          .replace(/\{M\}\/\{D\}\/\{YY\}/g, "{YYYY}-{MM}-{DD}").replace(/\{M\}\/\{D\}/g, "{MM}-{DD}"));
      },
      width: width,
      height: 320,
      scales: { x: { time: true, range: [series.start_s, series.end_s] }, ppm: {}, env: {} },
      series: [
        {},
        { label: labels.co2, scale: "ppm", stroke: "#385ba7", width: 2, spanGaps: false },
        { label: labels.temperature, scale: "env", stroke: "#d9480f", width: 1 },
        { label: labels.humidity, scale: "env", stroke: "#2b8a3e", width: 1, dash: [6, 4] }
      ],
      axes: [
        {},
        { scale: "ppm", label: "ppm" },
        { scale: "env", side: 1, label: "°C / %", grid: { show: false } }
      ]
    };
    var data = [series.times_s, series.co2_ppm, series.temperature_celsius, series.rel_humidity_percent];
    new uPlot(opts, data, el);
    el.setAttribute("data-rendered", "true");
  }

  function load(el) {
    var labels = JSON.parse(el.getAttribute("data-labels"));
    fetch(el.getAttribute("data-series-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (series) { draw(el, labels, series); })
      .catch(function () {
        status(el, labels.failed);
        el.setAttribute("data-rendered", "failed");
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".airq-plot"), load);
  });
})();
