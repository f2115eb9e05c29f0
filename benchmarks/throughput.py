"""Throughput and memory of ``parley analyze`` next to the bare spaCy pipeline it uses.

Builds N articles with distinct content (the seeds in ../shared/seeds when
present, else the bundled sample corpus, each copy given its own opening line so
no two texts hash alike), then runs, each in a fresh process so peak memory is
measured separately:

1. bare spaCy: ``nlp.pipe`` over the same texts, same batch size, with the pipeline as its
   package ships it (``parley.nlp.load_spacy_pipeline``);
2. parley's analyze pipeline end to end (ingest + extract + store, then reconcile) into a new
   store, with the time of each stage;
3. ``parley analyze`` again on the same folder (the incremental re-run).

Usage: python benchmarks/throughput.py [--documents 1000] [--out benchmarks/out]
Prints one JSON object with words/s, the ratio, and peak RSS of each process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"

# One process of the bare spaCy pipeline over the texts (benchmarks/engines.py runs it too):
# the parse's own seconds, and the process's peak memory.
BARE_SPACY = """
import json, resource, sys, time
from pathlib import Path
from parley.ingest import find_files, read_file
from parley.nlp import load_spacy_pipeline
texts = [d.text for sf in find_files([Path(sys.argv[1])]) for d in read_file(sf).documents]
nlp = load_spacy_pipeline()
started = time.perf_counter()
for doc in nlp.pipe(texts, batch_size=8):
    pass
print(json.dumps({"parse_seconds": time.perf_counter() - started, "texts": len(texts),
                  "words": sum(len(t.split()) for t in texts),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PARLEY = """
import json, resource, sys, time
from pathlib import Path
from parley.lexicon import load_lexicon
from parley.pipeline import analyze
from parley.store import Store
started = time.perf_counter()
with Store(Path(sys.argv[2])) as store:
    report = analyze([Path(sys.argv[1])], store, load_lexicon())
print(json.dumps({"seconds": time.perf_counter() - started, "stages": report.seconds,
                  "added": len(report.added),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def source_texts() -> list[tuple[str, str]]:
    folder = SEEDS if SEEDS.is_dir() else ROOT / "examples" / "corpus"
    sys.path.insert(0, str(ROOT / "src"))
    from parley.ingest import find_files, read_file

    texts = []
    for sf in find_files([folder]):
        for document in read_file(sf).documents:
            texts.append((Path(sf.source).stem, document.text))
    return texts


def build_corpus(folder: Path, count: int) -> None:
    texts = source_texts()
    for i in range(count):
        name, text = texts[i % len(texts)]
        opening = f"Dispatch {i + 1} of {count}, filed from desk {i % 23 + 1}."
        (folder / f"{i:05d}_{name}.txt").write_text(f"{opening}\n{text}", encoding="utf-8")


def run(code: str, *args: str) -> dict:
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        build_corpus(corpus, args.documents)
        bare = run(BARE_SPACY, str(corpus))
        db = str(Path(tmp) / "bench.db")
        first = run(PARLEY, str(corpus), db)
        again = run(PARLEY, str(corpus), db)
    words = bare["words"]
    report = {
        "documents": bare["texts"],
        "words": words,
        "bare_spacy": {"seconds": round(bare["parse_seconds"], 1), "words_per_s": round(words / bare["parse_seconds"]),
                       "peak_rss_mb": round(bare["peak_rss_mb"])},
        "parley_analyze": {"seconds": round(first["seconds"], 1), "words_per_s": round(words / first["seconds"]),
                           "stages": {k: round(v, 1) for k, v in first["stages"].items()},
                           "peak_rss_mb": round(first["peak_rss_mb"])},
        "parley_rerun": {"seconds": round(again["seconds"], 1), "added": again["added"],
                         "stages": {k: round(v, 1) for k, v in again["stages"].items()},
                         "peak_rss_mb": round(again["peak_rss_mb"])},
    }
    # The measure: ingest + extract + store against the bare parse; reconcile reported apart.
    core = first["stages"]["ingest"] + first["stages"]["extract"]
    report["throughput_ratio_ingest_extract_store"] = round(bare["parse_seconds"] / core, 3)
    report["throughput_ratio_end_to_end"] = round(bare["parse_seconds"] / first["seconds"], 3)
    report["rerun_fraction_of_first"] = round(again["seconds"] / first["seconds"], 3)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"benchmark took {time.perf_counter() - started:.0f}s", file=sys.stderr)
