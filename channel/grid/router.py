"""The grid's one router for `channel.app.ROUTERS`: channels, entries, conflicts, publish, logs."""

from __future__ import annotations

from fastapi import APIRouter

from channel.grid import channel_routes, entry_routes, review_routes

__all__ = ["router"]

router = APIRouter()
router.include_router(channel_routes.router)
router.include_router(entry_routes.router)
router.include_router(review_routes.router)
