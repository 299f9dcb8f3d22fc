"""nginx as the legaltv edge on loopback ports, from the repository's own templates (docker/nginx/templates).

The templates are filled in the way the nginx image fills them (envsubst of the `${LEGALTV_EDGE_...}`
names only, nginx's own `$variables` untouched), wrapped in a minimal main configuration with every
path inside one folder, and Debian's nginx runs them in the foreground. Used by the edge tests and by
`bench/viewers.py`; `render` refuses a template naming a value it was not given, so the tests and the
compose file cannot drift apart silently.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx

from channel.processes import stop_process

__all__ = ["TEMPLATES", "Edge", "cors_map", "edge_values", "render", "running_edge"]

TEMPLATES = Path(__file__).resolve().parents[1] / "docker" / "nginx" / "templates"
_NAME = re.compile(r"\$\{(LEGALTV_EDGE_[A-Z0-9_]+)\}")

_MAIN = """{user}worker_processes {workers};
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    include {root}/conf.d/legaltv-edge.conf;
}}
"""


def render(template: str, values: Mapping[str, str]) -> str:
    """envsubst restricted to the edge's names; a name without a value is an error, not an empty string."""
    missing = sorted({name for name in _NAME.findall(template) if name not in values})
    if missing:
        raise KeyError(f"no value for {', '.join(missing)}")
    return _NAME.sub(lambda match: values[match.group(1)], template)


def cors_map(origins: Sequence[str]) -> str:
    """The body of the edge's media CORS map for `LEGALTV_CORS_ORIGINS`."""
    if "*" in origins:
        return 'default "*";'
    return " ".join(['default "";', *(f'"{origin}" $http_origin;' for origin in origins)])


def edge_values(
    root: Path,
    *,
    port: int,
    upstreams: Sequence[str],
    media: Literal["local", "s3"],
    store: Path | None = None,
    s3_endpoint: str = "http://127.0.0.1:9",
    s3_bucket: str = "none",
    media_secret: str = "",
    cors_origins: Sequence[str] = ("*",),
    access_log: bool = True,
) -> dict[str, str]:
    """The values the compose file gives the nginx image, for loopback ports and a folder of our own."""
    return {
        "LEGALTV_EDGE_LISTEN": f"127.0.0.1:{port}",
        "LEGALTV_EDGE_UPSTREAMS": " ".join(f"server {u} max_fails=0;" for u in upstreams),
        "LEGALTV_EDGE_CACHE_DIR": str(root / "cache"),
        "LEGALTV_EDGE_MEDIA_CACHE_SIZE": "1g",
        "LEGALTV_EDGE_CONF_DIR": str(root / "conf.d"),
        "LEGALTV_EDGE_MEDIA": media,
        "LEGALTV_EDGE_STORE": str(store or root / "no-store"),
        "LEGALTV_EDGE_S3_ENDPOINT": s3_endpoint,
        "LEGALTV_EDGE_S3_BUCKET": s3_bucket,
        "LEGALTV_EDGE_MEDIA_SECRET": media_secret,
        "LEGALTV_EDGE_CORS": cors_map(cors_origins),
        "LEGALTV_EDGE_ACCESS_LOG": f"{root / 'access.log'} legaltv_edge" if access_log else "off",
    }


@dataclass(frozen=True)
class Edge:
    url: str
    root: Path
    pid: int

    def access_log(self) -> list[str]:
        path = self.root / "access.log"
        return path.read_text().splitlines() if path.exists() else []

    def error_log(self) -> str:
        path = self.root / "error.log"
        return path.read_text()[-3000:] if path.exists() else ""


@contextmanager
def running_edge(root: Path, values: Mapping[str, str], *, workers: int = 1) -> Iterator[Edge]:
    """nginx with the rendered templates in `root`, until the block ends; waits until it answers."""
    conf = root / "conf.d"
    conf.mkdir(parents=True, exist_ok=True)
    for folder in ("tmp", "cache"):
        (root / folder).mkdir(exist_ok=True)
    for template in TEMPLATES.glob("*.template"):
        (conf / template.name.removesuffix(".template")).write_text(render(template.read_text(), values))
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers read the test's private folders
    main = root / "nginx.conf"
    main.write_text(_MAIN.format(user=user, workers=workers, root=root))
    check = subprocess.run(["nginx", "-t", "-c", str(main), "-p", str(root)], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused the edge configuration:\n{check.stderr}")
    process = subprocess.Popen(
        ["nginx", "-c", str(main), "-p", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://{values['LEGALTV_EDGE_LISTEN']}"
    try:
        deadline = time.monotonic() + 15
        while True:
            assert process.poll() is None, f"nginx exited:\n{(root / 'error.log').read_text()[-2000:]}"
            try:
                httpx.get(f"{url}/media/", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "nginx did not answer in 15 s"
                time.sleep(0.05)
        yield Edge(url=url, root=root, pid=process.pid)
    finally:
        stop_process(process, grace_seconds=10)
