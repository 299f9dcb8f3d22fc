"""A complete prefix is never re-encoded; a failed job leaves nothing and keeps its own error."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from storage import LocalStore, NotFound, StorageError
from tests.transcoder.test_describe import DESCRIPTION
from transcoder.chunk_pipeline import transcode_chunked
from transcoder.describe import Description
from transcoder.house import HouseFormat
from transcoder.pipeline import transcode
from transcoder.publish import job_folder, publish, stored_description
from transcoder.slate import make_slate

PREFIX = "programmes/p1/r1/"
SMALL = HouseFormat.with_heights((180, 144), preset="ultrafast", segment_seconds=2.0, gop_seconds=1.0)


class WatchedStore(LocalStore):
    """Fails any attempt to fetch a source or to delete, so a skipped job is provably untouched."""

    def download(self, key: str, path: Path) -> None:
        raise AssertionError(f"a complete programme was downloaded again ({key})")

    def delete_prefix(self, prefix: str) -> int:
        raise AssertionError(f"a complete programme was deleted ({prefix})")


def _complete(store: LocalStore) -> None:
    for key in DESCRIPTION.renditions[0].segments:
        store.put_bytes(PREFIX + key, b"ts")
    store.put_bytes(PREFIX + "description.json", DESCRIPTION.to_json())
    store.put_bytes(PREFIX + "master.m3u8", b"#EXTM3U\n")


def test_stored_description_needs_master_and_description(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    assert stored_description(store, PREFIX) is None
    store.put_bytes(PREFIX + "description.json", DESCRIPTION.to_json())
    assert stored_description(store, PREFIX) is None, "no master: an upload stopped half way"
    store.put_bytes(PREFIX + "master.m3u8", b"#EXTM3U\n")
    assert stored_description(store, PREFIX) == DESCRIPTION


@pytest.mark.parametrize("encode", [transcode, transcode_chunked], ids=["whole", "chunked"])
def test_redelivered_transcode_returns_the_stored_programme(
    tmp_path: Path, encode: Callable[..., Description]
) -> None:
    store = WatchedStore(tmp_path / "store")
    _complete(store)
    got = encode(
        store=store,
        source_key="uploads/gone.mp4",
        output_prefix=PREFIX,
        profile=SMALL,
        workdir=tmp_path / "w",
    )
    assert got == DESCRIPTION
    assert store.exists(PREFIX + "1080p/seg_00002.ts")


def test_redelivered_slate_returns_the_stored_programme(tmp_path: Path) -> None:
    store = WatchedStore(tmp_path / "store")
    _complete(store)
    slate = make_slate(store=store, output_prefix=PREFIX, profile=SMALL, workdir=tmp_path / "w")
    assert slate == DESCRIPTION


class BrokenDeleteStore(LocalStore):
    def delete_prefix(self, prefix: str) -> int:
        raise StorageError("the store is down")


def test_failed_clean_up_never_hides_the_original_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = BrokenDeleteStore(tmp_path / "store")

    def fetch_missing_source() -> None:
        with job_folder(tmp_path / "w", kind="t", store=store, clean_prefix=PREFIX) as folder:
            store.download("uploads/missing.mp4", folder / "s.mp4")

    with caplog.at_level(logging.ERROR, logger="transcoder.publish"), pytest.raises(NotFound):
        fetch_missing_source()
    assert "could not clean up programmes/p1/r1/" in caplog.text
    assert list((tmp_path / "w").iterdir()) == []


def test_publish_cleans_the_prefix_after_a_failure(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_bytes(PREFIX + "180p/seg_00000.ts", b"partial")

    def produce(job_dir: Path) -> tuple[Path, Description]:
        raise RuntimeError("encode broke")

    with pytest.raises(RuntimeError, match="encode broke"):
        publish(store, output_prefix=PREFIX, workdir=tmp_path / "w", kind="t", produce=produce)
    assert list(store.iter_keys(PREFIX)) == []
