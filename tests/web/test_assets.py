"""The player and upload libraries come from node_modules through an allow-list, cached for a year."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from channel.app import create_app
from channel.grid.channels import ensure_channel
from channel.migrate import upgrade
from channel.settings import Settings
from channel.state import state_of
from channel.web.assets import default_assets_dir


def test_node_modules_are_installed() -> None:
    folder = default_assets_dir()
    assert (folder / "hls.js" / "dist" / "hls.min.js").is_file(), f"run `npm ci` in the repository ({folder})"
    assert (folder / "tus-js-client" / "dist" / "tus.min.js").is_file(), f"run `npm ci` ({folder})"


@pytest.mark.parametrize("name", ["hls.min.js", "tus.min.js"])
def test_allowed_library_is_served_with_long_cache(api_client: TestClient, name: str) -> None:
    response = api_client.get(f"/assets/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "max-age=31536000" in response.headers["cache-control"]
    assert "immutable" in response.headers["cache-control"]
    assert len(response.content) > 10_000


@pytest.mark.parametrize(
    "path",
    [
        "/assets/../package.json",
        "/assets/..%2Fpackage.json",
        "/assets/%2e%2e%2fpackage.json",
        "/assets/hls.js",
        "/assets/hls.min.js.map",
        "/assets/package.json",
        "/assets/hls.js%2Fdist%2Fhls.min.js",
    ],
)
def test_other_paths_are_refused(api_client: TestClient, path: str) -> None:
    response = api_client.get(path)
    assert response.status_code == 404
    assert '"name"' not in response.text  # no package.json content leaks


def test_pages_link_the_versioned_libraries(api_client: TestClient, main_channel: str) -> None:
    html = api_client.get("/").text
    assert '<script src="/assets/hls.min.js?v=' in html
    assert "Thiếu thư viện trình phát" not in html


def test_missing_libraries_leave_the_page_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("LEGALTV_WEB_ASSETS_DIR", str(tmp_path / "nowhere"))
    settings = Settings(data_dir=tmp_path / "var", env="test")
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    with state_of(app).sessionmaker() as session:
        ensure_channel(session, slug="kenh-chinh", name="Kênh Pháp luật", settings=settings)
        session.commit()
    with caplog.at_level(logging.WARNING, logger="channel.web.assets"), TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert "Thiếu thư viện trình phát" in page.text
        assert "/assets/hls.min.js" not in page.text
        assert client.get("/assets/hls.min.js").status_code == 404
    assert any("npm ci" in record.getMessage() for record in caplog.records)
