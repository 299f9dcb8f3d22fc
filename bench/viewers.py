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
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import ExitStack, contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

from bench.fleet import Fleet, Tally, Viewer  # noqa: E402
from channel.db import make_engine, make_sessionmaker  # noqa: E402
from channel.grid import default_profile  # noqa: E402
from channel.migrate import upgrade  # noqa: E402
from channel.models import Channel, Programme, ProgrammeStatus, ScheduleEntry  # noqa: E402
from channel.playout import publish_channel, slate_prefix  # noqa: E402
from channel.playout.cache import TimelineCache  # noqa: E402
from channel.playout.serve import render_live, track_for  # noqa: E402
from channel.settings import Settings  # noqa: E402
from playlist import live_edge  # noqa: E402
from storage import LocalStore  # noqa: E402
from tests.edgeserver import edge_values, free_port, running_edge  # noqa: E402
from tests.web.service import running_service  # noqa: E402
from transcoder.profile import rung_for_height  # noqa: E402

__all__ = ["main"]

SLUG = "kenh-phap-luat"
SEGMENTS = 20  # per programme: two minutes
#: the audience: share of viewers per variant (60 % at 720p and above)
AUDIENCE = (("1080p", 0.25), ("720p", 0.35), ("480p", 0.25), ("360p", 0.15))
AUDIO_K = 128


@dataclass(frozen=True)
class Target:
    name: str
    host: str
    port: int
    groups: dict[str, Callable[[], list[int]]]  # component -> its current pids


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
        return t.segments > 0 and t.errors == 0 and t.stale == 0 and t.late <= 0.01 * t.segments

    @property
    def server_cores(self) -> float:
        return sum(u + s for u, s in self.cpu.values())

    def p99(self) -> float:
        times = sorted(self.tally.download_s)
        return times[min(len(times) - 1, int(0.99 * len(times)))] if times else float("nan")


# -- the channel -------------------------------------------------------------------------------------


def seed(settings: Settings) -> None:
    """Two programmes of 20 six-second segments, alternating back to back from 10 minutes ago for 3 hours."""
    upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    store = LocalStore(settings.resolved_storage_path)
    profile = default_profile(settings)
    epoch = (datetime.now(UTC) - timedelta(minutes=10)).replace(microsecond=0)
    block = os.urandom(1 << 20)
    with make_sessionmaker(engine)() as session:
        channel = Channel(
            id=uuid.uuid4(),
            slug=SLUG,
            name="Kênh Pháp luật",
            profile=profile,
            filler_policy={"slate": True, "filler_programme_ids": []},
            window_seconds=120.0,
            epoch=epoch,
        )
        session.add(channel)
        ids = []
        for n in range(2):
            pid = uuid.uuid4()
            prefix = f"programmes/{pid}/r1/"
            renditions = []
            for height in profile["ladder"]:
                keys = [f"{height}p/seg_{k:05d}.ts" for k in range(SEGMENTS)]
                size = (rung_for_height(height).bitrate_k + AUDIO_K) * 1000 // 8 * 6
                for key in keys:
                    path = store.path_for(prefix + key)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes((block * (size // len(block) + 1))[:size])
                renditions.append({"name": f"{height}p", "segments": keys})
            media = {
                "version": 1,
                "duration": 6.0 * SEGMENTS,
                "segment_format": "mpegts",
                "segment_durations": [6.0] * SEGMENTS,
                "renditions": renditions,
            }
            session.add(
                Programme(
                    id=pid,
                    title=f"Chương trình {n}",
                    status=ProgrammeStatus.READY,
                    media=media,
                    media_prefix=prefix,
                    duration=6.0 * SEGMENTS,
                )
            )
            ids.append(pid)
        for k in range(3 * 30 + 5):
            session.add(
                ScheduleEntry(
                    channel_id=channel.id,
                    programme_id=ids[k % 2],
                    start_at=epoch + timedelta(seconds=120 * k),
                )
            )
        session.flush()
        publish_channel(session, channel_id=channel.id, now=epoch)
        session.commit()
    engine.dispose()
    store.put_bytes(f"{slate_prefix(profile, channel_name='Kênh Pháp luật')}master.m3u8", b"#EXTM3U\n")


# -- processes and their CPU -------------------------------------------------------------------------


def _family(pid: int) -> list[int]:
    """`pid` and its children (nginx's workers)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(c) for c in task.read_text().split()]
    return found


def _machine() -> dict[str, float]:
    """CPU seconds of the whole machine so far, by kind (/proc/stat): the kernel's network work
    (softirq) is nobody's process time."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    user, nice, system, idle, iowait, irq, softirq = fields
    tick = os.sysconf("SC_CLK_TCK")
    return {
        "user": (user + nice) / tick,
        "system": system / tick,
        "softirq": (irq + softirq) / tick,
        "idle": (idle + iowait) / tick,
    }


def _cpu(pids: list[int]) -> tuple[float, float]:
    """User and system CPU seconds used so far by `pids`."""
    tick = os.sysconf("SC_CLK_TCK")
    user = system = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        user += int(fields[11]) / tick
        system += int(fields[12]) / tick
    return user, system


_NGINX_STATIC = """{user}worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 16384; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types {{ application/vnd.apple.mpegurl m3u8; video/mp2t ts; }}
    client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
    server {{
        listen 127.0.0.1:{port};
        location /live/ {{ root {root}/www; }}
        location /media/ {{ alias {store}/; open_file_cache max=10000 inactive=60s; }}
    }}
}}
"""


@contextmanager
def _static_copies(settings: Settings, folder: Path) -> Iterator[None]:
    """Writes the live playlists as files, each rewritten right after every segment boundary."""
    engine = make_engine(settings.resolved_database_url)
    cache = TimelineCache(make_sessionmaker(engine), slate_stored=lambda _prefix: True)
    live = cache.get(SLUG)
    stop = threading.Event()

    def write() -> datetime:
        now = datetime.now(UTC)
        for name, _ in AUDIENCE:
            track = track_for(live.timeline.channel, f"{name}.m3u8")
            assert track is not None
            body = render_live(live.timeline, track=track, at=now, window_s=live.window_s)
            temporary = folder / f".{name}.m3u8"
            temporary.write_bytes(body)
            temporary.rename(folder / f"{name}.m3u8")
        return live_edge(live.timeline, now)[1]

    def loop() -> None:
        following = write()
        while not stop.wait(max(0.0, (following - datetime.now(UTC)).total_seconds())):
            following = write()

    folder.mkdir(parents=True, exist_ok=True)
    write()
    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        engine.dispose()


@contextmanager
def _nginx_static(settings: Settings, root: Path) -> Iterator[Target]:
    port = free_port()
    (root / "tmp").mkdir(parents=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = root / "nginx.conf"
    conf.write_text(
        _NGINX_STATIC.format(user=user, root=root, port=port, store=settings.resolved_storage_path)
    )
    with _static_copies(settings, root / "www" / "live" / SLUG):
        process = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(root)])
        try:
            time.sleep(0.5)
            yield Target(
                "(c) nginx alone, static copy", "127.0.0.1", port, {"nginx": lambda: _family(process.pid)}
            )
        finally:
            process.terminate()
            process.wait()


_API = {"embedded_worker": "false", "log_level": "ERROR"}


@contextmanager
def _embedded(settings: Settings, root: Path) -> Iterator[Target]:
    with running_service(settings.data_dir, log_name="api-a.log", **_API) as api:
        port = int(api.base_url.rpartition(":")[2])
        yield Target("(a) embedded default, one process", "127.0.0.1", port, {"legaltv": lambda: [api.pid]})


@contextmanager
def _stack(settings: Settings, root: Path) -> Iterator[Target]:
    trusted = {**_API, "trusted_proxies": '["127.0.0.1"]'}
    with (
        running_service(settings.data_dir, log_name="api-b1.log", **trusted) as one,
        running_service(settings.data_dir, log_name="api-b2.log", **trusted) as two,
    ):
        (root / "edge").mkdir(parents=True)
        port = free_port()
        values = edge_values(
            root / "edge",
            port=port,
            upstreams=[one.base_url.removeprefix("http://"), two.base_url.removeprefix("http://")],
            media="local",
            store=settings.resolved_storage_path,
            access_log=False,
        )
        with running_edge(root / "edge", values) as edge:
            yield Target(
                "(b) nginx edge + two API replicas",
                "127.0.0.1",
                port,
                {"nginx": lambda: _family(edge.pid), "legaltv x2": lambda: [one.pid, two.pid]},
            )


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
        servers = {name: _cpu(pids()) for name, pids in target.groups.items()}
        samples.append((time.monotonic(), servers, fleet.user + fleet.system, _machine()))

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
        f" late={t.late:>4} stale={t.stale} errors={t.errors} p99={s.p99():.2f}s"
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
    targets = {"c": _nginx_static, "b": _stack, "a": _embedded}
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
        "| target | viewers | vs (c) | segment p99 s | Gb/s | server cores | server CPU ms per viewer-s | fleet cores | where the server CPU went |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
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
