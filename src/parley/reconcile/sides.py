"""Sides of a conflict and whether the disagreement is the story moving on.

Shared by every kind of conflict (``reconcile/conflicts.py``, ``reconcile/reading_conflicts.py``).
A side is one document's version of the disputed thing; ``judge_evolution`` reads the
published dates of the sides (or, for a document without one, the day its text is dated
by: ``document_days``) to tell a story that moved on from sources that disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
import re
from datetime import date

from parley.records import Conflict, Document, Extraction


# --------------------------------------------------------------------------- sides and evolution


@dataclass
class Side:
    """One document's version of the disputed thing."""

    document: str
    value: str
    evidence: str
    published: str | None
    stage: int = 0  # position of the value in the order the story runs (see judge_evolution)
    label: str = ""  # the stage in words (proposed, agreed, planned, held), if it has one
    day: str | None = None  # the day it is judged at: published, else the day its text is dated by

    @property
    def when(self) -> str | None:
        return self.published or self.day

    def as_value(self) -> dict[str, object]:
        value: dict[str, object] = {"document": self.document, "value": self.value,
                                    "evidence": self.evidence, "published": self.published}
        if self.label:
            value["stage"] = self.label
        return value


def _dates(sides: Iterable[Side]) -> list[str]:
    return sorted(s.when for s in sides if s.when)


def judge_evolution(groups: list[list[Side]], ordered: bool, number_days: int | None = None,
                    same_moment: bool = False, first_reports: bool = False) -> tuple[bool | None, str]:
    """Is the disagreement between these groups of sides the story moving on?

    ``ordered``: the groups are stages in the order a story runs (``Side.stage``): it moved
    on when every earlier stage was published before every later one - or, with
    ``first_reports``, when each stage was *first* reported before the next one was (a
    later article may recall the proposal that was dropped). Otherwise (numbers):
    it moved on when the groups were published at least ``number_days`` apart and nothing
    ties them to the same moment (``same_moment``). Sides without a published date are
    left out of the judgment; when a whole group has none, there is no judgment (None)."""
    undated = sorted({s.document for g in groups for s in g if not s.when})
    dated = [[s for s in g if s.when] for g in groups]
    if not all(dated):
        return None, (f"no published date for {', '.join(undated)}: cannot tell whether the story "
                      "moved on or the sources disagree")
    aside = f" (undated, not counted: {', '.join(undated)})" if undated else ""
    by_text = sorted({s.document for g in dated for s in g if not s.published})
    if by_text:
        aside += f" (no published date, dated by the latest full date in their text: {', '.join(by_text)})"
    spans = [(min(_dates(g)), max(_dates(g))) for g in dated]
    if ordered:
        by_stage = sorted(zip(dated, spans), key=lambda item: item[0][0].stage)
        if len({g[0].stage for g, _ in by_stage}) < len(by_stage):
            return False, "the sources give one stage different values" + aside
        story = " then ".join(f"{g[0].label or g[0].value} ({span[0]}{'..' + span[1] if span[1] != span[0] else ''})"
                              for g, span in by_stage)
        if first_reports:
            in_order = all(earlier[0] < later[0] for (_, earlier), (_, later) in zip(by_stage, by_stage[1:]))
        else:
            in_order = all(earlier[1] <= later[0] for (_, earlier), (_, later) in zip(by_stage, by_stage[1:]))
        if in_order and by_stage[0][1][0] < by_stage[-1][1][1]:
            return True, f"published in the order the story runs: {story}" + aside
        return False, f"not in the order the story runs: {story}" + aside
    if same_moment:
        return False, "both refer to the same moment: the sources disagree" + aside
    ordered_spans = sorted(spans)
    separated = all(a[1] < b[0] for a, b in zip(ordered_spans, ordered_spans[1:]))
    if separated and number_days is not None:
        gap = min((_day(b[0]) - _day(a[1])) for a, b in zip(ordered_spans, ordered_spans[1:]))
        if gap >= number_days:
            return True, f"reported {gap} days apart: a later figure" + aside
    return False, "reported at about the same time: the sources disagree" + aside


def _day(iso: str) -> int:
    return date.fromisoformat(iso).toordinal()


def _conflict(about: str, kind: str, groups: list[list[Side]], evolution: bool | None, note: str) -> Conflict:
    values = [side.as_value() for group in groups for side in group]
    return Conflict(about=about, kind=kind, values=values, evolution=evolution, note=note)


class UnionFind:
    """Groups of items linked by pairs."""

    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, item):
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def link(self, a, b) -> None:
        self.parent[self.find(a)] = self.find(b)

    def groups(self) -> list[list]:
        found: dict = defaultdict(list)
        for item in list(self.parent):
            found[self.find(item)].append(item)
        return [sorted(g) for g in found.values()]


FULL_DATE = re.compile(r"\b(?:19|20)\d{2}\b")


def document_days(documents: Iterable[Document], extractions: Iterable[Extraction]) -> dict[str, str]:
    """For each document without a published date, the latest full date its text gives (a
    day written with its year, such as "August 8, 2025"): an article is not older than the
    latest day it reports."""
    undated = {d.source for d in documents if not d.published}
    days: dict[str, str] = {}
    for extraction in extractions:
        if extraction.document not in undated:
            continue
        full = [t.when.end or t.when.date for t in extraction.times
                if t.when.date and t.when.precision == "day" and FULL_DATE.search(t.when.text or "")]
        if full:
            days[extraction.document] = max(full)
    return days


def judge_succession(groups: list[list[Side]], number_days: int) -> tuple[bool | None, str]:
    """For a role one person holds at a time (who leads a delegation): the story moved on
    when, in date order, each change of holder comes ``number_days`` or more after the last
    report of the one before; reports of two holders closer in time are a disagreement."""
    dated = sorted((s.when, n) for n, g in enumerate(groups) for s in g if s.when)
    undated = sorted({s.document for g in groups for s in g if not s.when})
    if len({n for _, n in dated}) < 2:
        return None, (f"no published date for {', '.join(undated)}: cannot tell whether the holder "
                      "changed or the sources disagree")
    changes = [(earlier, later) for (earlier, a), (later, b) in zip(dated, dated[1:]) if a != b]
    gap = min(_day(later) - _day(earlier) for earlier, later in changes)
    story = " then ".join(f"{groups[n][0].value} ({when})" for (when, n), nxt in zip(dated, [*dated[1:], None])
                          if nxt is None or nxt[1] != n)
    if gap >= number_days:
        return True, f"a new holder each time, {gap} days or more apart: {story}"
    return False, f"two holders reported {gap} days apart: the sources disagree ({story})"
