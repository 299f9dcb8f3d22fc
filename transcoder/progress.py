"""One job-wide percent: each stage of a transcode owns a slice of 0-100 as wide as its real cost.

The slices come from timing every stage of real encodes (`bench/stage_weights.py`; docs/attacks-jobs.md,
"Where the time goes"): a 60 s 1080p source to the default ladder spent 97-98 % of its time in the
encode, 1.2-1.3 % measuring loudness (a decode of the audio only), 0.4-0.5 % probing and under 1 % each
packaging and uploading.
A chunked job encodes its chunks on several workers at once, so packaging (fetching every chunk,
concatenating, taking the pictures and measuring the rungs) weighs more of its wall time: 5 % of a
sequential run, about 11 % with the chunks spread over two workers.

Both tables share the stages before and after the encode, so a stage reports the same slice whichever
path runs it, and `upload` always ends the job at 100.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from transcoder.types import OnProgress

__all__ = ["CHUNKED_STAGES", "STAGES", "StageTable", "stage_reporter", "stage_slice"]

StageTable = Mapping[str, tuple[float, float]]
"""(start, end) percent of each stage, in the order the stages run."""

STAGES: StageTable = {
    "download": (0.0, 1.0),
    "probe": (1.0, 2.0),
    "loudness": (2.0, 4.0),
    "encode": (4.0, 98.0),
    "package": (98.0, 99.0),
    "upload": (99.0, 100.0),
}

CHUNKED_STAGES: StageTable = {
    **STAGES,
    "encode": (4.0, 88.0),  # every chunk and the audio, on however many workers
    "package": (88.0, 99.0),
}


def stage_slice(stage: str, *, table: StageTable = STAGES) -> tuple[float, float]:
    """The (start, end) percent of `stage` in `table`."""
    return table[stage]


def stage_reporter(
    on_progress: OnProgress | None, stage: str, *, table: StageTable = STAGES
) -> Callable[[float], None]:
    """Announce `stage` at its start; the returned function maps the stage's 0-100 into the job's."""
    start, end = stage_slice(stage, table=table)

    def report(percent: float) -> None:
        if on_progress is not None:
            fraction = max(0.0, min(100.0, percent)) / 100.0
            on_progress(round(start + (end - start) * fraction, 1), stage)

    report(0.0)
    return report
