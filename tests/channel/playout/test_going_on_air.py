"""A new channel goes on air only once its slate is stored: created, published and watched at once.

A real Celery worker process (Redis broker on a database number of this test) makes the slate the
API asks for when the channel is created; uvicorn serves the app. A client starts the moment the
channel is published, like a player: until the slate is stored every live playlist answers 503
"about to start" with Retry-After, then every segment any playlist names must answer — none ever 404s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import m3u8
import pytest
from sqlalchemy.orm import Session

from channel.app import create_app
from channel.migrate import upgrade
from channel.models import Role
from channel.settings import Settings
from channel.state import state_of
from tests.channel.api_fixtures import sign_in
from tests.channel.library.conftest import serving
from tests.processes import running_worker

SLUG = "kenh-moi"


def _scheduler_token(settings: Settings, sessionmaker: Callable[[], Session]) -> str:
    return sign_in(
        sessionmaker, Role.SCHEDULER, "lichphat", secret_key=settings.secret_key, display_name="Lịch phát"
    ).token


class Viewer:
    """Fetches the live master, every media playlist and every segment they name, once each."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.fetched: dict[str, int] = {}  # segment URI → status
        self.starting = 0  # answers "about to start"
        self.on_air_since: float | None = None

    def poll(self) -> float:
        """One round, like a player's reload; returns how long to wait before the next."""
        master = self.client.get(f"/live/{SLUG}/master.m3u8")
        if master.status_code == 503:
            assert self.on_air_since is None, "a channel on air went back to starting"
            assert master.json()["error"]["code"] == "channel_starting", master.text
            self.starting += 1
            return float(master.headers["Retry-After"])
        assert master.status_code == 200, master.text
        self.on_air_since = self.on_air_since or time.monotonic()
        for variant in m3u8.M3U8(master.text, strict=True).playlists:
            media = self.client.get(f"/live/{SLUG}/{variant.uri}")
            assert media.status_code == 200, media.text
            for segment in m3u8.M3U8(media.text, strict=True).segments:
                if segment.uri not in self.fetched:
                    self.fetched[segment.uri] = self.client.get(segment.uri).status_code
        return 1.0


@pytest.mark.slow
@pytest.mark.redis
def test_a_new_channel_is_about_to_start_until_its_slate_is_stored_and_nothing_listed_404s(
    tmp_path: Path, redis_db: str
) -> None:
    broker = redis_db
    env = {
        "LEGALTV_ENV": "test",
        "LEGALTV_DATA_DIR": str(tmp_path / "var"),
        "LEGALTV_BROKER_URL": broker,
        "LEGALTV_RESULT_BACKEND": broker,
    }
    settings = Settings(
        env="test",
        data_dir=tmp_path / "var",
        broker_url=broker,
        result_backend=broker,
        ladder=[180],
        segment_seconds=2.0,
        gop_seconds=1.0,
    )
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    token = _scheduler_token(settings, state_of(app).sessionmaker)
    auth = {"Authorization": f"Bearer {token}"}
    try:
        with (
            running_worker(env, tmp_path / "worker.log"),
            serving(app) as base,
            httpx.Client(base_url=base, timeout=10) as http,
        ):
            made = http.post(
                "/api/channels", headers=auth, json={"slug": SLUG, "name": "Kênh Mới", "window_seconds": 6}
            )
            assert made.status_code == 201, made.text
            published = http.post(f"/api/channels/{SLUG}/publish", headers=auth)
            assert published.status_code == 200, published.text
            viewer = Viewer(http)
            deadline = time.monotonic() + 120
            while viewer.on_air_since is None or time.monotonic() - viewer.on_air_since < 6:
                assert time.monotonic() < deadline, (
                    f"not on air after 120 s; worker log:\n{(tmp_path / 'worker.log').read_text()[-3000:]}"
                )
                time.sleep(viewer.poll())  # as a player waits: Retry-After, or one segment
    finally:
        state_of(app).engine.dispose()

    assert viewer.starting >= 1  # the client joined before the slate existed and was told to wait
    assert viewer.fetched, "nothing was listed once on air"
    assert {status for status in viewer.fetched.values()} == {200}, viewer.fetched
    assert all("/slates/" in uri for uri in viewer.fetched)  # an empty grid: the slate airs
