"""Conflicts: documents that disagree, allowing for rounding, and whether the story moved on."""

from __future__ import annotations

import hashlib

import pytest

from parley.embeddings import bag_of_words
from parley.extract.run import extract
from parley.records import Document, Figure
from parley.reconcile.claims import NumberRules
from parley.reconcile.conflicts import judge_evolution, parse_title, titles_conflict, vocabulary, Side
from parley.reconcile.run import reconcile
from parley.store import Store

FILLER = " Officials gave no further details. Several delegations are expected in the coming weeks."


@pytest.fixture
def conflicts_of(nlp, lexicon):
    """conflicts_of([(source, text, published)]) -> the corpus conflicts."""

    def run(articles, embed=bag_of_words):
        documents, extractions = [], []
        for number, (source, text, published) in enumerate(articles):
            document = Document(id=hashlib.sha1(text.encode()).hexdigest()[:16], source=source, text=text,
                                published=published, outlet=f"Outlet {number}")
            documents.append(document)
            extractions.append(extract(document, nlp(text), lexicon))
        return reconcile(documents, extractions, embed=embed, lexicon=lexicon).corpus.conflicts

    return run


def figure(value: float, unit: str, approx: str | None = None, text: str = "") -> Figure:
    return Figure(document="d", text=text or str(value), value=value, unit=unit, approx=approx, about=None,
                  evidence="", start=0, end=0)


def test_rounding_and_qualifiers_are_not_conflicts(lexicon):
    rules = NumberRules.from_lexicon(lexicon)
    assert rules.agree(figure(20, "percent", "nearly"), figure(20, "percent"))
    assert rules.agree(figure(19.6, "percent"), figure(20, "percent"))  # 20% may be rounded
    assert rules.agree(figure(90e9, "EUR"), figure(90e9, "EUR", text="90 billion euros"))
    assert rules.agree(figure(70, "km", "about"), figure(70, "km", "some"))
    assert rules.agree(figure(9500, "households", "more than"), figure(9800, "households"))
    assert not rules.agree(figure(653, "drones"), figure(635, "drones"))
    assert not rules.agree(figure(20, "percent", "nearly"), figure(22, "percent"))
    assert not rules.agree(figure(20, "percent"), figure(20, "km"))


def test_two_counts_of_one_night_are_a_number_conflict(conflicts_of):
    conflicts = conflicts_of([
        ("herald.txt", "Russia fired 635 drones and 51 missiles at Ukraine overnight, the air force said on Saturday."
         + FILLER, "2025-12-06"),
        ("courier.txt", "Overnight into Saturday, Russia fired 653 drones and 51 missiles at Ukraine, the air force said."
         + FILLER, "2025-12-07"),
    ])
    [conflict] = [c for c in conflicts if c.kind == "number"]
    assert "drones" in conflict.about
    assert {v["value"] for v in conflict.values} == {"635 drones", "653 drones"}
    assert conflict.evolution is False  # the same night: the sources disagree


def test_nearly_twenty_percent_and_twenty_percent_is_no_conflict(conflicts_of):
    conflicts = conflicts_of([
        ("a.txt", "Russian forces occupy nearly 20% of Ukraine, officials in Kyiv said." + FILLER, "2025-12-16"),
        ("b.txt", "Russian forces occupy 20% of Ukraine, officials in Kyiv said." + FILLER, "2025-12-17"),
    ])
    assert not [c for c in conflicts if c.kind == "number"]


def test_president_elect_and_president_is_a_title_conflict(conflicts_of):
    trump_elect = "U.S. President-elect Donald Trump wants a deal before the spring, his aides said." + FILLER
    trump = "President Donald Trump wants a deal before the spring, his aides said." + FILLER
    [later_elect] = [c for c in conflicts_of([("a.txt", trump, "2025-12-20"), ("b.txt", trump_elect, "2026-01-25")])
                     if c.kind == "title"]
    assert later_elect.about == "Donald Trump's title"
    assert {v["value"] for v in later_elect.values} == {"U.S. President-elect", "President"}
    assert later_elect.evolution is False  # "elect" after "President": an error, not the story moving on
    [in_order] = [c for c in conflicts_of([("a.txt", trump_elect, "2024-12-20"), ("b.txt", trump, "2025-02-01")])
                  if c.kind == "title"]
    assert in_order.evolution is True


def test_titles_of_different_bodies_do_not_conflict(lexicon):
    vocab = vocabulary(lexicon)
    council, commission = parse_title("Council President", vocab), parse_title("Commission President", vocab)
    assert not titles_conflict(council, commission, vocab)
    assert not titles_conflict(parse_title("Ukrainian President", vocab), parse_title("President of Ukraine", vocab), vocab)
    assert titles_conflict(parse_title("former Prime Minister", vocab), parse_title("Prime Minister", vocab), vocab)


def test_a_title_the_text_never_writes_does_not_hide_a_clash_of_those_it_does(lexicon):
    """A person is "President" in one article and "Commission President-elect" in another: a
    clash. A third article's "Council President" (which its text never writes beside her)
    does not count, so it cannot make "President" compare as a Council's title."""
    from parley.records import Actor, Extraction, Mention
    from parley.reconcile.conflicts import title_conflicts

    texts = {"c.txt": "Anna Vell spoke in Brussels on Monday.",
             "a.txt": "President Anna Vell spoke in Brussels on Monday.",
             "b.txt": "Commission President-elect Anna Vell spoke in Brussels on Friday."}
    roles = {"c.txt": "Council President", "a.txt": "President", "b.txt": "Commission President-elect"}
    documents, extractions = [], []
    for number, (source, text) in enumerate(texts.items()):
        documents.append(Document(id=f"d{number}", source=source, text=text, published=f"2025-03-0{number + 1}",
                                  outlet=f"Outlet {number}"))
        start = text.index("Anna Vell")
        extractions.append(Extraction(document=source, actors=[Actor(id="anna-vell", name="Anna Vell", kind="person",
                                                                     role=roles[source])],
                                      mentions=[Mention("anna-vell", "Anna Vell", start, start + 9)]))
    keys = {d.source: d.source for d in documents}
    [conflict] = title_conflicts(documents, extractions, {"anna-vell": "Anna Vell"}, keys, vocabulary(lexicon))
    assert {v["value"] for v in conflict.values} == {"President", "Commission President-elect"}


LOAN_PROPOSED = ("The European Commission has proposed a reparations loan for Ukraine funded by frozen Russian "
                 "assets held at Euroclear." + FILLER)
LOAN_AGREED = ("European Union leaders agreed on Friday to lend Ukraine 90 billion euros, financing the loan by "
               "borrowing on capital markets rather than with the frozen Russian assets." + FILLER)


def test_proposal_then_agreement_is_the_story_moving_on(conflicts_of):
    [conflict] = [c for c in conflicts_of([("explainer.md", LOAN_PROPOSED, "2025-12-16"),
                                           ("summit.html", LOAN_AGREED, "2025-12-19")]) if c.kind == "fact"]
    stages = {v["document"]: v["stage"] for v in conflict.values}
    assert stages == {"explainer.md": "proposed", "summit.html": "agreed"}
    assert any("frozen Russian assets" in v["value"] for v in conflict.values if v["stage"] == "proposed")
    assert any("capital markets" in v["value"] for v in conflict.values if v["stage"] == "agreed")
    assert conflict.evolution is True


def test_agreement_reported_before_the_proposal_is_a_disagreement(conflicts_of):
    [conflict] = [c for c in conflicts_of([("explainer.md", LOAN_PROPOSED, "2025-12-22"),
                                           ("summit.html", LOAN_AGREED, "2025-12-19")]) if c.kind == "fact"]
    assert conflict.evolution is False


def test_without_published_dates_evolution_is_unknown_and_says_why(conflicts_of):
    [conflict] = [c for c in conflicts_of([("explainer.md", LOAN_PROPOSED, None),
                                           ("summit.html", LOAN_AGREED, None)]) if c.kind == "fact"]
    assert conflict.evolution is None
    assert "no published date" in conflict.note and "set aside" in conflict.note


def test_two_dates_for_one_round_of_talks_are_a_date_conflict(conflicts_of):
    conflicts = conflicts_of([
        ("a.md", "The talks in Abu Dhabi on January 23-24 between Ukraine and Russia ended with a promise to meet again."
         + FILLER, "2026-01-25"),
        ("b.txt", "The trilateral talks in Abu Dhabi on January 22-23 between Ukraine and Russia produced no ceasefire."
         + FILLER, "2026-01-27"),
    ])
    [conflict] = [c for c in conflicts if c.kind == "date"]
    assert "Abu Dhabi" in conflict.about
    assert sorted(v["value"] for v in conflict.values) == ["on January 22-23", "on January 23-24"]
    assert conflict.evolution is False  # both report talks already held


def test_evolution_needs_published_dates():
    proposed = [Side("a", "proposed", "", "2025-12-16", 0, "proposed")]
    agreed = [Side("b", "agreed", "", "2025-12-19", 1, "agreed")]
    assert judge_evolution([proposed, agreed], ordered=True)[0] is True
    undated = [Side("c", "agreed", "", None, 1, "agreed")]
    evolution, note = judge_evolution([proposed, undated], ordered=True)
    assert evolution is None and "no published date for c" in note


def test_a_store_made_before_conflicts_had_notes_still_opens(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE conflicts")
    db.execute('CREATE TABLE conflicts ("about", "kind", "values", "evolution")')
    db.commit()
    db.close()
    from parley.records import Conflict

    with Store(path) as store:
        store.save_corpus({"conflicts": [Conflict("x", "number", [], None, "no dates")]}, {})
        assert store.rows("conflicts")[0]["note"] == "no dates"


def test_one_meeting_placed_in_two_cities_is_a_place_conflict(conflicts_of):
    conflicts = conflicts_of([
        ("a.txt", "Steve Witkoff met Kirill Dmitriev in Miami on December 20, officials said." + FILLER, "2025-12-21"),
        ("b.txt", "Steve Witkoff met Kirill Dmitriev in Moscow on December 20, officials said." + FILLER, "2025-12-21"),
    ])
    [conflict] = [c for c in conflicts if c.kind == "place"]
    assert {v["value"] for v in conflict.values} == {"Miami", "Moscow"}
    assert "Steve Witkoff" in conflict.about and "Kirill Dmitriev" in conflict.about
    assert conflict.evolution is False


# --------------------------------------------------------------------------- readings


def kinds(conflicts, kind):
    return [c for c in conflicts if c.kind == kind]


def test_two_lengths_for_the_meeting_of_one_day_are_a_conflict(conflicts_of):
    conflicts = conflicts_of([
        ("wire.txt", "Envoys of both countries sat down in Vienna on March 3. The session lasted about three hours."
         + FILLER, "2026-03-04"),
        ("paper.txt", "On March 3, envoys of both countries met in Vienna. The session lasted just under an hour."
         + FILLER, "2026-03-04"),
    ])
    [conflict] = kinds(conflicts, "number")
    assert {v["value"] for v in conflict.values} == {"about three hours", "just under an hour"}
    assert "March 3" in conflict.about
    assert conflict.evolution is False


def test_roughly_and_about_the_same_length_agree(conflicts_of):
    conflicts = conflicts_of([
        ("wire.txt", "Envoys met in Vienna on March 3. The session lasted roughly three hours." + FILLER, "2026-03-04"),
        ("paper.txt", "On March 3, envoys met in Vienna. The session lasted about three hours." + FILLER, "2026-03-04"),
    ])
    assert not kinds(conflicts, "number")


def test_two_end_times_of_one_round_are_a_conflict_but_a_minute_is_not(conflicts_of):
    conflicts = conflicts_of([
        ("agency.txt", "The third round opened in Vienna on March 3 at 10:02 a.m. (09:02 GMT) and ended at 1:05 p.m."
         + FILLER, "2026-03-03"),
        ("site.txt", "Talks in Vienna on March 3 started at 10:03 a.m., and the minister said they ended at around "
         "1:40 p.m." + FILLER, "2026-03-03"),
    ])
    [conflict] = kinds(conflicts, "date")
    assert {v["value"] for v in conflict.values} == {"1:05 p.m.", "1:40 p.m."}
    assert conflict.about.startswith("end time")


def test_two_leaders_of_one_delegation_on_the_same_days_disagree(conflicts_of):
    conflicts = conflicts_of([
        ("one.txt", "A Finnish delegation led by Antti Virtanen arrived in Vienna on Saturday for the talks."
         + FILLER, "2026-03-07"),
        ("two.txt", "A Finnish delegation held talks in Vienna on Sunday. The delegation was headed by Mikko "
         "Laine, the deputy minister." + FILLER, "2026-03-08"),
    ])
    [conflict] = kinds(conflicts, "fact")
    assert {v["value"] for v in conflict.values} == {"Antti Virtanen", "Mikko Laine"}
    assert conflict.about == "head of the Finland delegation"
    assert conflict.evolution is False


def test_a_new_leader_a_week_later_is_the_story_moving_on_and_spellings_are_one_person(conflicts_of):
    conflicts = conflicts_of([
        ("one.txt", "The Finnish delegation is led by Antti Virtanen, the chief of staff." + FILLER, "2026-03-07"),
        ("two.txt", "Antti Virtanenn, head of the Finnish delegation, said little." + FILLER, "2026-03-08"),
        ("three.txt", "The Finnish delegation was led by Mikko Laine, the deputy minister." + FILLER, "2026-03-15"),
    ])
    [conflict] = kinds(conflicts, "fact")
    assert conflict.evolution is True
    groups = {v["value"] for v in conflict.values}
    assert groups == {"Antti Virtanen", "Antti Virtanenn", "Mikko Laine"}


def test_a_term_reopened_later_is_a_conflict_dated_by_the_text_when_unpublished(conflicts_of):
    conflicts = conflicts_of([
        ("summit.txt", "On March 3, 2026, Finland granted Estonia exclusive rights over the Baltic Link for 50 years."
         + FILLER, None),
        ("later.txt", "In Helsinki on June 9, 2026, Finland said it was considering granting Estonia rights over the "
         "Baltic Link for either 25 or 50 years." + FILLER, None),
    ])
    [conflict] = [c for c in kinds(conflicts, "number") if c.about.startswith("term")]
    assert {v["value"] for v in conflict.values} == {"for 50 years", "for either 25 or 50 years"}
    assert conflict.evolution is True and "dated by the latest full date" in conflict.note


def test_a_cut_from_one_level_against_a_cut_by_that_much_is_a_conflict(conflicts_of):
    conflicts = conflicts_of([
        ("one.txt", "Finland and Estonia will cut their border levies from 40% to 5%, the minister said." + FILLER,
         "2026-03-03"),
        ("two.txt", "Finland and Estonia will move their border levies down 40 percent, the minister said." + FILLER,
         "2026-03-03"),
    ])
    [conflict] = kinds(conflicts, "number")
    assert {v["value"] for v in conflict.values} == {"from 40% to 5%", "down 40 percent"}
    assert "border levies" in conflict.about


def test_the_same_cut_written_two_ways_is_no_conflict(conflicts_of):
    conflicts = conflicts_of([
        ("one.txt", "Finland will cut its border levy from 40 percent to 5 percent, the minister said." + FILLER,
         "2026-03-03"),
        ("two.txt", "Finland will cut its border levy to 5 percent from 40 percent, the minister said." + FILLER,
         "2026-03-03"),
    ])
    assert not kinds(conflicts, "number")


def test_one_more_hostage_in_another_outlet_the_same_day_is_a_number_conflict(conflicts_of):
    conflicts = conflicts_of([
        ("one.txt", "The minister said he would oppose the exchange for the 31 hostages still held in the north."
         + FILLER, "2026-03-03"),
        ("two.txt", "The exchange provides for the release of the 32 hostages still held in the north by the group."
         + FILLER, "2026-03-03"),
    ])
    [conflict] = kinds(conflicts, "number")
    assert {v["value"] for v in conflict.values} == {"31 hostages", "32 hostages"}


def test_a_meeting_called_off_and_said_not_to_be_is_a_disagreement(conflicts_of):
    conflicts = conflicts_of([
        ("one.txt", "Steve Witkoff said the planned summit with Kirill Dmitriev in Vienna was cancelled."
         + FILLER, "2026-03-03"),
        ("two.txt", "Kirill Dmitriev said the planned summit with Steve Witkoff in Vienna had not been cancelled."
         + FILLER, "2026-03-04"),
    ])
    [conflict] = kinds(conflicts, "fact")
    stages = {v["stage"] for v in conflict.values}
    assert stages == {"called off", "not called off"}
    assert any("not been cancelled" in v["value"] for v in conflict.values)
    assert conflict.evolution is False  # "not called off" came after "called off"


def test_a_proposal_sharing_no_words_of_what_was_agreed_is_no_outcome_conflict(conflicts_of):
    conflicts = conflicts_of([
        ("one.txt", "The minister said he would vote against the ceasefire, as it proposes freeing hundreds of "
         "prisoners." + FILLER, "2026-03-03"),
        ("two.txt", "Both sides signed the first stage of the ceasefire in Vienna, ending the war." + FILLER,
         "2026-03-03"),
    ])
    assert not kinds(conflicts, "fact")


OUTCOME_PAIRS = [  # (month, what was proposed then agreed, in one sentence each)
    ("2026-03", "Ukraine and Russia {cue} a ceasefire around the river power plant so that engineers could "
                "repair its turbines."),
    ("2026-05", "Norway and Iceland {cue} a truce covering the gas pipelines near the northern border "
                "crossings."),
    ("2026-01", "Serbia and Kosovo {cue} a halt to the fighting near the electricity substations of the "
                "southern valley."),
]


def outcome_corpus(order: list[int]) -> list[tuple[str, str, str | None]]:
    """Each pair's proposal, undated (so it meets every month of its issues), in ``order``;
    then each pair's agreement, dated in the pair's month."""
    articles = []
    for n in order:
        articles.append((f"proposed-{n}.txt", OUTCOME_PAIRS[n][1].format(cue="proposed") + FILLER, None))
    for n, (month, sentence) in enumerate(OUTCOME_PAIRS):
        articles.append((f"agreed-{n}.txt", sentence.format(cue="agreed to") + FILLER, f"{month}-20"))
    return articles


def test_outcome_conflicts_come_in_the_order_of_their_first_report(conflicts_of):
    """One conflict per pair, listed in corpus order of the first sentence each holds, whatever
    order the sets of issues and months happen to be walked in (it varies from run to run)."""
    for order in ([0, 1, 2], [2, 0, 1], [1, 2, 0]):
        outcomes = [c for c in kinds(conflicts_of(outcome_corpus(order)), "fact") if c.about.startswith("outcome on")]
        firsts = [sorted(v["document"] for v in c.values if v["document"].startswith("proposed-")) for c in outcomes]
        assert firsts == [[f"proposed-{n}.txt"] for n in order]


def test_the_quick_test_for_issues_finds_what_every_issue_pattern_finds(lexicon):
    """Outcome sentences are tested for the issues they name by the first words of the
    issues' cues before any pattern runs; the issues found are those running every issue's
    pattern finds: cues in capitals, written with a hyphen or a gap, glued to an underscore,
    and sentences with letters outside ASCII, curly apostrophes and letters a case-blind
    pattern reads as ASCII ones: a long s, a dotless i, a Kelvin sign)."""
    from parley.reconcile.conflicts import _issues_named

    vocab = vocabulary(lexicon)
    sentences = [
        "The two sides agreed on a CEASEFIRE along the line of contact.",
        "They proposed a cease-fire and security guarantees for Kyiv.",
        "Negotiators agreed to halt the fighting, but not on frozen Russian central bank assets.",
        "A draft mentions x_ceasefire and peacekeeping_troops in a file name.",
        "Die Seiten einigten sich auf eine Waffenruhe und Gespräche über Territorium.",
        "Kyiv’s bid to join NATO was set aside; the armistice talks failed.",
        "The weather in Miami was mild on Saturday.",
        "They agreed on new \u017fanctions and a CEA\u017eEFIRE \u2014 and a \u0131ceasefire.",
        "The \u0130ran-brokered truce \u2018held\u2019 and the \u212along-awaited ceasefire began.",
        "",
    ]
    for text in sentences:
        expected = frozenset(name for name, pattern in vocab.issues.items() if pattern.search(text))
        assert _issues_named(text, vocab) == expected, text
    assert {"ceasefire", "territory"} <= _issues_named(sentences[0], vocab)
    assert _issues_named(sentences[6], vocab) == frozenset()
    assert _issues_named(sentences[7], vocab) == {"sanctions"}  # a long s is an s to the pattern
