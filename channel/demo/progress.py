"""How the first run shows its transcodes: bars redrawn in place on a terminal, plain lines elsewhere.

A log file or a pipe gets one line each time the overall progress passes a multiple of 10 %
("Đang chuyển mã … 40 %"), never dozens of redrawn bars; a terminal gets one bar per programme,
redrawn where it stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, TextIO

__all__ = ["STEP", "ProgressReport", "Transcode", "bar_lines", "overall", "plain_line"]

#: plain output says something each time the overall progress passes a multiple of this
STEP: Final = 10
_UP: Final = "\x1b[F"  # cursor to the start of the line above
_UNFINISHED: Final = 99.9


@dataclass(frozen=True, slots=True)
class Transcode:
    """One sample programme as the first run shows it."""

    title: str
    status: str
    progress: float

    @property
    def percent(self) -> float:
        """100 once ready, and only then (a transcode storing its last files may report 100 before)."""
        return 100.0 if self.status == "ready" else max(0.0, min(self.progress, _UNFINISHED))


def overall(transcodes: Sequence[Transcode]) -> float:
    """The mean progress of all programmes (a ready one counts as 100 %)."""
    return sum(t.percent for t in transcodes) / len(transcodes) if transcodes else 100.0


def plain_line(percent: int, *, ready: int, total: int) -> str:
    return f"  Đang chuyển mã / transcoding … {percent} % ({ready}/{total} sẵn sàng / ready)"


def _bar(percent: float, width: int = 28) -> str:
    filled = int(width * percent / 100)
    return "█" * filled + "░" * (width - filled)


def bar_lines(transcodes: Sequence[Transcode]) -> list[str]:
    """One bar per programme: the terminal's view."""
    return [f"  {_bar(t.percent)} {t.percent:5.1f}%  {t.title} ({t.status})" for t in transcodes]


class ProgressReport:
    """Writes what `show` is given to `out`: redrawn bars when `terminal`, else a line per 10 % step."""

    def __init__(self, out: TextIO, *, terminal: bool) -> None:
        self._out = out
        self._terminal = terminal
        self._drawn = 0  # bar lines on screen (terminal)
        self._said = -1  # the last step written (plain), so each is written once and never goes back

    def show(self, transcodes: Sequence[Transcode]) -> None:
        if self._terminal:
            lines = bar_lines(transcodes)
            self._out.write(_UP * self._drawn + "".join(f"{line}\x1b[K\n" for line in lines))
            self._drawn = len(lines)
        else:
            step = int(overall(transcodes)) // STEP * STEP
            if step <= self._said:
                return
            self._said = step
            ready = sum(t.status == "ready" for t in transcodes)
            self._out.write(plain_line(step, ready=ready, total=len(transcodes)) + "\n")
        self._out.flush()
