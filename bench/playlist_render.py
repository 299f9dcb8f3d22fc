"""Render time of one live media playlist on a 10-item and a 100,000-item timeline, side by side.

Run: .venv/bin/python -m bench.playlist_render   (the ratio must stay under 2: lookup is O(log n))
"""

from __future__ import annotations

import json
import statistics
import time
import timeit
from datetime import UTC, datetime, timedelta

from playlist import (
    ChannelProfile,
    GridEntry,
    ProgrammeMedia,
    Slate,
    Timeline,
    Track,
    Variant,
    compile_timeline,
    render_media,
    timeline_to_dict,
)

__all__ = ["main"]

EPOCH = datetime(2016, 1, 1, tzinfo=UTC)
VARIANTS = tuple(
    Variant(f"{h}p", w, h, b, b * 9 // 10, c, 25.0)
    for w, h, b, c in (
        (1920, 1080, 5_128_000, "avc1.640028,mp4a.40.2"),
        (1280, 720, 2_928_000, "avc1.64001f,mp4a.40.2"),
        (854, 480, 1_528_000, "avc1.64001e,mp4a.40.2"),
        (640, 360, 928_000, "avc1.64001e,mp4a.40.2"),
    )
)
CHANNEL = ChannelProfile(
    channel_id="legaltv", name="Kênh Pháp luật", epoch=EPOCH, target_duration=6, variants=VARIANTS
)
PROGRAMME_S = 1794.0  # a 30-minute slot: 299 × 6 s segments, the rest filled by slate


def _media(pid: str, durations: list[float]) -> ProgrammeMedia:
    return ProgrammeMedia(
        programme_id=pid,
        title=f"Chương trình {pid}",
        description="",
        segment_format="mpegts",
        durations_us=tuple(round(d * 1e6) for d in durations),
        segment_templates={v.name: f"programmes/{pid}/r1/{v.name}/seg_{{:05d}}.ts" for v in VARIANTS},
    )


def build(n_programmes: int) -> Timeline:
    programmes = {f"p{k}": _media(f"p{k}", [6.0] * 299) for k in range(50)}
    entries = [
        GridEntry(str(i), f"p{i % 50}", EPOCH + timedelta(seconds=1800 * i)) for i in range(n_programmes)
    ]
    return compile_timeline(
        channel=CHANNEL,
        entries=entries,
        programmes=programmes,
        slate=Slate(media=_media("slate", [1.0] * 60)),
        horizon=EPOCH + timedelta(seconds=1800 * n_programmes),
    )


def measure(tl: Timeline, *, repeat: int = 7, number: int = 300) -> tuple[float, float]:
    """Best and median µs per render, at the live edge in the last programme of the timeline."""
    at = tl.items[-1].air_start - timedelta(seconds=400)
    track = Track.video("720p")
    runs = timeit.repeat(
        lambda: render_media(tl, track=track, at=at, uri_prefix="/media/"), repeat=repeat, number=number
    )
    per = [r / number * 1e6 for r in runs]
    return min(per), statistics.median(per)


def main() -> None:
    rows = []
    for n in (5, 50_000):  # programme + slate filler per slot: 10 and 100,000 items
        t0 = time.perf_counter()
        tl = build(n)
        compile_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        size = len(json.dumps(timeline_to_dict(tl), separators=(",", ":")))
        dump_s = time.perf_counter() - t0
        best, median = measure(tl)
        rows.append((len(tl.items), best, median, compile_s, dump_s, size))
    print(
        f"{'items':>9} {'best µs/render':>15} {'median µs':>10} {'compile s':>10} {'to_dict+json s':>15} {'JSON bytes':>11}"
    )
    for items, best, median, compile_s, dump_s, size in rows:
        print(f"{items:>9} {best:>15.1f} {median:>10.1f} {compile_s:>10.3f} {dump_s:>15.3f} {size:>11}")
    ratio = rows[1][1] / rows[0][1]
    print(f"ratio 100,000 / 10 items (best): {ratio:.2f}  (target < 2) {'OK' if ratio < 2 else 'TOO SLOW'}")


if __name__ == "__main__":
    main()
