"""The API's state is built once by `create_app`, typed, and read by every dependency from there."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel.audience import AUDIENCE
from channel.auth.deps import ACCOUNT_POLICY, LOGIN_LIMITS
from channel.auth.throttle import LoginLimits
from channel.ops.metrics import METRICS
from channel.playout.cache import PLAYOUT
from channel.settings import Settings
from channel.state import Part, StateKey, parts_of, state_of
from channel.uploads import UPLOADS
from channel.web.assets import ASSETS
from channel.web.public import PUBLIC_PROGRAMMES


def test_create_app_builds_every_part_once(api_app: FastAPI, embedded_settings: Settings) -> None:
    state = state_of(api_app)
    assert state.settings is embedded_settings
    assert set(state.parts) == {
        key.name
        for key in (
            METRICS,
            LOGIN_LIMITS,
            ACCOUNT_POLICY,
            PLAYOUT,
            AUDIENCE,
            PUBLIC_PROGRAMMES,
            ASSETS,
            UPLOADS,
        )
    }
    with TestClient(api_app, client=("127.0.0.1", 50000)) as client:  # /metrics answers loopback
        assert client.get("/api/topics").status_code == 200
        assert client.get("/metrics").status_code == 200
    assert state_of(api_app) is state, "serving requests created nothing"
    assert state.part(LOGIN_LIMITS) is state.part(LOGIN_LIMITS)
    assert vars(api_app.state)["_state"].keys() == {"legaltv"}, "the one attribute set on app.state"


def test_a_missing_or_mistyped_part_is_named(api_app: FastAPI) -> None:
    state = state_of(api_app)
    unknown: StateKey[LoginLimits] = StateKey("nothing_here", LoginLimits)
    with pytest.raises(LookupError, match="no nothing_here"):
        state.part(unknown)
    mistyped = dataclasses.replace(state, parts=parts_of(Part(StateKey("login_limits", int), 3)))
    with pytest.raises(LookupError, match=r"no login_limits \(LoginLimits\)"):
        mistyped.part(LOGIN_LIMITS)


def test_two_parts_may_not_share_a_name() -> None:
    with pytest.raises(ValueError, match="share a name"):
        parts_of(Part(StateKey("a", int), 1), Part(StateKey("a", str), "x"))


def test_an_app_not_built_by_create_app_has_no_state() -> None:
    with pytest.raises(LookupError, match="create_app"):
        state_of(FastAPI())
