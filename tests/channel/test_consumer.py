"""The worker survives a broker outage: Redis stopped mid-encode and started again, real processes;
and on the embedded broker it notices a stop at once (the real-process check is in test_cli.py).

Regression test of celery 5.7.0's double close (see channel/consumer.py): with Celery's own consumer the
worker logs "Unrecoverable error: AttributeError(...'hostname')" and exits a moment after Redis goes away.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from channel.celery_config import celery_config
from channel.consumer import CONSUMER_CLASS, DRAIN_SLICE_SECONDS, SlicedDrain
from channel.settings import Settings
from tests.channel.library.stack import stack
from tests.channel.library.test_lost_worker import Watcher, _encoding, _one_output_and_one_event, _programme
from tests.waiting import wait_for


def test_the_worker_uses_the_recovering_consumer_and_keeps_encodes_running(tmp_path: Path) -> None:
    config = celery_config(Settings(data_dir=tmp_path))
    assert config["worker_consumer"] == CONSUMER_CLASS
    assert config["worker_cancel_long_running_tasks_on_connection_loss"] is False


@pytest.mark.slow
@pytest.mark.postgres
def test_redis_stopped_mid_encode_and_started_again(tmp_path: Path, postgres_url: str) -> None:
    with stack(tmp_path, postgres_url) as running:
        base = running.api()
        # as compose runs it: a free pool slot keeps a BRPOP in flight, whose reply the broken close reads
        worker = running.worker()
        log = running.logs[-1]
        pid = _programme(running, base, tmp_path)
        watch = Watcher(running, [base], pid)
        watch.until(_encoding, "the encode under way")

        running.redis.stop()
        wait_for(
            lambda: "Connection to broker lost" in log.read_text(errors="replace"),
            seconds=60,
            what="the worker noticing the outage",
            log=running.tail,
        )
        running.redis.start()

        final = watch.until(lambda body: body["status"] in ("ready", "failed"), "the programme settled")
        text = log.read_text(errors="replace")
        assert worker.poll() is None, f"the worker died:\n{text[-4000:]}"
        assert "Unrecoverable error" not in text
        assert text.count("Connected to redis://") >= 2, "it reconnected"
        assert (final["status"], final["progress"]) == ("ready", 100.0), final
        assert final["job"]["attempt"] == 1, "the encode ran through the outage; no re-queue was needed"
        [job] = _one_output_and_one_event(running, pid)
        assert f"Task transcoder.transcode[{job.celery_task_id}] succeeded" in text
        watch.assert_believable()


def test_the_embedded_workers_loop_looks_at_its_stop_flag_five_times_a_second() -> None:
    """Celery's blocking loop asks for `drain_events(timeout=2.0)`; the consumer's connection waits less."""
    asked: list[float | None] = []

    class Connection:
        def drain_events(self, timeout: float | None = None) -> None:
            asked.append(timeout)

    drained = SlicedDrain(Connection())
    drained.drain_events(timeout=2.0)
    drained.drain_events()
    drained.drain_events(timeout=0.05)
    assert asked == [DRAIN_SLICE_SECONDS, DRAIN_SLICE_SECONDS, 0.05]
    assert DRAIN_SLICE_SECONDS == 0.2
