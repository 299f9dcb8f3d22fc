"""The filler slate of a channel: generated once per house format and name, found again by its key.

The slate lives under a prefix derived from what it shows and how it is encoded
(`slates/<hash>/`), and its layout is predictable (one-second segments, `<rung>/seg_<i>.ts`), so
publishing never has to generate or even read it: `expected_slate` computes its description from the
profile alone, and `ensure_slate` makes the real files (once; a restart finds them and is fast).
A channel goes on air only once every slate its timeline names is stored (`slate_probe`): a playlist
never lists a segment that is not there yet.

A channel with live events has a second card, the gap slate (`live_slate_prefix`): a few segments of
exactly the house segment length, one of which airs for a live segment that did not arrive in time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playlist import FILLER_TITLE, ProgrammeMedia, Slate
from playlist.live import GapSlate
from storage import StorageError, Store
from transcoder.house import HouseFormat
from transcoder.slate import make_slate

__all__ = [
    "EMPTY_VTT",
    "EMPTY_VTT_KEY",
    "GAP_SEGMENTS",
    "SLATE_SECONDS",
    "ensure_live_slate",
    "ensure_slate",
    "expected_gap",
    "expected_slate",
    "expected_slate_description",
    "live_slate_prefix",
    "slate_prefix",
    "slate_prefix_of",
    "slate_probe",
]

log = logging.getLogger(__name__)

SLATE_SECONDS = 60
#: segments of the gap slate (varied URIs for consecutive missing live segments)
GAP_SEGMENTS = 5
#: one empty WebVTT cue segment, for items without subtitles (served by the media route from memory)
EMPTY_VTT_KEY = "slates/empty.vtt"
EMPTY_VTT = b"WEBVTT\n\n"


def slate_prefix(house: HouseFormat, *, channel_name: str) -> str:
    """`slates/<hash>/`: the same card and format (ladder, rate, container) always land on the same keys."""
    shown = {"ladder": list(house.heights), "fps": house.fps, "segment_format": house.segment_format}
    text = json.dumps({"format": shown, "name": channel_name, "v": 1}, sort_keys=True)
    return f"slates/{hashlib.sha256(text.encode()).hexdigest()[:20]}/"


def expected_slate_description(house: HouseFormat) -> dict[str, Any]:
    """description.json (keys relative to the prefix) that `ensure_slate` produces for `house`."""
    ext = house.segment_extension
    fmp4 = house.segment_format == "fmp4"
    renditions = [
        {
            "name": r.name,
            "width": r.width,
            "height": r.height,
            "init": f"{r.name}/init.mp4" if fmp4 else None,
            "segments": [f"{r.name}/seg_{i:05d}.{ext}" for i in range(SLATE_SECONDS)],
        }
        for r in house.rungs
    ]
    return {
        "version": 1,
        "duration": float(SLATE_SECONDS),
        "segment_format": house.segment_format,
        "target_duration": 1,
        "segment_durations": [1.0] * SLATE_SECONDS,
        "renditions": renditions,
    }


def expected_slate(house: HouseFormat, *, channel_name: str) -> Slate:
    """The slate as the timeline references it, without touching the store."""
    media = ProgrammeMedia.from_description(
        expected_slate_description(house),
        programme_id="slate",
        prefix=slate_prefix(house, channel_name=channel_name),
        title=FILLER_TITLE["vi"],
    )
    return Slate(media=media)


def _make_unless_stored(
    what: str,
    *,
    store: Store,
    prefix: str,
    house: HouseFormat,
    workdir: Path,
    channel_name: str,
    duration: float,
    segment_seconds: float | None = None,
) -> None:
    """Generate a slate under `prefix` with transcoder/slate.py unless its master playlist is stored."""
    if store.exists(f"{prefix}master.m3u8"):
        return
    log.info("generating the %s under %s", what, prefix)
    make_slate(
        store=store,
        output_prefix=prefix,
        profile=house,
        workdir=workdir,
        channel_name=channel_name,
        duration=duration,
        segment_seconds=segment_seconds,
    )


def ensure_slate(*, store: Store, house: HouseFormat, channel_name: str, workdir: Path) -> dict[str, Any]:
    """The slate's description.json, generated with transcoder/slate.py only if it is not stored yet."""
    prefix = slate_prefix(house, channel_name=channel_name)
    _make_unless_stored(
        "filler slate",
        store=store,
        prefix=prefix,
        house=house,
        workdir=workdir,
        channel_name=channel_name,
        duration=float(SLATE_SECONDS),
    )
    description: dict[str, Any] = json.loads(store.read_bytes(f"{prefix}description.json"))
    return description


def live_slate_prefix(house: HouseFormat, *, channel_name: str) -> str:
    """`slates/<hash>/` of the gap slate: like `slate_prefix`, plus the house GOP and segment length."""
    shown = {
        "ladder": list(house.heights),
        "fps": house.fps,
        "segment_format": house.segment_format,
        "gop": house.gop_seconds,
        "segment": house.segment_seconds,
    }
    text = json.dumps({"format": shown, "name": channel_name, "v": 1, "kind": "gap"}, sort_keys=True)
    return f"slates/{hashlib.sha256(text.encode()).hexdigest()[:20]}/"


def expected_gap(house: HouseFormat, *, channel_name: str) -> GapSlate:
    """The gap slate's segment keys, from the format alone (like `expected_slate`)."""
    prefix = live_slate_prefix(house, channel_name=channel_name)
    ext = house.segment_extension
    return GapSlate(
        templates={r.name: f"{prefix}{r.name}/seg_{{:05d}}.{ext}" for r in house.rungs}, count=GAP_SEGMENTS
    )


def ensure_live_slate(*, store: Store, house: HouseFormat, channel_name: str, workdir: Path) -> str:
    """Make the gap slate (the channel's card in house-length segments) unless stored; its prefix."""
    prefix = live_slate_prefix(house, channel_name=channel_name)
    _make_unless_stored(
        "live gap slate",
        store=store,
        prefix=prefix,
        house=house,
        workdir=workdir,
        channel_name=channel_name,
        duration=GAP_SEGMENTS * house.segment_seconds,
        segment_seconds=house.segment_seconds,
    )
    return prefix


def slate_prefix_of(media: ProgrammeMedia) -> str:
    """The key prefix of a slate as a timeline names it (its segments are ``<prefix><rung>/seg_…``)."""
    template = next(iter(media.segment_templates.values()))
    return template.rsplit("/", 2)[0] + "/"


def slate_probe(store: Store) -> Callable[[str], bool]:
    """``probe(prefix)``: is the slate under ``prefix`` completely stored (its master.m3u8 comes last)?

    A stored slate never changes, so a prefix found once is remembered and never asked again; a
    missing one is asked each time (once per cache refresh), and a store that cannot answer counts
    as "not yet" (logged), which keeps a new channel off air rather than naming missing segments.
    """
    found: set[str] = set()

    def probe(prefix: str) -> bool:
        if prefix in found:
            return True
        try:
            stored = store.exists(f"{prefix}master.m3u8")
        except StorageError as exc:
            log.warning("cannot tell whether the slate under %s is stored: %s", prefix, exc)
            return False
        if stored:
            found.add(prefix)
        return stored

    return probe
