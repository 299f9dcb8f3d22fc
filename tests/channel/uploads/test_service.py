"""The upload service without HTTP: bytes across parts and tails, leases, quotas and sweeping.

Each test runs on the embedded database and, where the store matters, on both stores: a local folder
and S3 on a real S3-protocol server (moto), whose 5 MiB minimum part size is enforced.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import anyio
import pytest
from sqlalchemy.orm import Session, sessionmaker

from channel.uploads import (
    Quotas,
    Requester,
    TusError,
    UploadInfo,
    UploadLimits,
    UploadRecords,
    UploadService,
    sweep,
)
from channel.uploads.parts import MAX_TAIL_PIECES, TAIL_PREFIX, BodyError
from channel.uploads.protocol import Creation
from channel.uploads.state import PartsStore
from storage import MIN_PART_BYTES, LocalStore
from tests.channel.uploads.conftest import ROOMY, Clock, Recorder, user_ids
from tests.racing import all_at_once
from tests.s3server import S3Server, s3_server
from tests.storage.conftest import make_s3_store

__all__ = ["s3_server"]

P = MIN_PART_BYTES


@dataclass
class Harness:
    service: UploadService
    store: PartsStore
    clock: Clock
    recorder: Recorder
    alice: Requester
    bob: Requester


def _pieces(*pieces: bytes) -> Callable[[], AsyncIterator[bytes]]:
    async def body() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    return body


def _chunked(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    async def body() -> AsyncIterator[bytes]:
        for start in range(0, len(data), size):
            yield data[start : start + size]

    return body()


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PartsStore]:
    if request.param == "local":
        yield LocalStore(tmp_path / "store")
        return
    server: S3Server = request.getfixturevalue("s3_server")
    s3 = make_s3_store(server)
    yield s3
    for pending in s3.list_multipart(""):
        s3.abort_multipart(pending.key, pending.upload_id)
    s3.delete_prefix("")


def _harness(
    upload_sessions: sessionmaker[Session],
    store: PartsStore,
    tmp_path: Path,
    *,
    quotas: Quotas = ROOMY,
    lock_wait: float = 0.2,
) -> Harness:
    clock = Clock()
    recorder = Recorder(store)
    service = UploadService(
        records=UploadRecords(upload_sessions),
        store=store,
        completion=recorder,
        limits=UploadLimits(max_size=1 << 34, part_bytes=P, lock_wait=lock_wait),
        spool_dir=tmp_path / "spool",
        clock=clock,
    )
    ids = user_ids(upload_sessions)
    return Harness(
        service,
        store,
        clock,
        recorder,
        Requester(id=ids["alice"], quotas=quotas),
        Requester(id=ids["bob"], quotas=quotas),
    )


@pytest.fixture
def harness(upload_sessions: sessionmaker[Session], store: PartsStore, tmp_path: Path) -> Harness:
    return _harness(upload_sessions, store, tmp_path)


@pytest.fixture
def local(upload_sessions: sessionmaker[Session], tmp_path: Path) -> Harness:
    return _harness(upload_sessions, LocalStore(tmp_path / "store"), tmp_path)


def _create(h: Harness, length: int | None, who: Requester | None = None) -> UploadInfo:
    return anyio.run(lambda: h.service.create(who or h.alice, Creation(length=length, metadata={})))


def _append(
    h: Harness, info: UploadInfo, body: AsyncIterator[bytes], *, declared: int | None = None
) -> UploadInfo:
    async def go() -> UploadInfo:
        return await h.service.append(
            info.id, h.alice, offset=info.offset, length=None, body=body, declared=declared
        )

    return anyio.run(go)


def _check_layout(info: UploadInfo) -> None:
    """Offsets count only stored bytes, and every part but a final one is a whole part."""
    if not info.stored:
        assert info.layout.size == info.offset
    assert all(part.size == P for part in info.layout.parts[:-1])
    assert info.layout.tail_size < P or info.stored


def _tail_keys(store: PartsStore) -> list[str]:
    return [info.key for info in store.iter_keys(TAIL_PREFIX)]


def test_odd_sized_patches_make_whole_parts_and_one_object(harness: Harness) -> None:
    data = os.urandom(2 * P + 777)
    info = _create(harness, len(data))
    cuts = [3 * 1024 * 1024, 1, 4 * 1024 * 1024 + 5]
    start = 0
    for cut in cuts:
        info = _append(harness, info, _chunked(data[start : start + cut]))
        start += cut
        assert info.offset == start
        _check_layout(info)
    assert len(info.layout.parts) == 1  # 7 MiB + 6 bytes in: one whole part, the rest as tail objects
    assert _tail_keys(harness.store)
    info = _append(harness, info, _chunked(data[start:], 1024 * 1024 + 3))
    assert (info.complete, info.stored, info.finished) == (True, True, True)
    [done] = harness.recorder.completed
    assert hashlib.sha256(harness.store.read_bytes(done.key)).digest() == hashlib.sha256(data).digest()
    assert _tail_keys(harness.store) == []
    assert list(harness.store.list_multipart("")) == []


def test_many_tiny_patches_are_absorbed_into_one_tail_object(local: Harness) -> None:
    info = _create(local, 10 * (MAX_TAIL_PIECES + 8))
    sent = b""
    for index in range(MAX_TAIL_PIECES + 8):
        piece = bytes([65 + index % 26]) * 10
        info = _append(local, info, _pieces(piece)())
        sent += piece
        assert len(info.layout.tail) <= MAX_TAIL_PIECES
    assert info.finished
    assert local.store.read_bytes(local.recorder.completed[0].key) == sent
    assert _tail_keys(local.store) == []


def test_a_broken_stream_keeps_what_arrived(harness: Harness) -> None:
    data = os.urandom(P + 1000)

    async def broken() -> AsyncIterator[bytes]:
        yield data[: P + 10]  # a whole part and ten bytes
        raise ConnectionResetError("client vanished")

    info = _create(harness, len(data))
    with pytest.raises(BodyError):
        _append(harness, info, broken())
    info = harness.service.records.get(info.id)
    assert info.offset == P + 10
    _check_layout(info)
    info = _append(harness, info, _pieces(data[P + 10 :])())
    assert harness.store.read_bytes(info.target.key) == data


def test_a_second_writer_is_refused_with_423(local: Harness) -> None:
    info = _create(local, 10)
    now = local.clock()
    assert local.service.records.acquire(info.id, "other-replica", now=now, until=now + timedelta(seconds=30))
    with pytest.raises(TusError) as refused:
        _append(local, info, _pieces(b"abc")())
    assert (refused.value.status, refused.value.code) == (423, "upload_locked")
    assert local.service.records.get(info.id).offset == 0


def test_a_writer_whose_lease_lapsed_saves_nothing(local: Harness) -> None:
    """A stalled replica's lease lapses; another takes over; the stale one's late bytes are refused (409)."""
    info = _create(local, 6)
    resume = anyio.Event()
    outcome: dict[str, object] = {}

    async def stalled() -> AsyncIterator[bytes]:
        yield b"AAA"
        await resume.wait()
        yield b"AAA"

    async def scenario() -> None:
        async def stale_writer() -> None:
            try:
                await local.service.append(
                    info.id, local.alice, offset=0, length=None, body=stalled(), declared=None
                )
            except TusError as exc:
                outcome["stale"] = exc

        async with anyio.create_task_group() as group:
            group.start_soon(stale_writer)
            await anyio.sleep(0.3)  # the stale writer holds the lease and has read its first bytes
            local.clock.advance(timedelta(seconds=31))  # ...and its lease lapses
            outcome["fresh"] = await local.service.append(
                info.id, local.alice, offset=0, length=None, body=_pieces(b"bbbbbb")(), declared=None
            )
            resume.set()

    anyio.run(scenario)
    stale = outcome["stale"]
    assert isinstance(stale, TusError)
    assert (stale.status, stale.code) == (409, "upload_taken_over")
    assert local.store.read_bytes(info.target.key) == b"bbbbbb"
    assert len(local.recorder.completed) == 1
    sweep(local.service, local.clock())  # the stale writer's orphaned tail object goes with the sweep
    assert _tail_keys(local.store) == []


def test_quota_of_unfinished_uploads_is_a_429(upload_sessions: sessionmaker[Session], tmp_path: Path) -> None:
    quotas = Quotas(concurrent_uploads=2, pending_bytes=1 << 40, queued_transcodes=10)
    h = _harness(upload_sessions, LocalStore(tmp_path / "store"), tmp_path, quotas=quotas)
    first = _create(h, 10)
    _create(h, 10)
    with pytest.raises(TusError) as refused:
        _create(h, 10)
    assert (refused.value.status, refused.value.code) == (429, "upload_quota_count")
    assert "tối đa 2" in refused.value.message
    assert "at most 2" in refused.value.message
    _create(h, 10, h.bob)  # quotas are per user
    anyio.run(lambda: h.service.terminate(first.id, h.alice))
    _create(h, 10)  # a finished or cancelled upload frees its place


def test_quota_of_bytes_is_a_413_at_creation_and_while_streaming(
    upload_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    quotas = Quotas(concurrent_uploads=10, pending_bytes=100, queued_transcodes=10)
    h = _harness(upload_sessions, LocalStore(tmp_path / "store"), tmp_path, quotas=quotas)
    _create(h, 60)
    with pytest.raises(TusError) as refused:
        _create(h, 50)
    assert (refused.value.status, refused.value.code) == (413, "upload_quota_bytes")
    deferred = _create(h, None)  # a deferred length is bounded while it streams
    with pytest.raises(TusError) as streamed:
        _append(h, deferred, _pieces(b"x" * 20, b"y" * 21)())
    assert (streamed.value.status, streamed.value.code) == (413, "upload_quota_bytes")
    assert h.service.records.get(deferred.id).offset == 0
    deferred = _append(h, deferred, _pieces(b"z" * 30)())
    with pytest.raises(TusError) as declared:
        anyio.run(
            lambda: h.service.append(deferred.id, h.alice, offset=30, length=41, body=_pieces()(), declared=0)
        )
    assert declared.value.code == "upload_quota_bytes"


def test_admission_is_asked_before_the_last_bytes_are_read(local: Harness) -> None:
    local.recorder.refuse_admission = TusError(429, "transcode_quota", "Quá nhiều / Too many")
    info = _create(local, 6)
    info = _append(local, info, _pieces(b"abc")(), declared=3)  # not the last bytes: not asked
    with pytest.raises(TusError) as refused:
        _append(local, info, _pieces(b"def")(), declared=3)
    assert refused.value.status == 429
    assert local.service.records.get(info.id).offset == 3  # nothing of the refused request was taken
    local.recorder.refuse_admission = None
    assert _append(local, info, _pieces(b"def")(), declared=3).finished


def test_sweep_frees_parts_and_tails_of_expired_uploads(harness: Harness) -> None:
    info = _create(harness, 3 * P)
    info = _append(harness, info, _chunked(os.urandom(P + 100)))
    assert info.layout.multipart_id is not None
    assert _tail_keys(harness.store)
    done = _create(harness, 4)
    _append(harness, done, _pieces(b"kept")())

    harness.clock.advance(timedelta(days=1, seconds=1))
    report = sweep(harness.service, harness.clock())

    assert report.swept == (info.id,)  # the finished one stays until its own (7 day) expiry
    assert list(harness.store.list_multipart("")) == []
    assert _tail_keys(harness.store) == []
    assert harness.service.records.get(info.id).gone
    with pytest.raises(TusError) as gone:
        anyio.run(lambda: harness.service.status(info.id, harness.alice))
    assert gone.value.status == 410
    harness.clock.advance(timedelta(days=8))
    report = sweep(harness.service, harness.clock())
    assert (report.swept, report.purged) == ((done.id,), 1)  # the finished one's record expires in turn
    assert harness.store.read_bytes(harness.recorder.completed[0].key) == b"kept"  # ingested: never deleted


def test_sweep_aborts_orphaned_multipart_uploads_and_tails(harness: Harness, tmp_path: Path) -> None:
    stray = tmp_path / "stray"
    stray.write_bytes(b"x" * 10)
    live = _create(harness, 3 * P)
    _append(harness, live, _chunked(os.urandom(P + 5)))  # a recorded multipart upload and a tail
    dead = _create(harness, 3 * P)
    orphan = harness.store.start_multipart(dead.target.key)  # a replica died before recording it
    foreign = harness.store.start_multipart("programmes/x/seg.ts")  # not an upload's: never touched
    harness.store.put_file(f"{TAIL_PREFIX}{'f' * 32}/tail/0-dead", stray)  # tail of a purged upload

    now = harness.clock()
    assert harness.service.records.acquire(dead.id, "writer", now=now, until=now + timedelta(seconds=30))
    busy = sweep(harness.service, now)  # the row's writer may be about to record it: left alone
    assert busy.orphans == 1  # only the dead tail
    assert orphan in {p.upload_id for p in harness.store.list_multipart("")}
    harness.service.records.release(dead.id, "writer")

    assert sweep(harness.service, now).orphans == 1
    remaining = {p.upload_id for p in harness.store.list_multipart("")}
    assert orphan not in remaining
    assert foreign in remaining
    assert harness.service.records.get(live.id).layout.multipart_id in remaining
    [kept] = _tail_keys(harness.store)
    assert kept.startswith(f"{TAIL_PREFIX}{live.id}/")


def test_replicas_sweeping_at_once_free_each_upload_once(local: Harness) -> None:
    expired = [_create(local, 10) for _ in range(24)]
    for info in expired:
        _append(local, info, _pieces(b"12345")())
    local.clock.advance(timedelta(days=2))
    reports = all_at_once(lambda _: sweep(local.service, local.clock()).swept, 3, seconds=60)
    swept = [upload_id for report in reports for upload_id in report]
    assert sorted(swept) == sorted(info.id for info in expired)  # each exactly once
    assert _tail_keys(local.store) == []
