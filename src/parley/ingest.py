"""Ingest: turn the files of a folder into Document records.

Supported inputs
- plain text and Markdown (.txt, .md, .markdown), with optional front matter;
- web pages (.html, .htm): trafilatura keeps the article text and reads the metadata;
- feeds (.json, .jsonl, .ndjson): one article object, a list of them, or JSON Lines.

How a caller uses it (this is what `ingest()` does):

    for source_file in find_files(paths):   # IngestError at once if a path does not exist
        try:
            result = read_file(source_file)
        except IngestError as err:          # the whole file is unusable: report and go on
            print(err)
            continue
        for problem in result.problems:     # bad records inside a feed; the good ones
            print(problem)                  # still come through in result.documents
        documents += result.documents

Every IngestError prints as one line, "<path>: <problem>".
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import charset_normalizer

from parley.records import Document

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
JSON_LINES_SUFFIXES = {".jsonl", ".ndjson"}

# Operating-system litter skipped silently in folders (hidden files are skipped too).
# Any other file is yielded, so that read_file can say why it is not read.
JUNK_FILE_NAMES = {"Thumbs.db", "desktop.ini"}

# A web page whose extracted text is shorter than this, or has no sentence-length
# paragraph, is a link list, a cookie wall or an app shell rather than an article.
MIN_ARTICLE_WORDS = 25
MIN_PARAGRAPH_WORDS = 12

# Files larger than this many megabytes (10**6 bytes) are skipped unread: a news folder
# holds nothing that size but a dump or a stray archive. Long texts below it are read and
# analysed in parts (see parley.extract.parts).
MAX_FILE_MB = 20.0

MAX_HEADLINE_WORDS = 20
MAX_HEADLINE_CHARS = 200

# Where feeds keep each field, compared after lower-casing and dropping "_" and "-",
# so that published_at, publishedAt and pubDate all match.
FIELD_NAMES = {
    "text": ("text", "content", "body", "articlebody", "fulltext"),
    "title": ("title", "headline"),
    "url": ("url", "link", "canonicalurl", "canonical"),
    "published": ("published", "date", "publishedat", "pubdate", "datepublished", "publicationdate"),
    "outlet": ("outlet", "source", "site", "sitename", "publisher", "publication"),
    "author": ("author", "authors", "byline", "creator"),
}
# Keys under which a JSON object may hold its list of articles.
ARTICLE_LIST_KEYS = ("articles", "items", "data", "results", "entries", "documents")
NO_TEXT_FIELD = "no 'text', 'content' or 'body' field"


class IngestError(Exception):
    """A file (or one record of a feed) that cannot be read, and why."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(path, problem)
        self.path = path
        self.problem = " ".join(problem.split())  # always one line

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass
class SourceFile:
    path: Path  # where the file is on disk (the folder given joined with `source`)
    source: str  # path relative to the folder given, posix style; the file name if given directly
    raw_hash: str  # sha256 hex of the raw bytes ("" when the file cannot be read)


@dataclass
class ReadResult:
    """What reading one file (or many, with `ingest`) gave.

    `problems` lists records of a feed that could not be used; the file's other
    records are still in `documents`.
    """

    documents: list[Document] = field(default_factory=list)
    problems: list[IngestError] = field(default_factory=list)


# ---------------------------------------------------------------- finding files


def find_files(paths: Sequence[Path], max_file_mb: float | None = None) -> Iterator[SourceFile]:
    """The files to read under `paths` (files, or folders walked recursively).

    A file larger than ``max_file_mb`` megabytes is not read to be hashed (its raw_hash is
    empty): read_file refuses it, in one line, before reading it.

    Raises IngestError at once when a path does not exist. In folders, hidden files
    and folders (names starting with ".") and OS litter (Thumbs.db, desktop.ini,
    editor backups ending in "~") are skipped; every other file is yielded, whatever
    its extension, so that read_file reports the unsupported ones. A file reached
    twice (a folder and a file inside it both given) is yielded once.
    """
    paths = [Path(p) for p in paths]
    for path in paths:
        if not path.exists():
            raise IngestError(str(path), "no such file or directory")
    return _source_files(paths, max_file_mb)


def _source_files(paths: list[Path], max_file_mb: float | None) -> Iterator[SourceFile]:
    seen: set[Path] = set()
    for path in paths:
        for file_path, source in _files_under(path):
            real = file_path.resolve()
            if real in seen:
                continue
            seen.add(real)
            yield SourceFile(path=file_path, source=source, raw_hash=_sha256_of_file(file_path, max_file_mb))


def _files_under(path: Path) -> Iterator[tuple[Path, str]]:
    """(file, source) pairs under `path`, sorted by source."""
    if not path.is_dir():
        yield path, path.name
        return
    found = []
    for folder, dir_names, file_names in os.walk(path):
        dir_names[:] = [name for name in dir_names if not name.startswith(".")]
        for name in file_names:
            if not _is_skipped(name):
                file_path = Path(folder, name)
                found.append((file_path.relative_to(path).as_posix(), file_path))
    for source, file_path in sorted(found):
        yield file_path, source


def _is_skipped(file_name: str) -> bool:
    return file_name.startswith(".") or file_name.endswith("~") or file_name in JUNK_FILE_NAMES


def _sha256_of_file(path: Path, max_file_mb: float | None = None) -> str:
    try:
        if max_file_mb is not None and path.stat().st_size > max_file_mb * 1_000_000:
            return ""  # too large: read_file refuses it before reading it
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ""  # unreadable: read_file reports the problem when it tries to read it


# ---------------------------------------------------------------- reading files


def ingest(paths: Sequence[Path], max_file_mb: float | None = MAX_FILE_MB) -> ReadResult:
    """Read every file under `paths`: documents without exact duplicates, and every problem.

    Files that cannot be read at all are reported in `problems` like bad feed records.
    Raises IngestError only when a path does not exist.
    """
    result = ReadResult()
    for source_file in find_files(paths, max_file_mb):
        try:
            file_result = read_file(source_file, max_file_mb)
        except IngestError as err:
            result.problems.append(err)
            continue
        result.documents += file_result.documents
        result.problems += file_result.problems
    result.documents = unique_documents(result.documents)
    return result


def read_file(sf: SourceFile, max_file_mb: float | None = MAX_FILE_MB) -> ReadResult:
    """The documents in one file.

    Raises IngestError when the file as a whole cannot be used (unsupported type,
    larger than ``max_file_mb`` megabytes (None: no limit; checked before it is read),
    empty, binary, undecodable, invalid JSON, a page without article text, a
    one-article JSON file without text). Bad records inside a feed do not raise:
    they are listed in the result's `problems` and the other records still come through.
    """
    display = str(sf.path)
    suffix = sf.path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSON_LINES_SUFFIXES:
        kind = f"'{suffix}'" if suffix else "(no extension)"
        raise IngestError(display, f"unsupported file type {kind}")
    try:
        if max_file_mb is not None and (size := sf.path.stat().st_size) > max_file_mb * 1_000_000:
            raise IngestError(display, f"{_megabytes(size)} MB, larger than the {max_file_mb:g} MB limit"
                                       " (raise it with --max-file-mb)")
        raw = sf.path.read_bytes()
    except OSError as err:
        raise IngestError(display, f"cannot read file ({err.strerror or err})") from err
    text = decode_text(raw, display)
    if suffix in TEXT_SUFFIXES:
        return ReadResult([_text_document(text, sf, markdown=suffix != ".txt")])
    if suffix in HTML_SUFFIXES:
        return ReadResult([_html_document(text, sf)])
    if suffix in JSON_SUFFIXES:
        return _json_documents(text, sf)
    return _json_lines_documents(text, sf)


def _megabytes(size: int) -> str:
    megabytes = size / 1_000_000
    return f"{megabytes:.1f}" if megabytes >= 0.1 else f"{megabytes:.2g}"


def document_id(text: str) -> str:
    """Content hash of a text: sha256 of the text with white space collapsed, 16 hex digits."""
    collapsed = " ".join(text.split())
    return hashlib.sha256(collapsed.encode("utf-8")).hexdigest()[:16]


def unique_documents(documents: Iterable[Document]) -> list[Document]:
    """The documents without exact duplicates (same id): the first of each is kept, in order."""
    seen: set[str] = set()
    unique = []
    for document in documents:
        if document.id not in seen:
            seen.add(document.id)
            unique.append(document)
    return unique


# ---------------------------------------------------------------- decoding bytes

# UTF-32 first: its little-endian mark starts with the UTF-16 one.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
UNDECODABLE = "cannot decode text (not UTF-8/UTF-16 and no reliable encoding detected)"


def decode_text(raw: bytes, display: str) -> str:
    """The text in `raw` with newlines normalised to "\\n".

    UTF-8 (with or without BOM) and UTF-16/32 with a BOM are decoded directly; other
    bytes go to charset_normalizer. Raises IngestError for empty, binary (NUL bytes)
    or undecodable input.
    """
    if not raw.strip():
        raise IngestError(display, "empty file")
    text = _decode(raw, display)
    if "\x00" in text:
        raise IngestError(display, "binary file, not text")
    if not text.strip():
        raise IngestError(display, "empty file")
    return normalise_newlines(text)


def _decode(raw: bytes, display: str) -> str:
    for mark, encoding in _BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            try:
                return raw.decode(encoding).lstrip("\ufeff")
            except UnicodeDecodeError as err:
                raise IngestError(display, UNDECODABLE) from err
    if b"\x00" in raw:
        raise IngestError(display, "binary file, not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_legacy(raw, display)


def _decode_legacy(raw: bytes, display: str) -> str:
    """Decode bytes in a legacy 8-bit or multi-byte encoding found by charset_normalizer.

    On short texts the detector often cannot tell Windows-1252 from its neighbours
    (Windows-1250, -1257, ...): all decode with no sign of a mess. For an English news
    tool Windows-1252 is by far the likeliest, so it wins such ties.
    """
    matches = charset_normalizer.from_bytes(raw)
    best = matches.best()
    if best is None:
        raise IngestError(display, UNDECODABLE)
    tied = [match for match in matches if match.chaos <= best.chaos]
    if any("cp1252" in match.could_be_from_charset for match in tied):
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return str(best)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------- plain text and Markdown

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<block>.*?)^(?:---|\.\.\.)[ \t]*$\n?", re.S | re.M)
# The value is stripped in code: a lazy ".*?" before "[ \t]*$" takes quadratic time on a
# value holding a long run of spaces.
_KEY_VALUE = re.compile(r"^(?P<key>[A-Za-z][\w-]*)[ \t]*:(?P<value>.*)$")
_BULLET = re.compile(r"^(?:[-*+•‣▪◦–—]\s|\d{1,3}[.)]\s)")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(?P<heading>.*?)(?:\s+#+)?\s*$")


def _text_document(text: str, sf: SourceFile, markdown: bool) -> Document:
    metadata, body = split_front_matter(text)
    body = body.strip()
    if not body:
        raise IngestError(str(sf.path), "no text after the front matter")
    title = metadata.get("title") or headline(body, markdown=markdown)
    published = normalise_date(metadata.get("published"))
    outlet = metadata.get("outlet")
    if published is None:
        published, outlet = dateline(body, outlet)
    return Document(
        id=document_id(body),
        source=sf.source,
        text=body,
        title=title,
        outlet=outlet,
        published=published,
        url=metadata.get("url"),
        author=metadata.get("author"),
        path=str(sf.path),
    )


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """(metadata, rest of the text) for a text that may open with a `---` block.

    The block holds simple `key: value` lines (values may be quoted); keys are mapped
    to Document fields with the same names as in feeds (date -> published, ...).
    A block without any `key: value` line is not front matter and stays in the text.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    pairs = {}
    for line in match["block"].splitlines():
        pair = _KEY_VALUE.match(line)
        if pair:
            pairs[pair["key"]] = _unquote(pair["value"].strip(" \t"))
    if not pairs:
        return {}, text
    record = _find_fields(pairs)
    metadata = {name: value for name in FIELD_NAMES if name != "text" and (value := _as_text(record.get(name)))}
    return metadata, text[match.end() :]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        return inner.replace('\\"', '"') if value[0] == '"' else inner.replace("''", "'")
    return value


_DATELINE_SEPARATOR = re.compile(r"\s+[-|–—/·•]\s+")
# A wire lead that opens with its dateline: "OSLO, March 6, 2026 - The talks ..." or
# "GENEVA, Switzerland, 3 February 2026 (Harbour Wire) — ...": a place in capitals, perhaps
# its country, the date, perhaps the agency in brackets, then a dash.
_LEAD_DATELINE = re.compile(r"[A-Z][A-Z .'-]+(?:, [A-Z][A-Za-z .'-]+)?, (?P<date>[^()–—-]{6,30}?)"
                            r"\s*(?:\((?P<agency>[^)]{2,40})\))?\s+[-–—]+\s")
MAX_DATELINE_WORDS = 14


def dateline(text: str, outlet: str | None = None) -> tuple[str | None, str | None]:
    """(published, outlet) from a byline/dateline among the first lines of a plain text.

    Wire copy often opens with a headline and then a short line such as
    "Meridian Wire - December 20, 2025" or "Left Bank Herald | Kyiv | 6 December 2025".
    The first short line (within the first four) holding a full date gives the published
    date; its first segment, when it is not the date or a place-like single word, the outlet.
    A line that is nothing but a full date ("February 03, 2009", under the headline) is a
    date line too, and so is a lead that opens with a wire dateline ("OSLO, March 6, 2026 -
    The talks ..."; an agency in brackets after the date is the outlet when none is known).
    """
    lines = [line.strip() for line in text.split("\n") if line.strip()][:4]
    for line in lines:
        lead = _LEAD_DATELINE.match(line)
        if lead and (published := normalise_date(lead["date"])):
            return published, outlet or lead["agency"]
        if len(line.split()) > MAX_DATELINE_WORDS:
            continue
        segments = _DATELINE_SEPARATOR.split(line)
        for segment in segments:
            published = normalise_date(segment)
            if published and (len(segments) > 1 or segment == line):
                first = segments[0]
                if outlet is None and first != segment and not normalise_date(first):
                    outlet = first
                return published, outlet
    return None, outlet


def headline(text: str, markdown: bool = False) -> str | None:
    """The first non-empty line of `text` when it reads like a headline, else None.

    A headline is short (at most 20 words), does not end like a sentence or a lead-in
    (. , ; :), is not a list bullet, and more text follows it. In Markdown a heading
    line counts, without its # marks.
    """
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < 2:
        return None
    line = lines[0]
    if markdown and (heading := _MARKDOWN_HEADING.match(line)):
        line = heading["heading"]
    words = line.split()
    if not words or len(words) > MAX_HEADLINE_WORDS or len(line) > MAX_HEADLINE_CHARS:
        return None
    if _BULLET.match(line) or not any(char.isalpha() for char in line):
        return None
    if line.rstrip("\"'”’)]*_").endswith((".", ",", ";", ":")):
        return None
    return line


# ---------------------------------------------------------------- web pages


def _html_document(html: str, sf: SourceFile) -> Document:
    # trafilatura is slow to import: load it only when there is a page to read
    import trafilatura

    display = str(sf.path)
    try:
        page = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    except Exception as err:  # noqa: BLE001 - one odd page must not stop the whole run
        raise IngestError(display, f"cannot parse the page ({err})") from err
    text = normalise_newlines(page.text or "").strip() if page is not None else ""
    if not _looks_like_article(text):
        raise IngestError(display, "no article text found in the page")
    return Document(
        id=document_id(text),
        source=sf.source,
        text=text,
        title=page.title or headline(text),
        outlet=page.sitename,
        published=normalise_date(page.date),
        url=page.url,
        author=page.author,
        path=str(sf.path),
    )


def _looks_like_article(text: str) -> bool:
    paragraphs = text.split("\n")
    return len(text.split()) >= MIN_ARTICLE_WORDS and any(
        len(paragraph.split()) >= MIN_PARAGRAPH_WORDS for paragraph in paragraphs
    )


# ---------------------------------------------------------------- feeds


def _json_documents(text: str, sf: SourceFile) -> ReadResult:
    """A .json file: one article object, a list of them, or an object holding the list."""
    display = str(sf.path)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise IngestError(display, f"not valid JSON ({err.msg.removesuffix(' at')} at line {err.lineno}, column {err.colno})") from err
    except (RecursionError, ValueError) as err:
        raise IngestError(display, f"not valid JSON ({_unreadable_json(err)})") from err
    records = _article_list(value)
    if records is None:
        if not isinstance(value, dict):
            raise IngestError(display, "not a JSON article object or list of articles")
        document_or_problem = _feed_document(value, sf, place=None)
        if isinstance(document_or_problem, IngestError):
            raise document_or_problem
        return ReadResult([document_or_problem])
    if not records:
        raise IngestError(display, "no articles in the file")
    result = ReadResult()
    for number, record in enumerate(records, start=1):
        _add_record(result, record, sf, place=f"item {number}", number=number)
    return result


def _article_list(value: Any) -> list[Any] | None:
    """The list of articles in a parsed .json file, or None when it is a single object."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and not _find_fields(value).get("text"):
        for key, inner in value.items():
            if key.lower() in ARTICLE_LIST_KEYS and isinstance(inner, list):
                return inner
    return None


def _json_lines_documents(text: str, sf: SourceFile) -> ReadResult:
    """A JSON Lines file: one article object per non-empty line."""
    result = ReadResult()
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            result.problems.append(IngestError(str(sf.path), f"line {number} is not valid JSON ({err.msg.removesuffix(' at')} at column {err.colno})"))
            continue
        except (RecursionError, ValueError) as err:
            result.problems.append(IngestError(str(sf.path), f"line {number} is not valid JSON ({_unreadable_json(err)})"))
            continue
        _add_record(result, record, sf, place=f"line {number}", number=number)
    return result


def _unreadable_json(err: RecursionError | ValueError) -> str:
    """Why json.loads gave up on well-formed JSON: nesting deeper than Python recurses, or
    an integer of more digits than Python converts (4,300)."""
    return "nested too deeply" if isinstance(err, RecursionError) else "a number too long to read"


def _add_record(result: ReadResult, record: Any, sf: SourceFile, place: str, number: int) -> None:
    if not isinstance(record, dict):
        result.problems.append(IngestError(str(sf.path), f"{place} is not a JSON object"))
        return
    document_or_problem = _feed_document(record, sf, place=place, number=number)
    if isinstance(document_or_problem, IngestError):
        result.problems.append(document_or_problem)
    else:
        result.documents.append(document_or_problem)


def _feed_document(
    record: dict[str, Any], sf: SourceFile, place: str | None, number: int | None = None
) -> Document | IngestError:
    """The Document for one feed record, or the problem that stops it.

    Its source is its url, else "<file source>#<line or item number>" (the file
    source alone for a file holding a single article).
    """
    fields = _find_fields(record)
    text = _article_text(fields.get("text"))
    if text is None:
        problem = NO_TEXT_FIELD if "text" not in fields else "the article text field is empty or not a string"
        return IngestError(str(sf.path), f"{place}: {problem}" if place else problem)
    url = _as_text(fields.get("url"))
    if url and not re.match(r"https?://\S+$", url.strip(), re.I):
        url = None  # only a web address names a source; "javascript:..." or a bare word does not
    if url:
        source = url = url.strip()
    else:
        source = f"{sf.source}#{number}" if number is not None else sf.source
    return Document(
        id=document_id(text),
        source=source,
        text=text,
        title=_as_text(fields.get("title")),
        outlet=_as_text(fields.get("outlet")),
        published=normalise_date(_as_text(fields.get("published"))),
        url=url,
        author=_as_text(fields.get("author")),
        path=str(sf.path),
    )


def _find_fields(record: dict[str, Any]) -> dict[str, Any]:
    """Document field name -> value, for the fields present in a record under any known key."""
    by_key = {}
    for key, value in record.items():
        by_key.setdefault(re.sub(r"[^a-z0-9]", "", str(key).lower()), value)
    found = {}
    for name, keys in FIELD_NAMES.items():
        present = [by_key[key] for key in keys if key in by_key]
        if present:
            # prefer the first key with a usable value, e.g. "text": "" then "body": "..."
            found[name] = next((value for value in present if value not in (None, "", [])), present[0])
    return found


def _article_text(value: Any) -> str | None:
    """The article text of a feed field: a string, or a list of paragraph strings."""
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        value = "\n\n".join(value)
    if not isinstance(value, str):
        return None
    text = normalise_newlines(_without_lone_surrogates(value)).strip()
    return text or None


def _without_lone_surrogates(value: str) -> str:
    """`value` with each lone surrogate ("\\ud800" in JSON) replaced by U+FFFD: it is no
    character, and UTF-8 (hashing, the store) cannot encode it."""
    return _LONE_SURROGATE.sub("\ufffd", value)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _as_text(value: Any) -> str | None:
    """A metadata value as a string: objects give their name (or href/url), lists are joined."""
    if isinstance(value, str):
        return _without_lone_surrogates(value).strip() or None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        for key in ("name", "href", "url", "value"):
            if key in value:
                return _as_text(value[key])
        return None
    if isinstance(value, list):
        parts = [part for part in (_as_text(item) for item in value) if part]
        return ", ".join(parts) or None
    return None


# ---------------------------------------------------------------- dates

_ISO_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:[T ].*)?$")
_FOUR_DIGIT_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_DATE_LABEL = re.compile(r"^\s*(?:last\s+)?(?:published|updated|posted|modified)(?:\s+on)?\s*:?\s*", re.I)


def normalise_date(value: str | None) -> str | None:
    """A publication date as YYYY-MM-DD, or None when it cannot be read.

    Accepts ISO 8601, RFC 2822 (feeds), and written forms such as "December 19, 2025"
    or "19 Dec 2025". The date is kept as written, without time zone conversion. A date
    needs a day, a month and a four-digit year: relative forms ("yesterday") give None.
    """
    if not value:
        return None
    iso = _ISO_DATE.match(value)
    if iso:
        try:
            return date.fromisoformat(iso[1]).isoformat()
        except ValueError:
            return None
    value = _DATE_LABEL.sub("", value)
    if not _FOUR_DIGIT_YEAR.search(value):
        return None
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    return _parse_written_date(value)


def _parse_written_date(value: str) -> str | None:
    import dateparser  # slow to import: load it only for dates in written form

    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "RETURN_AS_TIMEZONE_AWARE": False}
    parsed: datetime | None = dateparser.parse(value, languages=["en"], settings=settings)
    return parsed.date().isoformat() if parsed else None
