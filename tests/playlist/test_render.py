"""Live, VOD and master playlists: exact bytes, window, live edge, fMP4 maps, subtitles."""

from __future__ import annotations

from datetime import timedelta

import pytest

from playlist import (
    GridEntry,
    OffAirError,
    Timeline,
    Track,
    compile_timeline,
    live_edge,
    media_version,
    render_master,
    render_media,
    render_static_vod,
    render_variant_master,
    render_vod,
)
from playlist.profile import SegmentFormat
from tests.playlist.builders import EPOCH, channel, media, slate
from tests.playlist.hls_check import read_media

S = timedelta(seconds=1)
V720 = Track.video("720p")


def small(fmt: SegmentFormat = "mpegts", *, subtitles: bool = False) -> Timeline:
    programmes = {
        "a": media("a", [6.0, 6.0, 1.04], fmt=fmt, languages=["vi"]),
        "b": media("b", [6.0] * 30, fmt=fmt),
    }
    return compile_timeline(
        channel=channel(fmt=fmt, subtitles=subtitles),
        entries=[GridEntry("1", "a", EPOCH + 2 * S), GridEntry("2", "b", EPOCH + 15.04 * S, "soft")],
        programmes=programmes,
        slate=slate(fmt=fmt),
        horizon=EPOCH + timedelta(minutes=5),
    )


GOLDEN = """#EXTM3U
#EXT-X-VERSION:4
#EXT-X-TARGETDURATION:6
#EXT-X-MEDIA-SEQUENCE:2
#EXT-X-DISCONTINUITY-SEQUENCE:1
#EXT-X-PROGRAM-DATE-TIME:2026-11-29T00:00:02.000Z
#EXTINF:6.000,
/media/programmes/a/r1/720p/seg_00000.ts
#EXT-X-PROGRAM-DATE-TIME:2026-11-29T00:00:08.000Z
#EXTINF:6.000,
/media/programmes/a/r1/720p/seg_00001.ts
#EXT-X-PROGRAM-DATE-TIME:2026-11-29T00:00:14.000Z
#EXTINF:1.040,
/media/programmes/a/r1/720p/seg_00002.ts
#EXT-X-DISCONTINUITY
#EXT-X-PROGRAM-DATE-TIME:2026-11-29T00:00:15.040Z
#EXTINF:6.000,
/media/programmes/b/r1/720p/seg_00000.ts
"""


def test_live_playlist_bytes_are_exact_and_deterministic() -> None:
    at = EPOCH + 22 * S  # b's first segment aired 15.04–21.04
    text = render_media(small(), track=V720, at=at, window_s=18, uri_prefix="/media/")
    assert text == GOLDEN
    assert render_media(small(), track=V720, at=at, window_s=18, uri_prefix="/media/") == text


def test_the_window_lists_only_what_has_fully_aired() -> None:
    tl = small()
    b0_end = EPOCH + 21.04 * S  # b's first segment airs 15.04–21.04
    before = read_media(render_media(tl, track=V720, at=b0_end - timedelta(microseconds=1)))
    on = read_media(render_media(tl, track=V720, at=b0_end))
    assert before.segments[-1].uri.endswith("a/r1/720p/seg_00002.ts")
    assert on.segments[-1].uri.endswith("b/r1/720p/seg_00000.ts")
    assert on.segments[-1].msn == before.segments[-1].msn + 1
    newest = on.segments[-1]
    assert newest.pdt + timedelta(milliseconds=newest.duration_ms) == b0_end  # ends at the wall clock


def test_nothing_is_listed_before_the_first_segment_has_aired() -> None:
    tl = small()
    with pytest.raises(OffAirError):
        render_media(tl, track=V720, at=EPOCH + timedelta(milliseconds=999))
    assert [s.msn for s in read_media(render_media(tl, track=V720, at=EPOCH + S)).segments] == [0]


def test_window_is_at_least_three_target_durations_and_defaults_to_two_minutes() -> None:
    tl = small()
    at = EPOCH + 200 * S
    tiny = read_media(render_media(tl, track=V720, at=at, window_s=1))
    assert sum(s.duration_ms for s in tiny.segments) >= 18_000
    default = read_media(render_media(tl, track=V720, at=at))
    total = sum(s.duration_ms for s in default.segments)
    assert 120_000 <= total < 120_000 + 6_000


def test_fmp4_needs_version_6_and_a_map_after_every_discontinuity() -> None:
    text = render_media(small("fmp4"), track=V720, at=EPOCH + 22 * S, window_s=18)
    pl = read_media(text)
    assert pl.version == 6
    assert text.count("#EXT-X-MAP:") == 2  # first segment, then after the discontinuity
    assert [s.map_uri for s in pl.segments] == [
        *["programmes/a/r1/720p/init.mp4"] * 3,
        "programmes/b/r1/720p/init.mp4",
    ]


def test_subtitle_track_keeps_the_video_boundaries_with_empty_cues_where_missing() -> None:
    tl = small(subtitles=True)
    at = EPOCH + 22 * S
    video = read_media(render_media(tl, track=V720, at=at, window_s=18))
    subs = read_media(
        render_media(tl, track=Track.subtitles("vi", empty_key="static/empty.vtt"), at=at, window_s=18)
    )
    assert subs.version == 3
    assert [(s.msn, s.duration_ms, s.discontinuity, s.pdt) for s in subs.segments] == [
        (s.msn, s.duration_ms, s.discontinuity, s.pdt) for s in video.segments
    ]
    assert [s.uri for s in subs.segments] == [
        "programmes/a/r1/subs_vi/seg_00000.vtt",
        "programmes/a/r1/subs_vi/seg_00001.vtt",
        "programmes/a/r1/subs_vi/seg_00002.vtt",
        "static/empty.vtt",
    ]


def test_vod_of_a_past_programme() -> None:
    tl = small()
    a = tl.items[1]
    text = render_vod(tl, track=Track.video("360p"), start=a.air_start, end=EPOCH + 15.04 * S)
    pl = read_media(text)
    assert pl.vod
    assert text.endswith("#EXT-X-ENDLIST\n")
    assert [s.uri for s in pl.segments] == [f"programmes/a/r1/360p/seg_0000{i}.ts" for i in range(3)]
    assert pl.media_sequence == a.first_msn
    assert not pl.segments[0].tagged
    with pytest.raises(OffAirError):
        render_vod(tl, track=V720, start=EPOCH - 10 * S, end=EPOCH)


def test_start_over_is_the_live_render_at_an_earlier_instant() -> None:
    tl = small()
    earlier = render_media(tl, track=V720, at=EPOCH + 22 * S)
    assert read_media(earlier).segments[-1].pdt == EPOCH + 15.04 * S


def test_vod_up_to_now_lists_only_what_has_fully_aired() -> None:
    tl = small()
    now = EPOCH + 22 * S  # b's second segment airs 21.04–27.04
    pl = read_media(render_vod(tl, track=V720, start=EPOCH + 2 * S, end=now, aired_by=now))
    assert pl.segments[-1].uri == "programmes/b/r1/720p/seg_00000.ts"
    full = read_media(render_vod(tl, track=V720, start=EPOCH + 2 * S, end=now))
    assert full.segments[-1].uri == "programmes/b/r1/720p/seg_00001.ts"  # an interval alone: all of it
    with pytest.raises(OffAirError):
        render_vod(tl, track=V720, start=EPOCH + 22 * S, end=now + S, aired_by=now)


def test_outside_the_timeline_is_off_air() -> None:
    tl = small()
    with pytest.raises(OffAirError):
        render_media(tl, track=V720, at=EPOCH - S)
    with pytest.raises(OffAirError):
        render_media(tl, track=V720, at=EPOCH + timedelta(days=1))


MASTER_WITH_SUBS = """#EXTM3U
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="vi",NAME="Tiếng Việt",DEFAULT=YES,AUTOSELECT=YES,URI="subs_vi.m3u8?start=1795910400"
#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2600000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=25.000,SUBTITLES="subs"
720p.m3u8?start=1795910400
#EXT-X-STREAM-INF:BANDWIDTH=950000,AVERAGE-BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",FRAME-RATE=25.000,SUBTITLES="subs"
360p.m3u8?start=1795910400
"""


def test_master_advertises_every_variant_subtitles_and_passes_the_query_on() -> None:
    import m3u8

    text = render_master(channel(subtitles=True), query="?start=1795910400")
    assert text == MASTER_WITH_SUBS
    parsed = m3u8.M3U8(text, strict=True)
    assert [p.uri for p in parsed.playlists] == ["720p.m3u8?start=1795910400", "360p.m3u8?start=1795910400"]
    assert parsed.playlists[0].stream_info.resolution == (1280, 720)
    assert parsed.media[0].language == "vi"
    plain = render_master(channel())
    assert "EXT-X-MEDIA" not in plain
    assert "720p.m3u8\n" in plain
    with pytest.raises(ValueError, match="encoded"):
        render_master(channel(), query='a"b')


def test_ten_items_and_a_hundred_thousand_render_the_same_way() -> None:
    programme = media("p", [6.0] * 9 + [2.0])  # 56 s, a discontinuity each time
    ch = channel()

    def timeline(n: int) -> Timeline:
        entries = [GridEntry(str(i), "p", EPOCH + i * 56 * S) for i in range(n)]
        return compile_timeline(
            channel=ch,
            entries=entries,
            programmes={"p": programme},
            slate=slate(),
            horizon=EPOCH + n * 56 * S,
        )

    small_tl, big_tl = timeline(10), timeline(100_000)
    assert len(big_tl.items) == 100_000
    for tl, n in ((small_tl, 10), (big_tl, 100_000)):
        at = EPOCH + (n - 1) * 56 * S + 30 * S
        pl = read_media(render_media(tl, track=V720, at=at))
        assert pl.segments[-1].msn == (n - 1) * 10 + 4
        assert pl.segments[-1].discontinuity == n - 1
        assert pl.segments[-1].pdt == at - 6 * S  # segment 4 airs 24–30 s into the programme


def test_live_edge_names_what_a_cache_may_key_on_and_until_when() -> None:
    tl = small()
    msn, until = live_edge(tl, EPOCH + 16 * S)
    assert (msn, until) == (4, EPOCH + 21.04 * S)  # a's last segment is the newest aired; b's first ends then
    same = render_media(tl, track=V720, at=EPOCH + 16 * S)
    assert read_media(same).segments[-1].msn == msn
    assert render_media(tl, track=V720, at=until - timedelta(microseconds=1)) == same
    assert render_media(tl, track=V720, at=until) != same
    assert live_edge(tl, until) == (5, EPOCH + 27.04 * S)


CUT_GOLDEN = """#EXTM3U
#EXT-X-VERSION:4
#EXT-X-TARGETDURATION:6
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-DISCONTINUITY-SEQUENCE:0
#EXT-X-PROGRAM-DATE-TIME:2026-11-29T00:00:00.000Z
#EXTINF:6.000,
/media/programmes/g/r1/720p/seg_00000.ts
#EXT-X-PROGRAM-DATE-TIME:2026-11-29T00:00:06.000Z
#EXTINF:6.000,
/media/programmes/g/r1/720p/seg_00001.ts
#EXT-X-PROGRAM-DATE-TIME:2026-11-29T00:00:12.000Z
#EXTINF:4.000,
#EXT-X-BYTERANGE:376000@0
/media/programmes/g/r1/720p/seg_00002.ts
#EXT-X-DISCONTINUITY
#EXT-X-PROGRAM-DATE-TIME:2026-11-29T00:00:16.000Z
#EXTINF:1.000,
/media/programmes/slate/r1/720p/seg_00000.ts
#EXT-X-DISCONTINUITY
#EXT-X-PROGRAM-DATE-TIME:2026-11-29T00:00:17.000Z
#EXTINF:6.000,
/media/programmes/b/r1/720p/seg_00000.ts
"""


def cut_at_17() -> Timeline:
    """The issue's grid: a hard start 17 s after the previous programme began (2 s GOPs)."""
    return compile_timeline(
        channel=channel(subtitles=True),
        entries=[GridEntry("1", "g", EPOCH), GridEntry("2", "b", EPOCH + 17 * S)],
        programmes={"g": media("g", [6.0] * 10, gops=True, languages=["vi"]), "b": media("b", [6.0] * 30)},
        slate=slate(),
        horizon=EPOCH + timedelta(minutes=5),
    )


def test_a_cut_segment_is_listed_as_its_first_bytes_in_every_variant() -> None:
    tl = cut_at_17()
    at = EPOCH + 24 * S  # b's first segment aired 17–23
    assert render_media(tl, track=V720, at=at, window_s=18, uri_prefix="/media/") == CUT_GOLDEN
    video = [read_media(render_media(tl, track=Track.video(v), at=at, window_s=18)) for v in ("720p", "360p")]
    subs = read_media(
        render_media(tl, track=Track.subtitles("vi", empty_key="static/empty.vtt"), at=at, window_s=18)
    )
    shape = [[(s.msn, s.duration_ms, s.discontinuity, s.pdt) for s in pl.segments] for pl in (*video, subs)]
    assert shape[0] == shape[1] == shape[2]  # every track lists the same boundaries
    assert [s.length for s in video[1].segments] == [None, None, 188 * 300 * 2, None, None]
    assert [s.uri for s in subs.segments][1:3] == [
        "programmes/g/r1/subs_vi/seg_00001.vtt",
        "static/empty.vtt",  # the cut segment's cues would show over the slate
    ]
    assert subs.version == 3


def test_the_version_of_a_track_never_changes_with_what_the_window_holds() -> None:
    tl = cut_at_17()
    versions = {
        read_media(render_media(tl, track=V720, at=EPOCH + k * S, window_s=18)).version for k in range(6, 200)
    }
    assert versions == {4}


def test_one_programmes_playlists_use_the_same_writer_and_version_rule() -> None:
    import m3u8

    assert (media_version(uses_map=False), media_version(uses_map=True)) == (3, 6)
    assert media_version(uses_map=False, may_use_byterange=True) == 4
    text = render_static_vod(
        [(6_000_000, "seg_00000.m4s"), (520_000, "seg_00001.m4s")], target_duration=6, map_uri="init.mp4"
    )
    parsed = m3u8.M3U8(text, strict=True)
    assert (parsed.version, parsed.target_duration, parsed.playlist_type, parsed.is_endlist) == (
        6,
        6,
        "vod",
        True,
    )
    assert parsed.segment_map[0].uri == "init.mp4"
    assert [(s.uri, s.duration) for s in parsed.segments] == [("seg_00000.m4s", 6.0), ("seg_00001.m4s", 0.52)]
    assert m3u8.M3U8(render_static_vod([(2_000_000, "a.ts")], target_duration=2), strict=True).version == 3
    variants = channel().variants
    master = render_variant_master(
        variants=list(zip(variants, ["720p/index.m3u8", "360p/index.m3u8"], strict=True))
    )
    assert master == render_master(channel()).replace("720p.m3u8", "720p/index.m3u8").replace(
        "360p.m3u8", "360p/index.m3u8"
    )
