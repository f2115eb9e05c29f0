"""The store on SQLite next to the store on PostgreSQL, in one run, on the same data.

Analyses the bundled sample corpus (examples/corpus) once, then, into a new SQLite file and
into a new PostgreSQL database, measures:

1. documents stored per second, each with its extraction and its file record (one
   transaction each, as ``parley analyze`` writes them), over N copies of the sample
   documents (each with its own id and source);
2. ``save_corpus``: replacing the corpus tables (the sample's reconciled actors, quotes,
   claims..., repeated to match N documents) and views in one transaction;
3. reading the export (``build_export``: documents, every corpus table, the views).

PostgreSQL: ``--db postgresql://...`` names a database to use (its parley tables are
emptied first: give a scratch one); without it a throwaway server is started on a free
127.0.0.1 port with initdb (as tests/postgres.py does, but flushing each commit to disk
as a real server and SQLite do) and removed at the end.

Usage: python benchmarks/store_backends.py [--documents 2000] [--db postgresql://...]
Prints one JSON object; figures are indicative (a shared machine is noisy).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]
sys.modules.setdefault("torch", None)  # the bag-of-words stand-in embeds; nothing here needs torch

from parley import embeddings  # noqa: E402
from parley.export import build_export  # noqa: E402
from parley.lexicon import load_lexicon  # noqa: E402
from parley.pipeline import analyze  # noqa: E402
from parley.records import from_dict  # noqa: E402
from parley.store import CORPUS_TABLES, Store  # noqa: E402

embeddings.embed_with_model = embeddings.bag_of_words


@dataclasses.dataclass
class Sample:
    documents: list
    extractions: list
    tables: dict[str, list]
    views: dict[str, list]


def sample(folder: Path) -> Sample:
    """The sample corpus, analysed once into a scratch SQLite store and read back."""
    db = folder / "sample.db"
    with Store(db) as store:
        analyze([ROOT / "examples" / "corpus"], store, load_lexicon())
        names = [row[0] for row in store.db.execute("SELECT DISTINCT name FROM views")]
        return Sample(store.documents(), store.extractions(),
                      {t: [from_dict(cls, row) for row in store.rows(t)] for t, cls in CORPUS_TABLES.items()},
                      {name: store.view(name) for name in names})


def measure(target: str, data: Sample, count: int) -> dict[str, Any]:
    copies = -(-count // len(data.documents))
    result: dict[str, Any] = {}
    with Store(target) as store:
        started = time.perf_counter()
        stored = 0
        for copy in range(copies):
            for document, extraction in zip(data.documents, data.extractions):
                if stored == count:
                    break
                source = f"copy{copy}/{document.source}"
                doc_id = hashlib.sha1(f"{copy}:{document.id}".encode()).hexdigest()
                twin = dataclasses.replace(document, id=doc_id, source=source, duplicate_of=None)
                store.add_document(twin, extraction, "bench", files=[(source, doc_id, [doc_id])])
                stored += 1
        seconds = time.perf_counter() - started
        result["documents"] = stored
        result["documents_per_s"] = round(stored / seconds, 1)

        tables = {name: rows * copies for name, rows in data.tables.items()}
        result["corpus_rows"] = sum(len(rows) for rows in tables.values())
        started = time.perf_counter()
        store.save_corpus(tables, data.views, duplicates={}, state="bench")
        result["save_corpus_s"] = round(time.perf_counter() - started, 3)

    with Store(target, read_only=True) as store:
        started = time.perf_counter()
        export = build_export(store)
        result["read_export_s"] = round(time.perf_counter() - started, 3)
        result["export_mb"] = round(len(json.dumps(export)) / 1e6, 1)
    return result


def empty_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        for table in ["extractions", "documents", "files", "views", "embeddings", "meta", *CORPUS_TABLES]:
            connection.execute(f"DROP TABLE IF EXISTS {table} CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--db", help="a scratch PostgreSQL database (postgresql://...); default: a throwaway server")
    args = parser.parse_args()
    server = None
    with tempfile.TemporaryDirectory() as tmp:
        data = sample(Path(tmp))
        if args.db:
            url = args.db
        else:
            from postgres import start_server

            server = start_server(durable=True)  # each commit flushed to disk, as SQLite does
            url = server.new_database()
        try:
            empty_postgres(url)
            results = {"sample_documents": len(data.documents),
                       "sqlite": measure(str(Path(tmp) / "bench.db"), data, args.documents),
                       "postgresql": measure(url, data, args.documents)}
        finally:
            if server is not None:
                server.stop()
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
