"""The one exception account operations raise, and the route class that turns it into the error envelope."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute

__all__ = ["AuthError", "AuthRoute"]


class AuthError(Exception):
    """A refused account operation: HTTP status, stable `code`, bilingual message, extra headers."""

    def __init__(
        self, code: str, message: str, *, status: int = 422, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.headers = headers or {}


class AuthRoute(APIRoute):
    """An APIRoute whose handler maps `AuthError` to an HTTPException (rendered by the app's handlers)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except AuthError as exc:
                detail = {"code": exc.code, "message": exc.message}
                raise HTTPException(exc.status, detail=detail, headers=exc.headers or None) from None

        return guarded
