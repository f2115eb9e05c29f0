"""Long documents: parsed in parts with every offset still pointing into the whole text;
files past the size limit skipped in one line; a folder of odd files analysed to the end.

Texts are invented (a fisheries negotiation between Norway and the European Commission).
Part sizes are made small here so that a "long" document stays quick to parse.
"""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import replace
from pathlib import Path

from typer.testing import CliRunner

from parley.cli import app
from parley.extract import parts
from parley.extract.parts import cut_into_parts
from parley.extract.run import extract, extract_all, extract_in_parts
from parley.records import Document, Extraction, to_dict

FILLER = (
    "The conference hall stayed quiet for most of the afternoon. Delegates read through long "
    "drafts while the interpreters worked on the annexes, and the coffee ran out before four. "
    "Nobody in the corridor wanted to guess how the evening session would go."
)
FACTS = (
    'On 14 March 2025, Foreign Minister Ingrid Solheim met Commissioner Pedro Alves in Bergen. '
    '"We will not sign anything that leaves the fishing quotas unresolved," Solheim told '
    'reporters after the meeting. Norway offered a fund of $4.2 billion for the coastal towns, '
    'and Alves said the Commission demands a ceasefire in the quota dispute before further talks.'
)
OTHER_FACTS = [
    'Trade Commissioner Marta Kovacs arrived in Oslo on 2 April 2025. "The offer on the table is '
    'the last one we can make this spring," Kovacs said, adding that 1,200 boats would be affected.',
    'Deputy Minister Lars Eide met the Icelandic envoy Sigrun Halldorsdottir in Reykjavik on 9 May '
    '2025. "Our fleet cannot wait another season for an answer," Eide told the local radio station.',
    'The European Commission proposed a fund of €310 million for the harbours on 20 June 2025. '
    '"This money is meant for the people on the quays, not for the ministries," Alves said.',
]


def offsets_point_into(text: str, extraction: Extraction) -> None:
    """Every offset of an extraction points at the characters the record was read from."""
    for m in extraction.mentions:
        assert text[m.start:m.end] == m.text
    for q in extraction.quotes:
        assert text[q.start:q.end].strip() == q.text
        assert text[q.start:q.end] in q.evidence
    for f in extraction.figures:
        assert text[f.start:f.end] == f.text
        assert text[f.start:f.end] in f.evidence
    for t in extraction.times:
        assert text[t.start:t.end] in t.evidence
    for record in extraction.events + extraction.positions:
        assert text[record.start:record.end] in record.evidence
        assert record.evidence in text
    previous_end = 0
    for start, end in extraction.sentences:
        assert previous_end <= start < end <= len(text)
        assert text[start:end].strip()
        previous_end = end


def test_parts_are_cut_at_paragraph_breaks_and_cover_the_text():
    paragraphs = [FILLER, FACTS, *OTHER_FACTS, FILLER]
    text = "\n\n".join(paragraphs)
    spans = cut_into_parts(text, part_chars=max(map(len, paragraphs)) + 2)
    assert [text[s:e] for s, e in spans] == [p + "\n\n" for p in paragraphs[:-1]] + [paragraphs[-1]]


def test_a_paragraph_longer_than_a_part_is_cut_at_sentence_ends_then_spaces():
    text = FILLER + " " + FILLER
    sentences = [s + ". " for s in FILLER.removesuffix(".").split(". ")] * 2
    sentences[-1] = sentences[-1].rstrip()
    assert [text[s:e] for s, e in cut_into_parts(text, part_chars=120)] == sentences
    spans = cut_into_parts(text, part_chars=80)  # the second sentence is longer than that
    assert "".join(text[s:e] for s, e in spans) == text
    assert all(e - s <= 80 and text[e - 1] == " " for s, e in spans[:-1])
    assert text[spans[1][0]:spans[1][1]] == "Delegates read through long drafts while the interpreters worked on the "
    unbroken = "x" * 250  # no boundary at all: cut where the part is full
    assert cut_into_parts(unbroken, part_chars=100) == [(0, 100), (100, 200), (200, 250)]


def test_a_short_document_is_one_part():
    assert cut_into_parts(FACTS, part_chars=len(FACTS)) == [(0, len(FACTS))]


def test_facts_in_a_later_part_point_at_the_original_text(nlp, lexicon):
    text = "\n\n".join([FILLER] * 4 + [FACTS])
    document = Document(id="long", source="long.txt", text=text, published="2025-03-15")
    part_chars = len(FACTS) + 10  # each filler paragraph a part, then the facts
    extraction = extract_in_parts(document, nlp, lexicon, part_chars=part_chars)
    assert len(cut_into_parts(text, part_chars)) == 5
    offsets_point_into(text, extraction)
    late = text.index(FACTS)
    [fund] = [f for f in extraction.figures if f.value == 4.2e9]
    assert fund.start == text.index("$4.2 billion") and fund.start > late
    [quote] = extraction.quotes
    assert quote.text.startswith("We will not sign anything") and quote.start > late
    assert quote.speaker == "ingrid-solheim"
    assert any(t.when.date == "2025-03-14" and t.start == late for t in extraction.times)
    assert any(m.text == "Ingrid Solheim" and m.start == text.index("Ingrid Solheim") for m in extraction.mentions)
    assert any(e.kind == "meeting" and e.start == late for e in extraction.events)
    assert {(p.actor, p.issue) for p in extraction.positions} == {("norway", "financing"), ("european-commission", "ceasefire")}


def test_a_document_in_parts_gives_the_facts_of_each_part_alone(nlp, lexicon):
    paragraphs = [FACTS, *OTHER_FACTS]
    text = "\n\n".join(paragraphs)
    document = Document(id="several", source="several.txt", text=text, published="2025-07-01")
    part_chars = max(map(len, paragraphs)) + 2
    spans = cut_into_parts(text, part_chars)
    assert len(spans) == len(paragraphs)

    joined = extract_in_parts(document, nlp, lexicon, part_chars=part_chars)
    alone = []
    for start, end in spans:
        part = replace(document, text=text[start:end])
        alone.append(parts.shift(extract(part, nlp(part.text), lexicon), start))

    offsets_point_into(text, joined)
    for kind in ("mentions", "quotes", "figures", "times", "events", "positions"):
        expected = [to_dict(r) for a in alone for r in getattr(a, kind)]
        assert [to_dict(r) for r in getattr(joined, kind)] == expected, kind
    assert joined.sentences == [s for a in alone for s in a.sentences]
    assert len(joined.quotes) == 4 and len(joined.figures) >= 3
    # One actor per id, its mentions counted over all parts.
    alves = [a for a in joined.actors if a.id == "pedro-alves"]
    assert len(alves) == 1
    assert alves[0].mentions == sum(a.mentions for p in alone for a in p.actors if a.id == "pedro-alves") > 1
    assert {a.id for a in joined.actors} == {a.id for p in alone for a in p.actors}


def test_ordinary_documents_keep_the_one_piece_parse(nlp, lexicon):
    document = Document(id="short", source="short.txt", text=FACTS, published="2025-03-15")
    [(_, through_all)] = list(extract_all([document], nlp, lexicon))
    assert to_dict(through_all) == to_dict(extract(document, nlp(FACTS), lexicon))


def test_a_file_past_the_size_limit_is_skipped_unread_and_the_rest_stored(tmp_path, lexicon, monkeypatch):
    from parley.pipeline import analyze
    from parley.store import Store

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "article.txt").write_text(FACTS + "\n", encoding="utf-8")
    with (folder / "dump.txt").open("wb") as handle:
        handle.truncate(25_000_000)  # 25 MB (sparse: nothing is written)
    read = []
    real_read_bytes = Path.read_bytes
    real_open = Path.open
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or real_read_bytes(self))
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: read.append(self.name) or real_open(self, *a, **k))

    with Store(tmp_path / "p.db") as store:
        report = analyze([folder], store, lexicon)
        assert report.problems == [f"{folder / 'dump.txt'}: 25.0 MB, larger than the 20 MB limit "
                                   "(raise it with --max-file-mb)"]
        assert report.added == ["article.txt"]
        assert "dump.txt" not in read  # not even to hash it


def test_a_folder_of_odd_files_is_analysed_to_the_end(tmp_path, monkeypatch):
    monkeypatch.setattr(parts, "PART_CHARS", 2_000)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(FACTS + "\n", encoding="utf-8")
    (folder / "b.md").write_text("---\ntitle: Harbour fund\n---\n" + OTHER_FACTS[2] + "\n", encoding="utf-8")
    transcript = "\n\n".join(f"{FILLER}\n\n{OTHER_FACTS[n % 3]}" for n in range(20))  # about 13,000 characters
    (folder / "transcript.txt").write_text(transcript, encoding="utf-8")
    (folder / "noise.txt").write_bytes(random.Random(7).randbytes(4096))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "too-big.txt").write_bytes(b"word " * 18_000)  # 90 kB
    lines = [json.dumps({"title": "Quays", "text": OTHER_FACTS[0]}), '{"title": "cut short", "text": "The',
             json.dumps({"title": "Reykjavik", "text": OTHER_FACTS[1]})]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "p.db"

    result = CliRunner().invoke(app, ["analyze", str(folder), "--db", str(db), "--quiet", "--max-file-mb", "0.05"])

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    problems = [line for line in result.output.splitlines() if line.startswith("skipped")]
    assert sorted(problems) == sorted([
        f"skipped {folder / 'empty.txt'}: empty file",
        f"skipped {folder / 'feed.jsonl'}: line 2 is not valid JSON (Unterminated string starting at column 32)",
        f"skipped {folder / 'noise.txt'}: binary file, not text",
        f"skipped {folder / 'too-big.txt'}: 0.09 MB, larger than the 0.05 MB limit (raise it with --max-file-mb)",
    ])
    assert "5 new documents" in result.output and "4 problems" in result.output
    with sqlite3.connect(db) as connection:
        stored = dict(connection.execute("SELECT source, text FROM documents"))
        data = dict(connection.execute(
            "SELECT d.source, e.data FROM extractions e JOIN documents d ON d.id = e.document_id"))
    assert sorted(stored) == ["a.txt", "b.md", "feed.jsonl#1", "feed.jsonl#3", "transcript.txt"]
    text, transcript_data = stored["transcript.txt"], json.loads(data["transcript.txt"])
    quotes = transcript_data["quotes"]
    assert len(quotes) == 20  # one in each repetition, the last ones in the last part
    assert all(text[q["start"]:q["end"]].strip() == q["text"] for q in quotes)
    assert quotes[-1]["start"] > len(text) - len(OTHER_FACTS[19 % 3])
    last_start, last_end = transcript_data["sentences"][-1]
    assert text[last_start:last_end].strip().endswith("the local radio station.")
