"""One run of the live encoder for one event: ffmpeg in real time, each whole wall-clock segment
uploaded as ``live/<event>/<rung>/seg_<n>.ts``, then its marker once every rung is stored.

A marker says when the segment was ready; the playout airs it only if that was within the grace
after the segment's end (`playlist.live.decide`). The marker is written only while it is safely
early (``MARK_MARGIN_S`` before that deadline) so that every replica, reading at the deadline or
later, already sees it and decides alike; a later segment is left to the slate.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from playlist import live_mark_key, live_segment_key
from storage import StorageError, Store
from transcoder.house import HouseFormat
from transcoder.live import LIST_NAME, LiveEncode, aligned_segment, build_live_encode, parse_segment_list

__all__ = ["MARK_MARGIN_S", "STOP_WAIT_S", "EventFeed", "LiveRun", "first_index_at"]

log = logging.getLogger(__name__)

#: a marker is written only this long before the playout's deadline (store visibility, clock skew)
MARK_MARGIN_S = 0.5
#: the first boundary an encode starts at is at least this far ahead (ffmpeg needs time to open)
_START_AHEAD_S = 0.6
_POLL_S = 0.1
#: the pause before an encoder that died mid-feed is started again
_RESTART_WAIT_S = 0.5
#: how long a stopped encode may take to end on SIGTERM before it is killed
STOP_WAIT_S = 3.0


@dataclass(frozen=True, slots=True)
class EventFeed:
    """What the encoder needs of an event: its id, slot and the channel's house format."""

    event_id: str
    start_us: int
    end_us: int
    house: HouseFormat

    @property
    def segment_us(self) -> int:
        return round(self.house.segment_seconds * 1_000_000)

    @property
    def segment_count(self) -> int:
        return max(1, -(-(self.end_us - self.start_us) // self.segment_us))


def first_index_at(feed: EventFeed, now_us: int) -> int:
    """The first segment boundary at least `_START_AHEAD_S` ahead of now (never before segment 0)."""
    ahead = now_us + round(_START_AHEAD_S * 1_000_000) - feed.start_us
    return max(0, -(-ahead // feed.segment_us))


class LiveRun:
    """Encode ``input_url`` for ``feed`` until the input ends, the event ends, or `stop` is called."""

    def __init__(
        self,
        *,
        feed: EventFeed,
        store: Store,
        input_url: str,
        workdir: Path,
        grace_s: float,
        input_options: tuple[str, ...] = (),
        source: IO[bytes] | None = None,
        head: bytes = b"",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.feed = feed
        self.store = store
        self.input_url = input_url
        self.workdir = workdir
        self.grace_s = grace_s
        self.input_options = input_options
        self.clock = clock
        #: with ``input_url`` "pipe:0": the bytes to relay into ffmpeg (``head`` first, already read)
        self.source = source
        self.head = head
        self._stop = threading.Event()
        self._source_ended = threading.Event()  # the relayed contribution reached its end
        self.marked: list[int] = []  # segments this run put on air, in order

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> int:
        """Blocking; returns ffmpeg's exit status (what ended the run is in the log). A contribution
        without sound (ffmpeg finds no audio stream) is encoded again at once with silence; a relayed
        contribution whose encoder ends before it does is encoded again (until the event's end)."""
        status, soundless = self._encode(has_audio=True)
        if soundless:
            log.warning(
                "live %s: the contribution has no sound; its picture airs with silence", self.feed.event_id
            )
        again = soundless
        while again or self._feed_goes_on():
            if self._stop.is_set() or self.clock() > self.feed.end_us / 1_000_000:
                break
            if not again:
                log.warning(
                    "live %s: the encoder ended before the feed; starting it again", self.feed.event_id
                )
                self._stop.wait(_RESTART_WAIT_S)
            status, _ = self._encode(has_audio=not soundless)
            again = False
        return status

    def _feed_goes_on(self) -> bool:
        """True for a relayed contribution that has not ended (its encoder should be running)."""
        return self.source is not None and not self._source_ended.is_set()

    def _encode(self, *, has_audio: bool) -> tuple[int, bool]:
        """One ffmpeg: (its exit status, True when it stopped because the input has no audio stream)."""
        feed = self.feed
        first = first_index_at(feed, round(self.clock() * 1_000_000))
        if first >= feed.segment_count:
            return 0, False
        job = LiveEncode(
            house=feed.house,
            input_url=self.input_url,
            event_start_us=feed.start_us,
            first_index=first,
            outdir=self.workdir,
            input_options=self.input_options,
            has_audio=has_audio,
        )
        for rung in feed.house.rungs:
            shutil.rmtree(self.workdir / rung.name, ignore_errors=True)
            (self.workdir / rung.name).mkdir(parents=True)
        log.info("live %s: encoding from segment %d (%s)", feed.event_id, first, _safe(self.input_url))
        piped = self.source is not None
        proc = subprocess.Popen(
            build_live_encode(job),
            stdin=subprocess.PIPE if piped else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        soundless = threading.Event()
        reader = threading.Thread(target=self._read_log, args=(proc, soundless), daemon=True)
        reader.start()
        if piped:
            threading.Thread(target=self._relay, args=(proc, has_audio), daemon=True).start()
        seen = {rung.name: 0 for rung in feed.house.rungs}
        stored: dict[int, set[str]] = {}
        end_s = feed.end_us / 1_000_000 + feed.house.segment_seconds
        try:
            while True:
                done = proc.poll() is not None
                self._collect(first, seen, stored)
                if done:
                    break
                if self._stop.is_set() or self.clock() > end_s:
                    proc.terminate()
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        # blocked reading a publisher that left, ffmpeg ends only at its read timeout
                        proc.wait(timeout=STOP_WAIT_S)
                    self._collect(first, seen, stored)
                    break
                time.sleep(_POLL_S)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        log.info(
            "live %s: encoder ended (status %s), %d segments on air from this run",
            feed.event_id,
            proc.returncode,
            len(self.marked),
        )
        reader.join(timeout=2.0)  # its stderr ends with it
        if proc.stderr is not None:
            proc.stderr.close()
        return proc.returncode or 0, soundless.is_set()

    def _read_log(self, proc: subprocess.Popen[bytes], soundless: threading.Event) -> None:
        """ffmpeg's warnings into the ingest's log; notes a missing audio stream (the graph's ``a:0``)."""
        assert proc.stderr is not None
        for raw in proc.stderr:
            line = raw.decode(errors="replace").rstrip()
            if ":a:0" in line and "matches no streams" in line:
                soundless.set()
            log.warning("live %s: ffmpeg: %s", self.feed.event_id, _safe_line(line, self.input_url))

    def _relay(self, proc: subprocess.Popen[bytes], has_audio: bool) -> None:
        """Copy the contribution into ffmpeg until it ends (then ffmpeg sees end of input; one airing
        generated silence is stopped, as its graph's silence never ends)."""
        assert proc.stdin is not None
        assert self.source is not None
        try:
            # again for a second encode: the stream's first bytes carry the decoder's parameter sets,
            # which an encoder may send only once (the rest goes on from where the first encode stopped)
            proc.stdin.write(self.head)
            while chunk := os.read(self.source.fileno(), 65536):
                proc.stdin.write(chunk)
            self._source_ended.set()
        except (BrokenPipeError, ValueError, OSError):
            pass
        finally:
            with contextlib.suppress(OSError):
                proc.stdin.close()
            if not has_audio and proc.poll() is None:
                proc.terminate()

    def _collect(self, first: int, seen: dict[str, int], stored: dict[int, set[str]]) -> None:
        feed = self.feed
        rungs = [r.name for r in feed.house.rungs]
        for name in rungs:
            listing = self.workdir / name / LIST_NAME
            try:
                lines = parse_segment_list(listing.read_text())
            except FileNotFoundError:
                continue
            for listed in lines[seen[name] :]:
                seen[name] += 1
                path = self.workdir / name / listed.filename
                n = aligned_segment(listed, segment_seconds=feed.house.segment_seconds, first_index=first)
                if n is not None and n < feed.segment_count:
                    try:
                        self.store.put_file(live_segment_key(feed.event_id, name, n), path)
                        stored.setdefault(n, set()).add(name)
                    except StorageError as exc:
                        log.warning("live %s: segment %d of %s not stored: %s", feed.event_id, n, name, exc)
                path.unlink(missing_ok=True)
        for n in sorted(k for k, have in stored.items() if len(have) == len(rungs)):
            del stored[n]
            self._mark(n)

    def _mark(self, n: int) -> None:
        feed = self.feed
        deadline_s = (feed.start_us + (n + 1) * feed.segment_us) / 1_000_000 + self.grace_s
        now = self.clock()
        if now > deadline_s - MARK_MARGIN_S:
            log.warning(
                "live %s: segment %d ready %.2f s too late; the slate airs",
                feed.event_id,
                n,
                now - deadline_s,
            )
            return
        try:
            self.store.put_bytes(live_mark_key(feed.event_id, n), str(round(now * 1_000_000)).encode())
            self.marked.append(n)
        except StorageError as exc:
            log.warning("live %s: marker %d not stored: %s", feed.event_id, n, exc)


def _safe_line(line: str, url: str) -> str:
    """A line of ffmpeg's log without the input URL's secrets."""
    return line.replace(url, _safe(url)) if url else line


def _safe(url: str) -> str:
    """The input URL without its secrets (passphrase, stream key) for the log."""
    return url.split("?", 1)[0].rsplit("/", 1)[0]
