"""An incremental reconcile (the stored corpus, then a batch of new documents) gives exactly
the tables and views a full reconcile of all the documents gives.

Corpora are composed from a handful of short invented articles extracted once: random
subsets, orders, outlets, dates and near-copies, split into an old part and a new batch.
Sentences are embedded by a cheap bag-of-words stand-in."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tempfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.embeddings import bag_of_words
from parley.extract import EXTRACTOR_VERSION
from parley.extract.run import extract
from parley.lexicon import load_lexicon
from parley.pipeline import reconcile_store
from parley.records import Document, Extraction
from parley.store import CORPUS_TABLES, Store

ARTICLES = [
    "Harbour talks resume in Valmora\n"
    "Chief negotiator Ingrid Solheim met Commissioner Tomas Brandvik in Valmora on Tuesday to "
    "resume the harbour talks. Solheim said the two delegations had agreed on a quota of 40,000 "
    "tonnes for the northern fleet. \"We are close to a deal on the fishing grounds,\" Solheim told "
    "reporters after the meeting, which lasted five hours.",
    "Fishing quota deal within reach\n"
    "Norland and the Coastal Union moved closer to a fishing agreement on Tuesday after talks in "
    "Valmora. Commissioner Tomas Brandvik said the quota for the northern fleet would be 45,000 "
    "tonnes. Ingrid Solheim, the chief negotiator for Norland, said the talks would continue next "
    "week in Oslund. Norland opposes any cut to the coastal catch.",
    "Delegations leave Oslund without agreement\n"
    "The talks between Norland and the Coastal Union broke off in Oslund on Friday. Brandvik "
    "blamed the northern fleet's owners for the failure. \"There will be no deal this month,\" "
    "Brandvik said. The Coastal Union supports a ban on trawling near the reefs, while Norland "
    "rejects it. The next round is planned for March.",
    "Minister backs the fishing accord\n"
    "Norland's fisheries minister Petra Lindqvist said on Monday that she backed the accord "
    "negotiated in Valmora. Lindqvist said 120 boats would share the quota of 40,000 tonnes. "
    "A spokesman for the Coastal Union said the signing would take place in Oslund on 14 March.",
]
FOOTER = "\nThis report was filed by the agency desk for its partner papers."
# A reworded copy swaps words for others of the same length (the records' offsets stay):
# its sentences are alike but not the same, so which pairs are compared matters.
REWORDING = {"said": "says", "talks": "round", "would": "could"}
OUTLETS = [None, "Harbour Post", "Coastal Daily", "The Northern Wire"]
DATES = [None, "2025-02-03", "2025-02-10", "2025-03-01", "2025-03-20"]


@pytest.fixture(scope="module")
def bases(nlp) -> list[tuple[str, Extraction]]:
    """Each article's text and extraction (parsed once; corpora reuse the records)."""
    lexicon = load_lexicon()
    found = []
    for number, text in enumerate(ARTICLES):
        document = Document(id=f"base{number}", source=f"base{number}.txt", text=text,
                            title=text.split("\n", 1)[0], published="2025-02-04")
        found.append((text, extract(document, nlp(text), lexicon)))
    return found


def _retarget(extraction: Extraction, source: str) -> Extraction:
    """The same records, read from the document ``source``."""
    moved = {}
    for field in dataclasses.fields(Extraction):
        value = getattr(extraction, field.name)
        if isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
            if hasattr(value[0], "document"):
                value = [dataclasses.replace(r, document=source) for r in value]
            elif hasattr(value[0], "documents"):
                value = [dataclasses.replace(r, documents=[source]) for r in value]
        moved[field.name] = value
    moved["document"] = source
    if extraction.framing is not None:
        moved["framing"] = dataclasses.replace(extraction.framing, document=source)
    return dataclasses.replace(extraction, **moved)


# One composed document: (article, copy with a footer?, outlet, date, reworded?).
PIECE = st.tuples(st.integers(0, len(ARTICLES) - 1), st.booleans(), st.sampled_from(OUTLETS), st.sampled_from(DATES),
                  st.booleans())


def _reworded(text: str) -> str:
    return re.sub(r"\b(?:said|talks|would)\b", lambda m: REWORDING[m.group()], text)


def _compose(bases, pieces) -> list[tuple[Document, Extraction]]:
    corpus = []
    for number, (article, footer, outlet, published, *reworded) in enumerate(pieces):
        text, extraction = bases[article]
        text = text + FOOTER if footer else text
        text = _reworded(text) if reworded and reworded[0] else text
        source = f"doc-{number:02d}.txt"
        doc_id = hashlib.sha1(f"{number}|{text}".encode()).hexdigest()[:16]
        document = Document(id=doc_id, source=source, text=text, title=text.split("\n", 1)[0],
                            outlet=outlet, published=published)
        corpus.append((document, _retarget(extraction, source)))
    return corpus


def _add(store: Store, corpus) -> None:
    for document, extraction in corpus:
        store.add_document(document, extraction, EXTRACTOR_VERSION)


def _everything(store: Store) -> dict:
    with store.snapshot():
        return {
            "tables": {table: store.rows(table) for table in CORPUS_TABLES},
            "views": {name: store.view(name) for name in ("timeline", "matrix", "framing_by_outlet")},
            "copies": {d.source: d.duplicate_of for d in store.documents()},
            "pending": store.reconcile_pending(),
        }


@settings(max_examples=max(2, settings.default.max_examples * 2 // 3))  # 10 under the "ci" profile
@given(pieces=st.lists(PIECE, min_size=2, max_size=7), split=st.integers(1, 6))
def test_reconciling_a_new_batch_gives_the_tables_of_a_full_reconcile(bases, pieces, split):
    corpus = _compose(bases, pieces)
    old, new = corpus[:min(split, len(corpus) - 1)], corpus[min(split, len(corpus) - 1):]
    with tempfile.TemporaryDirectory() as folder:
        with Store(Path(folder) / "full.db") as full, Store(Path(folder) / "step.db") as step:
            _add(full, corpus)
            assert reconcile_store(full, embed=bag_of_words) == "full"
            _add(step, old)
            assert reconcile_store(step, embed=bag_of_words) == "full"
            _add(step, new)
            assert reconcile_store(step, embed=bag_of_words) == "incremental"
            assert _everything(step) == _everything(full)
            reconcile_store(full, embed=bag_of_words)  # every block's pairs now from the store
            assert _everything(full) == _everything(step)


def test_a_batch_after_a_batch_keeps_matching_and_copies_of_old_originals_are_found(bases, tmp_path):
    """Near-copies in a later batch are linked to the stored original they copy."""
    corpus = _compose(bases, [(0, False, "Harbour Post", "2025-02-03"), (1, False, None, None),
                              (0, True, "Coastal Daily", "2025-02-04"), (2, False, None, "2025-03-01"),
                              (1, True, None, None)])
    with Store(tmp_path / "full.db") as full, Store(tmp_path / "step.db") as step:
        _add(full, corpus)
        reconcile_store(full, embed=bag_of_words)
        for batch in (corpus[:2], corpus[2:4], corpus[4:]):
            _add(step, batch)
            reconcile_store(step, embed=bag_of_words)
        assert _everything(step) == _everything(full)
        copies = _everything(step)["copies"]
    assert copies["doc-02.txt"] == corpus[0][0].id and copies["doc-04.txt"] == corpus[1][0].id


def test_a_changed_store_is_reconciled_in_full(bases, tmp_path):
    """A document replaced or re-extracted since the last reconcile is not a mere addition:
    the whole corpus is reconciled again."""
    corpus = _compose(bases, [(0, False, None, None), (1, False, None, None), (2, False, None, None)])
    with Store(tmp_path / "step.db") as step:
        _add(step, corpus[:2])
        reconcile_store(step, embed=bag_of_words)
        document, extraction = corpus[0]
        step.add_document(document, extraction, "an older extractor")
        _add(step, corpus[2:])
        assert reconcile_store(step, embed=bag_of_words) == "full"
        assert reconcile_store(step, embed=bag_of_words) == "incremental"  # nothing new: nothing to add
        assert not step.reconcile_pending()


def test_blocks_compared_before_are_not_compared_again_and_change_nothing(bases, tmp_path, monkeypatch):
    from parley.reconcile import pairs

    corpus = _compose(bases, [(0, False, "Harbour Post", "2025-02-03", False), (1, False, "Coastal Daily", "2025-02-10", False),
                              (0, False, "Coastal Daily", "2025-02-03", True), (1, True, None, "2025-02-10", True),
                              (3, False, None, "2025-03-01", False), (2, False, "The Northern Wire", "2025-03-20", False)])
    with Store(tmp_path / "store.db") as store:
        _add(store, corpus)
        reconcile_store(store, embed=bag_of_words, incremental=False)
        first = _everything(store)
        assert first["tables"]["claims"]

        def compare_again(*args):
            raise AssertionError("a block compared again")

        monkeypatch.setattr(pairs, "compare_block", compare_again)
        monkeypatch.setattr(pairs, "extend_block", compare_again)
        reconcile_store(store, embed=bag_of_words, incremental=False)
        assert _everything(store) == first


def test_a_document_stored_again_is_not_taken_for_an_addition(bases, tmp_path):
    """Storing a document again (same text and extractor) clears its near-copy link: the
    next reconcile is a full one, and the link comes back."""
    corpus = _compose(bases, [(0, False, "Harbour Post", None), (0, True, "Coastal Daily", None)])
    with Store(tmp_path / "step.db") as step:
        _add(step, corpus)
        reconcile_store(step, embed=bag_of_words)
        linked = _everything(step)
        assert linked["copies"]["doc-01.txt"] == corpus[0][0].id
        _add(step, corpus[1:])
        assert reconcile_store(step, embed=bag_of_words) == "full"
        assert _everything(step) == linked


def test_a_corpus_gathered_in_small_parts_gives_the_same_tables(bases, tmp_path, monkeypatch):
    """On a large corpus the claims step reads stored vectors and kept block neighbours in
    batches and merges compared pairs in shards as they come; parts of any size give the
    tables one pass gives."""
    from parley.embeddings import CachedEmbedder
    from parley.reconcile import pairs, statements

    corpus = _compose(bases, [(0, False, "Harbour Post", "2025-02-03", False), (1, False, "Coastal Daily", "2025-02-10", False),
                              (0, True, "Coastal Daily", "2025-02-03", True), (1, False, None, "2025-02-10", True),
                              (3, False, None, "2025-03-01", False), (2, False, "The Northern Wire", "2025-03-20", False),
                              (3, False, "Harbour Post", "2025-03-01", True)])
    whole = {}
    for name, small in (("one pass", False), ("small parts", True)):
        if small:
            monkeypatch.setattr(pairs._Collected, "AT_LEAST", 1)
            monkeypatch.setattr(pairs._Collected, "SHARD", 2)
            monkeypatch.setattr(pairs, "MEMO_BATCH", 1)
            monkeypatch.setattr(statements, "MEMO_BATCH", 1)
            monkeypatch.setattr(CachedEmbedder, "READ_AT_ONCE", 1)
        with Store(tmp_path / f"{name}.db") as store:
            _add(store, corpus)
            reconcile_store(store, embed=bag_of_words, incremental=False)  # embeds, compares every block
            reconcile_store(store, embed=bag_of_words, incremental=False)  # reads vectors and pairs back
            whole[name] = _everything(store)
    assert whole["one pass"]["tables"]["claims"]
    assert whole["small parts"] == whole["one pass"]


class _Kept:
    """A statements memo in memory that counts what it hands back."""

    def __init__(self) -> None:
        self.kept: dict[str, bytes] = {}
        self.taken = 0

    def document_statements(self, keys):
        found = {key: self.kept[key] for key in keys if key in self.kept}
        self.taken += len(found)
        return found

    def keep_document_statements(self, found, used=None):
        self.kept.update(found)


def test_kept_statements_are_the_statements_read(bases):
    """A document's statements taken back from the memo equal those read from it, field by
    field: sentences, actors, places, figures, dates, timeline entries, outcomes, readings."""
    from parley.reconcile.statements import Statement, find_statements
    from parley.reconcile.timeline import build_timeline

    corpus = _compose(bases, [(0, False, "Harbour Post", "2025-02-03"), (1, False, "Coastal Daily", "2025-02-10"),
                              (2, True, None, "2025-03-01"), (3, False, None, None)])
    documents, extractions = [d for d, _ in corpus], [e for _, e in corpus]
    timeline, lexicon = build_timeline(documents, extractions), load_lexicon()

    def fields(found):
        return [[getattr(s, name) for name in Statement.__slots__] for s in found]

    read = find_statements(documents, extractions, timeline, lexicon)
    memo = _Kept()
    assert fields(find_statements(documents, extractions, timeline, lexicon, memo)) == fields(read)
    assert memo.taken == 0 and len(memo.kept) == len(documents)
    assert fields(find_statements(documents, extractions, timeline, lexicon, memo)) == fields(read)
    assert memo.taken == len(documents)
    memo.kept = {key: kept[:-5] for key, kept in memo.kept.items()}  # damaged rows: read again, kept anew
    assert fields(find_statements(documents, extractions, timeline, lexicon, memo)) == fields(read)
    assert all(zlib.crc32(kept[4:]) == int.from_bytes(kept[:4], "little") for kept in memo.kept.values())
    assert any(s.readings for s in read) and any(s.figures for s in read) and any(s.event_places for s in read)
    assert any(s.entries for s in read) and any(s.outcome for s in read) and any(s.speakers for s in read)


def test_records_json_cannot_hold_are_kept_and_taken_back_too(bases):
    """A lone surrogate (ingest replaces them, a caller of the library may not) cannot be
    written as JSON: the memo keys a document whose records hold one all the same."""
    from parley.reconcile.statements import find_statements
    from parley.reconcile.timeline import build_timeline

    corpus = _compose(bases, [(0, False, "Harbour Post", "2025-02-03"), (1, False, None, "2025-02-10")])
    documents, extractions = [d for d, _ in corpus], [e for _, e in corpus]
    assert extractions[0].figures
    odd = [dataclasses.replace(f, about=(f.about or "") + "\ud800") for f in extractions[0].figures]
    extractions[0] = dataclasses.replace(extractions[0], figures=odd)
    timeline, lexicon = build_timeline(documents, extractions), load_lexicon()
    memo = _Kept()
    read = find_statements(documents, extractions, timeline, lexicon, memo)
    assert memo.taken == 0 and len(memo.kept) == 2
    assert [s.text for s in find_statements(documents, extractions, timeline, lexicon, memo)] == [s.text for s in read]
    assert memo.taken == 2


def test_statements_read_before_are_not_read_again_and_change_nothing(bases, tmp_path, monkeypatch):
    from parley.reconcile import statements

    corpus = _compose(bases, [(0, False, "Harbour Post", "2025-02-03"), (1, False, "Coastal Daily", "2025-02-10"),
                              (2, False, None, "2025-03-01"), (3, False, "The Northern Wire", "2025-03-20", True)])
    with Store(tmp_path / "store.db") as store:
        _add(store, corpus)
        reconcile_store(store, embed=bag_of_words, incremental=False)
        first = _everything(store)

        def read_again(*args):
            raise AssertionError("a document's statements read again")

        monkeypatch.setattr(statements, "_document_statements", read_again)
        reconcile_store(store, embed=bag_of_words, incremental=False)
        assert _everything(store) == first


def test_a_stored_document_is_read_again_when_a_new_one_changes_what_it_names(nlp, bases, tmp_path, monkeypatch):
    """A stored article quotes a negotiator by her surname alone; a new article gives her
    full name, so the stored article's statements now name that person: it is read again
    (the stored article that does not name her is not), and the tables are those of a full
    reconcile."""
    from parley.reconcile import statements

    lexicon = load_lexicon()
    own = []
    for number, text in ((0, "Quota talks to go on\n\"We will meet again next week,\" Solheim told reporters on "
                              "Wednesday after the talks on the northern fleet."),
                         (2, "Negotiator keeps her line\nChief negotiator Ingrid Solheim said on Thursday that the "
                             "northern fleet would keep its quota.")):
        document = Document(id=f"own{number}", source=f"doc-{number:02d}.txt", text=text, published="2025-02-12")
        own.append((document, extract(document, nlp(text), lexicon)))
    corpus = [own[0], _compose(bases, [(0, False, None, None), (2, False, None, "2025-03-01")])[1], own[1]]
    assert [a.id for a in own[0][1].actors] == ["solheim"]
    read = []
    reader = statements._document_statements

    def counted(document, *args):
        read.append(document.source)
        return reader(document, *args)

    monkeypatch.setattr(statements, "_document_statements", counted)
    with Store(tmp_path / "full.db") as full, Store(tmp_path / "step.db") as step:
        _add(full, corpus)
        reconcile_store(full, embed=bag_of_words)
        _add(step, corpus[:2])
        reconcile_store(step, embed=bag_of_words)
        read.clear()
        _add(step, corpus[2:])
        assert reconcile_store(step, embed=bag_of_words) == "incremental"
        assert _everything(step) == _everything(full)
        assert {q["speaker"] for q in _everything(step)["tables"]["quotes"]} >= {"ingrid-solheim"}
    assert sorted(read) == ["doc-00.txt", "doc-02.txt"]


def test_statements_kept_by_other_code_or_other_rules_are_read_again(bases, tmp_path, monkeypatch):
    """Kept statements are reused only by the code and the lexicon that read them: a new
    cue in a lexicon folder, or another version of the reading code, reads every document
    again."""
    from parley.reconcile import statements
    from parley.reconcile.statements import find_statements
    from parley.reconcile.timeline import build_timeline

    corpus = _compose(bases, [(0, False, "Harbour Post", "2025-02-03"), (1, False, "Coastal Daily", "2025-02-10")])
    documents, extractions = [d for d, _ in corpus], [e for _, e in corpus]
    timeline = build_timeline(documents, extractions)
    memo = _Kept()
    find_statements(documents, extractions, timeline, load_lexicon(), memo)
    find_statements(documents, extractions, timeline, load_lexicon(), memo)
    assert memo.taken == len(documents)

    (tmp_path / "checks.toml").write_text('[outcomes]\nagreed = ["shook hands on"]\n', encoding="utf-8")
    memo.taken = 0
    find_statements(documents, extractions, timeline, load_lexicon((tmp_path,)), memo)
    assert memo.taken == 0

    monkeypatch.setattr(statements, "_code", lambda: "another version of the reading code")
    find_statements(documents, extractions, timeline, load_lexicon(), memo)
    assert memo.taken == 0
