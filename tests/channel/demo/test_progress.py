"""The first run's transcode progress: plain lines every 10 % into a file or pipe, bars on a terminal."""

from __future__ import annotations

import io

from channel.demo.progress import ProgressReport, Transcode, bar_lines, overall

A, B = "Pháp luật và đời sống", "Hỏi đáp pháp luật"


def _seen(
    a: float, b: float, *, a_status: str = "processing", b_status: str = "processing"
) -> list[Transcode]:
    return [Transcode(A, a_status, a), Transcode(B, b_status, b)]


def test_plain_output_is_one_line_per_ten_percent_step_never_going_back() -> None:
    out = io.StringIO()
    report = ProgressReport(out, terminal=False)
    for seen in [
        _seen(0, 0),
        _seen(5, 0),
        _seen(30, 0),
        _seen(30, 0),
        _seen(100, 14, a_status="ready"),
        _seen(100, 12, a_status="ready"),  # a slower stage's figure: the output never goes back
        _seen(100, 100),  # everything stored but not ready yet: not 100 %
        _seen(100, 100, a_status="ready", b_status="ready"),
    ]:
        report.show(seen)
    assert out.getvalue().splitlines() == [
        "  Đang chuyển mã / transcoding … 0 % (0/2 sẵn sàng / ready)",
        "  Đang chuyển mã / transcoding … 10 % (0/2 sẵn sàng / ready)",
        "  Đang chuyển mã / transcoding … 50 % (1/2 sẵn sàng / ready)",
        "  Đang chuyển mã / transcoding … 90 % (0/2 sẵn sàng / ready)",
        "  Đang chuyển mã / transcoding … 100 % (2/2 sẵn sàng / ready)",
    ]
    assert "\x1b" not in out.getvalue()


def test_a_terminal_gets_bars_redrawn_in_place() -> None:
    out = io.StringIO()
    report = ProgressReport(out, terminal=True)
    report.show(_seen(0, 0))
    report.show(_seen(50, 25))
    first, second = bar_lines(_seen(0, 0)), bar_lines(_seen(50, 25))
    assert out.getvalue() == "".join(f"{line}\x1b[K\n" for line in first) + "\x1b[F\x1b[F" + "".join(
        f"{line}\x1b[K\n" for line in second
    )
    assert second[0] == f"  {'█' * 14}{'░' * 14}  50.0%  {A} (processing)"


def test_overall_counts_ready_as_done_and_caps_the_rest() -> None:
    assert overall([]) == 100.0
    assert overall(_seen(100, 100)) == 99.9
    assert overall(_seen(0, 0, a_status="ready")) == 50.0
