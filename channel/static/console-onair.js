/* legaltv staff console, on-air control for the duty editor: what airs now, an emergency takeover (the
   slate or an approved emergency programme) with a confirmation and a required reason, its release, and
   pulling the programme on air. Every action is audited by the server. Uses window.legaltvConsole. */
(function () {
  "use strict";
  var C = window.legaltvConsole, T = C.T, $ = C.$, el = C.el, api = C.api, fail = C.fail;
  var state = null, action = null, timer = null;

  function clock(iso) {
    return new Intl.DateTimeFormat(C.lang === "en" ? "en-GB" : "vi-VN", { timeStyle: "medium" }).format(new Date(iso));
  }
  function slug() { return $("onair-channel").value; }
  function titleOf(item) { return item.kind === "emergency" ? T.emergency : (item.kind === "programme" ? item.title : T.filler); }
  function describeItem(label, item) { return label + ": " + titleOf(item) + " (" + clock(item.start) + " – " + clock(item.end) + ")"; }
  function pullable() {
    var item = state && (state.at_edge || state.now);
    return item && (item.kind === "programme" || item.kind === "filler") && item.programme_id ? item : null;
  }

  function render(s) {
    state = s;
    $("onair-now").textContent = s.now ? describeItem(T.onair_now, s.now) : T.onair_nothing;
    $("onair-now").setAttribute("data-kind", s.now ? s.now.kind : "");
    $("onair-edge").textContent = s.at_edge ? describeItem(T.onair_next_edge, s.at_edge) : "";
    var t = s.takeover;
    $("onair-takeover").classList.toggle("hidden", !t);
    $("onair-takeover").textContent = t ? T.onair_takeover_active + " — " + (t.programme_title || T.takeover_slate) +
      " — " + t.reason + " (" + (t.started_by || "") + ", " + clock(t.started_at) + ")" : "";
    $("onair-takeover-open").classList.toggle("hidden", !!t || !s.on_air);
    $("onair-release-open").classList.toggle("hidden", !t);
    $("onair-pull-open").classList.toggle("hidden", !!t || !pullable());
    var body = $("onair-log"); body.textContent = "";
    (s.takeovers || []).forEach(function (row) {
      var tr = el("tr"); tr.setAttribute("data-takeover", row.id);
      tr.appendChild(el("td", clock(row.started_at)));
      tr.appendChild(el("td", row.programme_title || T.takeover_slate));
      tr.appendChild(el("td", row.started_by || ""));
      tr.appendChild(el("td", row.reason + (row.release_reason ? " / " + row.release_reason : "")));
      tr.appendChild(el("td", row.released_at ? clock(row.released_at) + " (" + (row.released_by || "") + ")" : "—"));
      body.appendChild(tr);
    });
  }
  function loadState() {
    if (!slug()) { return Promise.resolve(); }
    return api("GET", "/api/channels/" + slug() + "/on-air").then(render).catch(fail);
  }
  function load() {
    var select = $("onair-channel");
    var first = select.options.length ? Promise.resolve() : api("GET", "/api/channels").then(function (list) {
      (list || []).forEach(function (c) { var o = el("option", c.name); o.value = c.slug; select.appendChild(o); });
    });
    first.then(loadState).catch(fail);
    if (!timer) {  /* what airs changes by itself: follow it while the tab is open */
      timer = setInterval(function () {
        if ($("tab-onair").classList.contains("hidden") || $("onair-dialog").open) { return; }
        loadState();
      }, 5000);
    }
  }
  $("onair-channel").addEventListener("change", loadState);

  /* ---------- the confirmation dialog: a required reason and an explicit confirmation ---------- */
  function emergencyChoices() {
    var select = $("onair-source"); select.textContent = "";
    var slate = el("option", T.takeover_slate); slate.value = ""; select.appendChild(slate);
    return api("GET", "/api/programmes?status=ready&limit=100").then(function (page) {
      var items = (page && page.items) || [];
      if (!items.length) { return; }
      return api("GET", "/api/reviews/states?ids=" + items.map(function (p) { return p.id; }).join(",")).then(function (states) {
        var approved = {};
        states.forEach(function (s) { if (s.airing_revision) { approved[s.programme_id] = true; } });
        items.filter(function (p) { return approved[p.id]; }).forEach(function (p) {
          var o = el("option", p.title); o.value = p.id; select.appendChild(o);
        });
      });
    });
  }
  function openDialog(kind) {
    action = kind;
    var item = pullable();
    $("onair-dialog-title").textContent = T[kind === "takeover" ? "takeover" : kind === "release" ? "release" : "pull"];
    $("onair-dialog-what").textContent = kind === "pull" && item ? describeItem(T.onair_now, item) :
      (state && state.now ? describeItem(T.onair_now, state.now) : "");
    $("onair-source-box").classList.toggle("hidden", kind !== "takeover");
    $("onair-confirm-text").textContent = T["onair_confirm_" + kind];
    $("onair-submit").textContent = T["onair_do_" + kind];
    $("onair-reason").value = ""; $("onair-confirm").checked = false;
    var ready = kind === "takeover" ? emergencyChoices().catch(fail) : Promise.resolve();
    ready.then(function () { $("onair-dialog").showModal(); $("onair-reason").focus(); });
  }
  $("onair-takeover-open").addEventListener("click", function () { openDialog("takeover"); });
  $("onair-release-open").addEventListener("click", function () { openDialog("release"); });
  $("onair-pull-open").addEventListener("click", function () { openDialog("pull"); });
  $("onair-cancel").addEventListener("click", function () { $("onair-dialog").close(); });
  $("onair-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var reason = $("onair-reason").value.trim();
    if (!reason || !$("onair-confirm").checked) { $("onair-form").reportValidity(); return; }
    var url = "/api/channels/" + slug(), body = { reason: reason }, done = T["onair_done_" + action];
    if (action === "takeover") {
      var chosen = $("onair-source").value;
      url += "/takeover"; body.source = chosen ? "programme" : "slate"; if (chosen) { body.programme_id = chosen; }
    } else if (action === "release") {
      url += "/takeover/release";
    } else {
      var item = pullable(); url += "/pull"; body.programme_id = item ? item.programme_id : null;
    }
    $("onair-submit").disabled = true; $("onair-status").textContent = "";
    api("POST", url, body).then(function (res) {
      $("onair-dialog").close(); C.showError("");
      $("onair-status").textContent = done + " " + (res.effective_at ? clock(res.effective_at) : "");
      return loadState();
    }).catch(fail).then(function () { $("onair-submit").disabled = false; });
  });
  C.loaders.onair = load;
})();
