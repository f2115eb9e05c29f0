"""``parley analyze`` and ``parley fetch``: ingest -> extract -> reconcile -> store, in one
direction. The two differ only in their ingest (files, or the web through ``parley.fetch``);
``analyze_documents`` is the one step after it.

Incremental: a file whose raw bytes are unchanged since the last run is not read
again, a document already stored (same content hash) is not parsed again, and
documents extracted by an older extractor version are extracted anew. The reconcile
stage runs over everything stored; when the store only gained documents since the
last run, the near-copy check compares just the new ones, and the claims step and the
timeline take what they kept from the last run (``reconcile_store``).

Crash safety: a file is recorded as read in the same transaction that stores its
last new document (or at once, when it brings none), so a killed run is taken up
where it stopped: files recorded are skipped, documents stored are not parsed
again, and the reconcile, which always runs, is done anew.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parley.dedup import near_duplicates_with_bands
from parley.embeddings import CachedEmbedder, Embedder, load_model, uses_the_model
from parley.extract import EXTRACTOR_VERSION
from parley.extract.engines import Engine, extract_documents
from parley.ingest import MAX_FILE_MB, IngestError, SourceFile, find_files, read_file
from parley.lexicon import Lexicon
from parley.reconcile.run import reconcile
from parley.reconcile.timeline import stop_words
from parley.records import Document
from parley.store import Store

if TYPE_CHECKING:  # the fetch package (and httpx) is imported only to fetch
    from parley.fetch.http import Settings
    from parley.fetch.run import FetchReport
    from parley.fetch.sources import Source


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
    unchanged: dict[str, SourceFile] = {}
    for sf in find_files(paths, max_file_mb):
        report.files += 1
        key = str(sf.path.resolve())
        if sf.raw_hash and store.file_hash(key) == sf.raw_hash:
            unchanged[key] = sf
            continue
        _read(sf, key, store, report, new, pending, max_file_mb)
    # A changed file's new text replaces its old one. An unchanged file holding that same old
    # text (stored once, under the changed file's name) is read again, so the text stays.
    replaced = {old for d in new.values() if (old := store.document_of_source(d.source)) not in (None, d.id)}
    again = sorted(store.files_listing(replaced) & unchanged.keys())
    for key in again:
        _read(unchanged.pop(key), key, store, report, new, pending, max_file_mb, replaced)
    report.files_unchanged = len(unchanged)
    return list(new.values()), pending


def _read(sf: SourceFile, key: str, store: Store, report: RunReport, new: dict[str, Document],
          pending: dict[str, tuple[SourceFile, list[str]]], max_file_mb: float | None,
          replaced: frozenset[str] | set[str] = frozenset()) -> None:
    """Read one file: its documents not stored yet go to ``new`` (as do those whose stored
    copy is being ``replaced``), the file to ``pending``, problems and duplicates to ``report``."""
    try:
        result = read_file(sf, max_file_mb)
    except IngestError as err:
        report.problems.append(str(err))
        return
    report.problems += [str(p) for p in result.problems]
    ids = []
    for document in result.documents:
        document.path = str(sf.path)
        ids.append(document.id)
        if document.id in new or (store.has_document(document.id) and document.id not in replaced):
            original = new[document.id].source if document.id in new else store.source_of(document.id)
            if original != document.source:
                report.duplicates.append((document.source, original))
            continue
        new[document.id] = document
    pending[key] = (sf, ids)


class FileRecords:
    """Which input files still wait for a new document before they can be recorded as read.
    A file is recorded in the transaction that stores its last new document, so a killed
    run never marks as read a file whose documents are not all stored."""

    def __init__(self, pending: dict[str, tuple[SourceFile, list[str]]], new_ids: set[str]):
        self.pending = pending
        self.missing = {key: set(ids) & new_ids for key, (_sf, ids) in pending.items()}
        self.files_of: dict[str, list[str]] = {}
        for key, ids in self.missing.items():
            for doc_id in ids:
                self.files_of.setdefault(doc_id, []).append(key)

    def _record(self, key: str) -> tuple[str, str, list[str]]:
        sf, ids = self.pending[key]
        return key, sf.raw_hash, ids

    def complete(self) -> list[tuple[str, str, list[str]]]:
        """Files that bring no new document: they can be recorded now."""
        return [self._record(key) for key, missing in self.missing.items() if not missing]

    def stored(self, doc_id: str) -> list[tuple[str, str, list[str]]]:
        """Files completed by storing document ``doc_id``: record them with it."""
        done = []
        for key in self.files_of.pop(doc_id, []):
            self.missing[key].discard(doc_id)
            if not self.missing[key]:
                done.append(self._record(key))
        return done


def analyze(paths: Sequence[Path], store: Store, lexicon: Lexicon,
            progress: Progress | None = None, max_file_mb: float | None = MAX_FILE_MB,
            now: datetime | None = None, engine: Engine = Engine()) -> RunReport:
    """Analyze the files under ``paths`` into ``store``; files over ``max_file_mb`` megabytes
    are skipped (None: no limit). New documents are stamped with the time each is stored,
    or with ``now`` when given (tests pass the clock). ``engine`` runs the extract stage (in
    this process by default); whichever it is, documents are stored one by one in the same
    order."""
    report = RunReport()
    started = time.perf_counter()
    new, pending = _collect(paths, store, report, max_file_mb)
    report.seconds["ingest"] = time.perf_counter() - started
    files = FileRecords(pending, {d.id for d in new})
    for key, raw_hash, ids in files.complete():
        store.remember_file(key, raw_hash, ids)
    analyze_documents(new, store, lexicon, report, progress,
                      records=lambda document: {"files": files.stored(document.id)}, now=now, engine=engine)
    return report


def analyze_documents(new: Sequence[Document], store: Store, lexicon: Lexicon, report: RunReport,
                      progress: Progress | None = None,
                      records: Callable[[Document], dict[str, Any]] = lambda document: {},
                      always_reconcile: bool = True, now: datetime | None = None,
                      engine: Engine = Engine()) -> None:
    """Extract and store ``new`` documents (and those an older extractor version left
    stale), then reconcile everything stored: the stages after ingest, shared by
    ``parley analyze`` and ``parley fetch``. ``records(document)`` gives what to record
    in the same transaction as the document (``files`` read, feed ``items`` fetched:
    see ``Store.add_document``). Without ``always_reconcile``, the reconcile is left out
    when nothing was stored and the corpus tables are up to date. New documents are stamped
    ``added_at`` with ``now`` (the current time by default); ``engine`` runs the extract stage."""
    started = time.perf_counter()
    new_ids = {d.id for d in new}
    stale = [d for d in store.stale_documents(EXTRACTOR_VERSION) if d.id not in new_ids]
    todo = list(new) + stale
    stale_ids = {d.id for d in stale}
    if todo:
        if not engine.in_this_process(todo):
            _get_ready_to_reconcile()
        # closing: an interrupted run stops the engine's workers at once
        with closing(extract_documents(todo, lexicon, engine)) as extracted:
            for done, (document, extraction) in enumerate(extracted, start=1):
                store.add_document(document, extraction, EXTRACTOR_VERSION, now=now, **records(document))
                (report.reextracted if document.id in stale_ids else report.added).append(document.source)
                if progress:
                    progress(done, len(todo))
    report.seconds["extract"] = time.perf_counter() - started

    started = time.perf_counter()
    if always_reconcile or todo or store.reconcile_pending():
        reconcile_store(store, lexicon)
    report.seconds["reconcile"] = time.perf_counter() - started


def _get_ready_to_reconcile() -> None:
    """Load what the reconcile stage will need (spaCy's stop words, the sentence model), in
    a thread, while this process waits for its extract workers: about 5 s that would
    otherwise be spent after them, with every core but one idle."""
    def load() -> None:
        stop_words()
        if uses_the_model():
            load_model()
    threading.Thread(target=load, name="parley-get-ready", daemon=True).start()


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cyclic garbage collector off while the reconcile stage reads and builds
    millions of small records, then back as it was. Records hold no reference cycles
    (reference counting frees them), yet the collector walks the live records again and
    again as new ones are made. Adding 100 documents to 100,000 (the store of
    ``benchmarks/reconcile_incremental.py``), it took 12 s of a 113 s reconcile, even at
    thresholds 70 times the default; peak memory is the same without it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def reconcile_store(store: Store, lexicon: Lexicon | None = None, embed: Embedder | None = None,
                    incremental: bool = True) -> str:
    """Run the reconcile stage over everything stored and save the corpus tables; returns
    how: "incremental" or "full".

    Incremental, when the store has only gained documents since the last reconcile (see
    ``Store.documents_since_reconcile``): the near-copy links of the old documents stand
    and only the new ones are compared, with the stored originals they may copy. In
    either case the claims step and the timeline use what the store kept from the last
    run (``parley.reconcile.run`` says what, and when). The tables come out exactly as a
    full reconcile makes them.

    Sentence vectors come from the store; only sentences never seen before are embedded
    (by ``embed``, the sentence model by default), and then kept."""
    with no_cycle_collection():
        return _reconcile_store(store, lexicon, embed, incremental)


def _reconcile_store(store: Store, lexicon: Lexicon | None, embed: Embedder | None, incremental: bool) -> str:
    with store.snapshot():
        state = store.documents_state()
        new = store.documents_since_reconcile() if incremental else None
        documents = store.documents()
        stored = [store.extractions()]
        if new is not None:
            links, bands = near_duplicates_with_bands(new, earlier=store.originals_sharing)
            duplicates = {d.id: d.duplicate_of for d in documents if d.duplicate_of} | links
        else:
            duplicates, bands = near_duplicates_with_bands(documents)
    embedder = CachedEmbedder(store, embed)
    # The stored extractions are handed over (popped), not kept here: each step of the
    # reconcile makes new records from the last one's, and a name held here would keep the
    # stored ones alive to the end (100 MB in 10,000 documents).
    result = reconcile(documents, stored.pop(), embed=embedder, lexicon=lexicon, duplicates=duplicates, memo=store)
    corpus = result.corpus
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
    store.save_corpus(tables, result.views, duplicates=result.duplicates, state=state,
                      bands=bands, more_bands=new is not None)
    return "full" if new is None else "incremental"


def fetch(sources: Sequence[Source], store: Store, lexicon: Lexicon, settings: Settings | None = None,
          fetch_progress: Progress | None = None, extract_progress: Progress | None = None,
          engine: Engine = Engine()) -> tuple[FetchReport, RunReport]:
    """``parley fetch``: fetch what is new in ``sources`` (the ingest stage for the web),
    then extract, store and reconcile it exactly as ``analyze`` does. Each new document
    is stored with the feed items it came from, so a killed run is taken up where it
    stopped. The reconcile runs when something was stored (or an earlier run stopped
    before its reconcile)."""
    from parley.fetch.http import PoliteClient
    from parley.fetch.run import Fetcher

    report = RunReport()
    started = time.perf_counter()
    with PoliteClient(settings) as client:
        collected = Fetcher(store, client, fetch_progress).run(sources)
    report.seconds["fetch"] = time.perf_counter() - started
    analyze_documents(collected.documents, store, lexicon, report, extract_progress,
                      records=lambda document: {"items": collected.items_of.get(document.id, [])},
                      always_reconcile=False, engine=engine)
    return collected.report, report
