"""API fixtures: an app on the embedded default and signed-in users of every role."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from channel.app import create_app
from channel.auth.service import create_user, login
from channel.models import Role, User
from channel.settings import Settings
from channel.state import state_of

__all__ = ["ApiUser", "api_app", "api_client", "api_users", "make_api_user", "sign_in", "swap_settings"]

PASSWORD = "mật-khẩu-thử-nghiệm"


@dataclass(frozen=True)
class ApiUser:
    """A user with a live token; `headers` authorise requests as them."""

    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def sign_in(
    sessions: Callable[[], Session],
    role: Role,
    username: str,
    *,
    secret_key: str,
    display_name: str | None = None,
) -> ApiUser:
    """A user of `role` made in the database and signed in: the user (detached) and an hour's token.

    The one way tests get "a user signed in with role R", whatever app or database they run on.
    """
    with sessions() as session:
        user = create_user(
            session, username=username, password=PASSWORD, role=role, display_name=display_name or username
        )
        result = login(
            session,
            username=username,
            password=PASSWORD,
            secret_key=secret_key,
            now=datetime.now(UTC),
            ttl_seconds=3600,
        )
        session.commit()
        session.refresh(user)
        session.expunge(user)
        return ApiUser(user=user, token=result.token.plain)


def swap_settings(app: FastAPI, **changes: Any) -> Settings:
    """Give a built app settings with `changes` (as a restart with other variables would); returns them.

    Only what reads the settings per request sees the change: services built with the app keep theirs.
    """
    state = state_of(app)
    changed = state.settings.model_copy(update=changes)
    app.state.legaltv = dataclasses.replace(state, settings=changed)
    return changed


@pytest.fixture
def api_app(embedded_settings: Settings) -> FastAPI:
    return create_app(embedded_settings)


@pytest.fixture
def api_client(api_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(api_app) as client:
        yield client


@pytest.fixture
def make_api_user(api_app: FastAPI) -> Callable[[Role, str], ApiUser]:
    """Create a user of a role (and a token for them) directly in the app's database."""
    state = state_of(api_app)

    def make(role: Role, username: str) -> ApiUser:
        return sign_in(state.sessionmaker, role, username, secret_key=state.settings.secret_key)

    return make


@pytest.fixture
def api_users(make_api_user: Callable[[Role, str], ApiUser]) -> dict[str, ApiUser]:
    """One signed-in user per role: "admin", "producer", "producer2", "scheduler", "editor"."""
    return {
        "admin": make_api_user(Role.ADMIN, "admin"),
        "producer": make_api_user(Role.PRODUCER, "producer"),
        "producer2": make_api_user(Role.PRODUCER, "producer2"),
        "scheduler": make_api_user(Role.SCHEDULER, "scheduler"),
        "editor": make_api_user(Role.EDITOR, "editor"),
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with minimal cost in tests: same algorithm and format, a fraction of the CPU."""
    from argon2 import PasswordHasher

    from channel.security import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
