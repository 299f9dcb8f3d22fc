"""Timing quirks of real sources (issue 10): every source frame exactly once, audio in sync from frame 1.

Sources number their own frames (`media.INDEXED`), so a lost or repeated frame is seen, not guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from storage import LocalStore
from tests.transcoder.checks import assert_house_format, frame_indices, silence_end
from tests.transcoder.conftest import ffprobe_json, transcoded
from transcoder.chunk_pipeline import transcode_chunked
from transcoder.house import HouseFormat
from transcoder.probe import probe

pytestmark = pytest.mark.slow

AAC_FRAME = 1024 / 48000


def _first_pts(segment: Path, selector: str) -> float:
    packets = ffprobe_json(segment, "-select_streams", selector, "-show_entries", "packet=pts_time")[
        "packets"
    ]
    return min(float(p["pts_time"]) for p in packets)


@pytest.mark.parametrize("name", ["late_audio_mp4", "late_audio_ts"])
def test_audio_starting_late_is_preceded_by_silence_from_the_first_frame(
    name: str, media: Callable[[str], Path], small_profile: HouseFormat, tmp_path: Path
) -> None:
    root, _ = transcoded(tmp_path, media(name), small_profile)
    assert_house_format(root, small_profile)  # each segment carries audio for its whole duration
    for rung in small_profile.rungs:
        first = root / rung.name / "seg_00000.ts"
        video, audio = _first_pts(first, "v:0"), _first_pts(first, "a:0")
        # the first audio packet (AAC priming included) starts with the first frame, not 1.5 s later
        assert video - AAC_FRAME - 0.002 <= audio <= video + 0.002, (video, audio)
        # and the tone starts where it started in the source: 1.5 s after the first frame
        assert silence_end(root / rung.name / "index.m3u8") == pytest.approx(1.5, abs=0.03)


@pytest.mark.parametrize(
    ("name", "interlaced"),
    [
        ("pal_interlaced_ps", True),  # MPEG-2 25i in MPEG-PS, video 0.16 s after the audio
        ("pal_interlaced_ts", True),  # the same in MPEG-TS (clock starting at 1.4 s)
        ("progressive_offset", False),  # 25p H.264 in MPEG-TS whose clock starts at 30 s
        ("late_video_mp4", False),  # 25p H.264 in MP4, video 0.2 s after the audio (edit list)
    ],
)
def test_every_source_frame_comes_out_exactly_once(
    name: str, interlaced: bool, media: Callable[[str], Path], small_profile: HouseFormat, tmp_path: Path
) -> None:
    source = media(name)
    info = probe(source)
    assert info.video is not None
    assert info.video.interlaced is interlaced
    frames = frame_indices(source)
    assert frames == list(range(len(frames)))  # the source itself is complete
    root, description = transcoded(tmp_path, source, small_profile)
    assert_house_format(root, small_profile)
    for rung in small_profile.rungs:
        assert frame_indices(root / rung.name / "index.m3u8") == frames, rung.name
    assert abs(description.duration - len(frames) / 25) < 1 / 25


def test_chunked_keeps_every_frame_of_an_offset_source(media: Callable[[str], Path], tmp_path: Path) -> None:
    # chunk seeks land on the programme's clock (the video's first frame), not the file's
    profile = HouseFormat.with_heights((144,), preset="ultrafast", segment_seconds=2.0, gop_seconds=1.0)
    store = LocalStore(tmp_path / "store")
    store.put_file("up/src.ts", media("pal_interlaced_ts"))
    transcode_chunked(
        store=store,
        source_key="up/src.ts",
        output_prefix="chunked/",
        profile=profile,
        workdir=tmp_path / "w",
        chunk_seconds=4.0,
        timeout=300,
    )
    assert frame_indices(store.root / "chunked/144p/index.m3u8") == list(range(250))
