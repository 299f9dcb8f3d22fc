"""Searching and filtering the library, on SQLite and on PostgreSQL: accents and case never matter."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from channel.app import create_app
from channel.migrate import upgrade_engine
from channel.models import Programme, ProgrammeStatus, Role
from channel.settings import Settings
from channel.state import state_of
from tests.channel.api_fixtures import sign_in
from tests.channel.library.conftest import Library


@pytest.fixture
def any_db_lib(db_engine: Engine, tmp_path: Path) -> Iterator[Library]:
    """The API on each supported database, with a producer and a scheduler signed in."""
    upgrade_engine(db_engine)
    settings = Settings(data_dir=tmp_path / "var", env="test")
    app = create_app(settings, engine=db_engine)
    users = {
        name: sign_in(state_of(app).sessionmaker, role, name, secret_key=settings.secret_key)
        for name, role in (("producer", Role.PRODUCER), ("scheduler", Role.SCHEDULER))
    }
    with TestClient(app) as client:
        yield Library(app=app, client=client, users=users)


def _titles(lib: Library, **params: str | int) -> list[str]:
    response = lib.call("GET", "/api/programmes", user="scheduler", params=params)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def test_search_ignores_accents_and_case(any_db_lib: Library) -> None:
    lib = any_db_lib
    lib.create(title="Giao thông an toàn cho học sinh", topics=["luat-giao-thong-duong-bo"])
    lib.create(
        title="Luật Đất đai 2024 có gì mới", description="Giải thích quyền sử dụng ĐẤT của hộ gia đình"
    )
    lib.create(title="Phòng, chống tham nhũng", description="100% minh bạch_công khai")

    assert _titles(lib, q="giao thong") == ["Giao thông an toàn cho học sinh"]
    assert _titles(lib, q="GIAO THÔNG") == ["Giao thông an toàn cho học sinh"]
    assert _titles(lib, q="đất") == ["Luật Đất đai 2024 có gì mới"]
    assert _titles(lib, q="dat") == ["Luật Đất đai 2024 có gì mới"]
    assert _titles(lib, q="ho gia dinh") == ["Luật Đất đai 2024 có gì mới"]  # description too
    assert _titles(lib, q="luat moi") == ["Luật Đất đai 2024 có gì mới"]  # every word, any order
    assert _titles(lib, q="giao thong dat") == []
    assert _titles(lib, q="%") == ["Phòng, chống tham nhũng"]  # LIKE wildcards are literal
    assert _titles(lib, q="_") == ["Phòng, chống tham nhũng"]


def test_search_follows_title_changes(any_db_lib: Library) -> None:
    lib = any_db_lib
    created = lib.create(title="Tạm đặt tên")
    lib.call(
        "PATCH", f"/api/programmes/{created['id']}", json={"title": "Bộ luật Lao động: hợp đồng thử việc"}
    )
    assert _titles(lib, q="lao dong") == ["Bộ luật Lao động: hợp đồng thử việc"]
    assert _titles(lib, q="tam dat") == []


def test_filters_and_pagination(any_db_lib: Library) -> None:
    lib = any_db_lib
    first = lib.create(title="Một", topics=["luat-dat-dai"], legal_documents=[{"number": "471/QĐ-TTg"}])
    lib.create(title="Hai", topics=["luat-an-ninh-mang"])
    third = lib.create(title="Ba", topics=["luat-dat-dai"])
    with state_of(lib.app).sessionmaker() as session:
        row = session.get(Programme, uuid.UUID(third["id"]))
        assert row is not None
        row.status = ProgrammeStatus.READY
        old = session.get(Programme, uuid.UUID(first["id"]))
        assert old is not None
        old.created_at = datetime.now(UTC) - timedelta(days=10)
        session.commit()

    assert _titles(lib) == ["Ba", "Hai", "Một"]  # newest first
    assert _titles(lib, topic="luat-dat-dai") == ["Ba", "Một"]
    assert _titles(lib, document="471/QĐ-TTg") == ["Một"]
    assert _titles(lib, status="ready") == ["Ba"]
    today = datetime.now(UTC).date()
    assert _titles(lib, created_to=(today - timedelta(days=5)).isoformat()) == ["Một"]
    assert _titles(lib, created_from=today.isoformat()) == ["Ba", "Hai"]

    page = lib.call("GET", "/api/programmes", user="scheduler", params={"limit": 1, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 1, 1)
    assert [item["title"] for item in page["items"]] == ["Hai"]
    assert lib.call("GET", "/api/programmes", user="scheduler", params={"limit": 101}).status_code == 422
    assert lib.call("GET", "/api/programmes", user="scheduler", params={"status": "nope"}).status_code == 422


def test_document_numbers_match_however_they_are_typed(any_db_lib: Library) -> None:
    lib = any_db_lib
    lib.create(title="Một", legal_documents=[{"number": "471/QĐ-TTg"}])
    second = lib.create(title="Hai", legal_documents=[{"number": "471/qd-ttg"}, {"number": "31/2024/QH15"}])
    lib.create(title="Ba", legal_documents=[{"number": "472/QĐ-TTg"}])

    for spelling in ("471/QĐ-TTg", "471/QD-TTg", "471/qđ-ttg", "471 / QĐ - TTg", "471/QĐ–TTg"):
        assert _titles(lib, document=spelling) == ["Hai", "Một"], spelling
        assert _titles(lib, q=spelling) == ["Hai", "Một"], spelling
    assert _titles(lib, q="31/2024/qh15") == ["Hai"]
    assert _titles(lib, q="QĐ-TTg") == ["Ba", "Hai", "Một"]
    # one document whatever the spelling: the first spelling is kept
    documents = lib.call("GET", f"/api/programmes/{second['id']}", user="scheduler").json()["legal_documents"]
    assert sorted(document["number"] for document in documents) == ["31/2024/QH15", "471/QĐ-TTg"]


def test_search_follows_document_changes(any_db_lib: Library) -> None:
    lib = any_db_lib
    created = lib.create(title="Chưa gắn văn bản")
    assert _titles(lib, q="91/2015/qh13") == []
    lib.call(
        "PATCH", f"/api/programmes/{created['id']}", json={"legal_documents": [{"number": "91/2015/QH13"}]}
    )
    assert _titles(lib, q="91/2015/QH13") == ["Chưa gắn văn bản"]
    assert _titles(lib, document="91/2015/qh13") == ["Chưa gắn văn bản"]
