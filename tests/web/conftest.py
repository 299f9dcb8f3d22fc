"""Web page fixtures: the app on the embedded default, with a channel and a ready programme."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel.app import create_app
from channel.grid.channels import ensure_channel
from channel.migrate import upgrade
from channel.models import LegalDocument, Programme, ProgrammeStatus, Topic
from channel.settings import Settings

__all__ = ["BASE_URL", "add_programme", "main_channel", "web_app", "web_client", "web_settings"]

BASE_URL = "https://tv.example.vn"


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "var", env="test", base_url=BASE_URL)
    upgrade(settings.resolved_database_url)
    return settings


@pytest.fixture
def web_app(web_settings: Settings) -> FastAPI:
    return create_app(web_settings)


@pytest.fixture
def web_client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app) as client:
        yield client


@pytest.fixture
def main_channel(web_app: FastAPI, web_settings: Settings) -> str:
    with web_app.state.sessionmaker() as session:
        ensure_channel(session, slug="kenh-chinh", name="Kênh Pháp luật", settings=web_settings)
        session.commit()
    return "kenh-chinh"


def add_programme(app: FastAPI, *, status: ProgrammeStatus = ProgrammeStatus.READY) -> uuid.UUID:
    """A programme row as the transcoder leaves it: media described, a poster, a topic and a law."""
    programme_id = uuid.uuid4()
    with app.state.sessionmaker() as session:
        topic = Topic(
            name="Luật Giao thông đường bộ", name_en="Road Traffic Law", slug=f"gt-{programme_id.hex[:6]}"
        )
        law = LegalDocument(
            number="23/2008/QH12",
            title="Luật Giao thông đường bộ",
            issuing_body="Quốc hội",
            issued_date=date(2008, 11, 13),
        )
        session.add(
            Programme(
                id=programme_id,
                title="Tìm hiểu Luật Giao thông đường bộ <tập 1>",
                description="Những quy định mới về đội mũ bảo hiểm & nồng độ cồn.",
                status=status,
                progress=100.0 if status == ProgrammeStatus.READY else 10.0,
                media_prefix=f"programmes/{programme_id}/r1/",
                media={"master": "master.m3u8", "poster": "poster.jpg", "thumbnails": []},
                duration=1800.0,
                topics=[topic],
                legal_documents=[law],
            )
        )
        session.commit()
    return programme_id
