"""Time expressions of one document, and their dates resolved against publication.

``resolve_when(text, published, tense)`` turns an expression as written ("on Sunday",
"January 23-24", "earlier this week", "by 2027") into a :class:`When`:

- ``date`` (``YYYY-MM-DD``) and, for ranges, ``end``; ``precision`` day | month | year.
  A month is dated by its first day, a year by 1 January. A quarter ("the fourth quarter
  of 2024", "Q3", "third-quarter") is the range of its three months at month precision.
- Relative expressions ("Sunday", "this week", "overnight", "two days ago", "last
  month", "December 20" without a year) need ``published``; without it they stay
  unresolved (date None). Absolute ones ("January 23, 2026", "September 2027", "2027")
  resolve without it.
- A weekday is the nearest such day to publication: the last one for a past ``tense``,
  the coming one for a future ``tense`` (the publication day itself counts for both),
  and without a tense the nearer of the two (they are never equally near). "last" and
  "next"/"this"/"coming" before it force the direction. "the weekend" alike.
- A day, month or quarter without a year takes the year that puts it nearest to
  publication (in the past or the future when ``tense`` says so). "'91" is the year
  ending so nearest to publication. ``clause_tense`` reads the tense: a past verb, a
  perfect, or a past participle without auxiliary ("reforms approved in March") is
  past; "will", "is expected to", "plans to" are future.
- Weeks run Monday to Sunday. "this week" is that whole week, "earlier this week" its
  days before publication (unresolved when published on a Monday), "later this week" its
  days after, "this weekend" its Saturday and Sunday. "overnight" is the night before
  publication: date the day before, end the publication day. "the last week of May" is
  the last Monday-to-Sunday week wholly in March.
- Ranges of years, months or days ("between 2019 and 2021", "from April to June") run
  from the first day of their first part to the last day of their second.
- Durations ("two days", "five hours"), seasons and vague words ("recent") stay unresolved,
  and so does a date outside Python's calendar, years 1 to 9999 ("999999999 days ago",
  "next year" in a feed dated 9999-12-31).

Some expressions point back to the date last mentioned before them in the article
(``mentioned``, a :class:`Mentions`), or to publication when none was: "the same day",
"that day", "later in the day", "a second consecutive day", "the fourth week in a row",
"the same month a year ago", "the same period last year", "the previous year", "the year
before", "a year earlier", "by that time". A date after "since" is a point of comparison
and is not pointed back to.

``find_times`` finds every expression: spaCy's DATE/TIME entities, less adjectives that
locate nothing ("annual"), plus what spaCy misses (``patterns`` in times.toml). The
preposition before an expression belongs to its text ("on Sunday", "by 2027"). An
expression never runs over a line break (a headline ending in a year, then the date
line). When an expression with a comma has no date but its part before the comma has
one ("April 20, two days later"), the parts are read apart, and a part after the
comma that only relates to the first ("two days later than scheduled") takes its date.
The expressions are read in document order, each pointing back to those before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache

from dateparser.date import DateDataParser
from spacy.tokens import Doc, Span, Token

from parley.lexicon import Lexicon, load_lexicon
from parley.records import Document, TimeExpression, When

DAY = "day"
WEEK = "week"
MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
PERIOD = "period"  # whatever the last mentioned date was: "that time", "the same period"
YEAR_RE = r"(?:19|20)\d{2}"


def _alternation(words) -> str:
    """A regex alternative of words, longest first (matches nothing when there are none)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!x)x"


class TimeRules:
    """The vocabulary of times.toml, compiled once per lexicon table."""

    def __init__(self, table: dict) -> None:
        self.weekdays = [w.lower() for w in table.get("weekdays", [])]
        self.months = {k.lower(): int(v) for k, v in table.get("months", {}).items()}
        self.relative_days = {k.lower(): int(v) for k, v in table.get("relative_days", {}).items()}
        self.number_words = {k.lower(): int(v) for k, v in table.get("number_words", {}).items()}
        self.ordinals = {k.lower(): int(v) for k, v in table.get("ordinals", {}).items()}
        self.final_words = {w.lower() for w in table.get("final_words", [])}
        self.prepositions = sorted((p.lower() for p in table.get("prepositions", [])),
                                   key=len, reverse=True)
        self.leading = sorted(set(self.prepositions) | {w.lower() for w in table.get(
            "leading_words", [])}, key=len, reverse=True)
        self.day_parts = set(table.get("day_parts", []))
        self.not_time = set(table.get("not_time_expressions", []))
        self.not_time_patterns = [re.compile(p) for p in table.get("not_time_patterns", [])]
        self.future_verbs = set(table.get("future_verbs", []))
        self.future_aux = set(table.get("future_auxiliaries", []))
        self.perfect_aux = set(table.get("perfect_auxiliaries", []))
        self.reschedule_verbs = set(table.get("reschedule_verbs", []))
        month_names = _alternation(self.months)
        self.month_re = rf"(?P<month>{month_names})\.?"
        self.extra = [re.compile(p, re.IGNORECASE) for p in table.get("patterns", [])]
        day = r"(?P<d1>\d{1,2})(?:st|nd|rd|th)?"
        day2 = r"(?P<d2>\d{1,2})(?:st|nd|rd|th)?"
        dash = r"\s*(?:-|–|—|to|and|through)\s*"
        year = rf"(?:,?\s+(?P<year>{YEAR_RE}))?"
        qualified = rf"(?:(?:{_alternation(table.get('period_qualifiers', []))})[\s-]+)?"
        self.shapes = [  # (regex over the normalised text, precision, is_range)
            (re.compile(rf"^{self.month_re}\s+{day}{dash}{day2}{year}$"), DAY, True),
            (re.compile(rf"^{day}{dash}{day2}\s+(?:of\s+)?{self.month_re}{year}$"), DAY, True),
            (re.compile(rf"^{self.month_re}\s+{day}{year}$"), DAY, False),
            (re.compile(rf"^{day}\s+(?:of\s+)?{self.month_re}{year}$"), DAY, False),
            (re.compile(rf"^{qualified}{self.month_re}{year}$"), MONTH, False),
            (re.compile(rf"^{qualified}(?:the\s+)?(?P<year>{YEAR_RE})$"), YEAR, False),
        ]
        ordinal = _alternation(self.ordinals)
        final = _alternation(self.final_words)
        # "the fourth quarter of 2024", "the first quarter of last year", "third-quarter"
        self.quarter = re.compile(
            rf"^(?P<which>{ordinal}|{final})[\s-]+quarter(?:\s+of\s+(?:fiscal\s+)?"
            rf"(?:(?P<year>{YEAR_RE})|(?P<relative>this|last|next) year))?$")
        self.quarter_code = re.compile(  # "q3", "q3 2024", "2024 q3"
            rf"^(?:q(?P<q1>[1-4])(?:\s+(?:of\s+)?(?P<y1>{YEAR_RE}))?"
            rf"|(?P<y2>{YEAR_RE})\s+q(?P<q2>[1-4]))$")
        self.month_week = re.compile(  # "the last week of may", "the first week of june 2025"
            rf"^(?P<which>{ordinal}|{final}) week of {self.month_re}{year}$")
        self.range = re.compile(  # "between 2019 and 2021", "april to june", "2019-2021"
            rf"^between\s+(?P<first>.+?)\s+and\s+(?P<last>.+)$"
            rf"|^(?P<first_to>.+?)\s+(?:to|through|until|till)\s+(?P<last_to>.+)$"
            rf"|^(?P<first_year>{YEAR_RE})\s*-\s*(?P<last_year>{YEAR_RE})$")
        self.references = ReferenceRules(table.get("references", {}), self)
        # The text patterns find_times looks for besides spaCy's entities.
        side = rf"(?:{YEAR_RE}|(?:{month_names})\.?(?:\s+{YEAR_RE})?)"
        self.text_patterns = self.extra + [
            re.compile(rf"\b{self.month_re}\s+\d{{1,2}}(?:st|nd|rd|th)?\s*[-–]\s*\d{{1,2}}\b"
                       rf"(?:,?\s+{YEAR_RE})?", re.IGNORECASE),
            re.compile(rf"\b\d{{1,2}}\s*[-–]\s*\d{{1,2}}\s+{self.month_re}(?:\s+{YEAR_RE})?\b",
                       re.IGNORECASE),
            re.compile(rf"\b(?:between|from)\s+{side}\s+(?:and|to|through|until)\s+{side}\b",
                       re.IGNORECASE),
            # a date written in full, such as a date line spaCy leaves out: "March 4, 2026"
            re.compile(rf"\b(?:{month_names})\.?[^\S\n]+\d{{1,2}}(?:st|nd|rd|th)?,?"
                       rf"[^\S\n]+{YEAR_RE}\b", re.IGNORECASE),
            re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?[^\S\n]+(?:of[^\S\n]+)?(?:{month_names})\.?,?"
                       rf"[^\S\n]+{YEAR_RE}\b", re.IGNORECASE),
        ]


class ReferenceRules:
    """The ``[references]`` table of times.toml: expressions that point back."""

    def __init__(self, table: dict, rules: TimeRules) -> None:
        self.bare_units = set(table.get("bare_units", []))
        self.comparison_prepositions = [w.lower() for w in table.get("comparison_prepositions", [])]
        self.relations = {w.lower() for w in table.get("before", []) + table.get("after", [])}
        self.runs = [w.lower() for w in table.get("runs", [])]
        same, before, after = (_alternation(table.get(k, [])) for k in ("same", "before", "after"))
        edge = (r"(?:(?:early|earlier|late|later) in |(?:the )?(?:start|beginning|middle|end|"
                r"rest|close|remainder) of )?")
        unit = r"(?P<unit>day|week|month|quarter|year|period|time|point|date)"
        year_back = rf"(?: (?P<year_back>{_alternation(table.get('year_back', []))}))?"
        # "the same day", "that month", "the day before", "the previous year", "the same
        # period a year earlier", "later in the day"
        self.named = re.compile(
            rf"^{edge}(?P<article>the|that) (?:(?P<same>{same}) |(?P<pre_before>{before}) |"
            rf"(?P<pre_after>{after}) )?{unit}"
            rf"(?: (?P<post_before>{before})| (?P<post_after>{after}))?{year_back}$")
        # "a year earlier", "two days later"
        count = _alternation(rules.number_words)
        self.counted = re.compile(
            rf"^(?P<count>\d+|{count}) (?P<unit>day|week|month|year)s? "
            rf"(?:(?P<before>{before})|(?P<after>{after}))$")
        # "a second consecutive day", "the fourth week in a row", "its worst month"
        runs = _alternation(self.runs)
        self.run = re.compile(
            rf"^(?:(?:the|a|an) )?(?:(?P<ordinal>{_alternation(rules.ordinals)})|"
            rf"(?P<superlative>{_alternation(table.get('superlatives', []))})) "
            rf"(?:(?P<run_before>{runs}) )?(?P<unit>day|week|month|quarter|year)"
            rf"(?: (?P<run_after>{runs}))?$")


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


def _strip_prepositions(text: str, rules: TimeRules, keep: frozenset[str] = frozenset()) -> str:
    """The expression without the prepositions and leading words before it (but ``keep``)."""
    changed = True
    while changed:
        changed = False
        for prep in rules.leading:
            if prep in keep or text.startswith(prep + " of "):
                continue
            if text.startswith(prep + " "):
                text = text[len(prep) + 1:]
                changed = True
                break  # start again from the longest: "until at least 2014"
    return text


def _first_day(year: int, month: int = 1) -> str:
    """The first day of a month as YYYY-MM-DD; ValueError outside years 1 to 9999."""
    return date(year, month, 1).isoformat()


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_start(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(day: date) -> date:
    return _month_start(day, 1) - timedelta(days=1)


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _quarter_end(start: date) -> date:
    """The last day of the quarter beginning on ``start``."""
    return _month_end(_month_start(start, 2))


def _quarter_when(text: str, start: date) -> When:
    """The quarter beginning on ``start``: its three months, at month precision."""
    return When(text, _iso(start), _iso(_quarter_end(start)), MONTH)


def _is_quarter(first: date, last: date | None) -> bool:
    return (last is not None and first.day == 1 and first.month % 3 == 1
            and last == _quarter_end(first))


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


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
    for reader in (_ago, _named_period, _named_month_phrase, _weekday_phrase, _weekend,
                   _two_digit_year):
        found = reader(text, base, tense, rules)
        if found is not None:
            return found
    return None


def _weekend(text: str, base: date, tense: str | None, rules: TimeRules) -> When | None:
    """"the weekend": its Saturday and Sunday nearest to publication, as for a weekday."""
    if text != "weekend":
        return None
    saturday = _weekday(5, base, tense, None)
    return When(text, _iso(saturday), _iso(saturday + timedelta(days=1)), DAY)


def _two_digit_year(text: str, base: date, tense: str | None, rules: TimeRules) -> When | None:
    """"'91": the year ending in 91 that is nearest to publication."""
    m = re.fullmatch(r"'(\d{2})", text)
    if not m:
        return None
    century = base.year // 100 * 100
    year = min((century + shift + int(m.group(1)) for shift in (-100, 0, 100)),
               key=lambda y: abs(y - base.year))
    return When(text, _first_day(year), None, YEAR)


def _ago(text: str, base: date, tense: str | None, rules: TimeRules) -> When | None:
    """"two days ago", "3 weeks ago", "a year ago"."""
    ago = re.fullmatch(r"(\w+) (day|week|month|year)s? ago", text)
    if not ago:
        return None
    n = int(ago.group(1)) if ago.group(1).isdecimal() else rules.number_words.get(ago.group(1))
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
                          r"(week|weekend|month|quarter|year)( previous| before)?", text)
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
        return When(text, _first_day(year, rules.months[after.group(1)]), None, MONTH)
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
    return When(text, _first_day(year, month), None, MONTH)


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
    if unit == "quarter":
        return _quarter_when(text, _month_start(_quarter_start(base), 3 * shift))
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


def _quarter(text: str, base: date | None, tense: str | None, rules: TimeRules) -> When | None:
    """"the fourth quarter of 2024", "the first quarter of last year", "third-quarter",
    "the final quarter", "Q3 2024". Without a year, the nearest fitting the tense."""
    m = rules.quarter.match(text)
    code = rules.quarter_code.match(text)
    if m:
        year = int(m["year"]) if m["year"] else None
        if m["relative"] and base is not None:
            year = base.year + {"this": 0, "last": -1, "next": 1}[m["relative"]]
        if m["which"] in rules.final_words:
            if year is None and m["which"] == "last":
                return None  # "last quarter": the one before publication's (_named_period)
            number = 4
        else:
            number = rules.ordinals[m["which"]]
    elif code:
        number = int(code["q1"] or code["q2"])
        year = int(code["y1"] or code["y2"]) if (code["y1"] or code["y2"]) else None
    else:
        return None
    if not 1 <= number <= 4:
        return None
    if year is not None:
        return _quarter_when(text, date(year, 3 * number - 2, 1))
    if base is None:
        return When(text)
    return _quarter_when(text, _nearest_quarter(number, base, tense))


def _nearest_quarter(number: int, base: date, tense: str | None) -> date:
    """The start of the quarter ``number`` nearest to ``base``: one already begun for a
    past tense, one not yet over for a future tense."""
    starts = [date(year, 3 * number - 2, 1) for year in (base.year - 1, base.year, base.year + 1)]
    if tense == "past":
        starts = [s for s in starts if s <= base]
    elif tense == "future":
        starts = [s for s in starts if _quarter_end(s) >= base]

    def distance(start: date) -> int:
        end = _quarter_end(start)
        return 0 if start <= base <= end else min(abs((start - base).days), abs((end - base).days))
    return min(starts, key=distance)


def _month_week(text: str, base: date | None, tense: str | None, rules: TimeRules) -> When | None:
    """"the first week of May", "the last week of May 2025": a Monday-to-Sunday week
    lying wholly in the month."""
    m = rules.month_week.match(text)
    if not m:
        return None
    month = rules.months[m["month"]]
    if m["year"]:
        first = date(int(m["year"]), month, 1)
    elif base is not None:
        first = _nearest_year(month, 1, base, tense)
    else:
        return When(text)
    if m["which"] in rules.final_words:
        sunday = _month_end(first) - timedelta(days=(_month_end(first).weekday() + 1) % 7)
        monday = sunday - timedelta(days=6)
    else:
        first_monday = first + timedelta(days=(7 - first.weekday()) % 7)
        monday = first_monday + timedelta(weeks=rules.ordinals[m["which"]] - 1)
        if monday.month != month or (monday + timedelta(days=6)).month != month:
            return When(text)
    return When(text, _iso(monday), _iso(monday + timedelta(days=6)), DAY)


def _range(text: str, base: date | None, tense: str | None, rules: TimeRules) -> When | None:
    """"between 2019 and 2021", "from April to June", "March 30 to April 2": from the first
    day of the first part to the last day of the second. The second part is read first;
    the first takes its year from it when it has none."""
    m = rules.range.match(text)
    if not m:
        return None
    first_text = m["first"] or m["first_to"] or m["first_year"]
    last_text = m["last"] or m["last_to"] or m["last_year"]
    last = _shaped(last_text, base, tense, rules)
    if last is None or not last.date:
        return None
    last_start = date.fromisoformat(last.date)
    first = _shaped(first_text, last_start, "past", rules)
    if first is None or not first.date or first.precision != last.precision:
        return None
    if first.date > last.date:
        return None
    end = date.fromisoformat(last.end) if last.end else last_start
    if last.precision == MONTH:
        end = _month_end(end)
    elif last.precision == YEAR:
        end = date(end.year, 12, 31)
    return When(text, first.date, _iso(end), last.precision)


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
                 lexicon: Lexicon | None = None, mentioned: Mentions | None = None) -> When:
    """The date an expression refers to; see the module docstring for the rules.

    ``tense`` ("past" / "future" / None) is the tense of the clause the expression is in;
    it only matters for weekdays and for dates written without a year. ``mentioned`` holds
    the dates the article gave before the expression, for those that point back ("the
    same day"); without it they point back to publication.
    """
    lexicon = lexicon or load_lexicon()
    try:
        reference = _reference(text, lexicon)
        if reference is not None:
            return (mentioned or Mentions(_parse_published(published))).resolve(text, reference)
        return replace(_resolve(text, published, tense, lexicon))  # a copy
    except (OverflowError, ValueError):  # the date falls outside years 1 to 9999
        return When(text)


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
    for reader in (_shaped, _quarter, _month_week, _range):
        found = found or reader(core, base, tense, rules)
    found = found or _absolute(core, rules)
    if found is None:
        return When(text)
    return When(text, found.date, found.end, found.precision if found.date else None)


# --------------------------------------------------------------------------- pointing back


@dataclass(frozen=True)
class Reference:
    """An expression pointing back to the last mentioned ``unit``: ``shift`` units after
    it (before it when negative), then ``years`` years after it."""

    unit: str  # day | week | month | quarter | year | period (the last date as it was)
    shift: int = 0
    years: int = 0


@lru_cache(maxsize=4096)
def _reference(text: str, lexicon: Lexicon) -> Reference | None:
    """The Reference an expression makes, or None when it does not point back."""
    rules = _rules(lexicon)
    core = _strip_prepositions(_normalise(text), rules, keep=frozenset({"the"}))
    refs = rules.references
    for reader in (_named_reference, _counted_reference, _run_reference):
        found = reader(core, rules, refs)
        if found is not None:
            return found
    return None


def _named_reference(core: str, rules: TimeRules, refs: ReferenceRules) -> Reference | None:
    """"the same day", "that month", "the previous year", "the day before", "the same
    period a year earlier", "later in the day", "by that time"."""
    m = refs.named.match(core)
    if not m:
        return None
    unit = PERIOD if m["unit"] in ("period", "time", "point", "date") else m["unit"]
    before = m["pre_before"] or m["post_before"]
    after = m["pre_after"] or m["post_after"]
    named = m["same"] or before or after or m["year_back"] or m["article"] == "that"
    if not named and unit not in refs.bare_units:
        return None  # "the end of the year": the current one
    if unit == PERIOD and (before or after or not (m["same"] or m["article"] == "that")):
        return None
    if after == "next" and unit != DAY:
        return None  # "the next week": from publication
    shift = -1 if before else 1 if after else 0
    return Reference(unit, shift, -1 if m["year_back"] else 0)


def _counted_reference(core: str, rules: TimeRules, refs: ReferenceRules) -> Reference | None:
    """"a year earlier", "two days later", "a week before"."""
    m = refs.counted.match(core)
    if not m:
        return None
    count = int(m["count"]) if m["count"].isdecimal() else rules.number_words.get(m["count"], 1)
    count = -count if m["before"] else count
    if m["unit"] == YEAR:
        return Reference(PERIOD, 0, count)
    if m["unit"] == WEEK:
        return Reference(DAY, 7 * count)
    return Reference(m["unit"], count)


def _run_reference(core: str, rules: TimeRules, refs: ReferenceRules) -> Reference | None:
    """"a second consecutive day", "the fourth week in a row", "its worst month": the period
    being reported."""
    m = refs.run.match(core)
    if not m or not (m["superlative"] or m["run_before"] or m["run_after"]):
        return None
    return Reference(m["unit"])


class Mentions:
    """The dates an article has given so far, read in order, and what expressions that
    point back mean against them. Before any, publication stands in."""

    def __init__(self, published: date | None) -> None:
        self.day = published  # the last single day
        self.month = published  # the last single day or month
        self.quarter = _quarter_start(published) if published else None
        self.year = published.year if published else None
        self.period = When("", _iso(published), None, DAY) if published else None

    def add(self, when: When) -> None:
        """Take ``when`` as the latest date the article gave."""
        if not when.date:
            return
        first = date.fromisoformat(when.date)
        last = date.fromisoformat(when.end) if when.end else None
        self.period, self.year = when, first.year
        if last is None and when.precision in (DAY, MONTH):
            self.month = first
            self.quarter = _quarter_start(first)
            if when.precision == DAY:
                self.day = first
        elif _is_quarter(first, last):
            self.quarter = first

    def resolve(self, text: str, reference: Reference) -> When:
        """The date ``text`` points back to; undated without publication or earlier date."""
        unit, shift, years = reference.unit, reference.shift, reference.years
        if unit in (DAY, WEEK) and self.day is not None:
            day = _years_later(self.day + timedelta(days=shift * (7 if unit == WEEK else 1)), years)
            if unit == DAY:
                return When(text, _iso(day), None, DAY)
            monday = _week_start(day)
            return When(text, _iso(monday), _iso(monday + timedelta(days=6)), DAY)
        if unit == MONTH and self.month is not None:
            return When(text, _iso(_month_start(self.month, shift + 12 * years)), None, MONTH)
        if unit == QUARTER and self.quarter is not None:
            return _quarter_when(text, _month_start(self.quarter, 3 * shift + 12 * years))
        if unit == YEAR and self.year is not None:
            return When(text, _first_day(self.year + shift + years), None, YEAR)
        if unit == PERIOD and self.period is not None:
            first = _years_later(date.fromisoformat(self.period.date), years)
            last = self.period.end and _years_later(date.fromisoformat(self.period.end), years)
            return When(text, _iso(first), _iso(last), self.period.precision)
        return When(text)


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
    if verb is None or _new_date_of(span, verb, rules):
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
    ) or _bare_participle(verb):
        return "past"  # "met", "had met", "has met", "reforms approved in March"
    return None


def _new_date_of(span: Span, verb: Token, rules: TimeRules) -> bool:
    """Whether ``span`` is the date a meeting was moved to: the object of "to", "until" or
    "for" after a rescheduling verb ("moved to March 27", "postponed until May")."""
    preps = ("to", "until", "till", "for")
    prep = span.root if span.root.lower_ in preps else span.root.head  # "until April 2" holds its preposition
    return (prep.lower_ in preps and prep.head.i == verb.i
            and verb.lemma_ in rules.reschedule_verbs)


def _bare_participle(verb: Token) -> bool:
    """A past participle without auxiliary that modifies a noun or a clause ("reforms
    approved in March", "Signed in May, the deal ...") or heads a headline ("Deal
    signed in Geneva"): it tells of the past."""
    return verb.tag_ == "VBN" and verb.dep_ in ("acl", "advcl", "ROOT") and not any(
        c.dep_ in ("aux", "auxpass") for c in verb.children)


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
        if ent.label_ in ("DATE", "TIME"):
            if ent.root.dep_ == "amod" and ent.root.head.i >= ent.end and len(ent) == 1 \
                    and not ent[0].like_num:
                continue  # an adjective such as "annual", "late-night"
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


def _single_lines(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """A token range cut at its line breaks: an expression never runs over one."""
    pieces, piece_start = [], start
    for token in doc[start:end]:
        if "\n" in token.text:
            pieces.append((piece_start, token.i))
            piece_start = token.i + 1
    pieces.append((piece_start, end))
    return [(a, b) for a, b in pieces if b > a]


def _locates_time(span: Span, rules: TimeRules) -> bool:
    """False for what spaCy tags DATE but locates nothing: "annual", an age, a bare count."""
    text = _normalise(span.text)
    return not (text in rules.not_time or re.fullmatch(r"\d{1,3}", text)
                or any(p.fullmatch(text) for p in rules.not_time_patterns))


def _with_relation_after(span: Span, rules: TimeRules) -> Span:
    """"the year" + "previous", "the day" + "before", when spaCy leaves out the word that
    relates the expression and that word stands alone ("than the year previous", "said
    the day before that ..."); not when it has an object ("the day before the vote")."""
    doc, end = span.doc, span.end
    if end < len(doc) and _relation_word_alone(doc[end], span, rules):
        return doc[span.start:end + 1]
    return span


def _relation_word_alone(token: Token, span: Span, rules: TimeRules) -> bool:
    return (token.lower_ in rules.references.relations and span.start <= token.head.i < span.end
            and not any(c.dep_ in ("pobj", "pcomp") for c in token.children))


def _related_elsewhere(span: Span, rules: TimeRules) -> bool:
    """Does the word after the expression relate it to something other than a date before
    it: "two days later than scheduled", "the day before the vote"?"""
    doc, end = span.doc, span.end
    if end >= len(doc):
        return False
    after = doc[end]
    if after.lower_ == "than":
        return span[-1].lower_ in rules.references.relations
    return (after.lower_ in rules.references.relations and span.start <= after.head.i < span.end
            and not _relation_word_alone(after, span, rules))


def _named_day(span: Span, rules: TimeRules) -> bool:
    """A weekday that a capitalised word before it makes a name ("Black Monday", "Good
    Friday") is not the nearest such day."""
    before = span.doc[span.start - 1] if span.start > 0 else None
    return (len(span) == 1 and span[0].lower_ in rules.weekdays and before is not None
            and before.is_title and not before.is_sent_start and before.dep_ in ("amod", "compound")
            and before.head.i == span.start)


def _names_a_thing(span: Span) -> bool:
    """A date used as a noun's modifier ("the March 3 vote", "the 2014
    crisis") names a thing rather than the time the text is at."""
    doc = span.doc
    before = doc[span.start - 1] if span.start > 0 else None
    determined = span[0].pos_ == "DET" or (
        before is not None and (before.pos_ == "DET" or before.tag_ == "POS"))
    after = span.end + (1 if span.end < len(doc) and doc[span.end].text == "," else 0)
    return determined and after < len(doc) and doc[after].pos_ in ("NOUN", "PROPN")


def _trimmed(span: Span) -> Span | None:
    """The span without spaces at its ends and punctuation at its end; None when nothing
    is left."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and doc[start].is_space:
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return doc[start:end] if end > start else None


class _Reader:
    """Reads one document's expressions in order, each against the dates given before it."""

    def __init__(self, document: Document, lexicon: Lexicon) -> None:
        self.published = document.published
        self.lexicon = lexicon
        self.rules = _rules(lexicon)
        self.mentioned = Mentions(_parse_published(document.published))

    def read(self, span: Span) -> list[tuple[Span, When]]:
        """The expression's parts and their dates. A comma splits it when the whole has
        no date but the part before the comma has one."""
        when = self._when(span)
        comma = next((t.i for t in span if t.text == ","), None)
        head = _trimmed(span.doc[span.start:comma]) if comma is not None else None
        rest = _trimmed(span.doc[comma + 1:span.end]) if comma is not None else None
        if when.date or head is None or rest is None:
            return [self._remember(span, when)]
        head_when = self._when(head)
        if not head_when.date:
            return [self._remember(span, when)]
        parts = [self._remember(head, head_when)]
        for part, part_when in self.read(rest):
            if not part_when.date and self._relates(part):  # "two days later than scheduled"
                part_when = When(part.text, head_when.date, head_when.end, head_when.precision)
            parts.append((part, part_when))
        return parts

    def _when(self, span: Span) -> When:
        if _related_elsewhere(span, self.rules) or _named_day(span, self.rules):
            return When(span.text)
        return resolve_when(span.text, self.published, clause_tense(span, self.lexicon),
                            self.lexicon, self.mentioned)

    def _relates(self, span: Span) -> bool:
        """Does the expression end by relating to another time ("two days later")?"""
        return span[-1].lower_ in self.rules.references.relations

    def _remember(self, span: Span, when: When) -> tuple[Span, When]:
        """Take the expression's date as the one later expressions point back to, unless it
        is a point of comparison ("since 2001") or names a thing."""
        text = _normalise(span.text)
        if not (any(text.startswith(p + " ") for p in self.rules.references.comparison_prepositions)
                or _names_a_thing(span)):
            self.mentioned.add(when)
        return span, when


def _expression(doc: Doc, start: int, end: int, rules: TimeRules) -> Span | None:
    """The expression a candidate range stands for: trimmed, with the preposition before
    it and a relating word after it; None when it locates nothing in time."""
    piece = _trimmed(doc[start:end])
    if piece is None or not _locates_time(piece, rules):
        return None
    first, last = _with_preposition(doc, piece.start, piece.end, rules)
    return _with_relation_after(doc[first:last], rules)


def find_times(document: Document, doc: Doc, lexicon: Lexicon) -> list[TimeExpression]:
    """Every time expression of the document with its resolved date and its sentence."""
    rules = _rules(lexicon)
    reader = _Reader(document, lexicon)
    found: list[TimeExpression] = []
    for start, end in _candidate_ranges(document, doc, rules):
        for line_start, line_end in _single_lines(doc, start, end):
            span = _expression(doc, line_start, line_end, rules)
            if span is None:
                continue
            for part, when in reader.read(span):
                found.append(TimeExpression(
                    document=document.source,
                    when=when,
                    evidence=part.sent.text,
                    start=part.start_char,
                    end=part.end_char,
                ))
    return found


def times_in(times: list[TimeExpression], start: int, end: int) -> list[TimeExpression]:
    """The time expressions lying inside the character range [start, end), e.g. a sentence."""
    return [t for t in times if t.start >= start and t.end <= end]
