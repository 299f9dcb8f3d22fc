"""Subtitles reach the live channel: a ready programme's tracks are cut into one WebVTT file per segment."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any, cast

import pytest

from channel.library.captions import timestamp_origin
from channel.library.outcome import Outcome, apply_outcome
from channel.library.transcode import output_prefix
from channel.models import Programme, ProgrammeStatus
from channel.state import state_of
from playlist import ProgrammeMedia, parse_webvtt
from storage import Store
from tests.channel.library.conftest import Library, sent_tasks
from tests.clips import av_clip
from tests.transcoder.conftest import ffprobe_json
from transcoder.house import HouseFormat, SegmentFormat
from transcoder.pipeline import transcode

VTT = (
    "WEBVTT\n\n"
    "00:00:00.500 --> 00:00:01.500\nXin chào quý vị khán giả\n\n"
    "00:01.800 --> 00:03.200 align:start\nĐiều 3: Giải thích từ ngữ\n"
)


def _description(segments: int) -> dict[str, Any]:
    return {
        "version": 1,
        "duration": 2.0 * segments,
        "segment_format": "mpegts",
        "target_duration": 2,
        "segment_durations": [2.0] * segments,
        "renditions": [
            {
                "name": "180p",
                "width": 320,
                "height": 180,
                "bandwidth": 300000,
                "average_bandwidth": 250000,
                "codecs": "avc1.64001e,mp4a.40.2",
                "frame_rate": 25.0,
                "init": None,
                "segments": [f"180p/seg_{i:05d}.ts" for i in range(segments)],
            }
        ],
    }


def _make_ready(lib: Library, pid: str, media: dict[str, Any]) -> str:
    prefix = f"programmes/{pid}/r1/"
    with state_of(lib.app).sessionmaker() as session:
        programme = session.get(Programme, uuid.UUID(pid))
        assert programme is not None
        programme.status, programme.media, programme.media_prefix = ProgrammeStatus.READY, media, prefix
        session.commit()
    return prefix


def _media_or_none(lib: Library, pid: str) -> dict[str, Any] | None:
    with state_of(lib.app).sessionmaker() as session:
        programme = session.get(Programme, uuid.UUID(pid))
        return None if programme is None else programme.media


def _media(lib: Library, pid: str) -> dict[str, Any]:
    media = _media_or_none(lib, pid)
    assert media is not None
    return media


def _upload(lib: Library, pid: str, body: str) -> None:
    url = f"/api/programmes/{pid}/subtitles"
    response = lib.call("POST", url, params={"language": "vi", "label": "Tiếng Việt"}, content=body.encode())
    assert response.status_code == 201, response.text


def test_a_track_uploaded_to_a_ready_programme_is_cut_into_its_segments(lib: Library) -> None:
    pid = lib.create(title="Luật Đất đai")["id"]
    prefix = _make_ready(lib, pid, _description(3))
    store: Store = state_of(lib.app).store

    _upload(lib, pid, VTT)

    media = _media(lib, pid)
    digest = hashlib.sha256(VTT.encode()).hexdigest()
    keys = [f"subs_vi_{digest[:12]}/seg_{i:05d}.vtt" for i in range(3)]
    assert media["subtitles"] == [{"language": "vi", "segments": keys, "sha256": digest}]
    documents = [store.read_bytes(prefix + key).decode() for key in keys]
    assert all(d.startswith("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:133200,LOCAL:00:00:00.000\n") for d in documents)
    assert [[c.text for c in parse_webvtt(d)] for d in documents] == [
        ["Xin chào quý vị khán giả", "Điều 3: Giải thích từ ngữ"],
        ["Điều 3: Giải thích từ ngữ"],
        [],
    ]
    parsed = ProgrammeMedia.from_description(media, programme_id=pid, prefix=prefix, title="Luật Đất đai")
    assert parsed.subtitle_key("vi", 2) == f"{prefix}{keys[2]}"

    corrected = "WEBVTT\n\n00:05.000 --> 00:05.500\nBản sửa\n"
    _upload(lib, pid, corrected)  # a corrected track gets segments of its own (named after its text)
    digest2 = hashlib.sha256(corrected.encode()).hexdigest()
    keys2 = [f"subs_vi_{digest2[:12]}/seg_{i:05d}.vtt" for i in range(3)]
    assert _media(lib, pid)["subtitles"] == [{"language": "vi", "segments": keys2, "sha256": digest2}]
    assert [c.text for c in parse_webvtt(store.read_bytes(prefix + keys2[2]).decode())] == ["Bản sửa"]
    assert parse_webvtt(store.read_bytes(prefix + keys2[0]).decode()) == ()
    # the segments of the first track stay as they were: an approved revision may still air them
    assert [c.text for c in parse_webvtt(store.read_bytes(prefix + keys[0]).decode())] == [
        "Xin chào quý vị khán giả",
        "Điều 3: Giải thích từ ngữ",
    ]


def test_a_programme_not_ready_gets_its_segments_when_the_transcode_succeeds(lib: Library) -> None:
    pid = lib.create(title="Bộ luật Dân sự")["id"]
    _upload(lib, pid, VTT)
    assert lib.call("POST", f"/api/programmes/{pid}/source", content=b"source").status_code == 202
    assert "subtitles" not in (_media_or_none(lib, pid) or {})
    task_id = sent_tasks(state_of(lib.app).settings)[-1].task_id
    outcome = Outcome(
        programme_id=uuid.UUID(pid),
        revision=1,
        task_id=task_id,
        result={"ok": True, "description": _description(2)},
    )
    with state_of(lib.app).sessionmaker() as session:
        apply_outcome(session, outcome, store=state_of(lib.app).store)

    prefix = output_prefix(uuid.UUID(pid), 1)
    digest = hashlib.sha256(VTT.encode()).hexdigest()
    keys = [f"subs_vi_{digest[:12]}/seg_00000.vtt", f"subs_vi_{digest[:12]}/seg_00001.vtt"]
    assert _media(lib, pid)["subtitles"] == [{"language": "vi", "segments": keys, "sha256": digest}]
    assert all(state_of(lib.app).store.exists(prefix + key) for key in keys)


def _first_video_pts(store: Store, prefix: str, rendition: dict[str, Any], work: Path) -> int:
    """start_pts of the first segment's video stream, in 90 kHz ticks (init segment prepended for fMP4)."""
    path = work / "first"
    path.write_bytes(
        (store.read_bytes(prefix + rendition["init"]) if rendition.get("init") else b"")
        + store.read_bytes(prefix + rendition["segments"][0])
    )
    stream = ffprobe_json(path, "-select_streams", "v:0", "-show_entries", "stream=start_pts,time_base")[
        "streams"
    ][0]
    num, den = (int(x) for x in stream["time_base"].split("/"))
    return round(int(stream["start_pts"]) * num * 90_000 / den)


@pytest.mark.slow
@pytest.mark.parametrize("segment_format", ["mpegts", "fmp4"])
def test_the_timestamp_map_matches_the_first_frame_of_a_real_encode(
    tmp_path: Path, lib: Library, segment_format: str
) -> None:
    store: Store = state_of(lib.app).store
    source = tmp_path / "source.mp4"
    av_clip(source, seconds=4)
    store.put_file("uploads/clip.mp4", source)
    prefix = "programmes/clip/r1/"
    transcode(
        store=store,
        source_key="uploads/clip.mp4",
        output_prefix=prefix,
        profile=HouseFormat.with_heights(
            (144,), gop_seconds=1.0, segment_seconds=2.0, segment_format=cast(SegmentFormat, segment_format)
        ),
        workdir=tmp_path / "work",
        timeout=120,
    )
    description = json.loads(store.read_bytes(f"{prefix}description.json"))
    expected = {"mpegts": 133200, "fmp4": 7200}[segment_format]  # 1.4 s (MPEG-TS muxer) + 2 frames
    assert timestamp_origin(description) == expected
    assert _first_video_pts(store, prefix, description["renditions"][0], tmp_path) == expected
