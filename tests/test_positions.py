"""Positions: a party's stance on an issue, with the sentence that states it."""

from __future__ import annotations

from parley.extract.positions import find_positions
from parley.lexicon import load_lexicon
from test_events import actor_table

CAST = {
    "Ivo Petrov": ("ivo-petrov", "person", "ruritania"),
    "Petrov": ("ivo-petrov", "person", "ruritania"),
    "Ana Ruiz": ("ana-ruiz", "person", "peru"),
    "Ruritanian": ("ruritania", "country", None),
    "Ruritania": ("ruritania", "country", None),
    "Chile": ("chile", "country", None),
    "Peru": ("peru", "country", None),
    "EU": ("european-union", "bloc", None),
    "Norway": ("norway", "country", None),
    "Iceland": ("iceland", "country", None),
}


def positions_of(parsed, lexicon, text):
    document, doc = parsed(text)
    return find_positions(document, doc, actor_table(text, CAST), lexicon)


def triples(positions):
    return [(p.actor, p.issue, p.stance) for p in positions]


def test_red_line_held_by_the_possessor(parsed, lexicon):
    [p] = positions_of(parsed, lexicon, "Chile's red lines are clear: no loss of territory and no foreign bases.")
    assert (p.actor, p.issue, p.stance) == ("chile", "territory", "red_line")
    assert p.evidence.startswith("Chile's red lines")


def test_person_remains_resistant_and_is_kept_as_the_person(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "Ruritanian Finance Minister Ivo Petrov remains resistant to using the frozen assets.")
    assert triples(positions) == [("ivo-petrov", "financing", "oppose")]


def test_proposal_by_a_bloc(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "The EU is proposing a 40-billion-euro loan for Peru.")
    assert triples(positions) == [("european-union", "financing", "propose")]


def test_a_remark_on_who_must_act_is_not_a_position(parsed, lexicon):
    assert positions_of(parsed, lexicon, "The ball is in the court of Chile and Peru, the minister said.") == []


def test_bare_stance_takes_the_issue_of_the_sentence_before(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "The EU wants to turn the frozen assets into a loan. However, Petrov remains resistant.")
    assert ("ivo-petrov", "financing", "oppose") in triples(positions)


def test_stance_on_a_thing_already_named_takes_its_issue(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "Chile supports sending peacekeeping troops. Peru rejected the idea.")
    assert triples(positions) == [("chile", "security_guarantees", "support"),
                                  ("peru", "security_guarantees", "oppose")]


def test_pronoun_in_reported_speech_stands_for_the_speaker(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "Peru has said it will never accept the loss of territory.")
    assert triples(positions) == [("peru", "territory", "red_line")]


def test_a_person_reporting_their_own_partys_stance_holds_it(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "Ana Ruiz said Peru still favoured a ceasefire along the river.")
    assert triples(positions) == [("ana-ruiz", "ceasefire", "support")]


def test_the_one_offered_something_is_not_the_one_offering(parsed, lexicon):
    assert positions_of(parsed, lexicon, "Peru has been offered a new loan.") == []


def test_negated_support_is_opposition(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "Peru does not support a ceasefire along the current lines.")
    assert triples(positions) == [("peru", "ceasefire", "oppose")]


def test_each_holder_of_a_shared_stance(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "Chile and Peru have rejected any new sanctions.")
    assert triples(positions) == [("chile", "sanctions", "oppose"), ("peru", "sanctions", "oppose")]


def test_one_position_per_actor_and_issue(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "Chile rejects new sanctions. Chile also opposes sanctions on grain.")
    assert triples(positions) == [("chile", "sanctions", "oppose")]
    assert positions[0].evidence == "Chile rejects new sanctions."


def test_an_issue_added_for_another_negotiation(parsed, tmp_path):
    (tmp_path / "issues.toml").write_text('[issues.quota]\ncues = ["quota", "catch limit"]\n', encoding="utf-8")
    lexicon = load_lexicon(extra_dirs=(tmp_path,))
    positions = positions_of(parsed, lexicon,
                             "Norway rejects any cut to the catch limit, while Iceland is open to a smaller quota.")
    assert ("norway", "quota", "oppose") in triples(positions)
    assert ("iceland", "quota", "open") in triples(positions)
    assert "quota" in lexicon["issues"]["issues"] and "financing" in lexicon["issues"]["issues"]
