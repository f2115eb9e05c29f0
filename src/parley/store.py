"""The SQLite store: documents, their extractions, and the reconciled corpus.

Layout (one file, readable with any SQLite client):
- ``files``: each input file's raw hash, so unchanged files are not read again;
- ``documents``: one row per distinct document (text included);
- ``extractions``: the extract stage's output per document (JSON), with the
  extractor version that produced it;
- corpus tables rewritten by every reconcile: ``actors``, ``quotes``, ``figures``,
  ``times``, ``events``, ``positions``, ``claims``, ``conflicts``, ``framing``
  (one column per record field; lists as JSON), and ``views`` for derived views
  (timeline, position matrix) as JSON rows;
- ``document_bands``: the near-copy detector's LSH band keys of each original (a
  document no copy of another), so a new batch of documents is compared only with the
  originals it may copy (``parley.dedup``), not with every stored text;
- ``block_pairs``: the claims step's pairs of similar sentences found in each block,
  by a digest of the block's content (``parley.reconcile.pairs``), so a
  block unchanged since the last run is not compared again;
- ``embeddings``: sentence vectors keyed by a hash of the sentence and model
  (``parley.embeddings.sentence_key``), so a re-run does not embed a sentence again.

Crash safety: a document, its extraction and the records of the files whose
last document it is are written in one transaction; the corpus tables, the
near-copy links and the ``reconciled`` mark in ``meta`` (a fingerprint of the
documents they were built from) in another. A run killed at any point leaves
every table consistent: at worst the corpus tables describe the previous run
(``reconcile_pending()`` then says so) until the next run, which always
reconciles, finishes. Readers take one read transaction (``snapshot()``), so
they never mix two runs' tables; the journal is WAL, so they never wait for a
writer nor make it wait.

Concurrency: one writer at a time. ``parley analyze`` holds ``writer_lock()``
(an OS lock on ``<store>.lock``, released by the kernel even when the process
is killed) for its whole run; a second one waits, then gives up with a one-line
error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import typing
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from parley.records import (Actor, Claim, Conflict, Document, Event, Extraction, Figure, Framing,
                            Position, Quote, TimeExpression, from_dict, to_dict)

SCHEMA_VERSION = "1"
BUSY_TIMEOUT = 30.0  # seconds a statement waits for another connection's lock before failing

CORPUS_TABLES: dict[str, type] = {
    "actors": Actor, "quotes": Quote, "figures": Figure, "times": TimeExpression,
    "events": Event, "positions": Position, "claims": Claim, "conflicts": Conflict,
    "framing": Framing,
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, raw_hash TEXT NOT NULL,
                                  documents TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, source TEXT UNIQUE NOT NULL, path TEXT, title TEXT, outlet TEXT,
    published TEXT, url TEXT, author TEXT, words INTEGER, duplicate_of TEXT, text TEXT NOT NULL,
    position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS extractions (
    document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    version TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS views (name TEXT NOT NULL, position INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS document_bands (document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                                           band INTEGER NOT NULL, key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS document_bands_key ON document_bands (band, key);
CREATE INDEX IF NOT EXISTS document_bands_document ON document_bands (document_id);
CREATE TABLE IF NOT EXISTS block_pairs (key TEXT PRIMARY KEY, pairs BLOB NOT NULL);
"""


class StoreError(Exception):
    pass


class StoreBusy(StoreError):
    """Another process holds the store's writer lock."""


@contextmanager
def writer_lock(path: Path | str, wait: float, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the one-writer lock of the store at ``path``: the file ``<store>.lock`` beside
    it, locked with flock (through ``filelock``), which the kernel releases when the holder
    exits or is killed, so a crash never leaves a stale lock. When another process holds
    it, calls ``on_wait`` (to tell the user), waits up to ``wait`` seconds, then raises
    :class:`StoreBusy`."""
    lock = FileLock(f"{path}.lock")
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if on_wait:
                on_wait()
            lock.acquire(timeout=wait)
    except Timeout:
        raise StoreBusy(f"{path}: another `parley analyze` is writing to this store; gave up after "
                        f"waiting {wait:g}s (run again once it has finished)") from None
    except OSError as err:
        raise StoreError(f"{path}: cannot lock the store for writing ({err.strerror or err})") from None
    try:
        yield
    finally:
        lock.release()


def _is_json_field(tp: Any) -> bool:
    origin = typing.get_origin(tp)
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if origin is list or origin is dict or dataclasses.is_dataclass(tp):
        return True
    return bool(args) and any(_is_json_field(a) for a in args)


def _columns(cls: type) -> list[tuple[str, bool]]:
    hints = typing.get_type_hints(cls)
    return [(f.name, _is_json_field(hints[f.name])) for f in dataclasses.fields(cls)]


def _bool_columns(cls: type) -> set[str]:
    """Fields typed bool (or bool | None): SQLite keeps them as 0/1, the export wants true/false."""
    hints = typing.get_type_hints(cls)
    return {f.name for f in dataclasses.fields(cls)
            if hints[f.name] is bool or set(typing.get_args(hints[f.name])) == {bool, type(None)}}


class Store:
    def __init__(self, path: Path | str, read_only: bool = False):
        """Open (or create) the store at ``path``. ``read_only`` opens an existing store
        for reading only, from any thread (what ``parley serve`` does): nothing is created
        or changed, and a write fails."""
        self.path = Path(path)
        self.read_only = read_only
        try:
            if read_only:
                if not self.path.is_file():
                    raise StoreError(f"{self.path}: no such store (run `parley analyze` first)")
                self.db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                          check_same_thread=False, timeout=BUSY_TIMEOUT)
                version = self.meta("schema_version")
                if version != SCHEMA_VERSION:
                    raise StoreError(f"{self.path}: store has schema version {version}, this parley needs {SCHEMA_VERSION}")
                return
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT)
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.executescript(SCHEMA)
            for table, cls in CORPUS_TABLES.items():
                columns = ", ".join(f'"{name}"' for name, _ in _columns(cls))
                self.db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
                self._add_new_columns(table, cls)
            version = self.meta("schema_version")
            if version is None:
                self.set_meta("schema_version", SCHEMA_VERSION)
            elif version != SCHEMA_VERSION:
                raise StoreError(f"{self.path}: store has schema version {version}, this parley needs {SCHEMA_VERSION}")
            self.db.commit()
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path}: not a parley store ({err})") from None

    def _add_new_columns(self, table: str, cls: type) -> None:
        """Fields added to a record since the store was made become new (empty) columns."""
        present = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
        for name, _ in _columns(cls):
            if name not in present:
                self.db.execute(f'ALTER TABLE {table} ADD COLUMN "{name}"')

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def snapshot(self) -> Iterator[Store]:
        """Read inside one transaction: every query sees the store as one committed state,
        even while ``parley analyze`` commits (WAL keeps that state for this reader).
        Nested uses share the outer transaction."""
        if self.db.in_transaction:
            yield self
            return
        self.db.execute("BEGIN")
        try:
            yield self
        finally:
            self.db.rollback()

    def data_version(self) -> int:
        """A number that changes each time another connection's commit becomes visible to
        this one (SQLite's ``PRAGMA data_version``): how a reader notices a new run."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    # ---------------------------------------------------------------- meta and files

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def file_hash(self, path: str) -> str | None:
        row = self.db.execute("SELECT raw_hash FROM files WHERE path = ?", (path,)).fetchone()
        return row[0] if row else None

    def remember_file(self, path: str, raw_hash: str, document_ids: list[str]) -> None:
        """Record an input file read whole (every document it holds is stored)."""
        with self.db:
            self._remember_file(path, raw_hash, document_ids)

    def _remember_file(self, path: str, raw_hash: str, document_ids: list[str]) -> None:
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?)",
                        (path, raw_hash, json.dumps(document_ids)))

    def files_listing(self, document_ids: Iterable[str]) -> set[str]:
        """The recorded files that hold any of ``document_ids``."""
        ids = list(document_ids)
        if not ids:
            return set()
        marks = ", ".join("?" for _ in ids)
        return {row[0] for row in self.db.execute(
            "SELECT path FROM files WHERE EXISTS (SELECT 1 FROM json_each(files.documents) "
            f"WHERE value IN ({marks}))", ids)}

    # ---------------------------------------------------------------- documents

    def source_of(self, document_id: str) -> str:
        row = self.db.execute("SELECT source FROM documents WHERE id = ?", (document_id,)).fetchone()
        return row[0] if row else ""

    def document_of_source(self, source: str) -> str | None:
        row = self.db.execute("SELECT id FROM documents WHERE source = ?", (source,)).fetchone()
        return row[0] if row else None

    def has_document(self, document_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE id = ?", (document_id,)).fetchone() is not None

    def add_document(self, document: Document, extraction: Extraction, version: str,
                     files: Iterable[tuple[str, str, list[str]]] = ()) -> None:
        """Store a document and its extraction together, with the records of ``files``
        ((path, raw hash, document ids) of the input files this document completes), in
        one transaction. Replaces an older text of the same source; the record of any other
        file that held that older text is dropped, so that file is never taken as read while
        its text is gone (``parley analyze`` reads such a file again in the same run)."""
        with self.db:
            replaced = [row[0] for row in self.db.execute(
                "SELECT id FROM documents WHERE source = ? AND id != ?", (document.source, document.id))]
            self.db.execute("DELETE FROM documents WHERE source = ? AND id != ?", (document.source, document.id))
            self.db.executemany("DELETE FROM files WHERE path = ?", [(path,) for path in self.files_listing(replaced)])
            position = self.db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM documents").fetchone()[0]
            existing = self.db.execute("SELECT position FROM documents WHERE id = ?", (document.id,)).fetchone()
            self.db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (document.id, document.source, document.path, document.title, document.outlet,
                 document.published, document.url, document.author, document.words,
                 document.duplicate_of, document.text, existing[0] if existing else position))
            self.db.execute("INSERT OR REPLACE INTO extractions VALUES (?, ?, ?)",
                            (document.id, version, json.dumps(to_dict(extraction))))
            for path, raw_hash, ids in files:
                self._remember_file(path, raw_hash, ids)

    def documents(self) -> list[Document]:
        rows = self.db.execute(
            "SELECT id, source, text, title, outlet, published, url, author, path, duplicate_of "
            "FROM documents ORDER BY position").fetchall()
        return [Document(*row) for row in rows]

    def stale_documents(self, version: str) -> list[Document]:
        """Documents whose stored extraction came from another extractor version."""
        stale = {row[0] for row in self.db.execute(
            "SELECT d.id FROM documents d LEFT JOIN extractions e ON e.document_id = d.id "
            "WHERE e.version IS NULL OR e.version != ?", (version,))}
        return [d for d in self.documents() if d.id in stale]

    def extractions(self) -> list[Extraction]:
        rows = self.db.execute(
            "SELECT e.data FROM extractions e JOIN documents d ON d.id = e.document_id ORDER BY d.position")
        return [from_dict(Extraction, json.loads(row[0])) for row in rows]

    def sentences(self) -> dict[str, list[list[int]]]:
        """Each document's sentences as [start, end] offsets, by document id (empty for a
        document extracted before sentences were kept)."""
        rows = self.db.execute("SELECT document_id, json_extract(data, '$.sentences') FROM extractions")
        return {doc_id: json.loads(spans) if spans else [] for doc_id, spans in rows}

    def documents_state(self) -> str:
        """A fingerprint of the stored documents and their extractors' versions: what a
        reconcile is built from (near-copy links, which reconcile sets, are left out)."""
        digest = hashlib.sha1()
        for doc_id, version in self.db.execute(
                "SELECT d.id, COALESCE(e.version, '') FROM documents d "
                "LEFT JOIN extractions e ON e.document_id = d.id ORDER BY d.position, d.id"):
            digest.update(f"{doc_id}:{version}\n".encode())
        return digest.hexdigest()

    def documents_since_reconcile(self) -> list[Document] | None:
        """The documents stored since the corpus tables were last saved, in corpus order,
        when the store has only gained documents since (each after all the ones reconciled,
        none of those changed or re-extracted) and the near-copy bands were saved with
        those tables: what an incremental reconcile adds. None otherwise (a full one is due)."""
        state = self.meta("reconciled")
        if state is None or self.meta("bands_of") != f"{state}/{self._near_copy_state()}":
            return None
        digest = hashlib.sha1()
        rows = self.db.execute(
            "SELECT d.id, COALESCE(e.version, '') FROM documents d "
            "LEFT JOIN extractions e ON e.document_id = d.id ORDER BY d.position, d.id").fetchall()
        for count, (doc_id, version) in enumerate(rows, start=1):
            digest.update(f"{doc_id}:{version}\n".encode())
            if digest.copy().hexdigest() == state:
                return self.documents_by_id([doc_id for doc_id, _ in rows[count:]])
        return None

    def _near_copy_state(self) -> str:
        """A fingerprint of the near-copy links and of the originals whose bands are kept,
        so that a link or band lost since they were saved (a document stored again) is seen."""
        digest = hashlib.sha1()
        for doc_id, original in self.db.execute(
                "SELECT id, duplicate_of FROM documents WHERE duplicate_of IS NOT NULL ORDER BY id"):
            digest.update(f"{doc_id}>{original}\n".encode())
        for (doc_id,) in self.db.execute("SELECT DISTINCT document_id FROM document_bands ORDER BY document_id"):
            digest.update(f"{doc_id}\n".encode())
        return digest.hexdigest()

    def documents_by_id(self, ids: Iterable[str]) -> list[Document]:
        """These documents, texts included, in corpus order."""
        ids = list(ids)
        found = []
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ", ".join("?" for _ in chunk)
            found += self.db.execute(
                "SELECT id, source, text, title, outlet, published, url, author, path, duplicate_of, position "
                f"FROM documents WHERE id IN ({marks})", chunk).fetchall()
        return [Document(*row[:-1]) for row in sorted(found, key=lambda row: row[-1])]

    def originals_sharing(self, bands: Iterable[tuple[int, str]]) -> list[Document]:
        """The stored originals (see ``document_bands``) with any of these LSH band keys,
        in corpus order, texts included."""
        bands = list(bands)
        if not bands:
            return []
        either = " OR ".join("(band = ? AND key = ?)" for _ in bands)
        ids = {row[0] for row in self.db.execute(
            f"SELECT DISTINCT document_id FROM document_bands WHERE {either}", [v for pair in bands for v in pair])}
        return self.documents_by_id(ids)

    def reconcile_pending(self) -> bool:
        """True when documents were stored or replaced after the corpus tables were last
        saved (a run stopped before its reconcile finished): the corpus tables then
        describe an earlier state, until the next ``parley analyze``."""
        with self.snapshot():
            return self.meta("reconciled") != self.documents_state()

    # ---------------------------------------------------------------- corpus

    def save_corpus(self, tables: dict[str, Iterable[Any]], views: dict[str, Iterable[dict]],
                    duplicates: dict[str, str] | None = None, state: str | None = None,
                    bands: dict[str, list[tuple[int, str]]] | None = None, more_bands: bool = False) -> None:
        """Replace the corpus tables and views, set the near-copy links (``duplicates``:
        copy id -> original id) and mark the corpus as reconciled from ``state`` (see
        ``documents_state``), all in one transaction. ``bands``: the near-copy band keys of
        the originals (document id -> (band, key)), replacing all those stored, or, with
        ``more_bands``, added to them (the originals among newly reconciled documents)."""
        with self.db:
            if bands is not None:
                if not more_bands:
                    self.db.execute("DELETE FROM document_bands")
                self.db.executemany("INSERT INTO document_bands VALUES (?, ?, ?)",
                                    [(doc_id, band, key) for doc_id, keys in bands.items() for band, key in keys])
            if duplicates is not None:
                self.db.execute("UPDATE documents SET duplicate_of = NULL")
                self.db.executemany("UPDATE documents SET duplicate_of = ? WHERE id = ?",
                                    [(original, copy) for copy, original in duplicates.items()])
            if state is not None:
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('reconciled', ?)", (state,))
            for table, records in tables.items():
                cls = CORPUS_TABLES[table]
                columns = _columns(cls)
                self.db.execute(f"DELETE FROM {table}")
                placeholders = ", ".join("?" for _ in columns)
                rows = []
                for record in records:
                    data = to_dict(record)
                    rows.append([json.dumps(data[name]) if is_json else data[name] for name, is_json in columns])
                names = ", ".join(f'"{name}"' for name, _ in columns)
                self.db.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)
            if bands is not None and duplicates is not None and state is not None:
                self.db.execute("INSERT INTO meta VALUES ('bands_of', ?) ON CONFLICT (key) DO UPDATE "
                                "SET value = excluded.value", (f"{state}/{self._near_copy_state()}",))
            for name, rows in views.items():
                self.db.execute("DELETE FROM views WHERE name = ?", (name,))
                self.db.executemany("INSERT INTO views VALUES (?, ?, ?)",
                                    [(name, i, json.dumps(row)) for i, row in enumerate(rows)])

    def rows(self, table: str) -> list[dict[str, Any]]:
        """A corpus table as dicts, JSON columns decoded."""
        columns = _columns(CORPUS_TABLES[table])
        booleans = _bool_columns(CORPUS_TABLES[table])
        names = ", ".join(f'"{name}"' for name, _ in columns)
        out = []
        for row in self.db.execute(f"SELECT {names} FROM {table} ORDER BY rowid"):
            record = {name: json.loads(value) if is_json and value is not None else value
                      for (name, is_json), value in zip(columns, row)}
            for name in booleans:
                if record[name] is not None:
                    record[name] = bool(record[name])
            out.append(record)
        return out

    def view(self, name: str) -> list[dict[str, Any]]:
        return [json.loads(row[0]) for row in
                self.db.execute("SELECT data FROM views WHERE name = ? ORDER BY position", (name,))]

    # ---------------------------------------------------------------- sentence vectors

    def get_embeddings(self, keys: Iterable[str]) -> dict[str, bytes]:
        """Stored vectors (raw float32 bytes) for those of ``keys`` that have one."""
        keys = list(keys)
        found: dict[str, bytes] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ", ".join("?" for _ in chunk)
            found.update(self.db.execute(f"SELECT key, vector FROM embeddings WHERE key IN ({marks})", chunk))
        return found

    def put_embeddings(self, vectors: dict[str, bytes]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?)", vectors.items())

    # ---------------------------------------------------------------- compared blocks

    def block_pairs(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The pairs kept for those of ``keys`` (digests of blocks' content) that have them."""
        keys = list(keys)
        found: dict[str, bytes] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ", ".join("?" for _ in chunk)
            found.update(self.db.execute(f"SELECT key, pairs FROM block_pairs WHERE key IN ({marks})", chunk))
        return found

    def keep_block_pairs(self, found: dict[str, bytes], used: set[str]) -> None:
        """Keep the pairs of newly compared blocks. Blocks of past runs that this run did not
        meet (``used``: the keys of all its blocks) are dropped once they outnumber the used ones."""
        with self.db:
            self.db.executemany("INSERT INTO block_pairs VALUES (?, ?) ON CONFLICT (key) DO NOTHING", found.items())
            if self.db.execute("SELECT COUNT(*) FROM block_pairs").fetchone()[0] > 2 * len(used) + 1000:
                stale = [row[0] for row in self.db.execute("SELECT key FROM block_pairs") if row[0] not in used]
                for i in range(0, len(stale), 500):
                    chunk = stale[i:i + 500]
                    self.db.execute(f"DELETE FROM block_pairs WHERE key IN ({', '.join('?' for _ in chunk)})", chunk)
