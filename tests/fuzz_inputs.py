"""Hostile inputs and the properties they must not break, shared by the fuzzing suite
(tests/test_fuzz.py, a few examples per run) and the long campaign (tools/fuzz_campaign.py).

The inputs are what a folder of scraped news can hold: bytes of any kind under a known
extension, text in scripts written right to left, invisible and combining characters,
emoji, NUL, pages cut short or nested thousands deep, feeds whose fields have the wrong
type, front matter gone wrong, quotation marks that never close, and numbers and dates
that cannot exist. Slots of sentence-like templates are filled with them, so that the
extractors' deeper rules (speakers, figures, dates, events, stances) see them too, not
only the tokenizer. Every text here is invented.

The properties: no exception escapes but the project's own one-line errors, which name
the file; every offset an extractor returns lies inside the text; what is extracted can
be stored (JSON without NaN or infinity) and read back unchanged; reconcile runs over
whatever the extractors gave.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

from hypothesis import strategies as st

from parley.ingest import IngestError, ReadResult, SourceFile, document_id, read_file
from parley.records import Document, Extraction, from_dict
from parley.store import as_json

# ---------------------------------------------------------------- pieces of text

RIGHT_TO_LEFT = [
    "قال الوزير إن المحادثات ستستمر",
    "مفاوضات جنيف",
    "אמר השר כי השיחות יימשכו",
    "ירושלים",
    "\u202eevil\u202c",  # right-to-left override
    "\u2067نص\u2069",  # right-to-left isolate
]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066", "\u2069", "\u180e"]
COMBINING = ["e\u0301", "\u0336", "Z\u0351\u0338\u0362\u0335", "\u20dd", "\u0301\u0301\u0301"]
EMOJI = ["👍🏽", "🇺🇦", "👨‍👩‍👧‍👦", "🤝", "🏳️‍🌈", "1️⃣", "💶"]
CONTROL = ["\x00", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\r", "\t", "\x7f", "\x1b[31m"]
QUOTATION_MARKS = ['"', "\u201c", "\u201d", "\u2018", "\u2019", "'", "\u00ab", "\u00bb", "\u201e", "\u201a",
                   "\u2039", "\u203a", "\u300c", "\u300d", "``", "''", '"""', "\u00ab\u201c"]
NUMBERS = [
    "1e308", "1e309", "-1e308", "1.7976931348623157e309", "€9,99,99", "-0", "-0.0", "10^400", "10**400",
    "9" * 400, "1" + "0" * 4400, "0." + "0" * 400 + "1", "NaN", "inf", "$1,2,3,4", "½", "²³", "①", "٣٤٥",
    "１２３", "1,000,000,000,000,000,000,000 euros", "$.", "€-", "12.5.7", "3/0", "0/0", "100%%",
    "1 000 000", "1.2.3bn", "€1e308bn", "$9" + "9" * 300 + " trillion", "-€-5", "±3", "1½ million",
    "five hundred thousand million billion", "a zillion", "1st", "0x1F", "٣.٥ مليار", "3,5 Mrd.",
]
DATES = [
    "February 30", "February 30, 2026", "the 45th of June", "year 99999", "0 BC", "31 April 2026",
    "2026-13-45", "0000-00-00", "9999-12-31", "10000-01-01", "December 0, 2025", "the 1st of Smarch",
    "Q5 2026", "Q0 0", "week 54 of 2026", "in 999999999 years", "999999999 days ago",
    "99999 weeks from now", "the 1990s", "the 99990s", "year 1", "AD 10000", "next Monday", "last 31st",
    "on the 0th", "between 31 and 45 March", "from March 2026 to February 2026", "1 January 1",
    "9999999999", "the weekend of 30 February", "late 99999", "mid-0", "the year 0000",
    "in " + "9" * 30 + " days", "Monday, 29 February 2027", "the 29th of February", "10,000 years ago",
    "the third week of Febtober", "31/31/31", "tomorrow tomorrow", "2026 BC", "March 2026–", "4 p.m.",
    "² days ago", "½ year ago", "٣ days ago", "the ²nd of May", "May ³, 2026", "Q² 2026", "'99", "in the '00s",
]
NAMES = [
    "Ingrid Solheim", "Pedro Alves", "Minister Dag Rune", "Dr. ", "The", "محمد عبد الله", "דוד כהן",
    "Jean-Pierre O'Neill-D'Arcy", "X Æ A-12", "President", "the minister", "Sir " * 40, "A" * 300,
    "McDonald's", "M.", "U.S.", "E.U.", "the Commission", "a senior official", "he", "They", "Ms",
    "Ingrid\u200bSolheim", "PEDRO ALVES", "pedro alves", "Solheim's", "Solheim, Solheim",
]
PLACES = ["Geneva", "Bergen", "Jerusalem", "القاهرة", "", "the", "Geneva, Geneva, Geneva", "Z\u0351urich",
          "New\nYork", "🇨🇭", "a city that does not exist"]
NOUNS = ["euros", "troops", "tanks", "percent", "%", "bn", "billion billion", "km", "people", "sanctions",
         "tariffs", "fish", "", "quota", "€"]
VERBS = ["said", "told reporters", "demanded", "rejected", "met", "will meet", "proposed", "warned",
         "according to", "insisted", "refused", "agreed", "cancelled", "said said", ":"]

TEMPLATES = [
    "{name} said on {date} that {number} {noun} would be {verb}.",
    "{open}{words}{close} {name} {verb} on {date}.",
    "According to {name}, {number} {noun} {verb} in {place} {date}.",
    "{name} met {name2} in {place} on {date} to discuss {number} {noun}.",
    "{name} demands {number} {noun} and rejects the {noun} of {date}.",
    "{name} {verb}: {open}We will never accept {number} {noun}{close}",
    "Talks in {place} were {verb} after {name} offered {number} {noun} {date}.",
    "{open}{words}, {close}{name} {verb}, {open}{words}{close}",
    "The {noun} deal, worth {number}, is due by {date}, {name} {verb}.",
    "{name} and {name2} will hold a summit in {place} {date}; {name2} opposes {noun}.",
    "{date}: {name} {verb} {number}.",
    "{words}",
]


def _noisy(pool: list[str]) -> st.SearchStrategy[str]:
    """An item of `pool`, sometimes with invisible, combining or control characters, emoji
    or right-to-left text glued to it."""
    glue = st.sampled_from(INVISIBLE + COMBINING + CONTROL + EMOJI + RIGHT_TO_LEFT + QUOTATION_MARKS)
    return st.one_of(
        st.sampled_from(pool),
        st.tuples(st.sampled_from(pool), glue, st.booleans()).map(lambda t: t[1] + t[0] if t[2] else t[0] + t[1]),
        st.text(max_size=12),
    )


WORDS = st.lists(_noisy(NAMES + NOUNS + VERBS + RIGHT_TO_LEFT + EMOJI + ["the", "talks", "we", "will", "not"]),
                 max_size=12).map(" ".join)


@st.composite
def sentences(draw) -> str:
    """One sentence-like line: a template with its slots filled by hostile pieces."""
    template = draw(st.sampled_from(TEMPLATES))
    return template.format(
        name=draw(_noisy(NAMES)), name2=draw(_noisy(NAMES)), date=draw(_noisy(DATES)),
        number=draw(_noisy(NUMBERS)), noun=draw(_noisy(NOUNS)), verb=draw(_noisy(VERBS)),
        place=draw(_noisy(PLACES)), words=draw(WORDS),
        open=draw(st.sampled_from(QUOTATION_MARKS + [""])), close=draw(st.sampled_from(QUOTATION_MARKS + [""])),
    )


SEPARATORS = st.sampled_from([" ", "\n", "\n\n", "", "\u2028", "\r\n", "\t", "  \n \n"])


@st.composite
def article_texts(draw, max_sentences: int = 8) -> str:
    """Text of an article: templated sentences, random Unicode, or both mixed. Never blank
    (ingest gives no blank document)."""
    kind = draw(st.sampled_from(["sentences", "unicode", "mixed"]))
    if kind == "unicode":
        text = draw(st.text(min_size=1, max_size=300))
    else:
        parts = draw(st.lists(sentences(), min_size=1, max_size=max_sentences))
        if kind == "mixed":
            parts += draw(st.lists(st.text(max_size=40), max_size=3))
            parts = draw(st.permutations(parts))
        text = "".join(part + draw(SEPARATORS) for part in parts)
    text = text.strip()
    return text if text else "x"


# Publication dates as ingest gives them (YYYY-MM-DD or none), the calendar's edges included.
PUBLISHED = st.one_of(st.none(), st.sampled_from(["0001-01-01", "9999-12-31", "2024-02-29", "2026-01-01"]),
                      st.dates().map(date.isoformat))
OUTLETS = st.one_of(st.none(), _noisy(["Harbour Gazette", "Meridian Wire", "", "الجزيرة", "Wire" * 60]))


@st.composite
def documents(draw, source: str = "fuzz.txt") -> Document:
    text = draw(article_texts())
    return Document(id=document_id(text), source=source, text=text,
                    title=draw(st.one_of(st.none(), _noisy(NAMES))), outlet=draw(OUTLETS),
                    published=draw(PUBLISHED))


# ---------------------------------------------------------------- files

UNKNOWN_SUFFIXES = [".pdf", ".xml", "", ".json.gz", ".docx", ".TXT~"]
SUFFIXES = [".txt", ".md", ".html", ".json", ".jsonl"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "cp1252", "latin-1", "shift_jis", "utf-7"]


@st.composite
def encoded(draw, text: str) -> bytes:
    """`text` in an encoding a file may come in (characters it cannot hold dropped)."""
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="ignore")


FRONT_MATTER_LINES = st.one_of(
    st.sampled_from([
        "title: Talks resume", "title: 'unclosed", 'title: "\\"', 'title: ""', "title:", "date: 99999-99-99",
        "published: February 30, 2026", "date: 0 BC", "published: 2026-02-30", "outlet: Harbour Gazette",
        "author:\n  - name: Ingrid\n    url: x", "title: |\n  two\n  lines", "tags: [a, [b, [c]]]",
        "date: 1e308", "url: javascript:alert(1)", "url: https://example.org/a b", "...", "--", "- - -",
    ]),
    st.tuples(st.sampled_from(["title", "date", "outlet", "x", "Title", "TITLE"]), _noisy(DATES + NAMES))
    .map(lambda t: f"{t[0]}: {t[1]}"),
    st.integers(1, 20_000).map(lambda n: "k" * n + ": v"),  # a huge key
    st.integers(1, 5_000).map(lambda n: "title:" + " " * n + "x"),  # a value after a long run of spaces
    st.text(max_size=30),  # binary-ish junk
)


@st.composite
def text_files(draw) -> bytes:
    """A .txt or .md file: an article, maybe under front matter that is anything but tidy."""
    body = draw(article_texts())
    if draw(st.booleans()):
        lines = draw(st.lists(FRONT_MATTER_LINES, max_size=8))
        if draw(st.booleans()):
            lines += lines[:3]  # repeated keys
        closing = draw(st.sampled_from(["---\n", "...\n", "", "--- \n", "----\n"]))  # "" leaves it open
        body = "---\n" + "\n".join(lines) + "\n" + closing + body
    return draw(encoded(body))


HTML_NOISE = ["<!-->", "<![CDATA[", "<script>", "<style>", "&#0;", "&#x110000;", "&#xD800;", "&bogus;",
              "&#99999999999;", "<?xml version='1.0' encoding='ebcdic'?>", "<meta charset='utf-7'>",
              "</html>", "<body>", "<p", "<a href='javascript:x'>", "<!DOCTYPE", "<svg><foreignObject>",
              "<table><tr><td>", "<template>", "<noscript>", "<base href='//'>"]


@st.composite
def html_files(draw) -> bytes:
    """A page: well formed around fuzzed paragraphs, nested thousands deep, cut short, or noisy."""
    paragraphs = draw(st.lists(article_texts(), min_size=1, max_size=4))
    title = draw(_noisy(NAMES + DATES))
    meta = draw(st.sampled_from(['<meta name="date" content="February 30, 2026">', '<meta property="og:site_name" content="">',
                                 '<meta name="author" content="\u202eevil">', "", '<meta name="date" content="9999-99-99">']))
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    kind = draw(st.sampled_from(["page", "nested", "truncated", "noise"]))
    if kind == "nested":
        depth = draw(st.integers(50, 2_000))
        tag = draw(st.sampled_from(["div", "p", "b", "table", "ul", "span"]))
        body = f"<{tag}>" * depth + body + f"</{tag}>" * draw(st.integers(0, depth))
    elif kind == "noise":
        noise = draw(st.lists(st.sampled_from(HTML_NOISE), min_size=1, max_size=10))
        body = "".join(n + draw(_noisy(NAMES)) for n in noise) + body
    page = (f"<!DOCTYPE html><html><head><title>{title}</title>{meta}</head>"
            f"<body><article><h1>{title}</h1>{body}</article></body></html>")
    if kind == "truncated":
        page = page[: draw(st.integers(0, len(page)))]
    return draw(encoded(page))


def _json_values(strings: st.SearchStrategy[str]) -> st.SearchStrategy:
    """Any JSON value, with `strings` for its strings."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), strings)
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(strings, inner, max_size=4)),
                        max_leaves=12)


# Addresses a feed may give; those with brackets would be rich markup in the terminal.
URLS = ["https://news.example/talks", "https://news.example/[/i]", "https://news.example/a[bold]b", "javascript:x",
        "https://", "http://news.example/" + "a" * 3000]
FEED_KEYS = ["text", "content", "body", "articleBody", "title", "headline", "url", "link", "published",
             "date", "pubDate", "outlet", "source", "author", "byline", "articles", "items", "name", "Text"]


@st.composite
def feed_records(draw):
    """One article object of a feed; any field may hold the wrong type."""
    strings = st.one_of(article_texts(max_sentences=3), _noisy(DATES + NAMES + NUMBERS + URLS))
    keys = draw(st.lists(st.sampled_from(FEED_KEYS), max_size=6))
    record = {key: draw(st.one_of(strings, _json_values(strings))) for key in keys}
    if draw(st.booleans()):
        record["text"] = draw(article_texts())
    return record


# JSON that json.loads accepts but a careless reader chokes on.
JSON_TRAPS = ["[" * 100_000 + "]" * 100_000, "{\"a\":" * 50_000 + "1" + "}" * 50_000, "1" + "0" * 5_000,
              '{"text": 1' + "0" * 5_000 + "}", '{"text": "a", "published": 1' + "0" * 5_000 + "}",
              '{"text": "x", "date": Infinity}', "NaN", "-Infinity", '"\\ud800"', '{"text": "Envoys met \\udc00 in Geneva", "title": "\\ud800"}', '{"text": "\\u0000 said \\u0000"}',
              '{"text": "Envoys met.", "text": 5}', "null", "true", "0", '"a string"', "[]", "{}", "[[[]]]"]


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=True)


@st.composite
def json_files(draw) -> bytes:
    """A .json file: a record, a list of them, a wrapper object, a scalar, cut short, or a trap."""
    kind = draw(st.sampled_from(["record", "list", "wrapper", "scalar", "truncated", "trap"]))
    if kind == "trap":
        text = draw(st.sampled_from(JSON_TRAPS))
    elif kind == "scalar":
        text = _dumps(draw(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text())))
    else:
        records = draw(st.lists(feed_records(), min_size=0 if kind != "record" else 1, max_size=4))
        value = {"record": records[0] if records else {}, "list": records}.get(
            kind, {draw(st.sampled_from(["articles", "items", "data", "Results"])): records})
        text = _dumps(value)
        if kind == "truncated":
            text = text[: draw(st.integers(0, len(text)))]
    return draw(encoded(text))


@st.composite
def json_lines_files(draw) -> bytes:
    """A .jsonl file: records, broken lines, blank lines, scalars and traps, one per line."""
    lines = draw(st.lists(st.one_of(feed_records().map(_dumps), st.sampled_from(JSON_TRAPS[:6] + ["", "{", "]"]),
                                    st.text(max_size=30)), min_size=1, max_size=6))
    return draw(encoded("\n".join(line.replace("\n", " ") for line in lines)))


def files_for(suffix: str) -> st.SearchStrategy[bytes]:
    """Bytes for a file named *suffix: random bytes, or content shaped for that kind of file."""
    shaped = {".txt": text_files(), ".md": text_files(), ".html": html_files(), ".json": json_files(),
              ".jsonl": json_lines_files()}.get(suffix, text_files())
    return st.one_of(st.binary(max_size=2_000), shaped)


def named_files(suffixes: list[str]) -> st.SearchStrategy[tuple[str, bytes]]:
    """(suffix, content) of a file among `suffixes`."""
    return st.sampled_from(suffixes).flatmap(lambda suffix: files_for(suffix).map(lambda content: (suffix, content)))


# ---------------------------------------------------------------- properties


def assert_one_line_naming(message: str, path: Path) -> None:
    """A problem as parley reports it: one line, "<path>: <problem>"."""
    assert message.startswith(f"{path}: "), message
    assert len(message.splitlines()) == 1, repr(message)
    assert message[len(f"{path}: "):].strip(), repr(message)


def check_read_file(path: Path) -> ReadResult | None:
    """Read one file; only IngestError may escape, and every problem is one line naming it."""
    source_file = SourceFile(path=path, source=path.name, raw_hash="")
    try:
        result = read_file(source_file)
    except IngestError as err:
        assert_one_line_naming(str(err), path)
        return None
    for problem in result.problems:
        assert isinstance(problem, IngestError)
        assert_one_line_naming(str(problem), path)
    for document in result.documents:
        assert document.text and document.text == document.text.strip()
        assert document.source
        if document.published is not None:
            date.fromisoformat(document.published)
    return result


def _records_with_offsets(extraction: Extraction):
    yield from extraction.mentions
    yield from extraction.quotes
    yield from extraction.figures
    yield from extraction.times
    yield from extraction.events
    yield from extraction.positions


def check_extraction(document: Document, extraction: Extraction) -> None:
    """Every offset inside the text, and the extraction storable and read back unchanged."""
    length = len(document.text)
    for record in _records_with_offsets(extraction):
        assert 0 <= record.start <= record.end <= length, (type(record).__name__, record.start, record.end, length)
    for start, end in extraction.sentences:
        assert 0 <= start <= end <= length
    for figure in extraction.figures:
        assert math.isfinite(figure.value), figure
    stored = as_json(extraction)  # as the store writes it
    assert from_dict(Extraction, json.loads(stored)) == extraction
