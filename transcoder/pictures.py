"""Which still pictures a programme gets (poster, thumbnails): names, sizes and frames. Pure."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "POSTER_NAME",
    "POSTER_SIZE",
    "THUMB_COUNT",
    "THUMB_SIZE",
    "Picture",
    "plan_pictures",
    "thumbnail_names",
    "thumbnail_times",
]

POSTER_NAME = "poster.jpg"
POSTER_SIZE = (1280, 720)
THUMB_SIZE = (320, 180)
THUMB_COUNT = 4


@dataclass(frozen=True, slots=True)
class Picture:
    """One JPEG taken from output frame `frame`, fitted into width x height."""

    name: str
    frame: int
    width: int
    height: int


def thumbnail_names(count: int) -> tuple[str, ...]:
    return tuple(f"thumbs/thumb_{i:02d}.jpg" for i in range(count))


def thumbnail_times(duration: float, count: int) -> tuple[float, tuple[float, ...]]:
    """Poster at a tenth of the way in; thumbnails evenly spread inside the programme."""
    poster = min(duration * 0.1, max(0.0, duration - 0.5))
    thumbs = tuple(round(duration * (i + 1) / (count + 1), 3) for i in range(count))
    return round(poster, 3), thumbs


def plan_pictures(*, frame_count: int, fps: int, count: int = THUMB_COUNT) -> tuple[Picture, ...]:
    """The poster then `count` thumbnails, as frame numbers of the output."""
    poster_at, thumb_ats = thumbnail_times(frame_count / fps, count)

    def frame(at: float) -> int:
        return max(0, min(frame_count - 1, round(at * fps)))

    poster = Picture(POSTER_NAME, frame(poster_at), *POSTER_SIZE)
    thumbs = (
        Picture(name, frame(at), *THUMB_SIZE)
        for name, at in zip(thumbnail_names(count), thumb_ats, strict=True)
    )
    return (poster, *thumbs)
