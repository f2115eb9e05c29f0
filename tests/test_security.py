"""What a hostile article, a hostile request or a hostile file can and cannot do: the tests
behind the security checklist of the README (each checklist line names its test here or in
tests/test_web.py).

The small corpus is written for these tests: an invented negotiation whose text, titles and
outlets carry markup, template syntax and an XML external entity."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from parley import embeddings
from parley.cli import app as cli
from parley.present.html import render_briefing
from parley.present.views import load_source
from parley.present.web import (MAX_HEADER_BYTES, MAX_QUERY_PARAMS, MAX_URL_CHARS, SECURITY_HEADERS, TOKEN_COOKIE,
                                create_app, start_in_background)
from parley.store import Store

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "team-token-4f9c2a7d1e"
SECRET = "SECRET-LINE-FROM-A-LOCAL-FILE"

_spec = importlib.util.spec_from_file_location("web_load", ROOT / "benchmarks" / "web_load.py")
web_load = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(web_load)

REEF = """Reef Courier - April 2, 2026

Reef talks <script>alert(1)</script> go on in Lisbon {{ 7*7 }}

Envoy Marta Lindqvist met Minister Joao Ferreira in Lisbon on Tuesday to settle the fishing quota for the reef.

Ferreira said: "We will accept {{ 7*7 }} boats and not one more, whatever {% if true %}they{% endif %} send us <script>alert(2)</script>."

Lindqvist said the quota offer of 40 boats was still on the table, according to her office.
"""

DELTA_PAGE = """<?xml version="1.0"?>
<!DOCTYPE html [
  <!ENTITY secret SYSTEM "file://{secret}">
  <!ENTITY remote SYSTEM "http://192.0.2.7/entity">
]>
<html><head><title>Delta ministers close in on a quota deal - Delta Post</title>
<meta property="og:site_name" content="Delta Post">
<meta property="article:published_time" content="2026-04-03T09:00:00Z"></head>
<body><article><h1>Delta ministers close in on a quota deal</h1>
<p>Minister Joao Ferreira met Envoy Marta Lindqvist again in Lisbon on Wednesday, and both sides said the gap on the reef quota was narrowing.</p>
<p>The file says &secret; and the feed says &remote; while the ministers talked about boats, harbours and the season ahead for the fleet.</p>
<p>Ferreira said the fleet would accept a review of the quota in the autumn if the reef recovers, according to his spokesman.</p>
</article></body></html>
"""

FEED = {"title": "Quota {{ 7*7 }} ${7*7} <img src=x onerror=alert(3)> talks", "outlet": "{{ config }} Gazette",
        "published": "2026-04-04", "url": "https://gazette.example/quota",
        "text": "Gazette - April 4, 2026\n\nEnvoy Marta Lindqvist said on Thursday that the reef quota talks would "
                "resume in Porto next week after a pause of {{ 7*7 }} hours, and that no deal was signed yet."}


# ---------------------------------------------------------------- no network at run time

LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")


def _is_local(address: object) -> bool:
    if not isinstance(address, tuple):  # a Unix socket path
        return True
    host = str(address[0])
    return host in LOCAL_HOSTS or host.startswith("127.")


@contextmanager
def network_blocked() -> Iterator[list]:
    """Every connection and name look-up but to this machine fails, and is recorded."""
    attempts: list = []
    real_connect, real_connect_ex, real_getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def connect(self, address):
        if not _is_local(address):
            attempts.append(address)
            raise OSError(f"network blocked in tests: {address}")
        return real_connect(self, address)

    def connect_ex(self, address):
        if not _is_local(address):
            attempts.append(address)
            return 111
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _is_local((host.decode() if isinstance(host, bytes) else host,)):
            attempts.append(host)
            raise socket.gaierror(f"network blocked in tests: {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        patch.setattr(socket.socket, "connect_ex", connect_ex)
        patch.setattr(socket, "getaddrinfo", getaddrinfo)
        yield attempts


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    secret = folder.parent / "secret.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    (folder / "reef-courier.txt").write_text(REEF, encoding="utf-8")
    (folder / "delta-post.html").write_text(DELTA_PAGE.replace("{secret}", str(secret)), encoding="utf-8")
    (folder / "gazette-feed.jsonl").write_text(json.dumps(FEED) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory, lexicon) -> Path:
    """The corpus above, analysed with the bag-of-words stand-in for the sentence model."""
    from parley.pipeline import analyze

    folder = write_corpus(tmp_path_factory.mktemp("hostile") / "corpus")
    db = folder.parent / "hostile.db"
    with pytest.MonkeyPatch.context() as patch, Store(db) as store:
        patch.setattr(embeddings, "embed_with_model", embeddings.bag_of_words)
        analyze([folder], store, lexicon)
    return db


@pytest.fixture(scope="module")
def hostile_client(hostile_store: Path) -> TestClient:
    return TestClient(create_app(hostile_store))


def every_url(client: TestClient) -> list[str]:
    """A concrete URL for every GET route of the app, with real ids (as the load test makes them)."""
    urls = web_load.fill_routes(web_load.page_routes(client.app), lambda path: client.get(path).json())
    return [url for variants in urls.values() for url in variants]


def test_analyze_and_serve_make_no_network_request(tmp_path: Path, lexicon, monkeypatch):
    """parley analyze (HTML page with a remote entity included, real sentence model loaded
    afresh) and parley serve on it, with every non-local connection refused and recorded."""
    from parley.pipeline import analyze

    folder = write_corpus(tmp_path / "corpus")
    monkeypatch.setattr(embeddings, "embed_with_model", embeddings.THE_MODEL)  # the real model, from its package
    embeddings._load_model.cache_clear()
    with network_blocked() as attempts:
        with pytest.raises(OSError):  # the guard itself works: a name look-up, and a connection
            socket.create_connection(("example.org", 80), timeout=1)
        with pytest.raises(OSError), socket.socket() as sock:
            sock.connect(("192.0.2.1", 80))
        assert attempts == ["example.org", ("192.0.2.1", 80)]
        attempts.clear()
        with Store(tmp_path / "net.db") as store:
            report = analyze([folder], store, lexicon)
        assert len(report.added) == 3
        base, stop = start_in_background(create_app(tmp_path / "net.db"))
        try:
            with httpx.Client(base_url=base, timeout=60) as http:
                assert http.get("/api/ask", params={"q": "How many boats will they accept?"}).json()["answers"]
                for url in web_load.fill_routes(web_load.page_routes(create_app(tmp_path / "net.db")),
                                                lambda path: http.get(path).json()).values():
                    assert http.get(url[0]).status_code == 200, url[0]
        finally:
            stop()
    assert attempts == []


# ---------------------------------------------------------------- escaping and template injection

def test_markup_in_articles_is_escaped_on_every_page_and_in_the_briefing(hostile_client: TestClient, hostile_store):
    pages = {url: hostile_client.get(url).text for url in every_url(hostile_client)
             if not url.startswith(("/api/", "/static/"))}  # JSON carries the text as it is, as data
    with Store(hostile_store, read_only=True) as store:
        pages["briefing.html"] = render_briefing(load_source(store))
    for url, html in pages.items():
        assert "<script>alert(" not in html, url
        assert "<img src=x" not in html, url
    reef = next(d for d in hostile_client.get("/api/documents").json() if d["source"] == "reef-courier.txt")
    page = hostile_client.get(f"/documents/{reef['id']}").text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in pages["briefing.html"]


def test_template_syntax_in_articles_is_shown_not_evaluated(hostile_client: TestClient, hostile_store):
    pages = {url: hostile_client.get(url).text for url in every_url(hostile_client)}
    with Store(hostile_store, read_only=True) as store:
        pages["briefing.html"] = render_briefing(load_source(store))
    for url, html in pages.items():
        for evaluated in ("accept 49 boats", "pause of 49 hours", "Quota 49", "whatever they send"):
            assert evaluated not in html, (url, evaluated)
    reef = next(d for d in hostile_client.get("/api/documents").json() if d["source"] == "reef-courier.txt")
    for html in (hostile_client.get(f"/documents/{reef['id']}").text, pages["briefing.html"]):
        assert "accept {{ 7*7 }} boats" in html
        assert "whatever {% if true %}they{% endif %} send" in html
    assert "{{ config }} Gazette" in hostile_client.get("/documents").text


# ---------------------------------------------------------------- XML: no entity is expanded

BOMB = """<?xml version="1.0"?>
<!DOCTYPE Document [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<Document doc_id="1" doc_name="bomb" lang="en"><token number="0" sentence="0" t_id="1">&d;</token></Document>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file://{secret}">]>
<Document doc_id="2" doc_name="external" lang="en"><token number="0" sentence="0" t_id="1">&secret;</token></Document>
"""


@pytest.mark.parametrize("name, text", [("bomb", BOMB), ("external", EXTERNAL)])
def test_meantime_xml_with_entities_is_refused_in_one_line(tmp_path: Path, name: str, text: str):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / f"{name}.xml").write_text(text.replace("{secret}", str(secret)), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "--meantime", str(tmp_path / "corpus")])
    output = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert f"{name}.xml: refused: the XML declares entities" in output
    assert SECRET not in output and "Traceback" not in output


def test_an_html_page_with_entities_is_read_without_expanding_them(hostile_client: TestClient):
    """trafilatura (lxml's HTML parser) reads the page; the file entity is not pulled in."""
    delta = next(d for d in hostile_client.get("/api/documents").json() if d["source"] == "delta-post.html")
    text = hostile_client.get(f"/api/documents/{delta['id']}").json()["text"]
    assert "reef quota was narrowing" in text
    assert SECRET not in text and SECRET not in hostile_client.get("/api/export").text


# ---------------------------------------------------------------- Content-Security-Policy and headers

def test_every_answer_carries_a_strict_content_security_policy(client: TestClient):
    answers = [client.get(url) for url in every_url(client)]
    answers += [client.get("/documents/0123456789abcdef"), client.get("/api/ask?q="), client.post("/")]
    for response in answers:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (response.url, name)
    policy = dict(part.strip().split(" ", 1) for part in SECURITY_HEADERS["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'"
    assert not any(source in value for value in policy.values() for source in ("http:", "https:", "*", "unsafe-eval"))


@pytest.fixture(scope="module")
def client(web_store: Path) -> TestClient:
    return TestClient(create_app(web_store))


# ---------------------------------------------------------------- path traversal, on the wire

@pytest.fixture(scope="module")
def server(web_store: Path) -> Iterator[str]:
    base, stop = start_in_background(create_app(web_store))
    yield base
    stop()


def raw_get(base: str, target: str) -> tuple[int, bytes]:
    """GET ``target`` exactly as written (no client normalises the dots away)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer


@pytest.mark.parametrize("target", [
    "/static/../../pyproject.toml", "/static/../../../../../../etc/passwd", "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..%2f..%2fpyproject.toml", "/static/%252e%252e%252fpyproject.toml", "/static/..%5c..%5cpyproject.toml",
    "/static//etc/passwd", "/static/vendor/../../views.py", "/static/parley.css%00.py", "/static/./parley.css/..",
    "/documents/..%2f..%2fetc%2fpasswd", "/api/documents/../../../etc/passwd", "/actors/..%2f..%2fpyproject.toml",
    "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
])
def test_no_path_reaches_a_file_outside_the_static_list(server: str, target: str):
    status, answer = raw_get(server, target)
    assert status in (400, 404, 422), (target, status)
    assert b"[project]" not in answer and b"root:" not in answer and b"def " not in answer


def test_static_files_are_served_only_from_their_fixed_list(server: str):
    assert raw_get(server, "/static/parley.css")[0] == 200
    assert raw_get(server, "/static/vendor/d3-7.9.0.min.js")[0] == 200


# ---------------------------------------------------------------- read-only store

def test_the_app_opens_the_store_read_only_and_answers_only_get(web_store: Path):
    app = create_app(web_store)
    client = TestClient(app)
    before = hashlib.sha256(web_store.read_bytes()).hexdigest()
    urls = every_url(client)
    connection = app.state.snapshot.store.db
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        connection.execute("CREATE TABLE intruder (x)")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        connection.execute("DELETE FROM documents")
    for url in urls:
        for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"):
            response = client.request(method, url, content=b"x=1")
            assert response.status_code == 405 and response.headers["allow"] == "GET", (method, url)
    assert hashlib.sha256(web_store.read_bytes()).hexdigest() == before


# ---------------------------------------------------------------- request size and time limits

def test_oversized_requests_get_one_line_client_errors(client: TestClient):
    cases = [
        (client.get("/api/search", params={"q": "x" * (MAX_URL_CHARS + 10)}), 414, "URL longer"),
        (client.get("/api/overview", headers={"X-Padding": "p" * (MAX_HEADER_BYTES + 1)}), 431, "headers larger"),
        (client.get("/api/overview?" + "&".join(f"a{i}=1" for i in range(MAX_QUERY_PARAMS + 1))), 400,
         "query parameters"),
        (client.request("GET", "/api/overview", content=b"y" * 100), 413, "no body"),
        (client.get("/api/search", params={"q": "talks " * 100}), 422, "at most 500"),
        (client.get("/search", params={"q": "talks " * 100}), 422, "at most 500"),
    ]
    for response, status, words in cases:
        assert response.status_code == status, (status, response.text[:200])
        assert words in response.text and "Traceback" not in response.text
    assert len(cases[0][0].json()["error"].splitlines()) == 1


def test_a_request_over_the_time_limit_is_answered_503_while_the_server_goes_on(web_store: Path, monkeypatch):
    from parley.search import SearchIndex

    entered, release = threading.Event(), threading.Event()
    real_ask = SearchIndex.ask

    def stuck_ask(self, *args, **kwargs):
        entered.set()
        release.wait(30)
        return real_ask(self, *args, **kwargs)

    monkeypatch.setattr(SearchIndex, "ask", stuck_ask)
    app = create_app(web_store, time_limit=1)
    app.state.snapshot.current()  # the store is read before serving (as parley serve does)
    base, stop = start_in_background(app)
    try:
        with httpx.Client(base_url=base, timeout=25) as http:
            http.get("/api/overview").raise_for_status()
            response = http.get("/api/ask", params={"q": "frozen assets"})
            assert entered.is_set() and not release.is_set()  # answered while the handler is still stuck
            assert response.status_code == 503 and "longer than 1 s" in response.json()["error"]
            assert "Retry-After" in response.headers
            assert http.get("/search", params={"q": "loan"}).status_code == 503  # pages too, as HTML
            assert http.get("/api/overview").status_code == 200  # other requests are still served
    finally:
        release.set()
        stop()


# ---------------------------------------------------------------- access token

@pytest.fixture(scope="module")
def guarded(web_store: Path) -> TestClient:
    return TestClient(create_app(web_store, token=TOKEN))


def test_with_a_token_every_route_needs_it(guarded: TestClient, client: TestClient):
    for url in every_url(client) + ["/api/openapi.json", "/no-such-page"]:
        response = guarded.get(url)
        assert response.status_code == 401, url
        assert "access token" in response.text and response.headers["www-authenticate"].startswith("Bearer")
        assert guarded.get(url, headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 401
        assert guarded.get(url, headers={"Cookie": f"{TOKEN_COOKIE}={TOKEN[:-1]}"}).status_code == 401
    assert guarded.get("/api/overview", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert guarded.get("/api/overview", headers={"Authorization": f"bearer {TOKEN}"}).status_code == 200


def test_a_token_in_the_url_becomes_an_httponly_strict_cookie(web_store: Path):
    browser = TestClient(create_app(web_store, token=TOKEN))
    assert browser.get(f"/timeline?token={TOKEN}x", follow_redirects=False).status_code == 401
    response = browser.get(f"/search?q=loan&token={TOKEN}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/search?q=loan"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{TOKEN_COOKIE}={TOKEN};") and "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert browser.get("/timeline").status_code == 200  # the cookie does from now on
    assert browser.get("/static/parley.css").status_code == 200


def test_the_token_redirect_never_leads_to_another_host(web_store: Path):
    base, stop = start_in_background(create_app(web_store, token=TOKEN))
    try:
        status, answer = raw_get(base, f"//evil.example/?token={TOKEN}")
    finally:
        stop()
    assert status == 303 and b"\r\nlocation: /evil.example/\r\n" in answer.lower()


# ---------------------------------------------------------------- binding and the serve command

@pytest.fixture
def served(monkeypatch) -> dict:
    import uvicorn

    called: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: called.update(kw, app=application))
    return called


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org"])
def test_serve_refuses_a_public_address_without_public(served: dict, web_store: Path, host: str):
    result = CliRunner().invoke(cli, ["serve", "--db", str(web_store), "--host", host])
    assert result.exit_code == 2 and not served
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert "refusing to listen on" in result.output and "--public" in result.output
    assert "Traceback" not in result.output and len(" ".join(lines)) < 200


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_serve_binds_loopback_without_any_flag(served: dict, web_store: Path, host: str):
    result = CliRunner().invoke(cli, ["serve", "--db", str(web_store), "--host", host])
    assert result.exit_code == 0, result.output
    assert served["host"] == host and "warning" not in result.output
    assert served["limit_concurrency"] == 64  # uvicorn answers 503 beyond that many connections


def test_serve_public_warns_and_takes_the_token_from_the_environment(served: dict, web_store: Path):
    result = CliRunner().invoke(cli, ["serve", "--db", str(web_store), "--host", "0.0.0.0", "--public"],
                                env={"PARLEY_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert served["host"] == "0.0.0.0" and "warning:" in result.output and "access token required" in result.output
    app = TestClient(served["app"])
    assert app.get("/api/overview").status_code == 401
    assert app.get("/api/overview", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_serve_refuses_a_short_token(served: dict, web_store: Path):
    result = CliRunner().invoke(cli, ["serve", "--db", str(web_store), "--token", "abc"])
    assert result.exit_code == 2 and not served and "at least 16 characters" in result.output
