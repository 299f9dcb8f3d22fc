/* legaltv player: hls.js where Media Source Extensions exist, the browser's own HLS otherwise.
   window.legaltvPlayer exposes the state (fatal errors, stalls) for tests and for debugging. */
(function () {
  "use strict";
  var root = document.getElementById("player");
  if (!root) { return; }
  var T = JSON.parse(document.getElementById("i18n").textContent);
  var video = document.getElementById("video");
  var errorBox = document.getElementById("player-error");
  var subsBtn = document.getElementById("subs");
  var liveBtn = document.getElementById("go-live");
  var shiftLabel = document.getElementById("timeshift");
  var baseSrc = root.getAttribute("data-src");
  var tz = root.getAttribute("data-timezone") || undefined;
  var state = {
    hls: null, video: video, src: null, live: root.getAttribute("data-live") === "true",
    fatal: [], errors: [], stalls: [], subtitles: false, engine: "none"
  };
  window.legaltvPlayer = state;

  /* 24-hour wall-clock time in the channel's zone; with seconds for programmes shorter than a minute
     (the pages' rule, channel/web/times.py): "20:56:10", never "20:56" twice */
  function clock(iso, seconds) {
    var options = { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: tz };
    if (seconds) { options.second = "2-digit"; }
    return new Intl.DateTimeFormat("en-GB", options).format(new Date(iso));
  }
  function brief(start, stop) { return Date.parse(stop) - Date.parse(start) < 60000; }
  function span(start, stop) {
    var s = brief(start, stop);
    return clock(start, s) + "\u2013" + clock(stop, s);
  }
  state.clock = clock;
  state.brief = brief;
  state.span = span;

  function showError(text) {
    if (!errorBox) { return; }
    errorBox.textContent = text || "";
    errorBox.classList.toggle("hidden", !text);
  }

  var waitingSince = null;
  video.addEventListener("waiting", function () { waitingSince = performance.now(); });
  video.addEventListener("stalled", function () { if (waitingSince === null) { waitingSince = performance.now(); } });
  video.addEventListener("playing", function () {
    if (waitingSince !== null) {
      state.stalls.push({ at: video.currentTime, ms: performance.now() - waitingSince });
      waitingSince = null;
    }
    showError("");
  });
  state.stalledNowMs = function () { return waitingSince === null ? 0 : performance.now() - waitingSince; };

  function applySubtitles() {
    var on = state.subtitles;
    if (state.hls) {
      state.hls.subtitleDisplay = on;
      state.hls.subtitleTrack = on && state.hls.subtitleTracks.length ? 0 : -1;
    }
    for (var i = 0; i < video.textTracks.length; i++) {
      var track = video.textTracks[i];
      if (track.kind === "subtitles" || track.kind === "captions") {
        track.mode = on && i === 0 ? "showing" : "hidden";
      }
    }
    if (subsBtn) {
      subsBtn.setAttribute("aria-pressed", on ? "true" : "false");
      subsBtn.textContent = on ? T.subtitles_off : T.subtitles_on;
    }
  }

  /* a channel whose slate is not stored yet answers 503 "channel_starting" with Retry-After:
     say it is about to start and ask again, instead of letting the player fail for good */
  function whenOnAir(src, then) {
    if (!window.fetch) { then(); return; }
    fetch(src, { cache: "no-store" }).then(function (r) {
      if (r.status !== 503) { then(); return; }
      state.starting = (state.starting || 0) + 1;
      showError(T.channel_starting);
      var wait = Math.max(1, parseFloat(r.headers.get("Retry-After") || "3") || 3);
      setTimeout(function () { if (state.src === src) { whenOnAir(src, then); } }, wait * 1000);
    }).catch(function () { then(); });
  }

  /* Start playing on our own: with sound where the browser allows it, else muted with a visible
     "unmute" button, else a visible "play" button. state.autoplay says which ("sound", "muted", "blocked"). */
  var unmuteBtn = document.getElementById("unmute");
  var playBtn = document.getElementById("play");
  function showButton(button, on) { if (button) { button.classList.toggle("hidden", !on); } }
  function refused(err) { return err && err.name === "NotAllowedError"; }
  function played() {
    state.autoplay = video.muted ? "muted" : "sound";
    showButton(playBtn, false);
    showButton(unmuteBtn, video.muted);
  }
  function blocked() {
    state.autoplay = "blocked";
    showButton(playBtn, true);
  }
  function autoplay() {
    if (state.autoplay === undefined) { video.muted = false; }  /* the first time: try with sound */
    var p = video.play();
    if (!p || !p.then) { return; }
    p.then(played, function (err) {
      if (!refused(err)) { return; }  /* a newer load interrupted this one: it plays on its own */
      if (video.muted) { blocked(); return; }
      video.muted = true;
      video.play().then(played, function (again) { if (refused(again)) { blocked(); } });
    });
  }
  if (unmuteBtn) {
    unmuteBtn.addEventListener("click", function () {
      video.muted = false;
      if (video.paused) { video.play().catch(function () {}); }
    });
  }
  if (playBtn) {
    playBtn.addEventListener("click", function () { video.play().then(played, function () {}); });
  }
  video.addEventListener("volumechange", function () {
    if (!video.muted) { showButton(unmuteBtn, false); state.autoplay = "sound"; }
  });
  video.addEventListener("play", function () { showButton(playBtn, false); });

  function attachHls(src) {
    var hls = new window.Hls({
      enableWorker: true, lowLatencyMode: false, liveSyncDurationCount: 3,
      subtitleDisplay: state.subtitles, manifestLoadingMaxRetry: 6, levelLoadingMaxRetry: 6,
      startPosition: state.live ? -1 : 0  /* start-over/catch-up: from the playlist's first segment */
    });
    state.hls = hls;
    var recovered = -Infinity, swapped = false;
    hls.on(window.Hls.Events.ERROR, function (_event, data) {
      var entry = { type: data.type, details: data.details, fatal: !!data.fatal, t: Date.now() };
      state.errors.push(entry);
      if (!data.fatal) { return; }
      state.fatal.push(entry);
      showError(T.player_error);
      /* hls.js's recipe: recover a media error, swap the audio codec if it recurs, then start afresh */
      var now = performance.now();
      if (data.details === window.Hls.ErrorDetails.MANIFEST_LOAD_ERROR) {
        hls.destroy(); state.hls = null;  /* no playlist yet: start afresh (and wait while it starts) */
        setTimeout(function () { load(state.src, state.live); }, 3000);
      } else if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR) {
        setTimeout(function () { hls.startLoad(); }, 2000);
      } else if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR && now - recovered > 3000) {
        recovered = now; swapped = false; hls.recoverMediaError();
      } else if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR && !swapped) {
        recovered = now; swapped = true; hls.swapAudioCodec(); hls.recoverMediaError();
      } else {
        hls.destroy(); state.hls = null;
        setTimeout(function () { load(state.src, state.live); }, 3000);
      }
    });
    hls.on(window.Hls.Events.SUBTITLE_TRACKS_UPDATED, applySubtitles);
    hls.on(window.Hls.Events.MANIFEST_PARSED, autoplay);
    hls.loadSource(src);
    hls.attachMedia(video);
  }

  function load(src, live) {
    state.src = src;
    state.live = live;
    if (state.hls) { state.hls.destroy(); state.hls = null; }
    if (window.Hls && window.Hls.isSupported()) {
      state.engine = "hls.js";
      whenOnAir(src, function () { showError(""); attachHls(src); });
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      state.engine = "native";
      whenOnAir(src, function () {
        showError("");
        video.src = src;
        autoplay();
      });
    } else {
      state.engine = "none";
      var missing = document.getElementById("player-missing");
      if (missing) { missing.classList.remove("hidden"); }
    }
    if (liveBtn) {
      liveBtn.setAttribute("aria-pressed", live ? "true" : "false");
      liveBtn.classList.toggle("on", live);
    }
  }

  /* start-over / catch-up: the live playlist evaluated from an earlier instant */
  state.startOver = function (iso, title) {
    var sep = baseSrc.indexOf("?") < 0 ? "?" : "&";
    load(baseSrc + sep + "start=" + encodeURIComponent(iso), false);
    if (shiftLabel) { shiftLabel.textContent = T.watching_from + " " + clock(iso) + (title ? " · " + title : ""); }
  };
  state.goLive = function () {
    load(baseSrc, true);
    if (shiftLabel) { shiftLabel.textContent = ""; }
  };
  if (liveBtn) { liveBtn.addEventListener("click", state.goLive); }
  if (subsBtn) {
    subsBtn.addEventListener("click", function () { state.subtitles = !state.subtitles; applySubtitles(); });
  }
  video.textTracks.addEventListener("addtrack", applySubtitles);
  if (baseSrc) { load(baseSrc, state.live); }
})();
