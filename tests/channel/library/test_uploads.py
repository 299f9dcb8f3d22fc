"""Uploading sources: tus in chunks (the tuspy client over real HTTP) and the plain upload, then a queued transcode."""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

import httpx2
import pytest
from tusclient import client as tus_client

from channel.models import Programme, ProgrammeStatus, TranscodeJob, TranscodeState
from channel.settings import Settings
from channel.state import state_of
from storage import MultipartStore
from tests.channel.api_fixtures import swap_settings
from tests.channel.library.conftest import Library, sent_tasks
from transcoder.house import HouseFormat


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
    settings: Settings = state_of(lib.app).settings

    programme_id = _tus_upload(
        live_url, lib, data, {"title": "Tải lên qua tus", "filename": "../../etc/Bài giảng.mp4"}
    )

    body = lib.call("GET", f"/api/programmes/{programme_id}").json()
    assert body["status"] == "queued"
    assert body["revision"] == 1
    assert body["original_filename"] == "Bài giảng.mp4"  # metadata only, base name
    assert body["owner_id"] == str(lib.users["producer"].user.id)
    store = state_of(lib.app).store
    assert isinstance(store, MultipartStore)
    [source] = [info.key for info in store.iter_keys("")]  # assembled in place: no copy, no leftovers
    assert source.startswith(f"sources/{programme_id}/u")
    assert store.read_bytes(source) == data
    assert list(store.list_multipart("")) == []

    [task] = sent_tasks(settings)
    assert task.name == "transcoder.transcode"
    source_key, output_prefix, profile = task.args
    assert (source_key, output_prefix) == (source, f"programmes/{programme_id}/r1/")
    assert [rung["height"] for rung in profile["rungs"]] == settings.ladder
    assert profile["segment_seconds"] == settings.segment_seconds
    assert HouseFormat.from_payload(profile) == settings.house_format
    link = task.options["callbacks"][0]
    assert link["task"] == "channel.record_transcode"
    assert link["immutable"] is False  # the transcode's result is passed to it first
    assert link["args"] == [programme_id, 1, task.task_id]
    assert task.options["errbacks"][0]["args"] == [None, programme_id, 1, task.task_id]
    with state_of(lib.app).sessionmaker() as session:
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
    settings: Settings = state_of(lib.app).settings
    swap_settings(lib.app, max_upload_bytes=1000)
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
        swap_settings(lib.app, max_upload_bytes=settings.max_upload_bytes)
    assert ok.status_code == 202, ok.text
    assert ok.json()["status"] == "queued"
    assert ok.json()["original_filename"] == "Pháp luật.mp4"
    assert [task.name for task in sent_tasks(settings)] == ["transcoder.transcode"]


def test_replacing_the_source_keeps_the_old_media_on_air(lib: Library) -> None:
    created = lib.create(title="Thay nguồn")
    pid = uuid.UUID(created["id"])
    with state_of(lib.app).sessionmaker() as session:
        row = session.get(Programme, pid)
        assert row is not None
        row.status, row.revision, row.media_prefix = ProgrammeStatus.READY, 1, f"programmes/{pid}/r1/"
        row.media, row.source_key = {"master": "master.m3u8", "source_sha256": "ab" * 32}, f"sources/{pid}/r1"
        session.commit()

    response = lib.call("POST", f"/api/programmes/{pid}/source", content=b"new source")

    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["revision"]) == ("ready", 2)
    assert (
        body["preview_url"] == f"/api/programmes/{pid}/preview/{'ab' * 32}/master.m3u8"
    )  # r1 until r2 is ready
    assert body["job"]["state"] == "queued"
    assert sent_tasks(state_of(lib.app).settings)[0].args[:2] == [
        f"sources/{pid}/r2",
        f"programmes/{pid}/r2/",
    ]


# -- quotas (issue 9 §5): the attack as it was made, with the default settings ------------------------

GiB = 1024**3
TUS = {"Tus-Resumable": "1.0.0"}


def _settings(lib: Library, **update: object) -> None:
    swap_settings(lib.app, **update)


def _declare(lib: Library, length: int | None, *, user: str = "producer") -> httpx2.Response:
    headers = (
        {**TUS, "Upload-Length": str(length)} if length is not None else {**TUS, "Upload-Defer-Length": "1"}
    )
    return lib.call("POST", "/api/uploads/", user=user, headers=headers)


def test_a_burst_of_huge_declared_uploads_meets_the_byte_then_the_count_quota(lib: Library) -> None:
    """500 uploads of 8 GiB in 3 s: the default quota (64 GiB) admits 8; then 20 unfinished uploads at most."""
    answers = [_declare(lib, 8 * GiB) for _ in range(12)]
    assert [a.status_code for a in answers] == [201] * 8 + [413] * 4
    refused = answers[-1].json()["error"]
    assert refused["code"] == "upload_quota_bytes"
    assert refused["message"].startswith("Dung lượng tải lên đang chờ chuyển mã vượt hạn mức 64 GiB")
    assert "would exceed your quota of 64 GiB" in refused["message"]
    assert answers[-1].headers["Tus-Resumable"] == "1.0.0"

    small = [_declare(lib, None) for _ in range(14)]
    assert [a.status_code for a in small] == [201] * 12 + [429] * 2  # 8 + 12 = 20 unfinished uploads
    assert small[-1].json()["error"]["code"] == "upload_quota_count"
    assert "tối đa 20" in small[-1].json()["error"]["message"]
    assert _declare(lib, 8 * GiB, user="producer2").status_code == 201  # quotas are per user


def test_admins_have_larger_quotas_not_none(lib: Library) -> None:
    _settings(lib, quota_pending_bytes=2 * GiB, quota_admin_factor=3)
    assert [_declare(lib, GiB, user="admin").status_code for _ in range(7)] == [201] * 6 + [413]
    assert [_declare(lib, GiB).status_code for _ in range(3)] == [201, 201, 413]


def test_a_burst_of_one_byte_transcodes_meets_the_transcode_quota(lib: Library) -> None:
    """50 transcodes of 1-byte files in 3 s: 10 queue (the default), then 429 before any byte is read."""
    settings: Settings = state_of(lib.app).settings
    created = [lib.create(title=f"Một byte {index}") for index in range(12)]
    answers = [
        lib.call("POST", f"/api/programmes/{programme['id']}/source", content=b"x") for programme in created
    ]
    assert [a.status_code for a in answers] == [202] * 10 + [429] * 2
    refused = answers[-1].json()["error"]
    assert refused["code"] == "transcode_quota"
    assert refused["message"].startswith("Đã có 10 chương trình đang chờ chuyển mã (tối đa 10)")
    assert refused["details"] == [{"queued": 10, "limit": 10}]
    assert len(sent_tasks(settings)) == 10
    last = lib.call("GET", f"/api/programmes/{created[-1]['id']}").json()
    assert (last["status"], last["revision"]) == ("uploading", 0)  # nothing attached
    assert not state_of(lib.app).store.exists(f"sources/{created[-1]['id']}/r1")

    with state_of(lib.app).sessionmaker() as session:  # one transcode finishes: a place is free again
        job = session.query(TranscodeJob).filter_by(programme_id=uuid.UUID(created[0]["id"])).one()
        job.state = TranscodeState.SUCCEEDED
        session.commit()
    again = lib.call("POST", f"/api/programmes/{created[-1]['id']}/source", content=b"x")
    assert again.status_code == 202, again.text


@pytest.mark.settings(quota_queued_transcodes=1)
def test_the_last_bytes_of_a_tus_upload_are_refused_while_the_transcode_queue_is_full(
    lib: Library, live_url: str
) -> None:
    busy = lib.create(title="Đang chờ")
    assert lib.call("POST", f"/api/programmes/{busy['id']}/source", content=b"x").status_code == 202
    created = httpx2.post(
        f"{live_url}/api/uploads/",
        headers={**lib.users["producer"].headers, **TUS, "Upload-Length": "6"},
    )
    assert created.status_code == 201, created.text
    url = created.headers["Location"]
    patch = {**lib.users["producer"].headers, **TUS, "Content-Type": "application/offset+octet-stream"}
    assert httpx2.patch(url, content=b"abc", headers={**patch, "Upload-Offset": "0"}).status_code == 204
    refused = httpx2.patch(url, content=b"def", headers={**patch, "Upload-Offset": "3"})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "transcode_quota"
    assert httpx2.head(url, headers={**lib.users["producer"].headers, **TUS}).headers["Upload-Offset"] == "3"

    assert lib.call("POST", f"/api/programmes/{busy['id']}/cancel").status_code == 200  # the queue has room
    done = httpx2.patch(url, content=b"def", headers={**patch, "Upload-Offset": "3"})
    assert done.status_code == 204, done.text
    assert lib.call("GET", f"/api/programmes/{done.headers['X-Programme-Id']}").json()["status"] == "queued"


def test_bytes_waiting_for_their_transcode_count_against_the_byte_quota(lib: Library, live_url: str) -> None:
    _settings(lib, quota_pending_bytes=1000)
    programme_id = _tus_upload(live_url, lib, b"v" * 600, {"title": "Chờ chuyển mã"})
    assert _declare(lib, 500).status_code == 413  # 600 bytes still wait for their transcode
    with state_of(lib.app).sessionmaker() as session:
        job = session.query(TranscodeJob).filter_by(programme_id=uuid.UUID(programme_id)).one()
        job.state = TranscodeState.SUCCEEDED
        session.commit()
    assert _declare(lib, 500).status_code == 201


def test_location_follows_the_configured_url_not_a_hostile_host(lib: Library, live_url: str) -> None:
    _settings(lib, base_url="https://truyenhinh.phapluat.gov.vn")
    created = httpx2.post(
        f"{live_url}/api/uploads/",
        headers={**lib.users["producer"].headers, **TUS, "Upload-Length": "3", "Host": "attacker.example"},
    )
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    assert location.startswith("https://truyenhinh.phapluat.gov.vn/api/uploads/")
    assert "attacker" not in location


def test_retries_meet_the_transcode_quota_and_change_nothing_when_refused(lib: Library) -> None:
    """A retry queues a transcode too: with the queue full it is a 429 and the failed programme stays failed."""
    _settings(lib, quota_queued_transcodes=1)
    failed = lib.create(title="Hỏng")
    assert lib.call("POST", f"/api/programmes/{failed['id']}/source", content=b"x").status_code == 202
    with state_of(lib.app).sessionmaker() as session:
        job = session.query(TranscodeJob).filter_by(programme_id=uuid.UUID(failed["id"])).one()
        job.state = TranscodeState.FAILED
        programme = session.get(Programme, uuid.UUID(failed["id"]))
        assert programme is not None
        programme.status = ProgrammeStatus.FAILED
        session.commit()
    busy = lib.create(title="Đang chờ")
    assert lib.call("POST", f"/api/programmes/{busy['id']}/source", content=b"x").status_code == 202

    refused = lib.call("POST", f"/api/programmes/{failed['id']}/retry")
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "transcode_quota"
    assert lib.call("GET", f"/api/programmes/{failed['id']}").json()["status"] == "failed"

    _settings(lib, quota_queued_transcodes=2)
    assert lib.call("POST", f"/api/programmes/{failed['id']}/retry").status_code == 202
