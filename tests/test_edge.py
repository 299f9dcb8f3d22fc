"""The nginx edge (docker/nginx/templates) against real nginx, in front of two real API replicas.

Debian's nginx runs the repository's templates on a loopback port (`tests/edgeserver.py`); two
`legaltv serve` processes share one data folder (SQLite, local store) with a channel of 2-second
segments, so segment boundaries come often. What is proved: a cached live playlist is never served
past the instant its next segment completes, and downstream caches are told the same instant; one
request per freshness period reaches the API however many ask at once; `Vary: Origin` and CORS stay
right through the cache; nothing private (the console, a request with a token, logins, uploads,
/metrics, uploaded sources) is cached or exposed; media comes from the store folder, or from S3
through the edge's cache.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import pytest

from channel.db import make_engine, make_sessionmaker
from channel.mediauris import MediaUris
from channel.migrate import upgrade
from channel.playout.cache import TimelineCache
from channel.settings import Settings
from playlist import last_aired, live_edge, to_us
from storage import LocalStore
from tests.channel.playout.helpers import Air, parse_strict, seed_channel
from tests.edgeserver import Edge, edge_values, running_edge
from tests.processes import free_port
from tests.s3server import S3Server, new_bucket_name, s3_server  # noqa: F401
from tests.web.service import Service, running_service

pytestmark = pytest.mark.slow

PORTAL = "https://phapluat.gov.vn"
SEGMENT = "programmes/p1/r1/720p/seg_00000.ts"
SEGMENT_BYTES = bytes(range(256)) * 4096  # 1 MiB


@dataclass(frozen=True)
class Stack:
    edge: Edge
    replicas: tuple[Service, Service]
    air: Air
    settings: Settings

    def get(self, path: str, **headers: str) -> httpx.Response:
        return httpx.get(self.edge.url + path, headers=headers, timeout=10)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("edge-stack")
    house = {"segment_seconds": "2", "gop_seconds": "2", "cors_origins": json.dumps([PORTAL])}
    settings = Settings(
        data_dir=root / "var", env="test", segment_seconds=2, gop_seconds=2, cors_origins=[PORTAL]
    )
    upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    store = LocalStore(settings.resolved_storage_path)
    try:
        air = seed_channel(make_sessionmaker(engine), settings, store=store, seconds=2.0)
    finally:
        engine.dispose()
    store.put_bytes(SEGMENT, SEGMENT_BYTES)
    store.put_bytes("sources/p1/r1", b"the producer's uploaded source")
    common = {"embedded_worker": "false", "trusted_proxies": '["127.0.0.1"]', **house}
    with (
        running_service(root / "var", log_name="api1.log", **common) as one,
        running_service(root / "var", log_name="api2.log", **common) as two,
    ):
        values = edge_values(
            root / "edge",
            port=free_port(),
            upstreams=[one.base_url.removeprefix("http://"), two.base_url.removeprefix("http://")],
            media="local",
            store=settings.resolved_storage_path,
            cors_origins=[PORTAL],
        )
        (root / "edge").mkdir()
        with running_edge(root / "edge", values) as edge:
            yield Stack(edge=edge, replicas=(one, two), air=air, settings=settings)


def _timeline(stack: Stack) -> TimelineCache:
    engine = make_engine(stack.settings.resolved_database_url)
    cache = TimelineCache(make_sessionmaker(engine), slate_stored=lambda _prefix: True)
    cache.refresh(stack.air.slug)
    return cache


def test_a_cached_live_playlist_is_never_served_past_its_next_segment(stack: Stack) -> None:
    timeline = _timeline(stack).get(stack.air.slug).timeline
    url = f"/live/{stack.air.slug}/720p.m3u8"
    statuses: list[str] = []
    deadline = time.monotonic() + 9  # four or five segment boundaries
    while time.monotonic() < deadline:
        sent = datetime.now(UTC)
        response = stack.get(url)
        assert response.status_code == 200
        playlist = parse_strict(response.text)
        newest = playlist.media_sequence + len(playlist.segments) - 1
        due = last_aired(timeline, to_us(sent)).msn  # what had fully aired when the request left
        assert newest >= due, f"stale: newest segment {newest}, {due} had aired at {sent.isoformat()}"
        statuses.append(response.headers["x-cache-status"])
        # downstream: an absolute limit one second before this playlist changes, no max-age to recount
        assert response.headers["cache-control"] == "public"
        last = playlist.segments[-1]
        assert last.current_program_date_time is not None
        listed_until = last.current_program_date_time + timedelta(seconds=last.duration, microseconds=1)
        changes = live_edge(timeline, listed_until)[1]  # when the segment after the newest completes
        expires = parsedate_to_datetime(response.headers["expires"])
        assert expires.timestamp() == math.floor(changes.timestamp()) - 1
        time.sleep(0.05)
    hits = statuses.count("HIT")
    assert hits > len(statuses) / 2, statuses  # cached between boundaries
    assert len(statuses) - hits <= 2 * 6, statuses  # about one trip to the API per 2-second segment


def test_session_bearing_reloads_pass_the_cache_to_be_counted(stack: Stack) -> None:
    """Audience counting (docs/audience.md): the master is each request's own, and a reload carrying
    its session token reaches an API replica every time, with the bytes of the cached playlist."""
    masters = [stack.get(f"/live/{stack.air.slug}/master.m3u8") for _ in range(2)]
    assert {m.headers["cache-control"] for m in masters} == {"private, no-store"}
    assert masters[0].text != masters[1].text  # never one session for two players
    variant = next(u for u in masters[0].text.splitlines() if u.startswith("720p.m3u8?s="))
    before = len(stack.edge.access_log())
    counted = [stack.get(f"/live/{stack.air.slug}/{variant}") for _ in range(3)]
    assert {r.headers["x-cache-status"] for r in counted} == {"BYPASS"}
    lines = [line for line in stack.edge.access_log()[before:] if "?s=" in line]
    assert len(lines) == 3
    assert all("upstream=-" not in line for line in lines)  # each one reached a replica
    plain = stack.get(f"/live/{stack.air.slug}/720p.m3u8")
    assert parse_strict(plain.text).media_sequence - parse_strict(counted[-1].text).media_sequence in {0, 1}


def test_one_request_per_freshness_period_reaches_the_api(stack: Stack) -> None:
    day = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    url = f"/api/channels/{stack.air.slug}/epg?date={day}"  # nobody asked for it yet: a cold entry
    before = len(stack.edge.access_log())
    with ThreadPoolExecutor(max_workers=32) as pool:
        responses = list(pool.map(lambda _: stack.get(url), range(32)))
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    lines = [line for line in stack.edge.access_log()[before:] if f"epg?date={day}" in line]
    assert len(lines) == 32
    upstream = [line for line in lines if "upstream=-" not in line]
    assert len(upstream) == 1, upstream  # the others waited for it (proxy_cache_lock)
    assert stack.get(url).headers["x-cache-status"] == "HIT"


def test_vary_origin_and_cors_stay_right_through_the_cache(stack: Stack) -> None:
    for path in (f"/api/channels/{stack.air.slug}/now", f"/live/{stack.air.slug}/360p.m3u8", "/xmltv.xml"):
        plain = stack.get(path)
        allowed = stack.get(path, Origin=PORTAL)
        other = stack.get(path, Origin="https://elsewhere.example")
        again = stack.get(path, Origin=PORTAL)
        for response in (plain, allowed, other, again):
            assert response.status_code == 200, path
            assert "Origin" in response.headers["vary"], path
        assert "access-control-allow-origin" not in plain.headers, path
        assert allowed.headers["access-control-allow-origin"] == PORTAL, path
        assert again.headers["access-control-allow-origin"] == PORTAL, path
        assert "access-control-allow-origin" not in other.headers, path
    segment = stack.get(f"/media/{SEGMENT}", Origin=PORTAL)
    assert segment.headers["access-control-allow-origin"] == PORTAL
    assert (
        "access-control-allow-origin"
        not in stack.get(f"/media/{SEGMENT}", Origin="https://x.example").headers
    )


def test_nothing_private_is_cached_or_exposed(stack: Stack) -> None:
    now = f"/api/channels/{stack.air.slug}/epg?date=2030-01-01"
    token = {"Authorization": "Bearer not-a-real-token"}
    assert stack.get(now, **token).headers["x-cache-status"] == "BYPASS"
    assert stack.get(now).headers["x-cache-status"] == "MISS"  # the request with a token stored nothing
    assert stack.get(now).headers["x-cache-status"] == "HIT"
    assert stack.get(now, **token).headers["x-cache-status"] == "BYPASS"  # nor is it served from the cache
    for _ in range(2):
        console = stack.get("/console")
        assert console.status_code == 200
        assert console.headers["x-cache-status"] == "PASS"
        assert stack.get("/api/auth/me", **token).headers["x-cache-status"] == "PASS"
    login = httpx.post(
        f"{stack.edge.url}/api/auth/login", json={"username": "x", "password": "y" * 12}, timeout=10
    )
    assert login.status_code in (400, 401, 422)
    assert login.headers["x-cache-status"] == "PASS"
    uploads = httpx.options(f"{stack.edge.url}/api/uploads/", timeout=10)
    assert uploads.headers["x-cache-status"] == "PASS"
    direct = httpx.get(f"{stack.replicas[0].base_url}/metrics", timeout=10)
    assert direct.status_code == 200  # the API shows its metrics to loopback ...
    for path in ("/metrics", "//metrics", "/%6Detrics", "/metrics/", "/METRICS"):
        hidden = stack.get(path)
        assert hidden.status_code == 404, path  # ... and the edge, on loopback too, never asks it
        assert "legaltv_http_requests" not in hidden.text
        assert hidden.json()["error"]["code"] == "not_found"
    for path in ("/media/sources/p1/r1", "/media/programmes/../sources/p1/r1", "/media/..%2Fsources/p1/r1"):
        refused = stack.get(path)
        assert refused.status_code == 404, path
        assert b"uploaded source" not in refused.content


def test_media_comes_from_the_store_folder(stack: Stack) -> None:
    whole = stack.get(f"/media/{SEGMENT}")
    assert whole.status_code == 200
    assert whole.content == SEGMENT_BYTES
    assert whole.headers["content-type"] == "video/mp2t"
    assert whole.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert whole.headers["x-content-type-options"] == "nosniff"
    part = stack.get(f"/media/{SEGMENT}", Range="bytes=100-199")
    assert part.status_code == 206
    assert part.content == SEGMENT_BYTES[100:200]
    empty = stack.get("/media/slates/empty.vtt")
    assert empty.text.startswith("WEBVTT")
    assert empty.headers["content-type"] == "text/vtt"
    missing = stack.get("/media/programmes/p1/r1/720p/seg_99999.ts")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "Không tìm thấy / Not found"


def test_media_from_s3_is_cached_at_the_edge(s3_server: S3Server, tmp_path: Path) -> None:  # noqa: F811
    bucket = new_bucket_name()
    s3 = s3_server.client()
    s3.create_bucket(Bucket=bucket)
    public = [f"arn:aws:s3:::{bucket}/{prefix}*" for prefix in ("programmes/", "slates/", "live/")]
    statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": public}
    # what `mc anonymous set download` does in the compose file: the public prefixes, nothing else
    s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )
    s3.put_object(Bucket=bucket, Key=SEGMENT, Body=SEGMENT_BYTES)
    s3.put_object(Bucket=bucket, Key="sources/p1/r1", Body=b"the producer's uploaded source")
    values = edge_values(
        tmp_path,
        port=free_port(),
        upstreams=["127.0.0.1:9"],
        media="s3",
        s3_endpoint=s3_server.endpoint_url,
        s3_bucket=bucket,
    )
    with running_edge(tmp_path, values) as edge:
        first = httpx.get(f"{edge.url}/media/{SEGMENT}", timeout=10)
        second = httpx.get(f"{edge.url}/media/{SEGMENT}", headers={"Range": "bytes=0-9"}, timeout=10)
        s3.delete_object(Bucket=bucket, Key=SEGMENT)  # the copy at the edge is what answers now
        third = httpx.get(f"{edge.url}/media/{SEGMENT}", timeout=10)
        private = httpx.get(f"{edge.url}/media/sources/p1/r1", timeout=10)
    assert first.status_code == 200
    assert first.content == SEGMENT_BYTES
    assert first.headers["x-cache-status"] == "MISS"
    assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "x-amz-request-id" not in first.headers
    assert second.status_code == 206
    assert second.content == SEGMENT_BYTES[:10]
    assert second.headers["x-cache-status"] == "HIT"
    assert third.content == SEGMENT_BYTES
    assert private.status_code == 404
    assert b"uploaded source" not in private.content


def test_public_pages_are_kept_per_language_and_the_console_never(stack: Stack) -> None:
    path = f"/kenh/{stack.air.slug}"
    first = stack.get(path)
    second = stack.get(path)
    english = stack.get(path, Cookie="legaltv_lang=en")
    assert first.status_code == second.status_code == english.status_code == 200
    assert second.headers["x-cache-status"] == "HIT"
    assert english.headers["x-cache-status"] == "MISS"  # one copy per language
    assert 'lang="en"' in english.text
    assert 'lang="vi"' in second.text
    for _ in range(2):
        switching = stack.get(path + "?lang=en")  # answered with the reader's own cookie: never shared
        assert "set-cookie" in switching.headers
        assert switching.headers["x-cache-status"] != "HIT"
        assert stack.get("/console").headers["x-cache-status"] == "PASS"


def test_signed_media_is_checked_at_the_edge(tmp_path: Path) -> None:
    """With a secret, the edge serves only URIs signed by the API (channel/mediauris.py): nginx's
    secure_link computes the same token, an expired one is 410, anything else 404."""
    secret = "edge-secret-" + "x" * 30
    store = LocalStore(tmp_path / "store")
    store.put_bytes(SEGMENT, SEGMENT_BYTES)
    store.put_bytes(
        "programmes/p1/r1/720p/index.m3u8", b"#EXTM3U\n#EXTINF:6.0,\nseg_00000.ts\n#EXT-X-ENDLIST\n"
    )
    live = "live/0b0e3c1e-5d6f-4a1b-9c2d-3e4f5a6b7c8d/"
    store.put_bytes(f"{live}720p/seg_00003.ts", SEGMENT_BYTES)
    store.put_bytes(f"{live}marks/00003", b"1764547200.0")
    values = edge_values(
        tmp_path / "edge",
        port=free_port(),
        upstreams=["127.0.0.1:9"],
        media="local",
        store=tmp_path / "store",
        media_secret=secret,
    )
    (tmp_path / "edge").mkdir()
    uris = MediaUris("/media/", secret, 86400)
    signed = uris.sign(f"/media/{SEGMENT}\n".encode(), now=time.time()).decode().strip()
    playlist = uris.sign(b"/media/programmes/p1/r1/720p/index.m3u8\n", now=time.time()).decode().strip()
    expired = uris.sign(f"/media/{SEGMENT}\n".encode(), now=time.time() - 3 * 86400).decode().strip()
    _, _, token, _ = signed.split("/", 4)[1:]
    tampered = signed.replace(token, ("A" if token[0] != "A" else "B") + token[1:])
    with running_edge(tmp_path / "edge", values) as edge:

        def get(path: str) -> httpx.Response:
            return httpx.get(edge.url + path, timeout=10)

        good = get(signed)
        assert good.status_code == 200
        assert good.content == SEGMENT_BYTES
        index = get(playlist)
        assert index.status_code == 200
        relative = playlist.rpartition("/")[0] + "/" + index.text.splitlines()[2]  # as a player resolves it
        assert get(relative).content == SEGMENT_BYTES  # the token is in the path: relative URIs keep it
        assert get(f"/media/{SEGMENT}").status_code == 404  # unsigned: refused once a secret is set
        assert get(tampered).status_code == 404
        gone = get(expired)
        assert gone.status_code == 410
        assert gone.json()["error"]["code"] == "link_expired"
        other_revision = signed.replace("/programmes/p1/r1/", "/programmes/p1/r2/")
        assert get(other_revision).status_code == 404  # a token holds for its own prefix only
        assert get("/media/slates/empty.vtt").status_code == 200
        # a live event's segments are signed for the event's folder; its markers are never served
        live_segment = (
            uris.sign(f"/media/{live}720p/seg_00003.ts\n".encode(), now=time.time()).decode().strip()
        )
        assert get(live_segment).content == SEGMENT_BYTES
        assert get(live_segment.replace("720p/seg_00003.ts", "marks/00003")).status_code == 404
        assert get(f"/media/{live}720p/seg_00003.ts").status_code == 404  # unsigned
