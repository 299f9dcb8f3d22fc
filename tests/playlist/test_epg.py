"""The guide from the compiled timeline: now/next, a day as JSON, XMLTV, M3U."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from playlist import (
    GridEntry,
    Timeline,
    compile_timeline,
    epg_day,
    guide_end,
    now_next,
    programmes_between,
    render_m3u,
    render_xmltv,
    to_us,
)
from tests.playlist.builders import EPOCH, channel, media, slate

S = timedelta(seconds=1)


def guide_timeline() -> Timeline:
    programmes = {"a": media("a", [6.0] * 10), "late": None}
    entries = [
        GridEntry("1", "a", EPOCH + 10 * S),
        GridEntry("2", "late", EPOCH + 100 * S),
        GridEntry("3", "a", EPOCH + 200 * S),
    ]
    return compile_timeline(
        channel=channel(),
        entries=entries,
        programmes=programmes,
        slate=slate(count=20),
        fillers=[media("f", [6.0] * 2, title="Phim ngắn")],
        horizon=EPOCH + 300 * S,
    )


def test_now_and_next_follow_the_timeline() -> None:
    tl = guide_timeline()
    now, nxt = now_next(tl, EPOCH + 30 * S)
    assert (now.kind, now.programme_id, now.entry_id) == ("programme", "a", "1")
    assert now.start == EPOCH + 10 * S
    assert now.stop == EPOCH + 70 * S
    assert nxt is not None
    assert nxt.kind == "filler"
    assert nxt.title == "Chương trình sẽ tiếp tục"


def test_consecutive_filler_is_one_entry_naming_the_replaced_programme() -> None:
    tl = guide_timeline()
    entries = programmes_between(tl, start=EPOCH + 60 * S, end=EPOCH + 250 * S)
    assert [(e.kind, e.start, e.stop) for e in entries] == [
        ("programme", EPOCH + 10 * S, EPOCH + 70 * S),
        ("filler", EPOCH + 70 * S, EPOCH + 200 * S),
        ("programme", EPOCH + 200 * S, EPOCH + 260 * S),
    ]
    assert entries[1].replaced_programme_ids == ("late",)
    now, _ = now_next(tl, EPOCH + 150 * S, lang="en")
    assert now.title == "The programme will continue"
    assert now.start == EPOCH + 70 * S


def test_a_day_as_json_in_the_channels_time_zone() -> None:
    tl = guide_timeline()
    day = epg_day(tl, day=date(2026, 11, 29))
    json.dumps(day)
    assert day[0]["start"] == "2026-11-29T07:00:00+07:00"
    assert day[1] == {
        "kind": "programme",
        "title": "Chương trình a",
        "description": 'Giới thiệu a <luật> & "quy định"',
        "start": "2026-11-29T07:00:10+07:00",
        "stop": "2026-11-29T07:01:10+07:00",
        "programme_id": "a",
        "entry_id": "1",
        "replaced_programme_ids": [],
        "live": False,
        "live_event_id": None,
    }
    assert epg_day(tl, day=date(2026, 11, 28)) == []


def test_xmltv_is_valid_escaped_and_in_local_time() -> None:
    tl = guide_timeline()
    text = render_xmltv([tl], start=EPOCH, end=EPOCH + 300 * S)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tv SYSTEM "xmltv.dtd">')
    assert "&lt;luật&gt; &amp;" in text
    root = ET.fromstring(text.split("\n", 2)[2].encode())
    assert root.tag == "tv"
    ch = root.find("channel")
    assert ch is not None
    assert ch.get("id") == "legaltv"
    name = ch.find("display-name")
    assert name is not None
    assert (name.get("lang"), name.text) == ("vi", "Kênh Pháp luật & Đời sống")
    progs = root.findall("programme")
    first = progs[1]
    assert (first.get("start"), first.get("stop"), first.get("channel")) == (
        "20261129070010 +0700",
        "20261129070110 +0700",
        "legaltv",
    )
    title, desc = first.find("title"), first.find("desc")
    assert title is not None
    assert desc is not None
    assert (title.get("lang"), title.text) == ("vi", "Chương trình a")
    assert desc.text == 'Giới thiệu a <luật> & "quy định"'
    assert [p.get("stop") for p in progs[:-1]] == [p.get("start") for p in progs[1:]]


def test_m3u_lists_each_channel_with_its_guide() -> None:
    text = render_m3u([channel()], base_url="https://tv.example.vn/")
    assert text == (
        '#EXTM3U url-tvg="https://tv.example.vn/xmltv.xml"\n'
        '#EXTINF:-1 tvg-id="legaltv" tvg-name="Kênh Pháp luật & Đời sống" '
        'tvg-logo="https://example.vn/logo.png" group-title="Pháp luật",Kênh Pháp luật & Đời sống\n'
        "https://tv.example.vn/channels/legaltv/master.m3u8\n"
    )


def test_the_guide_ends_where_the_grid_ends_not_with_days_of_filler() -> None:
    tl = guide_timeline()
    assert tl.end_us >= to_us(EPOCH + 300 * S)  # the channel stays on air (filler) to the horizon
    assert guide_end(tl) == EPOCH + 260 * S  # the last programme ends there
    text = render_xmltv([tl], start=EPOCH, end=EPOCH + timedelta(days=2))
    root = ET.fromstring(text.split("\n", 2)[2].encode())
    assert root.findall("programme")[-1].get("stop") == "20261129070420 +0700"
    day = epg_day(tl, day=date(2026, 11, 29))
    assert day[-1]["stop"] == "2026-11-29T07:04:20+07:00"
    now, nxt = now_next(tl, EPOCH + 280 * S)  # what airs now is still told, past the guide's end
    assert now.kind == "filler"
    assert nxt is None


def test_a_channel_with_no_programme_has_an_empty_guide() -> None:
    tl = compile_timeline(
        channel=channel(), entries=[], programmes={}, slate=slate(), horizon=EPOCH + 300 * S
    )
    assert guide_end(tl) == EPOCH
    assert programmes_between(tl, start=EPOCH, end=EPOCH + 300 * S) == []
