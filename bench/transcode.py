"""Transcode benchmark: CPU seconds per second of content, and chunk-parallel wall-time speed-up.

(a) legaltv's pipeline (probe, decode check, loudness measurement, one-graph encode with the
    pictures, output measurement, playlists);
(b) one hand-written ffmpeg command producing the same ladder with split (the floor);
(c) one ffmpeg process per rung, as many platforms do.
With --repeat N the three run N times interleaved (a, b, c, a, b, c, …) and the medians are
reported, so a neighbour's burst of load on a shared machine weighs on all three alike; the load
average before and after is printed with the figures.
Then a 120 s source encoded through the chunk path by one worker pinned to one core against two
workers pinned to one core each. Writes the figures into docs/benchmarks.md.

Usage: .venv/bin/python bench/transcode.py [--seconds 60] [--repeat 3] [--chunk-source-seconds 120] [--no-write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage import LocalStore  # noqa: E402
from transcoder.chunk_pipeline import package_chunks_local  # noqa: E402
from transcoder.chunk_plan import AUDIO_NAME, build_audio_encode, build_chunk_encode, plan_chunks  # noqa: E402
from transcoder.house import HouseFormat  # noqa: E402
from transcoder.pipeline import Deadline, prepare_source, transcode  # noqa: E402

FF = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(what: Callable[[], None]) -> tuple[float, float]:
    """(children CPU seconds, wall seconds) spent by `what`."""
    cpu0, wall0 = children_cpu(), time.monotonic()
    what()
    return children_cpu() - cpu0, time.monotonic() - wall0


def make_source(path: Path, seconds: int) -> None:
    subprocess.run(
        [
            *FF,
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=s=1920x1080:r=25:d={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=f=440:d={seconds}:sample_rate=48000",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-crf",
            "16",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "192k",
            str(path),
        ],
        check=True,
    )


def rung_args(profile: HouseFormat, index: int, out: Path) -> list[str]:
    """Hand-written output options of one rung, as an engineer would type them."""
    rung = profile.rungs[index]
    gop = profile.gop_frames
    (out / rung.name).mkdir(parents=True, exist_ok=True)
    return [
        "-c:v",
        "libx264",
        "-preset",
        profile.preset,
        "-profile:v",
        "high",
        "-level:v",
        rung.level,
        "-pix_fmt",
        "yuv420p",
        "-b:v",
        f"{rung.bitrate_k}k",
        "-maxrate",
        f"{rung.maxrate_k}k",
        "-bufsize",
        f"{rung.bufsize_k}k",
        "-g",
        str(gop),
        "-keyint_min",
        str(gop),
        "-sc_threshold",
        "0",
        "-flags",
        "+cgop",
        "-force_key_frames",
        f"expr:gte(t,n_forced*{profile.gop_seconds:g})",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-ar",
        "48000",
        "-ac",
        "2",
        "-f",
        "hls",
        "-hls_time",
        f"{profile.segment_seconds:g}",
        "-hls_playlist_type",
        "vod",
        "-hls_segment_filename",
        str(out / rung.name / "seg_%05d.ts"),
        str(out / rung.name / "index.m3u8"),
    ]


def scale(rung_w: int, rung_h: int) -> str:
    return (
        f"scale={rung_w}:{rung_h}:force_original_aspect_ratio=decrease,"
        f"pad={rung_w}:{rung_h}:(ow-iw)/2:(oh-ih)/2,setsar=1"
    )


def hand_split(source: Path, out: Path, profile: HouseFormat) -> None:
    """(b): one process, one decode, split to every rung."""
    n = len(profile.rungs)
    graph = f"[0:v]fps=25,split={n}" + "".join(f"[v{i}]" for i in range(n)) + ";"
    graph += ";".join(f"[v{i}]{scale(r.width, r.height)}[o{i}]" for i, r in enumerate(profile.rungs))
    graph += f";[0:a]asplit={n}" + "".join(f"[a{i}]" for i in range(n))
    args = [*FF, "-i", str(source), "-filter_complex", graph]
    for i in range(n):
        args += ["-map", f"[o{i}]", "-map", f"[a{i}]", *rung_args(profile, i, out)]
    subprocess.run(args, check=True)


def per_rung(source: Path, out: Path, profile: HouseFormat) -> None:
    """(c): one process per rung, each decoding the source."""
    for i, r in enumerate(profile.rungs):
        subprocess.run(
            [
                *FF,
                "-i",
                str(source),
                "-vf",
                f"fps=25,{scale(r.width, r.height)}",
                *rung_args(profile, i, out),
            ],
            check=True,
        )


def pinned(core: int, args: Sequence[str]) -> list[str]:
    return ["taskset", "-c", str(core), *args]


def chunk_worker_script(core: int, commands: list[list[str]]) -> subprocess.Popen[bytes]:
    """A 'worker' pinned to one core running its share of the commands one after another."""
    script = " && ".join(" ".join(f"'{a}'" for a in cmd) for cmd in commands)
    return subprocess.Popen(["taskset", "-c", str(core), "sh", "-c", script])


def chunk_speedup(
    source: Path, work: Path, profile: HouseFormat, chunk_seconds: float
) -> tuple[float, float]:
    """Wall time of the chunk path with one pinned worker, then with two; returns (one, two)."""
    deadline = Deadline.after(7200)
    _, _, plan = prepare_source(source, profile=profile, deadline=deadline)
    chunks = plan_chunks(frame_count=plan.frame_count, profile=profile, chunk_seconds=chunk_seconds)

    def jobs(chunk_dir: Path) -> list[list[str]]:
        for rp in plan.rungs:
            (chunk_dir / rp.rung.name).mkdir(parents=True, exist_ok=True)
        commands = [build_chunk_encode(plan, c, source=source, outdir=chunk_dir) for c in chunks]
        commands.append(build_audio_encode(plan, source=source, out=chunk_dir / AUDIO_NAME))
        return [[a for a in cmd if a not in ("-progress", "pipe:1")] for cmd in commands]

    def run(workers: int, tag: str) -> float:
        chunk_dir, outdir = work / f"chunks-{tag}", work / f"out-{tag}"
        commands = jobs(chunk_dir)
        started = time.monotonic()
        shares: list[list[list[str]]] = [commands[i::workers] for i in range(workers)]
        procs = [chunk_worker_script(core, share) for core, share in enumerate(shares)]
        for proc in procs:
            if proc.wait() != 0:
                raise SystemExit("a chunk worker failed")
        package_chunks_local(source, chunk_dir, outdir, plan=plan, chunks=list(chunks), deadline=deadline)
        return time.monotonic() - started

    return run(1, "one"), run(2, "two")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk-source-seconds", type=int, default=120)
    parser.add_argument("--chunk-seconds", type=float, default=30.0)
    parser.add_argument("--no-write", action="store_true")
    options = parser.parse_args()
    profile = HouseFormat()
    with tempfile.TemporaryDirectory(prefix="legaltv-bench-") as tmp:
        work = Path(tmp)
        source = work / "source.mp4"
        make_source(source, options.seconds)
        store = LocalStore(work / "store")
        store.put_file("up/source.mp4", source)

        def ours(run: int) -> None:
            transcode(
                store=store,
                source_key="up/source.mp4",
                output_prefix=f"a{run}/",
                profile=profile,
                workdir=work / "w",
                timeout=7200,
            )

        load_before = os.getloadavg()
        runs: dict[str, list[tuple[float, float]]] = {"a": [], "b": [], "c": []}
        for run in range(options.repeat):
            runs["a"].append(measure(partial(ours, run)))
            runs["b"].append(measure(partial(hand_split, source, work / f"b{run}", profile)))
            runs["c"].append(measure(partial(per_rung, source, work / f"c{run}", profile)))
        load_after = os.getloadavg()
        (a_cpu, a_wall), (b_cpu, b_wall), (c_cpu, c_wall) = (
            (statistics.median(cpu for cpu, _ in runs[k]), statistics.median(wall for _, wall in runs[k]))
            for k in "abc"
        )
        ratios = [a[0] / b[0] for a, b in zip(runs["a"], runs["b"], strict=True)]
        per = float(options.seconds)
        lines = [
            f"source: {options.seconds} s 1080p25 testsrc2 + sine; ladder "
            f"{', '.join(r.name for r in profile.rungs)}; x264 preset {profile.preset}; "
            f"{options.repeat} interleaved run(s), medians",
            "| run | CPU s | CPU s per s of content | wall s |",
            "|---|---|---|---|",
            f"| (a) legaltv pipeline (incl. probe, decode check, loudness, pictures, output checks) | "
            f"{a_cpu:.1f} | {a_cpu / per:.3f} | {a_wall:.1f} |",
            f"| (b) hand-written ffmpeg, one decode + split | {b_cpu:.1f} | {b_cpu / per:.3f} | {b_wall:.1f} |",
            f"| (c) one ffmpeg per rung | {c_cpu:.1f} | {c_cpu / per:.3f} | {c_wall:.1f} |",
            "",
            f"(a)/(b) = {a_cpu / b_cpu:.3f} (target <= 1.05; per run {min(ratios):.3f}–{max(ratios):.3f}); "
            f"(a)/(c) = {a_cpu / c_cpu:.3f} (target <= 0.85)",
            "",
            "load average (1, 5, 15 min) before: {:.2f}, {:.2f}, {:.2f}; after: {:.2f}, {:.2f}, {:.2f}".format(
                *load_before, *load_after
            ),
        ]
        if options.chunk_source_seconds > 0 and shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
            long_source = work / "long.mp4"
            make_source(long_source, options.chunk_source_seconds)
            one, two = chunk_speedup(long_source, work, profile, options.chunk_seconds)
            lines += [
                "",
                f"chunk path, {options.chunk_source_seconds} s source, {options.chunk_seconds:g} s chunks: "
                f"one worker on one core {one:.1f} s, two workers on one core each {two:.1f} s, "
                f"speed-up {one / two:.2f}x (target >= 1.7x)",
            ]
    report = "\n".join(lines)
    print(report)
    if not options.no_write:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        host = f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.python_version()}"
        section = f"## Transcode (`make bench-transcode`), {stamp}, {host}\n\n{report}\n"
        replace_section(ROOT / "docs" / "benchmarks.md", "## Transcode", section)


def replace_section(path: Path, heading: str, section: str) -> None:
    """Put `section` in place of the one starting with `heading`, keeping the other benchmarks' sections."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    start = text.find(heading)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + section + ("" if end < 0 else "\n" + text[end + 1 :])
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
