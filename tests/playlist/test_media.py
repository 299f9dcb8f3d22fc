"""ProgrammeMedia parsed from description.json (docs/media-description.md) and the slate."""

from __future__ import annotations

import pytest

from playlist.media import MediaDescriptionError, ProgrammeMedia, Slate
from tests.playlist.builders import description, media


def test_description_gives_durations_in_microseconds_and_keys_under_the_prefix() -> None:
    m = media("p1", [6.0, 6.0, 1.04], languages=["vi"])
    assert m.durations_us == (6_000_000, 6_000_000, 1_040_000)
    assert m.segment_durations == (6.0, 6.0, 1.04)
    assert m.offsets_us == (0, 6_000_000, 12_000_000, 13_040_000)
    assert m.segment_key("720p", 2) == "programmes/p1/r1/720p/seg_00002.ts"
    assert m.segment_key("360p", 0) == "programmes/p1/r1/360p/seg_00000.ts"
    assert m.subtitle_key("vi", 1) == "programmes/p1/r1/subs_vi/seg_00001.vtt"
    assert m.subtitle_key("en", 1) is None
    assert m.init_keys == {}


def test_fmp4_description_carries_init_segments() -> None:
    m = media("p2", [6.0], fmt="fmp4")
    assert m.segment_format == "fmp4"
    assert m.init_keys["720p"] == "programmes/p2/r1/720p/init.mp4"
    assert m.segment_key("720p", 0) == "programmes/p2/r1/720p/seg_00000.m4s"


def test_braces_in_the_prefix_are_kept_literally() -> None:
    m = ProgrammeMedia.from_description(description([6.0]), programme_id="x", prefix="a{b}/", title="t")
    assert m.segment_key("720p", 0) == "a{b}/720p/seg_00000.ts"


def test_position_and_index_loop_over_the_source() -> None:
    m = media("p", [1.0, 2.0])
    assert [m.position(k) for k in range(5)] == [0, 1_000_000, 3_000_000, 4_000_000, 6_000_000]
    assert [m.index_at(us) for us in (0, 999_999, 1_000_000, 2_999_999, 3_000_000, 4_500_000)] == [
        0,
        0,
        1,
        1,
        2,
        3,
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(version=3), "version"),
        (lambda d: d["renditions"][0]["segments"].reverse(), "segment"),
        (lambda d: d["renditions"][0]["segments"].pop(), "count"),
        (lambda d: d.pop("segment_durations"), "malformed"),
        (lambda d: d.update(segment_format="webm"), "malformed"),
    ],
)
def test_descriptions_off_the_contract_are_refused(change: object, message: str) -> None:
    desc = description([6.0, 6.0])
    change(desc)  # type: ignore[operator]
    with pytest.raises(MediaDescriptionError, match=message):
        ProgrammeMedia.from_description(desc, programme_id="p", prefix="p/", title="t")


def test_version_2_with_gop_facts_is_read() -> None:
    desc = description([6.0, 2.0])
    desc.update(version=2, segment_gops=[[2.0, 2.0, 2.0], [2.0]])
    for rendition in desc["renditions"]:
        rendition["gop_offsets"] = [[91744, 184616], []]
    m = ProgrammeMedia.from_description(desc, programme_id="p", prefix="p/", title="t")
    assert m.durations_us == (6_000_000, 2_000_000)


def test_fmp4_without_init_is_refused() -> None:
    desc = description([6.0], fmt="fmp4")
    desc["renditions"][0]["init"] = None
    with pytest.raises(MediaDescriptionError, match="init"):
        ProgrammeMedia.from_description(desc, programme_id="p", prefix="p/", title="t")


def test_slate_needs_short_segments() -> None:
    assert Slate(media=media("slate", [1.0] * 3)).media.segment_count == 3
    with pytest.raises(MediaDescriptionError, match="short"):
        Slate(media=media("slate", [6.0] * 3))


def test_version_2_says_where_each_segment_may_be_cut_between_gops() -> None:
    m = media("g", [6.0, 5.96, 1.04], gops=True)
    assert m.gops is not None
    assert m.gops.durations_us == ((2_000_000,) * 3, (2_000_000, 2_000_000, 1_960_000), (1_040_000,))
    assert m.gops.offsets["720p"][1] == (188_000, 376_000)
    assert m.gops.prefix_us(1, 2) == 4_000_000
    assert m.gops.byte_length("360p", 0, 1) == 188 * 300
    assert m == media("g", [6.0, 5.96, 1.04])  # the table is not part of the media's identity


def test_float_gop_durations_sum_exactly_to_their_segment() -> None:
    desc = description([6.0], gops=True)
    desc["segment_gops"] = [[0.1 + 0.2, 2.0, 3.7]]  # 6.000000000000001 in floating point
    m = ProgrammeMedia.from_description(desc, programme_id="p", prefix="p/", title="t")
    assert m.gops is not None
    assert sum(m.gops.durations_us[0]) == 6_000_000


def test_fmp4_has_no_gop_table_even_with_gop_lists() -> None:
    desc = description([6.0, 6.0], fmt="fmp4")
    desc["version"] = 2
    assert ProgrammeMedia.from_description(desc, programme_id="p", prefix="p/", title="t").gops is None
    listed = {**description([6.0, 6.0], gops=True), "segment_format": "fmp4"}
    for r in listed["renditions"]:
        r["init"], r["segments"] = f"{r['name']}/init.mp4", [f"{r['name']}/seg_{i:05d}.m4s" for i in range(2)]
    assert ProgrammeMedia.from_description(listed, programme_id="p", prefix="p/", title="t").gops is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["segment_gops"].pop(), "every segment"),
        (lambda d: d["segment_gops"][0].append(1.0), "sum"),
        (lambda d: d["segment_gops"][0].__setitem__(0, -2.0), "positive"),
        (lambda d: d["renditions"][1]["gop_offsets"][0].reverse(), "rising"),
        (lambda d: d["renditions"][1]["gop_offsets"][0].pop(), "rising"),
        (lambda d: d["renditions"][0].pop("gop_offsets"), "every segment"),
        (lambda d: d["renditions"][0]["gop_offsets"][0].__setitem__(0, "x"), "malformed"),
    ],
)
def test_gop_tables_off_the_contract_are_refused(change: object, message: str) -> None:
    desc = description([6.0, 6.0], gops=True)
    change(desc)  # type: ignore[operator]
    with pytest.raises(MediaDescriptionError, match=message):
        ProgrammeMedia.from_description(desc, programme_id="p", prefix="p/", title="t")


def test_a_recording_counts_a_run_at_every_change_of_encoder_and_every_loop() -> None:
    m = media("rec", [6.0] * 5, discontinuities=[2, 3])
    assert [m.starts_run(k) for k in range(7)] == [True, False, True, True, False, True, False]
    assert [m.runs_through(k) for k in range(7)] == [1, 1, 2, 3, 3, 4, 4]
    assert (
        ProgrammeMedia.from_description(
            description([6.0, 6.0]), programme_id="p", prefix="p", title="t"
        ).discontinuities
        == ()
    )


@pytest.mark.parametrize("inner", [[0], [5], [3, 2], [2, 2], ["x"]])
def test_discontinuities_off_the_contract_are_refused(inner: list[object]) -> None:
    bad = {**description([6.0] * 5), "discontinuities": inner}
    with pytest.raises(MediaDescriptionError):
        ProgrammeMedia.from_description(bad, programme_id="p", prefix="p", title="t")
