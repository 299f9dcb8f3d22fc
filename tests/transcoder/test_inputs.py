"""The allow-list that fences every upload: exact arguments, and ffmpeg's own matching of names."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from transcoder.errors import SourceRejected
from transcoder.house import HouseFormat
from transcoder.inputs import SOURCE_DEMUXERS, is_allowed_format, source_input
from transcoder.probe import probe
from transcoder.validate import check_decodable, validate

#: written out literally, so a change to the allow-list is a visible change to this test
ALLOWED = (
    "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,mpeg,mpegts,avi,flv,asf,mxf,dv,ogg,wav,mp3,aac,flac,"
    "png_pipe,jpeg_pipe,bmp_pipe,webp_pipe,tiff_pipe,gif"
)


def fenced(url: str) -> list[str]:
    """What every command that opens an upload must carry before its `-i`."""
    return ["-protocol_whitelist", "file", "-format_whitelist", ALLOWED, "-i", url]


def fenced_kwargs(url: str, *before_input: str) -> list[str]:
    """The same fences as ffmpeg-python writes them (options sorted), with auto-rotation off and any seek."""
    return [
        "-format_whitelist",
        ALLOWED,
        "-noautorotate",
        "-protocol_whitelist",
        "file",
        *before_input,
        "-i",
        url,
    ]


def test_source_input_fences_and_names_the_file_by_absolute_file_url() -> None:
    upload = source_input(Path("/w/concat:evil|x.mp4"))
    assert upload.url == "file:/w/concat:evil|x.mp4"
    assert upload.args() == fenced("file:/w/concat:evil|x.mp4")
    assert upload.args("-ss", "3") == ["-ss", "3", *fenced("file:/w/concat:evil|x.mp4")]


def test_relative_paths_become_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert source_input(Path("http:x.mp4")).url == f"file:{tmp_path}/http:x.mp4"


def test_ffmpeg_python_form_has_the_same_fences() -> None:
    args = source_input(Path("/w/s.mp4")).stream(noautorotate=None).output("/w/o.mp4").get_args()
    assert args == [*fenced_kwargs("file:/w/s.mp4"), "/w/o.mp4"]


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("mov,mp4,m4a,3gp,3g2,mj2", True),
        ("matroska,webm", True),
        ("mpegts", True),
        ("mpeg", True),
        ("png_pipe", True),
        ("hls", False),
        ("concat", False),
        ("image2", False),
        ("tty", False),
        ("webm_dash_manifest", False),
        ("data", False),
        ("", False),
    ],
)
def test_is_allowed_format(name: str, allowed: bool) -> None:
    assert is_allowed_format(name) is allowed


def test_every_allowed_demuxer_exists_and_no_indirection_is_allowed() -> None:
    listing = subprocess.run(
        ["ffmpeg", "-hide_banner", "-demuxers"], check=True, capture_output=True, text=True, timeout=30
    ).stdout
    demuxers = {line.split()[1] for line in listing.splitlines() if line.startswith(" D")}
    assert set(SOURCE_DEMUXERS) <= demuxers
    forbidden = {"hls", "dash", "concat", "image2", "image2pipe", "data", "webm_dash_manifest", "tty"}
    assert forbidden <= demuxers  # the names are real, so their absence below means something
    assert not any(is_allowed_format(name) for name in forbidden)


_V = ["-f", "lavfi", "-i", "testsrc2=s=176x144:r=25:d=1", "-f", "lavfi", "-i", "sine=d=1:sample_rate=48000"]
#: (file name, ffmpeg output options, the demuxer that must open it), one per container producers send
CONTAINERS = [
    ("clip.mp4", ["-c:v", "libx264", "-c:a", "aac"], "mov,mp4,m4a,3gp,3g2,mj2"),
    ("clip.mov", ["-c:v", "libx264", "-c:a", "aac"], "mov,mp4,m4a,3gp,3g2,mj2"),
    ("clip.3gp", ["-c:v", "libx264", "-c:a", "aac", "-ar", "16000", "-ac", "1"], "mov,mp4,m4a,3gp,3g2,mj2"),
    ("clip.mkv", ["-c:v", "libx264", "-c:a", "aac"], "matroska,webm"),
    ("clip.webm", ["-c:v", "libvpx", "-c:a", "libvorbis"], "matroska,webm"),
    ("clip.mpg", ["-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpeg"], "mpeg"),
    ("clip.ts", ["-c:v", "libx264", "-c:a", "aac"], "mpegts"),
    ("clip.avi", ["-c:v", "mpeg4", "-c:a", "libmp3lame"], "avi"),
    ("clip.flv", ["-c:v", "libx264", "-c:a", "aac"], "flv"),
    ("clip.wmv", ["-c:v", "wmv2", "-c:a", "wmav2"], "asf"),
    ("clip.mxf", ["-c:v", "mpeg2video", "-c:a", "pcm_s16le", "-s", "720x576", "-b:v", "5M"], "mxf"),
    (
        "clip.dv",
        ["-c:v", "dvvideo", "-s", "720x576", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", "-ac", "2"],
        "dv",
    ),
    ("clip.ogv", ["-c:v", "libtheora", "-c:a", "libvorbis"], "ogg"),  # Theora: no keyframes-only decode
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "options", "demuxer"), CONTAINERS)
def test_every_container_producers_upload_is_opened(
    name: str, options: list[str], demuxer: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", *_V, *options, "-t", "1", str(path)], check=True, timeout=60
    )
    info = probe(path)
    assert info.format_name == demuxer
    assert info.video is not None
    assert len(info.audio) == 1
    check_decodable(path)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "demuxer"), [("a.wav", "wav"), ("a.mp3", "mp3"), ("a.aac", "aac"), ("a.flac", "flac")]
)
def test_audio_only_files_open_and_are_refused_for_having_no_video(
    name: str, demuxer: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    subprocess.run(["ffmpeg", "-v", "error", "-y", *_V[4:], str(path)], check=True, timeout=60)
    info = probe(path)
    assert (info.format_name, info.video, len(info.audio)) == (demuxer, None, 1)
    with pytest.raises(SourceRejected) as caught:
        validate(info, HouseFormat())
    assert caught.value.code == "no_video"
