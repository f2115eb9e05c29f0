"""Screenshots of every view of ``parley serve`` over a store, to look at before a release.

    python tools/screenshots.py --db seeds.db --out screenshots/

Starts the app on a free localhost port, opens each view in headless Chromium
(/usr/bin/chromium, or PARLEY_CHROMIUM) and writes one PNG per view, full page. The
pages are the ones an analyst opens: overview, timeline, network, positions, source
checks, documents, the most-mentioned person's page, the first document with a
highlighted sentence, and the answers to a question (--question).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from fastapi.testclient import TestClient
from playwright.sync_api import sync_playwright

from parley.present.web import create_app, start_in_background

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def views(app) -> list[tuple[str, str]]:
    client = TestClient(app)
    person = next(a for a in client.get("/api/actors").json() if a["kind"] == "person")
    document = client.get("/api/documents").json()[0]
    sentences = client.get(f"/api/documents/{document['id']}").json()["sentences"]
    start = sentences[min(4, len(sentences) - 1)][0]
    return [("overview", "/"), ("new", "/new?since=30d"), ("timeline", "/timeline"), ("network", "/network"), ("positions", "/matrix"),
            ("checks", "/checks"), ("documents", "/documents"), ("actor", f"/actors/{person['id']}"),
            ("document", f"/documents/{document['id']}?hl={start}#s{start}")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--question", default="Where did Dmitriev meet Witkoff?")
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = create_app(args.db)
    base, stop = start_in_background(app)
    pages = views(app) + [("search", f"/search?q={args.question.replace(' ', '+')}")]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium"),
                                             args=FLAGS)
        page = browser.new_page(viewport={"width": args.width, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        for name, path in pages:
            page.goto(base + path)
            page.wait_for_timeout(400)
            page.screenshot(path=str(args.out / f"{name}.png"), full_page=name not in ("document",))
            print(f"{args.out / (name + '.png')}  <- {path}")
        browser.close()
    stop()
    print("console errors:", errors or "none")


if __name__ == "__main__":
    main()
