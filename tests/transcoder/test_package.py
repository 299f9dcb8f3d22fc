from __future__ import annotations

from pathlib import Path

import m3u8
import pytest

from transcoder.conformance import MeasuredRendition
from transcoder.describe import AudioDescription, Description, RenditionDescription
from transcoder.errors import TranscodeFailed
from transcoder.gops import GopLayout
from transcoder.house import HouseFormat, rung_for_height
from transcoder.package import (
    RenditionOutput,
    bandwidths,
    common_durations,
    describe_output,
    master_playlist,
    read_rendition,
    rendition_playlist,
    upload_order,
)

AUDIO = AudioDescription(
    codec="aac", sample_rate=48000, channels=2, measured_input_i=-30.0, measured_input_tp=-8.0, output_i=-23.0
)


def _out(height: int, durations: tuple[float, ...], sizes: tuple[int, ...]) -> RenditionOutput:
    return RenditionOutput(
        rung=rung_for_height(height),
        segments=tuple(f"seg_{i:05d}.ts" for i in range(len(durations))),
        durations=durations,
        sizes=sizes,
        init=None,
    )


def test_bandwidth_peak_ignores_a_short_tail_and_average_is_total() -> None:
    peak, average = bandwidths([600_000, 750_000, 100_000], [6.0, 6.0, 0.04])
    assert peak == 1_000_000
    assert average == pytest.approx(1_450_000 * 8 / 12.04, abs=1)


def test_misaligned_rungs_fail_loudly() -> None:
    with pytest.raises(TranscodeFailed, match="segment boundaries differ"):
        common_durations([_out(360, (6.0, 6.0, 1.0), (1, 1, 1)), _out(240, (6.0, 7.0), (1, 1))])
    with pytest.raises(TranscodeFailed):
        common_durations([_out(360, (6.0, 6.0), (1, 1)), _out(240, (6.0, 5.96), (1, 1))])
    assert common_durations([_out(360, (6.0, 2.0), (1, 1)), _out(240, (6.0, 2.0), (1, 1))]) == (6.0, 2.0)


def test_description_and_master() -> None:
    profile = HouseFormat.with_heights((360, 240))
    outs = [
        _out(360, (6.0, 6.0, 1.04), (450_000, 600_000, 50_000)),
        _out(240, (6.0, 6.0, 1.04), (225_000, 300_000, 25_000)),
    ]
    measured = [
        MeasuredRendition(
            width=640, height=360, frame_rate=25.0, video_codec="avc1.64001e", audio_codec="mp4a.40.2"
        ),
        MeasuredRendition(
            width=426, height=240, frame_rate=25.0, video_codec="avc1.64000d", audio_codec="mp4a.40.2"
        ),
    ]
    gops = [
        GopLayout(starts=((0.0, 2.0, 4.0), (0.0, 2.0, 4.0), (0.0,)), offsets=((1, 2), (3, 4), ())),
        GopLayout(starts=((0.0, 2.0, 4.0), (0.0, 2.0, 4.0), (0.0,)), offsets=((5, 6), (7, 8), ())),
    ]
    description = describe_output(
        outs,
        measured=measured,
        gops=gops,
        profile=profile,
        audio=AUDIO,
        poster="poster.jpg",
        thumbnails=("thumbs/thumb_00.jpg",),
    )
    assert (description.duration, description.target_duration) == (13.04, 6)
    assert description.segment_durations == (6.0, 6.0, 1.04)
    assert description.segment_gops == ((2.0, 2.0, 2.0), (2.0, 2.0, 2.0), (1.04,))
    assert [r.gop_offsets for r in description.renditions] == [((1, 2), (3, 4), ()), ((5, 6), (7, 8), ())]
    first = description.renditions[0]
    assert (first.name, first.width, first.height, first.bandwidth) == ("360p", 640, 360, 800_000)
    assert first.segments == ("360p/seg_00000.ts", "360p/seg_00001.ts", "360p/seg_00002.ts")
    assert first.codecs == "avc1.64001e,mp4a.40.2"
    assert description.renditions[1].codecs == "avc1.64000d,mp4a.40.2", "as measured, not as configured"
    text = master_playlist(description.renditions)
    assert text.splitlines()[:3] == [  # playlist/'s rule: nothing in a master needs EXT-X-VERSION
        "#EXTM3U",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        f"#EXT-X-STREAM-INF:BANDWIDTH=800000,AVERAGE-BANDWIDTH={first.average_bandwidth},RESOLUTION=640x360,"
        'CODECS="avc1.64001e,mp4a.40.2",FRAME-RATE=25.000',
    ]
    parsed = m3u8.loads(text)
    assert [p.uri for p in parsed.playlists] == ["360p/index.m3u8", "240p/index.m3u8"]
    assert parsed.playlists[1].stream_info.resolution == (426, 240)
    assert parsed.playlists[1].stream_info.average_bandwidth == description.renditions[1].average_bandwidth
    order = upload_order(description)
    assert order[-2:] == ["description.json", "master.m3u8"]
    assert order.index("360p/index.m3u8") > order.index("360p/seg_00002.ts")
    assert "poster.jpg" in order


def test_read_rendition_from_a_real_playlist(tmp_path: Path) -> None:
    rung_dir = tmp_path / "360p"
    rung_dir.mkdir()
    (rung_dir / "index.m3u8").write_text(
        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        '#EXT-X-MAP:URI="init.mp4"\n#EXTINF:6.000000,\nseg_00000.m4s\n#EXTINF:0.520000,\nseg_00001.m4s\n'
        "#EXT-X-ENDLIST\n"
    )
    (rung_dir / "seg_00000.m4s").write_bytes(b"x" * 100)
    (rung_dir / "seg_00001.m4s").write_bytes(b"x" * 7)
    out = read_rendition(rung_dir, rung_for_height(360))
    assert (out.segments, out.durations, out.sizes, out.init) == (
        ("seg_00000.m4s", "seg_00001.m4s"),
        (6.0, 0.52),
        (100, 7),
        "init.mp4",
    )


@pytest.mark.parametrize(("init", "version"), [(None, 3), ("360p/init.mp4", 6)])
def test_rendition_playlists_come_from_the_one_writer(init: str | None, version: int) -> None:
    rendition = RenditionDescription(
        name="360p",
        width=640,
        height=360,
        bandwidth=1,
        average_bandwidth=1,
        codecs="avc1.64001e,mp4a.40.2",
        frame_rate=25.0,
        playlist="360p/index.m3u8",
        init=init,
        segments=("360p/seg_00000.ts", "360p/seg_00001.ts"),
        gop_offsets=((), ()),
    )
    description = Description(
        duration=6.52,
        segment_format="fmp4" if init else "mpegts",
        target_duration=6,
        segment_durations=(6.0, 0.52),
        segment_gops=((6.0,), (0.52,)),
        renditions=(rendition,),
        audio=AUDIO,
        poster=None,
        thumbnails=(),
    )
    text = rendition_playlist(rendition, description)
    assert text == (
        f"#EXTM3U\n#EXT-X-VERSION:{version}\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n"
        "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n"
        + ('#EXT-X-MAP:URI="init.mp4"\n' if init else "")
        + "#EXTINF:6.000,\nseg_00000.ts\n#EXTINF:0.520,\nseg_00001.ts\n#EXT-X-ENDLIST\n"
    )
    assert [s.uri for s in m3u8.loads(text).segments] == ["seg_00000.ts", "seg_00001.ts"]
