"""RTMP contribution through Debian's nginx RTMP module: nginx takes the connection, asks us
(``on_publish``) whether the stream key may publish now, and we pull the accepted stream from it on
loopback into the live encoder. A wrong, early, expired or revoked key is refused by nginx before
any media is taken (the publisher sees the connection closed)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from channel.ingest.feeds import Admitted

__all__ = ["RTMP_MODULE", "NginxRtmp", "PublishGate", "nginx_rtmp_config"]

log = logging.getLogger(__name__)

RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"


@dataclass(frozen=True, slots=True)
class NginxRtmp:
    """Where nginx listens for publishers and where it calls us back."""

    bind: str
    port: int
    control_port: int
    workdir: Path
    module: str = RTMP_MODULE


def nginx_rtmp_config(conf: NginxRtmp) -> str:
    """nginx.conf: one RTMP application ``live``; anyone may publish (on_publish decides), only
    loopback may play (the encoder's pull)."""
    callback = f"http://127.0.0.1:{conf.control_port}"
    return f"""load_module {conf.module};
daemon off;
master_process on;
worker_processes 1;
pid {conf.workdir}/nginx.pid;
error_log {conf.workdir}/error.log warn;
events {{ worker_connections 256; }}
rtmp {{
    server {{
        listen {conf.bind}:{conf.port};
        chunk_size 4096;
        application live {{
            live on;
            record off;
            on_publish {callback}/on_publish;
            on_publish_done {callback}/on_publish_done;
            notify_method post;
            allow play 127.0.0.1;
            deny play all;
        }}
    }}
}}
"""


#: (stream key, admitted event) → start encoding it; called once nginx has accepted the publisher
OnAdmit = Callable[[str, Admitted], None]


class PublishGate:
    """The HTTP server nginx-rtmp calls on publish: 200 admits, 403 refuses (loopback only); and
    ``GET /healthz`` for the container's health check."""

    def __init__(
        self, *, port: int, judge: Callable[[str], tuple[Admitted | None, str]], on_admit: OnAdmit
    ) -> None:
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                form = parse_qs(self.rfile.read(min(length, 65536)).decode("utf-8", "replace"))
                name = (form.get("name") or [""])[0]
                status = gate.decide(self.path, name)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def do_GET(self) -> None:  # the health check
                self.send_response(200 if self.path == "/healthz" else 404)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return None

        self._judge = judge
        self._on_admit = on_admit
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="rtmp-gate")

    def decide(self, path: str, name: str) -> int:
        if not path.startswith("/on_publish") or path.startswith("/on_publish_done"):
            return 200
        if not name:
            return 403
        admitted, verdict = self._judge(name)
        if admitted is None:
            log.warning("RTMP publish refused: key %s", verdict)
            return 403
        log.info("RTMP publish admitted for live event %s", admitted.feed.event_id)
        threading.Thread(target=self._on_admit, args=(name, admitted), daemon=True).start()
        return 200

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
