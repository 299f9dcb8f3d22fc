"""`legaltv audit verify|export`: check the chain (non-zero exit at the first break), or copy out a period."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from channel.audit.anchor import log_head
from channel.audit.export import csv_lines, period_of_days
from channel.audit.verify import parse_anchor, verify_chain
from channel.settings import Settings
from channel.timeparams import parse_day

__all__ = ["EXIT_BROKEN", "audit_arguments", "run_audit"]

EXIT_BROKEN = 1
EXIT_USAGE = 2


def audit_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="audit_action", required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="check the whole chain; exit 1 at the first broken record")
    verify.add_argument(
        "--anchor",
        action="append",
        default=[],
        metavar="SEQ:HASH",
        help="a chain head copied from the log earlier; it must still be in the chain (repeatable)",
    )
    export = actions.add_parser("export", help="a period as CSV (UTF-8 with BOM, Vietnam's time)")
    export.add_argument("--from", dest="first", required=True, metavar="YYYY-MM-DD", help="first day")
    export.add_argument("--to", dest="last", required=True, metavar="YYYY-MM-DD", help="last day (included)")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")


def _verify(factory: sessionmaker[Session], args: argparse.Namespace) -> int:
    try:
        anchors = [parse_anchor(text) for text in args.anchor]
    except ValueError as exc:
        print(f"legaltv: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with factory() as session:
        verdict = verify_chain(session, anchors=anchors)
        if verdict.broken is not None:
            broken = verdict.broken
            where = f" (id {broken.event_id})" if broken.event_id else ""
            print(f"BROKEN at record #{broken.seq}{where}: {broken.kind}: {broken.message}")
            print(f"{verdict.checked} records checked before it")
            return EXIT_BROKEN
        head = log_head(session, source="verify")
    print(f"OK: {verdict.checked} records, chain intact")
    if head is not None:
        print(f"head {head.anchor}")
    return 0


def _export(factory: sessionmaker[Session], args: argparse.Namespace) -> int:
    try:
        period = period_of_days(parse_day(args.first), parse_day(args.last))
    except ValueError as exc:
        print(f"legaltv: --from/--to: {exc} (YYYY-MM-DD, first day not after the last)", file=sys.stderr)
        return EXIT_USAGE
    if args.output is None:
        sys.stdout.reconfigure(encoding="utf-8", newline="")  # type: ignore[union-attr]
        sys.stdout.writelines(csv_lines(factory, period))
        return 0
    with args.output.open("w", encoding="utf-8", newline="") as out:
        out.writelines(csv_lines(factory, period))
    return 0


def run_audit(settings: Settings, args: argparse.Namespace) -> int:
    from channel.db import make_engine, make_sessionmaker
    from channel.migrate import migrate_database

    migrate_database(settings)
    engine = make_engine(settings.resolved_database_url)
    try:
        factory = make_sessionmaker(engine)
        return _verify(factory, args) if args.audit_action == "verify" else _export(factory, args)
    finally:
        engine.dispose()
