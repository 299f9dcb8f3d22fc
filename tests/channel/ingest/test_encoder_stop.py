"""A stopped encode ends even when ffmpeg does not: blocked reading an RTMP publisher that left (OBS
stopped at the event's end), ffmpeg ignores SIGTERM until its 10 s read timeout, and the encoder's
thread used to die on `TimeoutExpired` there (seen by tests/web/test_live_browser.py)."""

from __future__ import annotations

import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from channel.ingest import encoder
from channel.ingest.encoder import STOP_WAIT_S, EventFeed, LiveRun
from channel.settings import Settings
from storage import LocalStore
from tests.waiting import wait_for


def test_an_encode_deaf_to_sigterm_is_killed_and_the_run_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    up = tmp_path / "up"
    deaf = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f"open({str(up)!r}, 'w').close(); time.sleep(60)"
    )
    monkeypatch.setattr(encoder, "build_live_encode", lambda _job: [sys.executable, "-c", deaf])
    house = Settings(
        data_dir=tmp_path / "var", env="test", ladder=[180, 144], segment_seconds=2.0
    ).house_format
    now_us = round(time.time() * 1_000_000)
    feed = EventFeed(event_id=str(uuid.uuid4()), start_us=now_us, end_us=now_us + 60_000_000, house=house)
    run = LiveRun(
        feed=feed,
        store=LocalStore(tmp_path / "store"),
        input_url="rtmp://127.0.0.1:1/live/x",
        workdir=tmp_path / "work",
        grace_s=1.5,
    )
    failures: list[BaseException] = []

    def target() -> None:
        try:
            run.run()
        except BaseException as exc:  # what the ingest's encoder thread would die of
            failures.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    wait_for(up.exists, seconds=10, what="the stand-in encoder started")
    stopped = time.monotonic()
    run.stop()
    thread.join(timeout=STOP_WAIT_S + 5)
    assert not thread.is_alive(), "the run did not return after stop"
    assert not failures, failures
    assert time.monotonic() - stopped < STOP_WAIT_S + 2
