"""Subtitles on the live channel: a ready programme's WebVTT tracks cut into one file per video segment.

The shell around `playlist.webvtt`: read each uploaded track from the store, cut it along the
programme's segments, write `<media_prefix>subs_<lang>_<sha12>/seg_<i:05d>.vtt`, and list them (with
the SHA-256 of the track's text) in `Programme.media["subtitles"]` so the next publish carries them.
Called when a track is uploaded to a ready programme and when a transcode makes a programme ready (tracks
uploaded earlier); keys are deterministic, so running it twice writes the same files. The folder is named
after the text, so a corrected track never overwrites the segments of an approved revision that may still
be on air (`channel.editorial`): it airs once an editor approves it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from channel.models import Programme, ProgrammeStatus, SubtitleTrack
from playlist import WebVttError, parse_webvtt, segment_webvtt
from storage import StorageError, Store

__all__ = [
    "B_FRAME_DELAY",
    "MUXER_START",
    "segment_key",
    "segment_subtitles",
    "timestamp_origin",
]

_log = logging.getLogger(__name__)

#: first decoding timestamp ffmpeg's HLS muxer gives a programme, in 90 kHz ticks: the MPEG-TS
#: muxer delays by 1.4 s; fragmented MP4 starts at zero
MUXER_START: Mapping[str, int] = {"mpegts": 126_000, "fmp4": 0}
#: frames between the first decoded and the first shown frame with the house x264 settings (B-pyramid)
B_FRAME_DELAY = 2


def timestamp_origin(description: Mapping[str, Any]) -> int:
    """The presentation timestamp (90 kHz) of a transcoded programme's first frame.

    Measured with ffprobe on the transcoder's output: at 25 fps, 133200 for MPEG-TS (1.4 s + 2
    frames) and 7200 for fMP4; `tests/channel/library/test_captions.py` checks it on a real encode.
    """
    fps = float(description["renditions"][0]["frame_rate"])
    return MUXER_START[str(description["segment_format"])] + round(B_FRAME_DELAY * 90_000 / fps)


def segment_key(language: str, index: int, digest: str) -> str:
    """Key of a subtitle segment relative to the media prefix (the layout description.json uses);
    ``digest`` is the SHA-256 (hex) of the track's text."""
    return f"subs_{language}_{digest[:12]}/seg_{index:05d}.vtt"


def _write_track(
    store: Store, track: SubtitleTrack, *, prefix: str, description: Mapping[str, Any]
) -> tuple[list[str], str]:
    data = store.read_bytes(track.storage_key)
    digest = hashlib.sha256(data).hexdigest()
    cues = parse_webvtt(data.decode("utf-8"))
    durations = [round(float(d) * 1_000_000) for d in description["segment_durations"]]
    documents = segment_webvtt(cues, durations_us=durations, mpegts=timestamp_origin(description))
    keys = [segment_key(track.language, i, digest) for i in range(len(documents))]
    for key, document in zip(keys, documents, strict=True):
        store.put_bytes(prefix + key, document.encode("utf-8"), content_type="text/vtt; charset=utf-8")
    return keys, digest


def segment_subtitles(*, store: Store, programme: Programme) -> bool:
    """Write the segment files of every track of a ready programme and list them in its media.

    Returns whether `programme.media` changed; the caller commits. A track that cannot be read or
    cut is left out (and logged) rather than stopping the upload or the transcode's bookkeeping.
    """
    media, prefix = programme.media, programme.media_prefix
    if programme.status != ProgrammeStatus.READY or not media or prefix is None:
        return False
    listed: list[dict[str, Any]] = []
    for track in sorted(programme.subtitles, key=lambda t: t.language):
        try:
            keys, digest = _write_track(store, track, prefix=prefix, description=media)
        except (StorageError, WebVttError, UnicodeDecodeError, KeyError, TypeError, ValueError) as exc:
            _log.warning("subtitles %s of programme %s not segmented: %s", track.language, programme.id, exc)
            continue
        listed.append({"language": track.language, "segments": keys, "sha256": digest})
    if media.get("subtitles", []) == listed:
        return False
    programme.media = {**media, "subtitles": listed}  # a new dict, so the JSON column is saved
    return True
