"""nginx-rtmp's configuration and the on_publish gate (no nginx needed)."""

from __future__ import annotations

from pathlib import Path

from channel.ingest.encoder import EventFeed, first_index_at
from channel.ingest.feeds import Admitted
from channel.ingest.rtmp import NginxRtmp, PublishGate, nginx_rtmp_config
from tests.processes import free_port
from transcoder.house import HouseFormat

FEED = EventFeed(
    event_id="ev", start_us=10_000_000, end_us=70_000_000, house=HouseFormat(segment_seconds=6.0)
)


def test_config_lets_anyone_publish_after_the_callback_and_only_loopback_play() -> None:
    text = nginx_rtmp_config(NginxRtmp(bind="0.0.0.0", port=1935, control_port=8935, workdir=Path("/w")))
    assert "listen 0.0.0.0:1935;" in text
    assert "on_publish http://127.0.0.1:8935/on_publish;" in text
    assert "allow play 127.0.0.1;\n            deny play all;" in text
    assert text.startswith("load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;")


def test_the_gate_admits_good_keys_only() -> None:
    admitted: list[str] = []

    def judge(name: str) -> tuple[Admitted | None, str]:
        return (Admitted(FEED, "p" * 32), "ok") if name == "live_good" else (None, "unknown")

    gate = PublishGate(port=free_port(), judge=judge, on_admit=lambda name, _a: admitted.append(name))
    try:
        assert gate.decide("/on_publish", "live_good") == 200
        assert gate.decide("/on_publish", "live_bad") == 403
        assert gate.decide("/on_publish", "") == 403
        assert gate.decide("/on_publish_done", "live_bad") == 200
    finally:
        gate.server.server_close()


def test_an_encode_starts_at_the_next_boundary_never_before_the_event() -> None:
    assert first_index_at(FEED, 0) == 0
    assert first_index_at(FEED, 10_000_000) == 1  # 0.6 s ahead needed: segment 1
    assert first_index_at(FEED, 15_000_000) == 1
    assert first_index_at(FEED, 15_500_000) == 2
    assert FEED.segment_count == 10
