"""A real client plays the channel over HTTP across programme boundaries: ffmpeg's HLS demuxer.

Three programmes of 4 s (really transcoded into a tiny house format: 180p/144p, 2 s segments, 1 s GOP)
and the real slate are scheduled back to back a few seconds ahead; uvicorn serves the app on a free
loopback port; ffmpeg reads the live playlist in real time, reloading it itself, and must never miss
a segment. Every playlist served meanwhile is parsed by the m3u8 library in strict mode.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from channel.app import create_app
from channel.db import make_engine, make_sessionmaker
from channel.grid import default_profile
from channel.migrate import upgrade
from channel.models import Programme, ProgrammeStatus, ScheduleEntry
from channel.playout import ensure_slate, publish_channel
from channel.playout.slate import expected_slate_description
from channel.settings import Settings
from channel.state import state_of
from storage import LocalStore, Store
from tests.channel.editorial.approvals import approve_programmes
from tests.channel.playout.helpers import new_channel, parse_strict
from tests.clips import av_clip
from tests.processes import serve_in_thread
from transcoder.house import HouseFormat
from transcoder.pipeline import transcode

FORBIDDEN = ("Failed to open segment", "expired from playlists", "Media sequence changed unexpectedly")
SECONDS = 22


class Recorder:
    """Keeps the body of every playlist the app serves, to check them afterwards."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.bodies: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith(".m3u8"):
            return await self.app(scope, receive, send)
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    self.bodies.append(b"".join(chunks).decode())
            await send(message)

        await self.app(scope, receive, keep)


def _programme(store: Store, *, title: str, hue: int, house: HouseFormat, work: Path) -> Programme:
    pid = uuid.uuid4()
    source = work / f"{pid}.mp4"
    av_clip(source, seconds=4, tone_hz=300 + hue, video_filter=f"hue=h={hue}")
    store.put_file(f"uploads/{pid}.mp4", source)
    prefix = f"programmes/{pid}/r1/"
    transcode(
        store=store,
        source_key=f"uploads/{pid}.mp4",
        output_prefix=prefix,
        profile=house,
        workdir=work,
    )
    media = json.loads(store.read_bytes(f"{prefix}description.json"))
    return Programme(
        id=pid,
        title=title,
        status=ProgrammeStatus.READY,
        media=media,
        media_prefix=prefix,
        duration=float(media["duration"]),
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Recorder, Settings]]:
    settings = Settings(
        data_dir=tmp_path / "var", env="test", ladder=[180, 144], segment_seconds=2.0, gop_seconds=1.0
    )
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    recorder = Recorder(app)
    try:
        with serve_in_thread(recorder, lifespan="auto") as base:
            yield base, recorder, settings
    finally:
        state_of(app).engine.dispose()


@pytest.mark.slow
def test_ffmpeg_plays_the_live_channel_across_programme_boundaries(
    served: tuple[str, Recorder, Settings], tmp_path: Path
) -> None:
    base, recorder, settings = served
    store = LocalStore(settings.resolved_storage_path)
    profile, house = default_profile(settings), settings.house_format
    work = tmp_path / "work"
    made = ensure_slate(store=store, house=house, channel_name="Kênh Thử", workdir=work)
    expected = expected_slate_description(house)  # what publishing assumed without the store
    assert made["segment_durations"] == expected["segment_durations"]
    assert [r["segments"] for r in made["renditions"]] == [r["segments"] for r in expected["renditions"]]
    started = time.monotonic()
    assert ensure_slate(store=store, house=house, channel_name="Kênh Thử", workdir=work) == made
    assert time.monotonic() - started < 1  # found again, not regenerated
    programmes = [
        _programme(store, title=t, hue=h, house=house, work=work)
        for t, h in (("Luật Giao thông", 0), ("Luật Đất đai", 120), ("Luật Hôn nhân", 240))
    ]
    engine = make_engine(settings.resolved_database_url)
    now = datetime.now(UTC)
    with make_sessionmaker(engine)() as session:
        epoch = (now - timedelta(minutes=5)).replace(microsecond=0)
        channel = new_channel(profile, slug="kenh-thu", name="Kênh Thử", epoch=epoch, window_seconds=12.0)
        session.add_all([channel, *programmes])
        start = now + timedelta(seconds=5)
        for p in programmes:
            session.add(ScheduleEntry(channel_id=channel.id, programme_id=p.id, start_at=start))
            start += timedelta(seconds=float(p.media["duration"]))  # type: ignore[index]
        session.flush()
        approve_programmes(session, [p.id for p in programmes])  # only approved revisions air
        publish_channel(session, channel_id=channel.id, now=now)
        session.commit()
    engine.dispose()

    out = tmp_path / "out.ts"
    url = f"{base}/live/kenh-thu/180p.m3u8"
    # video only: ffmpeg ignores EXT-X-DISCONTINUITY and clamps the audio DTS after each jump back,
    # so with audio mapped `-t` would wait in real time long after the video reached it
    run = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostdin",
            "-y",
            "-i",
            url,
            "-map",
            "0:v:0",
            "-t",
            str(SECONDS),
            "-c",
            "copy",
            "-f",
            "mpegts",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    for needle in FORBIDDEN:
        assert needle not in run.stderr, run.stderr[-3000:]
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert abs(float(probe.stdout) - SECONDS) < 3, probe.stdout
    opened = [line for line in run.stderr.splitlines() if "Opening" in line and ".ts" in line]
    keys = {line.split("/r1/")[0].rsplit("/", 1)[-1] for line in opened if "/programmes/" in line}
    assert keys == {str(p.id) for p in programmes}, opened  # all three programmes were fetched
    assert len(recorder.bodies) >= 3
    for body in recorder.bodies:
        parse_strict(body)
