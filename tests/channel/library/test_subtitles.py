"""WebVTT subtitle tracks: validated, stored under the programme's prefix, listed Vietnamese first."""

from __future__ import annotations

import pytest

from channel.library.errors import Invalid
from channel.library.subtitles import validate_webvtt
from channel.state import state_of
from tests.channel.library.conftest import Library

VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nXin chào quý vị khán giả\n\n00:02.500 --> 00:04.000 align:start\nLuật Đất đai\n"


def test_a_valid_track_is_stored_and_listed(lib: Library) -> None:
    created = lib.create(title="Có phụ đề")
    pid = created["id"]
    url = f"/api/programmes/{pid}/subtitles"

    english = lib.call("POST", url, params={"language": "en", "label": "English"}, content=b"WEBVTT\n")
    vietnamese = lib.call("POST", url, params={"language": "vi", "label": "Tiếng Việt"}, content=VTT.encode())

    assert (english.status_code, vietnamese.status_code) == (201, 201)
    assert vietnamese.json() == {
        "language": "vi",
        "label": "Tiếng Việt",
        "url": f"/media/programmes/{pid}/subtitles/vi.vtt",
    }
    assert state_of(lib.app).store.read_bytes(f"programmes/{pid}/subtitles/vi.vtt").decode() == VTT
    listed = lib.call("GET", f"/api/programmes/{pid}").json()["subtitles"]
    assert [track["language"] for track in listed] == ["vi", "en"]

    again = lib.call(
        "POST", url, params={"language": "vi", "label": "Tiếng Việt (sửa)"}, content=VTT.encode()
    )
    assert again.status_code == 201
    assert len(lib.call("GET", f"/api/programmes/{pid}").json()["subtitles"]) == 2


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfeW\x00E\x00",  # UTF-16, not UTF-8
        b"SRT\n1\n00:00:01,000 --> 00:00:02,000\n",  # not WebVTT
        b"WEBVTTX\n",
        b"WEBVTT\n\n00:00:01.000 -> 00:00:02.000\ncue\n",
        b"WEBVTT\n\n00:00:01.000 --> 00:00:61.000\ncue\n",
        b"WEBVTT\n\n00:00:03.000 --> 00:00:02.000\ncue\n",
    ],
)
def test_invalid_webvtt_is_refused(body: bytes) -> None:
    with pytest.raises(Invalid) as caught:
        validate_webvtt(body)
    assert caught.value.code == "invalid_webvtt"


def test_refusals_through_the_api(lib: Library) -> None:
    pid = lib.create(title="Phụ đề sai")["id"]
    url = f"/api/programmes/{pid}/subtitles"
    bad = lib.call("POST", url, content=b"not vtt")
    assert bad.status_code == 422
    assert bad.json()["error"]["message"].startswith("Tệp phụ đề WebVTT không hợp lệ")
    huge = lib.call("POST", url, content=iter([b"WEBVTT\n", b"x" * (2 * 1024 * 1024)]))
    assert huge.status_code == 413
    assert lib.call("POST", url, params={"language": "../x"}, content=b"WEBVTT\n").status_code == 422
    assert lib.call("POST", url, user="producer2", content=b"WEBVTT\n").status_code == 403
