"""What only `LocalStore` has to guarantee: atomic writes, no escape from the root, folder clashes."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from storage import InvalidKey, LocalStore, StorageError
from storage.local import TEMP_PREFIX


def _all_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_interrupted_write_leaves_no_partial_object(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_bytes("p/master.m3u8", b"old")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        store.put_bytes("p/master.m3u8", b"new content that never lands")
    with pytest.raises(OSError, match="No space left"):
        store.put_bytes("p/other.m3u8", b"never")
    monkeypatch.undo()
    assert store.read_bytes("p/master.m3u8") == b"old"
    assert not store.exists("p/other.m3u8")
    assert [info.key for info in store.iter_keys("")] == ["p/master.m3u8"]
    assert _all_files(store.root) == ["p/master.m3u8"]


def test_interrupted_put_file_leaves_nothing(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    with pytest.raises(FileNotFoundError):
        store.put_file("p/seg.ts", tmp_path / "does-not-exist.ts")
    assert _all_files(store.root) == []


def test_stray_temp_files_never_listed(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_bytes("p/a.ts", b"a")
    (store.root / "p" / f"{TEMP_PREFIX}crashed").write_bytes(b"half")
    assert [info.key for info in store.iter_keys("")] == ["p/a.ts"]
    assert store.delete_prefix("p/") == 1


def test_temp_prefix_is_reserved(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    with pytest.raises(InvalidKey):
        store.put_bytes(f"p/{TEMP_PREFIX}x", b"x")


def test_keys_map_inside_root(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    assert store.path_for("a/b c/đ.ts") == store.root / "a" / "b c" / "đ.ts"
    store.put_bytes("a/b c/đ.ts", b"x")
    assert (store.root / "a" / "b c" / "đ.ts").read_bytes() == b"x"


def test_symlink_out_of_root_is_refused(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    outside = tmp_path / "outside"
    outside.mkdir()
    (store.root / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidKey, match="outside the store"):
        store.put_bytes("link/evil.txt", b"x")
    assert list(outside.iterdir()) == []


def test_object_cannot_become_a_folder(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_bytes("a", b"file")
    with pytest.raises(StorageError, match="'a' is an object"):
        store.put_bytes("a/b", b"x")
    assert store.read_bytes("a") == b"file"


def test_folder_cannot_become_an_object(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_bytes("a/b", b"x")
    with pytest.raises(StorageError, match="other objects are stored under 'a/'"):
        store.put_bytes("a", b"file")
    store.delete("a/b")
    store.put_bytes("a", b"file")
    assert store.read_bytes("a") == b"file"


def test_delete_prunes_empty_folders_but_keeps_root(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_bytes("x/y/z.ts", b"1")
    store.put_bytes("x/keep.ts", b"2")
    store.delete("x/y/z.ts")
    assert not (store.root / "x" / "y").exists()
    assert (store.root / "x" / "keep.ts").exists()
    store.delete_prefix("")
    assert store.root.is_dir()
    assert list(store.root.iterdir()) == []


def test_download_overwrites_atomically(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_bytes("k.bin", b"new")
    target = tmp_path / "target.bin"
    target.write_bytes(b"old old old")
    store.download("k.bin", target)
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store", "target.bin"]


def test_url_uses_public_base(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "s", public_base_url="http://127.0.0.1:8000/media/")
    assert store.url("chương trình/a#b?.ts") == (
        "http://127.0.0.1:8000/media/ch%C6%B0%C6%A1ng%20tr%C3%ACnh/a%23b%3F.ts"
    )


def test_ping_missing_root(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "s")
    store.ping()
    shutil.rmtree(store.root)
    with pytest.raises(StorageError, match="does not exist"):
        store.ping()


def test_concurrent_puts_and_deletes_in_one_folder(tmp_path: Path) -> None:
    """Deletes prune empty folders while other writers create files there; neither may fail."""
    store = LocalStore(tmp_path / "store")

    def churn(worker: int) -> None:
        for i in range(150):
            key = f"race/deep/w{worker}-{i}.ts"
            store.put_bytes(key, b"x")
            store.delete(key)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(churn, range(4)))
    assert list(store.iter_keys("")) == []


def test_objects_are_world_readable(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_bytes("p/seg.ts", b"x")
    assert store.path_for("p/seg.ts").stat().st_mode & 0o777 == 0o644
