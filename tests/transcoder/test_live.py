"""The live encode's arguments and the reading of its segment list (pure)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from transcoder.house import HouseFormat
from transcoder.live import (
    ListedSegment,
    LiveEncode,
    aligned_segment,
    build_live_encode,
    parse_segment_list,
)

HOUSE = HouseFormat.with_heights((180, 144), segment_seconds=2.0, gop_seconds=1.0)


def job(first: int = 7) -> LiveEncode:
    return LiveEncode(
        house=HOUSE,
        input_url="rtmp://127.0.0.1:1935/live/live_key",
        event_start_us=1_800_000_000_000_000,
        first_index=first,
        outdir=Path("/w"),
        input_options=("-rtmp_live", "live"),
    )


def test_the_clock_starts_at_the_first_boundary_and_every_rung_is_cut_on_it() -> None:
    args = build_live_encode(job())
    assert args[:4] == ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel"]
    assert "-copyts" in args
    assert args[args.index("-use_wallclock_as_timestamps") + 1] == "1"
    assert args[args.index("-i") - 2 : args.index("-i")] == ["-rtmp_live", "live"]
    graph = args[args.index("-filter_complex") + 1]
    assert graph.startswith("[0:v:0]setpts=PTS-1800000014.000000/TB,fps=25:start_time=0,")
    # the 144p picture is scaled from the 180p one (never up), then each rung fits its own box
    assert "[c0]split=2[b0][d0];[d0]scale=w=min(iw\\,if(gte(iw/ih\\,256/144)" in graph
    assert "[b0]scale=w=if(gte(iw/ih\\,320/180)" in graph
    assert graph.count("scale=w=if(") == 2  # each rung fits its own box too
    assert "pad=w=256:h=144:x=(ow-iw)/2:y=(oh-ih)/2:color=black,setsar=1,format=yuv420p[v1]" in graph
    assert "aresample=48000:async=1:first_pts=0,aformat=sample_fmts=fltp:channel_layouts=stereo" in graph
    assert graph.endswith("asplit=2[a0][a1]")
    assert args.count("-segment_time") == 2
    assert args[args.index("-segment_time") + 1] == "2"
    assert args[args.index("-segment_start_number") + 1] == "7"
    assert args[args.index("-g") + 1] == "25"
    assert args.count("-x264-params") == 2  # frame threads, no look-ahead, no B-frames
    assert "-tune" not in args
    assert "expr:isnan(prev_forced_t)+gte(floor(t/1+0.0001),floor(prev_forced_t/1+0.0001)+1)" in args
    assert args[-1] == "/w/144p/run_%05d.ts"
    assert "/w/180p/segments.csv" in args


def test_the_list_gives_whole_wall_clock_segments_only() -> None:
    text = (
        "run_00007.ts,0.000000,2.021333\nrun_00008.ts,2.021333,4.021333\n"
        "run_00009.ts,4.021333,5.300000\nrun_00010.ts,5.30"
    )
    listed = parse_segment_list(text)
    assert listed == [
        ListedSegment("run_00007.ts", 0.0, 2.021333),
        ListedSegment("run_00008.ts", 2.021333, 4.021333),
        ListedSegment("run_00009.ts", 4.021333, 5.3),
    ]
    indices = [aligned_segment(s, segment_seconds=2.0, first_index=7) for s in listed]
    assert indices == [7, 8, None]  # the last one is cut short: the publisher left
    assert aligned_segment(ListedSegment("x", 0.5, 2.0), segment_seconds=2.0, first_index=0) is None


def test_a_feed_without_sound_gets_silence_generated_on_the_segment_grid() -> None:
    base = job()
    silent = build_live_encode(dataclasses.replace(base, has_audio=False))
    assert [silent[i + 1] for i, arg in enumerate(silent) if arg == "-i"] == [base.input_url]
    graph = silent[silent.index("-filter_complex") + 1]
    assert graph.endswith(";anullsrc=r=48000:cl=stereo,asplit=2[a0][a1]")  # t = 0 is the first boundary
    assert "[0:a:0]" not in graph
    assert "[0:a:0]" in build_live_encode(base)[build_live_encode(base).index("-filter_complex") + 1]
