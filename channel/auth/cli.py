"""`legaltv users create|list|reset-mfa`: the first admin is made here, before anyone can sign in.

`reset-mfa` is the way back in for an admin who lost their phone when no other admin can reset it in
the console; like the console's reset, it is audited and ends every session of the account.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.audit import Actor
from channel.auth.errors import AuthError
from channel.auth.mfa import reset_mfa
from channel.auth.service import create_user, normalise_username
from channel.models import Role, User
from channel.settings import Settings

__all__ = ["run_users", "users_arguments"]


def users_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="users_action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a user (the password is asked, or read from stdin)")
    create.add_argument("username")
    create.add_argument(
        "--role",
        required=True,
        action="append",
        choices=[r.value for r in Role],
        help="a role the user holds; repeat for several (--role producer --role editor)",
    )
    create.add_argument("--display-name", default="")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    actions.add_parser("list", help="list users")
    reset = actions.add_parser(
        "reset-mfa", help="remove a user's second factor (audited; ends their sessions)"
    )
    reset.add_argument("username")


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mật khẩu / Password: ")
    if getpass.getpass("Nhập lại / Again: ") != first:
        raise AuthError("password_mismatch", "Hai mật khẩu không khớp / The passwords differ")
    return first


def _roles(user: User) -> str:
    return ",".join(sorted(user.roles))


def _list(session: Session) -> int:
    for user in session.scalars(select(User).order_by(User.username)):
        state = "active" if user.active else "inactive"
        print(f"{user.username}\t{_roles(user)}\t{state}\t{'mfa' if user.mfa_enrolled else 'no-mfa'}")
    return 0


def _create(session: Session, args: argparse.Namespace) -> int:
    user = create_user(
        session,
        username=args.username,
        password=_read_password(args.password_stdin),
        roles=[Role(name) for name in args.role],
        display_name=args.display_name,
    )
    session.commit()
    print(f"created {_roles(user)} {user.username!r}")
    return 0


def _reset(session: Session, args: argparse.Namespace) -> int:
    user_id = session.scalar(select(User.id).where(User.username == normalise_username(args.username)))
    if user_id is None:
        raise AuthError("not_found", "Không tìm thấy người dùng / User not found", status=404)
    actor = Actor(user_id=None, request_id="cli:users reset-mfa", now=datetime.now(UTC))
    user = reset_mfa(session, actor=actor, user_id=user_id)
    print(f"second factor of {user.username!r} removed; every session of it ended")
    return 0


def run_users(settings: Settings, args: argparse.Namespace) -> int:
    from channel.db import make_engine, make_sessionmaker
    from channel.migrate import migrate_database

    migrate_database(settings)
    engine = make_engine(settings.resolved_database_url)
    try:
        with make_sessionmaker(engine)() as session:
            try:
                if args.users_action == "list":
                    return _list(session)
                if args.users_action == "reset-mfa":
                    return _reset(session, args)
                return _create(session, args)
            except AuthError as exc:
                print(f"legaltv: {exc.message}", file=sys.stderr)
                return 1
    finally:
        engine.dispose()
