"""``parley analyze``: ingest -> extract -> reconcile -> store, in one direction.

Incremental: a file whose raw bytes are unchanged since the last run is not read
again, a document already stored (same content hash) is not parsed again, and
documents extracted by an older extractor version are extracted anew. Only the
reconcile stage always runs over everything stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from parley.embeddings import CachedEmbedder, Embedder
from parley.extract.run import EXTRACTOR_VERSION, extract_all
from parley.ingest import MAX_FILE_MB, IngestError, SourceFile, find_files, read_file
from parley.lexicon import Lexicon
from parley.nlp import load_pipeline
from parley.reconcile.run import reconcile
from parley.records import Document
from parley.store import Store


@dataclass
class RunReport:
    files: int = 0
    files_unchanged: int = 0
    added: list[str] = field(default_factory=list)  # sources of newly extracted documents
    reextracted: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (source, source of original)
    problems: list[str] = field(default_factory=list)  # one line each
    seconds: dict[str, float] = field(default_factory=dict)


Progress = Callable[[int, int], None]  # (done, total)


def _collect(paths: Sequence[Path], store: Store, report: RunReport,
             max_file_mb: float | None = MAX_FILE_MB) -> tuple[list[Document], dict[str, tuple[SourceFile, list[str]]]]:
    """New documents from changed files, and the files to remember once they are stored."""
    new: dict[str, Document] = {}
    pending: dict[str, tuple[SourceFile, list[str]]] = {}
    for sf in find_files(paths):
        report.files += 1
        key = str(sf.path.resolve())
        if sf.raw_hash and store.file_hash(key) == sf.raw_hash:
            report.files_unchanged += 1
            continue
        try:
            result = read_file(sf, max_file_mb)
        except IngestError as err:
            report.problems.append(str(err))
            continue
        report.problems += [str(p) for p in result.problems]
        ids = []
        for document in result.documents:
            document.path = str(sf.path)
            ids.append(document.id)
            if document.id in new or store.has_document(document.id):
                original = new[document.id].source if document.id in new else store.source_of(document.id)
                if original != document.source:
                    report.duplicates.append((document.source, original))
                continue
            new[document.id] = document
        pending[key] = (sf, ids)
    return list(new.values()), pending


def analyze(paths: Sequence[Path], store: Store, lexicon: Lexicon,
            progress: Progress | None = None, max_file_mb: float | None = MAX_FILE_MB) -> RunReport:
    """Analyze the files under ``paths`` into ``store``; files over ``max_file_mb`` megabytes
    are skipped (None: no limit)."""
    report = RunReport()
    started = time.perf_counter()
    new, pending = _collect(paths, store, report, max_file_mb)
    stale = [d for d in store.stale_documents(EXTRACTOR_VERSION) if d.id not in {n.id for n in new}]
    report.seconds["ingest"] = time.perf_counter() - started

    started = time.perf_counter()
    todo = new + stale
    stale_ids = {d.id for d in stale}
    if todo:
        nlp = load_pipeline()
        for done, (document, extraction) in enumerate(extract_all(todo, nlp, lexicon), start=1):
            store.add_document(document, extraction, EXTRACTOR_VERSION)
            (report.reextracted if document.id in stale_ids else report.added).append(document.source)
            if progress:
                progress(done, len(todo))
    for key, (sf, _ids) in pending.items():
        store.remember_file(key, sf.raw_hash, _ids)
    report.seconds["extract"] = time.perf_counter() - started

    started = time.perf_counter()
    reconcile_store(store, lexicon)
    report.seconds["reconcile"] = time.perf_counter() - started
    return report


def reconcile_store(store: Store, lexicon: Lexicon | None = None, embed: Embedder | None = None) -> None:
    """Run the reconcile stage over everything stored and save the corpus tables.

    Sentence vectors come from the store; only sentences never seen before are embedded
    (by ``embed``, the sentence model by default), and then kept."""
    documents = store.documents()
    embedder = CachedEmbedder(store, embed)
    result = reconcile(documents, store.extractions(), embed=embedder, lexicon=lexicon)
    corpus = result.corpus
    store.set_duplicates(result.duplicates)
    tables = {
        "actors": corpus.actors,
        "quotes": [q for e in corpus.extractions for q in e.quotes],
        "figures": [f for e in corpus.extractions for f in e.figures],
        "times": [t for e in corpus.extractions for t in e.times],
        "events": [ev for e in corpus.extractions for ev in e.events],
        "positions": [p for e in corpus.extractions for p in e.positions],
        "claims": corpus.claims,
        "conflicts": corpus.conflicts,
        "framing": corpus.framing,
    }
    store.save_corpus(tables, result.views)
