"""`legaltv demo` end to end: real ffmpeg, the embedded broker and worker, then a second, reusing run, then
one on a terminal (a pty). The output is short, plain where it is not a terminal, and ends with the URLs
and the password."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path
from select import select as wait_readable

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
from channel.state import state_of
from playlist import timeline_from_dict

pytestmark = pytest.mark.slow

TINY = {"LEGALTV_LADDER": "[180,144]"}  # and the demo's own log level: what `make run` shows
LEGALTV = str(Path(sys.executable).with_name("legaltv"))
PROGRESS = re.compile(r"^  Đang chuyển mã / transcoding … (\d+) % \((\d)/3 sẵn sàng / ready\)$")
NOISE = ("celery@", "embedded@", "[config]", "[queues]", "superuser", "SecurityWarning", '{"ts"', "Traceback")


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, **TINY, "LEGALTV_DATA_DIR": str(data_dir)}
    env.pop("LEGALTV_LOG_LEVEL", None)
    return env


def _demo(data_dir: Path) -> subprocess.CompletedProcess[str]:
    """A run whose output is a pipe (stdout and stderr together, as a log file would get them)."""
    return subprocess.run(
        [LEGALTV, "demo", "--no-serve"],
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=480,
        check=False,
    )


def _demo_on_a_terminal(data_dir: Path, *, timeout: float = 480) -> tuple[int, str]:
    """A run whose stdout and stderr are a pseudo-terminal, read until it exits."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [LEGALTV, "demo", "--no-serve"],
        env=_env(data_dir),
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = wait_readable([leader], [], [], 1.0)
            if not ready:
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end is closed, the demo has exited
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)
    return code, b"".join(chunks).decode("utf-8", errors="replace").replace("\r\n", "\n")


def _screen(output: str) -> str:
    """What a terminal shows after `output`: "\\x1b[F" goes back up a line, whose text is then redrawn."""
    rows, row = [""], 0
    for token in re.split(r"(\x1b\[F|\x1b\[K|\n)", output):
        if token == "\x1b[F":
            row = max(0, row - 1)
            rows[row] = ""
        elif token == "\n":
            row += 1
            if row == len(rows):
                rows.append("")
        elif token != "\x1b[K":
            rows[row] += token
    return "\n".join(rows)


def _check_short_and_urls_last(output: str, data_dir: Path) -> None:
    lines = output.splitlines()
    assert not [line for line in lines if any(noise in line for noise in NOISE)], output
    assert len(lines) <= 25, f"{len(lines)} lines:\n{output}"
    password = (data_dir / "demo-admin-password.txt").read_text(encoding="utf-8").strip()
    said = [line.strip() for line in lines if line.strip()]
    assert said[-4:] == [
        "Xem kênh / watch:        http://127.0.0.1:8000/",
        "HLS:                     http://127.0.0.1:8000/live/kenh-phap-luat/master.m3u8",
        "Bảng điều khiển / staff: http://127.0.0.1:8000/console",
        f"Đăng nhập / sign in:     admin / {password}",
    ], output


def test_demo_prepares_a_playing_channel_and_reuses_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    first = _demo(data_dir)
    assert first.returncode == 0, first.stdout[-3000:]
    _check_short_and_urls_last(first.stdout, data_dir)
    steps = [int(m.group(1)) for line in first.stdout.splitlines() if (m := PROGRESS.match(line))]
    assert steps, f"no plain progress lines:\n{first.stdout}"
    assert steps == sorted(set(steps)), steps  # each step once, rising
    assert all(step % 10 == 0 for step in steps), steps
    assert steps[-1] == 100
    assert "\x1b[" not in first.stdout  # no terminal redrawing into a pipe
    assert "█" not in first.stdout

    settings = Settings(data_dir=data_dir, ladder=[180, 144])
    app = create_app(settings)
    with state_of(app).sessionmaker() as session:
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
    with state_of(app).sessionmaker() as session:  # approved by a second person, so they air at once
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
    assert second.returncode == 0, second.stdout[-3000:]
    assert "+0 " in second.stdout  # nothing new scheduled
    _check_short_and_urls_last(second.stdout, data_dir)
    assert "duyệt: 0 " in second.stdout  # nor approved again
    with state_of(app).sessionmaker() as session:
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

    # a sample deleted from the console is made again: on a terminal, its bar is redrawn in place
    with state_of(app).sessionmaker() as session:
        gone = session.scalars(select(Programme).where(Programme.title == "Hỏi đáp pháp luật")).one()
        gone.status = ProgrammeStatus.DELETED
        session.commit()
    code, shown = _demo_on_a_terminal(data_dir)
    assert code == 0, shown[-3000:]
    assert shown.count("\x1b[F") >= 3, shown  # the bars go up and are drawn again
    screen = _screen(shown)
    assert "█" * 28 + " 100.0%  Hỏi đáp pháp luật (ready)" in screen
    assert "Đang chuyển mã / transcoding …" not in shown
    _check_short_and_urls_last(screen, data_dir)
    with state_of(app).sessionmaker() as session:
        assert jobs is not None
        assert session.scalar(select(func.count()).select_from(TranscodeJob)) == jobs + 1
