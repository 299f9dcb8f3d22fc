"""Login limits (issue 9 §4): keyed on the name login uses, shared by replicas through Redis, and
blind to X-Forwarded-For unless it comes from a configured proxy."""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from channel.app import create_app
from channel.auth.service import create_user
from channel.auth.throttle import PER_USERNAME_FACTOR
from channel.migrate import upgrade
from channel.models import Role
from channel.settings import Settings
from channel.state import state_of
from tests.channel.api_fixtures import PASSWORD
from tests.web.service import running_service

LIMIT = 4
VARIANTS = ("prodb", "prodb ", " PRODB", "\u00a0Prodb  ")  # login strips and lower-cases


def _app(tmp_path: Path, **settings: object) -> TestClient:
    config = Settings(data_dir=tmp_path / "var", env="test", login_rate_per_minute=LIMIT, **settings)  # type: ignore[arg-type]
    upgrade(config.resolved_database_url)
    return TestClient(create_app(config))


@pytest.mark.slow
@pytest.mark.redis
def test_two_replicas_share_the_limit_on_the_normalised_name(tmp_path: Path, redis_db: str) -> None:
    """Alternating replicas and spellings of one name, a client gets LIMIT guesses in all, not per replica;
    then even the right password is refused, and a forged X-Forwarded-For changes nothing."""
    shared = {
        "database_url": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "rate_limit_redis_url": redis_db,
        "login_rate_per_minute": str(LIMIT),
        "embedded_worker": "false",
    }
    with running_service(tmp_path / "a", log_name="a.log", **shared) as first:
        first.create_user("prodb", PASSWORD, "producer")
        with running_service(tmp_path / "b", log_name="b.log", **shared) as second:
            replicas = (first.base_url, second.base_url)
            statuses = []
            for attempt in range(LIMIT + 2):
                body = {"username": VARIANTS[attempt % len(VARIANTS)], "password": "sai-mật-khẩu-rồi"}
                statuses.append(httpx.post(f"{replicas[attempt % 2]}/api/auth/login", json=body).status_code)
            assert statuses == [401] * LIMIT + [429, 429]
            for base in replicas:
                right = httpx.post(
                    f"{base}/api/auth/login", json={"username": "prodb ", "password": PASSWORD}
                )
                assert right.status_code == 429
                assert int(right.headers["retry-after"]) >= 1
                assert " / Too many login attempts" in right.json()["error"]["message"]
                forged = httpx.post(
                    f"{base}/api/auth/login",
                    json={"username": "prodb", "password": PASSWORD},
                    headers={"X-Forwarded-For": f"203.0.113.{random.randint(1, 250)}"},
                )
                assert forged.status_code == 429  # loopback is no trusted proxy unless configured


@pytest.mark.redis
def test_one_account_is_limited_across_clients_and_spellings(tmp_path: Path, redis_db: str) -> None:
    with _app(tmp_path, rate_limit_redis_url=redis_db) as app_client:
        app = app_client.app
        with state_of(app).sessionmaker() as session:
            create_user(session, username="prodb", password=PASSWORD, role=Role.PRODUCER)
            session.commit()
    per_user = LIMIT * PER_USERNAME_FACTOR
    statuses = []
    for i in range(per_user + 1):
        with TestClient(app, client=(f"198.51.100.{i + 1}", 40000)) as client:  # a new address each time
            body = {"username": VARIANTS[i % len(VARIANTS)], "password": "sai-mật-khẩu-rồi"}
            statuses.append(client.post("/api/auth/login", json=body).status_code)
    assert statuses == [401] * per_user + [429]
    with TestClient(app, client=("198.51.100.200", 40000)) as fresh:
        assert (
            fresh.post("/api/auth/login", json={"username": "prodb", "password": PASSWORD}).status_code == 429
        )


def test_forwarded_for_counts_only_from_a_trusted_proxy(tmp_path: Path) -> None:
    proxy = ("10.0.0.2", 40000)
    with _app(tmp_path, trusted_proxies=["10.0.0.0/24"]) as app_client:
        app = app_client.app
    wrong = {"username": "ai-do", "password": "sai-mật-khẩu-rồi"}
    with TestClient(app, client=proxy) as via_proxy:
        for n in range(LIMIT + 1):  # each forwarded client is a different one
            forwarded = {"X-Forwarded-For": f"203.0.113.{n + 1}, 10.0.0.2"}
            assert via_proxy.post("/api/auth/login", json=wrong, headers=forwarded).status_code == 401
    with TestClient(app, client=("192.0.2.7", 40000)) as stranger:
        statuses = [
            stranger.post(
                "/api/auth/login", json=wrong, headers={"X-Forwarded-For": f"203.0.113.{n + 100}"}
            ).status_code
            for n in range(LIMIT + 1)
        ]
    assert statuses == [401] * LIMIT + [429]  # a stranger's X-Forwarded-For is ignored: one client


def test_untrusted_proxy_settings_are_refused() -> None:
    for bad in (["*"], ["proxy.local"], ["10.0.0.0/33"]):
        with pytest.raises(ValueError, match="not an IP"):
            Settings(trusted_proxies=bad)


def test_redis_outage_falls_back_to_per_process_limits(tmp_path: Path) -> None:
    unreachable = f"redis://127.0.0.1:1/{uuid.uuid4().int % 16}"  # nothing listens on port 1
    with _app(tmp_path, rate_limit_redis_url=unreachable) as client:
        body = {"username": "ai-do", "password": "sai-mật-khẩu-rồi"}
        statuses = [client.post("/api/auth/login", json=body).status_code for _ in range(LIMIT + 1)]
    assert statuses == [401] * LIMIT + [429]
