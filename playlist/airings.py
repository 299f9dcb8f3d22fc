"""What each grid entry became on air, read from the compiled timeline.

This is the one source of what the service reports about a grid (conflicts before publishing, the
publish response): read from the same timeline the playlists are rendered from, the report is exactly
what airs — cuts at the GOP or segment boundary really chosen, soft starts as late as they really are.
"""

from __future__ import annotations

from dataclasses import dataclass

from playlist.timeline import Timeline

__all__ = ["Airing", "entry_airings"]


@dataclass(frozen=True, slots=True)
class Airing:
    """One entry on air: a programme from ``start_us`` to ``end_us`` out of ``length_us``.

    A programme that was not ready is a stand-in: filler airs in its place from ``start_us``, and the
    entry itself fills no time (``end_us == start_us``, ``length_us == 0``).
    """

    entry_id: str
    programme_id: str
    start_us: int
    end_us: int
    length_us: int
    stand_in: bool = False

    @property
    def aired_us(self) -> int:
        return self.end_us - self.start_us

    @property
    def cut_us(self) -> int:
        """How much of the end of the programme does not air (a hard start cut it)."""
        return self.length_us - self.aired_us


def entry_airings(timeline: Timeline) -> dict[str, Airing]:
    """entry id → its `Airing`, for every entry that got air time or a stand-in."""
    found: dict[str, Airing] = {}
    for item in timeline.items:
        entry_id = item.entry_id
        if entry_id is None:
            continue
        known = found.get(entry_id)
        if item.kind == "programme" and item.programme_id is not None and (known is None or known.stand_in):
            # a programme replaces its stand-in (it became ready while filler stood in for it)
            found[entry_id] = Airing(
                entry_id=entry_id,
                programme_id=item.programme_id,
                start_us=item.start_us,
                end_us=item.end_us,
                length_us=item.source.duration_us - item.source.position(item.first_segment),
            )
        elif item.replaced_programme_id is not None and known is None:
            found[entry_id] = Airing(
                entry_id=entry_id,
                programme_id=item.replaced_programme_id,
                start_us=item.start_us,
                end_us=item.start_us,
                length_us=0,
                stand_in=True,
            )
    return found
