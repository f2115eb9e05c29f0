"""The extract stage: one document (and its spaCy parse) to an Extraction.

Each kind of record has its own module; this one only runs them in order, since
quotes, events and positions need the document's actors, and events its times.
A document longer than a part (``parts.PART_CHARS``) is parsed and extracted part by
part, and the parts' extractions joined (``parts.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from parley.extract import parts
from parley.extract.actors import find_actors
from parley.extract.events import find_events
from parley.extract.figures import find_figures
from parley.extract.framing import find_framing, framing_of, framing_sentences
from parley.extract.positions import find_positions
from parley.extract.quotes import find_quotes
from parley.extract.times import find_times
from parley.lexicon import Lexicon
from parley.records import Document, Extraction

# Bump when extraction rules change, so stored documents are extracted again.
EXTRACTOR_VERSION = "4"


def extract(document: Document, doc: Doc, lexicon: Lexicon, framing: bool = True) -> Extraction:
    """``framing``: False for a part of a long document, whose framing is read over all parts."""
    actors = find_actors(document, doc, lexicon)
    times = find_times(document, doc, lexicon)
    quotes = find_quotes(document, doc, actors, lexicon)
    return Extraction(
        document=document.source,
        actors=list(actors.actors.values()),
        mentions=actors.mentions,
        quotes=quotes,
        figures=find_figures(document, doc, lexicon),
        times=times,
        events=find_events(document, doc, actors, times, lexicon),
        positions=find_positions(document, doc, actors, lexicon, quotes),
        framing=find_framing(document, doc, lexicon) if framing else None,
        sentences=[[s.start_char, s.end_char] for s in doc.sents],
    )


def extract_all(documents: Iterable[Document], nlp: Language, lexicon: Lexicon,
                batch_size: int = 8, part_chars: int | None = None) -> Iterator[tuple[Document, Extraction]]:
    """Parse documents in batches with spaCy and extract each one; a document longer than
    ``part_chars`` (``parts.PART_CHARS`` by default) is extracted in parts, after the others."""
    part_chars = min(part_chars or parts.PART_CHARS, nlp.max_length)
    documents = list(documents)
    short = [d for d in documents if len(d.text) <= part_chars]
    parsed = nlp.pipe((d.text for d in short), batch_size=batch_size)
    for document, doc in zip(short, parsed):
        yield document, extract(document, doc, lexicon)
    for document in documents:
        if len(document.text) > part_chars:
            yield document, extract_in_parts(document, nlp, lexicon, part_chars)


def extract_in_parts(document: Document, nlp: Language, lexicon: Lexicon,
                     part_chars: int | None = None) -> Extraction:
    """The extraction of a long document, parsed and extracted one part at a time (so that
    memory stays that of one part), every offset pointing into the whole text."""
    spans = parts.cut_into_parts(document.text, min(part_chars or parts.PART_CHARS, nlp.max_length))
    texts = (document.text[start:end] for start, end in spans)
    sentences: list[str] = []

    def extracted() -> Iterator[tuple[int, Extraction]]:
        for (start, end), doc in zip(spans, nlp.pipe(texts, batch_size=1)):
            part = replace(document, text=document.text[start:end])
            sentences.extend(framing_sentences(doc))
            yield start, extract(part, doc, lexicon, framing=False)

    joined = parts.join_parts(extracted())
    joined.framing = framing_of(document, sentences, lexicon)
    return joined
