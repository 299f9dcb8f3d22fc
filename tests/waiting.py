"""Waiting for a condition in tests: poll it with a deadline, never sleep a fixed time and hope."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

__all__ = ["wait_for"]

T = TypeVar("T")


def wait_for(
    condition: Callable[[], T | None],
    *,
    seconds: float,
    what: str,
    every: float = 0.05,
    log: Callable[[], str] = str,
) -> T:
    """Poll `condition` until it returns something true, and return that; fail naming `what` (with
    `log()`, e.g. a process's log tail) when `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"{what}: not within {seconds:g} s\n{log()}")
        time.sleep(every)
