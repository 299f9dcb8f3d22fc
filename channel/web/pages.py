"""The viewer pages, the embeddable player, the programme pages and the staff console (HTML).

Routes pick the language, read what the page shows (channels through `channel.web.present`, the guide
through `channel.web.guide`, both bounded per request), and render one template; each page's own script
keeps what is live up to date, and the console's script fetches all its data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType, SimpleNamespace
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Cookie, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from sqlalchemy.orm import Session

from channel.deps import SessionDep, SettingsDep
from channel.playout.cache import TimelineCache
from channel.playout.routes import PlayoutDep
from channel.settings import Settings
from channel.state import state_of
from channel.text import CleanQuery
from channel.timeparams import DAY_HELP, parse_day
from channel.web.assets import ASSETS, Assets, AssetsDep
from channel.web.guide import DayGuide, day_guide, today_in, viewer_guide
from channel.web.i18n import COOKIE, LANGUAGES, MESSAGES, Lang, pick_language, translate
from channel.web.lastknown import DatabaseUnavailable
from channel.web.present import ChannelView, absolute, channel_timeline, ready_programme, viewer_channels
from channel.web.public import PublicProgrammesDep
from channel.web.security import media_origins, page_headers
from channel.web.times import duration_text

__all__ = ["page_for_browser", "render_page", "router", "viewer_context"]

_PACKAGE: Final = Path(__file__).resolve().parents[1]
_STATIC: Final = _PACKAGE / "static"
_STATIC_NAME: Final = re.compile(r"^[a-z0-9][a-z0-9-]*\.(css|js|svg)$")
_STATIC_TYPES: Final = {"css": "text/css", "js": "text/javascript", "svg": "image/svg+xml"}
_FAVICON: Final = _STATIC / "favicon.ico"

# built once at import, never changed: the loader reads the package's own templates
_TEMPLATES: Final = Environment(
    loader=FileSystemLoader(_PACKAGE / "templates"),
    autoescape=select_autoescape(("html",), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
# each language's words, as templates read them (t.copy is the word, not dict.copy) and as the pages'
# scripts read them (JSON in the page), made once: every page carries them
_WORDS: Final = MappingProxyType({lang: SimpleNamespace(**MESSAGES[lang]) for lang in LANGUAGES})
_WORDS_JSON: Final[MappingProxyType[Lang, Markup]] = MappingProxyType(
    {lang: htmlsafe_json_dumps(dict(MESSAGES[lang])) for lang in LANGUAGES}
)


def render_page(
    template: str,
    *,
    lang: Lang,
    path: str,
    query: Mapping[str, str],
    settings: Settings,
    assets: Assets,
    **context: Any,
) -> str:
    """A page's HTML: the template with what every page shows (words, language switch, script URLs)."""
    other_lang = "en" if lang == "vi" else "vi"
    return _TEMPLATES.get_template(template).render(
        lang=lang,
        t=_WORDS[lang],
        other_lang=other_lang,
        switch_url=f"{path}?{urlencode({**query, 'lang': other_lang})}",
        path=path,
        base_url=settings.base_url.rstrip("/"),
        hls_url=assets.url("hls.min.js"),
        tus_url=assets.url("tus.min.js"),
        chart_url=assets.url("chart.umd.min.js"),
        i18n_json=_WORDS_JSON[lang],
        **context,
    )


class Page:
    """What every page needs: the request's language (and whether to remember it) and the settings."""

    def __init__(
        self,
        request: Request,
        settings: SettingsDep,
        assets: AssetsDep,
        lang: Annotated[CleanQuery | None, Query()] = None,
        cookie: Annotated[str | None, Cookie(alias=COOKIE)] = None,
    ) -> None:
        self.request = request
        self.settings = settings
        self.assets = assets
        self.lang: Lang = pick_language(query=lang, cookie=cookie)
        self.remember = lang in LANGUAGES and lang != cookie

    def render(
        self,
        template: str,
        *,
        status: int = 200,
        frameable: bool = False,
        public: bool = False,
        **context: Any,
    ) -> HTMLResponse:
        body = render_page(
            template,
            lang=self.lang,
            path=self.request.url.path,
            query=dict(self.request.query_params),
            settings=self.settings,
            assets=self.assets,
            **context,
        )
        shared = public and status == 200 and not self.remember  # a page that sets the cookie is the reader's
        headers = page_headers(frameable=frameable, extra_origins=media_origins(self.settings), public=shared)
        response = HTMLResponse(body, status_code=status, headers=headers)
        if self.remember:
            response.set_cookie(COOKIE, self.lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        return response

    def problem(self, *, status: int, heading: str, text: str) -> HTMLResponse:
        """A page that says what went wrong, in the page's language, and leads home (never a trace)."""
        return self.render("problem.html", status=status, title=heading, heading=heading, text=text)

    def not_found(self) -> HTMLResponse:
        return self.problem(
            status=404,
            heading=translate(self.lang, "not_found_title"),
            text=translate(self.lang, "not_found_text"),
        )

    def unavailable(self) -> HTMLResponse:
        """The database is down and nothing is known yet for this page: a 503 that says so, never a 500."""
        response = self.problem(
            status=503,
            heading=translate(self.lang, "unavailable_title"),
            text=translate(self.lang, "unavailable_text"),
        )
        response.headers["Retry-After"] = "10"
        return response


PageDep = Annotated[Page, Depends(Page)]

#: addresses players, scripts and machines ask for: their errors stay JSON whatever the Accept header
_MACHINE_PATHS: Final = (
    "/api/",
    "/live/",
    "/vod/",
    "/media/",
    "/static/",
    "/assets/",
    "/metrics",
    "/healthz",
)


def page_for_browser(request: Request, status: int) -> Response | None:
    """A browser that asked for a page at an address that does not exist gets the "not found" page in
    its language, not the JSON envelope; everything else keeps the envelope (`channel.http.errors`)."""
    if status != 404 or request.method not in ("GET", "HEAD") or request.url.path.startswith(_MACHINE_PATHS):
        return None
    if "text/html" not in request.headers.get("accept", ""):
        return None
    state = state_of(request.app)
    page = Page(
        request,
        state.settings,
        state.part(ASSETS),
        lang=request.query_params.get("lang"),
        cookie=request.cookies.get(COOKIE),
    )
    return page.not_found()


router = APIRouter(include_in_schema=False)


def viewer_context(
    session: Session, playout: TimelineCache, settings: Settings, *, lang: Lang, slug: str | None
) -> dict[str, Any] | None:
    """What the viewer page of a channel (the default one without a slug) shows now; None: no such channel."""
    channel, channels = viewer_channels(session, playout, slug=slug, default_slug=settings.default_channel)
    if channel is None and slug is not None:
        return None
    timeline = channel_timeline(playout, channel.slug) if channel else None
    reach = timedelta(hours=settings.timeshift_retention_hours)  # how far back start-over goes
    guide = viewer_guide(timeline, now=datetime.now(UTC), lang=lang, reach=reach) if timeline else None
    site = translate(lang, "site_name")
    return {
        "channel": channel,
        "channels": channels,
        "guide": guide,
        "reach_hours": settings.timeshift_retention_hours,
        "title": f"{channel.name} · {site}" if channel else site,
    }


def _viewer(page: Page, session: SessionDep, playout: PlayoutDep, slug: str | None) -> HTMLResponse:
    context = viewer_context(session, playout, page.settings, lang=page.lang, slug=slug)
    if context is None:
        return page.not_found()
    return page.render("viewer.html", public=True, **context)


def _title(page: Page, channel: ChannelView | None) -> str:
    site = translate(page.lang, "site_name")
    return f"{channel.name} · {site}" if channel else site


@router.get("/", response_class=HTMLResponse)
def home(page: PageDep, session: SessionDep, playout: PlayoutDep) -> HTMLResponse:
    """The default channel, live (from the live timelines while the database is down)."""
    return _viewer(page, session, playout, None)


@router.get("/kenh/{slug}", response_class=HTMLResponse)
def channel_page(slug: CleanQuery, page: PageDep, session: SessionDep, playout: PlayoutDep) -> HTMLResponse:
    """Another channel, live."""
    return _viewer(page, session, playout, slug)


@router.get("/kenh/{slug}/lich-phat-song", response_class=HTMLResponse)
def guide_page(
    slug: CleanQuery,
    page: PageDep,
    session: SessionDep,
    playout: PlayoutDep,
    date: CleanQuery | None = None,
) -> HTMLResponse:
    """A whole day of the channel's guide (``date=YYYY-MM-DD``, today by default): the viewer page's
    "full day" link, which works without scripts."""
    channel, _ = viewer_channels(session, playout, slug=slug, default_slug=None)
    if channel is None:
        return page.not_found()
    now = datetime.now(UTC)
    today = today_in(channel.timezone, now)
    try:
        day = parse_day(date) if date else today
    except ValueError:
        return page.problem(status=422, heading=translate(page.lang, "invalid_date_title"), text=DAY_HELP)
    timeline = channel_timeline(playout, channel.slug)
    guide = (
        day_guide(timeline, day=day, now=now, lang=page.lang)
        if timeline
        else DayGuide(day=day, today=day == today, lines=())
    )
    return page.render(
        "guide.html",
        channel=channel,
        guide=guide,
        page_path=f"/kenh/{channel.slug}/lich-phat-song",
        title=f"{translate(page.lang, 'guide')} · {channel.name}",
        public=True,
    )


@router.get("/embed/{slug}", response_class=HTMLResponse)
def embed(slug: CleanQuery, page: PageDep, session: SessionDep, playout: PlayoutDep) -> HTMLResponse:
    """The bare player, for the national legal portal's iframe; the only page others may frame."""
    channel, _ = viewer_channels(session, playout, slug=slug, default_slug=None)
    if channel is None:
        return page.not_found()
    return page.render(
        "embed.html", channel=channel, title=_title(page, channel), frameable=True, public=True
    )


@router.get("/chuong-trinh/{programme_id}", response_class=HTMLResponse)
def programme_page(
    programme_id: str, page: PageDep, session: SessionDep, known: PublicProgrammesDep
) -> HTMLResponse:
    """A ready programme, with the Open Graph tags link previews read (the last known one in an outage)."""
    try:
        programme = ready_programme(
            session, known, programme_id, cosmetic=page.settings.review_cosmetic_fields
        )
    except DatabaseUnavailable:
        return page.unavailable()
    if programme is None:
        return page.not_found()
    base = page.settings.base_url.rstrip("/")
    return page.render(
        "programme.html",
        programme=programme,
        title=f"{programme.title} · {translate(page.lang, 'site_name')}",
        page_url=f"{base}/chuong-trinh/{programme.id}",
        poster=programme.poster_url,  # the player's, from this origin
        og_image=absolute(base, programme.poster_url),
        duration=duration_text(programme.duration, lang=page.lang) if programme.duration else None,
        public=True,
    )


@router.get("/console", response_class=HTMLResponse)
def console(page: PageDep) -> HTMLResponse:
    """The staff console: one page whose script talks to the JSON API with a bearer token."""
    return page.render("console.html", title=translate(page.lang, "console_title"))


@router.get("/favicon.ico")
def favicon() -> Response:
    """The icon browsers ask for at the root (pages also name the SVG one)."""
    return FileResponse(
        _FAVICON,
        media_type="image/x-icon",
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/static/{name}")
def static(name: str) -> Response:
    """The pages' own CSS and scripts (flat folder, plain names only)."""
    match = _STATIC_NAME.match(name)
    path = _STATIC / name
    if match is None or not path.is_file():
        return Response("Không tìm thấy / Not found", status_code=404, media_type="text/plain; charset=utf-8")
    return FileResponse(
        path,
        media_type=f"{_STATIC_TYPES[match.group(1)]}; charset=utf-8",
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
