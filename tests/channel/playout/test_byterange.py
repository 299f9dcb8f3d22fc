"""A hard start cuts a real programme between GOPs, and ffmpeg plays the byte-range sub-segment.

ffmpeg makes a small MPEG-TS rendition in the house timing (25 fps, closed 2 s GOPs, 6 s segments);
ffprobe's packet list gives where each GOP starts (the `gop_offsets` of description.json version 2,
which the transcoder writes for real programmes). The programme airs, and 9 s after it began a hard
start airs it again: the first airing is cut at the GOP boundary 8 s in (its second segment listed as
its first GOP's bytes), one second of the real slate follows, and the second airing begins at 9 s.
uvicorn serves the app (the local store answers Range requests); ffmpeg, as an HTTP client, decodes
the VOD playlist of that stretch from the /vod route with no error and every frame in place.
"""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import m3u8
import pytest
from fastapi import FastAPI

from channel.app import create_app
from channel.grid import default_profile
from channel.migrate import upgrade
from channel.models import Programme, ProgrammeStatus, ScheduleEntry
from channel.playout import ensure_slate, publish_channel
from channel.settings import Settings
from channel.state import state_of
from storage import LocalStore
from tests.channel.editorial.approvals import approve_programmes
from tests.channel.library.conftest import serving
from tests.channel.playout.helpers import new_channel

FPS, GOP_S, SEGMENT_S, SEGMENTS = 25, 2, 6, 3
RUNG = "180p"


def _ffmpeg(*args: str) -> str:
    """ffmpeg (no banner, no stdin) run to its end; its log (the test fails with the tail if ffmpeg does)."""
    done = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stderr


def _encode(out: Path) -> list[Path]:
    """An 18 s rendition as the transcoder's HLS packaging writes it: three 6 s segments of 2 s GOPs."""
    out.mkdir(parents=True)
    _ffmpeg(
        "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc2=s=320x180:r={FPS}:d={SEGMENTS * SEGMENT_S}",
        "-f", "lavfi", "-i", f"sine=f=440:d={SEGMENTS * SEGMENT_S}:sample_rate=48000",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-g", str(FPS * GOP_S), "-keyint_min", str(FPS * GOP_S), "-sc_threshold", "0", "-flags", "+cgop",
        "-c:a", "aac", "-ac", "2", "-b:a", "64k",
        "-f", "hls", "-hls_time", str(SEGMENT_S), "-hls_playlist_type", "vod",
        "-hls_segment_filename", str(out / "seg_%05d.ts"), str(out / "index.m3u8"),
    )  # fmt: skip
    return sorted(out.glob("seg_*.ts"))


def _keyframes(segment: Path) -> list[tuple[float, int]]:
    """(pts seconds, byte position) of every video keyframe, from ffprobe -show_packets."""
    probe = subprocess.run(
        [
            "ffprobe", "-v", "error", "-select_streams", "v:0", "-show_packets",
            "-show_entries", "packet=pts_time,pos,flags", "-of", "json", str(segment),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )  # fmt: skip
    packets = json.loads(probe.stdout)["packets"]
    return [(float(p["pts_time"]), int(p["pos"])) for p in packets if "K" in p["flags"]]


def _description(segments: list[Path]) -> dict[str, Any]:
    """description.json version 2 of the rendition, its GOPs read back from the files."""
    durations = [float(SEGMENT_S)] * len(segments)
    gops, offsets = [], []
    for segment, duration in zip(segments, durations, strict=True):
        keys = _keyframes(segment)
        assert len(keys) == SEGMENT_S // GOP_S, keys  # closed 2 s GOPs, one keyframe each
        starts = [pts - keys[0][0] for pts, _ in keys]
        gops.append([round(b - a, 6) for a, b in zip(starts, [*starts[1:], duration], strict=True)])
        offsets.append([pos for _, pos in keys[1:]])
        assert all(pos % 188 == 0 for pos in offsets[-1])  # GOPs start on TS packet boundaries
    return {
        "version": 2,
        "duration": sum(durations),
        "segment_format": "mpegts",
        "target_duration": SEGMENT_S,
        "segment_durations": durations,
        "segment_gops": gops,
        "renditions": [
            {
                "name": RUNG, "width": 320, "height": 180, "bandwidth": 400_000, "average_bandwidth": 300_000,
                "codecs": "avc1.64000d,mp4a.40.2", "frame_rate": float(FPS),
                "playlist": f"{RUNG}/index.m3u8", "init": None,
                "segments": [f"{RUNG}/{s.name}" for s in segments], "gop_offsets": offsets,
            }
        ],
    }  # fmt: skip


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, FastAPI]]:
    settings = Settings(
        data_dir=tmp_path / "var", env="test", ladder=[180], segment_seconds=6.0, gop_seconds=2.0
    )
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    with serving(app) as base:
        yield base, app
    state_of(app).engine.dispose()


@pytest.mark.slow
def test_ffmpeg_plays_a_programme_cut_between_gops_then_the_slate(
    served: tuple[str, FastAPI], tmp_path: Path
) -> None:
    base, app = served
    store = state_of(app).store
    assert isinstance(store, LocalStore)
    profile = default_profile(state_of(app).settings)
    ensure_slate(
        store=store,
        house=state_of(app).settings.house_format,
        channel_name="Kênh Cắt",
        workdir=tmp_path / "work",
    )
    pid = uuid.uuid4()
    prefix = f"programmes/{pid}/r1/"
    segments = _encode(tmp_path / "rendition")
    description = _description(segments)
    for path in [*segments, tmp_path / "rendition" / "index.m3u8"]:
        store.put_file(f"{prefix}{RUNG}/{path.name}", path)

    start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=60)  # aired a minute ago
    with state_of(app).sessionmaker() as session:
        channel = new_channel(profile, slug="kenh-cat", name="Kênh Cắt", epoch=start, window_seconds=60.0)
        programme = Programme(
            id=pid, title="Luật Đất đai", status=ProgrammeStatus.READY, media=description,
            media_prefix=prefix, duration=18.0,
        )  # fmt: skip
        session.add_all([channel, programme])
        for at in (start, start + timedelta(seconds=9)):
            session.add(ScheduleEntry(channel_id=channel.id, programme_id=pid, start_at=at))
        session.flush()
        approve_programmes(session, [pid])  # only approved revisions air
        publish_channel(session, channel_id=channel.id, now=start - timedelta(seconds=1))
        session.commit()

    url = (
        f"{base}/vod/kenh-cat/{RUNG}.m3u8?from={int(start.timestamp())}"
        f"&to={int((start + timedelta(seconds=27)).timestamp())}"
    )
    text = httpx.get(url, timeout=10).text
    playlist = m3u8.M3U8(text, strict=True)
    assert playlist.version == 4
    cut = playlist.segments[1]
    assert (round(cut.duration, 3), cut.byterange) == (
        2.0,
        f"{description['renditions'][0]['gop_offsets'][1][0]}@0",
    )
    assert cut.uri == playlist.segments[0].uri.replace("seg_00000", "seg_00001")  # same file, its first GOP
    assert [round(s.duration, 3) for s in playlist.segments] == [6.0, 2.0, 1.0, 6.0, 6.0, 6.0]
    assert "/slates/" in playlist.segments[2].uri

    # the same stretch with the cut segment whole: what ffmpeg says at any discontinuity (its mpegts
    # demuxer flags the packet that spans the continuity-counter jump), to tell it from a broken cut
    whole = text.replace(f"#EXT-X-BYTERANGE:{cut.byterange}\n", "").replace(
        "#EXTINF:2.000,", "#EXTINF:6.000,"
    )
    store.put_bytes(f"{prefix}whole.m3u8", whole.encode())
    cut_run, whole_run = _decode(url), _decode(f"{base}/media/{prefix}whole.m3u8")
    assert _frames(whole_run) == 31 * FPS  # 12 s + 1 s of slate + 18 s
    assert _frames(cut_run) == 27 * FPS  # 8 s + 1 s of slate + 18 s: every frame of the cut stretch
    assert _kinds(cut_run) <= _kinds(whole_run), cut_run[-3000:]
    assert not re.search(r"error while decoding|concealing|Invalid|Failed to open", cut_run), cut_run[-3000:]


def _decode(url: str) -> str:
    """ffmpeg decodes every video frame of a playlist over HTTP; its log.

    ``-http_persistent 0``: libavformat's HLS demuxer reuses a connection that fetched a byte range
    and keeps asking for that range for every later segment on it (hls.c passes ``end_offset`` only
    for segments that have one), so ffmpeg-based players need it off for playlists with sub-segments.
    """
    return _ffmpeg("-v", "info", "-http_persistent", "0", "-i", url, "-map", "0:v:0", "-f", "null", "-")


def _frames(log: str) -> int:
    return int(re.findall(r"frame=\s*(\d+)", log)[-1])


def _kinds(log: str) -> set[str]:
    """The warnings and errors of a log, numbers and addresses left out."""
    lines = [line for line in log.splitlines() if re.search(r"corrupt|error|invalid|order|fail", line, re.I)]
    return {re.sub(r"0x[0-9a-f]+|\d+|https?://\S+", "#", line) for line in lines}
