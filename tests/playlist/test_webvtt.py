"""WebVTT cut along the video segments: parsing, the timestamp map, cues in exactly the segments they overlap."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playlist.webvtt import Cue, WebVttError, format_timestamp, parse_webvtt, render_cue, segment_webvtt

SOURCE = """\ufeffWEBVTT - Luật Đất đai 2024

NOTE Bản dịch của Ban biên tập
nhiều dòng

STYLE
::cue { color: yellow }

mo-dau
00:00.500 --> 00:02.000 align:start line:90%
Xin chào quý vị khán giả

00:00:01.800 --> 00:00:06.400
<v Luật sư>Điều 3: Giải thích từ ngữ
trong Luật Đất đai

00:00:11.000 --> 00:00:12.000
Hẹn gặp lại
"""


def test_vietnamese_cues_are_parsed_and_cut_into_segments() -> None:
    cues = parse_webvtt(SOURCE)
    assert cues == (
        Cue(
            start_ms=500,
            end_ms=2000,
            text="Xin chào quý vị khán giả",
            identifier="mo-dau",
            settings="align:start line:90%",
        ),
        Cue(start_ms=1800, end_ms=6400, text="<v Luật sư>Điều 3: Giải thích từ ngữ\ntrong Luật Đất đai"),
        Cue(start_ms=11000, end_ms=12000, text="Hẹn gặp lại"),
    )
    documents = segment_webvtt(cues, durations_us=[2_000_000, 2_000_000, 2_000_000, 4_000_000], mpegts=133200)
    header = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:133200,LOCAL:00:00:00.000\n"
    first = "mo-dau\n00:00:00.500 --> 00:00:02.000 align:start line:90%\nXin chào quý vị khán giả"
    second = "00:00:01.800 --> 00:00:06.400\n<v Luật sư>Điều 3: Giải thích từ ngữ\ntrong Luật Đất đai"
    assert documents == (
        f"{header}\n{first}\n\n{second}\n",
        f"{header}\n{second}\n",  # a cue spanning boundaries is repeated, its times unchanged
        f"{header}\n{second}\n",
        f"{header}\n{second}\n",  # the cue at 11 s is past the programme's end: in no segment
    )
    assert (
        segment_webvtt(cues[2:], durations_us=[5_000_000, 5_000_000], mpegts=7200)
        == ("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:7200,LOCAL:00:00:00.000\n",) * 2
    )
    assert parse_webvtt(documents[0]) == cues[:2]


def test_refusals() -> None:
    with pytest.raises(WebVttError):
        parse_webvtt("SRT\n\n1\n00:00:01,000 --> 00:00:02,000\nx\n")
    with pytest.raises(WebVttError):
        parse_webvtt("WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nx\n")
    with pytest.raises(WebVttError):
        parse_webvtt("WEBVTT\n\n00:00:03.000 --> 00:00:02.000\nx\n")
    with pytest.raises(ValueError):
        segment_webvtt((), durations_us=[], mpegts=0)
    with pytest.raises(ValueError):
        segment_webvtt((), durations_us=[1], mpegts=2**33)


def test_timestamps_past_a_day_keep_their_hours() -> None:
    assert format_timestamp(0) == "00:00:00.000"
    assert format_timestamp(100 * 3_600_000 + 61_001) == "100:01:01.001"
    assert (
        parse_webvtt("WEBVTT\n\n100:01:01.001 --> 100:01:02.000\nx")[0].start_ms == 100 * 3_600_000 + 61_001
    )


_TEXT = st.text(
    alphabet=st.sampled_from("aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạỳỹ ,.:?!<>/&;"), min_size=1, max_size=20
).filter(lambda t: t.strip() == t and "-->" not in t)


@st.composite
def _cues(draw: st.DrawFn) -> Cue:
    start = draw(st.integers(min_value=0, max_value=60_000))
    length = draw(st.integers(min_value=1, max_value=20_000))
    lines = draw(st.lists(_TEXT, min_size=0, max_size=3))
    identifier = draw(st.sampled_from(["", "c1", "câu-2"]))
    settings = draw(st.sampled_from(["", "align:start", "line:0 position:10%"]))
    return Cue(
        start_ms=start, end_ms=start + length, text="\n".join(lines), identifier=identifier, settings=settings
    )


@given(
    cues=st.lists(_cues(), max_size=15),
    durations=st.lists(st.integers(min_value=1, max_value=8_000_000), min_size=1, max_size=12),
    mpegts=st.integers(min_value=0, max_value=2**33 - 1),
)
def test_every_cue_is_in_exactly_the_segments_it_overlaps(
    cues: list[Cue], durations: list[int], mpegts: int
) -> None:
    documents = segment_webvtt(cues, durations_us=durations, mpegts=mpegts)
    assert len(documents) == len(durations)
    start = 0
    for duration, document in zip(durations, documents, strict=True):
        end = start + duration
        assert document.startswith(f"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:{mpegts},LOCAL:00:00:00.000\n")
        parsed = parse_webvtt(document)  # each document parses again, cues unchanged
        expected = [c for c in cues if c.start_ms * 1000 < end and c.end_ms * 1000 > start]
        assert list(parsed) == expected
        start = end


@given(cue=_cues())
def test_a_rendered_cue_parses_back(cue: Cue) -> None:
    assert parse_webvtt(f"WEBVTT\n\n{render_cue(cue)}\n") == (cue,)
