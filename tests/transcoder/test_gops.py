"""GOP layout (description.json v2): pure parsing and checks, then real prefixes cut at the offsets."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.transcoder.conftest import ffprobe_json, transcoded
from transcoder.errors import TranscodeFailed
from transcoder.gops import (
    GopLayout,
    VideoPacket,
    gop_layout,
    packets_command,
    parse_packets,
    segment_gops,
    shared_starts,
)
from transcoder.house import HouseFormat

# ffprobe -select_streams v:0 -show_entries packet=pts_time,pos,flags -of csv=p=0 index.m3u8 (abridged):
# two 6 s segments of 2 s GOPs and a 2 s tail; positions run on from one segment file to the next
CSV = """1.421333,564,K_,
1.501333,30000,__,
3.421333,91744,K_,
5.421333,184616,K_,
7.341333,270000,__,
7.421333,276172,K_,
9.421333,363780,K_,
11.421333,448756,K_,
13.421333,533356,K_,
13.501333,N/A,__
N/A,600000,__
"""
DURATIONS = (6.0, 6.0, 2.0)
SIZES = (275608, 257184, 82156)


def test_packets_command_lists_the_video_packets_of_the_rendition() -> None:
    assert packets_command(Path("/o/720p/index.m3u8")) == [
        "ffprobe",
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-show_entries",
        "packet=pts_time,pos,flags",
        "-of",
        "csv=p=0",
        "/o/720p/index.m3u8",
    ]


def test_parse_packets() -> None:
    packets = parse_packets(CSV)
    assert packets[:2] == (VideoPacket(1.421333, 564, True), VideoPacket(1.501333, 30000, False))
    assert packets[-1] == VideoPacket(13.501333, None, False)
    assert len(packets) == 10


def test_mpegts_layout_offsets_are_inside_each_segment_file() -> None:
    layout = gop_layout(parse_packets(CSV), durations=DURATIONS, sizes=SIZES)
    assert layout == GopLayout(
        starts=((0.0, 2.0, 4.0), (0.0, 2.0, 4.0), (0.0,)),
        offsets=((91744, 184616), (363780 - 275608, 448756 - 275608), ()),
    )
    assert segment_gops(layout.starts, DURATIONS) == ((2.0, 2.0, 2.0), (2.0, 2.0, 2.0), (2.0,))


def test_fmp4_layout_has_starts_but_no_offsets() -> None:
    layout = gop_layout(parse_packets(CSV), durations=DURATIONS, sizes=None)
    assert layout.offsets == ((), (), ())
    assert layout.starts[0] == (0.0, 2.0, 4.0)


def test_gop_durations_sum_to_the_segment_even_when_short() -> None:
    assert segment_gops(((0.0, 2.0), (0.0,)), (3.04, 0.52)) == ((2.0, 1.04), (0.52,))
    gops = segment_gops(((0.0, 1.0, 2.0),), (3.000001,))[0]
    assert sum(gops) == pytest.approx(3.000001, abs=1e-9)


def test_a_segment_without_a_leading_keyframe_fails() -> None:
    shifted = CSV.replace("7.421333,276172,K_", "7.461333,276172,K_")
    with pytest.raises(TranscodeFailed, match="segment 1 does not start with a keyframe"):
        gop_layout(parse_packets(shifted), durations=DURATIONS, sizes=SIZES)
    with pytest.raises(TranscodeFailed, match="no video packets"):
        gop_layout((), durations=DURATIONS, sizes=SIZES)


def test_an_offset_outside_its_segment_fails() -> None:
    with pytest.raises(TranscodeFailed, match="not inside segment 0"):
        gop_layout(parse_packets(CSV), durations=DURATIONS, sizes=(100_000, 257184, 82156))


def test_rungs_must_share_their_keyframes() -> None:
    a = GopLayout(starts=((0.0, 2.0), (0.0,)), offsets=((10,), ()))
    b = GopLayout(starts=((0.0, 2.0), (0.0,)), offsets=((5,), ()))
    assert shared_starts([a, b]) == ((0.0, 2.0), (0.0,))
    with pytest.raises(TranscodeFailed, match="keyframes differ"):
        shared_starts([a, GopLayout(starts=((0.0, 2.04), (0.0,)), offsets=((5,), ()))])


def _probe_prefix(path: Path) -> tuple[int, float]:
    """(video frames, seconds of audio) in `path`; fails if ffmpeg reports any decoding error."""
    decoded = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert decoded.stderr == "", decoded.stderr
    packets = ffprobe_json(path, "-show_entries", "packet=stream_index,duration_time")["packets"]
    video = sum(1 for p in packets if p["stream_index"] == 0)
    audio = sum(float(p["duration_time"]) for p in packets if p["stream_index"] == 1)
    return video, audio


@pytest.mark.slow
def test_every_prefix_up_to_an_offset_plays_exactly_its_gops(
    media: Callable[[str], Path], tmp_path: Path
) -> None:
    profile = HouseFormat.with_heights((180, 144))  # veryfast (B-frames), 6 s segments of 2 s GOPs
    root, description = transcoded(tmp_path, media("loud"), profile)  # 10 s: segments of 6 s and 4 s
    written = json.loads((root / "description.json").read_text(encoding="utf-8"))
    assert written["version"] == 2
    assert written["segment_gops"] == [[2.0, 2.0, 2.0], [2.0, 2.0]]
    for rendition in description.renditions:
        assert [len(o) for o in rendition.gop_offsets] == [2, 1]
        for segment, offsets, gops in zip(
            rendition.segments, rendition.gop_offsets, description.segment_gops, strict=True
        ):
            data = (root / segment).read_bytes()
            assert data[offsets[0]] == 0x47, "an offset is the start of a TS packet"
            for k, offset in enumerate(offsets, start=1):
                prefix = tmp_path / f"prefix_{k}.ts"
                prefix.write_bytes(data[:offset])
                frames, audio = _probe_prefix(prefix)
                assert frames == round(sum(gops[:k]) * 25), (segment, k)
                # the muxer holds up to ~0.2 s of audio in its PES buffer past a keyframe
                assert sum(gops[:k]) - 0.25 <= audio <= sum(gops[:k]) + 0.05, (segment, k, audio)
