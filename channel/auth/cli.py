"""`legaltv users create|list`: the first admin is made here, before anyone can sign in."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import select

from channel.auth.service import AuthError, create_user
from channel.models import Role, User
from channel.settings import Settings

__all__ = ["run_users", "users_arguments"]


def users_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="users_action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a user (the password is asked, or read from stdin)")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--display-name", default="")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    actions.add_parser("list", help="list users")


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mật khẩu / Password: ")
    if getpass.getpass("Nhập lại / Again: ") != first:
        raise AuthError("password_mismatch", "Hai mật khẩu không khớp / The passwords differ")
    return first


def run_users(settings: Settings, args: argparse.Namespace) -> int:
    from channel.cli import migrate_database
    from channel.db import make_engine, make_sessionmaker, session_scope

    migrate_database(settings)
    engine = make_engine(settings.resolved_database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            if args.users_action == "list":
                for user in session.scalars(select(User).order_by(User.username)):
                    print(f"{user.username}\t{user.role.value}\t{'active' if user.active else 'inactive'}")
                return 0
            try:
                user = create_user(
                    session,
                    username=args.username,
                    password=_read_password(args.password_stdin),
                    role=Role(args.role),
                    display_name=args.display_name,
                )
            except AuthError as exc:
                print(f"legaltv: {exc.message}", file=sys.stderr)
                return 1
            print(f"created {user.role.value} {user.username!r}")
            return 0
    finally:
        engine.dispose()
