"""The pages render in both languages with safe headers; programme pages carry link-preview tags."""

from __future__ import annotations

import re
import struct
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel.models import Programme, ProgrammeStatus
from channel.state import state_of
from channel.web.i18n import MESSAGES, pick_language
from tests.web.conftest import BASE_URL, Busy, add_programme


def _meta(html: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    assert match, f"no <meta {key}> in the page"
    return match.group(1)


def test_both_dictionaries_hold_the_same_keys() -> None:
    assert set(MESSAGES["vi"]) == set(MESSAGES["en"])
    assert all(MESSAGES["vi"].values())
    assert all(MESSAGES["en"].values())


def test_language_comes_from_query_then_cookie_then_vietnamese() -> None:
    assert pick_language(query=None, cookie=None) == "vi"
    assert pick_language(query="en", cookie=None) == "en"
    assert pick_language(query=None, cookie="en") == "en"
    assert pick_language(query="vi", cookie="en") == "vi"
    assert pick_language(query="fr", cookie="xx") == "vi"


def test_viewer_page_is_vietnamese_by_default(api_client: TestClient, main_channel: str) -> None:
    response = api_client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="vi">' in html
    assert "Kênh Pháp luật" in html
    assert ">Lịch phát sóng</h2>" in html
    assert 'data-src="/live/kenh-chinh/master.m3u8"' in html
    assert f"{BASE_URL}/embed/kenh-chinh" in html  # the share snippet
    assert 'id="subs"' in html
    assert 'id="go-live"' in html
    assert ">Sao chép</button>" in html
    assert "built-in method" not in html


def test_english_is_chosen_by_query_and_remembered(api_client: TestClient, main_channel: str) -> None:
    first = api_client.get("/?lang=en")
    assert '<html lang="en">' in first.text
    assert ">Programme guide</h2>" in first.text
    assert first.cookies.get("legaltv_lang") == "en"
    again = api_client.get("/kenh/kenh-chinh")  # the client sends the cookie back
    assert '<html lang="en">' in again.text
    back = api_client.get("/?lang=vi")
    assert '<html lang="vi">' in back.text


def test_viewer_page_without_channels_still_renders(api_client: TestClient) -> None:
    response = api_client.get("/")
    assert response.status_code == 200
    assert "Chưa có kênh nào" in response.text


def test_pages_send_security_headers(api_client: TestClient, main_channel: str) -> None:
    for path in ("/", "/console", "/kenh/kenh-chinh"):
        headers = api_client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "media-src 'self' blob:" in csp
        assert "frame-ancestors 'self'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert headers["x-frame-options"] == "SAMEORIGIN"


def test_only_the_embed_page_may_be_framed(api_client: TestClient, main_channel: str) -> None:
    response = api_client.get("/embed/kenh-chinh")
    assert response.status_code == 200
    assert "frame-ancestors *" in response.headers["content-security-policy"]
    assert "x-frame-options" not in response.headers
    assert 'data-src="/live/kenh-chinh/master.m3u8"' in response.text


def test_programme_page_has_open_graph_and_twitter_tags(api_client: TestClient, api_app: FastAPI) -> None:
    programme_id = add_programme(api_app)
    response = api_client.get(f"/chuong-trinh/{programme_id}")
    assert response.status_code == 200
    html = response.text
    assert _meta(html, "og:title") == "Tìm hiểu Luật Giao thông đường bộ &lt;tập 1&gt;"  # escaped
    assert _meta(html, "og:description").startswith("Những quy định mới")
    assert _meta(html, "og:type") == "video.other"
    assert _meta(html, "og:url") == f"{BASE_URL}/chuong-trinh/{programme_id}"
    assert _meta(html, "og:image") == f"{BASE_URL}/media/programmes/{programme_id}/r1/poster.jpg"
    assert f'poster="/media/programmes/{programme_id}/r1/poster.jpg"' in html  # the player's: this origin
    assert _meta(html, "twitter:card") == "summary_large_image"
    assert _meta(html, "twitter:image") == _meta(html, "og:image")
    assert "23/2008/QH12" in html
    assert "Luật Giao thông đường bộ" in html
    assert f'data-src="/api/programmes/{programme_id}/master.m3u8"' in html  # its own master, with subtitles


def test_programme_page_in_english_names_topics_in_english(api_client: TestClient, api_app: FastAPI) -> None:
    programme_id = add_programme(api_app)
    html = api_client.get(f"/chuong-trinh/{programme_id}?lang=en").text
    assert '<html lang="en">' in html
    assert "Road Traffic Law" in html
    assert "Laws explained" in html


@pytest.mark.parametrize("which", ["unknown", "not-a-uuid", "processing", "unapproved"])
def test_missing_or_unready_programme_is_a_vietnamese_404(
    api_client: TestClient, api_app: FastAPI, which: str
) -> None:
    target = {
        "unknown": str(uuid.uuid4()),
        "not-a-uuid": "khong-phai-uuid",
        "processing": str(add_programme(api_app, status=ProgrammeStatus.PROCESSING))
        if which == "processing"
        else "",
        "unapproved": str(add_programme(api_app, approved=False)) if which == "unapproved" else "",
    }[which]
    response = api_client.get(f"/chuong-trinh/{target}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="vi">' in response.text
    assert "Không tìm thấy trang" in response.text
    assert "Traceback" not in response.text
    assert "/work" not in response.text


def test_unknown_channel_is_a_404_page(api_client: TestClient, main_channel: str) -> None:
    response = api_client.get("/kenh/khong-co")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.text
    assert api_client.get("/embed/khong-co").status_code == 404


def test_console_page_renders_with_the_upload_library(api_client: TestClient) -> None:
    response = api_client.get("/console")
    assert response.status_code == 200
    assert "Đăng nhập" in response.text
    assert re.search(r'<script src="/assets/tus\.min\.js\?v=[0-9.]+"></script>', response.text)
    assert '<script src="/static/console.js"></script>' in response.text


def test_own_static_files_are_served_and_nothing_else(api_client: TestClient) -> None:
    css = api_client.get("/static/site.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert api_client.get("/static/player.js").headers["content-type"].startswith("text/javascript")
    for bad in ("/static/..%2Fsettings.py", "/static/.hidden.js", "/static/nope.js", "/static/web.py"):
        assert api_client.get(bad).status_code == 404, bad


def test_unknown_language_falls_back_to_vietnamese(api_client: TestClient, main_channel: str) -> None:
    response = api_client.get("/?lang=klingon-very-long-value")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.text
    assert "legaltv_lang" not in response.cookies


def test_console_in_english(api_client: TestClient) -> None:
    html = api_client.get("/console?lang=en").text
    assert '<html lang="en">' in html
    assert "Staff console" in html
    assert "Sign in" in html


def _guide_lines(html: str) -> list[str]:
    """The lines of the page's guide list (viewer or guide page)."""
    match = re.search(r'<ol class="guide[^"]*"[^>]*>(.*?)</ol>', html, re.S)
    assert match, "no guide list in the page"
    return re.findall(r'<li class="(?:programme|filler) [a-z_]+"', match.group(1))


def test_viewer_page_shows_on_now_and_a_few_hours_not_the_whole_day(
    api_client: TestClient, busy_channel: Busy
) -> None:
    html = api_client.get(f"/kenh/{busy_channel.slug}").text
    assert len(_guide_lines(html)) == 12  # ~700 programmes today: a few hours of them, at most 12 lines
    assert len(html) < 40_000
    assert '<h2 id="now-title">' in html
    now_time = re.search(r'<p id="now-time" class="muted">([^<]*)</p>', html)
    assert now_time
    assert re.fullmatch(r"\d\d:\d\d:\d\d–\d\d:\d\d:\d\d", now_time.group(1)), now_time.group(1)
    assert "Thời lượng" not in html
    assert re.search(r'<time datetime="[^"]+">\d\d:\d\d:\d\d</time>', html)  # 24 s programmes: seconds
    # the rest on demand: the full day's guide works without scripts; "More" is the script's button
    assert re.search(
        rf'<a id="guide-full" href="/kenh/{busy_channel.slug}/lich-phat-song\?date=\d{{4}}-\d\d-\d\d">', html
    )
    assert 'id="guide-more" class="hidden" aria-expanded="false"' in html
    # watch again: the latest airing of the programme, to the second, a link that works without scripts
    catchup = re.findall(
        r'<a class="catchup-item" href="/chuong-trinh/([0-9a-f-]+)" data-start="([^"]+)"', html
    )
    assert [pid for pid, _ in catchup] == [str(busy_channel.programme_id)]


def test_viewer_page_sections_are_reachable_from_its_top(api_client: TestClient, busy_channel: Busy) -> None:
    html = api_client.get(f"/kenh/{busy_channel.slug}").text
    nav = re.search(r'<nav class="jump"[^>]*>(.*?)</nav>', html, re.S)
    assert nav
    for section in ("guide-section", "catchup-section", "share-section"):
        assert f'href="#{section}"' in nav.group(1)
        assert f'id="{section}"' in html
    assert html.index('<nav class="jump"') < html.index('id="guide"')
    assert '<label for="embed-code">Mã nhúng kênh</label>' in html


def test_guide_page_lists_the_whole_day_with_the_programme_on_now(
    api_client: TestClient, busy_channel: Busy
) -> None:
    day = api_client.get(f"/api/channels/{busy_channel.slug}/epg").json()
    response = api_client.get(f"/kenh/{busy_channel.slug}/lich-phat-song?date={day['date']}")
    assert response.status_code == 200
    html = response.text
    assert len(_guide_lines(html)) == len(day["entries"])
    assert 'id="on-air-line"' in html
    assert html.count(f'href="/chuong-trinh/{busy_channel.programme_id}"') > 10
    spans = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", html)
    brief = [text for text in spans if len(text) > len("20:30–21:30")]
    assert len(brief) >= len(spans) - 2  # all but the long slate before the first programme (and after)
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d–\d\d:\d\d:\d\d", text) for text in brief), brief[:3]
    assert 'rel="prev"' in html
    assert 'rel="next"' in html
    # the language switch keeps the day
    assert f'href="/kenh/{busy_channel.slug}/lich-phat-song?date={day["date"]}&amp;lang=en"' in html


def test_guide_page_defaults_to_today_and_speaks_english(api_client: TestClient, busy_channel: Busy) -> None:
    html = api_client.get(f"/kenh/{busy_channel.slug}/lich-phat-song?lang=en").text
    assert '<html lang="en">' in html
    assert "Programme guide for" in html
    assert "on now" in html
    assert "The programme will continue" in html or "The programme will resume shortly" in html


@pytest.mark.parametrize("bad", ["2026-13-01", "9999-01-01", "hôm-nay", "2026-1-1x"])
def test_guide_page_refuses_a_malformed_date_in_both_languages(
    api_client: TestClient, busy_channel: Busy, bad: str
) -> None:
    response = api_client.get(f"/kenh/{busy_channel.slug}/lich-phat-song", params={"date": bad})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Ngày không hợp lệ" in response.text
    assert "Ngày phải có dạng YYYY-MM-DD" in response.text
    assert "The date must be YYYY-MM-DD" in response.text
    assert "Traceback" not in response.text


def test_guide_page_of_an_unknown_or_unpublished_channel(api_client: TestClient, main_channel: str) -> None:
    assert api_client.get("/kenh/khong-co/lich-phat-song").status_code == 404
    empty = api_client.get(f"/kenh/{main_channel}/lich-phat-song")
    assert empty.status_code == 200
    assert "Chưa có lịch phát sóng cho ngày này." in empty.text


def _ico_sizes(data: bytes) -> list[int]:
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1), "not an ICO file"
    sizes = []
    for i in range(count):
        width, _, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", data[6 + 16 * i : 22 + 16 * i])
        assert data[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(data)
        sizes.append(width)
    return sizes


def test_favicon_as_svg_and_as_the_ico_browsers_ask_for(api_client: TestClient, main_channel: str) -> None:
    ico = api_client.get("/favicon.ico")
    assert ico.status_code == 200
    assert ico.headers["content-type"] == "image/x-icon"
    assert _ico_sizes(ico.content) == [16, 32, 48]
    svg = api_client.get("/static/favicon.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.lstrip().startswith("<svg")
    for path in ("/", "/console", f"/kenh/{main_channel}/lich-phat-song"):
        html = api_client.get(path).text
        assert '<link rel="icon" href="/favicon.ico"' in html
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html


@pytest.mark.parametrize(("seconds", "vi", "en"), [(24.0, "24 giây", "24 s"), (1800.0, "30 phút", "30 min")])
def test_programme_page_says_its_duration_to_the_second_when_short(
    api_client: TestClient, api_app: FastAPI, seconds: float, vi: str, en: str
) -> None:
    programme_id = add_programme(api_app)
    with state_of(api_app).sessionmaker() as session:
        session.get_one(Programme, programme_id).duration = seconds
        session.commit()
    assert f"Thời lượng: {vi}</p>" in api_client.get(f"/chuong-trinh/{programme_id}").text
    assert f"Duration: {en}</p>" in api_client.get(f"/chuong-trinh/{programme_id}?lang=en").text


def test_the_guide_json_is_what_the_page_shows_and_stays_small(
    api_client: TestClient, busy_channel: Busy
) -> None:
    response = api_client.get(f"/api/public/channels/{busy_channel.slug}/guide")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=5"
    body = response.json()
    now = datetime.now(UTC)
    coming = body["coming"]
    assert 12 <= len(coming) <= 24
    starts = [datetime.fromisoformat(line["start"]) for line in coming]
    stops = [datetime.fromisoformat(line["stop"]) for line in coming]
    assert starts[0] <= now - timedelta(seconds=55), "the line a lagging player shows is missing"
    assert any(a <= now < b for a, b in zip(starts, stops, strict=True)), "nothing on now"
    assert stops[:-1] == starts[1:]
    assert {line["kind"] for line in coming} == {"programme", "filler"}
    assert [line["programme_id"] for line in body["recent"]] == [str(busy_channel.programme_id)]
    assert body["date"] == api_client.get(f"/api/channels/{busy_channel.slug}/epg").json()["date"]
    day = api_client.get(f"/api/channels/{busy_channel.slug}/epg")
    assert len(response.content) * 20 < len(day.content)  # the whole day is ~700 lines


def test_the_guide_json_of_an_unknown_channel_is_a_404(api_client: TestClient, main_channel: str) -> None:
    for slug in ("khong-co", main_channel):  # no such channel; a channel never published
        response = api_client.get(f"/api/public/channels/{slug}/guide")
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "Không tìm thấy kênh / Channel not found"


def test_a_browser_at_an_unknown_address_gets_the_not_found_page(api_client: TestClient) -> None:
    html = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = api_client.get("/trang-khong-co", headers=html)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Không tìm thấy trang" in page.text
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    english = api_client.get("/kenh/a/b/c", params={"lang": "en"}, headers=html)
    assert english.status_code == 404
    assert '<html lang="en">' in english.text
    api_client.cookies.clear()
    for path, headers in (("/trang-khong-co", {"Accept": "application/json"}), ("/api/khong-co", html)):
        machine = api_client.get(path, headers=headers)  # scripts and API clients keep the envelope
        assert machine.status_code == 404
        assert machine.json()["error"]["code"] == "not_found"
    assert api_client.post("/trang-khong-co", headers=html).json()["error"]["code"] in (
        "not_found",
        "method_not_allowed",
    )
