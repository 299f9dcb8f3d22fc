"""The viewer fleet of `bench/viewers.py`: N HLS viewers in one asyncio process, each a small client.

Each viewer keeps one HTTP/1.1 keep-alive connection, reloads its variant's media playlist every target
duration and downloads every segment that is new since its last reload, in full. Playlists are read
and parsed; segment bodies are not copied into Python at all: they are spliced from the socket into a
pipe and from the pipe into /dev/null (Linux `splice(2)`, zero-copy), so the fleet's own CPU stays far
below the servers' and the fleet is not what limits the count (the bench prints its CPU beside theirs).

A viewer records, for every segment, whether it was late: its download took more than half its
duration, or it finished more than a target duration plus half the segment's duration after the
segment had aired (a viewer reloading on time finds a segment within a target duration, so this
catches playlists answered slowly and servers holding requests back); and for every reload whether
the playlist was stale: the segment after its newest one had already completed when the reload was
sent. `STALE_SLACK` allows for scheduling on a busy machine.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["STALE_SLACK", "Fleet", "Tally", "Viewer"]

STALE_SLACK = 0.25
_F_SETPIPE_SZ = 1031
_PIPE_BYTES = 1 << 20
_SPLICE = os.SPLICE_F_MOVE | os.SPLICE_F_NONBLOCK


@dataclass
class Tally:
    """What the viewers of one step saw."""

    segments: int = 0
    late: int = 0  # downloaded in more than half their duration
    stale: int = 0
    reloads: int = 0
    errors: int = 0
    behind: int = 0  # viewers whose newest segment was too old when the step ended
    bytes: int = 0
    download_s: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Viewer:
    playlist: str  # the path of its variant's media playlist


class _Closed(Exception):
    """The server closed the connection (or never answered)."""


class _Connection:
    """One keep-alive connection; bodies read (playlists) or spliced away (segments)."""

    def __init__(self, host: str, port: int, pipe: tuple[int, int], sink: int) -> None:
        self.host, self.port = host, port
        self.pipe, self.sink = pipe, sink
        self.sock: socket.socket | None = None
        self.loop = asyncio.get_running_loop()

    async def _open(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await self.loop.sock_connect(sock, (self.host, self.port))
        self.sock = sock
        return sock

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    async def get(self, path: str, *, keep: bool) -> tuple[int, bytes, int]:
        """(status, body if `keep` else b"", body length); reconnects once if the server closed it."""
        for attempt in (1, 2):
            sock = self.sock or await self._open()
            try:
                return await self._exchange(sock, path, keep=keep)
            except (_Closed, ConnectionError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _exchange(self, sock: socket.socket, path: str, *, keep: bool) -> tuple[int, bytes, int]:
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode()
        await self.loop.sock_sendall(sock, request)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = await self.loop.sock_recv(sock, 16384)
            if not chunk:
                raise _Closed
            head += chunk
        header, _, rest = head.partition(b"\r\n\r\n")
        lines = header.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if keep:
            body = rest
            while len(body) < length:
                chunk = await self.loop.sock_recv(sock, max(65536, length - len(body)))
                if not chunk:
                    raise _Closed
                body += chunk
            return status, body, length
        await self._discard(sock, length - len(rest))
        return status, b"", length

    async def _discard(self, sock: socket.socket, remaining: int) -> None:
        fd = sock.fileno()
        read_end, write_end = self.pipe
        while remaining > 0:
            try:
                moved = os.splice(fd, write_end, min(remaining, _PIPE_BYTES), flags=_SPLICE)
            except BlockingIOError:
                await self._readable(fd)
                continue
            if moved == 0:
                raise _Closed
            os.splice(read_end, self.sink, moved, flags=os.SPLICE_F_MOVE)  # empties the shared pipe at once
            remaining -= moved

    def _readable(self, fd: int) -> asyncio.Future[None]:
        future: asyncio.Future[None] = self.loop.create_future()

        def ready() -> None:
            self.loop.remove_reader(fd)
            if not future.done():
                future.set_result(None)

        self.loop.add_reader(fd, ready)
        return future


def _parse(body: bytes) -> tuple[int, list[tuple[int, str, float, float]]]:
    """(target duration, [(sequence number, URI, duration, end in Unix seconds)]) of a media playlist."""
    target, sequence, at, duration = 6, 0, 0.0, 0.0
    segments: list[tuple[int, str, float, float]] = []
    for line in body.decode().splitlines():
        if line.startswith("#EXTINF:"):
            duration = float(line[8:].partition(",")[0])
        elif line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            at = datetime.fromisoformat(line[25:]).timestamp()
        elif line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            sequence = int(line[22:])
        elif line.startswith("#EXT-X-TARGETDURATION:"):
            target = int(line[22:])
        elif line and not line.startswith("#"):
            at += duration
            segments.append((sequence + len(segments), line, duration, at))
    return target, segments


class Fleet:
    """Runs viewers against one server (host, port) and tallies what they saw."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    async def run(
        self,
        viewers: list[Viewer],
        *,
        warmup_s: float,
        measure_s: float,
        marks: tuple[Callable[[], None], Callable[[], None]] = (lambda: None, lambda: None),
    ) -> Tally:
        """Every viewer joins within the first target duration; only what starts after `warmup_s` counts.

        `marks` are called when the measured interval begins and ends (the bench reads CPU times there)."""
        read_end, write_end = os.pipe()
        fcntl.fcntl(write_end, _F_SETPIPE_SZ, _PIPE_BYTES)
        sink = os.open(os.devnull, os.O_WRONLY)
        tally = Tally()
        loop = asyncio.get_running_loop()
        begin = loop.time()
        measure_from, stop_at = begin + warmup_s, begin + warmup_s + measure_s
        loop.call_at(measure_from, marks[0])
        loop.call_at(stop_at, marks[1])
        try:
            tasks = [
                asyncio.create_task(
                    self._watch(
                        v, i / len(viewers), tally, (read_end, write_end), sink, measure_from, stop_at
                    )
                )
                for i, v in enumerate(viewers)
            ]
            # a viewer that fell behind may still be downloading at the end: the step ends anyway
            _, late = await asyncio.wait(tasks, timeout=stop_at - loop.time() + 2.0)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        finally:
            for fd in (read_end, write_end, sink):
                os.close(fd)
        return tally

    async def _watch(
        self,
        viewer: Viewer,
        share: float,
        tally: Tally,
        pipe: tuple[int, int],
        sink: int,
        measure_from: float,
        stop_at: float,
    ) -> None:
        loop = asyncio.get_running_loop()
        connection = _Connection(self.host, self.port, pipe, sink)
        newest, newest_end = -1, time.time()
        target = 6.0
        await asyncio.sleep(share * target)  # viewers join spread over one target duration
        due = loop.time()
        try:
            while loop.time() < stop_at:
                sent_wall, sent = time.time(), loop.time()
                counted = sent >= measure_from
                try:
                    status, body, _ = await connection.get(viewer.playlist, keep=True)
                except (OSError, _Closed):
                    tally.errors += counted
                    return
                if status != 200:
                    tally.errors += counted
                    return
                target_s, segments = _parse(body)
                target = float(target_s)
                if counted:
                    tally.reloads += 1
                    # the segment after the newest one had completed when the reload left: stale
                    if segments and sent_wall > segments[-1][3] + segments[-1][2] + STALE_SLACK:
                        tally.stale += 1
                fresh = [s for s in segments if s[0] > newest] if newest >= 0 else segments[-1:]
                for number, uri, duration, ended in fresh:
                    started = loop.time()
                    try:
                        status, _, size = await connection.get(uri, keep=False)
                    except (OSError, _Closed):
                        tally.errors += started >= measure_from
                        return
                    took = loop.time() - started
                    newest, newest_end = number, ended
                    if measure_from <= started < stop_at:
                        # late: a slow download, or one that came too long after the segment was there
                        # (a viewer reloading on time finds it within a target duration)
                        overdue = time.time() - ended > target + duration / 2 + STALE_SLACK
                        tally.segments += 1
                        tally.bytes += size
                        tally.download_s.append(took)
                        tally.late += took > duration / 2 or overdue
                        tally.errors += status != 200
                due += target
                await asyncio.sleep(max(0.0, due - loop.time()))
        finally:
            connection.close()
            # a viewer that never got its next segment (a server holding its requests back) is behind too
            if time.time() - newest_end > 2 * target + STALE_SLACK:
                tally.behind += 1
