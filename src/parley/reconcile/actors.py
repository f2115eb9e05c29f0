"""Corpus-wide actors: the same person or body across documents becomes one actor.

Documents already agree on the ids of known actors and of people named in full
(the id is the slug of the name). What is left to merge here:
- a surname seen alone in one document ("Ignatius") and the full name in another,
  when exactly one full name fits;
- spelling variants of one name across documents ("Andriy Hnatov" / "Andrii
  Hnatov"): same first initial, surnames alike by fuzzy ratio.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

from rapidfuzz import fuzz

from parley.records import Actor, Extraction

SURNAME_SIMILARITY = 88  # rapidfuzz ratio between two spellings of one surname
FIRST_NAME_SIMILARITY = 75


def _same_person(a: str, b: str) -> bool:
    wa, wb = a.split(), b.split()
    if len(wa) < 2 or len(wb) < 2:
        return False
    return (fuzz.ratio(wa[-1], wb[-1]) >= SURNAME_SIMILARITY
            and fuzz.ratio(wa[0], wb[0]) >= FIRST_NAME_SIMILARITY)


def _merge_map(locals_by_id: dict[str, list[Actor]]) -> dict[str, str]:
    """local id -> corpus id, for ids that should be merged into another."""
    persons = {i: acts[0].name for i, acts in locals_by_id.items() if acts[0].kind == "person"}
    full = {i: n for i, n in persons.items() if len(n.split()) >= 2}
    mapping: dict[str, str] = {}
    # Spelling variants: the id seen in more documents absorbs the other.
    ordered = sorted(full, key=lambda i: -len(locals_by_id[i]))
    for pos, actor_id in enumerate(ordered):
        if actor_id in mapping:
            continue
        for other in ordered[pos + 1:]:
            if other not in mapping and _same_person(full[actor_id], full[other]):
                mapping[other] = actor_id
    # A surname alone: the single full name ending with it.
    by_surname: dict[str, set[str]] = defaultdict(set)
    for actor_id, name in full.items():
        by_surname[name.split()[-1]].add(mapping.get(actor_id, actor_id))
    for actor_id, name in persons.items():
        if len(name.split()) == 1 and len(by_surname.get(name, ())) == 1:
            mapping[actor_id] = next(iter(by_surname[name]))
    return mapping


def _merged(actor_id: str, group: list[Actor], mapping: dict[str, str]) -> Actor:
    names = Counter(a.name for a in group)
    # Canonical: the name of the id's own record when present (known actors), else the fullest.
    own = [a.name for a in group if a.id == actor_id]
    name = own[0] if own else max(names, key=lambda n: (len(n.split()), names[n], len(n)))
    aliases: dict[str, str] = {}
    for a in group:
        for form in [a.name, *a.aliases]:
            if form != name and form.lower() != name.lower():
                aliases.setdefault(form.lower(), form)
    roles = Counter(a.role for a in group if a.role)
    affiliations = Counter(mapping.get(a.affiliation, a.affiliation) for a in group if a.affiliation)
    documents = sorted({d for a in group for d in a.documents})
    return Actor(
        id=actor_id, name=name, kind=Counter(a.kind for a in group).most_common(1)[0][0],
        aliases=sorted(aliases.values()),
        role=roles.most_common(1)[0][0] if roles else None,
        affiliation=affiliations.most_common(1)[0][0] if affiliations else None,
        documents=documents, mentions=sum(a.mentions for a in group),
    )


def reconcile_actors(extractions: list[Extraction]) -> tuple[list[Actor], list[Extraction]]:
    """Corpus-wide actors, and the extractions with their actor ids rewritten to them."""
    locals_by_id: dict[str, list[Actor]] = defaultdict(list)
    for extraction in extractions:
        for actor in extraction.actors:
            locals_by_id[actor.id].append(actor)
    mapping = _merge_map(locals_by_id)
    groups: dict[str, list[Actor]] = defaultdict(list)
    for actor_id, group in locals_by_id.items():
        groups[mapping.get(actor_id, actor_id)].extend(group)
    actors = sorted((_merged(i, g, mapping) for i, g in groups.items()),
                    key=lambda a: (-a.mentions, a.id))

    def cid(actor_id: str | None) -> str | None:
        return mapping.get(actor_id, actor_id) if actor_id else actor_id

    rewritten = []
    for e in extractions:
        rewritten.append(replace(
            e,
            actors=[replace(a, id=cid(a.id), affiliation=cid(a.affiliation)) for a in e.actors],
            mentions=[replace(m, actor=cid(m.actor)) for m in e.mentions],
            quotes=[replace(q, speaker=cid(q.speaker)) for q in e.quotes],
            events=[replace(ev, participants=list(dict.fromkeys(cid(p) for p in ev.participants)))
                    for ev in e.events],
            positions=[replace(p, actor=cid(p.actor)) for p in e.positions],
        ))
    return actors, rewritten
