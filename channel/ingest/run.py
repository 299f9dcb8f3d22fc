"""`legaltv ingest`: nginx-rtmp for RTMP publishers, an ffmpeg SRT listener, and one live encoder
per event being fed. Contribution scales apart from the API: run one per ingest host.

Each ingest also records ended events into catch-up programmes (`channel.live.recording`; claimed
first, so with several ingest hosts each event is recorded once). An ingest restart during an event costs the seconds it was away: the playout airs the slate for the
segments that did not arrive, and the encoder starts again at the next boundary when the publisher
reconnects (OBS does by itself; an SRT caller retries).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

from sqlalchemy.exc import SQLAlchemyError

from channel.db import make_engine, make_sessionmaker
from channel.ingest.encoder import LiveRun
from channel.ingest.feeds import Admitted, Feeds
from channel.ingest.rtmp import NginxRtmp, PublishGate, nginx_rtmp_config
from channel.live.recording import due_events, record_event
from channel.playout.livemarks import LiveMarks
from channel.settings import Settings
from channel.stores import store_from_settings
from storage import StorageError, Store

__all__ = ["GUARD_EVERY_S", "RECORD_EVERY_S", "Ingest", "run_ingest"]

log = logging.getLogger(__name__)

#: how often ended events are looked for, to record them into catch-up programmes
RECORD_EVERY_S = 5.0
#: how often running feeds' keys are checked again (a revoked key cuts its feed within this)
GUARD_EVERY_S = 2.0
#: how long the SRT listener probes a new caller's stream: just over the 2 s keyframe interval asked of
#: publishers (ffmpeg's default, 5 s, kept an SRT feed off air ~4 segments after a reconnect, not 2)
SRT_PROBE_US = 2_500_000


class Ingest:
    """The ingest host's listeners and encoders; `start`, then `stop` (from a signal or a test)."""

    def __init__(self, settings: Settings, *, feeds: Feeds, store: Store, workdir: Path) -> None:
        self.settings = settings
        self.feeds = feeds
        self.store = store
        self.workdir = workdir
        self.runs: dict[str, LiveRun] = {}
        self.admitted: dict[str, Admitted] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._nginx: subprocess.Popen[bytes] | None = None
        self._listener: subprocess.Popen[bytes] | None = None
        self._count = 0
        self._srt_thread = threading.Thread(target=self._srt_loop, daemon=True, name="srt")
        self._recorder = threading.Thread(target=self._record_loop, daemon=True, name="recorder")
        self._guard = threading.Thread(target=self._guard_loop, daemon=True, name="key-guard")
        self.marks = LiveMarks(store, grace_seconds=settings.live_grace_seconds)
        self.gate = PublishGate(
            port=settings.ingest_control_port, judge=feeds.by_key, on_admit=self.admit_rtmp
        )
        self.rtmp = NginxRtmp(
            bind=settings.ingest_bind,
            port=settings.ingest_rtmp_port,
            control_port=settings.ingest_control_port,
            workdir=workdir / "nginx",
        )

    @property
    def srt_listening(self) -> bool:
        """Whether an SRT listener waits for (or takes) a contribution now."""
        return self._listener is not None and self._listener.poll() is None

    # -- encoders -------------------------------------------------------------------------------

    def _encode(self, admitted: Admitted, *, input_url: str, **options: object) -> None:
        feed = admitted.feed
        with self._lock:
            old = self.runs.get(feed.event_id)
            self._count += 1
            work = self.workdir / feed.event_id / str(self._count)
        if old is not None:
            old.stop()
        run = LiveRun(
            feed=feed,
            store=self.store,
            input_url=input_url,
            workdir=work,
            grace_s=self.settings.live_grace_seconds,
            **options,  # type: ignore[arg-type]
        )
        with self._lock:
            self.runs[feed.event_id] = run
            self.admitted[feed.event_id] = admitted
        try:
            run.run()
        finally:
            with self._lock:
                if self.runs.get(feed.event_id) is run:
                    del self.runs[feed.event_id]
                    del self.admitted[feed.event_id]
            shutil.rmtree(work, ignore_errors=True)

    def admit_rtmp(self, key: str, admitted: Admitted) -> None:
        url = f"rtmp://127.0.0.1:{self.rtmp.port}/live/{key}"
        self._encode(admitted, input_url=url, input_options=("-rtmp_live", "live", "-rw_timeout", "10000000"))

    # -- SRT -------------------------------------------------------------------------------------

    def _srt_loop(self) -> None:
        """One listener at a time for the earliest open event; media starts the encoder."""
        while not self._stopped.is_set():
            admitted = self.feeds.srt_event()
            if admitted is None:
                self._stopped.wait(1.0)
                continue
            url = (
                f"srt://{self.settings.ingest_bind}:{self.settings.ingest_srt_port}"
                f"?mode=listener&passphrase={admitted.passphrase}&pbkeylen=16&latency=200000"
            )
            listener = subprocess.Popen(
                [
                    "ffmpeg",
                    "-nostdin",
                    "-hide_banner",
                    "-loglevel",
                    "error",
                    "-analyzeduration",
                    str(SRT_PROBE_US),
                    "-i",
                    url,
                    "-map",
                    "0",
                    "-c",
                    "copy",
                    "-f",
                    "mpegts",
                    "pipe:1",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
            )
            self._listener = listener
            until = admitted.feed.end_us / 1_000_000 - time.time()
            timer = threading.Timer(max(0.0, until), listener.kill)
            timer.daemon = True
            timer.start()
            try:
                assert listener.stdout is not None
                head = os.read(listener.stdout.fileno(), 65536)
                if head and not self._stopped.is_set():
                    log.info("SRT contribution for live event %s", admitted.feed.event_id)
                    self._encode(admitted, input_url="pipe:0", source=listener.stdout, head=head)
            finally:
                timer.cancel()
                if listener.poll() is None:
                    listener.kill()
                listener.wait()
                if listener.stdout is not None:
                    listener.stdout.close()
                self._listener = None
            self._stopped.wait(0.2)

    # -- keys revoked mid-stream -------------------------------------------------------------------

    def cut_revoked(self) -> list[str]:
        """Stop every encode whose key no longer opens its event (revoked, remade, cancelled, ended)."""
        with self._lock:
            running = [(self.runs[e], a) for e, a in self.admitted.items() if e in self.runs]
        cut = []
        for run, admitted in running:
            if not self.feeds.still_admitted(admitted):
                log.warning("live %s: its key no longer holds; the feed is cut off", admitted.feed.event_id)
                run.stop()
                if run.input_url == "pipe:0" and self._listener is not None and self._listener.poll() is None:
                    self._listener.kill()  # an SRT feed: its listener goes too
                cut.append(admitted.feed.event_id)
        return cut

    def _guard_loop(self) -> None:
        while not self._stopped.wait(GUARD_EVERY_S):
            try:
                self.cut_revoked()
            except SQLAlchemyError as exc:
                log.warning("key checks: database unavailable: %s", type(exc).__name__)

    # -- recording -------------------------------------------------------------------------------

    def record_due(self) -> int:
        """Record every event that has ended (one segment and the grace ago) into a catch-up programme."""
        after = timedelta(seconds=self.settings.segment_seconds + self.settings.live_grace_seconds + 1)
        done = 0
        with self.feeds.sessions() as session:
            for event in due_events(session, now=datetime.now(UTC), after=after):
                try:
                    recorded = record_event(
                        session, store=self.store, event=event, live=self.marks.rule, now=datetime.now(UTC)
                    )
                    if recorded is not None:
                        done += 1
                except (StorageError, SQLAlchemyError) as exc:
                    session.rollback()
                    log.warning("live event %s: recording failed: %s", event.id, exc)
        return done

    def _record_loop(self) -> None:
        while not self._stopped.wait(RECORD_EVERY_S):
            try:
                self.record_due()
            except SQLAlchemyError as exc:
                log.warning("recordings: database unavailable: %s", type(exc).__name__)

    # -- life ------------------------------------------------------------------------------------

    def start(self) -> None:
        self.gate.start()
        if Path(self.rtmp.module).exists():
            self.rtmp.workdir.mkdir(parents=True, exist_ok=True)
            conf = self.rtmp.workdir / "nginx.conf"
            conf.write_text(nginx_rtmp_config(self.rtmp))
            self._nginx = subprocess.Popen(
                [
                    self.settings.ingest_nginx,
                    "-p",
                    str(self.rtmp.workdir),
                    "-c",
                    str(conf),
                    "-e",
                    str(self.rtmp.workdir / "error.log"),
                ],
                stdin=subprocess.DEVNULL,
            )
        else:
            log.warning("no nginx RTMP module at %s: RTMP contribution is off (SRT only)", self.rtmp.module)
        self._srt_thread.start()
        self._recorder.start()
        self._guard.start()

    def stop(self) -> None:
        """Stop listening and encoding; returns once the SRT loop has let go of its listener."""
        self._stopped.set()
        with self._lock:
            runs = list(self.runs.values())
        for run in runs:
            run.stop()
        if self._listener is not None and self._listener.poll() is None:
            self._listener.kill()
        if self._nginx is not None:
            self._nginx.terminate()
            try:
                self._nginx.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._nginx.kill()
        self.gate.stop()
        if self._srt_thread.is_alive():
            self._srt_thread.join(timeout=10)


def run_ingest(settings: Settings) -> int:
    """Run until SIGINT or SIGTERM."""
    engine = make_engine(settings.resolved_database_url)
    ingest = Ingest(
        settings,
        feeds=Feeds(make_sessionmaker(engine), settings),
        store=store_from_settings(settings),
        workdir=settings.data_dir / "work" / "ingest",
    )
    done = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    ingest.start()
    log.info(
        "ingest: RTMP on %s:%d, SRT on %s:%d",
        settings.ingest_bind,
        settings.ingest_rtmp_port,
        settings.ingest_bind,
        settings.ingest_srt_port,
    )
    done.wait()
    ingest.stop()
    engine.dispose()
    return 0
