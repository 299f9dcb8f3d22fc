/* legaltv staff console, the review desk: the queues of revisions awaiting an editor (programmes, and live
   events: their facts are the slot itself), one revision's exact facts with a preview player, approve or
   reject with a reason (four eyes: the server refuses one's own work), withdraw an approval; and in the programmes list, where each programme stands in review (the
   producer reads why a revision was refused). Uses window.legaltvConsole; no inline script (CSP). */
(function () {
  "use strict";
  var C = window.legaltvConsole, T = C.T, $ = C.$, el = C.el, api = C.api, fail = C.fail;
  var current = null, player = null, shown = null, zones = {};

  function stateText(state) { return T["rv_" + state] || state; }
  function when(iso) {
    return new Intl.DateTimeFormat(C.lang === "en" ? "en-GB" : "vi-VN", { dateStyle: "short", timeStyle: "medium" }).format(new Date(iso));
  }
  function minutes(seconds) {
    var s = Math.round(seconds || 0);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  function isEditor() { var me = C.me(); return !!me && (me.roles || []).some(function (r) { return r === "editor" || r === "admin"; }); }

  /* where a subject's review is read and decided (the API's routes differ, the rules do not) */
  function isLive(r) { return r.subject_type === "live_event"; }
  function reviewUrl(kind, id) { return kind === "live_event" ? "/api/live/" + id + "/reviews" : "/api/programmes/" + id + "/review"; }
  function withdrawUrl(r) { return (isLive(r) ? "/api/live/" : "/api/programmes/") + r.subject_id + "/approval/withdraw"; }
  function decide(r, decision, note) {
    if (isLive(r)) { return api("POST", "/api/live/" + r.subject_id + "/reviews", { decision: decision, fingerprint: r.fingerprint, note: note || null }); }
    return decision === "approved"
      ? api("POST", "/api/programmes/" + r.subject_id + "/review/approve", { fingerprint: r.fingerprint, note: note || null })
      : api("POST", "/api/programmes/" + r.subject_id + "/review/reject", { fingerprint: r.fingerprint, reason: note });
  }
  function channelTime(iso, slug) {
    var ch = zones[slug];
    return new Intl.DateTimeFormat(C.lang === "en" ? "en-GB" : "vi-VN", { dateStyle: "short", timeStyle: "short", timeZone: ch ? ch.timezone : "Asia/Ho_Chi_Minh" }).format(new Date(iso));
  }

  /* ---------- the queues ---------- */
  function loadQueue() {
    return Promise.all([
      api("GET", "/api/reviews").then(function (list) { fillQueue("review-queue", "review-empty", list, false); }),
      Promise.all([api("GET", "/api/reviews/live"), api("GET", "/api/channels")]).then(function (res) {
        (res[1] || []).forEach(function (c) { zones[c.slug] = c; });
        fillQueue("review-live-queue", "review-live-empty", res[0] || [], true);
      })
    ]).catch(fail);
  }
  /* one row a revision waiting: title, (a live event's slot,) author, revision, state, open */
  function fillQueue(bodyId, emptyId, list, live) {
    var body = $(bodyId); body.textContent = "";
    $(emptyId).classList.toggle("hidden", list.length > 0);
    list.forEach(function (r) {
      var tr = el("tr"); tr.setAttribute("data-review", r.subject_id); tr.setAttribute("data-state", r.state);
      tr.appendChild(el("td", r.title));
      if (live) { tr.appendChild(el("td", channelTime(r.facts.start, r.channel) + " – " + channelTime(r.facts.end, r.channel))); }
      tr.appendChild(el("td", r.owner || ""));
      tr.appendChild(el("td", r.revision));
      tr.appendChild(el("td", stateText(r.state)));
      var actions = el("td");
      var open = C.button(T.review_open, function () { openReview(r.subject_id, r.subject_type); });
      open.setAttribute("aria-label", T.review_open + ": " + r.title);
      actions.appendChild(open); tr.appendChild(actions); body.appendChild(tr);
    });
  }

  /* ---------- one revision ---------- */
  function fact(list, label, value, asCode) {
    list.appendChild(el("dt", label));
    var dd = el("dd");
    if (asCode) { dd.appendChild(el("code", value)); } else { dd.textContent = value; }
    list.appendChild(dd);
  }
  function liveFacts(r) {
    var f = r.facts, list = $("review-facts"), ch = zones[r.channel]; list.textContent = "";
    fact(list, T.review_revision, String(f.revision));
    fact(list, T.fact_channel, ch ? ch.name + " (" + ch.timezone + ")" : r.channel);
    fact(list, T.live_start, channelTime(f.start, r.channel));
    fact(list, T.live_end, channelTime(f.end, r.channel));
    fact(list, T.title, f.title);
    fact(list, T.fact_description, f.description || T.fact_none);
    fact(list, T.fact_topics, (f.topics || []).join(", ") || T.fact_none);
    fact(list, T.fact_laws, (f.legal_documents || []).join("; ") || T.fact_none);
  }
  function facts(r) {
    if (isLive(r)) { liveFacts(r); return; }
    var f = r.facts, list = $("review-facts"); list.textContent = "";
    fact(list, T.review_revision, String(f.revision));
    fact(list, T.fact_source, f.source.key || T.fact_none, true);
    fact(list, T.fact_sha256, f.source.sha256 || T.fact_none, true);
    fact(list, T.fact_output, f.output.media_prefix || T.fact_none, true);
    fact(list, T.fact_duration, f.output.duration === null ? T.fact_none : minutes(f.output.duration));
    fact(list, T.fact_renditions, (f.output.renditions || []).join(", ") || T.fact_none);
    fact(list, T.title, f.title);
    fact(list, T.fact_description, f.description || T.fact_none);
    fact(list, T.fact_topics, (f.topics || []).join(", ") || T.fact_none);
    fact(list, T.fact_laws, (f.legal_documents || []).join("; ") || T.fact_none);
    fact(list, T.fact_subtitles, (f.subtitles || []).map(function (s) {
      return s.language + " (" + s.label + ")" + (s.sha256 ? " sha256 " + s.sha256.slice(0, 12) + "…" : "");
    }).join("; ") || T.fact_none);
  }
  function history(r) {
    var list = $("review-history"); list.textContent = "";
    (r.history || []).forEach(function (h) {
      var text = when(h.decided_at) + " — " + T.review_revision + " " + h.revision + ": " + stateText(h.decision) +
        (h.decided_by ? " " + T.rv_decided_by + " " + h.decided_by : "") + (h.reason ? " — " + h.reason : "");
      if (h.withdrawn_at) {
        text += " · " + when(h.withdrawn_at) + " " + stateText("withdrawn") + (h.withdrawn_by ? " " + T.rv_decided_by + " " + h.withdrawn_by : "") +
          (h.withdrawal_reason ? " — " + h.withdrawal_reason : "");
      }
      list.appendChild(el("li", text));
    });
  }
  function preview(url) {
    var video = $("review-video");
    if (player) { player.destroy(); player = null; }
    if (!url) { video.removeAttribute("src"); return; }
    if (window.Hls && window.Hls.isSupported()) { player = new window.Hls(); player.loadSource(url); player.attachMedia(video); }
    else { video.src = url; }
    var played = video.play(); if (played && played.catch) { played.catch(function () {}); }
  }
  function show(r) {
    current = r;
    $("review-panel").classList.remove("hidden");
    $("review-panel").setAttribute("data-state", r.state);
    $("review-name").textContent = (isLive(r) ? T.review_kind_live + ": " : "") + r.title;
    $("review-video").classList.toggle("hidden", isLive(r));
    var line = stateText(r.state);
    if (r.decision && r.decision.reason) { line += ": " + r.decision.reason; }
    if (r.airing) { line += " · " + T.rv_airing + " " + r.airing.revision; }
    $("review-state").textContent = line;
    facts(r); history(r);
    if (r.preview_url !== shown) { preview(r.preview_url); shown = r.preview_url; }
    var editor = isEditor(), decidable = r.you_may_review && r.state !== "approved";
    $("review-approve").classList.toggle("hidden", !editor || !decidable);
    $("review-reject").classList.toggle("hidden", !editor || !decidable);
    $("review-withdraw").classList.toggle("hidden", !editor || !r.airing);
    $("review-not-yours").classList.toggle("hidden", !editor || r.you_may_review || r.state === "not_ready");
  }
  function openReview(id, kind) {
    $("review-status").textContent = ""; $("review-reason").value = "";
    return api("GET", reviewUrl(kind, id)).then(function (r) { show(r); $("review-heading").scrollIntoView(); }).catch(fail);
  }
  function decided(message) {
    return function (r) { C.showError(""); show(r); $("review-status").textContent = message; $("review-reason").value = ""; loadQueue(); };
  }
  $("review-approve").addEventListener("click", function () {
    decide(current, "approved", $("review-reason").value.trim()).then(decided(T.review_done_approved)).catch(fail);
  });
  $("review-reject").addEventListener("click", function () {
    decide(current, "rejected", $("review-reason").value).then(decided(T.review_done_rejected)).catch(function (e) { fail(e); $("review-reason").focus(); });
  });
  $("review-withdraw").addEventListener("click", function () {
    var r = current;
    api("POST", withdrawUrl(r), { reason: $("review-reason").value })
      .then(function () { return openReview(r.subject_id, r.subject_type); })
      .then(function () { $("review-status").textContent = T.review_done_withdrawn; loadQueue(); })
      .catch(function (e) { fail(e); $("review-reason").focus(); });
  });
  $("review-close").addEventListener("click", function () {
    preview(null); current = null; shown = null; $("review-panel").classList.add("hidden");
  });
  $("review-refresh").addEventListener("click", loadQueue);
  C.loaders.review = loadQueue;

  /* ---------- the programmes list: where each one stands in review ---------- */
  document.addEventListener("legaltv:programmes", function (ev) {
    var ids = ev.detail || [];
    if (!ids.length) { return; }
    api("GET", "/api/reviews/states?ids=" + ids.slice(0, 200).join(",")).then(function (list) {
      list.forEach(function (s) {
        var row = document.querySelector('tr[data-programme="' + s.programme_id + '"]');
        if (!row) { return; }
        row.setAttribute("data-review", s.state);
        var cell = row.children[1], note = cell.querySelector(".review-note");
        if (!note) { note = el("span"); cell.appendChild(note); }
        note.className = "review-note " + s.state;
        note.textContent = stateText(s.state) + (s.reason ? ": " + s.reason : "") +
          (s.decided_by ? " (" + s.decided_by + ")" : "") +
          (s.airing_revision && s.state !== "approved" ? " · " + T.rv_airing + " " + s.airing_revision : "");
      });
    }).catch(function () { /* the list stays usable without it */ });
  });
})();
