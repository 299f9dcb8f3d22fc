"""A programme's own master playlist over HTTP: its renditions and every subtitle track uploaded after
the transcode, each language a playlist of WebVTT segments that exist in the store. Viewers get the
approved revision only; staff preview the current one through a URL naming its source's SHA-256."""

from __future__ import annotations

import uuid
from urllib.parse import urljoin

import m3u8

from channel.models import Programme, ProgrammeStatus
from channel.state import state_of
from tests.channel.library.conftest import Library
from tests.playlist.builders import description

VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nĐiều 1. Phạm vi điều chỉnh\n\n00:00:07.000 --> 00:00:08.000\nĐiều 2\n"


SOURCE_SHA256 = "5e" * 32


def _ready(lib: Library, *, approved: bool = True) -> str:
    pid = str(lib.create(title="Luật Hôn nhân và Gia đình")["id"])
    with state_of(lib.app).sessionmaker() as session:
        row = session.get(Programme, uuid.UUID(pid))
        assert row is not None
        row.status, row.media_prefix, row.duration = ProgrammeStatus.READY, f"programmes/{pid}/r1/", 7.04
        # as the transcoder wrote it (no subtitles yet), with the source's hash the library adds
        row.media = {**description([6.0, 1.04]), "source_sha256": SOURCE_SHA256}
        session.commit()
    if approved:
        lib.approve(pid)
    return pid


def test_the_programme_master_lists_the_subtitles_uploaded_after_the_transcode(lib: Library) -> None:
    pid = _ready(lib)
    url = f"/api/programmes/{pid}/master.m3u8"
    preview = f"/api/programmes/{pid}/preview/{SOURCE_SHA256}/master.m3u8"
    before = lib.call("GET", url, user=None)
    assert before.status_code == 200, before.text
    assert before.headers["content-type"] == "application/vnd.apple.mpegurl"
    assert m3u8.M3U8(before.text, strict=True).media == []
    assert lib.call("GET", f"/api/programmes/{pid}", user="producer").json()["preview_url"] == preview
    for language, label in (("en", "English"), ("vi", "Tiếng Việt")):
        added = lib.call(
            "POST",
            f"/api/programmes/{pid}/subtitles",
            params={"language": language, "label": label},
            content=VTT.encode(),
            headers={"Content-Type": "text/vtt"},
        )
        assert added.status_code == 201, added.text
    # new subtitles are a new revision: staff preview it, viewers keep the approved one until an editor approves
    shown = lib.call("GET", preview, user=None)
    assert shown.headers["cache-control"] == "private, no-store"
    assert [m.language for m in m3u8.M3U8(shown.text, strict=True).media] == ["vi", "en"]
    assert m3u8.M3U8(lib.call("GET", url, user=None).text, strict=True).media == []
    assert lib.call("GET", urljoin(url, "subs_vi.m3u8"), user=None).status_code == 404
    lib.approve(pid)

    master = lib.call("GET", url, user=None)
    assert master.headers["cache-control"] == "public, max-age=60"  # a new track shows within a minute
    parsed = m3u8.M3U8(master.text, strict=True)
    assert [(m.language, m.name, m.default, m.uri) for m in parsed.media] == [
        ("vi", "Tiếng Việt", "YES", "subs_vi.m3u8"),  # Vietnamese first, the default
        ("en", "English", "NO", "subs_en.m3u8"),
    ]
    assert [p.uri for p in parsed.playlists] == [
        f"/media/programmes/{pid}/r1/720p/index.m3u8",
        f"/media/programmes/{pid}/r1/360p/index.m3u8",
    ]
    assert all(p.media[0].group_id == "subs" for p in parsed.playlists)

    subs_url = urljoin(url, "subs_vi.m3u8")
    subs = lib.call("GET", subs_url, user=None)
    assert subs.status_code == 200, subs.text
    segments = m3u8.M3U8(subs.text, strict=True).segments
    assert [round(s.duration, 3) for s in segments] == [6.0, 1.04]
    for segment in segments:
        cues = lib.call("GET", segment.uri, user=None)
        assert cues.status_code == 200, segment.uri
        assert cues.text.startswith("WEBVTT")
    assert "Điều 2" in lib.call("GET", segments[1].uri, user=None).text
    assert lib.call("GET", f"/api/public/programmes/{pid}", user=None).json()["playlist_url"] == url


def test_only_ready_programmes_and_their_languages_have_playlists(lib: Library) -> None:
    draft = lib.create(title="Bản nháp")["id"]
    for url in (f"/api/programmes/{draft}/master.m3u8", f"/api/programmes/{uuid.uuid4()}/master.m3u8"):
        response = lib.call("GET", url, user=None)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "programme_not_found"
    unapproved = _ready(lib, approved=False)
    for url in (
        f"/api/programmes/{unapproved}/master.m3u8",  # no editor approved it: nothing for viewers
        f"/api/programmes/{unapproved}/preview/{'0' * 64}/master.m3u8",  # a wrong hash previews nothing
        f"/api/public/programmes/{unapproved}",
    ):
        response = lib.call("GET", url, user=None)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "programme_not_found"
    pid = _ready(lib)
    missing = lib.call("GET", f"/api/programmes/{pid}/subs_fr.m3u8", user=None)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "subtitles_not_found"
    assert " / " in missing.json()["error"]["message"]
    assert lib.call("GET", f"/api/programmes/{pid}/subs_..%2F.m3u8", user=None).status_code in (404, 422)
