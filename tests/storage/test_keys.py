"""Key and prefix validation: the rules that keep keys inside every backend."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage import InvalidKey, StorageError, validate_key, validate_prefix
from storage.keys import MAX_KEY_BYTES


@pytest.mark.parametrize(
    "key",
    [
        "master.m3u8",
        "programmes/42/r1/1080p/seg_00000.ts",
        "chương trình/Luật Đất đai 2024/tập 1.json",
        ".hidden",
        "a..b/c...d",
        "x" * MAX_KEY_BYTES,
    ],
)
def test_accepts_ordinary_keys(key: str) -> None:
    assert validate_key(key) == key


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "empty"),
        ("..", "'..'"),
        ("a/../b", "'..'"),
        ("./a", "'.'"),
        ("/abs/key", "start with '/'"),
        ("a\\b", "backslash"),
        ("a\x00b", "U+0000"),
        ("a\x1b[31mred", "U+001B"),
        ("tab\there", "U+0009"),
        ("a\x7f", "U+007F"),
        ("a\x85", "U+0085"),
        ("a//b", "empty segment"),
        ("a/", "empty segment"),
        ("x" * (MAX_KEY_BYTES + 1), "longer than 1024 bytes"),
        ("đ" * 513, "longer than 1024 bytes"),
    ],
)
def test_refuses_bad_keys_saying_why(key: str, reason: str) -> None:
    with pytest.raises(InvalidKey) as caught:
        validate_key(key)
    message = str(caught.value)
    assert reason in message
    assert isinstance(caught.value, StorageError)
    assert not any(unicodedata.category(char) == "Cc" for char in message)


def test_refuses_non_strings() -> None:
    with pytest.raises(InvalidKey):
        validate_key(b"bytes")  # type: ignore[arg-type]


def test_long_key_message_does_not_echo_the_key() -> None:
    with pytest.raises(InvalidKey) as caught:
        validate_key("y" * 5000)
    assert "yyyy" not in str(caught.value)


@pytest.mark.parametrize("prefix", ["", "programmes/", "a/b/", "chương trình/"])
def test_accepts_prefixes(prefix: str) -> None:
    assert validate_prefix(prefix) == prefix


@pytest.mark.parametrize("prefix", ["a", "/", "/a/", "../", "a//", "a/../", "a\x00/", "a\\b/"])
def test_refuses_bad_prefixes(prefix: str) -> None:
    with pytest.raises(InvalidKey):
        validate_prefix(prefix)


@given(st.text(max_size=60))
def test_any_accepted_key_is_safe(key: str) -> None:
    try:
        validate_key(key)
    except InvalidKey:
        return
    assert key
    assert not key.startswith("/")
    assert ".." not in key.split("/")
    assert "" not in key.split("/")
    assert "\\" not in key
    assert not any(unicodedata.category(char) in ("Cc", "Cs") for char in key)


_SAFE_SEGMENT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs"),
        blacklist_characters="/\\",
    ),
    min_size=1,
    max_size=20,
).filter(lambda segment: segment not in (".", ".."))


@given(st.lists(_SAFE_SEGMENT, min_size=1, max_size=6))
def test_any_key_built_from_safe_segments_is_accepted(segments: list[str]) -> None:
    key = "/".join(segments)
    assert validate_key(key) == key
    assert validate_prefix(key + "/") == key + "/"
