"""Corpus views: the timeline of events and the party x issue position matrix."""

from __future__ import annotations

from parley.reconcile.positions import position_matrix
from parley.reconcile.timeline import build_timeline
from parley.records import Actor, Document, Event, Extraction, Position, When

ACTORS = [
    Actor("maria-lopez", "Maria Lopez", "person", affiliation="chile"),
    Actor("erik-olsen", "Erik Olsen", "person", affiliation="norway"),
    Actor("chile", "Chile", "country"),
    Actor("norway", "Norway", "country"),
    Actor("peru", "Peru", "country"),
]


def document(source: str, published: str | None) -> Document:
    return Document(id=source, source=source, text="", published=published)


def meeting(source, participants, place, when=None, status=None, evidence="", kind="meeting"):
    return Event(source, kind, participants, place, when, status, evidence or f"{place} report", 0, 10)


def extraction(source, events=(), positions=()):
    return Extraction(document=source, actors=ACTORS, events=list(events), positions=list(positions))


def test_two_reports_of_one_meeting_become_one_entry():
    docs = [document("a.txt", "2026-03-02"), document("b.txt", "2026-03-06")]
    extractions = [
        extraction("a.txt", [meeting("a.txt", ["maria-lopez", "erik-olsen"], "Geneva",
                                     When("on Thursday", "2026-03-05", None, "day"), "planned",
                                     "Lopez is expected in Geneva on Thursday for talks with Olsen.")]),
        extraction("b.txt", [meeting("b.txt", ["chile", "norway"], None, When("this week"), "held",
                                     "Chile and Norway held talks this week.")]),
    ]
    [entry] = build_timeline(docs, extractions)
    assert entry.kind == "meeting"
    assert entry.place == "Geneva"
    assert entry.when.date == "2026-03-05"
    assert entry.status == "held"  # the later report says it took place
    assert [r.document for r in entry.reports] == ["a.txt", "b.txt"]
    assert set(entry.participants) == {"maria-lopez", "erik-olsen", "chile", "norway"}


def test_rounds_in_different_places_or_months_stay_apart():
    docs = [document("dec.txt", "2025-12-20"), document("jan.txt", "2026-01-25"),
            document("feb.txt", "2026-02-01")]
    extractions = [
        extraction("dec.txt", [meeting("dec.txt", ["chile", "peru"], "Miami", status="held")]),
        extraction("jan.txt", [meeting("jan.txt", ["chile", "peru"], "Abu Dhabi",
                                       When("on January 23-24", "2026-01-23", "2026-01-24", "day"), "held")]),
        extraction("feb.txt", [meeting("feb.txt", ["chile", "peru"], "Miami", status="held")]),
    ]
    timeline = build_timeline(docs, extractions)
    assert len(timeline) == 3  # the undated Miami reports are two months apart
    assert timeline[0].place == "Abu Dhabi"  # dated entries first, then undated in document order
    assert [e.place for e in timeline[1:]] == ["Miami", "Miami"]


def test_different_kinds_or_parties_are_different_events():
    docs = [document("a.txt", "2026-03-02")]
    extractions = [extraction("a.txt", [
        meeting("a.txt", ["chile"], "Lima", status="held"),
        meeting("a.txt", ["chile"], "Lima", status="held", kind="statement"),
        meeting("a.txt", ["norway"], "Oslo", status="held"),
    ])]
    assert len(build_timeline(docs, extractions)) == 3


def test_a_documents_separate_events_are_not_joined_by_another_report():
    docs = [document("a.txt", "2026-03-02"), document("b.txt", "2026-03-03")]
    extractions = [
        extraction("a.txt", [meeting("a.txt", ["maria-lopez", "erik-olsen"], "Geneva", status="planned"),
                             meeting("a.txt", ["maria-lopez", "peru"], None, status="held")]),
        extraction("b.txt", [meeting("b.txt", ["maria-lopez"], None, status="held")]),
    ]
    timeline = build_timeline(docs, extractions)
    assert len(timeline) == 2
    assert sorted(len(e.reports) for e in timeline) == [1, 2]


def position(source, actor, issue, stance):
    return Position(source, actor, issue, stance, f"{actor} {stance} {issue}", 0, 10)


def test_matrix_rolls_a_person_up_to_their_country_and_flags_a_change():
    docs = [document("old.txt", "2026-01-10"), document("new.txt", "2026-02-10"), document("mid.txt", "2026-01-20")]
    extractions = [
        extraction("new.txt", positions=[position("new.txt", "maria-lopez", "financing", "open")]),
        extraction("old.txt", positions=[position("old.txt", "chile", "financing", "oppose")]),
        extraction("mid.txt", positions=[position("mid.txt", "peru", "territory", "red_line")]),
    ]
    cells = position_matrix(docs, extractions, ACTORS)
    by_key = {(c.party, c.issue): c for c in cells}
    assert set(by_key) == {("chile", "financing"), ("peru", "territory")}
    chile = by_key[("chile", "financing")]
    assert chile.stance == "open"  # the latest by published date, stated by Lopez for Chile
    assert chile.evidence == "maria-lopez open financing"
    assert chile.changed is True
    assert [h.stance for h in chile.history] == ["oppose", "open"]
    assert chile.sources == ["old.txt", "new.txt"]
    assert by_key[("peru", "territory")].changed is False


def test_undated_reports_with_no_place_need_a_shared_story_to_merge():
    from parley.reconcile.timeline import _content_words, _word_overlap, UNANCHORED_OVERLAP

    gas = _content_words("The bloc agreed to end imports of pipeline gas by 2027.")
    loan = _content_words("Members secured agreement on a loan raised on capital markets.")
    loan_again = _content_words("Leaders agreed a loan raised on capital markets for two years.")
    assert _word_overlap(gas, loan) < UNANCHORED_OVERLAP <= _word_overlap(loan, loan_again)


def test_the_timeline_reads_spacys_stop_words_without_loading_spacy():
    """Telling two unplaced, undated reports apart needs spaCy's English stop words, but not
    spaCy: a process that only reconciles does not load it (seconds, and 230 MB)."""
    import subprocess
    import sys

    from spacy.lang.en.stop_words import STOP_WORDS

    code = ("import sys; from parley.reconcile.timeline import stop_words; words = stop_words(); "
            "print(len(words), 'spacy' in sys.modules, ' '.join(sorted(words)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, loaded, words = result.stdout.strip().split(" ", 2)
    assert loaded == "False"
    assert set(words.split()) == set(STOP_WORDS) and int(count) == len(STOP_WORDS)


class _Joins:
    """A joins memo in memory."""

    def __init__(self) -> None:
        self.kept: bytes | None = None

    def timeline_joins(self):
        return self.kept

    def keep_timeline_joins(self, kept):
        self.kept = kept


def test_joins_of_the_last_run_are_replayed_only_while_its_reports_come_first(monkeypatch):
    from parley.reconcile import timeline

    def round_of_talks(source, published, place, day):
        return document(source, published), extraction(source, [meeting(
            source, ["chile", "peru"], place, When("on that day", day, None, "day"), "held")])

    old = [round_of_talks("a.txt", "2026-03-02", "Lima", "2026-03-01"),
           round_of_talks("b.txt", "2026-03-03", "Lima", "2026-03-01"),
           round_of_talks("c.txt", "2026-03-09", "Quito", "2026-03-08")]
    new = [round_of_talks("d.txt", "2026-03-10", "Quito", "2026-03-08"),
           round_of_talks("e.txt", "2026-03-11", "Lima", "2026-03-10")]
    searched = []
    search = timeline._best_entry
    monkeypatch.setattr(timeline, "_best_entry", lambda report, *a: searched.append(report.document.source)
                        or search(report, *a))

    def run(pairs, memo):
        searched.clear()
        return build_timeline([d for d, _ in pairs], [e for _, e in pairs], memo)

    memo = _Joins()
    run(old, memo)
    grown = run(old + new, memo)
    assert searched == ["d.txt", "e.txt"]  # the stored reports' joins were replayed
    assert grown == run(old + new, None) and searched == ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]
    assert [len(e.reports) for e in grown] == [2, 2, 1]

    moved = [round_of_talks("a.txt", "2026-03-02", "Quito", "2026-03-08"), *old[1:], *new]
    replayed = run(moved, memo)
    assert searched == ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]  # an earlier report changed
    assert replayed == run(moved, None)

    for damaged in (b"\x00" * 21, memo.kept[:20] + b"\x07\x00\x00\x00"):  # cut short; joins of other reports
        memo.kept = damaged
        assert run(moved, memo) == run(moved, None)
