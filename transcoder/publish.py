"""A job's life around its output prefix: skip if already complete, a scratch folder, upload, clean up.

Shared by the single-job transcode, the slate and the chunked paths, so each treats a re-delivered
job and a failure the same way: a complete prefix is never touched, a failed one is emptied.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from transcoder.describe import DESCRIPTION_NAME, Description
from transcoder.errors import Cancelled
from transcoder.package import MASTER_NAME, upload_order
from transcoder.progress import stage_reporter
from transcoder.types import OnProgress, TranscodeStore

__all__ = ["job_folder", "output_folder", "publish", "stored_description", "upload_package"]

_log = logging.getLogger(__name__)

Produce = Callable[[Path], tuple[Path, Description]]
"""Given a fresh job folder, make the package; returns (folder holding it, its description)."""


def output_folder(prefix: str) -> str:
    """`prefix` as a folder-like prefix ("a/b/"); refuses "" (deleting it would empty the store)."""
    folder = prefix.strip("/")
    if not folder:
        raise ValueError("the output prefix must name a folder, not the whole store")
    return folder + "/"


def stored_description(store: TranscodeStore, output_prefix: str) -> Description | None:
    """The description of a COMPLETE programme under the prefix (master and description present), else None.

    master.m3u8 is uploaded last, so its presence means every other key is there too.
    """
    prefix = output_folder(output_prefix)
    if not (store.exists(prefix + MASTER_NAME) and store.exists(prefix + DESCRIPTION_NAME)):
        return None
    return Description.from_dict(json.loads(store.read_bytes(prefix + DESCRIPTION_NAME)))


def _clean(store: TranscodeStore, prefix: str) -> None:
    """Empty `prefix` after a failure, unless it holds a complete programme (another attempt's, which
    succeeded); a failing delete is logged, never raised over the real error."""
    try:
        if stored_description(store, prefix) is None:
            store.delete_prefix(prefix)
    except Exception:
        _log.exception("could not clean up %s after a failed job", prefix)


@contextmanager
def job_folder(
    workdir: Path, *, kind: str, store: TranscodeStore | None = None, clean_prefix: str | None = None
) -> Iterator[Path]:
    """A fresh local folder under `workdir`, always removed; on any failure `clean_prefix` is emptied
    in `store` and the ORIGINAL error propagates.

    A cancelled attempt leaves the store alone: cancellation is only noticed before the upload, so
    nothing under the prefix is its own, and it may be a re-queued attempt's, still being written.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=workdir))
    try:
        yield path
    except Cancelled:
        raise
    except BaseException:
        if store is not None and clean_prefix is not None:
            _clean(store, output_folder(clean_prefix))
        raise
    finally:
        shutil.rmtree(path, ignore_errors=True)


def upload_package(
    store: TranscodeStore,
    *,
    outdir: Path,
    output_prefix: str,
    description: Description,
    on_progress: OnProgress | None = None,
) -> None:
    """Replace whatever is under the prefix; master.m3u8 goes last so 'present' means 'complete'."""
    report = stage_reporter(on_progress, "upload")
    output_prefix = output_folder(output_prefix)
    store.delete_prefix(output_prefix)
    keys = upload_order(description)
    for done, key in enumerate(keys, start=1):
        store.put_file(output_prefix + key, outdir / key)
        report(done * 100.0 / len(keys))


def publish(
    store: TranscodeStore,
    *,
    output_prefix: str,
    workdir: Path,
    kind: str,
    produce: Produce,
    on_progress: OnProgress | None = None,
) -> Description:
    """Return the stored description if the prefix is complete; else produce, upload and return it.

    On any failure nothing is left under the prefix and the job folder is removed.
    """
    prefix = output_folder(output_prefix)
    done = stored_description(store, prefix)
    if done is not None:
        _log.info("%s already complete; not encoding it again", prefix)
        return done
    with job_folder(workdir, kind=kind, store=store, clean_prefix=prefix) as job_dir:
        outdir, description = produce(job_dir)
        upload_package(
            store, outdir=outdir, output_prefix=prefix, description=description, on_progress=on_progress
        )
        return description
