/* legaltv staff console, «Báo cáo»: audience and airtime of a channel over a period (GET /api/reports/…),
   drawn with Chart.js (from npm, served like hls.js), Vietnamese labels and number formats, each table
   downloadable as CSV or XLSX, and a print stylesheet for the monthly report. Uses window.legaltvConsole. */
(function () {
  "use strict";
  var C = window.legaltvConsole, T = C.T, $ = C.$, el = C.el, api = C.api, fail = C.fail;
  var ZONE = "Asia/Ho_Chi_Minh";
  var locale = C.lang === "en" ? "en-GB" : "vi-VN";
  var number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  var charts = {}, report = null;

  function today() { return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE }).format(new Date()); }
  function moment(iso, bucket) {
    var options = bucket === "day" ? { dateStyle: "short" } : bucket === "hour" ? { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" } : { timeStyle: "short" };
    options.timeZone = ZONE;
    return new Intl.DateTimeFormat(locale, options).format(new Date(iso));
  }
  function dayText(iso) { return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(new Date(iso + "T00:00:00Z")); }

  function draw(id, config) {
    if (charts[id]) { charts[id].destroy(); }
    config.options = Object.assign({ locale: locale, animation: false, responsive: true, maintainAspectRatio: false,
      plugins: { legend: { display: config.data.datasets.length > 1 } } }, config.options || {});
    charts[id] = new window.Chart($(id), config);
    $(id).setAttribute("data-points", String(config.data.labels.length));
  }
  function cell(tr, text) { tr.appendChild(el("td", text)); }

  function render(r) {
    report = r;
    $("reports-body").classList.remove("hidden");
    $("reports-caption").textContent = T.report_for + " " + r.channel_name + " — " + T.report_period_of + " " +
      dayText(r.first_day) + " " + T.report_to + " " + dayText(r.last_day);
    $("reports-unique").textContent = number.format(r.unique_viewers);
    $("reports-peak").textContent = number.format(r.peak_viewers);
    $("reports-watch").textContent = number.format(r.watch_hours);
    $("reports-empty").classList.toggle("hidden", r.viewers.length > 0 || r.airtime_topics.length > 0);
    if (!window.Chart) { C.showError(T.error + ": chart.js"); return; }
    draw("chart-viewers", { type: "line", data: {
      labels: r.viewers.map(function (p) { return moment(p.at, r.bucket); }),
      datasets: [{ label: T.series_viewers, data: r.viewers.map(function (p) { return p.peak_viewers; }), borderColor: "#1d4f91", backgroundColor: "#1d4f91", tension: 0.2 }]
    } });
    draw("chart-topics", { type: "bar", data: {
      labels: r.topics.map(function (s) { return s.name; }),
      datasets: [{ label: T.series_watch, data: r.topics.map(function (s) { return s.watch_hours; }), backgroundColor: "#2a7a4b" }]
    } });
    var top = r.programmes.slice(0, 10);
    draw("chart-programmes", { type: "bar", options: { indexAxis: "y" }, data: {
      labels: top.map(function (p) { return p.title; }),
      datasets: [{ label: T.series_watch, data: top.map(function (p) { return p.watch_hours; }), backgroundColor: "#8a4b08" }]
    } });
    draw("chart-airtime", { type: "bar", data: {
      labels: r.airtime_topics.map(function (a) { return a.name; }),
      datasets: [
        { label: T.series_planned, data: r.airtime_topics.map(function (a) { return a.planned_hours; }), backgroundColor: "#9aa5b1" },
        { label: T.series_aired, data: r.airtime_topics.map(function (a) { return a.aired_hours; }), backgroundColor: "#1d4f91" }
      ]
    } });
    var body = $("reports-programmes"); body.textContent = "";
    r.programmes.forEach(function (p) {
      var tr = el("tr"); cell(tr, p.title); cell(tr, number.format(p.viewers)); cell(tr, number.format(p.watch_hours)); body.appendChild(tr);
    });
    var air = $("reports-airtime"); air.textContent = "";
    r.airtime_topics.forEach(function (a) {
      var tr = el("tr"); cell(tr, a.name); cell(tr, number.format(a.planned_hours)); cell(tr, number.format(a.aired_hours)); air.appendChild(tr);
    });
    var camps = $("reports-campaigns"); camps.textContent = "";
    r.campaigns.forEach(function (c) {
      var tr = el("tr"); cell(tr, c.name + " (" + dayText(c.first_day) + " – " + dayText(c.last_day) + ")");
      cell(tr, number.format(c.planned_hours)); cell(tr, number.format(c.aired_hours));
      cell(tr, number.format(c.viewers)); cell(tr, number.format(c.watch_hours)); camps.appendChild(tr);
    });
    var list = $("reports-exports"); list.textContent = "";
    Object.keys(r.exports).forEach(function (name) {
      var table = name.replace(/\.(csv|xlsx)$/, ""), fmt = name.slice(table.length + 1);
      var li = el("li"), b = el("button", (T["table_" + table] || table) + " (" + fmt.toUpperCase() + ")");
      b.type = "button"; b.setAttribute("data-export", name);
      b.addEventListener("click", function () { download(r.exports[name]); });
      li.appendChild(b); list.appendChild(li);
    });
    $("reports-body").setAttribute("data-loaded", r.period + ":" + r.first_day);
  }

  function download(url) {
    fetch(url, { headers: { Authorization: "Bearer " + C.token() } }).then(function (res) {
      if (!res.ok) { return res.json().then(function (b) { throw new Error((b && b.error && b.error.message) || T.error); }); }
      var found = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "");
      return res.blob().then(function (blob) {
        var link = el("a"); link.href = URL.createObjectURL(blob); link.download = found ? found[1] : "bao-cao";
        document.body.appendChild(link); link.click(); link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
      });
    }).catch(fail);
  }

  function query() {
    var q = "?period=" + encodeURIComponent($("reports-period").value) + "&date=" + encodeURIComponent($("reports-date").value);
    if ($("reports-period").value === "custom" && $("reports-end").value) { q += "&end=" + encodeURIComponent($("reports-end").value); }
    return q;
  }
  function show() {
    var slug = $("reports-channel").value;
    if (!slug) { return Promise.resolve(); }
    return api("GET", "/api/reports/" + encodeURIComponent(slug) + query()).then(render).catch(fail);
  }
  function load() {
    var select = $("reports-channel");
    if (!$("reports-date").value) { $("reports-date").value = today(); }
    var first = select.options.length ? Promise.resolve() : api("GET", "/api/channels").then(function (list) {
      (list || []).forEach(function (c) { var o = el("option", c.name); o.value = c.slug; select.appendChild(o); });
    });
    first.then(show).catch(fail);
    loadProgrammes().catch(fail);
  }
  function loadProgrammes() {
    var select = $("campaign-programmes");
    if (select.options.length) { return Promise.resolve(); }
    return api("GET", "/api/programmes?status=ready&limit=100").then(function (page) {
      ((page && page.items) || []).forEach(function (p) { var o = el("option", p.title); o.value = p.id; select.appendChild(o); });
    });
  }
  $("campaign-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    $("campaign-status").textContent = "";
    api("POST", "/api/campaigns", {
      name: $("campaign-name").value.trim(),
      theme: $("campaign-theme").value.trim(),
      starts_on: $("campaign-from").value,
      ends_on: $("campaign-to").value,
      programme_ids: Array.prototype.map.call($("campaign-programmes").selectedOptions, function (o) { return o.value; })
    }).then(function () {
      $("campaign-form").reset(); C.showError(""); $("campaign-status").textContent = T.campaign_created;
      return show();
    }).catch(fail);
  });
  $("reports-period").addEventListener("change", function () {
    $("reports-end-box").classList.toggle("hidden", $("reports-period").value !== "custom");
  });
  $("reports-form").addEventListener("submit", function (ev) { ev.preventDefault(); show(); });
  $("reports-print").addEventListener("click", function () {
    var ready = report && report.period === $("reports-period").value ? Promise.resolve() : show();
    ready.then(function () { window.print(); });
  });
  C.loaders.reports = load;
})();
