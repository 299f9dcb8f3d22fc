"""What the live-contribution tests share: the ingest started and stopped around a test, an ffmpeg
publisher sending in real time, the contribution URLs of an event, and a monitor holding every
variant's reloads to RFC 8216 §6.2.1–6.2.2 (used on rendered playlists and on served ones alike).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from channel.ingest import Ingest
from channel.ingest.feeds import Feeds
from channel.settings import Settings
from storage import Store
from tests.playlist.hls_check import MediaPlaylist
from tests.processes import free_port
from tests.waiting import wait_for

__all__ = [
    "ReloadMonitor",
    "ingest_ports",
    "live_uris",
    "publisher",
    "rtmp_url",
    "running_ingest",
    "srt_url",
    "wait_rtmp_ready",
    "wait_srt_ready",
]


def ingest_ports() -> dict[str, Any]:
    """Settings for an ingest on loopback free ports (RTMP, SRT, nginx's callbacks)."""
    return {
        "ingest_bind": "127.0.0.1",
        "ingest_rtmp_port": free_port(),
        "ingest_srt_port": free_port(),
        "ingest_control_port": free_port(),
    }


@contextmanager
def running_ingest(
    settings: Settings, *, sessions: Callable[[], Session], store: Store, workdir: Path
) -> Iterator[Ingest]:
    """`legaltv ingest`'s listeners, encoders and recorder in this process, stopped afterwards."""
    ingest = Ingest(settings, feeds=Feeds(sessions, settings), store=store, workdir=workdir)
    ingest.start()
    try:
        yield ingest
    finally:
        ingest.stop()


def wait_rtmp_ready(ingest: Ingest) -> None:
    wait_for(lambda: Path(ingest.rtmp.workdir / "nginx.pid").exists(), seconds=10, what="nginx up")


def wait_srt_ready(ingest: Ingest) -> None:
    """The SRT listener opens only once an event's key window is open (it polls every second)."""
    wait_for(lambda: ingest.srt_listening, seconds=10, what="the SRT listener of the event")


def rtmp_url(ingest: Ingest, event: Mapping[str, Any]) -> str:
    return f"rtmp://127.0.0.1:{ingest.settings.ingest_rtmp_port}/live/{event['endpoints']['rtmp_stream_key']}"


def srt_url(ingest: Ingest, event: Mapping[str, Any]) -> str:
    """The event's SRT URL (its passphrase) pointed at this ingest's port."""
    query = event["endpoints"]["srt_url"].split("?", 1)[1]
    return f"srt://127.0.0.1:{ingest.settings.ingest_srt_port}?{query}"


def publisher(url: str, *, fmt: str) -> subprocess.Popen[bytes]:
    """ffmpeg sending a generated 320x180 30 fps picture with a mono tone in real time."""
    return subprocess.Popen(
        [
            "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-ac", "1", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30",
            "-c:a", "aac", "-f", fmt, url,
        ],
        stdin=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def live_uris(pl: MediaPlaylist) -> list[tuple[datetime, bool]]:
    """(programme date-time, whether it is the feed) of every segment of a rendered playlist."""
    return [(s.pdt, s.uri.startswith("live/")) for s in pl.segments]


@dataclass
class ReloadMonitor:
    """Every reload of every variant checked against the earlier ones: a listed segment never changes
    (URI, duration, discontinuity, date-time), the media sequence and the last segment never go back,
    the discontinuity sequence counts the tags that left the window (§6.2.1–6.2.2); and the variants
    list the same segments (each segment alike in all of them)."""

    seen: dict[tuple[str, int], tuple[str, int, int, datetime]] = field(default_factory=dict)
    previous: dict[str, MediaPlaylist] = field(default_factory=dict)
    reloads: int = 0

    def check(self, lists: Mapping[str, MediaPlaylist], *, same_instant: bool = True) -> None:
        """`same_instant`: the variants were rendered at one instant (else served one after another)."""
        for name, pl in lists.items():
            for s in pl.segments:
                seen = (s.uri, s.duration_ms, s.discontinuity, s.pdt)
                assert self.seen.setdefault((name, s.msn), seen) == seen, f"{name} segment {s.msn} changed"
            before = self.previous.get(name)
            if before is not None:
                assert pl.media_sequence >= before.media_sequence, f"{name}: media sequence went back"
                assert pl.segments[-1].msn >= before.segments[-1].msn, f"{name}: last segment went back"
                dropped = pl.media_sequence - before.media_sequence
                assert before.discontinuity_sequence + sum(
                    s.tagged for s in before.segments[1 : dropped + 1]
                ) == pl.discontinuity_sequence or dropped >= len(before.segments), (
                    f"{name}: discontinuity sequence does not count the tags that left"
                )
            self.previous[name] = pl
        if same_instant:
            shapes = {tuple((s.msn, s.duration_ms, s.pdt) for s in pl.segments) for pl in lists.values()}
            assert len(shapes) == 1, "variants disagree"
        else:  # fetched one after the other: a segment may be listed by the later one only
            shape: dict[int, tuple[int, datetime]] = {}
            for name, pl in lists.items():
                for s in pl.segments:
                    assert shape.setdefault(s.msn, (s.duration_ms, s.pdt)) == (s.duration_ms, s.pdt), (
                        f"{name}: segment {s.msn} differs from the other variants"
                    )
        self.reloads += 1
