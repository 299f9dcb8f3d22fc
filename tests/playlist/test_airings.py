"""What each entry became on air, read from the timeline: exact cuts, soft delays, stand-ins."""

from __future__ import annotations

from datetime import timedelta

from playlist import GridEntry, compile_timeline, entry_airings, to_us
from tests.playlist.builders import EPOCH, channel, media, slate

S = timedelta(seconds=1)


def test_airings_say_what_each_entry_became() -> None:
    tl = compile_timeline(
        channel=channel(),
        entries=[
            GridEntry("cut", "g", EPOCH),
            GridEntry("hard", "b", EPOCH + 17 * S),
            GridEntry("soft", "b", EPOCH + 20 * S, "soft"),
            GridEntry("late", "missing", EPOCH + 100 * S),
        ],
        programmes={"g": media("g", [6.0] * 10, gops=True), "b": media("b", [6.0] * 5), "missing": None},
        slate=slate(),
        horizon=EPOCH + 300 * S,
    )
    found = entry_airings(tl)
    cut, hard, soft, late = (found[k] for k in ("cut", "hard", "soft", "late"))
    assert (cut.aired_us, cut.length_us, cut.cut_us) == (16_000_000, 60_000_000, 44_000_000)
    assert (hard.start_us, hard.cut_us) == (to_us(EPOCH + 17 * S), 0)
    assert soft.start_us == hard.end_us == to_us(EPOCH + 47 * S)  # 27 s late: b runs to its end
    assert late.stand_in
    assert (late.programme_id, late.start_us, late.aired_us, late.cut_us) == (
        "missing",
        to_us(EPOCH + 100 * S),
        0,
        0,
    )
    assert set(found) == {"cut", "hard", "soft", "late"}
