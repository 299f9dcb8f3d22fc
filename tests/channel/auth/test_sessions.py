"""Issue 11, sessions: idle timeout and absolute lifetime (on an injected clock), one's own sessions listed
and revoked, every session ended by a password, role or activity change, and "last used" written at most
once per interval whichever replica serves the request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from channel.models import ApiToken, AuditEvent, Role
from channel.state import state_of
from tests.channel.auth.support import PASSWORD, Staff, bearer, staff_app


@pytest.fixture
def staff(tmp_path: Path) -> Iterator[Staff]:
    with staff_app(tmp_path, mfa_required_roles=[]) as running:
        running.add_user("quantri", Role.ADMIN)
        running.add_user("sanxuat", Role.PRODUCER)
        yield running


def _me(staff: Staff, headers: dict[str, str]) -> int:
    return staff.client.get("/api/auth/me", headers=headers).status_code


def test_a_session_ends_after_30_idle_minutes(staff: Staff) -> None:
    headers = staff.signed_in("sanxuat")
    staff.clock.advance(minutes=20)
    assert _me(staff, headers) == 200  # used: the idle clock starts again
    staff.clock.advance(minutes=29, seconds=59)
    assert _me(staff, headers) == 200
    staff.clock.advance(minutes=30)
    assert _me(staff, headers) == 401
    staff.clock.advance(seconds=-1)  # dead is dead: no coming back by a clock step either
    assert _me(staff, headers) == 401


def test_a_session_ends_after_12_hours_however_busy(staff: Staff) -> None:
    headers = staff.signed_in("sanxuat")
    for _ in range(12 * 3 - 1):  # used every 20 minutes, never idle
        staff.clock.advance(minutes=20)
        assert _me(staff, headers) == 200
    staff.clock.advance(minutes=19, seconds=59)
    assert _me(staff, headers) == 200
    staff.clock.advance(seconds=1)  # 12 h after sign-in
    assert _me(staff, headers) == 401


def test_lifetimes_are_configurable(tmp_path: Path) -> None:
    with staff_app(
        tmp_path, session_idle_seconds=300, token_ttl_seconds=3600, session_touch_seconds=30
    ) as staff:
        staff.add_user("sanxuat", Role.PRODUCER)
        headers = staff.signed_in("sanxuat")
        staff.clock.advance(seconds=299)
        assert _me(staff, headers) == 200
        staff.clock.advance(seconds=301)
        assert _me(staff, headers) == 401


def test_last_used_is_written_at_most_once_a_minute_and_seen_by_every_replica(tmp_path: Path) -> None:
    with staff_app(tmp_path, mfa_required_roles=[]) as one, staff_app(tmp_path, mfa_required_roles=[]) as two:
        one.add_user("sanxuat", Role.PRODUCER)
        headers = one.signed_in("sanxuat")

        def last_used() -> object:
            with state_of(one.app).sessionmaker() as session:
                return session.scalars(select(ApiToken.last_used_at)).one()

        signed_at = last_used()
        for replica in (one, two):
            replica.clock.advance(seconds=30)
        assert _me(two, headers) == 200
        assert last_used() == signed_at  # within the interval: no write
        for replica in (one, two):
            replica.clock.advance(seconds=31)
        assert _me(two, headers) == 200
        assert last_used() == two.clock.now  # written by the replica that served it
        for replica in (one, two):
            replica.clock.advance(minutes=29)
        assert _me(one, headers) == 200  # the other replica counts from that use, not from sign-in
        for replica in (one, two):
            replica.clock.advance(minutes=31)
        assert _me(two, headers) == 401


def test_ones_own_sessions_are_listed_and_revoked(staff: Staff) -> None:
    agent = "Mozilla/5.0 " + "x" * 400
    first = bearer(staff.password_login("sanxuat", headers={"User-Agent": agent}))
    staff.clock.advance(minutes=1)
    second = staff.signed_in("sanxuat")
    admin = staff.signed_in("quantri")
    listed = staff.client.get("/api/auth/sessions", headers=second).json()
    assert len(listed) == 2  # the admin's session is not mine
    current = [s for s in listed if s["current"]]
    other = next(s for s in listed if not s["current"])
    assert len(current) == 1
    assert other["user_agent"] == agent[:200]
    assert other["client_address"] == "testclient"
    assert other["factors"] == "password"
    assert other["idle_expires_at"] <= other["expires_at"]
    admin_session = staff.client.get("/api/auth/sessions", headers=admin).json()[0]["id"]
    not_mine = staff.client.delete(f"/api/auth/sessions/{admin_session}", headers=second)
    assert not_mine.status_code == 404
    assert staff.client.delete(f"/api/auth/sessions/{other['id']}", headers=second).status_code == 204
    assert _me(staff, first) == 401
    assert _me(staff, second) == 200
    assert _me(staff, admin) == 200
    assert [s["id"] for s in staff.client.get("/api/auth/sessions", headers=second).json()] == [
        current[0]["id"]
    ]
    with state_of(staff.app).sessionmaker() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.session_revoke")).one()
    assert event.changes == {"session_id": other["id"]}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"password": "một-mật-khẩu-mới-rất-dài"}, "password_change"),
        ({"roles": ["producer", "editor"]}, "role_change"),
        ({"role": "scheduler"}, "role_change"),
        ({"active": False}, "deactivated"),
    ],
)
def test_password_role_and_activity_changes_end_every_session(
    staff: Staff, change: dict[str, object], reason: str
) -> None:
    sessions = [staff.signed_in("sanxuat") for _ in range(3)]
    admin = staff.signed_in("quantri")
    users = {u["username"]: u["id"] for u in staff.client.get("/api/users", headers=admin).json()}
    patched = staff.client.patch(f"/api/users/{users['sanxuat']}", json=change, headers=admin)
    assert patched.status_code == 200, patched.text
    assert [_me(staff, headers) for headers in sessions] == [401, 401, 401]
    assert _me(staff, admin) == 200
    with state_of(staff.app).sessionmaker() as session:
        reasons = set(
            session.scalars(select(ApiToken.revoked_reason).where(ApiToken.revoked_at.is_not(None)))
        )
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert reasons == {reason}
    assert event.changes["sessions_revoked"] == 3


def test_a_name_change_or_the_same_roles_leave_sessions_alone(staff: Staff) -> None:
    headers = staff.signed_in("sanxuat")
    admin = staff.signed_in("quantri")
    users = {u["username"]: u["id"] for u in staff.client.get("/api/users", headers=admin).json()}
    for change in ({"display_name": "Nguyễn Văn Sản"}, {"roles": ["producer"]}):
        assert (
            staff.client.patch(f"/api/users/{users['sanxuat']}", json=change, headers=admin).status_code
            == 200
        )
    assert _me(staff, headers) == 200


def test_a_user_may_hold_several_roles_and_may_do_what_each_allows(staff: Staff) -> None:
    admin = staff.signed_in("quantri")
    made = staff.client.post(
        "/api/users",
        json={"username": "hai-vai", "password": PASSWORD, "roles": ["producer", "scheduler"]},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    assert made.json()["roles"] == ["producer", "scheduler"]
    headers = staff.signed_in("hai-vai")
    assert staff.client.get("/api/auth/me", headers=headers).json()["roles"] == ["producer", "scheduler"]
    assert (
        staff.client.post("/api/programmes", json={"title": "Luật Đất đai"}, headers=headers).status_code
        == 201
    )
    channel = staff.client.post(
        "/api/channels", json={"slug": "kenh-hai", "name": "Kênh hai"}, headers=headers
    )
    assert channel.status_code in (
        201,
        403,
    )  # channels are the admin's or the scheduler's, whichever rule holds
    assert staff.client.get("/api/users", headers=headers).status_code == 403
    none = staff.client.post(
        "/api/users",
        json={"username": "khong-vai", "password": "mật-khẩu-không-vai", "roles": []},
        headers=admin,
    )
    assert none.status_code == 422
