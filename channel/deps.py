"""FastAPI dependency aliases: everything a route needs comes from the app's `AppState` through these."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from celery import Celery
from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from channel.http.requestid import new_request_id
from channel.settings import Settings
from channel.state import AppState, app_state
from storage import Store

__all__ = [
    "CeleryDep",
    "ClientAddressDep",
    "EngineDep",
    "NowDep",
    "RequestIdDep",
    "SessionDep",
    "SessionFactoryDep",
    "SettingsDep",
    "StateDep",
    "StoreDep",
    "get_celery",
    "get_client_address",
    "get_engine",
    "get_now",
    "get_request_id",
    "get_session",
    "get_session_factory",
    "get_settings",
    "get_store",
]

StateDep = Annotated[AppState, Depends(app_state)]


def get_settings(state: StateDep) -> Settings:
    return state.settings


def get_engine(state: StateDep) -> Engine:
    return state.engine


def get_session_factory(state: StateDep) -> sessionmaker[Session]:
    return state.sessionmaker


def get_session(state: StateDep) -> Iterator[Session]:
    """One session per request, closed afterwards; domain functions commit, routes never do."""
    with state.sessionmaker() as session:
        yield session


def get_store(state: StateDep) -> Store:
    return state.store


def get_celery(state: StateDep) -> Celery:
    """The Celery app jobs are sent with (built with the API, never on first use)."""
    return state.celery


def get_request_id(request: Request) -> str:
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else new_request_id()


def get_now() -> datetime:
    """The request's clock: one instant per request, overridable in tests (`app.dependency_overrides`)."""
    return datetime.now(UTC)


def get_client_address(request: Request) -> str:
    """The client's address as the trusted proxies (if any) report it; "unknown" without a peer."""
    return request.client.host if request.client else "unknown"


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]
SessionDep = Annotated[Session, Depends(get_session)]
StoreDep = Annotated[Store, Depends(get_store)]
CeleryDep = Annotated[Celery, Depends(get_celery)]
RequestIdDep = Annotated[str, Depends(get_request_id)]
NowDep = Annotated[datetime, Depends(get_now)]
ClientAddressDep = Annotated[str, Depends(get_client_address)]
