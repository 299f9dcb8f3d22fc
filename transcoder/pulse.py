"""A running attempt's pulse: heartbeats with its progress, and the one answer ffmpeg polls, "stop?".

A thread beats every few seconds for as long as the attempt runs, whatever it is doing (a long
download or upload reports no progress, yet the attempt is alive), and at once when a new stage
starts, so even a short stage shows (the beat is still sent from the thread: the work never waits
on the database). Each beat carries the highest
progress reported so far, so what the service stores never goes back, and returns whether the
attempt is still wanted. The answer is kept in memory: `should_stop` costs no I/O, however often
ffmpeg's runner polls it.

An attempt stops when a beat says it is no longer wanted (cancelled, or replaced by a re-queued
attempt) and, fencing itself, when no beat has got through for `lease` seconds: by then the watchdog
may have handed the job to another worker, and two attempts must not write one output for long.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType

from transcoder.types import Beat, Heartbeat

__all__ = ["Pulse"]

_log = logging.getLogger(__name__)


class Pulse:
    """Heartbeats of one attempt; inert (always wanted, never beating) without a `heartbeat` hook."""

    def __init__(
        self,
        heartbeat: Heartbeat | None,
        *,
        attempt: str,
        every: float = 2.0,
        lease: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._heartbeat = heartbeat
        self._attempt = attempt
        self._every = every
        self._lease = lease
        self._clock = clock
        self._progress: tuple[float, str] | None = None  # replaced whole, so the thread reads it atomically
        self._sent: tuple[float, str] | None = None
        self._wanted = True
        self._last_ok = clock()
        self._halt = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def attempt(self) -> str:
        return self._attempt

    @property
    def percent(self) -> float:
        """The highest percent reported so far (0 before the first report)."""
        return self._progress[0] if self._progress else 0.0

    def report(self, percent: float, stage: str) -> None:
        """`OnProgress`: remember the progress for the next beat; a lower percent keeps the higher one."""
        current = self._progress
        if current is None or percent >= current[0]:
            self._progress = (percent, stage)
            if current is None or stage != current[1]:
                self._wake.set()

    def should_stop(self) -> bool:
        """`ShouldCancel`: the attempt is unwanted, or has been out of touch for longer than its lease."""
        if self._heartbeat is None:
            return False
        if self._lease is not None and self._clock() - self._last_ok > self._lease:
            return True
        return not self._wanted

    def beat(self, *, quiet_seconds: float = 0.0) -> bool:
        """Beat now; True while the attempt is wanted. A failing hook is logged and counts as no answer."""
        if self._heartbeat is None:
            return True
        progress = self._progress
        try:
            wanted = self._heartbeat(
                Beat(
                    attempt=self._attempt,
                    percent=progress[0] if progress else None,
                    stage=progress[1] if progress else None,
                    quiet_seconds=quiet_seconds,
                )
            )
        except Exception:
            _log.warning(
                "heartbeat of %s failed; retrying in %.0f s", self._attempt, self._every, exc_info=True
            )
            return self._wanted
        self._sent, self._last_ok, self._wanted = progress, self._clock(), wanted
        return wanted

    def defer(self, seconds: float) -> None:
        """Announce `seconds` of silence (a retry's countdown) so the wait is not taken for a lost worker."""
        self.beat(quiet_seconds=seconds)

    def start(self) -> bool:
        """The first beat, synchronously (it marks the job running); then beat in a thread while wanted."""
        if not self.beat():
            return False
        if self._heartbeat is not None:
            self._thread = threading.Thread(target=self._run, name=f"pulse-{self._attempt}", daemon=True)
            self._thread.start()
        return True

    def stop(self) -> None:
        """Stop beating; the last progress is sent first if the thread had not sent it yet."""
        self._halt.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self._every + 5)
            self._thread = None
        if self._wanted and self._progress != self._sent:
            self.beat()

    def _run(self) -> None:
        while True:
            self._wake.wait(self._every)
            self._wake.clear()
            if self._halt.is_set():
                return
            if not self.beat():
                _log.info("attempt %s is no longer wanted; it stops", self._attempt)
                return

    def __enter__(self) -> Pulse:
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _exc: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.stop()
