"""The `Store` contract: every backend (LocalStore, S3Store on a real S3 server) behaves the same."""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from storage import InvalidKey, LocalStore, NotFound, ObjectInfo, Page, S3Store, StorageError, Store

VIETNAMESE_KEY = "chương trình/Luật Hôn nhân và Gia đình/tập 1 – giới thiệu.json"
BAD_KEYS = ["../escape", "a/../../b", "/abs", "a\x00b", "a\x1bb", "a//b", "", "a\\b", "a/./b", "a/"]


def _sha256_stream(store: Store, key: str) -> str:
    digest = hashlib.sha256()
    with store.open(key) as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def test_store_satisfies_protocol(store: Store) -> None:
    assert isinstance(store, Store)


def test_put_and_read_bytes(store: Store) -> None:
    store.put_bytes("programmes/1/master.m3u8", b"#EXTM3U\n")
    assert store.read_bytes("programmes/1/master.m3u8") == b"#EXTM3U\n"
    assert store.exists("programmes/1/master.m3u8")
    assert not store.exists("programmes/1/other.m3u8")


def test_put_empty_object(store: Store) -> None:
    store.put_bytes("empty.bin", b"")
    assert store.read_bytes("empty.bin") == b""
    assert store.stat("empty.bin").size == 0


def test_put_file_and_download(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "source.ts"
    source.write_bytes(b"\x47" * 188 * 10)
    store.put_file("a/seg_00000.ts", source)
    target = tmp_path / "out" / "nested" / "copy.ts"
    store.download("a/seg_00000.ts", target)
    assert target.read_bytes() == source.read_bytes()


def test_unicode_keys_round_trip(store: Store) -> None:
    store.put_bytes(VIETNAMESE_KEY, "Điều 8. Điều kiện kết hôn".encode())
    assert store.read_bytes(VIETNAMESE_KEY).decode() == "Điều 8. Điều kiện kết hôn"
    assert [info.key for info in store.iter_keys("")] == [VIETNAMESE_KEY]
    assert store.stat(VIETNAMESE_KEY).key == VIETNAMESE_KEY


def test_overwrite_replaces_content(store: Store) -> None:
    store.put_bytes("k.json", b'{"v": 1, "long": "xxxxxxxxxxxxxxxx"}')
    store.put_bytes("k.json", b'{"v": 2}')
    assert store.read_bytes("k.json") == b'{"v": 2}'
    assert store.stat("k.json").size == len(b'{"v": 2}')
    assert [info.key for info in store.iter_keys("")] == ["k.json"]


def test_stat_reports_size_time_and_etag(store: Store) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    store.put_bytes("x/poster.jpg", b"\xff\xd8" + b"0" * 998)
    info = store.stat("x/poster.jpg")
    assert isinstance(info, ObjectInfo)
    assert info.key == "x/poster.jpg"
    assert info.size == 1000
    assert info.modified.utcoffset() == timedelta(0)
    assert before <= info.modified <= datetime.now(UTC) + timedelta(seconds=5)
    assert info.etag


def test_open_streams_and_closes(store: Store) -> None:
    payload = os.urandom(300_000)
    store.put_bytes("big.bin", payload)
    with store.open("big.bin") as stream:
        assert stream.read(10) == payload[:10]
        assert stream.read() == payload[10:]
    assert stream.closed


@pytest.mark.parametrize(
    "call",
    [
        lambda s, p: s.read_bytes("missing/key"),
        lambda s, p: s.stat("missing/key"),
        lambda s, p: s.open("missing/key"),
        lambda s, p: s.download("missing/key", p / "out.bin"),
    ],
    ids=["read_bytes", "stat", "open", "download"],
)
def test_missing_key_is_not_found(store: Store, tmp_path: Path, call: Callable[[Store, Path], Any]) -> None:
    with pytest.raises(NotFound) as caught:
        call(store, tmp_path)
    assert caught.value.key == "missing/key"
    assert isinstance(caught.value, StorageError)
    assert not (tmp_path / "out.bin").exists()


def test_folder_is_not_an_object(store: Store) -> None:
    store.put_bytes("dir/child.txt", b"x")
    assert not store.exists("dir")
    with pytest.raises(NotFound):
        store.read_bytes("dir")


def test_delete_is_idempotent(store: Store) -> None:
    store.put_bytes("d/one.txt", b"1")
    store.delete("d/one.txt")
    assert not store.exists("d/one.txt")
    store.delete("d/one.txt")
    store.delete("never/existed.txt")
    assert list(store.iter_keys("")) == []


BAD_KEY_CALLS: dict[str, Callable[[Store, str, Path], Any]] = {
    "put_bytes": lambda s, k, p: s.put_bytes(k, b"x"),
    "put_file": lambda s, k, p: s.put_file(k, p),
    "open": lambda s, k, p: s.open(k),
    "read_bytes": lambda s, k, p: s.read_bytes(k),
    "download": lambda s, k, p: s.download(k, p.with_name("dl.bin")),
    "exists": lambda s, k, p: s.exists(k),
    "stat": lambda s, k, p: s.stat(k),
    "delete": lambda s, k, p: s.delete(k),
    "url": lambda s, k, p: s.url(k),
}


@pytest.mark.parametrize("method", sorted(BAD_KEY_CALLS))
def test_bad_keys_refused_by_every_method(store: Store, tmp_path: Path, method: str) -> None:
    source = tmp_path / "src.bin"
    source.write_bytes(b"x")
    for key in BAD_KEYS:
        with pytest.raises(InvalidKey):
            BAD_KEY_CALLS[method](store, key, source)
    assert list(store.iter_keys("")) == []
    assert not (tmp_path / "escape").exists()


@pytest.mark.parametrize("prefix", ["a", "../", "/abs/", "a//", "a\x00/"])
def test_bad_prefixes_refused(store: Store, prefix: str) -> None:
    with pytest.raises(InvalidKey):
        store.list_page(prefix)
    with pytest.raises(InvalidKey):
        store.delete_prefix(prefix)
    with pytest.raises(InvalidKey):
        list(store.iter_keys(prefix))


def test_listing_sorted_by_key_and_scoped_to_prefix(store: Store) -> None:
    keys = ["p/b.ts", "p/a-c.ts", "p/a/b.ts", "p/a/a.ts", "q/x.ts", "p2/y.ts"]
    for key in keys:
        store.put_bytes(key, key.encode())
    listed = [info.key for info in store.iter_keys("p/")]
    assert listed == sorted(k for k in keys if k.startswith("p/"))
    assert [info.size for info in store.iter_keys("p/")] == [len(k) for k in listed]
    assert [info.key for info in store.iter_keys("")] == sorted(keys)
    assert list(store.iter_keys("nothing/")) == []


def test_list_page_small_limit_walks_every_key_once(store: Store) -> None:
    keys = [f"s/{i:02d}.txt" for i in range(7)]
    for key in keys:
        store.put_bytes(key, b"x")
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = store.list_page("s/", limit=3, cursor=cursor)
        assert isinstance(page, Page)
        assert len(page.items) <= 3
        seen.extend(info.key for info in page.items)
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == keys
    assert pages == 3


def test_list_page_refuses_bad_limit(store: Store) -> None:
    with pytest.raises(StorageError):
        store.list_page("", limit=0)
    with pytest.raises(StorageError):
        store.list_page("", limit=1001)


def _put_many(store: Store, keys: list[str]) -> None:
    if isinstance(store, S3Store):
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(lambda key: store.put_bytes(key, key.encode()), keys))
    else:
        for key in keys:
            store.put_bytes(key, key.encode())


@pytest.mark.slow
def test_listing_more_than_a_thousand_keys_paginates(store: Store) -> None:
    keys = [f"many/{i:04d}/seg.ts" for i in range(1100)]
    _put_many(store, keys)
    first = store.list_page("many/")
    assert len(first.items) == 1000
    assert first.next_cursor is not None
    second = store.list_page("many/", cursor=first.next_cursor)
    assert len(second.items) == 100
    assert second.next_cursor is None
    assert [i.key for i in first.items + second.items] == keys
    assert [info.key for info in store.iter_keys("many/")] == keys
    assert store.delete_prefix("many/") == 1100
    assert list(store.iter_keys("")) == []


def test_delete_prefix_removes_only_the_prefix(store: Store) -> None:
    for key in ["prog/1/a.ts", "prog/1/sub/b.ts", "prog/10/c.ts", "prog/2/d.ts"]:
        store.put_bytes(key, b"x")
    assert store.delete_prefix("prog/1/") == 2
    assert [info.key for info in store.iter_keys("")] == ["prog/10/c.ts", "prog/2/d.ts"]
    assert store.delete_prefix("prog/1/") == 0
    assert store.delete_prefix("") == 2
    assert list(store.iter_keys("")) == []


def test_url(store: Store) -> None:
    store.put_bytes("tập 1/index.m3u8", b"#EXTM3U\n#EXT-X-ENDLIST\n")
    url = store.url("tập 1/index.m3u8", expires_seconds=120)
    if isinstance(store, LocalStore):
        assert url == "/media/t%E1%BA%ADp%201/index.m3u8"
    else:
        response = httpx.get(url, timeout=10)
        assert response.status_code == 200
        assert response.content == b"#EXTM3U\n#EXT-X-ENDLIST\n"
        assert response.headers["content-type"] == "application/vnd.apple.mpegurl"


def test_ping_live_store(store: Store) -> None:
    store.ping()


def _dead_twin(store: Store, tmp_path: Path, free_port: int) -> Store:
    if isinstance(store, LocalStore):
        dead = LocalStore(tmp_path / "gone")
        (tmp_path / "gone").rmdir()
        return dead
    assert isinstance(store, S3Store)
    return S3Store(
        bucket=store.bucket,
        endpoint_url=f"http://127.0.0.1:{free_port}",
        access_key_id="x",
        secret_access_key="y",
    )


def test_ping_dead_store_fails_fast(store: Store, tmp_path: Path, unused_port: int) -> None:
    dead = _dead_twin(store, tmp_path, unused_port)
    started = time.monotonic()
    with pytest.raises(StorageError):
        dead.ping()
    assert time.monotonic() - started < 5


@pytest.mark.slow
def test_large_file_round_trip(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "programme.ts"
    with source.open("wb") as out:
        for _ in range(100):
            out.write(os.urandom(1024 * 1024))
    expected = _sha256_file(source)
    store.put_file("programmes/big/source.ts", source)
    assert store.stat("programmes/big/source.ts").size == 100 * 1024 * 1024
    assert _sha256_stream(store, "programmes/big/source.ts") == expected
    target = tmp_path / "copy.ts"
    store.download("programmes/big/source.ts", target)
    assert _sha256_file(target) == expected
    if isinstance(store, S3Store):
        etag = store.stat("programmes/big/source.ts").etag or ""
        match = re.search(r"-(\d+)$", etag)
        assert match, f"not a multipart ETag: {etag!r}"
        assert int(match.group(1)) == 13  # 100 MiB in 8 MiB parts
