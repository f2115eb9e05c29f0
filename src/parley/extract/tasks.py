"""How the extract stage's work is cut into tasks and its results put back in order, with no
spaCy in sight: the process that hands tasks to workers (``engines.py``) never loads the
parser. ``run.py`` does the work of one task.

Short documents go in batches parsed together; a document longer than a part
(``parts.PART_CHARS``) goes part by part, and its parts' extractions are joined when the
last one is in (``parts.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice

from parley.extract import parts
from parley.extract.framing import framing_of
from parley.lexicon import Lexicon
from parley.records import Document, Extraction

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
    part_chars = min(part_chars or parts.PART_CHARS, parts.MAX_LENGTH)
    short = [d for d in documents if len(d.text) <= part_chars]
    for i in range(0, len(short), batch_size):
        yield Task(short[i:i + batch_size])
    for document in documents:
        if len(document.text) > part_chars:
            yield from parts_of(document, part_chars)


def parts_of(document: Document, part_chars: int) -> Iterator[Task]:
    """The tasks of one long document: its parts, in order, the last one marked."""
    spans = parts.cut_into_parts(document.text, part_chars)
    for number, (start, end) in enumerate(spans, start=1):
        part = replace(document, text=document.text[start:end])
        yield Task([part], whole=document, start=start, last=number == len(spans))


def count_tasks(documents: Sequence[Document], part_chars: int | None = None, batch_size: int = BATCH_SIZE,
                up_to: int | None = None) -> int:
    """How many tasks ``plan`` makes of ``documents``; with ``up_to``, counted no further."""
    return sum(1 for _ in islice(plan(documents, part_chars, batch_size), up_to))


PartResult = tuple[Extraction, list[str]]  # a part's extraction and its framing sentences


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
