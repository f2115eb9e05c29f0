"""Nothing breaks it: hostile files and texts through ingest, every extractor, reconcile and
`parley analyze`. Each test runs a few examples, chosen the same way on every run (the "ci"
profile of tests/conftest.py); tools/fuzz_campaign.py runs thousands. The inputs and the
properties are in tests/fuzz_inputs.py."""

from __future__ import annotations

import dataclasses
import json
import re
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from fuzz_inputs import (
    DATES,
    PUBLISHED,
    SUFFIXES,
    UNKNOWN_SUFFIXES,
    _noisy,
    assert_one_line_naming,
    check_extraction,
    check_read_file,
    documents,
    files_for,
    named_files,
    sentences,
)
from parley.embeddings import bag_of_words
from parley.extract.run import extract, extract_all
from parley.extract.times import resolve_when
from parley.ingest import SourceFile, ingest, normalise_date, read_file
from parley.lexicon import load_lexicon  # not the fixture: hypothesis prints a failing
# example's arguments, fixtures included, and the lexicon runs to pages
from parley.records import to_dict
from parley.reconcile.run import reconcile


def scaled(share: float) -> int:
    """A share of the profile's examples, for the costlier tests (at least two)."""
    return max(2, int(settings.default.max_examples * share))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def fresh_folder(workdir: Path) -> Path:
    """An empty folder of its own for one example (a fixture would be shared by all examples)."""
    return Path(tempfile.mkdtemp(dir=workdir))


GOOD_ARTICLES = {
    "good-geneva.txt": "Envoys meet again in Geneva\nChief negotiator Ingrid Solheim met Commissioner "
                       "Pedro Alves in Geneva on Monday. \"We are closer than we were,\" Solheim said.\n",
    "good-bergen.md": "---\ntitle: Quota talks stall\noutlet: Harbour Gazette\npublished: 2026-02-03\n---\n"
                      "Talks in Bergen broke up on Tuesday. Pedro Alves said the offer of a 12% cut was final.\n",
}


# ---------------------------------------------------------------- ingest


@pytest.mark.parametrize("suffix", SUFFIXES + UNKNOWN_SUFFIXES[:3])
@given(data=st.data())
def test_reading_any_file_gives_documents_or_one_line_problems(workdir, suffix, data):
    path = fresh_folder(workdir) / f"article{suffix}"
    path.write_bytes(data.draw(files_for(suffix), label="content"))
    check_read_file(path)


@settings(max_examples=scaled(0.5))
@given(files=st.lists(named_files(SUFFIXES + UNKNOWN_SUFFIXES), max_size=5))
def test_ingest_goes_on_after_bad_files(workdir, files):
    folder = fresh_folder(workdir)
    for name, text in GOOD_ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    for number, (suffix, content) in enumerate(files):
        (folder / f"fuzz{number}{suffix}").write_bytes(content)
    result = ingest([folder])
    sources = {document.source for document in result.documents}
    assert set(GOOD_ARTICLES) <= sources
    for problem in result.problems:
        assert_one_line_naming(str(problem), Path(problem.path))
        assert Path(problem.path).parent == folder


@given(text=st.one_of(_noisy(DATES), sentences()))
def test_publication_dates_are_read_or_left_out(text):
    published = normalise_date(text)
    assert published is None or date.fromisoformat(published)


def test_a_feed_of_a_hundred_thousand_lines_is_read_with_every_bad_line_named(tmp_path):
    lines = []
    for number in range(1, 100_001):
        if number % 1_000 == 0:
            lines.append('{"text": "cut short')  # broken JSON
        elif number % 1_001 == 0:
            lines.append('{"text": 42}')  # a number where the text should be
        else:
            lines.append(json.dumps({"text": f"Envoy {number} said the talks in Geneva would go on.",
                                     "published": "2026-01-15"}))
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = read_file(SourceFile(path=path, source="feed.jsonl", raw_hash=""))
    assert len(result.documents) == 100_000 - 100 - 99
    assert len(result.problems) == 199
    assert str(result.problems[0]) == f"{path}: line 1000 is not valid JSON (Unterminated string starting at column 10)"
    assert str(result.problems[1]) == f"{path}: line 1001: the article text field is empty or not a string"
    assert result.documents[-1].text == "Envoy 99999 said the talks in Geneva would go on."


# ---------------------------------------------------------------- extract


@given(text=st.one_of(_noisy(DATES), sentences()), published=PUBLISHED, tense=st.sampled_from([None, "past", "future"]))
def test_any_time_expression_resolves_to_a_real_date_or_none(text, published, tense):
    when = resolve_when(text, published, tense, load_lexicon())
    for value in (when.date, when.end):
        assert value is None or date.fromisoformat(value)


@settings(max_examples=scaled(2))
@given(document=documents())
def test_every_extractor_survives_hostile_text_and_keeps_offsets_inside_it(nlp, document):
    extraction = extract(document, nlp(document.text), load_lexicon())
    check_extraction(document, extraction)


# ---------------------------------------------------------------- reconcile


@settings(max_examples=scaled(0.5))
@given(batch=st.lists(documents(), min_size=1, max_size=4, unique_by=lambda d: d.id))
def test_reconcile_survives_whatever_the_extractors_gave(nlp, batch):
    lexicon = load_lexicon()
    batch = [dataclasses.replace(d, source=f"fuzz-{number}.txt") for number, d in enumerate(batch)]
    pairs = list(extract_all(batch, nlp, lexicon))
    reconciled = reconcile([d for d, _ in pairs], [e for _, e in pairs], embed=bag_of_words, lexicon=lexicon)
    for extraction in reconciled.corpus.extractions:
        check_extraction(next(d for d in batch if d.source == extraction.document), extraction)
    corpus = {name: [to_dict(item) for item in getattr(reconciled.corpus, name)]
              for name in ("actors", "claims", "conflicts", "framing")}
    json.dumps([corpus, reconciled.views], allow_nan=False)  # what the store keeps
    assert set(reconciled.duplicates) <= {d.id for d in batch}


# ---------------------------------------------------------------- parley analyze

# File names rich would read as markup, were they not escaped.
FILE_STEMS = ["fuzz", "notes[draft]", "[bold] ", "[link=x]x"]
SKIPPED = re.compile(r"^skipped (?P<path>.+?): (?P<problem>.+)$")


@settings(max_examples=scaled(0.1))
@given(files=st.lists(named_files(SUFFIXES + UNKNOWN_SUFFIXES[:2]), min_size=1, max_size=6))
def test_analyze_lists_each_problem_on_one_line_and_stores_every_good_article(workdir, files):
    from parley.cli import app
    from parley.store import Store

    folder = fresh_folder(workdir)
    articles = folder / "articles"
    articles.mkdir()
    for name, text in GOOD_ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    for number, (suffix, content) in enumerate(files):
        stem = FILE_STEMS[number % len(FILE_STEMS)]
        (articles / f"{stem}{number}{suffix}").write_bytes(content)
    db = folder / "parley.db"
    result = CliRunner().invoke(app, ["analyze", str(articles), "--db", str(db), "--json", str(folder / "e.json")])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    skipped = [line for line in result.output.splitlines() if line.startswith("skipped ")]
    for line in skipped:
        named = SKIPPED.match(line)
        assert named and Path(named["path"]).parent == articles, line
    assert f" {len(skipped)} problems in " in " ".join(result.output.split())  # the summary may wrap
    with Store(db, read_only=True) as store:
        stored = {document.source for document in store.documents()}
    assert set(GOOD_ARTICLES) <= stored
    json.loads((folder / "e.json").read_text(encoding="utf-8"), parse_constant=not_json)  # no NaN, no Infinity


def not_json(constant: str):
    raise AssertionError(f"{constant} is not JSON")

