"""The viewer page of a channel about to start: it says so, asks again, and plays once the slate is there.

uvicorn serves the app; Debian's Chromium (the browser tests' one) opens `/` for a channel published
before its slate exists. The page must show "about to start" (never a fatal player error), keep
asking as Retry-After says, and play as soon as the slate is made (here by `ensure_slate`, what the
worker does).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser

from channel.app import create_app
from channel.grid.channels import ensure_channel
from channel.migrate import upgrade
from channel.playout import ensure_slate, publish_channel
from channel.settings import Settings
from channel.state import state_of
from channel.web.i18n import MESSAGES
from tests.channel.library.conftest import serving

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    settings = Settings(
        data_dir=tmp_path / "var", env="test", ladder=[180], segment_seconds=2.0, gop_seconds=1.0
    )
    upgrade(settings.resolved_database_url)
    made = create_app(settings)
    yield made
    state_of(made).engine.dispose()


def test_the_viewer_page_waits_for_a_channel_about_to_start_then_plays(
    app: FastAPI, browser: Browser, tmp_path: Path
) -> None:
    settings: Settings = state_of(app).settings
    with state_of(app).sessionmaker() as session:
        channel = ensure_channel(session, slug="kenh-sap-phat", name="Kênh Sắp Phát", settings=settings)
        session.flush()
        publish_channel(session, channel_id=channel.id, now=datetime.now(UTC))
        session.commit()
        house, name = channel.house_format, channel.name
    with serving(app) as base:
        page = browser.new_page()
        try:
            page.goto(f"{base}/")
            page.wait_for_function(
                "() => (window.legaltvPlayer.starting || 0) >= 2", timeout=20_000
            )  # asked again
            assert page.inner_text("#player-error") == MESSAGES["vi"]["channel_starting"]
            assert page.evaluate("() => window.legaltvPlayer.fatal.length") == 0

            ensure_slate(store=state_of(app).store, house=house, channel_name=name, workdir=tmp_path / "work")
            started = time.monotonic()
            page.wait_for_function("() => window.legaltvPlayer.video.currentTime > 1", timeout=30_000)
            assert time.monotonic() - started < 30
            assert page.evaluate("() => window.legaltvPlayer.fatal.length") == 0
            assert not page.is_visible("#player-error")
        finally:
            page.close()
