"""Full reconcile vs an incremental one (+100 new documents), through the store, as
`parley analyze` runs them: 10,000 and 100,000 documents by default.

Documents are synthesised as in benchmarks/reconcile_scale.py (runs of sentences of the
extracted seed and sample articles, their records moved along), stored, then:
1. a full reconcile of the N documents (``reconcile_store(..., incremental=False)``): it
   embeds every sentence and compares every block, so it is a warm-up more than a figure;
2. 100 more documents are stored and reconciled incrementally (``reconcile_store``);
3. the same N + 100 documents reconciled in full, the documents' statements and the
   blocks' pairs kept by the store used (as any re-run of `parley analyze` does);
4. and in full from scratch: the kept statements and pairs dropped first (vectors stay stored).
Each reconcile runs in a fresh process, so its peak RSS is its own. Sentence vectors are
the benchmark's stand-ins (see reconcile_scale.py); the first reconcile stores them, so
the later ones read them from the store, as re-runs of `parley analyze` do.

Usage: python benchmarks/reconcile_incremental.py [--documents 10000 100000] [--added 100] [--keep DIR]
Prints one JSON object per size.
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

OUT = ROOT / "benchmarks" / "out"
ARTICLES = OUT / "articles.pickle"  # the extracted base articles, kept between runs


def articles():
    from reconcile_scale import base_articles

    if ARTICLES.exists():
        try:
            return pickle.loads(ARTICLES.read_bytes())
        except (AttributeError, TypeError, pickle.UnpicklingError):
            pass  # made by an older parley, whose records had other fields or none of the slots
    found = base_articles()
    OUT.mkdir(parents=True, exist_ok=True)
    ARTICLES.write_bytes(pickle.dumps(found))
    return found


def fill(store_path: Path, count: int, added: int, seed: int) -> None:
    """Store ``count`` synthesised documents, and write the ``added`` ones that follow
    them to a pickle beside the store, for step 2."""
    from reconcile_scale import synthesise

    from parley.extract import EXTRACTOR_VERSION
    from parley.store import Store

    documents, extractions = synthesise(articles(), count + added, seed)
    with Store(store_path) as store:
        for document, extraction in zip(documents[:count], extractions[:count]):
            store.add_document(document, extraction, EXTRACTOR_VERSION)
    store_path.with_suffix(".added").write_bytes(pickle.dumps((documents[count:], extractions[count:])))


def filled(path: Path, count: int, added: int, seed: int, keep: Path | None) -> None:
    """``fill`` the store at ``path``, or copy it from ``keep`` when it was filled there before."""
    if keep is None:
        fill(path, count, added, seed)
        return
    kept = keep / f"{count}-{added}-{seed}.db"
    if not kept.exists():
        keep.mkdir(parents=True, exist_ok=True)
        fill(kept.with_suffix(".filling"), count, added, seed)
        kept.with_suffix(".filling").rename(kept)
    shutil.copyfile(kept, path)
    shutil.copyfile(kept.with_suffix(".added"), path.with_suffix(".added"))


def reconcile_once(store_path: Path, incremental: bool, add: bool, forget: bool = False) -> dict:
    """(In a process of its own) store the added documents when asked, drop the kept
    statements and block neighbours when asked, then reconcile."""
    from reconcile_scale import base_vectors, bench_embedder

    from parley.extract import EXTRACTOR_VERSION
    from parley.lexicon import load_lexicon
    from parley.pipeline import reconcile_store
    from parley.store import Store

    embed = bench_embedder(base_vectors(articles()))
    with Store(store_path) as store:
        if add:
            documents, extractions = pickle.loads(store_path.with_suffix(".added").read_bytes())
            for document, extraction in zip(documents, extractions):
                store.add_document(document, extraction, EXTRACTOR_VERSION)
        if forget:
            with store.db:
                store.db.execute("DELETE FROM block_neighbours")
                store.db.execute("DELETE FROM pair_ledger")
                store.db.execute("DELETE FROM document_statements")
        started = time.perf_counter()
        how = reconcile_store(store, load_lexicon(), embed=embed, incremental=incremental)
        seconds = time.perf_counter() - started
    return {"how": how, "seconds": round(seconds, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def in_process(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if done.returncode:
        return {"failed": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--added", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="a folder where each filled store is kept, and taken from "
                        "when a run asks for the same documents again (synthesising and storing 100,000 takes minutes)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)  # store, incremental, add, forget
    args = parser.parse_args()
    if args.child:
        path, incremental, add, forget = args.child
        print(json.dumps(reconcile_once(Path(path), incremental == "1", add == "1", forget == "1")))
        return
    for count in args.documents:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.db"
            started = time.perf_counter()
            filled(path, count, args.added, args.seed, args.keep)
            row = {"documents": count, "added": args.added, "seconds_to_store": round(time.perf_counter() - started)}
            row["full_first"] = in_process(str(path), "0", "0", "0")
            row["incremental_after_adding"] = in_process(str(path), "1", "1", "0")
            row["full_after_adding_pairs_kept"] = in_process(str(path), "0", "0", "0")
            row["full_after_adding_from_scratch"] = in_process(str(path), "0", "0", "1")
            scratch = row["full_after_adding_from_scratch"].get("seconds")
            if scratch and "seconds" in row["incremental_after_adding"]:
                row["incremental_share_of_full"] = round(row["incremental_after_adding"]["seconds"] / scratch, 2)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
