from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from transcoder.errors import Cancelled, TimedOut, TranscodeFailed
from transcoder.run import check, parse_progress_lines, progress_percent, run_capture, run_ffmpeg, scrub_paths


def _to_null(pattern: str, *before_input: str) -> list[str]:
    """ffmpeg decoding a generated test `pattern` to nothing, its progress on stdout."""
    quiet = ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-progress", "pipe:1"]
    return [*quiet, *before_input, "-f", "lavfi", "-i", pattern, "-f", "null", "-"]


ENDLESS = _to_null("testsrc2=s=66x50:r=25", "-re")
MARKER = b"testsrc2=s=66x50:r=25\0"


def test_progress_block_parsing() -> None:
    block = parse_progress_lines(["frame=10\n", "out_time_us=2500000\n", "junk\n", "progress=continue\n"])
    assert block["out_time_us"] == "2500000"
    assert progress_percent(block, 10.0) == 25.0
    assert progress_percent({"out_time_us": "99000000"}, 10.0) == 100.0
    assert progress_percent({"out_time_us": "N/A"}, 10.0) is None
    assert progress_percent({"progress": "end"}, 0.0) == 100.0
    assert progress_percent({"out_time_us": "-5"}, 10.0) == 0.0


def test_scrub_paths_hides_internal_paths() -> None:
    text = "/srv/work/transcode-ab12/source.mp4: Invalid data found when processing input"
    assert scrub_paths(text) == "<file>: Invalid data found when processing input"


def test_reports_progress_to_the_end() -> None:
    seen: list[float] = []
    args = _to_null("testsrc2=s=64x48:r=25:d=2")
    result = run_ffmpeg(args, timeout=60, duration=2.0, on_progress=seen.append)
    assert result.returncode == 0
    assert seen[-1] == 100.0
    assert seen == sorted(seen)


def test_a_watch_reports_where_ffmpeg_is_silent_and_never_goes_back() -> None:
    """ffmpeg 5.1 prints no progress until every output is open; the caller's watch fills the gap."""
    seen: list[float] = []
    answers = iter([10.0, 5.0, 30.0, None, 30.0, 60.0])
    args = ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-re", "-f", "lavfi", "-i",
            "testsrc2=s=64x48:r=25:d=4", "-f", "null", "-"]  # fmt: skip
    result = run_ffmpeg(
        args, timeout=60, duration=4.0, on_progress=seen.append, watch=lambda: next(answers, None)
    )
    assert result.returncode == 0
    assert seen[:2] == [10.0, 30.0], "a lower or missing answer is not passed on"
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen))


def _running_with(marker: bytes) -> list[int]:
    """Pids of live processes whose command line contains `marker`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmd = f.read()
                with open(f"/proc/{entry}/stat", "rb") as f:
                    state = f.read().rsplit(b")", 1)[1].split()[0]
            except OSError:
                continue
            if marker in cmd and state != b"Z":
                found.append(int(entry))
    return found


def _note(seen: list[int], pids: list[int]) -> bool:
    """`should_cancel` that records which ffmpeg processes run, and never cancels."""
    seen.extend(pids)
    return False


def test_hard_timeout_kills_ffmpeg() -> None:
    started = time.monotonic()
    seen: list[int] = []
    with pytest.raises(TimedOut):
        run_ffmpeg(
            ENDLESS,
            timeout=1.5,
            duration=100.0,
            should_cancel=lambda: _note(seen, _running_with(MARKER)),
        )
    assert time.monotonic() - started < 6
    assert seen, "ffmpeg was running"
    assert _running_with(MARKER) == []


def test_cancel_stops_ffmpeg() -> None:
    ticks: list[int] = []

    def should_cancel() -> bool:
        ticks.append(1)
        return len(ticks) > 3

    with pytest.raises(Cancelled):
        run_ffmpeg(ENDLESS, timeout=30.0, duration=100.0, should_cancel=should_cancel)


def test_failure_is_returned_and_check_scrubs_it() -> None:
    result = run_capture(["ffmpeg", "-hide_banner", "-i", "/nowhere/secret/input.mp4"], timeout=30)
    assert result.returncode != 0
    with pytest.raises(TranscodeFailed) as caught:
        check(result, "probe")
    assert "/nowhere" not in caught.value.stderr_tail
    assert "<file>" in caught.value.stderr_tail


def test_ffmpeg_dies_with_a_terminated_worker() -> None:
    """A worker killed by SIGTERM (default action, no Python cleanup) must not leave ffmpeg behind."""
    marker = "testsrc2=s=68x52:r=25"
    code = (
        "from transcoder.run import run_ffmpeg\n"
        f"run_ffmpeg({[*ENDLESS[:10], marker, *ENDLESS[11:]]!r}, timeout=60, duration=100)\n"
    )
    worker = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 20
        while not _running_with(marker.encode() + b"\0"):
            assert time.monotonic() < deadline, "ffmpeg never started"
            time.sleep(0.1)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _running_with(marker.encode() + b"\0") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _running_with(marker.encode() + b"\0") == []
    finally:
        worker.kill()
        worker.wait()
