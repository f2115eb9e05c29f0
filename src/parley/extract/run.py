"""The extract stage: one document (and its spaCy parse) to an Extraction.

Each kind of record has its own module; this one only runs them in order, since
quotes, events and positions need the document's actors, and events its times.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from parley.extract.actors import find_actors
from parley.extract.events import find_events
from parley.extract.figures import find_figures
from parley.extract.framing import find_framing
from parley.extract.positions import find_positions
from parley.extract.quotes import find_quotes
from parley.extract.times import find_times
from parley.lexicon import Lexicon
from parley.records import Document, Extraction

# Bump when extraction rules change, so stored documents are extracted again.
EXTRACTOR_VERSION = "4"


def extract(document: Document, doc: Doc, lexicon: Lexicon) -> Extraction:
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
        framing=find_framing(document, doc, lexicon),
        sentences=[[s.start_char, s.end_char] for s in doc.sents],
    )


def extract_all(documents: Iterable[Document], nlp: Language, lexicon: Lexicon,
                batch_size: int = 8) -> Iterator[tuple[Document, Extraction]]:
    """Parse documents in batches with spaCy and extract each one."""
    documents = list(documents)
    parsed = nlp.pipe((d.text for d in documents), batch_size=batch_size)
    for document, doc in zip(documents, parsed):
        yield document, extract(document, doc, lexicon)
