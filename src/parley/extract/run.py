"""The extract stage: one document (and its spaCy parse) to an Extraction.

Each kind of record has its own module; this one only runs them in order, since
quotes, events and positions need the document's actors, and events its times.
A document longer than a part (``parts.PART_CHARS``) is parsed and extracted part by
part, and the parts' extractions joined (``parts.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

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
from parley.nlp import MAX_LENGTH
from parley.records import Document, Extraction

# Bump when extraction rules change, so stored documents are extracted again.
EXTRACTOR_VERSION = "5"


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


BATCH_SIZE = 8  # documents parsed together by one nlp.pipe batch


@dataclass
class Task:
    """One unit of extract work, cut the same way whatever runs it (``engines.py``): a batch of
    short documents parsed as one spaCy batch, or one part of a long document. ``whole`` and
    ``last`` stay with the caller; a worker gets only ``work()``."""

    documents: list[Document]  # the batch, or the part alone (a copy of its document holding its text)
    whole: Document | None = None  # a part's document
    start: int = 0  # where a part starts in its document's text
    last: bool = True  # the last part of its document

    def work(self) -> tuple[list[Document], bool]:
        return self.documents, self.whole is not None


def plan(documents: Sequence[Document], part_chars: int | None = None,
         batch_size: int = BATCH_SIZE) -> Iterator[Task]:
    """The tasks of extracting ``documents``: the short ones in batches, in order, then the parts of
    each one longer than ``part_chars`` (``parts.PART_CHARS`` by default). Parts are cut lazily."""
    part_chars = min(part_chars or parts.PART_CHARS, MAX_LENGTH)
    short = [d for d in documents if len(d.text) <= part_chars]
    for i in range(0, len(short), batch_size):
        yield Task(short[i:i + batch_size])
    for document in documents:
        if len(document.text) > part_chars:
            yield from _parts_of(document, part_chars)


def _parts_of(document: Document, part_chars: int) -> Iterator[Task]:
    spans = parts.cut_into_parts(document.text, part_chars)
    for number, (start, end) in enumerate(spans, start=1):
        part = replace(document, text=document.text[start:end])
        yield Task([part], whole=document, start=start, last=number == len(spans))


def count_tasks(documents: Sequence[Document], part_chars: int | None = None, batch_size: int = BATCH_SIZE) -> int:
    part_chars = min(part_chars or parts.PART_CHARS, MAX_LENGTH)
    short = sum(len(d.text) <= part_chars for d in documents)
    long = sum(len(parts.cut_into_parts(d.text, part_chars)) for d in documents if len(d.text) > part_chars)
    return -(-short // batch_size) + long


PartResult = tuple[Extraction, list[str]]  # a part's extraction and its framing sentences


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


def assemble(done: Iterable[tuple[Task, Iterable[Extraction] | PartResult]],
             lexicon: Lexicon) -> Iterator[tuple[Document, Extraction]]:
    """(document, extraction) pairs from the tasks' results, given in the order of ``plan``:
    a long document's parts are joined when its last part is in."""
    done_parts: list[tuple[int, Extraction, list[str]]] = []
    for task, result in done:
        if task.whole is None:
            yield from zip(task.documents, result)
            continue
        extraction, sentences = result
        done_parts.append((task.start, extraction, sentences))
        if task.last:
            joined = parts.join_parts((start, part) for start, part, _ in done_parts)
            joined.framing = framing_of(task.whole, [s for *_, found in done_parts for s in found], lexicon)
            done_parts = []
            yield task.whole, joined


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
                                  for task in _parts_of(document, part_chars)), lexicon)
    return extraction
