"""Airtime per legal topic and legal document: the grid's plan against the as-run log.

Planned: every grid entry starting within the period, for its programme's duration. Aired: every
as-run entry of a programme, clipped to the period. A programme under two topics counts for both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from channel.reports.figures import Facts

__all__ = ["Aired", "Airtime", "airtime"]

#: (programme id, seconds): one planned slot or one aired stretch
Aired = tuple[str, float]


@dataclass(frozen=True, slots=True)
class Airtime:
    """Hours planned and aired under one topic or document."""

    key: str
    name: str
    planned_s: float
    aired_s: float


def _names(facts: Facts | None, by: Literal["topic", "document"]) -> tuple[tuple[str, str], ...]:
    if facts is None:
        return (("", "Khác / Other"),)
    if by == "topic":
        return facts.topics or (("", "Khác / Other"),)
    return tuple((d, d) for d in facts.documents) or (("", "Không gắn văn bản / No document"),)


def airtime(
    *,
    planned: Sequence[Aired],
    aired: Sequence[Aired],
    facts: Mapping[str, Facts],
    by: Literal["topic", "document"],
) -> list[Airtime]:
    """Planned and aired seconds per topic (or document), most aired first."""
    plan: dict[tuple[str, str], float] = defaultdict(float)
    done: dict[tuple[str, str], float] = defaultdict(float)
    for totals, stretches in ((plan, planned), (done, aired)):
        for programme_id, seconds in stretches:
            for name in _names(facts.get(programme_id), by):
                totals[name] += seconds
    keys = set(plan) | set(done)
    rows = [Airtime(k, n, plan.get((k, n), 0.0), done.get((k, n), 0.0)) for k, n in keys]
    return sorted(rows, key=lambda r: (-r.aired_s, -r.planned_s, r.name))
