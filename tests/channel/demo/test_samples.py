from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from channel.demo.samples import SAMPLES, sample_command
from transcoder.run import check, run_capture
from transcoder.slate import find_font


def test_samples_have_vietnamese_titles_and_distinct_slugs() -> None:
    assert len({s.slug for s in SAMPLES}) == len(SAMPLES) == 3
    assert "Tìm hiểu Luật Giao thông đường bộ" in {s.title for s in SAMPLES}


@pytest.mark.slow
def test_sample_command_makes_a_playable_clip(tmp_path: Path) -> None:
    sample = SAMPLES[1]
    title = tmp_path / "title.txt"
    title.write_text(sample.title, encoding="utf-8")
    out = tmp_path / "mẫu thử.mp4"
    short = replace(sample, seconds=2.0)
    check(
        run_capture(
            sample_command(short, out=out, font=find_font(), title_file=title, width=320, height=180),
            timeout=120,
        ),
        "sample",
    )
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    info = json.loads(probe.stdout)
    kinds = sorted(s["codec_type"] for s in info["streams"])
    assert kinds == ["audio", "video"]
    assert float(info["format"]["duration"]) == pytest.approx(2.0, abs=0.2)
