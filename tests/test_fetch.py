"""``parley fetch`` and ``parley watch`` against a real HTTP server on 127.0.0.1 (random
port; tests/web_server.py) serving invented articles about fishing-quota talks: feeds,
sitemaps and pages, and every way a page can go wrong. No other address is contacted."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from contextlib import closing
from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from parley.cli import app, parse_every
from parley.fetch import http as fetch_http
from parley.fetch.addresses import AddressRefused, check_url
from parley.fetch.http import FetchFailed, PoliteClient, Settings
from parley.fetch.sources import SourcesError, load_sources
from parley.store import Store
from web_server import ETAG, FLAKY, WEB, WebServer

runner = CliRunner()
SRC = Path(__file__).resolve().parents[1] / "src"
FAST = ["--allow-private", "--delay", "0"]


@pytest.fixture
def server():
    web = WebServer().start()
    yield web
    web.stop()


def fetch(db: Path, *args: str):
    result = runner.invoke(app, ["fetch", *args, "--db", str(db), *FAST])
    assert result.exit_code == 0, result.output
    return result


def lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.strip()]


def documents(db: Path) -> dict[str, dict]:
    with Store(db, read_only=True) as store:
        return {d.source: dataclasses.asdict(d) for d in store.documents()}


# ---------------------------------------------------------------------------- the main path


def test_a_feed_is_fetched_with_outlet_and_date_and_a_second_run_fetches_nothing(server, tmp_path):
    db = tmp_path / "talks.db"
    first = fetch(db, f"{server.base}/feed.xml")
    assert lines(first)[-1].startswith("fetched 3, unchanged 0, skipped 0 (0 filtered, 0 duplicate, 0 robots), "
                                       "failed 0; 3 new documents")
    stored = documents(db)
    opened = stored[f"{server.base}/news/quota-talks-open.html"]  # the relative link, made absolute
    assert (opened["outlet"], opened["published"], opened["author"]) == ("Fjord Ledger", "2026-03-02", "Sigrid Aalto")
    assert opened["url"] == f"{server.base}/news/quota-talks-open.html"
    undated = stored[f"{server.base}/news/envoys-meet-again.html"]  # the page has no date nor site name
    assert (undated["published"], undated["outlet"]) == ("2026-03-03", "Fjord Ledger: Fisheries")
    # the store knows what the articles say, as after `parley analyze`
    with Store(db, read_only=True) as store:
        assert not store.reconcile_pending()
        assert any(actor["name"] == "Maren Kvalheim" for actor in store.rows("actors"))
        # every page an article came from is kept raw, byte for byte
        body = store.db.execute("SELECT body FROM responses WHERE url = ?", (opened["url"],)).fetchone()[0]
    assert zlib.decompress(body) == (WEB / "news" / "quota-talks-open.html").read_bytes()

    second = fetch(db, f"{server.base}/feed.xml")
    assert lines(second)[-1].startswith("fetched 0, unchanged 3, skipped 0")
    feed_requests = [headers for path, headers in server.log if path == "/feed.xml"]
    assert feed_requests[1].get("If-None-Match") == ETAG  # a conditional GET, answered 304
    assert server.requests("/news/quota-talks-open.html") == 1  # items read before are not downloaded again
    assert len(documents(db)) == 3


def test_a_feed_is_fetched_into_a_postgresql_store_the_same_way(server, postgres_url):
    first = runner.invoke(app, ["fetch", f"{server.base}/feed.xml", "--db", postgres_url, *FAST])
    assert first.exit_code == 0, first.output
    assert lines(first)[-1].startswith("fetched 3, unchanged 0")
    with Store(postgres_url, read_only=True) as store:
        assert len(store.documents()) == 3 and not store.reconcile_pending()
        url = f"{server.base}/news/quota-talks-open.html"
        body = store.db.execute("SELECT body FROM responses WHERE url = ?", (url,)).fetchone()[0]
    assert zlib.decompress(bytes(body)) == (WEB / "news" / "quota-talks-open.html").read_bytes()
    second = runner.invoke(app, ["fetch", f"{server.base}/feed.xml", "--db", postgres_url, *FAST])
    assert lines(second)[-1].startswith("fetched 0, unchanged 3")


def test_a_watch_outlasts_its_postgresql_server_going_away(server, postgres_server, postgres_url, monkeypatch):
    """The store out of reach at the second pass costs that pass one line; the third pass
    reaches it again and carries on. (Out of reach on the first pass, it ends the watch.)"""
    import psycopg

    name = postgres_url.rsplit("/", 1)[1]

    def rename(old: str, new: str) -> None:
        with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (old,))
            admin.execute(f"ALTER DATABASE {old} RENAME TO {new}")

    outage = iter([lambda: rename(name, name + "_gone"), lambda: rename(name + "_gone", name)])
    real_sleep = time.sleep

    def between_passes(seconds: float) -> None:
        if seconds < 600:  # the fetch's own waits
            return real_sleep(seconds)
        step = next(outage, None)
        if step is None:
            raise KeyboardInterrupt
        step()

    monkeypatch.setattr(time, "sleep", between_passes)
    result = runner.invoke(app, ["watch", f"{server.base}/feed.xml", "--db", postgres_url, "--every", "1h", *FAST])
    assert result.exit_code == 0, result.output
    out = [line for line in lines(result) if " fetching 1 source" not in line]
    assert out[0].startswith("fetched 3, unchanged 0")
    assert out[1].startswith("error: postgresql://") and "cannot connect to PostgreSQL" in out[1]
    assert out[1].endswith("trying again at the next pass")
    assert out[2].startswith("fetched 0, unchanged 3") and out[3] == "stopped watching."
    with Store(postgres_url, read_only=True) as store:
        assert len(store.documents()) == 3
    rename(name, name + "_gone")
    first = runner.invoke(app, ["watch", f"{server.base}/feed.xml", "--db", postgres_url, "--every", "1h", *FAST])
    assert first.exit_code == 2 and lines(first)[-1].startswith("error: postgresql://")


def test_brief_since_lists_exactly_what_the_second_fetch_added(server, tmp_path):
    """The feed grows by one item between two fetches: the brief since a moment between them
    names that article alone, and what it adds (its quotation), cited to it."""
    import json
    import re
    import time

    from parley.store import utc_stamp

    whole = (WEB / "feed.xml").read_bytes()
    first_two = re.sub(rb"<item>\s*<title>Joint statement.*?</item>", b"", whole, flags=re.S)

    def growing(handler, hits):  # a feed that gains its third item after the first fetch
        body = first_two if hits == 1 else whole
        handler.answer(200, body, "application/rss+xml", {"ETag": f'"growing-{min(hits, 2)}"'})

    server.routes["/growing.xml"] = growing
    db = tmp_path / "talks.db"
    fetch(db, f"{server.base}/growing.xml")
    time.sleep(1.1)  # stored times are kept to the second
    between = utc_stamp()
    time.sleep(1.1)
    second = fetch(db, f"{server.base}/growing.xml")
    assert lines(second)[-1].startswith("fetched 1, unchanged 2")
    out = tmp_path / "brief.json"
    result = runner.invoke(app, ["brief", "--since", between, "--db", str(db), "--json", str(out)])
    assert result.exit_code == 0, result.output
    brief = json.loads(out.read_text(encoding="utf-8"))
    new = f"{server.base}/news/joint-statement.html"
    assert [d["source"] for d in brief["documents"]] == [new]
    items = [item for kind in ("events", "positions", "quotes", "figures") for item in brief[kind]]
    assert all(item["cite"]["document"] == new for item in items)  # nothing of the first fetch
    assert len(brief["quotes"]) + brief["other_quotes"] == 1  # Kvalheim's words, the one quotation


def test_requests_name_parley_and_ask_robots_txt_first(server, tmp_path):
    fetch(tmp_path / "p.db", f"{server.base}/feed.xml")
    assert server.log[0][0] == "/robots.txt"
    assert all(headers["User-Agent"].startswith("parley/") for _, headers in server.log)


def test_two_feeds_sharing_an_item_store_it_once_and_a_full_atom_entry_needs_no_download(server, tmp_path):
    db = tmp_path / "p.db"
    result = fetch(db, f"{server.base}/feed.xml", f"{server.base}/atom.xml")
    assert f"duplicate {server.base}/news/joint-statement.html: listed by another source" in lines(result)
    assert lines(result)[-1].startswith("fetched 4, unchanged 0, skipped 1 (0 filtered, 1 duplicate")
    assert server.requests("/news/joint-statement.html") == 1
    assert server.requests("/watch/levy-costs.html") == 0  # the Atom entry carries the article whole
    levy = documents(db)[f"{server.base}/watch/levy-costs.html"]
    assert (levy["outlet"], levy["author"], levy["published"]) == ("Harbour Watch", "Lene Dahl", "2026-03-06")
    assert levy["text"].startswith("The harbour levy that the commission proposed")


def test_sitemaps_news_sitemaps_and_single_pages(server, tmp_path):
    db = tmp_path / "p.db"
    result = fetch(db, f"{server.base}/sitemap_index.xml", f"{server.base}/news/joint-statement.html")
    assert lines(result)[-1].startswith("fetched 3, unchanged 0")
    stored = documents(db)
    # the news sitemap's publication name and date stand in for what the page lacks
    met = stored[f"{server.base}/news/envoys-meet-again.html"]
    assert (met["outlet"], met["published"]) == ("Coastal Courier", "2026-03-03")
    again = fetch(db, f"{server.base}/sitemap_index.xml", f"{server.base}/news/joint-statement.html")
    assert lines(again)[-1].startswith("fetched 0, unchanged 3")


def test_keywords_keep_only_matching_items_and_their_pages_are_never_downloaded(server, tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nurl = "{server.base}/feed.xml"\nname = "Ledger"\nkeywords = ["ceasefire"]\n')
    db = tmp_path / "p.db"
    result = fetch(db, "--sources", str(sources))
    assert f"filtered {server.base}/news/quota-talks-open.html: names none of the keywords" in lines(result)
    assert lines(result)[-1].startswith("fetched 1, unchanged 0, skipped 2 (2 filtered")
    assert list(documents(db)) == [f"{server.base}/news/joint-statement.html"]
    assert server.requests("/news/quota-talks-open.html") == 0


# ---------------------------------------------------------------------------- everything that goes wrong


def test_every_trouble_gives_its_outcome_in_one_line(server, tmp_path):
    db = tmp_path / "p.db"
    base = server.base
    result = runner.invoke(app, ["fetch", f"{base}/trouble.xml", f"{base}/malformed.xml", f"{base}/bomb.xml",
                                 "--db", str(db), *FAST, "--timeout", "0.5", "--retries", "1"])
    assert result.exit_code == 0, result.output
    out = lines(result)
    expected = [
        f"failed {base}/malformed.xml: malformed feed: malformed XML (no element found: line 6, column 0), "
        "no item could be read",
        f"failed {base}/bomb.xml: refused: the XML declares entities or external references "
        "(a possible entity-expansion bomb)",
        f"failed {base}/slow.html: timed out after 0.5s (2 tries)",
        f"failed {base}/loop-a: redirect loop ({base}/loop-a -> {base}/loop-b -> {base}/loop-a)",
        f"failed {base}/huge.html: larger than the 10 MB limit (stopped reading there)",
        f"failed {base}/report.pdf: not a web page or feed (application/pdf)",
        f"failed {base}/bomb.html: larger than the 10 MB limit (once decompressed)",
        f"failed {base}/news/removed.html: HTTP 404 Not Found",
        f"skipped {base}/private/minutes.html: disallowed by robots.txt",
    ]
    assert out[:-1] == expected
    assert out[-1].startswith("fetched 1, unchanged 0, skipped 1 (0 filtered, 0 duplicate, 1 robots), failed 8")
    # a 500 is tried again and the second answer is stored; a 404 is not tried again
    assert server.requests("/flaky.html") == 2
    assert documents(db)[f"{base}/flaky.html"]["published"] == "2026-03-07"
    assert server.requests("/news/removed.html") == 1
    assert server.requests("/slow.html") == 2
    assert server.requests("/private/minutes.html") == 0
    # On the next run (the feed itself answers 304) only the timeout is tried again: a 404, a PDF,
    # a page too large or a redirect loop will fail the same way, so they are left alone for a day.
    again = runner.invoke(app, ["fetch", f"{base}/trouble.xml", "--db", str(db), *FAST, "--retries", "0",
                                "--timeout", "0.5"])
    assert lines(again)[-1].startswith("fetched 0, unchanged 1, skipped 6 (0 filtered, 0 duplicate, 1 robots, "
                                       "5 failed before), failed 1")
    held = [line for line in lines(again) if line.startswith("held off")]
    assert held[-1].startswith(f"held off {base}/news/removed.html: failed before: HTTP 404 Not Found (1 time; "
                               "asked again after ")
    assert server.requests("/news/removed.html") == 1 and server.requests("/slow.html") == 3
    # --retry-failed-after 0 asks every time
    every = runner.invoke(app, ["fetch", f"{base}/trouble.xml", "--db", str(db), *FAST, "--retries", "0",
                                "--timeout", "0.5", "--retry-failed-after", "0"])
    assert lines(every)[-1].startswith("fetched 0, unchanged 1, skipped 1 (0 filtered, 0 duplicate, 1 robots), failed 6")
    assert server.requests("/news/removed.html") == 2


def test_an_item_that_keeps_failing_is_left_alone_longer_each_time(tmp_path):
    from datetime import datetime, timedelta, timezone

    from parley.fetch.http import PoliteClient, Settings
    from parley.fetch.run import Fetcher, hold_off

    assert [hold_off(n, 3600) for n in (1, 2, 3)] == [timedelta(hours=1), timedelta(hours=2), timedelta(hours=4)]
    assert hold_off(40, 86_400) == timedelta(days=30)
    clock = [datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)]
    with Store(tmp_path / "p.db") as store, PoliteClient(Settings(retry_failed_after=3600)) as client:
        fetcher = Fetcher(store, client, now=lambda: clock[0])
        url = "https://news.example/gone.html"
        store.remember_fetch_failure(url, "HTTP 410 Gone", clock[0])
        store.remember_fetch_failure(url, "HTTP 410 Gone", clock[0])  # twice: two hours off
        clock[0] += timedelta(minutes=119)
        assert fetcher._held_off(url)
        clock[0] += timedelta(minutes=1)
        assert not fetcher._held_off(url)
        store.remember_items([url], None)  # read at last: forgotten
        assert store.fetch_failure(url) is None


def test_private_addresses_are_refused_unless_allowed(server, tmp_path):
    result = runner.invoke(app, ["fetch", f"{server.base}/feed.xml", "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 0
    assert lines(result)[0] == (f"failed {server.base}/feed.xml: refused: 127.0.0.1 resolves to the non-public "
                                "address 127.0.0.1 (add --allow-private to fetch from it)")
    assert server.log == []  # not even robots.txt was asked for
    for url in ("http://10.0.0.7/feed", "http://169.254.169.254/latest/meta-data", "http://[::1]:8000/",
                "http://192.168.1.1/", "file:///etc/passwd", "ftp://127.0.0.1/feed"):
        with pytest.raises(AddressRefused):
            check_url(url)


def test_a_redirect_to_a_private_address_is_refused_at_that_hop(server, monkeypatch):
    """The test server itself is on loopback: allow that one host, check every other as usual."""

    def check_all_but_the_test_server(url: str, allow_private: bool = False) -> None:
        if not url.startswith(server.base):
            check_url(url, allow_private)

    monkeypatch.setattr(fetch_http, "check_url", check_all_but_the_test_server)
    monkeypatch.setattr(fetch_http, "check_peer", lambda address: None)  # the connection to the test server

    def to_metadata(handler, hits):
        handler.send_response(302)
        handler.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        handler.end_headers()

    server.routes["/moved"] = to_metadata
    with PoliteClient(Settings(delay=0)) as client, pytest.raises(FetchFailed, match="non-public address 169.254"):
        client.get(f"{server.base}/moved")


def test_a_store_in_use_is_waited_for_then_refused_in_one_line(server, tmp_path):
    db = tmp_path / "p.db"
    with FileLock(f"{db}.lock"):
        result = runner.invoke(app, ["fetch", f"{server.base}/feed.xml", "--db", str(db), *FAST, "--wait", "0"])
    assert result.exit_code == 2
    assert lines(result)[-1] == (f"error: {db}: another parley run (analyze, fetch or watch) is writing to this "
                                 "store; gave up after waiting 0s (run again once it has finished)")
    assert server.log == []


# ---------------------------------------------------------------------------- the sources file and options


def test_a_sources_file_is_read_with_names_and_keywords(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text('keywords = ["ceasefire"]\n[[source]]\nurl = "https://a.example/rss"\nname = "A"\n'
                    '[[source]]\nurl = "https://b.example/sitemap.xml"\nkeywords = ["Witkoff", "Ukraine"]\n')
    first, second = load_sources(path)
    assert (first.name, first.keywords) == ("A", ("ceasefire",))
    assert second.keywords == ("Witkoff", "Ukraine")
    assert second.matches("UKRAINE'S envoys met") and second.matches("witkoff-visit") and not second.matches("quota talks")


@pytest.mark.parametrize("text, problem", [
    ("[[source]\n", "not valid TOML"),
    ("[[source]]\nname = 'A'\n", "source 1: needs a url"),
    ("[[source]]\nurl = 'ftp://a.example/'\n", "source 1: 'ftp://a.example/' is not an http or https URL"),
    ("[[source]]\nurl = 'https://a.example/'\nkeyword = ['x']\n", "source 1: unknown key 'keyword'"),
    ("[[source]]\nurl = 'https://a.example/'\nkeywords = 'x'\n", "'keywords' must be a list of words"),
    ("title = 'mine'\n", "unknown setting 'title'"),
])
def test_a_bad_sources_file_is_one_line_naming_the_file(tmp_path, text, problem):
    path = tmp_path / "sources.toml"
    path.write_text(text)
    with pytest.raises(SourcesError, match=problem):
        load_sources(path)
    result = runner.invoke(app, ["fetch", "--sources", str(path), "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 2
    assert len(lines(result)) == 1 and lines(result)[0].startswith(f"error: {path}: ")
    assert not (tmp_path / "p.db").exists()


def test_watch_intervals_read_as_people_write_them(tmp_path):
    assert [parse_every(v) for v in ("90s", "30m", "2h", "45")] == [90, 1800, 7200, 2700]
    result = runner.invoke(app, ["watch", "https://a.example/rss", "--every", "soon", "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 2 and lines(result) == ["error: --every: 'soon' is not a duration such as 90s, 30m or 2h"]
    assert runner.invoke(app, ["fetch", "--db", str(tmp_path / "p.db")]).exit_code == 2


# ---------------------------------------------------------------------------- watch, interrupted

# Ctrl-C raises KeyboardInterrupt in the child as in a terminal, even when the tests run where
# SIGINT is ignored (a job a non-interactive shell sent to the background: Python then leaves
# the signal ignored, and the child would never stop).
PARLEY = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
          "sys.modules['torch'] = None; from parley import embeddings; "
          "embeddings.embed_with_model = embeddings.bag_of_words; "
          "from parley.cli import app; sys.argv[0] = 'parley'; app()")


def check_whole(db: Path) -> None:
    with closing(sqlite3.connect(db)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM documents d LEFT JOIN extractions e ON e.document_id = d.id "
                           "WHERE e.document_id IS NULL").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM fetched_items i LEFT JOIN documents d ON d.id = i.document_id "
                           "WHERE d.id IS NULL").fetchone()[0] == 0
        for (body,) in con.execute("SELECT body FROM responses"):
            zlib.decompress(body)


def stopped_once_asked(server, path: str, sig: int, log: Path, *args: str) -> int:
    """Run parley with ``args`` in a process of its own (stderr to ``log``), send it ``sig`` as
    soon as the server is asked for ``path``, and return its exit code (it must end within 60 s)."""
    with open(log, "w") as err:
        parley = subprocess.Popen([sys.executable, "-c", PARLEY, *args], env={**os.environ, "PYTHONPATH": str(SRC)},
                                  stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 120
    while server.requests(path) == 0:
        assert parley.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.02)
    parley.send_signal(sig)
    return parley.wait(timeout=60)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_watch_stopped_mid_fetch_leaves_the_store_whole_and_a_rerun_completes(server, tmp_path, sig):
    db = tmp_path / "p.db"
    base = server.base
    # a first pass stores the Atom feed's two articles; the second is stopped while it waits for the slow page
    fetch(db, f"{base}/atom.xml")
    log = tmp_path / "watch.err"
    code = stopped_once_asked(server, "/slow.html", sig, log, "watch", f"{base}/atom.xml", f"{base}/feed.xml",
                              f"{base}/slow.html", "--db", str(db), "--every", "1h", *FAST)
    assert code != 0
    if sig == signal.SIGINT:
        assert "interrupted: what was stored is kept and whole" in log.read_text()
    check_whole(db)
    again = fetch(db, f"{base}/atom.xml", f"{base}/feed.xml", f"{base}/slow.html")
    assert lines(again)[-1].startswith("fetched 3, unchanged 2, skipped 0")
    check_whole(db)
    with Store(db, read_only=True) as store:
        assert not store.reconcile_pending()
        assert len(store.documents()) == 5
    assert json.loads(json.dumps(documents(db)))  # every row reads back


def test_ctrl_c_ends_a_fetch_at_once_though_a_server_never_answers(server, tmp_path):
    """The request under way is dropped, not waited for (here it would wait ten minutes)."""
    log = tmp_path / "fetch.err"
    code = stopped_once_asked(server, "/stalled.html", signal.SIGINT, log, "fetch", f"{server.base}/stalled.html",
                              "--db", str(tmp_path / "p.db"), "--timeout", "600", *FAST)
    assert code == 130
    assert "interrupted: what was stored is kept and whole" in log.read_text()
    check_whole(tmp_path / "p.db")


# ---------------------------------------------------------------------------- telling content apart


def test_feeds_of_every_kind_are_told_apart_by_content_and_entities_are_refused():
    from parley.fetch.discover import NotReadable, discover

    rdf = (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           b'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
           b'<channel rdf:about="x"><title>Quota Wire</title></channel><item rdf:about="/q/2">'
           b"<title>Second round</title><link>/q/2</link><dc:date>2026-03-04T10:00:00Z</dc:date></item></rdf:RDF>")
    found = discover(rdf, "https://wire.example/rdf")  # RSS 1.0, served under any name
    assert (found.kind, found.title) == ("feed", "Quota Wire")
    assert [(i.url, i.published) for i in found.items] == [("https://wire.example/q/2", "2026-03-04")]
    # RSS 0.91 leaning on an HTML entity its DTD defines: not well-formed XML, read loosely with a warning
    old = (b'<?xml version="1.0"?><rss version="0.91"><channel><title>Old Ledger</title>'
           b"<item><title>Talks&nbsp;resume</title><link>https://old.example/1</link></item></channel></rss>")
    loose = discover(old, "https://old.example/rss")
    assert [i.title for i in loose.items] == ["Talks resume"] and "read loosely" in loose.warning
    assert discover(b"<!DOCTYPE html><html><body><p>hello</p></body></html>", "https://a.example/feed.xml").kind == "page"
    for hostile in (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    b"<rss><channel><title>&x;</title></channel></rss>",
                    b'<rss><channel></chan><!DOCTYPE r [<!ENTITY a "aaaa">]><title>&a;</title></channel></rss>'):
        with pytest.raises(NotReadable, match="declares entities"):
            discover(hostile, "https://a.example/rss")


# ---------------------------------------------------------------------------- the client's manners


class FakeClock:
    """Stands in for ``time`` in parley.fetch.http: sleeping moves the clock, and is recorded."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def test_one_host_is_asked_at_the_given_pace_and_errors_are_retried_with_growing_waits(server, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(fetch_http, "time", clock)
    with PoliteClient(Settings(delay=2, allow_private=True)) as client:
        client.get(f"{server.base}/feed.xml")  # robots.txt first, then the feed: 2 s apart
        client.get(f"{server.base}/atom.xml")
    assert clock.sleeps == [2, 2]
    clock.sleeps.clear()
    server.routes["/busy"] = lambda handler, hits: handler.answer(503, b"busy", "text/plain")
    with PoliteClient(Settings(delay=0, retries=2, backoff=1, allow_private=True)) as client:
        with pytest.raises(FetchFailed, match=r"^HTTP 503 Service Unavailable \(3 tries\)$"):
            client.get(f"{server.base}/busy")
    assert clock.sleeps == [1, 2] and server.requests("/busy") == 3


def test_a_host_that_says_when_to_come_back_is_waited_for_and_not_asked_sooner(server, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(fetch_http, "time", clock)

    def busy_once(handler, hits):
        if hits == 1:
            handler.answer(429, b"slow down", "text/plain", {"Retry-After": "7"})
        else:
            handler.answer(200, FLAKY, "text/html")

    server.routes["/busy.html"] = busy_once
    with PoliteClient(Settings(delay=0, retries=2, backoff=1, allow_private=True)) as client:
        assert client.get(f"{server.base}/busy.html").body == FLAKY
        # the host's next request waits out the rest of the time asked for, no more
        client.get(f"{server.base}/feed.xml")
    assert clock.sleeps == [7] and server.requests("/busy.html") == 2

    # without a Retry-After, a 429 is tried again with growing waits, like a 5xx
    clock.sleeps.clear()
    server.routes["/crowded"] = lambda handler, hits: handler.answer(429, b"no", "text/plain")
    with PoliteClient(Settings(delay=0, retries=2, backoff=1, allow_private=True)) as client:
        with pytest.raises(FetchFailed, match=r"^HTTP 429 Too Many Requests \(3 tries\)$"):
            client.get(f"{server.base}/crowded")
    assert clock.sleeps == [1, 2]


def test_a_host_that_asks_for_a_long_wait_is_left_for_a_later_pass(server, tmp_path):
    server.routes["/feed.xml"] = lambda handler, hits: handler.answer(
        503, b"maintenance", "text/plain", {"Retry-After": "7200"})
    with PoliteClient(Settings(delay=0, allow_private=True)) as client:
        with pytest.raises(FetchFailed, match=r"^HTTP 503 Service Unavailable, asked to wait 2 h: left for a later pass$"):
            client.get(f"{server.base}/feed.xml")
        with pytest.raises(FetchFailed, match=rf"^not asked: 127\.0\.0\.1:{server.server_address[1]} asked parley "
                                              r"to wait until \d{4}-\d\d-\d\d \d\d:\d\d UTC$"):
            client.get(f"{server.base}/atom.xml")
    assert server.requests("/feed.xml") == 1 and server.requests("/atom.xml") == 0
    # in a pass: one line, and not a lasting failure, so the next pass asks again
    db = tmp_path / "p.db"
    assert lines(fetch(db, f"{server.base}/feed.xml"))[0] == (
        f"failed {server.base}/feed.xml: HTTP 503 Service Unavailable, asked to wait 2 h: left for a later pass")
    del server.routes["/feed.xml"]
    assert lines(fetch(db, f"{server.base}/feed.xml"))[-1].startswith("fetched 3,")


def test_retry_after_reads_seconds_and_dates():
    from datetime import datetime, timezone

    from parley.fetch.http import retry_after

    now = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
    assert retry_after("120", now) == 120
    assert retry_after("Sun, 01 Mar 2026 08:02:30 GMT", now) == 150
    assert retry_after("Sun, 01 Mar 2026 07:00:00 GMT", now) == 0  # already past
    assert retry_after("soon", now) is None and retry_after(None, now) is None and retry_after("-5", now) is None
    assert retry_after("²", now) is None and retry_after("٣٠", now) is None  # digits, but not a number of seconds


def test_a_gzipped_page_is_read_whole(server):
    import gzip

    server.routes["/zipped.html"] = lambda handler, hits: handler.answer(
        200, gzip.compress(FLAKY), "text/html", {"Content-Encoding": "gzip"})
    with PoliteClient(Settings(delay=0, allow_private=True)) as client:
        assert client.get(f"{server.base}/zipped.html").body == FLAKY


def test_a_host_whose_robots_txt_cannot_be_read_is_left_alone_for_now(server, tmp_path):
    server.routes["/robots.txt"] = lambda handler, hits: handler.answer(503, b"down", "text/plain")
    result = fetch(tmp_path / "p.db", f"{server.base}/feed.xml")
    assert lines(result)[0] == (f"skipped {server.base}/feed.xml: robots.txt could not be read "
                                "(HTTP 503 Service Unavailable), so nothing is fetched from this host for now")
    assert [path for path, _ in server.log] == ["/robots.txt"]


@pytest.mark.parametrize("body, problem", [
    (b'<?xml version="1.0" encoding="bogus"?><rss><channel></channel></rss>', "unknown encoding: bogus"),
    (b'<?xml version="1.0"?>', "malformed XML"),
    (b"<?xml version='1.0'?><opml><body/></opml>", "neither a feed nor a sitemap"),
])
def test_odd_xml_is_one_line_not_a_traceback(body, problem):
    from parley.fetch.discover import NotReadable, discover

    with pytest.raises(NotReadable, match=problem):
        discover(body, "https://a.example/x")


def test_a_name_that_resolves_differently_when_connecting_is_caught_at_the_connection(server, monkeypatch):
    """DNS rebinding: the name looked public when checked, the connection reached loopback."""
    monkeypatch.setattr(fetch_http, "check_url", lambda url, allow_private=False: None)
    with PoliteClient(Settings(delay=0)) as client:
        with pytest.raises(FetchFailed, match=r"^refused: the connection reached the non-public address 127\.0\.0\.1"):
            client.get(f"{server.base}/feed.xml")


# ---------------------------------------------------------------------------- whatever a server sends

_PIECES = st.sampled_from([
    b'<?xml version="1.0"?>', b"<rss>", b"</rss>", b"<channel>", b"<item>", b"<link>", b"/a.html", b"</link>",
    b'<feed xmlns="http://www.w3.org/2005/Atom">', b'<entry><link href="', b"<urlset>", b"<url><loc>",
    b"<sitemapindex>", b"<!DOCTYPE x [", b'<!ENTITY a "b">', b"]>", b"&a;", b"&amp;", b"<html>", b"<p>",
    b"\x00", b"\xff\xfe", b"\xe2\x80\x8f", b"javascript:alert(1)", b"<![CDATA[", b"]]>", b"Kvalheim said",
])


@given(body=st.one_of(st.binary(max_size=300), st.lists(_PIECES, max_size=40).map(b"".join)))
def test_any_answer_is_told_apart_or_refused_in_one_line(body):
    from parley.fetch.discover import NotReadable, discover
    from parley.fetch.pages import NoArticle, page_document

    try:
        found = discover(body, "https://a.example/feed")
        assert found.kind in ("feed", "sitemap", "sitemap index", "page")
        assert all(isinstance(item.url, str) for item in found.items)
    except NotReadable as err:
        assert "\n" not in str(err)
    try:
        page_document(body, "https://a.example/page")
    except NoArticle as err:
        assert "\n" not in str(err)
