"""Search the stored articles, and answer a question with sentences quoted from them.

Two entry points, both on a :class:`SearchIndex` built once from a store:

- :meth:`SearchIndex.ask` answers a question with whole sentences taken verbatim from
  the articles, each cited (document, source, offsets, and any other source that carries
  the very same sentence). Nothing is ever generated: an answer is a sentence a reporter
  wrote, or nothing.
- :meth:`SearchIndex.search` finds documents, quotes and claims matching a query.

How a question is answered:

1. The question and every sentence are cut into *terms* by :func:`tokenize`.
2. BM25 (the ``bm25s`` package) scores each sentence against the question's terms; a
   sentence sharing no term with the question scores 0 and is never an answer. The best
   ``candidates`` sentences go on.
3. Re-ranking: the question and each candidate are embedded (``parley.embeddings``) and
   their cosine measures how close they are in meaning. The final score is
   ``COSINE_WEIGHT * cosine + (1 - COSINE_WEIGHT) * bm25 / best_bm25``, so the words a
   sentence shares with the question still count, and meaning decides between
   sentences that share about as many. Without an embedder the score is the normalised
   BM25 alone.
4. Ties are broken by document order, then by position in the document.

Sentences: the spaCy sentence spans kept by the extract stage (or, for a store made
before they were kept, a simple punctuation split), cut further at line breaks that
start a new line of text (a headline, a dateline, a list item, a block quote), and
trimmed of white space and list or quote markers. The text of every answer is
``document.text[start:end]`` exactly.

Near-copies (documents with ``duplicate_of`` set) never give an answer of their own; a
sentence found word for word (white space aside) in several documents is one answer,
cited from the first document that has it, with the others listed in ``also_in``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN_PLUS

from parley.embeddings import CachedEmbedder, Embedder
from parley.records import Document
from parley.sentences import sentence_spans

MAX_QUERY_CHARS = 500  # longer questions or queries are refused (QueryError)
COSINE_WEIGHT = 0.6  # share of the embedding cosine in an answer's score; BM25 has the rest
CANDIDATES = 50  # sentences BM25 hands to the re-ranker


class QueryError(ValueError):
    """A question or query that cannot be run: empty, or longer than MAX_QUERY_CHARS."""


# ---------------------------------------------------------------------------- terms

# NLTK's English stop words (as shipped with bm25s), plus what questions are full of and
# tells nothing apart in news text: modal verbs, "how much / many", and "say".
STOP_WORDS = frozenset(STOPWORDS_EN_PLUS) | {
    "would", "could", "might", "must", "shall", "much", "many", "say", "says", "said"}

_TERM = re.compile(
    r"(?P<dotted>(?:[^\W\d_]\.){2,})"  # U.S., E.U.
    r"|(?P<number>\d+(?:[.,]\d+)*)"  # 90, 11.5, 19,000
    r"|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)")  # words, with inner apostrophes: Ukraine's, don't


def _light_stem(word: str) -> str:
    """Plural and possessive endings off: talks -> talk, countries -> country, Ukraine's -> ukraine."""
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """The terms of ``text``, in order, for BM25.

    - Words are lower-cased, English stop words dropped, and a plural or possessive
      ending taken off (``talks`` -> ``talk``, ``Ukraine's`` -> ``ukraine``).
    - Numbers are kept, commas dropped (``19,000`` -> ``19000``); digits are cut from
      the letters around them, so ``€90bn`` gives ``90`` (and ``bn``) and matches ``90``.
    - Abbreviations written with dots (``U.S.``) or in capitals of two or three letters
      (``US``, ``EU``) become one lower-case word and are kept even when they spell a stop
      word (``us``).
    - Single letters are dropped.
    """
    terms: list[str] = []
    for match in _TERM.finditer(text):
        if match.group("dotted"):
            terms.append(match.group("dotted").replace(".", "").lower())
        elif match.group("number"):
            terms.append(match.group("number").replace(",", ""))
        else:
            raw = match.group("word")
            word = raw.lower().replace("’", "'")
            if raw.isupper() and 2 <= len(raw) <= 3:
                terms.append(word)
            elif len(word) > 1 and word not in STOP_WORDS:
                word = _light_stem(word)
                if len(word) > 1 and word not in STOP_WORDS:
                    terms.append(word)
    return terms


def check_query(query: str) -> str:
    """``query`` without surrounding white space; QueryError if it is empty or too long."""
    query = (query or "").strip()
    if not query:
        raise QueryError("empty query")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(query)} characters; at most {MAX_QUERY_CHARS})")
    return query


def _same_text_key(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------- results


@dataclass
class Answer:
    """One sentence answering a question, verbatim, with where it comes from."""

    text: str  # == document text[start:end]
    document_id: str
    source: str  # the document's source (what quotes and claims call ``document``)
    title: str | None
    outlet: str | None
    published: str | None
    start: int
    end: int
    bm25: float  # the BM25 score of the sentence for the question
    cosine: float | None  # embedding cosine with the question (None: not re-ranked)
    score: float  # the blend answers are ordered by (see the module doc)
    also_in: list[str] = field(default_factory=list)  # other sources with the same sentence


@dataclass
class DocumentHit:
    document_id: str
    source: str
    title: str | None
    outlet: str | None
    published: str | None
    score: float  # BM25 over title and text
    snippet: str  # the best-matching sentence (the first one if only the title matches)
    start: int  # offsets of the snippet in the document text
    end: int
    duplicate_of: str | None = None  # id of the document this one is a near-copy of


@dataclass
class QuoteHit:
    quote: dict[str, Any]  # the stored quote, as ``Store.rows("quotes")`` gives it
    document_id: str | None  # id of the document quoted from (None if not stored)
    score: float


@dataclass
class ClaimHit:
    claim: dict[str, Any]  # the stored claim, as ``Store.rows("claims")`` gives it
    score: float


@dataclass
class SearchResults:
    query: str
    documents: list[DocumentHit] = field(default_factory=list)
    quotes: list[QuoteHit] = field(default_factory=list)
    claims: list[ClaimHit] = field(default_factory=list)


# ---------------------------------------------------------------------------- helpers


class ReadOnlyVectors:
    """The store's sentence vectors, read-only: new vectors are kept in memory (at most
    ``limit``, oldest dropped first), never written to the store. Lets a
    :class:`~parley.embeddings.CachedEmbedder` run over a store opened read-only."""

    def __init__(self, store: Any, limit: int = 20_000):
        self.store = store
        self.limit = limit
        self.memory: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get_embeddings(self, keys: Sequence[str]) -> dict[str, bytes]:
        with self._lock:
            found = {k: self.memory[k] for k in keys if k in self.memory}
        rest = [k for k in keys if k not in found]
        if rest:
            found.update(self.store.get_embeddings(rest))
        return found

    def put_embeddings(self, vectors: dict[str, bytes]) -> None:
        with self._lock:
            self.memory.update(vectors)
            for key in list(self.memory)[:max(0, len(self.memory) - self.limit)]:
                del self.memory[key]


class _Bm25:
    """BM25 over a list of term lists, scoring every entry for a query at once."""

    def __init__(self, corpus: list[list[str]]):
        self.size = len(corpus)
        self.model: Any = None
        if any(corpus):
            self.model = bm25s.BM25()
            self.model.index(corpus, show_progress=False)

    def scores(self, terms: list[str]) -> np.ndarray:
        """The BM25 score of each entry (0 for an entry sharing no term with ``terms``)."""
        known = [t for t in terms if self.model is not None and t in self.model.vocab_dict]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return self.model.get_scores(known)


def _ranked(scores: np.ndarray, limit: int) -> list[int]:
    """Indices of the entries scoring above 0, best first, ties in index order."""
    hits = np.flatnonzero(scores > 0)
    order = sorted(hits.tolist(), key=lambda i: (-float(scores[i]), i))
    return order[:max(0, limit)]


@dataclass
class _Sentence:
    """A distinct sentence text and every place it occurs: (document index, start, end),
    in document order."""

    text: str
    places: list[tuple[int, int, int]]
    cited: tuple[int, int, int] | None = None  # first place outside near-copies (None: copies only)


# ---------------------------------------------------------------------------- the index


class SearchIndex:
    """Everything searchable, indexed once; read-only afterwards, so one index can serve
    many threads."""

    def __init__(self, documents: Sequence[Document],
                 sentences: Mapping[str, Sequence[Sequence[int]]] | None = None,
                 quotes: Iterable[dict[str, Any]] = (), claims: Iterable[dict[str, Any]] = (),
                 embed: Embedder | None = None):
        """``documents`` in store order; ``sentences`` their [start, end] sentence spans by
        document id (missing or empty: split by punctuation); ``quotes`` and ``claims`` as
        ``Store.rows`` gives them; ``embed`` the embedder ``ask`` re-ranks with when none
        is passed (None: no re-ranking unless ``ask`` is given one)."""
        self.documents = list(documents)
        self.quotes = list(quotes)
        self.claims = list(claims)
        self.embed = embed
        self.document_id_of = {d.source: d.id for d in self.documents}

        # Distinct sentences (white space aside), with every place each one occurs.
        self.sentences: list[_Sentence] = []
        # per document, its sentences in order: (index in self.sentences, start, end)
        self.document_sentences: list[list[tuple[int, int, int]]] = []
        by_text: dict[str, int] = {}
        for n, document in enumerate(self.documents):
            mine = []
            for start, end in sentence_spans(document.text, (sentences or {}).get(document.id)):
                key = _same_text_key(document.text[start:end])
                if key not in by_text:
                    by_text[key] = len(self.sentences)
                    self.sentences.append(_Sentence(document.text[start:end], []))
                sentence = self.sentences[by_text[key]]
                sentence.places.append((n, start, end))
                if sentence.cited is None and not document.duplicate_of:
                    sentence.cited = (n, start, end)
                mine.append((by_text[key], start, end))
            self.document_sentences.append(mine)

        self._answerable = np.array([s.cited is not None for s in self.sentences], dtype=bool)
        self._sentence_bm25 = _Bm25([tokenize(s.text) for s in self.sentences])
        self._document_bm25 = _Bm25([tokenize(f"{d.title or ''}\n{d.text}") for d in self.documents])
        self._quote_bm25 = _Bm25([tokenize(f"{q.get('text') or ''}\n{q.get('speaker_text') or ''}")
                                  for q in self.quotes])
        self._claim_bm25 = _Bm25([tokenize(c.get("statement") or "") for c in self.claims])

    @classmethod
    def from_store(cls, store: Any, rerank: bool = True) -> SearchIndex:
        """The index of everything in ``store`` (which may be read-only). With ``rerank``,
        ``ask`` re-ranks with the sentence model, through the vectors the store already
        keeps; the model is loaded only when a question first needs a vector it lacks."""
        embed = CachedEmbedder(ReadOnlyVectors(store)) if rerank else None
        return cls(store.documents(), store.sentences(), store.rows("quotes"), store.rows("claims"),
                   embed=embed)

    # ------------------------------------------------------------------------ ask

    def ask(self, question: str, k: int = 5, embed: Embedder | None = None,
            candidates: int = CANDIDATES, rerank: bool = True) -> list[Answer]:
        """Up to ``k`` sentences answering ``question``, best first (see the module doc).

        ``embed`` re-ranks (default: the index's own embedder, if any); ``rerank=False``
        orders by BM25 alone. Raises QueryError for an empty or over-long question; a
        question of stop words only has no answer ([])."""
        question = check_query(question)
        terms = tokenize(question)
        if not terms or k <= 0:
            return []
        bm25 = self._sentence_bm25.scores(terms)
        chosen = _ranked(np.where(self._answerable, bm25, 0), max(candidates, k))
        if not chosen:
            return []
        best = float(bm25[chosen[0]])
        relative = [float(bm25[i]) / best for i in chosen]
        embedder = (embed if embed is not None else self.embed) if rerank else None
        cosines: list[float | None] = [None] * len(chosen)
        scores = relative
        if embedder is not None:
            vectors = np.asarray(embedder([question] + [self.sentences[i].text for i in chosen]),
                                 dtype=np.float32)
            cosines = [float(c) for c in vectors[1:] @ vectors[0]]
            scores = [COSINE_WEIGHT * c + (1 - COSINE_WEIGHT) * r for c, r in zip(cosines, relative)]
        # best score first; ties in the order the cited sentences appear in the corpus
        order = sorted(range(len(chosen)), key=lambda j: (-scores[j], self.sentences[chosen[j]].cited))[:k]
        return [self._answer(chosen[j], float(bm25[chosen[j]]), cosines[j], scores[j]) for j in order]

    def _answer(self, index: int, bm25: float, cosine: float | None, score: float) -> Answer:
        sentence = self.sentences[index]
        assert sentence.cited is not None
        n, start, end = sentence.cited
        document = self.documents[n]
        also_in = list(dict.fromkeys(self.documents[m].source for m, _, _ in sentence.places
                                     if m != n))
        return Answer(text=document.text[start:end], document_id=document.id, source=document.source,
                      title=document.title, outlet=document.outlet, published=document.published,
                      start=start, end=end, bm25=bm25, cosine=cosine, score=score, also_in=also_in)

    # ------------------------------------------------------------------------ search

    def search(self, query: str, limit: int = 20) -> SearchResults:
        """Documents (BM25 over title and text), quotes (over quote and speaker) and
        claims (over the statement) matching ``query``, each list best first, at most
        ``limit`` long. Raises QueryError for an empty or over-long query."""
        query = check_query(query)
        terms = tokenize(query)
        results = SearchResults(query=query)
        if not terms:
            return results
        sentence_scores = self._sentence_bm25.scores(terms)
        scores = self._document_bm25.scores(terms)
        for n in _ranked(scores, limit):
            results.documents.append(self._document_hit(n, float(scores[n]), sentence_scores))
        scores = self._quote_bm25.scores(terms)
        for n in _ranked(scores, limit):
            quote = self.quotes[n]
            results.quotes.append(QuoteHit(quote, self.document_id_of.get(quote.get("document")),
                                           float(scores[n])))
        scores = self._claim_bm25.scores(terms)
        results.claims = [ClaimHit(self.claims[n], float(scores[n])) for n in _ranked(scores, limit)]
        return results

    def _document_hit(self, n: int, score: float, sentence_scores: np.ndarray) -> DocumentHit:
        document = self.documents[n]
        mine = self.document_sentences[n]
        # the document's best sentence (its first one when none matches: a title-only hit)
        best = max(range(len(mine)), key=lambda j: (float(sentence_scores[mine[j][0]]), -j), default=None)
        _, start, end = mine[best] if best is not None else (0, 0, 0)
        return DocumentHit(document_id=document.id, source=document.source, title=document.title,
                           outlet=document.outlet, published=document.published, score=score,
                           snippet=document.text[start:end], start=start, end=end,
                           duplicate_of=document.duplicate_of)
