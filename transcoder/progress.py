"""One job-wide percent: each stage of a transcode owns a slice of 0-100."""

from __future__ import annotations

from collections.abc import Callable

from transcoder.types import OnProgress

__all__ = ["STAGES", "stage_reporter"]

# (start, end) percent of each stage, so the caller sees one steadily rising number.
STAGES: dict[str, tuple[int, int]] = {
    "download": (0, 3),
    "probe": (3, 5),
    "loudness": (5, 12),
    "encode": (12, 92),
    "package": (92, 95),
    "upload": (95, 100),
}


def stage_reporter(on_progress: OnProgress | None, stage: str) -> Callable[[float], None]:
    """Announce `stage` at its start; the returned function maps the stage's 0-100 into the job's."""
    start, end = STAGES[stage]

    def report(percent: float) -> None:
        if on_progress is not None:
            on_progress(round(start + (end - start) * percent / 100.0, 1), stage)

    report(0.0)
    return report
