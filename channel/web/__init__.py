"""The web pages: viewer, embeddable player, programme pages, staff console, and their assets."""

from __future__ import annotations

from fastapi import APIRouter

from channel.web import assets, pages, public

__all__ = ["router"]

router = APIRouter()
router.include_router(assets.router)
router.include_router(pages.router)
router.include_router(public.router)
