"""The library's refusals, each with a stable code and a bilingual message; routes map them to HTTP."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute

__all__ = ["Conflict", "Forbidden", "Invalid", "LibraryError", "LibraryRoute", "NotFound", "TooLarge"]


class LibraryError(Exception):
    """A refusal a user can act on; `status` is the HTTP status it becomes."""

    status = 400

    def __init__(self, code: str, message: str, details: list[Any] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.details = details or []

    def detail(self) -> dict[str, Any]:
        """The `detail` of the HTTPException the error envelope renders."""
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFound(LibraryError):
    status = 404


class Forbidden(LibraryError):
    status = 403


class Conflict(LibraryError):
    status = 409


class Invalid(LibraryError):
    status = 422


class TooLarge(LibraryError):
    status = 413


class LibraryRoute(APIRoute):
    """Turns a `LibraryError` raised by a handler or a dependency into the JSON error envelope."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def library_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LibraryError as exc:
                raise HTTPException(exc.status, detail=exc.detail()) from None

        return library_handler
