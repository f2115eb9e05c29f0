"""Actors of one document: people, organizations, countries and blocs.

(being written: the ActorTable interface below is stable; other extractors use it)
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from parley.records import Actor, Mention


@dataclass
class ActorTable:
    """The actors of one document and every place they are mentioned.

    Other extractors use it to turn a stretch of text into actor ids.
    """

    actors: dict[str, Actor] = field(default_factory=dict)  # id -> Actor
    mentions: list[Mention] = field(default_factory=list)  # sorted by start

    def add_mention(self, mention: Mention) -> None:
        bisect.insort(self.mentions, mention, key=lambda m: m.start)

    def get(self, actor_id: str | None) -> Actor | None:
        return self.actors.get(actor_id) if actor_id else None

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        """Mentions lying wholly inside the character range [start, end)."""
        i = bisect.bisect_left(self.mentions, start, key=lambda m: m.start)
        found = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            if self.mentions[i].end <= end:
                found.append(self.mentions[i])
            i += 1
        return found

    def actor_at(self, start: int, end: int) -> str | None:
        """The actor of the mention overlapping [start, end) the most, or None."""
        best, best_overlap = None, 0
        i = bisect.bisect_left(self.mentions, start - 200, key=lambda m: m.start)
        while i < len(self.mentions) and self.mentions[i].start < end:
            m = self.mentions[i]
            overlap = min(end, m.end) - max(start, m.start)
            if overlap > best_overlap:
                best, best_overlap = m.actor, overlap
            i += 1
        return best

    def actors_in(self, start: int, end: int) -> list[str]:
        """Distinct actor ids mentioned inside [start, end), in order of first mention."""
        seen: list[str] = []
        for m in self.mentions_in(start, end):
            if m.actor not in seen:
                seen.append(m.actor)
        return seen

    def of_kind(self, *kinds: str) -> list[Actor]:
        return [a for a in self.actors.values() if a.kind in kinds]
