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


def test_the_date_a_meeting_was_moved_to_is_not_read_as_past(times_of):
    # The move is told in the past, but its new date lies ahead of publication (11 March).
    text = ("The third round has been moved to March 27, the mediators said. "
            "The ministers had postponed their call until April 2.")
    found = times_of(text)
    assert [(text[t.start:t.end], t.when.date) for t in found] == [
        ("March 27", "2026-03-27"), ("until April 2", "2026-04-02")]


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


# --------------------------------------------------------------------------- quarters, ranges


@pytest.mark.parametrize(
    "text, tense, first, last",
    [
        ("in the second quarter of 2024", None, "2024-04-01", "2024-06-30"),
        ("the first quarter of last year", None, "2025-01-01", "2025-03-31"),
        ("in the fourth quarter of this year", None, "2026-10-01", "2026-12-31"),
        ("the final quarter of 2023", None, "2023-10-01", "2023-12-31"),
        ("last quarter", None, "2025-10-01", "2025-12-31"),  # the one before publication's
        ("Q3 2022", None, "2022-07-01", "2022-09-30"),
        ("third-quarter", "past", "2025-07-01", "2025-09-30"),
        ("in the fourth quarter", "past", "2025-10-01", "2025-12-31"),
        ("in the fourth quarter", "future", "2026-10-01", "2026-12-31"),
        ("in the first quarter", "past", "2026-01-01", "2026-03-31"),  # already begun
    ],
)
def test_quarters_are_their_three_months(text, tense, first, last):
    assert resolved(text, tense=tense) == (first, last, "month")


def test_about_a_quarter_is_a_share_not_a_date():
    assert resolved("about a quarter") == (None, None, None)


@pytest.mark.parametrize(
    "text, tense, first, last, precision",
    [
        ("between 2019 and 2021", None, "2019-01-01", "2021-12-31", "year"),
        ("from 2030 to 2032", None, "2030-01-01", "2032-12-31", "year"),
        ("between May and July", "past", "2025-05-01", "2025-07-31", "month"),
        ("from November to February", "future", "2026-11-01", "2027-02-28", "month"),
        ("from March 30 to April 2", "future", "2026-03-30", "2026-04-02", "day"),
    ],
)
def test_ranges_run_from_the_first_part_to_the_end_of_the_second(text, tense, first, last,
                                                                  precision):
    assert resolved(text, tense=tense) == (first, last, precision)


def test_weeks_of_a_month_the_weekend_and_two_digit_years():
    assert resolved("in the last week of May") == ("2026-05-25", "2026-05-31", "day")
    assert resolved("the first week of June 2025") == ("2025-06-02", "2025-06-08", "day")
    assert resolved("during the weekend", tense="past") == ("2026-03-07", "2026-03-08", "day")
    assert resolved("since '91") == ("1991-01-01", None, "year")
    assert resolved("in '19") == ("2019-01-01", None, "year")


# --------------------------------------------------------------------------- pointing back


def test_references_without_earlier_dates_point_to_publication():
    assert resolved("the same day") == (WEDNESDAY, None, "day")
    assert resolved("the day before") == ("2026-03-10", None, "day")
    assert resolved("the previous year") == ("2025-01-01", None, "year")
    assert resolved("a second consecutive day") == (WEDNESDAY, None, "day")
    assert resolved("the end of the year") == ("2026-01-01", None, "year")  # the current one


def test_references_point_back_to_the_last_date_of_their_unit(times_of):
    text = ("The regulator fined the bank on Friday. Its shares slid later in the day, "
            "and the bank said the same day that it would appeal. Profit fell in January "
            "from the same month a year ago.")
    found = {t.when.text: t.when.date for t in times_of(text)}
    assert found["on Friday"] == "2026-03-06"
    assert found["later in the day"] == "2026-03-06"
    assert found["the same day"] == "2026-03-06"
    assert found["in January"] == "2026-01-01"
    assert found["from the same month a year ago"] == "2025-01-01"


def test_the_same_period_and_the_year_before_follow_the_last_period(times_of):
    text = ("The insurer earned $2 million in the third quarter of 2024, against a loss in "
            "the same period a year earlier. Costs fell in 2023, and rose the year before.")
    found = {t.when.text: (t.when.date, t.when.end) for t in times_of(text)}
    assert found["in the same period a year earlier"] == ("2023-07-01", "2023-09-30")
    assert found["the year before"] == ("2022-01-01", None)


def test_a_point_of_comparison_or_a_named_date_is_not_pointed_back_to(times_of):
    text = ("The index closed at its lowest since May 3, 2019 on Tuesday. Traders recalled "
            "the June 5, 2016 panic. Prices recovered later in the day.")
    found = {t.when.text: t.when.date for t in times_of(text)}
    assert found["later in the day"] == "2026-03-10"


def test_by_that_time_is_the_date_just_given(times_of):
    found = times_of("The lease runs out on April 30. By that time the tenants must leave.")
    assert [t.when.date for t in found] == ["2026-04-30", "2026-04-30"]


# --------------------------------------------------------------------------- finding


def test_an_expression_never_runs_over_a_line_break(times_of):
    text = "Shares climb to their highest since January\nMarch 11, 2026\nShares rose on Monday."
    found = [(text[t.start:t.end], t.when.date) for t in times_of(text)]
    assert [date for _, date in found] == ["2026-01-01", WEDNESDAY, "2026-03-09"]
    assert not any("\n" in found_text for found_text, _ in found)


def test_a_comma_parts_an_expression_that_only_its_head_dates(times_of):
    text = "The ferry will sail on April 20, two days later than the timetable said."
    found = [(text[t.start:t.end], t.when.date) for t in times_of(text)]
    assert found == [("April 20", "2026-04-20"), ("two days later", "2026-04-20")]


def test_a_date_line_spacy_misses_is_found(times_of):
    text = "Ministers meet again\n10 March 2026\nThe ministers met at the start of the day."
    found = {t.when.text: t.when.date for t in times_of(text, published="2026-03-12")}
    assert found["10 March 2026"] == "2026-03-10"
    assert found["the start of the day"] == "2026-03-10"


def test_a_bare_participle_clause_is_past(times_of):
    found = times_of("The reforms announced in November were shelved.")
    assert [t.when.date for t in found] == ["2025-11-01"]


def test_vague_times_are_found_undated_and_ages_are_not_times(times_of):
    found = times_of("The firm said it would hire more in the future. Its founder, who died "
                     "at the age of 81, later sold his stake.")
    assert [(t.when.text, t.when.date) for t in found] == [("in the future", None),
                                                           ("later", None)]


def test_a_weekday_named_by_a_capitalised_word_gets_no_date(times_of):
    found = times_of("Shops opened early on Black Friday.")
    assert [t.when.date for t in found if "Friday" in t.when.text] == [None]


@pytest.mark.parametrize(
    "text, published",
    [
        ("999999999 days ago", WEDNESDAY),  # before year 1
        ("9999999999 years ago", WEDNESDAY),
        ("next year", "9999-12-31"),  # a feed may say it was published on the calendar's last day
        ("next Monday", "9999-12-31"),
        ("September of next year", "9999-12-31"),
        ("last month", "0001-01-01"),
        ("a day earlier", "0001-01-01"),
        ("² days ago", WEDNESDAY),  # a superscript two is a digit to str.isdigit, not to int()
    ],
)
def test_a_date_beyond_the_calendar_stays_unresolved(text, published):
    assert resolved(text, published) == (None, None, None)
