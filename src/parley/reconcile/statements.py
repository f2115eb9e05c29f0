"""Statements: the sentences of each document that state a fact, with their anchors.

A *statement* is one sentence of one document that states a fact: the sentence an event,
a figure, a position or a quotation was read from, one giving a reading
(``reconcile/readings.py``: a duration, a clock time, a term, a change, a delegation
leader), or any other sentence naming an actor (questions, sentences mostly inside
quotation marks that carry no extracted quotation, and very short or very long ones are
left out). Each statement carries its *anchors*: the actors it names (the speakers of the
words it quotes among them), the places, numbers and dates it gives, numbers written
outside figures ("35 years"), the timeline entries of the events it reports, and whether
it says something was agreed, proposed or failed (the [outcomes] cues of
``data/checks.toml``). The claims step (``reconcile/claims.py``) compares them across
documents.

A document's statements depend on its text, its records (with the corpus actor ids), the
timeline entries its events joined and the places named anywhere in the corpus; nothing
else. So they are read once and kept (``StatementMemo``, the store): a later reconcile
takes a document's statements from there, by a digest of exactly those inputs
(``_inputs``) and of the code that reads them (``_code``), and reads again only documents
whose inputs changed (new documents, a surname newly tied to a full name, a new place named
somewhere), or all of them when the code or the lexicon changed.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Protocol

from parley.compare import date_range, shift_day
from parley.lexicon import Lexicon
from parley.records import Document, Extraction, Figure, from_json
from parley.reconcile import fingerprint
from parley.reconcile.readings import (Reading, ReadingRules, Setting, delegation_party, read_sentence)
from parley.reconcile.timeline import TimelineEntry

ABBREVIATION = re.compile(r"(?:\b[A-Z]\.){1,3}$|\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Sen|Rep|Gov|St|No|Jan|Feb|Mar|Apr|"
                          r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Prof|Adm|Capt|Maj|Sgt|Jr|Sr|vs|approx)\.$")
ABBREVIATION_REACH = 8  # the longest abbreviation ("approx.") and the character before it
SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+|\n\s*")
QUOTED = re.compile(r"“[^“”]*”|\"[^\"\n]*\"")
LEADING_MARKS = re.compile(r"^(?:[-*+•#>]+\s*)+")
NO_MONTH = "?"
UNDATED_DAYS = 14  # an undated report of an event is about the days this close to its publication


# --------------------------------------------------------------------------- sentences


@lru_cache(maxsize=64)
def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: cut after . ! ? (not after an abbreviation such as
    "U.S." or "Dec.") and at line breaks; white space trimmed."""
    return list(_sentences(text))


def sentence_at(text: str, position: int) -> tuple[int, int] | None:
    """The sentence of ``split_sentences`` that holds ``position`` (None when it falls
    between two): the text is cut only as far as that sentence."""
    for start, end in _sentences(text):
        if start <= position < end:
            return start, end
        if start > position:
            return None
    return None


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """The sentences of ``split_sentences``, one by one."""
    start = 0
    for match in SENTENCE_END.finditer(text):
        end = match.start() + len(match.group().rstrip())
        if "\n" not in match.group() and ABBREVIATION.search(
                text[max(start, match.start() + 1 - ABBREVIATION_REACH):match.start() + 1]):
            continue
        if "\n" not in match.group() and match.end() < len(text) and text[match.end()].islower():
            continue
        yield from _trimmed(text, start, end)
        start = match.end()
    yield from _trimmed(text, start, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``text[start:end]`` without the white space around it, when something is left."""
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    start, end = start + lead, start + len(piece.rstrip())
    if end > start:
        yield start, end


# --------------------------------------------------------------------------- outcomes


def phrase_pattern(phrases: Iterable[str], gap: bool = False) -> re.Pattern | None:
    """One pattern for a list of phrases, as whole words; with ``gap``, up to three words
    may come between the words of a phrase ("frozen *Russian central bank* assets")."""
    parts = []
    for phrase in sorted({str(p).lower() for p in phrases}, key=lambda p: (-len(p), p)):
        words = [re.escape(w) for w in phrase.split()]
        if words:
            joiner = r"\s+(?:[\w’'-]+\s+){0,3}" if gap else r"\s+"
            parts.append(joiner.join(words))
    return re.compile(rf"(?<![\w-])(?:{'|'.join(parts)})(?![\w-])", re.I) if parts else None


NEGATED_OUTCOME = {"agreed": "failed", "failed": "proposed"}
NEGATED = re.compile(r"\b(?:not|never|no|n't|failed to|fail to)\s+(?:\w+\s+)?$", re.I)
ATTRIBUTION = re.compile(r",\s*(?:[\w’' .-]+\s+)?(?:said|says|told [\w ]+|reported|according to [\w ]+)\.?$", re.I)


@dataclass(frozen=True, eq=False)
class OutcomeReader:
    """Reads whether a sentence says something was agreed, proposed or failed (the cues are
    in the [outcomes] table of checks.toml)."""

    cues: re.Pattern | None  # every cue phrase, longest first
    outcome_of: dict[str, str]  # cue phrase (lower case, single spaces) -> outcome
    contrast: re.Pattern | None
    conditional: re.Pattern | None

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon) -> OutcomeReader:
        table = lexicon["checks"].get("outcomes", {})
        outcome_of = {" ".join(str(p).lower().split()): outcome
                      for outcome in ("agreed", "proposed", "failed") for p in table.get(outcome, [])}
        return cls(phrase_pattern(outcome_of), outcome_of, phrase_pattern(table.get("contrast", [])),
                   phrase_pattern(table.get("conditional", [])))

    @lru_cache(maxsize=65536)
    def read(self, text: str) -> tuple[str, str] | None:
        """(outcome, clause): the first cue decides ("agreed ... after Belgium blocked");
        a cue under a condition ("if a consensus fails") is passed over; a negated one turns
        ("not agreed" failed, "not cancelled" is still planned, so proposed); the clause runs
        from the cue (or its negation) to what the sentence says was set aside ("rather
        than ...")."""
        if self.cues is None:
            return None
        for match in self.cues.finditer(text):
            before = text[max(0, match.start() - 60):match.start()]
            if self._conditional(before):
                continue
            outcome = self.outcome_of.get(" ".join(match.group().lower().split()), "proposed")
            negated = NEGATED.search(text[:match.start()])
            if negated and outcome in NEGATED_OUTCOME:
                outcome = NEGATED_OUTCOME[outcome]  # "not agreed" failed; "not cancelled" still stands
            clause = text[negated.start() if negated else match.start():]
            if self.contrast is not None:
                cut = self.contrast.search(clause, match.end() - match.start())
                if cut:
                    clause = clause[:cut.start()]
            return outcome, ATTRIBUTION.sub("", clause.strip()).strip(" ,;:-—–")
        return None

    def _conditional(self, before: str) -> bool:
        """A condition word shortly before the cue, in the same clause."""
        if self.conditional is None:
            return False
        matches = list(self.conditional.finditer(before))
        return bool(matches) and not re.search(r"[,;:]", before[matches[-1].end():])


# --------------------------------------------------------------------------- statements


NOTHING: frozenset = frozenset()
NO_EVENTS: Mapping[str, frozenset[str]] = MappingProxyType({})


class _Shared:
    """One object for equal anchor sets, and one empty set for all: a set takes at least 216
    bytes, most statements name no place, report no timeline entry and write no stray
    numeral, and thousands name the same actors or years (100 MB of 10,000 documents)."""

    def __init__(self) -> None:
        self.known: dict[frozenset[str], frozenset[str]] = {}
        self.listed: dict[tuple[str, ...], frozenset[str]] = {}  # the sets of lists met before

    def __call__(self, items: frozenset[str]) -> frozenset[str]:
        return self.known.setdefault(items, items) if items else NOTHING

    def of(self, items: list[str]) -> frozenset[str]:
        """The shared set of ``items`` (a list as kept; an empty one makes no set). A list
        met before is looked up as a tuple, without making a set of it again (a million
        statements are read back from the store, most naming the same few actors)."""
        if not items:
            return NOTHING
        key = tuple(items)
        found = self.listed.get(key)
        if found is None:
            found = self.listed[key] = self(frozenset(items))
        return found


@dataclass(slots=True)
class Statement:
    """One sentence of one document that states a fact, with its anchors."""

    document: Document
    order: int  # document order in the corpus
    text: str
    start: int
    end: int
    actors: frozenset[str]
    places: frozenset[str]  # every place it names (normalised)
    figures: tuple[Figure, ...]
    dates: tuple[tuple[str, str, str], ...]  # (first day, last day, precision) of each date
    entries: frozenset[str]  # timeline entries of the events it reports
    event_places: Mapping[str, frozenset[str]] = field(default_factory=lambda: NO_EVENTS)  # event kind -> places
    outcome: str | None = None  # agreed | proposed | failed, when it says so
    clause: str | None = None  # what it says was agreed, proposed or failed
    speakers: frozenset[str] = NOTHING  # the named persons whose words it quotes
    numerals: frozenset[str] = NOTHING  # numbers written outside its figures and dates ("35 years")
    readings: tuple[Reading, ...] = ()  # durations, clock times, terms, changes, delegation leaders
    time_span: tuple[str, str] | None = field(init=False)  # the days it may be about
    source: str = field(init=False)  # its document's (a field: grouping reads it millions of times)

    def __post_init__(self) -> None:
        """Its document's source; its dates, else the days around its publication."""
        self.source = self.document.source
        if self.dates:
            self.time_span = min(d[0] for d in self.dates), max(d[1] for d in self.dates)
        elif self.document.published:
            self.time_span = (_shift(self.document.published, -UNDATED_DAYS),
                              _shift(self.document.published, UNDATED_DAYS))
        else:
            self.time_span = None

    @property
    def month(self) -> str:
        return self.document.published[:7] if self.document.published else NO_MONTH


def _norm(text: str) -> str:
    return " ".join("".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace()).split())


def _place_pattern(timeline: list[TimelineEntry], extractions: list[Extraction],
                   countries: set[str]) -> re.Pattern | None:
    """Every place an event of the corpus was placed at (countries aside: they are actors),
    as one pattern of whole words."""
    names = {e.place for x in extractions for e in x.events if e.place}
    names |= {t.place for t in timeline if t.place}
    names = {n.strip() for n in names if n and len(n.strip()) > 2 and _norm(n) not in countries}
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n)))
    return re.compile(rf"\b(?:{alternatives})\b", re.I)


def _entries_by_report(timeline: list[TimelineEntry]) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in timeline:
        for report in entry.reports:
            found[(report.document, report.evidence)].add(entry.id)
    return found


NUMERAL = re.compile(r"\d+(?:[,.]\d+)*")


def _numerals(text: str, start: int, end: int, read: list[tuple[int, int]]) -> frozenset[str]:
    """The numbers a sentence writes in digits outside the figures and dates read from it
    (durations, counts the figure rules leave aside: "35 years", "1000 for 1000")."""
    chars = list(text[start:end])
    for s, e in read:
        for i in range(max(s, start), min(e, end)):
            chars[i - start] = " "
    return frozenset(m.group().replace(",", "") for m in NUMERAL.finditer("".join(chars)))


def _setting(days: list[tuple[int, Any]], end: int) -> Setting | None:
    """The last calendar day a document gave before ``end`` (the day a sentence is about)."""
    index = bisect.bisect_left(days, (end,)) - 1
    if index < 0:
        return None
    time = days[index][1]
    first, last = date_range(time.when)
    return Setting(first, last, time.when.text)


def _quoted_share(text: str) -> float:
    quoted = sum(len(m.group()) for m in QUOTED.finditer(text))
    return quoted / max(len(text), 1)


@lru_cache(maxsize=8192)
def _shift(day: str, days: int) -> str:
    return shift_day(day, days)


@dataclass(eq=False)
class _Reader:
    """What reading a document's statements needs besides the document: the lexicon's rules,
    compiled, and the corpus-wide places and timeline entries."""

    min_words: int
    max_words: int
    max_quoted: float
    outcomes: OutcomeReader
    readings: ReadingRules
    places: re.Pattern | None  # every place an event of the corpus was placed at
    entries_of: dict[tuple[str, str], set[str]]  # (document, evidence of an event) -> timeline entries
    settings: str  # a digest of all of the above but the entries (see ``_inputs``)
    shared: _Shared = field(default_factory=_Shared)

    @classmethod
    def of(cls, timeline: list[TimelineEntry], extractions: list[Extraction], lexicon: Lexicon) -> _Reader:
        rules = lexicon["checks"].get("claims", {})
        countries = {_norm(c.get("name", "")) for c in lexicon["places"].get("countries", {}).values()}
        places = _place_pattern(timeline, extractions, countries)
        tables = json.dumps([lexicon["checks"], lexicon["places"]], sort_keys=True, default=str)
        settings = hashlib.sha1(f"{_code()}|{places.pattern if places else ''}|{tables}".encode()).hexdigest()
        return cls(int(rules.get("min_words", 6)), int(rules.get("max_words", 80)),
                   float(rules.get("max_quoted_share", 0.5)), OutcomeReader.from_lexicon(lexicon),
                   ReadingRules.from_lexicon(lexicon), places, _entries_by_report(timeline), settings)


@lru_cache(maxsize=1)
def _code() -> str:
    """A digest of the code that reads statements (this module, the readings, the date
    arithmetic): statements kept by another version of it are read again."""
    from parley import compare
    from parley.reconcile import readings, source_digest

    return source_digest(__file__, readings.__file__, compare.__file__).hexdigest()


def _document_statements(document: Document, order: int, extraction: Extraction, reader: _Reader) -> list[Statement]:
    """The statements of one document (``order``: its place in the corpus). Every field of
    the document and its records read here is in ``_inputs``: a kept reading is reused only
    while they are all the same."""
    spans = split_sentences(document.text)
    starts = [s for s, _ in spans]

    def sentence_of(offset: int) -> int:
        return max(bisect.bisect_right(starts, offset) - 1, 0)

    found: dict[int, dict[str, Any]] = defaultdict(lambda: defaultdict(list))
    for mention in extraction.mentions:
        found[sentence_of(mention.start)]["actors"].append(mention.actor)
    for figure in extraction.figures:
        found[sentence_of(figure.start)]["figures"].append(figure)
        found[sentence_of(figure.start)]["read"].append((figure.start, figure.end))
    for time in extraction.times:
        if time.when.date and time.when.precision in {"day", "month"}:
            found[sentence_of(time.start)]["dates"].append((*date_range(time.when), time.when.precision))
        if time.when.date:
            found[sentence_of(time.start)]["read"].append((time.start, time.end))
    for event in extraction.events:
        slot = found[sentence_of(event.start)]
        slot["actors"].extend(event.participants)
        slot["kinds"].append(event.kind)
        slot["entries"].extend(reader.entries_of.get((extraction.document, event.evidence), ()))
        if event.place:
            slot["places"].append(event.place)
            slot["event_places"].append((event.kind, _norm(event.place)))
    for position in extraction.positions:
        found[sentence_of(position.start)]["actors"].append(position.actor)
    persons = {a.id for a in extraction.actors if a.kind == "person"}
    for quote in extraction.quotes:
        for number in range(sentence_of(quote.start), sentence_of(max(quote.end - 1, quote.start)) + 1):
            found[number]["quotes"].append(quote)
            if quote.speaker:
                found[number]["actors"].append(quote.speaker)
                if quote.speaker in persons:
                    found[number]["speakers"].append(quote.speaker)
    days = sorted((t.start, t) for t in extraction.times if t.when.date and t.when.precision == "day")
    mentions = sorted((m.start, m.end, m.actor) for m in extraction.mentions if m.actor in persons)
    shared = reader.shared
    statements: list[Statement] = []
    party = None  # the party of the delegation the document last named with one
    for number, (start, end) in enumerate(spans):
        items = found[number]
        text = LEADING_MARKS.sub("", document.text[start:end]).strip()
        start = end - len(text)
        sentence_persons = [(s - start, e - start, a) for s, e, a in mentions[
            bisect.bisect_left(mentions, (start,)):bisect.bisect_left(mentions, (end,))]]
        readings = read_sentence(text, start, items["figures"], sentence_persons, _setting(days, end),
                                 party, reader.readings)
        if reader.readings.delegation.search(text):
            party = delegation_party(text, reader.readings) or party
        if not (items["actors"] or items["figures"] or items["kinds"] or items["quotes"] or readings):
            continue
        words = len(text.split())
        if words < reader.min_words or words > reader.max_words or text.rstrip("\"'”’)").endswith("?"):
            continue
        if not items["quotes"] and _quoted_share(text) > reader.max_quoted:
            continue  # scare quotes and fragments, not someone's words
        outcome = reader.outcomes.read(text)
        named_places = set(items["places"])
        if reader.places is not None:
            named_places |= {m.group() for m in reader.places.finditer(text)}
        statements.append(Statement(
            document=document, order=order, text=text, start=start, end=end,
            actors=shared(frozenset(a for a in items["actors"] if a)),
            places=shared(frozenset(_norm(p) for p in named_places if _norm(p))),
            figures=tuple(items["figures"]),
            dates=tuple(sorted(set(items["dates"]))),
            entries=shared(frozenset(items["entries"])),
            event_places={kind: shared(frozenset(p for k, p in items["event_places"] if k == kind))
                          for kind in set(items["kinds"])} or NO_EVENTS,
            outcome=outcome[0] if outcome else None,
            clause=outcome[1] if outcome else None,
            speakers=shared(frozenset(items["speakers"])),
            numerals=shared(_numerals(document.text, start, end, items["read"])),
            readings=readings,
        ))
    return statements


def _inputs(document: Document, extraction: Extraction, reader: _Reader) -> str:
    """A digest of everything ``_document_statements`` reads: the reader's settings, the
    text, and each record's fields it uses (the timeline entries of each event among them)."""
    digest = hashlib.sha1(reader.settings.encode())
    digest.update(document.text.encode("utf-8", "surrogatepass"))
    entries = reader.entries_of
    records = (
        [(m.start, m.end, m.actor) for m in extraction.mentions],
        [(f.text, f.value, f.unit, f.approx, f.about, f.evidence, f.start, f.end) for f in extraction.figures],
        [(t.start, t.end, t.when.text, t.when.date, t.when.end, t.when.precision) for t in extraction.times],
        [(e.start, e.kind, e.participants, e.place, sorted(entries.get((extraction.document, e.evidence), ())))
         for e in extraction.events],
        [(p.start, p.actor) for p in extraction.positions],
        [(a.id, a.kind) for a in extraction.actors],
        [(q.start, q.end, q.speaker) for q in extraction.quotes],
    )
    digest.update(fingerprint(records))
    return digest.hexdigest()


def _encoded(statements: list[Statement], extraction: Extraction) -> bytes:
    """A document's statements as kept: what is not the document itself (its figures by
    their place among its records)."""
    figure_number = {id(f): n for n, f in enumerate(extraction.figures)}
    rows = [[s.start, s.end, sorted(s.actors), sorted(s.places), [figure_number[id(f)] for f in s.figures],
             s.dates, sorted(s.entries), {kind: sorted(places) for kind, places in s.event_places.items()},
             s.outcome, s.clause, sorted(s.speakers), sorted(s.numerals),
             [[r.kind, r.value, r.low, r.high, sorted(r.options), r.change, r.unit, r.subject, r.party, r.person,
               [r.setting.first, r.setting.last, r.setting.text] if r.setting else None] for r in s.readings]]
            for s in statements]
    # As JSON text after its CRC-32 (so damage is seen), not compressed: every run reads every
    # document's statements, and inflating them took eleven times as long as checking a CRC.
    text = json.dumps(rows, separators=(",", ":")).encode("ascii")
    return zlib.crc32(text).to_bytes(4, "little") + text


def _decoded(kept: bytes, document: Document, order: int, extraction: Extraction,
             shared: _Shared) -> list[Statement] | None:
    """The statements ``_encoded`` kept, as ``_document_statements`` made them (None when
    what is kept is damaged: they are read again)."""
    if len(kept) < 4 or zlib.crc32(kept[4:]) != int.from_bytes(kept[:4], "little"):
        return None
    try:
        rows = from_json(bytes(kept[4:]))
    except ValueError:
        return None
    statements = []
    text, kept_figures, of = document.text, extraction.figures, shared.of
    for (start, end, actors, places, figures, dates, entries, event_places, outcome, clause, speakers, numerals,
         readings) in rows:
        # positional, in the fields' order: a million statements in a large store
        statements.append(Statement(
            document, order, text[start:end], start, end, of(actors), of(places),
            tuple([kept_figures[n] for n in figures]) if figures else (),
            tuple([tuple(d) for d in dates]) if dates else (),
            of(entries),
            {kind: of(p) for kind, p in event_places.items()} if event_places else NO_EVENTS,
            outcome, clause, of(speakers), of(numerals),
            tuple([Reading(kind, value, low, high, frozenset(options), tuple(change), unit, subject, party,
                           person, Setting(*setting) if setting else None)
                   for kind, value, low, high, options, change, unit, subject, party, person, setting
                   in readings]) if readings else (),
        ))
    return statements


class StatementMemo(Protocol):
    """Where each document's statements are kept between runs, by a digest of what they
    were read from (``Store`` is one)."""

    def document_statements(self, keys: Iterable[str]) -> dict[str, bytes]: ...

    def keep_document_statements(self, found: dict[str, bytes], used: set[str] | None = None) -> None: ...


MEMO_BATCH = 2_000  # documents whose kept statements are read from the memo at once


def find_statements(documents: list[Document], extractions: list[Extraction],
                    timeline: list[TimelineEntry], lexicon: Lexicon,
                    memo: StatementMemo | None = None) -> list[Statement]:
    """The fact statements of every document, in corpus order. With a ``memo``, a document
    read before from the same inputs takes its statements from there."""
    by_source = {d.source: (i, d) for i, d in enumerate(documents)}
    reader = _Reader.of(timeline, extractions, lexicon)
    todo = [(by_source[e.document], e) for e in extractions if e.document in by_source]
    statements: list[Statement] = []
    if memo is None:
        for (order, document), extraction in todo:
            statements += _document_statements(document, order, extraction, reader)
        return statements
    used: set[str] = set()
    for begin in range(0, len(todo), MEMO_BATCH):
        batch = todo[begin:begin + MEMO_BATCH]
        keys = [_inputs(document, extraction, reader) for (_, document), extraction in batch]
        known = memo.document_statements(set(keys))
        fresh: dict[str, bytes] = {}
        for key, ((order, document), extraction) in zip(keys, batch):
            kept = _decoded(known[key], document, order, extraction, reader.shared) if key in known else None
            if kept is not None:
                statements += kept
            else:
                found = _document_statements(document, order, extraction, reader)
                fresh[key] = _encoded(found, extraction)
                statements += found
        memo.keep_document_statements(fresh)
        used.update(keys)
    memo.keep_document_statements({}, used=used)
    return statements
