"""JSON-lines logs carry the request id; the id is echoed; unhandled errors stay server-side."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from channel.app import create_app
from channel.http.requestid import current_request_id, safe_request_id
from channel.ops.logging import JsonFormatter, configure_logging
from channel.settings import Settings


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("uvicorn.access").disabled = False


def _app(settings: Settings) -> TestClient:
    """The app with routes that fail, log, and validate a path parameter."""
    app = create_app(settings)
    router = APIRouter()
    seen: dict[str, str | None] = {}

    @router.get("/boom/{item}")
    def boom(item: str) -> None:
        raise RuntimeError(f"/srv/secret/{item} exploded")

    @router.get("/echo")
    def echo() -> dict[str, str | None]:
        logging.getLogger("legaltv.domain").info("deep inside")
        seen["id"] = current_request_id()
        return seen

    @router.get("/items/{number}")
    def item(number: int) -> dict[str, int]:
        return {"number": number}

    app.include_router(router)
    return TestClient(app)


def _json_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """The JSON log lines written to stderr so far."""
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]


def test_formatter_writes_one_json_object_per_line() -> None:
    record = logging.LogRecord("legaltv.x", logging.WARNING, __file__, 1, "xin chào %s", ("Lan",), None)
    record.programme_id = "p1"
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "legaltv.x"
    assert entry["msg"] == "xin chào Lan"
    assert entry["programme_id"] == "p1"
    assert entry["ts"].endswith("+00:00")


def test_safe_request_id() -> None:
    assert safe_request_id("abc-123_X.y:z") == "abc-123_X.y:z"
    for unsafe in ("a b", "x\ninjected", "a" * 65, "", None, "<script>"):
        generated = safe_request_id(unsafe)
        assert generated != unsafe
        assert len(generated) == 16


def test_request_id_is_echoed_and_reaches_domain_logs(
    embedded_settings: Settings, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    configure_logging("INFO")
    with _app(embedded_settings) as client:
        response = client.get("/echo", headers={"X-Request-ID": "req-42"})
        generated = client.get("/echo", headers={"X-Request-ID": "bad id\r\n"})

    assert response.headers["X-Request-ID"] == "req-42"
    assert response.json() == {"id": "req-42"}
    assert generated.headers["X-Request-ID"] != "bad id\r\n"
    entries = _json_lines(capsys)
    domain = [e for e in entries if e["logger"] == "legaltv.domain"]
    assert [e["request_id"] for e in domain] == ["req-42", generated.headers["X-Request-ID"]]
    access = [e for e in entries if e["logger"] == "legaltv.access"]
    assert access[0]["request_id"] == "req-42"
    assert access[0]["method"] == "GET"
    assert access[0]["route"] == "/echo"
    assert access[0]["status"] == 200
    assert access[0]["duration_ms"] >= 0


def test_unhandled_error_is_generic_json_and_logged_with_trace(
    embedded_settings: Settings, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    configure_logging("INFO")
    with _app(embedded_settings) as client:
        response = client.get("/boom/x1", headers={"X-Request-ID": "req-err"})

    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "req-err"
    assert response.json() == {
        "error": {
            "code": "internal",
            "message": "Lỗi máy chủ nội bộ / Internal server error",
            "details": [],
            "request_id": "req-err",
        }
    }
    assert "/srv/secret" not in response.text
    assert "Traceback" not in response.text
    entries = _json_lines(capsys)
    [error] = [e for e in entries if e["logger"] == "legaltv.errors"]
    assert error["request_id"] == "req-err"
    assert "RuntimeError: /srv/secret/x1 exploded" in error["exc"]
    [access] = [e for e in entries if e["logger"] == "legaltv.access"]
    assert (access["status"], access["route"]) == (500, "/boom/{item}")


def test_http_and_validation_errors_share_the_shape(embedded_settings: Settings) -> None:
    with _app(embedded_settings) as client:
        missing = client.get("/nothing-here")
        invalid = client.get("/items/abc")

    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert missing.json()["error"]["message"] == "Không tìm thấy / Not found"
    assert invalid.status_code == 422
    body = invalid.json()["error"]
    assert body["code"] == "validation_error"
    assert body["details"][0]["loc"] == ["path", "number"]
    assert body["request_id"] == invalid.headers["X-Request-ID"]
