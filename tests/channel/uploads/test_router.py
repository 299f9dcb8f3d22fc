"""The tus endpoints over real HTTP (httpx against uvicorn on loopback): creation, limits, refusals."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx

from channel.uploads import sweep
from tests.channel.uploads.support import (
    OFFSET_TYPE,
    MiB,
    Serve,
    b64,
    chunks,
    create,
    head,
    patch,
    tus,
)


def test_options_advertises_the_protocol(serve: Serve) -> None:
    server = serve(max_size=10 * MiB)
    response = httpx.options(server.endpoint)
    assert response.status_code == 204
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert response.headers["Tus-Version"] == "1.0.0"
    assert response.headers["Tus-Max-Size"] == str(10 * MiB)
    extensions = response.headers["Tus-Extension"].split(",")
    assert {"creation", "creation-with-upload", "termination", "expiration"} <= set(extensions)


def test_length_over_the_limit_is_refused_at_creation(serve: Serve) -> None:
    server = serve(max_size=MiB)
    response = httpx.post(server.endpoint, headers=tus(**{"Upload-Length": str(MiB + 1)}))
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": "Tệp vượt quá dung lượng cho phép / File exceeds the size limit",
        "details": [],
    }
    assert server.stored_keys() == []


def test_size_limit_is_enforced_while_streaming(serve: Serve) -> None:
    server = serve(max_size=256 * 1024)
    # Deferred length: only the server's limit bounds the stream, and the body has no Content-Length.
    response = httpx.post(server.endpoint, headers=tus(**{"Upload-Defer-Length": "1"}))
    assert response.status_code == 201
    url = response.headers["Location"]
    assert head(url).headers["Upload-Defer-Length"] == "1"
    too_much = httpx.patch(
        url,
        content=chunks(4 * MiB),
        headers=tus(**{"Upload-Offset": "0", "Content-Type": OFFSET_TYPE}),
    )
    assert too_much.status_code == 413
    assert too_much.json()["error"]["code"] == "too_large"
    assert server.stored_keys() == []
    assert head(url).headers["Upload-Offset"] == "0"

    # Declared length: a body announcing more than what remains is refused before it is read.
    url = create(server, 1000)
    assert patch(url, b"a" * 1001, 0).status_code == 413
    ok = patch(url, b"a" * 600, 0)
    assert ok.headers["Upload-Offset"] == "600"
    chunked = httpx.patch(
        url, content=chunks(401, 100), headers=tus(**{"Upload-Offset": "600", "Content-Type": OFFSET_TYPE})
    )
    assert chunked.status_code == 413
    assert head(url).headers["Upload-Offset"] == "600"
    assert sum(server.store.stat(key).size for key in server.stored_keys()) == 600


def test_deferred_length_is_fixed_by_a_later_patch(serve: Serve) -> None:
    server = serve()
    response = httpx.post(server.endpoint, headers=tus(**{"Upload-Defer-Length": "1"}))
    url = response.headers["Location"]
    assert patch(url, b"abc", 0).headers["Upload-Offset"] == "3"
    assert server.completed == []
    final = patch(url, b"def", 3, **{"Upload-Length": "6"})
    assert final.status_code == 204
    assert head(url).headers["Upload-Length"] == "6"
    assert server.data(server.completed[0]) == b"abcdef"


def test_termination_removes_the_upload(serve: Serve) -> None:
    server = serve()
    url = create(server, 10)
    patch(url, b"12345", 0)
    response = httpx.delete(url, headers=tus())
    assert response.status_code == 204
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert head(url).status_code == 404
    assert server.stored_keys() == []


def test_other_users_and_unknown_ids_get_404(serve: Serve) -> None:
    server = serve()
    url = create(server, 10)
    assert head(url, user="bob").status_code == 404
    assert patch(url, b"x", 0, user="bob").status_code == 404
    assert httpx.delete(url, headers=tus("bob")).status_code == 404
    assert head(url).status_code == 200
    for bad in ["0" * 32, "..", "ABCDEF" * 6, "abc.json", "..%2F..%2Fetc%2Fpasswd"]:
        assert head(f"{server.endpoint}{bad}").status_code == 404
        assert httpx.delete(f"{server.endpoint}{bad}", headers=tus()).status_code == 404


def test_missing_auth_still_carries_tus_resumable(serve: Serve) -> None:
    server = serve()
    response = httpx.post(server.endpoint, headers={"Tus-Resumable": "1.0.0", "Upload-Length": "1"})
    assert response.status_code == 401
    assert response.headers["Tus-Resumable"] == "1.0.0"


def test_expired_upload_is_gone(serve: Serve) -> None:
    server = serve()
    url = create(server, 10)
    assert patch(url, b"12345", 0).status_code == 204
    expires = head(url).headers["Upload-Expires"]
    assert expires.endswith(" GMT")
    server.clock.advance(timedelta(days=1, seconds=1))
    assert head(url).status_code == 410  # by time, before any sweep
    assert patch(url, b"x", 0).status_code == 410
    assert head(url, user="bob").status_code == 404
    assert patch(url, b"x", 0).json()["error"]["code"] == "upload_expired"
    upload_id = url.rsplit("/", 1)[1]
    assert server.stored_keys() != []  # the five bytes, until the sweep
    assert sweep(server.service, server.clock()).swept == (upload_id,)
    assert server.stored_keys() == []
    assert head(url).status_code == 410
    server.clock.advance(timedelta(days=8))
    report = sweep(server.service, server.clock())
    assert (report.swept, report.purged) == ((), 1)
    assert head(url).status_code == 404


def test_creation_with_upload(serve: Serve) -> None:
    server = serve()
    headers = tus(**{"Upload-Length": "10", "Content-Type": OFFSET_TYPE})
    partial = httpx.post(server.endpoint, headers=headers, content=b"01234")
    assert partial.status_code == 201
    assert partial.headers["Upload-Offset"] == "5"
    assert server.completed == []
    assert patch(partial.headers["Location"], b"56789", 5).status_code == 204

    whole = httpx.post(server.endpoint, headers=headers, content=b"abcdefghij")
    assert whole.status_code == 201
    assert whole.headers["Upload-Offset"] == "10"
    assert whole.headers["X-Programme-Id"].startswith("prog-")
    assert [server.data(done) for done in server.completed] == [b"0123456789", b"abcdefghij"]


def test_empty_upload_completes_at_creation(serve: Serve) -> None:
    server = serve()
    response = httpx.post(server.endpoint, headers=tus(**{"Upload-Length": "0"}))
    assert response.status_code == 201
    assert response.headers["Upload-Offset"] == "0"
    assert server.completed[0].size == 0


def test_protocol_refusals(serve: Serve) -> None:
    server = serve()
    url = create(server, 10)
    assert patch(url, b"abc", 0).status_code == 204
    mismatch = patch(url, b"abc", 0)
    assert mismatch.status_code == 409
    assert mismatch.headers["Tus-Resumable"] == "1.0.0"
    wrong_type = httpx.patch(
        url, content=b"abc", headers=tus(**{"Upload-Offset": "3", "Content-Type": "text/plain"})
    )
    assert wrong_type.status_code == 415
    old = httpx.head(url, headers={"Tus-Resumable": "0.2.2", "X-User": "alice"})
    assert old.status_code == 412
    assert old.headers["Tus-Version"] == "1.0.0"
    assert httpx.post(server.endpoint, headers={"X-User": "alice", "Upload-Length": "1"}).status_code == 412
    bad_meta = httpx.post(
        server.endpoint, headers=tus(**{"Upload-Length": "1", "Upload-Metadata": "filename %%%"})
    )
    assert bad_meta.status_code == 400
    assert bad_meta.json()["error"]["code"] == "invalid_metadata"
    assert "base64" in bad_meta.json()["error"]["message"]
    assert head(url).headers["Upload-Offset"] == "3"


def test_method_override(serve: Serve) -> None:
    server = serve()
    url = create(server, 4)
    headers = tus(**{"Upload-Offset": "0", "Content-Type": OFFSET_TYPE, "X-HTTP-Method-Override": "PATCH"})
    response = httpx.post(url, content=b"abcd", headers=headers)
    assert response.status_code == 204
    assert response.headers["Upload-Offset"] == "4"
    assert httpx.post(url, headers=tus(**{"X-HTTP-Method-Override": "DELETE"})).status_code == 204
    assert head(url).status_code == 404


def test_failed_completion_hook_can_be_retried(serve: Serve) -> None:
    server = serve(fail_completion=True)
    url = create(server, 3)
    failed = patch(url, b"abc", 0)
    assert failed.status_code == 500
    assert failed.json()["error"]["message"].startswith("Không xử lý được")
    assert "Traceback" not in failed.text
    assert "hook failed" not in failed.text
    retried = patch(url, b"", 3)
    assert retried.status_code == 204
    assert retried.headers["X-Programme-Id"].startswith("prog-")
    assert len(server.completed) == 2


def test_hostile_filename_stays_text(serve: Serve, tmp_path: Path) -> None:
    server = serve()
    hostile = "../../etc/passwd\x00.mp4"
    url = create(server, 3, metadata=f"filename {b64(hostile)}")
    assert patch(url, b"abc", 0).status_code == 204
    upload_id = url.rsplit("/", 1)[1]
    assert head(url).headers["Upload-Metadata"] == f"filename {b64(hostile)}"
    assert server.completed[0].metadata["filename"] == hostile
    assert server.service.records.get(upload_id).metadata == {"filename": hostile}
    assert server.stored_keys() == [f"received/{upload_id}"]
    assert not list(tmp_path.rglob("passwd*"))
    assert not (tmp_path / "etc").exists()


def test_length_cannot_change_once_known(serve: Serve) -> None:
    server = serve()
    url = create(server, 10)
    assert patch(url, b"ab", 0, **{"Upload-Length": "10"}).status_code == 204
    assert patch(url, b"cd", 2, **{"Upload-Length": "12"}).status_code == 400
    assert head(url).headers["Upload-Offset"] == "2"
