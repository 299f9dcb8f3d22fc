"""Helpers for the account tests: an app on its own clock, users with roles, and signing in step by step.

Codes come from `tests.totp` (an RFC 6238 implementation of the tests' own), at the app's clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response

from channel.app import create_app
from channel.auth.service import create_user
from channel.deps import get_now
from channel.migrate import upgrade
from channel.models import Role, User
from channel.settings import Settings
from channel.state import state_of
from tests.channel.api_fixtures import PASSWORD
from tests.totp import totp

__all__ = ["PASSWORD", "Clock", "Staff", "bearer", "staff_app"]


@dataclass
class Clock:
    """The app's clock in a test: moves only when told to (no sleeping)."""

    now: datetime = field(default_factory=lambda: datetime(2026, 12, 1, 2, 0, 5, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Staff:
    """A running app (TestClient), its clock, and account helpers."""

    app: FastAPI
    client: TestClient
    clock: Clock

    def add_user(self, username: str, *roles: Role) -> User:
        with state_of(self.app).sessionmaker() as session:
            user = create_user(
                session, username=username, password=PASSWORD, roles=roles, display_name=username
            )
            session.commit()
            session.expunge(user)
            return user

    def code(self, secret: str, *, steps_ahead: int = 0) -> str:
        return totp(secret, at=self.clock.now.timestamp() + 30 * steps_ahead)

    def password_login(self, username: str, password: str = PASSWORD, **kwargs: Any) -> Response:
        return self.client.post(
            "/api/auth/login", json={"username": username, "password": password}, **kwargs
        )

    def second_step(self, challenge: str, code: str, **kwargs: Any) -> Response:
        return self.client.post("/api/auth/login/mfa", json={"challenge": challenge, "code": code}, **kwargs)

    def enrol(self, headers: dict[str, str]) -> tuple[str, list[str]]:
        """Enrol an authenticator app with the session of `headers`: its secret and the recovery codes."""
        started = self.client.post("/api/auth/mfa/enrolment", headers=headers)
        assert started.status_code == 200, started.text
        secret = started.json()["secret"]
        confirmed = self.client.post(
            "/api/auth/mfa/enrolment/confirm", headers=headers, json={"code": self.code(secret)}
        )
        assert confirmed.status_code == 200, confirmed.text
        return secret, confirmed.json()["recovery_codes"]

    def signed_in(self, username: str) -> dict[str, str]:
        """Headers of a session opened by the password alone (an account that needs no code)."""
        response = self.password_login(username)
        assert response.status_code == 200, response.text
        assert response.json()["step"] == "signed_in", response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def enrolled(self, username: str) -> tuple[dict[str, str], str, list[str]]:
        """Sign in and enrol: the now full session, the secret and the recovery codes."""
        headers = self.signed_in(username)
        secret, codes = self.enrol(headers)
        return headers, secret, codes

    def code_login(self, username: str, secret: str, *, steps_ahead: int = 0) -> Response:
        first = self.password_login(username)
        assert first.status_code == 200, first.text
        assert first.json()["step"] == "mfa_required", first.text
        return self.second_step(first.json()["challenge"], self.code(secret, steps_ahead=steps_ahead))


@contextmanager
def staff_app(tmp_path: Path, **settings: Any) -> Iterator[Staff]:
    """The embedded app (SQLite) with its clock under the test's control."""
    settings.setdefault("login_rate_per_minute", 1000)  # many sign-ins a test minute; limits are tested apart
    settings.setdefault("env", "test")
    config = Settings(data_dir=tmp_path / "var", **settings)
    upgrade(config.resolved_database_url)
    app = create_app(config)
    clock = Clock()
    app.dependency_overrides[get_now] = clock
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Staff(app=app, client=client, clock=clock)


def bearer(response: Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
