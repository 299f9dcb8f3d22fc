"""Playout test helpers: a channel, ready programmes with fake-but-valid descriptions, a grid, publish."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import m3u8
from sqlalchemy.orm import Session, sessionmaker

from channel.grid import default_profile
from channel.models import Channel, Programme, ProgrammeStatus, ScheduleEntry, ScheduleMode
from channel.playout import publish_channel, slate_prefix
from channel.settings import Settings
from storage import Store
from tests.channel.editorial.approvals import approve_programmes

__all__ = ["Air", "add_ready_programme", "description", "new_channel", "parse_strict", "seed_channel"]


def description(
    *, ladder: list[int], segments: int, seconds: float = 6.0, subtitles: bool = False
) -> dict[str, Any]:
    """A description.json as the transcoder writes it (keys relative to the programme's prefix)."""
    data: dict[str, Any] = {
        "version": 1,
        "duration": segments * seconds,
        "segment_format": "mpegts",
        "target_duration": round(seconds),
        "segment_durations": [seconds] * segments,
        "renditions": [
            {
                "name": f"{h}p",
                "frame_rate": 25.0,
                "init": None,
                "segments": [f"{h}p/seg_{i:05d}.ts" for i in range(segments)],
            }
            for h in ladder
        ],
    }
    if subtitles:
        data["subtitles"] = [
            {"language": "vi", "segments": [f"subs/vi/seg_{i:05d}.vtt" for i in range(segments)]}
        ]
    return data


def new_channel(
    profile: dict[str, Any],
    *,
    slug: str,
    epoch: datetime,
    window_seconds: float,
    name: str = "Kênh Pháp luật",
) -> Channel:
    """A channel row (not yet added) whose only filler is the slate, for a test or a bench to schedule."""
    return Channel(
        id=uuid.uuid4(),
        slug=slug,
        name=name,
        profile=profile,
        filler_policy={"slate": True, "filler_programme_ids": []},
        window_seconds=window_seconds,
        epoch=epoch,
    )


def parse_strict(text: str) -> m3u8.M3U8:
    """Every playlist served is parsed with the m3u8 library in strict mode."""
    return m3u8.M3U8(text, strict=True)


@dataclass(frozen=True)
class Air:
    """A seeded channel: its id and slug, its programmes, and the instant it was published."""

    channel_id: uuid.UUID
    slug: str
    programmes: list[uuid.UUID]
    published_at: datetime


def add_ready_programme(
    session: Session, *, title: str, media: dict[str, Any], pid: uuid.UUID | None = None
) -> uuid.UUID:
    """A transcoded programme row (`media` its description, stored under its first revision's prefix)."""
    pid = pid or uuid.uuid4()
    session.add(
        Programme(
            id=pid,
            title=title,
            description=f"Tóm tắt: {title}",
            status=ProgrammeStatus.READY,
            media=media,
            media_prefix=f"programmes/{pid}/r1/",
            duration=float(media["duration"]),
            progress=100.0,
        )
    )
    return pid


def seed_channel(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    slug: str = "kenh-phap-luat",
    subtitles: bool = False,
    now: datetime | None = None,
    store: Store | None = None,
    seconds: float = 6.0,
) -> Air:
    """A channel (epoch 3 h ago) with four 1-minute programmes every 2 minutes around now, published.

    With ``store``, its slate is marked stored (the master.m3u8 a worker writes last), so it is on air.
    """
    now = now or datetime.now(UTC)
    profile = default_profile(settings)
    with factory() as session:
        channel = new_channel(
            profile, slug=slug, epoch=(now - timedelta(hours=3)).replace(microsecond=0), window_seconds=60.0
        )
        session.add(channel)
        titles = ["Luật Giao thông", "Luật Đất đai", "Bộ luật Dân sự", "Luật Hôn nhân"]
        pids = [
            add_ready_programme(
                session,
                title=t,
                media=description(
                    ladder=profile["ladder"],
                    segments=round(60 / seconds),
                    seconds=seconds,
                    subtitles=subtitles and i % 2 == 0,
                ),
            )
            for i, t in enumerate(titles)
        ]
        start = now.replace(microsecond=0) - timedelta(minutes=3)
        for i, pid in enumerate(pids):
            session.add(
                ScheduleEntry(
                    channel_id=channel.id,
                    programme_id=pid,
                    start_at=start + timedelta(minutes=2 * i),
                    mode=ScheduleMode.HARD,
                )
            )
        session.flush()
        approve_programmes(session, pids)  # only approved revisions air
        publish_channel(session, channel_id=channel.id, now=now - timedelta(hours=3))
        session.commit()
        if store is not None:
            prefix = slate_prefix(settings.house_format, channel_name=channel.name)
            store.put_bytes(f"{prefix}master.m3u8", b"#EXTM3U\n")
        return Air(channel_id=channel.id, slug=slug, programmes=pids, published_at=now)
