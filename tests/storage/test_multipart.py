"""The multipart contract: both stores (a folder, and S3 on a real S3-protocol server) write objects in parts."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from storage import MIN_PART_BYTES, LocalStore, MultipartGone, MultipartStore, StorageError, Store


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _multipart(store: Store) -> MultipartStore:
    assert isinstance(store, MultipartStore)
    return store


def test_parts_join_into_one_object_listed_only_when_complete(store: Store, tmp_path: Path) -> None:
    parts_store = _multipart(store)
    first, second = os.urandom(MIN_PART_BYTES), os.urandom(1234)
    key = "sources/p1/u1"
    upload_id = parts_store.start_multipart(key)
    one = parts_store.upload_part(key, upload_id, number=1, path=_file(tmp_path, "1", first))
    two = parts_store.upload_part(key, upload_id, number=2, path=_file(tmp_path, "2", second))
    assert (one.number, one.size, two.number, two.size) == (1, MIN_PART_BYTES, 2, 1234)
    assert not store.exists(key)
    assert [pending.upload_id for pending in parts_store.list_multipart("sources/")] == [upload_id]
    assert list(store.iter_keys("")) == []  # staging never shows up as objects

    parts_store.complete_multipart(key, upload_id, [one, two])

    assert hashlib.sha256(store.read_bytes(key)).digest() == hashlib.sha256(first + second).digest()
    assert list(parts_store.list_multipart("")) == []
    assert [info.key for info in store.iter_keys("")] == [key]


def test_a_part_uploaded_again_replaces_the_old_one(store: Store, tmp_path: Path) -> None:
    parts_store = _multipart(store)
    key = "sources/p2/u2"
    upload_id = parts_store.start_multipart(key)
    parts_store.upload_part(key, upload_id, number=1, path=_file(tmp_path, "old", b"o" * MIN_PART_BYTES))
    again = parts_store.upload_part(
        key, upload_id, number=1, path=_file(tmp_path, "new", b"n" * MIN_PART_BYTES)
    )
    last = parts_store.upload_part(key, upload_id, number=2, path=_file(tmp_path, "last", b"end"))
    parts_store.complete_multipart(key, upload_id, [again, last])
    assert store.read_bytes(key) == b"n" * MIN_PART_BYTES + b"end"


def test_completing_with_a_stale_tag_is_refused(store: Store, tmp_path: Path) -> None:
    parts_store = _multipart(store)
    key = "sources/p3/u3"
    upload_id = parts_store.start_multipart(key)
    stale = parts_store.upload_part(key, upload_id, number=1, path=_file(tmp_path, "a", b"a" * 10))
    parts_store.upload_part(key, upload_id, number=1, path=_file(tmp_path, "b", b"b" * 10))
    with pytest.raises(StorageError):
        parts_store.complete_multipart(key, upload_id, [stale])
    assert not store.exists(key)


def test_abort_drops_the_parts_and_is_idempotent(store: Store, tmp_path: Path) -> None:
    parts_store = _multipart(store)
    key = "sources/p4/u4"
    upload_id = parts_store.start_multipart(key)
    part = parts_store.upload_part(key, upload_id, number=1, path=_file(tmp_path, "a", b"abc"))
    parts_store.abort_multipart(key, upload_id)
    parts_store.abort_multipart(key, upload_id)
    assert list(parts_store.list_multipart("")) == []
    # S3 answers NoSuchUpload (MultipartGone); moto's server answers 500, so only the family is checked
    with pytest.raises(StorageError):
        parts_store.complete_multipart(key, upload_id, [part])
    assert not store.exists(key)


def test_list_filters_by_prefix(store: Store) -> None:
    parts_store = _multipart(store)
    wanted = parts_store.start_multipart("sources/a/u")
    parts_store.start_multipart("other/b/u")
    assert [(p.key, p.upload_id) for p in parts_store.list_multipart("sources/")] == [("sources/a/u", wanted)]


def test_local_parts_go_in_order_and_ids_are_checked(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    upload_id = store.start_multipart("k")
    with pytest.raises(StorageError, match="must follow"):
        store.upload_part("k", upload_id, number=2, path=_file(tmp_path, "x", b"x"))
    for bad in ["../../etc", "A" * 32, ""]:
        with pytest.raises(MultipartGone):
            store.upload_part("k", bad, number=1, path=_file(tmp_path, "y", b"y"))
    with pytest.raises(MultipartGone):
        store.upload_part("other-key", upload_id, number=1, path=_file(tmp_path, "z", b"z"))
    store.delete_prefix("")
    assert [p.upload_id for p in store.list_multipart("")] == [upload_id]  # not an object, not deleted
