"""The viewer page as a lean answer (`channel.ops.lean`): every citizen who opens the channel asks for
it, and for a few seconds it is the same page for all of them.

Only the request a shared cache could answer is taken: `/` or `/kenh/<slug>` with no query and no
cookie (so Vietnamese, the language nobody chose). The page is rendered as the route renders it, in a
worker thread, and kept until the programme on air changes or `PAGE_SECONDS` pass, whichever is first;
its own script keeps the live parts current. A language switch, a cookie, an unknown channel or a
database outage go on to the route in `channel.web.pages`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from channel.ops.lean import Answer, Key
from channel.playout.cache import TimelineCache
from channel.playout.guide import on_air_until
from channel.settings import Settings
from channel.web.assets import Assets
from channel.web.i18n import DEFAULT
from channel.web.pages import render_page, viewer_context
from channel.web.security import media_origins, page_headers
from playlist import OffAirError

__all__ = ["PAGE_SECONDS", "ViewerPageRoute"]

#: how long one rendering serves (a page's Cache-Control lets shared caches keep it 10 s)
PAGE_SECONDS = 2.0

_PATH = re.compile(r"/(?:kenh/([a-z0-9][a-z0-9-]{0,99}))?")


class ViewerPageRoute:
    """``GET /`` and ``GET /kenh/<slug>`` without a query or a cookie."""

    cookieless = True

    def __init__(
        self, sessions: Callable[[], Session], playout: TimelineCache, settings: Settings, assets: Assets
    ) -> None:
        self.sessions = sessions
        self.playout = playout
        self.settings = settings
        self.assets = assets
        headers = page_headers(frameable=False, extra_origins=media_origins(settings), public=True)
        self.cache_control = headers.pop("Cache-Control")
        headers.pop("X-Content-Type-Options")  # every lean answer has it
        self.extra = tuple(headers.items())

    def key(self, path: str, query: bytes) -> Key | None:
        match = _PATH.fullmatch(path)
        if match is None or query:
            return None
        return ("page", match.group(1) or "")

    async def answer(self, key: Key, now: float) -> Answer | None:
        return await asyncio.to_thread(self._render, key[1] or None, now)

    def _render(self, slug: str | None, now: float) -> Answer | None:
        with self.sessions() as session:
            try:
                context = viewer_context(session, self.playout, self.settings, lang=DEFAULT, slug=slug)
            except SQLAlchemyError:
                return None
        if context is None:
            return None
        path = "/" if slug is None else f"/kenh/{slug}"
        body = render_page(
            "viewer.html",
            lang=DEFAULT,
            path=path,
            query={},
            settings=self.settings,
            assets=self.assets,
            **context,
        )
        return Answer(
            body.encode(),
            self.cache_control,
            until=min(now + PAGE_SECONDS, self._next_change(context, now)),
            media_type="text/html; charset=utf-8",
            extra=self.extra,
        )

    def _next_change(self, context: dict[str, object], now: float) -> float:
        """When the programme on air ends (the guide's states change then)."""
        channel = context.get("channel")
        slug = getattr(channel, "slug", None)
        live = self.playout.peek(slug) if isinstance(slug, str) else None
        if live is None or not live.timeline.items:
            return now + PAGE_SECONDS
        try:
            return on_air_until(live.timeline, now)
        except OffAirError:
            return now + PAGE_SECONDS
