"""Speakers named only by a description their article does not resolve.

"the Russian presidential spokesman said", in an article that never names him: the
quote extractor keeps the words and leaves the speaker open. Here the description is
tried against the whole corpus (the persons of every article, with the roles and titles
they were given there), and then against the known-actors data (``actors.toml``), in
that order; it names a person only when exactly one fits (``parley.roles``), and only
when the description is anchored by a country or a person ("the Belgian prime
minister", "Putin's spokesman"): "the spokesman" or "his spokesman" could be anyone's. The words
stay in ``speaker_text``, so the briefing can show what named the speaker.

A known actor named this way joins the corpus actors with no document of its own: it
spoke in the article but is not named there.
"""

from __future__ import annotations

import re
from dataclasses import replace

from parley.lexicon import Lexicon
from parley.records import Actor, Extraction, Quote
from parley.roles import describe, resolve, role_table

POSSESSOR = re.compile(r"([A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*)['’]s\b")


def _known_persons(lexicon: Lexicon) -> list[Actor]:
    return [Actor(id=entry.get("id") or "", name=entry["name"], kind="person", aliases=entry.get("aliases", []),
                  role=entry.get("role"), affiliation=entry.get("affiliation"))
            for entry in lexicon["actors"].get("actor", []) if entry.get("kind", "person") == "person" and entry.get("id")]


def _possessor(words: str, forms: dict[str, str]) -> str | None:
    """The person a possessive in the words names: "Vladimir Putin's spokesman" -> Putin."""
    match = POSSESSOR.search(words)
    return forms.get(match.group(1).lower()) if match else None


def resolve_described_speakers(actors: list[Actor], extractions: list[Extraction],
                               lexicon: Lexicon) -> tuple[list[Actor], list[Extraction]]:
    """Open speakers resolved through the corpus, then the known actors."""
    table = role_table(lexicon)
    titles = {a.id: set(a.aliases) for a in actors}
    affiliations = {a.id: a.affiliation for a in actors}
    known = _known_persons(lexicon)
    by_id = {a.id: a for a in actors}
    added: dict[str, Actor] = {}
    cache: dict[str, str | None] = {}

    forms = {f.lower(): a.id for a in [*known, *actors] if a.kind == "person" for f in [a.name, *a.aliases]}
    affiliations.update({k.id: k.affiliation for k in known if k.id not in affiliations})

    def speaker_of(quote: Quote) -> str | None:
        words = quote.speaker_text or ""
        if words not in cache:
            description = describe(words, table, _possessor(words, forms))
            found = None
            # Across articles only an anchored office can name someone: "the Belgian prime
            # minister", "Putin's spokesman"; not "the spokesman" or "his spokesman".
            if description.is_office and (description.countries or description.of_person):
                found = resolve(description, actors, table, titles, affiliations) or \
                    resolve(description, known, table, {}, affiliations)
            cache[words] = found
        return cache[words]

    rewritten = []
    for extraction in extractions:
        quotes = []
        for quote in extraction.quotes:
            if quote.speaker is None and quote.unnamed and quote.speaker_text:
                found = speaker_of(quote)
                if found is not None:
                    if found not in by_id and found not in added:
                        added[found] = next(k for k in known if k.id == found)
                    quote = replace(quote, speaker=found, unnamed=False)
            quotes.append(quote)
        rewritten.append(replace(extraction, quotes=quotes))
    return actors + list(added.values()), rewritten
