"""Live playlist and viewer-route benchmark: render time (10 vs 100,000 items), then HTTP rate and p99.

Run: make bench-playlist   (or .venv/bin/python bench/playlist.py [--seconds 20])

One legaltv API process as `legaltv serve` runs it (granian, one process) serves a channel compiled
from fake descriptions in a temporary data dir; nginx (one worker) serves a static copy of one
variant's live playlist; wrk (-t2, --latency) loads each URL in turn on loopback: the live playlist
(lean handler, and through the FastAPI route: a query string bypasses the lean handler), now/next,
the day's guide, a programme's public JSON, the viewer page, and a 2 MB segment under /media, the
last also from uvicorn (the server before issue 13) to show what sending files by path saves.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = (
    Path(__file__).resolve().parent
)  # this file is named like the `playlist` package: keep it off the path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

from sqlalchemy import select  # noqa: E402

from bench.playlist_render import main as render_main  # noqa: E402
from channel.db import make_engine, make_sessionmaker  # noqa: E402
from channel.grid import default_profile  # noqa: E402
from channel.migrate import upgrade  # noqa: E402
from channel.models import Programme, ScheduleEntry  # noqa: E402
from channel.playout import publish_channel, slate_prefix  # noqa: E402
from channel.processes import stop_process  # noqa: E402
from channel.settings import Settings  # noqa: E402
from storage import LocalStore  # noqa: E402
from tests.channel.editorial.approvals import approve_programmes  # noqa: E402
from tests.channel.playout.helpers import add_ready_programme, new_channel  # noqa: E402
from tests.processes import free_port  # noqa: E402

__all__ = ["main"]

SLUG = "kenh-phap-luat"
VARIANT = "720p"


@dataclass(frozen=True)
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    mbytes_per_s: float = 0.0
    cpu_us: float = 0.0  # server CPU per request


def seed(settings: Settings) -> None:
    """A channel with 200 half-hour programmes from two days ago, published (no transcoding)."""
    upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    now = datetime.now(UTC)
    profile = default_profile(settings)
    with make_sessionmaker(engine)() as session:
        epoch = (now - timedelta(days=2)).replace(microsecond=0)
        channel = new_channel(profile, slug=SLUG, epoch=epoch, window_seconds=120.0)
        session.add(channel)
        start = channel.epoch
        pids = []
        for i in range(200):
            media = {
                "version": 1,
                "duration": 1794.0,
                "segment_format": "mpegts",
                "segment_durations": [6.0] * 299,
                "renditions": [
                    {"name": f"{h}p", "segments": [f"{h}p/seg_{k:05d}.ts" for k in range(299)]}
                    for h in profile["ladder"]
                ],
            }
            pid = add_ready_programme(session, title=f"Chương trình {i}", media=media)
            pids.append(pid)
            session.add(
                ScheduleEntry(
                    channel_id=channel.id, programme_id=pid, start_at=start + timedelta(minutes=30 * i)
                )
            )
        session.flush()
        approve_programmes(session, pids)  # only approved revisions air (and have public pages)
        publish_channel(session, channel_id=channel.id, now=channel.epoch)
        session.commit()
    engine.dispose()
    # a channel is on air once its slate is stored; the bench fetches no media, so its marker will do
    prefix = slate_prefix(settings.house_format, channel_name="Kênh Pháp luật")
    LocalStore(settings.resolved_storage_path).put_bytes(f"{prefix}master.m3u8", b"#EXTM3U\n")


def wait_for(url: str, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                body: bytes = response.read()
                return body
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of `pid` and its children so far (nginx's workers)."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        pids += [int(c) for c in task.read_text().split()]
    total = 0.0
    for one in pids:
        fields = Path(f"/proc/{one}/stat").read_text().rpartition(")")[2].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def wrk(
    name: str, url: str, *, seconds: int, pid: int, connections: int = 50, headers: tuple[str, ...] = ()
) -> Result:
    """wrk against `url`; the server's CPU per request (`pid` and its children) is read around it:
    on a machine shared with other work the request rate swings, the CPU a request costs much less."""
    before = cpu_seconds(pid)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *(f"-H{h}" for h in headers), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    used = cpu_seconds(pid) - before
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    count = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]

    def pct(label: str) -> float:
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)\b", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    if "Non-2xx" in out:
        raise SystemExit(f"{name}: non-2xx responses\n{out}")
    value, unit = re.search(r"Transfer/sec:\s+([\d.]+)(B|KB|MB|GB)", out).groups()  # type: ignore[union-attr]
    rate = float(value) * {"B": 1e-6, "KB": 1e-3, "MB": 1.0, "GB": 1e3}[unit] * 1.048576
    return Result(
        name=name, rps=rps, p50_ms=pct("50"), p99_ms=pct("99"), mbytes_per_s=rate, cpu_us=used / count * 1e6
    )


NGINX_CONF = """worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    types {{ application/vnd.apple.mpegurl m3u8; }}
    client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
    server {{ listen 127.0.0.1:{port}; root {root}/www; }}
}}
"""


def serve_nginx(root: Path, body: bytes) -> tuple[subprocess.Popen[bytes], str]:
    """nginx serving a static copy of the live playlist, and the VOD set channel-engine plays."""
    port = free_port()
    target = root / "www" / "live" / SLUG / f"{VARIANT}.m3u8"
    target.parent.mkdir(parents=True)
    target.write_bytes(body)
    write_vod_set(root / "www" / "vod")
    (root / "tmp").mkdir()
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(root=root, port=port))
    for folder in (root.parent, root, *target.parents):  # the worker runs as an unprivileged user
        if folder.is_relative_to(root.parent):
            folder.chmod(0o755)
    target.chmod(0o644)
    proc = subprocess.Popen(
        ["nginx", "-c", str(conf), "-p", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/live/{SLUG}/{VARIANT}.m3u8"
    try:
        wait_for(url)
    except BaseException:
        stop(proc)
        raise
    return proc, url


#: the VOD set channel-engine is given: the house ladder, one half-hour programme of 300 six-second segments,
#: like each of the 200 programmes of the legaltv channel above
VOD_LADDER = ((1080, 1920, 4_628_000), (720, 1280, 2_628_000), (480, 854, 1_378_000), (360, 640, 828_000))
VOD_SEGMENTS = 299


def write_vod_set(folder: Path) -> None:
    master = ["#EXTM3U", "#EXT-X-VERSION:3"]
    for height, width, bandwidth in VOD_LADDER:
        master += [
            f'#EXT-X-STREAM-INF:BANDWIDTH={bandwidth},RESOLUTION={width}x{height},CODECS="avc1.640028,mp4a.40.2"',
            f"{height}p/index.m3u8",
        ]
        media = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:6", "#EXT-X-MEDIA-SEQUENCE:0"]
        media += [f"#EXTINF:6.000,\nseg_{k:05d}.ts" for k in range(VOD_SEGMENTS)]
        media += ["#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-ENDLIST"]
        (folder / f"{height}p").mkdir(parents=True, exist_ok=True)
        (folder / f"{height}p" / "index.m3u8").write_text("\n".join(media) + "\n")
    (folder / "master.m3u8").write_text("\n".join(master) + "\n")


CHANNEL_ENGINE = "eyevinn-channel-engine@3.0.5"
_CHANNEL_ENGINE_JS = """
// channel-engine 3.0.5 registers async handlers that also take `next`, which restify >= 9 refuses (and
// restify 8 does not run on Node 20): wrap those as callback handlers, changing nothing else
const Chain = require("restify/lib/chain");
const add = Chain.prototype.add;
Chain.prototype.add = function (handler) {{
  if (handler.constructor.name === "AsyncFunction" && handler.length > 2) {{
    const inner = handler;
    handler = function (req, res, next) {{ inner(req, res, next).catch((err) => next(err)); }};
    Object.defineProperty(handler, "name", {{ value: inner.name }});
  }}
  return add.call(this, handler);
}};
const ChannelEngine = require("eyevinn-channel-engine");
class Assets {{
  async getNextVod(request) {{
    return {{ id: "p" + Date.now(), title: "Chương trình", uri: "{vod}" }};
  }}
}}
class Channels {{
  getChannels() {{
    return [{{ id: "1", profile: {profile} }}];
  }}
}}
const engine = new ChannelEngine(new Assets(), {{
  heartbeat: "/", averageSegmentDuration: 6000, channelManager: new Channels(), defaultSlateUri: "{vod}",
}});
// restify 11's router drops what follows a ";" (the engine's `master<bw>.m3u8;session=<id>`): keep it
engine.server.pre(function (req, res, next) {{ req.url = req.url.replace(/;/g, "%3B"); return next(); }});
engine.start();
engine.listen({port});
"""


def serve_channel_engine(root: Path, vod: str) -> tuple[subprocess.Popen[bytes], str] | str:
    """Eyevinn's channel-engine (npm, installed into `root` for this run only) playing the VOD set in a
    loop; (process, URL of one media playlist), or why it could not run here."""
    root.mkdir(parents=True)
    try:
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
                str(root),
                CHANNEL_ENGINE,
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"npm install {CHANNEL_ENGINE} failed: {exc}"
    port = free_port()
    profile = [{"bw": bw, "codecs": "avc1.640028,mp4a.40.2", "resolution": [w, h]} for h, w, bw in VOD_LADDER]
    script = root / "engine.js"
    script.write_text(_CHANNEL_ENGINE_JS.format(vod=vod, port=port, profile=json.dumps(profile)))
    proc = subprocess.Popen(
        ["node", str(script)], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}/channels/1/"
    try:
        master = wait_for(base + "master.m3u8", timeout=60).decode()
        uri = next(line for line in master.splitlines() if line and not line.startswith("#"))
        url = base + uri
        deadline = time.monotonic() + 60
        while b"#EXTINF" not in wait_for(url, timeout=60):
            if time.monotonic() > deadline:
                raise TimeoutError("channel-engine lists no segment")
            time.sleep(0.5)
    except BaseException:
        stop(proc)
        raise
    return proc, url


def serve_legaltv(data_dir: Path, *, server: str = "granian") -> tuple[subprocess.Popen[bytes], str]:
    """`legaltv serve` (granian) on a free port; or, with ``server="uvicorn"``, the same app under uvicorn
    (uvloop + httptools), as `legaltv serve` ran it before issue 13."""
    port = free_port()
    env = {
        **os.environ,
        "LEGALTV_DATA_DIR": str(data_dir),
        "LEGALTV_ENV": "test",
        "LEGALTV_LOG_LEVEL": "WARNING",
        "LEGALTV_PORT": str(port),
        "LEGALTV_EMBEDDED_WORKER": "false",
    }
    if server == "granian":
        command = [str(Path(sys.executable).with_name("legaltv")), "serve"]
    else:
        code = (
            "import uvicorn; from channel.app import create_app; from channel.settings import Settings;"
            f"uvicorn.run(create_app(Settings()), host='127.0.0.1', port={port}, log_level='warning',"
            " access_log=False, loop='uvloop', http='httptools')"
        )
        command = [sys.executable, "-c", code]
    proc = subprocess.Popen(command, env=env, cwd=_HERE.parent)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/live/{SLUG}/{VARIANT}.m3u8")
    except BaseException:
        stop(proc)
        raise
    return proc, base


def stop(proc: subprocess.Popen[bytes]) -> None:
    stop_process(proc, grace_seconds=10)


SEGMENT_KEY = "programmes/bench/r1/720p/seg_00000.ts"
#: a viewing session's token, as the live master hands out (audience counting)
COUNTED_TOKEN = "benchBENCHbench0123_-x"
SEGMENT_BYTES = 2_000_000


def programme_id(settings: Settings) -> str:
    engine = make_engine(settings.resolved_database_url)
    with make_sessionmaker(engine)() as session:
        found = session.scalar(select(Programme.id).limit(1))
    engine.dispose()
    return str(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=20, help="wrk duration per target")
    args = parser.parse_args()
    print("== render time ==")
    render_main()
    seconds = args.seconds
    with tempfile.TemporaryDirectory(prefix="bench-playlist-") as tmp:
        root = Path(tmp)
        settings = Settings(data_dir=root / "var", env="test")
        seed(settings)
        LocalStore(settings.resolved_storage_path).put_bytes(SEGMENT_KEY, os.urandom(SEGMENT_BYTES))
        programme = programme_id(settings)
        api, base = serve_legaltv(settings.data_dir)
        try:
            live = f"{base}/live/{SLUG}/{VARIANT}.m3u8"
            body = wait_for(live)
            nginx, static = serve_nginx(root / "nginx", body)
            engine_note = ""
            try:
                results = [
                    wrk("nginx (static copy)", static, seconds=seconds, pid=nginx.pid),
                    wrk("legaltv live (lean handler)", live, seconds=seconds, pid=api.pid),
                    wrk("legaltv via FastAPI route", f"{live}?via=router", seconds=seconds, pid=api.pid),
                    # audience counting (docs/audience.md): the same bytes, plus a heartbeat noted in memory
                    wrk(
                        "legaltv live, counted (?s=)",
                        f"{live}?s={COUNTED_TOKEN}",
                        seconds=seconds,
                        pid=api.pid,
                    ),
                ]
                vod = static.replace(f"/live/{SLUG}/{VARIANT}.m3u8", "/vod/master.m3u8")
                engine = serve_channel_engine(root / "channel-engine", vod)
                if isinstance(engine, str):
                    engine_note = engine
                else:
                    try:
                        engine_body = wait_for(engine[1])
                        results.append(
                            wrk(
                                "channel-engine (same machine)", engine[1], seconds=seconds, pid=engine[0].pid
                            )
                        )
                        engine_note = f"{len(engine_body)} bytes against legaltv's {len(body)}"
                    finally:
                        stop(engine[0])
            finally:
                stop(nginx)
            api_routes: list[tuple[str, str, tuple[str, ...]]] = [
                ("now/next", f"{base}/api/channels/{SLUG}/now", ()),
                ("EPG, today", f"{base}/api/channels/{SLUG}/epg", ()),
                ("programme public JSON", f"{base}/api/public/programmes/{programme}", ()),
                ("viewer page / (lean)", f"{base}/", ()),
                # a cookie sends it through the route, rendered per request: the figure before the lean answer
                ("viewer page /, FastAPI route", f"{base}/", ("Cookie: khac=1",)),
            ]
            routes = [
                wrk(name, url, seconds=seconds, pid=api.pid, headers=headers)
                for name, url, headers in api_routes
            ]
            media = [
                wrk(
                    "2 MB segment, granian",
                    f"{base}/media/{SEGMENT_KEY}",
                    seconds=seconds,
                    connections=20,
                    pid=api.pid,
                )
            ]
        finally:
            stop(api)
        before, old = serve_legaltv(settings.data_dir, server="uvicorn")
        try:
            media.append(
                wrk(
                    "2 MB segment, uvicorn (before)",
                    f"{old}/media/{SEGMENT_KEY}",
                    seconds=seconds,
                    connections=20,
                    pid=before.pid,
                )
            )
        finally:
            stop(before)
    print(
        f"\n== HTTP, wrk -t2 -c50 -d{seconds}s --latency, {len(body)} byte playlist, load {os.getloadavg()[0]:.1f} =="
    )
    print(f"{'target':<32} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'CPU µs/req':>11}")
    for r in [*results, *routes]:
        print(f"{r.name:<32} {r.rps:>10.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.cpu_us:>11.1f}")
    print(f"\n== media, wrk -t2 -c20 -d{seconds}s ==")
    print(f"{'target':<32} {'req/s':>10} {'MB/s':>8} {'p99 ms':>8} {'CPU µs/req':>11}")
    for r in media:
        print(f"{r.name:<32} {r.rps:>10.0f} {r.mbytes_per_s:>8.0f} {r.p99_ms:>8.2f} {r.cpu_us:>11.1f}")
    ratio = results[1].rps / results[0].rps
    p99 = results[1].p99_ms
    print(f"\nlegaltv / nginx: {ratio:.2f} (target ≥ 0.40) {'OK' if ratio >= 0.40 else 'BELOW TARGET'}")
    print(f"legaltv p99: {p99:.2f} ms (target < 10 ms) {'OK' if p99 < 10 else 'ABOVE TARGET'}")
    print(
        f"audience counting: {results[3].rps:.0f} req/s counted against {results[1].rps:.0f} not counted"
        f" ({results[3].rps / results[1].rps:.2f}); CPU {results[3].cpu_us:.1f} against {results[1].cpu_us:.1f} µs/req"
    )
    if len(results) > 4:
        versus = results[1].rps / results[4].rps
        per_cpu = results[4].cpu_us / results[1].cpu_us
        print(
            f"legaltv / channel-engine: {versus:.2f} in req/s (target ≥ 2) {'OK' if versus >= 2 else 'BELOW TARGET'},"
            f" {per_cpu:.2f} in requests per CPU second; playlists: {engine_note}"
        )
    else:
        print(f"channel-engine: not measured ({engine_note})")
    for r in routes:
        if r.name.endswith("FastAPI route"):
            continue  # the figure before, for the ratio below
        target = 1000 if r.name.startswith("viewer") else 5000
        ok = r.rps >= target and r.p99_ms < 50
        print(
            f"{r.name}: {r.rps:.0f} req/s, p99 {r.p99_ms:.1f} ms (target ≥ {target}, < 50 ms) {'OK' if ok else 'BELOW TARGET'}"
        )
    page, routed = routes[-2], routes[-1]
    print(
        f"viewer page, lean / route: {page.rps / routed.rps:.1f}x the requests per second,"
        f" {routed.cpu_us / page.cpu_us:.1f}x less CPU per request"
    )
    print(
        f"segments by path / through uvicorn: {media[0].mbytes_per_s / media[1].mbytes_per_s:.2f}x the bytes per second"
    )


if __name__ == "__main__":
    main()
