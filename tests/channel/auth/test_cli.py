"""`legaltv users` through the real command: several roles (editor among them), listing, and the
audited MFA reset that is the last admin's way back in."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import select

from channel.auth.mfa import start_enrolment
from channel.auth.policy import account_policy
from channel.db import make_engine, make_sessionmaker
from channel.models import AuditEvent, MfaCredential, User, utcnow
from channel.settings import Settings
from tests.channel.api_fixtures import PASSWORD
from tests.legaltv_cli import cli_env, run_cli


def _run(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_cli("users", *args, env=cli_env(data_dir), stdin=stdin)


def test_users_with_several_roles_are_created_listed_and_reset(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    made = _run(
        data_dir,
        "create",
        "duyet",
        "--role",
        "producer",
        "--role",
        "editor",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    assert "created editor,producer 'duyet'" in made.stdout
    unknown = _run(data_dir, "create", "ai-do", "--role", "root", "--password-stdin", stdin=PASSWORD + "\n")
    assert unknown.returncode == 2
    assert "invalid choice: 'root'" in unknown.stderr

    settings = Settings(data_dir=data_dir, env="test")
    engine = make_engine(settings.resolved_database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:  # a confirmed second factor, as after enrolment
        user = session.scalars(select(User)).one()
        start_enrolment(session, user=user, policy=account_policy(settings), now=utcnow())
        session.get_one(MfaCredential, user.id).confirmed_at = utcnow()
        session.commit()
    assert "duyet\teditor,producer\tactive\tmfa" in _run(data_dir, "list").stdout

    reset = _run(data_dir, "reset-mfa", "DUYET")
    assert reset.returncode == 0, reset.stderr
    assert "duyet\teditor,producer\tactive\tno-mfa" in _run(data_dir, "list").stdout
    with sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.mfa_reset")).one()
    engine.dispose()
    assert event.actor_id is None
    assert event.request_id == "cli:users reset-mfa"
    missing = _run(data_dir, "reset-mfa", "khong-co")
    assert missing.returncode == 1
    assert "Không tìm thấy người dùng / User not found" in missing.stderr
