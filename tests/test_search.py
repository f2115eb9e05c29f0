"""Search and question answering: answers are sentences quoted verbatim, with their sources."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from parley.cli import app
from parley.records import Document
from parley.sentences import sentence_spans
from parley.search import (COSINE_WEIGHT, MAX_QUERY_CHARS, QueryError, SearchIndex,
                           tokenize)
from parley.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def corpus(corpus_store: Path):
    """(index, documents by id) over the sample corpus, opened read-only."""
    store = Store(corpus_store, read_only=True)
    yield SearchIndex.from_store(store), {d.id: d for d in store.documents()}
    store.close()


def keyword_embedder(word: str):
    """A fake embedder: cosine 1 between the question and a sentence containing ``word``,
    0 with any other sentence (the question is always the first text embedded)."""
    calls = []

    def embed(texts):
        calls.append(list(texts))
        rows = [[1.0, 0.0] if i == 0 or word in text.lower() else [0.0, 1.0] for i, text in enumerate(texts)]
        return np.array(rows, dtype=np.float32)

    embed.calls = calls
    return embed


def never_called(texts):
    raise AssertionError("the embedder should not have been called")


def doc(id: str, text: str, **fields) -> Document:
    return Document(id=id, source=f"{id}.txt", text=text, **fields)


# ---------------------------------------------------------------------------- terms


def test_terms_match_plurals_possessives_numbers_and_abbreviations():
    assert tokenize("talks") == tokenize("talk") == ["talk"]
    assert tokenize("Ukraine's") == tokenize("Ukraine’s") == tokenize("Ukraine") == ["ukraine"]
    assert "90" in tokenize("a loan of €90bn")
    assert tokenize("19,000 children") == ["19000", "children"]
    assert tokenize("the U.S. offer") == tokenize("the US offer") == ["us", "offer"]
    assert tokenize("What is it that they would say about it?") == []


# ---------------------------------------------------------------------------- ask, on the sample corpus


def test_a_question_is_answered_with_a_cited_sentence_from_the_articles(corpus):
    index, documents = corpus
    answers = index.ask("How much of Ukraine do Russian forces occupy?")
    assert answers and "20%" in answers[0].text
    for answer in answers:
        document = documents[answer.document_id]
        assert document.text[answer.start:answer.end] == answer.text  # verbatim, offsets exact
        assert answer.source == document.source and answer.outlet == document.outlet
        assert answer.published == document.published and answer.title == document.title
        assert answer.cosine is not None  # re-ranked (by the stand-in model in tests)
    assert [a.score for a in answers] == sorted((a.score for a in answers), reverse=True)


def test_a_date_question_finds_the_sentence_with_the_date(corpus):
    index, _ = corpus
    answers = index.ask("When will imports of Russian liquefied natural gas end?", k=3)
    assert any("January 2027" in a.text for a in answers)


def test_answers_never_glue_a_headline_to_the_first_sentence(corpus):
    index, documents = corpus
    answers = index.ask("Kremlin envoy Miami talks", k=20, rerank=False)
    for answer in answers:
        assert "\n" not in answer.text
        assert answer.text == answer.text.strip()
    # a document that starts with its headline on a line of its own
    headline_first = {d.id: d.title for d in documents.values()
                      if d.title and d.text.startswith(d.title + "\n") and not d.duplicate_of}
    assert any(headline_first.get(a.document_id) == a.text for a in answers)


def test_a_shared_sentence_in_a_near_copy_is_cited_once_with_both_sources(corpus):
    index, documents = corpus
    copies = {d.source: d for d in documents.values() if d.duplicate_of}
    assert copies
    answers = index.ask("Russian forces occupy nearly 20% of Ukraine's territory", k=10, rerank=False)
    assert all(not documents[a.document_id].duplicate_of for a in answers)  # copies never answer
    assert any(set(a.also_in) & set(copies) for a in answers)


def test_stop_word_questions_and_unknown_words_get_no_answer_and_load_no_model(corpus):
    index, _ = corpus
    assert index.ask("What is it that they did?", embed=never_called) == []
    assert index.ask("zxqv blorft", embed=never_called) == []


def test_bad_questions_raise_query_error(corpus):
    index, _ = corpus
    with pytest.raises(QueryError):
        index.ask("   ")
    with pytest.raises(QueryError, match="too long"):
        index.ask("ceasefire " * (MAX_QUERY_CHARS // 10 + 1))
    with pytest.raises(QueryError):
        index.search("x" * (MAX_QUERY_CHARS + 1))
    assert isinstance(QueryError("x"), ValueError)
    index.ask("a" * (MAX_QUERY_CHARS - 1) + "?")  # at the limit: fine


# ---------------------------------------------------------------------------- ranking, on a tiny index


def test_rerank_breaks_a_bm25_tie_by_meaning_and_the_blend_is_applied():
    index = SearchIndex([doc("a", "The envoys discussed the border."),
                         doc("b", "The envoys discussed a truce.")])
    plain = index.ask("What have the envoys discussed?", rerank=False)
    assert [a.document_id for a in plain] == ["a", "b"]  # a tie: document order
    assert plain[0].bm25 == pytest.approx(plain[1].bm25) and plain[0].cosine is None
    assert plain[0].score == pytest.approx(1.0)

    embed = keyword_embedder("truce")
    ranked = index.ask("What have the envoys discussed?", embed=embed)
    assert [a.document_id for a in ranked] == ["b", "a"]
    assert [a.cosine for a in ranked] == pytest.approx([1.0, 0.0])
    assert ranked[0].score == pytest.approx(COSINE_WEIGHT + (1 - COSINE_WEIGHT))
    assert ranked[1].score == pytest.approx(1 - COSINE_WEIGHT)
    assert embed.calls[0][0] == "What have the envoys discussed?"  # question embedded first, once


def test_meaning_can_outrank_more_shared_words_but_only_by_the_blend():
    index = SearchIndex([doc("a", "Envoys met envoys and more envoys in Geneva on talks."),
                         doc("b", "A truce was agreed after talks.")])
    plain = index.ask("envoys talks", rerank=False)
    assert plain[0].document_id == "a" and plain[0].bm25 > plain[1].bm25
    ranked = index.ask("envoys talks", embed=keyword_embedder("truce"))
    assert ranked[0].document_id == "b"
    best_bm25 = max(a.bm25 for a in ranked)
    for answer in ranked:
        assert answer.score == pytest.approx(COSINE_WEIGHT * answer.cosine
                                             + (1 - COSINE_WEIGHT) * answer.bm25 / best_bm25)


def test_index_embedder_is_the_default_and_rerank_false_skips_it():
    index = SearchIndex([doc("a", "The envoys discussed the border."),
                         doc("b", "The envoys discussed a truce.")], embed=keyword_embedder("truce"))
    assert index.ask("envoys discussed")[0].document_id == "b"
    assert index.ask("envoys discussed", rerank=False)[0].document_id == "a"
    assert index.ask("envoys discussed", k=1, embed=keyword_embedder("border"))[0].document_id == "a"


def test_identical_sentences_are_one_answer_citing_every_source_and_copies_never_answer():
    shared = "The ministers agreed a ceasefire on Friday."
    original = doc("orig", f"Talks in Geneva.\n\n{shared} Nothing else was decided.")
    copy = doc("copy", f"{shared} Prisoners will be exchanged next week.", duplicate_of="orig")
    other = doc("other", f"Officials spoke on Friday. {shared}")
    index = SearchIndex([original, copy, other])
    answers = index.ask("When was the ceasefire agreed?", rerank=False)
    assert len(answers) == 1
    answer = answers[0]
    assert (answer.document_id, answer.text) == ("orig", shared)
    assert original.text[answer.start:answer.end] == shared
    assert answer.also_in == ["copy.txt", "other.txt"]
    # a sentence only the near-copy has is not an answer
    assert index.ask("prisoners exchanged", rerank=False) == []
    # ...but the copy is still found as a document
    assert [hit.document_id for hit in index.search("prisoners").documents] == ["copy"]


def test_sentences_fall_back_to_punctuation_and_split_at_new_lines():
    text = "Ceasefire talks resume\nGENEVA - Envoys met on Monday. \"We agreed,\" one said.\n- A truce holds."
    assert [text[a:b] for a, b in sentence_spans(text, None)] == [
        "Ceasefire talks resume", "GENEVA - Envoys met on Monday.", "\"We agreed,\" one said.", "A truce holds."]
    # a hard-wrapped sentence (the next line starts lower-case) stays whole
    wrapped = "The envoys met in Geneva and\n  agreed a truce."
    assert [wrapped[a:b] for a, b in sentence_spans(wrapped, [[0, len(wrapped)]])] == [wrapped]
    index = SearchIndex([doc("a", text)])  # no stored sentences
    [answer] = index.ask("truce holds", rerank=False)
    assert answer.text == "A truce holds." and text[answer.start:answer.end] == answer.text


def test_a_document_matching_by_title_only_gets_its_first_sentence_as_snippet():
    text = "Envoys met on Monday. They agreed to meet again."
    index = SearchIndex([doc("a", text, title="Ceasefire hopes rise")])
    [hit] = index.search("ceasefire").documents
    assert (hit.snippet, hit.start, hit.end) == ("Envoys met on Monday.", 0, 21)
    assert index.ask("ceasefire") == []  # a title that is not in the text is no answer


def test_an_empty_index_answers_nothing():
    index = SearchIndex([])
    assert index.ask("ceasefire") == []
    results = index.search("ceasefire")
    assert (results.documents, results.quotes, results.claims) == ([], [], [])


# ---------------------------------------------------------------------------- search


def test_search_finds_documents_quotes_by_speaker_and_claims(corpus):
    index, documents = corpus
    results = index.search("Ostermeyer")
    assert results.quotes and all("Ostermeyer" in (hit.quote["speaker_text"] or "") for hit in results.quotes)
    hit = results.quotes[0]
    assert documents[hit.document_id].source == hit.quote["document"]

    results = index.search("frozen assets Euroclear")
    assert results.documents
    for hit in results.documents:
        document = documents[hit.document_id]
        assert document.text[hit.start:hit.end] == hit.snippet
        assert set(tokenize(hit.snippet)) & {"frozen", "asset", "euroclear"}  # the best sentence
    assert [h.score for h in results.documents] == sorted((h.score for h in results.documents), reverse=True)

    results = index.search("Russian forces occupy territory", limit=3)
    assert len(results.claims) <= 3
    assert any("occupy" in hit.claim["statement"] for hit in results.claims)
    assert all(hit.claim["id"] for hit in results.claims)


def test_search_of_stop_words_finds_nothing(corpus):
    index, _ = corpus
    results = index.search("the and of")
    assert (results.documents, results.quotes, results.claims) == ([], [], [])


# ---------------------------------------------------------------------------- parley ask


def embedding_rows(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]


def test_parley_ask_prints_numbered_cited_answers_and_writes_nothing(corpus_store: Path, corpus):
    question = "How much of Ukraine do Russian forces occupy?"
    [first, second] = corpus[0].ask(question, k=2)
    before = embedding_rows(corpus_store)
    result = runner.invoke(app, ["ask", question, "--db", str(corpus_store), "--k", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"1. {first.text}" and "20%" in lines[0]
    assert lines[1] == f"   — {first.outlet}, {first.published}, {first.source}"
    assert any(line.startswith(f"2. {second.text[:40]}") for line in lines)
    assert not any(line.startswith("3. ") for line in lines)
    assert embedding_rows(corpus_store) == before  # the store is opened read-only


def test_parley_ask_without_rerank_and_with_nothing_matching(corpus_store: Path):
    result = runner.invoke(app, ["ask", "Russian forces occupy", "--db", str(corpus_store), "--no-rerank"])
    assert result.exit_code == 0 and "also in: " in result.output
    result = runner.invoke(app, ["ask", "zxqv blorft", "--db", str(corpus_store)])
    assert result.exit_code == 0
    assert len(result.output.strip().splitlines()) == 1 and "No sentence" in result.output


def test_parley_ask_bad_question_is_a_one_line_error(corpus_store: Path, tmp_path: Path):
    result = runner.invoke(app, ["ask", "  ", "--db", str(corpus_store)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["error: empty query"]
    result = runner.invoke(app, ["ask", "x" * (MAX_QUERY_CHARS + 1), "--db", str(corpus_store)])
    assert result.exit_code == 2 and "too long" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["ask", "ceasefire", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "no such store" in result.output
    assert not (tmp_path / "none.db").exists()
