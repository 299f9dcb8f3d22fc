"""Uploading sources: tus in chunks (the tuspy client over real HTTP) and the plain upload, then a queued transcode."""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

from tusclient import client as tus_client

from channel.models import Programme, ProgrammeStatus, TranscodeJob
from channel.settings import Settings
from tests.channel.library.conftest import Library, sent_tasks


def _tus_upload(
    url: str, lib: Library, data: bytes, metadata: dict[str, str], *, user: str = "producer"
) -> str:
    uploader = tus_client.TusClient(f"{url}/api/uploads/", headers=lib.users[user].headers).uploader(
        file_stream=io.BytesIO(data), chunk_size=64 * 1024, metadata=metadata
    )
    uploader.upload()
    assert uploader.offset == len(data)
    assert uploader.request is not None
    return str(uploader.request.response_headers["x-programme-id"])


def test_tus_upload_in_chunks_creates_a_queued_programme_and_sends_the_task(
    lib: Library, live_url: str
) -> None:
    data = os.urandom(300 * 1024)  # five chunks
    settings: Settings = lib.app.state.settings

    programme_id = _tus_upload(
        live_url, lib, data, {"title": "Tải lên qua tus", "filename": "../../etc/Bài giảng.mp4"}
    )

    body = lib.call("GET", f"/api/programmes/{programme_id}").json()
    assert body["status"] == "queued"
    assert body["revision"] == 1
    assert body["original_filename"] == "Bài giảng.mp4"  # metadata only, base name
    assert body["owner_id"] == str(lib.users["producer"].user.id)
    assert lib.app.state.store.read_bytes(f"sources/{programme_id}/r1") == data
    assert not list((settings.data_dir / "uploads").glob("*.bin"))  # the tus file is gone

    [task] = sent_tasks(settings)
    assert task.name == "transcoder.transcode"
    source_key, output_prefix, profile = task.args
    assert (source_key, output_prefix) == (f"sources/{programme_id}/r1", f"programmes/{programme_id}/r1/")
    assert profile["heights"] == settings.ladder
    assert profile["segment_seconds"] == settings.segment_seconds
    link = task.options["callbacks"][0]
    assert link["task"] == "channel.record_transcode"
    assert link["immutable"] is True
    assert link["args"] == [programme_id, 1, task.task_id, "done"]
    assert task.options["errbacks"][0]["args"] == [programme_id, 1, task.task_id, "error"]
    with lib.app.state.sessionmaker() as session:
        job = session.query(TranscodeJob).filter_by(programme_id=uuid.UUID(programme_id)).one()
        assert job.celery_task_id == task.task_id


def test_tus_upload_attaches_to_an_existing_programme_of_the_caller_only(lib: Library, live_url: str) -> None:
    mine = lib.create(title="Có sẵn")
    assert (
        _tus_upload(live_url, lib, b"abc" * 1000, {"programme_id": mine["id"], "filename": "a.mov"})
        == mine["id"]
    )
    assert lib.call("GET", f"/api/programmes/{mine['id']}").json()["status"] == "queued"

    theirs = lib.create(title="Của người khác", user="producer2")
    refused = lib.call(
        "POST",
        "/api/uploads/",
        headers={
            "Tus-Resumable": "1.0.0",
            "Upload-Length": "3",
            "Upload-Metadata": "programme_id "
            + __import__("base64").b64encode(theirs["id"].encode()).decode(),
        },
    )
    assert refused.status_code == 403
    assert refused.headers["Tus-Resumable"] == "1.0.0"


def test_plain_upload_streams_with_a_size_limit(lib: Library, tmp_path: Path) -> None:
    created = lib.create(title="Tải lên trực tiếp")
    settings: Settings = lib.app.state.settings
    lib.app.state.settings = settings.model_copy(update={"max_upload_bytes": 1000})
    try:
        too_big = lib.call(
            "POST", f"/api/programmes/{created['id']}/source", content=iter([b"x" * 600, b"y" * 600])
        )
        assert too_big.status_code == 413
        assert too_big.json()["error"]["code"] == "too_large"
        assert not list((settings.data_dir / "plain-uploads").glob("*"))  # no leftover

        ok = lib.call(
            "POST",
            f"/api/programmes/{created['id']}/source",
            content=b"z" * 1000,
            headers={
                "Content-Type": "application/octet-stream",
                "X-Filename": "Ph%C3%A1p%20lu%E1%BA%ADt.mp4",
            },
        )
    finally:
        lib.app.state.settings = settings
    assert ok.status_code == 202, ok.text
    assert ok.json()["status"] == "queued"
    assert ok.json()["original_filename"] == "Pháp luật.mp4"
    assert [task.name for task in sent_tasks(settings)] == ["transcoder.transcode"]


def test_replacing_the_source_keeps_the_old_media_on_air(lib: Library) -> None:
    created = lib.create(title="Thay nguồn")
    pid = uuid.UUID(created["id"])
    with lib.app.state.sessionmaker() as session:
        row = session.get(Programme, pid)
        assert row is not None
        row.status, row.revision, row.media_prefix = ProgrammeStatus.READY, 1, f"programmes/{pid}/r1/"
        row.media, row.source_key = {"master": "master.m3u8"}, f"sources/{pid}/r1"
        session.commit()

    response = lib.call("POST", f"/api/programmes/{pid}/source", content=b"new source")

    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["revision"]) == ("ready", 2)
    assert body["preview_url"] == f"/api/programmes/{pid}/master.m3u8"
    assert body["job"]["state"] == "queued"
    assert sent_tasks(lib.app.state.settings)[0].args[:2] == [f"sources/{pid}/r2", f"programmes/{pid}/r2/"]
