"""Schemathesis over the whole app's OpenAPI spec, as an admin: no 5xx, responses as the spec says.

Bounded (a few examples per operation) so it stays a smoke test; marked slow.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err, Ok
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from channel.app import create_app
from channel.grid import ensure_channel
from channel.migrate import upgrade
from channel.models import Role
from channel.settings import Settings
from channel.state import state_of
from tests.channel.api_fixtures import sign_in

KNOWN_SLUG = "kenh-chinh"
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def openapi_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    """One migrated app for the whole run, with an admin token."""
    data_dir: Path = tmp_path_factory.mktemp("openapi") / "var"
    app_settings = Settings(data_dir=data_dir, env="test")
    upgrade(app_settings.resolved_database_url)
    app = create_app(app_settings)
    admin = sign_in(
        state_of(app).sessionmaker,
        Role.ADMIN,
        "quan-tri",
        secret_key=app_settings.secret_key,
        display_name="Quản trị",
    )
    with state_of(app).sessionmaker() as session:
        ensure_channel(session, slug=KNOWN_SLUG, name="Kênh Pháp luật", settings=app_settings)
        session.commit()
    with TestClient(app):  # runs the lifespan
        yield app, admin.headers


def _on_known_channel(case: Any) -> Any:
    case.path_parameters = {**(case.path_parameters or {}), "slug": KNOWN_SLUG}
    return case


def _exercise(operation: Any, headers: dict[str, str], *, known: bool = False) -> None:
    strategy = operation.as_strategy()
    if known:
        strategy = strategy.map(_on_known_channel)

    @given(case=strategy)
    @settings(
        max_examples=6,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.mark.slow
def test_api_conforms_to_its_spec(openapi_app: tuple[FastAPI, dict[str, str]]) -> None:
    """Every operation, a few generated requests each; all failures are reported together."""
    app, headers = openapi_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    results = list(schema.get_all_operations())
    broken = [r.err() for r in results if isinstance(r, Err)]
    assert not broken, broken  # the spec itself must be valid
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    assert len(operations) > 10
    runs = [(op, False) for op in operations] + [(op, True) for op in operations if "{slug}" in op.path]
    for operation, known in runs:
        try:
            _exercise(operation, headers, known=known)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            failures.append(f"{operation.label}{' (known slug)' if known else ''}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
