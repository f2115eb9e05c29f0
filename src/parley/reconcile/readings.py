"""Readings: small facts read from one sentence that outlets can disagree on.

Figures, dates and places are read by the extractors; a few more things news reports give
and sources contradict are read here, from a sentence and what was extracted from it (the
vocabulary is the [readings] table of ``data/checks.toml``):

- **duration**: how long an event lasted ("the meeting lasted about two hours", "concluded
  after roughly three hours"), as a range of minutes widened by its qualifier;
- **clock**: when an event started or ended ("started at 2:43 p.m.", "ended at around
  4:17 p.m."; a time in parentheses, another time zone, is left out);
- **term**: for how long a right, lease or contract runs ("rights for 99 years", "for either
  49 or 99 years"), as the set of options given;
- **change**: how a rate moves ("from 115% to 10%", "to 30 percent from 145 percent", "down
  115 per cent"): its start, its end and the step, each when given;
- **called off**: whether a meeting was cancelled ("canceled the summit") or not ("had not
  been cancelled");
- **leader**: who leads a party's delegation ("a Hamas delegation led by X", "the
  delegation was headed by X", "X, head of the Russian delegation", "Russia's chief
  delegate, X"); a delegation named without its party ("the delegation") is the one the
  document last named with one.

Durations and clock times are of the event the sentence is about: the *setting* is the
last calendar day the document gave, in this sentence or before it ("On May 16, talks were
held. The meeting lasted an hour."), with the words that gave it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from parley.lexicon import Lexicon

NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
                "thirty": 30, "forty": 40, "fifty": 50, "ninety": 90}
NUMBER = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
CLOCK = re.compile(r"\b(\d{1,2})[:.](\d{2})\s*(a\.?m\.?|p\.?m\.?)?(?![\d])", re.I)
NAME = re.compile(r"[A-Z][\w’'.-]+(?:\s+(?:(?:al|el|bin|ibn|de|van|von|der)[- ]?)?[A-Z][\w’'-]+)+")
ROLE_WORDS = re.compile(r"(?:[a-z]+\s*){0,4}")
TERM = re.compile(rf"\bfor\s+(?:(?:either|up\s+to|a\s+period\s+of)\s+)?({NUMBER})(?:\s*(?:or|to|-)\s*({NUMBER}))?"
                  r"\s+(years?|months?)\b", re.I)


def _number(word: str) -> float:
    word = word.lower()
    return float(NUMBER_WORDS[word]) if word in NUMBER_WORDS else float(word)


def _phrases(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted({str(w).lower() for w in words},
                                                                       key=len, reverse=True))


@dataclass(frozen=True)
class Setting:
    """The calendar day a sentence is about, and the words that gave it."""

    first: str
    last: str
    text: str


@dataclass(frozen=True)
class Reading:
    """One thing a sentence gives: ``kind`` (duration | start | end | term | change |
    called off | leader), ``value`` as written, and what is compared."""

    kind: str
    value: str
    low: float = 0.0  # duration in minutes, clock time in minutes after midnight
    high: float = 0.0
    options: frozenset[float] = frozenset()  # term: the years it may run
    change: tuple[float | None, float | None, float | None] = (None, None, None)  # from, to, step
    unit: str = ""
    subject: str = ""  # change: the words before it ("reciprocal tariffs")
    party: str = ""  # leader: whose delegation
    person: str = ""  # leader: actor id
    setting: Setting | None = None


@dataclass(frozen=True, eq=False)
class ReadingRules:
    """The [readings] vocabulary of checks.toml, compiled."""

    duration: re.Pattern
    qualifier_range: dict[str, tuple[float, float]]
    start: re.Pattern
    end: re.Pattern
    near_clock: re.Pattern
    clock_minutes: float
    near_clock_minutes: float
    term_subjects: re.Pattern
    change_from: frozenset[str]
    change_to: frozenset[str]
    change_step: frozenset[str]
    delegation: re.Pattern
    led_by: re.Pattern
    head_of: re.Pattern
    chief: re.Pattern
    cancelled: re.Pattern | None = None
    meeting: re.Pattern | None = None
    party_of: dict[str, str] = field(default_factory=dict)  # demonym or alias (lower case) -> party

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon) -> ReadingRules:
        return _rules(lexicon)


@lru_cache(maxsize=8)
def _rules(lexicon: Lexicon) -> ReadingRules:
    table = lexicon["checks"].get("readings", {})
    numbers = lexicon["checks"].get("numbers", {})
    ranges: dict[str, tuple[float, float]] = {}
    for group in ("below", "around", "above"):
        low, high = numbers.get(f"{group}_range", [1.0, 1.0])
        for word in [*numbers.get(group, []), *table.get(f"{group}_extra", [])]:
            ranges[str(word).lower()] = (float(low), float(high))
    qualifiers = _phrases([*ranges, *table.get("exact", [])])
    duration = re.compile(rf"\b(?:{_phrases(table.get('duration_cues', ['lasted']))})\s+"
                          rf"((?:(?:{qualifiers})\s+)*)({NUMBER}|half\s+an?)\s+(hours?|minutes?)\b", re.I)
    party_of: dict[str, str] = {}
    for country in lexicon["places"].get("countries", {}).values():
        name = country.get("name", "")
        for form in [name, *country.get("aliases", []), *country.get("demonyms", [])]:
            party_of[form.lower()] = name
    delegation = _phrases(table.get("delegation_words", ["delegation"]))
    return ReadingRules(
        duration=duration,
        qualifier_range=ranges,
        start=re.compile(rf"\b(?:{_phrases(table.get('start_cues', ['started']))})\b", re.I),
        end=re.compile(rf"\b(?:{_phrases(table.get('end_cues', ['ended']))})\b", re.I),
        near_clock=re.compile(rf"\b(?:{_phrases(table.get('near_clock', ['around']))})\s*$", re.I),
        clock_minutes=float(table.get("clock_minutes", 5)),
        near_clock_minutes=float(table.get("near_clock_minutes", 10)),
        term_subjects=re.compile(rf"\b(?:{_phrases(table.get('term_subjects', ['rights']))})\b", re.I),
        change_from=frozenset(w.lower() for w in table.get("change_from", ["from"])),
        change_to=frozenset(w.lower() for w in table.get("change_to", ["to"])),
        change_step=frozenset(w.lower() for w in table.get("change_step", ["by"])),
        delegation=re.compile(rf"\b(?:{delegation})\b", re.I),
        led_by=re.compile(rf"\b(?:{_phrases(table.get('led_by', ['led by']))})\b", re.I),
        head_of=re.compile(rf"\b(?:{_phrases(table.get('head_of', ['head of']))})\s+(?:the\s+)?"
                           rf"((?:[A-Z][\w’'-]*\s+){{0,2}})(?:{delegation})\b"),
        chief=re.compile(rf"(?:\b([A-Z][\w-]*)(?:’s|'s)\s+)?\b(?:{_phrases(table.get('chief', ['chief delegate']))})\b"),
        cancelled=re.compile(rf"\b(?:{_phrases(table.get('cancelled', ['cancelled']))})\b", re.I),
        meeting=re.compile(rf"\b(?:{_phrases(table.get('meeting_words', ['meeting']))})\b", re.I),
        party_of=party_of,
    )


# --------------------------------------------------------------------------- durations and clock times


def durations(text: str, setting: Setting | None, rules: ReadingRules) -> list[Reading]:
    """How long an event lasted, in minutes, widened by rounding and its qualifier."""
    found = []
    for match in rules.duration.finditer(text):
        qualifier = " ".join(match.group(1).lower().split())
        amount = 0.5 if match.group(2).lower().startswith("half") else _number(match.group(2))
        minutes = amount * (60 if match.group(3).lower().startswith("hour") else 1)
        low, high = rules.qualifier_range.get(qualifier, (1.0, 1.0))
        slack = 0.05 * minutes
        value = text[match.start(1) if match.group(1) else match.start(2):match.end()].strip()
        found.append(Reading("duration", value, (minutes - slack) * low, (minutes + slack) * high, setting=setting))
    return found


def clock_times(text: str, setting: Setting | None, rules: ReadingRules) -> list[Reading]:
    """When an event started or ended: a clock time after a start or end cue of the same
    clause (the nearest cue before it wins); times in parentheses are left out."""
    found = []
    for match in CLOCK.finditer(text):
        before = text[:match.start()]
        if before.count("(") > before.count(")"):
            continue
        hours, minutes = int(match.group(1)), int(match.group(2))
        if hours > 23 or minutes > 59:
            continue
        meridiem = (match.group(3) or "").lower().replace(".", "")
        if meridiem == "pm" and hours < 12:
            hours += 12
        elif meridiem == "am" and hours == 12:
            hours = 0
        window = before[-80:]
        cues = [(m.end(), "start") for m in rules.start.finditer(window)] + \
               [(m.end(), "end") for m in rules.end.finditer(window)]
        if not cues:
            continue
        _, kind = max(cues)
        slack = rules.near_clock_minutes if rules.near_clock.search(before[-20:]) else rules.clock_minutes
        at = hours * 60 + minutes
        value = text[match.start():match.end()].strip()
        found.append(Reading(kind, value, at - slack, at + slack, setting=setting))
    return found


# --------------------------------------------------------------------------- terms and changes


def terms(text: str, rules: ReadingRules) -> list[Reading]:
    """For how long a right, lease or contract runs: the options given, in years."""
    found = []
    for match in TERM.finditer(text):
        if not rules.term_subjects.search(text[max(0, match.start() - 120):match.start()]):
            continue
        scale = 1.0 if match.group(3).lower().startswith("year") else 1 / 12
        options = {_number(match.group(1)) * scale}
        if match.group(2):
            options.add(_number(match.group(2)) * scale)
        found.append(Reading("term", match.group().strip(), options=frozenset(options)))
    return found


CLAUSE_BREAK = re.compile(r";|,\s*(?:while|whereas|and|but)\b|\bwhile\b|\bwhereas\b", re.I)


SUBJECT_STOP = frozenset("""a an the its their his her our will would to be is are was were have has had
    reduce reduced reduces cut cuts lower lowered lowers raise raised raises move moved drop dropped
    bring brought increase increased decrease decreased slash slashed and or of on""".split())


def _subject(before: str) -> str:
    """The last two words before a change that are neither verbs of change nor small words."""
    words = re.findall(r"[A-Za-z][\w-]*", before)[-4:]
    while words and words[-1].lower() in SUBJECT_STOP:
        words.pop()
    kept = []
    for word in reversed(words):
        if word.lower() in SUBJECT_STOP or len(kept) == 2:
            break
        kept.insert(0, word)
    return " ".join(kept)


def _change_cue(text: str, start: int, rules: ReadingRules) -> tuple[str, int] | None:
    """The role a figure plays in a change (from, to, step) and where its cue starts: the
    last cue word among the three words before it ("to 30 percent from *the current* 145")."""
    window = max(0, start - 30)
    words = list(re.finditer(r"[a-z]+", text[window:start].lower()))[-3:]
    for word in reversed(words):
        for role, cues in (("from", rules.change_from), ("to", rules.change_to), ("step", rules.change_step)):
            if word.group() in cues:
                return role, window + word.start()
    return None


def changes(text: str, offset: int, figures, rules: ReadingRules) -> list[Reading]:
    """How a rate moves, read from the words before each figure of the sentence ("from",
    "to", "by", "down"): one change per clause; ``offset`` is where the text starts in its
    document (figures carry document offsets)."""
    found: list[Reading] = []
    current: dict[str, tuple[float, int, int]] = {}
    unit = ""
    last_end = None

    def close() -> None:
        if len(current) >= 1 and (len(current) >= 2 or "step" in current):
            first = min(s for _, s, _ in current.values())
            last = max(e for _, _, e in current.values())
            start, end, step = (current.get(k, (None,))[0] for k in ("from", "to", "step"))
            if step is None and start is not None and end is not None:
                step = abs(start - end)
            found.append(Reading("change", text[first:last].strip(), change=(start, end, step), unit=unit,
                                 subject=_subject(text[:first])))

    for figure in sorted(figures, key=lambda f: f.start):
        start, end = figure.start - offset, figure.end - offset
        if start < 0 or end > len(text):
            continue
        cue = _change_cue(text, start, rules)
        if cue is None:
            continue
        role, cue_start = cue
        broken = last_end is not None and CLAUSE_BREAK.search(text[last_end:start])
        if role in current or broken or (current and figure.unit != unit):
            close()
            current = {}
        current[role] = (abs(figure.value), cue_start, end)
        unit, last_end = figure.unit, end
    close()
    return found


def overlap(a: Reading, b: Reading) -> bool:
    """Two readings whose ranges meet."""
    return a.low <= b.high and b.low <= a.high


def only_step(reading: Reading) -> bool:
    """A change given by its step alone ("down 115 per cent")."""
    return reading.change[0] is None and reading.change[1] is None


def changes_disagree(a: Reading, b: Reading, agree) -> bool:
    """Two changes of one unit that give different values for a part both state (or for
    the step one states and the other implies)."""
    if a.unit != b.unit:
        return False
    return any(x is not None and y is not None and not agree(x, y) for x, y in zip(a.change, b.change))


def same_change(a: Reading, b: Reading, agree) -> bool:
    """Two changes of the same rate: they end, or start, at the same value."""
    (from_a, to_a, _), (from_b, to_b, _) = a.change, b.change
    return a.unit == b.unit and ((to_a is not None and to_b is not None and agree(to_a, to_b))
                                 or (from_a is not None and from_b is not None and agree(from_a, from_b)))


# --------------------------------------------------------------------------- meetings called off


NOT_BEFORE = re.compile(r"\b(?:not|never|n't)\s+(?:\w+\s+){0,2}$", re.I)


def called_off(text: str, rules: ReadingRules) -> list[Reading]:
    """Whether a meeting the sentence names was called off ("canceled the summit") or not
    ("the meeting had not been cancelled"): ``low`` is 1 for called off, 0 for not."""
    if rules.cancelled is None or rules.meeting is None or not rules.meeting.search(text):
        return []
    match = rules.cancelled.search(text)
    if match is None:
        return []
    negation = NOT_BEFORE.search(text[:match.start()])
    start = negation.start() if negation else match.start()
    value = text[start:match.end()] + (text[match.end():].split(",")[0] if not negation else "")
    return [Reading("called off", value.strip(), low=0.0 if negation else 1.0, high=0.0 if negation else 1.0)]


# --------------------------------------------------------------------------- delegation leaders


def _party(words: str, rules: ReadingRules) -> str | None:
    """The party a delegation is named for: a country, its demonym or alias, or the
    capitalised name before the word (an organisation)."""
    for word in words.replace("’", "'").replace("'s", "").split():
        if word.lower() in rules.party_of:
            return rules.party_of[word.lower()]
    names = [w for w in words.split() if w[:1].isupper() and w.lower() not in {"a", "the", "senior"}]
    return names[0].strip(",.") if names else None


def _party_near(text: str, match: re.Match, rules: ReadingRules) -> str | None:
    """The party of the delegation named at ``match``: "the Ukrainian delegation",
    "Ukraine's delegation", "a delegation from the Hamas group"."""
    before = text[max(0, match.start() - 40):match.start()].split()[-2:]
    party = _party(" ".join(w for w in before if w[:1].isupper()), rules) if before else None
    if party:
        return party
    after = re.match(r"\s+(?:from|of)\s+(?:the\s+)?([A-Z][\w-]*)", text[match.end():])
    return _party(after.group(1), rules) if after else None


def delegation_party(text: str, rules: ReadingRules) -> str | None:
    """The party of the last delegation a sentence names with one."""
    parties = [_party_near(text, m, rules) for m in rules.delegation.finditer(text)]
    return next((p for p in reversed(parties) if p), None)


def leaders(text: str, persons: list[tuple[int, int, str]], context_party: str | None,
            rules: ReadingRules) -> list[Reading]:
    """Who leads a delegation: the person named after "led by" (in a sentence naming a
    delegation), next to "head of the X delegation", or after "X's chief delegate".
    ``persons``: (start, end, actor id) of the person mentions, offsets in ``text``."""
    found = []

    def person_after(position: int, reach: int = 90) -> tuple[int, int, str] | None:
        return next((p for p in sorted(persons) if position <= p[0] <= position + reach), None)

    def person_before(position: int) -> tuple[int, int, str] | None:
        return next((p for p in sorted(persons, reverse=True) if 0 <= position - p[1] <= 3), None)

    def add(person, party) -> None:
        if person and party:
            found.append(Reading("leader", text[person[0]:person[1]], party=party, person=person[2]))

    def named_after(position: int) -> tuple[int, int, str] | None:
        """A name written after a cue that the extractors did not take for a person."""
        match = NAME.search(text, position, position + 60)
        if match is None or text[position:match.start()].strip(" ,") and not ROLE_WORDS.fullmatch(
                text[position:match.start()].strip(" ,")):
            return None
        return match.start(), match.end(), "name:" + match.group().split()[-1].lower()

    cues = list(rules.led_by.finditer(text))
    for n, match in enumerate(cues):
        since = cues[n - 1].end() if n else 0  # the delegation is named after the previous cue
        named = [m for m in rules.delegation.finditer(text, since, match.start())
                 if match.start() - m.end() <= 60 and not re.search(r"[;:]", text[m.end():match.start()])]
        if named:
            add(person_after(match.end()) or named_after(match.end()),
                _party_near(text, named[-1], rules) or context_party)
    for match in rules.head_of.finditer(text):
        party = _party(match.group(1), rules) if match.group(1).strip() else context_party
        add(person_before(match.start() - 2) or person_after(match.end()), party)
    for match in rules.chief.finditer(text):
        party = _party(match.group(1), rules) if match.group(1) else context_party
        add(person_after(match.end(), 40), party)
    return found


def read_sentence(text: str, offset: int, figures, persons: list[tuple[int, int, str]],
                  setting: Setting | None, context_party: str | None, rules: ReadingRules) -> tuple[Reading, ...]:
    """Every reading of one sentence (``offset``: where it starts in its document). Each
    reader runs only on sentences holding a word it needs, which most do not."""
    low = text.lower()
    found: list[Reading] = []
    if "hour" in low or "minute" in low:
        found += durations(text, setting, rules)
    if "m." in low or ":" in low:
        found += clock_times(text, setting, rules)
    if "year" in low or "month" in low:
        found += terms(text, rules)
    if figures:
        found += changes(text, offset, figures, rules)
    if any(hint in low for hint in LEADER_HINTS):
        found += leaders(text, persons, context_party, rules)
    if rules.cancelled is not None and rules.cancelled.search(text):
        found += called_off(text, rules)
    return tuple(found)


LEADER_HINTS = ("led by", "headed by", "chaired by", "head", "lead", "chief", "delegat", "team")


def readings_clash(mine: tuple[Reading, ...], theirs: tuple[Reading, ...], agree) -> bool:
    """Two sentences that cannot state one fact: they give a meeting as called off and not,
    one right different terms, or one rate different changes (``agree``: two numbers that
    may be the same value). Durations and clock times of one day that do not meet clash
    too."""
    for a in mine:
        for b in theirs:
            if a.kind != b.kind:
                continue
            if a.kind == "called off" and a.low != b.low:
                return True
            if a.kind == "term" and a.options != b.options:
                return True
            if a.kind == "change" and (same_change(a, b, agree) or only_step(a) or only_step(b)) \
                    and changes_disagree(a, b, agree):
                return True
            if a.kind in {"duration", "start", "end"} and a.setting and b.setting \
                    and a.setting.first == b.setting.first and not overlap(a, b):
                return True
    return False
