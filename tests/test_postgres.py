"""The store on PostgreSQL (``--db postgresql://...``), against a real server started for
the session (tests/postgres.py; skipped, with the reason, where none can be had):
the same articles give the same export as on SQLite; two `parley analyze` runs at once on
one database lose and duplicate nothing; a killed run leaves a sound store that the next
run completes; `parley serve` reads the database and sees new runs; bad URLs and
unreachable servers are one-line errors.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parley.cli import app
from parley.export import build_export
from parley.store import Store
from parley.store_backends import WRITER_KEY, display_url, translate
from postgres import free_port
from test_store import ARTICLES, EXTRA, KILL_INSIDE, LATE, PARLEY, SRC, corpus_part, finish, kill_when, start

runner = CliRunner()


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """The invented fisheries articles, one late article, and two more."""
    root = tmp_path_factory.mktemp("articles")
    shutil.copytree(ARTICLES, root / "articles")
    (root / "late").mkdir()
    (root / "late" / "tromsdal-quota-talks.txt").write_text(LATE, encoding="utf-8")
    (root / "extra").mkdir()
    for name, text in EXTRA.items():
        (root / "extra" / name).write_text(text, encoding="utf-8")
    return {name: root / name for name in ("articles", "late", "extra")}


def export_of(db: str | Path) -> dict:
    with Store(db, read_only=True) as store:
        return json.loads(json.dumps(build_export(store)))


def analyzed(db: str | Path, paths: list[Path], lexicon) -> None:
    from parley.pipeline import analyze

    with Store(db) as store:
        analyze(paths, store, lexicon)


def document_count(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as connection:
        if connection.execute("SELECT to_regclass('documents')").fetchone()[0] is None:
            return 0
        return connection.execute("SELECT COUNT(*) FROM documents").fetchone()[0]


def check_sound(url: str) -> dict:
    """No orphan (every document has its extraction, file records list stored documents,
    no source twice); the export."""
    import psycopg

    with psycopg.connect(url) as connection:
        ids = [row[0] for row in connection.execute("SELECT id FROM documents")]
        assert len(ids) == len(set(ids))
        assert {row[0] for row in connection.execute("SELECT document_id FROM extractions")} == set(ids)
        for path, listed in connection.execute("SELECT path, documents FROM files"):
            assert set(json.loads(listed)) <= set(ids), f"file record {path} lists a document not stored"
    export = export_of(url)
    sources = [d["source"] for d in export["documents"]]
    assert len(sources) == len(set(sources)), "a document stored twice"
    return export


# ---------------------------------------------------------------------------- no server needed


def test_sqlite_words_become_postgresql_words_in_one_place():
    assert translate("SELECT a FROM t WHERE b = ? AND c LIKE '%?%'") == "SELECT a FROM t WHERE b = %s AND c LIKE '%%?%%'"
    assert translate("CREATE TABLE t (v BLOB, n INTEGER, x REAL, \"REAL\" TEXT)") == \
        'CREATE TABLE t (v BYTEA, n BIGINT, x DOUBLE PRECISION, "REAL" TEXT)'
    assert translate("SELECT integer_part FROM t WHERE kind = 'BLOB'") == "SELECT integer_part FROM t WHERE kind = 'BLOB'"
    assert translate("INSERT OR IGNORE INTO t (k) VALUES (?)") == "INSERT INTO t (k) VALUES (%s) ON CONFLICT DO NOTHING"
    assert display_url("postgresql://ann:s3cret@db.example:5432/parley") == "postgresql://ann:***@db.example:5432/parley"


def test_an_unreachable_server_is_one_line_and_nothing_is_created(tmp_path):
    url = f"postgresql://parley:pw@127.0.0.1:{free_port()}/parley"
    for args in (["export", "--db", url], ["timeline", "--db", url], ["serve", "--db", url],
                 ["analyze", str(tmp_path), "--db", url]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: postgresql://parley:***@127.0.0.1:"), result.output
        assert "cannot connect to PostgreSQL" in lines[0] and "pw@" not in lines[0]
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------------------- one server for the module


def test_the_same_articles_give_the_same_export_on_sqlite_and_postgresql(folders, postgres_url, tmp_path, lexicon):
    paths = [folders["articles"], folders["late"]]
    analyzed(tmp_path / "p.db", paths, lexicon)
    analyzed(postgres_url, paths, lexicon)
    on_sqlite = runner.invoke(app, ["export", "--db", str(tmp_path / "p.db")])
    on_postgres = runner.invoke(app, ["export", "--db", postgres_url])
    assert on_sqlite.exit_code == on_postgres.exit_code == 0
    assert json.loads(on_sqlite.stdout)["quotes"]  # a corpus worth comparing
    assert on_postgres.stdout == on_sqlite.stdout
    # a second run finds nothing new, as on SQLite, and leaves the export as it was
    analyzed(postgres_url, paths, lexicon)
    assert runner.invoke(app, ["export", "--db", postgres_url]).stdout == on_sqlite.stdout


def test_a_database_without_a_store_is_named_and_left_untouched(postgres_url):
    result = runner.invoke(app, ["export", "--db", postgres_url])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {postgres_url}: no parley store in this database " \
                                    "(run `parley analyze` with this --db first)"
    assert document_count(postgres_url) == 0


def test_a_read_only_store_refuses_to_write(folders, postgres_url, lexicon):
    import psycopg

    analyzed(postgres_url, [folders["late"]], lexicon)
    with Store(postgres_url, read_only=True) as store:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            store.db.execute("DELETE FROM documents")
    assert document_count(postgres_url) == 1


def test_two_runs_at_once_on_one_database_lose_and_duplicate_nothing(folders, postgres_url, tmp_path, lexicon):
    """Two `parley analyze` processes over overlapping folders, started together: they take
    turns (one waits), each document is stored once, every file is recorded, and the store
    holds the documents and quotes of one run over all the articles."""
    analyzed(tmp_path / "all.db", list(folders.values()), lexicon)
    expected = export_of(tmp_path / "all.db")
    first = start(postgres_url, [folders["articles"], folders["late"]], tmp_path / "a")
    second = start(postgres_url, [folders["articles"], folders["extra"]], tmp_path / "b")
    finish(first, tmp_path / "a")
    finish(second, tmp_path / "b")
    waited = [(tmp_path / f"{name}.err").read_text() for name in "ab"]
    assert sum("waiting for another `parley analyze`" in err for err in waited) <= 1
    export = check_sound(postgres_url)
    assert sorted(d["source"] for d in export["documents"]) == sorted(d["source"] for d in expected["documents"])
    assert sorted((q["document"], q["start"], q["text"]) for q in export["quotes"]) == \
        sorted((q["document"], q["start"], q["text"]) for q in expected["quotes"])
    again = finish(start(postgres_url, list(folders.values()), tmp_path / "c"), tmp_path / "c")
    assert again.startswith("0 new documents, 0 re-extracted"), again
    assert check_sound(postgres_url) == export


def test_a_run_waits_for_the_postgresql_lock_then_gives_up_in_one_line(folders, postgres_url):
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as holder:  # stands for an analyze in progress
        holder.execute("SELECT pg_advisory_lock(%s)", (WRITER_KEY,))
        result = runner.invoke(app, ["analyze", str(folders["late"]), "--db", postgres_url, "--wait", "0.5"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"waiting for another parley run writing to {postgres_url}")
    assert lines[-1] == (f"error: {postgres_url}: another parley run (analyze, fetch or watch) is writing to this store; "
                         "gave up after waiting 0.5s (run again once it has finished)")


def test_a_killed_run_leaves_a_sound_store_and_the_next_run_completes_it(folders, postgres_url, tmp_path, lexicon):
    paths = [folders["articles"], folders["late"]]
    reference = tmp_path / "ref.db"
    analyzed(reference, paths, lexicon)
    process = start(postgres_url, paths, tmp_path / "killed")
    assert kill_when(process, lambda: document_count(postgres_url) >= 1)
    check_sound(postgres_url)
    # the server ends the killed session, and its writer lock with it: the next run does not wait
    finish(start(postgres_url, paths, tmp_path / "rerun", "--wait", "30"), tmp_path / "rerun")
    assert "waiting for another" not in (tmp_path / "rerun.err").read_text()
    assert check_sound(postgres_url) == export_of(reference)


@pytest.mark.parametrize("step", ["save_corpus", "add_document"])
def test_a_kill_inside_a_write_leaves_the_previous_state(step, folders, postgres_url, lexicon):
    """Killed in the middle of replacing the corpus tables, or of replacing a document: the
    server rolls the open transaction back, so nothing of the half-done write is seen."""
    analyzed(postgres_url, [folders["articles"]], lexicon)
    before = export_of(postgres_url)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    run = subprocess.run([sys.executable, "-c", KILL_INSIDE, postgres_url, step, before["documents"][0]["source"]],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert check_sound(postgres_url) == before
    with Store(postgres_url, read_only=True) as store:
        assert not store.reconcile_pending()


def test_the_web_app_reads_postgresql_and_sees_a_new_run(folders, postgres_url, lexicon):
    from fastapi.testclient import TestClient

    from parley.present.web import create_app

    analyzed(postgres_url, [folders["articles"]], lexicon)
    client = TestClient(create_app(postgres_url))
    before = client.get("/api/documents").json()
    assert client.get("/api/export").json() == export_of(postgres_url)
    assert client.get("/").status_code == 200
    analyzed(postgres_url, [folders["late"]], lexicon)
    assert len(client.get("/api/documents").json()) == len(before) + 1


def test_the_web_app_shows_one_committed_state_while_a_run_writes(folders, postgres_url, tmp_path, lexicon):
    """Each answer while `parley analyze` adds two articles is the old corpus or the new one,
    never a mix of two runs' tables (REPEATABLE READ snapshots), and documents only appear."""
    from fastapi.testclient import TestClient

    from parley.present.web import create_app

    analyzed(postgres_url, [folders["articles"], folders["late"]], lexicon)
    before = export_of(postgres_url)
    client = TestClient(create_app(postgres_url))
    process = start(postgres_url, [folders["articles"], folders["late"], folders["extra"]], tmp_path / "run")
    seen = []
    while process.poll() is None:
        answer = client.get("/api/export")
        assert answer.status_code == 200
        seen.append(answer.json())
    finish(process, tmp_path / "run")
    after = check_sound(postgres_url)
    assert len(after["documents"]) == len(before["documents"]) + 2
    assert client.get("/api/export").json() == after
    counts = [len(export["documents"]) for export in seen]
    assert counts == sorted(counts)
    for export in seen:
        assert corpus_part(export) in (corpus_part(before), corpus_part(after))


def test_parley_serve_answers_from_a_postgresql_store(folders, postgres_url, tmp_path, lexicon):
    analyzed(postgres_url, [folders["articles"]], lexicon)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    with open(tmp_path / "serve.err", "w") as errors:
        server = subprocess.Popen([sys.executable, "-c", PARLEY, "serve", "--db", postgres_url,
                                   "--host", "127.0.0.1", "--port", str(port)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "serve.err").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/export", timeout=10) as answer:
                    served = json.loads(answer.read())
                break
            except OSError:
                assert time.monotonic() < deadline, "parley serve did not answer"
                time.sleep(0.2)
        assert served == export_of(postgres_url)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_a_server_that_goes_away_mid_run_is_a_one_line_error(folders, postgres_url, lexicon):
    import psycopg

    from parley.store import StoreError

    analyzed(postgres_url, [folders["late"]], lexicon)
    store = Store(postgres_url)
    with psycopg.connect(postgres_url, autocommit=True) as admin:  # as a server restart would
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    with pytest.raises(StoreError, match=r"^postgresql://\S+: lost the connection to PostgreSQL \(.*\)$"):
        store.documents()
    assert document_count(postgres_url) == 1


def terminate_connections(url: str) -> None:
    """Close every other connection to the database, as a server restart would."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def test_the_web_app_answers_503_while_its_server_is_gone_and_reads_again_after(folders, postgres_url, lexicon):
    """A restarted PostgreSQL server costs a request one line (503, Retry-After), not a 500
    page; the next request connects again and is answered, search included."""
    from fastapi.testclient import TestClient

    from parley.present.web import create_app

    analyzed(postgres_url, [folders["late"]], lexicon)
    client = TestClient(create_app(postgres_url))
    assert client.get("/api/documents").status_code == 200
    terminate_connections(postgres_url)
    gone = client.get("/api/documents")
    assert gone.status_code == 503 and gone.headers["Retry-After"] == "5"
    assert gone.json()["error"].startswith("the store cannot be read just now: postgresql://")
    assert "lost the connection to PostgreSQL" in gone.json()["error"]
    assert len(client.get("/api/documents").json()) == 1
    assert client.get("/api/ask", params={"q": "who met in Tromsdal"}).status_code == 200


def test_the_parley_command_reports_a_store_lost_mid_command_in_one_line(folders, postgres_url, lexicon,
                                                                         monkeypatch, capsys):
    """Whatever the command, a store that fails while it runs ends it with one line naming the
    store (exit status 2), never a traceback."""
    from parley import cli
    from parley.store import StoreError

    analyzed(postgres_url, [folders["late"]], lexicon)

    def lost(*args, **kwargs):
        raise StoreError(f"{display_url(postgres_url)}: lost the connection to PostgreSQL (server closed the connection)")

    monkeypatch.setattr(cli, "build_export", lost)
    monkeypatch.setattr(sys, "argv", ["parley", "timeline", "--db", postgres_url])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    assert ended.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert err.startswith("error: postgresql://") and err.endswith("(server closed the connection)")


def test_a_nul_character_in_a_feed_is_stored_as_a_replacement_character(postgres_url, tmp_path, lexicon):
    """PostgreSQL's text cannot hold NUL, which a JSON feed can carry (escaped) in a field:
    it is stored as U+FFFD, one character for one, so every offset still points right."""
    (tmp_path / "feed").mkdir()
    (tmp_path / "feed" / "wire.jsonl").write_text(
        '{"title": "Quota\\u0000talks", "text": "Envoy Maren Kvalheim met Tomas Berglund in Tromsdal '
        'on Monday.\\u0000 \\"We are close,\\" Kvalheim said."}\n', encoding="utf-8")
    analyzed(postgres_url, [tmp_path / "feed"], lexicon)
    export = export_of(postgres_url)
    assert [d["title"] for d in export["documents"]] == ["Quota\ufffdtalks"]
    with Store(postgres_url, read_only=True) as store:
        [document] = store.documents()
    assert "\ufffd" in document.text and export["events"]
    for event in export["events"]:
        assert document.text[event["start"]:event["end"]] in event["evidence"]
        assert event["evidence"] in document.text


def test_a_user_who_may_not_create_tables_gets_one_line(folders, postgres_url):
    import uuid

    import psycopg

    role = f"reader_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        admin.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")  # already so from PostgreSQL 15 on
    url = postgres_url.replace("//parley@", f"//{role}@")
    result = runner.invoke(app, ["analyze", str(folders["late"]), "--db", url])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"error: {url}: cannot open the store (permission denied"), line
