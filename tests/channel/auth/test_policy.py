"""Who must use a second factor: admins and editors always in production, more roles by configuration,
and nobody exempt except the demo's own admin in development."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from channel.auth.policy import account_policy
from channel.demo.run import _demo_mfa
from channel.models import Role
from channel.startup import describe_validation_error
from tests.channel.auth.support import staff_app

STRONG = "x7Qm2pL9vR4tK8wZ3nB6cF1hJ5dG0sYaUeIoPq"


def _refused(**settings: object) -> str:
    from channel.settings import Settings

    with pytest.raises(ValidationError) as caught:
        Settings(**settings)  # type: ignore[arg-type]
    return describe_validation_error(caught.value)


def test_production_keeps_mfa_for_admins_and_editors() -> None:
    message = _refused(env="production", secret_key=STRONG, mfa_required_roles=["admin"])
    assert "LEGALTV_MFA_REQUIRED_ROLES" in message
    assert "admin and editor" in message
    assert "LEGALTV_MFA_REQUIRED_ROLES: unknown roles ['root']" in _refused(mfa_required_roles=["root"])


def test_exemptions_exist_only_in_development() -> None:
    for env in ("production", "test"):
        message = _refused(env=env, secret_key=STRONG, mfa_exempt_users=["admin"])
        assert "LEGALTV_MFA_EXEMPT_USERS: only allowed with LEGALTV_ENV=development" in message


def test_the_policy_reads_the_settings(tmp_path: Path) -> None:
    from channel.settings import Settings

    policy = account_policy(
        Settings(data_dir=tmp_path, env="test", mfa_required_roles=["admin", "scheduler"])
    )
    assert policy.mfa_required_roles == {Role.ADMIN, Role.SCHEDULER}
    assert policy.session_idle.total_seconds() == 1800
    assert policy.session_absolute.total_seconds() == 12 * 3600
    assert len({policy.keys.mfa_secret, policy.keys.recovery_code, policy.keys.challenge}) == 3


def test_the_demo_admin_skips_mfa_in_development_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from channel.settings import Settings

    relaxed = _demo_mfa(Settings(data_dir=tmp_path, env="development"), "admin")
    assert relaxed.mfa_exempt_users == ["admin"]
    assert "MFA" in capsys.readouterr().out
    strict = _demo_mfa(Settings(data_dir=tmp_path, env="production", secret_key=STRONG), "admin")
    assert strict.mfa_exempt_users == []
    with staff_app(tmp_path / "dev", env="development", mfa_exempt_users=["admin"]) as staff:
        staff.add_user("admin", Role.ADMIN)
        staff.add_user("quantri", Role.ADMIN)
        assert staff.password_login("admin").json()["scope"] == "full"
        assert (
            staff.password_login("quantri").json()["scope"] == "mfa_enrolment"
        )  # another admin is not exempt
