"""Live events as response schemas, and the console's contribution instructions (OBS, SRT)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import quote

from sqlalchemy.orm import Session

from channel.editorial.facts import LIVE_EVENT
from channel.editorial.reviews import review_state
from channel.live.keys import IssuedKey, srt_passphrase
from channel.live.schemas import KeyPublic, LiveEventPublic, StreamEndpoints
from channel.models import Channel, LiveEvent, LiveStatus

__all__ = ["endpoints_for", "event_public", "key_public", "phase_of"]


Phase = Literal["scheduled", "on_air", "ended", "cancelled"]


def phase_of(event: LiveEvent, now: datetime) -> Phase:
    if event.status == LiveStatus.CANCELLED:
        return "cancelled"
    if now >= event.end_at:
        return "ended"
    return "on_air" if now >= event.start_at else "scheduled"


def event_public(
    session: Session, channel: Channel, event: LiveEvent, *, lead: timedelta, now: datetime
) -> LiveEventPublic:
    """The event as staff see it, with its phase at ``now`` and where its revision stands in review."""
    status = review_state(session, subject_id=event.id, cosmetic=(), subject_type=LIVE_EVENT)
    return LiveEventPublic(
        id=event.id,
        channel=channel.slug,
        title=event.title,
        description=event.description,
        topics=[str(t) for t in event.topics],
        legal_documents=[str(d) for d in event.legal_documents],
        start=event.start_at,
        end=event.end_at,
        status=event.status.value,
        phase=phase_of(event, now),
        revision=event.revision,
        approval=status.state,
        key_opens_at=event.start_at - lead,
        key_revoked=event.key_revoked_at is not None,
    )


def endpoints_for(key: str, *, passphrase: str, rtmp_url: str, srt_url: str) -> StreamEndpoints:
    """Copy-paste settings for OBS (RTMP: server and key) and an SRT encoder (caller, with the key's passphrase)."""
    server = rtmp_url.rstrip("/")
    srt = f"{srt_url}?mode=caller&passphrase={quote(passphrase, safe='')}&pbkeylen=16"
    return StreamEndpoints(
        rtmp_server=server,
        rtmp_stream_key=key,
        srt_url=srt,
        obs_steps_vi=[
            "Mở OBS → Cài đặt (Settings) → Luồng (Stream).",
            "Dịch vụ (Service): Tùy chỉnh (Custom…).",
            f"Máy chủ (Server): {server}",
            f"Khóa luồng (Stream Key): {key}",
            "Đầu ra (Output): mã hóa x264 hoặc phần cứng, khung hình chính (keyframe) mỗi 2 giây; âm thanh AAC.",
            "Bấm “Bắt đầu phát” (Start Streaming) từ 30 phút trước giờ bắt đầu; khóa hết hạn khi sự kiện kết thúc.",
        ],
        obs_steps_en=[
            "Open OBS → Settings → Stream.",
            "Service: Custom…",
            f"Server: {server}",
            f"Stream Key: {key}",
            "Output: x264 or hardware encoder, keyframe interval 2 s; AAC audio.",
            "Press Start Streaming from 30 minutes before the start; the key expires when the event ends.",
        ],
    )


def key_public(
    session: Session,
    channel: Channel,
    event: LiveEvent,
    key: IssuedKey,
    *,
    lead: timedelta,
    now: datetime,
    rtmp_url: str,
    srt_url: str,
    secret_key: str,
) -> KeyPublic:
    return KeyPublic(
        event=event_public(session, channel, event, lead=lead, now=now),
        endpoints=endpoints_for(
            key.plain,
            passphrase=srt_passphrase(key.digest, secret_key=secret_key),
            rtmp_url=rtmp_url,
            srt_url=srt_url,
        ),
    )
