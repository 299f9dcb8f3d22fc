"""The `legaltv` command: migrate, serve, worker, ingest, check, demo, users.

Subcommands live in `COMMANDS`; adding one is one entry (a function, a help line, its arguments). What
the long-running commands start and stop is in `channel.processes`.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from channel.audit.cli import audit_arguments, run_audit
from channel.auth.cli import run_users, users_arguments
from channel.celery_config import QUEUES
from channel.migrate import migrate_database
from channel.processes import serve_until_stopped, start_embedded_worker
from channel.settings import Settings
from channel.startup import ConfigError, exit_with, load_settings_or_exit

__all__ = ["COMMANDS", "Subcommand", "build_parser", "main"]

_log = logging.getLogger("legaltv.cli")


def _no_arguments(_parser: argparse.ArgumentParser) -> None:
    return None


@dataclass(frozen=True)
class Subcommand:
    """One `legaltv <name>`: what it runs (exit status back), its help, and its own arguments."""

    run: Callable[[Settings, argparse.Namespace], int]
    help: str
    arguments: Callable[[argparse.ArgumentParser], None] = field(default=_no_arguments)
    passthrough: bool = False  # unknown options are handed on (in `args.extra`) instead of refused


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    migrate_database(settings)
    _log.info("database is at the latest schema")
    return 0


def _serve(settings: Settings, _args: argparse.Namespace) -> int:
    migrate_database(settings)
    return serve_until_stopped(settings, start_embedded_worker(settings))


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-serve", action="store_true", help="prepare everything, then exit")


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from channel.demo.run import run_demo

    return run_demo(settings, args)


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    from channel.worker import create_celery

    app = create_celery(settings)
    extra = [arg for arg in args.extra if arg != "--"]
    app.worker_main(["worker", "-Q", ",".join(QUEUES), "--loglevel", settings.log_level.upper(), *extra])
    return 0


def _ingest(settings: Settings, _args: argparse.Namespace) -> int:
    from channel.ingest import run_ingest

    return run_ingest(settings)


def _check(settings: Settings, _args: argparse.Namespace) -> int:
    from channel.db import make_engine
    from channel.ops.health import health_checks, run_checks
    from channel.stores import store_from_settings

    engine = make_engine(settings.resolved_database_url, connect_timeout=2)
    try:
        report = run_checks(
            health_checks(settings=settings, engine=engine, store=store_from_settings(settings))
        )
    finally:
        engine.dispose()
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if report["status"] == "ok" else 1


COMMANDS: dict[str, Subcommand] = {
    "migrate": Subcommand(_migrate, "bring the database to the latest schema"),
    "serve": Subcommand(_serve, "migrate, then run the API (and the embedded worker when configured)"),
    "worker": Subcommand(
        _worker, "run a Celery worker for both queues; other options go to `celery worker`", passthrough=True
    ),
    "ingest": Subcommand(
        _ingest, "run the live contribution listeners (RTMP, SRT) and encoders of this host"
    ),
    "check": Subcommand(_check, "print the health checks as JSON; exit 1 when degraded"),
    "demo": Subcommand(
        _demo, "first run: sample programmes, a looping grid, then serve the channel", _demo_arguments
    ),
    "users": Subcommand(
        run_users, "create or list users (`legaltv users create NAME --role admin`)", users_arguments
    ),
    "audit": Subcommand(
        run_audit, "check the audit chain (`verify`) or export a period as CSV", audit_arguments
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="legaltv", description="legaltv: online legal-education TV channel")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        command.arguments(commands.add_parser(name, help=command.help, description=command.help))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `legaltv`; configuration problems end with one line and status 2."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not COMMANDS[args.command].passthrough:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    settings = load_settings_or_exit()
    from channel.ops.logging import configure_logging

    configure_logging(settings.log_level)
    try:
        return COMMANDS[args.command].run(settings, args)
    except ConfigError as exc:
        exit_with(exc)


if __name__ == "__main__":
    raise SystemExit(main())
