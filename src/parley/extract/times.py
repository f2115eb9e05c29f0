"""Time expressions of one document, and their dates resolved against publication.

``resolve_when(text, published, tense)`` turns an expression as written ("on Sunday",
"January 23-24", "earlier this week", "by 2027") into a :class:`When`:

- ``date`` (``YYYY-MM-DD``) and, for ranges, ``end``; ``precision`` day | month | year.
  A month is dated by its first day, a year by 1 January.
- Relative expressions ("Sunday", "this week", "overnight", "two days ago", "last
  month", "December 20" without a year) need ``published``; without it they stay
  unresolved (date None). Absolute ones ("January 23, 2026", "September 2027", "2027")
  resolve without it.
- A weekday is the nearest such day to publication: the last one for a past ``tense``,
  the coming one for a future ``tense`` (the publication day itself counts for both),
  and without a tense the nearer of the two (they are never equally near). "last" and
  "next"/"this"/"coming" before it force the direction.
- A day or month without a year takes the year that puts it nearest to publication
  (in the past or the future when ``tense`` says so).
- Weeks run Monday to Sunday. "this week" is that whole week, "earlier this week" its
  days before publication (unresolved when published on a Monday), "later this week" its
  days after, "this weekend" its Saturday and Sunday. "overnight" is the night before
  publication: date the day before, end the publication day.
- Durations ("two days", "five hours"), seasons and vague words ("recent") stay unresolved.

``find_times`` finds every expression: spaCy's DATE/TIME entities, less adjectives that
locate nothing ("annual"), plus what spaCy misses (``patterns`` in times.toml). The
preposition before an expression belongs to its text ("on Sunday", "by 2027").
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from functools import lru_cache

from dateparser.date import DateDataParser
from spacy.tokens import Doc, Span, Token

from parley.lexicon import Lexicon, load_lexicon
from parley.records import Document, TimeExpression, When

DAY = "day"
MONTH = "month"
YEAR = "year"
YEAR_RE = r"(?:19|20)\d{2}"


class TimeRules:
    """The vocabulary of times.toml, compiled once per lexicon table."""

    def __init__(self, table: dict) -> None:
        self.weekdays = [w.lower() for w in table.get("weekdays", [])]
        self.months = {k.lower(): int(v) for k, v in table.get("months", {}).items()}
        self.relative_days = {k.lower(): int(v) for k, v in table.get("relative_days", {}).items()}
        self.number_words = {k.lower(): int(v) for k, v in table.get("number_words", {}).items()}
        self.prepositions = sorted((p.lower() for p in table.get("prepositions", [])),
                                   key=len, reverse=True)
        self.leading = sorted(set(self.prepositions) | {w.lower() for w in table.get(
            "leading_words", [])}, key=len, reverse=True)
        self.day_parts = set(table.get("day_parts", []))
        self.not_time = set(table.get("not_time_expressions", []))
        self.future_verbs = set(table.get("future_verbs", []))
        self.future_aux = set(table.get("future_auxiliaries", []))
        self.perfect_aux = set(table.get("perfect_auxiliaries", []))
        month = "|".join(sorted(self.months, key=len, reverse=True))
        self.month_re = rf"(?P<month>{month})\.?"
        self.extra = [re.compile(p, re.IGNORECASE) for p in table.get("patterns", [])]
        day = r"(?P<d1>\d{1,2})(?:st|nd|rd|th)?"
        day2 = r"(?P<d2>\d{1,2})(?:st|nd|rd|th)?"
        dash = r"\s*(?:-|–|—|to|and|through)\s*"
        year = rf"(?:,?\s+(?P<year>{YEAR_RE}))?"
        qualifier = "|".join(re.escape(q) for q in sorted(table.get("period_qualifiers", []),
                                                          key=len, reverse=True)) or "(?!x)x"
        qualified = rf"(?:(?:{qualifier})[\s-]+)?"
        self.shapes = [  # (regex over the normalised text, precision, is_range)
            (re.compile(rf"^{self.month_re}\s+{day}{dash}{day2}{year}$"), DAY, True),
            (re.compile(rf"^{day}{dash}{day2}\s+(?:of\s+)?{self.month_re}{year}$"), DAY, True),
            (re.compile(rf"^{self.month_re}\s+{day}{year}$"), DAY, False),
            (re.compile(rf"^{day}\s+(?:of\s+)?{self.month_re}{year}$"), DAY, False),
            (re.compile(rf"^{qualified}{self.month_re}{year}$"), MONTH, False),
            (re.compile(rf"^{qualified}(?:the\s+)?(?P<year>{YEAR_RE})$"), YEAR, False),
        ]
        # The text patterns find_times looks for besides spaCy's entities.
        self.text_patterns = self.extra + [
            re.compile(rf"\b{self.month_re}\s+\d{{1,2}}(?:st|nd|rd|th)?\s*[-–]\s*\d{{1,2}}\b"
                       rf"(?:,?\s+{YEAR_RE})?", re.IGNORECASE),
            re.compile(rf"\b\d{{1,2}}\s*[-–]\s*\d{{1,2}}\s+{self.month_re}(?:\s+{YEAR_RE})?\b",
                       re.IGNORECASE),
        ]


@lru_cache(maxsize=16)
def _rules(lexicon: Lexicon) -> TimeRules:
    return TimeRules(lexicon["times"])


# --------------------------------------------------------------------------- resolving


def _parse_published(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _normalise(text: str) -> str:
    text = text.lower().replace("–", "-").replace("—", "-").replace("’", "'")
    return re.sub(r"\s+", " ", text).strip(" .,;:")


def _strip_prepositions(text: str, rules: TimeRules) -> str:
    changed = True
    while changed:
        changed = False
        for prep in rules.leading:
            if text.startswith(prep + " ") and not text.startswith(prep + " of "):
                text = text[len(prep) + 1:]
                changed = True
                break  # start again from the longest: "until at least 2014"
    return text


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_start(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _nearest_year(month: int, day: int, base: date, tense: str | None) -> date | None:
    """The date of month/day in the year that puts it nearest to ``base``."""
    options = []
    for year in (base.year - 1, base.year, base.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    if tense == "past":
        options = [d for d in options if d <= base] or options
    elif tense == "future":
        options = [d for d in options if d >= base] or options
    return min(options, key=lambda d: abs((d - base).days)) if options else None


def _weekday(index: int, base: date, tense: str | None, modifier: str | None) -> date:
    back = (base.weekday() - index) % 7
    ahead = (index - base.weekday()) % 7
    if modifier == "last":
        return base - timedelta(days=back or 7)
    if modifier in ("next", "coming", "this"):
        return base + timedelta(days=ahead or (7 if modifier == "next" else 0))
    if tense == "past":
        return base - timedelta(days=back)
    if tense == "future":
        return base + timedelta(days=ahead)
    return base - timedelta(days=back) if back <= ahead else base + timedelta(days=ahead)


def _relative(text: str, base: date, tense: str | None, rules: TimeRules) -> When | None:
    """Expressions that only mean something against the publication date."""
    if text in rules.relative_days:
        return When(text, _iso(base + timedelta(days=rules.relative_days[text])), None, DAY)
    if text == "overnight":  # the night before publication
        return When(text, _iso(base - timedelta(days=1)), _iso(base), DAY)
    for reader in (_ago, _named_period, _named_month_phrase, _weekday_phrase):
        found = reader(text, base, tense, rules)
        if found is not None:
            return found
    return None


def _ago(text: str, base: date, tense: str | None, rules: TimeRules) -> When | None:
    """"two days ago", "3 weeks ago", "a year ago"."""
    ago = re.fullmatch(r"(\w+) (day|week|month|year)s? ago", text)
    if not ago:
        return None
    n = int(ago.group(1)) if ago.group(1).isdigit() else rules.number_words.get(ago.group(1))
    if n is None:
        return None
    unit = ago.group(2)
    if unit in ("day", "week"):
        return When(text, _iso(base - timedelta(days=n * (7 if unit == "week" else 1))), None, DAY)
    if unit == "month":
        return When(text, _iso(_month_start(base, -n)), None, MONTH)
    return When(text, _iso(date(base.year - n, 1, 1)), None, YEAR)


def _named_period(text: str, base: date, tense: str | None, rules: TimeRules) -> When | None:
    """"this week", "earlier this week", "last month", "the end of next year"."""
    period = re.fullmatch(r"(?:(?:the )?(?:start|beginning|middle|end|rest) of )?"
                          r"(earlier|later)? ?(this|last|next|coming|past|previous|the) "
                          r"(week|weekend|month|year)( previous| before)?", text)
    if not period:
        return None
    edge, which, unit, after = period.groups()
    if which in ("previous", "past") or after:
        which = "last"
    elif which == "the":
        which = "this"
    return _period(text, base, edge, which, unit)


def _named_month_phrase(text: str, base: date, tense: str | None,
                        rules: TimeRules) -> When | None:
    """"last September", "next March", "September of this year"."""
    before = re.fullmatch(r"(last|this|next|coming) (\w+)", text)
    after = re.fullmatch(r"(\w+) of (this|last|next) year", text)
    if before and before.group(2) in rules.months:
        return _named_month(text, rules.months[before.group(2)], before.group(1), base)
    if after and after.group(1) in rules.months:
        year = base.year + {"this": 0, "last": -1, "next": 1}[after.group(2)]
        return When(text, f"{year}-{rules.months[after.group(1)]:02d}-01", None, MONTH)
    return None


def _weekday_phrase(text: str, base: date, tense: str | None, rules: TimeRules) -> When | None:
    """"Sunday", "last Friday", "early Saturday morning"."""
    words = text.replace("-", " ").split()
    days = [w for w in words if w in rules.weekdays]
    modifiers = ("last", "next", "this", "coming")
    if len(days) != 1 or not all(w in rules.day_parts or w in rules.weekdays or w in modifiers
                                 for w in words):
        return None
    modifier = next((w for w in words if w in modifiers), None)
    day = _weekday(rules.weekdays.index(days[0]), base, tense, modifier)
    return When(text, _iso(day), None, DAY)


def _named_month(text: str, month: int, which: str, base: date) -> When:
    """"last September": the latest September before this month; "next March": the first
    one after it; "this May": the one of this year."""
    year = base.year
    if which == "last" and month >= base.month:
        year -= 1
    elif which in ("next", "coming") and month <= base.month:
        year += 1
    return When(text, f"{year}-{month:02d}-01", None, MONTH)


def _period(text: str, base: date, edge: str | None, which: str, unit: str) -> When | None:
    shift = {"this": 0, "coming": 1, "next": 1, "last": -1}[which]
    if unit in ("week", "weekend"):
        monday = _week_start(base) + timedelta(weeks=shift)
        first, last = (monday + timedelta(days=5), monday + timedelta(days=6)) \
            if unit == "weekend" else (monday, monday + timedelta(days=6))
        if edge == "earlier":
            last = min(last, base - timedelta(days=1))
        elif edge == "later":
            first = max(first, base + timedelta(days=1))
        if first > last:
            return When(text)
        return When(text, _iso(first), _iso(last) if last != first else None, DAY)
    if unit == "month":
        return When(text, _iso(_month_start(base, shift)), None, MONTH)
    return When(text, _iso(date(base.year + shift, 1, 1)), None, YEAR)


def _drop_weekday_before_date(text: str, rules: TimeRules) -> str:
    """"monday, dec. 1" -> "dec. 1": the date says more than the weekday."""
    words = text.split(maxsplit=1)
    if len(words) == 2 and words[0].rstrip(",") in rules.weekdays and re.search(r"\d", words[1]):
        return words[1]
    return text


def _shaped(text: str, base: date | None, tense: str | None, rules: TimeRules) -> When | None:
    """Calendar dates written out: ranges, day and month, month and year, a year."""
    for pattern, precision, is_range in rules.shapes:
        m = pattern.match(text)
        if not m:
            continue
        groups = m.groupdict()
        year = int(groups["year"]) if groups.get("year") else None
        if precision == YEAR:
            return When(text, f"{year}-01-01", None, YEAR)
        month = rules.months[groups["month"]]
        if precision == MONTH:
            if year is None:
                if base is None:
                    return When(text)
                start = _nearest_year(month, 1, base, tense)
                if start is None:
                    return When(text)
                return When(text, _iso(start), None, MONTH)
            return When(text, f"{year}-{month:02d}-01", None, MONTH)
        first, last = int(groups["d1"]), int(groups["d2"]) if is_range else None
        return _day_range(text, month, first, last, year, base, tense)
    return None


def _day_range(text: str, month: int, first: int, last: int | None, year: int | None,
               base: date | None, tense: str | None) -> When:
    try:
        if year is not None:
            start = date(year, month, first)
        elif base is not None:
            start = _nearest_year(month, first, base, tense)
        else:
            return When(text)
        if start is None:
            return When(text)
        end = date(start.year, month, last) if last is not None else None
    except ValueError:
        return When(text)
    if end is not None and end <= start:
        return When(text, _iso(start), None, DAY)
    return When(text, _iso(start), _iso(end), DAY)


_PARSER = DateDataParser(languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first",
                                                      "RETURN_AS_TIMEZONE_AWARE": False})


def _absolute(text: str, rules: TimeRules) -> When | None:
    """Other full dates ("23rd of January, 2026", "2026-01-23"), read by dateparser.

    Only tried when the text holds a year and a month name (or is an ISO date), so that
    nothing relative is guessed and "2024-25" or "12/03/2025" (ambiguous) stay unread."""
    has_month = any(word in rules.months for word in re.findall(r"[a-z]+", text))
    iso = re.fullmatch(rf"{YEAR_RE}-\d{{2}}-\d{{2}}", text)
    if not (iso or (has_month and re.search(rf"\b{YEAR_RE}\b", text))):
        return None
    data = _PARSER.get_date_data(text)
    if data.date_obj is None or data.period not in (DAY, MONTH, YEAR):
        return None
    found = data.date_obj.date()
    if data.period == MONTH:
        found = found.replace(day=1)
    elif data.period == YEAR:
        found = found.replace(month=1, day=1)
    return When(text, _iso(found), None, data.period)


def resolve_when(text: str, published: str | None, tense: str | None = None,
                 lexicon: Lexicon | None = None) -> When:
    """The date an expression refers to; see the module docstring for the rules.

    ``tense`` ("past" / "future" / None) is the tense of the clause the expression is in;
    it only matters for weekdays and for dates written without a year.
    """
    return replace(_resolve(text, published, tense, lexicon or load_lexicon()))  # a copy


@lru_cache(maxsize=4096)
def _resolve(text: str, published: str | None, tense: str | None, lexicon: Lexicon) -> When:
    rules = _rules(lexicon)
    base = _parse_published(published)
    normalised = _normalise(text)
    core = _strip_prepositions(normalised, rules)
    if normalised.startswith("since ") or normalised.endswith(" ago"):
        tense = "past"
    if not core or core in rules.not_time:
        return When(text)
    core = _drop_weekday_before_date(core, rules)
    found = _relative(core, base, tense, rules) if base is not None else None
    if found is None:
        found = _shaped(core, base, tense, rules) or _absolute(core, rules)
    if found is None:
        return When(text)
    return When(text, found.date, found.end, found.precision if found.date else None)


# --------------------------------------------------------------------------- finding


def _governing_verb(token: Token) -> Token | None:
    for _ in range(5):
        if token.pos_ in ("VERB", "AUX"):
            return token
        if token.head.i == token.i:
            return None
        token = token.head
    return None


def clause_tense(span: Span, lexicon: Lexicon | None = None) -> str | None:
    """"past", "future" or None for the clause a time expression sits in."""
    rules = _rules(lexicon or load_lexicon())
    verb = _governing_verb(span.root)
    if verb is None:
        return None
    chain = [verb]
    while chain[-1].dep_ in ("xcomp", "ccomp", "conj") and chain[-1].head.i != chain[-1].i \
            and len(chain) < 4:
        chain.append(chain[-1].head)
    for v in chain:
        aux = [c for c in v.children if c.dep_ in ("aux", "auxpass")]
        if any(a.lower_ in rules.future_aux or a.lemma_ in rules.future_aux for a in aux):
            return "future"
        if v.lemma_ in rules.future_verbs or v.lower_ in rules.future_verbs:
            return "future"
    aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    if verb.tag_ == "VBD" or any(a.tag_ == "VBD" for a in aux) or (
        verb.tag_ == "VBN" and any(a.lemma_ in rules.perfect_aux for a in aux)
    ):
        return "past"
    return None


def _with_preposition(doc: Doc, start: int, end: int, rules: TimeRules) -> tuple[int, int]:
    """Widen a token range to the temporal preposition right before it: "on Sunday"."""
    root = doc[start:end].root
    for prep in rules.prepositions:
        words = prep.split()
        i = start - len(words)
        if i >= 0 and [t.lower_ for t in doc[i:start]] == words and root.head.i in range(i, start):
            return i, end
    return start, end


def _candidate_ranges(document: Document, doc: Doc, rules: TimeRules) -> list[tuple[int, int]]:
    """Token ranges of time expressions: spaCy entities and the extra text patterns."""
    ranges: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ in ("DATE", "TIME") and _normalise(ent.text) not in rules.not_time:
            if ent.root.dep_ == "amod" and ent.root.head.i >= ent.end and len(ent) == 1 \
                    and not ent[0].like_num:
                continue  # an adjective such as "annual", "late-night"
            if len(ent) == 1 and re.fullmatch(r"\d{1,3}", ent.text):
                continue  # a bare small number (an age, a count) is not a date
            ranges.append((ent.start, ent.end))
    for pattern in rules.text_patterns:
        for m in pattern.finditer(document.text):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is not None:
                ranges.append((span.start, span.end))
    ranges.sort(key=lambda r: (r[0], -(r[1] - r[0])))
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def find_times(document: Document, doc: Doc, lexicon: Lexicon) -> list[TimeExpression]:
    """Every time expression of the document with its resolved date and its sentence."""
    rules = _rules(lexicon)
    found: list[TimeExpression] = []
    for start, end in _candidate_ranges(document, doc, rules):
        start, end = _with_preposition(doc, start, end, rules)
        span = doc[start:end]
        while len(span) > 1 and span[-1].is_punct:
            span = span[:-1]
        when = resolve_when(span.text, document.published, clause_tense(span, lexicon), lexicon)
        found.append(TimeExpression(
            document=document.source,
            when=when,
            evidence=span.sent.text,
            start=span.start_char,
            end=span.end_char,
        ))
    return found


def times_in(times: list[TimeExpression], start: int, end: int) -> list[TimeExpression]:
    """The time expressions lying inside the character range [start, end), e.g. a sentence."""
    return [t for t in times if t.start >= start and t.end <= end]
