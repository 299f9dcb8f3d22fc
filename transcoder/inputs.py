"""How ffmpeg and ffprobe may open an upload: one allow-list of containers and protocols.

Why: left to itself, ffmpeg picks whichever of its ~350 demuxers best matches the bytes, and a
demuxer may open further URLs with any compiled-in protocol. A text HLS playlist uploaded as
"video.mp4" whose entry is `/srv/other/secret.ts` (or `http://…`, `concat:…`, `subfile:…`,
`data:…`) is then read as media and published (issue 9 §1). So every command that opens a
producer's file gets its input from `source_input`, which names:

- `-format_whitelist`: the containers producers really upload; playlist and indirection
  demuxers (hls, dash, concat/ffconcat, image2 sequences, tee, data, …) are absent, so a file
  they would claim fails to open and is rejected as `not_media`;
- `-protocol_whitelist file`: the only protocol any demuxer may use;
- a `file:` URL of the absolute path, so the name is never read as another protocol's URL.

MOV external data references stay off: `-enable_drefs` is never passed (ffmpeg's default is 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import ffmpeg

__all__ = [
    "SOURCE_DEMUXERS",
    "SOURCE_PROTOCOLS",
    "SourceInput",
    "is_allowed_format",
    "source_input",
]

#: demuxer names exactly as `ffmpeg -demuxers` prints them
SOURCE_DEMUXERS: Final[tuple[str, ...]] = (
    "mov,mp4,m4a,3gp,3g2,mj2",  # phones, cameras, editing suites (MP4, MOV, M4A, 3GP)
    "matroska,webm",
    "mpeg",  # MPEG-PS: .mpg, .vob, DVD and broadcast archives
    "mpegts",  # .ts, .m2ts, AVCHD
    "avi",
    "flv",
    "asf",  # .wmv
    "mxf",  # broadcast cameras and playout servers
    "dv",
    "ogg",
    "wav",
    "mp3",
    "aac",
    "flac",
    # single still pictures: opened only so they are refused as `still_image`, a clearer message
    "png_pipe",
    "jpeg_pipe",
    "bmp_pipe",
    "webp_pipe",
    "tiff_pipe",
    "gif",
)
SOURCE_PROTOCOLS: Final[tuple[str, ...]] = ("file",)

_ALLOWED_NAMES: Final = frozenset(name for entry in SOURCE_DEMUXERS for name in entry.split(","))


@dataclass(frozen=True, slots=True)
class SourceInput:
    """An upload as an ffmpeg/ffprobe input: its URL and the input options that fence it in."""

    url: str
    options: tuple[tuple[str, str], ...]

    def args(self, *before: str) -> list[str]:
        """Command-line form: `before` (other input options, e.g. `-ss 3`), the fences, `-i url`."""
        fences = [part for key, value in self.options for part in (f"-{key}", value)]
        return [*before, *fences, "-i", self.url]

    def stream(self, **before: Any) -> Any:
        """ffmpeg-python form: an input node with the fences and any other input options."""
        return ffmpeg.input(self.url, **dict(self.options), **before)


def source_input(path: Path) -> SourceInput:
    """The one way to open an upload (probe, decode check, loudness, encode, chunks, pictures)."""
    return SourceInput(
        url=f"file:{path.absolute()}",
        options=(
            ("protocol_whitelist", ",".join(SOURCE_PROTOCOLS)),
            ("format_whitelist", ",".join(SOURCE_DEMUXERS)),
        ),
    )


def is_allowed_format(format_name: str) -> bool:
    """Whether ffprobe's `format_name` is one of the allowed demuxers (as ffmpeg matches names)."""
    return not _ALLOWED_NAMES.isdisjoint(format_name.split(","))
