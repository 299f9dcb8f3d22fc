"""The pure rules: quota decisions, part sizes, the tus headers of an upload, the package's exports."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime

import pytest

import channel.uploads
from channel.uploads import Quotas, Target, TusError, UploadInfo, UploadLimits, Usage
from channel.uploads.quotas import bytes_room, check_creation, scaled
from channel.uploads.router import upload_headers
from channel.uploads.service import effective_part_bytes

QUOTAS = Quotas(concurrent_uploads=3, pending_bytes=100, queued_transcodes=2)
MiB = 1024 * 1024


@pytest.mark.parametrize(
    ("usage", "length", "refusal"),
    [
        (Usage(open_uploads=2, pending_bytes=0), 100, None),  # exactly at both limits
        (Usage(open_uploads=3, pending_bytes=0), 1, (429, "upload_quota_count")),
        (Usage(open_uploads=0, pending_bytes=60), 41, (413, "upload_quota_bytes")),
        (Usage(open_uploads=0, pending_bytes=100), None, None),  # deferred: bounded while it streams
        (Usage(open_uploads=3, pending_bytes=100), None, (429, "upload_quota_count")),  # count first
    ],
)
def test_creation_quota(usage: Usage, length: int | None, refusal: tuple[int, str] | None) -> None:
    if refusal is None:
        check_creation(usage, QUOTAS, length=length)
        return
    with pytest.raises(TusError) as refused:
        check_creation(usage, QUOTAS, length=length)
    assert (refused.value.status, refused.value.code) == refusal
    vietnamese, english = refused.value.message.split(" / ", 1)
    assert vietnamese
    assert english


def test_room_and_scaling() -> None:
    assert bytes_room(Usage(open_uploads=0, pending_bytes=30), QUOTAS) == 70
    assert bytes_room(Usage(open_uploads=0, pending_bytes=130), QUOTAS) == 0
    assert scaled(QUOTAS, 5) == Quotas(concurrent_uploads=15, pending_bytes=500, queued_transcodes=10)


@pytest.mark.parametrize(
    ("max_size", "part_bytes", "expected"),
    [(8 * 1024**3, 8 * MiB, 8 * MiB), (100 * 1024**3, 8 * MiB, 11 * MiB), (1024, 5 * MiB, 5 * MiB)],
)
def test_parts_stay_within_ten_thousand(max_size: int, part_bytes: int, expected: int) -> None:
    assert effective_part_bytes(UploadLimits(max_size=max_size, part_bytes=part_bytes)) == expected
    assert max_size <= 10_000 * expected


def test_upload_headers() -> None:
    when = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    info = UploadInfo(
        id="a" * 32,
        owner_id="u",
        length=None,
        offset=5,
        metadata={"filename": "Luật.mp4"},
        created=when,
        expires=when,
        target=Target(key="k"),
    )
    assert upload_headers(info, head=True) == {
        "Upload-Offset": "5",
        "Cache-Control": "no-store",
        "Upload-Expires": "Mon, 30 Nov 2026 08:00:00 GMT",
        "Upload-Defer-Length": "1",
        "Upload-Metadata": "filename THXhuq10Lm1wNA==",
    }
    done = UploadInfo(
        id="a" * 32,
        owner_id="u",
        length=5,
        offset=5,
        metadata={},
        created=when,
        expires=when,
        target=Target(key="k"),
        stored=True,
        finished=True,
        result_headers={"X-Programme-Id": "p"},
    )
    assert upload_headers(done) == {"Upload-Offset": "5", "Cache-Control": "no-store", "X-Programme-Id": "p"}


def test_every_module_declares_what_it_exports() -> None:
    for name in channel.uploads.__all__:
        assert hasattr(channel.uploads, name), name
    for module_info in pkgutil.iter_modules(channel.uploads.__path__):
        module = importlib.import_module(f"channel.uploads.{module_info.name}")
        for name in module.__all__:
            assert hasattr(module, name), f"{module_info.name}.{name}"
