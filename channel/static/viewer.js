/* legaltv viewer page: the server renders on now, the next hours and the latest programmes to watch
   again; this script keeps them following the player from the channel's small guide JSON (refreshed
   every 15 s), and "More" shows a whole day (any day) from the JSON EPG inside the guide's own box: the
   whole day is fetched only when asked for. Without the script the page still works: "Full day's guide"
   is a link, and so is every programme to watch again. */
(function () {
  "use strict";
  var root = document.getElementById("player");
  var player = window.legaltvPlayer;
  if (!root || !player) { return; }
  var T = JSON.parse(document.getElementById("i18n").textContent);
  var lang = document.documentElement.lang;
  var slug = root.getAttribute("data-channel");
  var tz = root.getAttribute("data-timezone") || undefined;
  var api = "/api/channels/" + encodeURIComponent(slug);
  var guideApi = "/api/public/channels/" + encodeURIComponent(slug) + "/guide";
  var HOURS = 3, LIMIT = 12, RECENT = 6;  /* as channel/web/guide.py */
  var catchup = document.getElementById("catchup");
  var reachMs = parseFloat(catchup.getAttribute("data-reach-hours") || "24") * 3600e3;

  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }
  function setText(node, text) { if (node.textContent !== text) { node.textContent = text; } }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    });
  }
  function localDate(d) {
    return new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
  }
  function shiftDay(ymd, days) {
    var d = new Date(ymd + "T12:00:00Z"); d.setUTCDate(d.getUTCDate() + days); return d.toISOString().slice(0, 10);
  }
  function dayText(ymd) { return ymd.slice(8, 10) + "/" + ymd.slice(5, 7) + "/" + ymd.slice(0, 4); }
  function titleOf(e) { return e.kind === "filler" ? T.filler : e.kind === "emergency" ? T.emergency : e.title; }
  function startMs(e) { return Date.parse(e.start); }
  function stopMs(e) { return Date.parse(e.stop); }
  function playerInstant() {
    var hls = player.hls;
    return hls && hls.playingDate ? hls.playingDate.getTime() : Date.now();
  }
  function fetchDay(ymd) {
    return getJSON(api + "/epg?date=" + ymd).then(function (data) { return data.entries || []; });
  }

  /* ---------- on now: follows what the player shows (a few segments behind the live edge, or earlier) */
  var shownProgramme = null;
  function showProgramme(id) {
    if (id === shownProgramme) { return; }
    shownProgramme = id;
    var topics = $("now-topics"), laws = $("now-laws");
    topics.classList.add("hidden"); laws.classList.add("hidden");
    if (!id) { return; }
    getJSON("/api/public/programmes/" + encodeURIComponent(id)).then(function (p) {
      setText($("now-desc"), p.description || "");
      var ul = topics.querySelector("ul"); ul.textContent = "";
      (p.topics || []).forEach(function (t) { ul.appendChild(el("li", lang === "en" && t.name_en ? t.name_en : t.name)); });
      topics.classList.toggle("hidden", !(p.topics || []).length);
      var ol = laws.querySelector("ul"); ol.textContent = "";
      (p.legal_documents || []).forEach(function (d) {
        var li = el("li"); li.appendChild(el("strong", d.number)); li.appendChild(document.createTextNode(" " + (d.title || "")));
        ol.appendChild(li);
      });
      laws.classList.toggle("hidden", !(p.legal_documents || []).length);
    }).catch(function () {});
  }
  function showNow(now, next) {
    setText($("now-title"), now ? titleOf(now) : "—");
    setText($("now-time"), now ? player.span(now.start, now.stop) : "");
    if (!now || !now.programme_id) { setText($("now-desc"), now && now.description ? now.description : ""); }
    showProgramme(now && now.kind !== "filler" ? now.programme_id : null);
    setText($("next-title"), next ? titleOf(next) : "—");
    setText($("next-time"), next ? player.clock(next.start, player.brief(next.start, next.stop)) : "");
  }

  /* ---------- the guide: a few hours (the page's window), or a whole day when expanded */
  var entries = [];           /* from the guide JSON: a minute back, on now, the next hours */
  var recent = [];            /* the latest programmes aired in full, newest first */
  var days = {};              /* ymd -> that day's EPG entries, fetched when needed (More, start-over) */
  var expandedDay = null;     /* the day shown in full, or null */
  var shownKey = "";
  function line(e, at, full) {
    var state = stopMs(e) <= at ? "aired" : (startMs(e) <= at ? "on_air" : "coming");
    var li = el("li", null, e.kind + " " + state);
    var time = el("time", full ? player.span(e.start, e.stop) : player.clock(e.start, player.brief(e.start, e.stop)));
    time.setAttribute("datetime", e.start);
    li.appendChild(time); li.appendChild(document.createTextNode(" "));
    if (e.programme_id && e.kind !== "filler") {
      var a = el("a", e.title); a.href = "/chuong-trinh/" + encodeURIComponent(e.programme_id); li.appendChild(a);
    } else { li.appendChild(el("span", titleOf(e))); }
    if (state === "on_air") { li.appendChild(document.createTextNode(" ")); li.appendChild(el("span", T.now_marker, "badge")); }
    if (full && state === "aired" && e.kind !== "filler" && Date.now() - startMs(e) < reachMs) {
      var again = el("button", T.watch_again, "again"); again.type = "button";
      again.addEventListener("click", function () { watchAgain(e.start, e.title); });
      li.appendChild(document.createTextNode(" ")); li.appendChild(again);
    }
    return li;
  }
  function render(list, at, full, key) {
    if (key === shownKey) { return; }
    shownKey = key;
    var guide = $("guide"); guide.textContent = "";
    list.forEach(function (e) { guide.appendChild(line(e, at, full)); });
    if (!list.length) { guide.appendChild(el("li", full ? T.guide_day_empty : T.guide_empty, "muted")); }
  }
  function holding(list, at) {
    for (var i = 0; i < list.length; i++) {
      if (startMs(list[i]) <= at && at < stopMs(list[i])) { return i; }
    }
    return -1;
  }
  function renderWindow(at) {
    var first = holding(entries, at), list = [];
    for (var i = Math.max(first, 0); i < entries.length && list.length < LIMIT; i++) {
      if (stopMs(entries[i]) > at && startMs(entries[i]) < at + HOURS * 3600e3) { list.push(entries[i]); }
    }
    render(list, at, false, "w" + (list.length ? list[0].start : "") + "|" + first + "|" + list.length);
  }
  function renderFull(at) {
    var list = days[expandedDay];
    if (!list) {
      if (shownKey !== "l" + expandedDay) {
        shownKey = "l" + expandedDay; $("guide").textContent = ""; $("guide").appendChild(el("li", T.loading, "muted"));
      }
      return;
    }
    render(list, at, true, "d" + expandedDay + "|" + holding(list, at) + "|" + list.length);
  }
  var loaded = false;  /* until the guide JSON answers, the page's own lines stay */
  function renderGuide() {
    var at = playerInstant();
    if (expandedDay) { renderFull(at); } else if (loaded) { renderWindow(at); }
  }

  /* ---------- watch again: the latest airing of each of the last programmes, within the start-over reach */
  function watchAgain(start, title) { player.startOver(start, title); window.scrollTo(0, 0); }
  var catchupKey = null;
  function renderCatchup() {
    var now = Date.now(), seen = {}, list = [];
    entries.slice().reverse().concat(recent).forEach(function (e) {
      if (list.length >= RECENT || e.kind === "filler" || !e.programme_id || stopMs(e) > now) { return; }
      if (seen[e.programme_id] || now - startMs(e) > reachMs) { return; }
      seen[e.programme_id] = true; list.push(e);
    });
    var key = list.map(function (e) { return e.start; }).join(",");
    if (!list.length || key === catchupKey) { return; }  /* the page's own list stays until there is news */
    catchupKey = key;
    catchup.textContent = "";
    list.forEach(function (e) {
      var item = el("li"), a = el("a", null, "catchup-item");
      a.href = "/chuong-trinh/" + encodeURIComponent(e.programme_id);
      a.setAttribute("data-start", e.start); a.setAttribute("data-title", e.title);
      var time = el("time", player.clock(e.start, player.brief(e.start, e.stop))); time.setAttribute("datetime", e.start);
      a.appendChild(time); a.appendChild(document.createTextNode(" " + e.title));
      item.appendChild(a); catchup.appendChild(item);
    });
  }
  catchup.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a[data-start]") : null;
    if (!a) { return; }
    ev.preventDefault();  /* without this script the link opens the programme's own page */
    watchAgain(a.getAttribute("data-start"), a.getAttribute("data-title"));
  });

  /* what the player shows: from the guide JSON when live, from that day's EPG when playing from earlier */
  var asking = {};
  function fetchDayOnce(ymd) {
    if (days[ymd] || asking[ymd]) { return; }
    asking[ymd] = true;
    fetchDay(ymd).then(function (list) { days[ymd] = list; }).catch(function () {})
      .then(function () { setTimeout(function () { delete asking[ymd]; }, 60000); });
  }
  function entryAt(at) {
    var i = holding(entries, at);
    if (i >= 0) { return [entries[i], entries[i + 1] || null]; }
    if (!loaded || !entries.length || at >= startMs(entries[0])) { return null; }
    var ymd = localDate(new Date(at)), day = days[ymd];
    if (!day) { fetchDayOnce(ymd); return null; }
    var j = holding(day, at);
    return j >= 0 ? [day[j], day[j + 1] || null] : null;
  }
  function followPlayer() {
    var found = entryAt(playerInstant());
    if (found) { showNow(found[0], found[1]); }
    renderGuide(); renderCatchup();
    return !!found;
  }
  function refreshNow() {
    if (followPlayer()) { setTimeout(refreshNow, 1000); return; }
    getJSON(api + "/now").then(function (data) {
      showNow(data.now || null, data.next || null);
      setTimeout(refreshNow, 5000);
    }).catch(function () { setTimeout(refreshNow, 15000); });
  }
  function refreshGuide() {
    getJSON(guideApi).then(function (data) {
      entries = data.coming || []; recent = data.recent || [];
      shownKey = ""; loaded = true;
      followPlayer();
    }).catch(function () {});
    setTimeout(refreshGuide, 15000);
  }

  /* ---------- "More": the whole day in the guide's box, then other days */
  var more = $("guide-more"), prev = $("guide-prev"), next = $("guide-next"), box = $("guide-box");
  function showDay(ymd) {
    expandedDay = ymd;
    setText($("guide-caption"), T.guide_day + " " + dayText(ymd));
    $("guide-full").href = "/kenh/" + encodeURIComponent(slug) + "/lich-phat-song?date=" + ymd;
    shownKey = ""; renderGuide();
    fetchDay(ymd).then(function (list) {
      days[ymd] = list;
      if (expandedDay !== ymd) { return; }
      shownKey = ""; renderGuide();
      var on = $("guide").querySelector("li.on_air");
      if (on) { box.scrollTop = on.offsetTop - box.offsetTop; }
    }).catch(function () { days[ymd] = days[ymd] || []; shownKey = ""; renderGuide(); });
  }
  function collapse() {
    expandedDay = null; shownKey = "";
    setText($("guide-caption"), T.guide_window);
    $("guide-full").href = "/kenh/" + encodeURIComponent(slug) + "/lich-phat-song";
    renderGuide();
  }
  more.addEventListener("click", function () {
    var open = !expandedDay;
    more.setAttribute("aria-expanded", open ? "true" : "false");
    setText(more, open ? T.less : T.more);
    box.classList.toggle("expanded", open);
    if (open) { box.setAttribute("tabindex", "0"); } else { box.removeAttribute("tabindex"); }  /* it scrolls: keyboards reach it */
    prev.classList.toggle("hidden", !open); next.classList.toggle("hidden", !open);
    if (open) { showDay(localDate(new Date())); } else { collapse(); }
  });
  prev.addEventListener("click", function () { showDay(shiftDay(expandedDay, -1)); });
  next.addEventListener("click", function () { showDay(shiftDay(expandedDay, 1)); });
  more.classList.remove("hidden");

  var copy = $("copy-embed");
  if (copy) {
    copy.addEventListener("click", function () {
      var area = $("embed-code");
      var done = function () { copy.textContent = T.copied; setTimeout(function () { copy.textContent = T.copy; }, 2000); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(area.value).then(done, function () { area.select(); document.execCommand("copy"); done(); });
      } else { area.select(); document.execCommand("copy"); done(); }
    });
  }
  refreshGuide();
  refreshNow();
})();
