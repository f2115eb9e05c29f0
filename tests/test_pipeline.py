"""analyze end to end: store, incremental re-runs, bad input, interrupted runs, export contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import parley.extract.run as extract_run
from parley.export import build_export
from parley.lexicon import load_lexicon
from parley.pipeline import analyze, reconcile_store
from parley.store import Store

FIRST = """Envoys meet again in Geneva
Chief negotiator Ingrid Solheim met Commissioner Pedro Alves in Geneva on Monday.
"We are closer than we were a month ago," Solheim told reporters after the session.
The commission has offered 2.5 billion euros over three years, Alves said.
"""

SECOND = """---
title: Fishing talks stall over quotas
outlet: Harbour Gazette
published: 2026-02-03
---
Talks in Bergen broke up on Tuesday without a deal. Pedro Alves said the offer of a 12% cut
was final. "There is nothing more on the table for now," Alves said.
Norway opposes the proposed sanctions on fish imports, its delegation said.
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "geneva.txt").write_text(FIRST, encoding="utf-8")
    (folder / "bergen.md").write_text(SECOND, encoding="utf-8")
    return folder


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "parley.db") as s:
        yield s


def run(folder: Path, store: Store):
    return analyze([folder], store, load_lexicon())


def test_analyze_stores_documents_and_records(corpus, store):
    report = run(corpus, store)
    assert sorted(report.added) == ["bergen.md", "geneva.txt"]
    export = build_export(store)
    documents = {d["source"]: d for d in export["documents"]}
    assert documents["bergen.md"]["outlet"] == "Harbour Gazette"
    assert documents["bergen.md"]["published"] == "2026-02-03"
    speakers = {q["speaker"] for q in export["quotes"]}
    assert {"ingrid-solheim", "pedro-alves"} <= speakers
    alves = next(a for a in export["actors"] if a["id"] == "pedro-alves")
    assert alves["documents"] == ["bergen.md", "geneva.txt"]


def test_the_garbage_collector_is_off_only_while_the_store_is_reconciled(corpus, store, monkeypatch):
    """The reconcile runs without cyclic garbage collection (its records hold no cycles) and
    gives it back after, also when it fails: a long-running ``parley watch`` or ``serve``
    must not go on without it. A caller that had it off keeps it off."""
    import gc

    import parley.reconcile.run as reconcile_run

    seen = []
    real = reconcile_run.find_conflicts

    def find_conflicts(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(reconcile_run, "find_conflicts", find_conflicts)
    assert gc.isenabled()
    run(corpus, store)
    assert seen == [False] and gc.isenabled()

    def broken(*args, **kwargs):
        raise RuntimeError("a step failed")

    monkeypatch.setattr(reconcile_run, "find_conflicts", broken)
    with pytest.raises(RuntimeError):
        reconcile_store(store, load_lexicon())
    assert gc.isenabled()
    gc.disable()
    try:
        monkeypatch.setattr(reconcile_run, "find_conflicts", real)
        reconcile_store(store, load_lexicon())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_rerun_reads_nothing_unchanged_and_picks_up_a_changed_file(corpus, store):
    run(corpus, store)
    again = run(corpus, store)
    assert again.added == [] and again.files_unchanged == 2
    (corpus / "geneva.txt").write_text(FIRST + "Alves left for Brussels on Tuesday.\n", encoding="utf-8")
    changed = run(corpus, store)
    assert changed.added == ["geneva.txt"]
    assert [d.source for d in store.documents()].count("geneva.txt") == 1
    assert len(store.documents()) == 2


def test_bad_files_are_reported_and_good_ones_stored(corpus, store):
    run(corpus, store)
    (corpus / "broken.jsonl").write_text('{"text": "fine article text here"\n', encoding="utf-8")
    (corpus / "image.txt").write_bytes(b"\x89PNG\x00\x00\x01binary")
    (corpus / "third.txt").write_text("Alves met Solheim in Oslo on Friday for a third round.", encoding="utf-8")
    report = run(corpus, store)
    assert report.added == ["third.txt"]
    assert len(report.problems) == 2
    assert all("\n" not in p for p in report.problems)
    assert any("image.txt" in p and "binary" in p for p in report.problems)
    assert len(store.documents()) == 3  # nothing stored before was lost


def test_exact_duplicate_is_stored_once(corpus, store):
    (corpus / "copy.txt").write_text(FIRST, encoding="utf-8")
    report = run(corpus, store)
    assert len(store.documents()) == 2
    assert report.duplicates == [("geneva.txt", "copy.txt")] or report.duplicates == [("copy.txt", "geneva.txt")]


def test_a_copy_keeps_its_text_when_the_file_it_copied_changes(corpus, store):
    (corpus / "copy.txt").write_text(FIRST, encoding="utf-8")
    run(corpus, store)
    stored = {d.source: d.text for d in store.documents()}
    kept = ({"copy.txt", "geneva.txt"} & stored.keys()).pop()  # the text is stored once, under one name
    copy = ({"copy.txt", "geneva.txt"} - {kept}).pop()
    (corpus / kept).write_text(FIRST + "Alves left for Brussels on Tuesday.\n", encoding="utf-8")
    report = run(corpus, store)
    assert sorted(report.added) == ["copy.txt", "geneva.txt"]
    texts = {d.source: d.text for d in store.documents()}
    assert texts[copy] == stored[kept] and texts[kept].endswith("Brussels on Tuesday.")
    assert run(corpus, store).files_unchanged == 3


def test_interrupted_run_leaves_a_consistent_store_and_resumes(corpus, store, monkeypatch):
    real = extract_run.extract
    calls = {"n": 0}

    def failing(document, doc, lexicon):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(document, doc, lexicon)

    monkeypatch.setattr(extract_run, "extract", failing)
    with pytest.raises(KeyboardInterrupt):
        run(corpus, store)
    assert len(store.documents()) == 1
    assert len(store.extractions()) == 1
    monkeypatch.setattr(extract_run, "extract", real)
    report = run(corpus, store)
    assert len(report.added) == 1
    assert len(store.documents()) == 2


SPEC_FIELDS = {
    "documents": {"id", "source", "title", "outlet", "published", "words"},
    "actors": {"id", "name", "aliases", "kind", "role", "affiliation", "documents", "mentions"},
    "quotes": {"document", "text", "speaker", "speaker_text", "cue", "start", "end"},
    "figures": {"document", "text", "value", "unit", "approx", "about", "evidence"},
    "events": {"document", "kind", "participants", "place", "when", "status", "evidence"},
    "positions": {"document", "actor", "issue", "stance", "evidence"},
}


def test_export_follows_the_contract(corpus, store):
    run(corpus, store)
    export = json.loads(json.dumps(build_export(store)))
    assert export["format"] == "parley/1"
    for key in ["documents", "actors", "quotes", "figures", "events", "positions", "claims", "conflicts", "framing"]:
        assert isinstance(export[key], list), key
    for key, fields in SPEC_FIELDS.items():
        assert export[key], f"no {key} extracted"
        for record in export[key]:
            assert fields <= set(record), (key, fields - set(record))
    for quote in export["quotes"]:
        text = next(d for d in store.documents() if d.source == quote["document"]).text
        assert text[quote["start"]:quote["end"]] == quote["text"] or quote["text"] in text


RECONCILE_AND_EXPORT = """
import json, sys
from pathlib import Path
from parley import embeddings
from parley.export import build_export
from parley.pipeline import reconcile_store
from parley.store import Store
embeddings.embed_with_model = embeddings.bag_of_words  # the stand-in the store was analysed with
with Store(Path(sys.argv[1])) as store:
    reconcile_store(store, incremental=False)
    print(json.dumps(build_export(store), sort_keys=True))
"""


def test_the_same_store_reconciles_to_the_same_export_in_every_process(corpus_store, tmp_path):
    """Python walks sets of strings in an order that changes with each process's hash seed;
    nothing the reconcile lists may follow it (the outcome conflicts once did)."""
    import os
    import shutil
    import subprocess
    import sys

    exports = []
    for seed in ("1", "2"):
        copy = tmp_path / f"seed{seed}.db"
        shutil.copy(corpus_store, copy)
        done = subprocess.run([sys.executable, "-c", RECONCILE_AND_EXPORT, str(copy)], capture_output=True,
                              text=True, timeout=300, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        exports.append(json.loads(done.stdout))
    assert exports[0]["conflicts"] and exports[0]["claims"]
    assert exports[0] == exports[1]
