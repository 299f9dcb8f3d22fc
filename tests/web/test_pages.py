"""The pages render in both languages with safe headers; programme pages carry link-preview tags."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel.models import ProgrammeStatus
from channel.web.i18n import MESSAGES, pick_language
from tests.web.conftest import BASE_URL, add_programme


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


def test_viewer_page_is_vietnamese_by_default(web_client: TestClient, main_channel: str) -> None:
    response = web_client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="vi">' in html
    assert "Kênh Pháp luật" in html
    assert "Lịch phát sóng hôm nay" in html
    assert 'data-src="/live/kenh-chinh/master.m3u8"' in html
    assert f"{BASE_URL}/embed/kenh-chinh" in html  # the share snippet
    assert 'id="subs"' in html
    assert 'id="go-live"' in html
    assert ">Sao chép</button>" in html
    assert "built-in method" not in html


def test_english_is_chosen_by_query_and_remembered(web_client: TestClient, main_channel: str) -> None:
    first = web_client.get("/?lang=en")
    assert '<html lang="en">' in first.text
    assert "Today&#39;s guide" in first.text or "Today's guide" in first.text
    assert first.cookies.get("legaltv_lang") == "en"
    again = web_client.get("/kenh/kenh-chinh")  # the client sends the cookie back
    assert '<html lang="en">' in again.text
    back = web_client.get("/?lang=vi")
    assert '<html lang="vi">' in back.text


def test_viewer_page_without_channels_still_renders(web_client: TestClient) -> None:
    response = web_client.get("/")
    assert response.status_code == 200
    assert "Chưa có kênh nào" in response.text


def test_pages_send_security_headers(web_client: TestClient, main_channel: str) -> None:
    for path in ("/", "/console", "/kenh/kenh-chinh"):
        headers = web_client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "media-src 'self' blob:" in csp
        assert "frame-ancestors 'self'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert headers["x-frame-options"] == "SAMEORIGIN"


def test_only_the_embed_page_may_be_framed(web_client: TestClient, main_channel: str) -> None:
    response = web_client.get("/embed/kenh-chinh")
    assert response.status_code == 200
    assert "frame-ancestors *" in response.headers["content-security-policy"]
    assert "x-frame-options" not in response.headers
    assert 'data-src="/live/kenh-chinh/master.m3u8"' in response.text


def test_programme_page_has_open_graph_and_twitter_tags(web_client: TestClient, web_app: FastAPI) -> None:
    programme_id = add_programme(web_app)
    response = web_client.get(f"/chuong-trinh/{programme_id}")
    assert response.status_code == 200
    html = response.text
    assert _meta(html, "og:title") == "Tìm hiểu Luật Giao thông đường bộ &lt;tập 1&gt;"  # escaped
    assert _meta(html, "og:description").startswith("Những quy định mới")
    assert _meta(html, "og:type") == "video.other"
    assert _meta(html, "og:url") == f"{BASE_URL}/chuong-trinh/{programme_id}"
    assert _meta(html, "og:image") == f"{BASE_URL}/media/programmes/{programme_id}/r1/poster.jpg"
    assert _meta(html, "twitter:card") == "summary_large_image"
    assert _meta(html, "twitter:image") == _meta(html, "og:image")
    assert "23/2008/QH12" in html
    assert "Luật Giao thông đường bộ" in html
    assert f'data-src="/api/programmes/{programme_id}/master.m3u8"' in html  # its own master, with subtitles


def test_programme_page_in_english_names_topics_in_english(web_client: TestClient, web_app: FastAPI) -> None:
    programme_id = add_programme(web_app)
    html = web_client.get(f"/chuong-trinh/{programme_id}?lang=en").text
    assert '<html lang="en">' in html
    assert "Road Traffic Law" in html
    assert "Laws explained" in html


@pytest.mark.parametrize("which", ["unknown", "not-a-uuid", "processing"])
def test_missing_or_unready_programme_is_a_vietnamese_404(
    web_client: TestClient, web_app: FastAPI, which: str
) -> None:
    target = {
        "unknown": str(uuid.uuid4()),
        "not-a-uuid": "khong-phai-uuid",
        "processing": str(add_programme(web_app, status=ProgrammeStatus.PROCESSING))
        if which == "processing"
        else "",
    }[which]
    response = web_client.get(f"/chuong-trinh/{target}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="vi">' in response.text
    assert "Không tìm thấy trang" in response.text
    assert "Traceback" not in response.text
    assert "/work" not in response.text


def test_unknown_channel_is_a_404_page(web_client: TestClient, main_channel: str) -> None:
    response = web_client.get("/kenh/khong-co")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.text
    assert web_client.get("/embed/khong-co").status_code == 404


def test_console_page_renders_with_the_upload_library(web_client: TestClient) -> None:
    response = web_client.get("/console")
    assert response.status_code == 200
    assert "Đăng nhập" in response.text
    assert re.search(r'<script src="/assets/tus\.min\.js\?v=[0-9.]+"></script>', response.text)
    assert '<script src="/static/console.js"></script>' in response.text


def test_own_static_files_are_served_and_nothing_else(web_client: TestClient) -> None:
    css = web_client.get("/static/site.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert web_client.get("/static/player.js").headers["content-type"].startswith("text/javascript")
    for bad in ("/static/..%2Fsettings.py", "/static/.hidden.js", "/static/nope.js", "/static/web.py"):
        assert web_client.get(bad).status_code == 404, bad


def test_unknown_language_falls_back_to_vietnamese(web_client: TestClient, main_channel: str) -> None:
    response = web_client.get("/?lang=klingon-very-long-value")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.text
    assert "legaltv_lang" not in response.cookies


def test_console_in_english(web_client: TestClient) -> None:
    html = web_client.get("/console?lang=en").text
    assert '<html lang="en">' in html
    assert "Staff console" in html
    assert "Sign in" in html
