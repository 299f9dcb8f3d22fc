"""Where a transcode's time goes, stage by stage: the measurement behind `transcoder.progress.STAGES`.

    .venv/bin/python bench/stage_weights.py [--seconds 60] [--size 1920x1080]

Generates a source (a noisy test pattern and a tone, H.264 + AAC like a camera file), runs the real
single-worker pipeline on it into a local store with the default house format, and times each stage from
the moment the pipeline announces it to the moment the next one starts. Prints one JSON line: seconds
and share of the whole per stage.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

from storage import LocalStore
from transcoder.house import HouseFormat
from transcoder.pipeline import transcode


def make_source(path: Path, *, seconds: float, size: str) -> Path:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=s={size}:r=25:d={seconds:g},noise=alls=20:allf=t",
         "-f", "lavfi", "-i", f"sine=f=440:d={seconds:g}:sample_rate=48000",
         "-c:v", "libx264", "-preset", "veryfast", "-b:v", "8M", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "192k", "-shortest", str(path)],
        check=True,
    )  # fmt: skip
    return path


def stage_times(events: list[tuple[float, str]], total: float) -> dict[str, float]:
    """Seconds from each stage's first report to the next stage's first report (or the end)."""
    starts: dict[str, float] = {}
    for at, stage in events:
        starts.setdefault(stage, at)
    order = list(starts)
    ends = [starts[name] for name in order[1:]] + [total]
    return {name: end - starts[name] for name, end in zip(order, ends, strict=True)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--size", default="1920x1080")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stage-weights-") as folder:
        root = Path(folder)
        store = LocalStore(root / "store")
        store.put_file(
            "uploads/source.mp4", make_source(root / "source.mp4", seconds=args.seconds, size=args.size)
        )
        events: list[tuple[float, str]] = []
        started = time.monotonic()
        transcode(
            store=store,
            source_key="uploads/source.mp4",
            output_prefix="programmes/bench/r1/",
            profile=HouseFormat(),
            workdir=root / "work",
            on_progress=lambda _percent, stage: events.append((time.monotonic() - started, stage)),
        )
        total = time.monotonic() - started
    times = stage_times(events, total)
    print(
        json.dumps(
            {
                "source": f"{args.seconds:g} s {args.size}",
                "total_s": round(total, 2),
                "seconds": {name: round(value, 2) for name, value in times.items()},
                "share_pct": {name: round(100 * value / total, 1) for name, value in times.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
