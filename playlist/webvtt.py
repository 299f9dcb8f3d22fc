"""WebVTT for a live channel: parse a programme's subtitle file and cut it along the video segments.

HLS carries subtitles as one WebVTT document per media segment (RFC 8216 §3.5). Each document maps
its cue times (relative to the programme's start) onto the video's MPEG-TS timestamps with
``X-TIMESTAMP-MAP``, and holds every cue that overlaps the segment: a cue spanning a boundary is
repeated, times unchanged, in each segment it touches; the player drops the duplicates.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "Cue",
    "WebVttError",
    "format_timestamp",
    "parse_webvtt",
    "render_cue",
    "segment_webvtt",
]

_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t]+(?P<settings>.*?))?[ \t]*$")
_SKIPPED = ("NOTE", "STYLE", "REGION")
#: MPEG-TS timestamps are 33-bit numbers of 90 kHz ticks
_MPEGTS_MAX = 2**33 - 1


class WebVttError(ValueError):
    """The text is not a WebVTT document this module can cut (see ``parse_webvtt``)."""


@dataclass(frozen=True, slots=True)
class Cue:
    """One cue: times in milliseconds from the programme's start, settings and payload as written."""

    start_ms: int
    end_ms: int
    text: str
    identifier: str = ""
    settings: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.start_ms < self.end_ms:
            raise WebVttError(f"a cue must end after it starts ({self.start_ms} → {self.end_ms} ms)")


def _ms(groups: Sequence[str | None]) -> int:
    hours, minutes, seconds, millis = groups
    return ((int(hours or 0) * 60 + int(minutes or 0)) * 60 + int(seconds or 0)) * 1000 + int(millis or 0)


def format_timestamp(ms: int) -> str:
    """``hh:mm:ss.ttt`` (hours grow past two digits when needed)."""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _blocks(text: str) -> list[list[str]]:
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    return blocks


def _cue(block: list[str]) -> Cue:
    identifier, rest = ("", block) if "-->" in block[0] else (block[0], block[1:])
    if not rest:
        raise WebVttError(f"a block without a cue timing: {block[0]!r}")
    match = _TIMING.match(rest[0].strip())
    if match is None:
        raise WebVttError(f"bad cue timing {rest[0]!r}")
    groups = match.groups()
    return Cue(
        start_ms=_ms(groups[:4]),
        end_ms=_ms(groups[4:8]),
        text="\n".join(rest[1:]),
        identifier=identifier,
        settings=match["settings"] or "",
    )


def parse_webvtt(text: str) -> tuple[Cue, ...]:
    """The cues of a WebVTT document in file order; NOTE, STYLE and REGION blocks are ignored.

    Raises WebVttError when the "WEBVTT" header is missing or a cue's timing does not parse.
    """
    blocks = _blocks(text)
    first = blocks[0][0] if blocks else ""
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise WebVttError('missing the "WEBVTT" header')
    if not text.removeprefix("\ufeff").startswith(first):
        raise WebVttError('"WEBVTT" must be the first line')
    return tuple(_cue(block) for block in blocks[1:] if not block[0].startswith(_SKIPPED))


def render_cue(cue: Cue) -> str:
    """The cue block as written into a segment (no trailing newline)."""
    timing = f"{format_timestamp(cue.start_ms)} --> {format_timestamp(cue.end_ms)}"
    if cue.settings:
        timing += f" {cue.settings}"
    head = [cue.identifier] if cue.identifier else []
    return "\n".join([*head, timing, *([cue.text] if cue.text else [])])


def _header(mpegts: int) -> str:
    return f"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:{mpegts},LOCAL:00:00:00.000\n"


def segment_webvtt(cues: Sequence[Cue], *, durations_us: Sequence[int], mpegts: int) -> tuple[str, ...]:
    """One WebVTT document per video segment (durations in µs), each with every cue overlapping it.

    ``mpegts`` is the video's presentation timestamp (90 kHz) at the programme's start: cue time 0
    is shown with the first frame. A cue overlaps segment [a, b) when it starts before b and ends
    after a; cues entirely past the last segment appear nowhere.
    """
    if not 0 <= mpegts <= _MPEGTS_MAX:
        raise ValueError("mpegts must be a 33-bit timestamp")
    if not durations_us or min(durations_us) <= 0:
        raise ValueError("segment durations must be positive and non-empty")
    starts = [0]
    for d in durations_us:
        starts.append(starts[-1] + d)
    bodies: list[list[str]] = [[] for _ in durations_us]
    last = len(durations_us) - 1
    for cue in cues:
        start_us, end_us = cue.start_ms * 1000, cue.end_ms * 1000
        first = bisect_right(starts, start_us) - 1
        if first > last:
            continue
        stop = min(bisect_left(starts, end_us) - 1, last)  # last segment starting before the cue ends
        block = render_cue(cue)
        for i in range(first, stop + 1):
            bodies[i].append(block)
    header = _header(mpegts)
    return tuple(header + "".join(f"\n{block}\n" for block in body) for body in bodies)
