"""The store: documents, their extractions, and the reconciled corpus.

It lives in an SQLite file (the default) or a PostgreSQL database (``--db
postgresql://...``); ``store_backends.py`` holds what differs between the two, and the SQL
here is written once for both (``?`` placeholders, ``INSERT ... ON CONFLICT``).

Layout (readable with any SQLite or PostgreSQL client):
- ``files``: each input file's raw hash, so unchanged files are not read again;
- ``documents``: one row per distinct document (text included), with ``added_at``, when
  the store first held it (UTC, ISO 8601; empty for documents stored before it was kept),
  which ``parley brief --since`` reads;
- ``extractions``: the extract stage's output per document (JSON), with the
  extractor version that produced it;
- corpus tables saved by every reconcile: ``actors``, ``quotes``, ``figures``,
  ``times``, ``events``, ``positions``, ``claims``, ``conflicts``, ``framing``
  (one column per record field; lists as JSON), and ``views`` for derived views
  (timeline, position matrix) as JSON rows. A table whose stored rows are the first of
  those to save (told by their count and a digest of the records they were made from,
  kept in ``meta`` as ``rows:<table>``) gets only the rest appended, and only those are
  made into rows; any other is written anew;
- ``document_bands``: the near-copy detector's LSH band keys of each original (a
  document no copy of another), so a new batch of documents is compared only with the
  originals it may copy (``parley.dedup``), not with every stored text;
- ``block_neighbours``: the claims step's nearest neighbours of each sentence in each block,
  by a digest of the block's anchor key (``parley.reconcile.pairs``), so a block unchanged
  since the last run is not compared again, and one that has gained sentences compares
  only those;
- ``pair_ledger``: one row, the claims step's count of the pairs all the blocks gave in the
  last reconcile, with a mark of each block's members and neighbours, so the blocks whose
  members are unchanged are not read at all (``parley.reconcile.pairs``);
- ``document_statements``: the claims step's statements of each document, by a digest of
  what they were read from (``parley.reconcile.statements``), so a document whose records
  and context are unchanged is not read again;
- ``timeline_joins``: which timeline entry each event report joined in the last reconcile,
  with a digest of those reports (``parley.reconcile.timeline``), so a run whose first
  reports are the same replays their joins instead of searching again;
- ``embeddings``: sentence vectors keyed by a hash of the sentence and model
  (``parley.embeddings.sentence_key``), so a re-run does not embed a sentence again;
- ``responses``: what ``parley fetch`` downloaded (feeds, sitemaps, the pages articles were
  read from), raw and zlib-compressed, with status, headers and time, so every fact stays
  citable and can be analysed again offline; ``http_cache``: each URL's validators (ETag,
  Last-Modified) and the response they belong to, for conditional GETs;
  ``fetched_items``: the feed and sitemap items already read, so a run skips them;
  ``fetch_failures``: items whose download failed in a lasting way (a 4xx, not a page, too
  large), with the reason, how often and when last tried, so a watch does not ask every pass.

Crash safety: a document, its extraction and the records of the files whose
last document it is are written in one transaction; the corpus tables, the
near-copy links and the ``reconciled`` mark in ``meta`` (a fingerprint of the
documents they were built from) in another. A run killed at any point leaves
every table consistent: at worst the corpus tables describe the previous run
(``reconcile_pending()`` then says so) until the next run, which always
reconciles, finishes. Readers take one read transaction (``snapshot()``), so
they never mix two runs' tables; they never wait for a writer nor make it wait
(SQLite's WAL journal, PostgreSQL's REPEATABLE READ snapshots).

Concurrency: one writer at a time. ``parley analyze`` (and ``fetch``, and ``watch`` during
each pass) holds ``writer_lock()`` (an OS lock on ``<store>.lock``, or a PostgreSQL
advisory lock, released even when the process is killed) for its whole run; a second
one waits, then gives up with a one-line error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import operator
import typing
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgspec

from parley.records import (Actor, Claim, Conflict, Document, Event, Extraction, Figure, Framing,
                            Position, Quote, TimeExpression, from_json, read_record)
from parley.store_backends import StoreBusy, StoreError, StoreUnreachable, backend_for, is_postgres_url, one_line

__all__ = ["Store", "StoreBusy", "StoreError", "StoreUnreachable", "writer_lock", "is_postgres_url", "location_of",
           "store_identity"]

SCHEMA_VERSION = "1"
BUSY_TIMEOUT = 30.0  # seconds a statement waits for another connection's lock before failing

CORPUS_TABLES: dict[str, type] = {
    "actors": Actor, "quotes": Quote, "figures": Figure, "times": TimeExpression,
    "events": Event, "positions": Position, "claims": Claim, "conflicts": Conflict,
    "framing": Framing,
}
# The tables of documents' own records, in corpus order: a run that only added documents
# leaves their rows first and unchanged (see Store._rows_kept). The others (actors, claims,
# conflicts) are made from the whole corpus and change with any document: written anew.
DOCUMENT_TABLES = frozenset({"quotes", "figures", "times", "events", "positions", "framing"})

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, raw_hash TEXT NOT NULL,
                                  documents TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, source TEXT UNIQUE NOT NULL, path TEXT, title TEXT, outlet TEXT,
    published TEXT, url TEXT, author TEXT, words INTEGER, duplicate_of TEXT, text TEXT NOT NULL,
    position INTEGER NOT NULL, added_at TEXT);
CREATE INDEX IF NOT EXISTS documents_position ON documents (position);
CREATE INDEX IF NOT EXISTS documents_copies ON documents (id, duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE TABLE IF NOT EXISTS extractions (
    document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    version TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS views (name TEXT NOT NULL, position INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS responses (
    url TEXT NOT NULL, body_hash TEXT NOT NULL, final_url TEXT NOT NULL, fetched_at TEXT NOT NULL,
    status INTEGER NOT NULL, content_type TEXT, headers TEXT NOT NULL, body BLOB NOT NULL,
    PRIMARY KEY (url, body_hash));
CREATE TABLE IF NOT EXISTS http_cache (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT,
                                       body_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fetched_items (url TEXT PRIMARY KEY, document_id TEXT, fetched_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fetch_failures (url TEXT PRIMARY KEY, reason TEXT NOT NULL, tries INTEGER NOT NULL,
                                           last_tried TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS document_bands (document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                                           band INTEGER NOT NULL, key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS document_bands_key ON document_bands (band, key);
CREATE INDEX IF NOT EXISTS document_bands_document ON document_bands (document_id);
DROP TABLE IF EXISTS block_pairs;
CREATE TABLE IF NOT EXISTS block_neighbours (key TEXT PRIMARY KEY, neighbours BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS document_statements (key TEXT PRIMARY KEY, statements BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS timeline_joins (key TEXT PRIMARY KEY, joins BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS pair_ledger (key TEXT PRIMARY KEY, ledger BLOB NOT NULL);
"""
DOCUMENT_COLUMNS = ("id", "source", "path", "title", "outlet", "published", "url", "author", "words",
                    "duplicate_of", "text", "position", "added_at")


def _updates(columns: Iterable[str]) -> str:
    """The SET list of an upsert that takes every one of ``columns`` from the new row."""
    return ", ".join(f"{name} = excluded.{name}" for name in columns)


IN_LIST = 500  # values bound in one ``IN (...)`` list: well under either backend's limit


def _in_lists(values: Iterable[str]) -> Iterator[tuple[str, list[str]]]:
    """``values`` in runs of at most ``IN_LIST``, each with its ``?, ?, ...`` marks."""
    values = list(values)
    for i in range(0, len(values), IN_LIST):
        chunk = values[i:i + IN_LIST]
        yield ", ".join("?" for _ in chunk), chunk


def utc_stamp(moment: datetime | None = None) -> str:
    """``moment`` (now by default) as the store writes times: UTC, ISO 8601, to the second."""
    moment = moment or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


@contextmanager
def writer_lock(target: Path | str, wait: float, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the one-writer lock of the store at ``target`` (a file path or a PostgreSQL
    URL): for a file, the file ``<store>.lock`` beside it, locked with flock (through
    ``filelock``), which the kernel releases when the holder exits or is killed; for
    PostgreSQL, a session advisory lock, which the server frees when the holder's
    connection ends. So a crash never leaves a stale lock. When another process holds it,
    calls ``on_wait`` (to tell the user), waits up to ``wait`` seconds, then raises
    :class:`StoreBusy`."""
    with backend_for(target).writer_lock(wait, on_wait):
        yield


def location_of(target: Path | str) -> str:
    """The store at ``target`` as messages name it (a URL's password hidden)."""
    return backend_for(target).location


def store_identity(target: Path | str) -> tuple:
    """What changes when another store takes the place of the one at ``target`` (another
    file at that path): a reader then opens it anew."""
    return backend_for(target).identity()


_JSON = msgspec.json.Encoder()


def as_json(value: Any) -> str:
    """``value`` (records, lists, dicts, atoms) as compact JSON text. msgspec writes records
    straight from their fields, several times faster than ``json.dumps`` over ``to_dict``:
    saving the corpus tables writes millions of them."""
    return _JSON.encode(value).decode()


def _is_json_field(tp: Any) -> bool:
    origin = typing.get_origin(tp)
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if origin is list or origin is dict or dataclasses.is_dataclass(tp):
        return True
    return bool(args) and any(_is_json_field(a) for a in args)


def _columns(cls: type) -> list[tuple[str, bool]]:
    hints = typing.get_type_hints(cls)
    return [(f.name, _is_json_field(hints[f.name])) for f in dataclasses.fields(cls)]


def _sql_type(tp: Any, is_json: bool) -> str:
    """The column type of a record field (PostgreSQL needs one; SQLite's columns stay untyped)."""
    args = [a for a in typing.get_args(tp) if a is not type(None)] or [tp]
    if is_json or len(args) != 1:
        return "TEXT"
    return {bool: "INTEGER", int: "INTEGER", float: "REAL"}.get(args[0], "TEXT")


def _typed_columns(cls: type) -> list[tuple[str, str]]:
    hints = typing.get_type_hints(cls)
    return [(name, _sql_type(hints[name], is_json)) for name, is_json in _columns(cls)]


def _float_columns(cls: type) -> set[str]:
    """Fields typed float: an int there is stored as a float, so both backends give it back alike."""
    return {name for name, sql_type in _typed_columns(cls) if sql_type == "REAL"}


def _bool_columns(cls: type) -> set[str]:
    """Fields typed bool (or bool | None): SQLite keeps them as 0/1, the export wants true/false."""
    hints = typing.get_type_hints(cls)
    return {f.name for f in dataclasses.fields(cls)
            if hints[f.name] is bool or set(typing.get_args(hints[f.name])) == {bool, type(None)}}


class Store:
    def __init__(self, target: Path | str, read_only: bool = False):
        """Open (or create) the store at ``target``: an SQLite file path, or a
        ``postgresql://`` URL of an existing database. ``read_only`` opens an existing
        store for reading only, from any thread (what ``parley serve`` does): nothing is
        created or changed, and a write fails.

        ``self.db`` is the connection, used as an ``sqlite3`` one on both backends (see
        ``store_backends.py``); ``self.backend`` does what cannot be one SQL."""
        self.backend = backend_for(target)
        self.location = self.backend.location  # for messages (a URL's password hidden)
        self.path = Path(target) if self.backend.kind == "sqlite" else None
        self.read_only = read_only
        if read_only and not self.backend.exists():
            raise StoreError(f"{self.location}: no such store (run `parley analyze` first)")
        try:
            self.db = self.backend.connect(read_only, BUSY_TIMEOUT)
        except self.backend.errors as err:
            raise StoreError(f"{self.location}: {self.backend.open_failure} ({one_line(err)})") from None
        try:
            if read_only:
                self._check_version(self.meta("schema_version"))
                self._has_added_at = "added_at" in self.backend.columns(self.db, "documents")
                return
            self.backend.lock_schema(self.db)
            self.db.executescript(SCHEMA)
            for table, cls in CORPUS_TABLES.items():
                self.db.execute(self.backend.corpus_table(table, _typed_columns(cls)))
                self._add_new_columns(table, cls)
            if "added_at" not in self.backend.columns(self.db, "documents"):  # a store made before it was kept
                self.db.execute("ALTER TABLE documents ADD COLUMN added_at TEXT")
            self._has_added_at = True
            version = self.meta("schema_version")
            if version is None:
                self._put_meta("schema_version", SCHEMA_VERSION)
            self._check_version(version or SCHEMA_VERSION)
            self.db.commit()
        except self.backend.errors as err:
            self.db.close()
            raise StoreError(f"{self.location}: {self.backend.open_failure} ({one_line(err)})") from None
        except StoreError:
            self.db.close()
            raise

    def _check_version(self, version: str | None) -> None:
        if version != SCHEMA_VERSION:
            raise StoreError(f"{self.location}: store has schema version {version}, this parley needs {SCHEMA_VERSION}")

    def _add_new_columns(self, table: str, cls: type) -> None:
        """Fields added to a record since the store was made become new (empty) columns."""
        present = self.backend.columns(self.db, table)
        for name, sql_type in _typed_columns(cls):
            if name not in present:
                self.db.execute(self.backend.add_column(table, name, sql_type))

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
        self.backend.begin_snapshot(self.db)
        try:
            yield self
        finally:
            self.db.rollback()

    def data_version(self) -> int:
        """A number that changes each time another connection's commit becomes visible to
        this one (SQLite's ``PRAGMA data_version``; on PostgreSQL a counter every writing
        transaction raises): how a reader notices a new run."""
        return self.backend.data_version(self.db)

    # ---------------------------------------------------------------- meta and files

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.db:
            self._put_meta(key, value)

    def _put_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def file_hash(self, path: str) -> str | None:
        row = self.db.execute("SELECT raw_hash FROM files WHERE path = ?", (path,)).fetchone()
        return row[0] if row else None

    def remember_file(self, path: str, raw_hash: str, document_ids: list[str]) -> None:
        """Record an input file read whole (every document it holds is stored)."""
        with self.db:
            self._remember_file(path, raw_hash, document_ids)

    def _remember_file(self, path: str, raw_hash: str, document_ids: list[str]) -> None:
        self.db.execute("INSERT INTO files (path, raw_hash, documents) VALUES (?, ?, ?) ON CONFLICT (path) "
                        "DO UPDATE SET raw_hash = excluded.raw_hash, documents = excluded.documents",
                        (path, raw_hash, json.dumps(document_ids)))

    def files_listing(self, document_ids: Iterable[str]) -> set[str]:
        """The recorded files that hold any of ``document_ids``."""
        ids = set(document_ids)
        if not ids:
            return set()
        # the list is JSON of hex ids: a LIKE on the quoted id narrows it, the decoded list decides
        where = " OR ".join("documents LIKE ?" for _ in ids)
        return {path for path, listed in self.db.execute(
                    f"SELECT path, documents FROM files WHERE {where}", [f'%"{i}"%' for i in sorted(ids)])
                if ids & set(json.loads(listed))}

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
                     files: Iterable[tuple[str, str, list[str]]] = (), items: Iterable[str] = (),
                     now: datetime | None = None) -> None:
        """Store a document and its extraction together, with the records of ``files``
        ((path, raw hash, document ids) of the input files this document completes), in
        one transaction. Replaces an older text of the same source; the record of any other
        file that held that older text is dropped, so that file is never taken as read while
        its text is gone (``parley analyze`` reads such a file again in the same run).
        ``items``: the feed or sitemap item URLs that gave this document, recorded as read.
        A document new to the store is stamped ``added_at`` = ``now`` (the current time by
        default); one stored again (extracted anew) keeps its stamp."""
        with self.db:
            replaced = [row[0] for row in self.db.execute(
                "SELECT id FROM documents WHERE source = ? AND id != ?", (document.source, document.id))]
            self.db.execute("DELETE FROM documents WHERE source = ? AND id != ?", (document.source, document.id))
            self.db.executemany("DELETE FROM files WHERE path = ?", [(path,) for path in self.files_listing(replaced)])
            position = self.db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM documents").fetchone()[0]
            existing = self.db.execute("SELECT position, added_at FROM documents WHERE id = ?",
                                       (document.id,)).fetchone()
            self.db.execute(
                f"INSERT INTO documents ({', '.join(DOCUMENT_COLUMNS)}) VALUES ({', '.join('?' * len(DOCUMENT_COLUMNS))}) "
                f"ON CONFLICT (id) DO UPDATE SET {_updates(DOCUMENT_COLUMNS[1:])}",
                (document.id, document.source, document.path, document.title, document.outlet,
                 document.published, document.url, document.author, document.words,
                 document.duplicate_of, document.text, existing[0] if existing else position,
                 existing[1] if existing else utc_stamp(now)))
            self.db.execute("INSERT INTO extractions (document_id, version, data) VALUES (?, ?, ?) "
                            "ON CONFLICT (document_id) DO UPDATE SET version = excluded.version, data = excluded.data",
                            (document.id, version, as_json(extraction)))
            for path, raw_hash, ids in files:
                self._remember_file(path, raw_hash, ids)
            self._remember_items(items, document.id)

    def _document_fields(self) -> str:
        """The columns of a ``Document``, in its fields' order."""
        added_at = "added_at" if self._has_added_at else "NULL"  # an old store opened read-only
        return f"id, source, text, title, outlet, published, url, author, path, duplicate_of, {added_at}"

    def documents(self) -> list[Document]:
        rows = self.db.execute(f"SELECT {self._document_fields()} FROM documents ORDER BY position").fetchall()
        return [Document(*row) for row in rows]

    def stale_documents(self, version: str) -> list[Document]:
        """Documents whose stored extraction came from another extractor version."""
        stale = {row[0] for row in self.db.execute(
            "SELECT d.id FROM documents d LEFT JOIN extractions e ON e.document_id = d.id "
            "WHERE e.version IS NULL OR e.version != ?", (version,))}
        return [d for d in self.documents() if d.id in stale]

    def extractions(self) -> list[Extraction]:
        """Every document's extraction, in corpus order. Read as the bytes of their JSON: a
        text made a Python string is first written back as UTF-8 to be decoded (a fifth of
        the time of reading a store's extractions back)."""
        rows = self.db.execute(f"SELECT {self.backend.utf8('e.data')} FROM extractions e "
                               "JOIN documents d ON d.id = e.document_id ORDER BY d.position")
        return [read_record(Extraction, bytes(row[0])) for row in rows]

    def sentences(self) -> dict[str, list[list[int]]]:
        """Each document's sentences as [start, end] offsets, by document id (empty for a
        document extracted before sentences were kept)."""
        rows = self.db.execute(f"SELECT document_id, {self.backend.json_member('data', 'sentences')} FROM extractions")
        return {doc_id: from_json(spans) if spans else [] for doc_id, spans in rows}

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
        found = []
        for marks, chunk in _in_lists(ids):
            found += self.db.execute(
                f"SELECT {self._document_fields()}, position FROM documents WHERE id IN ({marks})", chunk).fetchall()
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
                    bands: Mapping[str, Iterable[tuple[int, str]]] | None = None, more_bands: bool = False) -> None:
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
                                    ((doc_id, band, key) for doc_id, keys in bands.items() for band, key in keys))
            if duplicates is not None:  # only the links that changed: each row written holds a text
                linked = dict(self.db.execute("SELECT id, duplicate_of FROM documents WHERE duplicate_of IS NOT NULL"))
                self.db.executemany("UPDATE documents SET duplicate_of = NULL WHERE id = ?",
                                    [(copy,) for copy in linked if copy not in duplicates])
                self.db.executemany("UPDATE documents SET duplicate_of = ? WHERE id = ?",
                                    [(original, copy) for copy, original in duplicates.items()
                                     if linked.get(copy) != original])
            if state is not None:
                self._put_meta("reconciled", state)
            for table, records in tables.items():
                cls = CORPUS_TABLES[table]
                columns = _columns(cls)
                floats = _float_columns(cls)
                placeholders = ", ".join("?" for _ in columns)
                values = operator.attrgetter(*(name for name, _ in columns))  # a tuple per record, in C
                as_text = [n for n, (_, is_json) in enumerate(columns) if is_json]
                as_float = [n for n, (name, _) in enumerate(columns) if name in floats]
                records = list(records)
                names = ", ".join(f'"{name}"' for name, _ in columns)
                start = self._rows_kept(table, names, records) if table in DOCUMENT_TABLES else 0
                rows = []
                for record in records[start:]:  # (the rows kept are not made again)
                    row = list(values(record))
                    for n in as_text:
                        row[n] = as_json(row[n])
                    for n in as_float:
                        if type(row[n]) is int:
                            row[n] = float(row[n])
                    rows.append(row)
                if start == 0:
                    self.db.execute(f"DELETE FROM {table}")
                self.db.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)
            if bands is not None and duplicates is not None and state is not None:
                self.db.execute("INSERT INTO meta VALUES ('bands_of', ?) ON CONFLICT (key) DO UPDATE "
                                "SET value = excluded.value", (f"{state}/{self._near_copy_state()}",))
            for name, rows in views.items():
                self.db.execute("DELETE FROM views WHERE name = ?", (name,))
                self.db.executemany("INSERT INTO views VALUES (?, ?, ?)",
                                    [(name, i, as_json(row)) for i, row in enumerate(rows)])

    ROWS_CHUNK = 10_000  # records written as JSON at a time, for the digest of a table

    def _rows_kept(self, table: str, names: str, records: list[Any]) -> int:
        """How many of ``records`` (a corpus table's, in order) the table already holds, as
        rows: all it holds when they are the first of ``records`` (what a run that only
        added documents leaves of the tables of documents' records: the new documents'
        rows come last), else 0. Told by a digest of the records saved last (the column
        names, then the records as JSON, ``ROWS_CHUNK`` at a time: msgspec writes them
        straight from their fields), kept in ``meta`` with their count, and set here to
        that of ``records``."""
        kept = (self.meta(f"rows:{table}") or "").split(":")
        count = int(kept[0]) if len(kept) == 2 and kept[0].isdigit() else -1
        digest = hashlib.sha1(names.encode())
        chunk = self.ROWS_CHUNK
        comparable = 0 <= count <= len(records)  # a digest of as many records as were saved can be made
        whole = count // chunk * chunk if comparable else 0  # chunks the two digests share
        for begin in range(0, whole, chunk):
            digest.update(_JSON.encode(records[begin:begin + chunk]))
        start = 0
        if comparable:
            first = digest.copy()
            if count > whole:
                first.update(_JSON.encode(records[whole:count]))
            start = count if first.hexdigest() == kept[1] else 0
        for begin in range(whole, len(records), chunk):
            digest.update(_JSON.encode(records[begin:begin + chunk]))
        if start and self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] != start:
            start = 0  # rows changed since by hand: written anew
        self._put_meta(f"rows:{table}", f"{len(records)}:{digest.hexdigest()}")
        return start

    def rows(self, table: str) -> list[dict[str, Any]]:
        """A corpus table as dicts, JSON columns decoded."""
        columns = _columns(CORPUS_TABLES[table])
        booleans = _bool_columns(CORPUS_TABLES[table])
        names = ", ".join(f'"{name}"' for name, _ in columns)
        out = []
        for row in self.db.execute(f"SELECT {names} FROM {table} ORDER BY {self.backend.insertion_order}"):
            record = {name: from_json(value) if is_json and value is not None else value
                      for (name, is_json), value in zip(columns, row)}
            for name in booleans:
                if record[name] is not None:
                    record[name] = bool(record[name])
            out.append(record)
        return out

    def view(self, name: str) -> list[dict[str, Any]]:
        return [from_json(row[0]) for row in
                self.db.execute("SELECT data FROM views WHERE name = ? ORDER BY position", (name,))]

    # ---------------------------------------------------------------- fetched from the web

    def save_response(self, url: str, final_url: str, fetched_at: str, status: int, content_type: str,
                      headers: dict[str, str], body: bytes) -> None:
        """Keep a downloaded body (compressed) and the validators for a conditional GET of
        ``url``, in one transaction. The same body from the same URL is kept once."""
        body_hash = hashlib.sha256(body).hexdigest()
        with self.db:
            self.db.execute(
                "INSERT INTO responses VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url, body_hash) DO NOTHING",
                (url, body_hash, final_url, fetched_at, status, content_type,
                 json.dumps(headers, sort_keys=True), zlib.compress(body)))
            self.db.execute(
                "INSERT INTO http_cache VALUES (?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
                "etag = excluded.etag, last_modified = excluded.last_modified, body_hash = excluded.body_hash",
                (url, headers.get("etag"), headers.get("last-modified"), body_hash))

    def cached_response(self, url: str) -> dict[str, Any] | None:
        """The response the validators of ``url`` belong to: url, final_url, fetched_at,
        status, content_type, headers, body (decompressed), etag, last_modified; None if none."""
        row = self.db.execute(
            "SELECT r.final_url, r.fetched_at, r.status, r.content_type, r.headers, r.body, c.etag, c.last_modified "
            "FROM http_cache c JOIN responses r ON r.url = c.url AND r.body_hash = c.body_hash WHERE c.url = ?",
            (url,)).fetchone()
        if row is None:
            return None
        final_url, fetched_at, status, content_type, headers, body, etag, last_modified = row
        return {"url": url, "final_url": final_url, "fetched_at": fetched_at, "status": status,
                "content_type": content_type, "headers": json.loads(headers), "body": zlib.decompress(body),
                "etag": etag, "last_modified": last_modified}

    def item_fetched(self, url: str) -> bool:
        """Whether the feed or sitemap item at ``url`` was read in an earlier run."""
        return self.db.execute("SELECT 1 FROM fetched_items WHERE url = ?", (url,)).fetchone() is not None

    def remember_items(self, urls: Iterable[str], document_id: str | None) -> None:
        """Record items read whose document is already stored (same text under another URL)."""
        with self.db:
            self._remember_items(urls, document_id)

    def _remember_items(self, urls: Iterable[str], document_id: str | None) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        urls = list(urls)
        self.db.executemany(
            "INSERT INTO fetched_items VALUES (?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
            "document_id = excluded.document_id, fetched_at = excluded.fetched_at",
            [(url, document_id, now) for url in urls])
        self.db.executemany("DELETE FROM fetch_failures WHERE url = ?", [(url,) for url in urls])

    def fetch_failure(self, url: str) -> tuple[str, int, str] | None:
        """(reason, tries, last tried: UTC ISO) of an item whose download failed lastingly."""
        row = self.db.execute("SELECT reason, tries, last_tried FROM fetch_failures WHERE url = ?",
                              (url,)).fetchone()
        return (row[0], int(row[1]), row[2]) if row else None

    def remember_fetch_failure(self, url: str, reason: str, when: datetime | None = None) -> None:
        """Count one more lasting failure of the item at ``url``."""
        with self.db:
            self.db.execute(
                "INSERT INTO fetch_failures VALUES (?, ?, 1, ?) ON CONFLICT (url) DO UPDATE SET "
                "reason = excluded.reason, tries = fetch_failures.tries + 1, last_tried = excluded.last_tried",
                (url, reason, utc_stamp(when)))

    # ---------------------------------------------------------------- sentence vectors

    def _values_by_key(self, table: str, column: str, keys: Iterable[str]) -> dict[str, bytes]:
        """``column`` of the rows of ``table`` whose ``key`` is one of ``keys``."""
        found: dict[str, bytes] = {}
        for marks, chunk in _in_lists(keys):
            found.update(self.db.execute(f"SELECT key, {column} FROM {table} WHERE key IN ({marks})", chunk))
        return found

    def get_embeddings(self, keys: Iterable[str]) -> dict[str, bytes]:
        """Stored vectors (raw float32 bytes) for those of ``keys`` that have one."""
        return self._values_by_key("embeddings", "vector", keys)

    def put_embeddings(self, vectors: dict[str, bytes]) -> None:
        with self.db:
            self.db.executemany("INSERT INTO embeddings (key, vector) VALUES (?, ?) "
                                "ON CONFLICT (key) DO UPDATE SET vector = excluded.vector", vectors.items())

    # ---------------------------------------------------------------- kept by the reconcile stage

    def block_neighbours(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The neighbours kept for those of ``keys`` (digests of blocks' anchor keys) that have them."""
        return self._values_by_key("block_neighbours", "neighbours", keys)

    def keep_block_neighbours(self, found: dict[str, bytes], used: set[str] | None = None) -> None:
        """Keep (or replace) the neighbours of newly compared or extended blocks. Given ``used``
        (the keys of all the blocks of a run, at its end), blocks of past runs that it did not
        meet are dropped once they outnumber the used ones."""
        self._keep("block_neighbours", "neighbours", found, used)

    def pair_ledger(self) -> bytes | None:
        """The pair ledger kept by the last reconcile (None: none kept)."""
        return self._values_by_key("pair_ledger", "ledger", ["latest"]).get("latest")

    def keep_pair_ledger(self, kept: bytes) -> None:
        self._keep("pair_ledger", "ledger", {"latest": kept}, None)

    def document_statements(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The statements kept for those of ``keys`` (digests of what a document's statements
        are read from) that have them."""
        return self._values_by_key("document_statements", "statements", keys)

    def keep_document_statements(self, found: dict[str, bytes], used: set[str] | None = None) -> None:
        """Keep the statements of newly read documents (replacing a damaged row kept under the
        same key); given ``used`` (all the keys of a run, at its end), those of past runs it did
        not meet are dropped once they outnumber the used."""
        self._keep("document_statements", "statements", found, used)

    def timeline_joins(self) -> bytes | None:
        """The timeline's joins kept by the last reconcile (None: none kept)."""
        return self._values_by_key("timeline_joins", "joins", ["latest"]).get("latest")

    def keep_timeline_joins(self, kept: bytes) -> None:
        self._keep("timeline_joins", "joins", {"latest": kept}, None)

    def _keep(self, table: str, column: str, found: dict[str, bytes], used: set[str] | None) -> None:
        """Write ``found`` (key -> value) into a memo table, replacing what a key held."""
        with self.db:
            self.db.executemany(f"INSERT INTO {table} (key, {column}) VALUES (?, ?) "
                                f"ON CONFLICT (key) DO UPDATE SET {column} = excluded.{column}", found.items())
            if used is not None and self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] > 2 * len(used) + 1000:
                stale = [row[0] for row in self.db.execute(f"SELECT key FROM {table}") if row[0] not in used]
                for marks, chunk in _in_lists(stale):
                    self.db.execute(f"DELETE FROM {table} WHERE key IN ({marks})", chunk)
