"""A running attempt's pulse: beats from a thread, the highest progress, stop when unwanted or out of touch."""

from __future__ import annotations

import threading
import time

import pytest

from tests.waiting import wait_for
from transcoder.pulse import Pulse
from transcoder.types import Beat


class Hook:
    """A heartbeat hook: records beats, answers `wanted`, or raises while `failing`."""

    def __init__(self) -> None:
        self.beats: list[Beat] = []
        self.wanted = True
        self.failing = False
        self.lock = threading.Lock()

    def __call__(self, beat: Beat) -> bool:
        if self.failing:
            raise ConnectionError("database unreachable")
        with self.lock:
            self.beats.append(beat)
        return self.wanted

    def count(self) -> int:
        with self.lock:
            return len(self.beats)


def test_without_a_hook_the_pulse_is_inert() -> None:
    pulse = Pulse(None, attempt="a")
    assert pulse.start() is True
    pulse.report(40.0, "encode")
    assert pulse.should_stop() is False
    assert pulse.beat() is True
    pulse.stop()


def test_progress_only_rises() -> None:
    pulse = Pulse(None, attempt="a")
    pulse.report(10.0, "download")
    pulse.report(50.0, "encode")
    pulse.report(2.0, "download")  # a re-delivered attempt starting over
    assert pulse.percent == 50.0


def test_beats_carry_the_latest_progress_until_stopped() -> None:
    hook = Hook()
    with Pulse(hook, attempt="a-1", every=0.02) as pulse:
        assert pulse.start() is True
        assert hook.beats[0] == Beat(attempt="a-1")  # marks the job running before any progress
        pulse.report(12.5, "encode")
        wait_for(lambda: any(beat.percent == 12.5 for beat in hook.beats), seconds=10, what="the beat")
        wait_for(
            lambda: hook.count() >= 5, seconds=10, what="beats"
        )  # keeps beating with no new progress: proof of life
        pulse.report(99.0, "upload")
    assert hook.beats[-1] == Beat(attempt="a-1", percent=99.0, stage="upload"), "the last progress is sent"
    settled = hook.count()
    time.sleep(0.1)
    assert hook.count() == settled, "no beat after stop"


def test_an_unwanted_attempt_is_told_to_stop() -> None:
    hook = Hook()
    pulse = Pulse(hook, attempt="a", every=0.02)
    assert pulse.start() is True
    assert pulse.should_stop() is False
    hook.wanted = False
    wait_for(pulse.should_stop, seconds=10, what="the beat")
    settled = hook.count()
    time.sleep(0.1)
    assert hook.count() == settled, "an unwanted attempt stops beating"
    pulse.stop()


def test_an_attempt_unwanted_from_the_start_never_beats_again() -> None:
    hook = Hook()
    hook.wanted = False
    pulse = Pulse(hook, attempt="late")
    assert pulse.start() is False
    pulse.report(3.0, "download")
    pulse.stop()
    assert hook.beats == [Beat(attempt="late")]


def test_a_failing_hook_is_survived_until_the_lease_runs_out() -> None:
    now = [1000.0]
    hook = Hook()
    pulse = Pulse(hook, attempt="a", lease=60.0, clock=lambda: now[0])
    assert pulse.beat() is True
    hook.failing = True
    now[0] += 59.0
    assert pulse.beat() is True, "a failed beat keeps the last answer"
    assert pulse.should_stop() is False
    now[0] += 2.0
    assert pulse.should_stop() is True, "out of touch longer than the lease: the job may be re-queued"
    hook.failing = False
    assert pulse.beat() is True
    assert pulse.should_stop() is False


def test_defer_announces_a_quiet_period() -> None:
    hook = Hook()
    pulse = Pulse(hook, attempt="a")
    pulse.report(30.0, "encode")
    pulse.defer(120.0)
    assert hook.beats == [Beat(attempt="a", percent=30.0, stage="encode", quiet_seconds=120.0)]


@pytest.mark.parametrize("wanted", [True, False])
def test_start_answers_like_the_first_beat(wanted: bool) -> None:
    hook = Hook()
    hook.wanted = wanted
    with Pulse(hook, attempt="a", every=10.0) as pulse:
        assert pulse.start() is wanted


def test_a_new_stage_is_sent_at_once() -> None:
    hook = Hook()
    with Pulse(hook, attempt="a", every=60.0) as pulse:
        pulse.start()
        pulse.report(1.0, "probe")
        wait_for(lambda: any(beat.stage == "probe" for beat in hook.beats), seconds=5, what="the beat")
        pulse.report(1.5, "probe")  # same stage: waits for the next periodic beat
        time.sleep(0.1)
        assert [beat.percent for beat in hook.beats] == [None, 1.0]
