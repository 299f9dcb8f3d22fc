"""The last answer the database gave for a public read, served while the database cannot answer.

The same rule as the live timelines (`channel.playout.cache.TimelineCache`): viewers keep getting the
last known data through an outage, never a 500. Timelines have their own cache; this one holds what
public pages read besides them (a programme's public description), bounded in size. After a failure the
database is left alone for `retry_seconds` for what is known, so an outage that hangs connections does not
hang every page; what is not known is asked for again (nothing else could be served anyway).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy.exc import SQLAlchemyError

__all__ = ["DatabaseUnavailable", "LastKnown"]

_log = logging.getLogger(__name__)
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class DatabaseUnavailable(LookupError):
    """The database cannot answer and nothing is known for this key yet."""


class LastKnown(Generic[K, V]):
    """key → the last value `load` returned; thread-safe, least recently used dropped past `max_items`."""

    def __init__(
        self,
        *,
        max_items: int = 10_000,
        retry_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._items: OrderedDict[K, V] = OrderedDict()
        self._max_items = max_items
        self._retry = retry_seconds
        self._clock = clock
        self._down_until = 0.0
        self._lock = threading.Lock()

    def read(self, key: K, load: Callable[[], V]) -> V:
        """`load()` remembered under `key`; when the database fails, the last value (or `DatabaseUnavailable`).

        Any other exception (not found, say) propagates and forgets the key: a programme withdrawn while the
        database was up is not served again during a later outage.
        """
        if self._clock() < self._down_until:
            with self._lock:
                if key in self._items:
                    return self._items[key]  # known: no need to wait on a database that just failed
        try:
            value = load()
        except SQLAlchemyError as exc:
            self._down_until = self._clock() + self._retry
            _log.warning("database unavailable, serving last known data: %s", type(exc).__name__)
            return self._known(key)
        except Exception:
            with self._lock:
                self._items.pop(key, None)
            raise
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._max_items:
                self._items.popitem(last=False)
        return value

    def _known(self, key: K) -> V:
        with self._lock:
            if key not in self._items:
                raise DatabaseUnavailable(key)
            return self._items[key]
