from __future__ import annotations

from fastapi.testclient import TestClient

from channel.auth.throttle import PER_USERNAME_FACTOR
from channel.state import state_of
from tests.channel.api_fixtures import PASSWORD, ApiUser


def test_login_me_logout(api_client: TestClient, api_users: dict[str, ApiUser]) -> None:
    response = api_client.post("/api/auth/login", json={"username": "producer", "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["user"]["roles"] == ["producer"]
    assert body["scope"] == "full"
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert api_client.get("/api/auth/me", headers=headers).json()["username"] == "producer"
    assert api_client.post("/api/auth/logout", headers=headers).status_code == 204
    revoked = api_client.get("/api/auth/me", headers=headers)
    assert revoked.status_code == 401
    assert revoked.headers["www-authenticate"] == "Bearer"


def test_wrong_password_and_unknown_user_look_alike(
    api_client: TestClient, api_users: dict[str, ApiUser]
) -> None:
    wrong = api_client.post("/api/auth/login", json={"username": "producer", "password": "sai-mật-khẩu-rồi"})
    unknown = api_client.post("/api/auth/login", json={"username": "nobody", "password": "sai-mật-khẩu-rồi"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["code"] == unknown.json()["error"]["code"] == "invalid_credentials"
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]


def test_login_is_rate_limited(api_client: TestClient, api_users: dict[str, ApiUser]) -> None:
    limit = state_of(api_client.app).settings.login_rate_per_minute
    statuses = [
        api_client.post("/api/auth/login", json={"username": "producer", "password": "x" * 12}).status_code
        for _ in range(limit + 2)
    ]
    assert statuses[:limit] == [401] * limit
    assert statuses[limit:] == [429, 429]
    blocked = api_client.post("/api/auth/login", json={"username": "producer", "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1


def test_login_is_rate_limited_per_username_across_clients(
    api_client: TestClient, api_users: dict[str, ApiUser]
) -> None:
    """Guessing one account's password from many addresses is bounded too (3 × the per-client limit)."""
    app = api_client.app
    limit = state_of(app).settings.login_rate_per_minute
    statuses = []
    for i in range(limit * PER_USERNAME_FACTOR + 2):
        with TestClient(app, client=(f"10.0.{i // 250}.{i % 250}", 40000)) as client:  # one guess per address
            body = {"username": "Producer" if i % 2 else "producer", "password": "x" * 12}
            statuses.append(client.post("/api/auth/login", json=body).status_code)
    assert statuses[: limit * PER_USERNAME_FACTOR] == [401] * (limit * PER_USERNAME_FACTOR)
    assert statuses[limit * PER_USERNAME_FACTOR :] == [429, 429]
    with TestClient(app, client=("10.9.9.9", 40000)) as fresh:
        assert (
            fresh.post("/api/auth/login", json={"username": "producer", "password": PASSWORD}).status_code
            == 429
        )
        other = fresh.post("/api/auth/login", json={"username": "scheduler", "password": PASSWORD})
        assert other.status_code == 200  # another account is not affected


def test_garbage_token_is_401_not_500(api_client: TestClient) -> None:
    for header in ("Bearer ", "Bearer \x7f", "Basic abc", "Bearer ltv_" + "A" * 5000):
        response = api_client.get("/api/auth/me", headers={"Authorization": header})
        assert response.status_code == 401
        assert "Traceback" not in response.text


def test_user_management_is_admin_only(api_client: TestClient, api_users: dict[str, ApiUser]) -> None:
    new = {
        "username": "bien.tap",
        "password": "một-mật-khẩu-dài",
        "role": "producer",
        "display_name": "Biên tập",
    }
    assert api_client.post("/api/users", json=new).status_code == 401
    for role in ("producer", "scheduler"):
        assert api_client.post("/api/users", json=new, headers=api_users[role].headers).status_code == 403
        assert api_client.get("/api/users", headers=api_users[role].headers).status_code == 403
    created = api_client.post("/api/users", json=new, headers=api_users["admin"].headers)
    assert created.status_code == 201, created.text
    assert created.json()["display_name"] == "Biên tập"
    again = api_client.post("/api/users", json=new, headers=api_users["admin"].headers)
    assert again.status_code == 409


def test_deactivating_a_user_revokes_their_tokens(
    api_client: TestClient, api_users: dict[str, ApiUser]
) -> None:
    producer = api_users["producer"]
    assert api_client.get("/api/auth/me", headers=producer.headers).status_code == 200
    patched = api_client.patch(
        f"/api/users/{producer.user.id}", json={"active": False}, headers=api_users["admin"].headers
    )
    assert patched.status_code == 200
    assert api_client.get("/api/auth/me", headers=producer.headers).status_code == 401
    audit = state_of(api_client.app).sessionmaker
    from sqlalchemy import select

    from channel.models import AuditEvent

    with audit() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.update"))
        assert event is not None
        assert event.changes == {"active": {"from": True, "to": False}, "sessions_revoked": 1}
        assert event.actor_id == api_users["admin"].user.id
