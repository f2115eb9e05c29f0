"""The extract stage: one document (and its spaCy parse) to an Extraction.

Each kind of record has its own module; this one only runs them in order, since
quotes, events and positions need the document's actors, and events its times.
``run_task`` does one task of ``tasks.plan`` (a batch of short documents, or one part of a
long one); ``extract_all`` runs them all in this process, as the engines do elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from parley.extract import parts
from parley.extract.actors import find_actors
from parley.extract.events import find_events
from parley.extract.figures import find_figures
from parley.extract.framing import find_framing, framing_sentences
from parley.extract.positions import find_positions
from parley.extract.quotes import find_quotes
from parley.extract.tasks import BATCH_SIZE, PartResult, assemble, parts_of, plan
from parley.extract.times import find_times
from parley.lexicon import Lexicon
from parley.records import Document, Extraction


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


def run_task(work: tuple[list[Document], bool], nlp: Language,
             lexicon: Lexicon) -> Iterator[Extraction] | PartResult:
    """Parse and extract one task (``Task.work()``): a batch's extractions, one by one as they
    are made, or a part's."""
    documents, is_part = work
    parsed = nlp.pipe([d.text for d in documents], batch_size=len(documents))
    if not is_part:
        return (extract(document, doc, lexicon) for document, doc in zip(documents, parsed))
    [doc] = parsed
    return extract(documents[0], doc, lexicon, framing=False), framing_sentences(doc)


def extract_all(documents: Iterable[Document], nlp: Language, lexicon: Lexicon,
                batch_size: int = BATCH_SIZE, part_chars: int | None = None) -> Iterator[tuple[Document, Extraction]]:
    """Parse documents in batches with spaCy and extract each one, in this process; a document
    longer than ``part_chars`` (``parts.PART_CHARS`` by default) is extracted in parts, after
    the others. ``engines.py`` runs the same tasks in other processes."""
    tasks = plan(list(documents), min(part_chars or parts.PART_CHARS, nlp.max_length), batch_size)
    return assemble(((task, run_task(task.work(), nlp, lexicon)) for task in tasks), lexicon)


def extract_in_parts(document: Document, nlp: Language, lexicon: Lexicon,
                     part_chars: int | None = None) -> Extraction:
    """The extraction of a long document, parsed and extracted one part at a time (so that
    memory stays that of one part), every offset pointing into the whole text."""
    part_chars = min(part_chars or parts.PART_CHARS, nlp.max_length)
    [(_, extraction)] = assemble(((task, run_task(task.work(), nlp, lexicon))
                                  for task in parts_of(document, part_chars)), lexicon)
    return extraction
