"""End to end in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
the served pages and the one-file briefing load without console errors, the charts
render, clicks lead where they should, search answers with a cited sentence, and a
hostile article's scripts never run.

Skipped, with the reason in the test summary, when Chromium or Playwright is missing
(``.ci/run`` installs both). Set PARLEY_CHROMIUM to use another Chromium binary.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium")
# Playwright adds --headless and a new empty profile directory of its own; these keep Chromium
# from reaching for the network on its own (this machine's network is closed).
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = ["/", "/new", "/timeline", "/network", "/matrix", "/checks", "/documents", "/actors/steve-witkoff",
         "/search?q=Where+did+Dmitriev+meet+Witkoff%3F"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"browser tests skipped: no Chromium at {CHROMIUM} "
                    "(install Debian's chromium package, or set PARLEY_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests skipped: the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(web_store: Path):
    """``parley serve``'s app on a free localhost port, in a thread, for this module."""
    from parley.present.web import create_app, start_in_background

    url, stop = start_in_background(create_app(web_store))
    yield url
    stop()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors, uncaught exceptions and dialogs."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(f"uncaught: {e}"))
    page.on("dialog", lambda d: (page.problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield page
    context.close()


def test_every_page_loads_without_console_errors(page, server):
    for path in PAGES:
        response = page.goto(server + path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        assert page.locator("nav.views a").count() == 7, path
    assert page.problems == []


def test_timeline_chart_draws_a_mark_per_event_and_zooms(page, server):
    page.goto(server + "/timeline")
    events = page.locator("table tr[id^=event-]").count()
    marks = page.locator("#timeline-chart svg a.mark circle")
    assert events > 0 and marks.count() == events
    dated = page.locator("#timeline-chart svg .axis .tick")
    assert dated.count() >= 2  # the sample corpus is dated: a calendar axis is drawn
    before = [float(x) for x in marks.evaluate_all("els => els.map(e => e.getAttribute('cx'))")]
    box = page.locator("#timeline-chart svg").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 60)
    page.mouse.wheel(0, -600)
    page.wait_for_timeout(300)
    after = [float(x) for x in marks.evaluate_all("els => els.map(e => e.getAttribute('cx'))")]
    assert max(after) - min(after) > 1.5 * (max(before) - min(before))  # zoomed in: marks spread apart
    assert page.problems == []


def test_clicking_an_actor_in_the_network_opens_its_page(page, server):
    page.goto(server + "/network")
    nodes = page.locator("#network-chart svg a.node")
    assert nodes.count() >= 3
    assert page.locator("#network-chart svg line").count() >= 2
    node = page.locator('#network-chart svg a.node[data-actor="steve-witkoff"]')
    node.locator("circle").click()
    page.wait_for_url(re.compile(r"/actors/steve-witkoff$"))
    assert page.locator("h2").first.inner_text() == "Steve Witkoff"
    assert page.get_by_text("Met or spoke with").is_visible()
    assert page.problems == []


def test_a_search_returns_a_cited_sentence_that_opens_highlighted(page, server):
    page.goto(server + "/")
    page.fill("#search-box", "How much will the EU lend Ukraine?")
    page.press("#search-box", "Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    first = page.locator("ol.answers li").first
    sentence = first.locator(".sentence").inner_text()
    assert sentence
    first.locator(".cite a").click()
    page.wait_for_url(re.compile(r"/documents/[0-9a-f]+\?hl=\d+#s\d+$"))
    highlighted = page.locator(".article .s.hl")
    assert highlighted.count() == 1 and highlighted.is_visible()
    assert " ".join(sentence.split()) in " ".join(highlighted.inner_text().split())
    assert page.problems == []


def test_injected_scripts_in_an_article_do_not_run(page, server):
    page.goto(server + "/documents")
    hostile = [a.get_attribute("href") for a in page.locator("a[href^='/documents/']").all()
               if "pwned" in a.inner_text() or "Harbour Wire" in a.inner_text()]
    assert len(hostile) == 2
    for path in hostile + ["/", "/checks", "/timeline", "/search?q=window+pwned+script"]:
        page.goto(server + path)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert page.title() != "pwned"
        assert page.locator("a[href^='javascript:' i]").count() == 0, path
        assert page.locator("main script:not([type='application/json'])").count() == 0, path
    page.goto(server + hostile[0])
    assert "<script>window.__pwned" in page.locator(".article").inner_text() + page.locator("h2").inner_text()
    assert page.problems == []


def test_one_file_briefing_works_offline_in_the_browser(page, web_store: Path, tmp_path: Path):
    from playwright.sync_api import expect

    from parley.present.html import write_briefing
    from parley.present.views import load_source
    from parley.store import Store

    html = tmp_path / "briefing.html"
    with Store(web_store, read_only=True) as store:
        write_briefing(load_source(store), html)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(html.as_uri())
    assert page.locator("#view-overview").is_visible() and not page.locator("#view-timeline").is_visible()
    # a view is shown when the hashchange event reaches the page, after the click returns:
    # expect() waits for it (a plain count() right after the click raced it, and lost once)
    page.click("nav.views a[data-view=timeline]")
    events = page.locator("tr[id^=event-]").count()
    expect(page.locator("#timeline-chart svg a.mark")).to_have_count(events)
    assert events > 0
    page.click("nav.views a[data-view=network]")
    page.locator('#network-chart svg a.node[data-actor="steve-witkoff"] circle').click()
    expect(page.locator("#actor-steve-witkoff")).to_be_visible()
    assert page.locator("#actor-steve-witkoff h2").inner_text() == "Steve Witkoff"
    page.fill("#search-box", "frozen Russian assets loan")
    page.press("#search-box", "Enter")
    first = page.locator("#static-results ol.answers li").first
    assert first.locator(".sentence").inner_text()
    first.locator("a.cite").click()
    target = page.evaluate("location.hash.slice(1)")
    expect(page.locator(f"[id='{target}']")).to_be_visible()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert all(url.startswith("file://") for url in requests), requests
    assert page.problems == []


def test_the_brief_file_opens_on_whats_new_and_a_citation_opens_its_sentence(page, web_store: Path, tmp_path: Path):
    from datetime import datetime, timedelta, timezone

    from playwright.sync_api import expect

    from parley.present.changes import compute_changes
    from parley.present.html import write_briefing
    from parley.present.views import load_source
    from parley.store import Store

    html = tmp_path / "brief.html"
    with Store(web_store, read_only=True) as store:
        source = load_source(store)
    changes = compute_changes(source, datetime.now(timezone.utc) - timedelta(days=3650))  # everything is new
    write_briefing(source, html, changes=changes)
    page.goto(html.as_uri())
    assert page.locator("#view-new").is_visible() and not page.locator("#view-overview").is_visible()
    assert page.locator("nav.views a.current").inner_text() == "What's new"
    page.locator("#view-new .change .cite a").first.click()
    target = page.evaluate("location.hash.slice(1)")
    assert target.startswith("doc-")
    expect(page.locator(f"[id='{target}']")).to_be_visible()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.problems == []
