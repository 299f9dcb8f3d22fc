from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest

from tests.transcoder.test_inputs import fenced_kwargs
from tests.transcoder.test_validate import INFO, VIDEO
from transcoder.chunk_plan import (
    ChunkRange,
    build_audio_encode,
    build_chunk_encode,
    build_package_rung,
    concat_list,
    plan_chunks,
)
from transcoder.house import HouseFormat
from transcoder.plan import plan_encode

SMALL = HouseFormat.with_heights((360, 240), preset="ultrafast", segment_seconds=2.0, gop_seconds=1.0)


def test_chunks_are_whole_segments_and_cover_everything() -> None:
    chunks = plan_chunks(frame_count=25 * 61 + 1, profile=HouseFormat(), chunk_seconds=20.0)
    assert [(c.start_frame, c.frame_count) for c in chunks] == [(0, 450), (450, 450), (900, 450), (1350, 176)]
    assert all(c.start_frame % 150 == 0 for c in chunks)
    assert [c.index for c in chunks] == [0, 1, 2, 3]
    assert chunks[1].start(25) == 18.0  # 20 s rounds to 3 segments of 6 s


@pytest.mark.parametrize("frames", [1, 149, 150, 151, 9000])
def test_chunk_planning_partitions_the_frames(frames: int) -> None:
    chunks = plan_chunks(frame_count=frames, profile=HouseFormat(), chunk_seconds=1.0)
    assert sum(c.frame_count for c in chunks) == frames
    assert all(a.start_frame + a.frame_count == b.start_frame for a, b in itertools.pairwise(chunks))
    assert ChunkRange.from_dict(chunks[-1].to_dict()) == chunks[-1]


def test_chunk_encode_seeks_and_counts_frames_video_only() -> None:
    plan = plan_encode(replace(INFO, video=replace(VIDEO, duration=10.0)), SMALL, None)
    args = build_chunk_encode(
        plan,
        ChunkRange(index=2, start_frame=100, frame_count=50),
        source=Path("/w/s.mp4"),
        outdir=Path("/w/c"),
    )
    # seek 2 s early (an open GOP's leading frames), then trim to half a frame before frame 100
    assert args[args.index("-i") - 7 : args.index("-i") + 2] == fenced_kwargs(
        "file:/w/s.mp4", "-ss", "1.980000"
    )
    assert args[args.index("-filter_complex") + 1].startswith(
        "[0:v:0]trim=start=2.000000[s0];[s0]setpts=expr=PTS-STARTPTS[s1];[s1]fps=fps=25[s2];[s2]split=2[s3][s4];"
    )
    assert args.count("-an") == 2
    assert args.count("50") >= 2  # -frames:v 50 on both rungs
    assert args[-1] == "/w/c/240p/chunk_00002.mp4"
    assert "/w/c/360p/chunk_00002.mp4" in args
    first = build_chunk_encode(
        plan, ChunkRange(index=0, start_frame=0, frame_count=50), source=Path("/w/s.mp4"), outdir=Path("/w/c")
    )
    assert "-ss" not in first
    assert "trim" not in first[first.index("-filter_complex") + 1]
    # near the start the seek cannot go 2 s back: no seek, the trim alone; `plan.start` shifts both
    late = replace(plan, start=0.5)
    near = build_chunk_encode(
        late,
        ChunkRange(index=1, start_frame=25, frame_count=25),
        source=Path("/w/s.mp4"),
        outdir=Path("/w/c"),
    )
    assert "-ss" not in near
    assert near[near.index("-filter_complex") + 1].startswith("[0:v:0]trim=start=1.480000[s0];")
    far = build_chunk_encode(
        late,
        ChunkRange(index=2, start_frame=100, frame_count=50),
        source=Path("/w/s.mp4"),
        outdir=Path("/w/c"),
    )
    assert far[far.index("-ss") + 1] == "2.480000"


def test_audio_once_and_package_by_copy() -> None:
    plan = plan_encode(replace(INFO, video=replace(VIDEO, duration=10.0)), SMALL, None)
    audio = build_audio_encode(plan, source=Path("/w/s.mp4"), out=Path("/w/c/audio.m4a"))
    assert audio[audio.index("-filter_complex") + 1].endswith("atrim=end=10.000000[s3]")
    assert audio[-1] == "/w/c/audio.m4a"
    assert audio[audio.index("-map") : audio.index("-map") + 4] == ["-map", "[s3]", "-f", "mp4"]
    assert audio[audio.index("-c:a") + 1] == "aac"
    assert "-vn" not in audio  # audio-only by mapping: only the audio chain is an output
    package = build_package_rung(
        SMALL,
        SMALL.rungs[0],
        list_file=Path("/w/c/360p.txt"),
        audio=Path("/w/c/a.m4a"),
        rung_dir=Path("/w/o/360p"),
    )
    assert package[package.index("-f") : package.index("-f") + 6] == [
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        "/w/c/360p.txt",
    ]
    assert package[package.index("-c") : package.index("-c") + 2] == ["-c", "copy"]
    assert package[-1] == "/w/o/360p/index.m3u8"
    assert concat_list([Path("/w/it's.mp4")]) == "file '/w/it'\\''s.mp4'\n"
