"""End to end through a real LocalStore and real ffmpeg, every output checked with ffprobe."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from storage import LocalStore
from tests.clips import av_clip
from tests.transcoder.checks import assert_house_format, integrated_loudness
from tests.transcoder.conftest import ffprobe_json
from transcoder.describe import Description
from transcoder.errors import Cancelled, SourceRejected
from transcoder.house import HouseFormat
from transcoder.pipeline import (
    Deadline,
    output_folder,
    prepare_source,
    safe_suffix,
    segments_written,
    transcode,
)

pytestmark = pytest.mark.slow


def _run(
    tmp_path: Path, source: Path, profile: HouseFormat, *, key: str | None = None, **kwargs: object
) -> tuple[LocalStore, Description, list[tuple[float, str]]]:
    store = LocalStore(tmp_path / "store")
    source_key = key or f"uploads/{source.name}"
    store.put_file(source_key, source)
    progress: list[tuple[float, str]] = []
    description = transcode(
        store=store,
        source_key=source_key,
        output_prefix="programmes/p1/r1/",
        profile=profile,
        workdir=tmp_path / "work",
        on_progress=lambda p, s: progress.append((p, s)),
        timeout=120,
        **kwargs,  # type: ignore[arg-type]
    )
    return store, description, progress


def _root(store: LocalStore) -> Path:
    return store.root / "programmes/p1/r1"


@pytest.mark.parametrize("name", ["basic", "interlaced", "no_audio", "vp9", "hevc", "hd60", "short_audio"])
def test_inputs_become_house_format(
    name: str, media: Callable[[str], Path], small_profile: HouseFormat, tmp_path: Path
) -> None:
    store, description, progress = _run(tmp_path, media(name), small_profile)
    written = assert_house_format(_root(store), small_profile)
    assert written == json.loads(description.to_json())
    assert [p for p, _ in progress] == sorted(p for p, _ in progress)
    assert progress[-1] == (100.0, "upload")
    assert not list((tmp_path / "work").iterdir()), "the job folder is removed"


def test_hevc_takes_the_vietnamese_track(
    media: Callable[[str], Path], small_profile: HouseFormat, tmp_path: Path
) -> None:
    # The English track is silent, the Vietnamese one a tone: a normalised tone proves the choice.
    store, description, _ = _run(tmp_path, media("hevc"), small_profile)
    assert description.audio.measured_input_i is not None
    assert description.audio.measured_input_i > -40
    assert abs(integrated_loudness(_root(store) / "180p/index.m3u8") + 23) <= 1.0


def test_no_audio_gets_silence_as_long_as_the_video(
    media: Callable[[str], Path], small_profile: HouseFormat, tmp_path: Path
) -> None:
    store, description, _ = _run(tmp_path, media("no_audio"), small_profile)
    assert description.audio.measured_input_i is None
    streams = ffprobe_json(_root(store) / "144p/index.m3u8", "-show_streams")["streams"]
    audio = next(s for s in streams if s["codec_type"] == "audio")
    assert audio["channels"] == 2
    assert description.duration == pytest.approx(3.0, abs=0.05)


def _rgb_at(path: Path, width: int, height: int, x: int, y: int) -> tuple[int, int, int]:
    import subprocess

    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    i = (y * width + x) * 3
    return raw[i], raw[i + 1], raw[i + 2]


def test_vertical_phone_video_is_upright_and_pillarboxed(
    media: Callable[[str], Path], small_profile: HouseFormat, tmp_path: Path
) -> None:
    # Stored 320x180 with red left, blue right; its display matrix turns it a quarter
    # counter-clockwise (what ffmpeg's autorotate and players do): upright it is tall, blue on top.
    store, _, _ = _run(tmp_path, media("phone"), small_profile)
    assert_house_format(_root(store), small_profile)
    segment = _root(store) / "180p/seg_00000.ts"
    top, bottom = _rgb_at(segment, 320, 180, 160, 20), _rgb_at(segment, 320, 180, 160, 160)
    left_bar, right_bar = _rgb_at(segment, 320, 180, 10, 90), _rgb_at(segment, 320, 180, 310, 90)
    assert (top[2] > 150, top[0] < 80) == (True, True), top
    assert (bottom[0] > 150, bottom[2] < 80) == (True, True), bottom
    assert max(*left_bar, *right_bar) < 30, (left_bar, right_bar)


def test_vietnamese_file_name_with_spaces(
    media: Callable[[str], Path], small_profile: HouseFormat, tmp_path: Path
) -> None:
    key = "uploads/Luật Giao thông đường bộ – tập 1.mp4"
    store, description, _ = _run(tmp_path, media("basic"), small_profile, key=key)
    assert_house_format(_root(store), small_profile)
    assert description.renditions[0].segments[0] == "180p/seg_00000.ts"


def test_default_ladder_fmp4(media: Callable[[str], Path], tmp_path: Path) -> None:
    profile = HouseFormat(preset="ultrafast", segment_format="fmp4")
    store, description, _ = _run(tmp_path, media("short_ok"), profile)
    assert_house_format(_root(store), profile)
    assert [(r.name, r.codecs) for r in description.renditions] == [
        ("1080p", "avc1.640028,mp4a.40.2"),
        ("720p", "avc1.64001f,mp4a.40.2"),
        ("480p", "avc1.64001e,mp4a.40.2"),
        ("360p", "avc1.64001e,mp4a.40.2"),
    ]
    assert all(r.init == f"{r.name}/init.mp4" for r in description.renditions)
    # fMP4: one fragment per segment, so GOP durations but no byte offsets (docs/media-description.md)
    assert description.segment_gops == ((2.0, 2.0, 2.0), (1.0,))
    assert all(r.gop_offsets == ((), ()) for r in description.renditions)
    assert "#EXT-X-VERSION:6" in (_root(store) / "720p/index.m3u8").read_text(encoding="utf-8")
    assert description.renditions[0].segments[0] == "1080p/seg_00000.m4s"
    keys = {info.key for info in store.iter_keys("programmes/p1/r1/")}
    assert {"programmes/p1/r1/poster.jpg", "programmes/p1/r1/thumbs/thumb_00.jpg"} <= keys
    poster = ffprobe_json(_root(store) / "poster.jpg", "-show_streams")["streams"][0]
    thumb = ffprobe_json(_root(store) / "thumbs/thumb_03.jpg", "-show_streams")["streams"][0]
    assert (poster["width"], poster["height"], thumb["width"], thumb["height"]) == (1280, 720, 320, 180)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("truncated", "corrupt"),
        ("random", "not_media"),
        ("text", "not_media"),
        ("png", "still_image"),
        ("audio_only", "no_video"),
        ("short", "too_short"),
        ("thin", "bad_dimensions"),
    ],
)
def test_rejected_sources_leave_nothing(
    name: str, code: str, media: Callable[[str], Path], small_profile: HouseFormat, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_bytes("programmes/p1/r1/stale.ts", b"left by a crashed delivery")
    with pytest.raises(SourceRejected) as caught:
        _run(tmp_path, media(name), small_profile)
    assert caught.value.code == code
    assert str(tmp_path) not in caught.value.message
    assert list(store.iter_keys("programmes/p1/r1/")) == []


def test_redelivery_replaces_previous_output(
    media: Callable[[str], Path], small_profile: HouseFormat, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_bytes("programmes/p1/r1/999p/seg_00042.ts", b"half of an earlier attempt")
    _run(tmp_path, media("basic"), small_profile)
    keys = [info.key for info in store.iter_keys("programmes/p1/r1/")]
    assert "programmes/p1/r1/999p/seg_00042.ts" not in keys
    assert_house_format(_root(store), small_profile)


def test_cancel_stops_and_cleans_up(
    media: Callable[[str], Path], small_profile: HouseFormat, tmp_path: Path
) -> None:
    calls: list[int] = []

    def should_cancel() -> bool:
        calls.append(1)
        return True

    with pytest.raises(Cancelled):
        _run(tmp_path, media("basic"), small_profile, should_cancel=should_cancel)
    assert calls
    assert list(LocalStore(tmp_path / "store").iter_keys("programmes/")) == []


def test_safe_suffix() -> None:
    assert safe_suffix("uploads/Luật mới.MP4") == ".mp4"
    assert safe_suffix("uploads/x.tập") == ""
    assert safe_suffix("uploads/noext") == ""


def test_output_folder_never_means_the_whole_store() -> None:
    assert output_folder("programmes/p1/r1") == "programmes/p1/r1/"
    assert output_folder("/programmes/p1/r1/") == "programmes/p1/r1/"
    for bad in ("", "/", "//"):
        with pytest.raises(ValueError):
            output_folder(bad)


def test_segments_written_counts_what_every_rung_has_finished(
    media: Callable[[str], Path], small_profile: HouseFormat, tmp_path: Path
) -> None:
    _, _, plan = prepare_source(media("basic"), profile=small_profile, deadline=Deadline.after(60))
    outdir = tmp_path / "out"
    assert segments_written(outdir, plan) == 0.0
    for rung, count in zip(plan.rungs, (3, 2), strict=True):
        (outdir / rung.rung.name).mkdir(parents=True)
        for index in range(count):
            (outdir / rung.rung.name / f"seg_{index:05d}.ts").write_bytes(b"")
    # the slowest rung has one finished segment (the newest may still be written) of 2 s
    assert segments_written(outdir, plan) == pytest.approx(2.0 * 100 / plan.duration)


def test_encode_progress_rises_before_ffmpeg_reports(tmp_path: Path) -> None:
    """The still pictures are taken in the encode graph, the last at 80 % of the programme, and ffmpeg 5.1
    reports nothing until then: the finished segments keep the percent moving (it once sat at 12 %)."""
    profile = HouseFormat.with_heights((180, 144, 108), preset="medium", segment_seconds=1.0, gop_seconds=1.0)
    _, _, progress = _run(tmp_path, av_clip(tmp_path / "long.mp4", seconds=20, size="640x360"), profile)
    encode = [p for p, stage in progress if stage == "encode"]
    start, end = 4.0, 98.0
    early = [p for p in encode if start < p < start + (end - start) * 0.7]
    assert len(early) >= 2, f"no encode progress before the last picture: {encode}"
