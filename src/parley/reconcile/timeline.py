"""The corpus timeline: each real-world event once, with every document that reports it.

Events arrive per document with corpus-wide actor ids. Two reports are taken for the same
event when they have the same kind, a participant in common (a person counts for the
country or organization they belong to), compatible places (the same, one inside the
other, or one missing) and compatible times. A report's time is its resolved date (a month
or a year covers all its days); without one, the days around its document's published
date; without either, it is unknown and only meets other unknown ones. So an undated
"talks in Miami" from a December article does not join January's talks in Miami.

Candidate entries are looked up by (kind, party or place, week or month), at most the
``BLOCK_LIMIT`` most recently extended ones per block (``CANDIDATE_LIMIT`` in all), so
the work grows with the number of reports, not with its square.

Entries are sorted: dated ones by date, then undated ones in the order first reported.

Reports are taken in corpus order, each joining the entry that fits it best so far, so
what a report joins depends only on the reports before it. A ``JoinsMemo`` (the store)
keeps which entry each report joined; a run whose first reports are those of the last run
(same events, documents and code: news added since comes after them in corpus order) replays
those joins and searches only for the reports that follow.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Protocol

import numpy as np

from parley.compare import date_range, place_key, places_compatible, shift_day
from parley.records import Document, Event, Extraction, When
from parley.reconcile import fingerprint

UNDATED_WINDOW_DAYS = 7  # how far from its publication an undated report may lie
UNKNOWN = "?"  # the time bucket of reports with neither a date nor a published date
LONG_SPAN_DAYS = 62  # longer spans (a month, a year) are bucketed by month, shorter by week
BLOCK_LIMIT = 64  # entries looked at per block: the most recently extended ones
CANDIDATE_LIMIT = 256  # and per report, the most recent of those
PRECISION_RANK = {"day": 0, "month": 1, "year": 2}


@dataclass
class TimelineReport:
    """One document's report of an event."""

    document: str  # source
    evidence: str
    status: str | None
    when: str | None  # the time as written
    published: str | None = None


@dataclass
class TimelineEntry:
    id: str
    kind: str
    participants: list[str]
    place: str | None
    when: When | None  # the best resolved date among the reports
    status: str | None  # the latest report's status, by published date
    reports: list[TimelineReport] = field(default_factory=list)


# --------------------------------------------------------------------------- one report


@dataclass
class _Report:
    event: Event
    document: Document
    order: int  # position in the corpus: document order, then event order
    parties: set[str]  # participants and what they belong to
    span: tuple[str, str] | None  # first and last day it may lie on; None: unknown
    place_key: str | None  # the place, normalised for comparing


def _time_span(event: Event, document: Document) -> tuple[str, str] | None:
    if event.when is not None and event.when.date:
        return date_range(event.when)
    if document.published:
        return shift_day(document.published, -UNDATED_WINDOW_DAYS), shift_day(document.published, UNDATED_WINDOW_DAYS)
    return None


def _days(span: tuple[str, str]) -> int:
    return (date.fromisoformat(span[1][:10]) - date.fromisoformat(span[0][:10])).days


def _weeks(span: tuple[str, str]) -> list[str]:
    first, last = date.fromisoformat(span[0][:10]), date.fromisoformat(span[1][:10])
    day = first - timedelta(days=first.weekday())
    weeks = []
    while day <= last and len(weeks) < LONG_SPAN_DAYS // 7 + 2:
        weeks.append(f"w{day.isoformat()}")
        if date.max - day < timedelta(days=7):
            break  # the calendar's last week
        day += timedelta(days=7)
    return weeks


def _months(span: tuple[str, str]) -> list[str]:
    year, month = int(span[0][:4]), int(span[0][5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= span[1][:7] and len(months) < 13:
        months.append(f"m{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@lru_cache(maxsize=4096)
def _time_keys(span: tuple[str, str] | None, looking_up: bool) -> list[str]:
    """Time buckets: the weeks of a short span, the months of a long one (a date given as a
    year or month). A lookup asks for both, so short and long spans find each other."""
    if span is None:
        return [UNKNOWN]
    long = _days(span) > LONG_SPAN_DAYS
    if looking_up:
        return (_weeks(span) if not long else []) + _months(span)
    return _months(span) if long else _weeks(span)


# Reports with neither a date nor a shared place must share this much of their wording
# (Jaccard of content words) to be one event: otherwise "the EU decided" twice merges any two decisions.
UNANCHORED_OVERLAP = 0.15


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English stop words, read from spaCy's own list (a module with no imports of its
    own) without importing spaCy: that takes seconds and 230 MB, and a process that hands
    extraction to workers, or only reconciles, has no other use for it."""
    import importlib.util

    spacy = importlib.util.find_spec("spacy")  # finds the package without running it
    if spacy is None or spacy.origin is None:
        raise ImportError("spaCy is not installed")
    path = Path(spacy.origin).parent / "lang" / "en" / "stop_words.py"
    spec = importlib.util.spec_from_file_location("parley_english_stop_words", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path}: spaCy's English stop words are not where they were")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.STOP_WORDS)


def _content_words(text: str) -> set[str]:
    stop = stop_words()
    return {w for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in stop}


def _word_overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


# --------------------------------------------------------------------------- one entry


@dataclass
class _Entry:
    """An event being assembled from reports; its place, best date and time span are kept
    up to date as reports are added."""

    kind: str
    reports: list[_Report] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    parties: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    places: Counter = field(default_factory=Counter)  # place key -> reports giving it
    place_texts: dict[str, str] = field(default_factory=dict)  # place key -> first as written
    place: str | None = None  # the place most reports give (the first given, among equals)
    place_key: str | None = None
    counted_words: set[str] = field(default_factory=set)  # see words()
    words_counted: int = 0  # the reports whose words are in counted_words
    dates: Counter = field(default_factory=Counter)  # (date, end, precision) -> reports
    when: When | None = None
    span: tuple[str, str] | None = None
    undated_span: tuple[str, str] | None = None  # what the reports without a date allow

    def add(self, report: _Report) -> None:
        event = report.event
        self.reports.append(report)
        self.sources.add(report.document.source)
        self.participants += [p for p in event.participants if p not in self.participants]
        self.parties |= report.parties
        if report.place_key:
            self.places[report.place_key] += 1
            self.place_texts.setdefault(report.place_key, event.place)
            top = max(self.places.values())
            self.place_key = next(key for key in self.place_texts if self.places[key] == top)
            self.place = self.place_texts[self.place_key]
        if event.when is not None and event.when.date:
            self.dates[(event.when.date, event.when.end, event.when.precision)] += 1
            if self.when is None or not self.when.date or _better(event.when, self.when, self.dates):
                self.when = event.when
            self.span = date_range(self.when)
            return
        if self.when is None and event.when is not None:
            self.when = event.when  # as written, until a report gives a date
        if report.span is not None:
            first, last = self.undated_span or report.span
            self.undated_span = (min(first, report.span[0]), max(last, report.span[1]))
        if not self.dates:
            self.span = self.undated_span

    def words(self) -> set[str]:
        """The content words of its reports' evidence; read when first needed (only a report
        with no date and no place to go by is matched on them) and then kept up to date."""
        for report in self.reports[self.words_counted:]:
            self.counted_words |= _content_words(report.event.evidence)
        self.words_counted = len(self.reports)
        return self.counted_words


def _better(candidate: When, current: When, counts: Counter) -> bool:
    """A more precise date, or an equally precise one more reports give."""
    def rank(w: When) -> tuple[int, int]:
        return PRECISION_RANK.get(w.precision or "", 3), -counts[(w.date, w.end, w.precision)]
    return rank(candidate) < rank(current)


def _spans_meet(a: tuple[str, str] | None, b: tuple[str, str] | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a[0] <= b[1] and b[0] <= a[1]


def _fit(entry: _Entry, report: _Report) -> int:
    """How well a report fits an entry (0: a different event). A document's own events are
    already one per real event, so an entry takes one report per document; a statement is
    its speaker's (the first participant)."""
    event = report.event
    if event.kind != entry.kind or report.document.source in entry.sources:
        return 0
    if not _spans_meet(entry.span, report.span) or not places_compatible(entry.place_key, report.place_key):
        return 0
    if event.kind == "statement" and event.participants and entry.participants \
            and event.participants[0] != entry.participants[0]:
        return 0
    same_place = bool(entry.places and report.place_key and report.place_key in entry.places)
    if entry.span is None and report.span is None and not same_place \
            and _word_overlap(entry.words(), _content_words(event.evidence)) < UNANCHORED_OVERLAP:
        return 0  # no date and no place to go by: the reports must at least tell the same story
    own = set(event.participants)
    if own & set(entry.participants):
        score = 3
    elif own and (own <= entry.parties or set(entry.participants) <= report.parties):
        score = 2
    elif (not own or not entry.participants) and same_place:
        score = 1
    else:
        return 0
    return score + (2 if same_place else 0)


# --------------------------------------------------------------------------- the timeline


def _affiliations(extractions: list[Extraction]) -> dict[str, str]:
    found: dict[str, str] = {}
    for extraction in extractions:
        for actor in extraction.actors:
            if actor.affiliation:
                found.setdefault(actor.id, actor.affiliation)
    return found


def _reports(documents: list[Document], extractions: list[Extraction]) -> list[_Report]:
    by_source = {d.source: d for d in documents}
    affiliation = _affiliations(extractions)
    reports: list[_Report] = []
    for extraction in extractions:
        document = by_source.get(extraction.document) or Document(id="", source=extraction.document, text="")
        if document.duplicate_of:
            continue  # a near-copy of another document reports nothing new
        for event in extraction.events:
            parties = set(event.participants) | {affiliation[p] for p in event.participants if p in affiliation}
            reports.append(_Report(event, document, len(reports), parties, _time_span(event, document),
                                   place_key(event.place)))
    return reports


def _block_keys(kind: str, parties: set[str], place_key: str | None, span: tuple[str, str] | None,
                looking_up: bool) -> list[tuple]:
    """Where to file or look for an entry: by kind, each party (or the place) and time bucket."""
    names = sorted(parties) + ([f"place:{place_key}"] if place_key else [])
    return [(kind, name, bucket) for name in names for bucket in _time_keys(span, looking_up)]


def _entry_id(entry: _Entry) -> str:
    first = entry.reports[0]
    seed = f"{first.event.kind}|{first.document.source}|{first.event.start}|{first.event.evidence}"
    return f"{first.event.kind}-{hashlib.sha1(seed.encode('utf-8')).hexdigest()[:10]}"


def _latest_status(entry: _Entry) -> str | None:
    with_status = [r for r in entry.reports if r.event.status]
    if not with_status:
        return None
    return max(with_status, key=lambda r: (r.document.published or "", r.order)).event.status


def _to_timeline_entry(entry: _Entry) -> TimelineEntry:
    return TimelineEntry(
        id=_entry_id(entry),
        kind=entry.kind,
        participants=list(entry.participants),
        place=entry.place,
        when=entry.when,
        status=_latest_status(entry),
        reports=[TimelineReport(r.document.source, r.event.evidence, r.event.status,
                                r.event.when.text if r.event.when else None, r.document.published)
                 for r in entry.reports],
    )


class JoinsMemo(Protocol):
    """Where the timeline keeps, between runs, which entry each report joined (``Store`` is one)."""

    def timeline_joins(self) -> bytes | None: ...

    def keep_timeline_joins(self, kept: bytes) -> None: ...


@lru_cache(maxsize=1)
def _code() -> bytes:
    """A digest of the code that decides the joins (this module and the place and date
    comparisons): joins kept by another version of it are not replayed."""
    from parley import compare
    from parley.reconcile import source_digest

    digest = source_digest(__file__, compare.__file__)
    digest.update(" ".join(sorted(stop_words())).encode("utf-8"))
    return digest.digest()


def _replayable(reports: list[_Report], memo: JoinsMemo | None) -> tuple[np.ndarray, bytes]:
    """The kept joins, when the reports they were found for are the first of ``reports``
    (else none), and a digest of all ``reports``, to keep with this run's joins. Kept: the
    digest of the reports they were found for (20 bytes), then one entry number per report;
    anything else kept (a damaged row) is not replayed."""
    kept = (memo.timeline_joins() if memo is not None else None) or b""
    joins = np.frombuffer(kept, dtype=np.int32, offset=20) if len(kept) >= 20 and len(kept) % 4 == 0 else None
    replay = np.zeros(0, dtype=np.int32)
    digest = hashlib.sha1(_code())
    for number, report in enumerate([*reports, None]):
        if joins is not None and number == len(joins) and digest.digest() == kept[:20]:
            replay = joins
        if report is not None:
            digest.update(fingerprint((report.event, report.document.source, report.document.published,
                                       sorted(report.parties), report.span, report.place_key)))
    return replay, digest.digest()


def build_timeline(documents: list[Document], extractions: list[Extraction],
                   memo: JoinsMemo | None = None) -> list[TimelineEntry]:
    """One entry per real-world event across the corpus, in time order. With a ``memo``,
    the joins of the reports met in the last run, in the same order, are replayed."""
    reports = _reports(documents, extractions)
    known, digest = _replayable(reports, memo)
    joined = np.zeros(len(reports), dtype=np.int32)
    entries: list[_Entry] = []
    blocks: dict[tuple, dict[int, None]] = defaultdict(dict)  # key -> entry numbers, in order filed
    # When joins are replayed, an entry is filed only under the keys the reports still to be
    # matched will look up: no other key is ever read (and replaying 100,000 documents'
    # joins to match those of 100 new ones then files a few entries, not all of them).
    wanted = _looked_up(reports[len(known):]) if len(known) else None
    for order, report in enumerate(reports):
        kind = report.event.kind
        if order < len(known):
            best = int(known[order])
        else:
            best = _best_entry(report, entries, blocks)
        if best == len(entries):
            entries.append(_Entry(kind))
        joined[order] = best
        entry = entries[best]
        entry.add(report)
        if wanted is not None and not wanted.may_want(kind, entry):
            continue
        for span in {report.span, entry.span}:
            for key in _block_keys(kind, entry.parties, entry.place_key, span, looking_up=False):
                if wanted is not None and key not in wanted.keys:
                    continue
                blocks[key].pop(best, None)
                blocks[key][best] = None  # now among the most recent in that block
    if memo is not None:
        memo.keep_timeline_joins(digest + joined.tobytes())
    timeline = [_to_timeline_entry(e) for e in entries]
    dated = sorted((t for t in timeline if t.when is not None and t.when.date),
                   key=lambda t: (t.when.date, t.when.end or t.when.date))
    undated = [t for t in timeline if t.when is None or not t.when.date]
    return dated + undated


@dataclass(frozen=True)
class _Wanted:
    """The block keys some reports look up, and their kinds and names (parties, places):
    an entry of another kind, or naming none of them, is filed under none of the keys."""

    keys: frozenset[tuple]
    kinds: frozenset[str]
    names: frozenset[str]

    def may_want(self, kind: str, entry: _Entry) -> bool:
        return kind in self.kinds and (not self.names.isdisjoint(entry.parties)
                                       or f"place:{entry.place_key}" in self.names)


def _looked_up(reports: list[_Report]) -> _Wanted:
    keys = frozenset(key for r in reports
                     for key in _block_keys(r.event.kind, r.parties, r.place_key, r.span, looking_up=True))
    return _Wanted(keys, frozenset(k[0] for k in keys), frozenset(k[1] for k in keys))


def _best_entry(report: _Report, entries: list[_Entry], blocks: dict[tuple, dict[int, None]]) -> int:
    """The entry a report joins: the best fitting among the candidates (the most recently
    extended in its blocks), or a new one (``len(entries)``)."""
    keys = _block_keys(report.event.kind, report.parties, report.place_key, report.span, looking_up=True)
    candidates = {n for key in keys for n in islice(reversed(blocks.get(key, {})), BLOCK_LIMIT)}
    best, best_score = len(entries), 0
    for number in sorted(candidates, reverse=True)[:CANDIDATE_LIMIT]:  # the most recent wins a tie
        score = _fit(entries[number], report)
        if score > best_score:
            best, best_score = number, score
    return best
