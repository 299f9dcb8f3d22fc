"""Smaller defects of issue 9 §6 and the body limits' exceptions, attacked through the API."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel.models import Role
from channel.security.secretkey import secret_key_problem
from channel.settings import Settings
from channel.state import state_of
from tests.channel.api_fixtures import ApiUser
from tests.channel.playout.helpers import seed_channel
from tests.legaltv_cli import run_cli

MiB = 1024 * 1024


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("1234567890", "password_too_short"),  # what length alone used to admit
        ("123456789012", "weak_password"),
        ("qwerty123456", "common_password"),  # whole, on the breached list
        ("1qaz2wsx3edc", "common_password"),
        ("passwordpassword", "weak_password"),
        ("matkhau12345", "weak_password"),  # Vietnamese "password"
        ("bien.tap-2026-xyz", "password_contains_username"),
        ("BIEN.TAP#quy-dinh", "password_contains_username"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(
    api_client: TestClient, api_users: dict[str, ApiUser], password: str, code: str
) -> None:
    new = {"username": "bien.tap", "password": password, "role": "producer"}
    response = api_client.post("/api/users", json=new, headers=api_users["admin"].headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code
    vietnamese, english = error["message"].split(" / ")
    assert "Mật khẩu" in vietnamese
    assert "password" in english.lower()
    assert password not in error["message"]


def test_a_strong_password_passes_and_a_weak_one_never_replaces_it(
    api_client: TestClient, api_users: dict[str, ApiUser]
) -> None:
    admin = api_users["admin"].headers
    new = {"username": "bien.tap", "password": "sông-Hồng-chảy-qua-Hà-Nội", "role": "producer"}
    created = api_client.post("/api/users", json=new, headers=admin)
    assert created.status_code == 201, created.text
    refused = api_client.patch(
        f"/api/users/{created.json()['id']}", json={"password": "iloveyou1234"}, headers=admin
    )
    assert refused.status_code == 422
    login = api_client.post("/api/auth/login", json={"username": "bien.tap", "password": new["password"]})
    assert login.status_code == 200


def test_the_cli_refuses_a_weak_first_admin(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "LEGALTV_ENV": "test", "LEGALTV_DATA_DIR": str(tmp_path)}
    weak = "123456789012\n"
    done = run_cli("users", "create", "quantri", "--role", "admin", "--password-stdin", env=env, stdin=weak)
    assert done.returncode == 1
    assert "Mật khẩu quá dễ đoán" in done.stderr
    assert "too easy to guess" in done.stderr


def test_random_secret_keys_pass_and_guessable_ones_do_not() -> None:
    for good in (secrets.token_urlsafe(48), secrets.token_hex(16), secrets.token_hex(32)):
        assert secret_key_problem(good) is None
    for bad in (
        "",
        "x",
        "changeme",
        "a" * 64,
        "changeme" * 6,
        "0123456789" * 4,
        "my-super-secret-key-for-prod-2026!",
    ):
        assert secret_key_problem(bad) is not None, bad
    with pytest.raises(ValueError, match="token_urlsafe"):
        Settings(env="production", secret_key="changeme")
    with pytest.raises(ValueError, match="LEGALTV_METRICS_TOKEN"):
        Settings(env="production", secret_key=secrets.token_urlsafe(48), metrics_token="short")


def test_out_of_range_dates_and_instants_are_422_everywhere(
    api_app: FastAPI, api_client: TestClient, api_users: dict[str, ApiUser]
) -> None:
    slug = seed_channel(state_of(api_app).sessionmaker, state_of(api_app).settings).slug
    recent = int(time.time()) - 600
    headers = api_users["admin"].headers
    urls = [
        f"/api/channels/{slug}/epg?date=9999-12-31",
        f"/api/channels/{slug}/epg?date=0001-01-01",
        "/api/programmes?created_to=9999-12-31",
        "/api/programmes?created_from=0001-01-01",
        f"/live/{slug}/720p.m3u8?start=99999999999999",
        f"/live/{slug}/720p.m3u8?start=1e300",
        f"/live/{slug}/master.m3u8?start=9999-12-31T23:59:59-14:00",
        f"/vod/{slug}/720p.m3u8?from=0001-01-01T00:00:00%2B14:00",
        f"/vod/{slug}/720p.m3u8?from={recent}&to=9999-12-31T23:59:59-14:00",
        f"/api/channels/{slug}/entries?from=9999-12-31",
        f"/api/channels/{slug}/entries?to=2199-12-31T23:59:59-23:59",
        f"/api/channels/{slug}/conflicts?to=9999-12-31",
        f"/api/channels/{slug}/as-run?from=0001-01-01T00:00",
        "/api/audit?from=9999-12-31T23:59:59-14:00",
    ]
    for url in urls:
        response = api_client.get(url, headers=headers)
        assert response.status_code == 422, (url, response.status_code, response.text[:200])
        assert " / " in response.text
    copy = {"source": "9999-12-31", "target": "2026-12-01"}
    assert api_client.post(f"/api/channels/{slug}/copy", json=copy, headers=headers).status_code == 422


def test_head_on_media_answers_like_get_without_a_body(api_app: FastAPI, api_client: TestClient) -> None:
    state_of(api_app).store.put_bytes("programmes/p1/r1/720p/seg_00000.ts", bytes(range(256)) * 10)
    get = api_client.get("/media/programmes/p1/r1/720p/seg_00000.ts")
    head = api_client.head("/media/programmes/p1/r1/720p/seg_00000.ts")
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    for name in (
        "content-length",
        "content-type",
        "cache-control",
        "accept-ranges",
        "x-content-type-options",
    ):
        assert head.headers[name] == get.headers[name], name
    missing = api_client.head("/media/programmes/p1/r1/720p/none.ts")
    assert missing.status_code == 404
    assert api_client.head("/media/sources/p1/r1").status_code == 404


def test_metrics_answer_only_allowed_networks_and_trusted_forwarding(tmp_path: Path) -> None:
    from channel.app import create_app
    from channel.migrate import upgrade

    settings = Settings(
        data_dir=tmp_path / "var", env="test", metrics_allow=["192.0.2.0/24"], trusted_proxies=["10.0.0.1"]
    )
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    cases = [
        (("192.0.2.9", 1), {}, 200),  # the monitoring network
        (("127.0.0.1", 1), {}, 404),  # not in the list
        (("198.51.100.4", 1), {"X-Forwarded-For": "192.0.2.9"}, 404),  # a stranger claiming to be allowed
        (("10.0.0.1", 1), {"X-Forwarded-For": "192.0.2.9"}, 200),  # the trusted proxy forwarding for it
        (("10.0.0.1", 1), {"X-Forwarded-For": "198.51.100.4"}, 404),
        (("192.0.2.9", 1), {"Authorization": "Bearer guess"}, 403),  # no token is configured: none is right
    ]
    for client, headers, status in cases:
        with TestClient(app, client=client) as http:
            assert http.get("/metrics", headers=headers).status_code == status, (client, headers)


def test_upload_routes_keep_their_own_limits(
    api_client: TestClient, api_users: dict[str, ApiUser], make_api_user: Callable[[Role, str], ApiUser]
) -> None:
    producer = api_users["producer"].headers
    programme = api_client.post("/api/programmes", json={"title": "Phụ đề lớn"}, headers=producer).json()
    cue = "00:00:01.000 --> 00:00:02.000\nXin chào các bạn, đây là phụ đề thử nghiệm khá dài.\n\n"
    big_vtt = "WEBVTT\n\n" + cue * int(
        1.5 * MiB / len(cue)
    )  # past the 1 MiB default, within the 2 MB of subtitles
    added = api_client.post(
        f"/api/programmes/{programme['id']}/subtitles",
        content=big_vtt.encode(),
        headers={**producer, "Content-Type": "text/vtt"},
    )
    assert added.status_code != 413, added.text
    too_big = api_client.post(
        f"/api/programmes/{programme['id']}/subtitles",
        content=b"WEBVTT\n\n" + b" " * (3 * MiB),
        headers={"Content-Type": "text/vtt"},  # anonymous: refused for its size before authentication
    )
    assert too_big.status_code == 413
    assert too_big.json()["error"]["details"] == [{"max_bytes": 2 * MiB}]
    source = api_client.post(
        f"/api/programmes/{programme['id']}/source",
        content=b"\0" * (2 * MiB),
        headers={**producer, "Content-Type": "application/octet-stream"},
    )
    assert source.status_code != 413  # the source upload's own limit is LEGALTV_MAX_UPLOAD_BYTES
    json_body = api_client.post(
        "/api/programmes", content=b'{"title": "' + b"x" * (2 * MiB) + b'"}', headers=producer
    )
    assert json_body.status_code == 413


def test_a_lost_database_is_503_not_500(api_app: FastAPI, api_client: TestClient) -> None:
    database = Path(state_of(api_app).settings.resolved_database_url.removeprefix("sqlite:///"))
    # the file first, the pool after: the app's start-up upload sweep (a thread) may connect at any
    # moment, and a connection made before the folder is in place holds the unlinked file (or makes a
    # new empty one) and would answer from the pool; disposing last drops every such connection
    for _ in range(20):
        for leftover in database.parent.glob(database.name + "*"):
            leftover.unlink(missing_ok=True)
        try:
            database.mkdir()  # a folder where the file was: every new connection fails
            break
        except FileExistsError:  # the sweep connected in between and made an empty file
            continue
    else:
        pytest.fail(f"{database} kept coming back")
    state_of(api_app).engine.dispose()
    response = api_client.get("/api/topics")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "database_unavailable"
    assert " / The database is temporarily unavailable" in error["message"]
    assert str(database) not in response.text
    assert response.headers["retry-after"] == "5"
