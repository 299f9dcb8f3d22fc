"""End to end in a real browser: log in, upload through the console, schedule, publish, watch live.

Headless Debian Chromium driven by Playwright (never a downloaded browser) against `legaltv serve`
(the API and a real Celery worker on the embedded broker) with a small house format.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.clips import av_clip
from tests.web.browser import SCREENSHOTS, api_token
from tests.web.service import SMALL_MEDIA, Service, missing_slate_segments, running_service, wait_for_slate

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(300)]

SEGMENT = 2.0
CLIP_SECONDS = 8
USER, PASSWORD = "bientap", "mật-khẩu-thật-dài-2026"
SLUG = "kenh-chinh"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# samples the player every 250 ms from the page itself, so gaps are measured where they happen
MONITOR = """() => {
  const p = window.legaltvPlayer, v = p.video, s = [];
  window.legaltvSamples = s;
  setInterval(() => s.push({
    t: performance.now(), ct: v.currentTime, paused: v.paused, rs: v.readyState,
    pdt: p.hls && p.hls.playingDate ? p.hls.playingDate.getTime() : null
  }), 250);
}"""


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    root = tmp_path_factory.mktemp("e2e")
    with running_service(root / "var", **SMALL_MEDIA) as running:
        running.create_user(USER, PASSWORD, "admin")
        yield running


def _ensure_channel(service: Service) -> None:
    """The channel the grid goes on (creating channels is not a console feature)."""
    headers = {"Authorization": f"Bearer {api_token(service, USER, PASSWORD)}"}
    listed = httpx.get(f"{service.base_url}/api/channels", timeout=10)
    if any(c["slug"] == SLUG for c in listed.json()):
        return
    made = httpx.post(
        f"{service.base_url}/api/channels",
        json={"slug": SLUG, "name": "Kênh Pháp luật"},
        headers=headers,
        timeout=10,
    )
    assert made.status_code == 201, made.text


def _console_upload(page: Page, service: Service, clip: Path) -> str:
    page.goto(f"{service.base_url}/console")
    page.fill("#login-username", USER)
    page.fill("#login-password", "sai-mật-khẩu")
    page.click("#login-submit")
    page.wait_for_selector("#console-error:not(.hidden)")
    assert " / " in page.inner_text("#console-error"), "the API's bilingual message is not shown"
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#workspace:not(.hidden)")
    page.wait_for_selector("#tab-programmes:not(.hidden)")
    page.set_input_files("#upload-file", str(clip))
    page.fill("#upload-title", "Tìm hiểu Luật Giao thông đường bộ")
    page.click("#upload-start")
    page.wait_for_function("() => document.getElementById('upload-progress').value >= 100", timeout=30_000)
    row = page.wait_for_selector("tr[data-programme]", timeout=30_000)
    assert row is not None, "the uploaded programme is not listed"
    programme_id = row.get_attribute("data-programme")
    assert programme_id
    try:
        page.wait_for_selector(f'tr[data-programme="{programme_id}"][data-status="ready"]', timeout=90_000)
    except Exception:
        text = page.inner_text("#programmes")
        pytest.fail(f"the programme did not become ready; console shows:\n{text}\n{service.log_tail()}")
    # metadata: description and a legal topic, then a preview of the programme's own VOD
    page.wait_for_selector("#edit-form:not(.hidden)")
    page.fill("#edit-description", "Quy định về đội mũ bảo hiểm và nồng độ cồn khi lái xe.")
    page.locator("#edit-topics input[type=checkbox]").first.check()
    page.click("#edit-save")
    page.wait_for_function(
        "() => document.getElementById('edit-status').textContent.length > 0"
        " || document.getElementById('console-error').textContent.length > 0"
    )
    assert page.inner_text("#console-error") == ""
    page.click(f'tr[data-programme="{programme_id}"] >> text=Xem thử')
    page.wait_for_function("() => document.getElementById('preview-video').currentTime > 0.5", timeout=20_000)
    page.click("#preview-close")
    return programme_id


def _approve_as_another_editor(service: Service, programme_id: str) -> None:
    """The admin uploaded it, so another person reviews it (four eyes): an editor, through the API."""
    username = f"duyet-{next(_EDITORS)}"
    service.create_user(username, PASSWORD, "editor")
    signed = httpx.post(
        f"{service.base_url}/api/auth/login", json={"username": username, "password": PASSWORD}
    )
    assert signed.status_code == 200, signed.text
    headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
    review = httpx.get(
        f"{service.base_url}/api/programmes/{programme_id}/review", headers=headers, timeout=10
    )
    assert review.status_code == 200, review.text
    approved = httpx.post(
        f"{service.base_url}/api/programmes/{programme_id}/review/approve",
        headers=headers,
        json={"fingerprint": review.json()["fingerprint"]},
        timeout=10,
    )
    assert approved.status_code == 200, approved.text


_EDITORS = itertools.count(1)


def _console_schedule(page: Page, programme_id: str, start: datetime) -> None:
    page.click('[data-tab="grid"]')
    page.wait_for_selector(f'#entry-programme option[value="{programme_id}"]', state="attached")
    page.select_option("#grid-channel", SLUG)
    for offset in (0, CLIP_SECONDS):  # twice, back to back: a programme boundary at start + CLIP_SECONDS
        at = (start + timedelta(seconds=offset)).astimezone(TZ)
        page.select_option("#entry-programme", programme_id)
        page.fill("#entry-date", at.strftime("%Y-%m-%d"))
        page.fill("#entry-time", at.strftime("%H:%M:%S"))
        page.select_option("#entry-mode", "hard")
        page.click("#entry-add")
        page.wait_for_function(
            f"() => document.querySelectorAll('#entries tr[data-entry]').length >= {1 + offset // CLIP_SECONDS}"
        )
    assert page.locator(".tl-block").count() >= 2, "the day timeline shows no blocks"
    page.click("#publish")
    page.wait_for_function(
        "() => document.getElementById('publish-status').textContent.length > 0"
        " || document.getElementById('console-error').textContent.length > 0",
        timeout=15_000,
    )
    error = page.inner_text("#console-error")
    assert not error.strip(), f"the console shows an error: {error}"


def _check_catch_up_and_back_to_live(viewer: Page, start: datetime, programme_id: str) -> None:
    """The latest airing that ended is in the catch-up list (one line per programme); it plays from its
    start; "Trực tiếp" returns to live."""
    link = viewer.locator("#catchup a[data-start]").first
    link.wait_for(timeout=5_000)
    assert link.get_attribute("href") == f"/chuong-trinh/{programme_id}"  # without scripts: its own page
    airing = datetime.fromisoformat(link.get_attribute("data-start") or "")
    assert airing in (start, start + timedelta(seconds=CLIP_SECONDS)), (airing, start)
    link.click()
    viewer.wait_for_function(
        "() => window.legaltvPlayer.src.indexOf('start=') > 0 && !window.legaltvPlayer.live"
    )
    begin = airing.timestamp() * 1000
    viewer.wait_for_function(
        f"() => {{ const h = window.legaltvPlayer.hls; return h && h.playingDate"
        f" && h.playingDate.getTime() >= {begin} && h.playingDate.getTime() < {begin + CLIP_SECONDS * 1000}"
        f" && window.legaltvPlayer.video.currentTime > 0.5; }}",
        timeout=15_000,
    )
    assert "Đang xem lại từ" in viewer.inner_text("#timeshift")
    viewer.click("#go-live")
    viewer.wait_for_function(
        "() => window.legaltvPlayer.live && window.legaltvPlayer.src.indexOf('start=') < 0"
    )
    assert viewer.inner_text("#timeshift") == ""


def test_console_to_live_player_across_a_programme_boundary(
    service: Service, browser: Browser, tmp_path: Path
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    clip = av_clip(tmp_path / "luat-giao-thong.mp4", seconds=CLIP_SECONDS)
    _ensure_channel(service)
    console = browser.new_page(viewport={"width": 1280, "height": 900})
    programme_id = _console_upload(console, service, clip)
    _approve_as_another_editor(service, programme_id)  # only approved revisions are published

    start = datetime.now(TZ).replace(microsecond=0) + timedelta(seconds=25)
    _console_schedule(console, programme_id, start)
    console.screenshot(path=str(SCREENSHOTS / "console-grid.png"), full_page=True)
    console.click('[data-tab="programmes"]')
    console.screenshot(path=str(SCREENSHOTS / "console-programmes.png"), full_page=True)

    master = httpx.get(f"{service.base_url}/live/{SLUG}/master.m3u8", timeout=10)
    assert master.status_code == 200, (
        f"GET /live/{SLUG}/master.m3u8 answered {master.status_code}: the live playout is not served"
    )
    wait_for_slate(service, SLUG)  # made by the service's own worker, asked for at creation and publish
    assert not missing_slate_segments(service, SLUG), "the filler slate's segments are not served"
    # tune in while the first airing is on, so playback starts inside it and meets the boundary
    time.sleep(max(0.0, (start - datetime.now(TZ)).total_seconds() + CLIP_SECONDS - 1))
    viewer = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    viewer.on("pageerror", lambda exc: errors.append(str(exc)))
    viewer.on(
        "console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    viewer.goto(f"{service.base_url}/")
    viewer.wait_for_function("() => window.legaltvPlayer && window.legaltvPlayer.engine === 'hls.js'")
    viewer.evaluate(MONITOR)
    # the second airing starts at start + CLIP_SECONDS; watch until the player is two segments past it
    boundary_ms = (start + timedelta(seconds=CLIP_SECONDS)).timestamp() * 1000
    deadline = time.monotonic() + (start - datetime.now(TZ)).total_seconds() + 60
    while time.monotonic() < deadline:
        pdt = viewer.evaluate("() => window.legaltvPlayer.hls && window.legaltvPlayer.hls.playingDate ? "
                              "window.legaltvPlayer.hls.playingDate.getTime() : 0")  # fmt: skip
        if pdt > boundary_ms + 2 * SEGMENT * 1000:
            break
        time.sleep(0.5)
    time.sleep(1.0)  # the page's sampler (every 250 ms) catches up with what was just read
    state = viewer.evaluate(
        "() => ({fatal: window.legaltvPlayer.fatal, errors: window.legaltvPlayer.errors,"
        " stalls: window.legaltvPlayer.stalls, stalledNow: window.legaltvPlayer.stalledNowMs(),"
        " samples: window.legaltvSamples})"
    )
    # "on air" follows the player: the programme, its description and its legal topic
    viewer.wait_for_function(
        "() => document.getElementById('now-title').textContent === 'Tìm hiểu Luật Giao thông đường bộ'"
        " && !document.getElementById('now-topics').classList.contains('hidden')",
        timeout=5_000,
    )
    assert "nồng độ cồn" in viewer.inner_text("#now-desc")
    viewer.screenshot(path=str(SCREENSHOTS / "viewer.png"), full_page=True)
    _check_catch_up_and_back_to_live(viewer, start, programme_id)
    samples = state["samples"]
    timing = {
        "pdt_first_s": (samples[0]["pdt"] - boundary_ms) / 1000 if samples and samples[0]["pdt"] else None,
        "pdt_last_s": (samples[-1]["pdt"] - boundary_ms) / 1000 if samples and samples[-1]["pdt"] else None,
        "ct_first": samples[0]["ct"] if samples else None,
        "ct_last": samples[-1]["ct"] if samples else None,
        "watched_s": (samples[-1]["t"] - samples[0]["t"]) / 1000 if samples else None,
    }
    report = json.dumps(
        {**{k: state[k] for k in ("fatal", "errors", "stalls", "stalledNow")}, **timing}, ensure_ascii=False
    )

    pdts = [s["pdt"] for s in samples if s["pdt"]]
    assert pdts, f"hls.js reported no programme date-time: {report}\n{service.log_tail()}"
    assert max(pdts) > boundary_ms + 2 * SEGMENT * 1000, (
        f"the player never got past the programme boundary: {report}\n{service.log_tail()}"
    )
    assert min(pdts) < boundary_ms, "playback started after the boundary, so it was not crossed"
    assert not state["fatal"], f"fatal hls.js errors: {report}"
    assert not errors, f"script errors or CSP violations on the viewer page: {errors}"
    # currentTime advances: after it first played, never frozen longer than one segment
    playing = [s for s in samples if s["ct"] > 0]
    assert playing, f"the video never played: {report}"
    longest, since = 0.0, playing[0]
    for before, after in itertools.pairwise(playing):
        if after["ct"] > before["ct"] + 1e-3:
            since = after
        else:
            longest = max(longest, after["t"] - since["t"])
    assert longest <= SEGMENT * 1000, f"playback froze for {longest:.0f} ms (> one segment): {report}"
    assert all(stall["ms"] <= SEGMENT * 1000 for stall in state["stalls"]), f"a stall was too long: {report}"
    assert state["stalledNow"] <= SEGMENT * 1000, f"the player is stalled at the end: {report}"
    assert playing[-1]["ct"] - playing[0]["ct"] >= CLIP_SECONDS, f"too little was played: {report}"
    _check_users_admin(console)


def _check_users_admin(page: Page) -> None:
    """An admin creates a producer and deactivates them from the console."""
    page.click('[data-tab="users"]')
    page.fill("#user-username", "phongvien")
    page.fill("#user-display", "Phóng viên Nguyễn Thị Hà")
    page.fill("#user-password", "một-mật-khẩu-đủ-dài")
    page.select_option("#user-role", "producer")
    page.click("#user-form button[type=submit]")
    row = page.locator('tr[data-user="phongvien"]')
    row.wait_for(timeout=10_000)
    assert "Biên tập viên" in row.inner_text()
    row.locator("button").click()
    page.wait_for_function(
        "() => { const r = document.querySelector('tr[data-user=\"phongvien\"]');"
        " return r && r.textContent.indexOf('Đã khoá') >= 0; }",
        timeout=10_000,
    )
    page.screenshot(path=str(SCREENSHOTS / "console-users.png"), full_page=True)


def test_viewer_page_fits_a_phone_and_shows_the_guide(service: Service, browser: Browser) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _ensure_channel(service)
    phone = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    phone.goto(f"{service.base_url}/")
    phone.wait_for_function("() => window.legaltvPlayer && window.legaltvPlayer.engine === 'hls.js'")
    phone.wait_for_function(
        "() => document.getElementById('now-title').textContent !== 'Đang tải…'", timeout=15_000
    )
    widths = phone.evaluate(
        "() => ({doc: document.documentElement.scrollWidth, view: window.innerWidth,"
        " video: document.getElementById('video').getBoundingClientRect().width})"
    )
    assert widths["doc"] <= widths["view"], f"horizontal scrolling on a phone: {widths}"
    assert widths["video"] >= widths["view"] - 32, f"the player is not full width: {widths}"
    subs = phone.locator("#subs")
    assert subs.get_attribute("aria-pressed") == "false"
    subs.click()
    assert subs.get_attribute("aria-pressed") == "true"
    assert subs.inner_text() == "Tắt phụ đề"
    phone.screenshot(path=str(SCREENSHOTS / "viewer-phone.png"), full_page=True)
