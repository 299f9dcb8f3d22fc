"""The console's «Trực tiếp / Live» tab in a real browser: a scheduler creates a live event in the
channel's time, reads its stream key once (with the OBS server and the SRT address, copied to the
clipboard by their buttons), revokes the key; an editor approves the event in the review desk, and the
scheduler's list shows it approved. axe-core finds nothing on the tab nor on the desk.

Headless Debian Chromium (Playwright) against `legaltv serve`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright

from tests.web.axe import assert_accessible, with_axe
from tests.web.service import Service, running_service

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(300)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PASSWORD = "mật-khẩu-trực-tiếp-2026"
SCHEDULER, EDITOR = "lich-truc-tiep", "bien-tap-truc-tiep"
SLUG = "kenh-truc-tiep"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with running_service(
        tmp_path_factory.mktemp("live") / "var",
        embedded_worker="false",
        mfa_required_roles="[]",  # the second factor has its own browser test (test_console_account.py)
    ) as running:
        running.create_user(SCHEDULER, PASSWORD, "scheduler")
        running.create_user(EDITOR, PASSWORD, "editor")
        signed = httpx.post(
            f"{running.base_url}/api/auth/login",
            json={"username": SCHEDULER, "password": PASSWORD},
            timeout=30,
        )
        assert signed.status_code == 200, signed.text
        made = httpx.post(
            f"{running.base_url}/api/channels",
            json={"slug": SLUG, "name": "Kênh Trực tiếp Pháp luật"},
            headers={"Authorization": f"Bearer {signed.json()['access_token']}"},
            timeout=30,
        )
        assert made.status_code == 201, made.text
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    assert Path(CHROMIUM).is_file(), f"Debian's chromium is needed at {CHROMIUM} (apt-get install chromium)"
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield launched
    launched.close()


def _sign_in(browser: Browser, service: Service, username: str, *, lang: str = "vi") -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=service.base_url)
    page = context.new_page()
    with_axe(page)
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of revoke and cancel
    page.goto(f"{service.base_url}/console?lang={lang}")
    page.fill("#login-username", username)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#workspace:not(.hidden)")
    return page


def test_a_scheduler_creates_an_event_sees_its_key_once_revokes_it_and_an_editor_approves(
    service: Service, browser: Browser
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    scheduler = _sign_in(browser, service, SCHEDULER)
    scheduler.click('[data-tab="live"]')
    scheduler.wait_for_selector(f'#live-channel option[value="{SLUG}"]', state="attached")
    scheduler.wait_for_selector("#live-empty:not(.hidden)")
    assert scheduler.inner_text("#live-tz") == "Asia/Ho_Chi_Minh"
    start = (
        (datetime.now(UTC) + timedelta(days=2))
        .astimezone(ZONE)
        .replace(hour=20, minute=0, second=0, microsecond=0)
    )
    scheduler.fill("#live-title", "Hỏi đáp Luật Đất đai trực tiếp")
    scheduler.fill("#live-description", "Luật sư trả lời câu hỏi của người xem")
    scheduler.fill("#live-topics", "Đất đai; Dân sự")
    scheduler.fill("#live-documents", "Luật Đất đai 2024")
    scheduler.fill("#live-start", start.strftime("%Y-%m-%dT%H:%M"))
    scheduler.fill("#live-end", (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    scheduler.click("#live-submit")

    # the key, once, with where to send it and how
    scheduler.wait_for_selector("#live-key-panel:not(.hidden)")
    key = scheduler.inner_text("#live-key-value").strip()
    assert key.startswith("live_")
    server = scheduler.inner_text("#live-key-server")
    assert server.startswith("rtmp://")
    assert server.endswith(":1935/live")
    assert scheduler.inner_text("#live-key-srt").startswith("srt://")
    assert "passphrase=" in scheduler.inner_text("#live-key-srt")
    assert any(key in step for step in scheduler.locator("#live-key-steps li").all_inner_texts())
    scheduler.click('[data-copy="live-key-value"]')
    scheduler.wait_for_selector("#live-copy-status:has-text('Đã sao chép')")
    assert scheduler.evaluate("() => navigator.clipboard.readText()") == key
    row = scheduler.locator("#live-events tr[data-live]")
    row.wait_for()
    event_id = row.get_attribute("data-live")
    assert event_id is not None
    assert row.get_attribute("data-approval") == "pending"
    assert row.get_attribute("data-phase") == "scheduled"
    assert "20:00" in row.inner_text()  # the channel's time
    assert "Chờ duyệt" in row.inner_text()
    assert_accessible(scheduler, "live tab with the key shown")
    scheduler.screenshot(path=str(SCREENSHOTS / "console-live-key.png"), full_page=True)

    # hidden, and gone for good: neither the page nor the list says it again
    scheduler.click("#live-key-close")
    scheduler.wait_for_selector("#live-key-panel", state="hidden")
    scheduler.click("#live-refresh")
    scheduler.wait_for_selector(f'#live-events tr[data-live="{event_id}"]')
    assert key not in scheduler.content()
    listed = scheduler.evaluate(
        "(slug) => fetch('/api/channels/' + slug + '/live', {headers: {Authorization: 'Bearer ' +"
        " sessionStorage.getItem('legaltv_token')}}).then(r => r.text())",
        SLUG,
    )
    assert event_id in listed
    assert key not in listed

    # revoked
    scheduler.click(f'#live-events tr[data-live="{event_id}"] button:has-text("Thu hồi khoá")')
    scheduler.wait_for_selector("#live-status:has-text('Đã thu hồi khoá')")
    scheduler.wait_for_selector(f'#live-events tr[data-live="{event_id}"]:has-text("khoá đã thu hồi")')
    assert (
        scheduler.locator(f'#live-events tr[data-live="{event_id}"] button:has-text("Thu hồi khoá")').count()
        == 0
    )
    assert_accessible(scheduler, "live tab after revoking")

    # the editor approves it in the review desk
    editor = _sign_in(browser, service, EDITOR)
    editor.click('[data-tab="review"]')
    queued = editor.locator(f'#review-live-queue tr[data-review="{event_id}"]')
    queued.wait_for()
    assert "20:00" in queued.inner_text()
    assert SCHEDULER in queued.inner_text()
    queued.locator("button").click()
    editor.wait_for_selector("#review-panel:not(.hidden)")
    facts = editor.inner_text("#review-facts")
    assert "Luật Đất đai 2024" in facts
    assert "Kênh Trực tiếp Pháp luật" in facts
    assert editor.locator("#review-video").is_hidden()
    assert_accessible(editor, "review desk with a live event")
    editor.screenshot(path=str(SCREENSHOTS / "console-live-review.png"), full_page=True)
    editor.fill("#review-reason", "Đã kiểm tra khách mời và văn bản")
    editor.click("#review-approve")
    editor.wait_for_selector("#review-panel[data-state='approved']")
    editor.wait_for_selector(f'#review-live-queue tr[data-review="{event_id}"]', state="detached")
    assert "Đã duyệt" in editor.inner_text("#review-state")

    scheduler.click("#live-refresh")
    scheduler.wait_for_selector(f'#live-events tr[data-live="{event_id}"][data-approval="approved"]')

    # the scheduler cancels it (it will not air); English is there too
    scheduler.click(f'#live-events tr[data-live="{event_id}"] button:has-text("Huỷ sự kiện")')
    scheduler.wait_for_selector(f'#live-events tr[data-live="{event_id}"][data-phase="cancelled"]')
    english = _sign_in(browser, service, SCHEDULER, lang="en")
    english.click('[data-tab="live"]')
    english.wait_for_selector(f'#live-events tr[data-live="{event_id}"]:has-text("Cancelled")')
    assert english.inner_text('[data-tab="live"]') == "Live"
    assert_accessible(english, "live tab in English")
