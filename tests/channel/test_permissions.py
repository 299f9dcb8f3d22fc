"""Every write endpoint of the app, found by walking its routes: 401 without a token, 403 for a wrong role.

The roles come from each route's own `require_roles` dependency, so a new write route is covered without
editing this file; a write route with no role check at all must be listed in `ANY_SIGNED_IN_USER`.
Every route that needs a signed-in user, read or write, refuses a session limited to enrolling a second
factor, except the few listed in `ENROLMENT_ROUTES`.
"""

from __future__ import annotations

import inspect
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from channel.models import Role
from tests.channel.api_fixtures import PASSWORD, ApiUser

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: the write endpoints open to anyone: the two steps of signing in
PUBLIC_WRITES = frozenset({("POST", "/api/auth/login"), ("POST", "/api/auth/login/mfa")})
#: write endpoints every signed-in user may call (no role is refused): 401 only
ANY_SIGNED_IN_USER = frozenset(
    {
        ("POST", "/api/auth/logout"),
        ("POST", "/api/auth/mfa/enrolment"),
        ("POST", "/api/auth/mfa/enrolment/confirm"),
        ("DELETE", "/api/auth/sessions/{session_id}"),
    }
)
#: all that a session limited to enrolling a second factor may reach
ENROLMENT_ROUTES = frozenset(
    {
        ("GET", "/api/auth/me"),
        ("POST", "/api/auth/logout"),
        ("POST", "/api/auth/mfa/enrolment"),
        ("POST", "/api/auth/mfa/enrolment/confirm"),
    }
)
_PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")


@dataclass(frozen=True)
class WriteRoute:
    method: str
    path: str
    allowed: frozenset[Role] | None  # None: no role check on the route

    @property
    def url(self) -> str:
        def value(match: re.Match[str]) -> str:
            return "kenh-quyen" if match.group(1) == "slug" else str(uuid.uuid4())

        return _PARAM.sub(value, self.path)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _allowed_roles(dependant: Dependant) -> frozenset[Role] | None:
    """The roles admitted by the route's `require_roles` checks (all must pass), or None without one."""
    allowed: frozenset[Role] | None = None
    for call in _calls(dependant):
        if getattr(call, "__qualname__", "").startswith("require_roles."):
            roles = frozenset(inspect.getclosurevars(call).nonlocals["allowed"])
            allowed = roles if allowed is None else allowed & roles
    return allowed


def write_routes(routes: list[Any], prefix: str = "") -> Iterator[WriteRoute]:
    """Every non-read route, through included routers and mounted apps."""
    for route in routes:
        if isinstance(route, Mount):
            yield from write_routes(list(route.routes), prefix + route.path)
    for context in iter_route_contexts(routes):
        dependant = getattr(context.route, "dependant", None)
        for method in sorted(set(context.methods or ()) - READ_METHODS):
            if dependant is None:
                raise AssertionError(
                    f"{method} {prefix}{context.path}: a write route outside FastAPI's checks"
                )
            yield WriteRoute(method, f"{prefix}{context.path}", _allowed_roles(dependant))


@pytest.fixture
def client(api_app: FastAPI, api_users: dict[str, ApiUser]) -> Iterator[TestClient]:
    with TestClient(api_app, raise_server_exceptions=False) as client:
        yield client


def test_the_walk_finds_the_known_write_routes(api_app: FastAPI) -> None:
    found = {(r.method, r.path) for r in write_routes(list(api_app.routes))}
    for known in [
        ("POST", "/api/programmes"),
        ("DELETE", "/api/programmes/{programme_id}"),
        ("PATCH", "/api/uploads/{upload_id}"),
        ("POST", "/api/channels/{slug}/publish"),
        ("PATCH", "/api/users/{user_id}"),
        *PUBLIC_WRITES,
        *ANY_SIGNED_IN_USER,
    ]:
        assert known in found


def test_every_write_route_refuses_a_missing_token(api_app: FastAPI, client: TestClient) -> None:
    checked = 0
    for route in write_routes(list(api_app.routes)):
        if (route.method, route.path) in PUBLIC_WRITES:
            continue
        response = client.request(route.method, route.url, headers={"Tus-Resumable": "1.0.0"})
        assert response.status_code == 401, (
            f"{route.method} {route.path}: {response.status_code} {response.text}"
        )
        assert response.json()["error"]["code"] == "not_authenticated"
        checked += 1
    assert checked >= 20


def test_every_write_route_refuses_a_wrong_role(
    api_app: FastAPI, client: TestClient, api_users: dict[str, ApiUser]
) -> None:
    by_role = {
        Role.PRODUCER: api_users["producer"],
        Role.SCHEDULER: api_users["scheduler"],
        Role.EDITOR: api_users["editor"],
    }
    checked = 0
    for route in write_routes(list(api_app.routes)):
        key = (route.method, route.path)
        if key in PUBLIC_WRITES or key in ANY_SIGNED_IN_USER:
            continue
        assert route.allowed is not None, f"{route.method} {route.path}: a write route without require_roles"
        refused = [role for role in by_role if role not in route.allowed]
        assert refused, f"{route.method} {route.path}: every role may call it; list it in ANY_SIGNED_IN_USER"
        for role in refused:
            headers = {**by_role[role].headers, "Tus-Resumable": "1.0.0"}
            response = client.request(route.method, route.url, headers=headers)
            assert response.status_code == 403, f"{route.method} {route.path} as {role}: {response.text}"
            checked += 1
    assert checked >= 20


def test_an_enrolment_session_reaches_nothing_but_enrolment(
    api_app: FastAPI, client: TestClient, api_users: dict[str, ApiUser]
) -> None:
    """An admin without a second factor signs in with the password: every route that needs a user
    answers 403 `mfa_enrolment_required` except the enrolment ones, read routes included."""
    from channel.auth.deps import current_session, current_user

    signed = client.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    assert signed.json()["scope"] == "mfa_enrolment"
    headers = {"Authorization": f"Bearer {signed.json()['access_token']}", "Tus-Resumable": "1.0.0"}
    open_to_enrolment, refused = set(), 0
    for context in iter_route_contexts(list(api_app.routes)):
        dependant = getattr(context.route, "dependant", None)
        calls = set(_calls(dependant)) if dependant is not None else set()
        if current_session not in calls:
            continue  # public, or not a FastAPI route
        for method in sorted(set(context.methods or ()) - {"HEAD", "OPTIONS"}):
            if current_user not in calls:
                open_to_enrolment.add((method, context.path))
                continue
            assert context.path is not None, context
            url = WriteRoute(method, context.path, None).url
            response = client.request(method, url, headers=headers)
            assert response.status_code == 403, (
                f"{method} {context.path}: {response.status_code} {response.text}"
            )
            assert response.json()["error"]["code"] == "mfa_enrolment_required"
            refused += 1
    assert open_to_enrolment == ENROLMENT_ROUTES
    assert refused >= 30
