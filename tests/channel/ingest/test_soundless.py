"""A contribution without sound (a camera without a microphone, OBS with its audio tracks off) airs
its picture with silence in the house format, instead of leaving the whole event to the slate: the
first encode finds no audio stream, the second mixes in generated silence and ends with the feed."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from channel.ingest.encoder import EventFeed, LiveRun
from channel.settings import Settings
from playlist import live_segment_key
from storage import LocalStore
from tests.transcoder.conftest import ffprobe_json

pytestmark = pytest.mark.slow


def test_a_feed_without_audio_airs_with_silence_and_the_run_ends_with_it(tmp_path: Path) -> None:
    house = Settings(
        data_dir=tmp_path / "var", env="test", ladder=[180, 144], segment_seconds=2.0, gop_seconds=1.0
    ).house_format
    publisher = subprocess.Popen(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re",
         "-f", "lavfi", "-i", "testsrc2=s=320x180:r=25", "-t", "16",
         "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-f", "mpegts", "pipe:1"],
        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert publisher.stdout is not None
    head = os.read(publisher.stdout.fileno(), 65536)
    now_us = round(time.time() * 1_000_000)
    feed = EventFeed(event_id=str(uuid.uuid4()), start_us=now_us, end_us=now_us + 60_000_000, house=house)
    store = LocalStore(tmp_path / "store")
    run = LiveRun(
        feed=feed, store=store, input_url="pipe:0", workdir=tmp_path / "work", grace_s=1.5,
        source=publisher.stdout, head=head,
    )  # fmt: skip
    began = time.monotonic()
    try:
        run.run()
        assert publisher.poll() is not None, "the run ended while the feed was still coming"
    finally:
        publisher.kill()
        publisher.wait()
        publisher.stdout.close()
    assert time.monotonic() - began < 26, "the encode did not end with the feed"
    assert len(run.marked) >= 2, run.marked  # whole segments aired, not the slate
    for rung in house.rungs:
        segment = tmp_path / "aired.ts"
        segment.write_bytes(store.read_bytes(live_segment_key(feed.event_id, rung.name, run.marked[0])))
        streams = {s["codec_type"]: s for s in ffprobe_json(segment, "-show_streams")["streams"]}
        assert (streams["video"]["width"], streams["video"]["height"]) == (rung.width, rung.height)
        audio = streams["audio"]
        assert (audio["codec_name"], audio["sample_rate"], audio["channels"]) == ("aac", "48000", 2)
