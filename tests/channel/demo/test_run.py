"""`legaltv demo` end to end: real ffmpeg, the embedded broker and worker, then a second, reusing run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import m3u8
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from channel.app import create_app
from channel.models import Programme, ProgrammeStatus, ScheduleEntry, TranscodeJob
from channel.settings import Settings

pytestmark = pytest.mark.slow

TINY = {"LEGALTV_LADDER": "[180,144]", "LEGALTV_LOG_LEVEL": "WARNING"}


def _demo(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **TINY, "LEGALTV_DATA_DIR": str(data_dir)}
    legaltv = Path(sys.executable).with_name("legaltv")
    return subprocess.run(
        [str(legaltv), "demo", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=480,
        check=False,
    )


def test_demo_prepares_a_playing_channel_and_reuses_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    first = _demo(data_dir)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "http://127.0.0.1:8000/live/kenh-phap-luat/master.m3u8" in first.stdout
    assert "Traceback" not in first.stderr

    settings = Settings(data_dir=data_dir, ladder=[180, 144])
    app = create_app(settings)
    with app.state.sessionmaker() as session:
        titles = {p.title: p.status for p in session.scalars(select(Programme))}
        entries = session.scalar(select(func.count()).select_from(ScheduleEntry))
        jobs = session.scalar(select(func.count()).select_from(TranscodeJob))
    assert titles == {
        "Pháp luật và đời sống": ProgrammeStatus.READY,
        "Tìm hiểu Luật Giao thông đường bộ": ProgrammeStatus.READY,
        "Hỏi đáp pháp luật": ProgrammeStatus.READY,
    }
    assert entries is not None
    assert entries > 100

    second = _demo(data_dir)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "+0 " in second.stdout  # nothing new scheduled
    with app.state.sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(TranscodeJob)) == jobs  # nothing re-encoded

    with TestClient(app) as client:
        master = client.get("/live/kenh-phap-luat/master.m3u8")
        assert master.status_code == 200
        variants = m3u8.loads(master.text).playlists
        assert [p.stream_info.resolution for p in variants] == [(320, 180), (256, 144)]
        media = client.get("/live/kenh-phap-luat/180p.m3u8")
        assert media.status_code == 200
        playlist = m3u8.loads(media.text)
        assert len(playlist.segments) >= 3
        segment = client.get(playlist.segments[-1].uri)
        assert segment.status_code == 200
        assert segment.content[:1] == b"\x47"  # an MPEG-TS sync byte
