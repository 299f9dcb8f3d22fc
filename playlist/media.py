"""Transcoded media as the playout sees it: segment durations and keys, parsed from description.json.

Keys are kept as one format template per rendition (``<prefix><rung>/seg_{:05d}.ts``), so a timeline
that references thousands of programmes stays small in memory and in its serialised form. Version 2
descriptions add where each segment may be cut between GOPs (`GopTable`); it is an input of compiling
only, never part of a serialised timeline (a cut item carries the little it needs itself).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from playlist.profile import SegmentFormat

__all__ = [
    "FILLER_TITLE",
    "GopTable",
    "MediaDescriptionError",
    "ProgrammeMedia",
    "Slate",
    "segment_template",
]

FILLER_TITLE: Mapping[str, str] = {"vi": "Chương trình sẽ tiếp tục", "en": "The programme will continue"}
_FIRST = re.compile(r"^(?P<dir>.*?)seg_00000\.(?P<ext>[A-Za-z0-9]+)$")
_FORMATS: Mapping[str, SegmentFormat] = {"mpegts": "mpegts", "fmp4": "fmp4"}
_VERSIONS = (1, 2)
#: how far the GOP durations of a segment may sum away from its duration (float rounding in JSON)
_GOP_SUM_TOLERANCE_US = 1_000


class MediaDescriptionError(ValueError):
    """description.json does not follow docs/media-description.md."""


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _join(prefix: str, key: str) -> str:
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return prefix + key


def segment_template(*, prefix: str, keys: Sequence[str]) -> str:
    """One ``str.format`` template reproducing every key (``seg_<i:05d>``) under ``prefix``."""
    if not keys:
        raise MediaDescriptionError("a rendition has no segments")
    match = _FIRST.match(keys[0])
    if match is None:
        raise MediaDescriptionError(f"unexpected first segment key {keys[0]!r}")
    head, ext = match["dir"], match["ext"]
    for i, key in enumerate(keys):
        if key != f"{head}seg_{i:05d}.{ext}":
            raise MediaDescriptionError(f"segment {i} is {key!r}, expected {head}seg_{i:05d}.{ext}")
    return _escape(_join(prefix, head)) + "seg_{:05d}." + _escape(ext)


@dataclass(frozen=True, slots=True)
class GopTable:
    """Where segments may be cut inside: description.json version 2 (docs/media-description.md).

    ``durations_us[k]`` are the durations of segment ``k``'s GOPs (summing exactly to the segment's);
    ``offsets[rendition][k]`` the byte offsets where its GOPs 2, 3, … start, so bytes
    ``[0, offsets[r][k][g - 1])`` of segment ``k`` play its first ``g`` GOPs.
    """

    durations_us: tuple[tuple[int, ...], ...]
    offsets: Mapping[str, tuple[tuple[int, ...], ...]]

    def gop_count(self, k: int) -> int:
        return len(self.durations_us[k])

    def prefix_us(self, k: int, gops: int) -> int:
        """Duration of the first ``gops`` GOPs of segment ``k``."""
        return sum(self.durations_us[k][:gops])

    def byte_length(self, rendition: str, k: int, gops: int) -> int:
        """Bytes holding the first ``gops`` GOPs (fewer than all) of segment ``k`` of ``rendition``."""
        return self.offsets[rendition][k][gops - 1]


def _gop_durations(raw: Any, durations: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    if len(raw) != len(durations):
        raise MediaDescriptionError("segment_gops must list every segment")
    table: list[tuple[int, ...]] = []
    for k, (gops, total) in enumerate(zip(raw, durations, strict=True)):
        bounds, acc = [], 0.0
        for d in gops:
            if float(d) <= 0:
                raise MediaDescriptionError(f"segment {k} has a GOP that is not positive")
            acc += float(d)
            bounds.append(round(acc * 1_000_000))
        if not bounds or abs(bounds[-1] - total) > _GOP_SUM_TOLERANCE_US:
            raise MediaDescriptionError(f"the GOPs of segment {k} do not sum to its duration")
        bounds[-1] = total  # exact: the segment's own duration decides
        table.append(tuple(b - a for a, b in zip([0, *bounds[:-1]], bounds, strict=True)))
    if any(d <= 0 for gops in table for d in gops):
        raise MediaDescriptionError("GOP durations must be positive")
    return tuple(table)


def _gop_offsets(name: str, raw: Any, gops: tuple[tuple[int, ...], ...]) -> tuple[tuple[int, ...], ...]:
    if len(raw) != len(gops):
        raise MediaDescriptionError(f"rendition {name} gop_offsets must list every segment")
    table: list[tuple[int, ...]] = []
    for k, (offsets, durations) in enumerate(zip(raw, gops, strict=True)):
        row = tuple(int(o) for o in offsets)
        if len(row) != len(durations) - 1 or any(b <= a for a, b in zip((0, *row), row, strict=False)):
            raise MediaDescriptionError(
                f"rendition {name} segment {k}: one rising offset per GOP after the first"
            )
        table.append(row)
    return tuple(table)


def _gop_table(description: Mapping[str, Any], durations: tuple[int, ...]) -> GopTable | None:
    """The GOP table of a version 2 description; None when it has none (version 1, or empty lists).

    Only MPEG-TS is cut by bytes (a TS stream restarts at any packet; an fMP4 segment is one
    fragment whose leading bytes are not a playable fragment), so fMP4 never has one.
    """
    raw = description.get("segment_gops") or []
    offsets = {str(r["name"]): r.get("gop_offsets") or [] for r in description["renditions"]}
    if description["version"] < 2 or not raw or description["segment_format"] != "mpegts":
        return None
    gops = _gop_durations(raw, durations)
    return GopTable(
        durations_us=gops, offsets={name: _gop_offsets(name, o, gops) for name, o in offsets.items()}
    )


@dataclass(frozen=True, slots=True)
class ProgrammeMedia:
    """One ready programme (or filler, or slate): durations in microseconds and key templates."""

    programme_id: str
    title: str
    description: str
    segment_format: SegmentFormat
    durations_us: tuple[int, ...]
    segment_templates: Mapping[str, str]
    init_keys: Mapping[str, str] = field(default_factory=dict)
    subtitle_templates: Mapping[str, str] = field(default_factory=dict)
    #: where segments may be cut between GOPs; not part of the media's identity (a serialised
    #: timeline drops it, and an item cut inside a segment carries its own `PartialSegment`)
    gops: GopTable | None = field(default=None, repr=False, compare=False)
    #: a live event's source (`playlist.live`): the slate segments, each as long as a live segment,
    #: that fill a live segment that did not arrive in time (``gap_templates[v].format(n % gap_count)``)
    gap_templates: Mapping[str, str] = field(default_factory=dict)
    gap_count: int = 0
    #: source segments that do not continue the one before them (a recorded live event's changes of
    #: encoder: feed to slate and back); each is preceded by EXT-X-DISCONTINUITY wherever it airs
    discontinuities: tuple[int, ...] = ()
    offsets_us: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _run_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.durations_us or min(self.durations_us) <= 0:
            raise MediaDescriptionError("segment durations must be positive and non-empty")
        inner = self.discontinuities
        if list(inner) != sorted(set(inner)) or any(not 0 < k < len(self.durations_us) for k in inner):
            raise MediaDescriptionError(
                "discontinuities must be distinct segment positions after the first, in order"
            )
        object.__setattr__(self, "_run_starts", (0, *inner))
        acc = [0]
        for d in self.durations_us:
            acc.append(acc[-1] + d)
        object.__setattr__(self, "offsets_us", tuple(acc))

    @property
    def segment_count(self) -> int:
        return len(self.durations_us)

    @property
    def is_live(self) -> bool:
        """A live event's wall-clock segments, written in real time by the ingest (`playlist.live`)."""
        return self.gap_count > 0

    def runs_through(self, k: int) -> int:
        """How many runs (stretches without a discontinuity) have begun at unbounded source indices
        0…k: every loop begins one, and so does every inner discontinuity."""
        loops, idx = divmod(k, len(self.durations_us))
        return loops * len(self._run_starts) + bisect_right(self._run_starts, idx)

    def starts_run(self, k: int) -> bool:
        """True when unbounded source index ``k`` follows a discontinuity within the source (a loop or
        an inner discontinuity)."""
        return k % len(self.durations_us) in self._run_starts

    def gap_key(self, variant: str, index: int) -> str:
        """The slate segment airing instead of live segment ``index`` when it did not arrive."""
        return self.gap_templates[variant].format(index % self.gap_count)

    @property
    def duration_us(self) -> int:
        return self.offsets_us[-1]

    @property
    def segment_durations(self) -> tuple[float, ...]:
        return tuple(d / 1_000_000 for d in self.durations_us)

    def position(self, k: int) -> int:
        """Offset of source segment ``k`` (unbounded: index n is the start of a second loop)."""
        loops, idx = divmod(k, len(self.durations_us))
        return loops * self.offsets_us[-1] + self.offsets_us[idx]

    def index_at(self, pos: int) -> int:
        """Unbounded index of the segment containing offset ``pos`` (inverse of ``position``)."""
        loops, rem = divmod(pos, self.offsets_us[-1])
        return (
            loops * len(self.durations_us) + bisect_right(self.offsets_us, rem, 0, len(self.durations_us)) - 1
        )

    def segment_key(self, variant: str, index: int) -> str:
        return self.segment_templates[variant].format(index)

    def subtitle_key(self, language: str, index: int) -> str | None:
        template = self.subtitle_templates.get(language)
        return None if template is None else template.format(index)

    @classmethod
    def from_description(
        cls,
        description: Mapping[str, Any],
        *,
        programme_id: str,
        prefix: str,
        title: str,
        summary: str = "",
    ) -> ProgrammeMedia:
        """Parse description.json (version 1 or 2); ``prefix`` is the programme's storage key prefix."""
        try:
            if description["version"] not in _VERSIONS:
                raise MediaDescriptionError(f"unsupported description version {description['version']!r}")
            fmt = _FORMATS[description["segment_format"]]
            durations = tuple(round(float(d) * 1_000_000) for d in description["segment_durations"])
            templates: dict[str, str] = {}
            inits: dict[str, str] = {}
            for rendition in description["renditions"]:
                segments = list(rendition["segments"])
                if len(segments) != len(durations):
                    raise MediaDescriptionError(f"rendition {rendition['name']} segment count differs")
                templates[str(rendition["name"])] = segment_template(prefix=prefix, keys=segments)
                if rendition.get("init"):
                    inits[str(rendition["name"])] = _join(prefix, str(rendition["init"]))
            subtitles: dict[str, str] = {}
            for track in description.get("subtitles") or ():
                segments = list(track["segments"])
                if len(segments) != len(durations):
                    raise MediaDescriptionError(f"subtitle {track['language']} segment count differs")
                subtitles[str(track["language"])] = segment_template(prefix=prefix, keys=segments)
            gops = _gop_table(description, durations)
            inner = tuple(int(k) for k in description.get("discontinuities") or ())
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, MediaDescriptionError):
                raise
            raise MediaDescriptionError(f"malformed description.json: {exc!r}") from exc
        if fmt == "fmp4" and set(inits) != set(templates):
            raise MediaDescriptionError("fMP4 renditions need an init segment each")
        return cls(
            programme_id=programme_id,
            title=title,
            description=summary,
            segment_format=fmt,
            durations_us=durations,
            segment_templates=templates,
            init_keys=inits,
            subtitle_templates=subtitles,
            gops=gops,
            discontinuities=inner,
        )


@dataclass(frozen=True, slots=True)
class Slate:
    """Filler in the house format made of short segments, so gaps can be filled to within a second.

    Built by ``Slate(media=ProgrammeMedia.from_description(desc, programme_id="slate", ...))``;
    loops back to its first segment (with a discontinuity) when a gap is longer than it.
    """

    media: ProgrammeMedia
    max_segment_us: int = 2_000_000

    def __post_init__(self) -> None:
        if max(self.media.durations_us) > self.max_segment_us:
            raise MediaDescriptionError("slate segments must be short (≤ 2 s) to fill gaps finely")
