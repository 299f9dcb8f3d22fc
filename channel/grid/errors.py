"""Domain errors of the grid and the route class that turns them into the JSON error envelope.

Domain functions raise `GridError`; routes stay free of try/except because `GridRoute` converts it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute

__all__ = ["GridError", "GridRoute", "frozen", "invalid", "not_found"]


class GridError(Exception):
    """A refusal with an HTTP status, a stable code and a bilingual message (Vietnamese first)."""

    def __init__(self, *, status: int, code: str, message: str, details: list[Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []


def not_found(what_vi: str, what_en: str) -> GridError:
    return GridError(status=404, code="not_found", message=f"Không tìm thấy {what_vi} / {what_en} not found")


def invalid(code: str, message: str) -> GridError:
    return GridError(status=422, code=code, message=message)


def frozen(details: list[Any] | None = None) -> GridError:
    return GridError(
        status=409,
        code="frozen",
        message=(
            "Phần lịch đã phát hành (trước mốc phân đoạn kế tiếp) đã bị khóa, không thể thay đổi"
            " / The already published part of the timeline is frozen and cannot be changed"
        ),
        details=details,
    )


class GridRoute(APIRoute):
    """An APIRoute whose handler maps `GridError` to an HTTPException (rendered by the app's handlers)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except GridError as exc:
                detail = {"code": exc.code, "message": exc.message, "details": exc.details}
                raise HTTPException(exc.status, detail=detail) from None

        return guarded
