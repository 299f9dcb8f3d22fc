"""Where each segment's GOPs begin, as measured from the output (description.json version 2).

Why: a hard start may cut a programme at any GOP boundary inside a segment, by listing the bytes
[0, offset) of that segment as an `#EXT-X-BYTERANGE` sub-segment. The playout needs, per segment,
the GOPs' durations and, per rendition, the byte offset at which each GOP after the first begins.
Everything here is pure: ffprobe's packet list of a rendition (one call per rung, made by
`conformance.measure_rendition`) in, a `GopLayout` out.

MPEG-TS: the offset of a GOP is the position of the first TS packet of its keyframe's PES (ffprobe's
packet `pos`), so [0, offset) holds the PAT/PMT and exactly the GOPs before it. fMP4: ffmpeg 5.1's
HLS muxer cannot make one fragment per GOP (with `frag_keyframe` it writes the first GOPs into the
init section), so a segment is one fragment and no offsets are given: hard starts cut at segment
boundaries there.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from transcoder.errors import TranscodeFailed

__all__ = [
    "GopLayout",
    "VideoPacket",
    "gop_layout",
    "packets_command",
    "parse_packets",
    "segment_gops",
    "shared_starts",
]

_EPSILON = 0.001  # seconds: timestamps are 90 kHz ticks printed with 6 decimals


@dataclass(frozen=True, slots=True)
class VideoPacket:
    """One video packet of a rendition, in file order: presentation time, byte position, keyframe."""

    pts: float
    pos: int | None
    key: bool


@dataclass(frozen=True, slots=True)
class GopLayout:
    """Per segment: when each GOP starts (seconds from the segment's start; the first is 0) and the
    byte offsets in the segment file of GOP 2, 3, … (empty when the format gives none: fMP4)."""

    starts: tuple[tuple[float, ...], ...]
    offsets: tuple[tuple[int, ...], ...]


def packets_command(playlist: Path) -> list[str]:
    """ffprobe arguments listing every video packet of a rendition (our own output, via its playlist):
    positions count from the first segment's first byte, segment after segment."""
    return [
        "ffprobe",
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-show_entries",
        "packet=pts_time,pos,flags",
        "-of",
        "csv=p=0",
        str(playlist),
    ]


def parse_packets(text: str) -> tuple[VideoPacket, ...]:
    """Pure: `packets_command`'s CSV lines (`pts,pos,flags`) to packets; lines without a time are skipped."""
    packets = []
    for line in text.splitlines():
        fields = line.split(",")
        if len(fields) < 3 or fields[0] in ("", "N/A"):
            continue
        pos = int(fields[1]) if fields[1].isdigit() else None
        packets.append(VideoPacket(pts=float(fields[0]), pos=pos, key=fields[2].startswith("K")))
    return tuple(packets)


def gop_layout(
    packets: Sequence[VideoPacket], *, durations: Sequence[float], sizes: Sequence[int] | None
) -> GopLayout:
    """Assign keyframes to segments by time, check each segment starts with one, and (when `sizes`,
    MPEG-TS) turn their positions into offsets inside each segment file."""
    if not packets:
        raise TranscodeFailed("the rendition has no video packets")
    origin = min(p.pts for p in packets)
    bounds = [origin + t for t in accumulate(durations, initial=0.0)]
    starts: list[list[float]] = [[] for _ in durations]
    offsets: list[list[int]] = [[] for _ in durations]
    firsts = [0, *accumulate(sizes)] if sizes is not None else []
    for packet in sorted((p for p in packets if p.key), key=lambda p: p.pts):
        index = bisect_right(bounds, packet.pts + _EPSILON, hi=len(durations)) - 1
        start = round(packet.pts - bounds[index], 6)
        if not starts[index]:
            if abs(start) > _EPSILON:
                raise TranscodeFailed(f"segment {index} does not start with a keyframe")
            start = 0.0
        elif sizes is not None:
            offset = -1 if packet.pos is None else packet.pos - firsts[index]
            if not 0 < offset < sizes[index]:
                raise TranscodeFailed(f"keyframe at {packet.pts:.3f} s is not inside segment {index}")
            offsets[index].append(offset)
        starts[index].append(start)
    missing = [i for i, s in enumerate(starts) if not s]
    if missing:
        raise TranscodeFailed(f"segment {missing[0]} has no keyframe")
    return GopLayout(starts=tuple(map(tuple, starts)), offsets=tuple(map(tuple, offsets)))


def shared_starts(layouts: Sequence[GopLayout]) -> tuple[tuple[float, ...], ...]:
    """The GOP starts every rung has (their keyframes must be the same instants), or `TranscodeFailed`."""
    first = layouts[0].starts
    for other in layouts[1:]:
        if len(other.starts) != len(first) or any(
            len(a) != len(b) or any(abs(x - y) > _EPSILON for x, y in zip(a, b, strict=True))
            for a, b in zip(first, other.starts, strict=True)
        ):
            raise TranscodeFailed("keyframes differ between rungs")
    return first


def segment_gops(
    starts: Sequence[Sequence[float]], durations: Sequence[float]
) -> tuple[tuple[float, ...], ...]:
    """Per segment, the durations of its GOPs: from each start to the next, the last to the segment's
    end, so they sum to the segment's duration."""
    result = []
    for begins, duration in zip(starts, durations, strict=True):
        ends = [*begins[1:], duration]
        gops = [round(end - begin, 6) for begin, end in zip(begins, ends, strict=True)]
        gops[-1] = round(duration - sum(gops[:-1]), 6)
        result.append(tuple(gops))
    return tuple(result)
