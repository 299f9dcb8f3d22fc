"""Generate the issue's test inputs with ffmpeg: tiny, short, made at test time."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

__all__ = ["MEDIA", "make"]

_FF = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
_X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]


def _run(*args: str) -> None:
    subprocess.run([*_FF, *args], check=True, timeout=120)


def _basic(out: Path) -> None:
    _run(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x240:r=30:d=4",
        "-f",
        "lavfi",
        "-i",
        "sine=f=440:d=4:sample_rate=44100",
        "-ac",
        "1",
        *_X264,
        "-c:a",
        "aac",
        str(out),
    )


def _phone(out: Path) -> None:
    """Stored landscape 320x180 (left red, right blue), display matrix says rotate, mono 44.1 kHz."""
    raw = out.with_name("phone_raw.mp4")
    _run(
        "-f",
        "lavfi",
        "-i",
        "color=red:s=160x180:r=30:d=3",
        "-f",
        "lavfi",
        "-i",
        "color=blue:s=160x180:r=30:d=3",
        "-f",
        "lavfi",
        "-i",
        "sine=f=300:d=3:sample_rate=44100",
        "-filter_complex",
        "[0][1]hstack[v]",
        "-map",
        "[v]",
        "-map",
        "2:a",
        "-ac",
        "1",
        *_X264,
        "-c:a",
        "aac",
        str(raw),
    )
    _run("-i", str(raw), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(out))
    raw.unlink()


def _interlaced(out: Path) -> None:
    _run(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=720x576:r=50:d=2",
        "-f",
        "lavfi",
        "-i",
        "sine=f=500:d=2:sample_rate=48000",
        "-vf",
        "tinterlace=mode=interleave_top,setfield=tff",
        "-c:v",
        "mpeg2video",
        "-flags",
        "+ilme+ildct",
        "-top",
        "1",
        "-b:v",
        "2M",
        "-c:a",
        "mp2",
        "-f",
        "mpeg",
        str(out),
    )


def _no_audio(out: Path) -> None:
    _run("-f", "lavfi", "-i", "testsrc2=s=256x144:r=25:d=3", *_X264, str(out))


def _vp9(out: Path) -> None:
    _run(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=160x120:r=24000/1001:d=2",
        "-f",
        "lavfi",
        "-i",
        "sine=d=2",
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-b:v",
        "200k",
        "-c:a",
        "libopus",
        "-b:a",
        "48k",
        str(out),
    )


def _hevc(out: Path) -> None:
    """HEVC 10-bit 50 fps; audio 0 English 5.1 (silent), audio 1 Vietnamese 5.1 (a tone), no default."""
    _run(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x180:r=50:d=2",
        "-f",
        "lavfi",
        "-i",
        "anullsrc=channel_layout=5.1:sample_rate=48000",
        "-f",
        "lavfi",
        "-i",
        "sine=f=600:d=2:sample_rate=48000",
        "-filter_complex",
        "[2]pan=5.1|FL=c0|FR=c0|FC=c0|LFE=c0|BL=c0|BR=c0[vi]",
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-map",
        "[vi]",
        "-t",
        "2",
        "-c:v",
        "libx265",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p10le",
        "-x265-params",
        "log-level=error",
        "-c:a",
        "aac",
        "-metadata:s:a:0",
        "language=eng",
        "-metadata:s:a:1",
        "language=vie",
        "-disposition:a:0",
        "0",
        "-disposition:a:1",
        "0",
        str(out),
    )


def _truncated(out: Path) -> None:
    full = out.with_name("full_for_truncation.mp4")
    _run(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x240:r=25:d=4",
        "-f",
        "lavfi",
        "-i",
        "sine=d=4",
        *_X264,
        "-c:a",
        "aac",
        "-movflags",
        "+faststart",
        str(full),
    )
    data = full.read_bytes()
    out.write_bytes(data[: len(data) * 6 // 10])
    full.unlink()


def _random(out: Path) -> None:
    out.write_bytes(bytes((i * 7919 + 13) % 251 for i in range(50_000)))


def _text(out: Path) -> None:
    out.write_text("Đây là một tệp văn bản, không phải video.\n" * 50, encoding="utf-8")


def _png(out: Path) -> None:
    _run("-f", "lavfi", "-i", "testsrc2=s=320x240", "-frames:v", "1", str(out))


def _audio_only(out: Path) -> None:
    _run("-f", "lavfi", "-i", "sine=d=3", "-c:a", "aac", str(out))


def _hd60(out: Path) -> None:
    _run(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=1920x1080:r=60:d=1",
        "-f",
        "lavfi",
        "-i",
        "sine=d=1",
        *_X264,
        "-c:a",
        "aac",
        str(out),
    )


def _tone(amplitude: float) -> Callable[[Path], None]:
    def make_tone(out: Path) -> None:
        _run(
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=160x90:r=25:d=10",
            "-f",
            "lavfi",
            "-i",
            f"aevalsrc={amplitude}*sin(2*PI*440*t)+{amplitude / 4}*sin(2*PI*2500*t):s=48000:d=10",
            *_X264,
            "-c:a",
            "aac",
            "-b:a",
            "192k",
            str(out),
        )

    return make_tone


def _short(out: Path) -> None:
    _run("-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=0.5", *_X264, str(out))


def _short_ok(out: Path) -> None:
    """Just over one segment at the default 6 s: for the full default ladder, kept tiny."""
    _run(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x180:r=25:d=7",
        "-f",
        "lavfi",
        "-i",
        "sine=d=7",
        *_X264,
        "-c:a",
        "aac",
        str(out),
    )


def _short_audio(out: Path) -> None:
    """4 s of video with only 2.5 s of audio: the output's audio must be padded to 4 s."""
    _run(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=160x120:r=25:d=4",
        "-f",
        "lavfi",
        "-i",
        "sine=d=2.5",
        *_X264,
        "-c:a",
        "aac",
        str(out),
    )


def _thin(out: Path) -> None:
    _run("-f", "lavfi", "-i", "testsrc2=s=400x16:r=25:d=2", *_X264, str(out))


#: every frame shows its own number n: luma 16 + 13 * (n mod 16) in the top half, 16 + 13 * (n div 16)
#: in the bottom half (read back by `checks.frame_indices`), so lost or repeated frames show
INDEXED = (
    "color=black:s={size}:r={rate}:d={seconds},format=yuv420p,"
    "geq=lum='if(lt(Y,H/2),16+mod(N,16)*13,16+floor(N/16)*13)':cb=128:cr=128"
)


def _delayed(out: Path, base: Path, *, stream: str, delay: float, container: str) -> None:
    """Remux `base` (no re-encode) with its `stream` ("v" or "a") starting `delay` s after the other."""
    video, audio = ("1:v", "0:a") if stream == "v" else ("0:v", "1:a")
    _run("-i", str(base), "-itsoffset", f"{delay:g}", "-i", str(base),
         "-map", video, "-map", audio, "-c", "copy", "-f", container, str(out))  # fmt: skip
    base.unlink()


def _pal_interlaced(container: str) -> Callable[[Path], None]:
    """250 numbered frames (10 s) of PAL 25i MPEG-2 (top field first, B-frames, 12-frame GOPs, 4:3)
    with MP2 audio; the video starts 0.16 s after the audio, as in camera and broadcast recordings."""

    def make_pal(out: Path) -> None:
        base = out.with_name(f"{out.stem}_base.mpg")
        _run("-f", "lavfi", "-i", INDEXED.format(size="720x576", rate=25, seconds=10) + ",setfield=tff",
             "-f", "lavfi", "-i", "sine=f=500:d=10.2:sample_rate=48000",
             "-c:v", "mpeg2video", "-b:v", "6M", "-bf", "2", "-g", "12", "-flags", "+ilme+ildct", "-top", "1",
             "-aspect", "4:3", "-c:a", "mp2", "-f", "mpeg", str(base))  # fmt: skip
        _delayed(out, base, stream="v", delay=0.16, container=container)

    return make_pal


def _progressive_offset(out: Path) -> None:
    """100 numbered frames of 25p H.264 + AAC in MPEG-TS whose clock starts at 30 s."""
    _run("-f", "lavfi", "-i", INDEXED.format(size="320x240", rate=25, seconds=4),
         "-f", "lavfi", "-i", "sine=d=4:sample_rate=48000", *_X264, "-c:a", "aac",
         "-output_ts_offset", "30", "-f", "mpegts", str(out))  # fmt: skip


def _late_video_mp4(out: Path) -> None:
    """100 numbered frames of 25p H.264 in MP4, starting 0.2 s after the AAC audio (an edit list)."""
    base = out.with_name(f"{out.stem}_base.mp4")
    _run("-f", "lavfi", "-i", INDEXED.format(size="320x240", rate=25, seconds=4),
         "-f", "lavfi", "-i", "sine=d=4.4:sample_rate=48000", *_X264, "-c:a", "aac", str(base))  # fmt: skip
    _delayed(out, base, stream="v", delay=0.2, container="mp4")


def _late_audio(container: str) -> Callable[[Path], None]:
    """4 s of 25p video; a 440 Hz tone that starts 1.5 s after the first frame (and lasts 2.5 s)."""

    def make_late(out: Path) -> None:
        base = out.with_name(f"{out.stem}_base.mp4")
        _run("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=4",
             "-f", "lavfi", "-i", "sine=f=440:d=2.5:sample_rate=48000", *_X264, "-c:a", "aac", str(base))  # fmt: skip
        _delayed(out, base, stream="a", delay=1.5, container=container)

    return make_late


def _anamorphic(size: str, rate: str, aspect: str, codec: str) -> Callable[[Path], None]:
    """2 s of white stored as `size` with display aspect `aspect` (non-square pixels)."""

    def make_anamorphic(out: Path) -> None:
        video = (
            ["-c:v", "mpeg2video", "-b:v", "2M", "-aspect", aspect, "-c:a", "mp2", "-f", "mpeg"]
            if codec == "mpeg2"
            else [*_X264, "-aspect", aspect, "-c:a", "aac"]
        )
        _run("-f", "lavfi", "-i", f"color=white:s={size}:r={rate}:d=2", "-f", "lavfi", "-i", "sine=d=2",
             *video, str(out))  # fmt: skip

    return make_anamorphic


MEDIA: dict[str, tuple[str, Callable[[Path], None]]] = {
    "basic": ("basic.mp4", _basic),
    "phone": ("phone.mp4", _phone),
    "interlaced": ("interlaced.mpg", _interlaced),
    "no_audio": ("no_audio.mp4", _no_audio),
    "vp9": ("vp9.webm", _vp9),
    "hevc": ("hevc.mkv", _hevc),
    "truncated": ("truncated.mp4", _truncated),
    "random": ("random.mp4", _random),
    "text": ("text.mp4", _text),
    "png": ("picture.png", _png),
    "audio_only": ("audio_only.m4a", _audio_only),
    "hd60": ("hd60.mp4", _hd60),
    "loud": ("loud.mp4", _tone(0.95)),
    "quiet": ("quiet.mp4", _tone(0.004)),
    "short": ("short.mp4", _short),
    "thin": ("thin.mp4", _thin),
    "short_ok": ("short_ok.mp4", _short_ok),
    "short_audio": ("short_audio.mp4", _short_audio),
    "pal_interlaced_ps": ("pal_interlaced.mpg", _pal_interlaced("mpeg")),
    "pal_interlaced_ts": ("pal_interlaced.ts", _pal_interlaced("mpegts")),
    "progressive_offset": ("progressive_offset.ts", _progressive_offset),
    "late_video_mp4": ("late_video.mp4", _late_video_mp4),
    "late_audio_mp4": ("late_audio.mp4", _late_audio("mp4")),
    "late_audio_ts": ("late_audio.ts", _late_audio("mpegts")),
    "pal_4_3": ("pal_4_3.mpg", _anamorphic("720x576", "25", "4:3", "mpeg2")),
    "pal_16_9": ("pal_16_9.mpg", _anamorphic("720x576", "25", "16:9", "mpeg2")),
    "ntsc_4_3": ("ntsc_4_3.mpg", _anamorphic("720x480", "30000/1001", "4:3", "mpeg2")),
    "ntsc_16_9": ("ntsc_16_9.mp4", _anamorphic("720x480", "30000/1001", "16:9", "h264")),
}


def make(name: str, folder: Path) -> Path:
    """The generated file `name` in `folder`, made once."""
    filename, maker = MEDIA[name]
    path = folder / filename
    if not path.exists():
        maker(path)
    return path
