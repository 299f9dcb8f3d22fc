/* legaltv staff console, the account part: sign-in step two (a TOTP or recovery code), enrolling an
   authenticator app (QR code made by the server), one's sessions, and for admins the audit log CSV.
   Uses the helpers console.js shares as window.legaltvConsole; no inline script (the page's CSP). */
(function () {
  "use strict";
  var C = window.legaltvConsole, T = C.T, $ = C.$, el = C.el, api = C.api, fail = C.fail;
  var challenge = null;

  /* ---------- sign-in, step two ---------- */
  function askCode(value) {
    challenge = value; C.showError("");
    $("login-form").classList.add("hidden"); $("mfa-form").classList.remove("hidden");
    $("mfa-code").value = ""; $("mfa-code").focus();
  }
  function backToPassword() {
    challenge = null; $("mfa-form").classList.add("hidden"); $("login-form").classList.remove("hidden");
  }
  $("mfa-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    api("POST", "/api/auth/login/mfa", { challenge: challenge, code: $("mfa-code").value.trim() })
      .then(function (data) { challenge = null; $("mfa-form").classList.add("hidden"); return C.startSession(data.access_token); })
      .catch(function (e) { $("mfa-code").value = ""; fail(e); if (e.status === 401 && /hết hạn|expired/.test(e.message)) { backToPassword(); } });
  });
  $("mfa-back").addEventListener("click", backToPassword);

  /* ---------- the account tab ---------- */
  function when(iso) {
    return new Intl.DateTimeFormat(C.lang === "en" ? "en-GB" : "vi-VN", { dateStyle: "short", timeStyle: "medium" }).format(new Date(iso));
  }
  function showMfa(me) {
    $("mfa-state").textContent = me.mfa_enrolled ? T.mfa_on : T.mfa_off;
    $("mfa-state").setAttribute("data-enrolled", me.mfa_enrolled ? "true" : "false");
    $("mfa-required-notice").classList.toggle("hidden", me.session_scope !== "mfa_enrolment");
    $("mfa-start").classList.toggle("hidden", me.mfa_enrolled);
    $("mfa-recovery-left").textContent = me.mfa_enrolled ? T.recovery_left + " " + me.recovery_codes_left : "";
  }
  function loadSessions(me) {
    var panel = $("sessions-panel"), full = me.session_scope === "full";
    panel.classList.toggle("hidden", !full);
    if (!full) { return Promise.resolve(); }
    return api("GET", "/api/auth/sessions").then(function (list) {
      var body = $("sessions"); body.textContent = "";
      (list || []).forEach(function (s) {
        var tr = el("tr"); tr.setAttribute("data-session", s.id);
        tr.appendChild(el("td", when(s.created_at))); tr.appendChild(el("td", when(s.last_used_at)));
        tr.appendChild(el("td", s.client_address || "")); tr.appendChild(el("td", s.user_agent || ""));
        var actions = el("td");
        if (s.current) { actions.appendChild(el("strong", T.session_current)); }
        else {
          actions.appendChild(C.button(T.session_revoke, function () {
            api("DELETE", "/api/auth/sessions/" + s.id).then(function () { return loadSessions(me); }).catch(fail);
          }));
        }
        tr.appendChild(actions); body.appendChild(tr);
      });
    }).catch(fail);
  }
  function loadAccount() {
    return api("GET", "/api/auth/me").then(function (me) {
      showMfa(me);
      $("audit-export").classList.toggle("hidden", me.session_scope !== "full" || (me.roles || []).indexOf("admin") < 0);
      return loadSessions(me);
    }).catch(fail);
  }
  C.loaders.account = loadAccount;

  $("mfa-start").addEventListener("click", function () {
    api("POST", "/api/auth/mfa/enrolment").then(function (data) {
      var box = $("mfa-qr"); box.textContent = "";
      var svg = new DOMParser().parseFromString(data.qr_svg, "image/svg+xml").documentElement;
      if (svg && svg.nodeName.toLowerCase() === "svg") { box.appendChild(document.importNode(svg, true)); }
      $("mfa-secret").textContent = data.secret;
      $("mfa-enrol").classList.remove("hidden"); $("mfa-start").classList.add("hidden");
      $("mfa-enrol-code").value = ""; $("mfa-enrol-code").focus(); C.showError("");
    }).catch(fail);
  });
  $("mfa-enrol").addEventListener("submit", function (ev) {
    ev.preventDefault();
    api("POST", "/api/auth/mfa/enrolment/confirm", { code: $("mfa-enrol-code").value.trim() }).then(function (data) {
      $("mfa-enrol").classList.add("hidden"); $("mfa-qr").textContent = ""; $("mfa-secret").textContent = "";
      var list = $("mfa-recovery-codes"); list.textContent = "";
      (data.recovery_codes || []).forEach(function (code) { list.appendChild(el("li", code, "recovery-code")); });
      $("mfa-recovery").classList.remove("hidden"); C.showError("");
      /* the session is a full one now: the other tabs open, the account tab stays in front */
      return api("GET", "/api/auth/me").then(function (me) { C.signedIn(me); $("mfa-recovery").classList.remove("hidden"); document.querySelector('[data-tab="account"]').click(); });
    }).catch(fail);
  });

  $("audit-export").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var from = $("audit-from").value, to = $("audit-to").value;
    var url = "/api/audit/export.csv?from=" + encodeURIComponent(from) + "&to=" + encodeURIComponent(to);
    fetch(url, { headers: { Authorization: "Bearer " + C.token() } }).then(function (r) {
      if (!r.ok) { return r.json().then(function (body) { throw new Error((body && body.error && body.error.message) || T.error); }); }
      return r.blob().then(function (blob) {
        var link = el("a"); link.href = URL.createObjectURL(blob);
        link.download = "nhat-ky-kiem-toan_" + from + "_" + to + ".csv";
        document.body.appendChild(link); link.click(); link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
      });
    }).catch(fail);
  });

  window.legaltvAccount = { askCode: askCode };
})();
