from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from channel.uploads.protocol import (
    TusError,
    check_content_type,
    check_version,
    encode_metadata,
    format_expires,
    parse_creation,
    parse_length,
    parse_metadata,
    parse_offset,
)


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def test_vietnamese_metadata_round_trips() -> None:
    name = "Pháp luật và đời sống.mp4"
    header = f"filename {b64(name)},filetype {b64('video/mp4')}"
    parsed = parse_metadata(header)
    assert parsed == {"filename": name, "filetype": "video/mp4"}
    assert parse_metadata(encode_metadata(parsed)) == parsed


def test_metadata_tolerates_spaces_after_commas_and_empty_values() -> None:
    # tus-js-client sends "key " for an empty value; the spec also allows a bare key.
    assert parse_metadata(f"a {b64('x')}, relativePath , bare") == {"a": "x", "relativePath": "", "bare": ""}
    assert encode_metadata({"bare": ""}) == "bare"


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_metadata_is_empty(header: str | None) -> None:
    assert parse_metadata(header) == {}


@pytest.mark.parametrize(
    "header",
    [
        "filename not*base64",
        "filename YQ",  # missing padding
        "filename " + base64.b64encode(bytes([0xFF, 0xFE])).decode(),  # not UTF-8
        f"bad\tkey {b64('x')}",
        f"khóa {b64('x')}",  # non-ASCII key
        f"a {b64('x')},a {b64('y')}",  # duplicate
        f"a {b64('x')} extra",
        ",",
    ],
)
def test_malformed_metadata_is_refused(header: str) -> None:
    with pytest.raises(TusError) as caught:
        parse_metadata(header)
    assert caught.value.status == 400
    assert " / " in caught.value.message


def test_metadata_keeps_hostile_names_as_text() -> None:
    hostile = "../../etc/passwd\x00.mp4"
    assert parse_metadata(f"filename {b64(hostile)}") == {"filename": hostile}


def test_oversized_metadata_is_refused() -> None:
    with pytest.raises(TusError):
        parse_metadata(",".join(f"k{i} {b64('v')}" for i in range(40)))
    with pytest.raises(TusError):
        parse_metadata(f"k {b64('x' * 9000)}")


@pytest.mark.parametrize("version", [None, "", "0.2.2", "1.0", "1.0.0 "])
def test_wrong_version_is_412_with_supported_versions(version: str | None) -> None:
    with pytest.raises(TusError) as caught:
        check_version(version)
    assert caught.value.status == 412
    assert ("Tus-Version", "1.0.0") in caught.value.headers


def test_version_1_0_0_is_accepted() -> None:
    check_version("1.0.0")


@pytest.mark.parametrize("value", ["application/offset+octet-stream", "Application/Offset+Octet-Stream; x=1"])
def test_offset_content_type_is_accepted(value: str) -> None:
    check_content_type(value)


@pytest.mark.parametrize("value", [None, "application/octet-stream", "multipart/form-data; boundary=x"])
def test_other_content_types_are_415(value: str | None) -> None:
    with pytest.raises(TusError) as caught:
        check_content_type(value)
    assert caught.value.status == 415


def test_length_and_offset_parsing() -> None:
    assert parse_length("0", max_size=10) == 0
    assert parse_length("10", max_size=10) == 10
    assert parse_offset("42") == 42
    with pytest.raises(TusError) as too_big:
        parse_length("11", max_size=10)
    assert too_big.value.status == 413
    assert too_big.value.message.startswith("Tệp vượt quá")
    for bad in ["-1", "1e3", "abc", "", "+5", "9" * 30]:
        with pytest.raises(TusError) as caught:
            parse_length(bad, max_size=10**30)
        assert caught.value.status == 400
    with pytest.raises(TusError):
        parse_offset(None)


def test_creation_needs_exactly_one_length_header() -> None:
    assert parse_creation(length="5", defer=None, metadata=None, max_size=10).length == 5
    assert parse_creation(length=None, defer="1", metadata=None, max_size=10).length is None
    for length, defer in [(None, None), ("5", "1"), (None, "0")]:
        with pytest.raises(TusError) as caught:
            parse_creation(length=length, defer=defer, metadata=None, max_size=10)
        assert caught.value.status == 400


def test_expires_is_an_http_date() -> None:
    assert format_expires(datetime(2026, 11, 30, 8, 5, 3, tzinfo=UTC)) == "Mon, 30 Nov 2026 08:05:03 GMT"
