"""Celery configuration derived from settings: delivery guarantees, queues, routes, brokers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from channel.celery_config import celery_config
from channel.settings import Settings


def _route(config: dict[str, Any], name: str) -> str:
    routes = config["task_routes"]
    assert isinstance(routes, tuple)
    return str(routes[0](name, (), {}, {})["queue"])


def test_long_job_guarantees_and_json_only(tmp_path: Path) -> None:
    config = celery_config(Settings(data_dir=tmp_path))
    assert config["task_acks_late"] is True
    assert config["task_reject_on_worker_lost"] is True
    assert config["worker_prefetch_multiplier"] == 1
    assert config["task_track_started"] is True
    assert config["broker_connection_retry_on_startup"] is True
    assert config["accept_content"] == ["json"]
    assert config["task_serializer"] == config["result_serializer"] == "json"


def test_transcoder_tasks_go_to_the_transcode_queue(tmp_path: Path) -> None:
    config = celery_config(Settings(data_dir=tmp_path))
    assert _route(config, "transcoder.encode_chunk") == "transcode"
    assert _route(config, "channel.ping") == "quick"
    assert _route(config, "channel.compile_playout") == "quick"
    assert config["task_default_queue"] == "quick"


def test_embedded_broker_shares_one_queue_folder(tmp_path: Path) -> None:
    config = celery_config(Settings(data_dir=tmp_path))
    options = config["broker_transport_options"]
    assert config["broker_url"] == "filesystem://localhost/"
    assert (
        options["data_folder_in"]
        == options["data_folder_out"]
        == str(tmp_path.resolve() / "broker" / "queue")
    )
    assert options["store_processed"] is False
    assert str(config["result_backend"]).startswith("db+sqlite:///")


def test_redis_visibility_timeout_outlasts_the_longest_transcode(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        broker_url="redis://r:6379/0",
        result_backend="redis://r:6379/1",
        transcode_timeout_seconds=7200,
    )
    config = celery_config(settings)
    assert config["broker_url"] == "redis://r:6379/0"
    assert config["result_backend"] == "redis://r:6379/1"
    assert config["broker_transport_options"]["visibility_timeout"] >= 7200
    assert config["task_time_limit"] == 7200
