"""Editorial control end to end, in Chromium, against two real `legaltv serve` replicas on one PostgreSQL
schema (one data folder: the object store and the embedded broker, whose worker runs beside replica A).

1. The review desk: the queue with each revision's facts, a preview that plays, a rejection whose reason
   the producer then reads in their own console, an approval; axe-core finds nothing on these screens.
2. On air: the duty editor takes the channel over from the console (confirmation and a required
   reason), releases it, then pulls the programme on air. A playlist monitor reloads both replicas every
   quarter second and checks RFC 8216 §6.2.1–6.2.2 on every reload; hls.js in Chromium, watching through
   replica B, plays the emergency programme and then the grid again. The emergency source airs within
   one target duration plus the refresh interval of the click.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright

from channel.migrate import upgrade
from tests.clips import av_clip
from tests.pgschema import pg_schema_url
from tests.playlist.hls_check import Listed, MediaPlaylist, read_media
from tests.web.service import Service, running_service

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.postgres, pytest.mark.timeout(900)]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--autoplay-policy=no-user-gesture-required",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "mật-khẩu-biên-tập-2026"
SLUG = "kenh-khan"
TARGET = 2  # the house format's segment (target) duration here, seconds
REFRESH = 3.0  # the timeline cache's refresh interval (channel.playout.cache.DEFAULT_REFRESH_SECONDS)
GRID_SECONDS = 20
NOTICE_SECONDS = 6
VARIANT = "180p"


@dataclass(frozen=True)
class Stack:
    a: Service
    b: Service
    tokens: dict[str, str]
    clips: dict[str, Path]

    def call(
        self, method: str, path: str, *, user: str, replica: Service | None = None, **kw: Any
    ) -> httpx.Response:
        base = (replica or self.a).base_url
        headers = {"Authorization": f"Bearer {self.tokens[user]}", **kw.pop("headers", {})}
        return httpx.request(method, f"{base}{path}", headers=headers, timeout=30, **kw)


@dataclass
class Shared:
    """What the first test leaves for the second (module scope)."""

    ids: dict[str, str] = field(default_factory=dict)


def _answers(url: str) -> bool:
    return httpx.get(url, timeout=5).status_code == 200


def _wait(condition: Callable[[], Any], *, timeout: float, what: str, every: float = 0.25) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f} s waiting for {what}"
        time.sleep(every)


def _login(base: str, username: str) -> str:
    signed = httpx.post(
        f"{base}/api/auth/login", json={"username": username, "password": PASSWORD}, timeout=30
    )
    assert signed.status_code == 200, signed.text
    return str(signed.json()["access_token"])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("editorial")
    clips = {
        "grid": av_clip(root / "luat-dat-dai.mp4", seconds=GRID_SECONDS, tone_hz=440),
        "rejected": av_clip(root / "ban-loi.mp4", seconds=6, tone_hz=550),
        "notice": av_clip(root / "thong-bao.mp4", seconds=NOTICE_SECONDS, tone_hz=880, video_filter="negate"),
    }
    settings = {
        "ladder": "[180,144]",
        "segment_seconds": str(TARGET),
        "gop_seconds": "1",
        "chunk_seconds": "0",
        "mfa_required_roles": "[]",  # the second factor has its own browser test (test_console_account.py)
        "log_level": "WARNING",
    }
    with pg_schema_url(postgres_url) as database_url:
        upgrade(database_url)
        data = root / "var"  # one store and one broker folder for both replicas
        with (
            running_service(
                data, log_name="a.log", database_url=database_url, embedded_worker="true", **settings
            ) as a,
            running_service(
                data, log_name="b.log", database_url=database_url, embedded_worker="false", **settings
            ) as b,
        ):
            for username, role in (
                ("sanxuat", "producer"),
                ("duyet", "editor"),
                ("lichphat", "scheduler"),
                ("quantri", "admin"),
            ):
                a.create_user(username, PASSWORD, role)
            tokens = {u: _login(a.base_url, u) for u in ("sanxuat", "duyet", "lichphat", "quantri")}
            yield Stack(a=a, b=b, tokens=tokens, clips=clips)


@pytest.fixture(scope="module")
def shared() -> Shared:
    return Shared()


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    assert Path(CHROMIUM).is_file(), f"Debian's chromium is needed at {CHROMIUM} (apt-get install chromium)"
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield launched
    launched.close()


def _upload(stack: Stack, *, title: str, clip: Path) -> str:
    made = stack.call("POST", "/api/programmes", user="sanxuat", json={"title": title})
    assert made.status_code == 201, made.text
    pid = str(made.json()["id"])
    sent = stack.call(
        "POST",
        f"/api/programmes/{pid}/source",
        user="sanxuat",
        content=clip.read_bytes(),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert sent.status_code == 202, sent.text
    return pid


def _ready(stack: Stack, pid: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        body: dict[str, Any] = stack.call("GET", f"/api/programmes/{pid}", user="sanxuat").json()
        assert body["status"] != "failed", f"{body}\n{stack.a.log_tail()}"
        return body if body["status"] == "ready" else None

    found: dict[str, Any] = _wait(done, timeout=240, what=f"programme {pid} to be transcoded", every=1.0)
    return found


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/console")
    page.fill("#login-username", username)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#workspace:not(.hidden)")


def _axe(page: Page, selector: str) -> None:
    """axe-core (wcag2a/aa, wcag21a/aa) on the part of the page under ``selector``: no violation.

    Injected with `evaluate` (the page's CSP allows no inline script; DevTools evaluation is not one).
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """(selector) => window.axe.run(document.querySelector(selector),
             {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
           .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
             nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})))""",
        selector,
    )
    assert result == [], (
        f"axe-core finds accessibility violations in {selector}:\n{json.dumps(result, ensure_ascii=False, indent=1)}"
    )


def test_the_review_desk_shows_the_exact_revision_and_the_producer_reads_the_refusal(
    stack: Stack, shared: Shared, browser: Browser
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    grid = _upload(stack, title="Luật Đất đai 2024: thu hồi đất", clip=stack.clips["grid"])
    flawed = _upload(stack, title="Hỏi đáp pháp luật (bản lỗi)", clip=stack.clips["rejected"])
    notice = _upload(stack, title="Thông báo khẩn của Bộ Tư pháp", clip=stack.clips["notice"])
    for pid in (grid, flawed, notice):
        _ready(stack, pid)
    shared.ids.update(grid=grid, flawed=flawed, notice=notice)

    editor = browser.new_page(viewport={"width": 1280, "height": 1000})
    _sign_in(editor, stack.a.base_url, "duyet")
    editor.wait_for_selector("#tab-review:not(.hidden)")  # an editor lands on the review desk
    for pid in (grid, flawed, notice):
        editor.wait_for_selector(f'#review-queue tr[data-review="{pid}"]')
    _axe(editor, "#tab-review")

    editor.click(f'#review-queue tr[data-review="{flawed}"] button')
    editor.wait_for_selector("#review-panel:not(.hidden)")
    facts = editor.inner_text("#review-facts")
    assert hashlib.sha256(stack.clips["rejected"].read_bytes()).hexdigest() in facts  # the exact file
    assert "180p, 144p" in facts
    editor.wait_for_function(
        "() => document.getElementById('review-video').currentTime > 0.5", timeout=30_000
    )
    _axe(editor, "#tab-review")
    editor.click("#review-reject")  # no reason: refused, nothing decided
    editor.wait_for_selector("#console-error:not(.hidden)")
    assert "lý do" in editor.inner_text("#console-error")
    editor.fill("#review-reason", "Phút 0:04 hình bị âm bản; sửa rồi gửi lại")
    editor.click("#review-reject")
    editor.wait_for_function("() => document.getElementById('review-status').textContent.length > 0")
    assert editor.get_attribute("#review-panel", "data-state") == "rejected"
    editor.screenshot(path=str(SCREENSHOTS / "console-review.png"), full_page=True)

    for pid in (grid, notice):
        editor.click(f'#review-queue tr[data-review="{pid}"] button')
        editor.wait_for_function(
            "(title) => document.getElementById('review-name').textContent === title",
            arg="Luật Đất đai 2024: thu hồi đất" if pid == grid else "Thông báo khẩn của Bộ Tư pháp",
        )
        editor.wait_for_selector("#review-approve:not(.hidden)")
        editor.fill("#review-reason", "Nội dung đúng văn bản luật hiện hành")
        editor.click("#review-approve")
        editor.wait_for_function(
            "() => document.getElementById('review-panel').getAttribute('data-state') === 'approved'"
        )
    editor.wait_for_function("() => document.querySelectorAll('#review-queue tr').length === 0")
    assert not editor.locator("#review-empty").is_hidden()

    producer = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(producer, stack.a.base_url, "sanxuat")
    producer.wait_for_selector("#tab-programmes:not(.hidden)")
    row = producer.locator(f'tr[data-programme="{flawed}"]')
    producer.wait_for_selector(f'tr[data-programme="{flawed}"][data-review="rejected"]')
    assert "Phút 0:04 hình bị âm bản" in row.inner_text()  # the producer reads why
    assert producer.locator('[data-tab="review"]').is_hidden()
    producer.wait_for_selector(f'tr[data-programme="{grid}"][data-review="approved"]')
    producer.screenshot(path=str(SCREENSHOTS / "console-producer-review.png"), full_page=True)
    _axe(producer, f'tr[data-programme="{flawed}"]')


@dataclass
class Monitor:
    """Reloads the live media playlist of every replica and checks each reload against what was seen."""

    bases: dict[str, str]
    violations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    memory: dict[int, tuple[str, int, int, datetime, int | None]] = field(default_factory=dict)
    last: dict[str, MediaPlaylist] = field(default_factory=dict)
    #: (replica, msn) → when that replica first listed it (wall clock, seconds since the epoch)
    listed: dict[tuple[str, int], float] = field(default_factory=dict)
    segments: dict[int, Listed] = field(default_factory=dict)
    reloads: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self) -> None:
        with httpx.Client(timeout=5) as http:
            while not self.stop.is_set():
                for name, base in self.bases.items():
                    try:
                        answer = http.get(f"{base}/live/{SLUG}/{VARIANT}.m3u8")
                    except httpx.HTTPError as exc:
                        self.errors.append(f"{name}: {exc!r}")
                        continue
                    at = time.time()
                    if answer.status_code != 200:
                        self.errors.append(f"{name}: HTTP {answer.status_code}")
                        continue
                    try:
                        playlist = read_media(answer.text)
                    except AssertionError as exc:
                        self.violations.append(f"{name}: malformed playlist: {exc}\n{answer.text}")
                        continue
                    with self.lock:
                        self._check(name, playlist, at)
                self.stop.wait(0.25)

    def _check(self, name: str, pl: MediaPlaylist, at: float) -> None:
        self.reloads += 1
        for s in pl.segments:
            seen = (s.uri, s.duration_ms, s.discontinuity, s.pdt, s.length)
            if self.memory.setdefault(s.msn, seen) != seen:
                self.violations.append(f"{name}: segment {s.msn} changed: {self.memory[s.msn]} → {seen}")
            self.listed.setdefault((name, s.msn), at)
            self.segments.setdefault(s.msn, s)
        newest = pl.segments[-1]
        ends = newest.pdt + timedelta(milliseconds=newest.duration_ms)
        if ends.timestamp() > at + 0.5:
            self.violations.append(f"{name}: segment {newest.msn} listed before it has aired ({ends} > {at})")
        before = self.last.get(name)
        if before is not None:
            if pl.target_duration != before.target_duration or pl.version != before.version:
                self.violations.append(f"{name}: target duration or version changed")
            if pl.media_sequence < before.media_sequence or pl.segments[-1].msn < before.segments[-1].msn:
                self.violations.append(
                    f"{name}: the playlist went back ({before.media_sequence} → {pl.media_sequence})"
                )
            dropped = pl.media_sequence - before.media_sequence
            expected = before.discontinuity_sequence + sum(s.tagged for s in before.segments[1 : dropped + 1])
            if dropped < len(before.segments) and expected != pl.discontinuity_sequence:
                self.violations.append(
                    f"{name}: discontinuity sequence {pl.discontinuity_sequence} != {expected}"
                )
        self.last[name] = pl

    def first(self, name: str, match: Callable[[Listed], bool]) -> tuple[Listed, float] | None:
        """The first segment matching (by number) that ``name`` listed, and when it listed it."""
        with self.lock:
            hits = sorted(s.msn for s in self.segments.values() if match(s) and (name, s.msn) in self.listed)
            if not hits:
                return None
            return self.segments[hits[0]], self.listed[(name, hits[0])]


def _on_air(page: Page, kind: str, reason: str, *, source: str | None = None) -> datetime:
    """Open the dialog for ``kind``, try it without a reason (refused by the form), then confirm it."""
    page.click(f"#onair-{kind}-open")
    page.wait_for_selector("#onair-dialog[open]")
    if source is not None:
        page.wait_for_selector(f'#onair-source option[value="{source}"]', state="attached")
        page.select_option("#onair-source", source)
    page.click("#onair-submit")  # no reason, not confirmed: the dialog stays, nothing is sent
    assert page.locator("#onair-dialog[open]").count() == 1
    page.fill("#onair-reason", reason)
    page.check("#onair-confirm")
    acted = datetime.now(UTC)
    page.click("#onair-submit")
    page.wait_for_selector("#onair-dialog[open]", state="detached")  # closed once the server answered
    page.wait_for_function("() => document.getElementById('onair-status').textContent.length > 0")
    assert page.inner_text("#console-error") == ""
    return acted


PLAYER_FRAGS = """() => {
  const p = window.legaltvPlayer; window.legaltvFrags = [];
  p.hls.on('hlsFragChanged', (event, data) => window.legaltvFrags.push(
    {url: data.frag.url, t: Date.now(), ct: p.video.currentTime}));
}"""


def _played(page: Page, needle: str, *, after_ms: float, timeout: float) -> None:
    _wait(
        lambda: page.evaluate(
            "([needle, after]) => window.legaltvFrags.some(f => f.t >= after && f.url.indexOf(needle) >= 0)",
            [needle, after_ms],
        ),
        timeout=timeout,
        what=f"the player to play {needle}",
    )


def test_takeover_release_and_pull_reach_both_replicas_and_the_player_within_the_bound(
    stack: Stack, shared: Shared, browser: Browser
) -> None:
    grid, notice = shared.ids["grid"], shared.ids["notice"]
    made = stack.call(
        "POST", "/api/channels", user="lichphat", json={"slug": SLUG, "name": "Kênh Pháp luật Khẩn"}
    )
    assert made.status_code == 201, made.text
    length = float(_ready(stack, grid)["duration"])
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
    for k in range(40):  # the grid programme back to back (hard), for about a quarter of an hour
        placed = stack.call(
            "POST",
            f"/api/channels/{SLUG}/entries",
            user="lichphat",
            json={
                "programme_id": grid,
                "start": (start + timedelta(seconds=k * length)).isoformat(),
                "mode": "hard",
            },
        )
        assert placed.status_code == 201, placed.text
    published = stack.call("POST", f"/api/channels/{SLUG}/publish", user="lichphat")
    assert published.status_code == 200, published.text
    for replica in (stack.a, stack.b):  # on air once its slate is stored (the worker beside A makes it)
        _wait(
            partial(_answers, f"{replica.base_url}/live/{SLUG}/{VARIANT}.m3u8"),
            timeout=120,
            what=f"the channel on air on {replica.base_url}",
            every=1.0,
        )

    monitor = Monitor({"A": stack.a.base_url, "B": stack.b.base_url})
    thread = threading.Thread(target=monitor.run, daemon=True)
    thread.start()
    viewer = browser.new_page(viewport={"width": 960, "height": 720})
    page_errors: list[str] = []
    viewer.on("pageerror", lambda exc: page_errors.append(str(exc)))
    console = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        viewer.goto(f"{stack.b.base_url}/")  # the viewer watches through replica B
        viewer.wait_for_function("() => window.legaltvPlayer && window.legaltvPlayer.hls")
        viewer.evaluate(PLAYER_FRAGS)
        _played(viewer, f"/programmes/{grid}/", after_ms=0, timeout=60)

        _sign_in(console, stack.a.base_url, "duyet")  # the duty editor acts through replica A
        console.click('[data-tab="onair"]')
        console.wait_for_function(
            "() => document.getElementById('onair-now').textContent.indexOf('Luật Đất đai') >= 0"
        )
        _axe(console, "#tab-onair")

        # take over with the approved emergency notice
        console.click("#onair-takeover-open")
        console.wait_for_selector("#onair-dialog[open]")
        console.wait_for_selector(f'#onair-source option[value="{notice}"]', state="attached")
        _axe(console, "#onair-dialog")
        console.click("#onair-cancel")
        acted = _on_air(console, "takeover", "Công điện khẩn: phát thông báo của Bộ", source=notice)
        console.wait_for_selector("#onair-takeover:not(.hidden)")
        console.screenshot(path=str(SCREENSHOTS / "console-onair-takeover.png"), full_page=True)
        is_notice = lambda s: f"/programmes/{notice}/" in s.uri  # noqa: E731
        takeover: dict[str, tuple[Listed, float]] = {
            name: _wait(
                partial(monitor.first, name, is_notice),
                timeout=30,
                what=f"replica {name} to list the notice",
            )
            for name in ("A", "B")
        }
        first = takeover["A"][0]
        airs_after = (first.pdt - acted).total_seconds()
        bound = TARGET + REFRESH
        assert airs_after <= bound, (
            f"the emergency notice airs {airs_after:.2f} s after the click (> {bound} s)"
        )
        for name, (_, listed_at) in takeover.items():  # each replica lists it as soon as it has aired
            late = listed_at - (first.pdt.timestamp() + first.duration_ms / 1000)
            assert late <= 1.0 + 0.75, f"replica {name} listed the notice {late:.2f} s after it aired"
        _played(viewer, f"/programmes/{notice}/", after_ms=acted.timestamp() * 1000, timeout=45)
        guide = httpx.get(f"{stack.b.base_url}/xmltv.xml", timeout=10).text
        assert "Thông báo khẩn" in guide

        # release: the grid again, joining the programme where the grid has it now
        released = _on_air(console, "release", "Đã phát xong công điện")
        is_grid = lambda s: f"/programmes/{grid}/" in s.uri and s.pdt > released  # noqa: E731
        back = {
            name: _wait(
                partial(monitor.first, name, is_grid), timeout=30, what=f"replica {name} back on the grid"
            )
            for name in ("A", "B")
        }
        joined = back["A"][0]
        assert (joined.pdt - released).total_seconds() <= bound
        offset = ((joined.pdt - start).total_seconds()) % length  # where the grid is in the programme then
        index = int(joined.uri.rsplit("seg_", 1)[1].split(".")[0])
        assert abs(index * TARGET - offset) <= TARGET, (index, offset)  # mid-way, not from where it stopped
        _played(viewer, f"/programmes/{grid}/", after_ms=released.timestamp() * 1000 + 1, timeout=45)

        # pull the programme on air: filler from the next unpublished boundary, and it does not come back
        pulled = _on_air(console, "pull", "Phát hiện sai số hiệu văn bản ở phút 0:12")
        is_slate = lambda s: "/slates/" in s.uri and s.pdt > pulled  # noqa: E731
        off = _wait(lambda: monitor.first("B", is_slate), timeout=30, what="the filler after the pull")[0]
        assert (off.pdt - pulled).total_seconds() <= bound
        _wait(
            lambda: monitor.reloads > 0 and time.time() > off.pdt.timestamp() + 8,
            timeout=30,
            what="a few reloads more",
        )
        with monitor.lock:
            after = [s for s in monitor.segments.values() if s.pdt > off.pdt]
        assert after
        assert not [s for s in after if f"/programmes/{grid}/" in s.uri]
        console.screenshot(path=str(SCREENSHOTS / "console-onair-pulled.png"), full_page=True)
        _axe(console, "#tab-onair")
    finally:
        monitor.stop.set()
        thread.join(timeout=10)
    state = viewer.evaluate(
        "() => ({fatal: window.legaltvPlayer.fatal, stalls: window.legaltvPlayer.stalls})"
    )
    report = json.dumps(
        {"reloads": monitor.reloads, "errors": monitor.errors[:5], **state}, ensure_ascii=False
    )
    assert monitor.reloads > 100, report
    assert monitor.violations == [], "\n".join(monitor.violations[:20])
    assert not monitor.errors, report
    assert not state["fatal"], report
    assert not page_errors, page_errors
    events = {
        e["action"]: e
        for e in stack.call("GET", "/api/audit", user="quantri", params={"limit": 200}).json()
        if e["action"] in ("channel.takeover", "channel.release", "channel.pull")
    }
    assert events["channel.takeover"]["changes"]["reason"] == "Công điện khẩn: phát thông báo của Bộ"
    assert events["channel.release"]["changes"]["reason"] == "Đã phát xong công điện"
    assert events["channel.pull"]["changes"]["programme_id"] == grid
    print(
        f"takeover airs {airs_after:.2f} s after the click; listed by A after "
        f"{takeover['A'][1] - acted.timestamp():.2f} s, by B after {takeover['B'][1] - acted.timestamp():.2f} s; "
        f"{monitor.reloads} reloads checked"
    )
