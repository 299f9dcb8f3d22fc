"""Resuming over real HTTP: interrupted and stalled connections, concurrent writers, tuspy and tus-js-client."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tusclient.client import TusClient

from tests.channel.uploads.support import (
    MiB,
    Serve,
    b64,
    create,
    head,
    lease_held,
    patch,
    sha256,
    wait_for_offset,
)
from tests.rawpatch import open_patch
from tests.waiting import wait_for


def test_tuspy_uploads_5_mib_in_1_mibchunks(serve: Serve, tmp_path: Path) -> None:
    server = serve()
    source = tmp_path / "source.mp4"
    data = os.urandom(5 * MiB + 12345)
    source.write_bytes(data)
    name = "Pháp luật và đời sống.mp4"
    client = TusClient(server.endpoint, headers={"X-User": "alice"})
    with source.open("rb") as stream:  # tuspy leaves a file it opened itself unclosed
        uploader = client.uploader(file_stream=stream, chunk_size=MiB, metadata={"filename": name})
        uploader.upload()

    assert uploader.offset == len(data)
    url = str(uploader.url)
    assert urlsplit(url).path.startswith("/api/uploads/")
    [done] = server.completed
    assert done.size == len(data)
    assert done.owner_id == server.users["alice"]
    assert done.metadata == {"filename": name}
    assert sha256(server.data(done)) == sha256(data)
    assert server.stored_keys() == [done.key]  # one object assembled in place: no parts, no tail left
    probe = head(url)
    assert probe.headers["Upload-Offset"] == probe.headers["Upload-Length"] == str(len(data))
    assert probe.headers["Upload-Metadata"] == f"filename {b64(name)}"
    assert probe.headers["X-Programme-Id"] == f"prog-{done.id[:8]}"
    assert probe.headers["Cache-Control"] == "no-store"


def _cut_patch(url: str, *, offset: int, declared: int, body: bytes, user: str = "alice") -> None:
    """Send a PATCH announcing `declared` bytes, send only `body`, then drop the connection."""
    with open_patch(url, offset=offset, declared=declared, headers={"X-User": user}) as conn:
        conn.sendall(body)
        time.sleep(0.5)  # let the server consume what arrived before the cut


def test_interrupted_patch_keeps_what_arrived_and_resumes(serve: Serve) -> None:
    server = serve()
    data = os.urandom(3 * MiB)
    url = create(server, len(data))
    half = len(data) // 2
    _cut_patch(url, offset=0, declared=len(data), body=data[:half])

    offset = wait_for_offset(url, half)
    assert offset == half
    upload_id = url.rsplit("/", 1)[1]
    assert sum(piece.size for piece in server.service.records.get(upload_id).layout.tail) == offset
    assert server.completed == []

    response = patch(url, data[offset:], offset)
    assert response.status_code == 204, response.text
    assert response.headers["Upload-Offset"] == str(len(data))
    assert response.headers["X-Programme-Id"] == f"prog-{upload_id[:8]}"
    [done] = server.completed
    assert sha256(server.data(done)) == sha256(data)


def test_a_second_writer_is_told_the_upload_is_locked(
    serve: Serve, upload_sessions: sessionmaker[Session]
) -> None:
    server = serve(lock_wait=0.2)
    url = create(server, 1000)
    with open_patch(url, offset=0, declared=1000, headers={"X-User": "alice"}) as conn:
        conn.sendall(b"x" * 100)
        wait_for(
            lambda: lease_held(upload_sessions, url), seconds=10, what="the first writer holding the upload"
        )
        busy = patch(url, b"y" * 1000, 0)
        assert busy.status_code == 423
        assert busy.headers["Tus-Resumable"] == "1.0.0"
        conn.sendall(b"x" * 900)
        assert b"204 No Content" in conn.recv(4096)
    assert head(url).headers["Upload-Offset"] == "1000"


def test_a_stalled_client_releases_the_upload(serve: Serve) -> None:
    server = serve(idle_timeout=0.3)
    data = os.urandom(100_000)
    url = create(server, len(data))
    with open_patch(url, offset=0, declared=len(data), headers={"X-User": "alice"}) as conn:
        conn.sendall(data[:40_000])
        # The connection stays open but silent, as on a mobile link that dropped without a FIN.
        assert wait_for_offset(url, 40_000) == 40_000
        resumed = patch(url, data[40_000:], 40_000)
        assert resumed.status_code == 204
    assert sha256(server.data(server.completed[0])) == sha256(data)


@pytest.mark.parametrize("scenario", ["resume", "deferred"])
def test_tus_js_client_as_used_by_uppy(serve: Serve, scenario: str) -> None:
    node = shutil.which("node")
    repo = Path(__file__).resolve().parents[3]
    # required, not optional: CI installs node and runs `npm ci`, so a missing one is a broken set-up
    assert node is not None, "node is not on PATH: install Node.js (CI does) to run the tus-js-client test"
    assert (repo / "node_modules" / "tus-js-client").is_dir(), (
        f"{repo / 'node_modules' / 'tus-js-client'} is missing: run `npm ci` in {repo}"
    )
    server = serve()
    size = 1 * MiB + 777
    env = {
        **os.environ,
        "ENDPOINT": server.endpoint,
        "SIZE": str(size),
        "NODE_PATH": str(repo / "node_modules"),
    }
    script = Path(__file__).with_name("tus_js_client.cjs")
    run = subprocess.run(
        [node, str(script), scenario], env=env, capture_output=True, text=True, timeout=60, cwd=repo
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    [done] = server.completed
    assert sha256(server.data(done)) == result["sha256"]
    assert done.size == size
    assert done.metadata == {
        "filename": "Pháp luật và đời sống.mp4",
        "filetype": "video/mp4",
        "relativePath": "",
    }
    assert result["programme"] == f"prog-{done.id[:8]}"
    if scenario == "resume":
        assert result["firstUrl"] == result["url"]
        assert 0 < result["offsetAfterAbort"] < size
        assert ("HEAD", "") in server.seen
        assert ("POST", "PATCH") in server.seen
