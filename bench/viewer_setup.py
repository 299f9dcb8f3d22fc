"""The viewer bench's channel and the three ways of serving it (`bench/viewers.py`).

A channel of two programmes of twenty six-second segments, alternating back to back, with segment
files of the rungs' real sizes; then (a) one `legaltv serve`, (b) the nginx edge in front of two
replicas, (c) nginx alone with static copies of the playlists rewritten at every segment boundary;
and the CPU each used (per process, and the whole machine's by kind).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from channel.db import make_engine, make_sessionmaker
from channel.grid import default_profile
from channel.migrate import upgrade
from channel.models import ScheduleEntry
from channel.playout import publish_channel, slate_prefix
from channel.playout.cache import TimelineCache
from channel.playout.serve import render_live, track_for
from channel.settings import Settings
from playlist import live_edge
from storage import LocalStore
from tests.channel.editorial.approvals import approve_programmes
from tests.channel.playout.helpers import add_ready_programme, new_channel
from tests.edgeserver import edge_values, running_edge
from tests.processes import free_port
from tests.web.service import running_service

__all__ = [
    "AUDIENCE",
    "SLUG",
    "Target",
    "edge_stack",
    "embedded",
    "machine_cpu",
    "nginx_static",
    "process_cpu",
    "seed",
]

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


# -- the channel -------------------------------------------------------------------------------------


def seed(settings: Settings) -> None:
    """Two programmes of 20 six-second segments, alternating back to back from 10 minutes ago for 3 hours."""
    upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    store = LocalStore(settings.resolved_storage_path)
    profile = default_profile(settings)
    house = settings.house_format
    epoch = (datetime.now(UTC) - timedelta(minutes=10)).replace(microsecond=0)
    block = os.urandom(1 << 20)
    with make_sessionmaker(engine)() as session:
        channel = new_channel(profile, slug=SLUG, epoch=epoch, window_seconds=120.0)
        session.add(channel)
        ids = []
        for n in range(2):
            pid = uuid.uuid4()
            prefix = f"programmes/{pid}/r1/"
            renditions = []
            for rung in house.rungs:
                height = rung.height
                keys = [f"{height}p/seg_{k:05d}.ts" for k in range(SEGMENTS)]
                size = (rung.bitrate_k + AUDIO_K) * 1000 // 8 * 6
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
            add_ready_programme(session, title=f"Chương trình {n}", media=media, pid=pid)
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
        approve_programmes(session, ids)  # only approved revisions air
        publish_channel(session, channel_id=channel.id, now=epoch)
        session.commit()
    engine.dispose()
    store.put_bytes(f"{slate_prefix(house, channel_name='Kênh Pháp luật')}master.m3u8", b"#EXTM3U\n")


# -- processes and their CPU -------------------------------------------------------------------------


def _family(pid: int) -> list[int]:
    """`pid` and its children (nginx's workers)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(c) for c in task.read_text().split()]
    return found


def machine_cpu() -> dict[str, float]:
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


def process_cpu(pids: list[int]) -> tuple[float, float]:
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
def nginx_static(settings: Settings, root: Path) -> Iterator[Target]:
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
def embedded(settings: Settings, root: Path) -> Iterator[Target]:
    with running_service(settings.data_dir, log_name="api-a.log", **_API) as api:
        port = int(api.base_url.rpartition(":")[2])
        yield Target("(a) embedded default, one process", "127.0.0.1", port, {"legaltv": lambda: [api.pid]})


@contextmanager
def edge_stack(settings: Settings, root: Path) -> Iterator[Target]:
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
