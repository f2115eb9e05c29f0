"""Shared fixtures: the spaCy pipeline (loaded once), the bundled lexicon, ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.lexicon import load_lexicon
from parley.records import Document

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(autouse=True)
def no_sentence_model(monkeypatch):
    """Tests embed sentences with a cheap bag-of-words stand-in, not the sentence model
    (tests that need the real model ask for it: see tests/test_claims.py)."""
    from parley import embeddings

    monkeypatch.setattr(embeddings, "embed_with_model", embeddings.bag_of_words)


@pytest.fixture(scope="session")
def nlp():
    from parley.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def lexicon():
    return load_lexicon()


@pytest.fixture
def parsed(nlp):
    """parsed(text, published=None) -> (Document, spaCy Doc)."""

    def parse(text: str, published: str | None = None, source: str = "test.txt"):
        document = Document(id="test", source=source, text=text, published=published)
        return document, nlp(text)

    return parse


@pytest.fixture
def shared() -> Path:
    if not (SHARED / "seeds").is_dir():
        pytest.skip("../shared/seeds is not present")
    return SHARED
