"""Live events: scheduled live slots of a channel's grid, their stream keys, and the ingest that feeds them."""

from channel.live.routes import router

__all__ = ["router"]
