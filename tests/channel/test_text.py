"""Control characters in any text field or parameter are a 422 with the usual envelope, never a 500 on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Engine

from channel.app import create_app
from channel.migrate import upgrade_engine
from channel.models import Role
from channel.settings import Settings
from channel.state import state_of
from channel.text import CleanLine, CleanText, strip_controls
from tests.channel.api_fixtures import sign_in
from tests.rawpatch import create_upload

pytestmark = pytest.mark.postgres

_ROLES = {"admin": Role.ADMIN, "producer": Role.PRODUCER, "scheduler": Role.SCHEDULER}


@pytest.fixture
def pg_client(
    pg_schema_engine: Engine, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """The API on an isolated PostgreSQL schema, with one signed-in user per role (their headers)."""
    upgrade_engine(pg_schema_engine)
    settings = Settings(data_dir=tmp_path / "var", env="test")
    app = create_app(settings, engine=pg_schema_engine)
    headers = {
        name: sign_in(state_of(app).sessionmaker, role, name, secret_key=settings.secret_key).headers
        for name, role in _ROLES.items()
    }
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, headers


_DOC = {"number": "471/QĐ-TTg"}
# (who, method, url, keyword arguments): each carries a NUL or another control character somewhere
_BAD: list[tuple[str | None, str, str, dict[str, Any]]] = [
    ("producer", "POST", "/api/programmes", {"json": {"title": "a\u0000b"}}),
    ("producer", "POST", "/api/programmes", {"json": {"title": "ok", "description": "x\u0000"}}),
    ("producer", "POST", "/api/programmes", {"json": {"title": "ok", "audience": "a\u0007"}}),
    ("producer", "POST", "/api/programmes", {"json": {"title": "ok", "tags": ["t\u0000"]}}),
    ("producer", "POST", "/api/programmes", {"json": {"title": "ok", "topics": ["x\u0000"]}}),
    (
        "producer",
        "POST",
        "/api/programmes",
        {"json": {"title": "ok", "legal_documents": [{"number": "1\u0000"}]}},
    ),
    (
        "producer",
        "POST",
        "/api/programmes",
        {"json": {"title": "ok", "legal_documents": [{**_DOC, "title": "a\u0000"}]}},
    ),
    (
        "producer",
        "POST",
        "/api/programmes",
        {"json": {"title": "ok", "legal_documents": [{**_DOC, "issuing_body": "a\u0000"}]}},
    ),
    ("producer", "GET", "/api/programmes?q=a%00", {}),
    ("producer", "GET", "/api/programmes?topic=a%00", {}),
    ("producer", "GET", "/api/programmes?document=a%00", {}),
    (None, "POST", "/api/auth/login", {"json": {"username": "a\u0000b", "password": "x"}}),
    (
        "admin",
        "POST",
        "/api/users",
        {"json": {"username": "a\u0000b", "password": "x" * 12, "role": "producer"}},
    ),
    (
        "admin",
        "POST",
        "/api/users",
        {"json": {"username": "ab", "password": "x" * 12, "role": "producer", "display_name": "\u0000"}},
    ),
    ("admin", "POST", "/api/topics", {"json": {"name": "a\u0000"}}),
    ("admin", "POST", "/api/topics", {"json": {"name": "a", "slug": "a\u0000"}}),
    ("admin", "POST", "/api/topics", {"json": {"name": "a", "name_en": "a\u001b"}}),
    ("scheduler", "POST", "/api/channels", {"json": {"slug": "kenh", "name": "a", "timezone": "a\u0000"}}),
    ("scheduler", "GET", "/api/channels/kenh/entries?from=a%00", {}),
    ("scheduler", "GET", "/api/audit?from=a%00", {}),
    (None, "GET", "/api/channels/a%00/now", {}),
    (None, "GET", "/api/channels/a%00/epg", {}),
    (None, "GET", "/live/a%00/master.m3u8?start=1", {}),
    (None, "GET", "/kenh/a%00", {}),
    (None, "GET", "/?lang=v%00", {}),
]


@pytest.mark.parametrize(("who", "method", "url", "kwargs"), _BAD, ids=[f"{m} {u}" for _, m, u, _ in _BAD])
def test_control_characters_are_refused_with_422(
    pg_client: tuple[TestClient, dict[str, dict[str, str]]],
    who: str | None,
    method: str,
    url: str,
    kwargs: dict[str, Any],
) -> None:
    client, headers = pg_client
    response = client.request(method, url, headers=headers[who] if who else {}, **kwargs)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert " / " in error["message"]  # bilingual


def test_subtitle_label_and_language_are_checked(
    pg_client: tuple[TestClient, dict[str, dict[str, str]]],
) -> None:
    client, headers = pg_client
    created = client.post("/api/programmes", headers=headers["producer"], json={"title": "Phụ đề"})
    assert created.status_code == 201, created.text
    url = f"/api/programmes/{created.json()['id']}/subtitles"
    for params in ({"language": "v\u0000i"}, {"label": "a\u0000"}):
        response = client.post(url, headers=headers["producer"], params=params, content=b"WEBVTT\n\n")
        assert response.status_code == 422, response.text


def test_tus_metadata_title_loses_its_control_characters(
    pg_client: tuple[TestClient, dict[str, dict[str, str]]],
) -> None:
    client, headers = pg_client
    body = b"not really a video"
    tus = {**headers["producer"], "Tus-Resumable": "1.0.0"}
    url = create_upload(
        client, headers["producer"], len(body), title="Bài\u0000 giảng", filename="a\u0000.mp4"
    )
    done = client.patch(
        url,
        headers={**tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        content=body,
    )
    assert done.status_code == 204, done.text
    programme_id = done.headers["X-Programme-Id"]
    shown = client.get(f"/api/programmes/{programme_id}", headers=headers["producer"])
    assert shown.status_code == 200, shown.text
    assert shown.json()["title"] == "Bài giảng"
    assert shown.json()["original_filename"] == "a.mp4"


def test_clean_types_refuse_control_characters_but_keep_line_breaks_in_text() -> None:
    line, text = TypeAdapter(CleanLine), TypeAdapter(CleanText)
    assert line.validate_python("Luật Đất đai") == "Luật Đất đai"
    assert text.validate_python("dòng 1\ndòng 2\tx\r\n") == "dòng 1\ndòng 2\tx\r\n"
    for bad in ("a\u0000", "a\n", "a\u007f"):
        with pytest.raises(ValidationError):
            line.validate_python(bad)
    with pytest.raises(ValidationError):
        text.validate_python("a\u0000")
    assert strip_controls("a\u0000b\nc\u007f") == "abc"
