"""The console's account tab in a real browser: a new admin is held to enrolment, reads the key off the
page as an authenticator app would scan it, confirms with a computed code, gets recovery codes, signs out,
and signs in again with a code; then downloads the audit log as CSV.

Headless Debian Chromium (the suite's `browser`) against `legaltv serve`; codes come from `tests.totp`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.totp import totp
from tests.web.axe import assert_accessible, with_axe
from tests.web.browser import SCREENSHOTS
from tests.web.service import Service, running_service

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(300)]

USER, PASSWORD = "quantri", "mật-khẩu-quản-trị-2026"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with running_service(tmp_path_factory.mktemp("account") / "var", embedded_worker="false") as running:
        running.create_user(USER, PASSWORD, "admin")
        yield running


def test_an_admin_enrols_in_the_console_and_signs_in_with_a_code(
    service: Service, browser: Browser, tmp_path: Path
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    with_axe(page)
    page.goto(f"{service.base_url}/console")
    page.fill("#login-username", USER)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")

    # held to enrolment: only the account tab, with the notice
    page.wait_for_selector("#tab-account:not(.hidden)")
    page.wait_for_selector("#mfa-required-notice:not(.hidden)")
    assert page.locator('[data-tab="users"]').is_hidden()
    assert page.locator('[data-tab="programmes"]').is_hidden()
    page.click("#mfa-start")
    page.wait_for_selector("#mfa-qr svg path")
    secret = page.inner_text("#mfa-secret").strip()  # what the phone would scan
    assert len(secret) == 32
    assert_accessible(page, "MFA enrolment")
    page.screenshot(path=str(SCREENSHOTS / "console-mfa-enrol.png"), full_page=True)
    page.fill("#mfa-enrol-code", "000000")
    page.click("#mfa-confirm")
    page.wait_for_selector("#console-error:not(.hidden)")
    assert "Wrong verification code" in page.inner_text("#console-error")
    page.fill("#mfa-enrol-code", totp(secret))
    page.click("#mfa-confirm")
    page.wait_for_function("() => document.querySelectorAll('#mfa-recovery-codes li').length === 10")
    codes = page.locator("#mfa-recovery-codes li").all_inner_texts()
    assert all(len(code) == 11 for code in codes)
    page.wait_for_selector('[data-tab="users"]:not(.hidden)')  # the session is a full one now
    page.wait_for_selector("#sessions tr[data-session]")
    assert "Phiên này" in page.inner_text("#sessions")
    assert page.inner_text("#mfa-state") == "đang bật"
    assert_accessible(page, "recovery codes and sessions")
    page.screenshot(path=str(SCREENSHOTS / "console-mfa-recovery.png"), full_page=True)

    page.click("#logout")
    page.wait_for_selector("#login-form:not(.hidden)")
    page.fill("#login-username", USER)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#mfa-form:not(.hidden)")
    assert_accessible(page, "second-factor prompt")
    # the code of the next 30 s step: the current one was spent on confirming (no replay)
    page.fill("#mfa-code", totp(secret, at=time.time() + 30))
    page.click("#mfa-submit")
    page.wait_for_selector("#workspace:not(.hidden)")
    page.wait_for_selector('[data-tab="users"]:not(.hidden)')
    assert page.inner_text("#whoami") == USER

    # roles as a set, and the audit log for the security officer
    page.click('[data-tab="users"]')
    page.fill("#user-username", "duyet-bai")
    page.fill("#user-password", "một-mật-khẩu-đủ-dài-nữa")
    page.select_option("#user-role", ["producer", "editor"])
    page.click("#user-form button[type=submit]")
    row = page.locator('tr[data-user="duyet-bai"]')
    row.wait_for(timeout=10_000)
    assert "Biên tập viên duyệt" in row.inner_text()
    page.click('[data-tab="account"]')
    page.wait_for_selector("#audit-export:not(.hidden)")
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 7 * 3600))
    page.fill("#audit-from", today)
    page.fill("#audit-to", today)
    with page.expect_download() as download:
        page.click("#audit-download")
    saved = tmp_path / "audit.csv"
    download.value.save_as(saved)
    text = saved.read_bytes().decode("utf-8")
    assert text.startswith("\ufeffseq,")
    assert "user.mfa_enrol" in text
    assert "user.create" in text
