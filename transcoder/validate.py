"""Reject sources that cannot become a programme, each with a specific code and a clear message.

`validate` is pure (on the probe); `check_decodable` decodes the file's last second, because
ffprobe happily reports the header's duration for a file whose end is missing.
"""

from __future__ import annotations

from pathlib import Path

from transcoder.errors import SourceRejected
from transcoder.house import HouseFormat
from transcoder.inputs import is_allowed_format, source_input
from transcoder.probe import SourceInfo, is_still_image
from transcoder.run import run_capture

__all__ = ["MAX_ASPECT", "MAX_SIDE", "MIN_SIDE", "check_decodable", "decode_check_command", "validate"]

MIN_SIDE = 16
MAX_SIDE = 8192
MAX_ASPECT = 10.0


def _hms(seconds: float) -> str:
    total = round(seconds)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def validate(info: SourceInfo, profile: HouseFormat) -> None:
    """Raise `SourceRejected` for the first problem found; return None for a usable source."""
    if not is_allowed_format(info.format_name):
        raise SourceRejected(
            "not_media",
            "Tệp tải lên không phải là tệp video hoặc âm thanh hợp lệ.",
            "The uploaded file is not a valid video or audio file.",
        )
    if is_still_image(info):
        raise SourceRejected(
            "still_image",
            "Tệp tải lên là một ảnh tĩnh, không phải video.",
            "The uploaded file is a still image, not a video.",
        )
    video = info.video
    if video is None:
        raise SourceRejected(
            "no_video",
            "Tệp không có luồng hình ảnh (chỉ có âm thanh); chương trình cần có video.",
            "The file has no video stream (audio only); a programme needs video.",
        )
    duration = info.video_duration
    if duration is None or duration < profile.min_duration:
        raise SourceRejected(
            "too_short",
            f"Video quá ngắn: cần dài ít nhất {profile.min_duration:g} giây.",
            f"The video is too short: it must last at least {profile.min_duration:g} s.",
        )
    if duration > profile.max_duration:
        raise SourceRejected(
            "too_long",
            f"Video quá dài ({_hms(duration)}): tối đa {_hms(profile.max_duration)}.",
            f"The video is too long ({_hms(duration)}): the maximum is {_hms(profile.max_duration)}.",
        )
    width, height = video.width, video.height
    if (
        min(width, height) < MIN_SIDE
        or max(width, height) > MAX_SIDE
        or max(width, height) / min(width, height) > MAX_ASPECT
        or max(video.display_aspect, 1 / video.display_aspect) > MAX_ASPECT  # pixel aspect included
    ):
        raise SourceRejected(
            "bad_dimensions",
            f"Kích thước khung hình không hợp lệ ({width}x{height}): mỗi cạnh từ {MIN_SIDE} đến "
            f"{MAX_SIDE} điểm ảnh, tỉ lệ khung hình không quá 1:{MAX_ASPECT:g}.",
            f"Invalid frame size ({width}x{height}): each side must be {MIN_SIDE}–{MAX_SIDE} px "
            f"and the aspect ratio at most 1:{MAX_ASPECT:g}.",
        )


def decode_check_command(path: Path, *, tail_seconds: float = 1.0, keyframes_only: bool = True) -> list[str]:
    """Read the last `tail_seconds` of the first video stream, stopping at the first error.

    With `keyframes_only` (`-skip_frame nokey`) every packet is still read, which is what finds a
    missing end, at a tenth of the cost of a full decode; some decoders (Theora) report skipped
    frames as errors, so a failure is confirmed by decoding every frame."""
    skip = ["-skip_frame", "nokey"] if keyframes_only else []
    return [
        "ffmpeg",
        "-hide_banner",
        "-nostdin",
        "-v",
        "error",
        "-xerror",
        *skip,
        *source_input(path).args("-sseof", f"-{tail_seconds:g}"),
        "-map",
        "0:v:0",
        "-f",
        "null",
        "-",
    ]


def check_decodable(path: Path, *, timeout: float = 120.0) -> None:
    """Reject a truncated or corrupt file whose end cannot be decoded (keyframes, then every frame)."""
    for keyframes_only in (True, False):
        if (
            run_capture(decode_check_command(path, keyframes_only=keyframes_only), timeout=timeout).returncode
            == 0
        ):
            return
    raise SourceRejected(
        "corrupt",
        "Tệp video bị hỏng hoặc chưa tải lên hết (phần cuối tệp không đọc được).",
        "The video file is corrupt or incomplete (its end cannot be read).",
    )
