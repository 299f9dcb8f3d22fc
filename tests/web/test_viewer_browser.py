"""The viewer's pages in Chromium against `legaltv serve`: every page passes axe (WCAG 2.1 A/AA, colour
contrast included), the signed-in console too; the guide stays a few hours tall with the rest under
"More"; short programmes read to the second; the programme page starts playing on its own.

One service for the module: a 6 s programme (transcoded by the service's own worker) aired every 15 s,
as the demo's short programmes are, so a day holds far more than the page shows.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright

from tests.clips import av_clip
from tests.web.axe import assert_accessible, with_axe
from tests.web.browser import SCREENSHOTS, api_token, launch, sign_in
from tests.web.service import SMALL_MEDIA, Service, running_service, wait_for_slate

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(400)]

ADMIN, PASSWORD = "quantri", "mật-khẩu-quản-trị-dài-2026"
EDITOR = "bientap-kiemthu"  # reviews what the admin uploaded (four eyes); same password
SLUG = "kenh-phap-luat"
TITLE = "Hỏi đáp pháp luật"
CLIP_SECONDS = 6
EVERY = timedelta(seconds=15)
AIRINGS = 80
SPAN = re.compile(r"^\d\d:\d\d:\d\d–\d\d:\d\d:\d\d$")
CLOCK = re.compile(r"^\d\d:\d\d:\d\d$")


@dataclass(frozen=True)
class Aired:
    service: Service
    programme_id: str
    first: datetime  # the first airing


def _wait(what: str, check: Callable[[], bool], *, timeout: float, service: Service) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what} within {timeout:.0f} s:\n{service.log_tail()}"
        time.sleep(0.5)


def _approve(service: Service, programme_id: str) -> None:
    """An editor who did not upload it approves the revision it is shown: only approved ones are published."""
    with httpx.Client(
        base_url=service.base_url,
        headers={"Authorization": f"Bearer {api_token(service, EDITOR, PASSWORD)}"},
        timeout=30,
    ) as editor:
        review = f"/api/programmes/{programme_id}/review"
        _wait(
            "the programme's revision is up for review",
            lambda: editor.get(review).json()["state"] == "pending",
            timeout=60,
            service=service,
        )
        fingerprint = editor.get(review).json()["fingerprint"]
        approved = editor.post(f"{review}/approve", json={"fingerprint": fingerprint})
        assert approved.status_code == 200, approved.text


def _air(api: httpx.Client, service: Service, clip: Path) -> tuple[str, datetime]:
    """A programme transcoded by the service's worker, aired every 15 s from a few seconds on."""
    made = api.post(
        "/api/programmes",
        json={"title": TITLE, "description": "Luật sư giải đáp thắc mắc.", "topics": ["luat-dat-dai"]},
    )
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    sent = api.post(
        f"/api/programmes/{pid}/source",
        content=clip.read_bytes(),
        headers={"Content-Type": "application/octet-stream", "X-Filename": clip.name},
    )
    assert sent.status_code == 202, sent.text
    channel = api.post("/api/channels", json={"slug": SLUG, "name": "Kênh Pháp luật"})
    assert channel.status_code == 201, channel.text
    _wait(
        "the programme became ready",
        lambda: api.get(f"/api/programmes/{pid}").json()["status"] == "ready",
        timeout=180,
        service=service,
    )
    _approve(service, pid)
    first = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=10)
    for i in range(AIRINGS):
        body = {"programme_id": pid, "start": (first + i * EVERY).isoformat(), "mode": "hard"}
        added = api.post(f"/api/channels/{SLUG}/entries", json=body)
        assert added.status_code == 201, added.text
    published = api.post(f"/api/channels/{SLUG}/publish")
    assert published.status_code == 200, published.text
    return pid, first


def _prepare(service: Service, clip: Path) -> Aired:
    """Through the API: a programme transcoded by the service's worker, then aired every 15 s."""
    service.create_user(ADMIN, PASSWORD, "admin")
    service.create_user(EDITOR, PASSWORD, "editor")
    with httpx.Client(
        base_url=service.base_url,
        headers={"Authorization": f"Bearer {api_token(service, ADMIN, PASSWORD)}"},
        timeout=30,
    ) as api:
        pid, first = _air(api, service, clip)
    wait_for_slate(service, SLUG)
    # one airing over, so there is something to watch again
    _wait(
        "the first airing ended",
        lambda: datetime.now(UTC) > first + timedelta(seconds=CLIP_SECONDS + 1),
        timeout=60,
        service=service,
    )
    return Aired(service=service, programme_id=pid, first=first)


@pytest.fixture(scope="module")
def aired(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Aired]:
    root = tmp_path_factory.mktemp("viewer")
    clip = av_clip(root / "hoi-dap.mp4", seconds=CLIP_SECONDS)
    with running_service(root / "var", **SMALL_MEDIA) as service:
        yield _prepare(service, clip)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    with_axe(context)
    yield context.new_page()
    context.close()


def _viewer_ready(page: Page) -> None:
    """The player runs and the script has replaced the page's guide with the EPG's (same lines)."""
    page.wait_for_function("() => window.legaltvPlayer && window.legaltvPlayer.engine === 'hls.js'")
    page.wait_for_function("() => document.querySelector('#catchup a[data-start]') !== null", timeout=20_000)


def test_every_viewer_page_passes_axe(aired: Aired, page: Page) -> None:
    base = aired.service.base_url
    page.goto(f"{base}/")
    _viewer_ready(page)
    assert_accessible(page, "the viewer page")
    page.click("#guide-more")
    page.wait_for_selector("#guide-box.expanded li.on_air, #guide-box.expanded li.programme")
    assert_accessible(page, "the viewer page with the whole day shown")
    page.click("#guide-prev")
    page.wait_for_function("() => document.getElementById('guide-caption').textContent.indexOf('/') > 0")
    assert_accessible(page, "the viewer page showing the day before")
    page.goto(f"{base}/?lang=en")
    _viewer_ready(page)
    assert_accessible(page, "the viewer page in English")
    for path, what in [
        (f"/embed/{SLUG}", "the embeddable player"),
        (f"/chuong-trinh/{aired.programme_id}", "the programme page"),
        (f"/kenh/{SLUG}/lich-phat-song", "the guide page"),
        (f"/kenh/{SLUG}/lich-phat-song?date=2026-02-30", "the guide page's bad date"),
        ("/kenh/khong-co", "the not-found page"),
        ("/chuong-trinh/0b0e3c1e-5d6f-4a1b-9c2d-3e4f5a6b7c8d", "an unknown programme"),
    ]:
        page.goto(base + path)
        page.wait_for_load_state("load")
        assert_accessible(page, what)


def test_every_console_view_passes_axe(aired: Aired, page: Page) -> None:
    page.goto(f"{aired.service.base_url}/console")
    assert_accessible(page, "the console's sign-in")
    page.fill("#login-username", ADMIN)
    page.fill("#login-password", "không-phải-mật-khẩu")
    page.click("#login-submit")
    page.wait_for_selector("#console-error:not(.hidden)")
    assert_accessible(page, "the console's sign-in with an error")
    sign_in(page, aired.service, ADMIN, PASSWORD)
    row = f'tr[data-programme="{aired.programme_id}"]'
    page.wait_for_selector(row)
    assert_accessible(page, "the library and the upload form")
    page.click(f"{row} >> text=Sửa")
    page.wait_for_selector("#edit-form:not(.hidden) #edit-topics input")
    assert_accessible(page, "a programme's details")
    page.click(f"{row} >> text=Xem thử")
    page.wait_for_function("() => document.getElementById('preview-video').readyState >= 2")
    assert_accessible(page, "a programme's preview")
    page.click('[data-tab="grid"]')
    page.wait_for_selector(".tl-block")
    page.wait_for_selector("#entries tr[data-entry]")
    assert_accessible(page, "the grid, one day")
    page.click("#grid-week")
    page.wait_for_function("() => document.querySelectorAll('.tl-day').length === 7")
    assert_accessible(page, "the grid, one week")
    page.click('[data-tab="users"]')
    page.wait_for_selector(f'tr[data-user="{ADMIN}"]')
    assert_accessible(page, "the users")


def test_on_a_phone_the_guide_stays_short_and_more_shows_the_whole_day(
    aired: Aired, browser: Browser
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    errors: list[str] = []
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    phone.on(
        "console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    phone.goto(f"{aired.service.base_url}/")
    _viewer_ready(phone)
    day = httpx.get(f"{aired.service.base_url}/api/channels/{SLUG}/epg", timeout=10).json()
    assert len(day["entries"]) > 2 * 12, "the day should hold more than the page shows"
    layout = (
        "() => ({height: document.documentElement.scrollHeight,"
        " catchup: document.getElementById('catchup-section').getBoundingClientRect().top + scrollY,"
        " share: document.getElementById('share-section').getBoundingClientRect().top + scrollY,"
        " lines: document.querySelectorAll('#guide > li').length})"
    )
    before = phone.evaluate(layout)
    assert before["lines"] <= 12, before
    assert before["share"] < 2500, f"sharing is not near the top: {before}"
    assert before["catchup"] < before["share"], before
    assert before["height"] < 3000, before
    # times to the second: these programmes last 6 s, the slate between them 9 s
    now_time = phone.inner_text("#now-time")
    assert SPAN.match(now_time), now_time
    assert all(CLOCK.match(t) for t in phone.locator("#guide time").all_inner_texts())
    phone.screenshot(path=str(SCREENSHOTS / "viewer-phone-guide.png"), full_page=True)

    more = phone.locator("#guide-more")
    assert more.get_attribute("aria-expanded") == "false"
    more.click()
    phone.wait_for_function(
        f"() => document.querySelectorAll('#guide > li').length === {len(day['entries'])}"
    )
    assert more.get_attribute("aria-expanded") == "true"
    spans = phone.locator("#guide time").all_inner_texts()
    assert all(SPAN.match(t) for t in spans if len(t) > len("20:30–21:30")), spans[:4]
    expanded = phone.evaluate(layout)
    assert expanded["height"] < before["height"] + 600, f"the whole day made the page tall: {expanded}"
    assert phone.locator("#guide li.aired button.again").count() >= 1, "no 'watch again' in the day"
    phone.screenshot(path=str(SCREENSHOTS / "viewer-phone-more.png"), full_page=True)
    phone.click("#guide-next")
    phone.wait_for_function("() => document.getElementById('guide-caption').textContent.indexOf('/') > 0")
    more.click()
    phone.wait_for_function("() => document.querySelectorAll('#guide > li').length <= 12")
    assert more.get_attribute("aria-expanded") == "false"
    assert not errors, errors
    phone.close()


def test_programme_page_plays_muted_with_an_unmute_button_where_sound_is_refused(
    aired: Aired, playwright: Playwright
) -> None:
    strict = launch(playwright, autoplay="document-user-activation-required")
    try:
        page = strict.new_page()
        page.goto(f"{aired.service.base_url}/chuong-trinh/{aired.programme_id}")
        assert page.inner_text("#duration") == f"Thời lượng: {CLIP_SECONDS} giây"
        page.wait_for_function("() => window.legaltvPlayer.video.currentTime > 0.5", timeout=20_000)
        state = page.evaluate("() => ({muted: legaltvPlayer.video.muted, autoplay: legaltvPlayer.autoplay})")
        assert state == {"muted": True, "autoplay": "muted"}
        unmute = page.locator("#unmute")
        assert unmute.is_visible()
        assert unmute.inner_text() == "Bật tiếng"
        unmute.click()
        page.wait_for_function("() => !legaltvPlayer.video.muted && !legaltvPlayer.video.paused")
        assert not unmute.is_visible()
    finally:
        strict.close()


def test_programme_page_plays_with_sound_where_allowed(aired: Aired, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(f"{aired.service.base_url}/chuong-trinh/{aired.programme_id}?lang=en")
    page.wait_for_function("() => window.legaltvPlayer.video.currentTime > 0.5", timeout=20_000)
    assert page.evaluate("() => legaltvPlayer.video.muted") is False
    assert page.evaluate("() => legaltvPlayer.autoplay") == "sound"
    assert not page.locator("#unmute").is_visible()
    assert page.inner_text("#duration") == f"Duration: {CLIP_SECONDS} s"
    page.close()


# Safari's "Never Auto-Play" and Firefox's "Block Audio and Video" refuse even muted playback; Chromium
# cannot be told to, so here `play()` is refused as they refuse it: until the person clicks
REFUSE_AUTOPLAY = """(() => {
  const play = HTMLMediaElement.prototype.play;
  let clicked = false;
  document.addEventListener("click", (event) => { if (event.isTrusted) { clicked = true; } }, true);
  HTMLMediaElement.prototype.play = function () {
    if (clicked) { return play.call(this); }
    return Promise.reject(new DOMException("autoplay refused", "NotAllowedError"));
  };
})();"""


def test_programme_page_shows_a_play_button_where_autoplay_is_refused(aired: Aired, browser: Browser) -> None:
    context = browser.new_context()
    context.add_init_script(REFUSE_AUTOPLAY)
    page = context.new_page()
    page.goto(f"{aired.service.base_url}/chuong-trinh/{aired.programme_id}")
    play = page.locator("#play")
    play.wait_for(state="visible", timeout=20_000)
    assert page.evaluate("() => legaltvPlayer.autoplay") == "blocked"
    assert page.evaluate("() => legaltvPlayer.video.paused") is True
    play.click()
    page.wait_for_function("() => legaltvPlayer.video.currentTime > 0.5", timeout=20_000)
    assert not play.is_visible()
    context.close()
