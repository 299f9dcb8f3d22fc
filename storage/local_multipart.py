"""Multipart uploads of `LocalStore`: one growing data file and one small index per upload.

Parts arrive in order (the uploads service writes them so), so each part is appended to the staging file
after cutting it back to the end of the part before; completing verifies the tags and hands the file over
to be renamed into place, which costs nothing however large the object is.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storage.errors import StorageError
from storage.multipart import MultipartGone, Part, PendingMultipart, check_part_number

__all__ = ["StagedUploads"]

_ID = re.compile(r"[0-9a-f]{32}")
_COPY_CHUNK = 1024 * 1024


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StagedUploads:
    """The staging folder of a local store's multipart uploads (never listed as objects)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _files(self, upload_id: str) -> tuple[Path, Path]:
        if not _ID.fullmatch(upload_id):
            raise MultipartGone(f"no multipart upload {upload_id!r}")
        return self.folder / f"{upload_id}.data", self.folder / f"{upload_id}.json"

    def _load(self, upload_id: str) -> dict[str, Any]:
        _, index = self._files(upload_id)
        try:
            loaded: dict[str, Any] = json.loads(index.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise MultipartGone(f"no multipart upload {upload_id!r}") from None
        return loaded

    def _save(self, upload_id: str, state: dict[str, Any]) -> None:
        """Replace the index atomically: a crash leaves the old one or the new one."""
        _, index = self._files(upload_id)
        tmp = index.with_name(f"{index.name}.{secrets.token_hex(4)}.tmp")
        try:
            with tmp.open("w", encoding="utf-8") as out:
                json.dump(state, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, index)
        finally:
            tmp.unlink(missing_ok=True)

    def start(self, key: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        upload_id = secrets.token_hex(16)
        data, _ = self._files(upload_id)
        data.touch(mode=0o600, exist_ok=False)
        self._save(upload_id, {"key": key, "started": datetime.now(UTC).isoformat(), "parts": []})
        return upload_id

    def put_part(self, key: str, upload_id: str, *, number: int, path: Path) -> Part:
        """Append `path` as part `number`, dropping any stored part numbered `number` or later."""
        check_part_number(number)
        state = self._load(upload_id)
        if state["key"] != key:
            raise MultipartGone(f"multipart upload {upload_id!r} is not for {key!r}")
        kept = [p for p in state["parts"] if p["number"] < number]
        if len(kept) != number - 1:
            raise StorageError(f"part {number} of {upload_id!r} must follow part {len(kept)}")
        data, _ = self._files(upload_id)
        digest = hashlib.sha1(usedforsecurity=False)
        with data.open("r+b") as out, path.open("rb") as source:
            out.truncate(sum(int(p["size"]) for p in kept))
            out.seek(0, os.SEEK_END)
            start = out.tell()
            while block := source.read(_COPY_CHUNK):
                digest.update(block)
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
            size = out.tell() - start
        # the tag is a digest of the bytes (S3's is their MD5): the same bytes put again keep their tag,
        # different ones change it, so a completion listing what is no longer stored is refused
        part = Part(number=number, etag=digest.hexdigest(), size=size)
        state["parts"] = [*kept, {"number": number, "etag": part.etag, "size": size}]
        self._save(upload_id, state)
        return part

    def finish(self, key: str, upload_id: str, parts: Sequence[Part]) -> Path:
        """Check `parts` against what was stored and cut the data file to them; returns the file to install."""
        state = self._load(upload_id)
        stored = [(int(p["number"]), str(p["etag"])) for p in state["parts"]]
        wanted = [(p.number, p.etag) for p in parts]
        if state["key"] != key or wanted != stored:
            raise StorageError(f"the parts given do not match the parts stored for {upload_id!r}")
        data, _ = self._files(upload_id)
        with data.open("r+b") as out:
            out.truncate(sum(int(p["size"]) for p in state["parts"]))
        _fsync_file(data)
        return data

    def drop(self, upload_id: str) -> None:
        with contextlib.suppress(MultipartGone):
            for path in self._files(upload_id):
                path.unlink(missing_ok=True)

    def pending(self, prefix: str) -> Iterator[PendingMultipart]:
        if not self.folder.is_dir():
            return
        for index in sorted(self.folder.glob("*.json")):
            with contextlib.suppress(FileNotFoundError, ValueError, KeyError, MultipartGone):
                state = self._load(index.stem)
                if str(state["key"]).startswith(prefix):
                    started = datetime.fromisoformat(state["started"])
                    yield PendingMultipart(key=state["key"], upload_id=index.stem, started=started)
