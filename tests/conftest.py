"""Shared fixtures: the spaCy pipeline (loaded once), the bundled lexicon, ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from parley.lexicon import load_lexicon
from parley.records import Document

# Property-based tests (tests/test_fuzz.py). "ci", the default, runs a few examples chosen
# the same way on every run; "campaign" (pytest --hypothesis-profile=campaign, or
# tools/fuzz_campaign.py) runs PARLEY_FUZZ_EXAMPLES (2,000) per test, from a given or fresh seed.
_FUZZ_SETTINGS = dict(deadline=None, database=None, print_blob=True,
                      # the only function-scoped fixture they get is the autouse stand-in for the
                      # sentence model, which holds for every example alike
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                             HealthCheck.large_base_example, HealthCheck.function_scoped_fixture])
settings.register_profile("ci", max_examples=15, derandomize=True, **_FUZZ_SETTINGS)
settings.register_profile("campaign", max_examples=int(os.environ.get("PARLEY_FUZZ_EXAMPLES", "2000")),
                          **_FUZZ_SETTINGS)
# "triage": like "campaign" but reports the first failure as found, without minutising it
# (shrinking a failure of the costlier properties can take minutes).
settings.register_profile("triage", parent=settings.get_profile("campaign"),
                          phases=[Phase.explicit, Phase.generate])
settings.load_profile("ci")

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


EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "corpus"
HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"


def _analysed(paths: list[Path], db: Path, lexicon) -> Path:
    """A store analysed from ``paths``, with the bag-of-words stand-in for the sentence model."""
    from parley import embeddings
    from parley.pipeline import analyze
    from parley.store import Store

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(embeddings, "embed_with_model", embeddings.bag_of_words)
        with Store(db) as store:
            analyze(paths, store, lexicon)
    return db


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory, lexicon) -> Path:
    """A store analysed from the bundled sample corpus (examples/corpus), built once per
    test session. Open it read-only."""
    return _analysed([EXAMPLES], tmp_path_factory.mktemp("corpus") / "corpus.db", lexicon)


@pytest.fixture(scope="session")
def web_store(tmp_path_factory, lexicon) -> Path:
    """The sample corpus plus two hostile articles (markup, scripts and ``javascript:``
    links in their text, title, outlet and URL), for the web app and browser tests."""
    return _analysed([EXAMPLES, HOSTILE], tmp_path_factory.mktemp("web") / "web.db", lexicon)


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server for the session (tests/postgres.py), or a skip that
    says why none could be had."""
    from postgres import Unavailable, start_server

    try:
        server = start_server()
    except Unavailable as reason:
        pytest.skip(f"no PostgreSQL server for the tests: {reason}")
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """The URL of a new, empty database on the test server."""
    return postgres_server.new_database()
