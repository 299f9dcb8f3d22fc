"""The security officer's CSV: UTF-8 with BOM, whole days in Vietnam's time, chain order, formula-safe
cells, and every hashed field so a copy can be checked; from the API (admins only) and the CLI."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from channel import audit
from channel.audit.export import HEADER
from channel.state import state_of
from tests.channel.api_fixtures import ApiUser
from tests.legaltv_cli import cli_env, run_cli


def _seed(app: FastAPI, actor: uuid.UUID) -> None:
    """Three records: the last second of 30 Nov and the first of 1 Dec (Vietnam), and one with a formula."""
    with state_of(app).sessionmaker() as session:
        for at, entity, changes in (
            (datetime(2026, 11, 30, 16, 59, 59, tzinfo=UTC), "p-truoc", {"title": "Trước nửa đêm"}),
            (datetime(2026, 11, 30, 17, 0, 0, tzinfo=UTC), "p-sau", {"title": "Luật Hôn nhân và Gia đình"}),
            (datetime(2026, 12, 1, 9, 30, 0, 123456, tzinfo=UTC), "=HYPERLINK(1)", {"note": "=1+1"}),
        ):
            event = audit.record(
                session,
                actor_id=actor,
                action="programme.update",
                entity_type="programme",
                entity_id=entity,
                changes=changes,
                request_id="r-1",
            )
            event.at = at  # the instant the test needs (hashed at commit with it)
            session.commit()


def _rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_admins_download_whole_days_in_vietnams_time(
    api_app: FastAPI, api_client: TestClient, api_users: dict[str, ApiUser]
) -> None:
    admin = api_users["admin"]
    _seed(api_app, admin.user.id)
    response = api_client.get("/api/audit/export.csv?from=2026-12-01&to=2026-12-01", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="nhat-ky-kiem-toan_2026-12-01_2026-12-01.csv"' in response.headers["content-disposition"]
    assert b"\r\n" in response.content  # Excel's line ends
    header, *rows = _rows(response.content)
    assert tuple(header) == HEADER
    assert [row[8] for row in rows] == ["p-sau", "'=HYPERLINK(1)"]  # 30 Nov 23:59:59 local is the day before
    first = dict(zip(header, rows[0], strict=True))
    assert first[HEADER[2]] == "2026-12-01 00:00:00"
    assert first["UTC"] == "2026-11-30T17:00:00.000000Z"
    assert first[HEADER[4]] == "admin"
    assert json.loads(first[HEADER[9]]) == {"title": "Luật Hôn nhân và Gia đình"}
    # the copy can be checked on its own: the hash is recomputed from the row's fields
    assert first["hash"] == audit.event_hash(
        seq=int(first["seq"]),
        event_id=first["id"],
        at=datetime.fromisoformat(first["UTC"].replace("Z", "+00:00")),
        actor_id=first["actor_id"] or None,
        action=first[HEADER[6]],
        entity_type=first[HEADER[7]],
        entity_id=first[HEADER[8]],
        changes=json.loads(first[HEADER[9]]),
        request_id=first["request_id"] or None,
        prev_hash=first["prev_hash"],
    )


def test_only_admins_and_only_real_periods(api_client: TestClient, api_users: dict[str, ApiUser]) -> None:
    url = "/api/audit/export.csv?from=2026-12-01&to=2026-12-02"
    assert api_client.get(url).status_code == 401
    for role in ("producer", "scheduler", "editor"):
        assert api_client.get(url, headers=api_users[role].headers).status_code == 403
    admin = api_users["admin"].headers
    backwards = api_client.get("/api/audit/export.csv?from=2026-12-02&to=2026-12-01", headers=admin)
    assert backwards.status_code == 422
    assert backwards.json()["error"]["code"] == "invalid_period"
    assert " / " in backwards.json()["error"]["message"]
    for bad in (
        "from=9999-12-31&to=9999-12-31",
        "from=2026-13-01&to=2026-12-01",
        "from=hôm-qua&to=2026-12-01",
    ):
        refused = api_client.get(f"/api/audit/export.csv?{bad}", headers=admin)
        assert refused.status_code == 422, bad
        assert "Traceback" not in refused.text


def test_the_cli_writes_the_same_file(
    api_app: FastAPI, api_users: dict[str, ApiUser], tmp_path: Path
) -> None:
    _seed(api_app, api_users["admin"].user.id)
    settings = state_of(api_app).settings
    out = tmp_path / "nhat-ky.csv"
    env = cli_env(settings.data_dir)
    done = run_cli(
        "audit", "export", "--from", "2026-11-30", "--to", "2026-12-01", "--output", str(out), env=env
    )
    assert done.returncode == 0, done.stderr
    _, *rows = _rows(out.read_bytes())
    assert [row[8] for row in rows] == ["p-truoc", "p-sau", "'=HYPERLINK(1)"]
    assert [int(row[0]) for row in rows] == sorted(int(row[0]) for row in rows)
    wrong = run_cli("audit", "export", "--from", "2026-12-02", "--to", "2026-12-01", env=env)
    assert wrong.returncode == 2
    assert "--from/--to" in wrong.stderr
