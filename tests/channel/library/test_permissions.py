"""Every write endpoint of the library answers 401 without a token and 403 to the wrong role."""

from __future__ import annotations

from tests.channel.library.conftest import Library

PID = "{pid}"
TUS = {"Tus-Resumable": "1.0.0"}
UPLOAD = "0123456789abcdef0123456789abcdef"

# (method, path, the role that must be refused, request extras)
WRITES: list[tuple[str, str, str, dict[str, object]]] = [
    ("POST", "/api/topics", "producer", {"json": {"name": "Luật Thuế"}}),
    ("POST", "/api/programmes", "scheduler", {"json": {"title": "Không được"}}),
    ("PATCH", f"/api/programmes/{PID}", "scheduler", {"json": {"title": "Không được"}}),
    ("DELETE", f"/api/programmes/{PID}", "scheduler", {}),
    ("POST", f"/api/programmes/{PID}/source", "scheduler", {"content": b"x"}),
    ("POST", f"/api/programmes/{PID}/retry", "scheduler", {}),
    ("POST", f"/api/programmes/{PID}/cancel", "scheduler", {}),
    ("POST", f"/api/programmes/{PID}/subtitles", "scheduler", {"content": b"WEBVTT\n"}),
    ("POST", "/api/uploads/", "scheduler", {"headers": {**TUS, "Upload-Length": "10"}}),
    ("PATCH", f"/api/uploads/{UPLOAD}", "scheduler", {"headers": {**TUS, "Upload-Offset": "0"}}),
    ("HEAD", f"/api/uploads/{UPLOAD}", "scheduler", {"headers": TUS}),
    ("DELETE", f"/api/uploads/{UPLOAD}", "scheduler", {"headers": TUS}),
    ("POST", f"/api/uploads/{UPLOAD}", "scheduler", {"headers": {**TUS, "X-HTTP-Method-Override": "DELETE"}}),
    # editorial review (channel.editorial): editors and admins only, never the producer
    ("POST", f"/api/programmes/{PID}/review/approve", "producer", {"json": {"fingerprint": "0" * 64}}),
    (
        "POST",
        f"/api/programmes/{PID}/review/reject",
        "producer",
        {"json": {"fingerprint": "0" * 64, "reason": "x"}},
    ),
    ("POST", f"/api/programmes/{PID}/approval/withdraw", "producer", {"json": {"reason": "x"}}),
]
STAFF_READS = ["/api/programmes", f"/api/programmes/{PID}"]


def _request(lib: Library, method: str, path: str, user: str | None, extras: dict[str, object]) -> int:
    pid = lib.create()["id"] if PID in path else ""
    kwargs = dict(extras)
    headers = dict(kwargs.pop("headers", {}))  # type: ignore[call-overload]
    return lib.call(method, path.replace(PID, pid), user=user, headers=headers, **kwargs).status_code


def test_every_write_needs_a_token_and_the_right_role(lib: Library) -> None:
    # one app for the whole table (setting up users is the slow part); each row reports itself
    answers = {
        f"{method} {path}": (
            _request(lib, method, path, None, extras),
            _request(lib, method, path, wrong_role, extras),
        )
        for method, path, wrong_role, extras in WRITES
    }
    assert answers == {key: (401, 403) for key in answers}


def test_staff_reads_need_a_token(lib: Library) -> None:
    answers = {
        path: (_request(lib, "GET", path, None, {}), _request(lib, "GET", path, "scheduler", {}))
        for path in STAFF_READS
    }
    assert answers == {path: (401, 200) for path in STAFF_READS}


def test_the_table_covers_every_library_write_route(lib: Library) -> None:
    covered = {
        (method, path.replace(PID, "{programme_id}").replace(UPLOAD, "{upload_id}"))
        for method, path, _, _ in WRITES
    }
    routes = {
        (method.upper(), path)
        for path, operations in lib.app.openapi()["paths"].items()
        if path.startswith(("/api/programmes", "/api/topics", "/api/uploads"))
        for method in operations
        if method not in ("get", "options")
    }
    assert routes == covered


def test_public_reads_need_no_token(lib: Library) -> None:
    assert lib.call("GET", "/api/topics", user=None).status_code == 200
    assert lib.call("OPTIONS", "/api/uploads/", user=None).status_code == 204
