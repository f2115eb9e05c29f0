"""Corpus-wide actors: the same person or body across documents becomes one actor.

Documents already agree on the ids of known actors and of people named in full
(the id is the slug of the name). What is left to merge here:
- a surname seen alone in one document ("Ignatius") and the full name in another,
  when exactly one full name fits;
- spellings and transliterations of one name across documents ("Andriy Hnatov" /
  "Andrey Gnatov", "Volodymyr" / "Vladimir"): ``parley.names`` decides, and people are
  compared only with those whose surname is spelled alike (blocked by its spelling key).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import replace
from operator import attrgetter
from typing import Any

from parley.lexicon import Lexicon, load_lexicon
from parley.names import NameRules, name_parts, name_rules, same_person
from parley.records import Actor, Extraction


def _merge_map(locals_by_id: dict[str, list[Actor]], rules: NameRules) -> dict[str, str]:
    """local id -> corpus id, for ids that should be merged into another."""
    parts = {i: name_parts(acts[0].name, rules) for i, acts in locals_by_id.items() if acts[0].kind == "person"}
    mapping: dict[str, str] = {}
    # Spellings of one full name: the id seen in more documents absorbs the others.
    by_surname: dict[str, list[str]] = defaultdict(list)  # surname key -> corpus ids
    for actor_id in sorted((i for i, p in parts.items() if p and p.given), key=lambda i: -len(locals_by_id[i])):
        name = locals_by_id[actor_id][0].name
        people = by_surname[parts[actor_id].surname]
        same = next((other for other in people if same_person(locals_by_id[other][0].name, name, rules)), None)
        if same is None:
            people.append(actor_id)
        else:
            mapping[actor_id] = same
    # A surname alone: the single person named in full whose surname it is.
    for actor_id, found in parts.items():
        if found and not found.given and len(by_surname.get(found.surname, ())) == 1:
            mapping[actor_id] = by_surname[found.surname][0]  # a different id: it has a given name
    return mapping


def _merged(actor_id: str, group: list[Actor], mapping: dict[str, str]) -> Actor:
    # (a group holds one record per document naming the actor: 100,000 for a party in a
    # large store, so each field is read with map() and counted in C)
    names = Counter(map(attrgetter("name"), group))
    # Canonical: the name of the id's own record when present (known actors), else the fullest.
    own = [a.name for a in group if a.id == actor_id]
    name = own[0] if own else max(names, key=lambda n: (len(n.split()), names[n], len(n)))
    aliases: dict[str, str] = {}
    for first, others in dict.fromkeys((a.name, tuple(a.aliases)) for a in group):  # each spelling once
        for form in (first, *others):
            if form != name and form.lower() != name.lower():
                aliases.setdefault(form.lower(), form)
    roles = Counter(filter(None, map(attrgetter("role"), group)))
    affiliations: Counter[str] = Counter()
    for affiliation, count in Counter(filter(None, map(attrgetter("affiliation"), group))).items():
        affiliations[mapping.get(affiliation, affiliation)] += count
    documents = sorted(set().union(*map(attrgetter("documents"), group)))
    return Actor(
        id=actor_id, name=name, kind=Counter(map(attrgetter("kind"), group)).most_common(1)[0][0],
        aliases=sorted(aliases.values()),
        role=roles.most_common(1)[0][0] if roles else None,
        affiliation=affiliations.most_common(1)[0][0] if affiliations else None,
        documents=documents, mentions=sum(map(attrgetter("mentions"), group)),
    )


def _ids_named(e: Extraction) -> Iterator[str | None]:
    """Every actor id an extraction's records name (those ``reconcile_actors`` may rewrite)."""
    for a in e.actors:
        yield a.id
        yield a.affiliation
    yield from map(attrgetter("actor"), e.mentions)
    yield from map(attrgetter("speaker"), e.quotes)
    for ev in e.events:
        yield from ev.participants
    yield from map(attrgetter("actor"), e.positions)


def reconcile_actors(extractions: list[Extraction],
                     lexicon: Lexicon | None = None) -> tuple[list[Actor], list[Extraction]]:
    """Corpus-wide actors, and the extractions with their actor ids rewritten to them."""
    locals_by_id: dict[str, list[Actor]] = defaultdict(list)
    for extraction in extractions:
        for actor in extraction.actors:
            locals_by_id[actor.id].append(actor)
    mapping = _merge_map(locals_by_id, name_rules(lexicon or load_lexicon()))
    groups: dict[str, list[Actor]] = defaultdict(list)
    for actor_id, group in locals_by_id.items():
        groups[mapping.get(actor_id, actor_id)].extend(group)
    actors = sorted((_merged(i, g, mapping) for i, g in groups.items()),
                    key=lambda a: (-a.mentions, a.id))

    def cid(actor_id: str | None) -> str | None:
        return mapping.get(actor_id, actor_id) if actor_id else actor_id

    def moved(record: Any, **changes: Any) -> Any:
        """The record with ``changes``; the record itself when they change nothing (most
        records name an actor no merge touched, and need not be held twice)."""
        if all(getattr(record, name) == value for name, value in changes.items()):
            return record
        return replace(record, **changes)

    def kept(ids: list[str]) -> bool:
        """Participants that stay as they are: none merged into another, none twice."""
        return not any(i in mapping for i in ids) and len(set(ids)) == len(ids)

    # Most records name no merged id: they are kept without a call (millions in a large store),
    # and an extraction none of whose records does (nor names a participant twice) is kept as it is.
    rewritten = []
    for e in extractions:
        if mapping.keys().isdisjoint(_ids_named(e)) and all(kept(ev.participants) for ev in e.events):
            rewritten.append(e)
            continue
        rewritten.append(replace(
            e,
            actors=[a if a.id not in mapping and a.affiliation not in mapping
                    else moved(a, id=cid(a.id), affiliation=cid(a.affiliation)) for a in e.actors],
            mentions=[m if m.actor not in mapping else moved(m, actor=cid(m.actor)) for m in e.mentions],
            quotes=[q if q.speaker not in mapping else moved(q, speaker=cid(q.speaker)) for q in e.quotes],
            events=[ev if kept(ev.participants)
                    else moved(ev, participants=list(dict.fromkeys(cid(p) for p in ev.participants)))
                    for ev in e.events],
            positions=[p if p.actor not in mapping else moved(p, actor=cid(p.actor)) for p in e.positions],
        ))
    return actors, rewritten
