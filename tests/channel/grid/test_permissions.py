"""Every endpoint of the grid refuses a missing token (401) and the wrong role (403)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.channel.grid.conftest import Grid

SLUG = "kenh-quyen"
ANY_ID = str(uuid.UUID(int=0x5EED))  # fixed: test ids must be the same in every collection

# (method, url, body, roles refused with 403); admins and schedulers always pass these checks
WRITES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/api/channels", {"slug": "kenh-moi", "name": "Kênh mới"}),
    ("PATCH", f"/api/channels/{SLUG}", {"name": "Tên mới"}),
    ("POST", f"/api/channels/{SLUG}/entries", {"programme_id": ANY_ID, "start": "2030-01-01T20:00"}),
    ("PATCH", f"/api/entries/{ANY_ID}", {"mode": "soft"}),
    ("DELETE", f"/api/entries/{ANY_ID}", None),
    ("DELETE", f"/api/series/{ANY_ID}", None),
    ("POST", f"/api/channels/{SLUG}/copy", {"source": "2030-01-01", "target": "2030-01-02"}),
    ("POST", f"/api/channels/{SLUG}/publish", None),
]
STAFF_READS = [
    f"/api/channels/{SLUG}/settings",
    f"/api/channels/{SLUG}/entries",
    f"/api/channels/{SLUG}/conflicts",
    f"/api/channels/{SLUG}/as-run",
    "/api/audit",
]


@pytest.fixture
def channel(grid: Grid) -> Grid:
    if grid.client.get(f"/api/channels/{SLUG}").status_code == 404:
        grid.channel(SLUG)
    return grid


def _call(grid: Grid, method: str, url: str, body: dict[str, Any] | None, headers: dict[str, str]) -> Any:
    return grid.client.request(method, url, json=body, headers=headers)


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_writes_need_a_token_and_the_scheduler_role(
    channel: Grid, method: str, url: str, body: dict[str, Any] | None
) -> None:
    anonymous = _call(channel, method, url, body, {})
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    garbage = _call(channel, method, url, body, {"Authorization": "Bearer ltv_khong-hop-le"})
    assert garbage.status_code == 401
    for role in ("producer", "producer2"):
        refused = _call(channel, method, url, body, channel.users[role].headers)
        assert refused.status_code == 403, (role, refused.text)
        assert refused.json()["error"]["code"] == "forbidden"
    for role in ("scheduler", "admin"):
        allowed = _call(channel, method, url, body, channel.users[role].headers)
        assert allowed.status_code not in (401, 403), (role, allowed.text)


@pytest.mark.parametrize("url", STAFF_READS)
def test_staff_reads_need_a_token(channel: Grid, url: str) -> None:
    assert channel.client.get(url).status_code == 401


def test_audit_is_for_admins_and_for_schedulers_on_grid_types(channel: Grid) -> None:
    assert channel.get("/api/audit", role="producer").status_code == 403
    assert channel.get("/api/audit", role="admin", entity_type="user").status_code == 200
    refused = channel.get("/api/audit", role="scheduler", entity_type="programme")
    assert refused.status_code == 403
    assert "Người lập lịch" in refused.json()["error"]["message"]
    today = datetime.now(UTC).date().isoformat()
    recent = channel.get("/api/audit", role="scheduler", limit="1", **{"from": today})
    assert recent.status_code == 200
    assert len(recent.json()) == 1
    assert channel.get("/api/audit", role="admin", **{"to": "2001-01-01"}).json() == []
    assert channel.get("/api/audit", role="admin", entity_type="x\x00").status_code == 422
    seen = channel.get("/api/audit", role="scheduler", limit="1000").json()
    assert seen
    assert {e["entity_type"] for e in seen} <= {"channel", "schedule_entry", "schedule_series"}


def test_public_reads_need_no_token(channel: Grid) -> None:
    assert channel.client.get("/api/channels").status_code == 200
    assert channel.client.get(f"/api/channels/{SLUG}").status_code == 200
