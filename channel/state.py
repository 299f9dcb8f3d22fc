"""The API's state: one typed, frozen object built by `create_app`, read by every dependency.

Nothing is created on first use and nothing is set on `app.state` one attribute at a time. The
services every package needs are fields (settings, engine, sessionmaker, store, the Celery app). A
package's own service (the playout's timeline cache, the login limits, the upload service …) is a
*part*, named by a `StateKey` the package declares beside the service's class: this module imports
no package of the service, and no package imports the app, so the packages keep a one-way order
(see docs/architecture.md, "Shape").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, TypeVar, get_origin

from celery import Celery
from sqlalchemy import Engine, orm
from starlette.requests import HTTPConnection

from channel.settings import Settings
from storage import Store

__all__ = ["AppState", "Part", "StateKey", "app_state", "parts_of", "state_of"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StateKey(Generic[T]):
    """The name and class of one part of the state: `state.part(KEY)` is typed as `T`."""

    name: str
    kind: type[T]


@dataclass(frozen=True, slots=True)
class Part(Generic[T]):
    """A part and its key, paired where the state is built, so a value of the wrong class is a type error."""

    key: StateKey[T]
    value: T


@dataclass(frozen=True, kw_only=True)
class AppState:
    """Everything one API process shares across requests, built once at start-up."""

    settings: Settings
    engine: Engine
    sessionmaker: orm.sessionmaker[orm.Session]
    store: Store
    celery: Celery
    parts: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def part(self, key: StateKey[T]) -> T:
        """The part named by `key`; a LookupError says which when the app was built without it."""
        value = self.parts.get(key.name)
        if not isinstance(value, get_origin(key.kind) or key.kind):  # LastKnown[K, V] checks as LastKnown
            raise LookupError(f"the app state has no {key.name} ({key.kind.__name__}); create_app adds it")
        return value


def parts_of(*parts: Part[Any]) -> Mapping[str, object]:
    """The parts of a state, by name (read-only); two parts under one name are a programming error."""
    named = {part.key.name: part.value for part in parts}
    if len(named) != len(parts):
        raise ValueError("two parts of the app state share a name")
    return MappingProxyType(named)


def state_of(app: object) -> AppState:
    """The state `create_app` gave `app` (its one attribute on `app.state`); any other app is refused."""
    state = getattr(getattr(app, "state", None), "legaltv", None)
    if not isinstance(state, AppState):
        raise LookupError("this app has no legaltv state: build it with channel.app.create_app")
    return state


def app_state(connection: HTTPConnection) -> AppState:
    """The state of the app serving this request (a FastAPI dependency)."""
    return state_of(connection.app)
