"""Where a store lives: an SQLite file (the default) or a PostgreSQL database.

``store.py`` writes one SQL for both, in SQLite's words (``?`` placeholders, TEXT /
INTEGER / REAL / BLOB, ``INSERT ... ON CONFLICT``), and talks to ``Store.db`` as to an
``sqlite3`` connection (``execute``, ``executemany``, ``executescript``, ``with db:`` for a
transaction, ``commit``, ``rollback``, ``in_transaction``). For SQLite that *is* the
``sqlite3`` connection. For PostgreSQL it is :class:`PostgresConnection`, a thin layer over
psycopg 3 that translates each statement in one place (:func:`translate`) and keeps
``sqlite3``'s transaction habits; so SQL added to ``store.py`` runs on both unchanged.

What cannot be one SQL is a method of the backend object (:class:`SQLiteBackend`,
:class:`PostgresBackend`): connecting, the column types of the corpus tables, listing a
table's columns, the insertion order, a JSON member, a read snapshot, ``data_version`` and
the one-writer lock.

PostgreSQL specifics:
- one writer at a time: ``parley analyze`` holds a session advisory lock
  (``pg_advisory_lock``) on a connection of its own for its whole run; the server frees
  it when that connection ends, even when the process is killed;
- readers take ``REPEATABLE READ`` snapshots, so each read sees one committed state;
- ``data_version`` is a counter in ``meta`` that every writing transaction raises, so a
  reader (``parley serve``) sees that new data was committed;
- a read-only store (``parley serve``, ``export``...) opens its session with
  ``default_transaction_read_only``, so nothing it runs can write.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT_S = 10  # seconds to reach a PostgreSQL server before giving up
LOCK_POLL_S = 0.2  # how often a waiting writer asks for the PostgreSQL lock again


class StoreError(Exception):
    pass


class StoreBusy(StoreError):
    """Another process holds the store's writer lock."""


class StoreUnreachable(StoreError):
    """The PostgreSQL server cannot be reached, or went away mid-run (restarted, the network
    down): the same command may well work a little later."""


def is_postgres_url(target: str | Path) -> bool:
    return isinstance(target, str) and target.lower().startswith(POSTGRES_SCHEMES)


def display_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    return re.sub(r"^([a-z]+://[^/@:]*):[^/@]*@", r"\1:***@", url, flags=re.I)


def one_line(message: object) -> str:
    """A driver's (possibly multi-line) message on one line."""
    return "; ".join(line.strip() for line in str(message).splitlines() if line.strip())


def _advisory_key(name: str) -> int:
    """A 64-bit key for ``pg_advisory_lock``, the same in every parley process."""
    return int.from_bytes(hashlib.sha1(f"parley {name}".encode()).digest()[:8], "big", signed=True)


WRITER_KEY = _advisory_key("writer")
SCHEMA_KEY = _advisory_key("schema")


def _busy(location: str, wait: float) -> StoreBusy:
    return StoreBusy(f"{location}: another parley run (analyze, fetch or watch) is writing to this store; gave up after "
                     f"waiting {wait:g}s (run again once it has finished)")


# ---------------------------------------------------------------------------- SQLite


class SQLiteBackend:
    """An SQLite file, in WAL mode: readers never wait for the writer nor make it wait."""

    kind = "sqlite"
    typed_columns = False  # corpus tables keep SQLite's untyped columns (what old stores have)
    insertion_order = "rowid"
    open_failure = "not a parley store"  # what an error of the driver at opening means
    errors: tuple[type[Exception], ...] = (sqlite3.DatabaseError,)

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.location = str(self.path)

    def exists(self) -> bool:
        return self.path.is_file()

    def identity(self) -> tuple:
        """Changes when another file takes the store's place."""
        info = self.path.stat()
        return info.st_dev, info.st_ino

    def connect(self, read_only: bool, timeout: float) -> sqlite3.Connection:
        if read_only:
            return sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                   check_same_thread=False, timeout=timeout)
        db = sqlite3.connect(self.path, timeout=timeout)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = WAL")
        return db

    def lock_schema(self, db: sqlite3.Connection) -> None:
        """Nothing to do: SQLite creates tables under its own file lock."""

    def columns(self, db: sqlite3.Connection, table: str) -> set[str]:
        return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}

    def corpus_table(self, table: str, columns: list[tuple[str, str]]) -> str:
        names = ", ".join(f'"{name}"' for name, _ in columns)
        return f"CREATE TABLE IF NOT EXISTS {table} ({names})"

    def add_column(self, table: str, name: str, sql_type: str) -> str:
        return f'ALTER TABLE {table} ADD COLUMN "{name}"'

    def json_member(self, column: str, key: str) -> str:
        """SQL for the JSON text of ``column``'s member ``key`` (NULL when absent)."""
        return f"json_extract({column}, '$.{key}')"

    def utf8(self, column: str) -> str:
        """SQL for a text ``column`` as its UTF-8 bytes: what a JSON decoder reads without
        the text being made a Python string first."""
        return f"CAST({column} AS BLOB)"

    def begin_snapshot(self, db: sqlite3.Connection) -> None:
        db.execute("BEGIN")  # WAL keeps this state for the reader until it ends

    def data_version(self, db: sqlite3.Connection) -> int:
        """Changes each time another connection's commit becomes visible to this one."""
        return db.execute("PRAGMA data_version").fetchone()[0]

    @contextmanager
    def writer_lock(self, wait: float, on_wait: Callable[[], None] | None) -> Iterator[None]:
        """The file ``<store>.lock`` beside the store, locked with flock (through
        ``filelock``): the kernel releases it when the holder exits or is killed."""
        lock = FileLock(f"{self.path}.lock")
        try:
            try:
                lock.acquire(timeout=0)
            except Timeout:
                if on_wait:
                    on_wait()
                lock.acquire(timeout=wait)
        except Timeout:
            raise _busy(self.location, wait) from None
        except OSError as err:
            raise StoreError(f"{self.location}: cannot lock the store for writing ({err.strerror or err})") from None
        try:
            yield
        finally:
            lock.release()


# ---------------------------------------------------------------------------- PostgreSQL


_DDL_TYPES = {"BLOB": "BYTEA", "REAL": "DOUBLE PRECISION", "INTEGER": "BIGINT"}
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%|\b(?:BLOB|REAL|INTEGER)\b", re.I)
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@lru_cache(maxsize=512)
def translate(sql: str, with_params: bool = True) -> str:
    """One statement in SQLite's words, in PostgreSQL's: ``?`` becomes ``%s`` (and a literal
    ``%`` is doubled) when parameters are passed; in CREATE / ALTER statements the storage
    types become their PostgreSQL equals (BLOB -> BYTEA, REAL -> DOUBLE PRECISION: SQLite's
    REAL has 8 bytes, INTEGER -> BIGINT: so has its INTEGER); ``INSERT OR IGNORE`` becomes
    ``INSERT ... ON CONFLICT DO NOTHING``. Quoted strings and names are left as they are."""
    ddl = sql.lstrip().upper().startswith(("CREATE", "ALTER"))

    def swap(match: re.Match) -> str:
        token = match.group(0)
        if token[0] in "'\"":
            return token.replace("%", "%%") if with_params else token
        if token == "?":
            return "%s" if with_params else token
        if token == "%":
            return "%%" if with_params else token
        return _DDL_TYPES[token.upper()] if ddl else token

    out = _TOKENS.sub(swap, sql)
    ignore = re.match(r"\s*INSERT\s+OR\s+IGNORE\s+", out, re.I)
    if ignore:
        out = "INSERT " + out[ignore.end():].rstrip().rstrip(";") + " ON CONFLICT DO NOTHING"
    return out


NUL_STAND_IN = "\ufffd"  # PostgreSQL's text cannot hold NUL; one character for one keeps offsets right


def _plain(value: Any) -> Any:
    """SQLite keeps a bool as 0/1 in an INTEGER column; so does this layer. A NUL character
    (a JSON feed may carry one in a field) becomes U+FFFD, which PostgreSQL can store."""
    if value is True or value is False:
        return int(value)
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", NUL_STAND_IN)
    return value


def _params(params: Sequence[Any] | None) -> tuple | None:
    return tuple(_plain(v) for v in params) if params else None


class PostgresConnection:
    """A psycopg 3 connection that behaves like an ``sqlite3`` one for ``store.py``.

    The session is in autocommit mode; as with ``sqlite3``, the first INSERT / UPDATE /
    DELETE outside a transaction opens one, which ``commit()`` (or leaving ``with db:``)
    ends. A transaction that wrote raises ``meta.data_version`` as it commits."""

    def __init__(self, connection: Any, location: str):
        self.connection = connection
        self.connection.autocommit = True
        self.location = location
        self.wrote = False

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.connection.info.transaction_status != TransactionStatus.IDLE

    def begin(self, isolation: str = "READ COMMITTED") -> None:
        self.connection.execute(f"BEGIN ISOLATION LEVEL {isolation}")
        self.wrote = False

    def _before(self, sql: str) -> None:
        if sql.lstrip()[:7].upper().startswith(_WRITES):
            if not self.in_transaction:
                self.begin()
            self.wrote = True

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        self._before(sql)
        values = _params(params)
        with self._connection_lost():
            return self.connection.execute(translate(sql, values is not None), values)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        self._before(sql)
        cursor = self.connection.cursor()
        with self._connection_lost():
            cursor.executemany(translate(sql), [tuple(_plain(v) for v in row) for row in rows])
        return cursor

    @contextmanager
    def _connection_lost(self) -> Iterator[None]:
        """A server gone away mid-run (restarted, unreachable) is a one-line StoreError;
        what was committed stays, what was not is rolled back by the server."""
        try:
            yield
        except _psycopg().OperationalError as err:
            if not self.connection.closed:
                raise
            raise StoreUnreachable(f"{self.location}: lost the connection to PostgreSQL ({one_line(err)})") from None

    def executescript(self, script: str) -> None:
        """Each statement in turn (unlike ``sqlite3``'s, this does not commit first)."""
        for statement in script.split(";"):
            if statement.strip():
                self.execute(statement)

    def commit(self) -> None:
        if not self.in_transaction:
            return
        if self.wrote:
            self.connection.execute(
                "INSERT INTO meta (key, value) VALUES ('data_version', '1') ON CONFLICT (key) "
                "DO UPDATE SET value = (CAST(meta.value AS BIGINT) + 1)::text")
        self.connection.execute("COMMIT")
        self.wrote = False

    def rollback(self) -> None:
        if self.in_transaction:
            self.connection.execute("ROLLBACK")
        self.wrote = False

    def __enter__(self) -> PostgresConnection:
        if not self.in_transaction:
            self.begin()
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.rollback()

    def close(self) -> None:
        self.connection.close()


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError("a postgresql:// store needs psycopg: pip install 'psycopg[binary]'") from None
    return psycopg


class PostgresBackend:
    """A PostgreSQL database, named by a ``postgresql://`` URL (libpq's form)."""

    kind = "postgresql"
    typed_columns = True
    insertion_order = "row_position"  # an identity column, as SQLite's rowid
    open_failure = "cannot open the store"  # e.g. no right to create its tables

    def __init__(self, url: str):
        self.url = url
        self.location = display_url(url)
        self.errors = (_psycopg().Error,)

    def exists(self) -> bool:
        return True  # whether it holds a store is known once connected

    def identity(self) -> tuple:
        return ("postgresql", self.url)

    def _connect(self) -> Any:
        psycopg = _psycopg()
        try:
            params = {} if "connect_timeout" in self.url else {"connect_timeout": CONNECT_TIMEOUT_S}
            return psycopg.connect(self.url, autocommit=True, **params)
        except psycopg.Error as err:
            raise StoreUnreachable(f"{self.location}: cannot connect to PostgreSQL ({one_line(err)})") from None

    def connect(self, read_only: bool, timeout: float) -> PostgresConnection:
        connection = self._connect()
        connection.execute(f"SET lock_timeout = {int(timeout * 1000)}")
        if read_only:
            connection.execute("SET default_transaction_read_only = on")
            found = connection.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0]
            if not found:
                connection.close()
                raise StoreError(f"{self.location}: no parley store in this database "
                                 "(run `parley analyze` with this --db first)")
        return PostgresConnection(connection, self.location)

    def lock_schema(self, db: PostgresConnection) -> None:
        """Two processes creating the tables at once would collide: take turns, until the
        transaction that creates them commits."""
        if not db.in_transaction:
            db.begin()
        db.execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_KEY,))

    def columns(self, db: PostgresConnection, table: str) -> set[str]:
        return {row[0] for row in db.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?", (table,))}

    def corpus_table(self, table: str, columns: list[tuple[str, str]]) -> str:
        names = ", ".join(f'"{name}" {sql_type}' for name, sql_type in columns)
        return (f"CREATE TABLE IF NOT EXISTS {table} "
                f"({self.insertion_order} BIGINT GENERATED BY DEFAULT AS IDENTITY, {names})")

    def add_column(self, table: str, name: str, sql_type: str) -> str:
        return f'ALTER TABLE {table} ADD COLUMN "{name}" {sql_type}'

    def json_member(self, column: str, key: str) -> str:
        return f"(CAST({column} AS json) -> '{key}')::text"

    def utf8(self, column: str) -> str:
        return f"convert_to({column}, 'UTF8')"

    def begin_snapshot(self, db: PostgresConnection) -> None:
        db.begin("REPEATABLE READ")

    def data_version(self, db: PostgresConnection) -> int:
        row = db.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        return int(row[0]) if row else 0

    @contextmanager
    def writer_lock(self, wait: float, on_wait: Callable[[], None] | None) -> Iterator[None]:
        """A session advisory lock on a connection of its own, held for the whole run."""
        psycopg = _psycopg()
        connection = self._connect()

        def take() -> bool:
            try:
                return connection.execute("SELECT pg_try_advisory_lock(%s)", (WRITER_KEY,)).fetchone()[0]
            except psycopg.Error as err:
                raise StoreError(f"{self.location}: cannot lock the store for writing ({one_line(err)})") from None

        try:
            if not take():
                if on_wait:
                    on_wait()
                deadline = time.monotonic() + wait
                while not take():
                    if time.monotonic() >= deadline:
                        raise _busy(self.location, wait)
                    time.sleep(LOCK_POLL_S)
            yield
        finally:
            connection.close()  # frees the lock


def backend_for(target: str | Path) -> SQLiteBackend | PostgresBackend:
    """The backend of a ``--db`` value: a ``postgresql://`` URL, else a file path."""
    if is_postgres_url(target):
        return PostgresBackend(str(target))
    return SQLiteBackend(target)
