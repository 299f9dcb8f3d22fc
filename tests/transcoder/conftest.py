"""Fixtures of the transcoder tests: generated media (made once per session) and small profiles."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from storage import LocalStore
from tests.transcoder.media import make
from transcoder.describe import Description
from transcoder.house import HouseFormat
from transcoder.pipeline import transcode


@dataclass(frozen=True)
class KeyInfo:
    key: str


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def media(media_dir: Path) -> Callable[[str], Path]:
    """`media("phone")` -> path of that generated input."""
    return lambda name: make(name, media_dir)


@pytest.fixture(scope="session")
def small_profile() -> HouseFormat:
    """Two tiny rungs, ultrafast, 2 s segments of 1 s GOPs: structure, not quality."""
    return HouseFormat.with_heights((180, 144), preset="ultrafast", segment_seconds=2.0, gop_seconds=1.0)


def ffprobe_json(path: Path, *extra: str) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", *extra, str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def transcoded(tmp_path: Path, source: Path, profile: HouseFormat) -> tuple[Path, Description]:
    """`source` through the whole pipeline (real LocalStore, real ffmpeg): its folder and description."""
    store = LocalStore(tmp_path / "store")
    store.put_file(f"uploads/{source.name}", source)
    description = transcode(
        store=store,
        source_key=f"uploads/{source.name}",
        output_prefix="programmes/p1/r1/",
        profile=profile,
        workdir=tmp_path / "work",
        timeout=300,
    )
    return store.root / "programmes/p1/r1", description
