"""Sample legal-education programmes made by ffmpeg: a title card with motion and a speech-like tone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["SAMPLES", "Sample", "sample_command"]


@dataclass(frozen=True, slots=True)
class Sample:
    """One generated programme: its card texts, colours and the pitch of its voice-like audio."""

    slug: str
    title: str
    description: str
    topic_slugs: tuple[str, ...]
    background: str
    accent: str
    pitch_hz: int
    seconds: float = 24.0


SAMPLES: tuple[Sample, ...] = (
    Sample(
        slug="phap-luat-va-doi-song",
        title="Pháp luật và đời sống",
        description="Những câu chuyện pháp luật gần gũi trong đời sống hằng ngày của người dân.",
        topic_slugs=("pho-bien-giao-duc-phap-luat",),
        background="0x123a5e",
        accent="0xf4c430",
        pitch_hz=190,
    ),
    Sample(
        slug="tim-hieu-luat-giao-thong-duong-bo",
        title="Tìm hiểu Luật Giao thông đường bộ",
        description="Quy tắc giao thông, mức xử phạt và cách tham gia giao thông an toàn.",
        topic_slugs=("luat-giao-thong-duong-bo",),
        background="0x1b5e20",
        accent="0xffffff",
        pitch_hz=150,
    ),
    Sample(
        slug="hoi-dap-phap-luat",
        title="Hỏi đáp pháp luật",
        description="Luật sư giải đáp thắc mắc của khán giả về hôn nhân, đất đai và lao động.",
        topic_slugs=("luat-hon-nhan-va-gia-dinh", "luat-dat-dai"),
        background="0x6a1b1b",
        accent="0xffd54f",
        pitch_hz=220,
    ),
)


def _escape(path: Path) -> str:
    return str(path).replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")


def sample_command(
    sample: Sample, *, out: Path, font: Path, title_file: Path, width: int = 1280, height: int = 720
) -> list[str]:
    """ffmpeg arguments for the sample: the title over a moving bar, a clock, and a syllable-like tone.

    The title is read from a file so no text needs escaping inside the filter graph.
    """
    size, small = height // 12, height // 24
    video = (
        f"color=c={sample.background}:s={width}x{height}:r=25:d={sample.seconds},"
        f"drawbox=x='mod(t*{width // 6},{width + 200})-200':y={height * 2 // 3}:w=200:h={height // 40}"
        f":color={sample.accent}@0.9:t=fill,"
        f"drawtext=fontfile={_escape(font)}:textfile={_escape(title_file)}:fontcolor=white:fontsize={size}"
        f":x=(w-text_w)/2:y=h/2-text_h,"
        f"drawtext=fontfile={_escape(font)}:text='legaltv  %{{pts\\:hms}}':fontcolor={sample.accent}"
        f":fontsize={small}:x=(w-text_w)/2:y=h/2+{small}"
    )
    # a voice-like tone: a pitch with a few harmonics, gated into syllables of ~0.25 s
    tone = (
        f"aevalsrc='(0.5*sin(2*PI*{sample.pitch_hz}*t)+0.25*sin(4*PI*{sample.pitch_hz}*t)"
        f"+0.12*sin(6*PI*{sample.pitch_hz}*t))*(0.55+0.45*sin(2*PI*4*t))*gt(sin(2*PI*0.7*t),-0.6)'"
        f":s=48000:d={sample.seconds}"
    )
    return [
        "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", video,
        "-f", "lavfi", "-i", tone,
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-ac", "2",
        "-shortest", "-movflags", "+faststart", str(out),
    ]  # fmt: skip
