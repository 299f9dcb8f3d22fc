"""Non-square pixels (issue 10): every rung and picture shows the source's display aspect ratio."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.transcoder.checks import active_box, assert_house_format
from tests.transcoder.conftest import transcoded
from transcoder.house import HouseFormat

pytestmark = pytest.mark.slow

PROFILE = HouseFormat.with_heights((720, 180), preset="ultrafast", segment_seconds=2.0, gop_seconds=1.0)
FOUR_THREE = {"720p": (960, 720, 160, 0), "180p": (240, 180, 40, 0)}
SIXTEEN_NINE = {"720p": (1280, 720, 0, 0), "180p": (320, 180, 0, 0)}


@pytest.mark.parametrize(
    ("name", "boxes"),
    [
        ("pal_4_3", FOUR_THREE),  # 720x576, SAR 16:15 (MPEG-2 PS)
        ("pal_16_9", SIXTEEN_NINE),  # 720x576, SAR 64:45
        ("ntsc_4_3", FOUR_THREE),  # 720x480, SAR 8:9
        ("ntsc_16_9", SIXTEEN_NINE),  # 720x480, SAR 32:27 (H.264 MP4)
    ],
)
def test_anamorphic_sources_keep_their_display_aspect(
    name: str, boxes: dict[str, tuple[int, int, int, int]], media: Callable[[str], Path], tmp_path: Path
) -> None:
    root, _ = transcoded(tmp_path, media(name), PROFILE)
    assert_house_format(root, PROFILE)  # exact rung sizes, SAR 1:1
    for rung in PROFILE.rungs:
        assert active_box(root / rung.name / "seg_00000.ts") == boxes[rung.name], rung.name
    assert active_box(root / "poster.jpg") == boxes["720p"]
    assert active_box(root / "thumbs/thumb_00.jpg") == (*boxes["180p"][:2], boxes["180p"][2], 0)
