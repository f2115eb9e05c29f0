"""How the reconcile stage (claims, conflicts, framing included) scales: 1,000 and 10,000 documents.

Extraction is not what is measured, so it runs once per distinct article: the seeds in
../shared/seeds (when present) and the bundled sample corpus are ingested and extracted,
then N documents are *synthesised* from them without parsing again. Each synthetic
document takes runs of consecutive sentences from three articles, with their extracted
records (actors, mentions, quotes, figures, times, events, positions) copied and moved to
the new offsets, a publication date spread over a year (resolved dates move with it), one
of 200 outlets, and, for half of its sentences, a few words of its own (so that sentences
are not all verbatim repeats that cost nothing to compare). Some documents are near-copies
of the one before, as syndicated articles are.

Sentence vectors: the real model embeds every distinct *base* sentence once (cached in
benchmarks/out/vectors.npz); a synthetic sentence gets its base sentence's vector with a
little noise of its own. So the timings are those of a store where everything is already
embedded (``parley analyze`` re-runs); the cost of embedding new sentences is reported
separately, from the model's measured speed.

Usage: python benchmarks/reconcile_scale.py [--documents 1000 10000] [--seed 7]
Prints one JSON object: per size, the time of each step of reconcile, counts, peak memory.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
import resource
import sys
import time
import zlib
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from parley.dedup import near_duplicates  # noqa: E402
from parley.embeddings import embed_with_model, load_model  # noqa: E402
from parley.ingest import find_files, read_file  # noqa: E402
from parley.lexicon import load_lexicon  # noqa: E402
from parley.records import Document, Extraction, When  # noqa: E402
from parley.reconcile.actors import reconcile_actors  # noqa: E402
from parley.reconcile.claims import blocks_of, check_claims, embed_statements  # noqa: E402
from parley.reconcile.statements import find_statements, split_sentences  # noqa: E402
from parley.reconcile.conflicts import find_conflicts  # noqa: E402
from parley.reconcile.positions import position_matrix  # noqa: E402
from parley.reconcile.run import framing_by_outlet, reconcile  # noqa: E402
from parley.reconcile.timeline import build_timeline  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
OUT = ROOT / "benchmarks" / "out"
FIRST_DAY = date(2025, 6, 1)
SUFFIX = re.compile(r" \(Outlet \d+\)(?=[.!?\"'”’)]*$)")


# --------------------------------------------------------------------------- base articles


def base_articles() -> list[tuple[Document, Extraction]]:
    folders = [ROOT / "examples" / "corpus"] + ([SEEDS] if SEEDS.is_dir() else [])
    from parley.extract.run import extract  # spaCy: imported only where articles are parsed
    from parley.nlp import load_pipeline

    nlp, lexicon = load_pipeline(), load_lexicon()
    articles = []
    for sf in find_files(folders):
        for document in read_file(sf).documents:
            articles.append((document, extract(document, nlp(document.text), lexicon)))
    return articles


@dataclasses.dataclass
class Sentence:
    """One sentence of a base article with the records read from it (offsets relative to it)."""

    text: str
    records: dict[str, list]
    actors: set[str]  # ids of the actors its records name
    home: dict  # actor id -> the base article's own record of that actor (its role there)


def sentences_of(document: Document, extraction: Extraction) -> list[Sentence]:
    spans = split_sentences(document.text)
    home = {a.id: a for a in extraction.actors}
    found = [Sentence(document.text[s:e], {k: [] for k in KINDS}, set(), home) for s, e in spans]

    def home(offset: int) -> int | None:
        return next((i for i, (s, e) in enumerate(spans) if s <= offset < e), None)

    for kind in KINDS:
        for record in getattr(extraction, kind):
            i = home(record.start)
            if i is None or record.end > spans[i][1]:
                continue
            found[i].records[kind].append(replace(record, start=record.start - spans[i][0],
                                                  end=record.end - spans[i][0]))
            found[i].actors |= set(_actors_of(kind, record))
    return found


KINDS = ("mentions", "quotes", "figures", "times", "events", "positions")


def _actors_of(kind: str, record) -> list[str]:
    if kind == "mentions":
        return [record.actor]
    if kind == "quotes":
        return [record.speaker] if record.speaker else []
    if kind == "events":
        return list(record.participants)
    if kind == "positions":
        return [record.actor]
    return []


# --------------------------------------------------------------------------- synthesis


def _shift_when(when: When | None, days: int) -> When | None:
    """A resolved date moved by some days; a month stays a whole month (its first and last day)."""
    if when is None or not when.date:
        return when

    def move(day: str | None) -> str | None:
        return (date.fromisoformat(day) + timedelta(days=days)).isoformat() if day else day

    if when.precision == "month" and when.end is None:
        first = date.fromisoformat(move(when.date)).replace(day=1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return replace(when, date=first.isoformat(), end=last.isoformat())
    if when.precision == "year" and when.end is None:
        return when
    return replace(when, date=move(when.date), end=move(when.end))


def synthesise(articles, count: int, seed: int) -> tuple[list[Document], list[Extraction]]:
    rng = random.Random(seed)
    pieces = [(document, extraction, sentences_of(document, extraction)) for document, extraction in articles]
    documents, extractions = [], []
    for number in range(count):
        source = f"synthetic-{number:05d}.txt"
        outlet = f"Outlet {rng.randrange(200)}"
        published = FIRST_DAY + timedelta(days=number * 365 // count)
        if documents and rng.random() < 0.03:  # a near-copy of the document before, one sentence changed
            chosen = previous[:-1] + [(rng.choice(pieces)[2][0], 0, False)]
        else:
            chosen = []
            for document, _extraction, sentences in rng.sample(pieces, 3):
                start = rng.randrange(max(len(sentences) - 4, 0) + 1)
                shift = (published - date.fromisoformat(document.published)).days if document.published else 0
                chosen += [(s, shift, rng.random() < 0.5) for s in sentences[start:start + 4]]
            tag = outlet
        previous = chosen
        text_parts, records = [], {k: [] for k in KINDS}
        offset, used = 0, {}
        for sentence, shift, own_words in chosen:
            text = sentence.text
            if own_words:
                text = re.sub(r"([.!?][\"'”’)]*)?$", rf" ({tag})\1", text, count=1)
            for kind in KINDS:
                for record in sentence.records[kind]:
                    moved = replace(record, start=record.start + offset, end=record.end + offset)
                    if hasattr(moved, "document"):
                        moved = replace(moved, document=source)
                    if kind in ("times", "events"):
                        moved = replace(moved, when=_shift_when(record.when, shift))
                    records[kind].append(moved)
            for actor_id in sentence.actors:
                if actor_id in sentence.home:
                    used.setdefault(actor_id, sentence.home[actor_id])
            text_parts.append(text)
            offset += len(text) + 1
        actors = [replace(actor, documents=[source]) for _, actor in sorted(used.items())]
        documents.append(Document(id=f"{number:016x}", source=source, text="\n".join(text_parts), outlet=outlet,
                                  published=published.isoformat()))
        extractions.append(Extraction(document=source, actors=actors, **records))
    return documents, extractions


# --------------------------------------------------------------------------- vectors


def base_vectors(articles) -> dict[str, np.ndarray]:
    """Real-model vectors of every sentence of the base articles (cached on disk)."""
    texts = sorted({" ".join(s.text.split()) for d, e in articles for s in sentences_of(d, e)})
    cache = OUT / "vectors.npz"
    if cache.exists():
        stored = np.load(cache, allow_pickle=False)
        known = dict(zip(stored["texts"].tolist(), stored["vectors"]))
        if all(t in known for t in texts):
            return known
    vectors = embed_with_model(texts)
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez(cache, texts=np.array(texts), vectors=vectors)
    return dict(zip(texts, vectors))


def _stable_hash(text: str) -> int:
    """A number of ``text``, the same in every process (``hash`` changes with PYTHONHASHSEED,
    and each reconcile of the benchmarks runs in a process of its own)."""
    return zlib.crc32(text.encode("utf-8"))


def bench_embedder(known: dict[str, np.ndarray]):
    """A synthetic sentence's vector: its base sentence's, with a little noise of its own."""
    dimensions = len(next(iter(known.values())))

    def embed(texts):
        rows = []
        for text in texts:
            base = " ".join(SUFFIX.sub("", text).split())
            vector = next((v for t, v in known.items() if t.endswith(base)), None) if base not in known else known[base]
            if vector is None:
                vector = np.zeros(dimensions, dtype=np.float32)
                vector[_stable_hash(base) % dimensions] = 1.0
            if base != " ".join(text.split()):
                noise = np.random.default_rng(_stable_hash(text)).normal(size=dimensions)
                vector = vector + 0.25 * noise / np.linalg.norm(noise)
            rows.append(vector / np.linalg.norm(vector))
        return np.asarray(rows, dtype=np.float32)

    return embed


def model_speed(texts: list[str]) -> float:
    """Sentences per second of the real model (warm)."""
    load_model()
    embed_with_model(texts[:32])
    started = time.perf_counter()
    embed_with_model(texts)
    return len(texts) / (time.perf_counter() - started)


# --------------------------------------------------------------------------- timing


def timed(steps: dict[str, float], name: str, function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    steps[name] = round(time.perf_counter() - started, 2)
    return result


def measure(documents, extractions, embed) -> dict:
    lexicon = load_lexicon()
    steps: dict[str, float] = {}
    started = time.perf_counter()
    duplicates = timed(steps, "near_duplicates", near_duplicates, documents)
    documents = [replace(d, duplicate_of=duplicates.get(d.id)) for d in documents]
    actors, extractions = timed(steps, "actors", reconcile_actors, extractions)
    timeline = timed(steps, "timeline", build_timeline, documents, extractions)
    timed(steps, "positions", position_matrix, documents, extractions, actors)
    statements = timed(steps, "claims: statements", find_statements, documents, extractions, timeline, lexicon)
    sentences = timed(steps, "claims: vectors (cached)", embed_statements, statements, embed)
    blocks = timed(steps, "claims: blocks", blocks_of, sentences)
    checked = timed(steps, "claims: all (pairs, grouping)", check_claims, documents, extractions, timeline, embed, lexicon)
    conflicts = timed(steps, "conflicts", find_conflicts, documents, extractions, actors, timeline, checked, lexicon)
    timed(steps, "framing per outlet", framing_by_outlet, documents, [e.framing for e in extractions if e.framing])
    steps_total = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    reconcile(documents, extractions, embed=embed, lexicon=lexicon)
    whole = round(time.perf_counter() - started, 2)
    sizes = sorted((len(b) for b in blocks.values()), reverse=True)
    return {
        "documents": len(documents),
        "near_copies": len(duplicates),
        "statements": len(statements),
        "distinct_sentences": len(sentences.groups),
        "blocks": len(blocks),
        "largest_block": sizes[0] if sizes else 0,
        "compared_pairs": len(checked.pairs),
        "all_pairs_would_be": len(sentences.groups) * (len(sentences.groups) - 1) // 2,
        "claims": len(checked.claims),
        "corroborated_claims": sum(1 for c in checked.claims if not c.single_source),
        "conflicts": dict(Counter(c.kind for c in conflicts)),
        "seconds_by_step": steps,
        "seconds_steps_total": steps_total,
        "seconds_reconcile": whole,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    articles = base_articles()
    known = base_vectors(articles)
    report = {"base_articles": len(articles), "base_sentences": len(known),
              "model_sentences_per_s": round(model_speed(list(known)[:400]), 1), "sizes": []}
    embed = bench_embedder(known)
    for count in args.documents:
        documents, extractions = synthesise(articles, count, args.seed)
        report["sizes"].append(measure(documents, extractions, embed))
        print(json.dumps(report["sizes"][-1]), file=sys.stderr)
    if len(report["sizes"]) >= 2:
        first, last = report["sizes"][0], report["sizes"][-1]
        report["growth"] = {
            "documents": round(last["documents"] / first["documents"], 1),
            "reconcile_time": round(last["seconds_reconcile"] / max(first["seconds_reconcile"], 1e-9), 1),
            "compared_pairs": round(last["compared_pairs"] / max(first["compared_pairs"], 1), 1),
        }
        new = last["distinct_sentences"]
        report["embedding_new_sentences_once"] = {
            "sentences": new, "seconds_at_model_speed": round(new / report["model_sentences_per_s"])}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"benchmark took {time.perf_counter() - started:.0f}s", file=sys.stderr)
