"""Issue 5's "Done when": the whole flow over HTTP against the real parts.

PostgreSQL (a fresh schema), Redis (Celery broker and result backend), a real Celery worker process,
the moto S3 server as the object store, real ffmpeg, and `legaltv serve` (uvicorn) on a free loopback
port. An admin is made with the CLI; through the API the admin makes a producer and a scheduler; the
producer uploads a 6 s clip with tus in 64 KiB chunks, one PATCH cut mid-body and resumed from the
offset HEAD reports, and watches the programme reach 100 % and ready; the scheduler makes a channel,
airs the programme twice back to back plus a daily slot, publishes, reads the EPG and XMLTV; ffmpeg
then plays the live variant playlist across the boundary between the two airings.

House format kept tiny for speed: ladder 180p/144p, 2 s segments, 1 s GOP. Segments are delivered by
redirect (302 to a presigned S3 URL), which ffmpeg follows.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.clips import av_clip
from tests.integration.conftest import Bucket, redis_dbs
from tests.pgschema import pg_schema_url
from tests.processes import answering, free_port, running, running_worker
from tests.rawpatch import OFFSET_TYPE, create_upload, open_patch
from tests.totp import totp

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TZ = "Asia/Ho_Chi_Minh"
TITLE = "Luật Giao thông đường bộ — Bài 1: Quyền và nghĩa vụ"
FILENAME = "Phổ biến pháp luật – tập 1 (bản cuối).mp4"
CHUNK = 64 * 1024
CLIP_SECONDS = 6
LEAD_SECONDS = 10  # the first airing starts this far after scheduling
PLAY_SECONDS = 9  # from the first airing's head: all of it and 3 s of the second, never the slate after
FORBIDDEN = ("Failed to open segment", "expired from playlists", "Media sequence changed unexpectedly")
PASSWORD = "mật-khẩu-rất-dài-2026"


def _tail(path: Path, size: int = 4000) -> str:
    return path.read_text(errors="replace")[-size:] if path.exists() else "(no log)"


def _environment(
    *, tmp: Path, db_url: str, broker: str, results: str, bucket: Bucket, port: int
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEGALTV_")}
    env.update(
        {
            "LEGALTV_ENV": "test",
            "LEGALTV_DATA_DIR": str(tmp / "var"),
            "LEGALTV_HOST": "127.0.0.1",
            "LEGALTV_PORT": str(port),
            "LEGALTV_BASE_URL": f"http://127.0.0.1:{port}",
            "LEGALTV_SECRET_KEY": "integration-test-secret-key",
            "LEGALTV_LOG_LEVEL": "INFO",
            "LEGALTV_DATABASE_URL": db_url,
            "LEGALTV_BROKER_URL": broker,
            "LEGALTV_RESULT_BACKEND": results,
            "LEGALTV_EMBEDDED_WORKER": "false",
            "LEGALTV_STORAGE_BACKEND": "s3",
            "LEGALTV_S3_ENDPOINT_URL": bucket.server.endpoint_url,
            "LEGALTV_S3_BUCKET": bucket.name,
            "LEGALTV_S3_REGION": bucket.server.region,
            "LEGALTV_S3_ACCESS_KEY_ID": bucket.server.access_key_id,
            "LEGALTV_S3_SECRET_ACCESS_KEY": bucket.server.secret_access_key,
            "LEGALTV_S3_PATH_STYLE": "true",
            "LEGALTV_SEGMENT_DELIVERY": "redirect",
            "LEGALTV_TIMEZONE": TZ,
            "LEGALTV_LADDER": "[180,144]",
            "LEGALTV_SEGMENT_SECONDS": "2",
            "LEGALTV_GOP_SECONDS": "1",
        }
    )
    return env


def _login(http: httpx.Client, username: str) -> dict[str, str]:
    response = http.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _enrolled_login(http: httpx.Client, username: str) -> dict[str, str]:
    """An admin's first sign-in: the session reaches only enrolment until a TOTP code confirms it."""
    headers = _login(http, username)
    enrolment = http.post("/api/auth/mfa/enrolment", headers=headers)
    assert enrolment.status_code == 200, enrolment.text
    code = totp(enrolment.json()["secret"])
    confirmed = http.post("/api/auth/mfa/enrolment/confirm", headers=headers, json={"code": code})
    assert confirmed.status_code == 200, confirmed.text
    return headers


def _cut_patch(url: str, *, auth: dict[str, str], offset: int, declared: int, body: bytes) -> None:
    """A PATCH announcing `declared` bytes that sends only `body`, then the connection drops."""
    with open_patch(
        url, offset=offset, declared=declared, headers={"Authorization": auth["Authorization"]}
    ) as conn:
        conn.sendall(body)
        time.sleep(0.3)  # let the server take in what arrived before the cut


def _tus_upload(http: httpx.Client, auth: dict[str, str], data: bytes) -> tuple[str, dict[str, Any]]:
    """Upload `data` in CHUNK pieces, cutting the third PATCH mid-body; the programme id and a report."""
    tus = {"Tus-Resumable": "1.0.0", **auth}
    url = create_upload(http, auth, len(data), filename=FILENAME, title=TITLE)
    offset, patches, cut_at, resumed_from = 0, 0, -1, -1
    last: httpx.Response | None = None
    while offset < len(data):
        piece = data[offset : offset + CHUNK]
        if patches == 2 and cut_at < 0:
            cut_at = offset
            _cut_patch(url, auth=auth, offset=offset, declared=len(piece), body=piece[: len(piece) // 2])
            offset = _offset_after_cut(http, url, tus, before=offset)
            resumed_from = offset
            patches += 1
            continue
        last = http.patch(
            url, content=piece, headers={**tus, "Upload-Offset": str(offset), "Content-Type": OFFSET_TYPE}
        )
        assert last.status_code == 204, last.text
        offset = int(last.headers["Upload-Offset"])
        patches += 1
    assert cut_at >= 0, "the clip is too small for an interrupted third PATCH"
    assert last is not None
    programme_id = last.headers.get("X-Programme-Id")
    assert programme_id, f"the final PATCH carries no X-Programme-Id: {dict(last.headers)}"
    report = {"patches": patches, "cut_at": cut_at, "resumed_from": resumed_from, "size": len(data)}
    return programme_id, report


def _offset_after_cut(http: httpx.Client, url: str, tus: dict[str, str], *, before: int) -> int:
    """HEAD until the server has released the cut PATCH (its offset no longer moves)."""
    deadline = time.monotonic() + 15
    seen: list[int] = []
    while time.monotonic() < deadline:
        probe = http.head(url, headers=tus)
        assert probe.status_code == 200, probe.status_code
        seen.append(int(probe.headers["Upload-Offset"]))
        if len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]:
            assert before <= seen[-1] < before + CHUNK, seen
            return seen[-1]
        time.sleep(0.1)
    pytest.fail(f"the upload offset never settled after the cut PATCH: {seen}")


def _wait_ready(
    http: httpx.Client, auth: dict[str, str], programme_id: str, worker_log: Path
) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        response = http.get(f"/api/programmes/{programme_id}", headers=auth)
        assert response.status_code == 200, response.text
        body = response.json()
        seen.append(body)
        if body["status"] in ("ready", "failed"):
            return seen
        time.sleep(0.1)
    pytest.fail(f"programme still {seen[-1]['status']} after 90 s; worker log:\n{_tail(worker_log)}")


def _uris(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


def _segment_of(line: str) -> str:
    """The path in ffmpeg's "Opening 'http://host/path' for reading" line."""
    return urlsplit(line.split("'")[1]).path


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _xmltv_at(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%d%H%M%S %z").astimezone(UTC)


def _duration(path: Path) -> float:
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True, timeout=30,
    )  # fmt: skip
    return float(probe.stdout.strip())


def test_upload_transcode_schedule_publish_guide_and_play_across_the_boundary(
    tmp_path: Path, postgres_url: str, redis_url: str, s3_bucket: Bucket
) -> None:
    began = time.monotonic()
    # entered here rather than as fixtures: an unreachable PostgreSQL or Redis fails the test itself
    with pg_schema_url(postgres_url) as db_url, redis_dbs(redis_url) as (broker, results):
        _whole_flow(tmp_path, db_url=db_url, broker=broker, results=results, bucket=s3_bucket)
    print(f"whole flow {time.monotonic() - began:.1f} s")


def _whole_flow(tmp_path: Path, *, db_url: str, broker: str, results: str, bucket: Bucket) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = _environment(tmp=tmp_path, db_url=db_url, broker=broker, results=results, bucket=bucket, port=port)
    clip = av_clip(tmp_path / "clip.mp4", seconds=CLIP_SECONDS).read_bytes()

    # the first admin, with the CLI (it also brings the schema to the latest migration)
    made = subprocess.run(
        [str(BIN / "legaltv"), "users", "create", "quantri", "--role", "admin", "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr[-2000:]

    server_log, worker_log = tmp_path / "serve.log", tmp_path / "worker.log"
    with (
        running([str(BIN / "legaltv"), "serve"], env=env, log=server_log, stop_seconds=20) as server,
        running_worker(env, worker_log, stop_seconds=20),
        httpx.Client(base_url=base, timeout=20) as http,
    ):
        answering(base, server, seconds=40, log=lambda: _tail(server_log))

        # accounts: the admin makes a producer and a scheduler
        admin = _enrolled_login(http, "quantri")
        for username, role in (("sanxuat", "producer"), ("lichphat", "scheduler")):
            made_user = http.post(
                "/api/users",
                headers=admin,
                json={"username": username, "password": PASSWORD, "role": role, "display_name": username},
            )
            assert made_user.status_code == 201, made_user.text
        producer, scheduler = _login(http, "sanxuat"), _login(http, "lichphat")

        # the producer uploads with tus, one PATCH cut mid-body, and watches the programme become ready
        programme_id, upload = _tus_upload(http, producer, clip)
        seen = _wait_ready(http, producer, programme_id, worker_log)
        final = seen[-1]
        assert final["status"] == "ready", f"{final}\nworker log:\n{_tail(worker_log)}"
        assert final["progress"] == 100.0
        assert final["title"] == TITLE
        progress = [float(body["progress"]) for body in seen]
        assert progress == sorted(progress), (
            f"progress went back: {[(b['status'], b['stage'], b['progress']) for b in seen]}"
        )
        between = sorted({p for p in progress if 0 < p < 100})  # may be empty if the worker is quick
        duration = float(final["duration"])
        assert CLIP_SECONDS - 0.5 < duration < CLIP_SECONDS + 0.5, final

        # an editor who made none of it approves the revision (four eyes); only then may it be published
        review = http.get(f"/api/programmes/{programme_id}/review", headers=admin)
        assert review.status_code == 200, review.text
        assert review.json()["state"] == "pending"
        approved = http.post(
            f"/api/programmes/{programme_id}/review/approve",
            headers=admin,
            json={"fingerprint": review.json()["fingerprint"]},
        )
        assert approved.status_code == 200, approved.text

        # the scheduler: a channel, the programme twice back to back, a daily slot; publish
        channel = http.post(
            "/api/channels",
            headers=scheduler,
            json={"slug": "kenh-phap-luat", "name": "Kênh Pháp luật", "timezone": TZ, "window_seconds": 6},
        )
        assert channel.status_code == 201, channel.text
        assert channel.json()["profile"]["ladder"] == [180, 144]
        now = datetime.now(UTC).replace(microsecond=0)
        first = now + timedelta(seconds=LEAD_SECONDS)
        second = first + timedelta(seconds=math.ceil(duration - 1e-6))
        entries = "/api/channels/kenh-phap-luat/entries"
        airings = []
        for start in (first, second):
            placed = http.post(
                entries,
                headers=scheduler,
                json={"programme_id": programme_id, "start": start.isoformat(), "mode": "hard"},
            )
            assert placed.status_code == 201, placed.text
            airings.append(placed.json()[0])
        assert [_at(a["start_at"]) for a in airings] == [first, second]
        daily_hour = (first.astimezone(ZoneInfo(TZ)).hour + 3) % 24
        rule = f"FREQ=DAILY;BYHOUR={daily_hour};BYMINUTE=0;BYSECOND=0;COUNT=2"
        daily = http.post(entries, headers=scheduler, json={"programme_id": programme_id, "rrule": rule})
        assert daily.status_code == 201, daily.text
        daily_starts = [_at(e["start_at"]) for e in daily.json()]
        assert len(daily_starts) == 2, daily_starts
        assert all(s > second for s in daily_starts), daily_starts
        assert {e["series_id"] for e in daily.json()} != {None}
        published = http.post("/api/channels/kenh-phap-luat/publish", headers=scheduler)
        assert published.status_code == 200, published.text
        assert not [c for c in published.json().get("conflicts", []) if c.get("severity") == "error"], (
            published.text
        )

        # the guide: JSON for the local day of the first airing, and XMLTV
        day = first.astimezone(ZoneInfo(TZ)).date().isoformat()
        epg = http.get("/api/channels/kenh-phap-luat/epg", params={"date": day})
        assert epg.status_code == 200, epg.text
        ours = [e for e in epg.json()["entries"] if e["programme_id"] == programme_id]
        timed = [(_at(e["start"]), _at(e["stop"])) for e in ours]
        for start in (first, second):
            lengths = [(t - s).total_seconds() for s, t in timed if s == start]
            assert len(lengths) == 1, (start, timed)
            assert abs(lengths[0] - duration) < 0.05, (start, timed)
        assert sorted(timed)[0][1] == second, f"the airings are not back to back: {timed}"
        assert all(e["title"] == TITLE for e in ours)
        assert all(e["start"].endswith("+07:00") for e in ours)
        xmltv = http.get("/xmltv.xml")
        assert xmltv.status_code == 200
        root = ET.fromstring(xmltv.content)
        assert [c.findtext("display-name") for c in root.iter("channel")] == ["Kênh Pháp luật"]
        shows = [
            (_xmltv_at(p.attrib["start"]), _xmltv_at(p.attrib["stop"]))
            for p in root.iter("programme")
            if p.findtext("title") == TITLE and p.attrib["channel"] == "kenh-phap-luat"
        ]
        starts = [s for s, _ in shows]
        assert first in starts, (first, shows)
        assert second in starts, (second, shows)
        assert daily_starts[0] in starts, (daily_starts, shows)  # the daily slot is in the guide too

        # delivery: playlists from the API, segments by a 302 to a presigned URL on the S3 server;
        # the channel goes on air once the worker has stored its slate ("about to start" until then)
        deadline = time.monotonic() + 60
        while (master := http.get("/live/kenh-phap-luat/master.m3u8")).status_code == 503:
            assert master.json()["error"]["code"] == "channel_starting", master.text
            assert time.monotonic() < deadline, f"no slate after 60 s; worker log:\n{_tail(worker_log)}"
            time.sleep(float(master.headers["Retry-After"]))
        assert master.status_code == 200, master.text
        variants = [uri.partition("?") for uri in _uris(master.text)]
        assert [name for name, _, _ in variants] == ["180p.m3u8", "144p.m3u8"], master.text
        tokens = {query for _, _, query in variants}  # one viewing session: the same token on every variant
        assert len(tokens) == 1, master.text
        assert re.fullmatch(r"s=[A-Za-z0-9_-]{22}", tokens.pop()), master.text
        preview = urljoin(base, final["preview_url"])
        variant = urljoin(preview, _uris(http.get(preview).text)[0])
        segment = urljoin(variant, _uris(http.get(variant).text)[0])
        moved = http.get(segment)
        assert moved.status_code == 302, (segment, moved.status_code)
        assert moved.headers["Location"].startswith(bucket.server.endpoint_url), moved.headers
        assert httpx.get(moved.headers["Location"], timeout=10).status_code == 200

        # the viewer: ffmpeg plays the live playlist from inside the first airing across the boundary.
        # It starts once the first airing has fully aired (segments are listed once they have), so the
        # 6 s window holds exactly its three segments and ffmpeg starts at its head.
        wait = (first + timedelta(seconds=6.5) - datetime.now(UTC)).total_seconds()
        assert wait > 0, f"setup too slow: the first airing began {-wait:.1f} s before ffmpeg could start"
        time.sleep(wait)
        out = tmp_path / "out.ts"
        run = subprocess.run(
            ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-i", f"{base}/live/kenh-phap-luat/180p.m3u8",
             "-t", str(PLAY_SECONDS), "-c", "copy", "-f", "mpegts", str(out)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr[-3000:]
        for needle in FORBIDDEN:
            assert needle not in run.stderr, f"{needle!r} in ffmpeg's log:\n{run.stderr[-3000:]}"
        played = _duration(out)
        assert played > PLAY_SECONDS - 0.5, f"captured {played:.2f} s of {PLAY_SECONDS} s"
        opened = [
            _segment_of(line) for line in run.stderr.splitlines() if "Opening" in line and ".ts" in line
        ]
        assert all(f"/programmes/{programme_id}/r1/180p/" in path for path in opened), opened
        numbers = [int(path.rsplit("_", 1)[1].split(".")[0]) for path in opened]
        wraps = [i for i in range(1, len(numbers)) if numbers[i] <= numbers[i - 1]]
        assert len(wraps) == 1, f"ffmpeg did not go from the first airing into the second: {opened}"
        boundary = (second - first).total_seconds()

    print(
        f"\nupload {upload}; progress seen {progress[0]}..{progress[-1]} via {between}; "
        f"played {played:.2f} s across the boundary at {boundary:.0f} s ({len(opened)} segments)"
    )
