"""Time and peak memory of ``parley analyze`` on one long text, by the text's size.

For each size (0.5, 2 and 6 MB by default) a text is built by repeating a handful of
invented paragraphs (a fisheries negotiation; each repetition numbered so that sessions
differ), written to a folder of its own, and analysed into a new store in a fresh process,
so that each peak RSS is that size's alone. A one-article run gives the fixed cost (the
spaCy and sentence models). With ``--one-piece-mb`` the text of that size is also parsed
by spaCy in one piece, as before parts existed, for comparison (that process only parses).

Usage: python benchmarks/long_document.py [--mb 0.5 2 6] [--one-piece-mb 0.5]
Prints one JSON object: per size, seconds by stage, words per second, parts, facts found,
peak RSS in MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PARAGRAPHS = [
    "Session {n}. The delegations returned to the conference hall in Bergen shortly after nine, "
    "and the chair read out the agenda for the morning: quotas first, then the harbour fund.",
    "Foreign Minister Ingrid Solheim opened for Norway. \"We came here to close the quota chapter, "
    "not to reopen it,\" Solheim said, and she repeated that Norway would not accept a cut of more "
    "than 12 percent in the northern catch.",
    "Commissioner Pedro Alves answered for the European Commission. The Commission offered a fund "
    "of $4.2 billion for the coastal towns over five years, and Alves said the offer stood until "
    "the end of the month.",
    "The interpreters asked for a break at eleven. In the corridor, advisers from both sides "
    "compared drafts of the annex on inspections, which still listed 1,200 boats by name.",
    "After lunch the two ministers met alone for forty minutes. An official who attended the "
    "briefing said the mood was calmer than on Monday, but that nothing had been signed.",
    "The session closed at six. The next round is planned for 14 March 2025 in Tromso, where the "
    "inspection annex and the timetable for the fund are expected to be settled.",
]

ANALYZE = """
import json, resource, sys, time
from pathlib import Path
from parley.extract.parts import PART_CHARS, cut_into_parts
from parley.lexicon import load_lexicon
from parley.pipeline import analyze
from parley.store import Store
folder, db = Path(sys.argv[1]), Path(sys.argv[2])
started = time.perf_counter()
with Store(db) as store:
    report = analyze([folder], store, load_lexicon())
    [extraction] = store.extractions()
    [document] = store.documents()
seconds = time.perf_counter() - started
print(json.dumps({
    "seconds": seconds, "stages": report.seconds, "added": len(report.added), "problems": report.problems,
    "words": document.words, "parts": len(cut_into_parts(document.text, PART_CHARS)),
    "facts": {k: len(getattr(extraction, k)) for k in ("mentions", "quotes", "figures", "times", "events",
                                                      "positions", "sentences")},
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

ONE_PIECE = """
import json, resource, sys, time
from pathlib import Path
from parley.nlp import load_pipeline
text = Path(sys.argv[1]).read_text(encoding="utf-8")
nlp = load_pipeline()
nlp.max_length = len(text) + 1
started = time.perf_counter()
doc = nlp(text)
print(json.dumps({"seconds": time.perf_counter() - started, "tokens": len(doc),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def long_text(megabytes: float) -> str:
    """Paragraphs repeated (each repetition numbered) until the text holds ``megabytes`` MB."""
    target = int(megabytes * 1_000_000)
    pieces, size, n = [], 0, 0
    while size < target:
        n += 1
        for paragraph in PARAGRAPHS:
            piece = paragraph.format(n=n) + "\n\n"
            pieces.append(piece)
            size += len(piece.encode("utf-8"))
    return "".join(pieces).strip() + "\n"


def run(code: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def analyzed(tmp: Path, name: str, text: str) -> dict:
    folder = tmp / name
    folder.mkdir()
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    result = run(ANALYZE, str(folder), str(tmp / f"{name}.db"))
    result["mb"] = round(len(text.encode("utf-8")) / 1_000_000, 2)
    result["words_per_s"] = round(result["words"] / result["seconds"])
    result["seconds"] = round(result["seconds"], 1)
    result["stages"] = {k: round(v, 1) for k, v in result["stages"].items()}
    result["peak_rss_mb"] = round(result["peak_rss_mb"])
    print(f"{name}: {result['seconds']}s, {result['peak_rss_mb']} MB peak", file=sys.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[0.5, 2.0, 6.0], help="text sizes, in MB")
    parser.add_argument("--one-piece-mb", type=float, nargs="*", default=[],
                        help="sizes to parse in one piece with spaCy as well, for comparison")
    args = parser.parse_args()
    report: dict = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        one_article = "\n\n".join(p.format(n=1) for p in PARAGRAPHS) + "\n"
        report["one_article"] = analyzed(tmp, "article", one_article)
        for mb in args.mb:
            report[f"{mb:g}_mb"] = analyzed(tmp, f"text_{mb:g}mb", long_text(mb))
        for mb in args.one_piece_mb:
            path = tmp / f"one_piece_{mb:g}.txt"
            path.write_text(long_text(mb), encoding="utf-8")
            piece = run(ONE_PIECE, str(path))
            report[f"{mb:g}_mb_spacy_one_piece"] = {
                "seconds": round(piece["seconds"], 1), "tokens": piece["tokens"],
                "peak_rss_mb": round(piece["peak_rss_mb"])}
            print(f"one piece {mb:g} MB: {report[f'{mb:g}_mb_spacy_one_piece']}", file=sys.stderr)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"benchmark took {time.perf_counter() - started:.0f}s", file=sys.stderr)
