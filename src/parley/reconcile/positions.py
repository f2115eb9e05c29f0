"""The position matrix: each party's stance on each issue across the corpus.

A position stated by a person counts for the party they speak for: their affiliation
when it is a country, bloc or organization (Bart De Wever -> Belgium). Each (party, issue)
cell holds the latest stance, by the publishing date of the documents (documents without
a date count as oldest; ties go to the later one in corpus order), with its evidence, all
the documents with a position in the cell, and the history of stances over time; it is
flagged ``changed`` when documents give the party different stances on the issue.
Near-copies of another document are left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from parley.records import Actor, Document, Extraction

PARTY_KINDS = {"country", "bloc", "organization"}


@dataclass
class StanceReport:
    """One document's statement of a party's stance on an issue."""

    document: str  # source
    published: str | None
    stance: str
    actor: str  # who stated it: the party itself or a person speaking for it
    evidence: str


@dataclass
class PositionCell:
    party: str  # actor id of the country, bloc or organization (or an unaffiliated person)
    issue: str
    stance: str  # the latest stance
    evidence: str  # the sentence stating it
    document: str  # the source stating it
    sources: list[str] = field(default_factory=list)  # every document with a position here
    changed: bool = False  # the stance differs between documents
    history: list[StanceReport] = field(default_factory=list)  # oldest first


def party_of(actor_id: str, actors: dict[str, Actor]) -> str:
    """The party an actor speaks for: a person's country/bloc/organization, else itself."""
    actor = actors.get(actor_id)
    if actor is None or actor.kind != "person" or not actor.affiliation:
        return actor_id
    affiliation = actors.get(actor.affiliation)
    if affiliation is None or affiliation.kind in PARTY_KINDS:
        return actor.affiliation
    return actor_id


def _changed(history: list[StanceReport]) -> bool:
    """Documents disagree over time: the last stance of each document is not always the same."""
    per_document: dict[str, str] = {}
    for report in history:
        per_document[report.document] = report.stance
    return len(set(per_document.values())) > 1


def position_matrix(documents: list[Document], extractions: list[Extraction],
                    actors: list[Actor]) -> list[PositionCell]:
    """One cell per (party, issue) stated anywhere in the corpus, sorted by party and issue."""
    by_id = {a.id: a for a in actors}
    for extraction in extractions:  # per-document actors fill in any the corpus list lacks
        for actor in extraction.actors:
            by_id.setdefault(actor.id, actor)
    by_source = {d.source: d for d in documents}
    found: dict[tuple[str, str], list[tuple[tuple, StanceReport]]] = defaultdict(list)
    for doc_order, extraction in enumerate(extractions):
        document = by_source.get(extraction.document)
        if document is not None and document.duplicate_of:
            continue
        published = document.published if document is not None else None
        for order, position in enumerate(extraction.positions):
            party = party_of(position.actor, by_id)
            report = StanceReport(extraction.document, published, position.stance, position.actor, position.evidence)
            found[(party, position.issue)].append(((published or "", doc_order, order), report))
    cells = []
    for (party, issue), dated in sorted(found.items()):
        history = [report for _, report in sorted(dated, key=lambda item: item[0])]
        latest = history[-1]
        cells.append(PositionCell(
            party=party, issue=issue, stance=latest.stance, evidence=latest.evidence,
            document=latest.document, sources=list(dict.fromkeys(r.document for r in history)),
            changed=_changed(history), history=history,
        ))
    return cells

