"""``parley brief --since``: what a later batch of articles added and changed, and nothing of the
earlier batch's, in the terminal, as JSON, in the one-file HTML, on the web app's What's new page,
its JSON and its Atom feed.

The articles are written for this test about an invented round of the mackerel-sharing talks
(the cast of tests/fixtures/other_negotiation, whose lexicon adds the quota issue). Batch A is
stored on 3 February, batch B on 12 February; B announces a new meeting, reports a planned one
as held, moves the date of another, has Norway change its stance on the quota, contradicts A's
figure for the Commission's offer, corroborates A's landings figure from another outlet, quotes
Norway's minister and puts a new sum on the table; a reprint of an article of A adds nothing.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from fastapi.testclient import TestClient
from rich.console import Console
from typer.testing import CliRunner

from parley.cli import app
from parley.lexicon import load_lexicon
from parley.pipeline import analyze, reconcile_store
from parley.present.changes import SinceError, compute_changes, parse_since
from parley.present.html import render_briefing
from parley.present.terminal import print_changes
from parley.present.views import load_source
from parley.present.web import create_app
from parley.store import Store

LEXICON_DIR = Path(__file__).parent / "fixtures" / "other_negotiation" / "lexicon"
ATOM = "{http://www.w3.org/2005/Atom}"
STORED_A = datetime(2026, 2, 3, 12, 0, tzinfo=timezone.utc)
STORED_B = datetime(2026, 2, 12, 12, 0, tzinfo=timezone.utc)
BETWEEN = datetime(2026, 2, 8, tzinfo=timezone.utc)

BATCH_A = {
    "nordsjo-press-london-plans.md": """---
title: Mackerel ministers to meet in London
outlet: Nordsjø Press
published: 2026-02-02
---
Norwegian Fisheries Minister Marit Haugland and UK Fisheries Minister Rachel Whitmore will meet in London on February 10 to discuss the mackerel quota.

A third round of the coastal states' talks in Tórshavn is planned for March 3, 2026, the Faroese delegation said.

Norway opposes any cut in the mackerel quota larger than 40%, its delegation said in a statement.

The European Commission has offered 20,000 tonnes of extra access for Norwegian trawlers, Charlotte Verbeke said.
""",
    "harbour-and-fleet-landings.md": """---
title: Record January landings
outlet: Harbour & Fleet
published: 2026-02-03
---
Norwegian boats landed 80,000 tonnes of mackerel in January, the port authority in Ålesund said.

"Nobody in this harbour wants a deal at any price," said Ola Brekke, a skipper from Ålesund.
""",
}
BATCH_B = {
    "coastal-affairs-london-held.md": """---
title: London meeting narrows the gap
outlet: Coastal Affairs Weekly
published: 2026-02-11
---
Marit Haugland and Rachel Whitmore met in London on February 10 for five hours.

"We have a text both sides can take home," Haugland told reporters after the session.

The third round in Tórshavn has been moved to March 17, 2026, the Faroese delegation said.

Norway now supports a cut in the mackerel quota of up to 50%, Haugland said.

The European Commission has offered 12,000 tonnes of extra access for Norwegian trawlers, Verbeke said.

Britain also put £40m on the table for a fleet adjustment fund.

Haugland and Verbeke will meet in Brussels on February 20.
""",
    "fleet-ledger-landings.md": """---
title: Landings up in the north
outlet: Fleet Ledger
published: 2026-02-12
---
Norwegian boats landed 80,000 tonnes of mackerel in January, port officials said on Thursday.
""",
    # a reprint of an article of batch A: a near-copy adds nothing
    "coastal-digest-reprint.md": """---
title: Mackerel ministers to meet in London (reprint)
outlet: Coastal Digest
published: 2026-02-12
---
Norwegian Fisheries Minister Marit Haugland and UK Fisheries Minister Rachel Whitmore will meet in London on February 10 to discuss the mackerel quota.

A third round of the coastal states' talks in Tórshavn is planned for March 3, 2026, the Faroese delegation said.

Norway opposes any cut in the mackerel quota larger than 40%, its delegation said in a statement.

The European Commission has offered 20,000 tonnes of extra access for Norwegian trawlers, Charlotte Verbeke said on Monday.
""",
}
B_SOURCES = set(BATCH_B)


def write(folder: Path, articles: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon((LEXICON_DIR,))


@pytest.fixture(scope="module")
def brief_db(tmp_path_factory, lexicon) -> Path:
    """Batch A analysed on 3 February, batch B on 12 February (the bag-of-words stand-in for
    the sentence model)."""
    from parley import embeddings

    root = tmp_path_factory.mktemp("brief")
    db = root / "talks.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(embeddings, "embed_with_model", embeddings.bag_of_words)
        with Store(db) as store:
            analyze([write(root / "a", BATCH_A)], store, lexicon, now=STORED_A)
            analyze([write(root / "b", BATCH_B)], store, lexicon, now=STORED_B)
    return db


@pytest.fixture(scope="module")
def changes(brief_db, lexicon):
    with Store(brief_db, read_only=True) as store:
        return compute_changes(load_source(store), BETWEEN, now=STORED_B, lexicon=lexicon)


def cited_documents(item) -> set[str]:
    """Every document an item cites for what is new."""
    if item["kind"] == "conflict":
        return {s["cite"]["document"] for s in item["sides"] if s["new"]}
    if item["kind"] == "corroboration":
        return {c["document"] for c in item["after"]}
    return {item["cite"]["document"]}


def test_brief_lists_exactly_what_the_second_batch_added_and_changed(changes):
    assert {d["source"] for d in changes.documents} == B_SOURCES
    events = {(e["change"], e["place"], e["date"]) for e in changes.events}
    assert events == {("status", "London", "2026-02-10"),  # planned in A, held in B
                      ("moved", "Tórshavn", "2026-03-17"),  # A's March 3 round, moved
                      ("new", "Brussels", "2026-02-20")}  # announced in B
    status = next(e for e in changes.events if e["change"] == "status")
    assert (status["before"]["status"], status["after"]["status"]) == ("planned", "held")
    assert status["before"]["cite"]["document"] == "nordsjo-press-london-plans.md"
    moved = next(e for e in changes.events if e["change"] == "moved")
    assert moved["before"]["date"] == "2026-03-03" and "March 3, 2026" in moved["before"]["cite"]["evidence"]

    [position] = changes.positions
    assert (position["party"], position["issue"], position["change"]) == ("Norway", "quota", "changed")
    assert (position["before"]["stance"], position["after"]["stance"]) == ("oppose", "support")
    assert position["before"]["cite"]["evidence"].startswith("Norway opposes any cut")
    assert position["after"]["cite"]["evidence"].startswith("Norway now supports")

    [conflict] = changes.conflicts
    assert conflict["change"] == "new"
    assert {(s["value"], s["new"]) for s in conflict["sides"]} == {("20,000 tonnes", False), ("12,000 tonnes", True)}

    landings = [c for c in changes.corroborations if "80,000 tonnes" in c["statement"]]
    assert len(landings) == 1 and landings[0]["sources_before"] == 1 and landings[0]["sources"] == 2
    assert [c["outlet"] for c in landings[0]["after"]] == ["Fleet Ledger"]
    assert [c["outlet"] for c in landings[0]["before"]] == ["Harbour & Fleet"]

    [quote] = changes.quotes
    assert (quote["speaker"], quote["party"], quote["text"]) == (
        "Marit Haugland", "Norway", "We have a text both sides can take home")
    assert changes.other_quotes == 0  # A's skipper is neither new nor a principal

    # the 80,000 tonnes Fleet Ledger repeats are A's figure (a corroboration, above), not a new one
    assert {f["text"] for f in changes.figures} == {"up to 50%", "12,000", "£40m"}
    reprint = next(d for d in changes.documents if d["source"] == "coastal-digest-reprint.md")
    assert reprint["duplicate_of"]
    assert not any("coastal-digest-reprint.md" in cited_documents(i) for i in changes.items())


def test_every_item_is_cited_by_a_new_document_with_its_sentence(changes):
    items = changes.items()
    assert items
    for item in items:
        assert cited_documents(item) and cited_documents(item) <= B_SOURCES, item["title"]
        cite = item["cite"]
        assert cite["evidence"] and cite["outlet"] and cite["published"] and cite["ref"]["doc"] == cite["doc"]
        assert item["at"] == STORED_B.isoformat()


def test_nothing_changed_after_the_last_batch_or_in_the_future_and_all_is_new_before_the_first(brief_db, lexicon):
    with Store(brief_db, read_only=True) as store:
        source = load_source(store)
    assert compute_changes(source, STORED_B, now=STORED_B, lexicon=lexicon).empty
    assert compute_changes(source, STORED_B + timedelta(days=400), lexicon=lexicon).items() == []
    everything = compute_changes(source, STORED_A - timedelta(days=1), now=STORED_B, lexicon=lexicon)
    assert {d["source"] for d in everything.documents} == set(BATCH_A) | B_SOURCES
    assert not any(e["change"] in ("status", "moved") for e in everything.events)  # no earlier state to change
    quota = next(p for p in everything.positions if (p["party"], p["issue"]) == ("Norway", "quota"))
    assert quota["change"] == "new" and quota["after"]["stance"] == "support"  # first stated, as it stands now
    assert "Norway on quota: support (first stated)" in quota["title"]
    assert not everything.conflicts or all(c["change"] == "new" for c in everything.conflicts)


def test_reconciling_again_changes_nothing_in_the_brief(tmp_path, brief_db, lexicon, changes):
    copy = tmp_path / "again.db"
    with sqlite3.connect(brief_db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with Store(copy) as store:
        reconcile_store(store, lexicon)
        again = compute_changes(load_source(store), BETWEEN, now=STORED_B, lexicon=lexicon)
    assert [i["key"] for i in again.items()] == [i["key"] for i in changes.items()]


def test_the_terminal_brief_cites_before_and_after(changes):
    console = Console(record=True, width=200)
    print_changes(changes, console)
    text = console.export_text()
    assert "3 new documents" in text
    assert "Norway on quota: oppose → support" in text
    assert "before: “Norway opposes any cut" in text and "after: “Norway now supports" in text
    assert "Meeting in Tórshavn moved: 2026-03-03 → 2026-03-17" in text
    assert "Marit Haugland (Norway): “We have a text both sides can take home”" in text
    assert "Coastal Affairs Weekly, 2026-02-11, coastal-affairs-london-held.md" in text
    assert "Record January landings" not in text.split("Events")[0]  # A's documents are not new
    assert "Coastal Digest" in text.split("Events")[0]  # the reprint is listed among the new documents ...


@pytest.mark.parametrize("text, expected", [
    ("90m", datetime(2026, 2, 12, 10, 30, tzinfo=timezone.utc)),
    ("24h", datetime(2026, 2, 11, 12, 0, tzinfo=timezone.utc)),
    ("7d", datetime(2026, 2, 5, 12, 0, tzinfo=timezone.utc)),
    ("2w", datetime(2026, 1, 29, 12, 0, tzinfo=timezone.utc)),
    ("2026-01-20", datetime(2026, 1, 20, tzinfo=timezone.utc)),
    ("2026-01-20T08:15", datetime(2026, 1, 20, 8, 15, tzinfo=timezone.utc)),
    ("2026-01-20T10:15+02:00", datetime(2026, 1, 20, 8, 15, tzinfo=timezone.utc)),
])
def test_since_takes_durations_dates_and_times(text, expected):
    assert parse_since(text, STORED_B) == expected


@pytest.mark.parametrize("text", ["yesterday", "", "24", "-3d", "2026-13-01", "99999999d"])
def test_a_bad_since_is_a_one_line_error(text):
    with pytest.raises(SinceError) as err:
        parse_since(text, STORED_B)
    assert "\n" not in str(err.value) and "not a duration" in str(err.value)


def test_cli_brief_writes_json_and_html_and_refuses_a_bad_since(tmp_path, brief_db):
    runner = CliRunner()
    bad = runner.invoke(app, ["brief", "--since", "last week", "--db", str(brief_db)])
    assert bad.exit_code == 2 and "not a duration" in bad.output and "Traceback" not in bad.output
    out_json, out_html = tmp_path / "brief.json", tmp_path / "brief.html"
    result = runner.invoke(app, ["brief", "--since", "2026-02-08", "--db", str(brief_db), "--lexicon", str(LEXICON_DIR),
                                 "--json", str(out_json), "--html", str(out_html)])
    assert result.exit_code == 0, result.output
    assert "What changed since 2026-02-08T00:00:00+00:00" in result.output
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert {d["source"] for d in data["documents"]} == B_SOURCES
    assert {e["change"] for e in data["events"]} == {"status", "moved", "new"}
    page = out_html.read_text(encoding="utf-8")
    assert 'data-home="view-new"' in page and '<section class="page" id="view-new">' in page
    assert "Norway on quota: oppose → support" in page
    assert "Meeting in Tórshavn moved: 2026-03-03 → 2026-03-17" in page
    quiet = runner.invoke(app, ["brief", "--since", "2099-01-01", "--db", str(brief_db)])
    assert quiet.exit_code == 0 and "Nothing changed since 2099-01-01" in quiet.output


def test_the_one_file_briefing_without_changes_has_no_whats_new(brief_db):
    with Store(brief_db, read_only=True) as store:
        page = render_briefing(load_source(store))
    assert '<section class="page" id="view-new">' not in page and '<body data-mode="static">' in page


@pytest.fixture(scope="module")
def client(brief_db, lexicon) -> TestClient:
    return TestClient(create_app(brief_db, lexicon=lexicon))


def test_whats_new_page_and_api(client, changes):
    page = client.get("/new?since=2026-02-08")
    assert page.status_code == 200
    assert 'name="since"' in page.text and "Norway on quota: oppose → support" in page.text
    assert 'href="/documents/' in page.text and "?hl=" in page.text  # every citation links to its sentence
    assert 'data-view="new"' in client.get("/").text  # in the navigation
    api = client.get("/api/new?since=2026-02-08").json()
    assert [i["key"] for k in ("events", "positions", "conflicts", "corroborations", "quotes", "figures")
            for i in api[k]] == [i["key"] for i in changes.items()]
    bad = client.get("/api/new?since=soon")
    assert bad.status_code == 422 and "not a duration" in bad.json()["error"]
    assert client.get("/new?since=soon").status_code == 422
    assert "Nothing changed" in client.get("/new?since=2099-01-01").text


def test_the_feed_is_atom_with_one_entry_per_change_linked_to_its_sentence(client, changes):
    response = client.get("/feed.xml?since=2026-02-08")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    feed = SafeET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None, tag
    assert feed.find(f"{ATOM}updated").text == STORED_B.isoformat()
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(changes.items())
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert "Position: Norway on quota: oppose → support" in titles
    for entry in entries:
        href = entry.find(f"{ATOM}link").get("href")
        assert href.startswith("http://testserver/documents/") and "?hl=" in href
        assert client.get(href.removeprefix("http://testserver")).status_code == 200
        assert entry.find(f"{ATOM}updated").text and entry.find(f"{ATOM}summary").text
    again = SafeET.fromstring(client.get("/feed.xml?since=2026-02-08").content)
    assert [e.find(f"{ATOM}id").text for e in again.findall(f"{ATOM}entry")] == ids  # a reader shows each once
    assert client.get("/feed.xml?since=never").status_code == 422
    empty = SafeET.fromstring(client.get("/feed.xml?since=2099-01-01").content)
    assert empty.findall(f"{ATOM}entry") == [] and empty.find(f"{ATOM}updated").text


def test_a_store_made_before_added_at_opens_and_its_documents_count_as_old(tmp_path, lexicon):
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as con:
        con.executescript("""
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
            INSERT INTO meta VALUES ('schema_version', '1');
            CREATE TABLE documents (id TEXT PRIMARY KEY, source TEXT UNIQUE NOT NULL, path TEXT, title TEXT,
                outlet TEXT, published TEXT, url TEXT, author TEXT, words INTEGER, duplicate_of TEXT,
                text TEXT NOT NULL, position INTEGER NOT NULL);
            INSERT INTO documents VALUES ('abc123', 'old.txt', NULL, 'Old', 'Wire', '2026-01-02', NULL, NULL, 3,
                NULL, 'Norway met Britain.', 1);
        """)
    with Store(db, read_only=True) as store:  # read-only: nothing is added, and it still reads
        assert [d.added_at for d in store.documents()] == [None]
    with Store(db) as store:
        assert [d.added_at for d in store.documents()] == [None]
        source = load_source(store)
    assert compute_changes(source, datetime(2000, 1, 1, tzinfo=timezone.utc), lexicon=lexicon).empty
