"""Ingest: files of every supported kind become Document records; bad files say why in one line."""

from __future__ import annotations

import hashlib
import random
import shutil
from pathlib import Path

import pytest

from parley.ingest import (
    IngestError,
    document_id,
    find_files,
    ingest,
    normalise_date,
    read_file,
    unique_documents,
)
from parley.records import Document

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def read_one(path: Path) -> Document:
    [source_file] = find_files([path])
    result = read_file(source_file)
    assert result.problems == []
    [document] = result.documents
    return document


def read_error(path: Path) -> IngestError:
    [source_file] = find_files([path])
    with pytest.raises(IngestError) as caught:
        read_file(source_file)
    return caught.value


# ---------------------------------------------------------------- plain text and Markdown


def test_txt_with_headline_line_gives_title_and_keeps_the_line_in_the_text():
    document = read_one(FIXTURES / "with_headline.txt")
    assert document.title == "River water deal edges closer as upstream towns offer summer limits"
    assert document.text.startswith(document.title + "\n\nOfficials from the three upstream towns")
    assert document.text.endswith("in two weeks.")  # outer white space stripped
    assert document.source == "with_headline.txt"
    assert document.path == str(FIXTURES / "with_headline.txt")
    assert document.id == document_id(document.text)


def test_txt_without_headline_has_no_title_and_newlines_are_normalised():
    document = read_one(FIXTURES / "no_headline.txt")
    assert document.title is None
    assert "\r" not in document.text
    assert document.text.endswith("cap how much water they draw from the river in the summer months.\n\n"
                                  "The cooperative said it would reply in writing.")


@pytest.mark.parametrize(
    "first_line",
    [
        "Officials said on Tuesday that the talks would go on.",  # a sentence
        "- Talks resume on Friday",  # a bullet
        "Here is what was agreed:",  # a lead-in
        " ".join(["word"] * 25),  # too long for a headline
    ],
)
def test_first_lines_that_are_not_headlines_give_no_title(tmp_path, first_line):
    path = tmp_path / "article.txt"
    path.write_text(f"{first_line}\nThe rest of the article follows here.\n", encoding="utf-8")
    assert read_one(path).title is None


def test_single_paragraph_text_has_no_title(tmp_path):
    path = tmp_path / "one_line.txt"
    path.write_text("Talks resume on Friday in the capital", encoding="utf-8")
    assert read_one(path).title is None


def test_markdown_front_matter_gives_metadata_and_is_removed_from_the_text():
    document = read_one(FIXTURES / "front_matter.md")
    assert document.title == "Ferry operators and islanders agree on winter timetable"
    assert document.outlet == "Island Gazette"
    assert document.published == "2025-12-19"
    assert document.url == "https://gazette.example.net/ferry-winter-timetable"
    assert document.author == "Tomas O'Neill"
    # the body is kept verbatim, Markdown included
    assert document.text.startswith("# Ferry timetable settled after four rounds\n\nAfter four rounds")
    assert "**winter timetable**" in document.text
    assert "---" not in document.text and "outlet:" not in document.text


def test_markdown_heading_is_the_title_without_front_matter(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("## Port strike called off\n\nDockers called off Monday's strike.\n", encoding="utf-8")
    document = read_one(path)
    assert document.title == "Port strike called off"
    assert document.text.startswith("## Port strike called off")


def test_utf8_bom_and_utf16_with_bom_decode(tmp_path):
    text = "Gespräche in Zürich — “no deal yet”\n\nThe delegations will meet again next week."
    (tmp_path / "bom8.txt").write_bytes(text.encode("utf-8-sig"))
    (tmp_path / "bom16.txt").write_bytes(text.encode("utf-16"))  # writes a BOM
    assert read_one(tmp_path / "bom8.txt").text == text
    assert read_one(tmp_path / "bom16.txt").text == text


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_legacy_western_encoding_decodes(tmp_path, encoding):
    text = "The talks in Genève ended without a deal, said Señor Pérez after the meeting at the Café du Lac."
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode(encoding))
    assert read_one(path).text == text


def test_cp1252_curly_quotes_decode(tmp_path):
    text = "“We are close,” the mediator told reporters in Genève on Friday, before the talks broke up."
    path = tmp_path / "quotes.txt"
    path.write_bytes(text.encode("cp1252"))
    assert read_one(path).text == text


# ---------------------------------------------------------------- web pages


def test_html_page_gives_clean_article_text_and_metadata():
    document = read_one(FIXTURES / "harbour_talks.html")
    assert document.title == "Harbour fee talks stall over night shipping"
    assert document.outlet == "The Coastal Ledger"
    assert document.published == "2025-03-14"
    assert document.url == "https://ledger.example.org/2025/03/harbour-fee-talks-stall"
    assert document.author == "Mara Lindqvist"
    assert document.source == "harbour_talks.html"
    assert "raise the overnight fee by twelve percent" in document.text
    assert "keep the harbour running at two in the morning" in document.text
    for boilerplate in ["Subscribe", "SailCheap", "Most read", "boat loan", "Privacy policy", "All rights reserved"]:
        assert boilerplate not in document.text


# ---------------------------------------------------------------- feeds


def test_json_list_with_field_variants():
    [source_file] = find_files([FIXTURES / "articles.json"])
    result = read_file(source_file)
    assert result.problems == []
    first, second = result.documents

    assert first.title == "Teachers' union and ministry resume pay talks"
    assert first.text.startswith("The teachers' union returned")
    assert first.url == first.source == "https://news.example.com/teachers-pay-talks"
    assert first.published == "2025-12-08"
    assert first.outlet == "Example News"  # "source" object with a name
    assert first.author == "Priya Raman"

    assert second.title == "Ministry puts new pay offer in writing"
    assert second.text == (
        "The education ministry sent its revised pay offer to the teachers' union on Wednesday.\n\n"
        "The union said it would consult members before answering."
    )
    assert second.url is None
    assert second.source == "articles.json#2"  # no url: file source and item number
    assert second.published == "2025-12-10"
    assert second.outlet == "Daily Example"
    assert second.author == "Leo Brandt, Ana Sousa"


def test_json_object_holding_a_list_of_articles(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(
        '{"status": "ok", "articles": [{"title": "Talks resume", "text": "The talks resumed on Monday."}]}',
        encoding="utf-8",
    )
    assert read_one(path).text == "The talks resumed on Monday."


def test_json_single_article_object_takes_the_file_as_source(tmp_path):
    path = tmp_path / "one.json"
    path.write_text('{"headline": "Talks resume", "content": "The talks resumed on Monday."}', encoding="utf-8")
    document = read_one(path)
    assert (document.source, document.title) == ("one.json", "Talks resume")


def test_jsonl_feed_keeps_good_records_and_reports_bad_ones_by_line():
    [source_file] = find_files([FIXTURES / "feed.jsonl"])
    result = read_file(source_file)

    assert [document.title for document in result.documents] == [
        "Bus drivers vote on new rota",
        "Rota vote result expected Monday",
        "Drivers back the rota",
    ]
    vote, expected, backed = result.documents
    assert vote.source == "https://city.example.org/bus-rota-vote"
    assert (vote.published, vote.outlet) == ("2025-12-11", "City Post")
    assert expected.source == "feed.jsonl#3"  # line 3: line 2 is blank
    assert expected.published == "2025-12-12"
    assert backed.published is None  # unparseable date is not an error
    assert backed.outlet == "Metro Wire"

    display = str(FIXTURES / "feed.jsonl")
    assert [str(problem) for problem in result.problems] == [
        f"{display}: line 4 is not valid JSON (Expecting ',' delimiter at column 59)",
        f"{display}: line 5: no 'text', 'content' or 'body' field",
    ]


def test_a_feed_url_that_is_not_a_web_address_names_no_source(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"url": "javascript:alert(1)", "title": "x", "text": "Talks resumed in Geneva on Monday."}\n'
                    '{"url": " https://news.example/a ", "text": "Talks ended in Oslo on Friday."}\n', encoding="utf-8")
    [source_file] = find_files([path])
    first, second = read_file(source_file).documents
    assert (first.source, first.url) == ("feed.jsonl#1", None)
    assert (second.source, second.url) == ("https://news.example/a", "https://news.example/a")


def test_json_list_record_without_text_is_reported_by_item(tmp_path):
    path = tmp_path / "list.json"
    path.write_text('[{"text": "The talks resumed on Monday."}, {"title": "Empty"}, 7]', encoding="utf-8")
    [source_file] = find_files([path])
    result = read_file(source_file)
    assert len(result.documents) == 1
    assert [problem.problem for problem in result.problems] == [
        "item 2: no 'text', 'content' or 'body' field",
        "item 3 is not a JSON object",
    ]


def test_a_front_matter_value_with_a_long_run_of_spaces_is_read_at_once(tmp_path):
    # read with a lazy pattern this took minutes (quadratic in the run of spaces)
    path = tmp_path / "spaced.md"
    path.write_text("---\ntitle: Talks" + " " * 200_000 + "resume\n---\nThe envoys met in Oslo on Monday.\n",
                    encoding="utf-8")
    document = read_one(path)
    assert document.title.split() == ["Talks", "resume"]
    assert document.text == "The envoys met in Oslo on Monday."


def test_json_that_python_cannot_hold_is_one_clear_problem(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 50_000 + "]" * 50_000, encoding="utf-8")
    [source_file] = find_files([deep])
    with pytest.raises(IngestError) as caught:
        read_file(source_file)
    assert str(caught.value) == f"{deep}: not valid JSON (nested too deeply)"

    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"text": "Envoys met in Oslo.", "published": 1' + "0" * 5_000 + "}\n"
                    '{"text": "The talks go on in Oslo."}\n', encoding="utf-8")
    [source_file] = find_files([feed])
    result = read_file(source_file)
    assert [d.text for d in result.documents] == ["The talks go on in Oslo."]
    assert [str(p) for p in result.problems] == [f"{feed}: line 1 is not valid JSON (a number too long to read)"]


def test_a_lone_surrogate_escape_in_a_feed_becomes_a_replacement_character(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text('{"text": "The envoys met \\ud83d in Oslo.", "title": "Oslo \\udc00"}', encoding="utf-8")
    document = read_one(path)
    assert document.text == "The envoys met \ufffd in Oslo."
    assert document.title == "Oslo \ufffd"
    assert document.id == document_id(document.text)


# ---------------------------------------------------------------- bad input: one clear line


def _bad_files(tmp_path: Path) -> dict[str, bytes]:
    rng = random.Random(7)
    return {
        "binary.txt": b"PK\x03\x04\x14\x00\x00\x00\x08\x00some zipped bytes",
        "empty.txt": b"",
        "blank.md": b"  \n\n \t\n",
        "nav_only.html": (
            b"<html><head><title>Home</title></head><body><nav><a href='/'>Home</a></nav>"
            b"<div id='app'></div><footer>Contact</footer></body></html>"
        ),
        "notes.pdf": b"%PDF-1.7 not really a pdf",
        "undecodable.txt": bytes(rng.randrange(1, 256) for _ in range(400)),
        "broken.json": b'{"title": "Talks", "text": "unfinished',
        "no_text.json": b'{"title": "Talks resume"}',
    }


@pytest.mark.parametrize(
    "name, problem",
    [
        ("binary.txt", "binary file, not text"),
        ("empty.txt", "empty file"),
        ("blank.md", "empty file"),
        ("nav_only.html", "no article text found in the page"),
        ("notes.pdf", "unsupported file type '.pdf'"),
        ("undecodable.txt", "cannot decode text (not UTF-8/UTF-16 and no reliable encoding detected)"),
        ("broken.json", "not valid JSON (Unterminated string starting at line 1, column 28)"),
        ("no_text.json", "no 'text', 'content' or 'body' field"),
    ],
)
def test_bad_file_gives_one_line_error_naming_file_and_problem(tmp_path, name, problem):
    path = tmp_path / name
    path.write_bytes(_bad_files(tmp_path)[name])
    error = read_error(path)
    assert error.path == str(path)
    assert error.problem == problem
    assert str(error) == f"{path}: {problem}"
    assert "\n" not in str(error)


def test_missing_path_is_an_error(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(IngestError) as caught:
        find_files([missing])
    assert str(caught.value) == f"{missing}: no such file or directory"


# ---------------------------------------------------------------- walking folders


def test_folder_walk_gives_sorted_relative_sources_and_skips_hidden_files(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "day2").mkdir(parents=True)
    (corpus / "day1" / "wires").mkdir(parents=True)
    (corpus / ".cache").mkdir()
    shutil.copy(FIXTURES / "with_headline.txt", corpus / "day2" / "a.txt")
    shutil.copy(FIXTURES / "harbour_talks.html", corpus / "day1" / "wires" / "b.html")
    shutil.copy(FIXTURES / "front_matter.md", corpus / "c.md")
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.7")
    (corpus / ".hidden.txt").write_text("secret notes", encoding="utf-8")
    (corpus / ".cache" / "old.txt").write_text("cached copy", encoding="utf-8")
    (corpus / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (corpus / "c.md~").write_text("editor backup", encoding="utf-8")

    found = list(find_files([corpus]))

    assert [sf.source for sf in found] == ["c.md", "day1/wires/b.html", "day2/a.txt", "scan.pdf"]
    assert found[1].path == corpus / "day1" / "wires" / "b.html"
    raw = (corpus / "c.md").read_bytes()
    assert found[0].raw_hash == hashlib.sha256(raw).hexdigest()


def test_a_file_given_directly_has_its_name_as_source_and_is_not_listed_twice(tmp_path):
    shutil.copy(FIXTURES / "with_headline.txt", tmp_path / "a.txt")
    found = list(find_files([tmp_path / "a.txt", tmp_path]))
    assert [sf.source for sf in found] == ["a.txt"]


def test_ingest_reads_a_folder_reports_problems_and_drops_exact_duplicates(tmp_path):
    shutil.copy(FIXTURES / "with_headline.txt", tmp_path / "a.txt")
    # the same article with different line endings and trailing space: same id
    copy = (FIXTURES / "with_headline.txt").read_text(encoding="utf-8").replace("\n", "  \r\n")
    (tmp_path / "b.txt").write_text(copy, encoding="utf-8", newline="")
    shutil.copy(FIXTURES / "feed.jsonl", tmp_path / "feed.jsonl")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.7")

    result = ingest([tmp_path])

    assert [document.source for document in result.documents] == [
        "a.txt",
        "https://city.example.org/bus-rota-vote",
        "feed.jsonl#3",
        "feed.jsonl#6",
    ]
    assert [problem.problem for problem in result.problems] == [
        "line 4 is not valid JSON (Expecting ',' delimiter at column 59)",
        "line 5: no 'text', 'content' or 'body' field",
        "unsupported file type '.pdf'",
    ]


# ---------------------------------------------------------------- ids and dates


def test_document_id_ignores_white_space_differences():
    assert document_id("Talks  resume\non Friday.") == document_id("Talks resume on Friday.")
    assert document_id("Talks resume on Friday.") != document_id("Talks resume on Monday.")
    assert len(document_id("x")) == 16


def test_unique_documents_keeps_the_first_of_each_id():
    first = Document(id="a", source="1.txt", text="x")
    again = Document(id="a", source="2.txt", text="x")
    other = Document(id="b", source="3.txt", text="y")
    assert unique_documents([first, again, other]) == [first, other]


@pytest.mark.parametrize(
    "written, expected",
    [
        ("2025-12-19", "2025-12-19"),
        ("2025-12-19T23:30:00-05:00", "2025-12-19"),  # the date as written, no time zone shift
        ("Fri, 19 Dec 2025 14:03:00 +0000", "2025-12-19"),
        ("December 19, 2025", "2025-12-19"),
        ("19 Dec 2025", "2025-12-19"),
        ("Updated: 19 Dec 2025, 10:12 GMT", "2025-12-19"),
        ("December 2025", None),  # no day
        ("yesterday", None),  # relative: would depend on when parley runs
        ("soon", None),
        (None, None),
    ],
)
def test_published_dates_are_normalised(written, expected):
    assert normalise_date(written) == expected


# ---------------------------------------------------------------- the real seeds


def test_seed_articles_ingest_as_utf8_text():
    if not SEEDS.is_dir():
        pytest.skip("shared seeds not available")
    result = ingest([SEEDS])
    assert result.problems == []
    assert len(result.documents) == len(list(SEEDS.glob("*.txt")))
    for document in result.documents:
        raw = (SEEDS / document.source).read_text(encoding="utf-8")
        assert document.text == raw.strip()  # offsets refer to the file's own text
        if document.title:
            assert len(document.title.split()) <= 20


def test_a_lead_opening_with_a_wire_dateline_gives_the_date_and_agency(tmp_path: Path):
    path = tmp_path / "lead.txt"
    path.write_text("Quota talks resume\n\nTORSHAVN, Faroe Islands, 9 March 2026 (Harbour Wire) - "
                    "Negotiators from four coastal states sat down again on Monday to settle the "
                    "mackerel shares they failed to agree in February.\n", encoding="utf-8")
    document = read_one(path)
    assert (document.published, document.outlet) == ("2026-03-09", "Harbour Wire")
    path.write_text("Quota talks resume\n\nWASHINGTON - Negotiators sat down again on Monday to "
                    "settle the shares they failed to agree in February.\n", encoding="utf-8")
    assert read_one(path).published is None  # a place alone dates nothing


def test_plain_text_dateline_gives_published_date_and_outlet(tmp_path: Path):
    path = tmp_path / "wire.txt"
    path.write_text("Envoys meet in Geneva\n\nHarbour Wire | Geneva | 3 February 2026\n\n"
                    "Negotiators met on Tuesday for a second day of talks.\n", encoding="utf-8")
    document = read_one(path)
    assert document.published == "2026-02-03"
    assert document.outlet == "Harbour Wire"
    assert document.title == "Envoys meet in Geneva"
