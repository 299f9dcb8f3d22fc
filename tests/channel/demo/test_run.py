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
from channel.models import (
    CompiledPlayout,
    Programme,
    ProgrammeStatus,
    Review,
    ScheduleEntry,
    TranscodeJob,
    User,
)
from channel.settings import Settings
from playlist import timeline_from_dict

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
    with app.state.sessionmaker() as session:  # approved by a second person, so they air at once
        approvals = session.execute(
            select(Review.subject_id, User.username).join(User, User.id == Review.decided_by_id)
        ).all()
        owners = set(session.scalars(select(Programme.owner_id)))
        editor_id = session.scalar(select(User.id).where(User.username == "bientap"))
        compiled = session.scalars(select(CompiledPlayout)).all()
    assert sorted(name for _, name in approvals) == ["bientap"] * 3
    assert editor_id is not None
    assert editor_id not in owners  # the admin uploaded them; another person approved them
    assert (data_dir / "demo-editor-password.txt").is_file()
    aired = {
        i.programme_id
        for c in compiled
        for i in timeline_from_dict(c.timeline).items
        if i.kind == "programme"
    }
    assert aired == {str(pid) for pid, _ in approvals}

    second = _demo(data_dir)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "+0 " in second.stdout  # nothing new scheduled
    assert "duyệt: 0 " in second.stdout  # nor approved again
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
