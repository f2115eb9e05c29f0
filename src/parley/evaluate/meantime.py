"""MEANTIME as a yardstick: date values and person discovery on text nobody here wrote.

MEANTIME (NewsReader, CC BY 4.0) is 120 English Wikinews articles annotated by hand with
TIMEX3 time expressions (normalised ``value``; the article's creation time marked
``functionInDocument="CREATION_TIME"``) and entities (``ENTITY`` with ``ent_type``,
linked to their mentions by ``REFERS_TO``). ``parley eval --meantime DIR`` reads every
``*.xml`` under DIR, rebuilds each article's text from its tokens, runs parley's extract
stage on it with the creation time as the published date, and scores:

- **dates**: every gold TIMEX3 of type DATE except the creation time. *Found* when a
  time expression of parley overlaps it. Its *value* is right when parley's resolved
  date, written as a TIMEX3 value at parley's precision (``2005-06-13``, ``2005-06``,
  ``2005``; a Monday-to-Sunday range is the ISO week ``2005-W24``, a whole quarter
  ``2005-Q2``), equals the gold value; a range parley reads as one expression ("between
  2014 and 2016") carries both its ends, so each gold part can be right. Value accuracy
  is over found dates whose gold value is a calendar value; the others (``PRESENT_REF``,
  ``PAST_REF``, ``FUTURE_REF``, durations mislabelled DATE) are counted but not scored for
  value, since parley gives no date to "now" or "recently". Precision: the share of
  parley's time expressions that overlap a gold TIMEX3 of any type.
- **persons**: every gold PER entity with a proper-name mention, per document. Found when
  a person actor parley extracted from that document has a name or alias equal to one of
  the entity's names, or shares its last name (the persons rule of gold-format.md).
  Precision counts parley's persons that match no gold PER entity of the document.

MEANTIME annotates only each article's title and first sentences (about six), so parley
reads the whole article but only what it finds in that part is scored.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from parley.evaluate.gold import GoldError
from parley.evaluate.score import greedy_match, prf
from parley.evaluate.text import Named, name_rank
from parley.records import Document, When

# Tokens written without a space before them, and after them.
NO_SPACE_BEFORE = {",", ".", ":", ";", "!", "?", ")", "]", "}", "%", "'s", "’s", "'", "’", "n't",
                   "'re", "'ve", "'ll", "'d", "'m", "...", "''"}
NO_SPACE_AFTER = {"(", "[", "{", "$", "€", "£", "#", "``"}
ELIDED = re.compile(r"^[A-Z][’']$")  # "O'" of "O'Leary", split by the tokenizer
CALENDAR_VALUE = re.compile(r"^\d{4}(?:-(?:\d{2}(?:-\d{2})?|W\d{2}(?:-WE)?|Q[1-4]|SP|SU|FA|WI))?$")


@dataclass
class GoldTime:
    start: int
    end: int
    text: str
    value: str


@dataclass
class GoldPerson:
    name: str
    forms: list[str]


@dataclass
class MeantimeDocument:
    name: str
    text: str
    published: str | None
    annotated_end: int  # annotation covers the title and the first sentences: text[:annotated_end]
    dates: list[GoldTime] = field(default_factory=list)  # TIMEX3 of type DATE but the creation time
    times: list[tuple[int, int]] = field(default_factory=list)  # spans of every TIMEX3, for precision
    persons: list[GoldPerson] = field(default_factory=list)

    def as_document(self) -> Document:
        """The article as parley would ingest it. A creation time that is missing or not an
        ISO date (a few files have "03-02-2009") gives way to the article's own date line,
        read as ingest reads a plain-text file's."""
        from parley.ingest import dateline

        published = self.published if _is_iso_date(self.published) else dateline(self.text)[0]
        return Document(id=self.name, source=self.name, text=self.text, published=published)


def _is_iso_date(value: str | None) -> bool:
    try:
        date.fromisoformat(value or "")
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- reading


def read_corpus(folder: Path) -> list[MeantimeDocument]:
    """Every MEANTIME article under ``folder`` (searched recursively), in name order."""
    files = sorted(Path(folder).rglob("*.xml"))
    if not files:
        raise GoldError(folder, "no MEANTIME files (*.xml) under this folder")
    return [read_document(path) for path in files]


def read_document(path: Path) -> MeantimeDocument:
    try:
        # defusedxml: a file that declares entities (an "XML bomb", or an external entity that
        # would read a local file or the network) is refused, never expanded or fetched
        root = SafeET.parse(path).getroot()
    except DefusedXmlException as error:
        raise GoldError(path, f"refused: the XML declares entities, which MEANTIME files never do ({type(error).__name__})") from None
    except (ET.ParseError, OSError) as error:
        raise GoldError(path, f"not a readable MEANTIME XML file ({error})") from None
    if root.tag != "Document":
        raise GoldError(path, "not a MEANTIME document (no <Document> root)")
    tokens = root.findall("token")
    text, offsets = _rebuild_text(tokens)
    markables = root.find("Markables")
    annotated_end = _annotated_end(tokens, markables, offsets)
    published = None
    dates: list[GoldTime] = []
    times: list[tuple[int, int]] = []
    mention_text: dict[str, str] = {}
    mention_named: dict[str, bool] = {}
    persons: dict[str, str] = {}  # entity m_id -> descriptor
    for element in markables if markables is not None else []:
        anchors = [offsets[a.get("t_id")] for a in element.findall("token_anchor") if a.get("t_id") in offsets]
        span = (min(s for s, _ in anchors), max(e for _, e in anchors)) if anchors else None
        if element.tag == "TIMEX3":
            if span is not None:
                times.append(span)
            if element.get("functionInDocument") == "CREATION_TIME":
                published = (element.get("value") or "")[:10] or None
            elif element.get("type") == "DATE" and span is not None:
                dates.append(GoldTime(span[0], span[1], text[span[0]:span[1]], element.get("value") or ""))
        elif element.tag == "ENTITY_MENTION" and span is not None:
            mention_text[element.get("m_id")] = text[span[0]:span[1]]
            mention_named[element.get("m_id")] = element.get("syntactic_type") in {"NAM", "PRE.NAM"}
        elif element.tag == "ENTITY" and element.get("ent_type") == "PER":
            persons[element.get("m_id")] = element.get("TAG_DESCRIPTOR") or ""
    forms: dict[str, list[str]] = {entity: [] for entity in persons}
    for link in root.iter("REFERS_TO"):
        target = link.find("target")
        if target is None or target.get("m_id") not in forms:
            continue
        for source in link.findall("source"):
            m_id = source.get("m_id")
            if mention_named.get(m_id) and mention_text[m_id] not in forms[target.get("m_id")]:
                forms[target.get("m_id")].append(mention_text[m_id])
    named = [GoldPerson(forms[e][0], forms[e]) for e in persons if forms[e]]
    return MeantimeDocument(path.stem, text, published, annotated_end, dates, times, named)


def _annotated_end(tokens: list[ET.Element], markables: ET.Element | None,
                   offsets: dict[str, tuple[int, int]]) -> int:
    """Where the annotated part ends: MEANTIME annotates the title and the first few
    sentences only, so the end of the last sentence holding a markable."""
    sentence_of = {t.get("t_id"): int(t.get("sentence", 0)) for t in tokens}
    anchored = [sentence_of[a.get("t_id")] for m in (markables if markables is not None else [])
                for a in m.findall("token_anchor") if a.get("t_id") in sentence_of]
    last = max(anchored, default=-1)
    ends = [offsets[t.get("t_id")][1] for t in tokens if int(t.get("sentence", 0)) <= last]
    return max(ends, default=0)


def _rebuild_text(tokens: Iterable[ET.Element]) -> tuple[str, dict[str, tuple[int, int]]]:
    """The article as running text, and each token's character span in it. The title and
    the date line (the first two sentences) stand on lines of their own."""
    parts: list[str] = []
    offsets: dict[str, tuple[int, int]] = {}
    length = 0
    previous: ET.Element | None = None
    open_quote = False
    for token in tokens:
        word = token.text or ""
        if previous is not None:
            if token.get("sentence") != previous.get("sentence") and int(token.get("sentence", 0)) <= 2:
                gap = "\n"
            elif word in NO_SPACE_BEFORE or (previous.text or "") in NO_SPACE_AFTER or ELIDED.match(previous.text or ""):
                gap = ""
            elif word == '"':
                gap = "" if open_quote else " "
            elif previous.text == '"' and open_quote:
                gap = ""
            else:
                gap = " "
            parts.append(gap)
            length += len(gap)
        if word == '"':
            open_quote = not open_quote
        offsets[token.get("t_id")] = (length, length + len(word))
        parts.append(word)
        length += len(word)
        previous = token
    return "".join(parts), offsets


# --------------------------------------------------------------------------- values


def timex_values(when: When | None) -> set[str]:
    """The TIMEX3 values a resolved date can stand for: the whole at its precision, and
    for a range read as one expression each of its ends too."""
    if when is None or not when.date:
        return set()
    first = date.fromisoformat(when.date[:10])
    values = {_at_precision(first, when.precision)}
    if when.end:
        last = date.fromisoformat(when.end[:10])
        values |= {_at_precision(last, when.precision), *_period_values(first, last)}
    return values


def _at_precision(day: date, precision: str | None) -> str:
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _period_values(first: date, last: date) -> set[str]:
    """A range that is exactly an ISO week, a weekend, a month, a quarter or a year."""
    found = set()
    year, week, weekday = first.isocalendar()
    if weekday == 1 and last == first + timedelta(days=6):
        found.add(f"{year:04d}-W{week:02d}")
    if weekday == 6 and last == first + timedelta(days=1):
        found.add(f"{year:04d}-W{week:02d}-WE")
    next_day = last + timedelta(days=1)
    if first.day == 1 and next_day.day == 1:
        months = (next_day.year - first.year) * 12 + next_day.month - first.month
        if months == 1:
            found.add(f"{first.year:04d}-{first.month:02d}")
        elif months == 3 and first.month % 3 == 1:
            found.add(f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}")
        elif months == 12 and first.month == 1:
            found.add(f"{first.year:04d}")
    return found


# --------------------------------------------------------------------------- scoring


def score_document(gold: MeantimeDocument, times: list[Any], persons: list[Named]) -> dict[str, Any]:
    """Counts for one article: ``times`` are parley's TimeExpressions, ``persons`` its
    person actors of that article."""
    times = [t for t in times if t.start < gold.annotated_end]  # the rest is not annotated
    found = calendar = calendar_found = right = 0
    misses: list[dict[str, str]] = []
    for gold_time in gold.dates:
        overlapping = [t for t in times if t.start < gold_time.end and gold_time.start < t.end]
        is_calendar = bool(CALENDAR_VALUE.match(gold_time.value))
        calendar += is_calendar
        if not overlapping:
            misses.append({"text": gold_time.text, "gold": gold_time.value, "parley": "(not found)"})
            continue
        found += 1
        calendar_found += is_calendar
        values = set().union(*(timex_values(t.when) for t in overlapping))
        if is_calendar and gold_time.value in values:
            right += 1
        elif is_calendar:
            misses.append({"text": gold_time.text, "gold": gold_time.value,
                           "parley": ", ".join(sorted(values)) or "(no date)",
                           "parley_text": " | ".join(gold.text[t.start:t.end] for t in overlapping)})
    spurious = sum(1 for t in times if not any(t.start < end and start < t.end for start, end in gold.times))
    gold_persons = [Named.of(p.name, p.forms, "person") for p in gold.persons]
    pairs = greedy_match(persons, gold_persons, name_rank)
    matched_gold = {g for _, g in pairs}
    return {
        "dates": {"gold": len(gold.dates), "found": found, "predicted": len(times), "spurious": spurious,
                  "calendar_found": calendar_found, "calendar": calendar, "value_right": right},
        "persons": {"tp": len(pairs), "fp": len(persons) - len(pairs), "fn": len(gold_persons) - len(pairs),
                    "missed": [gold.persons[g].name for g in range(len(gold.persons)) if g not in matched_gold]},
        "date_errors": misses,
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def score_corpus(documents: list[MeantimeDocument], extractions: dict[str, Any]) -> dict[str, Any]:
    """Sum the per-article counts; ``extractions`` maps an article's name to parley's
    Extraction of it."""
    keys = ("gold", "found", "predicted", "spurious", "calendar_found", "calendar", "value_right")
    dates = dict.fromkeys(keys, 0)
    persons = {"tp": 0, "fp": 0, "fn": 0}
    per_document = {}
    for gold in documents:
        extraction = extractions[gold.name]
        in_annotated = {m.actor for m in extraction.mentions if m.start < gold.annotated_end}
        named = [Named.of(a.name, a.aliases, a.kind) for a in extraction.actors
                 if a.kind == "person" and a.id in in_annotated]
        result = score_document(gold, extraction.times, named)
        per_document[gold.name] = result
        for key in keys:
            dates[key] += result["dates"][key]
        for key in persons:
            persons[key] += result["persons"][key]
    return {
        "documents": len(documents),
        "dates": {
            **dates,
            "found_share": _ratio(dates["found"], dates["gold"]),
            "precision": _ratio(dates["predicted"] - dates["spurious"], dates["predicted"]),
            "value_accuracy": _ratio(dates["value_right"], dates["calendar_found"]),
            "value_recall": _ratio(dates["value_right"], dates["calendar"]),
        },
        "persons": prf(persons["tp"], persons["fp"], persons["fn"]),
        "per_document": per_document,
    }


def evaluate_meantime(folder: Path, lexicon: Any) -> dict[str, Any]:
    """Read MEANTIME, run parley's extract stage on every article, and score it."""
    from parley.extract.run import extract_all
    from parley.nlp import load_pipeline

    documents = read_corpus(folder)
    extractions = {document.source: extraction for document, extraction in
                   extract_all([d.as_document() for d in documents], load_pipeline(), lexicon)}
    return score_corpus(documents, extractions)
