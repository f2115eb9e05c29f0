"""Words/s and peak memory of the extract engines, side by side with one process of bare spaCy.

On one corpus (built as ``throughput.py`` builds it: N articles with distinct content), runs
one after the other, each as a whole process whose wall time is measured from start to exit:

1. bare spaCy: one process loading the pipeline as its package ships it (without parley's
   changes: ``parley.nlp.load_spacy_pipeline``) and running ``nlp.pipe`` over the same texts;
   then bare spaCy in N processes for each N > 1 of --workers (each parses every Nth text):
   the most any N-worker engine could reach on this machine, since N cores that share caches
   and memory bandwidth do not parse N times as fast as one;
2. ``parley analyze --workers 1`` (extraction in the process itself) into a new store;
3. ``parley analyze --workers 2`` (two worker processes);
4. ``parley analyze --engine ray --workers 2`` on a local Ray cluster it starts (skipped
   when ray is not installed, or with --no-ray).

Peak memory is that of the whole process tree (parent, fork server, workers, Ray's own
processes), sampled from /proc: the sum of resident sets every 0.1 s (RSS, counting pages
the workers share with the fork server once per process: an upper bound) and the sum of
proportional sets every 2 s (PSS, shared pages split between their users; reading it costs
the measured processes time, see ``pss_kb``).

The built corpus repeats a few source texts under new openings, so its sentences repeat: the
claims step embeds about 120 distinct sentences in 1,000 articles, where real news gives about 11
per article, each costing the sentence model some milliseconds. ``--corpus DIR`` runs the same
comparison on a folder of real articles instead (kept outside the repository); each parley
run reports how many sentences it embedded.

Usage: python benchmarks/engines.py [--documents 1000 | --corpus DIR] [--no-ray] [--workers 1,2] [--rounds 1]
Prints one JSON object: words/s of each run (whole process, and of its ingest + extract +
store stages), the ratio of each to bare spaCy's, the share parley with N workers reaches of
bare spaCy in N processes, peak memory, and the CPU seconds of the whole tree (on a busy machine wall times mislead; CPU seconds say what the run costs).
With ``--rounds R`` everything runs R times, round after round, each round's object is kept under
"rounds" and the median of each ratio under "medians".
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import BARE_SPACY, ROOT, build_corpus  # noqa: E402  (the same corpus and parse, one way)

# What N processes of bare spaCy reach on this machine, each parsing every Nth text with one
# thread: the ceiling of any N-worker engine (cores that share caches and memory do not parse N
# times as fast). Forked: the parent imports nothing heavy before the pool starts.
BARE_SPACY_PROCESSES = """
import json, sys, multiprocessing
from pathlib import Path

def parse(part):
    import threadpoolctl
    threadpoolctl.threadpool_limits(1)
    from parley.ingest import find_files, read_file
    from parley.nlp import load_spacy_pipeline
    texts = [d.text for sf in find_files([Path(sys.argv[1])]) for d in read_file(sf).documents]
    nlp = load_spacy_pipeline()
    mine = texts[part::int(sys.argv[2])]
    for doc in nlp.pipe(mine, batch_size=8):
        pass
    return len(mine)

with multiprocessing.get_context("fork").Pool(int(sys.argv[2])) as pool:
    print(json.dumps({"texts": sum(pool.map(parse, range(int(sys.argv[2]))))}))
"""

PARLEY = """
import json, sys
from pathlib import Path
from parley.extract.engines import Engine
from parley.lexicon import load_lexicon
from parley.pipeline import analyze
from parley.store import Store
engine = Engine(sys.argv[3], int(sys.argv[4]))
with Store(Path(sys.argv[2])) as store:
    report = analyze([Path(sys.argv[1])], store, load_lexicon(), engine=engine)
import sqlite3
with sqlite3.connect(sys.argv[2]) as db:
    embedded = db.execute("SELECT count(*) FROM embeddings").fetchone()[0]
print(json.dumps({"stages": report.seconds, "added": len(report.added), "embedded": embedded}))
"""


def tree(root: int) -> list[int]:
    """``root`` and every process descended from it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def rss_kb(pids: list[int]) -> int:
    """Summed resident sets of ``pids``, in kB, from /proc/PID/statm: a counter the kernel
    keeps, cheap to read however large the process."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as statm:
                total += int(statm.read().split()[1]) * PAGE_KB
        except (OSError, ValueError, IndexError):
            continue
    return total


def pss_kb(pids: list[int]) -> int:
    """Summed proportional sets of ``pids``, in kB, from /proc/PID/smaps_rollup. The kernel
    walks every page of the process to answer, holding its memory map's lock: read ten times a
    second from four large processes it took 15% of this 2-core machine and slowed parley's
    workers by a fifth, so it is read once every 2 s (a peak between two reads is missed)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                total += sum(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        except (OSError, ValueError, IndexError):
            continue
    return total


def cpu_ticks(pids: list[int], seen: dict[int, int]) -> None:
    """Note the CPU time (user + system, in clock ticks) each of ``pids`` has used so far."""
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            seen[pid] = int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            continue


def run(code: str, *args: str) -> dict:
    """Run ``code`` as a whole process: its JSON line, wall time, the tree's peak memory and its
    CPU time (as last sampled, every 0.5 s: a process's last 0.5 s may be missed)."""
    peak = [0, 0]
    ticks: dict[int, int] = {}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})

    def sample() -> None:
        rounds = 0
        pids: list[int] = []
        while process.poll() is None:
            if rounds % 5 == 0:  # the process tree and its CPU time, twice a second
                pids = tree(process.pid)
                cpu_ticks(pids, ticks)
            peak[0] = max(peak[0], rss_kb(pids))
            if rounds % 20 == 0:
                peak[1] = max(peak[1], pss_kb(pids))
            rounds += 1
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode:
        raise SystemExit(f"run failed ({process.returncode}):\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(seconds=seconds, peak_rss_mb=round(peak[0] / 1024), peak_pss_mb=round(peak[1] / 1024),
                  cpu_seconds=sum(ticks.values()) / os.sysconf("SC_CLK_TCK"))
    return result


def one_round(corpus: Path, tmp: Path, workers: list[int], with_ray: bool) -> dict:
    """Each run once, one after the other, and the report of the round."""
    bare = run(BARE_SPACY, str(corpus))
    parallel = {n: run(BARE_SPACY_PROCESSES, str(corpus), str(n)) for n in workers if n > 1}
    runs = {}
    for n in workers:
        (tmp / f"w{n}.db").unlink(missing_ok=True)
        runs[f"parley_workers_{n}"] = run(PARLEY, str(corpus), str(tmp / f"w{n}.db"), "local", str(n))
    if with_ray:
        (tmp / "ray.db").unlink(missing_ok=True)
        runs["parley_ray_2_actors"] = run(PARLEY, str(corpus), str(tmp / "ray.db"), "ray", "2")
    words = bare["words"]
    bare_wps = words / bare["seconds"]
    report = {
        "documents": bare["texts"], "words": words, "cores": os.cpu_count(),
        "bare_spacy": {"seconds": round(bare["seconds"], 1), "words_per_s": round(bare_wps),
                       "cpu_seconds": round(bare["cpu_seconds"], 1),
                       "parse_only_words_per_s": round(words / bare["parse_seconds"]),
                       "peak_rss_mb": bare["peak_rss_mb"], "peak_pss_mb": bare["peak_pss_mb"]},
    }
    for n, result in parallel.items():
        report[f"bare_spacy_{n}_processes"] = {
            "seconds": round(result["seconds"], 1), "words_per_s": round(words / result["seconds"]),
            "cpu_seconds": round(result["cpu_seconds"], 1),
            "ratio_to_bare_spacy": round(words / result["seconds"] / bare_wps, 2),
            "peak_rss_mb": result["peak_rss_mb"], "peak_pss_mb": result["peak_pss_mb"]}
    for name, result in runs.items():
        stages = result["stages"]
        report[name] = {
            "seconds": round(result["seconds"], 1), "words_per_s": round(words / result["seconds"]),
            "cpu_seconds": round(result["cpu_seconds"], 1),
            "ratio_to_bare_spacy": round(words / result["seconds"] / bare_wps, 2),
            "ingest_extract_store_words_per_s": round(words / (stages["ingest"] + stages["extract"])),
            "ratio_ingest_extract_store_to_bare_spacy": round(
                words / (stages["ingest"] + stages["extract"]) / bare_wps, 2),
            "stages": {k: round(v, 1) for k, v in stages.items()},
            "sentences_embedded": result["embedded"],
            "peak_rss_mb": result["peak_rss_mb"], "peak_pss_mb": result["peak_pss_mb"],
        }
        n = int(name.rsplit("_", 1)[1]) if name.startswith("parley_workers_") else None
        if n in parallel:
            report[name]["share_of_bare_spacy_in_as_many_processes"] = round(
                parallel[n]["seconds"] / result["seconds"], 2)
    if "parley_ray_2_actors" in runs and "parley_workers_2" in runs:
        report["ray_overhead_seconds"] = round(runs["parley_ray_2_actors"]["seconds"]
                                               - runs["parley_workers_2"]["seconds"], 1)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, help="A folder of articles to use instead of the built corpus.")
    parser.add_argument("--no-ray", action="store_true", help="Skip the Ray engine.")
    parser.add_argument("--workers", default="1,2", help="Worker counts of the local engine to run (default 1,2).")
    parser.add_argument("--rounds", type=int, default=1,
                        help="Run everything this many times over, one round after the other, and give the "
                        "median of each ratio: on a shared machine one pair of runs can be 10%% apart.")
    args = parser.parse_args()
    try:
        import ray  # noqa: F401
        with_ray = not args.no_ray
    except ImportError:
        with_ray = False
    workers = [int(n) for n in args.workers.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if args.corpus:
            if not args.corpus.is_dir():
                raise SystemExit(f"{args.corpus}: not a folder")
            corpus = args.corpus
        else:
            corpus = tmp / "corpus"
            corpus.mkdir()
            build_corpus(corpus, args.documents)
        rounds = [one_round(corpus, tmp, workers, with_ray) for _ in range(max(args.rounds, 1))]
    if len(rounds) == 1:
        print(json.dumps(rounds[0], indent=1))
        return
    medians = {name: {key: statistics.median(r[name][key] for r in rounds)
                      for key in ("ratio_to_bare_spacy", "share_of_bare_spacy_in_as_many_processes") if key in first}
               for name, first in rounds[0].items() if isinstance(first, dict) and "ratio_to_bare_spacy" in first}
    print(json.dumps({"rounds": rounds, "medians": medians}, indent=1))


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"benchmark took {time.perf_counter() - started:.0f}s", file=sys.stderr)
