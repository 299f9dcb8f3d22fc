"""The tus 1.0.0 endpoints as a FastAPI router factory: parse headers, call the store, answer with tus headers.

Handlers read the body as a stream (never whole), so multi-gigabyte programmes pass through in bounded memory.
"""

import errno
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from channel.uploads import protocol
from channel.uploads.protocol import TusError
from channel.uploads.state import CompletedUpload, UploadExpired, UploadInfo, UploadLocked, UploadNotFound
from channel.uploads.store import UploadStore

__all__ = ["EXPOSED_HEADERS", "OnComplete", "create_tus_router"]

OnComplete = Callable[[CompletedUpload], Awaitable[Mapping[str, str]] | Mapping[str, str]]
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
_NOT_FOUND = (404, "Không tìm thấy tệp tải lên / Upload not found")
_GONE = (410, "Tệp tải lên đã hết hạn / Upload has expired")
_LOCKED = (423, "Tệp đang được tải lên ở nơi khác / Upload is busy in another request")
_FULL = (507, "Máy chủ hết dung lượng lưu trữ / The server is out of storage space")
_STORAGE = (500, "Lỗi lưu trữ tệp tải lên / The upload could not be stored")
_LOG = logging.getLogger(__name__)
_FAILED = (500, "Không xử lý được tệp đã tải lên / The finished upload could not be processed")


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


def _error(exc: TusError, *, head: bool = False) -> Response:
    headers = dict(exc.headers)
    if head:  # a HEAD answer has no body
        return Response(status_code=exc.status, headers=headers)
    return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=headers)


def _carries_data(request: Request) -> bool:
    """Creation-with-upload: only a body declared as offset data is taken as the file's first bytes."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media_type == protocol.OFFSET_CONTENT_TYPE


def _offset_headers(info: UploadInfo) -> dict[str, str]:
    headers = {"Upload-Offset": str(info.offset), "Cache-Control": "no-store"}
    if not info.complete:
        headers["Upload-Expires"] = protocol.format_expires(info.expires)
    if info.finished:
        headers.update(info.result_headers)
    return headers


def create_tus_router(
    *,
    store: UploadStore,
    max_size: int,
    current_user: Callable[..., Any],
    on_complete: OnComplete | None = None,
    idle_timeout: float = 60.0,
    lock_wait: float = 2.0,
) -> APIRouter:
    """Routes for `OPTIONS/POST /` and `HEAD/PATCH/DELETE /{upload_id}`; `current_user` returns an object with `.id`."""
    router = APIRouter(route_class=_TusRoute)
    User = Annotated[Any, Depends(current_user)]

    def lookup(upload_id: str, user: Any) -> UploadInfo:
        try:
            return store.get(upload_id, owner_id=str(user.id))
        except UploadNotFound:
            raise TusError(*_NOT_FOUND) from None
        except UploadExpired:
            raise TusError(*_GONE) from None

    async def finish(info: UploadInfo) -> UploadInfo:
        """Run the completion hook once; its headers are kept so a client that retries hears them again."""
        if not info.complete or info.finished:
            return info
        headers: Mapping[str, str] = {}
        if on_complete is not None:
            done = CompletedUpload(
                id=info.id,
                path=store.data_path(info.id),
                size=info.offset,
                metadata=info.metadata,
                owner_id=info.owner_id,
            )
            try:
                result = on_complete(done)
                headers = await result if inspect.isawaitable(result) else result
            except Exception:
                _LOG.exception("tus completion hook failed for upload %s", info.id)
                raise TusError(*_FAILED) from None
        return store.mark_finished(info, headers)

    def declare(info: UploadInfo, length: int) -> UploadInfo:
        """A deferred length is fixed once; it may be repeated but never changed."""
        if info.length == length:
            return info
        if info.length is not None or length < info.offset:
            raise TusError(400, "Upload-Length không hợp lệ / Upload-Length cannot be changed to this value")
        return store.declare_length(info, length)

    async def write(request: Request, info: UploadInfo) -> tuple[UploadInfo, bool]:
        """Append the body at the upload's offset, refusing anything beyond the length or the limit."""
        limit = (max_size if info.length is None else info.length) - info.offset
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise TusError(413, "Dữ liệu vượt quá kích thước tệp / Data exceeds the upload size")
        body = _Body(request, idle_timeout)
        try:
            result = await store.append(info, body.chunks(), max_bytes=limit)
        except OSError as exc:
            _LOG.exception("tus upload %s could not be written", info.id)
            raise TusError(*(_FULL if exc.errno == errno.ENOSPC else _STORAGE)) from None
        if result.outcome == "too_large":
            raise TusError(413, "Dữ liệu vượt quá kích thước tệp / Data exceeds the upload size")
        return result.info, body.interrupted

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
    async def create(request: Request, user: User) -> Response:
        try:
            protocol.check_version(request.headers.get("tus-resumable"))
            creation = protocol.parse_creation(
                length=request.headers.get("upload-length"),
                defer=request.headers.get("upload-defer-length"),
                metadata=request.headers.get("upload-metadata"),
                max_size=max_size,
            )
            info = store.create(owner_id=str(user.id), length=creation.length, metadata=creation.metadata)
        except TusError as exc:
            return _error(exc)
        try:
            if _carries_data(request):  # creation-with-upload
                async with store.lock(info.id):
                    info, _ = await write(request, info)
            info = await finish(info)
        except TusError as exc:
            async with store.lock(info.id):
                store.delete(info.id)  # the client never learnt its address, so nobody can resume it
            return _error(exc)
        headers = _offset_headers(info)
        headers["Location"] = str(request.url_for("tus_upload", upload_id=info.id))
        return Response(status_code=201, headers=headers)

    @router.head("/{upload_id}", name="tus_upload")
    async def head(request: Request, upload_id: str, user: User) -> Response:
        try:
            protocol.check_version(request.headers.get("tus-resumable"))
            info = lookup(upload_id, user)
        except TusError as exc:
            return _error(exc, head=True)
        headers = _offset_headers(info)
        if info.length is None:
            headers["Upload-Defer-Length"] = "1"
        else:
            headers["Upload-Length"] = str(info.length)
        if info.metadata:
            headers["Upload-Metadata"] = protocol.encode_metadata(info.metadata)
        return Response(status_code=200, headers=headers)

    @router.patch("/{upload_id}", name="tus_patch")
    async def patch(request: Request, upload_id: str, user: User) -> Response:
        try:
            protocol.check_version(request.headers.get("tus-resumable"))
            protocol.check_content_type(request.headers.get("content-type"))
            offset = protocol.parse_offset(request.headers.get("upload-offset"))
            new_length = request.headers.get("upload-length")
            lookup(upload_id, user)
            async with store.lock(upload_id, wait=lock_wait):
                info = lookup(upload_id, user)  # again, under the lock
                if offset != info.offset:
                    raise TusError(409, "Upload-Offset không khớp / Upload-Offset does not match")
                if new_length is not None:
                    info = declare(info, protocol.parse_length(new_length, max_size=max_size))
                info, interrupted = await write(request, info)
                if interrupted:
                    return Response(status_code=400, headers=_offset_headers(info))
                info = await finish(info)
        except UploadLocked:
            return _error(TusError(*_LOCKED))
        except TusError as exc:
            return _error(exc)
        return Response(status_code=204, headers=_offset_headers(info))

    @router.delete("/{upload_id}", name="tus_delete")
    async def delete(request: Request, upload_id: str, user: User) -> Response:
        try:
            protocol.check_version(request.headers.get("tus-resumable"))
            lookup(upload_id, user)
            async with store.lock(upload_id, wait=lock_wait):
                lookup(upload_id, user)
                store.delete(upload_id)
        except UploadLocked:
            return _error(TusError(*_LOCKED))
        except TusError as exc:
            return _error(exc)
        return Response(status_code=204)

    @router.post("/{upload_id}", name="tus_override")
    async def override(request: Request, upload_id: str, user: User) -> Response:
        """X-HTTP-Method-Override lets clients behind proxies that drop PATCH/DELETE still resume."""
        method = request.headers.get("x-http-method-override", "").strip().upper()
        handlers = {"PATCH": patch, "DELETE": delete, "HEAD": head}
        if method not in handlers:
            return _error(TusError(405, "Phương thức không được hỗ trợ / Method not allowed"))
        return await handlers[method](request, upload_id, user)

    return router
