"""One JSON error shape for every failure, bilingual, with no stack trace or internal path.

`{"error": {"code": ..., "message": ..., "details": [...], "request_id": ...}}`
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = [
    "DATABASE_DOWN",
    "INTERNAL_MESSAGE",
    "PageForBrowser",
    "error_body",
    "install_error_handlers",
]

INTERNAL_MESSAGE = "Lỗi máy chủ nội bộ / Internal server error"
VALIDATION_MESSAGE = "Dữ liệu không hợp lệ / Invalid request data"
DATABASE_MESSAGE = (
    "Cơ sở dữ liệu tạm thời không truy cập được, hãy thử lại sau / The database is temporarily unavailable"
)
_log = logging.getLogger(__name__)

# bilingual defaults for HTTP errors raised without a message of their own
_STATUS_MESSAGES: dict[int, str] = {
    400: "Yêu cầu không hợp lệ / Bad request",
    401: "Chưa đăng nhập / Not authenticated",
    403: "Không có quyền / Forbidden",
    404: "Không tìm thấy / Not found",
    405: "Phương thức không được hỗ trợ / Method not allowed",
    408: "Hết thời gian chờ dữ liệu / Request timeout",
    409: "Xung đột dữ liệu / Conflict",
    413: "Dữ liệu quá lớn / Payload too large",
    429: "Quá nhiều yêu cầu / Too many requests",
    503: "Dịch vụ tạm thời không khả dụng / Service unavailable",
}


def _code_for(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def error_body(
    *, code: str, message: str, request_id: str | None = None, details: list[Any] | None = None
) -> dict[str, Any]:
    """The error envelope every error response uses."""
    error: dict[str, Any] = {"code": code, "message": message, "details": details or []}
    if request_id:
        error["request_id"] = request_id
    return {"error": error}


def _request_id(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else None


#: a page for a browser that asked for a page, given the request and the status; None: the JSON envelope
PageForBrowser = Callable[[Request, int], Response | None]


def _http_errors(
    page_for_browser: PageForBrowser | None,
) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        page = page_for_browser(request, exc.status_code) if page_for_browser is not None else None
        return page if page is not None else await _http_error(request, exc)

    return handle


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    details: list[Any] = []
    if isinstance(detail, dict) and "code" in detail:
        code, message = str(detail["code"]), str(detail.get("message", ""))
        details = list(detail.get("details", []))
    else:
        code = _code_for(exc.status_code)
        default = _STATUS_MESSAGES.get(exc.status_code, HTTPStatus(exc.status_code).phrase)
        phrase = HTTPStatus(exc.status_code).phrase
        message = default if not isinstance(detail, str) or detail == phrase else detail
    body = error_body(code=code, message=message, request_id=_request_id(request), details=details)
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    body = error_body(
        code="validation_error",
        message=VALIDATION_MESSAGE,
        request_id=_request_id(request),
        details=jsonable_encoder(details),
    )
    return JSONResponse(body, status_code=422)


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database cannot be reached: say so honestly (503, retry shortly), never a 500 with a trace."""
    _log.warning("database unavailable: %s", type(exc).__name__)
    body = error_body(code="database_unavailable", message=DATABASE_MESSAGE, request_id=_request_id(request))
    return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})


#: what a lost or unreachable database raises through SQLAlchemy (connection refused, timed out, dropped)
DATABASE_DOWN: tuple[type[Exception], ...] = (OperationalError, InterfaceError, SQLAlchemyTimeout)


def install_error_handlers(app: FastAPI, *, page_for_browser: PageForBrowser | None = None) -> None:
    """Give HTTP and validation errors the common JSON shape (unhandled ones: see the middleware); a
    browser that asked for a page at an unknown address gets `page_for_browser`'s page instead."""
    app.add_exception_handler(StarletteHTTPException, _http_errors(page_for_browser))
    app.add_exception_handler(RequestValidationError, _validation_error)
    for kind in DATABASE_DOWN:
        app.add_exception_handler(kind, _database_unavailable)
