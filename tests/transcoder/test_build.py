"""The exact ffmpeg arguments of a few plans: built without running ffmpeg."""

from __future__ import annotations

from dataclasses import replace
from itertools import chain
from pathlib import Path

from tests.transcoder.test_inputs import fenced_kwargs
from tests.transcoder.test_validate import INFO, VIDEO
from transcoder.build import build_encode
from transcoder.house import HouseFormat
from transcoder.loudness import LoudnessMeasurement
from transcoder.plan import plan_encode
from transcoder.probe import AudioStream

SMALL = HouseFormat.with_heights((360, 240), preset="ultrafast", segment_seconds=2.0, gop_seconds=1.0)

#: the x264/AAC HLS options every rung of these plans carries (a 3 s source)
RUNG_OPTIONS = {
    "-8x8dct": "1",
    "-ac": "2",
    "-ar": "48000",
    "-b:a": "128k",
    "-c:a": "aac",
    "-c:v": "libx264",
    "-flags": "+cgop",
    "-hls_playlist_type": "vod",
    "-max_interleave_delta": "0",
    "-max_muxing_queue_size": "4096",
    "-pix_fmt": "yuv420p",
    "-profile:v": "high",
    "-sc_threshold": "0",
    "-t": "3.000000",
}


def _split_graph(args: list[str]) -> tuple[list[str], list[str], list[str]]:
    i = args.index("-filter_complex")
    return args[: i + 1], args[i + 1].split(";"), args[i + 2 :]


def _head(*more_inputs: str) -> list[str]:
    """ffmpeg's quiet global options, the fenced upload and any further input, up to the graph."""
    quiet = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning", "-progress", "pipe:1", "-y"]
    return ["ffmpeg", *quiet, *fenced_kwargs("file:/w/src.mp4"), *more_inputs, "-filter_complex"]


def _picture(split: str, first: int, frame: int, scale: str, pad: str) -> list[str]:
    """One still's filters: its frame cut from the split, scaled, padded to size, square pixels."""
    return [
        f"[{split}]trim=end_frame={frame + 1}:start_frame={frame}[s{first}]",
        f"[s{first}]scale={scale}[s{first + 1}]",
        f"[s{first + 1}]pad={pad}[s{first + 2}]",
        f"[s{first + 2}]setsar=sar=1[s{first + 3}]",
    ]


def _stills(poster: str, *thumbs: str) -> list[str]:
    """The outputs of the poster and the numbered thumbnails: one JPEG frame each, from their labels."""
    files = ["/w/out/poster.jpg", *(f"/w/out/thumbs/thumb_{i:02d}.jpg" for i in range(len(thumbs)))]
    jpeg = ["-frames:v", "1", "-q:v", "3", "-update", "1"]
    pairs = zip((poster, *thumbs), files, strict=True)
    return list(chain.from_iterable(["-map", label, *jpeg, file] for label, file in pairs))


def _rung(video: str, audio: str, options: dict[str, str], name: str, ext: str = "ts") -> list[str]:
    """One rung's HLS output: its two streams, then the options in the sorted order ffmpeg-python writes."""
    options = {**RUNG_OPTIONS, **options, "-hls_segment_filename": f"/w/out/{name}/seg_%05d.{ext}"}
    flat = chain.from_iterable(sorted(options.items()))
    return ["-map", video, "-map", audio, "-f", "hls", *flat, f"/w/out/{name}/index.m3u8"]


def test_two_rungs_no_audio_one_decode_split_and_silence() -> None:
    # One input decode; split feeds 2 rungs + 5 pictures (poster, 4 thumbnails picked by trim).
    plan = plan_encode(replace(INFO, video=replace(VIDEO, duration=3.0)), SMALL, None)
    head, graph, tail = _split_graph(build_encode(plan, source=Path("/w/src.mp4"), outdir=Path("/w/out")))
    assert head == _head("-f", "lavfi", "-i", "anullsrc=channel_layout=stereo:sample_rate=48000")
    thumb = ("h=180:w=320", "color=black:h=180:w=320:x=0:y=0")
    assert graph == [
        "[0:v:0]setpts=expr=PTS-STARTPTS[s0]",
        "[s0]fps=fps=25[s1]",
        "[s1]split=7[s2][s3][s4][s5][s6][s7][s8]",
        *_picture("s4", 9, 8, "h=720:w=1280", "color=black:h=720:w=1280:x=0:y=0"),
        *_picture("s5", 13, 15, *thumb),
        *_picture("s6", 17, 30, *thumb),
        *_picture("s7", 21, 45, *thumb),
        *_picture("s8", 25, 60, *thumb),
        "[s2]scale=h=360:w=640[s29]",
        "[s29]pad=color=black:h=360:w=640:x=0:y=0[s30]",
        "[s30]setsar=sar=1[s31]",
        "[s31]format=pix_fmts=yuv420p[s32]",
        "[1:a:0]aresample=async=1:first_pts=0:out_sample_rate=48000[s33]",
        "[s33]aformat=channel_layouts=stereo:sample_fmts=fltp[s34]",
        "[s34]apad=whole_dur=3.000000[s35]",
        "[s35]atrim=end=3.000000[s36]",
        "[s36]asplit=2[s37][s38]",
        "[s3]scale=h=240:w=426[s39]",
        "[s39]pad=color=black:h=240:w=426:x=0:y=0[s40]",
        "[s40]setsar=sar=1[s41]",
        "[s41]format=pix_fmts=yuv420p[s42]",
    ]
    small = {
        "-force_key_frames": "expr:gte(t,n_forced*1)",
        "-g": "25",
        "-hls_time": "2",
        "-keyint_min": "25",
        "-level:v": "3.0",
        "-preset": "ultrafast",
    }
    assert tail == [
        *_stills("[s12]", "[s16]", "[s20]", "[s24]", "[s28]"),
        *_rung("[s32]", "[s37]", {**small, "-b:v": "700k", "-bufsize": "1600k", "-maxrate": "800k"}, "360p"),
        *_rung("[s42]", "[s38]", {**small, "-b:v": "350k", "-bufsize": "800k", "-maxrate": "400k"}, "240p"),
    ]


def test_one_rung_fmp4_rotated_interlaced_with_loudness() -> None:
    audio = AudioStream(
        index=1,
        position=0,
        codec="aac",
        language="vie",
        default=True,
        channels=2,
        layout="stereo",
        sample_rate=48000,
    )
    measured = LoudnessMeasurement(input_i=-30.5, input_tp=-10.25, input_lra=4.0, input_thresh=-41.0)
    info = replace(INFO, audio=(audio,), video=replace(VIDEO, duration=3.0, rotation=90, interlaced=True))
    profile = HouseFormat(rungs=HouseFormat().rungs[:1], segment_format="fmp4")
    head, graph, tail = _split_graph(
        build_encode(plan_encode(info, profile, measured), source=Path("/w/src.mp4"), outdir=Path("/w/out"))
    )
    assert head == _head()
    thumb = ("h=180:w=102", "color=black:h=180:w=320:x=109:y=0")
    assert graph == [
        "[0:v:0]setpts=expr=PTS-STARTPTS[s0]",
        "[s0]bwdif=deint=all:mode=send_frame:parity=auto[s1]",
        "[s1]transpose=dir=clock[s2]",
        "[s2]fps=fps=25[s3]",
        "[s3]split=6[s4][s5][s6][s7][s8][s9]",
        *_picture("s5", 10, 8, "h=720:w=404", "color=black:h=720:w=1280:x=438:y=0"),
        *_picture("s6", 14, 15, *thumb),
        *_picture("s7", 18, 30, *thumb),
        *_picture("s8", 22, 45, *thumb),
        *_picture("s9", 26, 60, *thumb),
        "[s4]scale=h=1080:w=608[s30]",
        "[s30]pad=color=black:h=1080:w=1920:x=656:y=0[s31]",
        "[s31]setsar=sar=1[s32]",
        "[s32]format=pix_fmts=yuv420p[s33]",
        "[0:a:0]aresample=async=1:first_pts=0:out_sample_rate=48000[s34]",
        "[s34]aformat=channel_layouts=stereo:sample_fmts=fltp[s35]",
        "[s35]volume=volume=7.5dB[s36]",
        "[s36]alimiter=latency=true:level=false:limit=0.7943[s37]",
        "[s37]apad=whole_dur=3.000000[s38]",
        "[s38]atrim=end=3.000000[s39]",
    ]
    fmp4 = {
        "-b:v": "4500k",
        "-bufsize": "10000k",
        "-force_key_frames": "expr:gte(t,n_forced*2)",
        "-g": "50",
        "-hls_fmp4_init_filename": "init.mp4",
        "-hls_segment_type": "fmp4",
        "-hls_time": "6",
        "-keyint_min": "50",
        "-level:v": "4.0",
        "-maxrate": "5000k",
        "-preset": "veryfast",
    }
    assert tail == [
        *_stills("[s13]", "[s17]", "[s21]", "[s25]", "[s29]"),
        *_rung("[s33]", "[s39]", fmp4, "1080p", ext="m4s"),
    ]
