"""`LocalStore`: object storage in a folder, the embedded default.

Writes are atomic (a temporary file in the same folder, fsync, rename), so a reader sees the
old object or the new one, never half of one; keys can never name a file outside the root.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from storage.base import ObjectInfo, Page, walk_pages
from storage.errors import InvalidKey, NotFound, StorageError
from storage.keys import validate_key, validate_prefix
from storage.local_multipart import StagedUploads
from storage.multipart import Part, PendingMultipart

__all__ = ["MULTIPART_FOLDER", "TEMP_PREFIX", "LocalStore"]

# Temporary files and folders start with this; listings skip them and keys may not use it.
TEMP_PREFIX = ".legaltv-tmp-"
#: staging folder of multipart uploads, inside the root (so completing one is a rename)
MULTIPART_FOLDER = f"{TEMP_PREFIX}multipart"
_COPY_CHUNK = 1024 * 1024
_RACE_RETRIES = 5
# mkstemp creates 0600 files; objects are public media, readable by a web server such as nginx.
_FILE_MODE = 0o644


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable: the folder entry, not only the file, must reach the disk."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except FileNotFoundError:  # a concurrent delete already removed the object and its folder
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open_temp_beside(target: Path, *, blocked_message: str) -> tuple[int, str]:
    """Create `target`'s folder and a temp file in it, retrying when a concurrent delete prunes it."""
    for attempt in range(_RACE_RETRIES):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            return tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
        except (FileNotFoundError, FileExistsError) as exc:
            # mkdir saw the folder, then a delete pruned it before the check or the mkstemp.
            if attempt == _RACE_RETRIES - 1:
                raise StorageError(blocked_message) from exc
        except NotADirectoryError as exc:
            raise StorageError(blocked_message) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _write_atomically(target: Path, fill: Callable[[BinaryIO], None], *, blocked_message: str) -> None:
    """Write via a temp file beside `target`, then rename over it; clean up on any failure."""
    fd, temp_name = _open_temp_beside(target, blocked_message=blocked_message)
    try:
        os.fchmod(fd, _FILE_MODE)
        with os.fdopen(fd, "wb") as out:
            fill(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_dir(target.parent)


def _blocked(key: str) -> str:
    return f"cannot write {key!r}: a parent of it is an object, not a folder"


class LocalStore:
    """A `Store` over the folder `root`; `url()` points at the app's media route."""

    def __init__(self, root: Path, *, public_base_url: str = "/media") -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.public_base_url = public_base_url.rstrip("/")
        self._staged = StagedUploads(self.root / MULTIPART_FOLDER)

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    # -- keys and paths -------------------------------------------------------------------

    def path_for(self, key: str) -> Path:
        """The file that holds `key` (it may not exist); guaranteed to lie inside the root."""
        validate_key(key)
        if any(segment.startswith(TEMP_PREFIX) for segment in key.split("/")):
            raise InvalidKey(f"key segments may not start with {TEMP_PREFIX!r}: {key!r}")
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise InvalidKey(f"key {key!r} points outside the store")
        return path

    def _key_of(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _existing_file(self, key: str) -> Path:
        path = self.path_for(key)
        if not path.is_file():
            raise NotFound(key)
        return path

    def _check_parents(self, key: str, path: Path) -> None:
        """Refuse, saying which key is in the way, when an object sits where a folder must (or back)."""
        if path.is_dir():
            raise StorageError(f"cannot write {key!r}: other objects are stored under {key + '/'!r}")
        for parent in reversed(path.parents):
            if parent.is_relative_to(self.root) and parent != self.root and parent.is_file():
                blocker = self._key_of(parent)
                raise StorageError(
                    f"cannot write {key!r}: {blocker!r} is an object, so it cannot be a folder"
                )

    # -- writing ----------------------------------------------------------------------------

    def put_bytes(self, key: str, data: bytes, *, content_type: str | None = None) -> None:
        """Store `data`; `content_type` is not kept (the media route guesses it from the key)."""
        path = self.path_for(key)
        self._check_parents(key, path)

        def fill(out: BinaryIO) -> None:
            out.write(data)

        _write_atomically(path, fill, blocked_message=_blocked(key))

    def put_file(self, key: str, path: Path, *, content_type: str | None = None) -> None:
        """Copy the file at `path` into the store; `content_type` is not kept."""
        target = self.path_for(key)
        self._check_parents(key, target)

        def fill(out: BinaryIO) -> None:
            with open(path, "rb") as source:
                shutil.copyfileobj(source, out, _COPY_CHUNK)

        _write_atomically(target, fill, blocked_message=_blocked(key))

    # -- reading ----------------------------------------------------------------------------

    def open(self, key: str) -> BinaryIO:
        path = self.path_for(key)
        try:
            return open(path, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise NotFound(key) from exc

    def read_bytes(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def download(self, key: str, path: Path) -> None:
        source = self._existing_file(key)
        target = Path(path)

        def fill(out: BinaryIO) -> None:
            with open(source, "rb") as stream:
                shutil.copyfileobj(stream, out, _COPY_CHUNK)

        _write_atomically(
            target, fill, blocked_message="cannot create the download folder: a file is in the way"
        )

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def stat(self, key: str) -> ObjectInfo:
        path = self.path_for(key)
        try:
            info = path.stat()
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise NotFound(key) from exc
        if not path.is_file():
            raise NotFound(key)
        return self._info(key, info)

    @staticmethod
    def _info(key: str, info: os.stat_result) -> ObjectInfo:
        return ObjectInfo(
            key=key,
            size=info.st_size,
            modified=datetime.fromtimestamp(info.st_mtime, tz=UTC),
            etag=f"{info.st_mtime_ns:x}-{info.st_size:x}",
        )

    # -- deleting ---------------------------------------------------------------------------

    def _prune_empty_parents(self, path: Path) -> None:
        """Remove folders emptied by a delete, so `a` can later be written where `a/b` was."""
        for parent in path.parents:
            if parent == self.root or not parent.is_relative_to(self.root):
                return
            try:
                parent.rmdir()
            except OSError as exc:
                if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT):
                    return
                raise

    def delete(self, key: str) -> None:
        path = self.path_for(key)
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return
        self._prune_empty_parents(path)

    def delete_prefix(self, prefix: str) -> int:
        removed = 0
        for info in list(self._walk(prefix)):
            path = self.root / info.key
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
                self._prune_empty_parents(path)
        return removed

    # -- listing ----------------------------------------------------------------------------

    def _walk(self, prefix: str) -> Iterator[ObjectInfo]:
        """Every object under `prefix`, unsorted; temporary files are never objects."""
        validate_prefix(prefix)
        start = (self.root / prefix).resolve() if prefix else self.root
        if not start.is_relative_to(self.root) or not start.is_dir():
            return
        for folder, dirs, files in os.walk(start):
            dirs[:] = [name for name in dirs if not name.startswith(TEMP_PREFIX)]
            base = Path(folder)
            for name in files:
                if name.startswith(TEMP_PREFIX):
                    continue
                path = base / name
                with contextlib.suppress(FileNotFoundError):
                    yield self._info(self._key_of(path), path.stat())

    def list_page(self, prefix: str, *, limit: int = 1000, cursor: str | None = None) -> Page:
        """Objects sorted by key; the cursor is the last key of the previous page, so it is stable."""
        if not 1 <= limit <= 1000:
            raise StorageError(f"limit must be between 1 and 1000, not {limit}")
        infos = sorted(
            (info for info in self._walk(prefix) if cursor is None or info.key > cursor),
            key=lambda info: info.key,
        )
        page = tuple(infos[:limit])
        next_cursor = page[-1].key if len(infos) > limit else None
        return Page(items=page, next_cursor=next_cursor)

    def iter_keys(self, prefix: str) -> Iterator[ObjectInfo]:
        return walk_pages(self.list_page, prefix)

    # -- writing in parts (see storage.multipart) ------------------------------------------

    def start_multipart(self, key: str, *, content_type: str | None = None) -> str:
        target = self.path_for(key)
        self._check_parents(key, target)
        return self._staged.start(key)

    def upload_part(self, key: str, upload_id: str, *, number: int, path: Path) -> Part:
        self.path_for(key)
        return self._staged.put_part(key, upload_id, number=number, path=path)

    def complete_multipart(self, key: str, upload_id: str, parts: Sequence[Part]) -> None:
        """Rename the staging file into place: no copy, whatever its size."""
        target = self.path_for(key)
        self._check_parents(key, target)
        data = self._staged.finish(key, upload_id, parts)
        for attempt in range(_RACE_RETRIES):
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(data, _FILE_MODE)
                os.replace(data, target)
                break
            except FileNotFoundError as exc:  # a concurrent delete pruned the folder between the two steps
                if attempt == _RACE_RETRIES - 1:
                    raise StorageError(_blocked(key)) from exc
            except NotADirectoryError as exc:
                raise StorageError(_blocked(key)) from exc
        _fsync_dir(target.parent)
        self._staged.drop(upload_id)

    def abort_multipart(self, key: str, upload_id: str) -> None:
        self._staged.drop(upload_id)

    def list_multipart(self, prefix: str) -> Iterator[PendingMultipart]:
        validate_prefix(prefix)
        return self._staged.pending(prefix)

    # -- addressing and health --------------------------------------------------------------

    def url(self, key: str, *, expires_seconds: int = 3600) -> str:
        """The app's media route for `key`; it never expires (the route applies its own rules)."""
        validate_key(key)
        return f"{self.public_base_url}/{quote(key, safe='/')}"

    def ping(self) -> None:
        if not self.root.is_dir():
            raise StorageError(f"storage folder {str(self.root)!r} does not exist")
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageError(f"storage folder {str(self.root)!r} is not writable")
