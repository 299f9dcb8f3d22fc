"""Racing replicas in one test: the same task in several threads released together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

__all__ = ["all_at_once"]

T = TypeVar("T")


def all_at_once(task: Callable[[int], T], copies: int, *, seconds: float) -> list[T]:
    """`task(0)` … `task(copies - 1)`, each in its own thread, released together by a barrier; their
    results in the order they finished. An exception in any thread fails the test in the caller's."""
    start = threading.Barrier(copies)
    results: list[T] = []
    errors: list[BaseException] = []

    def run(copy: int) -> None:
        try:
            start.wait(timeout=seconds)
            results.append(task(copy))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(copy,)) for copy in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds)
    assert errors == [], errors
    assert not any(thread.is_alive() for thread in threads), f"a copy still runs after {seconds} s"
    return results
