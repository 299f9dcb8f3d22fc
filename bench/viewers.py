"""Viewer-fleet benchmark (issue 13): how many HLS viewers each way of serving keeps up with.

Run: make bench-viewers   (or .venv/bin/python bench/viewers.py [--measure-seconds 18] [--max-viewers 12800])

A channel of two-minute programmes back to back (6 s segments, the house ladder 1080p/720p/480p/360p,
segment files of the rungs' real sizes: bitrate + 128 kb/s audio x 6 s) in a temporary data folder,
served three ways on loopback, all started at once and loaded in turn at each N (so a neighbour's burst
of load on this shared machine weighs on all three alike):

  (a) the embedded default: one `legaltv serve` process (granian; lean playlist handler; media sent by path)
  (b) the stack: the nginx edge (docker/nginx/templates, one worker) in front of two `legaltv serve` replicas
  (c) nginx alone (one worker) serving a static copy of the same playlists (rewritten by this process at
      every segment boundary) and the same segment files: the limit of this machine

For each, N viewers (bench/fleet.py: 25 % 1080p, 35 % 720p, 25 % 480p, 15 % 360p) join over one target
duration and watch for a warm-up of one target duration plus --measure-seconds (at least three segment
durations); N doubles while they keep up (99 % of segments downloaded within half their duration, no
stale playlist, no error), then two bisection steps between the last N that kept up and the first that
did not. Printed: the largest N, the CPU each server used per viewer, where that CPU went (user or
kernel time of each process), the fleet's own CPU (it must not be the limit), and the ratios to (c).
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent  # bench/playlist.py is named like the `playlist` package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from contextlib import ExitStack  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from bench.fleet import Fleet, Tally, Viewer  # noqa: E402
from bench.viewer_setup import (  # noqa: E402
    AUDIENCE,
    SLUG,
    Target,
    edge_stack,
    embedded,
    machine_cpu,
    nginx_static,
    process_cpu,
    seed,
)
from channel.settings import Settings  # noqa: E402

__all__ = ["main"]


@dataclass(frozen=True)
class Step:
    viewers: int
    tally: Tally
    seconds: float
    cpu: dict[str, tuple[float, float]]  # component -> (user, system) CPU seconds per second
    fleet_cpu: float  # cores
    machine: dict[str, float]  # the whole machine, cores: user, system, softirq, idle (neighbours included)

    @property
    def ok(self) -> bool:
        t = self.tally
        return (
            t.segments > 0
            and t.errors == 0
            and t.stale == 0
            and t.late <= 0.01 * t.segments
            and t.behind <= 0.01 * self.viewers
        )

    @property
    def server_cores(self) -> float:
        return sum(u + s for u, s in self.cpu.values())

    def p99(self) -> float:
        times = sorted(self.tally.download_s)
        return times[min(len(times) - 1, int(0.99 * len(times)))] if times else float("nan")


# -- the search --------------------------------------------------------------------------------------


def audience(n: int) -> list[Viewer]:
    viewers: list[Viewer] = []
    for name, share in AUDIENCE:
        viewers += [Viewer(f"/live/{SLUG}/{name}.m3u8")] * round(n * share)
    return (viewers + [Viewer(f"/live/{SLUG}/720p.m3u8")] * n)[:n]


def step(target: Target, n: int, *, measure_s: float) -> Step:
    """N viewers against `target`; CPU is read over the measured interval only (after the warm-up)."""
    samples: list[tuple[float, dict[str, tuple[float, float]], float, dict[str, float]]] = []

    def mark() -> None:
        fleet = os.times()
        servers = {name: process_cpu(pids()) for name, pids in target.groups.items()}
        samples.append((time.monotonic(), servers, fleet.user + fleet.system, machine_cpu()))

    tally = asyncio.run(
        Fleet(target.host, target.port).run(
            audience(n), warmup_s=6.0, measure_s=measure_s, marks=(mark, mark)
        )
    )
    (t0, before, fleet0, machine0), (t1, after, fleet1, machine1) = samples
    seconds = t1 - t0
    cpu = {
        name: ((after[name][0] - before[name][0]) / seconds, (after[name][1] - before[name][1]) / seconds)
        for name in after
    }
    machine = {kind: (machine1[kind] - machine0[kind]) / seconds for kind in machine1}
    return Step(n, tally, seconds, cpu, (fleet1 - fleet0) / seconds, machine)


@dataclass
class Search:
    """One target's search: the largest N that kept up, the smallest that did not."""

    target: Target
    good: Step | None = None
    bad: int | None = None

    def next_n(self, doubling: int) -> int | None:
        """The N to try next: `doubling` while nothing failed, then halfway (twice at most, see `search`)."""
        if self.bad is None:
            return doubling
        if self.good is None or self.bad - self.good.viewers <= max(8, self.good.viewers // 8):
            return None
        return (self.good.viewers + self.bad) // 2

    def record(self, result: Step) -> None:
        if result.ok:
            self.good = result if self.good is None or result.viewers > self.good.viewers else self.good
        else:
            self.bad = result.viewers if self.bad is None else min(self.bad, result.viewers)


def search(targets: list[Target], *, start: int, cap: int, measure_s: float) -> list[Search]:
    """Every target at each N in turn, so a neighbour's burst of load weighs on all alike: N doubles
    while a target keeps up, then two bisection steps for each."""
    searches = [Search(target) for target in targets]
    n = start
    while n <= cap and any(s.bad is None for s in searches):
        for one in searches:
            if one.bad is None:
                result = step(one.target, n, measure_s=measure_s)
                _report(one.target, result)
                one.record(result)
        n *= 2
    for _ in range(2):
        for one in searches:
            following = one.next_n(n)
            if following is not None and one.bad is not None:
                result = step(one.target, following, measure_s=measure_s)
                _report(one.target, result)
                one.record(result)
    return searches


def _report(target: Target, s: Step) -> None:
    t = s.tally
    print(
        f"  {target.name[:3]} N={s.viewers:>5}: {'keeps up ' if s.ok else 'BEHIND   '} segments={t.segments:>6}"
        f" late={t.late:>4} behind={t.behind} stale={t.stale} errors={t.errors} p99={s.p99():.2f}s"
        f" {t.bytes * 8 / s.seconds / 1e9:.2f} Gb/s server={s.server_cores:.2f} cores fleet={s.fleet_cpu:.2f} cores"
        f" machine: {_machine_text(s)}",
        flush=True,
    )


def _machine_text(s: Step) -> str:
    return " ".join(f"{kind} {cores:.2f}" for kind, cores in s.machine.items())


def _where(s: Step) -> str:
    return ", ".join(f"{name} {u:.2f} user + {k:.2f} sys" for name, (u, k) in s.cpu.items())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--measure-seconds", type=float, default=18.0, help="per step, after a 6 s warm-up (>= 18)"
    )
    parser.add_argument("--start", type=int, default=50, help="viewers of the first step")
    parser.add_argument("--max-viewers", type=int, default=12800)
    parser.add_argument(
        "--only", choices=["a", "b", "c"], action="append", help="run only these (repeatable)"
    )
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()},"
        f" {subprocess.run(['nginx', '-v'], capture_output=True, text=True).stderr.strip()},"
        f" load average {os.getloadavg()[0]:.2f}"
    )
    targets = {"c": nginx_static, "b": edge_stack, "a": embedded}
    chosen = [k for k in targets if not args.only or k in args.only]
    results: dict[str, tuple[Target, Step | None]] = {}
    root = Path(tempfile.mkdtemp(prefix="bench-viewers-"))
    try:
        settings = Settings(data_dir=root / "var", env="test")
        print("seeding the channel and writing segment files ...", flush=True)
        seed(settings)
        with ExitStack() as stack:
            started = {key: stack.enter_context(targets[key](settings, root / key)) for key in chosen}
            found = search(
                list(started.values()), start=args.start, cap=args.max_viewers, measure_s=args.measure_seconds
            )
            results = {key: (one.target, one.good) for key, one in zip(started, found, strict=True)}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    limit = results.get("c", (None, None))[1]
    print(
        f"\n== viewers kept up with (99 % of segments within half their duration, no stale playlist), {args.measure_seconds:g} s per step =="
    )
    print(
        "| target | viewers | vs (c) | segment p99 s | Gb/s | server cores | server CPU ms per viewer-s"
        " | fleet cores | where the server CPU went | the whole machine, cores |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for key in chosen:
        target, good = results[key]
        if good is None:
            print(f"| {target.name} | < {args.start} | | | | | | | | |")
            continue
        ratio = f"{good.viewers / limit.viewers:.2f}" if limit else "n/a"
        print(
            f"| {target.name} | {good.viewers} | {ratio} | {good.p99():.2f} | {good.tally.bytes * 8 / good.seconds / 1e9:.2f}"
            f" | {good.server_cores:.2f} | {1000 * good.server_cores / good.viewers:.3f} | {good.fleet_cpu:.2f}"
            f" | {_where(good)} | {_machine_text(good)} |"
        )
    if limit and "b" in results and results["b"][1]:
        b = results["b"][1]
        print(f"(b)/(c) = {b.viewers / limit.viewers:.2f} (target >= 0.8)")
    if limit and "a" in results and results["a"][1]:
        a = results["a"][1]
        print(f"(a)/(c) = {a.viewers / limit.viewers:.2f} (target >= 0.3)")


if __name__ == "__main__":
    main()
