"""Engines: the extract stage in worker processes or on Ray gives the store and export of one
process, byte for byte; a run interrupted with workers keeps what it stored.

Each test here loads spaCy in several processes, so they are few.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parley import embeddings
from parley.cli import app
from parley.extract.engines import Engine, extract_documents
from parley.extract.run import extract_all
from parley.extract.tasks import count_tasks
from parley.ingest import find_files, read_file
from parley.lexicon import load_lexicon
from parley.pipeline import analyze
from parley.records import to_dict
from parley.store import Store

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
runner = CliRunner()


def export_text(db: Path, out: Path) -> str:
    result = runner.invoke(app, ["export", "--db", str(db), "--output", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def analyze_cli(db: Path, *options: str) -> None:
    result = runner.invoke(app, ["analyze", str(CORPUS), "--db", str(db), "--quiet", *options])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def one_process(tmp_path_factory) -> str:
    """The export of the example corpus analysed in this process (sentences embedded by the
    tests' stand-in, as in the tests: this fixture is set up before theirs)."""
    folder = tmp_path_factory.mktemp("one")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(embeddings, "embed_with_model", embeddings.bag_of_words)
        analyze_cli(folder / "p.db", "--workers", "1")
    return export_text(folder / "p.db", folder / "export.json")


@pytest.mark.parametrize("options, message", [
    (["--workers", "0"], "--workers must be 1 or more (got 0)"),
    (["--engine", "spark"], "unknown engine 'spark' (known: local, ray)"),
    (["--ray-address", "auto"], "--ray-address needs --engine ray"),
])
def test_bad_engine_options_are_one_line_errors(tmp_path, options, message):
    result = runner.invoke(app, ["analyze", str(CORPUS), "--db", str(tmp_path / "p.db"), *options])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {message}"
    assert not (tmp_path / "p.db").exists()


def test_two_workers_interrupted_then_finished_give_the_one_process_export(one_process, tmp_path):
    db = tmp_path / "p.db"

    def interrupt(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with Store(db) as store, pytest.raises(KeyboardInterrupt):
        analyze([CORPUS], store, load_lexicon(), progress=interrupt, engine=Engine(workers=2))
    for worker in multiprocessing.active_children():  # stopped, not left to finish their tasks
        worker.join(timeout=30)
    assert not multiprocessing.active_children()
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM documents").fetchone()[0] == 3

    analyze_cli(db, "--workers", "2")  # takes up where the interrupted run stopped
    assert export_text(db, tmp_path / "export.json") == one_process


def test_long_documents_cut_into_parts_across_workers_extract_as_in_one_process(nlp, lexicon):
    documents = [d for sf in find_files([CORPUS]) for d in read_file(sf).documents]
    part_chars = 1_000  # every article is "long": its parts go to both workers
    assert count_tasks(documents, part_chars) > 2 * len(documents)  # several parts each

    here = [(d.id, to_dict(e)) for d, e in extract_all(documents, nlp, lexicon, part_chars=part_chars)]
    there = [(d.id, to_dict(e)) for d, e in extract_documents(documents, lexicon, Engine(workers=2), part_chars)]

    assert there == here


@pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                    reason="ray is not installed (pip install 'parley[ray]' or '.[test]')")
def test_ray_engine_gives_the_one_process_export_byte_for_byte(one_process, tmp_path):
    analyze_cli(tmp_path / "p.db", "--engine", "ray", "--workers", "2")
    assert export_text(tmp_path / "p.db", tmp_path / "export.json") == one_process


def test_the_process_handing_out_work_never_loads_spacy():
    """With workers doing the extraction, parley itself starts in a fraction of a second: the
    command line, the pipeline and the engines import neither spaCy nor torch (a fetch that
    finds nothing new, or a run on many cores, does not pay the seconds they take)."""
    import subprocess
    import sys

    code = ("import sys, parley.cli, parley.pipeline, parley.extract.engines, parley.extract.tasks; "
            "print(sorted(m for m in ('spacy', 'torch', 'thinc') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_ray_engine_without_ray_installed_is_a_one_line_error_before_anything_is_read(tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    result = runner.invoke(app, ["analyze", str(CORPUS), "--db", str(tmp_path / "p.db"), "--engine", "ray"])
    assert result.exit_code == 2
    assert result.output.strip() == "error: --engine ray needs Ray: pip install 'parley[ray]'"
    assert not (tmp_path / "p.db").exists()
