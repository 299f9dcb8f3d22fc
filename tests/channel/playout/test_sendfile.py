"""Media files sent by the server itself (`legaltv serve` runs granian, which has `http.response.pathsend`)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from channel.settings import Settings
from storage import LocalStore
from tests.web.service import running_service

pytestmark = pytest.mark.slow

SEGMENT = "programmes/p1/r1/720p/seg_00000.ts"
BODY = bytes(range(256)) * 8192  # 2 MiB


def test_segments_are_sent_by_path_and_everything_else_is_the_routes(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", env="test")
    store = LocalStore(settings.resolved_storage_path)
    store.put_bytes(SEGMENT, BODY)
    store.put_bytes("sources/p1/r1", b"the producer's uploaded source")
    portal = "https://phapluat.gov.vn"
    with (
        running_service(tmp_path / "var", embedded_worker="false", cors_origins=f'["{portal}"]') as service,
        httpx.Client(base_url=service.base_url, timeout=10) as client,
    ):
        whole = client.get(f"/media/{SEGMENT}", headers={"Origin": portal})
        head = client.head(f"/media/{SEGMENT}")
        part = client.get(f"/media/{SEGMENT}", headers={"Range": "bytes=1000-1999"})
        private = client.get("/media/sources/p1/r1")
        missing = client.get("/media/programmes/p1/r1/720p/seg_99999.ts")
        empty = client.get("/media/slates/empty.vtt")
    assert whole.status_code == 200
    assert whole.content == BODY
    assert "x-request-id" not in whole.headers  # the lean handler, in front of the middleware stack
    assert whole.headers["content-type"] == "video/mp2t"
    assert whole.headers["content-length"] == str(len(BODY))
    assert whole.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert whole.headers["x-content-type-options"] == "nosniff"
    assert whole.headers["access-control-allow-origin"] == portal
    assert whole.headers["vary"] == "Origin"
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(BODY))
    assert part.status_code == 206  # a byte range (hard-start cuts) is the route's FileResponse
    assert part.content == BODY[1000:2000]
    assert "x-request-id" in part.headers
    for refused in (private, missing):
        assert refused.status_code == 404
        assert refused.json()["error"]["message"] == "Không tìm thấy tệp / File not found"
        assert b"uploaded source" not in refused.content
    assert empty.text.startswith("WEBVTT")
