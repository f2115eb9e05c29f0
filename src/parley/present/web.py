"""``parley serve``: the briefing as a small read-only web app (FastAPI), pages and a JSON API.

Pages (HTML, rendered by present/html.py from the same views as the one-file briefing):
``/`` overview, ``/timeline``, ``/network``, ``/matrix``, ``/checks``, ``/documents``,
``/documents/{id}?hl=START`` (the article with that sentence highlighted),
``/actors/{id}``, ``/search?q=`` (cited sentences, quotes, claims, documents),
``/new?since=24h`` (what changed since then: present/changes.py), and ``/feed.xml?since=7d``,
the same as an Atom feed (present/feed.py).

JSON: ``/api/new?since=``, ``/api/overview``, ``/api/timeline``, ``/api/network``, ``/api/matrix``,
``/api/checks``, ``/api/documents``, ``/api/documents/{id}``, ``/api/actors``,
``/api/actors/{id}``, ``/api/search?q=``, ``/api/ask?q=&k=``, ``/api/export``.

The store is opened read-only (SQLite ``mode=ro``, a read-only PostgreSQL session) and nothing is ever written; only GET
is answered. When ``parley analyze`` updates the store, the next request sees it.

Every request passes one guard (:func:`create_app`'s middleware) before it reaches a route,
and every answer carries :data:`SECURITY_HEADERS`. Bad requests get clean one-line answers:
unknown ids 404, malformed ids, over-long queries and out-of-range numbers 422, a URL over
:data:`MAX_URL_CHARS` 414, headers over :data:`MAX_HEADER_BYTES` 431, more than
:data:`MAX_QUERY_PARAMS` query parameters 400, a GET with a body 413, anything but GET 405,
a missing or wrong access token (when the server has one) 401, and a request still running
after the time limit 503.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Template
from starlette.exceptions import HTTPException as StarletteHTTPException

from parley.lexicon import Lexicon, load_lexicon
from parley.present.changes import Changes, SinceError, compute_changes, parse_since
from parley.present.feed import atom_feed
from parley.present.html import D3, environment, render_page, static_text
from parley.present.views import Source, build_views, load_source, ref_at
from parley.search import MAX_QUERY_CHARS, QueryError, SearchIndex
from parley.store import Store, StoreError, location_of, store_identity

MAX_URL_CHARS = 2048  # the whole URL, query string included
MAX_HEADER_BYTES = 8192  # all request headers together (uvicorn's h11 stops at 16 KiB before this)
MAX_QUERY_PARAMS = 8  # no route takes more than 2
TIME_LIMIT_S = 30.0  # a request still running after this is answered 503
TOKEN_COOKIE = "parley_token"
MIN_TOKEN_CHARS = 16
DOC_ID = r"^[0-9a-f]{6,64}$"
ACTOR_ID = r"^[a-z0-9][a-z0-9-]{0,120}$"
STATIC_FILES = {"parley.css": "text/css", "parley.js": "text/javascript", D3: "text/javascript"}
DocId = Annotated[str, PathParam(pattern=DOC_ID, description="document id (content hash)")]
ActorId = Annotated[str, PathParam(pattern=ACTOR_ID, description="actor id (slug)")]
Q = Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="words or a question")]
Highlight = Annotated[int | None, Query(ge=0, le=10**9, description="start of the sentence to highlight")]
SearchQ = Annotated[str | None, Query(max_length=MAX_QUERY_CHARS)]
Limit = Annotated[int, Query(ge=1, le=100)]
K = Annotated[int, Query(ge=1, le=50)]
Since = Annotated[str | None, Query(max_length=40, description="90m, 24h, 7d, 2026-01-20 or an ISO date and time")]
FEED_SINCE = "7d"  # what /feed.xml covers unless asked otherwise
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; "
                                "frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class Snapshot:
    """The views and search index of the store as it was when last read; read again when
    the store's files change (a new ``parley analyze`` run)."""

    def __init__(self, db: Path | str):
        self.db = db
        self.location = location_of(db)
        self.lock = threading.Lock()
        self.stamp: tuple | None = None
        self.views: dict[str, Any] = {}
        self.export: dict[str, Any] = {}
        self.source: Source | None = None  # what the views were drawn from (What's new reads it)
        self.index: SearchIndex | None = None
        self.store: Store | None = None
        self.watcher: Store | None = None  # a connection kept only to notice commits
        self.watcher_place: tuple | None = None

    def _stamp(self) -> tuple:
        """Changes when the store does: another file in its place (device, inode), or a commit
        by another connection, as the store's data_version shows it once the commit is visible
        (a file's time and size change while a commit is written, before it can be read, and
        may not change again after)."""
        place = store_identity(self.db)
        if self.watcher is None or self.watcher_place != place:
            self.watcher, self.watcher_place = Store(self.db, read_only=True), place
        try:
            return place, self.watcher.data_version()
        except StoreError:  # connect again, and read the store anew, on the next request:
            self.watcher = self.stamp = None  # the server may be back, the old connections are not
            raise

    def current(self) -> Snapshot:
        with self.lock:
            stamp = self._stamp()
            if stamp != self.stamp:
                store = Store(self.db, read_only=True)  # stays open: the index reads cached vectors from it
                with store.snapshot():  # views and index from one committed state of the store
                    source = load_source(store)
                    index = SearchIndex.from_store(store)
                self.views, self.export, self.source = build_views(source), source.export, source
                self.index = index
                self.store, self.stamp = store, stamp  # the old store closes when no request uses it
            return self


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


@lru_cache(maxsize=1)
def _error_page() -> Template:
    return environment().from_string(
        "<!doctype html><html lang=en><meta charset=utf-8><title>{{ status }} · parley</title>"
        "<link rel=stylesheet href=/static/parley.css><main><h2>{{ status }}</h2><p>{{ message }}</p>"
        "<p><a href=/>Back to the overview</a></p></main></html>")


def _plain(value: Any) -> Any:
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value


def search_context(views: dict[str, Any], index: SearchIndex, query: str, k: int = 5,
                   limit: int = 20) -> dict[str, Any]:
    """Search results as the search view shows them: every hit with a link to its sentence."""
    quotes = {(q["document"], q["start"]): q for q in views["quotes"]}
    claims = views["checks"]["claims"]
    results = index.search(query, limit=limit)
    return {
        "answers": [dict(_plain(a), ref=ref_at(views, a.document_id, a.start)) for a in index.ask(query, k=k)],
        "quotes": [quotes.get((h.quote["document"], h.quote["start"]), h.quote) for h in results.quotes],
        "claims": [claims.get(h.claim["id"], h.claim) for h in results.claims],
        "documents": [dict(_plain(h), ref=ref_at(views, h.document_id, h.start)) for h in results.documents],
    }


def create_app(db: Path | str, token: str | None = None, time_limit: float = TIME_LIMIT_S,
               lexicon: Lexicon | None = None) -> FastAPI:
    """The app over the store at ``db``, a file or a ``postgresql://`` URL (which must hold a
    store: checked here, before serving).

    ``token``: when given, every request must carry it, as ``Authorization: Bearer TOKEN``
    (scripts) or in the cookie a browser gets by opening any page once with ``?token=TOKEN``.
    ``time_limit``: seconds after which a request still running is answered 503."""
    Store(db, read_only=True).close()  # fails early, with a clear StoreError, on a missing or foreign file
    snapshot = Snapshot(db)
    lexicon = lexicon or load_lexicon()
    app = FastAPI(title="parley", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.snapshot = snapshot

    def data() -> Snapshot:
        return snapshot.current()

    def page(template: str, title: str, status: int = 200, current: str | None = None, **context: Any) -> HTMLResponse:
        return HTMLResponse(render_page(data().views, template, current, title, **context), status_code=status)

    # ------------------------------------------------------------ safety for every answer

    def has_token(given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), token.encode())

    def token_answer(request: Request) -> Response | None:
        """None when the request may go on; else the 401, or the redirect that moves a
        right ``?token=`` from the address bar into an HttpOnly cookie."""
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and has_token(given.strip()):
            return None
        in_url = request.query_params.get("token")
        if in_url is not None and has_token(in_url):
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = "/" + request.url.path.lstrip("/") + (f"?{urlencode(rest)}" if rest else "")  # never //host
            response: Response = RedirectResponse(target, status_code=303)
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict", path="/")
            return response
        if in_url is None and has_token(request.cookies.get(TOKEN_COOKIE)):
            return None
        response = error(request, 401, "this parley server needs its access token: send "
                                        "'Authorization: Bearer TOKEN', or open any page once with ?token=TOKEN")
        response.headers["WWW-Authenticate"] = 'Bearer realm="parley"'
        return response

    def refusal(request: Request) -> Response | None:
        """The one-line answer to a request that must not reach a route, or None."""
        if len(str(request.url)) > MAX_URL_CHARS:
            return error(request, 414, f"request URL longer than {MAX_URL_CHARS} characters")
        header_bytes = sum(len(name) + len(value) for name, value in request.scope["headers"])
        if header_bytes > MAX_HEADER_BYTES:
            return error(request, 431, f"request headers larger than {MAX_HEADER_BYTES} bytes")
        if len(request.query_params.multi_items()) > MAX_QUERY_PARAMS:
            return error(request, 400, f"more than {MAX_QUERY_PARAMS} query parameters")
        if token is not None and (answer := token_answer(request)) is not None:
            return answer
        if request.method != "GET":
            answer = error(request, 405, "read-only: only GET is answered")
            answer.headers["Allow"] = "GET"
            return answer
        if request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers:
            return error(request, 413, "a GET request carries no body")
        return None

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        response = refusal(request)
        if response is None:
            try:
                # a sync route runs in a worker thread, which cannot be stopped: the client is
                # answered at the limit and the thread finishes its work unseen
                response = await asyncio.wait_for(call_next(request), timeout=time_limit)
            except asyncio.TimeoutError:
                response = error(request, 503, f"the request took longer than {time_limit:g} s and was "
                                               "given up; try again, or a narrower query")
                response.headers["Retry-After"] = "5"
                response.headers["Connection"] = "close"
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def error(request: Request, status: int, message: str) -> Response:
        if wants_json(request):
            return JSONResponse({"error": message}, status_code=status)
        return HTMLResponse(_error_page().render(status=status, message=message), status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
        return error(request, 422, f"bad request: {problems}")

    @app.exception_handler(StoreError)
    async def store_unreadable(request: Request, exc: StoreError) -> Response:
        """The store failed under a request (its PostgreSQL server restarted or out of reach):
        503, and the next request connects again."""
        response = error(request, 503, f"the store cannot be read just now: {exc}")
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(QueryError)
    async def bad_query(request: Request, exc: QueryError) -> Response:
        return error(request, 422, str(exc))

    def changes_since(since: str) -> Changes:
        """What changed since ``since``; a bad value is a 422 naming it."""
        now = datetime.now(timezone.utc)
        try:
            moment = parse_since(since, now)
        except SinceError as err:
            raise HTTPException(422, str(err).replace("--since", "since", 1)) from None
        return compute_changes(data().source, moment, now=now, lexicon=lexicon)

    def document_or_404(doc_id: str) -> dict[str, Any]:
        doc = data().views["documents"].get(doc_id)
        if doc is None:
            raise HTTPException(404, f"no document with id {doc_id}")
        return doc

    def actor_or_404(actor_id: str) -> dict[str, Any]:
        actor = data().views["actors"].get(actor_id)
        if actor is None:
            raise HTTPException(404, f"no actor with id {actor_id}")
        return actor

    # ------------------------------------------------------------ pages

    @app.get("/", response_class=HTMLResponse)
    def overview_page() -> HTMLResponse:
        return page("overview", "Overview")

    for name, title in (("timeline", "Timeline"), ("network", "Network"), ("matrix", "Positions"),
                        ("checks", "Source checks"), ("documents", "Documents")):
        app.add_api_route(f"/{name}", (lambda name=name, title=title: page(name, title)),
                          methods=["GET"], response_class=HTMLResponse, name=f"{name}_page")

    @app.get("/documents/{doc_id}", response_class=HTMLResponse)
    def document_page(doc_id: DocId, hl: Highlight = None) -> HTMLResponse:
        doc = document_or_404(doc_id)
        return page("document", doc.get("title") or doc["source"], current="documents", doc=doc, highlight=hl)

    @app.get("/actors/{actor_id}", response_class=HTMLResponse)
    def actor_page(actor_id: ActorId) -> HTMLResponse:
        actor = actor_or_404(actor_id)
        return page("actor", actor["name"], current="network", actor=actor)

    @app.get("/search", response_class=HTMLResponse)
    def search_page(q: SearchQ = None) -> HTMLResponse:
        if not q or not q.strip():
            return page("search", "Search", current="search")
        snap = data()
        return page("search", f"Search: {q}", current="search", query=q,
                    results=search_context(snap.views, snap.index, q))

    @app.get("/new", response_class=HTMLResponse)
    def new_page(since: Since = None) -> HTMLResponse:
        if not since or not since.strip():
            return page("new", "What's new", current="new", changes=changes_since("24h"), since_text="24h")
        try:
            changes = changes_since(since)
        except HTTPException as err:
            return page("new", "What's new", status=422, current="new", since_text=since, since_error=err.detail)
        return page("new", "What's new", current="new", changes=changes, since_text=since)

    @app.get("/feed.xml")
    def feed(request: Request, since: Since = None) -> Response:
        changes = changes_since(since or FEED_SINCE)
        base = str(request.base_url)
        self_url = base + "feed.xml" + (f"?{urlencode({'since': since})}" if since else "")
        return Response(atom_feed(changes, base, self_url), media_type="application/atom+xml; charset=utf-8")

    @app.get("/static/{name:path}")
    def static(name: str) -> Response:
        if name not in STATIC_FILES:  # a fixed list: no path reaches the file system
            raise HTTPException(404, "no such file")
        return Response(static_text(name), media_type=STATIC_FILES[name],
                        headers={"Cache-Control": "public, max-age=3600"})

    # ------------------------------------------------------------ JSON API

    @app.get("/api/new")
    def api_new(since: Since = None) -> dict[str, Any]:
        return changes_since(since or "24h").to_dict()

    @app.get("/api/overview")
    def api_overview() -> dict[str, Any]:
        return data().views["overview"]

    @app.get("/api/timeline")
    def api_timeline() -> list[dict[str, Any]]:
        return data().views["timeline"]

    @app.get("/api/network")
    def api_network() -> dict[str, Any]:
        return data().views["network"]

    @app.get("/api/matrix")
    def api_matrix() -> dict[str, Any]:
        return data().views["matrix"]

    @app.get("/api/checks")
    def api_checks() -> dict[str, Any]:
        checks = data().views["checks"]
        return {k: v for k, v in checks.items() if k != "claims"}

    @app.get("/api/documents")
    def api_documents() -> list[dict[str, Any]]:
        return [{k: v for k, v in d.items() if k not in ("segments", "facts")} for d in data().views["documents"].values()]

    @app.get("/api/documents/{doc_id}")
    def api_document(doc_id: DocId) -> dict[str, Any]:
        doc = document_or_404(doc_id)
        text = "".join(s.get("gap", s.get("text", "")) for s in doc["segments"])
        return {**{k: v for k, v in doc.items() if k != "segments"}, "text": text,
                "sentences": [[s["start"], s["start"] + len(s["text"])] for s in doc["segments"] if "start" in s]}

    @app.get("/api/actors")
    def api_actors() -> list[dict[str, Any]]:
        return data().export["actors"]

    @app.get("/api/actors/{actor_id}")
    def api_actor(actor_id: ActorId) -> dict[str, Any]:
        return actor_or_404(actor_id)

    @app.get("/api/search")
    def api_search(q: Q, limit: Limit = 20) -> dict[str, Any]:
        snap = data()
        results = search_context(snap.views, snap.index, q, limit=limit)
        return {"query": q, **{k: v for k, v in results.items() if k != "answers"}}

    @app.get("/api/ask")
    def api_ask(q: Q, k: K = 5) -> dict[str, Any]:
        answers = data().index.ask(q, k=k)
        return {"question": q, "answers": [_plain(a) for a in answers]}

    @app.get("/api/export")
    def api_export() -> dict[str, Any]:
        return data().export

    return app


def start_in_background(app: FastAPI, host: str = "127.0.0.1", timeout: float = 20) -> tuple[str, Callable[[], None]]:
    """Run ``app`` with uvicorn on a free port of ``host`` in a daemon thread, for the browser
    tests and tools/screenshots.py. Returns the base URL and a function that stops the server."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the server did not start on {host}:{port}")
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://{host}:{port}", stop
