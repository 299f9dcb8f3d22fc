"""Driving Debian's Chromium (never a downloaded browser) against a running service, for the browser tests."""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

import httpx
from playwright.sync_api import Browser, Page, Playwright

from tests.web.service import Service

__all__ = ["CHROMIUM", "SCREENSHOTS", "AutoplayPolicy", "api_token", "launch", "sign_in"]

CHROMIUM: Final = "/usr/bin/chromium"
SCREENSHOTS: Final = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
_ARGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: Chromium's own rules: `document-user-activation-required` (its default) refuses sound, not muted video
AutoplayPolicy = Literal["no-user-gesture-required", "document-user-activation-required"]


def launch(playwright: Playwright, *, autoplay: AutoplayPolicy = "no-user-gesture-required") -> Browser:
    assert Path(CHROMIUM).is_file(), f"Debian's chromium is needed at {CHROMIUM} (apt-get install chromium)"
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*_ARGS, f"--autoplay-policy={autoplay}"]
    )


def api_token(service: Service, username: str, password: str) -> str:
    response = httpx.post(
        f"{service.base_url}/api/auth/login", json={"username": username, "password": password}, timeout=10
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def sign_in(page: Page, service: Service, username: str, password: str) -> None:
    """Through the console's own form, until the workspace shows."""
    page.goto(f"{service.base_url}/console")
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")
    page.wait_for_selector("#workspace:not(.hidden)")
