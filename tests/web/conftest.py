"""Web page fixtures: the app on the embedded default, with a channel and a ready programme."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Playwright, sync_playwright

from channel.grid import default_profile
from channel.grid.channels import ensure_channel
from channel.migrate import upgrade
from channel.models import (
    LegalDocument,
    Programme,
    ProgrammeStatus,
    ScheduleEntry,
    ScheduleMode,
    Topic,
)
from channel.playout import publish_channel
from channel.settings import Settings
from channel.state import state_of
from tests.channel.api_fixtures import api_app, api_client
from tests.channel.editorial.approvals import approve_programmes
from tests.channel.playout.helpers import description, new_channel
from tests.web.browser import launch

__all__ = [
    "BASE_URL",
    "Busy",
    "add_programme",
    "api_app",
    "api_client",
    "browser",
    "busy_channel",
    "embedded_settings",
    "main_channel",
]

BASE_URL = "https://tv.example.vn"


@pytest.fixture
def embedded_settings(tmp_path: Path) -> Settings:
    """The embedded default with the public address the pages link to; `api_app` is built on it."""
    settings = Settings(data_dir=tmp_path / "var", env="test", base_url=BASE_URL)
    upgrade(settings.resolved_database_url)
    return settings


@pytest.fixture
def main_channel(api_app: FastAPI, embedded_settings: Settings) -> str:
    with state_of(api_app).sessionmaker() as session:
        ensure_channel(session, slug="kenh-chinh", name="Kênh Pháp luật", settings=embedded_settings)
        session.commit()
    return "kenh-chinh"


def add_programme(
    app: FastAPI, *, status: ProgrammeStatus = ProgrammeStatus.READY, approved: bool = True
) -> uuid.UUID:
    """A programme row as the transcoder leaves it (media described, a poster, a topic and a law), approved
    by an editor when it is ready unless ``approved`` is False: viewers see approved revisions only."""
    programme_id = uuid.uuid4()
    with state_of(app).sessionmaker() as session:
        topic = Topic(
            name="Luật Giao thông đường bộ", name_en="Road Traffic Law", slug=f"gt-{programme_id.hex[:6]}"
        )
        law = LegalDocument(
            number="23/2008/QH12",
            title="Luật Giao thông đường bộ",
            issuing_body="Quốc hội",
            issued_date=date(2008, 11, 13),
        )
        session.add(
            Programme(
                id=programme_id,
                title="Tìm hiểu Luật Giao thông đường bộ <tập 1>",
                description="Những quy định mới về đội mũ bảo hiểm & nồng độ cồn.",
                status=status,
                progress=100.0 if status == ProgrammeStatus.READY else 10.0,
                media_prefix=f"programmes/{programme_id}/r1/",
                media={"master": "master.m3u8", "poster": "poster.jpg", "thumbnails": []},
                duration=1800.0,
                topics=[topic],
                legal_documents=[law],
            )
        )
        session.flush()
        if approved and status == ProgrammeStatus.READY:
            approve_programmes(session, [programme_id])
        session.commit()
    return programme_id


@dataclass(frozen=True)
class Busy:
    """A published channel airing a 24 s programme every 32 s (slate between), as the demo does."""

    slug: str
    programme_id: uuid.UUID
    first: datetime  # the first airing
    every: timedelta
    count: int


@pytest.fixture
def busy_channel(api_app: FastAPI, embedded_settings: Settings) -> Busy:
    """~700 programmes today around now: the day the viewer page once listed in full (27,000 px)."""
    now = datetime.now(UTC).replace(microsecond=0)
    profile = default_profile(embedded_settings)
    every, count = timedelta(seconds=32), 700
    first = now - timedelta(hours=2)
    with state_of(api_app).sessionmaker() as session:
        channel = new_channel(
            profile, slug="kenh-ban-ron", epoch=now - timedelta(hours=3), window_seconds=60.0
        )
        programme = Programme(
            title="Hỏi đáp pháp luật",
            description="Luật sư giải đáp thắc mắc của khán giả.",
            status=ProgrammeStatus.READY,
            media=description(ladder=profile["ladder"], segments=4),
            duration=24.0,
            progress=100.0,
        )
        session.add_all([channel, programme])
        session.flush()
        programme.media_prefix = f"programmes/{programme.id}/r1/"
        approve_programmes(session, [programme.id])  # only approved revisions air
        session.add_all(
            ScheduleEntry(
                channel_id=channel.id,
                programme_id=programme.id,
                start_at=first + i * every,
                mode=ScheduleMode.HARD,
            )
            for i in range(count)
        )
        session.flush()
        publish_channel(session, channel_id=channel.id, now=now - timedelta(hours=3))
        session.commit()
        return Busy(slug=channel.slug, programme_id=programme.id, first=first, every=every, count=count)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """One Playwright driver per test process for the browser tests: a second sync driver cannot
    start while one runs in the thread, so every page test launches its Chromium from this one. While
    it runs, the thread counts as inside an event loop and tests calling `asyncio.run` would fail, so
    the tests using it are marked `browser` (tests/conftest.py) and `make test` runs them apart."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Chromium that lets pages play with sound on their own (as after a click)."""
    launched = launch(playwright)
    yield launched
    launched.close()
