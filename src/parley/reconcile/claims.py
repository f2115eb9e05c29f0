"""Claims: the statements of fact in the corpus, each with every document that reports it.

Statements (``reconcile/statements.py``) are the sentences of each document that state a
fact, with their anchors: actors, places, numbers, dates, timeline entries, outcomes.

Two statements of different documents report the same thing when their sentence
embeddings (``parley.embeddings``) are close, counting a bonus for each anchor they share
(an actor named in most documents counts for little; the words of one speaker count
more), and their anchors do not disagree: dates that do not overlap, events of one kind in
incompatible places or too far apart in time, numbers that differ beyond rounding, an
agreement against a proposal, the words of two different speakers, readings that disagree.
So "Dmitriev arrived in Miami on Saturday" and "Putin's envoy Kirill Dmitriev held talks in
Miami in December" are one claim, and one quotation in two translations is one claim, but
two meetings in Miami a month apart are two. Same-claim pairs are merged most similar
first, never putting two sentences of one document into one claim, nor two groups whose
sentences are not alike on average (so a chain of links cannot drift from one fact to the
next).

Scale: statements are never compared all with all. Identical sentences are embedded and
compared once. Distinct sentences are compared within *blocks* sharing one of their three
rarest anchors (a number anywhere in the corpus; an actor or a place within a month of
publication and the next), a block grown past ``MAX_BLOCK`` being cut by week; a block is
compared as one matrix product and only each sentence's nearest neighbours in other
documents are kept. The work grows with the number of sentences times the (bounded) block
sizes. Pairs whose dates cannot meet are set aside as one array (``Sentences.dated_apart``)
before the others are compared one by one.

Independent sources: a near-copy of another document (``Document.duplicate_of``) counts
with it as one source, and two articles of one outlet count once.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property, lru_cache
from itertools import chain
from typing import Protocol

import numpy as np

from parley.embeddings import Embedder
from parley.compare import places_compatible
from parley.lexicon import Lexicon
from parley.records import Claim, Document, Extraction, Figure, Quote
from parley.reconcile.readings import readings_clash
from parley.reconcile.pairs import NeighbourMemo, SimilarPairs, on_grid, similar_pairs
from parley.reconcile.statements import NO_MONTH, Statement, StatementMemo, _shift, find_statements
from parley.reconcile.timeline import TimelineEntry


class ClaimsMemo(NeighbourMemo, StatementMemo, Protocol):
    """What the claims step keeps between runs: each document's statements and each block's
    neighbours (``Store`` keeps both)."""


# --------------------------------------------------------------------------- sources


def source_keys(documents: Iterable[Document]) -> dict[str, str]:
    """document source -> its independent source: near-copies share their original's key;
    other documents are keyed by outlet (two articles of one outlet count once), else by
    themselves."""
    documents = list(documents)
    copied = {d.duplicate_of for d in documents if d.duplicate_of}
    keys = {}
    for d in documents:
        if d.duplicate_of or d.id in copied:
            keys[d.source] = f"copy:{d.duplicate_of or d.id}"
        elif d.outlet and d.outlet.strip():
            keys[d.source] = "outlet:" + " ".join(d.outlet.lower().removeprefix("the ").split())
        else:
            keys[d.source] = f"document:{d.id or d.source}"
    return keys


def flag_quotes(documents: Iterable[Document], extractions: list[Extraction]) -> list[Extraction]:
    """Quotes to treat with care: "unnamed" (no named speaker) or "single source" (a named
    speaker's words found in one independent source only: copies of one article count once)."""
    keys = source_keys(documents)

    def words(quote: Quote) -> str:
        return " ".join(quote.text.lower().split())

    sources: dict[str, set[str]] = defaultdict(set)
    for e in extractions:
        for q in e.quotes:
            sources[words(q)].add(keys.get(q.document, q.document))

    def care(quote: Quote) -> str | None:
        if not quote.speaker:
            return "unnamed"
        return "single source" if len(sources[words(quote)]) == 1 else None

    def flagged(extraction: Extraction) -> Extraction:
        """The extraction with its quotes' care set; the same records where nothing changes
        (quotes are stored unflagged, and most need no care)."""
        quotes = [q if q.care == (now := care(q)) else replace(q, care=now) for q in extraction.quotes]
        if all(new is old for new, old in zip(quotes, extraction.quotes)):
            return extraction
        return replace(extraction, quotes=quotes)

    return [flagged(e) for e in extractions]


# --------------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class NumberRules:
    rounding: float
    ranges: dict[str, tuple[float, float]]  # approx qualifier -> (low, high) factors

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon) -> NumberRules:
        table = lexicon["checks"].get("numbers", {})
        ranges: dict[str, tuple[float, float]] = {}
        for group in ("below", "around", "above"):
            low, high = table.get(f"{group}_range", [1.0, 1.0])
            for word in table.get(group, []):
                ranges[str(word).lower()] = (float(low), float(high))
        return cls(float(table.get("rounding", 0.05)), ranges)

    def close(self, x: float, y: float) -> bool:
        """Two numbers that may be the same value, given rounding."""
        return abs(x - y) <= max(self.rounding * max(abs(x), abs(y)), 0.5)

    def agree(self, a: Figure, b: Figure) -> bool:
        """Two figures of one unit that can be the same value: "nearly 20%" and "20%",
        "€90bn" and "90 billion euros" - but not 653 and 635, nor 47 and 48."""
        if a.unit != b.unit:
            return False
        return ranges_meet(self.value_range(a), self.value_range(b), a.value == b.value)

    def value_range(self, figure: Figure) -> tuple[float, float]:
        """The true values a figure allows: the number as written, give or take half a unit
        of its last significant digit (at most ``rounding`` of it), times the range of its
        qualifier."""
        value = abs(figure.value)
        slack = min(_half_last_digit(value), self.rounding * value)
        low, high = self.ranges.get((figure.approx or "").lower(), (1.0, 1.0))
        return (value - slack) * low, (value + slack) * high


def ranges_meet(a: tuple[float, float], b: tuple[float, float], equal: bool = False) -> bool:
    """Two ranges of true values that overlap; ranges that only touch (47 is 46.5..47.5, 48
    is 47.5..48.5) do not, unless the numbers are equal."""
    return equal or (a[0] < b[1] and b[0] < a[1])


def _half_last_digit(value: float) -> float:
    """Half a unit of the last significant digit: 653 -> 0.5, 9,500 -> 50, 71.7bn -> 0.05bn."""
    if value == int(value):
        digits = str(int(value))
        return 0.5 * 10 ** (len(digits) - len(digits.rstrip("0")))
    decimals = f"{value:.6f}".rstrip("0").split(".")[1]
    return 0.5 * 10 ** -len(decimals)


def number_key(figure: Figure) -> tuple[str, str]:
    """A blocking key for a figure: its unit and its value to two significant digits."""
    return figure.unit, f"{abs(figure.value):.2g}"


# --------------------------------------------------------------------------- comparing two


@dataclass
class Comparison:
    """How the anchors of two statements relate."""

    shared: float  # weight of the anchors they share (0 when they clash: nothing weighs it then)
    clash: str | None  # date | place | time | outcome | speaker | reading | number: why not one claim
    number_conflicts: list[tuple[Figure, Figure]] = field(default_factory=list)  # (none after another clash)


def _spans_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]



@dataclass
class Comparer:
    """Compares the anchors of two statements. An actor or place shared by most documents
    says little ("Ukraine" in a corpus about Ukraine): it counts for less."""

    numbers: NumberRules
    weight: dict[str, float]  # actor or place -> 1 - share of documents naming it
    ranges: dict[int, tuple[float, float]] = field(default_factory=dict)  # id of a figure -> its values

    @classmethod
    def of(cls, statements: list[Statement], numbers: NumberRules) -> Comparer:
        documents: dict[str, set[str]] = defaultdict(set)
        place_anchor: dict[str, str] = {}
        for s in statements:
            for actor in s.actors:
                documents[actor].add(s.source)
            for place in s.places:
                anchor = place_anchor.get(place) or place_anchor.setdefault(place, f"place:{place}")
                documents[anchor].add(s.source)
        total = max(len({s.source for s in statements}), 1)
        weight = {a: (1 - len(d) / total) if total > 2 else 1.0 for a, d in documents.items()}
        return cls(numbers, weight)

    def compare(self, a: Statement, b: Statement) -> Comparison:
        """Why the two cannot be one claim, the first reason in the order of ``Comparison.clash``;
        when nothing but numbers keeps them apart, the figures they disagree on; when nothing
        does, the weight of what they share. A clash ends the comparison: most pairs looked at
        clash, and no caller needs more of them than the reason (and, for numbers, the figures)."""
        clash = (self._date_clash(a, b) or self._place_clash(a, b) or self._time_clash(a, b)
                 or self._outcome_clash(a, b) or self._speaker_clash(a, b) or self._reading_clash(a, b))
        if clash:
            return Comparison(0.0, clash)
        agreeing, conflicting = self._numbers(a, b)
        if conflicting and not agreeing:
            return Comparison(0.0, "number", conflicting)
        # fsum: rounded once, so the total does not depend on the order the sets are walked in
        shared = math.fsum([*(self.weight.get(x, 1.0) for x in a.actors & b.actors),
                            *(self.weight.get(f"place:{p}", 1.0) for p in a.places & b.places)])
        if a.dates and b.dates:
            shared += 3 if any(x == y and x[2] == "day" for x in a.dates for y in b.dates) else 2
        if a.speakers & b.speakers:  # (one person's spellings are one actor: reconcile/actors.py)
            shared += 2  # the words of one person
        if a.entries & b.entries:
            shared += 2
        shared += min(len(a.numerals & b.numerals), 2)
        shared += 2 * agreeing + self._same_numbers(a, b)
        return Comparison(shared, None, conflicting)

    @staticmethod
    def _outcome_clash(a: Statement, b: Statement) -> str | None:
        """One says it was agreed, the other only proposed (or that it failed)."""
        return "outcome" if a.outcome and b.outcome and a.outcome != b.outcome else None

    @staticmethod
    def _speaker_clash(a: Statement, b: Statement) -> str | None:
        """Two people's words, however alike."""
        return "speaker" if a.speakers and b.speakers and not a.speakers & b.speakers else None

    def _reading_clash(self, a: Statement, b: Statement) -> str | None:
        """A meeting called off and not, two terms, two changes."""
        if a.readings and b.readings and readings_clash(a.readings, b.readings, self.numbers.close):
            return "reading"
        return None

    @staticmethod
    def _date_clash(a: Statement, b: Statement) -> str | None:
        if a.dates and b.dates and not any(_spans_overlap(x, y) for x in a.dates for y in b.dates):
            return "date"
        return None

    @staticmethod
    def _place_clash(a: Statement, b: Statement) -> str | None:
        """Events of one kind placed in places that cannot be the same."""
        if not a.event_places or not b.event_places:
            return None
        for kind in a.event_places.keys() & b.event_places.keys():
            mine, theirs = a.event_places[kind], b.event_places[kind]
            if mine and theirs and not any(places_compatible(x, y) for x in mine for y in theirs):
                return "place"
        return None

    @staticmethod
    def _time_clash(a: Statement, b: Statement) -> str | None:
        """Reports of events of one kind that cannot be one event: an undated one lies
        within ``UNDATED_DAYS`` of its publication, so it cannot meet a report published
        (or dated) further away."""
        if (a.dates and b.dates) or not a.event_places or not b.event_places \
                or not (a.event_places.keys() & b.event_places.keys()):
            return None
        if a.time_span is None or b.time_span is None:
            return None
        return None if _spans_overlap(a.time_span, b.time_span) else "time"

    def _agree(self, a: Figure, b: Figure) -> bool:
        return ranges_meet(self._range(a), self._range(b), a.value == b.value)

    def _range(self, figure: Figure) -> tuple[float, float]:
        found = self.ranges.get(id(figure))
        if found is None:
            found = self.ranges[id(figure)] = self.numbers.value_range(figure)
        return found

    @staticmethod
    def _same_numbers(a: Statement, b: Statement) -> int:
        """Units for which both give the very same number (10 or more): one point more."""
        if not a.figures or not b.figures:
            return 0
        return len({(f.unit, f.value) for f in a.figures if abs(f.value) >= 10}
                   & {(f.unit, f.value) for f in b.figures})

    def _numbers(self, a: Statement, b: Statement) -> tuple[int, list[tuple[Figure, Figure]]]:
        """Units the two agree on, and a pair of figures for each unit they disagree on."""
        agreeing, conflicting = 0, []
        if not a.figures or not b.figures:
            return agreeing, conflicting
        for unit in sorted({f.unit for f in a.figures} & {f.unit for f in b.figures}):
            mine = [f for f in a.figures if f.unit == unit]
            theirs = [f for f in b.figures if f.unit == unit]
            if any(self._agree(x, y) for x in mine for y in theirs):
                agreeing += 1
            else:
                conflicting.append(min(((x, y) for x in mine for y in theirs),
                                       key=lambda pair: abs(pair[0].value - pair[1].value)))
        return agreeing, conflicting


# --------------------------------------------------------------------------- candidate pairs


@dataclass
class Sentences:
    """The distinct sentences (identical statements of several documents count once) with
    their vectors."""

    statements: list[Statement]
    groups: list[list[int]]  # distinct sentence -> its statements
    vectors: np.ndarray  # one unit vector per distinct sentence

    @cached_property
    def firsts(self) -> list[Statement]:
        """Per distinct sentence, its first statement: the one its anchors are read from."""
        return [self.statements[g[0]] for g in self.groups]

    @cached_property
    def published(self) -> list[set[str | None]]:
        """Per distinct sentence, the publication days of its documents (None: undated)."""
        statements = self.statements
        return [{statements[g[0]].document.published} if len(g) == 1
                else {statements[i].document.published for i in g} for g in self.groups]

    def marked(self, test: Callable[[Statement], bool]) -> np.ndarray:
        """Per distinct sentence, whether ``test`` holds for it (for ``SimilarPairs.among``)."""
        return np.array([test(s) for s in self.firsts], dtype=bool)

    def document_numbers(self) -> np.ndarray:
        """Per distinct sentence, the corpus order of its first document."""
        return np.asarray([s.order for s in self.firsts], dtype=np.int64)

    def dated_apart(self, pairs: SimilarPairs) -> np.ndarray:
        """Per pair, whether both sentences are dated and the span from the first to the last
        day of one's dates ends before the other's begins. Then no date of one meets a date
        of the other, and ``Comparer.compare`` would stop at its first check ("date"): a
        whole array of pairs is told at once, where comparing takes a call per pair. (Pairs
        whose spans meet may still clash on dates; comparing tells.)"""
        dated, first, last = self._date_spans
        a, b = pairs.first, pairs.second
        return dated[a] & dated[b] & ((first[a] > last[b]) | (first[b] > last[a]))

    @cached_property
    def _date_spans(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per distinct sentence: dated or not, and its first and last day, as ranks among
        all days written (days compare as their ISO strings do)."""
        firsts = self.firsts
        rank = {day: n for n, day in enumerate(sorted({d for s in firsts for span in s.dates for d in span[:2]}))}
        dated = np.array([bool(s.dates) for s in firsts], dtype=bool)
        first = np.array([min(rank[d[0]] for d in s.dates) if s.dates else 0 for s in firsts], dtype=np.int64)
        last = np.array([max(rank[d[1]] for d in s.dates) if s.dates else 0 for s in firsts], dtype=np.int64)
        return dated, first, last


def _distinct(statements: list[Statement]) -> list[list[int]]:
    """Statements with the same words and dates (an undated report of an event: also the
    same publication date) are one sentence."""
    groups: dict[tuple, list[int]] = {}
    spaced: dict[str, str] = {}  # a text, single-spaced: copies of an article repeat its sentences
    for i, s in enumerate(statements):
        undated_event = bool(s.event_places) and not s.dates
        words = spaced.get(s.text)
        if words is None:
            words = spaced[s.text] = " ".join(s.text.split())
        key = (words, s.dates, s.document.published if undated_event else None)
        groups.setdefault(key, []).append(i)
    return list(groups.values())


def embed_statements(statements: list[Statement], embed: Embedder) -> Sentences:
    """The distinct sentences and their vectors, on the grid (exact cosines). A text is
    embedded once however many distinct sentences have it (one published on several days
    is one for each of its dates), and its vector then given to each."""
    groups = _distinct(statements)
    if not groups:
        return Sentences(statements, groups, np.zeros((0, 1), dtype=np.float32))
    number_of: dict[str, int] = {}
    text_of = np.fromiter((number_of.setdefault(statements[g[0]].text, len(number_of)) for g in groups),
                          dtype=np.int64, count=len(groups))
    return Sentences(statements, groups, on_grid(embed(list(number_of)))[text_of])


@lru_cache(maxsize=1024)
def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + (number == 12):04d}-{number % 12 + 1:02d}"


def _anchor_keys(s: Statement) -> list[tuple]:
    keys: list[tuple] = [("actor", a) for a in sorted(s.actors)]
    keys += [("place", p) for p in sorted(s.places)]
    keys += [("number", *number_key(f)) for f in s.figures]
    return keys


MAX_BLOCK = 500  # a block larger than this is cut by week of publication


@lru_cache(maxsize=4096)
def _week(day: str) -> str:
    first = date.fromisoformat(day)
    return (first - timedelta(days=first.weekday())).isoformat()


def _buckets(seen: set[str], present: set[str], following) -> set[str]:
    """The time buckets a sentence goes in: each of its own and the one after (so
    neighbours meet); an undated one (NO_MONTH) goes in every bucket present, the undated
    bucket included."""
    buckets: set[str] = set()
    for bucket in seen:
        buckets |= present if bucket == NO_MONTH else {bucket, following(bucket)}
    return buckets


def blocks_of(sentences: Sentences, per_sentence: int = 5) -> dict[tuple, list[int]]:
    """Blocks of distinct sentences that may report the same thing: sharing one of their
    ``per_sentence`` rarest anchors; a number anywhere, an actor or a place only within a
    month of publication and the next (sentences of undated documents meet every month).
    A block grown past ``MAX_BLOCK`` is cut by week of publication (and the next week), so
    the work stays near-linear however dense the news gets."""
    firsts = sentences.firsts
    months = [{day[:7] if day else NO_MONTH for day in days} for days in sentences.published]
    anchors = [list(dict.fromkeys(_anchor_keys(s))) for s in firsts]
    frequency = Counter(a for keys in anchors for a in keys)
    months_of_anchor: dict[tuple, set[str]] = defaultdict(set)
    for keys, seen in zip(anchors, months):
        for a in keys:
            months_of_anchor[a] |= seen
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for number, (keys, seen) in enumerate(zip(anchors, months)):
        # a dated sentence's months are the same for each of its anchors: found once
        own = None if NO_MONTH in seen else _buckets(seen, set(), _next_month)
        # (the order anchors are met in does not matter: a block's members are sentence numbers, ascending)
        rarest = keys if len(keys) <= per_sentence else sorted(keys, key=lambda a: (frequency[a], a))[:per_sentence]
        for anchor in rarest:
            if anchor[0] == "number":
                blocks[(anchor,)].append(number)
            else:
                for bucket in own if own is not None else _buckets(seen, months_of_anchor[anchor], _next_month):
                    blocks[(anchor, bucket)].append(number)
    # (a sentence goes in a block at most once, in the order of sentence numbers: ascending, distinct)
    result = {key: np.array(members, dtype=np.int32) for key, members in blocks.items()
              if 1 < len(members) <= MAX_BLOCK}
    result.update(_cut_by_week(sentences, {key: members for key, members in blocks.items() if len(members) > MAX_BLOCK}))
    return result


def _cut_by_week(sentences: Sentences, to_cut: dict[tuple, list[int]]) -> dict[tuple, np.ndarray]:
    """The parts of blocks grown past ``MAX_BLOCK``: a sentence goes in the part of each
    week it was published in and of the week after; one of an undated document also in
    every part of its block (the undated part included). A common anchor's blocks hold most
    sentences of a large corpus, each published in several weeks (a sentence many documents
    repeat), so the parts are made as arrays: per block, its members' weeks gathered and
    sorted by week (a stable sort keeps the members of a week ascending; of numbers that
    fit in 16 bits, numpy's is a radix sort)."""
    if not to_cut:
        return {}
    weeks = _SentenceWeeks(sentences, set().union(*to_cut.values()))
    result: dict[tuple, np.ndarray] = {}
    for key, members in to_cut.items():
        members = np.asarray(members, dtype=np.int64)
        week, member = weeks.buckets(members)
        order = np.argsort(week.astype(np.int16) if len(weeks.names) < 2 ** 15 else week, kind="stable")  # (radix)
        week, member = week[order], member[order]
        starts = np.flatnonzero(np.concatenate(([True], week[1:] != week[:-1])))
        ends = np.append(starts[1:], len(week))
        for begin, end in zip(starts.tolist(), ends.tolist()):
            if end - begin > 1:
                result[(*key, weeks.names[week[begin]])] = member[begin:end].astype(np.int32)
    return result


class _SentenceWeeks:
    """For the sentences of blocks to cut: the weeks each was published in (NO_MONTH for
    an undated document) and, of a dated one, the week buckets it goes in (which then do
    not depend on the block), as numbered weeks in flat arrays, read per sentence through
    its start and length."""

    def __init__(self, sentences: Sentences, numbers: set[int]):
        self.names: list[str] = []
        number_of: dict[str, int] = {}

        def numbered(weeks: Iterable[str]) -> list[int]:
            for week in weeks:
                if week not in number_of:
                    number_of[week] = len(self.names)
                    self.names.append(week)
            return [number_of[week] for week in weeks]

        made: dict[frozenset, tuple[list[int], list[int], bool]] = {}  # days published -> (weeks seen, buckets, undated)
        count = len(sentences.groups)
        seen_of: list[list[int]] = [[]] * count
        own_of: list[list[int]] = [[]] * count
        undated = np.zeros(count, dtype=bool)
        published = sentences.published
        for n in numbers:
            days = frozenset(published[n])
            found = made.get(days)
            if found is None:
                seen = {_week(day) if day else NO_MONTH for day in days}
                dated = seen - {NO_MONTH}
                found = made[days] = (numbered(sorted(seen)), numbered(sorted(_buckets(dated, set(), _next_week))),
                                      NO_MONTH in seen)
            seen_of[n], own_of[n], undated[n] = found
        self.undated = undated
        self.seen = _Flat(seen_of)
        self.own = _Flat(own_of)  # of an undated sentence: the buckets of its dated weeks, if any

    def buckets(self, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(week, member) for each bucket of each of a block's ``members``; an undated one
        goes in every week any member was published in, the undated week included."""
        week, member = self.own.of(members)
        undated = members[self.undated[members]]
        if len(undated):
            present = np.unique(self.seen.of(members)[0])
            week = np.concatenate((week, np.tile(present, len(undated))))
            member = np.concatenate((member, np.repeat(undated, len(present))))
            pairs = np.unique(member * len(self.names) + week)  # (an undated member's own week may be present)
            member, week = np.divmod(pairs, len(self.names))
            order = np.lexsort((member, week))
            return week[order], member[order]
        return week, member


class _Flat:
    """Lists of numbers, one per sentence, in one flat array."""

    def __init__(self, lists: list[list[int]]):
        lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        self.lengths = lengths
        self.starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(lists) else lengths
        self.values = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(lengths.sum()))

    def of(self, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The values of ``members``' lists, one after another, and the member of each."""
        lengths = self.lengths[members]
        total = int(lengths.sum())
        ends = np.cumsum(lengths)
        at = np.repeat(self.starts[members] - (ends - lengths), lengths) + np.arange(total)
        return self.values[at], np.repeat(members, lengths)


@lru_cache(maxsize=4096)
def _next_week(week: str) -> str:
    return _week(_shift(week, 7))


# --------------------------------------------------------------------------- grouping


@dataclass(frozen=True)
class ClaimRules:
    same_above: float  # cosine plus the bonus for shared anchors
    anchor_bonus: float  # per unit of shared anchor weight
    max_anchors: float  # shared anchor weight counted at most
    floor: float
    neighbours: int
    cohesion: float  # mean cosine two clusters' sentences need to be merged

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon) -> ClaimRules:
        table = lexicon["checks"].get("claims", {})
        return cls(float(table.get("same_above", 0.75)), float(table.get("anchor_bonus", 0.05)),
                   float(table.get("max_anchors", 4)), float(table.get("floor", 0.45)),
                   int(table.get("neighbours", 8)), float(table.get("cohesion", 0.5)))

    def score(self, cosine: float, comparison: Comparison) -> float:
        return cosine + self.anchor_bonus * min(comparison.shared, self.max_anchors)

    def same_claim(self, cosine: float, comparison: Comparison) -> bool:
        return comparison.clash is None and self.score(cosine, comparison) >= self.same_above


@dataclass
class Checked:
    """What the claims step leaves for the conflicts step: the statements, their distinct
    sentences and vectors, and every compared pair of distinct sentences with its cosine."""

    sentences: Sentences
    pairs: SimilarPairs
    claims: list[Claim]
    claim_of: dict[int, int]  # statement -> claim index
    comparer: Comparer


class _Clusters:
    """Clusters of distinct sentences, merged two at a time, that never put two sentences
    of one document into one cluster, nor two clusters whose sentences are, on average,
    not alike (so a chain of pairwise links cannot drift from one fact to another). Each
    sentence's cluster is held as it is now (a list, and the same as an array, so that pairs
    already in one cluster are set aside in bulk): a merge moves the smaller cluster's
    sentences into the larger (each sentence moves at most log2 of their number times)."""

    def __init__(self, sources: list[set[str]], vectors: np.ndarray):
        count = len(sources)
        self.cluster = list(range(count))  # sentence -> its cluster (numbered by one of its sentences)
        self.clusters = np.arange(count, dtype=np.int64)  # the same, as an array
        self.members: dict[int, list[int]] = {}  # a merged cluster -> its sentences
        self.sources = [set(s) for s in sources]
        self.vectors = vectors
        self.sums: dict[int, np.ndarray] = {}  # a merged cluster -> the sum of its vectors
        self.sizes = [1] * count

    def _sum(self, cluster: int) -> np.ndarray:
        """The sum of a cluster's vectors (a sentence alone: its own, made when needed)."""
        found = self.sums.get(cluster)
        return found if found is not None else self.vectors[cluster].astype(np.float64)

    def can_merge(self, i: int, j: int, cohesion: float) -> bool:
        """Different clusters, no document in both, and a mean cosine between their
        sentences of at least ``cohesion``."""
        a, b = self.cluster[i], self.cluster[j]
        if a == b or not self.sources[a].isdisjoint(self.sources[b]):
            return False
        if self.sizes[a] == 1 and self.sizes[b] == 1:
            return True  # the pair itself was judged
        return float(self._sum(a) @ self._sum(b)) / (self.sizes[a] * self.sizes[b]) >= cohesion

    def merge(self, i: int, j: int) -> None:
        a, b = self.cluster[i], self.cluster[j]
        if self.sizes[a] < self.sizes[b]:
            a, b = b, a
        moved = self.members.pop(b, None) or [b]
        for n in moved:
            self.cluster[n] = a
        self.clusters[moved] = a
        self.members.setdefault(a, [a]).extend(moved)
        mine, theirs = self.sources[a], self.sources[b]
        if len(mine) < len(theirs):
            mine, theirs = theirs, mine
        mine |= theirs  # (the larger set grows)
        self.sources[a] = mine
        self.sums[a] = self._sum(a) + self._sum(b)
        self.sums.pop(b, None)
        self.sizes[a] += self.sizes[b]


LOOKED_AT_ONCE = 512  # pairs set aside together when their sentences are in one cluster already


def _claim_id(first: Statement) -> str:
    seed = f"{first.source}|{first.start}|{first.text}"
    return "claim-" + hashlib.sha1(seed.encode("utf-8")).hexdigest()[:10]


def _representative(members: list[int], sentence_of: np.ndarray, vectors: np.ndarray) -> int:
    """The statement closest to all others (the first one among equals)."""
    if len(members) <= 2:
        return members[0]
    members = members[:50]  # enough to find a central one in a claim reported very often
    rows = vectors[sentence_of[members]]
    centrality = (rows @ rows.T).sum(axis=1)
    return members[int(np.argmax(centrality))]


def group_claims(sentences: Sentences, pairs: SimilarPairs, rules: ClaimRules,
                 comparer: Comparer, keys: dict[str, str]) -> tuple[list[Claim], dict[int, int]]:
    """Claims from distinct sentences: same-claim pairs merged, most similar first."""
    statements, groups = sentences.statements, sentences.groups
    clusters = _Clusters([{statements[i].source for i in g} for g in groups], sentences.vectors)
    reachable = rules.same_above - rules.anchor_bonus * rules.max_anchors
    firsts = sentences.firsts
    candidates = pairs.at_least(reachable)
    candidates = candidates.where(~sentences.dated_apart(candidates))  # they clash: never merged
    can_merge, merge, same_claim, compare = clusters.can_merge, clusters.merge, rules.same_claim, comparer.compare
    for chunk in candidates.by_score():
        # most pairs of a large corpus join two sentences already in one cluster (each of a
        # claim's sentences is near several others): those are set aside as arrays, a few
        # hundred pairs at a time, and the rest looked at one by one, in order (clusters only
        # grow: none set aside could merge)
        for begin in range(0, len(chunk), LOOKED_AT_ONCE):
            first, second = chunk.first[begin:begin + LOOKED_AT_ONCE], chunk.second[begin:begin + LOOKED_AT_ONCE]
            apart = clusters.clusters[first] != clusters.clusters[second]
            looked_at = zip(first[apart].tolist(), second[apart].tolist(),
                            chunk.cosine[begin:begin + LOOKED_AT_ONCE][apart].tolist())
            for x, y, cosine in looked_at:
                if can_merge(x, y, rules.cohesion) and same_claim(cosine, compare(firsts[x], firsts[y])):
                    merge(x, y)
    sentence_of = np.empty(len(statements), dtype=np.int64)  # statement -> its distinct sentence
    sentence_of[np.fromiter(chain.from_iterable(groups), dtype=np.int64, count=len(statements))] = \
        np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    chosen_runs, claim_number = _one_per_document(statements, clusters.clusters[sentence_of])
    source_of = [s.source for s in statements]
    claims = []
    for chosen in chosen_runs:
        best = _representative(chosen, sentence_of, sentences.vectors)
        documents = [source_of[i] for i in chosen]
        sources = len({keys.get(source, source) for source in documents})
        claims.append(Claim(
            id=_claim_id(statements[chosen[0]]),
            statement=statements[best].text,
            documents=documents,
            sources=sources,
            single_source=sources == 1,
            evidence=[{"document": source, "text": statements[i].text} for source, i in zip(documents, chosen)],
        ))
    order = sorted(range(len(claims)), key=lambda c: (-claims[c].sources, c))
    position = np.empty(len(claims), dtype=np.int64)
    position[order] = np.arange(len(claims))
    return [claims[c] for c in order], dict(enumerate(position[claim_number].tolist()))


def _one_per_document(statements: list[Statement], cluster: np.ndarray) -> tuple[list[list[int]], np.ndarray]:
    """The claims of clustered statements (``cluster``: a cluster number per statement), in
    order of their first statement: per claim, its first statement (by place) in each of
    its documents, in corpus order; and per statement, the number of its claim. Sorted as
    arrays: a large corpus has a million statements."""
    count = len(statements)
    if not count:
        return [], np.zeros(0, dtype=np.int64)
    first = np.full(int(cluster.max()) + 1, count, dtype=np.int64)
    np.minimum.at(first, cluster, np.arange(count))  # a cluster's first statement: where its claim comes
    claim_at = first[cluster]
    order = np.fromiter((s.order for s in statements), dtype=np.int64, count=count)
    start = np.fromiter((s.start for s in statements), dtype=np.int64, count=count)
    placed = np.lexsort((start, order, claim_at))  # by claim, then document, then place in it
    claim_at, order = claim_at[placed], order[placed]
    new_claim = np.concatenate(([True], claim_at[1:] != claim_at[:-1]))
    new_document = new_claim | np.concatenate(([True], order[1:] != order[:-1]))
    chosen = placed[new_document]
    runs = [part.tolist() for part in np.split(chosen, np.flatnonzero(new_claim[new_document])[1:])]
    claim_number = np.empty(count, dtype=np.int64)
    claim_number[placed] = np.cumsum(new_claim) - 1
    return runs, claim_number


def check_claims(documents: list[Document], extractions: list[Extraction], timeline: list[TimelineEntry],
                 embed: Embedder, lexicon: Lexicon, memo: ClaimsMemo | None = None) -> Checked:
    """Statements, their candidate pairs and the claims they form; with a ``memo``, the
    statements of documents read before and the pairs of blocks compared before are taken
    from there."""
    rules = ClaimRules.from_lexicon(lexicon)
    statements = find_statements(documents, extractions, timeline, lexicon, memo)
    comparer = Comparer.of(statements, NumberRules.from_lexicon(lexicon))
    sentences = embed_statements(statements, embed)
    pairs = similar_pairs(sentences.vectors, blocks_of(sentences), rules.floor, rules.neighbours,
                          documents=sentences.document_numbers(), memo=memo)
    claims, claim_of = group_claims(sentences, pairs, rules, comparer, source_keys(documents))
    return Checked(sentences, pairs, claims, claim_of, comparer)
