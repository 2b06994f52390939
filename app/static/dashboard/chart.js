/* Dashboard charts: each section.chart names its series API URL in
   data-series-url (room, node or installation) and is drawn with uPlot
   (vendored into /static/vendor/uplot/). One request per drawing: the range
   buttons, the custom range and dragging across the plot (zoom) each load the
   window again with resolution=auto, so a shorter window comes finer. A room
   answers one line per sensor ("lines"); a node or installation one line.
   A chart loads once it comes on screen (live ones refresh only while there).
   When drawn the section gets data-rendered="true" and data-points,
   data-resolution, data-lines, data-loads and data-draw-ms (request to first
   paint, milliseconds) for the browser tests. */
(function () {
  "use strict";

  var DAY = 86400;
  var SPANS = { day: DAY, week: 7 * DAY, month: 30 * DAY, year: 365 * DAY };
  var COLOURS = ["#385ba7", "#c2255c", "#2b8a3e", "#e8590c", "#7048e8", "#0b7285"];
  var QUANTITIES = ["temperature_celsius", "rel_humidity_percent"];

  function Chart(el) {
    this.el = el;
    this.url = el.getAttribute("data-series-url");
    this.labels = JSON.parse(el.getAttribute("data-labels"));
    this.plotEl = el.querySelector(".chart-plot");
    this.statusEl = el.querySelector(".chart-status");
    this.csv = el.querySelector("a.csv");
    this.reset = el.querySelector(".reset-zoom");
    this.preset = el.getAttribute("data-range") || "week";
    this.window = null; // [from, to] epoch seconds when custom or zoomed
    this.plot = null;
    this.loads = 0;
    this.live = parseInt(el.getAttribute("data-live") || "0", 10);
    this.seen = false; // on screen (or nearly) now
    this.loadedAt = 0;
    this.wire();
    var self = this;
    // Only charts on screen load, and refresh while seen: a public site of many
    // rooms asked for every room's series at once and again every minute.
    whenSeen(el, function (seen) {
      self.seen = seen;
      if (seen && self.due()) { self.load(); }
    });
    if (this.live > 0) {
      setInterval(function () {
        if (self.seen && !document.hidden && !self.window) { self.load(); }
      }, this.live * 1000);
    }
  }

  function whenSeen(el, callback) {
    if (!("IntersectionObserver" in window)) { callback(true); return; }
    new IntersectionObserver(function (entries) {
      callback(entries[entries.length - 1].isIntersecting);
    }, { rootMargin: "200px 0px" }).observe(el);
  }

  /* Never loaded yet, or live and older than its refresh interval. */
  Chart.prototype.due = function () {
    if (!this.ticket) { return true; }
    return this.live > 0 && !this.window &&
      performance.now() - this.loadedAt >= this.live * 1000;
  };

  Chart.prototype.wire = function () {
    var self = this;
    Array.prototype.forEach.call(this.el.querySelectorAll(".ranges button"), function (button) {
      button.addEventListener("click", function () {
        self.preset = button.getAttribute("data-range");
        self.window = self.customWindow = null;
        self.zoomed = false;
        self.load();
      });
    });
    var form = this.el.querySelector("form.custom-range");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var from = Date.parse(form.elements.from.value + "T00:00:00");
        var to = Date.parse(form.elements.to.value + "T23:59:59");
        if (isNaN(from) || isNaN(to) || from > to) { return; }
        self.preset = "custom";
        self.zoomed = false;
        self.window = self.customWindow = [Math.floor(from / 1000), Math.floor(to / 1000)];
        self.load();
      });
    }
    Array.prototype.forEach.call(this.el.querySelectorAll(".quantities input"), function (box) {
      box.addEventListener("change", function () { self.load(); });
    });
    if (this.reset) {
      this.reset.addEventListener("click", function () {
        self.window = self.customWindow || null;
        self.zoomed = false;
        self.load();
      });
    }
    window.addEventListener("resize", function () {
      if (self.plot) { self.plot.setSize({ width: self.width(), height: self.height() }); }
    });
  };

  Chart.prototype.width = function () { return Math.max(280, this.plotEl.clientWidth || 800); };
  Chart.prototype.height = function () { return window.innerWidth < 640 ? 240 : 340; };

  Chart.prototype.range = function () {
    if (this.window) { return this.window; }
    var now = Math.floor(Date.now() / 1000);
    return [now - SPANS[this.preset], now];
  };

  Chart.prototype.quantities = function () {
    var wanted = ["co2_ppm"];
    Array.prototype.forEach.call(this.el.querySelectorAll(".quantities input:checked"), function (box) {
      wanted.push(box.name);
    });
    return wanted;
  };

  Chart.prototype.query = function (format) {
    var range = this.range();
    var params = new URLSearchParams();
    params.set("filter[from]", String(range[0]));
    params.set("filter[to]", String(range[1]));
    params.set("resolution", "auto");
    params.set("quantities", this.quantities().join(","));
    params.set("max_points", String(Math.min(2000, Math.max(300, this.width()))));
    if (format) { params.set("format", format); }
    return this.url + "?" + params.toString();
  };

  Chart.prototype.status = function (text) { this.statusEl.textContent = text; };

  Chart.prototype.load = function () {
    var self = this;
    var started = performance.now();
    var ticket = (this.ticket = (this.ticket || 0) + 1);
    this.loadedAt = started;
    this.el.setAttribute("data-rendered", "false");
    this.status(this.labels.loading);
    Array.prototype.forEach.call(this.el.querySelectorAll(".ranges button"), function (button) {
      var on = !self.window && button.getAttribute("data-range") === self.preset;
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    if (this.reset) { this.reset.hidden = !this.zoomed; }
    if (this.csv) { this.csv.href = this.query("csv"); }
    fetch(this.query(), { credentials: "same-origin", headers: { Accept: "application/vnd.api+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (doc) {
        if (ticket === self.ticket) { self.draw(doc.data.attributes, started); }
      })
      .catch(function () {
        if (ticket !== self.ticket) { return; }
        self.status(self.labels.failed);
        self.el.setAttribute("data-rendered", "failed");
      });
  };

  function lines(attributes) {
    if (attributes.lines) { return attributes.lines; }
    return [Object.assign({ node_alias: "" }, attributes)];
  }

  Chart.prototype.draw = function (attributes, started) {
    var self = this;
    var stamps = attributes.timestamps_s;
    var found = lines(attributes);
    var wanted = this.quantities();
    this.loads += 1;
    this.el.setAttribute("data-loads", String(this.loads));
    this.el.setAttribute("data-points", String(stamps.length));
    this.el.setAttribute("data-resolution", attributes.resolution);
    this.el.setAttribute("data-lines", String(found.length));
    if (this.plot) { this.plot.destroy(); this.plot = null; }
    if (stamps.length === 0) {
      this.status(this.labels.empty);
      this.el.setAttribute("data-draw-ms", String(Math.round(performance.now() - started)));
      this.el.setAttribute("data-rendered", "true");
      return;
    }
    var data = [stamps];
    var series = [{}];
    var names = { co2_ppm: this.labels.co2, temperature_celsius: this.labels.temperature,
                  rel_humidity_percent: this.labels.humidity };
    wanted.forEach(function (quantity) {
      found.forEach(function (line, index) {
        var name = names[quantity] + (found.length > 1 || line.node_alias ? " · " + line.node_alias : "");
        data.push(line[quantity + "_avg"]);
        series.push({
          label: name.replace(/ · $/, ""),
          scale: quantity === "co2_ppm" ? "ppm" : "env",
          stroke: COLOURS[index % COLOURS.length],
          width: quantity === "co2_ppm" ? 2 : 1,
          dash: quantity === "rel_humidity_percent" ? [6, 4] : quantity === "temperature_celsius" ? [2, 3] : undefined,
          spanGaps: false
        });
      });
    });
    var range = this.range();
    var axes = [{}, { scale: "ppm", label: "ppm" }];
    if (wanted.length > 1) { axes.push({ scale: "env", side: 1, label: "°C / %", grid: { show: false } }); }
    var painted = false;
    var opts = {
      width: this.width(),
      height: this.height(),
      // 24-hour clock and ISO dates on the time axis, whatever the browser's locale.
      fmtDate: function (tpl) {
        return uPlot.fmtDate(tpl.replace(/\{h\}/g, "{HH}").replace(/\{aa\}/g, "")
          .replace(/\{M\}\/\{D\}\/\{YY\}/g, "{YYYY}-{MM}-{DD}").replace(/\{M\}\/\{D\}/g, "{MM}-{DD}"));
      },
      scales: { x: { time: true, range: [range[0], range[1]] }, ppm: {}, env: {} },
      series: series,
      axes: axes,
      cursor: { drag: { x: true, y: false, setScale: false } },
      hooks: {
        draw: [function () {
          if (painted) { return; }
          painted = true;
          self.el.setAttribute("data-draw-ms", String(Math.round(performance.now() - started)));
          self.el.setAttribute("data-rendered", "true");
        }],
        setSelect: [function (u) {
          if (u.select.width < 4) { return; }
          var from = Math.floor(u.posToVal(u.select.left, "x"));
          var to = Math.ceil(u.posToVal(u.select.left + u.select.width, "x"));
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          self.window = [from, to];
          self.zoomed = true;
          self.load();
        }]
      }
    };
    this.status("");
    this.plot = new uPlot(opts, data, this.plotEl);
  };

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("section.chart"), function (el) {
      el.chart = new Chart(el);
    });
  });
})();
