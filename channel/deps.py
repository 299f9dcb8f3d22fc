"""FastAPI dependency aliases: everything a route needs comes from `app.state` through these."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from channel.ops.requestid import new_request_id
from channel.settings import Settings
from storage import Store

__all__ = [
    "ClientAddressDep",
    "EngineDep",
    "NowDep",
    "RequestIdDep",
    "SessionDep",
    "SessionFactoryDep",
    "SettingsDep",
    "StoreDep",
    "get_client_address",
    "get_engine",
    "get_now",
    "get_request_id",
    "get_session",
    "get_session_factory",
    "get_settings",
    "get_store",
]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    return factory


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, closed afterwards; domain functions commit, routes never do."""
    with get_session_factory(request)() as session:
        yield session


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


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
RequestIdDep = Annotated[str, Depends(get_request_id)]
NowDep = Annotated[datetime, Depends(get_now)]
ClientAddressDep = Annotated[str, Depends(get_client_address)]
