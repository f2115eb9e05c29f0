"""A real HTTP server on 127.0.0.1 (random port) for the fetch tests: serves the files
of tests/fixtures/web/ and a few made-up troubles (an error then a success, a slow
answer, a redirect loop, a huge page, a PDF, a gzip bomb), and logs every request."""

from __future__ import annotations

import gzip
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WEB = Path(__file__).resolve().parent / "fixtures" / "web"
TYPES = {".xml": "application/xml", ".html": "text/html; charset=utf-8", ".txt": "text/plain"}
ETAG = '"v1"'
LAST_MODIFIED = formatdate(1772400000, usegmt=True)


class Handler(BaseHTTPRequestHandler):
    server: WebServer

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        path = self.path.split("?")[0]
        with self.server.lock:
            self.server.log.append((path, dict(self.headers)))
            hits = sum(1 for logged, _ in self.server.log if logged == path)
        extra = self.server.routes.get(path)
        if extra is not None:
            extra(self, hits)
            return
        file = (WEB / path.lstrip("/")).resolve()
        if WEB not in file.parents or not file.is_file():
            self.answer(404, b"not found", "text/plain")
            return
        if self.headers.get("If-None-Match") == ETAG or self.headers.get("If-Modified-Since") == LAST_MODIFIED:
            self.send_response(304)
            self.send_header("ETag", ETAG)
            self.end_headers()
            return
        self.answer(200, file.read_bytes(), TYPES.get(file.suffix, "application/octet-stream"),
                    {"ETag": ETAG, "Last-Modified": LAST_MODIFIED})

    def answer(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class WebServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.log: list[tuple[str, dict[str, str]]] = []
        self.routes = {
            "/flaky.html": flaky, "/slow.html": slow, "/loop-a": loop_a, "/loop-b": loop_b,
            "/huge.html": huge, "/report.pdf": pdf, "/bomb.html": gzip_bomb, "/stalled.html": stalled,
        }
        self.stopping = threading.Event()

    def handle_error(self, request, client_address) -> None:
        """A client that hung up (parley giving up on a slow or huge answer) is expected."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def requests(self, path: str) -> int:
        with self.lock:
            return sum(1 for logged, _ in self.log if logged == path)

    def start(self) -> WebServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


def page(title: str, paragraphs: list[str], published: str | None = None) -> bytes:
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{meta}</head>'
            f"<body><article><h1>{title}</h1>{body}</article></body></html>").encode()


FLAKY = page("Bergen round confirmed", [
    "Officials confirmed on Saturday that the next round of quota talks will open in Bergen, after two days in which the venue was in doubt.",
    "Commissioner Tomas Berglund said the change of city was practical and that nothing in the offer on catch limits had moved since Tromsdal.",
], "2026-03-07")


def flaky(handler: Handler, hits: int) -> None:
    """A server error on the first request, the article on the next."""
    if hits == 1:
        handler.answer(500, b"internal error", "text/plain")
    else:
        handler.answer(200, FLAKY, "text/html")


def slow(handler: Handler, hits: int) -> None:
    time.sleep(3)
    handler.answer(200, FLAKY, "text/html")


def stalled(handler: Handler, hits: int) -> None:
    """A server that takes the request and never answers (until the test ends)."""
    handler.server.stopping.wait()


def loop_a(handler: Handler, hits: int) -> None:
    handler.send_response(302)
    handler.send_header("Location", "/loop-b")
    handler.end_headers()


def loop_b(handler: Handler, hits: int) -> None:
    handler.send_response(301)
    handler.send_header("Location", "/loop-a")
    handler.end_headers()


def huge(handler: Handler, hits: int) -> None:
    """A 30 MB page sent without a length, so only counting the bytes read can stop it."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    chunk = b"<p>" + b"quota " * 10_000 + b"</p>\n"
    try:
        handler.wfile.write(b"<html><body>")
        for _ in range(30_000_000 // len(chunk)):
            handler.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass


def pdf(handler: Handler, hits: int) -> None:
    handler.answer(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n%%EOF\n", "application/pdf")


_BOMB: list[bytes] = []


def gzip_bomb(handler: Handler, hits: int) -> None:
    """50 MB of spaces, gzipped to about 50 KB (made once, at run time)."""
    if not _BOMB:
        _BOMB.append(gzip.compress(b" " * 50_000_000, compresslevel=9))
    handler.answer(200, _BOMB[0], "text/html", {"Content-Encoding": "gzip"})
