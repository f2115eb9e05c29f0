"""The spaCy pipeline: sentences never run across a headline or caption line."""

from __future__ import annotations


def test_a_line_without_final_punctuation_ends_its_sentence(nlp):
    doc = nlp("Chile and Peru agree on quotas\nThe ministers met in Lima on Monday.\n"
              "They said the talks were useful.")
    assert [s.text.strip() for s in doc.sents] == [
        "Chile and Peru agree on quotas", "The ministers met in Lima on Monday.",
        "They said the talks were useful."]
    headline = doc[0:6]
    assert all(t.head.i < 6 for t in headline)  # no word of the headline hangs on the next line


def test_each_bullet_point_is_a_sentence(nlp):
    doc = nlp("- Lopez met Olsen in Oslo.\n- Peru has offered Chile new quotas.")
    assert [s.text.strip() for s in doc.sents] == ["- Lopez met Olsen in Oslo.", "- Peru has offered Chile new quotas."]
