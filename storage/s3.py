"""`S3Store`: object storage on any S3 endpoint (AWS S3, MinIO, Ceph RGW) through boto3.

Large files go up and down in 8 MiB multipart chunks; timeouts and retries are short so a
dead endpoint fails a health check in seconds rather than hanging a worker.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from storage.base import ObjectInfo, Page, walk_pages
from storage.content_types import guess_content_type
from storage.errors import NotFound, StorageError
from storage.keys import validate_key, validate_prefix
from storage.multipart import MultipartGone, Part, PendingMultipart, check_part_number

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

__all__ = ["MULTIPART_CHUNK_BYTES", "S3Store"]

MULTIPART_CHUNK_BYTES = 8 * 1024 * 1024
_DELETE_BATCH = 1000
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
_NO_BUCKET_CODES = frozenset({"NoSuchBucket"})
_NO_UPLOAD_CODES = frozenset({"NoSuchUpload"})


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class _BodyReader(io.RawIOBase):
    """Adapts botocore's streaming body to a raw stream, so `open()` returns a real BinaryIO."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        try:
            chunk: bytes = self._body.read(len(view))
        except BotoCoreError as exc:
            raise StorageError(f"S3 download interrupted ({type(exc).__name__})") from exc
        view[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class S3Store:
    """A `Store` over one bucket of an S3-protocol endpoint."""

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        path_style: bool = True,
        public_endpoint_url: str | None = None,
    ) -> None:
        if not bucket:
            raise StorageError("an S3 bucket name is required (LEGALTV_S3_BUCKET)")
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        self.region = region
        addressing = {"addressing_style": "path" if path_style else "auto"}
        session = boto3.session.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
        )

        def client(endpoint: str | None, *, read_timeout: float, attempts: int) -> S3Client:
            config = Config(
                signature_version="s3v4",
                s3=addressing,  # type: ignore[arg-type]
                connect_timeout=3,
                read_timeout=read_timeout,
                retries={"total_max_attempts": attempts, "mode": "standard"},
            )
            return session.client("s3", endpoint_url=endpoint, config=config)

        self._client = client(endpoint_url, read_timeout=60, attempts=3)
        self._ping_client = client(endpoint_url, read_timeout=3, attempts=1)
        self._presign_client = (
            client(public_endpoint_url, read_timeout=3, attempts=1) if public_endpoint_url else self._client
        )
        self._transfer = TransferConfig(
            multipart_threshold=MULTIPART_CHUNK_BYTES,
            multipart_chunksize=MULTIPART_CHUNK_BYTES,
            max_concurrency=4,
        )

    def __repr__(self) -> str:
        return f"S3Store(bucket={self.bucket!r}, endpoint_url={self.endpoint_url!r})"

    @contextmanager
    def _errors(self, key: str | None = None) -> Iterator[None]:
        """Translate boto errors into `NotFound` / `StorageError` without leaking internals."""
        try:
            yield
        except ClientError as exc:
            code = _error_code(exc)
            if key is not None and code in _NOT_FOUND_CODES:
                raise NotFound(key) from exc
            if code in _NO_BUCKET_CODES:
                raise StorageError(f"S3 bucket {self.bucket!r} does not exist") from exc
            raise StorageError(f"S3 request failed ({code or 'unknown error'})") from exc
        except BotoCoreError as exc:
            raise StorageError(
                f"S3 endpoint {self.endpoint_url or 'AWS'} failed ({type(exc).__name__})"
            ) from exc

    # -- writing ----------------------------------------------------------------------------

    def put_bytes(self, key: str, data: bytes, *, content_type: str | None = None) -> None:
        validate_key(key)
        with self._errors():
            self._client.put_object(
                Bucket=self.bucket, Key=key, Body=data, ContentType=content_type or guess_content_type(key)
            )

    def put_file(self, key: str, path: Path, *, content_type: str | None = None) -> None:
        """Upload `path`; files over 8 MiB go as a multipart upload in 8 MiB parts."""
        validate_key(key)
        extra = {"ContentType": content_type or guess_content_type(key)}
        with self._errors():
            self._client.upload_file(str(path), self.bucket, key, ExtraArgs=extra, Config=self._transfer)

    # -- reading ----------------------------------------------------------------------------

    def open(self, key: str) -> BinaryIO:
        validate_key(key)
        with self._errors(key):
            response = self._client.get_object(Bucket=self.bucket, Key=key)
        return cast(BinaryIO, io.BufferedReader(_BodyReader(response["Body"]), buffer_size=256 * 1024))

    def read_bytes(self, key: str) -> bytes:
        validate_key(key)
        with self._errors(key):
            response = self._client.get_object(Bucket=self.bucket, Key=key)
            return response["Body"].read()

    def download(self, key: str, path: Path) -> None:
        """Download to `path` (s3transfer writes a temp file and renames it into place)."""
        validate_key(key)
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._errors(key):
            self._client.download_file(self.bucket, key, str(target), Config=self._transfer)

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except NotFound:
            return False
        return True

    def stat(self, key: str) -> ObjectInfo:
        validate_key(key)
        with self._errors(key):
            head = self._client.head_object(Bucket=self.bucket, Key=key)
        return ObjectInfo(
            key=key,
            size=int(head["ContentLength"]),
            modified=head["LastModified"].astimezone(UTC),
            etag=head.get("ETag", "").strip('"') or None,
        )

    # -- deleting ---------------------------------------------------------------------------

    def delete(self, key: str) -> None:
        validate_key(key)
        with self._errors():
            self._client.delete_object(Bucket=self.bucket, Key=key)

    def delete_prefix(self, prefix: str) -> int:
        """Delete in DeleteObjects batches of 1,000 (the API's maximum); returns how many."""
        validate_prefix(prefix)
        removed = 0
        batch: list[str] = []
        for info in list(self.iter_keys(prefix)):
            batch.append(info.key)
            if len(batch) == _DELETE_BATCH:
                removed += self._delete_batch(batch)
                batch = []
        if batch:
            removed += self._delete_batch(batch)
        return removed

    def _delete_batch(self, keys: list[str]) -> int:
        with self._errors():
            response = self._client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True},
            )
        errors = response.get("Errors", [])
        if errors:
            first = errors[0]
            raise StorageError(
                f"S3 refused to delete {len(errors)} of {len(keys)} objects "
                f"(first: {first.get('Key')!r}, {first.get('Code')})"
            )
        return len(keys)

    # -- listing ----------------------------------------------------------------------------

    def list_page(self, prefix: str, *, limit: int = 1000, cursor: str | None = None) -> Page:
        """ListObjectsV2; the cursor is S3's continuation token."""
        validate_prefix(prefix)
        if not 1 <= limit <= 1000:
            raise StorageError(f"limit must be between 1 and 1000, not {limit}")
        with self._errors():
            if cursor is None:
                response = self._client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=limit)
            else:
                response = self._client.list_objects_v2(
                    Bucket=self.bucket, Prefix=prefix, MaxKeys=limit, ContinuationToken=cursor
                )
        items = tuple(
            ObjectInfo(
                key=entry["Key"],
                size=int(entry["Size"]),
                modified=entry["LastModified"].astimezone(UTC),
                etag=entry.get("ETag", "").strip('"') or None,
            )
            for entry in response.get("Contents", [])
        )
        truncated = response.get("IsTruncated", False)
        return Page(items=items, next_cursor=response.get("NextContinuationToken") if truncated else None)

    def iter_keys(self, prefix: str) -> Iterator[ObjectInfo]:
        return walk_pages(self.list_page, prefix)

    # -- writing in parts (see storage.multipart) ------------------------------------------

    @contextmanager
    def _upload_errors(self, upload_id: str) -> Iterator[None]:
        try:
            with self._errors():
                yield
        except StorageError as exc:
            cause = exc.__cause__
            if isinstance(cause, ClientError) and _error_code(cause) in _NO_UPLOAD_CODES:
                raise MultipartGone(f"no multipart upload {upload_id[:16]!r}…") from cause
            raise

    def start_multipart(self, key: str, *, content_type: str | None = None) -> str:
        validate_key(key)
        with self._errors():
            response = self._client.create_multipart_upload(
                Bucket=self.bucket, Key=key, ContentType=content_type or guess_content_type(key)
            )
        return response["UploadId"]

    def upload_part(self, key: str, upload_id: str, *, number: int, path: Path) -> Part:
        """UploadPart from a file (seekable, so botocore can retry it)."""
        validate_key(key)
        check_part_number(number)
        size = Path(path).stat().st_size
        with open(path, "rb") as body, self._upload_errors(upload_id):
            response = self._client.upload_part(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                PartNumber=number,
                Body=body,
                ContentLength=size,
            )
        return Part(number=number, etag=response["ETag"].strip('"'), size=size)

    def complete_multipart(self, key: str, upload_id: str, parts: Sequence[Part]) -> None:
        """S3 joins the parts itself: nothing is copied through this process."""
        validate_key(key)
        listed: list[CompletedPartTypeDef] = [
            {"PartNumber": part.number, "ETag": f'"{part.etag}"'} for part in parts
        ]
        with self._upload_errors(upload_id):
            self._client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": listed}
            )

    def abort_multipart(self, key: str, upload_id: str) -> None:
        validate_key(key)
        try:
            with self._upload_errors(upload_id):
                self._client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except MultipartGone:
            return

    def list_multipart(self, prefix: str) -> Iterator[PendingMultipart]:
        validate_prefix(prefix)
        paginator = self._client.get_paginator("list_multipart_uploads")
        with self._errors():
            pages = list(paginator.paginate(Bucket=self.bucket, Prefix=prefix))
        for page in pages:
            for upload in page.get("Uploads", []):
                yield PendingMultipart(
                    key=upload["Key"],
                    upload_id=upload["UploadId"],
                    started=upload["Initiated"].astimezone(UTC),
                )

    # -- addressing and health --------------------------------------------------------------

    def url(self, key: str, *, expires_seconds: int = 3600) -> str:
        """A presigned GET URL, signed for the public endpoint when one is configured."""
        validate_key(key)
        with self._errors(key):
            return self._presign_client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_seconds
            )

    def ping(self) -> None:
        """HeadBucket with one attempt and short timeouts, so health checks answer quickly."""
        try:
            self._ping_client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            code = _error_code(exc)
            if code in ("404", "NoSuchBucket", "NotFound"):
                raise StorageError(f"S3 bucket {self.bucket!r} does not exist") from exc
            raise StorageError(f"S3 bucket {self.bucket!r} is not accessible ({code})") from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 endpoint {self.endpoint_url or 'AWS'} is unreachable") from exc

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist yet (tests, the CLI, compose's init step)."""
        try:
            self._client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            if _error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
                raise StorageError(
                    f"S3 bucket {self.bucket!r} is not accessible ({_error_code(exc)})"
                ) from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 endpoint {self.endpoint_url or 'AWS'} is unreachable") from exc
        with self._errors():
            try:
                if self.region == "us-east-1":
                    self._client.create_bucket(Bucket=self.bucket)
                else:
                    self._client.create_bucket(
                        Bucket=self.bucket,
                        CreateBucketConfiguration={"LocationConstraint": self.region},  # type: ignore[typeddict-item]
                    )
            except ClientError as exc:
                if _error_code(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
