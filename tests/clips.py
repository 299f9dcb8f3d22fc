"""Small audio-video clips made by ffmpeg at test time: a moving test pattern and a tone."""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["av_clip"]


def av_clip(
    path: Path, *, seconds: float, size: str = "320x180", tone_hz: int = 440, video_filter: str = ""
) -> Path:
    """H.264 + AAC (48 kHz) clip of `seconds` at 25 fps; `video_filter` is appended to the pattern."""
    video = f"testsrc2=s={size}:r=25:d={seconds:g}" + (f",{video_filter}" if video_filter else "")
    done = subprocess.run(
        [
            "ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", video,
            "-f", "lavfi", "-i", f"sine=f={tone_hz}:d={seconds:g}:sample_rate=48000",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"ffmpeg could not make the test clip: {done.stderr[-2000:]}"
    return path
