from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from storage import LocalStore
from tests.transcoder.checks import assert_house_format, integrated_loudness
from tests.transcoder.conftest import ffprobe_json
from transcoder.chunk_pipeline import transcode_chunked
from transcoder.house import HouseFormat
from transcoder.pipeline import transcode

pytestmark = pytest.mark.slow


def _keyframe_times(playlist: Path) -> list[str]:
    packets = ffprobe_json(playlist, "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags")
    return [packet["pts_time"] for packet in packets["packets"] if "K" in packet["flags"]]


@pytest.mark.parametrize("name", ["loud", "vp9"])
def test_chunked_is_structurally_identical_to_single(
    name: str, media: Callable[[str], Path], tmp_path: Path
) -> None:
    profile = HouseFormat.with_heights((180, 144), preset="veryfast", segment_seconds=2.0, gop_seconds=1.0)
    store = LocalStore(tmp_path / "store")
    store.put_file("up/src", media(name))
    single = transcode(
        store=store,
        source_key="up/src",
        output_prefix="single/",
        profile=profile,
        workdir=tmp_path / "w",
        timeout=120,
    )
    chunked = transcode_chunked(
        store=store,
        source_key="up/src",
        output_prefix="chunked/",
        profile=profile,
        workdir=tmp_path / "w",
        chunk_seconds=4.0,
        timeout=120,
    )
    assert_house_format(store.root / "chunked", profile)
    assert chunked.segment_durations == single.segment_durations
    assert [r.segments for r in chunked.renditions] == [r.segments for r in single.renditions]
    for rung in profile.rungs:
        assert _keyframe_times(store.root / "chunked" / rung.name / "index.m3u8") == _keyframe_times(
            store.root / "single" / rung.name / "index.m3u8"
        )
    if name == "loud":
        assert abs(integrated_loudness(store.root / "chunked/180p/index.m3u8") + 23) <= 1.0
