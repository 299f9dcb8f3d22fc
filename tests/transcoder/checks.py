"""Independent checks of a transcoded programme with ffprobe/ffmpeg: the house format, verified."""

from __future__ import annotations

import json
import re
import subprocess
from fractions import Fraction
from pathlib import Path

import m3u8

from tests.transcoder.conftest import ffprobe_json
from transcoder.house import HouseFormat

__all__ = [
    "active_box",
    "assert_house_format",
    "frame_indices",
    "integrated_loudness",
    "loudness",
    "silence_end",
]


def loudness(path: Path) -> tuple[float, float]:
    """(integrated loudness LUFS, true peak dBTP) by ffmpeg's ebur128 filter (independent of our code)."""
    out = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-i", str(path), "-map", "0:a:0",
         "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    summary = out.stderr[out.stderr.rfind("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated, out.stderr[-500:]
    assert peak, out.stderr[-500:]
    return float(integrated.group(1)), float(peak.group(1))


def integrated_loudness(path: Path) -> float:
    """EBU R128 integrated loudness (see `loudness`)."""
    return loudness(path)[0]


def _luma(path: Path, *, video_filter: str, width: int, height: int) -> list[bytes]:
    """The luma plane (limited range, as coded) of every frame of `path` after `video_filter`, one
    per decoded frame (no frame-rate correction); `width` x `height` is the filtered size."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v:0", "-fps_mode", "passthrough",
         "-vf", video_filter, "-pix_fmt", "yuv420p", "-f", "rawvideo", "-"],
        check=True, capture_output=True, timeout=120,
    ).stdout  # fmt: skip
    frame = width * height * 3 // 2
    return [raw[start : start + width * height] for start in range(0, len(raw), frame)]


def frame_indices(path: Path) -> list[int]:
    """The number each frame of `path` shows (sources made with `media.INDEXED`), in output order."""
    height = int(
        ffprobe_json(path, "-select_streams", "v:0", "-show_entries", "stream=height")["streams"][0]["height"]
    )
    numbers = []
    for frame in _luma(path, video_filter="crop=16:ih:(iw-16)/2:0", width=16, height=height):
        top, bottom = (sum(frame[16 * row : 16 * row + 16]) / 16 for row in (height // 4, 3 * height // 4))
        numbers.append(round((top - 16) / 13) + 16 * round((bottom - 16) / 13))
    return numbers


def active_box(path: Path) -> tuple[int, int, int, int]:
    """(width, height, x, y) of the bright picture inside the black bars of `path`'s first frame."""
    size = ffprobe_json(path, "-select_streams", "v:0", "-show_entries", "stream=width,height")["streams"][0]
    width, height = int(size["width"]), int(size["height"])
    raw = _luma(path, video_filter="select=eq(n\\,0)", width=width, height=height)[0]
    rows = [y for y in range(height) if sum(raw[y * width : (y + 1) * width]) / width > 64]
    cols = [x for x in range(width) if sum(raw[x::width]) / height > 64]
    return cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1, cols[0], rows[0]


def silence_end(path: Path) -> float:
    """Seconds from the first video frame of `path` to the end of its leading silence."""
    out = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
         "-af", "silencedetect=n=-50dB:d=0.2", "-f", "null", "-"],
        check=True, capture_output=True, text=True, timeout=120,
    ).stderr  # fmt: skip
    match = re.search(r"silence_end: ([\d.]+)", out)
    assert match, out[-500:]
    starts = {
        s["codec_type"]: float(s["start_time"])
        for s in ffprobe_json(path, "-show_entries", "stream=codec_type,start_time")["streams"]
    }
    return float(match.group(1)) + starts["audio"] - starts["video"]


def _stream_end(playlist: Path, selector: str) -> float:
    """When the last packet of the selected stream ends (pts + duration)."""
    packets = ffprobe_json(
        playlist, "-select_streams", selector, "-show_entries", "packet=pts_time,duration_time"
    )
    return max(float(p["pts_time"]) + float(p.get("duration_time", 0)) for p in packets["packets"])


def assert_house_format(root: Path, profile: HouseFormat) -> dict[str, object]:
    """Check the programme under `root` (a local folder) and return its description."""
    description = json.loads((root / "description.json").read_text(encoding="utf-8"))
    assert (root / "master.m3u8").is_file()
    master = m3u8.load(str(root / "master.m3u8"))
    assert [p.uri for p in master.playlists] == [f"{r.name}/index.m3u8" for r in profile.rungs]
    boundaries = None
    for rung, rendition in zip(profile.rungs, description["renditions"], strict=True):
        assert rendition["name"] == rung.name
        playlist = m3u8.load(str(root / rung.name / "index.m3u8"))
        durations = [round(float(s.duration), 3) for s in playlist.segments]
        boundaries = boundaries or durations
        assert durations == boundaries, f"{rung.name} boundaries differ"
        assert durations == [round(d, 3) for d in description["segment_durations"]]
        assert all(d <= profile.segment_seconds + 0.001 for d in durations)
        assert all(abs(d - profile.segment_seconds) < 0.001 for d in durations[:-1])
        info = ffprobe_json(root / rung.name / "index.m3u8", "-show_streams")
        video = next(s for s in info["streams"] if s["codec_type"] == "video")
        audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
        assert (video["width"], video["height"]) == (rung.width, rung.height)
        assert video["codec_name"] == "h264"
        assert video["pix_fmt"] == "yuv420p"
        assert Fraction(video["r_frame_rate"]) == Fraction(video["avg_frame_rate"]) == profile.fps
        assert video.get("sample_aspect_ratio", "1:1") == "1:1"
        init = root / rung.name / "init.mp4"
        if init.exists():  # only init + a media segment tells ffprobe the fMP4 audio profile
            joined = root / rung.name / "joined_for_probe.mp4"
            joined.write_bytes(init.read_bytes() + (root / rendition["segments"][0]).read_bytes())
            streams = ffprobe_json(joined, "-show_streams")["streams"]
            joined.unlink()
            audio = next(s for s in streams if s["codec_type"] == "audio")
        assert (audio["codec_name"], audio["profile"]) == ("aac", "LC")
        assert (int(audio["sample_rate"]), audio["channels"]) == (48000, 2)
        for index, segment in enumerate(rendition["segments"]):
            path = root / segment
            if init.exists():
                path = root / rung.name / "joined_for_probe.mp4"
                path.write_bytes(init.read_bytes() + (root / segment).read_bytes())
            first = ffprobe_json(
                path,
                "-select_streams",
                "v:0",
                "-show_entries",
                "packet=pts_time,flags",
                "-read_intervals",
                "%+#1",
            )["packets"][0]
            assert first["flags"].startswith("K"), f"{segment} does not start with a keyframe"
            audio_packets = ffprobe_json(
                path, "-select_streams", "a:0", "-count_packets", "-show_entries", "stream=nb_read_packets"
            )["streams"][0].get("nb_read_packets", "0")
            audio_seconds = int(audio_packets) * 1024 / 48000 if audio_packets != "N/A" else 0.0
            expected = description["segment_durations"][index]  # type: ignore[index]
            # every segment carries its own audio: a player switching in at any segment hears sound
            assert abs(audio_seconds - expected) < 0.2, (
                f"{segment}: {audio_seconds:.2f} s of audio for {expected} s"
            )
            if init.exists():
                path.unlink()
        video_end, audio_end = (
            _stream_end(root / rung.name / "index.m3u8", "v:0"),
            _stream_end(root / rung.name / "index.m3u8", "a:0"),
        )
        assert abs(video_end - audio_end) < 0.05, f"audio ends at {audio_end}, video at {video_end}"
        frames = ffprobe_json(
            root / rung.name / "index.m3u8",
            "-select_streams",
            "v:0",
            "-count_packets",
            "-show_entries",
            "stream=nb_read_packets",
        )["streams"][0]["nb_read_packets"]
        assert int(frames) == round(description["duration"] * profile.fps)  # type: ignore[operator]
    return description  # type: ignore[no-any-return]
