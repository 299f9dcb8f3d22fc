"""Issue 11, staff accounts: TOTP enrolment and sign-in with codes computed by the test's own RFC 6238,
recovery codes used once, codes never replayed, verification rate limited per account, and an admin's
reset of another user's second factor, audited."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from channel.models import AuditEvent, MfaCredential, Role
from channel.security.keys import derive_key
from channel.security.secretbox import SealBroken, open_sealed
from channel.state import state_of
from tests.channel.auth.support import Staff, bearer, staff_app
from tests.totp import secret_from_uri


@pytest.fixture
def staff(tmp_path: Path) -> Iterator[Staff]:
    with staff_app(tmp_path) as running:
        running.add_user("quantri", Role.ADMIN)
        running.add_user("duyet", Role.EDITOR)
        running.add_user("sanxuat", Role.PRODUCER)
        yield running


def test_an_admin_enrols_with_a_real_authenticator_then_signs_in_with_a_code(staff: Staff) -> None:
    first = staff.password_login("quantri")
    assert first.status_code == 200, first.text
    assert first.json()["scope"] == "mfa_enrolment"  # admin must have MFA: this session only enrols
    headers = bearer(first)
    refused = staff.client.get("/api/users", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "mfa_enrolment_required"
    assert "xác thực hai lớp" in refused.json()["error"]["message"]
    me = staff.client.get("/api/auth/me", headers=headers).json()
    assert (me["mfa_enrolled"], me["mfa_required"], me["session_scope"]) == (False, True, "mfa_enrolment")

    started = staff.client.post("/api/auth/mfa/enrolment", headers=headers).json()
    assert started["otpauth_uri"].startswith("otpauth://totp/legaltv:quantri?")
    assert "issuer=legaltv" in started["otpauth_uri"]
    assert secret_from_uri(started["otpauth_uri"]) == started["secret"]
    assert started["qr_svg"].startswith("<svg")
    assert "<script" not in started["qr_svg"]

    wrong = staff.client.post("/api/auth/mfa/enrolment/confirm", headers=headers, json={"code": "000000"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["code"] == "invalid_mfa_code"
    assert staff.client.get("/api/users", headers=headers).status_code == 403  # still limited
    code = staff.code(started["secret"])
    confirmed = staff.client.post("/api/auth/mfa/enrolment/confirm", headers=headers, json={"code": code})
    assert confirmed.status_code == 200, confirmed.text
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    assert staff.client.get("/api/users", headers=headers).status_code == 200  # the same session, now full

    assert staff.client.post("/api/auth/logout", headers=headers).status_code == 204
    step_one = staff.password_login("quantri")
    assert step_one.json()["step"] == "mfa_required"
    challenge = step_one.json()["challenge"]
    assert "access_token" not in step_one.json()
    as_bearer = staff.client.get("/api/auth/me", headers={"Authorization": f"Bearer {challenge}"})
    assert as_bearer.status_code == 401  # the challenge is no session
    staff.clock.advance(seconds=30)
    signed = staff.second_step(challenge, staff.code(started["secret"]))
    assert signed.status_code == 200, signed.text
    assert signed.json()["scope"] == "full"
    sessions = staff.client.get("/api/auth/sessions", headers=bearer(signed)).json()
    assert [s["factors"] for s in sessions if s["current"]] == ["password+totp"]


def test_the_secret_is_stored_encrypted_under_a_key_derived_from_the_secret_key(staff: Staff) -> None:
    _, secret, _ = staff.enrolled("quantri")
    settings = state_of(staff.app).settings
    with state_of(staff.app).sessionmaker() as session:
        stored = session.scalars(select(MfaCredential)).one()
    assert secret not in stored.secret
    assert stored.secret.startswith("v1.")
    key = derive_key(settings.secret_key, "mfa-secret")
    assert open_sealed(stored.secret, key=key, owner=str(stored.user_id)) == secret
    with pytest.raises(SealBroken):
        open_sealed(stored.secret, key=key, owner=str(uuid.uuid4()))  # bound to its owner
    with pytest.raises(SealBroken):
        open_sealed(
            stored.secret, key=derive_key(settings.secret_key + "x", "mfa-secret"), owner=str(stored.user_id)
        )


def test_a_code_is_never_accepted_twice(staff: Staff) -> None:
    _, secret, _ = staff.enrolled("duyet")
    staff.clock.advance(seconds=30)
    code = staff.code(secret)
    first = staff.password_login("duyet").json()["challenge"]
    assert staff.second_step(first, code).status_code == 200
    second = staff.password_login("duyet").json()["challenge"]
    replayed = staff.second_step(second, code)
    assert replayed.status_code == 401
    assert replayed.json()["error"]["code"] == "mfa_code_used"
    staff.clock.advance(seconds=10)  # still the same 30 s window, and within the ±1 step tolerance
    assert staff.second_step(second, code).status_code == 401
    older = staff.second_step(second, staff.code(secret, steps_ahead=-1))
    assert older.status_code == 401  # a step before the one used is no good either
    staff.clock.advance(seconds=30)
    assert staff.second_step(second, staff.code(secret)).status_code == 200


def test_recovery_codes_work_once_each(staff: Staff) -> None:
    _, _, codes = staff.enrolled("duyet")
    challenge = staff.password_login("duyet").json()["challenge"]
    typed = codes[3].upper().replace("-", " ")  # case, spaces and dashes do not matter
    signed = staff.second_step(challenge, typed)
    assert signed.status_code == 200, signed.text
    me = staff.client.get("/api/auth/me", headers=bearer(signed)).json()
    assert me["recovery_codes_left"] == 9
    again = staff.second_step(staff.password_login("duyet").json()["challenge"], codes[3])
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "invalid_mfa_code"
    other = staff.second_step(staff.password_login("duyet").json()["challenge"], codes[4])
    assert other.status_code == 200
    with state_of(staff.app).sessionmaker() as session:
        used = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.mfa_recovery_code_used")
        ).all()
    assert len(used) == 2


def test_codes_are_limited_per_account_whatever_the_client(staff: Staff) -> None:
    limit = state_of(staff.app).settings.mfa_attempts_per_minute
    _, secret, _ = staff.enrolled("duyet")
    staff.clock.advance(seconds=61)  # the enrolment's own code is out of the minute
    statuses = []
    for n in range(limit + 1):
        client = {
            "X-Forwarded-For": f"203.0.113.{n}"
        }  # ignored (no trusted proxy), and limits are per account
        challenge = staff.password_login("duyet", headers=client).json()["challenge"]
        statuses.append(staff.second_step(challenge, "123456" if n else "654321").status_code)
    assert statuses == [401] * limit + [429]
    challenge = staff.password_login("duyet").json()["challenge"]
    blocked = staff.second_step(challenge, staff.code(secret))
    assert blocked.status_code == 429  # even the right code waits
    assert int(blocked.headers["retry-after"]) >= 1
    assert "/ Too many verification codes tried" in blocked.json()["error"]["message"]
    staff.clock.advance(seconds=61)
    assert staff.second_step(challenge, staff.code(secret)).status_code == 200


def test_the_hourly_limit_counts_what_the_minute_forgets(tmp_path: Path) -> None:
    """Five codes a minute at most, and four times that an hour: 20 tries, not 300, per account and hour."""
    from channel.auth.throttle import CODE_HOUR_FACTOR, login_limits
    from channel.settings import Settings

    limits = login_limits(Settings(data_dir=tmp_path, env="test", mfa_attempts_per_minute=5))
    per_hour = 5 * CODE_HOUR_FACTOR
    start = 1_800_000_000.0
    allowed = [limits.check_code(account="a", now=start + 61 * n) is None for n in range(per_hour + 1)]
    assert allowed == [True] * per_hour + [False]
    assert (
        limits.check_code(account="b", now=start + 61 * per_hour) is None
    )  # another account is not affected
    assert limits.check_code(account="a", now=start + 3600 + 1) is None  # an hour after the first try


def test_a_challenge_is_short_lived_and_dies_with_a_password_change(staff: Staff) -> None:
    _, secret, _ = staff.enrolled("duyet")
    staff.clock.advance(seconds=30)
    challenge = staff.password_login("duyet").json()["challenge"]
    staff.clock.advance(seconds=301)
    expired = staff.second_step(challenge, staff.code(secret))
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "mfa_challenge_invalid"
    forged = staff.second_step(
        challenge[:-2] + ("AA" if not challenge.endswith("AA") else "BB"), staff.code(secret)
    )
    assert forged.status_code == 401
    challenge = staff.password_login("duyet").json()["challenge"]
    admin, _, _ = staff.enrolled("quantri")
    users = {u["username"]: u["id"] for u in staff.client.get("/api/users", headers=admin).json()}
    changed = staff.client.patch(
        f"/api/users/{users['duyet']}", json={"password": "một-mật-khẩu-mới-rất-dài"}, headers=admin
    )
    assert changed.status_code == 200
    staff.clock.advance(seconds=30)
    assert staff.second_step(challenge, staff.code(secret)).status_code == 401


def test_other_roles_may_enrol_and_then_need_the_code(staff: Staff) -> None:
    first = staff.password_login("sanxuat")
    assert first.json()["scope"] == "full"  # producers: MFA optional by default
    headers = bearer(first)
    assert staff.client.get("/api/auth/me", headers=headers).json()["mfa_required"] is False
    secret, _ = staff.enrol(headers)
    assert staff.password_login("sanxuat").json()["step"] == "mfa_required"
    staff.clock.advance(seconds=30)
    assert staff.code_login("sanxuat", secret).status_code == 200


def test_more_roles_can_be_required_by_configuration(tmp_path: Path) -> None:
    with staff_app(tmp_path, mfa_required_roles=["admin", "editor", "producer"]) as staff:
        staff.add_user("sanxuat", Role.PRODUCER)
        staff.add_user("lichphat", Role.SCHEDULER)
        assert staff.password_login("sanxuat").json()["scope"] == "mfa_enrolment"
        assert staff.password_login("lichphat").json()["scope"] == "full"
        staff.add_user("hai-vai", Role.SCHEDULER, Role.EDITOR)  # any role that requires it is enough
        assert staff.password_login("hai-vai").json()["scope"] == "mfa_enrolment"


def test_an_admin_resets_another_users_second_factor_audited(staff: Staff) -> None:
    admin, _, _ = staff.enrolled("quantri")
    editor, editor_secret, _ = staff.enrolled("duyet")
    producer = staff.signed_in("sanxuat")
    users = {u["username"]: u for u in staff.client.get("/api/users", headers=admin).json()}
    assert users["duyet"]["mfa_enrolled"] is True
    target = users["duyet"]["id"]
    assert staff.client.post(f"/api/users/{target}/mfa/reset", headers=producer).status_code == 403
    own = staff.client.post(f"/api/users/{users['quantri']['id']}/mfa/reset", headers=admin)
    assert own.status_code == 403
    assert own.json()["error"]["code"] == "mfa_reset_own"
    reset = staff.client.post(f"/api/users/{target}/mfa/reset", headers=admin)
    assert reset.status_code == 200, reset.text
    assert reset.json()["mfa_enrolled"] is False
    assert staff.client.get("/api/auth/me", headers=editor).status_code == 401  # every session ended
    again = staff.password_login("duyet")
    assert again.json()["step"] == "signed_in"
    assert again.json()["scope"] == "mfa_enrolment"
    with state_of(staff.app).sessionmaker() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.mfa_reset")).one()
    assert event.actor_id == uuid.UUID(users["quantri"]["id"])
    assert event.entity_id == target
    assert event.changes == {"mfa": {"from": True, "to": False}, "sessions_revoked": 1}
    assert editor_secret  # the old secret is gone with the credential
    with state_of(staff.app).sessionmaker() as session:
        assert session.get(MfaCredential, uuid.UUID(target)) is None


@pytest.mark.redis
def test_two_replicas_share_the_code_limit_through_redis(tmp_path: Path, redis_db: str) -> None:
    """Codes tried on one replica count on the other: alternating replicas gains an attacker nothing."""
    with (
        staff_app(tmp_path, rate_limit_redis_url=redis_db) as one,
        staff_app(tmp_path, rate_limit_redis_url=redis_db) as two,
    ):
        one.add_user("duyet", Role.EDITOR)
        _, secret, _ = one.enrolled("duyet")
        for replica in (one, two):
            replica.clock.advance(seconds=61)
        limit = state_of(one.app).settings.mfa_attempts_per_minute
        statuses = []
        for n in range(limit + 1):
            replica = (one, two)[n % 2]
            challenge = replica.password_login("duyet").json()["challenge"]
            statuses.append(replica.second_step(challenge, "000001").status_code)
        assert statuses == [401] * limit + [429]
        challenge = one.password_login("duyet").json()["challenge"]
        assert two.second_step(challenge, two.code(secret)).status_code == 429
