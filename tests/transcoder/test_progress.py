"""The job-wide percent: stage slices as wide as their measured cost, shared by both paths."""

from __future__ import annotations

import itertools

import pytest

from transcoder.progress import CHUNKED_STAGES, STAGES, StageTable, stage_reporter


@pytest.mark.parametrize("table", [STAGES, CHUNKED_STAGES])
def test_slices_tile_zero_to_a_hundred_in_order(table: StageTable) -> None:
    slices = list(table.values())
    assert slices[0][0] == 0.0
    assert slices[-1][1] == 100.0
    assert all(start < end for start, end in slices)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(slices)), "no gap, no overlap"
    assert list(table) == ["download", "probe", "loudness", "encode", "package", "upload"]


def test_the_encode_owns_most_of_the_job_and_the_paths_share_head_and_tail() -> None:
    start, end = STAGES["encode"]
    assert end - start >= 90, "measured: the encode is 97 % of a single-worker job"
    for stage in ("download", "probe", "loudness", "upload"):
        assert STAGES[stage] == CHUNKED_STAGES[stage]
    assert (
        CHUNKED_STAGES["package"][1] - CHUNKED_STAGES["package"][0]
        > STAGES["package"][1] - STAGES["package"][0]
    )


def test_stage_reporter_announces_the_stage_and_maps_its_percent() -> None:
    seen: list[tuple[float, str]] = []
    report = stage_reporter(lambda percent, stage: seen.append((percent, stage)), "encode")
    report(50.0)
    report(150.0)  # clamped: a stage never reports past its slice
    assert seen == [(4.0, "encode"), (51.0, "encode"), (98.0, "encode")]
    chunked: list[tuple[float, str]] = []
    stage_reporter(lambda percent, stage: chunked.append((percent, stage)), "package", table=CHUNKED_STAGES)(
        100
    )
    assert chunked == [(88.0, "package"), (99.0, "package")]
    stage_reporter(None, "upload")(10.0)  # no listener: nothing happens
