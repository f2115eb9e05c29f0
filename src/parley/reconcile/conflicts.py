"""Conflicts: documents that disagree about the same thing, and whether the story moved on.

Five kinds, each read from what earlier steps built (the vocabulary is in
``data/checks.toml``):

- **number**: two statements that are close in wording (the pairs compared for claims)
  give one quantity of the same unit with values that cannot be the same, allowing for
  rounding and qualifiers ("nearly 20%" and "20%" agree; 653 and 635 drones do not);
- **date**: reports of one event (the timeline put them together, or their sentences are
  close, their dates near and they share a party or a place) give explicit calendar dates
  that neither equal nor contain each other ("January 23-24" vs "January 22-23");
- **place**: reports of one kind of event on the same explicit day, with two or more of
  the same people, in places that cannot be the same;
- **title**: one person given titles that exclude each other ("President-elect" vs
  "President"), read from each document's own actors;
- **fact** (outcomes): one document says a thing was agreed, another that it was only
  proposed or that it failed: statements on the same issue, fairly similar, where two
  common words of what one says was decided (not names, issue cues or generic words) are
  in the other, with different outcome cues;
- **number** also when counts of one noun close in value ("47 hostages", "48 hostages") are
  published within days by two sources in fairly similar sentences;
- the readings of ``reconcile/reading_conflicts.py``: durations, clock times, terms,
  changes of a rate, meetings called off or not, delegation leaders.

Each conflict lists every side (document, value, evidence, published date, and the stage
when there is one) and a judgment ``evolution`` with a ``note`` saying why: true when the
published dates show the story moving on (an earlier stage reported before a later one:
proposed before agreed, planned before held, President-elect before President; or a
figure reported again a week or more later), false when the sources disagree at the same
time or out of order, and null when a side has no published date (the note says so, and
for outcomes also when the later report itself says the earlier option was set aside). A
document without a published date is judged at the latest full date its text gives
(``sides.document_days``) for the readings.
Near-copies of one article are one source: they never conflict with each other. The work
is done on distinct sentences and reports, within blocks, as for claims.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from parley.compare import date_range, places_compatible, shift_day
from parley.lexicon import Lexicon
from parley.records import Actor, Conflict, Document, Event, Extraction, Figure
from parley.reconcile.claims import Checked, _next_month, _week, ranges_meet, source_keys
from parley.reconcile.statements import Statement, phrase_pattern, sentence_at
from parley.reconcile.reading_conflicts import (called_off_conflicts, change_conflicts, leader_conflicts,
                                                moment_conflicts, term_conflicts)
from parley.reconcile.sides import Side, UnionFind, _conflict, _day, document_days, judge_evolution
from parley.reconcile.timeline import TimelineEntry

MONTHS = ("january february march april may june july august september october november december "
          "jan feb mar apr jun jul aug sep sept oct nov dec")
EXPLICIT_DATE = re.compile(rf"\b(?:{'|'.join(MONTHS.split())})\b\.?\s*\d|\d\s*(?:{'|'.join(MONTHS.split())})\b"
                           r"|\b\d{4}-\d{2}-\d{2}\b", re.I)
STOP_WORDS = frozenset("""a an the this that these those of in on at to for from by with about as into
    over under between among per via than and or nor but its it their his her our your my be is are was
    were been being has have had will would could should may might can do does did so such not no
    which who whom whose what when where while also only just more most other any some all each every
    they them he she we you i said says say after before since until""".split())


def nearest(vectors: np.ndarray, left: list[int], right: list[int], floor: float,
            neighbours: int = 8, chunk: int = 1024) -> list[tuple[int, int, float]]:
    """(index in left, index in right, cosine) for each left row's most similar right rows,
    at least ``floor`` (rows of ``vectors``; a row is never its own neighbour)."""
    if not left or not right:
        return []
    right_rows = np.asarray(right)
    target = vectors[right_rows]
    k = min(neighbours, len(right))
    found = []
    for begin in range(0, len(left), chunk):
        rows = np.asarray(left[begin:begin + chunk])
        sims = vectors[rows] @ target.T
        sims[rows[:, None] == right_rows[None, :]] = -1.0
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        values = np.take_along_axis(sims, top, axis=1)
        r, c = np.nonzero(values >= floor)
        found += [(begin + int(i), int(top[i, j]), float(values[i, j])) for i, j in zip(r, c)]
    return found


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Vocabulary:
    same_quantity_above: float
    number_days: int
    date_gap_days: int
    same_event_above: float
    stages: dict[str, str]  # stage word -> stage
    stage_rank: dict[str, int]
    offices: frozenset[tuple[str, ...]]  # each office as its words
    exclusive: frozenset[str]
    ignore: frozenset[str]
    same_thing_above: float
    contrast: re.Pattern | None
    generic: frozenset[str]
    issues: dict[str, re.Pattern]  # issue -> the pattern of its cues
    issue_openers: dict[str, frozenset[str]]  # the first word of an issue's cue -> such issues (see _issues_named)
    issues_always: frozenset[str]  # issues with a cue that begins with no such word: always searched
    country_words: frozenset[str]
    issue_words: frozenset[str]  # the one-word issue cues ("sanctions", "loan")
    measures: frozenset[str]  # units that are not counts of things ("percent", "km")
    close_ratio: float  # counts this close in value may be one number reported two ways
    close_days: int
    close_count_above: float


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))


@lru_cache(maxsize=8)
def vocabulary(lexicon: Lexicon) -> Vocabulary:
    checks = lexicon["checks"]
    numbers, titles, outcomes = checks.get("numbers", {}), checks.get("titles", {}), checks.get("outcomes", {})
    stages = {w.lower(): stage for stage, words in titles.get("stages", {}).items() for w in words}
    order = titles.get("stage_order", ["elect", "acting", "current", "outgoing", "former"])
    issues = []
    openers: dict[str, set[str]] = defaultdict(set)
    always = set()
    for name, table in lexicon["issues"].get("issues", {}).items():
        pattern = phrase_pattern(table.get("cues", []), gap=True)
        if pattern is not None:
            issues.append((name, pattern))
        for cue in table.get("cues", []):
            words = str(cue).lower().split()
            opener = _ASCII_WORD.match(words[0]) if words and words[0].isascii() else None  # (else: always)
            if opener:
                openers[opener.group()].add(name)
            elif words:
                always.add(name)
    countries = set()
    for country in lexicon["places"].get("countries", {}).values():
        for form in [country.get("name", ""), *country.get("aliases", []), *country.get("demonyms", [])]:
            countries.update(_words(form))
    return Vocabulary(
        same_quantity_above=float(numbers.get("same_quantity_above", 0.7)),
        number_days=int(checks.get("evolution", {}).get("number_days", 7)),
        date_gap_days=int(checks.get("dates", {}).get("max_gap_days", 3)),
        same_event_above=float(checks.get("dates", {}).get("same_event_above", 0.5)),
        stages=stages,
        stage_rank={stage: rank for rank, stage in enumerate(order)},
        offices=frozenset(tuple(_words(o)) for o in titles.get("offices", [])),
        exclusive=frozenset(" ".join(_words(o)) for o in titles.get("exclusive", [])),
        ignore=frozenset(w for phrase in titles.get("ignore", []) for w in _words(phrase)),
        same_thing_above=float(outcomes.get("same_thing_above", 0.35)),
        contrast=phrase_pattern(outcomes.get("contrast", [])),
        generic=frozenset(w for phrase in outcomes.get("generic_words", []) for w in _words(phrase)),
        issues=dict(issues),
        issue_openers={word: frozenset(names) for word, names in openers.items()},
        issues_always=frozenset(always),
        country_words=frozenset(countries),
        measures=frozenset(str(u).lower() for u in numbers.get("measures", ["percent"])),
        close_ratio=float(numbers.get("close_ratio", 1.25)),
        close_days=int(numbers.get("close_days", 2)),
        close_count_above=float(numbers.get("close_count_above", 0.5)),
        issue_words=frozenset(str(c).lower() for table in lexicon["issues"].get("issues", {}).values()
                              for c in table.get("cues", []) if " " not in str(c)),
    )


# --------------------------------------------------------------------------- numbers


def _content_words(text: str | None) -> set[str]:
    return {w for w in _words(text or "") if w not in STOP_WORDS and not w.isdigit()}


def _same_quantity(a: Figure, b: Figure, cosine: float, vocab: Vocabulary) -> bool:
    """Two figures of one unit measuring the same thing: sentences close enough (closer
    still when the values are far apart), or `about` phrases sharing half their words."""
    ratio = max(abs(a.value), abs(b.value)) / max(min(abs(a.value), abs(b.value)), 1e-9)
    needed = vocab.same_quantity_above if ratio <= 2 else max(vocab.same_quantity_above, 0.85)
    if cosine >= needed:
        return True
    mine, theirs = _content_words(a.about), _content_words(b.about)
    return ratio <= 2 and bool(mine and theirs) and len(mine & theirs) / min(len(mine), len(theirs)) >= 0.5


def _figure_value(figure: Figure) -> str:
    text = figure.text
    if figure.unit and figure.unit.lower() not in text.lower() and figure.unit not in {"percent"} \
            and not figure.unit.isupper():
        text = f"{text} {figure.unit}"
    return text


def number_conflicts(checked: Checked, keys: dict[str, str], vocab: Vocabulary) -> list[Conflict]:
    """Figures of one quantity whose values disagree, between sentences compared for claims.
    Work is done on distinct sentences; every document carrying one becomes a side."""
    statements, firsts = checked.sentences.statements, checked.sentences.firsts
    numbers = checked.comparer.numbers
    by_document: dict[str, list[Figure]] = defaultdict(list)
    for s in statements:
        by_document[s.source].extend(s.figures)
    links: list[tuple[tuple[int, int], tuple[int, int]]] = []  # ((sentence, figure), (sentence, figure))
    giving = checked.pairs.among(checked.sentences.marked(lambda s: bool(s.figures)))
    giving = giving.where(~checked.sentences.dated_apart(giving))  # a date clash: not one quantity
    values = _values_by_unit(firsts)
    for (x, y), cosine in giving.items():
        a, b = firsts[x], firsts[y]
        mine, theirs = values[x], values[y]
        if all(mine[unit] & theirs[unit] for unit in mine.keys() & theirs.keys()):
            continue  # no unit in common, or the same number for each: no figures they disagree on
        comparison = checked.comparer.compare(a, b)
        if comparison.clash not in (None, "number"):
            continue
        for fa, fb in comparison.number_conflicts:
            if not _same_quantity(fa, fb, cosine, vocab) or _gives_both(a, fa, b, fb, by_document, numbers):
                continue
            links.append(((x, a.figures.index(fa)), (y, b.figures.index(fb))))
    links += _close_count_links(checked, keys, vocab, by_document)
    return _number_groups(links, checked, keys, vocab)


def _values_by_unit(firsts: list[Statement]) -> list[dict[str, set[float]]]:
    """Per distinct sentence, the values of its figures by unit (empty for most). Two
    sentences giving one same value in each unit they share cannot disagree on a figure:
    equal values always agree (``NumberRules.agree``)."""
    found: list[dict[str, set[float]]] = []
    for s in firsts:
        values: dict[str, set[float]] = {}
        for figure in s.figures:
            values.setdefault(figure.unit, set()).add(figure.value)
        found.append(values)
    return found


def _close_count_links(checked: Checked, keys: dict[str, str], vocab: Vocabulary,
                       by_document: dict[str, list[Figure]]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Counts of one noun ("47 hostages", "48 hostages") close in value but not the same,
    published within a few days of each other by two sources in fairly similar sentences:
    one number reported two ways, whether or not the sentences were compared for claims.
    Figures are blocked by unit and week and swept in order of value."""
    firsts = checked.sentences.firsts
    numbers, vectors = checked.comparer.numbers, checked.sentences.vectors
    blocks: dict[tuple[str, str], list[tuple[float, int, int]]] = defaultdict(list)
    for n, s in enumerate(firsts):
        if not s.document.published:
            continue
        week = _week(s.document.published)
        for index, figure in enumerate(s.figures):
            if figure.unit.islower() and figure.unit not in vocab.measures:
                for bucket in (week, _week(shift_day(week, 7))):
                    blocks[(figure.unit, bucket)].append((abs(figure.value), n, index))
    links = set()
    for members in blocks.values():
        members.sort()
        figures = [firsts[x].figures[fx] for _, x, fx in members]
        ranges = [numbers.value_range(f) for f in figures]  # one unit: two agree when these meet
        for i, (value, x, fx) in enumerate(members):
            for j in range(i + 1, min(i + 1 + CLOSE_WINDOW, len(members))):
                other, y, fy = members[j]
                if other > value * vocab.close_ratio:
                    break
                a, b = firsts[x], firsts[y]
                fa, fb = figures[i], figures[j]
                if keys.get(a.source) == keys.get(b.source) or \
                        ranges_meet(ranges[i], ranges[j], fa.value == fb.value):
                    continue
                if abs(_day(a.document.published) - _day(b.document.published)) > vocab.close_days:
                    continue
                if float(vectors[x] @ vectors[y]) < vocab.close_count_above or \
                        _gives_both(a, fa, b, fb, by_document, numbers):
                    continue
                links.add(((x, fx), (y, fy)) if x < y else ((y, fy), (x, fx)))
    return sorted(links)


CLOSE_WINDOW = 50  # figures of one unit and week looked at past each one, in order of value


def _gives_both(a: Statement, fa: Figure, b: Statement, fb: Figure, by_document, numbers) -> bool:
    """A document that also gives the other's value for the same thing does not disagree."""
    return any(numbers.agree(fa, f) and _content_words(f.about) & _content_words(fa.about)
               for f in by_document[b.source]) or \
        any(numbers.agree(fb, f) and _content_words(f.about) & _content_words(fb.about)
            for f in by_document[a.source])


def _number_groups(links, checked: Checked, keys: dict[str, str], vocab: Vocabulary) -> list[Conflict]:
    """One conflict per quantity: figures linked by disagreement, split into groups of
    agreeing values; each document once."""
    statements, groups = checked.sentences.statements, checked.sentences.groups
    numbers = checked.comparer.numbers
    components = UnionFind()
    for first, second in links:
        components.link(first, second)
    conflicts = []
    for nodes in components.groups():
        value_groups: list[list[tuple[Statement, Figure]]] = []
        seen: set[str] = set()
        for sentence, index in sorted(nodes):
            for member in groups[sentence]:
                statement = statements[member]
                figure = statement.figures[index]
                if statement.source in seen:
                    continue
                seen.add(statement.source)
                home = next((g for g in value_groups if numbers.agree(g[0][1], figure)), None)
                if home is None:
                    value_groups.append([(statement, figure)])
                else:
                    home.append((statement, figure))
        if len(value_groups) < 2 or len({keys.get(s.source) for g in value_groups for s, _ in g}) < 2:
            continue
        value_groups = [sorted(g, key=lambda item: (item[0].order, item[0].start)) for g in value_groups]
        sides = [[Side(s.source, _figure_value(f), s.text, s.document.published) for s, f in g]
                 for g in value_groups]
        everyone = [s for g in value_groups for s, _ in g]
        same_moment = all(s.dates for s in everyone) and _dates_meet(everyone)
        evolution, note = judge_evolution(sides, ordered=False, number_days=vocab.number_days,
                                          same_moment=same_moment)
        abouts = [f.about for g in value_groups for _, f in g if f.about]
        unit = value_groups[0][0][1].unit
        about = max(set(abouts), key=lambda a: (abouts.count(a), -len(a), a)) if abouts else unit
        if unit.lower() not in about.lower() and not unit.isupper():
            about = f"{about} ({unit})"
        conflicts.append(_conflict(f"number: {about}", "number", sides, evolution, note))
    return conflicts


def _dates_meet(statements: list[Statement]) -> bool:
    first = statements[0]
    return all(any(x[0] <= y[1] and y[0] <= x[1] for x in first.dates for y in s.dates) for s in statements[1:])


# --------------------------------------------------------------------------- dates and places


def _explicit(event: Event) -> bool:
    return bool(event.when and event.when.date and event.when.precision == "day"
                and EXPLICIT_DATE.search(event.when.text or ""))


def _event_label(kind: str, place: str | None, participants: list[str], names: dict[str, str]) -> str:
    where = f" in {place}" if place else ""
    who = ""
    if not place and participants:
        who = " of " + ", ".join(names.get(p, p) for p in participants[:3])
    return f"the {kind}{where}{who}"


STATUS_STAGE = {"planned": 0, "ongoing": 1, "held": 1, "cancelled": 1}


@dataclass
class _DatedReport:
    """Reports of an event with an explicit calendar date (not one resolved from "on
    Saturday"); identical ones (same sentence, kind and date) are one, with every document."""

    event: Event  # the first report's
    span: tuple[str, str]
    row: int | None  # the vector of its sentence, if it is a statement
    documents: list[Document] = field(default_factory=list)
    entries: set[str] = field(default_factory=set)
    parties: set[str] = field(default_factory=set)


def _dated_reports(extractions: list[Extraction], documents: list[Document], timeline: list[TimelineEntry],
                   checked: Checked, actors: dict[str, Actor]) -> list[_DatedReport]:
    by_source = {d.source: d for d in documents}
    entries: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in timeline:
        for report in entry.reports:
            entries[(report.document, report.evidence)].add(entry.id)
    explicit = []  # (document, event) of each explicitly dated event, in corpus order
    for extraction in extractions:
        document = by_source.get(extraction.document)
        if document is not None and not document.duplicate_of:
            explicit += [(document, event) for event in extraction.events if _explicit(event)]
    # the statements of the documents reporting one (few of a large corpus), each with its
    # distinct sentence (a document's statements do not overlap: one at most holds an event)
    reporting = {document.source for document, _ in explicit}
    statements = checked.sentences.statements
    spans: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for n, group in enumerate(checked.sentences.groups):
        for i in group:
            if statements[i].source in reporting:
                spans[statements[i].source].append((statements[i].start, statements[i].end, n))
    reports: dict[tuple, _DatedReport] = {}
    for document, event in explicit:
        row = next((r for s, e, r in spans[document.source] if s <= event.start < e), None)
        span = date_range(event.when)
        key = (row, span, event.kind) if row is not None else (document.source, event.start)
        report = reports.setdefault(key, _DatedReport(event, span, row))
        report.documents.append(document)
        report.entries |= entries.get((document.source, event.evidence), set())
        report.parties |= set(event.participants) | {actors[p].affiliation for p in event.participants
                                                     if p in actors and actors[p].affiliation}
    return list(reports.values())


def _same_event(a: _DatedReport, b: _DatedReport, max_gap_days: int) -> bool:
    """Two similar reports (the caller checked their sentences) of one event, whatever
    dates they give: of one kind, close in time, and with overlapping dates, a party or a
    place in common."""
    if a.event.kind != b.event.kind or _day(b.span[0]) - _day(a.span[1]) > max_gap_days \
            or _day(a.span[0]) - _day(b.span[1]) > max_gap_days:
        return False
    same_place = bool(a.event.place and b.event.place and places_compatible(a.event.place, b.event.place))
    overlapping = a.span[0] <= b.span[1] and b.span[0] <= a.span[1]
    return overlapping or bool(a.parties & b.parties) or same_place


def _nested(a: tuple[str, str], b: tuple[str, str]) -> bool:
    return (a[0] <= b[0] and b[1] <= a[1]) or (b[0] <= a[0] and a[1] <= b[1])


def date_conflicts(timeline: list[TimelineEntry], extractions: list[Extraction], documents: list[Document],
                   checked: Checked, keys: dict[str, str], actors: dict[str, Actor],
                   names: dict[str, str], vocab: Vocabulary) -> list[Conflict]:
    """Reports of one event giving explicit dates that neither equal nor contain each other.
    Reports are of one event when the timeline put them together, or when their sentences
    are among each other's nearest (within a kind and a month and the next) and
    ``_same_event`` agrees."""
    reports = _dated_reports(extractions, documents, timeline, checked, actors)
    links = UnionFind()
    by_entry: dict[str, int] = {}
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, report in enumerate(reports):
        links.find(n)
        for entry in report.entries:
            links.link(n, by_entry.setdefault(entry, n))
        if report.row is not None:
            blocks[(report.event.kind, report.span[0][:7])].append(n)
    vectors = checked.sentences.vectors
    for (kind, month), members in blocks.items():
        nearby = members + blocks.get((kind, _next_month(month)), [])
        rows = [reports[n].row for n in members]
        for i, j, _cosine in nearest(vectors, rows, [reports[n].row for n in nearby], vocab.same_event_above):
            a, b = reports[members[i]], reports[nearby[j]]
            if a is not b and _same_event(a, b, vocab.date_gap_days):
                links.link(members[i], nearby[j])
    conflicts = []
    for members in links.groups():
        spans = sorted({reports[n].span for n in members})
        disagreeing = [x for x in spans if any(not _nested(x, y) for y in spans)]
        if len(disagreeing) < 2:
            continue
        groups = []
        of_span: dict[tuple[str, str], list[int]] = defaultdict(list)
        for n in members:
            of_span[reports[n].span].append(n)
        for span in disagreeing:
            group, seen = [], set()
            for n in of_span[span]:
                report = reports[n]
                for document in report.documents:
                    if document.source not in seen:
                        seen.add(document.source)
                        status = report.event.status or "held"
                        group.append(Side(document.source, report.event.when.text.strip(), report.event.evidence,
                                          document.published, STATUS_STAGE.get(status, 1), status))
            groups.append(group)
        if len({keys.get(side.document) for group in groups for side in group}) < 2:
            continue
        evolution, note = _judge_status_groups(groups)
        first = reports[members[0]].event
        place = next((reports[n].event.place for n in members if reports[n].event.place), None)
        about = f"date of {_event_label(first.kind, place, first.participants, names)}"
        conflicts.append(_conflict(about, "date", groups, evolution, note))
    return conflicts


def _judge_status_groups(groups: list[list[Side]]) -> tuple[bool | None, str]:
    """Planned in earlier reports and held in later ones is a plan that changed; the same
    event reported as held at two dates is a disagreement."""
    stages = {s.stage for g in groups for s in g}
    if len(stages) == 1:
        evolution, note = judge_evolution(groups, ordered=False)
        if evolution is None:
            return evolution, note
        return False, "every report gives it as " + groups[0][0].label + ": the sources disagree"
    # Compare the earliest stage reported against the latest one.
    regrouped = [[s for g in groups for s in g if s.stage == stage] for stage in sorted(stages)]
    return judge_evolution(regrouped, ordered=True, first_reports=True)


def place_conflicts(extractions: list[Extraction], documents: list[Document], keys: dict[str, str],
                    actors: dict[str, Actor], names: dict[str, str]) -> list[Conflict]:
    """Events of one kind on the same explicit day with two or more of the same people, in
    places that cannot be the same. Identical reports (same kind, day, place, people) are
    compared once."""
    by_source = {d.source: d for d in documents}
    blocks: dict[tuple, dict[tuple, list[tuple[str, Event]]]] = defaultdict(lambda: defaultdict(list))
    for extraction in extractions:
        document = by_source.get(extraction.document)
        if document is None or document.duplicate_of:
            continue
        for event in extraction.events:
            if event.place and _explicit(event):
                span = date_range(event.when)
                report = (event.place.lower(), frozenset(event.participants))
                blocks[(event.kind, span)][report].append((extraction.document, event))
    conflicts = []
    for (kind, span), reports in sorted(blocks.items(), key=lambda item: (item[0][0], item[0][1])):
        distinct = list(reports.values())
        for n, first in enumerate(distinct):
            for second in distinct[n + 1:]:
                a, b = first[0][1], second[0][1]
                persons = {p for p in a.participants if p in actors and actors[p].kind == "person"}
                shared = persons & set(b.participants)
                if len(shared) < 2 or places_compatible(a.place, b.place):
                    continue
                sides = [[Side(source, event.place, event.evidence, by_source[source].published,
                               STATUS_STAGE.get(event.status or "held", 1), event.status or "held")
                          for source, event in group] for group in (first, second)]
                if len({keys.get(side.document) for group in sides for side in group}) < 2:
                    continue
                evolution, note = _judge_status_groups(sides)
                about = f"place of the {kind} of {', '.join(names.get(p, p) for p in sorted(shared))} on {span[0]}"
                conflicts.append(_conflict(about, "place", sides, evolution, note))
    return conflicts


# --------------------------------------------------------------------------- titles


@dataclass(frozen=True)
class Title:
    written: str
    office: str
    stage: str
    qualifiers: frozenset[str]


def parse_title(role: str, vocab: Vocabulary) -> Title | None:
    """The office, stage and qualifiers of a role ("U.S. President-elect" -> president,
    elect, {}); None when it names no known office."""
    words = _words(role)
    for size in range(max((len(o) for o in vocab.offices), default=0), 0, -1):
        for i in range(len(words) - size + 1):
            if tuple(words[i:i + size]) in vocab.offices:
                office = " ".join(words[i:i + size])
                rest = words[:i] + words[i + size:]
                stage = next((vocab.stages[w] for w in rest if w in vocab.stages), "current")
                qualifiers = frozenset(w for w in rest if w not in vocab.stages and w not in vocab.ignore
                                       and w not in vocab.country_words and w not in STOP_WORDS)
                return Title(role, office, stage, qualifiers)
    return None


def titles_conflict(a: Title, b: Title, vocab: Vocabulary) -> bool:
    """Two titles one person cannot hold at once."""
    if a.qualifiers and b.qualifiers and not (a.qualifiers <= b.qualifiers or b.qualifiers <= a.qualifiers):
        return False  # different bodies: "Council President" and "Commission President"
    if a.office == b.office:
        return a.stage != b.stage
    return a.stage == b.stage and a.office in vocab.exclusive and b.office in vocab.exclusive


def _role_evidence(document: Document, role: str, mentions: list[tuple[int, int]]) -> str | None:
    """The sentence where a role is written next to the person, or None when the text
    never writes it (a role the lexicon gives)."""
    text = document.text
    for match in re.finditer(re.escape(role), text, flags=re.I):
        for start, end in mentions:
            if match.end() <= start <= match.end() + 40 or match.start() - 40 <= end <= match.start():
                found = sentence_at(text, match.start())
                if found is not None:
                    return text[found[0]:found[1]]
    return None


def title_conflicts(documents: list[Document], extractions: list[Extraction], names: dict[str, str],
                    keys: dict[str, str], vocab: Vocabulary) -> list[Conflict]:
    """One person given titles that exclude each other by two sources, each title as written
    next to the person (``_role_evidence``). Finding that sentence means looking through the
    document, so it is done only for people some of whose titles clash (``_may_clash``)."""
    by_source = {d.source: d for d in documents}
    found: dict[str, list[tuple[Title, Document, str, Extraction]]] = defaultdict(list)
    titles: dict[str, Title | None] = {}  # role -> its title: a few hundred roles recur in every document
    for extraction in extractions:
        document = by_source.get(extraction.document)
        if document is None:
            continue
        for actor in extraction.actors:
            if actor.kind != "person" or not actor.role:
                continue
            if actor.role not in titles:
                titles[actor.role] = parse_title(actor.role, vocab)
            title = titles[actor.role]
            if title is not None:
                found[actor.id].append((title, document, actor.role, extraction))
    conflicts = []
    for actor_id, given in found.items():
        if not _may_clash([t for t, *_ in given], [d.source for _, d, *_ in given], keys, vocab):
            continue
        written = []
        for title, document, role, extraction in given:
            mentions = [(m.start, m.end) for m in extraction.mentions if m.actor == actor_id]
            evidence = _role_evidence(document, role, mentions)
            if evidence is not None:
                rank = vocab.stage_rank.get(title.stage, 0)
                written.append((title, Side(document.source, role, evidence, document.published, rank)))
        groups = _clashing_groups([t for t, _ in written], [side.document for _, side in written], keys, vocab)
        if groups is None:
            continue
        sides = [[written[n][1] for n in group] for group in groups]
        offices = {written[group[0]][0].office for group in groups}
        evolution, note = judge_evolution(sides, ordered=len(offices) == 1) if len(offices) == 1 \
            else judge_evolution(sides, ordered=False, number_days=1)
        about = f"{names.get(actor_id, actor_id)}'s title"
        conflicts.append(_conflict(about, "title", sides, evolution, note))
    return conflicts


def _may_clash(titles: list[Title], sources: list[str], keys: dict[str, str], vocab: Vocabulary) -> bool:
    """Whether ``_clashing_groups`` could find a clash among some of these titles: two groups
    or more with a title that conflicts with a title of another group, from two independent
    sources. (A group is compared by its first title, and dropping titles may make another
    one first, so any title of a group counts here.)"""
    groups: dict[tuple[str, str], dict[str, Title]] = defaultdict(dict)  # (stage, office) -> role -> title
    members: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, title in enumerate(titles):
        groups[(title.stage, title.office)][title.written] = title
        members[(title.stage, title.office)].append(n)
    clashing = [k for k, mine in groups.items()
                if any(titles_conflict(x, y, vocab) for j, theirs in groups.items() if j != k
                       for x in mine.values() for y in theirs.values())]
    return len(clashing) >= 2 and len({keys.get(sources[n]) for k in clashing for n in members[k]}) >= 2


def _clashing_groups(titles: list[Title], sources: list[str], keys: dict[str, str],
                     vocab: Vocabulary) -> list[list[int]] | None:
    """One person's titles (each from the document in ``sources``) grouped by stage and
    office, as indexes: the groups that clash with another, when at least two do and they
    come from two independent sources; else None."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, title in enumerate(titles):
        groups[(title.stage, title.office)].append(n)
    clashing = [k for k, g in groups.items()
                if any(titles_conflict(titles[g[0]], titles[other[0]], vocab) for j, other in groups.items() if j != k)]
    if len(clashing) < 2 or len({keys.get(sources[n]) for k in clashing for n in groups[k]}) < 2:
        return None
    return [groups[k] for k in clashing]


# --------------------------------------------------------------------------- outcomes


@dataclass
class Outcome:
    sentence: int  # a distinct sentence (index into checked.sentences.groups)
    outcome: str  # agreed | proposed | failed
    issues: frozenset[str]
    words: frozenset[str]  # its content words, generic ones left out
    object_stems: frozenset[str] = frozenset()  # what it says was agreed, proposed or failed, as stems
    sentence_stems: frozenset[str] = frozenset()  # the same, over the whole sentence


OUTCOME_STAGE = {"proposed": 0, "agreed": 1, "failed": 1}
OUTCOME_PAIRS = (("proposed", "agreed"), ("proposed", "failed"), ("agreed", "failed"))


def _outcomes(checked: Checked, vocab: Vocabulary) -> list[Outcome]:
    """Distinct sentences saying something was agreed, proposed or failed, on an issue.
    What is read of a sentence's words is read once per text: one sentence published on
    several days (a wire story) is a distinct sentence for each of its dates."""
    found = []
    read: dict[tuple[str, str | None], tuple | None] = {}  # (text, clause) -> what Outcome takes of them
    for n, s in enumerate(checked.sentences.firsts):
        if s.outcome is None:
            continue
        key = (s.text, s.clause)
        if key not in read:
            issues = _issues_named(s.text, vocab)
            read[key] = None if not issues else (
                issues, frozenset(w for w in _content_words(s.text) if w not in vocab.generic and len(w) > 2),
                _object_stems(s.clause, vocab), _object_stems(s.text, vocab))
        if read[key] is not None:
            found.append(Outcome(n, s.outcome, *read[key]))
    return found


_ASCII_WORD = re.compile(r"[a-z0-9]+")


def _issues_named(text: str, vocab: Vocabulary) -> frozenset[str]:
    """The issues whose cues ``text`` names. Wherever a cue's pattern matches, the run of
    letters and digits that begins its first word stands alone, as a word (``phrase_pattern``
    matches whole words); and a case-blind match of ASCII letters is one of the text's lower
    case, once the few other letters a case-blind pattern takes for ASCII ones ("ſ" for "s")
    are written as those (``_folded_to_ascii``). So a text is searched only for the issues one
    of whose cues begins with a word it has: the same issues found, without running every
    issue's pattern over every sentence (news text is seldom pure ASCII: its quotation marks
    and apostrophes are curly)."""
    folded = text if text.isascii() else text.translate(_folded_to_ascii())
    words = set(_ASCII_WORD.findall(folded.lower()))
    named = set(vocab.issues_always)
    for word in words & vocab.issue_openers.keys():
        named |= vocab.issue_openers[word]
    return frozenset(name for name in named if name in vocab.issues and vocab.issues[name].search(text))


@lru_cache(maxsize=1)
def _folded_to_ascii() -> dict[int, str]:
    """The characters beyond ASCII that a case-blind pattern matches to an ASCII letter or
    digit ("İ", "ı", "ſ", the Kelvin sign...), each to that letter: asked of ``re`` itself,
    over every character, once."""
    points = np.arange(128, 0x110000, dtype=np.uint32)
    others = points[(points < 0xD800) | (points >= 0xE000)].tobytes().decode("utf-32-le")  # (one string)
    found = {}
    for char in set(re.findall(r"(?i)[a-z0-9]", others)):
        found[ord(char)] = next(a for a in "abcdefghijklmnopqrstuvwxyz0123456789"
                                if re.fullmatch(f"(?i){a}", char))
    return found


def _object_stems(text: str | None, vocab: Vocabulary) -> frozenset[str]:
    """The words of an outcome's clause (or sentence) that say what it is about: common
    nouns, verbs and adjectives, not names (capitalised), nor generic words, country names
    or the issue cues themselves; cut to five letters so "release" and "releasing" meet."""
    left_out = vocab.generic | vocab.country_words | vocab.issue_words | STOP_WORDS
    words = re.findall(r"[A-Za-z][a-z]+", (text or "").replace("’", "'"))
    return frozenset(w[:5] for w in words if w[0].islower() and w not in left_out and len(w) > 2)


def _outcome_blocks(outcomes: list[Outcome], checked: Checked) -> dict[tuple[str, str], list[int]]:
    """Outcome sentences by issue and month of publication (and the next month); those of
    undated documents meet every month of their issue."""
    statements, groups = checked.sentences.statements, checked.sentences.groups
    months = [{statements[i].month for i in groups[o.sentence]} for o in outcomes]
    months_of_issue: dict[str, set[str]] = defaultdict(set)
    for o, seen in zip(outcomes, months):
        for issue in o.issues:
            months_of_issue[issue] |= seen
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, (o, seen) in enumerate(zip(outcomes, months)):
        for issue in o.issues:
            buckets: set[str] = set()
            for month in seen:
                buckets |= months_of_issue[issue] if month == "?" else {month, _next_month(month)}
            for bucket in buckets:
                blocks[(issue, bucket)].append(n)
    return blocks


def outcome_conflicts(checked: Checked, keys: dict[str, str], vocab: Vocabulary) -> list[Conflict]:
    """Sentences on one issue, sharing a content word and fairly similar, where one says a
    thing was agreed and the other that it was only proposed, or that it failed."""
    statements, groups = checked.sentences.statements, checked.sentences.groups
    outcomes = _outcomes(checked, vocab)
    links = UnionFind()
    for members in _outcome_blocks(outcomes, checked).values():
        by_outcome: dict[str, list[int]] = defaultdict(list)
        for n in members:
            by_outcome[outcomes[n].outcome].append(n)
        for first, second in OUTCOME_PAIRS:
            left, right = by_outcome.get(first, []), by_outcome.get(second, [])
            rows = nearest(checked.sentences.vectors, [outcomes[n].sentence for n in left],
                           [outcomes[n].sentence for n in right], vocab.same_thing_above)
            for i, j, _cosine in rows:
                a, b = outcomes[left[i]], outcomes[right[j]]
                sa, sb = statements[groups[a.sentence][0]], statements[groups[b.sentence][0]]
                shared = (a.object_stems & b.sentence_stems) | (b.object_stems & a.sentence_stems)
                if len(shared) < 2 or keys.get(sa.source) == keys.get(sb.source):
                    continue
                if checked.comparer.compare(sa, sb).clash in {"number", "date"}:
                    continue
                links.link(left[i], right[j])
    conflicts = []
    # in corpus order of their first sentence: the blocks come in the order Python walks sets of
    # words, which changes from run to run, and so would the order the groups were linked in
    for members in sorted(links.groups()):
        by_outcome: dict[str, list[Side]] = defaultdict(list)
        for n in members:
            for i in groups[outcomes[n].sentence]:
                s = statements[i]
                by_outcome[s.outcome].append(Side(s.source, f"{s.outcome}: {s.clause}", s.text,
                                                  s.document.published, OUTCOME_STAGE[s.outcome], s.outcome))
        groups_by_stage = [sorted(by_outcome[k], key=lambda side: (side.published or "", side.document))
                           for k in ("proposed", "agreed", "failed") if by_outcome.get(k)]
        if len(groups_by_stage) < 2:
            continue
        conflicts.append(_outcome_conflict(groups_by_stage, [outcomes[n] for n in members],
                                           statements[groups[outcomes[members[0]].sentence][0]].text, vocab))
    return conflicts


def _outcome_conflict(groups: list[list[Side]], members: list[Outcome], first_text: str,
                      vocab: Vocabulary) -> Conflict:
    stages = {g[0].stage for g in groups}
    if len(stages) == len(groups):
        evolution, note = judge_evolution(groups, ordered=True, first_reports=True)
    else:  # agreed and failed (and maybe proposed): judge the first stage against the rest
        merged = [[s for g in groups for s in g if s.stage == st] for st in sorted(stages)]
        evolution, note = judge_evolution(merged, ordered=True, first_reports=True) if len(merged) > 1 \
            else judge_evolution(groups, ordered=False, number_days=1)
    if evolution is None:
        hint = _set_aside(groups, vocab)
        if hint:
            note += f"; but {hint}, which suggests the story moved on"
    issues = sorted({i for o in members for i in o.issues})
    common = set.intersection(*(set(o.words) for o in members))
    subject = " ".join(w for w in dict.fromkeys(_words(first_text)) if w in common) or ", ".join(issues)
    about = f"outcome on {', '.join(i.replace('_', ' ') for i in issues)}: {subject}"
    return _conflict(about, "fact", groups, evolution, note)


def _set_aside(groups: list[list[Side]], vocab: Vocabulary) -> str | None:
    """A later-stage sentence that says the earlier option was set aside ("... after
    disagreements prevented use of frozen Russian assets"), as a hint when dates are missing."""
    if vocab.contrast is None or len(groups) < 2:
        return None
    earlier = {w for side in groups[0] for w in _content_words(side.value)} - vocab.generic
    for group in groups[1:]:
        for side in group:
            for match in vocab.contrast.finditer(side.evidence):
                tail = side.evidence[match.start():].rstrip(" .")
                if _content_words(tail) & earlier:
                    return f'{side.document} says the {groups[0][0].label} option was set aside ("{tail}")'
    return None


# --------------------------------------------------------------------------- all


def find_conflicts(documents: list[Document], extractions: list[Extraction], actors: list[Actor],
                   timeline: list[TimelineEntry], checked: Checked, lexicon: Lexicon) -> list[Conflict]:
    """Every conflict of the corpus: numbers, dates, places, titles, outcomes, and the
    readings of ``reading_conflicts`` (durations, clock times, terms, changes, leaders)."""
    vocab = vocabulary(lexicon)
    keys = source_keys(documents)
    days = document_days(documents, extractions)
    by_id = {a.id: a for a in actors}
    names = {a.id: a.name for a in actors}
    statements = checked.sentences.statements
    return (title_conflicts(documents, extractions, names, keys, vocab)
            + date_conflicts(timeline, extractions, documents, checked, keys, by_id, names, vocab)
            + place_conflicts(extractions, documents, keys, by_id, names)
            + number_conflicts(checked, keys, vocab)
            + outcome_conflicts(checked, keys, vocab)
            + moment_conflicts(statements, keys, days)
            + term_conflicts(checked, keys, days, vocab.number_days)
            + change_conflicts(checked, keys, days, vocab.same_quantity_above,
                               vocab.number_days)
            + called_off_conflicts(checked, keys, days)
            + leader_conflicts(statements, keys, days, vocab.number_days))
