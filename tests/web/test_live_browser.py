"""A live event watched in Chromium: hls.js plays the channel programme → live → programme while ffmpeg
publishes in real time over RTMP (nginx-rtmp) or SRT into `legaltv ingest`, killed mid-event (the
slate airs) and connecting again (the feed airs again); then the event's catch-up programme plays.

The page itself measures what a viewer sees: hls.js's `FRAG_CHANGED` says which source is on screen
(a programme's segments, the event's `live/<event>/…`, a slate), `waiting`/`playing` and `currentTime`
sampled every 250 ms give the stalls. Meanwhile every variant's served live playlist is reloaded every
half second and held to RFC 8216 §6.2.1–6.2.2 (`ReloadMonitor`).

One `legaltv serve` for the module (API and its worker; it transcodes an 8 s programme), the ingest in
this process on the same database and store (as `legaltv ingest` runs them), one channel; each test
schedules its own event.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin

import httpx
import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy.orm import Session, sessionmaker

from channel.db import make_engine, make_sessionmaker
from channel.grid.channels import get_channel
from channel.ingest import Ingest
from channel.models import LiveEvent, Programme, ProgrammeStatus
from channel.playout.slate import ensure_live_slate
from channel.settings import Settings
from channel.stores import store_from_settings
from tests.channel.ingest.harness import (
    ReloadMonitor,
    ingest_ports,
    publisher,
    rtmp_url,
    running_ingest,
    srt_url,
    wait_rtmp_ready,
    wait_srt_ready,
)
from tests.clips import av_clip
from tests.playlist.hls_check import read_media
from tests.waiting import wait_for
from tests.web.browser import api_token
from tests.web.service import SMALL_MEDIA, Service, running_service, wait_for_slate

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(400)]

D = 2.0  # segment seconds
CLIP_SECONDS = 8
EVENT_SECONDS = 24
KILL_AT = timedelta(seconds=4)  # into the event, the publisher dies (slate from two segments on)
BACK_AT = timedelta(seconds=10)  # and connects again (live from within two segments, and its start)
ENCODER_START = 3.0  # seconds the ingest's encoder takes to start on a new contribution
ADMIN, EDITOR, PASSWORD = "quantri", "bientap-truc-tiep", "mật-khẩu-trực-tiếp-dài-2026"
SLUG = "kenh-truc-tiep"
CHANNEL_NAME = "Kênh Pháp luật"
Source = Literal["programme", "live", "slate", "other"]

# installed before the page's scripts: wraps hls.js's constructor so its events are recorded from the
# first one, and samples the video element every 250 ms
RECORDER = """(() => {
  const log = { frags: [], loaded: [], fatal: [], errors: [], events: [], samples: [] };
  window.liveLog = log;
  let Wrapped;
  Object.defineProperty(window, "Hls", {
    configurable: true,
    get() { return Wrapped; },
    set(Base) {
      Wrapped = class extends Base {
        constructor(config) {
          super(config);
          const E = Base.Events;
          this.on(E.FRAG_CHANGED, (_e, d) => log.frags.push({ t: Date.now(), url: d.frag.url, sn: d.frag.sn }));
          this.on(E.FRAG_LOADED, (_e, d) => log.loaded.push({ t: Date.now(), url: d.frag.url }));
          this.on(E.ERROR, (_e, d) => {
            const entry = { t: Date.now(), details: d.details, fatal: !!d.fatal,
              url: d.frag ? d.frag.url : d.url, code: d.response ? d.response.code : null };
            log.errors.push(entry);
            if (d.fatal) { log.fatal.push(entry); }
          });
        }
      };
    },
  });
  document.addEventListener("DOMContentLoaded", () => {
    const v = document.getElementById("video");
    if (!v) { return; }
    for (const name of ["waiting", "playing", "stalled"]) {
      v.addEventListener(name, () => log.events.push({ name, t: Date.now(), ct: v.currentTime }));
    }
    setInterval(() => log.samples.push({ t: Date.now(), ct: v.currentTime, paused: v.paused }), 250);
  });
})();"""


@dataclass(frozen=True)
class Studio:
    """The running service, the ingest beside it, the programme that airs around the events."""

    service: Service
    ingest: Ingest
    sessions: sessionmaker[Session]
    admin: httpx.Client
    editor: httpx.Client
    programme_id: str


def _approve(editor: httpx.Client, programme_id: str) -> None:
    """An editor who did not make it approves the programme's revision (only approved ones are shown)."""
    review = f"/api/programmes/{programme_id}/review"
    wait_for(lambda: editor.get(review).json()["state"] == "pending", seconds=60, what="up for review")
    fingerprint = editor.get(review).json()["fingerprint"]
    approved = editor.post(f"{review}/approve", json={"fingerprint": fingerprint})
    assert approved.status_code == 200, approved.text


def _transcoded(service: Service, admin: httpx.Client, clip: Path) -> str:
    made = admin.post("/api/programmes", json={"title": "Luật Đất đai", "description": "Hỏi đáp."})
    assert made.status_code == 201, made.text
    pid = str(made.json()["id"])
    sent = admin.post(
        f"/api/programmes/{pid}/source",
        content=clip.read_bytes(),
        headers={"Content-Type": "application/octet-stream", "X-Filename": clip.name},
    )
    assert sent.status_code == 202, sent.text
    wait_for(
        lambda: admin.get(f"/api/programmes/{pid}").json()["status"] == "ready",
        seconds=180,
        every=0.5,
        what="the programme transcoded",
        log=service.log_tail,
    )
    return pid


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Studio]:
    root = tmp_path_factory.mktemp("live-browser")
    clip = av_clip(root / "luat-dat-dai.mp4", seconds=CLIP_SECONDS)
    live = {"live_grace_seconds": 1.5, "live_key_lead_seconds": 60.0, **ingest_ports()}
    with running_service(
        root / "var", **SMALL_MEDIA, **{name: str(value) for name, value in live.items()}
    ) as service:
        service.create_user(ADMIN, PASSWORD, "admin")
        service.create_user(EDITOR, PASSWORD, "editor")
        # the ingest as `legaltv ingest` runs it: the service's database and store, its own listeners
        settings = Settings(
            data_dir=root / "var", env="test", ladder=[180, 144], segment_seconds=D, gop_seconds=1.0, **live
        )
        engine = make_engine(settings.resolved_database_url)
        sessions = make_sessionmaker(engine)
        store = store_from_settings(settings)
        with (
            httpx.Client(base_url=service.base_url, timeout=30) as admin,
            httpx.Client(base_url=service.base_url, timeout=30) as editor,
            running_ingest(settings, sessions=sessions, store=store, workdir=root / "ingest") as ingest,
        ):
            admin.headers["Authorization"] = f"Bearer {api_token(service, ADMIN, PASSWORD)}"
            editor.headers["Authorization"] = f"Bearer {api_token(service, EDITOR, PASSWORD)}"
            made = admin.post("/api/channels", json={"slug": SLUG, "name": CHANNEL_NAME})
            assert made.status_code == 201, made.text
            pid = _transcoded(service, admin, clip)
            _approve(editor, pid)
            wait_for_slate(service, SLUG)
            with sessions() as session:
                house = get_channel(session, SLUG).house_format
            # the gap slate now, as the worker makes it with a channel's first event (not mid-test)
            ensure_live_slate(store=store, house=house, channel_name=CHANNEL_NAME, workdir=root / "slate")
            yield Studio(service, ingest, sessions, admin, editor, pid)
        engine.dispose()


def schedule_event(studio: Studio, *, start: datetime, seconds: float) -> dict[str, Any]:
    """The live event placed by the scheduler (the answer holds its key, once): the one place that
    readies an event to air, so an editor's approval of events goes here."""
    body = {
        "title": "Hỏi đáp pháp luật trực tiếp",
        "description": "Luật sư trả lời câu hỏi của người dân.",
        "start": start.isoformat(),
        "end": (start + timedelta(seconds=seconds)).isoformat(),
    }
    made = studio.admin.post(f"/api/channels/{SLUG}/live", json=body)
    assert made.status_code == 201, made.text
    event: dict[str, Any] = made.json()
    reviews = f"/api/live/{event['event']['id']}/reviews"
    fingerprint = studio.editor.get(reviews).json()["fingerprint"]
    approved = studio.editor.post(reviews, json={"decision": "approved", "fingerprint": fingerprint})
    assert approved.status_code in (200, 201), approved.text  # another person than its scheduler: it may air
    return event


def air_around(studio: Studio, event: dict[str, Any]) -> None:
    """The programme twice back to back up to the event's start, once from its end; then publish."""
    start = datetime.fromisoformat(event["event"]["start"])
    end = datetime.fromisoformat(event["event"]["end"])
    clip = timedelta(seconds=CLIP_SECONDS)
    for at in (start - 2 * clip, start - clip, end):
        body = {"programme_id": studio.programme_id, "start": at.isoformat(), "mode": "hard"}
        added = studio.admin.post(f"/api/channels/{SLUG}/entries", json=body)
        assert added.status_code == 201, added.text
    published = studio.admin.post(f"/api/channels/{SLUG}/publish")
    assert published.status_code == 200, published.text


class ServedPlaylists:
    """Every variant's live playlist as the channel serves it, reloaded and checked by the monitor."""

    def __init__(self, service: Service) -> None:
        self.http = httpx.Client(base_url=service.base_url, timeout=10)
        master_url = f"{service.base_url}/live/{SLUG}/master.m3u8"
        master = self.http.get(master_url)
        assert master.status_code == 200, master.text
        lines = [line for line in master.text.splitlines() if line and not line.startswith("#")]
        self.variants = {line.split("?", 1)[0]: urljoin(master_url, line) for line in lines}
        assert len(self.variants) == 2, master.text
        self.monitor = ReloadMonitor()
        self.listed: dict[int, tuple[datetime, Source]] = {}  # media sequence number → (PDT, source)

    def reload(self) -> None:
        lists = {}
        for name, url in self.variants.items():
            answer = self.http.get(url)
            assert answer.status_code == 200, f"{url}: {answer.status_code} {answer.text}"
            lists[name] = read_media(answer.text)
        self.monitor.check(lists, same_instant=False)
        for segment in next(iter(lists.values())).segments:
            self.listed[segment.msn] = (segment.pdt, _source(segment.uri))

    def sources(self, since: datetime, until: datetime) -> list[Source]:
        """The sources listed for the segments starting in [since, until)."""
        return [src for _, (pdt, src) in sorted(self.listed.items()) if since <= pdt < until]

    def close(self) -> None:
        self.http.close()


def _source(url: str) -> Source:
    if "/programmes/" in url:
        return "programme"
    if "/live/" in url and "/slates/" not in url:
        return "live"
    if "/slates/" in url:
        return "slate"
    return "other"


def _collapsed(frags: list[dict[str, Any]]) -> list[Source]:
    """The sources played, in order, one entry per run of segments of the same source."""
    runs: list[Source] = []
    for frag in frags:
        kind = _source(str(frag["url"]))
        if not runs or runs[-1] != kind:
            runs.append(kind)
    return runs


def _longest_stall_ms(log: dict[str, Any], *, until_ms: float) -> tuple[float, float]:
    """(longest `waiting`→`playing` gap, longest time `currentTime` stood still) after playback began."""
    events, samples = log["events"], log["samples"]
    first = next((e["t"] for e in events if e["name"] == "playing"), None)
    assert first is not None, f"never played: {events}"
    waited, since = 0.0, None
    for e in events:
        if e["t"] < first:
            continue
        if e["name"] == "waiting" and since is None:
            since = e["t"]
        elif e["name"] == "playing" and since is not None:
            waited, since = max(waited, e["t"] - since), None
    if since is not None:
        waited = max(waited, until_ms - since)
    still, moved_at, last_ct = 0.0, None, None
    for s in samples:
        if s["t"] < first:
            continue
        if last_ct is None or s["ct"] > last_ct + 0.01:
            moved_at, last_ct = s["t"], s["ct"]
        elif moved_at is not None:
            still = max(still, s["t"] - moved_at)
    return waited, still


@dataclass
class Feed:
    """The test's publisher: connected before the event, killed `KILL_AT` into it, back at `BACK_AT`;
    a caller that fails (the SRT listener still holds the dead one) calls again, as encoders do."""

    connect: Callable[[], subprocess.Popen[bytes]]
    start: datetime
    end: datetime
    process: subprocess.Popen[bytes] | None = None
    killed: datetime | None = None
    back: datetime | None = None
    retries: int = 0

    def step(self) -> None:
        now = datetime.now(UTC)
        if now >= self.end:  # the key closes with the event
            self.stop()
        elif self.process is None and self.killed is None:
            self.process = self.connect()
        elif self.killed is None and now >= self.start + KILL_AT:
            self.stop()
            self.killed = datetime.now(UTC)
        elif self.process is None and self.back is None and now >= self.start + BACK_AT:
            self.process = self.connect()
            self.back = datetime.now(UTC)
        elif self.process is not None and self.process.poll() is not None:
            self.process = self.connect()  # refused or dropped: call again
            self.retries += 1

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def _watch(page: Page, studio: Studio, event: dict[str, Any], feed: Feed) -> dict[str, Any]:
    """Reload the served playlists every 0.5 s, kill and reconnect the publisher, until the page has
    played the programme after the event for a few seconds (or the deadline); returns the page's log."""
    end = datetime.fromisoformat(event["event"]["end"])
    served = ServedPlaylists(studio.service)
    deadline = end + timedelta(seconds=30)
    try:
        while datetime.now(UTC) < deadline:
            feed.step()
            served.reload()
            log: dict[str, Any] = page.evaluate("() => window.liveLog")
            runs = _collapsed(log["frags"])
            if "live" in runs and runs[-1] == "programme":
                after = next(f["t"] for f in reversed(log["frags"]) if _source(f["url"]) != "programme")
                if time.time() * 1000 - after > 3 * D * 1000:
                    break
            time.sleep(0.5)
    finally:
        feed.stop()
        served.close()
    assert served.monitor.reloads > 40, served.monitor.reloads
    assert feed.killed is not None, "the publisher was never killed"
    assert feed.back is not None, "the publisher never came back"
    start = datetime.fromisoformat(event["event"]["start"])
    again = [pdt for pdt, src in served.listed.values() if src == "live" and pdt >= feed.back]
    final: dict[str, Any] = page.evaluate("() => window.liveLog")
    final["now"] = time.time() * 1000
    final["listed"] = {
        "before": served.sources(start, feed.killed),
        "lost": served.sources(feed.killed + timedelta(seconds=2 * D), feed.back),
        "back_after_s": (min(again) - feed.back).total_seconds() if again else None,
        "retries": feed.retries,
    }
    return final


def _recording(studio: Studio, event: dict[str, Any]) -> str:
    """The catch-up programme the ingest recorded from what aired, once it is ready."""

    def ready() -> str | None:
        with studio.sessions() as session:
            row = session.get(LiveEvent, uuid.UUID(event["event"]["id"]))
            pid = None if row is None else row.recorded_programme_id
            programme = None if pid is None else session.get(Programme, pid)
            return str(pid) if programme and programme.status == ProgrammeStatus.READY else None

    return wait_for(ready, seconds=60, every=0.5, what="the recording of the event")


@pytest.mark.parametrize("transport", ["rtmp", "srt"])
def test_hls_js_plays_programme_live_programme_then_the_catch_up(
    studio: Studio, browser: Browser, transport: str
) -> None:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2 * CLIP_SECONDS + 6)
    event = schedule_event(studio, start=start, seconds=EVENT_SECONDS)
    air_around(studio, event)
    ingest = studio.ingest

    def connect() -> subprocess.Popen[bytes]:
        if transport == "rtmp":
            wait_rtmp_ready(ingest)
            return publisher(rtmp_url(ingest, event), fmt="flv")
        wait_srt_ready(ingest)
        return publisher(srt_url(ingest, event), fmt="mpegts")

    feed = Feed(
        connect,
        start=datetime.fromisoformat(event["event"]["start"]),
        end=datetime.fromisoformat(event["event"]["end"]),
    )
    feed.step()
    context = browser.new_context()
    context.add_init_script(RECORDER)
    try:
        page = context.new_page()
        page.goto(f"{studio.service.base_url}/embed/{SLUG}")
        page.wait_for_function("() => window.legaltvPlayer && window.legaltvPlayer.engine === 'hls.js'")
        log = _watch(page, studio, event, feed)
        runs = _collapsed(log["frags"])
        played = runs[runs.index("programme") :] if "programme" in runs else runs
        waited, still = _longest_stall_ms(log, until_ms=log["now"])
        print(
            f"{transport}: played {runs}; longest waiting {waited:.0f} ms, currentTime still {still:.0f} ms"
        )
        trail = [(f["t"], f["url"]) for f in log["frags"]]
        listed = log["listed"]
        print(f"{transport}: listed {listed}")
        assert not log["fatal"], f"fatal hls.js errors: {log['errors']}\n{trail}"
        assert "live" in listed["before"], listed
        assert listed["lost"], listed
        assert set(listed["lost"]) == {"slate"}, f"the feed listed two segments after it died: {listed}"
        assert listed["back_after_s"] is not None, f"never live again after reconnecting: {listed}"
        assert listed["back_after_s"] <= 2 * D + ENCODER_START, f"live again too late: {listed}"
        assert played[0] == "programme", runs
        assert played[-1] == "programme", runs
        assert "live" in played, runs
        assert set(played[1:-1]) <= {"live", "slate"}, runs
        assert "slate" in played[played.index("live") :], (
            f"the slate never played after the feed died: {runs}"
        )
        assert played.count("live") >= 2, f"the feed did not play again after reconnecting: {runs}"
        event_id = event["event"]["id"]
        live_urls = [f["url"] for f in log["frags"] if _source(f["url"]) == "live"]
        assert all(f"/live/{event_id}/" in url for url in live_urls), live_urls[:3]
        assert len(live_urls) >= 3, live_urls
        assert len(log["samples"]) > 4 * EVENT_SECONDS, "the page did not sample the player"
        assert waited <= D * 1000, f"a stall of {waited:.0f} ms: {log['events']}"
        assert still <= D * 1000, f"currentTime stood still {still:.0f} ms"

        # after the event: its catch-up programme, approved by an editor, plays from its page
        recorded = _recording(studio, event)
        _approve(studio.editor, recorded)
        page.goto(f"{studio.service.base_url}/chuong-trinh/{recorded}")
        page.wait_for_function("() => window.legaltvPlayer.video.currentTime > 3", timeout=20_000)
        assert not page.evaluate("() => window.liveLog.fatal"), "fatal hls.js error on the catch-up"
    finally:
        context.close()
