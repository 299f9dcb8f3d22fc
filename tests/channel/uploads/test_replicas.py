"""No replica is special (issue 9 §4): two real `legaltv serve` processes share one upload.

Both replicas run on the same PostgreSQL schema, Redis (broker) and moto S3 bucket, as in production. A
client alternates PATCHes between them, one PATCH is cut mid-body and resumed on the other replica,
two replicas writing one upload at once are refused (423), a replica SIGKILLed mid-PATCH costs only
its unsaved bytes, and tuspy and tus-js-client upload through a round-robin load balancer.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker
from tusclient.client import TusClient

from channel.db import make_engine, make_sessionmaker
from channel.migrate import upgrade
from channel.models import Role, UploadSession
from storage import S3Store
from tests.channel.api_fixtures import sign_in
from tests.channel.uploads.support import lease_held
from tests.pgschema import pg_schema_url
from tests.processes import free_port
from tests.rawpatch import OFFSET_TYPE, open_patch
from tests.redisdb import empty_redis_dbs
from tests.s3server import S3Server, s3_server
from tests.storage.conftest import make_s3_store
from tests.waiting import wait_for

__all__ = ["s3_server"]

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

LEGALTV = str(Path(sys.executable).with_name("legaltv"))
MiB = 1024 * 1024
PART = 5 * MiB
REPO = Path(__file__).resolve().parents[3]


@dataclass
class Replica:
    """One `legaltv serve` process on its own port and data folder."""

    name: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [LEGALTV, "serve"], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

        def healthy() -> bool:
            assert self.process is not None
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                return httpx.get(f"{self.url}/healthz", timeout=2).status_code < 500
            except httpx.TransportError:
                return False

        wait_for(healthy, seconds=60, what=f"replica {self.name} to serve")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def memory(self, field: str) -> int:
        """`VmRSS` (resident now) or `VmHWM` (its peak) of the process, in bytes, from /proc."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
        raise AssertionError(f"no {field} in /proc status")

    def reset_peak(self) -> None:
        """Set the peak back to the current resident size (Linux: `5` into clear_refs)."""
        assert self.process is not None
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")


@dataclass
class RoundRobin:
    """A TCP load balancer on loopback: each new connection goes to the next replica in turn."""

    backends: list[int]
    served: list[int] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        self._loop.run_forever()
        server.close()
        self._loop.run_until_complete(server.wait_closed())
        for task in asyncio.all_tasks(self._loop):
            task.cancel()
        self._loop.run_until_complete(asyncio.sleep(0))
        self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        backend = self.backends[len(self.served) % len(self.backends)]
        self.served.append(backend)
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", backend)
        except OSError:
            writer.close()
            return

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await source.read(64 * 1024):
                    sink.write(data)
                    await sink.drain()
            with contextlib.suppress(OSError):
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


@dataclass
class Cluster:
    a: Replica
    b: Replica
    balancer: RoundRobin
    store: S3Store
    auth: dict[str, str]
    sessions: sessionmaker[Session]

    @property
    def public(self) -> str:
        return f"http://127.0.0.1:{self.balancer.port}"

    def on(self, replica: Replica, url: str) -> str:
        """The same upload URL, sent to one replica directly (the client's choice of replica)."""
        return replica.url + urlsplit(url).path

    def tus(self, **extra: str) -> dict[str, str]:
        return {"Tus-Resumable": "1.0.0", **self.auth, **extra}

    def head(self, replica: Replica, url: str) -> httpx.Response:
        return httpx.head(self.on(replica, url), headers=self.tus(), timeout=10)

    def offset(self, replica: Replica, url: str) -> int:
        probe = self.head(replica, url)
        assert probe.status_code == 200, probe.status_code
        return int(probe.headers["Upload-Offset"])

    def patch(self, replica: Replica, url: str, body: bytes, offset: int) -> httpx.Response:
        headers = self.tus(**{"Upload-Offset": str(offset), "Content-Type": OFFSET_TYPE})
        return httpx.patch(self.on(replica, url), content=body, headers=headers, timeout=60)

    def create(self, replica: Replica, length: int, title: str) -> str:
        encoded = base64.b64encode(title.encode()).decode()
        created = httpx.post(
            f"{replica.url}/api/uploads/",
            headers=self.tus(**{"Upload-Length": str(length), "Upload-Metadata": f"title {encoded}"}),
            timeout=10,
        )
        assert created.status_code == 201, created.text
        location = created.headers["Location"]
        assert location.startswith(self.public), location  # the public URL, whichever replica answered
        return location

    def source_of(self, programme_id: str, *, via: Replica | None = None) -> str:
        replica = via or self.a
        programme = httpx.get(f"{replica.url}/api/programmes/{programme_id}", headers=self.auth, timeout=10)
        assert programme.status_code == 200, programme.text
        assert programme.json()["status"] == "queued"
        [key] = [info.key for info in self.store.iter_keys(f"sources/{programme_id}/")]
        return key

    def leftovers(self) -> list[str]:
        """What an upload leaves behind once finished: tail objects and unfinished multipart uploads."""
        tails = [info.key for info in self.store.iter_keys("uploads/")]
        return tails + [p.key for p in self.store.list_multipart("")]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, s3_server: S3Server, postgres_url: str, redis_url: str
) -> Iterator[Cluster]:
    tmp = tmp_path_factory.mktemp("replicas")
    store = make_s3_store(s3_server)
    with pg_schema_url(postgres_url) as db_url, empty_redis_dbs(redis_url) as (broker,):
        upgrade(db_url)
        engine = make_engine(db_url)
        token = sign_in(
            make_sessionmaker(engine), Role.PRODUCER, "nsx", secret_key="replica-test-secret"
        ).token
        ports = [free_port(), free_port()]
        balancer = RoundRobin(backends=ports)
        common = {
            **os.environ,
            "LEGALTV_ENV": "test",
            "LEGALTV_HOST": "127.0.0.1",
            "LEGALTV_BASE_URL": f"http://127.0.0.1:{balancer.port}",
            "LEGALTV_SECRET_KEY": "replica-test-secret",
            "LEGALTV_LOG_LEVEL": "WARNING",
            "LEGALTV_DATABASE_URL": db_url,
            "LEGALTV_BROKER_URL": broker,
            "LEGALTV_RESULT_BACKEND": broker,
            "LEGALTV_EMBEDDED_WORKER": "false",
            "LEGALTV_STORAGE_BACKEND": "s3",
            "LEGALTV_S3_ENDPOINT_URL": s3_server.endpoint_url,
            "LEGALTV_S3_BUCKET": store.bucket,
            "LEGALTV_S3_REGION": s3_server.region,
            "LEGALTV_S3_ACCESS_KEY_ID": s3_server.access_key_id,
            "LEGALTV_S3_SECRET_ACCESS_KEY": s3_server.secret_access_key,
            "LEGALTV_UPLOAD_PART_BYTES": str(PART),
            "LEGALTV_UPLOAD_LEASE_SECONDS": "6",
            "LEGALTV_UPLOAD_SWEEP_SECONDS": "1",
        }
        replicas = [
            Replica(
                name,
                port,
                {**common, "LEGALTV_PORT": str(port), "LEGALTV_DATA_DIR": str(tmp / name)},
                tmp / f"{name}.log",
            )
            for name, port in zip("ab", ports, strict=True)
        ]
        try:
            for replica in replicas:
                replica.start()
            auth = {"Authorization": f"Bearer {token}"}
            yield Cluster(replicas[0], replicas[1], balancer, store, auth, make_sessionmaker(engine))
        finally:
            engine.dispose()
            for replica in replicas:
                replica.stop()
            balancer.stop()
            for pending in store.list_multipart(""):
                store.abort_multipart(pending.key, pending.upload_id)
            store.delete_prefix("")


def test_patches_alternate_between_replicas_and_a_cut_one_resumes_on_the_other(cluster: Cluster) -> None:
    data = os.urandom(13 * MiB + 4321)
    a, b = cluster.a, cluster.b
    url = cluster.create(a, len(data), "Luật Đất đai 2024 — Bài 3")
    assert cluster.offset(b, url) == 0  # created on A, known to B

    offset = 0
    for replica, size in [(b, 3 * MiB + 17), (a, 1), (b, 2 * MiB), (a, 4 * MiB + 999)]:
        answer = cluster.patch(replica, url, data[offset : offset + size], offset)
        assert answer.status_code == 204, answer.text
        offset += size
        assert int(answer.headers["Upload-Offset"]) == offset
        other = b if replica is a else a
        assert cluster.offset(other, url) == offset  # what one replica stored, the other reports

    # A PATCH to B that is cut after 1.5 MiB: B keeps what arrived, A reports it and takes the rest.
    cut = 1536 * 1024
    conn = open_patch(cluster.on(b, url), headers=cluster.auth, offset=offset, declared=len(data) - offset)
    conn.sendall(data[offset : offset + cut])
    conn.shutdown(socket.SHUT_WR)
    wait_for(lambda: cluster.offset(a, url) == offset + cut, seconds=20, what="the cut PATCH to be kept")
    conn.close()
    offset += cut

    final = cluster.patch(a, url, data[offset:], offset)
    assert final.status_code == 204, final.text
    programme_id = final.headers["X-Programme-Id"]
    key = cluster.source_of(programme_id)
    assert key.startswith(f"sources/{programme_id}/u")
    assert _sha(cluster.store.read_bytes(key)) == _sha(data)
    assert cluster.leftovers() == []
    again = cluster.head(b, url)  # a client that missed the answer hears it from any replica
    assert again.headers["X-Programme-Id"] == programme_id


def test_two_replicas_writing_one_upload_at_once_are_refused_not_mixed(cluster: Cluster) -> None:
    data = os.urandom(2 * MiB)
    a, b = cluster.a, cluster.b
    url = cluster.create(b, len(data), "Ghi đồng thời")
    conn = open_patch(cluster.on(a, url), headers=cluster.auth, offset=0, declared=len(data))
    conn.sendall(data[:MiB])
    wait_for(lambda: lease_held(cluster.sessions, url), seconds=10, what="A to hold the upload")
    busy = cluster.patch(b, url, os.urandom(len(data)), 0)
    assert busy.status_code == 423, busy.text
    assert busy.json()["error"]["code"] == "upload_locked"
    assert busy.headers["Tus-Resumable"] == "1.0.0"
    conn.sendall(data[MiB:])
    reply = conn.recv(4096)
    conn.close()
    assert b"204 No Content" in reply, reply
    programme_id = cluster.head(b, url).headers["X-Programme-Id"]
    assert _sha(cluster.store.read_bytes(cluster.source_of(programme_id))) == _sha(data)


def test_a_replica_killed_mid_patch_costs_only_its_unsaved_bytes(cluster: Cluster) -> None:
    data = os.urandom(2 * PART + 3 * MiB)
    a, b = cluster.a, cluster.b
    url = cluster.create(b, len(data), "Máy chủ bị tắt")
    conn = open_patch(cluster.on(a, url), headers=cluster.auth, offset=0, declared=len(data))
    conn.sendall(data[: 2 * PART + MiB])
    wait_for(lambda: cluster.offset(b, url) == 2 * PART, seconds=30, what="two parts stored by A")
    a.kill()  # the MiB after the parts was only in A's spool: never claimed, so nothing is lost
    conn.close()
    try:
        assert cluster.offset(b, url) == 2 * PART
        answers: list[int] = []

        def resumed() -> bool:  # A's lease lapses within LEGALTV_UPLOAD_LEASE_SECONDS; 423 until then
            answer = cluster.patch(b, url, data[2 * PART :], 2 * PART)
            answers.append(answer.status_code)
            return answer.status_code == 204

        wait_for(resumed, seconds=30, what="B to take over the upload")
        assert set(answers[:-1]) <= {423}, answers
        programme_id = cluster.head(b, url).headers["X-Programme-Id"]
        assert _sha(cluster.store.read_bytes(cluster.source_of(programme_id, via=b))) == _sha(data)
    finally:
        a.start()


def test_both_replicas_sweep_an_abandoned_upload_and_free_its_parts_once(cluster: Cluster) -> None:
    a, b = cluster.a, cluster.b
    url = cluster.create(a, 3 * PART, "Bỏ dở")
    assert cluster.patch(b, url, os.urandom(PART + 1234), 0).status_code == 204  # a part and a tail
    upload_id = urlsplit(url).path.rsplit("/", 1)[1]
    assert [p for p in cluster.store.list_multipart("") if upload_id in p.key]
    assert list(cluster.store.iter_keys(f"uploads/{upload_id}/"))
    with cluster.sessions() as session:  # abandoned two days ago
        row = session.get(UploadSession, uuid.UUID(hex=upload_id))
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(days=1)
        session.commit()

    def swept() -> bool:
        with cluster.sessions() as session:
            row = session.get(UploadSession, uuid.UUID(hex=upload_id))
            return row is not None and row.gone_at is not None

    wait_for(swept, seconds=30, what="a replica to sweep the upload")
    assert not [p for p in cluster.store.list_multipart("") if upload_id in p.key]  # multipart aborted
    assert not list(cluster.store.iter_keys(f"uploads/{upload_id}/"))  # tail deleted
    assert cluster.head(a, url).status_code == 410
    for replica in (a, b):
        assert "Traceback" not in replica.log.read_text(errors="replace"), replica.log.read_text()[-3000:]


def test_memory_stays_bounded_while_a_large_patch_streams(cluster: Cluster) -> None:
    b = cluster.b
    warm = cluster.create(b, 10, "Khởi động")
    assert cluster.patch(b, warm, b"0123456789", 0).status_code == 204  # botocore and friends loaded
    data = os.urandom(48 * MiB)
    url = cluster.create(b, len(data), "Một lần gửi lớn")
    b.reset_peak()
    before = b.memory("VmRSS")
    answer = cluster.patch(b, url, data, 0)
    assert answer.status_code == 204, answer.text
    grown = b.memory("VmHWM") - before
    print(f"peak RSS of replica B grew by {grown / MiB:.1f} MiB for a 48 MiB PATCH")
    assert grown < 24 * MiB, f"peak RSS grew by {grown / MiB:.1f} MiB for a 48 MiB PATCH"


def test_tuspy_and_tus_js_client_upload_through_a_round_robin_balancer(
    cluster: Cluster, tmp_path: Path
) -> None:
    data = os.urandom(PART + 777_777)
    source = tmp_path / "source.mp4"
    source.write_bytes(data)
    first = len(cluster.balancer.served)
    client = TusClient(f"{cluster.public}/api/uploads/", headers=cluster.auth)
    with source.open("rb") as stream:
        uploader = client.uploader(
            file_stream=stream, chunk_size=MiB, metadata={"filename": "Pháp luật và đời sống.mp4"}
        )
        uploader.upload()
    assert uploader.request is not None
    programme_id = uploader.request.response_headers["x-programme-id"]
    assert _sha(cluster.store.read_bytes(cluster.source_of(programme_id))) == _sha(data)
    assert set(cluster.balancer.served[first:]) == {cluster.a.port, cluster.b.port}  # both took requests

    node = shutil.which("node")
    assert node is not None, "node is not on PATH: install Node.js (CI does) to run the tus-js-client test"
    env = {
        **os.environ,
        "ENDPOINT": f"{cluster.public}/api/uploads/",
        "SIZE": str(PART + 12345),
        "HEADERS": json.dumps(cluster.auth),
        "NODE_PATH": str(REPO / "node_modules"),
    }
    script = Path(__file__).with_name("tus_js_client.cjs")
    run = subprocess.run(
        [node, str(script), "resume"], env=env, capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    key = cluster.source_of(result["programme"])
    assert _sha(cluster.store.read_bytes(key)) == result["sha256"]
    assert cluster.leftovers() == []
