"""Conflicts over readings (``reconcile/readings.py``): outlets giving different durations,
clock times, terms, changes of a rate or delegation leaders for the same thing.

- **duration** and **clock time** (kinds ``number`` and ``date``): readings of one kind
  about the same calendar day (their setting) whose ranges do not meet ("about two hours"
  against "a little over an hour"; "ended at 3:57 p.m." against "at around 4:17 p.m.");
- **term** (``number``): two sentences compared for claims giving a right or lease
  different options ("for 99 years" against "for either 49 or 99 years");
- **change** (``number``): two sentences compared for claims changing one rate (they end or
  start at the same value, or one gives only the step and their wording is close) with a
  different start, end or step ("from 115% to 10%" against "down 115 per cent");
- **called off** (``fact``): two sentences compared for claims, one saying a meeting was
  called off and the other that it was not;
- **leader** (``fact``): one party's delegation said to be led by two different people
  (one person under two spellings, "Umerov" and "Umierov", is one) within a month and the
  next; the story moved on when each new leader is reported a week or more after the last
  report of the one before (``judge_succession``).

Every document is one side; copies of one article and two articles of one outlet are one
source, and a conflict needs two. The work is done within blocks (a day, a pair of
compared sentences, a party and a month), so it grows with the number of readings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date

from parley.records import Conflict
from parley.reconcile.claims import Checked, _next_month
from parley.reconcile.statements import Statement
from parley.reconcile.readings import Reading, changes_disagree, only_step, overlap, same_change
from parley.reconcile.sides import Side, UnionFind, _conflict, judge_evolution, judge_succession

MOMENT_KINDS = {"duration": ("number", "duration"), "start": ("date", "start time"), "end": ("date", "end time")}


def _side(statement: Statement, reading: Reading, days: dict[str, str]) -> Side:
    return Side(statement.source, reading.value, statement.text, statement.document.published,
                day=days.get(statement.source))


def _value_groups(members: list[tuple[Statement, Reading]], agree: Callable[[Reading, Reading], bool],
                  days: dict[str, str]) -> list[list[Side]]:
    """Sides grouped by agreeing value, each value of a document once, in corpus order."""
    groups: list[list[tuple[Statement, Reading]]] = []
    seen: set[tuple[str, str]] = set()
    for statement, reading in sorted(members, key=lambda m: (m[0].order, m[0].start)):
        if (statement.source, reading.value) in seen:
            continue
        seen.add((statement.source, reading.value))
        home = next((g for g in groups if agree(g[0][1], reading)), None)
        if home is None:
            groups.append([(statement, reading)])
        else:
            home.append((statement, reading))
    return [[_side(s, r, days) for s, r in g] for g in groups]


def _independent(groups: list[list[Side]], keys: dict[str, str]) -> bool:
    return len(groups) >= 2 and len({keys.get(s.document, s.document) for g in groups for s in g}) >= 2


def _day_label(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day:%B} {day.day}, {day.year}"


# --------------------------------------------------------------------------- durations and clock times


def moment_conflicts(statements: list[Statement], keys: dict[str, str], days: dict[str, str]) -> list[Conflict]:
    """Durations, start or end times of what happened on one day that cannot be the same."""
    blocks: dict[tuple[str, str], list[tuple[Statement, Reading]]] = defaultdict(list)
    for statement in statements:
        for reading in statement.readings:
            setting = reading.setting
            if reading.kind in MOMENT_KINDS and setting and setting.first == setting.last:
                blocks[(reading.kind, setting.first)].append((statement, reading))
    conflicts = []
    for (kind, day), members in sorted(blocks.items()):
        links = UnionFind()
        for i, (a, ra) in enumerate(members):
            links.find(i)
            for j in range(i + 1, len(members)):
                b, rb = members[j]
                if keys.get(a.source) != keys.get(b.source) and not overlap(ra, rb):
                    links.link(i, j)
        for component in links.groups():
            groups = _value_groups([members[i] for i in component], overlap, days)
            if not _independent(groups, keys):
                continue
            conflict_kind, what = MOMENT_KINDS[kind]
            evolution, note = judge_evolution(groups, ordered=False, same_moment=True)
            about = f"{what} of what happened on {_day_label(day)} ({members[component[0]][1].setting.text})"
            conflicts.append(_conflict(about, conflict_kind, groups, evolution, note))
    return conflicts


# --------------------------------------------------------------------------- terms and changes


def _paired_readings(checked: Checked, kind: str, keys: dict[str, str]):
    """((x, i), (y, j), cosine, reading i of x, reading j of y) for compared pairs of
    distinct sentences of two sources that both give a reading of ``kind``."""
    firsts = checked.sentences.firsts
    giving = checked.sentences.marked(lambda s: any(r.kind == kind for r in s.readings))
    for (x, y), cosine in checked.pairs.among(giving).items():
        a, b = firsts[x], firsts[y]
        if keys.get(a.source) == keys.get(b.source):
            continue
        for i, ra in enumerate(a.readings):
            for j, rb in enumerate(b.readings):
                if ra.kind == kind == rb.kind:
                    yield (x, i), (y, j), cosine, ra, rb


def _pair_conflicts(checked: Checked, links: list[tuple[tuple[int, int], tuple[int, int]]],
                    agree: Callable[[Reading, Reading], bool], about: Callable[[list[Reading]], str],
                    keys: dict[str, str], days: dict[str, str], number_days: int) -> list[Conflict]:
    """One conflict per group of linked readings: every document carrying one is a side."""
    statements, groups = checked.sentences.statements, checked.sentences.groups
    components = UnionFind()
    for first, second in links:
        components.link(first, second)
    conflicts = []
    for nodes in components.groups():
        readings = [statements[groups[sentence][0]].readings[index] for sentence, index in nodes]
        members = [(statements[i], reading) for (sentence, _), reading in zip(nodes, readings)
                   for i in groups[sentence]]
        sides = _value_groups(members, agree, days)
        if not _independent(sides, keys):
            continue
        evolution, note = judge_evolution(sides, ordered=False, number_days=number_days)
        conflicts.append(_conflict(about(readings), "number", sides, evolution, note))
    return conflicts


def term_conflicts(checked: Checked, keys: dict[str, str], days: dict[str, str], number_days: int) -> list[Conflict]:
    """Sentences compared for claims that give a right or lease different terms."""
    links = [(x, y) for x, y, _, ra, rb in _paired_readings(checked, "term", keys) if ra.options != rb.options]
    return _pair_conflicts(checked, links, lambda a, b: a.options == b.options,
                           lambda readings: "term: " + " / ".join(sorted({r.value for r in readings})),
                           keys, days, number_days)


def change_conflicts(checked: Checked, keys: dict[str, str], days: dict[str, str],
                     same_above: float, number_days: int) -> list[Conflict]:
    """Sentences compared for claims that change one rate differently."""
    agree = checked.comparer.numbers.close
    links = [(x, y) for x, y, cosine, ra, rb in _paired_readings(checked, "change", keys)
             if (same_change(ra, rb, agree) or (cosine >= same_above and (only_step(ra) or only_step(rb))))
             and changes_disagree(ra, rb, agree)]
    return _pair_conflicts(checked, links, lambda a, b: not changes_disagree(a, b, agree),
                           lambda readings: f"change of {readings[0].subject or 'a rate'} ({readings[0].unit})", keys, days, number_days)


def called_off_conflicts(checked: Checked, keys: dict[str, str], days: dict[str, str]) -> list[Conflict]:
    """Sentences compared for claims, one saying a meeting was called off and the other that
    it was not. Called off after being reported as standing is the story moving on."""
    statements, groups = checked.sentences.statements, checked.sentences.groups
    links = [(x, y) for x, y, _, ra, rb in _paired_readings(checked, "called off", keys) if ra.low != rb.low]
    components = UnionFind()
    for first, second in links:
        components.link(first, second)
    conflicts = []
    for nodes in components.groups():
        members = [(statements[i], statements[groups[sentence][0]].readings[index])
                   for sentence, index in nodes for i in groups[sentence]]
        sides = _value_groups(members, lambda a, b: a.low == b.low, days)
        if not _independent(sides, keys):
            continue
        called = {(s.source, r.value): r.low == 1.0 for s, r in members}
        for group in sides:
            for side in group:
                side.stage, side.label = (1, "called off") if called[(side.document, side.value)] \
                    else (0, "not called off")
        sides.sort(key=lambda g: g[0].stage)
        evolution, note = judge_evolution(sides, ordered=True, first_reports=True)
        conflicts.append(_conflict("whether the meeting was called off", "fact", sides, evolution, note))
    return conflicts


# --------------------------------------------------------------------------- delegation leaders


def _same_person(a: Reading, b: Reading) -> bool:
    """One actor: spellings of one name are merged into one by ``reconcile/actors.py``, and a
    leader named without an actor reads as ``name:<surname>`` (``readings.leaders``)."""
    return a.person == b.person


def _month_buckets(statement: Statement) -> set[str]:
    published = statement.document.published
    if not published:
        return {"?"}
    return {published[:7], _next_month(published[:7])}


def leader_conflicts(statements: list[Statement], keys: dict[str, str], days: dict[str, str],
                     number_days: int) -> list[Conflict]:
    """One party's delegation said to be led by different people within a month and the
    next (undated documents meet every month)."""
    by_party: dict[str, list[tuple[Statement, Reading]]] = defaultdict(list)
    for statement in statements:
        for reading in statement.readings:
            if reading.kind == "leader":
                by_party[reading.party].append((statement, reading))
    conflicts, seen = [], set()
    for party, reports in sorted(by_party.items()):
        buckets = [_month_buckets(s) for s, _ in reports]
        months = sorted(set().union(*buckets) - {"?"}) or ["?"]
        for month in months:
            members = [report for report, found in zip(reports, buckets) if found & {month, "?"}]
            groups = _value_groups(members, _same_person, days)
            signature = frozenset((s.document, s.value) for g in groups for s in g)
            if not _independent(groups, keys) or signature in seen:
                continue
            seen.add(signature)
            evolution, note = judge_succession(groups, number_days)
            conflicts.append(_conflict(f"head of the {party} delegation", "fact", groups, evolution, note))
    return conflicts
