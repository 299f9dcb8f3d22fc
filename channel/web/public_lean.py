"""An approved programme's public JSON as a lean answer (`channel.ops.lean`): programme pages and players
ask for it again and again, and it changes only when staff edit the programme.

The answer is read as the route reads it (the last known one while the database is down), in a
worker thread, and kept `PUBLIC_SECONDS`: the same time its Cache-Control lets any cache keep it, so
an edit shows everywhere within that. An unknown, unready or malformed id goes on to the route in
`channel.web.public`, which answers the usual 404 envelope (or 503 when nothing is known).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable, Collection

from sqlalchemy.orm import Session

from channel.library.errors import NotFound
from channel.ops.lean import Answer, Key, json_bytes
from channel.web.lastknown import DatabaseUnavailable
from channel.web.present import PublicProgrammes, known_programme

__all__ = ["PUBLIC_CACHE", "PUBLIC_SECONDS", "PublicProgrammeRoute"]

PUBLIC_SECONDS = 10
PUBLIC_CACHE = f"public, max-age={PUBLIC_SECONDS}"

_PATH = re.compile(r"/api/public/programmes/([0-9a-fA-F-]{32,36})")


class PublicProgrammeRoute:
    """``GET /api/public/programmes/<id>`` without a query."""

    cookieless = False

    def __init__(
        self, sessions: Callable[[], Session], known: PublicProgrammes, *, cosmetic: Collection[str]
    ) -> None:
        self.sessions = sessions
        self.known = known
        self.cosmetic = tuple(cosmetic)

    def key(self, path: str, query: bytes) -> Key | None:
        match = _PATH.fullmatch(path)
        if match is None or query:
            return None
        try:
            return ("programme", str(uuid.UUID(match.group(1))))
        except ValueError:
            return None

    async def answer(self, key: Key, now: float) -> Answer | None:
        body = await asyncio.to_thread(self._read, uuid.UUID(key[1]))
        return None if body is None else Answer(body, PUBLIC_CACHE, until=now + PUBLIC_SECONDS)

    def _read(self, programme_id: uuid.UUID) -> bytes | None:
        with self.sessions() as session:
            try:
                programme = known_programme(session, self.known, programme_id, cosmetic=self.cosmetic)
            except (NotFound, DatabaseUnavailable):
                return None
        return json_bytes(programme.model_dump(mode="json"))
