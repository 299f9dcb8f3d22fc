"""A programme's own playlists: the master lists its renditions and subtitle languages (exact bytes)."""

from __future__ import annotations

import m3u8
import pytest

from playlist import (
    MediaDescriptionError,
    SubtitleLanguage,
    programme_languages,
    render_programme_master,
    render_programme_subtitles,
)
from tests.playlist.builders import description

MASTER = """#EXTM3U
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="vi",NAME="Tiếng Việt",DEFAULT=YES,AUTOSELECT=YES,URI="subs_vi.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="en",NAME="English",DEFAULT=NO,AUTOSELECT=YES,URI="subs_en.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2600000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=25.000,SUBTITLES="subs"
/media/p/r1/720p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=950000,AVERAGE-BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",FRAME-RATE=25.000,SUBTITLES="subs"
/media/p/r1/360p/index.m3u8
"""

SUBTITLES = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:6
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MEDIA-SEQUENCE:0
#EXTINF:6.000,
/media/p/r1/subs_vi/seg_00000.vtt
#EXTINF:1.040,
/media/p/r1/subs_vi/seg_00001.vtt
#EXT-X-ENDLIST
"""


def test_the_master_of_a_programme_lists_its_subtitles_like_the_live_master() -> None:
    desc = description([6.0, 1.04], languages=["vi", "en"])
    assert programme_languages(desc) == ("vi", "en")
    languages = [SubtitleLanguage("vi", "Tiếng Việt", default=True), SubtitleLanguage("en", "English")]
    text = render_programme_master(desc, uri_prefix="/media/p/r1/", subtitles=languages)
    assert text == MASTER
    parsed = m3u8.M3U8(text, strict=True)
    assert [m.uri for m in parsed.media] == ["subs_vi.m3u8", "subs_en.m3u8"]
    assert "SUBTITLES" not in render_programme_master(desc, uri_prefix="/media/p/r1/")


def test_a_subtitle_language_is_a_vod_playlist_on_the_video_segments() -> None:
    desc = description([6.0, 1.04], languages=["vi"])
    text = render_programme_subtitles(desc, language="vi", uri_prefix="/media/p/r1/")
    assert text == SUBTITLES
    parsed = m3u8.M3U8(text, strict=True)
    assert [round(s.duration, 3) for s in parsed.segments] == [6.0, 1.04]
    with pytest.raises(KeyError):
        render_programme_subtitles(desc, language="en", uri_prefix="/media/p/r1/")


def test_a_description_without_rendition_details_is_refused() -> None:
    desc = description([6.0])
    del desc["renditions"][0]["codecs"]
    with pytest.raises(MediaDescriptionError, match="rendition"):
        render_programme_master(desc, uri_prefix="/")
