"""Library test helpers: authorised calls, programmes made through the API, grid slots made through the ORM."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel.celery_config import filesystem_broker_folders
from channel.models import Channel, ScheduleEntry
from channel.settings import Settings
from channel.state import state_of
from tests.channel.api_fixtures import ApiUser, swap_settings
from tests.channel.editorial.approvals import approve_programmes
from tests.processes import serve_in_thread

__all__ = ["Library", "SentTask", "sent_tasks", "serving"]


@dataclass
class Library:
    """Shortcuts over the API as one of the test users."""

    app: FastAPI
    client: TestClient
    users: dict[str, ApiUser]

    def call(self, method: str, url: str, *, user: str | None = "producer", **kwargs: Any) -> httpx2.Response:
        headers = {**(self.users[user].headers if user else {}), **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)

    def create(self, *, user: str = "producer", **fields: Any) -> dict[str, Any]:
        body = {"title": "Chương trình thử", **fields}
        response = self.call("POST", "/api/programmes", user=user, json=body)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data

    def approve(self, programme_id: str | uuid.UUID) -> None:
        """An editor who made none of it approves the programme's current revision (viewers see only that)."""
        with state_of(self.app).sessionmaker() as session:
            approve_programmes(session, [uuid.UUID(str(programme_id))])

    def schedule(self, programme_id: str, *, start_at: datetime, slug: str = "vtv-phap-luat") -> uuid.UUID:
        """A grid entry for the programme on a channel (created if missing), straight in the database."""
        with state_of(self.app).sessionmaker() as session:
            channel = session.query(Channel).filter_by(slug=slug).one_or_none()
            if channel is None:
                channel = Channel(slug=slug, name="Kênh Pháp luật", epoch=datetime(2026, 1, 1, tzinfo=UTC))
                session.add(channel)
                session.flush()
            entry = ScheduleEntry(
                channel_id=channel.id, programme_id=uuid.UUID(programme_id), start_at=start_at
            )
            session.add(entry)
            session.commit()
            return entry.id


@pytest.fixture
def lib(api_app: FastAPI, api_client: TestClient, api_users: dict[str, ApiUser]) -> Library:
    return Library(app=api_app, client=api_client, users=api_users)


@dataclass(frozen=True)
class SentTask:
    """A message waiting in the embedded (filesystem) broker."""

    name: str
    task_id: str
    args: list[Any]
    options: dict[str, Any]


def sent_tasks(settings: Settings) -> list[SentTask]:
    """Every task message queued in the embedded broker's folder, oldest first."""
    folder = filesystem_broker_folders(settings.broker_folder)["queue"]
    found: list[SentTask] = []
    for path in sorted(folder.glob("*.msg"), key=lambda p: p.stat().st_mtime_ns):
        message = json.loads(path.read_text(encoding="utf-8"))
        body = (
            json.loads(base64.b64decode(message["body"]))
            if message["properties"].get("body_encoding") == "base64"
            else message["body"]
        )
        headers = message["headers"]
        found.append(
            SentTask(name=headers["task"], task_id=headers["id"], args=list(body[0]), options=body[2])
        )
    return found


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """`app` served over real HTTP by uvicorn in a thread (for the tus client); yields its base URL.

    The app's public URL (`base_url`, which tus `Location` headers are built on) becomes this one.
    """
    with serve_in_thread(app) as base:
        swap_settings(app, base_url=base)
        yield base


@pytest.fixture
def live_url(api_app: FastAPI) -> Iterator[str]:
    with serving(api_app) as url:
        yield url
