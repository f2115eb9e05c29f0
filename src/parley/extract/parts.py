"""Long documents in parts: where to cut them, and how the parts' extractions join.

A document longer than ``PART_CHARS`` (a transcript, a report) is not parsed in one piece:
a spaCy parse of several megabytes needs gigabytes of memory and passes the model's
``max_length``, and extractors that look back over the whole document slow down with
its length. ``extract/run.py`` parses and extracts it part by part instead, so memory
stays that of one part whatever the document's size; this module

- cuts the text into parts (``cut_into_parts``): at the last paragraph break of each
  part-sized window, else at a line break, a sentence end, a space, and only when the
  window holds none of these (a run of one unbroken "word") at the window's end;
- joins the parts' extractions into the document's one (``join_parts``): every offset
  shifted by where its part starts, so each one points into the original text; an actor
  found in several parts becomes one actor (aliases and mention counts added up).

What a part cannot see is what the parts before it said: a surname alone in part 3 names
the person introduced in full in part 1 only if reconcile (which merges actors across
documents) links them, as it would across two articles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from parley.records import Actor, Extraction

MAX_LENGTH = 2_000_000  # characters spaCy takes in one text (``nlp.py``); parts are far below it

# Characters in one part: about 17,000 words, far beyond a news article (those keep the
# one-piece path). A part's parse and extraction add about 200 MB to a run, whatever the
# document's size; spaCy's one-piece parse of a 0.5 MB text alone peaks near 1.9 GB
# (benchmarks/long_document.py).
PART_CHARS = 100_000

# Boundaries, best first; a cut goes after the white space that ends a boundary.
BOUNDARIES = (
    re.compile(r"\n[ \t]*\n\s*"),  # a paragraph break: a blank line
    re.compile(r"\n\s*"),  # a line break
    re.compile(r"[.!?…][\"'”’)\]]*\s+"),  # the end of a sentence, more or less
    re.compile(r"\s+"),  # any white space
)


def cut_into_parts(text: str, part_chars: int = PART_CHARS) -> list[tuple[int, int]]:
    """(start, end) of each part of ``text``, none longer than ``part_chars``; together
    they cover the text exactly. A text no longer than ``part_chars`` is one part."""
    if part_chars < 1:
        raise ValueError("part_chars must be at least 1")
    parts = []
    start = 0
    while len(text) - start > part_chars:
        end = _cut(text, start, start + part_chars)
        parts.append((start, end))
        start = end
    parts.append((start, len(text)))
    return parts


def _cut(text: str, start: int, limit: int) -> int:
    """Where the part starting at ``start`` ends: after the last boundary of the best kind
    in text[start:limit], else at ``limit``. (A short paragraph before one too long for the
    rest of the part makes a short part: parts cost next to nothing, a cut sentence does.)"""
    window = text[start:limit]
    for boundary in BOUNDARIES:
        last = None
        for last in boundary.finditer(window):
            pass
        if last is not None:
            return start + last.end()
    return limit


def shift(extraction: Extraction, offset: int) -> Extraction:
    """The extraction of a part, its offsets moved ``offset`` characters on (in place)."""
    for records in (extraction.mentions, extraction.quotes, extraction.figures, extraction.times,
                    extraction.events, extraction.positions):
        for record in records:
            record.start += offset
            record.end += offset
    extraction.sentences = [[start + offset, end + offset] for start, end in extraction.sentences]
    return extraction


def join_parts(parts: Iterable[tuple[int, Extraction]]) -> Extraction:
    """One document's extraction from those of its parts, each given with the offset of its
    part in the document's text (its framing, read over every part's sentences, is the
    caller's to set)."""
    joined: Extraction | None = None
    actors: dict[str, list[Actor]] = {}
    for offset, part in parts:
        shift(part, offset)
        if joined is None:
            joined = Extraction(document=part.document)
        for actor in part.actors:
            actors.setdefault(actor.id, []).append(actor)
        joined.mentions += part.mentions
        joined.quotes += part.quotes
        joined.figures += part.figures
        joined.times += part.times
        joined.events += part.events
        joined.positions += part.positions
        joined.sentences += part.sentences
    if joined is None:
        raise ValueError("a document has at least one part")
    joined.actors = [_one_actor(found) for found in actors.values()]
    return joined


def _one_actor(found: list[Actor]) -> Actor:
    """One actor from the same actor as found in several parts."""
    first = found[0]
    if len(found) == 1:
        return first
    forms = {f for a in found for f in (a.name, *a.aliases)}
    # The fullest name, as the extractor picks it within a document (a known actor's name
    # is the same in every part).
    name = max((a.name for a in found), key=lambda n: (len(n.split()), len(n)))
    return Actor(
        id=first.id, name=name, kind=first.kind,
        aliases=sorted(forms - {name}),
        role=next((a.role for a in found if a.role), None),
        affiliation=next((a.affiliation for a in found if a.affiliation), None),
        documents=first.documents, mentions=sum(a.mentions for a in found),
    )
