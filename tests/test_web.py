"""``parley serve``: pages and JSON API (FastAPI's TestClient), the one-file briefing,
and what a hostile article can and cannot do to either."""

from __future__ import annotations

import hashlib
from html import unescape
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from parley.present.html import render_briefing
from parley.present.views import load_source
from parley.present.web import create_app
from parley.store import Store

PAGES = ["/", "/new", "/timeline", "/network", "/matrix", "/checks", "/documents"]
DOC_LINK = re.compile(r'href="(/documents/[0-9a-f]+\?hl=\d+#s\d+)"')


@pytest.fixture(scope="module")
def client(web_store: Path) -> TestClient:
    return TestClient(create_app(web_store))


@pytest.fixture(scope="module")
def api(client: TestClient):
    def get(path: str):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        return response.json()
    return get


def test_every_view_is_a_page_with_the_navigation(client: TestClient):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        for label in ("Overview", "What&#39;s new", "Timeline", "Network", "Positions", "Source checks", "Documents"):
            assert f">{label}</a>" in response.text
        assert '<script src="/static/vendor/d3-7.9.0.min.js"></script>' in response.text


def test_overview_counts_documents_by_outlet_and_lists_top_actors_and_latest_events(api):
    overview = api("/api/overview")
    documents = api("/api/documents")
    assert sum(len(o["documents"]) for o in overview["outlets"]) == len(documents) == overview["counts"]["documents"]
    assert sum(row["documents"] for row in overview["by_date"]) == len(documents)
    assert overview["top_actors"] and overview["top_actors"][0]["documents"] >= overview["top_actors"][-1]["documents"]
    dates = [e["date"] for e in overview["latest_events"] if e["date"]]
    assert dates and dates == sorted(dates, reverse=True)  # latest first


def test_every_fact_link_opens_its_document_at_a_real_sentence(client: TestClient, api):
    sentences = {d["id"]: None for d in api("/api/documents")}
    checked = 0
    for path in ["/timeline", "/matrix", "/checks", "/"] + [f"/actors/{a['id']}" for a in api("/api/actors")[:8]]:
        for link in set(DOC_LINK.findall(client.get(path).text)):
            url = urlparse(link.replace("&amp;", "&"))
            doc_id = url.path.rsplit("/", 1)[1]
            start = int(parse_qs(url.query)["hl"][0])
            assert doc_id in sentences, link
            if sentences[doc_id] is None:
                sentences[doc_id] = {s for s, _ in api(f"/api/documents/{doc_id}")["sentences"]}
            assert start in sentences[doc_id], link
            assert url.fragment == f"s{start}"
            checked += 1
    assert checked > 50


def test_document_page_highlights_the_linked_sentence(client: TestClient, api):
    doc = next(d for d in api("/api/documents") if d["source"] == "meridian-wire-dmitriev-miami.txt")
    full = api(f"/api/documents/{doc['id']}")
    start, end = full["sentences"][3]
    page = client.get(f"/documents/{doc['id']}?hl={start}").text
    marked = re.findall(r'<span class="s[^"]*\bhl\b[^"]*" id="s(\d+)">(.*?)</span>', page, re.S)
    assert len(marked) == 1 and int(marked[0][0]) == start
    assert marked[0][1] == full["text"][start:end].replace("&", "&amp;").replace('"', "&#34;").replace("'", "&#39;")


def test_timeline_api_and_page_agree(client: TestClient, api):
    timeline = api("/api/timeline")
    page = client.get("/timeline").text
    assert len(timeline) == len(re.findall(r'<tr id="event-\d+">', page))
    data = re.search(r'<script type="application/json" id="timeline-data">(.*?)</script>', page, re.S).group(1)
    assert data.count('"href":') == len(timeline)


def test_network_edges_count_the_events_two_actors_share(api):
    timeline = api("/api/timeline")
    network = api("/api/network")
    assert network["edges"]
    for edge in network["edges"]:
        shared = [e for e in timeline if e["kind"] in ("meeting", "visit", "statement")
                  and edge["source"] in e["participants"] and edge["target"] in e["participants"]]
        assert edge["weight"] == len(shared) == len(edge["events"])
    assert {n["id"] for n in network["nodes"]} == {x for e in network["edges"] for x in (e["source"], e["target"])}


def test_actor_page_shows_role_aliases_quotes_positions_and_documents(client: TestClient, api):
    actors = api("/api/actors")
    witkoff = next(a for a in actors if a["id"] == "steve-witkoff")
    page = api("/api/actors/steve-witkoff")
    assert page["role"] == witkoff["role"] and page["aliases"] == witkoff["aliases"]
    assert len(page["document_ids"]) == len(witkoff["documents"])
    assert page["events"] and all("steve-witkoff" in e["participants"] for e in page["events"])
    html = client.get("/actors/steve-witkoff").text
    assert "<h2>Steve Witkoff</h2>" in html and witkoff["role"] in html
    speaker = next(a for a in actors if api(f"/api/actors/{a['id']}")["quotes"])
    quote = api(f"/api/actors/{speaker['id']}")["quotes"][0]
    assert quote["speaker"] == speaker["id"] and quote["ref"]["doc"]


def test_matrix_cells_carry_evidence_from_a_stored_document(api):
    matrix = api("/api/matrix")
    ids = {d["id"] for d in api("/api/documents")}
    assert matrix["cells"]
    for cell in matrix["cells"].values():
        assert cell["stance"] in {"demand", "red_line", "support", "oppose", "open", "propose"}
        assert cell["ref"]["doc"] in ids and cell["evidence"]


def test_checks_show_claims_care_quotes_conflicts_and_framing(api):
    checks = api("/api/checks")
    assert checks["corroborated"] and all(c["sources"] > 1 for c in checks["corroborated"])
    assert checks["care_quotes"] and all(q["care"] in ("unnamed", "single source") for q in checks["care_quotes"])
    assert checks["conflicts"] and all(len(c["values"]) >= 2 and "judgment" in c for c in checks["conflicts"])
    assert {f["label"] for f in checks["framing"]} <= {"optimistic", "neutral", "pessimistic"}


def test_ask_answers_with_verbatim_cited_sentences(client: TestClient, api):
    answer = api("/api/ask?q=How+much+will+the+EU+lend+Ukraine%3F&k=5")["answers"]
    assert answer and len(answer) <= 5
    for a in answer:
        text = api(f"/api/documents/{a['document_id']}")["text"]
        assert text[a["start"]:a["end"]] == a["text"] and a["source"]
    assert any("90" in a["text"] for a in answer)
    page = client.get("/search?q=How+much+will+the+EU+lend+Ukraine%3F").text
    assert "Best sentences for" in page and DOC_LINK.search(page)


def test_search_finds_quotes_claims_and_documents(api):
    results = api("/api/search?q=Dmitriev+Miami")
    assert results["documents"] and results["claims"]
    assert all("dmitriev" in (c["statement"] + " ".join(e["text"] for e in c["evidence"])).lower()
               or "miami" in c["statement"].lower() for c in results["claims"])


@pytest.mark.parametrize("path, status", [
    ("/actors/no-such-actor", 404),
    ("/api/actors/no-such-actor", 404),
    ("/documents/0123456789abcdef", 404),
    ("/api/documents/0123456789abcdef", 404),
    ("/documents/not-a-hash", 422),
    ("/api/actors/Bad%20Id!", 422),
    ("/documents/0123456789abcdef?hl=-3", 422),
    ("/api/ask?q=", 422),
    ("/api/ask?q=" + "talks+" * 100, 422),
    ("/api/ask?q=talks&k=100000", 422),
    ("/api/search?q=" + "x" * 3000, 414),
    ("/static/../../pyproject.toml", 404),
    ("/static/%2e%2e/%2e%2e/pyproject.toml", 404),
    ("/static/vendor/../../views.py", 404),
    ("/etc/passwd", 404),
])
def test_bad_requests_get_clean_client_errors(client: TestClient, path: str, status: int):
    response = client.get(path)
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text
    if path.startswith("/api/"):
        assert "error" in response.json()
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_the_server_is_read_only(client: TestClient, web_store: Path):
    before = hashlib.sha256(web_store.read_bytes()).hexdigest()
    for method in ("post", "put", "delete", "patch"):
        response = getattr(client, method)("/api/documents")
        assert response.status_code == 405
    for path in PAGES + ["/api/export", "/api/ask?q=frozen+assets", "/search?q=loan"]:
        client.get(path)
    assert hashlib.sha256(web_store.read_bytes()).hexdigest() == before


def test_a_new_analysis_is_seen_by_the_next_request(tmp_path: Path, web_store: Path, lexicon):
    from parley import embeddings
    from parley.pipeline import analyze

    db = tmp_path / "copy.db"
    with Store(web_store, read_only=True) as source, Store(db) as target:
        source.db.backup(target.db)
    client = TestClient(create_app(db))
    count = len(client.get("/api/documents").json())
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "late.txt").write_text(
        "Late Wire - March 9, 2026\n\nMinister Tomas Ekberg met Pedro Alves in Oslo on Monday.\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch, Store(db) as store:
        patch.setattr(embeddings, "embed_with_model", embeddings.bag_of_words)
        analyze([tmp_path / "new"], store, lexicon)
    assert len(client.get("/api/documents").json()) == count + 1


def test_hostile_article_markup_is_shown_as_text_on_every_page(client: TestClient, api):
    hostile = [d for d in api("/api/documents") if "hostile" in d["source"]]  # the feed's javascript: url is no source
    assert len(hostile) == 2
    pages = [f"/documents/{d['id']}" for d in hostile] + PAGES + ["/search?q=window+pwned+script"]
    pages += [f"/actors/{a}" for a in ("pedro-alves", "ingrid-solheim") if client.get(f"/api/actors/{a}").status_code == 200]
    for path in pages:
        html = client.get(path).text
        assert "<script>window.__pwned" not in html, path
        assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=\\", ""), path
        assert 'href="javascript:' not in html.lower(), path
        assert "<b onmouseover" not in html, path
        for block in re.findall(r"<script[^>]*>(.*?)</script>", html, re.S):  # JSON data blocks stay inert
            assert "<" not in block, path
    page = client.get(f"/documents/{hostile[0]['id']}").text
    assert "&lt;script&gt;window.__pwned" in page


def test_one_file_briefing_has_every_view_and_runs_only_its_own_scripts(web_store: Path):
    with Store(web_store, read_only=True) as store:
        source = load_source(store)
        html = render_briefing(source)
    for section in ("view-overview", "view-timeline", "view-network", "view-matrix", "view-checks",
                    "view-documents", "view-search", "actor-steve-witkoff"):
        assert f'<section class="page" id="{section}">' in html
    assert html.count('<section class="page" id="doc-') == len(source.export["documents"])
    assert "<script src=" not in html and "http://" not in html.split("</style>")[0]
    csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    inline = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(inline) == 2  # d3 and parley.js, each allowed by its hash and nothing else
    import base64
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "<script>window.__pwned" not in html and "&lt;script&gt;window.__pwned" in html
    assert 'href="javascript:' not in html.lower()


def test_serve_binds_to_localhost_by_default(monkeypatch, web_store: Path):
    from typer.testing import CliRunner

    import uvicorn
    from parley.cli import app

    called = {}
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: called.update(kw))
    result = CliRunner().invoke(app, ["serve", "--db", str(web_store)])
    assert result.exit_code == 0, result.output
    assert called["host"] == "127.0.0.1" and called["port"] == 8000
    result = CliRunner().invoke(app, ["serve", "--db", str(web_store.parent / "missing.db")])
    assert result.exit_code == 2 and "no such store" in result.output and "Traceback" not in result.output


def test_many_clients_at_once_get_every_route_without_error(web_store: Path):
    """A small run of benchmarks/web_load.py: 4 clients x 50 requests over every route of the
    app, on a real uvicorn server. Every answer is a 200."""
    import asyncio
    import importlib.util

    import httpx

    from parley.present.web import start_in_background

    spec = importlib.util.spec_from_file_location("web_load", Path(__file__).parents[1] / "benchmarks" / "web_load.py")
    web_load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(web_load)
    app = create_app(web_store)
    base, stop = start_in_background(app)
    try:
        with httpx.Client(base_url=base, timeout=60) as http:
            urls = web_load.fill_routes(web_load.page_routes(app), lambda path: http.get(path).json())
        result = asyncio.run(web_load.run_load(base, urls, clients=4, requests=200, seconds=120))
    finally:
        stop()
    assert result["errors"] == 0, result["error_examples"]
    assert result["requests_done"] == 200 and result["stopped_by"] == "count"
    assert set(result["routes"]) == set(urls) and len(urls) >= 20


def test_the_feed_of_hostile_articles_is_well_formed_atom_with_their_markup_as_text(client: TestClient):
    import defusedxml.ElementTree as SafeET

    response = client.get("/feed.xml?since=3650d")  # every stored document is new
    assert response.status_code == 200
    feed = SafeET.fromstring(response.content)  # parses: everything escaped, nothing XML cannot carry
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert entries
    text = response.content.decode("utf-8")
    assert '&lt;a href="javascript:window.__pwned = 4"&gt;this link&lt;/a&gt;' in text  # the article's markup, as text
    assert "<script" not in text and "javascript:" not in "".join(
        e.find("{http://www.w3.org/2005/Atom}link").get("href") for e in entries)
