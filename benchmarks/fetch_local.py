"""Time and peak memory of a whole ``parley fetch`` process on a local server.

A ThreadingHTTPServer on 127.0.0.1 (random port) serves an RSS feed of N generated
article pages (invented fisheries talks, each with its own names, places, figures and
dates) and a robots.txt. ``parley fetch FEED --db NEW --allow-private --delay 0`` runs in
a fresh process (the real command, sentence model included); then a second run on the
same store, which should fetch nothing new (the feed answers 304).

Usage: python benchmarks/fetch_local.py [--articles 200] [--delay 0]
Prints one JSON object: seconds of each run, documents stored, what each run's summary
line said, and the peak RSS of the fetch processes (resource.getrusage RUSAGE_CHILDREN).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ENVOYS = ["Maren Kvalheim", "Tomas Berglund", "Idris Halvorsen", "Lene Dahl", "Ansgar Moe", "Petra Lindqvist",
          "Jonas Eriksen", "Hanna Virtanen", "Oskar Brekke", "Sofie Lund"]
PLACES = ["Tromsdal", "Bergen", "Alesund", "Bodo", "Hammerfest", "Kirkenes", "Vardo", "Narvik", "Harstad", "Molde"]
ISSUES = ["the cod quota", "the harbour levy", "catch limits", "inspection rules", "the herring season"]


def article(n: int) -> tuple[str, str, str]:
    """Title, date (RFC 2822) and page of article ``n``."""
    a, b = ENVOYS[n % 10], ENVOYS[(n * 3 + 1) % 10]
    place, issue = PLACES[(n * 7) % 10], ISSUES[n % 5]
    day = 1 + n % 28
    title = f"Round {n}: {a} and {b} meet in {place} on {issue}"
    paragraphs = [
        f"Envoy {a} met commissioner {b} in {place} on {day} March 2026 for round {n} of the talks on {issue}, "
        f"officials from both delegations said after the session.",
        f'"We moved {n % 9 + 1} steps closer on {issue}, and there are {n % 4 + 2} left," {a} told reporters '
        f"outside the hall in {place}.",
        f"{b} said the commission offered {10 + n % 50} million euros for harbour upgrades and a cut of "
        f"{5 + n % 20}% in catch limits, provided the league dropped its demand on {ISSUES[(n + 2) % 5]}.",
        f"The next meeting is planned in {PLACES[(n + 3) % 10]} within {n % 3 + 1} weeks, according to a "
        f"statement the two sides released late on the same day.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    page = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:site_name" content="Bench Ledger">'
            f'<meta property="article:published_time" content="2026-03-{day:02d}"></head>'
            f"<body><article><h1>{title}</h1>{body}</article></body></html>")
    return title, formatdate(1772323200 + n * 3600, usegmt=True), page


def site(articles: int) -> dict[str, bytes]:
    pages, items = {}, []
    for n in range(articles):
        title, date, page = article(n)
        pages[f"/a/{n}.html"] = page.encode()
        items.append(f"<item><title>{title}</title><link>/a/{n}.html</link><pubDate>{date}</pubDate></item>")
    pages["/feed.xml"] = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Bench Ledger</title>'
                          f'<link>/</link>{"".join(items)}</channel></rss>').encode()
    pages["/robots.txt"] = b"User-agent: *\nDisallow: /private/\n"
    return pages


def serve(pages: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            body = pages.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == '"bench"':
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/xml" if self.path.endswith(".xml") else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", '"bench"')
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_fetch(url: str, db: Path, delay: float) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "parley.cli", "fetch", url, "--db", str(db), "--allow-private",
                           "--delay", str(delay)], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"parley fetch failed:\n{done.stderr}")
    return seconds, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.0, help="--delay given to parley fetch")
    options = parser.parse_args()
    server = serve(site(options.articles))
    url = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        first_seconds, first = run_fetch(url, db, options.delay)
        second_seconds, second = run_fetch(url, db, options.delay)
        import sqlite3
        with sqlite3.connect(db) as con:
            stored = con.execute("SELECT count(*) FROM documents").fetchone()[0]
            raw = con.execute("SELECT count(*), sum(length(body)) FROM responses").fetchone()
    server.shutdown()
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({
        "articles": options.articles, "delay": options.delay,
        "first_run_seconds": round(first_seconds, 2), "first_run": first,
        "second_run_seconds": round(second_seconds, 2), "second_run": second,
        "documents_stored": stored, "responses_stored": raw[0], "responses_compressed_bytes": raw[1],
        "pages_per_second_first_run": round(options.articles / first_seconds, 1),
        "peak_rss_mb": round(peak_mb, 1),
    }, indent=1))


if __name__ == "__main__":
    main()
