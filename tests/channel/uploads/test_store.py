"""The file-backed store on its own: ids, atomic state, streaming appends, locking, sweeping."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest

from channel.uploads.state import UploadExpired, UploadLocked, UploadNotFound, is_upload_id
from channel.uploads.store import UploadStore
from tests.channel.uploads.conftest import Clock


async def _stream(*pieces: bytes) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


async def _broken(*pieces: bytes) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece
    raise ConnectionResetError("client vanished")


def _store(tmp_path: Path, clock: Clock, *, persist_every: int = 1024) -> UploadStore:
    return UploadStore(tmp_path / "up", clock=clock, persist_every=persist_every)


def test_ids_are_random_hex_and_validated(tmp_path: Path) -> None:
    store = _store(tmp_path, Clock())
    a = store.create(owner_id="u1", length=5, metadata={"filename": "Luật đất đai.mov"})
    b = store.create(owner_id="u1", length=5, metadata={})
    assert a.id != b.id
    assert is_upload_id(a.id)
    assert store.get(a.id).metadata == {"filename": "Luật đất đai.mov"}
    for bad in ["../" + a.id, a.id.upper(), a.id + "\x00", "", a.id[:-1]]:
        assert not is_upload_id(bad)
        with pytest.raises(UploadNotFound):
            store.get(bad)
    with pytest.raises(UploadNotFound):
        store.get(a.id, owner_id="someone-else")


def test_append_streams_and_records_offset(tmp_path: Path) -> None:
    clock = Clock()
    store = _store(tmp_path, clock, persist_every=4)
    info = store.create(owner_id="u", length=10, metadata={})
    clock.advance(timedelta(hours=23))
    result = anyio.run(lambda: store.append(info, _stream(b"abc", b"defg"), max_bytes=10))
    assert result.outcome == "ok"
    assert result.info.offset == 7
    assert not result.info.complete
    assert result.info.expires == clock() + timedelta(days=1)  # activity renews the expiry
    assert store.get(info.id).offset == 7
    assert store.data_path(info.id).read_bytes() == b"abcdefg"
    assert not list(store.root.glob("*.tmp"))


def test_overflowing_body_is_rolled_back(tmp_path: Path) -> None:
    store = _store(tmp_path, Clock())
    info = store.create(owner_id="u", length=10, metadata={})
    first = anyio.run(lambda: store.append(info, _stream(b"12345"), max_bytes=10))
    result = anyio.run(lambda: store.append(first.info, _stream(b"678", b"9012"), max_bytes=5))
    assert result.outcome == "too_large"
    assert result.info.offset == 5
    assert store.data_path(info.id).read_bytes() == b"12345"


def test_a_broken_stream_keeps_the_bytes_that_arrived(tmp_path: Path) -> None:
    store = _store(tmp_path, Clock())
    info = store.create(owner_id="u", length=10, metadata={})
    with pytest.raises(ConnectionResetError):
        anyio.run(lambda: store.append(info, _broken(b"abcd"), max_bytes=10))
    assert store.get(info.id).offset == 4
    assert store.data_path(info.id).read_bytes() == b"abcd"


def test_unacknowledged_tail_is_truncated_before_appending(tmp_path: Path) -> None:
    # A crash between writing data and recording the offset leaves bytes the client was never told about.
    store = _store(tmp_path, Clock())
    info = store.create(owner_id="u", length=6, metadata={})
    store.data_path(info.id).write_bytes(b"junk!")
    result = anyio.run(lambda: store.append(info, _stream(b"abcdef"), max_bytes=6))
    assert result.info.complete
    assert store.data_path(info.id).read_bytes() == b"abcdef"


def test_lock_is_exclusive(tmp_path: Path) -> None:
    store = _store(tmp_path, Clock())
    info = store.create(owner_id="u", length=1, metadata={})

    async def scenario() -> None:
        async with store.lock(info.id):
            with pytest.raises(UploadLocked):
                async with store.lock(info.id, wait=0.05):
                    pass
            assert store.sweep_expired(datetime(2100, 1, 1, tzinfo=UTC)) == []  # busy uploads are skipped
        async with store.lock(info.id):
            pass

    anyio.run(scenario)


def test_sweep_leaves_a_tombstone_then_purges(tmp_path: Path) -> None:
    clock = Clock()
    store = _store(tmp_path, clock)
    old = store.create(owner_id="u", length=3, metadata={})
    clock.advance(timedelta(hours=12))
    young = store.create(owner_id="u", length=3, metadata={})
    clock.advance(timedelta(hours=13))
    assert store.sweep_expired(clock()) == [old.id]
    with pytest.raises(UploadExpired):
        store.get(old.id)
    assert not store.data_path(old.id).exists()
    assert store.get(young.id).offset == 0
    clock.advance(timedelta(days=8))
    assert store.sweep_expired(clock()) == [young.id]
    clock.advance(timedelta(days=8))
    store.sweep_expired(clock())
    assert list(store.root.iterdir()) == []


def test_sweep_drops_leftover_lock_and_temp_files(tmp_path: Path) -> None:
    clock = Clock()
    store = _store(tmp_path, clock)
    kept = store.create(owner_id="u", length=3, metadata={})
    orphan_lock = store.root / f"{'a' * 32}.lock"
    orphan_lock.touch()
    stale_tmp = store.root / f"{kept.id}.json.0badcafe.tmp"
    stale_tmp.touch()
    os.utime(stale_tmp, (0, 0))
    assert store.sweep_expired(clock()) == []
    assert not orphan_lock.exists()
    assert not stale_tmp.exists()
    assert store.get(kept.id).offset == 0


def test_package_exports_resolve() -> None:
    import channel.uploads

    for module in (channel.uploads, channel.uploads.protocol, channel.uploads.state, channel.uploads.store):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
    assert {"UploadStore", "create_tus_router", "CompletedUpload"} <= set(channel.uploads.__all__)
