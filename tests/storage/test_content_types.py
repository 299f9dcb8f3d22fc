"""Content types guessed from the key's extension."""

from __future__ import annotations

import pytest

from storage import guess_content_type


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("a/index.m3u8", "application/vnd.apple.mpegurl"),
        ("a/seg_00000.ts", "video/mp2t"),
        ("a/seg_00000.m4s", "video/mp4"),
        ("a/init.mp4", "video/mp4"),
        ("a/vi.vtt", "text/vtt"),
        ("description.json", "application/json"),
        ("poster.jpg", "image/jpeg"),
        ("POSTER.JPG", "image/jpeg"),
        ("noextension", "application/octet-stream"),
        ("weird.zzzunknown", "application/octet-stream"),
    ],
)
def test_guess_content_type(key: str, expected: str) -> None:
    assert guess_content_type(key) == expected
