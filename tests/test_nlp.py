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


# Sentences I wrote to meet every kind of rule of the pipeline's attribute ruler: a tag alone,
# a word and a tag, a dependency, two-word rules ("gonna", "let's", "y'all", "ain't"), the
# pronoun rules by case, and spaces of several kinds.
RULE_SAMPLES = [
    "I told you it was gonna rain, but you ain't listening.",
    "Let's see what y'all think: c'mon, we gotta decide  today.",
    "There is a plan, and there were two drafts before it.\n\nThat is what they said.",
    "If the envoys do meet, they have to agree; did they? He had it done.",
    "Which of these  proposals does the minister back?\t It was sent to me and to you.",
]


def test_the_attribute_ruler_finds_exactly_what_spacys_matcher_finds(nlp):
    from spacy.pipeline import AttributeRuler

    from parley.nlp import IndexedAttributeRuler

    ruler = nlp.get_pipe("attribute_ruler")
    assert isinstance(ruler, IndexedAttributeRuler)
    matched = 0
    for doc in nlp.pipe(RULE_SAMPLES):
        found = ruler.match(doc)
        assert found == AttributeRuler.match(ruler, doc)  # spaCy's Matcher, on the same rules
        matched += len({number for number, _key, start, end in found if end - start > 1})
    assert matched >= 4  # the two-word rules were met, not only the one-token ones


def test_the_attribute_ruler_sets_what_the_model_expects(nlp):
    doc = nlp("We are gonna sign it, said the envoy.")
    gonna = [t for t in doc if t.lower_ in ("gon", "na")]
    assert [t.lemma_ for t in gonna] == ["go", "to"]
    assert doc[0].pos_ == "PRON" and "Case=Nom" in str(doc[0].morph)
    assert doc[1].pos_ == "AUX"


def test_a_rule_the_lookup_cannot_read_leaves_the_matching_to_spacy():
    import spacy

    from parley.nlp import IndexedAttributeRuler

    nlp = spacy.blank("en")
    ruler = IndexedAttributeRuler(nlp.vocab)
    ruler.add([[{"LOWER": "talks"}]], {"LEMMA": "talk"})
    doc = nlp("talks and more talks")
    assert [start for _n, _k, start, _e in ruler.match(doc)] == [0, 3]
    ruler.add([[{"LOWER": "more", "OP": "+"}, {"LOWER": "talks"}]], {"LEMMA": "many"}, index=0)  # an operator
    ruler(doc)
    assert [t.lemma_ for t in doc] == ["talk", "", "many", "talk"]
