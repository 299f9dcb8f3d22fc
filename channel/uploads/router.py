"""The tus 1.0.0 endpoints: parse headers, call the upload service, answer with tus headers.

Handlers are thin: the protocol's header rules are in `protocol.py`, every decision in `service.py`.
Bodies are read as a stream (never whole), so multi-gigabyte programmes pass in bounded memory.
"""

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from channel.http.errors import error_body
from channel.uploads import protocol
from channel.uploads.protocol import TusError
from channel.uploads.service import UploadService
from channel.uploads.state import Requester, UploadInfo

__all__ = ["EXPOSED_HEADERS", "create_tus_router", "upload_headers"]

EXPOSED_HEADERS = (
    "Location",
    "Upload-Offset",
    "Upload-Length",
    "Upload-Metadata",
    "Upload-Defer-Length",
    "Upload-Expires",
    "Tus-Resumable",
    "Tus-Version",
    "Tus-Extension",
    "Tus-Max-Size",
)
_RESUMABLE = {"Tus-Resumable": protocol.TUS_VERSION}


class _TusRoute(APIRoute):
    """Adds `Tus-Resumable` to every answer, including refusals raised by dependencies such as auth."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def tus_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except StarletteHTTPException as exc:
                raise HTTPException(
                    exc.status_code, exc.detail, {**(exc.headers or {}), **_RESUMABLE}
                ) from exc
            response.headers.update(_RESUMABLE)
            return response

        return tus_handler


@dataclass
class _Body:
    """The request body as chunks; a client that vanishes or stalls just ends the stream early."""

    request: Request
    idle_timeout: float
    interrupted: bool = False

    async def chunks(self) -> AsyncIterator[bytes]:
        stream = self.request.stream().__aiter__()
        while True:
            try:
                with anyio.fail_after(self.idle_timeout):
                    chunk = await stream.__anext__()
            except StopAsyncIteration:
                return
            except (ClientDisconnect, TimeoutError):
                self.interrupted = True
                return
            if chunk:
                yield chunk


def _error(request: Request, exc: TusError, *, head: bool = False) -> Response:
    """A refusal in the usual error envelope (no body for HEAD)."""
    headers = dict(exc.headers)
    if head:
        return Response(status_code=exc.status, headers=headers)
    request_id = getattr(request.state, "request_id", None)
    body = error_body(
        code=exc.code, message=exc.message, request_id=request_id if isinstance(request_id, str) else None
    )
    return JSONResponse(body, status_code=exc.status, headers=headers)


def _declared(request: Request) -> int | None:
    value = request.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def _carries_data(request: Request) -> bool:
    """Creation-with-upload: only a body declared as offset data is taken as the file's first bytes."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media_type == protocol.OFFSET_CONTENT_TYPE


def upload_headers(info: UploadInfo, *, head: bool = False) -> dict[str, str]:
    """The tus headers describing an upload: offset, expiry, and (for HEAD) length and metadata."""
    headers = {"Upload-Offset": str(info.offset), "Cache-Control": "no-store"}
    if not info.complete:
        headers["Upload-Expires"] = protocol.format_expires(info.expires)
    if info.finished:
        headers.update(info.result_headers)
    if head:
        if info.length is None:
            headers["Upload-Defer-Length"] = "1"
        else:
            headers["Upload-Length"] = str(info.length)
        if info.metadata:
            headers["Upload-Metadata"] = protocol.encode_metadata(info.metadata)
    return headers


def create_tus_router(
    *,
    service: UploadService,
    requester: Callable[..., Requester],
    base_url: Callable[[Request], str],
    idle_timeout: float = 60.0,
) -> APIRouter:
    """`OPTIONS/POST /` and `HEAD/PATCH/DELETE /{upload_id}`.

    `Location` is built on the configured public URL (`base_url(request)`), never on the request's
    `Host`, so a forged Host cannot point a client at another server.
    """
    router = APIRouter(route_class=_TusRoute)
    Caller = Annotated[Requester, Depends(requester)]
    max_size = service.limits.max_size

    def location(request: Request, upload_id: str) -> str:
        return base_url(request).rstrip("/") + str(
            request.app.url_path_for("tus_upload", upload_id=upload_id)
        )

    @router.options("/", name="tus_options")
    async def options() -> Response:
        return Response(
            status_code=204,
            headers={
                "Tus-Version": protocol.TUS_VERSION,
                "Tus-Extension": ",".join(protocol.TUS_EXTENSIONS),
                "Tus-Max-Size": str(max_size),
            },
        )

    @router.post("/", name="tus_create", status_code=201)
    async def create(request: Request, caller: Caller) -> Response:
        try:
            protocol.check_version(request.headers.get("tus-resumable"))
            creation = protocol.parse_creation(
                length=request.headers.get("upload-length"),
                defer=request.headers.get("upload-defer-length"),
                metadata=request.headers.get("upload-metadata"),
                max_size=max_size,
            )
            body = _Body(request, idle_timeout).chunks() if _carries_data(request) else None
            info = await service.create(caller, creation, body=body, declared=_declared(request))
        except TusError as exc:
            return _error(request, exc)
        return Response(
            status_code=201, headers={**upload_headers(info), "Location": location(request, info.id)}
        )

    @router.head("/{upload_id}", name="tus_upload")
    async def head(request: Request, upload_id: str, caller: Caller) -> Response:
        try:
            protocol.check_version(request.headers.get("tus-resumable"))
            info = await service.status(upload_id, caller)
        except TusError as exc:
            return _error(request, exc, head=True)
        return Response(status_code=200, headers=upload_headers(info, head=True))

    @router.patch("/{upload_id}", name="tus_patch")
    async def patch(request: Request, upload_id: str, caller: Caller) -> Response:
        body = _Body(request, idle_timeout)
        try:
            protocol.check_version(request.headers.get("tus-resumable"))
            protocol.check_content_type(request.headers.get("content-type"))
            offset = protocol.parse_offset(request.headers.get("upload-offset"))
            length = request.headers.get("upload-length")
            info = await service.append(
                upload_id,
                caller,
                offset=offset,
                length=None if length is None else protocol.parse_length(length, max_size=max_size),
                body=body.chunks(),
                declared=_declared(request),
            )
        except TusError as exc:
            return _error(request, exc)
        return Response(status_code=400 if body.interrupted else 204, headers=upload_headers(info))

    @router.delete("/{upload_id}", name="tus_delete")
    async def delete(request: Request, upload_id: str, caller: Caller) -> Response:
        try:
            protocol.check_version(request.headers.get("tus-resumable"))
            await service.terminate(upload_id, caller)
        except TusError as exc:
            return _error(request, exc)
        return Response(status_code=204)

    @router.post("/{upload_id}", name="tus_override")
    async def override(request: Request, upload_id: str, caller: Caller) -> Response:
        """X-HTTP-Method-Override lets clients behind proxies that drop PATCH/DELETE still resume."""
        method = request.headers.get("x-http-method-override", "").strip().upper()
        handlers = {"PATCH": patch, "DELETE": delete, "HEAD": head}
        if method not in handlers:
            refusal = TusError(
                405, "method_not_allowed", "Phương thức không được hỗ trợ / Method not allowed"
            )
            return _error(request, refusal)
        return await handlers[method](request, upload_id, caller)

    return router
