"""The store survives a killed run and shared use: ``parley analyze`` killed (SIGKILL) at
chosen and at random points, two runs on one store, ``parley serve`` reading while a run
writes. Every run is a real process; the sentence model is replaced by the bag-of-words
stand-in (as in every test), the rest is the real command.

After every kill the store must pass ``PRAGMA integrity_check`` and hold no orphan:
- every document has its extraction and every extraction its document;
- every file record lists only stored documents (a file recorded as read is never
  missing a document);
- near-copy links point at stored documents, and corpus rows name stored documents;
- the corpus (actors, quotes, ..., views, near-copy links) is all or nothing: either
  never written, or exactly the corpus of a complete run, never half of one;
- the export file written with ``--json`` is absent or complete.
And the next run completes with the export of an uninterrupted run, value for value:
no field of the export depends on the run (no time stamps, ids are content hashes or
slugs, order is the order of the input files), so nothing is ignored in the comparison.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

from parley.export import build_export
from parley.store import Store

ARTICLES = Path(__file__).resolve().parent / "fixtures" / "fisheries"  # invented talks, our own words
SRC = Path(__file__).resolve().parents[1] / "src"

# `parley` with the bag-of-words stand-in for the sentence model, and without importing torch
# (which spaCy's thinc imports when present, for 5-10 s, and which nothing here needs once the
# model is stood in for): test code, not a hook in parley.
PARLEY = ("import sys; sys.modules['torch'] = None; from parley import embeddings; "
          "embeddings.embed_with_model = embeddings.bag_of_words; "
          "from parley.cli import app; sys.argv[0] = 'parley'; app()")

LATE = """Quota talks resume in Tromsdal
Fisheries envoy Maren Kvalheim met trade commissioner Tomas Berglund in Tromsdal on Thursday.
"We have narrowed the gap on the cod quota," Kvalheim told reporters after the meeting.
The commission offered 40 million euros for harbour upgrades, Berglund said.
"""

EXTRA = {
    "harbour.txt": """Harbour levy dispute widens
The coastal league rejected the proposed harbour levy on Friday, its spokesman Idris Halvorsen said.
"A levy of this size would empty our ports," Halvorsen said in Tromsdal.
""",
    "quota.md": """---
title: A second round on quotas
outlet: Fjord Ledger
published: 2026-03-02
---
Envoy Maren Kvalheim and commissioner Tomas Berglund will meet again in Bergen next week.
Berglund said the offer of a 15% cut in catch limits still stands.
""",
}


# ---------------------------------------------------------------------------- helpers


@dataclass
class Corpus:
    articles: Path
    late: Path  # one more article
    extra: Path  # two articles the serve test adds

    def unchanged(self) -> str:
        """How a run's summary starts when every file of the articles and the late one is unchanged."""
        files = len(list(self.articles.iterdir())) + 1
        return f"0 new documents, 0 re-extracted, {files} unchanged files"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    root = tmp_path_factory.mktemp("articles")
    shutil.copytree(ARTICLES, root / "articles")
    (root / "late").mkdir()
    (root / "late" / "tromsdal-quota-talks.txt").write_text(LATE, encoding="utf-8")
    (root / "extra").mkdir()
    for name, text in EXTRA.items():
        (root / "extra" / name).write_text(text, encoding="utf-8")
    return Corpus(root / "articles", root / "late", root / "extra")


def start(db: Path, paths: list[Path], logs: Path, *options: str) -> subprocess.Popen:
    """``parley analyze PATHS --db DB --quiet OPTIONS`` in its own process, output to ``logs``.*"""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    args = [sys.executable, "-c", PARLEY, "analyze", *map(str, paths), "--db", str(db), "--quiet", *options]
    with open(f"{logs}.out", "w") as stdout, open(f"{logs}.err", "w") as stderr:
        return subprocess.Popen(args, env=env, stdout=stdout, stderr=stderr)


def finish(process: subprocess.Popen, logs: Path, timeout: float = 300) -> str:
    """Wait for a run that must succeed; its standard output."""
    assert process.wait(timeout=timeout) == 0, Path(f"{logs}.err").read_text()
    return Path(f"{logs}.out").read_text()


def count_documents(db: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as con:
            return con.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def kill_when(process: subprocess.Popen, ready: Callable[[], bool], timeout: float = 300) -> bool:
    """SIGKILL ``process`` as soon as ``ready()``; False when it ended first."""
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        if ready():
            process.send_signal(signal.SIGKILL)
            process.wait()
            return process.returncode == -signal.SIGKILL
        assert time.monotonic() < deadline, "run neither ended nor reached the kill point"
        time.sleep(0.005)
    return False


def export_of(db: Path) -> dict:
    with Store(db, read_only=True) as store:
        return json.loads(json.dumps(build_export(store)))


def corpus_part(export: dict) -> dict:
    """What the reconcile writes: every key but the documents, and the documents' near-copy links."""
    part = {k: v for k, v in export.items() if k not in ("format", "documents")}
    part["duplicate_of"] = {d["id"]: d["duplicate_of"] for d in export["documents"] if d["duplicate_of"]}
    return part


def empty_corpus(export: dict) -> bool:
    return not any(corpus_part(export).values())


def check_store(db: Path) -> dict:
    """Assert the store is sound and holds no orphan (module doc); its export."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        ids = {row[0] for row in con.execute("SELECT id FROM documents")}
        assert {row[0] for row in con.execute("SELECT document_id FROM extractions")} == ids
        for path, listed in con.execute("SELECT path, documents FROM files"):
            assert set(json.loads(listed)) <= ids, f"file record {path} lists a document not stored"
        links = {row[0] for row in con.execute("SELECT duplicate_of FROM documents WHERE duplicate_of IS NOT NULL")}
        assert links <= ids
    export = export_of(db)
    sources = {d["source"] for d in export["documents"]}
    for key in ("quotes", "figures", "times", "events", "positions", "framing"):
        assert {r["document"] for r in export[key]} <= sources, key
    assert {s for a in export["actors"] for s in a["documents"]} <= sources
    return export


# ---------------------------------------------------------------------------- the reference run


@pytest.fixture(scope="module")
def reference(corpus: Corpus, tmp_path_factory) -> tuple[Path, dict, float]:
    """An uninterrupted run over the articles and the late one: its store, export and time."""
    folder = tmp_path_factory.mktemp("reference")
    started = time.monotonic()
    finish(start(folder / "ref.db", [corpus.articles, corpus.late], folder / "run"), folder / "run")
    return folder / "ref.db", export_of(folder / "ref.db"), time.monotonic() - started


def copy_store(source: Path, target: Path) -> Path:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")  # as `parley analyze` leaves a store
    return target


# ---------------------------------------------------------------------------- crash safety


def test_killed_runs_leave_a_sound_store_and_the_next_run_finishes_the_job(corpus, reference, tmp_path):
    """One store, analyze killed again and again: while extracting (after the first
    documents, after a few more), just after the last document (in the reconcile), then at
    seeded random moments of re-runs (reconcile, saving the corpus, writing the export
    file). After each kill the store is sound; a re-run finishes with the reference export."""
    _ref_db, expected, _seconds = reference
    total = len(expected["documents"])
    db, out = tmp_path / "parley.db", tmp_path / "parley.json"
    everything = [corpus.articles, corpus.late]
    landed = []

    def after_kill() -> None:
        export = check_store(db)
        complete = corpus_part(export) == corpus_part(expected)
        with Store(db, read_only=True) as store:
            pending = store.reconcile_pending()
        # never half written: the corpus is absent or complete, and complete when not pending
        assert complete or (pending and empty_corpus(export)), "corpus tables half written"
        if out.exists():
            assert json.loads(out.read_text(encoding="utf-8")) == expected

    # while extracting: documents are committed one by one
    process = start(db, everything, tmp_path / "run1", "--json", str(out))
    landed.append(kill_when(process, lambda: count_documents(db) >= 1))
    after_kill()
    stored = count_documents(db)
    process = start(db, everything, tmp_path / "run2", "--json", str(out))
    landed.append(kill_when(process, lambda: count_documents(db) > stored))
    after_kill()
    # the last document stored: the run is in its reconcile
    process = start(db, everything, tmp_path / "run3", "--json", str(out))
    landed.append(kill_when(process, lambda: count_documents(db) == total))
    after_kill()

    # every file is unchanged now, yet the interrupted reconcile is done again
    started = time.monotonic()
    summary = finish(start(db, everything, tmp_path / "run4", "--json", str(out)), tmp_path / "run4")
    rerun_seconds = time.monotonic() - started
    assert summary.startswith(corpus.unchanged()), summary
    assert check_store(db) == expected
    assert json.loads(out.read_text(encoding="utf-8")) == expected

    # re-runs killed at seeded random moments: in the reconcile, saving the corpus, writing the JSON
    rng = random.Random(10)
    for number in (5, 6):
        process = start(db, everything, tmp_path / f"run{number}", "--json", str(out))
        moment = time.monotonic() + rng.uniform(0.4, 1.0) * rerun_seconds
        landed.append(kill_when(process, lambda: time.monotonic() >= moment))
        after_kill()
        assert corpus_part(export_of(db)) == corpus_part(expected)  # the complete corpus stays until replaced

    # while the export file is being written (its temporary file exists), when the kill is quick enough
    process = start(db, everything, tmp_path / "run7", "--json", str(out))
    landed.append(kill_when(process, lambda: any(tmp_path.glob(".parley.json.*.tmp"))))
    after_kill()

    finish(start(db, everything, tmp_path / "final", "--json", str(out)), tmp_path / "final")
    assert check_store(db) == expected
    assert json.loads(out.read_text(encoding="utf-8")) == expected
    assert "waiting for another" not in (tmp_path / "final.err").read_text()  # a killed run leaves no stale lock
    assert landed[:3] == [True, True, True]  # the three chosen points were reached before the run ended


KILL_INSIDE = """
import os, signal, sys
from parley.records import Document, Extraction
from parley.store import Store

def killed():  # the process dies when the store starts reading this, inside its transaction
    os.kill(os.getpid(), signal.SIGKILL)
    yield

store = Store(sys.argv[1])
if sys.argv[2] == "save_corpus":
    tables = {name: [] for name in ("actors", "quotes", "figures", "times", "events", "positions",
                                    "claims", "conflicts")}
    tables["framing"] = killed()
    store.save_corpus(tables, {"timeline": [], "matrix": []}, duplicates={}, state="half")
else:  # a new text for a stored source: the old one is deleted first, in the same transaction
    source = sys.argv[3]
    store.add_document(Document("f" * 40, source, "A new text."), Extraction(source), "4",
                       files=killed())
"""


@pytest.mark.parametrize("step", ["save_corpus", "add_document"])
def test_a_kill_inside_a_write_leaves_the_previous_state(step, reference, tmp_path):
    """Killed in the middle of replacing the corpus tables, or of replacing a document:
    nothing of the half-done write is visible."""
    db = copy_store(reference[0], tmp_path / "parley.db")
    before = export_of(db)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    source = before["documents"][0]["source"]
    run = subprocess.run([sys.executable, "-c", KILL_INSIDE, str(db), step, source], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert check_store(db) == before
    with Store(db, read_only=True) as store:
        assert not store.reconcile_pending()


# ---------------------------------------------------------------------------- two runs, one store


def test_two_runs_on_one_store_take_turns(corpus, reference, tmp_path):
    """Started together on a new store, one run does all the work, the other waits for it
    and then finds nothing new: never a store both half-wrote."""
    expected = reference[1]
    db = tmp_path / "parley.db"
    paths = [corpus.articles, corpus.late]
    first, second = start(db, paths, tmp_path / "a"), start(db, paths, tmp_path / "b")
    summaries = sorted([finish(first, tmp_path / "a"), finish(second, tmp_path / "b")])
    assert summaries[0].startswith(corpus.unchanged())
    assert summaries[1].startswith(f"{len(expected['documents'])} new documents")
    assert check_store(db) == expected


def test_a_run_waits_for_the_store_lock_then_gives_up_with_one_line(corpus, reference, tmp_path):
    """While another analyze holds the store, a run waits; with a short --wait it refuses in
    one line naming the store, and with a longer one it proceeds once the lock is free."""
    db = copy_store(reference[0], tmp_path / "parley.db")
    paths = [corpus.articles, corpus.late]
    with FileLock(f"{db}.lock"):  # stands for an analyze in progress
        impatient = start(db, paths, tmp_path / "impatient", "--wait", "1")
        patient = start(db, paths, tmp_path / "patient", "--wait", "120")
        assert impatient.wait(timeout=120) == 2
        deadline = time.monotonic() + 120
        while "waiting for another" not in (tmp_path / "patient.err").read_text():
            assert patient.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        assert patient.poll() is None  # still waiting while the lock is held
    error = (tmp_path / "impatient.err").read_text().strip().splitlines()
    assert error[-1] == (f"error: {db}: another parley run (analyze, fetch or watch) is writing to this store; "
                         "gave up after waiting 1s (run again once it has finished)")
    assert finish(patient, tmp_path / "patient").startswith(corpus.unchanged())
    assert check_store(db) == reference[1]


# ---------------------------------------------------------------------------- reading while writing


def test_serve_reads_while_analyze_writes(corpus, reference, tmp_path):
    """The web app answers every request while a run adds two articles, each answer is one
    committed state (the old corpus or the new one, never a mix), and once the run is done
    the app shows the new articles."""
    from fastapi.testclient import TestClient

    from parley.present.web import create_app

    db = copy_store(reference[0], tmp_path / "parley.db")
    before = reference[1]
    client = TestClient(create_app(db))
    assert client.get("/api/export").json() == before
    process = start(db, [corpus.articles, corpus.late, corpus.extra], tmp_path / "run")
    seen = []
    while process.poll() is None:
        for path in ("/", "/api/overview", "/api/documents"):
            assert client.get(path).status_code == 200, path
        answer = client.get("/api/export")
        assert answer.status_code == 200
        seen.append(answer.json())
    finish(process, tmp_path / "run")
    after = check_store(db)
    assert len(after["documents"]) == len(before["documents"]) + 2
    assert client.get("/api/export").json() == after
    counts = [len(export["documents"]) for export in seen]
    assert counts == sorted(counts)  # documents only ever appear
    old, new = corpus_part(before), corpus_part(after)
    for export in seen:
        assert corpus_part(export) in (old, new)  # one reconcile's tables, never a mix of two
        assert {d["source"] for d in before["documents"]} <= {d["source"] for d in export["documents"]}
    titles = {d["title"] for d in client.get("/api/documents").json()}
    assert "A second round on quotas" in titles


def test_extractions_stored_by_another_version_read_back_field_by_field(tmp_path):
    """An extraction stored by an older parley lacks the fields added since: they take their
    defaults. One stored by a newer parley may carry fields this one does not know: they
    are left out. Records stored whole are read back equal."""
    from parley.records import Document, Extraction, Quote

    quote = Quote("a.txt", "We will not sign this.", "kaja-kallas", "Kallas", "said", 10, 32,
                  evidence="Kallas said: \"We will not sign this.\"", care="single source")
    whole = Extraction("a.txt", quotes=[quote, quote], sentences=[[0, 40]])
    with Store(tmp_path / "store.db") as store:
        store.add_document(Document("a", "a.txt", "Kallas said: \"We will not sign this.\""), whole, "test")
        assert store.extractions() == [whole]
        data = json.loads(store.db.execute("SELECT data FROM extractions").fetchone()[0])
        del data["sentences"], data["quotes"][0]["care"], data["quotes"][0]["unnamed"]
        data["quotes"][1]["confidence"] = 0.9
        with store.db:
            store.db.execute("UPDATE extractions SET data = ?", (json.dumps(data),))
        (read,) = store.extractions()
    assert read.sentences == []
    assert read.quotes[0].care is None and read.quotes[0].unnamed is False
    assert read.quotes[0].text == quote.text and read.quotes[0].speaker == "kaja-kallas"
    assert read.quotes[1] == quote


def test_extractions_written_by_json_with_values_msgspec_refuses_read_back_the_same(tmp_path):
    """Stores written before msgspec wrote them hold what Python's json writes and msgspec's
    reader refuses: NaN and infinite figures, a lone surrogate (text cut inside a character
    pair). Such an extraction still reads back value for value."""
    import math

    from parley.records import Document, Extraction, Figure, Quote, to_dict

    quote = Quote("a.txt", "half of a pair \ud83d", "a", "A", "said", 0, 10)
    figures = [Figure("a.txt", "n/a", math.nan, "USD", None, None, "n/a", 0, 3),
               Figure("a.txt", "endless", math.inf, "km", None, None, "endless", 4, 11)]
    with Store(tmp_path / "store.db") as store:
        store.add_document(Document("a", "a.txt", "some text"), Extraction("a.txt"), "test")
        data = {"document": "a.txt", "quotes": [to_dict(quote)], "figures": [to_dict(f) for f in figures]}
        with store.db:
            store.db.execute("UPDATE extractions SET data = ?", (json.dumps(data),))
        (read,) = store.extractions()
    assert read.quotes == [quote]
    assert math.isnan(read.figures[0].value) and read.figures[1].value == math.inf
    assert read.figures[1] == figures[1]


def test_extractions_read_back_share_their_strings_and_equal_what_was_stored(tmp_path):
    """A reconcile holds every stored extraction at once: read back, equal strings (a
    document's name, a sentence several records were read from, an actor id, a unit) are
    one object, not a copy per record, and every record equals the one stored."""
    from parley.records import Document, Event, Extraction, Figure, Mention, Quote, When

    def extraction(source):
        sentence = "The envoy said the plan costs 20 billion dollars."
        return Extraction(
            source,
            mentions=[Mention("steve-witkoff", "Witkoff", 0, 7)],
            quotes=[Quote(source, "it is close", "steve-witkoff", "Witkoff", "said", 0, 11, evidence=sentence)],
            figures=[Figure(source, "20 billion dollars", 2e10, "USD", None, "cost", sentence, 30, 48)],
            events=[Event(source, "meeting", ["steve-witkoff"], "Miami", When("Saturday", "2025-12-20", None, "day"),
                          "held", sentence, 0, 48)])

    stored = [extraction("a.txt"), extraction("b.txt")]
    with Store(tmp_path / "store.db") as store:
        for n, e in enumerate(stored):
            store.add_document(Document(str(n), e.document, f"text {n}"), e, "test")
        a, b = store.extractions()
    assert [a, b] == stored
    assert a.quotes[0].evidence is a.figures[0].evidence is a.events[0].evidence
    assert a.figures[0].document is a.document and a.events[0].document is a.document
    assert a.mentions[0].actor is b.quotes[0].speaker is b.events[0].participants[0]
    assert a.figures[0].unit is b.figures[0].unit and a.events[0].when.date is b.events[0].when.date


def test_corpus_rows_kept_from_the_last_run_are_appended_to_or_written_anew(tmp_path):
    """A run that only added documents leaves the old rows of the record tables first and
    unchanged: the new ones are appended. Any other change (a row changed, rows taken out
    by hand) writes the table anew. Either way the table reads back as saved."""
    from dataclasses import replace

    from parley.records import Quote

    quotes = [Quote(document=f"d{n}.txt", text=f"words {n}", speaker="a", speaker_text="A", cue="said",
                    start=n, end=n + 5) for n in range(4)]
    with Store(tmp_path / "store.db") as store:
        def saved(records):
            store.save_corpus({"quotes": records}, {})
            return [(q["document"], q["text"]) for q in store.rows("quotes")]

        assert saved(quotes[:2]) == [("d0.txt", "words 0"), ("d1.txt", "words 1")]
        assert saved(quotes[:3]) == [(q.document, q.text) for q in quotes[:3]]  # appended
        changed = [replace(quotes[0], text="other words"), *quotes[1:3]]
        assert saved(changed) == [(q.document, q.text) for q in changed]
        with store.db:
            store.db.execute("DELETE FROM quotes WHERE document = 'd1.txt'")
        assert saved([*changed, quotes[3]]) == [(q.document, q.text) for q in [*changed, quotes[3]]]
        assert saved([]) == []
