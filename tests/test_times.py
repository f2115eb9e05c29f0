"""Time expressions: finding them and resolving them against the publication date.

Sentences are written for these tests (not taken from any article).
Publication date used throughout: Wednesday 2026-03-11.
"""

from __future__ import annotations

import pytest

from parley.extract.times import find_times, resolve_when
from parley.lexicon import load_lexicon
from parley.nlp import load_pipeline
from parley.records import Document

WEDNESDAY = "2026-03-11"


def resolved(text: str, published: str | None = WEDNESDAY, tense: str | None = None):
    when = resolve_when(text, published, tense)
    return when.date, when.end, when.precision


@pytest.mark.parametrize(
    "text, tense, date",
    [
        ("on Friday", "future", "2026-03-13"),
        ("on Friday", "past", "2026-03-06"),
        ("Friday", None, "2026-03-13"),  # two days ahead is nearer than five days back
        ("Monday", None, "2026-03-09"),  # two days back is nearer than five ahead
        ("on Wednesday", "past", WEDNESDAY),  # the publication day itself
        ("last Friday", None, "2026-03-06"),
        ("next Monday", None, "2026-03-16"),
        ("late Saturday night", "past", "2026-03-07"),
    ],
)
def test_weekdays_resolve_around_publication_by_tense(text, tense, date):
    assert resolved(text, tense=tense) == (date, None, "day")


def test_a_day_range_gives_start_and_end():
    assert resolved("April 2-3") == ("2026-04-02", "2026-04-03", "day")
    assert resolved("on 2-3 April 2027") == ("2027-04-02", "2027-04-03", "day")


def test_a_day_without_year_takes_the_nearest_year():
    assert resolved("by February 27") == ("2026-02-27", None, "day")
    assert resolved("December 30") == ("2025-12-30", None, "day")
    assert resolved("December 30", tense="future") == ("2026-12-30", None, "day")


def test_months_and_years():
    assert resolved("from October 2028") == ("2028-10-01", None, "month")
    assert resolved("as early as June") == ("2026-06-01", None, "month")
    assert resolved("by 2030") == ("2030-01-01", None, "year")
    assert resolved("last month") == ("2026-02-01", None, "month")
    assert resolved("next year") == ("2027-01-01", None, "year")


def test_relative_days_and_weeks():
    assert resolved("overnight") == ("2026-03-10", WEDNESDAY, "day")
    assert resolved("yesterday") == ("2026-03-10", None, "day")
    assert resolved("three days ago") == ("2026-03-08", None, "day")
    assert resolved("earlier this week") == ("2026-03-09", "2026-03-10", "day")
    assert resolved("later this week") == ("2026-03-12", "2026-03-15", "day")
    assert resolved("this week") == ("2026-03-09", "2026-03-15", "day")
    assert resolved("this weekend") == ("2026-03-14", "2026-03-15", "day")


def test_earlier_this_week_on_a_monday_is_left_open():
    assert resolved("earlier this week", published="2026-03-09") == (None, None, None)


def test_without_publication_only_absolute_dates_resolve():
    assert resolved("Sunday", published=None) == (None, None, None)
    assert resolved("December 30", published=None) == (None, None, None)
    assert resolved("overnight", published=None) == (None, None, None)
    assert resolved("March 4, 2026", published=None) == ("2026-03-04", None, "day")
    assert resolved("4th of March, 2026", published=None) == ("2026-03-04", None, "day")
    assert resolved("since 2014", published=None) == ("2014-01-01", None, "year")


@pytest.mark.parametrize("text", ["two days", "five hours", "recent decades", "next winter",
                                  "annual"])
def test_durations_and_vague_words_stay_unresolved(text):
    when = resolve_when(text, WEDNESDAY)
    assert (when.text, when.date, when.precision) == (text, None, None)


@pytest.fixture(scope="session")
def times_of():
    nlp = load_pipeline()
    lexicon = load_lexicon()

    def run(text: str, published: str | None = WEDNESDAY):
        document = Document(id="t", source="test.txt", text=text, published=published)
        return find_times(document, nlp(text), lexicon)

    return run


def test_find_times_resolves_with_the_tense_of_the_clause(times_of):
    text = ("The envoys met in Oslo on Monday. "
            "They are expected to meet again in Rome on Monday.")
    found = times_of(text)
    assert [(text[t.start:t.end], t.when.date) for t in found] == [
        ("on Monday", "2026-03-09"), ("on Monday", "2026-03-16")]
    assert found[1].evidence == "They are expected to meet again in Rome on Monday."


def test_find_times_adds_what_the_entity_recogniser_misses(times_of):
    text = ("Overnight, shelling hit the port. A delegation visited the site earlier this week "
            "and talks are planned for May 18-19.")
    found = {t.when.text: t.when for t in times_of(text)}
    assert found["Overnight"].date == "2026-03-10"
    assert (found["earlier this week"].date, found["earlier this week"].end) == (
        "2026-03-09", "2026-03-10")
    range_text = next(k for k in found if "18-19" in k)
    assert (found[range_text].date, found[range_text].end) == ("2026-05-18", "2026-05-19")


def test_durations_are_found_but_not_dated_and_adjectives_are_dropped(times_of):
    found = times_of("After two days of talks at the annual forum, the ministers left.")
    assert [(t.when.text, t.when.date) for t in found] == [("After two days", None)]


def test_without_publication_relative_times_are_found_undated(times_of):
    found = times_of("The council voted on Tuesday to extend the mandate until 2031.",
                     published=None)
    assert [(t.when.text, t.when.date) for t in found] == [("on Tuesday", None),
                                                           ("until 2031", "2031-01-01")]
