"""How ``parley serve`` and the one-file briefing hold up on a large store.

    python benchmarks/web.py --db big.db            # a store made by parley analyze
    python benchmarks/web.py --documents 1000       # build one first (as throughput.py does)

Measures, with the real sentence model unless --fake-model:
- the app's first load of the store (views + search index), and peak memory;
- latency of every page and of the JSON API over a number of requests (median, p95);
- ``ask``: the first question (loads the model) and the following ones;
- the one-file briefing: time to write and size.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

QUESTIONS = ["Where did Dmitriev meet Witkoff?", "How many drones did Russia launch?",
             "What does Belgium fear about the frozen assets?", "When were the Abu Dhabi talks?",
             "How much will the EU lend Ukraine?", "Who leads Ukraine's delegation?"]


def timed(call, repeat: int) -> dict[str, float]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    return {"median_ms": round(statistics.median(seconds) * 1000, 1),
            "p95_ms": round(seconds[min(len(seconds) - 1, int(len(seconds) * 0.95))] * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--fake-model", action="store_true", help="bag-of-words stand-in instead of MiniLM")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from parley import embeddings
    from parley.present.html import write_briefing
    from parley.present.views import load_source
    from parley.present.web import create_app
    from parley.store import Store

    if args.fake_model:
        embeddings.embed_with_model = embeddings.bag_of_words
    db = args.db
    if db is None:
        from throughput import build_corpus

        from parley.lexicon import load_lexicon
        from parley.pipeline import analyze

        folder = Path(tempfile.mkdtemp(prefix="parley-web-bench-"))
        (folder / "articles").mkdir()
        build_corpus(folder / "articles", args.documents)
        db = folder / "bench.db"
        with Store(db) as store:
            analyze([folder / "articles"], store, load_lexicon())

    result: dict[str, object] = {"db": str(db)}
    started = time.perf_counter()
    client = TestClient(create_app(db))
    documents = client.get("/api/documents").json()  # first request: reads the store, builds views and index
    result["first_load_s"] = round(time.perf_counter() - started, 2)
    result["documents"] = len(documents)
    started = time.perf_counter()
    client.get("/api/ask", params={"q": QUESTIONS[0]})
    result["ask_first_s"] = round(time.perf_counter() - started, 2)
    actor = client.get("/api/actors").json()[0]["id"]
    doc = documents[len(documents) // 2]["id"]
    pages = {"/": "overview", "/timeline": "timeline", "/network": "network", "/matrix": "matrix",
             "/checks": "checks", "/documents": "documents", f"/actors/{actor}": "actor",
             f"/documents/{doc}?hl=0": "document", "/api/overview": "api overview",
             f"/api/documents/{doc}": "api document", "/search?q=frozen+assets+loan": "search (page)"}
    result["pages"] = {}
    for path, name in pages.items():
        size = len(client.get(path).content)
        result["pages"][name] = {**timed(lambda: client.get(path), args.repeat), "kb": round(size / 1024)}
    asked = []
    for question in QUESTIONS[1:]:
        started = time.perf_counter()
        client.get("/api/ask", params={"q": question})
        asked.append(time.perf_counter() - started)
    result["ask_next_median_ms"] = round(statistics.median(asked) * 1000, 1)
    with Store(db, read_only=True) as store:
        started = time.perf_counter()
        out = Path(tempfile.mkdtemp()) / "briefing.html"
        write_briefing(load_source(store), out)
        result["briefing_s"] = round(time.perf_counter() - started, 2)
        result["briefing_mb"] = round(out.stat().st_size / 2**20, 1)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
