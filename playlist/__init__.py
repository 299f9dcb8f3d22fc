"""Pure playout core: timeline, live playlists, EPG. No I/O, no settings, no clock."""

from playlist.airings import Airing, entry_airings
from playlist.compile import GridEntry, StartMode, compile_timeline, is_ready
from playlist.epg import (
    EpgEntry,
    epg_day,
    epg_entry_to_dict,
    guide_end,
    now_next,
    programmes_between,
    render_m3u,
    render_xmltv,
)
from playlist.freeze import recompile
from playlist.instants import format_pdt, from_us, parse_instant, to_us
from playlist.media import FILLER_TITLE, MediaDescriptionError, ProgrammeMedia, Slate
from playlist.override import EMERGENCY_TITLE, Takeover
from playlist.profile import ChannelProfile, SegmentFormat, SubtitleLanguage, Variant
from playlist.programme import programme_languages, render_programme_master, render_programme_subtitles
from playlist.render import (
    Track,
    live_edge,
    media_version,
    render_master,
    render_media,
    render_static_vod,
    render_variant_master,
    render_vod,
    subtitle_playlist_name,
    variant_playlist_name,
)
from playlist.serialise import timeline_from_dict, timeline_to_dict
from playlist.timeline import (
    Item,
    ItemKind,
    OffAirError,
    PartialSegment,
    Position,
    Timeline,
    last_aired,
    locate,
)
from playlist.webvtt import Cue, WebVttError, parse_webvtt, segment_webvtt

__all__ = [
    "EMERGENCY_TITLE",
    "FILLER_TITLE",
    "Airing",
    "ChannelProfile",
    "Cue",
    "EpgEntry",
    "GridEntry",
    "Item",
    "ItemKind",
    "MediaDescriptionError",
    "OffAirError",
    "PartialSegment",
    "Position",
    "ProgrammeMedia",
    "SegmentFormat",
    "Slate",
    "StartMode",
    "SubtitleLanguage",
    "Takeover",
    "Timeline",
    "Track",
    "Variant",
    "WebVttError",
    "compile_timeline",
    "entry_airings",
    "epg_day",
    "epg_entry_to_dict",
    "format_pdt",
    "from_us",
    "guide_end",
    "is_ready",
    "last_aired",
    "live_edge",
    "locate",
    "media_version",
    "now_next",
    "parse_instant",
    "parse_webvtt",
    "programme_languages",
    "programmes_between",
    "recompile",
    "render_m3u",
    "render_master",
    "render_media",
    "render_programme_master",
    "render_programme_subtitles",
    "render_static_vod",
    "render_variant_master",
    "render_vod",
    "render_xmltv",
    "segment_webvtt",
    "subtitle_playlist_name",
    "timeline_from_dict",
    "timeline_to_dict",
    "to_us",
    "variant_playlist_name",
]
