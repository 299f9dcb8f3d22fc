"""Editorial test helpers: programmes uploaded and transcoded through the library's own paths, a channel
on air, and signed-in staff of every role, including one person who is both producer and editor."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel.auth.service import create_user, login
from channel.library.outcome import Outcome, apply_outcome
from channel.models import Channel, CompiledPlayout, Role
from channel.playout import latest_playout
from channel.state import state_of
from playlist import Timeline, timeline_from_dict
from tests.channel.api_fixtures import PASSWORD, ApiUser
from tests.channel.library.conftest import sent_tasks

__all__ = ["Desk", "description"]


def description(
    *,
    segments: int = 10,
    seconds: float = 6.0,
    gops: bool = False,
    heights: tuple[int, ...] = (1080, 720, 480, 360),
) -> dict[str, Any]:
    """A description.json as the transcoder writes it for the house ladder (keys under the prefix)."""
    ladder = [(f"{h}p", h * 16 // 9, h) for h in heights]
    segment_gops = [[2.0] * round(seconds / 2)] * segments if gops else []
    return {
        "version": 2 if gops else 1,
        "segment_gops": segment_gops,
        "duration": segments * seconds,
        "segment_format": "mpegts",
        "target_duration": round(seconds),
        "segment_durations": [seconds] * segments,
        "renditions": [
            {
                "name": name,
                "width": w,
                "height": h,
                "bandwidth": 1_000_000,
                "average_bandwidth": 900_000,
                "codecs": "avc1.64001f,mp4a.40.2",
                "frame_rate": 25.0,
                "playlist": f"{name}/index.m3u8",
                "init": None,
                "segments": [f"{name}/seg_{i:05d}.ts" for i in range(segments)],
                "gop_offsets": [[188 * 400 * g for g in range(1, len(row))] for row in segment_gops],
            }
            for name, w, h in ladder
        ],
        "master": "master.m3u8",
    }


@dataclass
class Desk:
    """The newsroom over the API: staff by name, programmes made through the library's own routes."""

    app: FastAPI
    client: TestClient
    users: dict[str, ApiUser]

    def call(self, method: str, url: str, *, user: str | None = "producer", **kwargs: Any) -> Any:
        headers = {**(self.users[user].headers if user else {}), **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)

    def upload(self, *, title: str, user: str = "producer", source: bytes = b"", **fields: Any) -> str:
        """Create a programme as ``user`` and send its source (queued for transcoding, not run)."""
        created = self.call("POST", "/api/programmes", user=user, json={"title": title, **fields})
        assert created.status_code == 201, created.text
        pid = str(created.json()["id"])
        self.replace_source(pid, user=user, source=source or f"nguồn {title}".encode())
        return pid

    def replace_source(self, pid: str, *, user: str = "producer", source: bytes) -> None:
        sent = self.call("POST", f"/api/programmes/{pid}/source", user=user, content=source)
        assert sent.status_code == 202, sent.text

    def transcoded(self, pid: str, *, media: dict[str, Any] | None = None) -> None:
        """The worker's result for the programme's last queued transcode, stored as the callback does."""
        task = [
            t for t in sent_tasks(state_of(self.app).settings) if str(t.args[0]).startswith(f"sources/{pid}/")
        ][-1]
        detail = self.call("GET", f"/api/programmes/{pid}", user="admin").json()
        outcome = Outcome(
            programme_id=uuid.UUID(pid),
            revision=int(detail["revision"]),
            task_id=task.task_id,
            result={"ok": True, "description": media or description()},
        )
        with state_of(self.app).sessionmaker() as session:
            apply_outcome(session, outcome, store=state_of(self.app).store)

    def ready(self, *, title: str, user: str = "producer", **fields: Any) -> str:
        pid = self.upload(title=title, user=user, **fields)
        self.transcoded(pid)
        return pid

    def review(self, pid: str, *, user: str = "editor") -> dict[str, Any]:
        got = self.call("GET", f"/api/programmes/{pid}/review", user=user)
        assert got.status_code == 200, got.text
        body: dict[str, Any] = got.json()
        return body

    def approve(self, pid: str, *, user: str = "editor", note: str | None = None) -> Any:
        fingerprint = self.review(pid, user=user)["fingerprint"]
        return self.call(
            "POST",
            f"/api/programmes/{pid}/review/approve",
            user=user,
            json={"fingerprint": fingerprint, "note": note},
        )

    def approved(self, pid: str, *, user: str = "editor") -> None:
        done = self.approve(pid, user=user)
        assert done.status_code == 200, done.text
        assert done.json()["state"] == "approved"

    def timeline(self, slug: str) -> Timeline:
        with state_of(self.app).sessionmaker() as session:
            channel = session.query(Channel).filter_by(slug=slug).one()
            compiled = latest_playout(session, channel.id)
            assert compiled is not None
            return timeline_from_dict(compiled.timeline)

    def versions(self, slug: str) -> int:
        with state_of(self.app).sessionmaker() as session:
            channel = session.query(Channel).filter_by(slug=slug).one()
            return session.query(CompiledPlayout).filter_by(channel_id=channel.id).count()

    def audit(self, action: str) -> list[dict[str, Any]]:
        events = self.call("GET", "/api/audit", user="admin", params={"limit": 500}).json()
        return [e for e in events if e["action"] == action]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def desk(
    api_app: FastAPI,
    api_client: TestClient,
    api_users: dict[str, ApiUser],
    make_api_user: Callable[[Role, str], ApiUser],
) -> Desk:
    users = dict(api_users)
    users["editor2"] = make_api_user(Role.EDITOR, "editor2")
    with state_of(api_app).sessionmaker() as session:  # one person who both produces and approves
        create_user(
            session,
            username="sx-bt",
            password=PASSWORD,
            roles=[Role.PRODUCER, Role.EDITOR],
            display_name="SX & BT",
        )
        session.commit()
        signed = login(
            session,
            username="sx-bt",
            password=PASSWORD,
            secret_key=state_of(api_app).settings.secret_key,
            now=datetime.now(UTC),
            ttl_seconds=3600,
        )
        session.commit()
        user = signed.user
        session.refresh(user)
        session.expunge(user)
        users["producer_editor"] = ApiUser(user=user, token=signed.token.plain)
    return Desk(app=api_app, client=api_client, users=users)
