"""Grid test helpers: programmes made directly through the ORM, a channel, and future local dates."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel.app import create_app
from channel.migrate import upgrade
from channel.models import Programme, ProgrammeStatus, Role
from channel.settings import Settings
from channel.state import state_of
from tests.channel.api_fixtures import ApiUser, sign_in
from tests.channel.editorial.approvals import approve_programmes

__all__ = ["HCM", "Grid", "media_for"]

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def media_for(duration: float, *, segment: float = 6.0) -> dict[str, Any]:
    """A description.json (docs/media-description.md) for a ready programme of `duration` seconds."""
    count = int(duration // segment)
    durations = [segment] * count + ([round(duration - count * segment, 3)] if duration % segment else [])
    sizes = {1080: 1920, 720: 1280, 480: 854, 360: 640}
    renditions = [
        {
            "name": f"{height}p",
            "width": width,
            "height": height,
            "bandwidth": 1000 * height,
            "average_bandwidth": 900 * height,
            "codecs": "avc1.64001f,mp4a.40.2",
            "frame_rate": 25.0,
            "playlist": f"{height}p/index.m3u8",
            "init": None,
            "segments": [f"{height}p/seg_{i:05d}.ts" for i in range(len(durations))],
        }
        for height, width in sizes.items()
    ]
    return {
        "version": 1,
        "duration": duration,
        "segment_format": "mpegts",
        "target_duration": int(segment),
        "segment_durations": durations,
        "renditions": renditions,
        "audio": {"codec": "aac", "sample_rate": 48000, "channels": 2},
        "poster": None,
        "thumbnails": [],
        "master": "master.m3u8",
    }


def title_key(title: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, title).hex


@dataclass
class Grid:
    """Shortcuts for grid tests: ORM programmes, a channel, authorised requests."""

    app: FastAPI
    client: TestClient
    users: dict[str, ApiUser]

    def programme(
        self, title: str, *, status: str = "ready", duration: float | None = 1800.0, approve: bool = True
    ) -> uuid.UUID:
        with state_of(self.app).sessionmaker() as session:
            ready = status == "ready"
            programme = Programme(
                id=uuid.uuid4(),
                title=title,
                status=ProgrammeStatus(status),
                duration=duration,
                media=media_for(duration) if ready and duration else None,
                media_prefix=f"programmes/{title_key(title)}/r1/" if ready else None,
                owner_id=self.users["producer"].user.id,
                progress=100.0 if ready else 0.0,
            )
            session.add(programme)
            session.commit()
            if ready and approve:  # only approved revisions may be published
                approve_programmes(session, [programme.id])
            return programme.id

    def channel(self, slug: str, name: str = "Kênh Pháp luật Chính") -> dict[str, Any]:
        response = self.client.post(
            "/api/channels", json={"slug": slug, "name": name}, headers=self.users["scheduler"].headers
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def post(self, url: str, body: Any, *, role: str = "scheduler") -> Any:
        return self.client.post(url, json=body, headers=self.users[role].headers)

    def get(self, url: str, *, role: str = "scheduler", **params: str) -> Any:
        return self.client.get(url, params=params, headers=self.users[role].headers)

    def place(self, slug: str, programme_id: uuid.UUID, start: str, *, mode: str = "hard") -> dict[str, Any]:
        response = self.post(
            f"/api/channels/{slug}/entries", {"programme_id": str(programme_id), "start": start, "mode": mode}
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()[0]
        return created


def _user(app: FastAPI, role: Role, username: str) -> ApiUser:
    state = state_of(app)
    return sign_in(state.sessionmaker, role, username, secret_key=state.settings.secret_key)


@pytest.fixture(scope="module")
def grid_app(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[FastAPI, TestClient, dict[str, ApiUser]]]:
    """One migrated app per test module (set-up costs seconds); tests use their own channel slugs."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("grid") / "var", env="test")
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    users = {
        "admin": _user(app, Role.ADMIN, "admin"),
        "producer": _user(app, Role.PRODUCER, "producer"),
        "producer2": _user(app, Role.PRODUCER, "producer2"),
        "scheduler": _user(app, Role.SCHEDULER, "scheduler"),
    }
    with TestClient(app) as client:
        yield app, client, users


@pytest.fixture
def grid(grid_app: tuple[FastAPI, TestClient, dict[str, ApiUser]]) -> Grid:
    app, client, users = grid_app
    return Grid(app=app, client=client, users=users)


@pytest.fixture
def slug(request: pytest.FixtureRequest) -> str:
    """A channel slug of its own for each test (the app is shared by the module)."""
    return "k-" + uuid.uuid4().hex[:10]


@pytest.fixture
def future_day() -> date:
    """A Monday at least a week ahead, in Ho Chi Minh City's calendar."""
    today = datetime.now(UTC).astimezone(HCM).date()
    ahead = today + timedelta(days=7)
    return ahead + timedelta(days=(7 - ahead.weekday()) % 7)


@pytest.fixture
def at(future_day: date) -> Callable[..., str]:
    """A naive local ISO time on `future_day` plus `days`: at("20:00", days=1)."""

    def make(clock: str, *, days: int = 0) -> str:
        return f"{(future_day + timedelta(days=days)).isoformat()}T{clock}"

    return make
