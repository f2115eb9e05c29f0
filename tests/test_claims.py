"""Claims: the same fact reported by several documents is one claim, counted by independent source."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import pytest
from rich.console import Console

from parley.embeddings import CachedEmbedder, bag_of_words
from parley.extract.run import extract
from parley.records import Document, Extraction, Quote
from parley.reconcile.claims import source_keys
from parley.reconcile.run import reconcile
from parley.store import Store

FILLER = (" Officials gave no further details about the schedule. The talks are part of a wider effort"
          " to end the war. Several delegations are expected to travel in the coming weeks.")


def topic_embedder(*topics: tuple[str, ...], similarity: float = 0.85, dimensions: int = 256):
    """A stand-in for the sentence model: sentences containing a phrase of the same topic
    get vectors with about this cosine; any other two sentences are unrelated."""

    def embed(texts):
        vectors = []
        for text in texts:
            seed = int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)
            noise = np.random.default_rng(seed).normal(size=dimensions)
            noise[: len(topics)] = 0.0
            noise /= np.linalg.norm(noise)
            topic = next((i for i, phrases in enumerate(topics) if any(p in text for p in phrases)), None)
            if topic is None:
                vectors.append(noise)
                continue
            axis = np.zeros(dimensions)
            axis[topic] = 1.0
            vectors.append(np.sqrt(similarity) * axis + np.sqrt(1 - similarity) * noise)
        return np.asarray(vectors, dtype=np.float32)

    return embed


@pytest.fixture
def analyze_texts(nlp, lexicon):
    """analyze_texts([(source, text, published, outlet)], embed) -> the reconciled corpus."""

    def run(articles, embed):
        documents, extractions = [], []
        for source, text, published, outlet in articles:
            document = Document(id=hashlib.sha1(text.encode()).hexdigest()[:16], source=source, text=text,
                                published=published, outlet=outlet)
            documents.append(document)
            extractions.append(extract(document, nlp(text), lexicon))
        return reconcile(documents, extractions, embed=embed, lexicon=lexicon).corpus

    return run


def claim_with(corpus, *documents):
    return [c for c in corpus.claims if set(documents) <= set(c.documents)]


def test_paraphrases_in_two_outlets_are_one_corroborated_claim(analyze_texts):
    embed = topic_embedder(("arrived in Miami", "is back in Miami"))
    corpus = analyze_texts([
        ("wire.txt", "Kirill Dmitriev arrived in Miami on Saturday for talks with Steve Witkoff." + FILLER,
         "2025-12-20", "Wire One"),
        ("paper.txt", "Putin's envoy Kirill Dmitriev is back in Miami for talks with the American team." + FILLER,
         "2025-12-21", "Paper Two"),
    ], embed)
    [claim] = claim_with(corpus, "wire.txt", "paper.txt")
    assert claim.sources == 2 and not claim.single_source
    assert {e["document"] for e in claim.evidence} == {"wire.txt", "paper.txt"}
    assert "Dmitriev" in claim.statement


def test_two_meetings_in_the_same_city_a_month_apart_stay_two_claims(analyze_texts):
    sentence = "Kirill Dmitriev met Steve Witkoff in Miami on Saturday for another round of talks."
    corpus = analyze_texts([
        ("december.txt", sentence + FILLER, "2025-12-20", "Wire One"),
        ("january.txt", sentence + FILLER, "2026-01-31", "Paper Two"),
    ], bag_of_words)
    mine = [c for c in corpus.claims if "Miami" in c.statement]
    assert len(mine) == 2 and all(c.single_source for c in mine)


def test_different_numbers_are_not_the_same_claim(analyze_texts):
    corpus = analyze_texts([
        ("a.txt", "Russia fired 400 drones at Ukraine overnight, the air force said." + FILLER, "2025-12-06", "A"),
        ("b.txt", "Russia fired 90 drones at Ukraine overnight, the air force said." + FILLER, "2025-12-06", "B"),
    ], bag_of_words)
    assert not [c for c in claim_with(corpus, "a.txt", "b.txt") if "drones" in c.statement]


def test_a_syndicated_copy_and_a_second_article_of_one_outlet_count_once():
    documents = [
        Document(id="1", source="wire.txt", text="", outlet="Meridian Wire"),
        Document(id="2", source="copy.txt", text="", outlet="Baltic Post", duplicate_of="1"),
        Document(id="3", source="baltic-own.txt", text="", outlet="Baltic Post"),
        Document(id="4", source="baltic-again.txt", text="", outlet="The Baltic Post"),
        Document(id="5", source="blog.txt", text=""),
    ]
    keys = source_keys(documents)
    assert keys["wire.txt"] == keys["copy.txt"]  # the copy is not a second source
    assert keys["baltic-own.txt"] == keys["baltic-again.txt"] != keys["copy.txt"]
    assert len(set(keys.values())) == 3


def test_a_corpus_stating_no_fact_has_no_claims():
    """Nothing stored yet (a first fetch that found nothing new), or documents with no
    sentence of fact: the claims step gives no claims rather than failing."""
    assert reconcile([], [], embed=bag_of_words).corpus.claims == []
    notes = [Document(id="n", source="n.txt", text="Notes to self.")]
    assert reconcile(notes, [Extraction(document="n.txt")], embed=bag_of_words).corpus.claims == []


def test_claim_counts_a_near_copy_once(analyze_texts):
    body = ("Kirill Dmitriev arrived in Miami on Saturday for talks with Steve Witkoff and Jared Kushner, "
            "a Russian official said. Dmitriev told reporters that the discussions would resume on Sunday. "
            "The visit comes a day after the American envoys met a Ukrainian delegation in Florida. "
            "Moscow has demanded that Ukraine withdraw its troops from the Donetsk region. "
            "European Union leaders agreed on Friday to lend Ukraine 90 billion euros over two years. "
            "Kremlin spokesman Dmitry Peskov said on Saturday that Moscow's conditions had not changed.")
    copy = body.replace("had not changed", "would be set out after the talks")
    corpus = analyze_texts([("wire.txt", body, "2025-12-20", "Meridian Wire"),
                            ("copy.txt", copy, "2025-12-20", "Baltic Post")], bag_of_words)
    [claim] = [c for c in claim_with(corpus, "wire.txt", "copy.txt") if "arrived in Miami" in c.statement]
    assert claim.sources == 1 and claim.single_source


def test_vectors_are_kept_in_the_store_and_the_model_is_not_asked_twice(tmp_path):
    asked: list[list[str]] = []

    def counting(texts):
        asked.append(list(texts))
        return bag_of_words(texts)

    store = Store(tmp_path / "p.db")
    first = CachedEmbedder(store, counting)(["Dmitriev arrived in Miami.", "Witkoff met Umerov."])
    assert asked == [["Dmitriev arrived in Miami.", "Witkoff met Umerov."]]
    again = CachedEmbedder(store, counting)(["Witkoff met Umerov.", "Dmitriev arrived in Miami."])
    assert len(asked) == 1  # everything cached: the embedder (the model) is not called at all
    assert np.allclose(again[1], first[0])
    CachedEmbedder(store, counting)(["Dmitriev arrived in Miami.", "A new sentence about Kyiv."])
    assert asked[-1] == ["A new sentence about Kyiv."]


def test_checks_view_lists_corroborated_claims_and_flags_quotes():
    from parley.present.terminal import print_checks, quote_flags

    export = {
        "documents": [{"id": "1", "source": "a.txt", "outlet": "A", "published": "2025-12-20", "duplicate_of": None},
                      {"id": "2", "source": "b.txt", "outlet": "B", "published": "2025-12-21", "duplicate_of": "1"}],
        "actors": [{"id": "ann-lee", "name": "Ann Lee"}],
        "quotes": [{"document": "a.txt", "text": "We will not sign this week", "speaker": "ann-lee",
                    "care": "single source"},
                   {"document": "b.txt", "text": "We will not sign this week", "speaker": "ann-lee",
                    "care": "single source"},
                   {"document": "a.txt", "text": "Nothing is agreed until everything is", "speaker": None,
                    "speaker_text": "a diplomat", "care": "unnamed"}],
        "claims": [{"statement": "Lee arrived in Oslo.", "documents": ["a.txt", "c.txt"], "sources": 2,
                    "single_source": False, "evidence": []}],
        "conflicts": [{"kind": "number", "about": "drones", "evolution": False, "note": "same night",
                       "values": [{"document": "a.txt", "value": "653 drones"}, {"document": "c.txt", "value": "635 drones"}]}],
        "framing": [{"document": "a.txt", "label": "optimistic", "score": 0.5, "cues": ["A breakthrough."]}],
        "framing_by_outlet": [{"outlet": "A", "mean_score": 0.5,
                               "documents": [{"published": "2025-12-20", "label": "optimistic", "score": 0.5}]}],
    }
    assert quote_flags(export) == {0: "single source", 1: "single source", 2: "unnamed"}
    out = io.StringIO()
    print_checks(export, Console(file=out, width=200))
    text = out.getvalue()
    assert "Lee arrived in Oslo." in text and "653 drones" in text and "sources disagree" in text
    assert "optimistic" in text and "unnamed" in text


def test_the_sentence_model_sees_a_paraphrase():
    """The packaged model loads offline and ranks a paraphrase above an unrelated fact (~9 s)."""
    import numpy as np

    from parley.embeddings import THE_MODEL

    vectors = THE_MODEL(["Dmitriev arrived in Miami on Saturday for talks with Witkoff.",
                         "Putin's envoy Kirill Dmitriev is back in Miami for another round of talks.",
                         "The EU agreed to phase out Russian gas imports by 2027."])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert float(vectors[0] @ vectors[1]) > 0.55 > 0.3 > float(vectors[0] @ vectors[2])


def test_the_sentence_model_gives_the_vectors_sentence_transformers_gave():
    """Stores keep vectors made with sentence-transformers, before parley ran the model through
    transformers itself: the new ones must be the same. The cosines and first numbers below
    were computed with sentence-transformers 6.2.0 (mean pooling, unit length) on these
    sentences; a change of pooling, truncation or scaling would move them far more than 1e-4."""
    import numpy as np

    from parley.embeddings import THE_MODEL

    vectors = THE_MODEL(["The two envoys met in Geneva on Tuesday to discuss a prisoner exchange.",
                         "A prisoner swap was on the table when the envoys sat down in Geneva this week.",
                         "Grain exports through the port rose by a third in the spring.",
                         "Negotiators left without a date for the next round."])
    assert np.allclose(vectors @ vectors.T, [[1.0, 0.6058, 0.0705, 0.2039], [0.6058, 1.0, 0.084, 0.2479],
                                             [0.0705, 0.084, 1.0, -0.0053], [0.2039, 0.2479, -0.0053, 1.0]],
                       atol=1e-4)
    assert np.allclose(vectors[0][:6], [-0.0471, 0.0227, -0.0497, 0.0161, -0.0573, -0.0147], atol=1e-4)


def test_quotes_repeated_only_by_a_near_copy_are_still_single_source():
    from parley.reconcile.claims import flag_quotes

    documents = [Document(id="1", source="a.txt", text="", outlet="A"),
                 Document(id="2", source="b.txt", text="", outlet="B", duplicate_of="1"),
                 Document(id="3", source="c.txt", text="", outlet="C")]

    def quote(document: str, text: str, speaker: str | None) -> Quote:
        return Quote(document, text, speaker, None, "said", 0, len(text))

    extractions = [
        Extraction("a.txt", quotes=[quote("a.txt", "We will not sign this week", "ann-lee"),
                                    quote("a.txt", "Nothing is agreed until everything is", None)]),
        # b.txt is a near-copy of a.txt: the quote it repeats still has a single source.
        Extraction("b.txt", quotes=[quote("b.txt", "We will not sign this week", "ann-lee")]),
        Extraction("c.txt", quotes=[quote("c.txt", "The door stays open for talks", "bo-kim")]),
    ]
    flagged = flag_quotes(documents, extractions)
    assert [[q.care for q in e.quotes] for e in flagged] == [
        ["single source", "unnamed"], ["single source"], ["single source"]]
    extractions.append(Extraction("d.txt", quotes=[quote("d.txt", "The door stays open for talks", "bo-kim")]))
    assert flag_quotes(documents, extractions)[2].quotes[0].care is None  # c.txt and d.txt: two sources


def test_one_quotation_in_two_translations_is_one_claim(analyze_texts):
    embed = topic_embedder(("divides our country", "splits our country"), similarity=0.8)
    corpus = analyze_texts([
        ("wire.txt", "“We will not sign anything that divides our country,” Kirill Dmitriev said." + FILLER,
         "2026-03-03", "Wire One"),
        ("paper.txt", "“We shall sign nothing that splits our country in two,” Dmitriev told reporters." + FILLER,
         "2026-03-03", "Paper Two"),
    ], embed)
    [claim] = [c for c in claim_with(corpus, "wire.txt", "paper.txt") if "country" in c.statement]
    assert claim.sources == 2


def test_alike_words_of_two_speakers_stay_two_claims(analyze_texts):
    embed = topic_embedder(("divides our country", "splits our country"), similarity=0.95)
    corpus = analyze_texts([
        ("wire.txt", "“We will not sign anything that divides our country,” Kirill Dmitriev said." + FILLER,
         "2026-03-03", "Wire One"),
        ("paper.txt", "“We will not sign anything that splits our country,” Steve Witkoff said." + FILLER,
         "2026-03-03", "Paper Two"),
    ], embed)
    assert not [c for c in claim_with(corpus, "wire.txt", "paper.txt") if "country" in c.statement]


def fixed_embedder(vectors: dict[str, list[float]], dimensions: int = 64):
    """Sentences holding a key phrase get its vector; any other sentence gets noise of its own."""

    def embed(texts):
        rows = []
        for text in texts:
            seed = int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)
            row = np.random.default_rng(seed).normal(size=dimensions)
            row[:4] = 0.0
            for phrase, vector in vectors.items():
                if phrase in text:
                    row = np.zeros(dimensions)
                    row[:len(vector)] = vector
            rows.append(row / np.linalg.norm(row))
        return np.asarray(rows, dtype=np.float32)

    return embed


def test_a_chain_of_alike_pairs_does_not_join_two_unlike_sentences(analyze_texts):
    # first ~ middle and middle ~ last, but first and last say different things
    embed = fixed_embedder({"border crossings": [1.0, 0.0], "border and the grain": [1.0, 1.0],
                            "grain exports": [0.0, 1.0]})
    corpus = analyze_texts([
        ("a.txt", "Finland and Estonia discussed border crossings in Vienna on Saturday." + FILLER,
         "2026-03-07", "A"),
        ("b.txt", "Finland and Estonia discussed the border and the grain in Vienna on Saturday." + FILLER,
         "2026-03-07", "B"),
        ("c.txt", "Finland and Estonia discussed grain exports in Vienna on Saturday." + FILLER, "2026-03-07", "C"),
    ], embed)
    def discussed(*documents):
        return [c for c in claim_with(corpus, *documents) if "discussed" in c.statement]

    assert not discussed("a.txt", "c.txt")
    assert discussed("a.txt", "b.txt") or discussed("b.txt", "c.txt")


def test_a_meeting_called_off_and_not_called_off_are_two_claims(analyze_texts):
    embed = topic_embedder(("summit",), similarity=0.95)
    corpus = analyze_texts([
        ("one.txt", "Steve Witkoff said the planned summit with Kirill Dmitriev in Vienna was cancelled." + FILLER,
         "2026-03-03", "One"),
        ("two.txt", "Steve Witkoff said the planned summit with Kirill Dmitriev in Vienna had not been cancelled."
         + FILLER, "2026-03-03", "Two"),
    ], embed)
    assert not [c for c in claim_with(corpus, "one.txt", "two.txt") if "summit" in c.statement]


def test_sentences_are_cut_at_ends_and_line_breaks_not_after_abbreviations():
    """Sentences end at . ! ? (not after "U.S." or "Dec.", nor before a lower-case word) and
    at line breaks, white space trimmed: the sentences statements and title evidence cite."""
    from parley.reconcile.statements import split_sentences

    text = ("Talks resume\n  The U.S. envoy met the delegation on Dec. 3 in Valmora. It went well!  "
            "Did it? yes, said one aide.\n\n- A last line")
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Talks resume", "The U.S. envoy met the delegation on Dec. 3 in Valmora.", "It went well!",
        "Did it? yes, said one aide.", "- A last line"]


def test_pairs_told_apart_by_their_dates_are_those_comparing_finds_dated_apart():
    """``Sentences.dated_apart`` spares grouping and number conflicts a comparison per pair:
    every pair it marks must be one ``Comparer.compare`` finds clashing on dates, whatever
    dates (one, several, ranges, days, months, years) the two sentences give."""
    from datetime import date

    from hypothesis import given, settings, strategies as st

    from parley.reconcile.claims import Comparer, NumberRules, Sentences
    from parley.reconcile.pairs import SimilarPairs
    from parley.reconcile.statements import Statement

    document = Document("d", "d.txt", "text", published="2025-12-10")
    day = st.dates(min_value=date(2025, 11, 1), max_value=date(2026, 2, 28)).map(lambda d: d.isoformat())
    span = st.tuples(day, day, st.sampled_from(["day", "month", "year"])).map(
        lambda s: (min(s[0], s[1]), max(s[0], s[1]), s[2]))
    comparer = Comparer(NumberRules(0.05, {}), {})

    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(st.lists(st.lists(span, max_size=3).map(tuple), min_size=2, max_size=8), st.data())
    def check(dates, data):
        statements = [Statement(document, 0, f"s{n}", 0, 1, frozenset(), frozenset(), (), d, frozenset())
                      for n, d in enumerate(dates)]
        sentences = Sentences(statements, [[n] for n in range(len(statements))],
                              np.zeros((len(statements), 2), dtype=np.float32))
        pairs = [(a, b) for a in range(len(dates)) for b in range(a + 1, len(dates))]
        chosen = data.draw(st.lists(st.sampled_from(pairs), min_size=1, unique=True))
        found = SimilarPairs(np.array([a for a, _ in chosen], dtype=np.int32),
                             np.array([b for _, b in chosen], dtype=np.int32), np.ones(len(chosen), dtype=np.float32))
        for (a, b), apart in zip(chosen, sentences.dated_apart(found).tolist()):
            clash = comparer.compare(statements[a], statements[b]).clash
            assert not apart or clash == "date", (dates[a], dates[b])
            if len(dates[a]) == 1 and len(dates[b]) == 1:  # one date each: the span is the date
                assert apart == (clash == "date"), (dates[a], dates[b])

    check()


def test_claims_grouped_a_chunk_of_pairs_at_a_time_are_those_of_walking_every_pair(monkeypatch):
    """Grouping sets aside, a chunk of pairs at a time, the pairs whose two sentences are
    already in one claim (most pairs of a large corpus): whatever the size of the chunks,
    the claims are those of looking at the pairs one by one."""
    from hypothesis import given, settings, strategies as st

    from parley.reconcile.claims import ClaimRules, Comparer, NumberRules, Sentences, group_claims
    from parley.reconcile.pairs import SimilarPairs
    from parley.reconcile.statements import Statement

    rules = ClaimRules(same_above=0.75, anchor_bonus=0.05, max_anchors=4, floor=0.45, neighbours=8, cohesion=0.5)

    @settings(max_examples=40, deadline=None, derandomize=True)
    @given(st.integers(4, 40), st.integers(1, 6), st.integers(0, 2 ** 32 - 1))
    def check(size, topics, seed):
        rng = np.random.default_rng(seed)
        documents = [Document(f"id{n}", f"d{n}.txt", "text", published="2026-01-05") for n in range(size // 2 + 1)]
        of = rng.integers(len(documents), size=size)  # several sentences of one document: never one claim
        statements = [Statement(documents[d], int(d), f"sentence {n}", n, n + 1,
                                frozenset(rng.choice(["kyiv", "moscow", "envoy"], size=rng.integers(0, 3))),
                                frozenset(), (), (), frozenset()) for n, d in enumerate(of)]
        centres = rng.normal(size=(topics, 16))
        vectors = centres[rng.integers(topics, size=size)] + rng.normal(scale=0.4, size=(size, 16))
        vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
        sentences = Sentences(statements, [[n] for n in range(size)], vectors)
        i, j = np.triu_indices(size, 1)
        cosines = np.einsum("ij,ij->i", vectors[i], vectors[j])
        alike = cosines >= rules.floor
        pairs = SimilarPairs(i[alike].astype(np.int32), j[alike].astype(np.int32), cosines[alike].astype(np.float32))
        comparer = Comparer.of(statements, NumberRules(0.05, {}))
        found = []
        for chunk in (1, 3, 65_536):
            monkeypatch.setattr(SimilarPairs, "CHUNK", chunk)
            claims, claim_of = group_claims(sentences, pairs, rules, comparer, source_keys(documents))
            found.append(([(c.id, c.documents, c.statement) for c in claims], claim_of))
        assert found[0] == found[1] == found[2]

    check()
