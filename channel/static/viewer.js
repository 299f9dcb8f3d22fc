/* legaltv viewer page: now/next with the programme's topics and laws, today's guide, catch-up, share. */
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

  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    });
  }
  function startOf(e) { return e.start || e.start_at; }
  function stopOf(e) { return e.stop || e.end || e.end_at; }
  function span(e) { return player.clock(startOf(e)) + "–" + player.clock(stopOf(e)); }
  function localDate(d) {
    return new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
  }

  var shownProgramme = null;
  function showProgramme(id) {
    if (id === shownProgramme) { return; }
    shownProgramme = id;
    var topics = $("now-topics"), laws = $("now-laws");
    topics.classList.add("hidden"); laws.classList.add("hidden");
    if (!id) { return; }
    getJSON("/api/public/programmes/" + encodeURIComponent(id)).then(function (p) {
      $("now-desc").textContent = p.description || "";
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

  function titleOf(e) { return e.kind === "filler" ? (e.title || T.filler) : e.title; }

  /* "on air" follows what the player shows (it plays a few segments behind the live edge, or
     from an earlier start): the guide entry holding the player's programme date-time */
  var guideEntries = [];
  function showNow(now, next) {
    $("now-title").textContent = now ? titleOf(now) : "—";
    $("now-time").textContent = now ? span(now) : "";
    if (!now || !now.programme_id) { $("now-desc").textContent = now && now.description ? now.description : ""; }
    showProgramme(now && now.kind !== "filler" ? now.programme_id : null);
    $("next-title").textContent = next ? titleOf(next) : "—";
    $("next-time").textContent = next ? player.clock(startOf(next)) : "";
  }
  function playerInstant() {
    var hls = player.hls;
    return hls && hls.playingDate ? hls.playingDate.getTime() : Date.now();
  }
  function followPlayer() {
    var at = playerInstant(), i;
    for (i = 0; i < guideEntries.length; i++) {
      if (Date.parse(startOf(guideEntries[i])) <= at && at < Date.parse(stopOf(guideEntries[i]))) {
        showNow(guideEntries[i], guideEntries[i + 1] || null);
        markCurrent(i); renderCatchup();
        return true;
      }
    }
    return false;
  }
  function refreshNow() {
    if (followPlayer()) { setTimeout(refreshNow, 1000); return; }
    getJSON(api + "/now").then(function (data) {
      showNow(data.now || null, data.next || null);
      setTimeout(refreshNow, 5000);
    }).catch(function () {
      $("now-title").textContent = "—";
      setTimeout(refreshNow, 15000);
    });
  }

  var guideItems = [], catchupCount = -1;
  function renderCatchup() {
    var now = Date.now(), ended = guideEntries.filter(function (e) {
      return e.kind !== "filler" && Date.parse(stopOf(e)) <= now;
    });
    if (ended.length === catchupCount) { return; }
    catchupCount = ended.length;
    var catchup = $("catchup"); catchup.textContent = "";
    ended.forEach(function (e) {
      var item = el("li"), b = el("button", player.clock(startOf(e)) + " " + e.title, "catchup-item");
      b.type = "button";
      b.setAttribute("data-start", startOf(e));
      b.addEventListener("click", function () { player.startOver(startOf(e), e.title); window.scrollTo(0, 0); });
      item.appendChild(b); catchup.appendChild(item);
    });
    if (!ended.length) { catchup.appendChild(el("li", T.catch_up_empty, "muted")); }
  }
  function markCurrent(index) {
    guideItems.forEach(function (li, i) { li.classList.toggle("current", i === index); });
  }
  function refreshGuide() {
    getJSON(api + "/epg?date=" + localDate(new Date())).then(function (data) {
      guideEntries = Array.isArray(data) ? data : (data.entries || data.programmes || data.items || []);
      var guide = $("guide");
      guide.textContent = ""; guideItems = []; catchupCount = -1;
      if (!guideEntries.length) { guide.appendChild(el("li", T.guide_empty, "muted")); }
      guideEntries.forEach(function (e) {
        var li = el("li", null, e.kind === "filler" ? "filler" : "");
        li.appendChild(el("time", player.clock(startOf(e)))); li.appendChild(document.createTextNode(" "));
        if (e.programme_id && e.kind !== "filler") {
          var a = el("a", e.title); a.href = "/chuong-trinh/" + encodeURIComponent(e.programme_id); li.appendChild(a);
        } else { li.appendChild(el("span", titleOf(e))); }
        guide.appendChild(li); guideItems.push(li);
      });
      renderCatchup(); followPlayer();
    }).catch(function () {
      $("guide").textContent = ""; $("guide").appendChild(el("li", T.guide_empty, "muted"));
    });
    setTimeout(refreshGuide, 60000);
  }

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
