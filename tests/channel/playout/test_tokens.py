"""Long-lived per-path media tokens: the same bytes for a whole period, every media URI signed."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from channel.app import create_app
from channel.mediauris import MediaUris, path_token, token_expiry
from channel.migrate import upgrade
from channel.settings import Settings
from channel.state import state_of
from tests.channel.playout.helpers import seed_channel

SECRET = "s" * 40
DAY = 86400
PLAYLIST = b"""#EXTM3U
#EXT-X-MAP:URI="/media/programmes/p1/r2/720p/init.mp4"
#EXTINF:6.000,
/media/programmes/p1/r2/720p/seg_00001.m4s
#EXTINF:6.000,
/media/slates/0123abcd/720p/seg_00000.ts
#EXTINF:6.000,
/media/slates/empty.vtt
"""


def test_without_a_secret_nothing_changes() -> None:
    assert MediaUris("/media/").sign(PLAYLIST, now=1_000_000.0) is PLAYLIST


def test_every_media_uri_carries_its_prefixes_token_in_the_path() -> None:
    now = 1_000_000.0
    signed = MediaUris("/media/", SECRET, DAY).sign(PLAYLIST, now=now).decode()
    expires = token_expiry(now, period_s=DAY)
    programme = path_token("programmes/p1/r2/", expires=expires, secret=SECRET)
    slate = path_token("slates/0123abcd/", expires=expires, secret=SECRET)
    assert f'URI="/media/t/{programme}/{expires}/programmes/p1/r2/720p/init.mp4"' in signed
    assert f"\n/media/t/{programme}/{expires}/programmes/p1/r2/720p/seg_00001.m4s\n" in signed
    assert f"\n/media/t/{slate}/{expires}/slates/0123abcd/720p/seg_00000.ts\n" in signed
    assert "\n/media/slates/empty.vtt\n" in signed  # the edge answers it itself, unsigned
    assert len(programme) == 22
    assert "=" not in programme


def test_the_bytes_hold_for_a_whole_period_and_every_token_for_at_least_one() -> None:
    uris = MediaUris("https://cdn.example.vn/tv/", SECRET, DAY)
    body = PLAYLIST.replace(b"/media/", b"https://cdn.example.vn/tv/")
    start = 20_000 * DAY
    same = {uris.sign(body, now=start + offset) for offset in (0, 1, DAY / 2, DAY - 1)}
    assert len(same) == 1  # every replica, every request of the day: one cacheable playlist
    assert uris.sign(body, now=start + DAY) != same.pop()
    for now in (start, start + DAY - 1):
        assert token_expiry(now, period_s=DAY) - now >= DAY
        assert token_expiry(now, period_s=DAY) - now <= 2 * DAY


def test_the_secret_and_the_prefix_make_the_token() -> None:
    token = path_token("programmes/p1/r2/", expires=100, secret=SECRET)
    assert token != path_token("programmes/p1/r3/", expires=100, secret=SECRET)
    assert token != path_token("programmes/p1/r2/", expires=101, secret=SECRET)
    assert token != path_token("programmes/p1/r2/", expires=100, secret=SECRET + "x")


def test_playlists_of_the_api_are_signed_when_a_secret_is_set(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", env="test", media_token_secret=SECRET)
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    air = seed_channel(state_of(app).sessionmaker, settings, store=state_of(app).store)
    with TestClient(app) as client:
        for params in ({}, {"start": air.published_at.isoformat()}):
            text = client.get(f"/live/{air.slug}/720p.m3u8", params=params).text
            uris = [line for line in text.splitlines() if line and not line.startswith("#")]
            assert uris
            assert all(uri.startswith("/media/t/") for uri in uris if "empty.vtt" not in uri), params
    state_of(app).engine.dispose()
