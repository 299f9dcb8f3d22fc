/* legaltv staff console, «Trực tiếp / Live»: a channel's live events in the channel's time zone with
   their status and approval; creating one (its stream key is shown once, with the OBS server, the key and
   the SRT address, each with a copy button); a new key, revoking it, a new end, cancelling. The events
   air only once an editor approves them (review desk). Uses window.legaltvConsole; no inline script. */
(function () {
  "use strict";
  var C = window.legaltvConsole, T = C.T, $ = C.$, el = C.el, api = C.api, fail = C.fail;
  var locale = C.lang === "en" ? "en-GB" : "vi-VN";
  var live = { channels: [], tz: "Asia/Ho_Chi_Minh" };

  function slug() { return $("live-channel").value; }
  function when(iso) {
    return new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short", timeZone: live.tz }).format(new Date(iso));
  }
  /* "YYYY-MM-DDTHH:MM" in the channel's zone (what a datetime-local input holds; the server reads it so) */
  function localInput(iso) {
    var parts = {};
    new Intl.DateTimeFormat("en-CA", { timeZone: live.tz, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date(iso))
      .forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute;
  }
  function seconds(value) { return value.length === 16 ? value + ":00" : value; }
  function list(value) { return value.split(";").map(function (s) { return s.trim(); }).filter(Boolean); }
  function say(text) { $("live-status").textContent = text || ""; }

  /* ---------- the key, shown once ---------- */
  function showKey(answer) {
    var ep = answer.endpoints;
    $("live-key-event").textContent = answer.event.title;
    $("live-key-server").textContent = ep.rtmp_server;
    $("live-key-value").textContent = ep.rtmp_stream_key;
    $("live-key-srt").textContent = ep.srt_url;
    var steps = $("live-key-steps"); steps.textContent = "";
    (C.lang === "en" ? ep.obs_steps_en : ep.obs_steps_vi).forEach(function (s) { steps.appendChild(el("li", s)); });
    $("live-copy-status").textContent = "";
    $("live-key-panel").classList.remove("hidden");
    $("live-key-heading").scrollIntoView();
  }
  function hideKey() {
    ["live-key-server", "live-key-value", "live-key-srt", "live-key-event"].forEach(function (id) { $(id).textContent = ""; });
    $("live-key-steps").textContent = "";
    $("live-key-panel").classList.add("hidden");
  }
  function copy(id) {
    var text = $(id).textContent;
    var done = function () { $("live-copy-status").textContent = T.live_copied; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { select(id); });
    } else { select(id); }
  }
  function select(id) { /* no clipboard access: select the text for Ctrl+C */
    var range = document.createRange(); range.selectNodeContents($(id));
    var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
  }
  document.querySelectorAll("#live-key-panel [data-copy]").forEach(function (b) {
    b.addEventListener("click", function () { copy(b.getAttribute("data-copy")); });
  });
  $("live-key-close").addEventListener("click", hideKey);

  /* ---------- the list ---------- */
  function act(e) {
    var cell = el("td");
    if (e.phase === "ended" || e.phase === "cancelled") { return cell; }
    var add = function (text, run) {
      var b = C.button(text, run); b.setAttribute("aria-label", text + ": " + e.title); cell.appendChild(b);
    };
    add(T.live_new_key, function () {
      if (!window.confirm(T.live_confirm_new_key)) { return; }
      api("POST", "/api/live/" + e.id + "/key").then(function (a) { C.showError(""); showKey(a); return load(); }).catch(fail);
    });
    if (!e.key_revoked) {
      add(T.live_revoke, function () {
        if (!window.confirm(T.live_confirm_revoke)) { return; }
        api("POST", "/api/live/" + e.id + "/key/revoke").then(function () { hideKey(); say(T.live_revoked); return load(); }).catch(fail);
      });
    }
    add(T.live_change_end, function () {
      var value = window.prompt(T.live_new_end, localInput(e.end));
      if (!value) { return; }
      api("PATCH", "/api/live/" + e.id, { end: seconds(value.trim()) }).then(function () { say(T.live_updated); return load(); }).catch(fail);
    });
    if (e.phase === "scheduled") {
      add(T.live_cancel, function () {
        if (!window.confirm(T.live_confirm_cancel)) { return; }
        api("PATCH", "/api/live/" + e.id, { cancelled: true }).then(function () { return load(); }).catch(fail);
      });
    }
    return cell;
  }
  function render(events) {
    var body = $("live-events"); body.textContent = "";
    $("live-empty").classList.toggle("hidden", events.length > 0);
    events.forEach(function (e) {
      var tr = el("tr"); tr.setAttribute("data-live", e.id);
      tr.setAttribute("data-phase", e.phase); tr.setAttribute("data-approval", e.approval);
      tr.appendChild(el("td", when(e.start) + " – " + when(e.end)));
      tr.appendChild(el("td", e.title));
      tr.appendChild(el("td", (T["live_phase_" + e.phase] || e.phase) + (e.key_revoked ? " (" + T.live_key_revoked + ")" : "")));
      var approval = e.phase === "cancelled" ? "—" : (T["rv_" + e.approval] || e.approval) + " · " + T.review_revision + " " + e.revision;
      tr.appendChild(el("td", approval, "approval " + e.approval));
      tr.appendChild(act(e));
      body.appendChild(tr);
    });
  }
  function load() {
    if (!slug()) { return Promise.resolve(); }
    return api("GET", "/api/channels/" + slug() + "/live").then(render).catch(fail);
  }
  function channels() {
    return api("GET", "/api/channels").then(function (found) {
      live.channels = found || [];
      var select = $("live-channel"), keep = select.value; select.textContent = "";
      live.channels.forEach(function (c) { var o = el("option", c.name); o.value = c.slug; select.appendChild(o); });
      if (keep) { select.value = keep; }
      var ch = live.channels.filter(function (c) { return c.slug === select.value; })[0];
      live.tz = ch ? ch.timezone : live.tz;
      $("live-tz").textContent = live.tz;
      return load();
    }).catch(fail);
  }
  C.loaders.live = channels;
  $("live-channel").addEventListener("change", channels);
  $("live-refresh").addEventListener("click", load);

  /* ---------- creating one ---------- */
  $("live-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    api("POST", "/api/channels/" + slug() + "/live", {
      title: $("live-title").value, description: $("live-description").value,
      topics: list($("live-topics").value), legal_documents: list($("live-documents").value),
      start: seconds($("live-start").value), end: seconds($("live-end").value)
    }).then(function (answer) {
      C.showError(""); $("live-form").reset(); say(T.live_created); showKey(answer); return load();
    }).catch(fail);
  });
})();
