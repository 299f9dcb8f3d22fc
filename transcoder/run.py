"""The one place that runs subprocesses (ffmpeg, ffprobe): progress, timeout, cancel, cleanup.

ffmpeg runs in its own process group and is killed with it on timeout, cancel, any exception
in the caller (SystemExit from SIGTERM included) and, via PR_SET_PDEATHSIG, if we die.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from transcoder.errors import Cancelled, TimedOut, TranscodeFailed

__all__ = [
    "FFMPEG_QUIET",
    "FFPROBE_JSON",
    "RunResult",
    "check",
    "parse_progress_lines",
    "progress_percent",
    "run_capture",
    "run_ffmpeg",
    "scrub_paths",
]

#: ffprobe printing JSON, errors only
FFPROBE_JSON: tuple[str, ...] = ("ffprobe", "-v", "error", "-print_format", "json")
#: ffmpeg for a short side job (a picture, the slate's source): no banner, no stdin, errors only, overwrite
FFMPEG_QUIET: tuple[str, ...] = ("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y")

_STDERR_LINES = 400
_POLL_SECONDS = 0.25
_WATCH_SECONDS = 0.5
_PATH_RE = re.compile(r"(?:[A-Za-z]:)?/(?:[^\s'\":,]+/)*[^\s'\":,]*")


@dataclass(frozen=True, slots=True)
class RunResult:
    """What a finished command left: its exit code, stdout, and the last lines of stderr."""

    returncode: int
    stdout: str
    stderr_tail: str


def scrub_paths(text: str) -> str:
    """Replace anything that looks like a filesystem path, so no internal path reaches a user."""
    return _PATH_RE.sub("<file>", text)


def parse_progress_lines(lines: Iterable[str]) -> Mapping[str, str]:
    """`key=value` lines of one `-progress` block as a mapping (later keys win)."""
    fields: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.strip().partition("=")
        if sep:
            fields[key] = value
    return fields


def progress_percent(fields: Mapping[str, str], duration: float) -> float | None:
    """Percent done from a block (`out_time_us`, or `progress=end`), or None if unknown."""
    if fields.get("progress") == "end":
        return 100.0
    raw = fields.get("out_time_us") or fields.get("out_time_ms")
    if raw is None or duration <= 0:
        return None
    try:
        micros = int(raw)
    except ValueError:
        return None
    return max(0.0, min(100.0, micros / (duration * 1e6) * 100.0))


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to SIGKILL it when the parent thread dies."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _kill_group(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        proc.wait(timeout=10)


def _drain(stream: Iterable[str], tail: deque[str]) -> None:
    for line in stream:
        tail.append(line)


def _pump(stream: Iterable[str], out: queue.Queue[str | None]) -> None:
    for line in stream:
        out.put(line)
    out.put(None)


def run_capture(args: Sequence[str], *, timeout: float) -> RunResult:
    """Run a short command (ffprobe, a measurement) to completion, capturing its output."""
    return run_ffmpeg(args, timeout=timeout)


class _Percent:
    """The highest percent seen from any source, passed on only when it rises."""

    def __init__(self, on_progress: Callable[[float], None] | None) -> None:
        self._on_progress = on_progress
        self._best = -1.0

    def offer(self, percent: float | None) -> None:
        if percent is not None and percent > self._best and self._on_progress is not None:
            self._best = percent
            self._on_progress(percent)


def run_ffmpeg(
    args: Sequence[str],
    *,
    timeout: float,
    duration: float = 0.0,
    on_progress: Callable[[float], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    watch: Callable[[], float | None] | None = None,
) -> RunResult:
    """Run `args`; if they include `-progress pipe:1`, report percent of `duration` as it goes.

    `watch()`, called twice a second while ffmpeg runs, is a second source of the percent, for
    outputs whose own report comes late: ffmpeg 5.1 prints no progress at all until every output file
    is open, so an encode that also takes a still picture near the end stays silent until then. The
    percent passed on is the highest from either source and never goes down.

    Raises `TimedOut` past `timeout` seconds and `Cancelled` when `should_cancel()` turns True;
    a non-zero exit is returned, not raised, so callers decide what it means.
    """
    deadline = time.monotonic() + timeout
    percent = _Percent(on_progress)
    watched_at = time.monotonic()
    tail: deque[str] = deque(maxlen=_STDERR_LINES)
    stdout_lines: list[str] = []
    proc = subprocess.Popen(
        list(args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    reader = threading.Thread(target=_drain, args=(proc.stderr, tail), daemon=True)
    reader.start()
    lines: queue.Queue[str | None] = queue.Queue()
    pump = threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True)
    pump.start()
    block: list[str] = []
    try:
        while True:
            if time.monotonic() > deadline:
                raise TimedOut(f"ffmpeg exceeded its {timeout:.0f} s timeout")
            if should_cancel is not None and should_cancel():
                raise Cancelled("cancelled")
            if watch is not None and time.monotonic() - watched_at >= _WATCH_SECONDS:
                watched_at = time.monotonic()
                percent.offer(watch())
            try:
                line = lines.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            if line is None:
                break
            stdout_lines.append(line)
            block.append(line)
            if line.startswith("progress="):
                percent.offer(progress_percent(parse_progress_lines(block), duration))
                block = []
        proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired as exc:
        raise TimedOut(f"ffmpeg exceeded its {timeout:.0f} s timeout") from exc
    finally:
        _kill_group(proc)
        reader.join(timeout=5)
        pump.join(timeout=5)
        proc.stdout.close()
        proc.stderr.close()
    return RunResult(returncode=proc.returncode, stdout="".join(stdout_lines), stderr_tail="".join(tail))


def check(result: RunResult, what: str) -> RunResult:
    """Raise `TranscodeFailed` (paths scrubbed) if `result` is a failure."""
    if result.returncode != 0:
        raise TranscodeFailed(
            f"{what} failed (exit {result.returncode})", stderr_tail=scrub_paths(result.stderr_tail[-2000:])
        )
    return result
