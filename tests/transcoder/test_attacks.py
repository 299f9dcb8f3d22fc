"""Hostile uploads (issue 9 §1): playlists and lists disguised as media must never pull anything in.

Each file is uploaded to a real LocalStore and run through the whole `transcoder.pipeline.transcode`
with real ffmpeg; each must end as `SourceRejected` with code `not_media`, a message without a path,
and nothing under the programme's prefix. The "secret" is a real, valid MPEG-TS file elsewhere on
the machine, which the pre-fix pipeline happily transcoded and published.
"""

from __future__ import annotations

import base64
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from storage import LocalStore
from tests.clips import av_clip
from transcoder.errors import SourceRejected
from transcoder.house import HouseFormat
from transcoder.pipeline import transcode

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Target:
    """What an attacker points at: a real media file on the machine and a listening socket."""

    secret: Path
    port: int


class Listener:
    """A real TCP listener on loopback that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port: int = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory, listener: Listener) -> Target:
    secret = tmp_path_factory.mktemp("elsewhere") / "secret.ts"
    av_clip(secret, seconds=3)
    return Target(secret=secret, port=listener.port)


def _playlist(entry: str) -> str:
    return f"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXTINF:3.0,\n{entry}\n#EXT-X-ENDLIST\n"


def _master(entry: str) -> str:
    return f"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=320x180\n{entry}\n"


def _mpd(entry: str) -> str:
    return (
        '<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" '
        'mediaPresentationDuration="PT3S" minBufferTime="PT1S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">'
        f'<Period><AdaptationSet><Representation id="1" bandwidth="800000"><BaseURL>{entry}</BaseURL>'
        "</Representation></AdaptationSet></Period></MPD>\n"
    )


HOSTILE: dict[str, Callable[[Target], str]] = {
    "hls_absolute_path": lambda t: _playlist(str(t.secret)),
    "hls_file_url": lambda t: _playlist(f"file:{t.secret}"),
    "hls_http_loopback": lambda t: _playlist(f"http://127.0.0.1:{t.port}/secret.ts"),
    "hls_master_absolute_path": lambda t: _master(str(t.secret)),
    "hls_concat_protocol": lambda t: _playlist(f"concat:{t.secret}|{t.secret}"),
    "hls_subfile_protocol": lambda t: _playlist(f"subfile:,start,0,end,0,:{t.secret}"),
    "hls_data_uri": lambda t: _playlist(
        "data:video/mp2t;base64," + base64.b64encode(t.secret.read_bytes()).decode("ascii")
    ),
    "ffconcat_absolute_path": lambda t: f"ffconcat version 1.0\nfile '{t.secret}'\n",
    "ffconcat_file_url": lambda t: f"ffconcat version 1.0\nfile 'file:{t.secret}'\n",
    "ffconcat_http_loopback": lambda t: f"ffconcat version 1.0\nfile 'http://127.0.0.1:{t.port}/s.ts'\n",
    "dash_absolute_path": lambda t: _mpd(str(t.secret)),
    "dash_http_loopback": lambda t: _mpd(f"http://127.0.0.1:{t.port}/s.ts"),
}
DISGUISES = ("evil.mp4", "evil.ts", "evil", "evil.m3u8")


@pytest.mark.parametrize("disguise", DISGUISES)
@pytest.mark.parametrize("attack", sorted(HOSTILE))
def test_hostile_upload_is_rejected_as_not_media_and_leaves_nothing(
    attack: str, disguise: str, target: Target, listener: Listener, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_bytes(f"uploads/{disguise}", HOSTILE[attack](target).encode("utf-8"))
    before = listener.connections
    with pytest.raises(SourceRejected) as caught:
        transcode(
            store=store,
            source_key=f"uploads/{disguise}",
            output_prefix="programmes/p1/r1/",
            profile=HouseFormat.with_heights(
                (144,), preset="ultrafast", segment_seconds=2.0, gop_seconds=1.0
            ),
            workdir=tmp_path / "work",
            timeout=60,
        )
    rejected = caught.value
    assert rejected.code == "not_media"
    assert rejected.message_vi.startswith("Tệp tải lên không phải")
    assert rejected.message_en.startswith("The uploaded file is not")
    assert "/" not in rejected.message
    assert [info.key for info in store.iter_keys("")] == [f"uploads/{disguise}"]
    assert not list((tmp_path / "work").iterdir())
    assert listener.connections == before, "ffmpeg connected to the loopback listener"


def test_the_secret_itself_is_a_valid_programme(target: Target, tmp_path: Path) -> None:
    """Control: the target is real media, so the rejections above are the fence, not a broken file."""
    store = LocalStore(tmp_path / "store")
    store.put_file("uploads/secret.ts", target.secret)
    description = transcode(
        store=store,
        source_key="uploads/secret.ts",
        output_prefix="programmes/p1/r1/",
        profile=HouseFormat.with_heights((144,), preset="ultrafast", segment_seconds=2.0, gop_seconds=1.0),
        workdir=tmp_path / "work",
        timeout=60,
    )
    assert description.duration == pytest.approx(3.0, abs=0.05)
