"""WebVTT subtitle tracks: validate an upload, store it under the programme's prefix, record the track."""

from __future__ import annotations

import re
import uuid
from functools import partial

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from channel import audit
from channel.library.bodies import read_limited
from channel.library.captions import segment_subtitles
from channel.library.errors import Invalid
from channel.library.present import media_url
from channel.library.schemas import SubtitlePublic
from channel.library.service import programme_prefix
from channel.models import Programme, SubtitleTrack
from storage import Store

__all__ = ["MAX_SUBTITLE_BYTES", "add_subtitle", "upload_subtitle", "validate_webvtt"]

MAX_SUBTITLE_BYTES = 2 * 1024 * 1024
_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t].*)?$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def _invalid(vi: str, en: str, line: int | None = None) -> Invalid:
    details = [{"line": line}] if line is not None else []
    message = f"Tệp phụ đề WebVTT không hợp lệ: {vi} / Invalid WebVTT subtitles: {en}"
    return Invalid("invalid_webvtt", message, details=details)


def _seconds(groups: tuple[str | None, ...]) -> float:
    hours, minutes, seconds, millis = groups
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds or 0) + int(millis or 0) / 1000


def _cue_timings(lines: list[str]) -> list[tuple[int, str]]:
    """(line number, timing line) of every cue block: its first line, or its second after an identifier."""
    timings: list[tuple[int, str]] = []
    block: list[tuple[int, str]] = []
    for number, line in [*enumerate(lines, start=1), (len(lines) + 1, "")]:
        if line.strip():
            block.append((number, line))
            continue
        if block and block[0][0] > 1 and not block[0][1].startswith(("NOTE", "STYLE", "REGION")):
            candidates = [item for item in block[:2] if "-->" in item[1]]
            timings.append(candidates[0] if candidates else block[min(1, len(block) - 1)])
        block = []
    return timings


def validate_webvtt(data: bytes) -> str:
    """The text of a valid WebVTT file: UTF-8, a "WEBVTT" header, every cue timing parses and ends after it starts."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise _invalid("không phải UTF-8", "not UTF-8") from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = lines[0]
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise _invalid('thiếu dòng đầu "WEBVTT"', 'missing the "WEBVTT" header', 1)
    for number, timing in _cue_timings(lines):
        match = _TIMING.match(timing.strip())
        if match is None:
            raise _invalid("thời gian của cue sai", "bad cue timing", number)
        start, end = _seconds(match.groups()[:4]), _seconds(match.groups()[4:])
        if end <= start:
            raise _invalid("cue kết thúc trước khi bắt đầu", "cue ends before it starts", number)
    return text


def add_subtitle(
    session: Session,
    *,
    store: Store,
    programme: Programme,
    language: str,
    label: str,
    data: bytes,
    actor_id: uuid.UUID,
    request_id: str | None,
) -> SubtitleTrack:
    """Add (or replace) the programme's track in `language`; the key is built from ids and the language only.

    A ready programme also gets the track cut into segments for the live channel (`captions`).
    """
    if not _LANGUAGE.match(language):
        raise Invalid("invalid_language", "Mã ngôn ngữ không hợp lệ (ví dụ vi, en) / Invalid language code")
    text = validate_webvtt(data)
    key = f"{programme_prefix(programme.id)}subtitles/{language}.vtt"
    store.put_bytes(key, text.encode("utf-8"), content_type="text/vtt; charset=utf-8")
    track = next((t for t in programme.subtitles if t.language == language), None)
    before = {"language": track.language, "label": track.label} if track else {}
    if track is None:
        track = SubtitleTrack(language=language, label=label, storage_key=key)
        programme.subtitles.append(track)
    else:
        track.label, track.storage_key = label, key
    session.flush()
    segment_subtitles(store=store, programme=programme)  # on the live channel from the next publish
    audit.record(
        session,
        actor_id=actor_id,
        action="programme.subtitle",
        entity_type="programme",
        entity_id=programme.id,
        changes=audit.diff(before, {"language": language, "label": label}),
        request_id=request_id,
    )
    session.commit()
    return track


async def upload_subtitle(
    request: Request,
    *,
    session: Session,
    store: Store,
    programme: Programme,
    language: str,
    label: str,
    actor_id: uuid.UUID,
    request_id: str | None,
) -> SubtitlePublic:
    """Read the body (refused past 2 MB while reading), then `add_subtitle` off the event loop."""
    data = await read_limited(request, limit=MAX_SUBTITLE_BYTES)
    track = await run_in_threadpool(
        partial(
            add_subtitle,
            session,
            store=store,
            programme=programme,
            language=language,
            label=label,
            data=data,
            actor_id=actor_id,
            request_id=request_id,
        )
    )
    return SubtitlePublic(language=track.language, label=track.label, url=media_url(track.storage_key))
