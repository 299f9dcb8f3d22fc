"""`legaltv demo`: sample programmes through the real pipeline, a looping grid, then the channel on air.

Every step is idempotent, so a second run finds what the first made and starts in seconds.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from celery import Celery
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from channel.auth.service import create_user
from channel.demo.editor import approve_samples, ensure_demo_editor
from channel.demo.progress import ProgressReport, Transcode
from channel.demo.samples import SAMPLES, Sample, sample_command
from channel.grid.channels import ensure_channel
from channel.grid.entries import add_entries
from channel.grid.schemas import EntryCreate
from channel.library.ingest import ingest_source
from channel.library.read import details_of
from channel.library.schemas import ProgrammeCreate
from channel.library.service import create_programme
from channel.library.transcode import retry_transcode
from channel.models import Channel, Programme, ProgrammeStatus, Role, ScheduleEntry, User
from channel.ops.logging import configure_logging
from channel.playout.publish import publish_channel
from channel.playout.slate import ensure_slate
from channel.settings import Settings
from storage import Store
from transcoder.run import check, run_capture
from transcoder.slate import find_font

__all__ = ["CHANNEL_NAME", "CHANNEL_SLUG", "run_demo"]

CHANNEL_SLUG = "kenh-phap-luat"
CHANNEL_NAME = "Kênh Pháp luật"
DEMO_TAG = "demo"
GAP_SECONDS = 8  # filler (the slate) between two programmes of the loop
LOOP_HOURS = 12
#: the embedded worker, run as root (a container, a VM's first login), would warn in the middle of the
#: output; a Python warnings filter in its own environment is the supported way to silence one warning
_ROOT_WARNING = "ignore:You're running the worker with superuser privileges"


@dataclass(frozen=True, slots=True)
class DemoAdmin:
    username: str
    password: str | None  # None when the account existed before this run


def _say(text: str) -> None:
    print(text, flush=True)


def _ensure_admin(session: Session, data_dir: Path) -> DemoAdmin:
    """A demo admin whose password is kept in the data dir (readable only by its owner)."""
    secret_file = data_dir / "demo-admin-password.txt"
    if session.scalar(select(User.id).where(User.username == "admin")) is not None:
        password = secret_file.read_text(encoding="utf-8").strip() if secret_file.exists() else None
        return DemoAdmin("admin", password)
    password = secrets.token_urlsafe(12)
    create_user(session, username="admin", password=password, role=Role.ADMIN, display_name="Quản trị viên")
    session.commit()
    fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(password + "\n")
    return DemoAdmin("admin", password)


def _existing(session: Session, sample: Sample) -> Programme | None:
    rows = session.scalars(
        select(Programme).where(Programme.title == sample.title, Programme.status != ProgrammeStatus.DELETED)
    )
    return next((p for p in rows if DEMO_TAG in (p.tags or [])), None)


def _make_source(sample: Sample, folder: Path) -> Path:
    title = folder / f"{sample.slug}.txt"
    title.write_text(sample.title, encoding="utf-8")
    out = folder / f"{sample.slug}.mp4"
    check(
        run_capture(sample_command(sample, out=out, font=find_font(), title_file=title), timeout=600),
        "sample",
    )
    return out


def _ensure_samples(
    session: Session, *, store: Store, celery: Celery, settings: Settings, owner: uuid.UUID
) -> list[uuid.UUID]:
    ids: list[uuid.UUID] = []
    with tempfile.TemporaryDirectory(dir=settings.data_dir) as folder:
        for sample in SAMPLES:
            programme = _existing(session, sample)
            if programme is None:
                data = ProgrammeCreate(
                    title=sample.title, description=sample.description, topics=list(sample.topic_slugs),
                    tags=[DEMO_TAG],
                )  # fmt: skip
                programme = create_programme(session, data=data, owner_id=owner, request_id=None)
                source = _make_source(sample, Path(folder))
                ingest_source(
                    session, store=store, celery=celery, settings=settings, programme=programme, path=source,
                    filename=source.name, actor_id=owner, request_id=None,
                )  # fmt: skip
            elif programme.status == ProgrammeStatus.FAILED:
                retry_transcode(
                    session,
                    celery=celery,
                    programme=programme,
                    settings=settings,
                    actor_id=owner,
                    request_id=None,
                )
            ids.append(programme.id)
    return ids


def _wait_ready(
    factory: sessionmaker[Session],
    ids: Sequence[uuid.UUID],
    worker: subprocess.Popen[bytes] | None,
) -> list[Programme]:
    """Show the progress until all are ready (bars on a terminal, a line per 10 % otherwise); a failure
    stops the demo with its message."""
    report = ProgressReport(sys.stdout, terminal=sys.stdout.isatty())
    while True:
        if worker is not None and worker.poll() is not None:
            raise SystemExit(
                f"legaltv: the embedded worker stopped (exit status {worker.returncode}); see its log above"
            )
        with factory() as session:
            views = [details_of(session, programme=session.get_one(Programme, pid)) for pid in ids]
            report.show([Transcode(title=v.title, status=v.status.value, progress=v.progress) for v in views])
            failed = [v for v in views if v.status == ProgrammeStatus.FAILED]
            if failed:
                reason = failed[0].error_message or failed[0].error_code or "?"
                raise SystemExit(
                    f"legaltv: chuyển mã thất bại / transcode failed: {failed[0].title}: {reason}"
                )
            if all(v.status == ProgrammeStatus.READY for v in views):
                programmes = [session.get_one(Programme, pid) for pid in ids]
                for programme in programmes:
                    session.expunge(programme)
                return programmes
        time.sleep(1.0)


def _loop_grid(session: Session, *, channel: Channel, programmes: Sequence[Programme], now: datetime) -> int:
    """Hard-start the programmes in a loop with filler between, unless the next hours are already planned."""
    last = session.scalar(
        select(ScheduleEntry)
        .where(ScheduleEntry.channel_id == channel.id)
        .order_by(ScheduleEntry.start_at.desc())
    )
    if last is not None and last.start_at > now + timedelta(hours=2):
        return 0
    start = now + timedelta(seconds=20)
    if last is not None and last.start_at > start:
        start = last.start_at + timedelta(seconds=float(last.programme.duration or 0) + GAP_SECONDS)
    start = start.replace(microsecond=0)
    end, count, index = now + timedelta(hours=LOOP_HOURS), 0, 0
    while start < end:
        programme = programmes[index % len(programmes)]
        body = EntryCreate(programme_id=programme.id, start=start.isoformat(), mode="hard")
        add_entries(session, slug=channel.slug, body=body, actor_id=None, request_id=None, now=now)
        start += timedelta(seconds=float(programme.duration or 0) + GAP_SECONDS)
        start = start.replace(microsecond=0) + timedelta(seconds=1)
        index, count = index + 1, count + 1
    return count


def _demo_mfa(settings: Settings, username: str) -> Settings:
    """In development the demo's own admin may sign in without a second factor (say so); elsewhere it enrols."""
    if settings.env != "development":
        _say(
            "  Xác thực hai lớp / MFA:   bắt buộc — đăng ký ứng dụng xác thực ở lần đăng nhập đầu / enrol at first sign-in"
        )
        return settings
    _say(
        f"  Xác thực hai lớp / MFA:   tắt cho «{username}» của bản demo (chỉ LEGALTV_ENV=development)"
        " / off for the demo admin only; enrol anyway under «Tài khoản»"
    )
    return settings.model_copy(update={"mfa_exempt_users": sorted({*settings.mfa_exempt_users, username})})


@contextmanager
def _quiet_worker_environment() -> Iterator[None]:
    """While the embedded worker is started: no Celery banner (`celery --quiet`, read by Celery's command
    line from CELERY_QUIET) and no superuser warning (a warnings filter), in the worker only."""
    quiet = {"CELERY_QUIET": "1", "PYTHONWARNINGS": _ROOT_WARNING}
    before = {name: os.environ.get(name) for name in quiet}
    os.environ.update(quiet)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _urls(settings: Settings, admin: DemoAdmin) -> list[str]:
    """What the first run ends with: where to watch, and how to sign in."""
    base = settings.base_url.rstrip("/")
    password = admin.password or f"(xem / see {settings.data_dir / 'demo-admin-password.txt'})"
    return [
        "",
        f"  Xem kênh / watch:        {base}/",
        f"  HLS:                     {base}/live/{CHANNEL_SLUG}/master.m3u8",
        f"  Bảng điều khiển / staff: {base}/console",
        f"  Đăng nhập / sign in:     {admin.username} / {password}",
        "",
    ]


def run_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Prepare the channel, say where it is (last), then serve it.

    Unless LEGALTV_LOG_LEVEL says otherwise, the demo logs warnings only, so its few lines (and the URLs
    and password at the end) are not buried under log lines while it prepares and while it serves.
    """
    from channel.db import make_engine, make_sessionmaker
    from channel.migrate import migrate_database
    from channel.processes import serve_until_stopped, start_embedded_worker, stop_process
    from channel.stores import store_from_settings
    from channel.worker import create_celery

    if "log_level" not in settings.model_fields_set:
        settings = settings.model_copy(update={"log_level": "WARNING"})
        configure_logging(settings.log_level)
    _say("legaltv — kênh truyền hình pháp luật trực tuyến / online legal-education channel")
    migrate_database(settings)
    engine = make_engine(settings.resolved_database_url)
    factory = make_sessionmaker(engine)
    store = store_from_settings(settings)
    celery = create_celery(settings)
    # the worker's task log would scroll the progress away; its warnings and errors still show
    with _quiet_worker_environment():
        worker = start_embedded_worker(settings.model_copy(update={"log_level": "WARNING"}))
    try:
        with factory() as session:
            admin = _ensure_admin(session, settings.data_dir)
            channel = ensure_channel(session, slug=CHANNEL_SLUG, name=CHANNEL_NAME, settings=settings)
            session.commit()
            _say("• màn hình chờ (slate) / filler slate")
            ensure_slate(
                store=store,
                house=channel.house_format,
                channel_name=channel.name,
                workdir=settings.data_dir / "work",
            )
            _say(f"• {len(SAMPLES)} chương trình mẫu / sample programmes")
            owner = session.scalar(select(User.id).where(User.username == admin.username))
            assert owner is not None
            ids = _ensure_samples(session, store=store, celery=celery, settings=settings, owner=owner)
        _say("• chuyển mã / transcoding (house format, all rungs)")
        programmes = _wait_ready(factory, ids, worker)
        with factory() as session:
            editor = ensure_demo_editor(session, settings.data_dir)
            approved = approve_samples(
                session, programmes=programmes, editor=editor, cosmetic=settings.review_cosmetic_fields
            )
            _say(
                f"• duyệt: {approved} chương trình, bởi «{editor.username}» / approved by a demo editor (four eyes)"
            )
            channel = session.get_one(Channel, channel.id)
            added = _loop_grid(session, channel=channel, programmes=programmes, now=datetime.now(UTC))
            playout = publish_channel(session, channel_id=channel.id, now=datetime.now(UTC))
            session.commit()
            _say(f"• lịch phát: +{added} mục, phiên bản {playout.version} / grid published")
    except BaseException:
        if worker is not None:
            stop_process(worker)
        raise
    finally:
        engine.dispose()
    settings = _demo_mfa(settings, admin.username)
    if args.no_serve and worker is not None:
        stop_process(worker)  # before the URLs: the worker says goodbye when it stops
    for line in _urls(settings, admin):
        _say(line)
    if args.no_serve:
        return 0
    return serve_until_stopped(settings, worker)
