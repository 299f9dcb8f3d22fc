/* legaltv staff console: plain JS over the JSON API; the bearer token lives in sessionStorage. */
(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("i18n").textContent);
  var lang = document.documentElement.lang;
  var KEY = "legaltv_token";
  var me = null;
  var ACTIVE = { uploading: 1, uploaded: 1, queued: 1, processing: 1 };

  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }
  function button(text, onClick, cls) {
    var b = el("button", text, cls); b.type = "button"; b.addEventListener("click", onClick); return b;
  }
  function token() { return sessionStorage.getItem(KEY); }

  /* the API's error envelope: {"error": {"code", "message", "details"}} (messages are bilingual) */
  function describe(body, status) {
    var err = body && body.error;
    if (!err) { return T.error + " " + status; }
    var text = err.message || err.code;
    (err.details || []).forEach(function (d) {
      if (typeof d === "string") { text += " — " + d; }
      else if (d && (d.msg || d.message)) { text += " — " + (d.loc ? d.loc.slice(1).join(".") + ": " : "") + (d.msg || d.message); }
    });
    return text;
  }
  function showError(text) { var box = $("console-error"); box.textContent = text || ""; box.classList.toggle("hidden", !text); }

  function api(method, url, body) {
    var headers = { Accept: "application/json" };
    if (token()) { headers.Authorization = "Bearer " + token(); }
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(url, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        if (r.status === 204) { return null; }
        return r.json().catch(function () { return null; }).then(function (data) {
          if (r.status === 401 && url.indexOf("/api/auth/login") !== 0) { signedOut(); }
          if (!r.ok) { var e = new Error(describe(data, r.status)); e.status = r.status; throw e; }
          return data;
        });
      }, function () { throw new Error(T.network_error); });
  }
  function fail(e) { showError(e.message); }

  /* ---------- session ---------- */
  function signedOut() {
    sessionStorage.removeItem(KEY); me = null;
    $("workspace").classList.add("hidden"); $("login-form").classList.remove("hidden");
    if ($("mfa-form")) { $("mfa-form").classList.add("hidden"); }
  }
  function signedIn(user) {
    me = user; showError("");
    $("login-form").classList.add("hidden"); $("workspace").classList.remove("hidden");
    $("whoami").textContent = user.display_name || user.username;
    var roles = user.roles || [], enrolOnly = user.session_scope === "mfa_enrolment";
    $("whoami-role").textContent = roles.map(function (r) { return T["role_" + r] || r; }).join(", ");
    var first = null;
    document.querySelectorAll("[data-tab]").forEach(function (tab) {
      var wanted = tab.getAttribute("data-roles").split(" ");
      var allowed = wanted.indexOf("*") >= 0 || (!enrolOnly && roles.some(function (r) { return wanted.indexOf(r) >= 0; }));
      tab.classList.toggle("hidden", !allowed);
      if (allowed && !first) { first = tab.getAttribute("data-tab"); }
    });
    if (first) { openTab(first); }
  }
  $("login-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    api("POST", "/api/auth/login", { username: $("login-username").value, password: $("login-password").value })
      .then(function (data) {
        $("login-password").value = "";
        if (data.step === "mfa_required") { window.legaltvAccount.askCode(data.challenge); } else { startSession(data.access_token); }
      })
      .catch(fail);
  });
  function startSession(accessToken) {
    sessionStorage.setItem(KEY, accessToken);
    return api("GET", "/api/auth/me").then(signedIn);
  }
  $("logout").addEventListener("click", function () {
    api("POST", "/api/auth/logout").catch(function () {}).then(signedOut);
  });

  var loaders = {};
  function openTab(name) {
    document.querySelectorAll("[data-tab]").forEach(function (tab) {
      var on = tab.getAttribute("data-tab") === name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      $("tab-" + tab.getAttribute("data-tab")).classList.toggle("hidden", !on);
    });
    if (loaders[name]) { loaders[name](); }
  }
  document.querySelectorAll("[data-tab]").forEach(function (tab) {
    tab.addEventListener("click", function () { openTab(tab.getAttribute("data-tab")); });
  });

  /* ---------- programmes: upload, metadata, progress, preview ---------- */
  var topics = [];
  var programmes = {};
  var upload = null;

  function statusText(p) { return T["st_" + p.status] || p.status; }
  function renderProgrammes() {
    var body = $("programmes"); body.textContent = "";
    Object.keys(programmes).map(function (k) { return programmes[k]; })
      .sort(function (a, b) { return a.created_at < b.created_at ? 1 : -1; })
      .forEach(function (p) {
        var tr = el("tr"); tr.setAttribute("data-programme", p.id); tr.setAttribute("data-status", p.status);
        tr.appendChild(el("td", p.title));
        var st = el("td", statusText(p));
        if (p.status === "failed" && (p.error_message || p.error_code)) { st.appendChild(el("div", p.error_message || p.error_code, "error")); }
        else if (p.stage && ACTIVE[p.status]) { st.appendChild(el("div", p.stage, "muted")); }
        tr.appendChild(st);
        var pr = el("td"), bar = el("progress"); bar.max = 100; bar.value = p.status === "ready" ? 100 : (p.progress || 0);
        pr.appendChild(bar); pr.appendChild(el("span", Math.round(bar.value) + " %", "muted")); tr.appendChild(pr);
        var actions = el("td");
        actions.appendChild(button(T.edit, function () { edit(p); }));
        if (p.status === "ready" && p.preview_url) { actions.appendChild(button(T.preview, function () { preview(p); })); }
        if (p.status === "failed") {
          actions.appendChild(button(T.retry, function () {
            api("POST", "/api/programmes/" + p.id + "/retry").then(function () { return refreshOne(p.id); }).then(poll).catch(fail);
          }));
        }
        tr.appendChild(actions); body.appendChild(tr);
      });
    /* console-review.js adds where each programme stands in review */
    document.dispatchEvent(new CustomEvent("legaltv:programmes", { detail: Object.keys(programmes) }));
  }
  function loadProgrammes() {
    return api("GET", "/api/programmes?limit=100").then(function (page) {
      programmes = {}; (page.items || []).forEach(function (p) { programmes[p.id] = p; });
      renderProgrammes(); poll();
    }).catch(fail);
  }
  function refreshOne(id) {
    return api("GET", "/api/programmes/" + id).then(function (p) { programmes[p.id] = p; renderProgrammes(); return p; });
  }
  var polling = null;
  function poll() {
    if (polling) { return; }
    polling = setTimeout(function () {
      polling = null;
      var active = Object.keys(programmes).filter(function (id) { return ACTIVE[programmes[id].status]; });
      if (!active.length) { return; }
      Promise.all(active.map(refreshOne)).catch(fail).then(poll);
    }, 2000);
  }
  loaders.programmes = function () {
    api("GET", "/api/topics").then(function (list) { topics = list || []; }).catch(function () { topics = []; });
    loadProgrammes();
  };
  $("programmes-refresh").addEventListener("click", loadProgrammes);

  function edit(p) {
    $("edit-form").classList.remove("hidden");
    $("edit-id").value = p.id; $("edit-heading").textContent = p.title;
    $("edit-title").value = p.title; $("edit-description").value = p.description || "";
    $("edit-status").textContent = "";
    var box = $("edit-topics"); box.textContent = "";
    var chosen = (p.topics || []).map(function (t) { return t.slug; });
    topics.forEach(function (t) {
      var label = el("label"), input = el("input"); input.type = "checkbox"; input.value = t.slug;
      input.checked = chosen.indexOf(t.slug) >= 0; label.appendChild(input);
      label.appendChild(document.createTextNode(" " + (lang === "en" && t.name_en ? t.name_en : t.name)));
      box.appendChild(label);
    });
  }
  $("edit-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var id = $("edit-id").value;
    var chosen = Array.prototype.map.call($("edit-topics").querySelectorAll("input:checked"), function (i) { return i.value; });
    api("PATCH", "/api/programmes/" + id, { title: $("edit-title").value, description: $("edit-description").value, topics: chosen })
      .then(function (p) { programmes[p.id] = p; renderProgrammes(); $("edit-status").textContent = T.saved; showError(""); })
      .catch(fail);
  });

  var previewHls = null;
  function preview(p) {
    $("preview-panel").classList.remove("hidden"); $("preview-title").textContent = p.title;
    var video = $("preview-video");
    if (previewHls) { previewHls.destroy(); previewHls = null; }
    if (window.Hls && window.Hls.isSupported()) { previewHls = new window.Hls(); previewHls.loadSource(p.preview_url); previewHls.attachMedia(video); }
    else { video.src = p.preview_url; }
    var played = video.play(); if (played && played.catch) { played.catch(function () {}); }
  }
  $("preview-close").addEventListener("click", function () {
    if (previewHls) { previewHls.destroy(); previewHls = null; }
    $("preview-video").removeAttribute("src"); $("preview-panel").classList.add("hidden");
  });

  function tusError(err) {
    var res = err && err.originalResponse;
    if (res) {
      try { return describe(JSON.parse(res.getBody()), res.getStatus()); } catch (e) { return T.error + " " + res.getStatus(); }
    }
    return T.network_error;
  }
  $("upload-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!window.tus) { showError(T.player_missing.replace("hls.js", "tus-js-client")); return; }
    var file = $("upload-file").files[0];
    if (!file) { return; }
    var title = $("upload-title").value, programmeId = null;
    var bar = $("upload-progress"), status = $("upload-status"), pause = $("upload-pause");
    bar.classList.remove("hidden"); bar.value = 0; status.textContent = "0 %";
    $("upload-start").disabled = true; pause.classList.remove("hidden"); pause.textContent = T.pause;
    upload = new window.tus.Upload(file, {
      endpoint: "/api/uploads/",
      chunkSize: 5 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      metadata: { filename: file.name, filetype: file.type || "application/octet-stream", title: title },
      headers: { Authorization: "Bearer " + token() },
      removeFingerprintOnSuccess: true,
      onProgress: function (sent, total) {
        var pct = total ? (sent / total) * 100 : 0;
        bar.value = pct; status.textContent = pct.toFixed(1) + " %";
      },
      onAfterResponse: function (_req, res) {
        var id = res.getHeader("X-Programme-Id"); if (id) { programmeId = id; }
      },
      onError: function (err) {
        $("upload-start").disabled = false; pause.classList.add("hidden");
        status.textContent = ""; showError(tusError(err));
      },
      onSuccess: function () {
        bar.value = 100; status.textContent = T.uploaded; showError("");
        $("upload-start").disabled = false; pause.classList.add("hidden"); upload = null;
        $("upload-form").reset();
        if (programmeId) {
          refreshOne(programmeId).then(function (p) { edit(p); poll(); }).catch(fail);
        } else { loadProgrammes(); }
      }
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) { upload.resumeFromPreviousUpload(previous[0]); }
      upload.start();
    });
  });
  $("upload-pause").addEventListener("click", function () {
    if (!upload) { return; }
    var btn = $("upload-pause");
    if (btn.textContent === T.pause) { upload.abort(); btn.textContent = T.resume; }
    else { upload.start(); btn.textContent = T.pause; }
  });

  /* ---------- grid: day/week timeline, entries, conflicts, publish ---------- */
  var grid = { span: "day", channels: [], tz: "Asia/Ho_Chi_Minh", entries: [], conflicted: {} };
  function localDate(d, tz) {
    return new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
  }
  function localTime(iso, tz) {
    return new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }).format(new Date(iso));
  }
  function shiftDate(ymd, days) {
    var d = new Date(ymd + "T12:00:00Z"); d.setUTCDate(d.getUTCDate() + days); return d.toISOString().slice(0, 10);
  }
  function slug() { return $("grid-channel").value; }
  function offsetOf(ymd, tz) {
    /* the zone's offset at noon of that day, as +HH:MM */
    var noon = new Date(ymd + "T12:00:00Z");
    var parts = new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hour12: false }).format(noon).split(":");
    var minutes = (parseInt(parts[0], 10) % 24) * 60 + parseInt(parts[1], 10) - 12 * 60;
    if (minutes > 14 * 60) { minutes -= 24 * 60; }
    var sign = minutes < 0 ? "-" : "+", m = Math.abs(minutes);
    return sign + String(Math.floor(m / 60)).padStart(2, "0") + ":" + String(m % 60).padStart(2, "0");
  }
  function dayStart(ymd, tz) { return Date.parse(ymd + "T00:00:00" + offsetOf(ymd, tz)); }

  function loadGrid() {
    var s = slug(); if (!s) { return Promise.resolve(); }
    var days = grid.span === "week" ? 7 : 1, first = $("grid-date").value;
    var from = new Date(dayStart(first, grid.tz)).toISOString();
    var to = new Date(dayStart(shiftDate(first, days), grid.tz)).toISOString();
    var q = "?from=" + encodeURIComponent(from) + "&to=" + encodeURIComponent(to);
    return Promise.all([
      api("GET", "/api/channels/" + s + "/entries" + q),
      api("GET", "/api/channels/" + s + "/conflicts").catch(function (e) { fail(e); return []; })
    ]).then(function (res) {
      grid.entries = res[0] || []; grid.conflicted = {};
      renderConflicts(res[1] || []); renderTimeline(first, days); renderEntries();
    }).catch(fail);
  }
  function renderConflicts(list) {
    var ul = $("conflicts"); ul.textContent = "";
    if (!list.length) { ul.appendChild(el("li", T.no_conflicts, "muted")); }
    list.forEach(function (c) {
      (c.entry_ids || []).forEach(function (id) { grid.conflicted[id] = true; });
      ul.appendChild(el("li", localTime(c.at, grid.tz) + " — " + c.message, c.severity === "error" ? "error" : "muted"));
    });
  }
  function renderTimeline(first, days) {
    var box = $("timeline"); box.textContent = "";
    for (var i = 0; i < days; i++) {
      var ymd = shiftDate(first, i), start = dayStart(ymd, grid.tz), row = el("div", null, "tl-day");
      row.appendChild(el("span", ymd, "tl-label"));
      grid.entries.forEach(function (e) {
        var a = Date.parse(e.start_at), b = e.end_at ? Date.parse(e.end_at) : a + 60000;
        if (b <= start || a >= start + 864e5) { return; }
        var left = Math.max(0, (a - start) / 864e5), right = Math.min(1, (b - start) / 864e5);
        var block = el("div", e.programme_title, "tl-block" + (e.mode === "soft" ? " soft" : "") + (grid.conflicted[e.id] ? " conflict" : ""));
        block.style.left = (left * 100) + "%"; block.style.width = ((right - left) * 100) + "%";
        block.title = localTime(e.start_at, grid.tz) + " " + e.programme_title;
        row.appendChild(block);
      });
      box.appendChild(row);
    }
  }
  function renderEntries() {
    var body = $("entries"); body.textContent = "";
    grid.entries.slice().sort(function (a, b) { return a.start_at < b.start_at ? -1 : 1; }).forEach(function (e) {
      var tr = el("tr"); tr.setAttribute("data-entry", e.id);
      tr.appendChild(el("td", localDate(new Date(e.start_at), grid.tz) + " " + localTime(e.start_at, grid.tz)));
      tr.appendChild(el("td", e.programme_title + (e.rrule ? " ↻" : ""), grid.conflicted[e.id] ? "error" : ""));
      tr.appendChild(el("td", e.mode === "soft" ? T.mode_soft : T.mode_hard));
      var actions = el("td");
      actions.appendChild(button(T.move, function () {
        var current = localDate(new Date(e.start_at), grid.tz) + "T" + localTime(e.start_at, grid.tz);
        var value = window.prompt(T.new_time, current);
        if (value) { api("PATCH", "/api/entries/" + e.id, { start: value }).then(loadGrid).catch(fail); }
      }));
      actions.appendChild(button(T.delete, function () {
        if (window.confirm(T.confirm_delete)) { api("DELETE", "/api/entries/" + e.id).then(loadGrid).catch(fail); }
      }));
      tr.appendChild(actions); body.appendChild(tr);
    });
  }
  function loadReadyProgrammes() {
    return api("GET", "/api/programmes?status=ready&limit=100").then(function (page) {
      var select = $("entry-programme"), keep = select.value; select.textContent = "";
      (page.items || []).forEach(function (p) { var o = el("option", p.title); o.value = p.id; select.appendChild(o); });
      if (keep) { select.value = keep; }
    }).catch(fail);
  }
  loaders.grid = function () {
    api("GET", "/api/channels").then(function (list) {
      grid.channels = list || [];
      var select = $("grid-channel"), keep = select.value; select.textContent = "";
      grid.channels.forEach(function (c) { var o = el("option", c.name); o.value = c.slug; select.appendChild(o); });
      if (keep) { select.value = keep; }
      var ch = grid.channels.filter(function (c) { return c.slug === select.value; })[0];
      grid.tz = ch ? ch.timezone : grid.tz;
      if (!$("grid-date").value) { $("grid-date").value = localDate(new Date(), grid.tz); }
      if (!$("entry-date").value) { $("entry-date").value = localDate(new Date(), grid.tz); }
      return Promise.all([loadGrid(), loadReadyProgrammes()]);
    }).catch(fail);
  };
  $("grid-channel").addEventListener("change", loaders.grid);
  $("grid-date").addEventListener("change", loadGrid);
  $("grid-day").addEventListener("click", function () { grid.span = "day"; $("grid-day").setAttribute("aria-pressed", "true"); $("grid-week").setAttribute("aria-pressed", "false"); loadGrid(); });
  $("grid-week").addEventListener("click", function () { grid.span = "week"; $("grid-week").setAttribute("aria-pressed", "true"); $("grid-day").setAttribute("aria-pressed", "false"); loadGrid(); });
  $("grid-prev").addEventListener("click", function () { $("grid-date").value = shiftDate($("grid-date").value, grid.span === "week" ? -7 : -1); loadGrid(); });
  $("grid-next").addEventListener("click", function () { $("grid-date").value = shiftDate($("grid-date").value, grid.span === "week" ? 7 : 1); loadGrid(); });
  $("entry-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var time = $("entry-time").value; if (time.length === 5) { time += ":00"; }
    var body = { programme_id: $("entry-programme").value, start: $("entry-date").value + "T" + time, mode: $("entry-mode").value };
    var rule = $("entry-rrule").value.trim(); if (rule) { body.rrule = rule; }
    api("POST", "/api/channels/" + slug() + "/entries", body).then(function () { showError(""); return loadGrid(); }).catch(fail);
  });
  $("publish").addEventListener("click", function () {
    api("POST", "/api/channels/" + slug() + "/publish").then(function (res) {
      $("publish-status").textContent = T.published + " " + res.version; showError(""); renderConflicts(res.conflicts || []); renderEntries();
    }).catch(fail);
  });

  /* ---------- users (admin) ---------- */
  function loadUsers() {
    return api("GET", "/api/users").then(function (list) {
      var body = $("users"); body.textContent = "";
      (list || []).forEach(function (u) {
        var tr = el("tr"); tr.setAttribute("data-user", u.username);
        tr.appendChild(el("td", u.username)); tr.appendChild(el("td", u.display_name));
        tr.appendChild(el("td", (u.roles || []).map(function (r) { return T["role_" + r] || r; }).join(", ")));
        tr.appendChild(el("td", u.active ? T.active : T.inactive));
        var actions = el("td");
        if (!me || u.id !== me.id) {
          actions.appendChild(button(u.active ? T.deactivate : T.activate, function () {
            api("PATCH", "/api/users/" + u.id, { active: !u.active }).then(loadUsers).catch(fail);
          }));
          if (u.mfa_enrolled) {
            actions.appendChild(button(T.mfa_reset, function () {
              if (window.confirm(T.confirm_mfa_reset)) { api("POST", "/api/users/" + u.id + "/mfa/reset").then(loadUsers).catch(fail); }
            }, "mfa-reset"));
          }
        }
        tr.appendChild(actions); body.appendChild(tr);
      });
    }).catch(fail);
  }
  loaders.users = loadUsers;
  $("user-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    api("POST", "/api/users", {
      username: $("user-username").value, display_name: $("user-display").value,
      password: $("user-password").value,
      roles: Array.prototype.map.call($("user-role").selectedOptions, function (o) { return o.value; })
    }).then(function () { $("user-form").reset(); showError(""); return loadUsers(); }).catch(fail);
  });

  /* ---------- shared with console-account.js (sign-in code, account tab) ---------- */
  window.legaltvConsole = {
    T: T, lang: lang, $: $, el: el, button: button, api: api, fail: fail, showError: showError,
    token: token, loaders: loaders, startSession: startSession, signedIn: signedIn, signedOut: signedOut,
    me: function () { return me; }
  };

  /* ---------- start ---------- */
  if (!window.tus) { showError(T.player_missing.replace("hls.js", "tus-js-client")); }
  if (token()) { api("GET", "/api/auth/me").then(signedIn).catch(signedOut); } else { signedOut(); }
})();
