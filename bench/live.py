"""Live benchmark: the live ladder encode's speed against real time, and glass-to-playlist.

(a) speed: the live encode (transcoder/live.py, default ladder, house preset) of a generated 1080p25
    contribution with tone, read as fast as it can be encoded: seconds of content per wall second;
    beside it, interleaved, the same ladder as a live ladder is commonly written (and as legaltv
    shipped it first): every rung scaled from the source, x264 `-tune zerolatency` (sliced threads);
(b) glass-to-playlist: a 1080p25 contribution published in real time into `LiveRun` (the ingest's
    encoder) for `--seconds`; for each whole segment, the delay from its first frame entering the
    ingest (the segment's wall-clock start) to its marker being written, i.e. to the earliest instant
    a playlist may list it (the playout lists it then, or at its end when that is later).
Targets (issue 12): speed >= 1.25x, glass-to-playlist <= 2 segment durations + 2 s.

Usage: .venv/bin/python bench/live.py [--seconds 60] [--rounds 3] [--ladder 1080,720,480,360] [--no-write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from channel.ingest.encoder import EventFeed, LiveRun  # noqa: E402
from playlist import live_mark_key  # noqa: E402
from storage import LocalStore  # noqa: E402
from transcoder.house import HouseFormat  # noqa: E402
from transcoder.live import LiveEncode, build_live_encode  # noqa: E402

SOURCE = [
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=1920x1080:rate=25",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:sample_rate=48000",
]


def contribution(seconds: float, *, realtime: bool) -> list[str]:
    """A 1080p25 H.264 + AAC contribution in MPEG-TS on stdout, as an encoder would send it."""
    pace = ["-re"] if realtime else []
    return [
        "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", *pace, *SOURCE, "-t", f"{seconds:g}",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "50", "-b:v", "6M",
        "-c:a", "aac", "-f", "mpegts", "pipe:1",
    ]  # fmt: skip


def plain_ladder(args: list[str], house: HouseFormat) -> list[str]:
    """The reference: `args` with every rung scaled from the source and x264's zerolatency tune."""
    out = list(args)
    graph = out.index("-filter_complex") + 1
    count = len(house.rungs)
    head, audio = out[graph].split(";[0:a:0]")
    video = [head.split(",scale=")[0] + f",split={count}" + "".join(f"[s{i}]" for i in range(count))]
    video += [
        f"[s{i}]scale=w={r.width}:h={r.height}:force_original_aspect_ratio=decrease:force_divisible_by=2,"
        f"pad=w={r.width}:h={r.height}:x=(ow-iw)/2:y=(oh-ih)/2:color=black,setsar=1,format=yuv420p[v{i}]"
        for i, r in enumerate(house.rungs)
    ]
    out[graph] = ";".join([*video, "[0:a:0]" + audio])
    while "-x264-params" in out:
        at = out.index("-x264-params")
        out[at : at + 2] = ["-tune", "zerolatency"]
    return out


def speeds(house: HouseFormat, seconds: float, rounds: int, work: Path) -> dict[str, list[float]]:
    """Seconds of content per wall second of each encode, fed as fast as it takes it, interleaved."""
    src = work / "contribution.ts"
    subprocess.run([*contribution(seconds, realtime=False)[:-1], str(src)], check=True)
    for rung in house.rungs:
        (work / "speed" / rung.name).mkdir(parents=True, exist_ok=True)
    job = LiveEncode(
        house=house,
        input_url=str(src),
        event_start_us=0,
        first_index=0,
        outdir=work / "speed",
        wall_clock=False,
    )
    legaltv = build_live_encode(job)
    runs: dict[str, list[str]] = {"legaltv": legaltv, "plain": plain_ladder(legaltv, house)}
    out: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, args in runs.items():
            t0 = time.monotonic()
            subprocess.run(args, check=True)
            out[name].append(seconds / (time.monotonic() - t0))
    return out


def glass_to_playlist(house: HouseFormat, seconds: float, work: Path) -> list[float]:
    """Per whole segment: marker instant minus the segment's start (s)."""
    store = LocalStore(work / "store")
    start_us = int(time.time() * 1_000_000)
    feed = EventFeed(
        event_id="bench", start_us=start_us, end_us=start_us + int((seconds + 30) * 1e6), house=house
    )
    publisher = subprocess.Popen(
        contribution(seconds, realtime=True), stdout=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    assert publisher.stdout is not None
    head = os.read(publisher.stdout.fileno(), 65536)
    run = LiveRun(
        feed=feed, store=store, input_url="pipe:0", workdir=work / "live", grace_s=3600.0,
        source=publisher.stdout, head=head,
    )  # fmt: skip
    status = run.run()
    if publisher.poll() is None:  # the encoder gave up early: do not wait on a writer nobody reads
        print(f"the live encoder ended early (status {status})", file=sys.stderr)
        publisher.kill()
    publisher.wait()
    publisher.stdout.close()
    delays = []
    for n in run.marked:
        marked_us = int(store.read_bytes(live_mark_key("bench", n)))
        delays.append((marked_us - (start_us + n * feed.segment_us)) / 1e6)
    return delays


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved runs of each speed encode")
    parser.add_argument("--ladder", default="1080,720,480,360")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    house = HouseFormat.with_heights(tuple(int(h) for h in args.ladder.split(",")))
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        work = Path(tmp)
        fast = speeds(house, args.seconds, args.rounds, work)
        delays = glass_to_playlist(house, args.seconds, work)
        after = os.getloadavg()
    ours, plain = statistics.median(fast["legaltv"]), statistics.median(fast["plain"])
    per_run = ", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(fast["legaltv"], fast["plain"], strict=True))
    target = 2 * house.segment_seconds + 2
    lines = [
        f"- live ladder {args.ladder} at preset {house.preset}, {house.fps} fps, GOP {house.gop_seconds:g} s, "
        f"segments {house.segment_seconds:g} s; 1080p25 contribution, {args.seconds:g} s "
        f"(load average before: {load[0]:.2f}, after: {after[0]:.2f}; {os.cpu_count()} CPUs)",
        f"- encode speed, median of {args.rounds} interleaved runs: **{ours:.2f}x** real time (target >= 1.25x); "
        f"the plain ladder (every rung from the source, `-tune zerolatency`) {plain:.2f}x; "
        f"ratio **{ours / plain:.2f}** (per run, legaltv/plain: {per_run})",
        (
            f"- glass-to-playlist over {len(delays)} segments: median **{statistics.median(delays):.2f} s**, "
            f"max **{max(delays):.2f} s** (target <= {target:g} s = 2 segments + 2 s)"
            if delays
            else "- glass-to-playlist: no whole segment was encoded in time (the encode is slower than real time)"
        ),
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        path = ROOT / "docs" / "benchmarks.md"
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        with path.open("a", encoding="utf-8") as f:
            f.write(f"\n## Live ingest (`make bench-live`, {stamp})\n\n{report}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
