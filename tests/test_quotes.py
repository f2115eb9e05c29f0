"""Quotes: direct quotations of four or more words, each with its speaker."""

from __future__ import annotations

from parley.extract.actors import find_actors
from parley.extract.quotes import find_quotes


def quotes_of(parsed, lexicon, text):
    document, doc = parsed(text)
    return find_quotes(document, doc, find_actors(document, doc, lexicon), lexicon)


def test_speaker_named_after_the_quote(parsed, lexicon):
    [q] = quotes_of(parsed, lexicon,
                    "“We will not sign anything this week,” Finance Minister Marta Kowalczyk said on Monday.")
    assert q.text == "We will not sign anything this week,"
    assert q.speaker == "marta-kowalczyk"
    assert q.cue == "said"


def test_speaker_after_the_verb_and_before_the_quote(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "“The door is still open for a deal,” said General Ivan Petrenko. "
                       "Pedro Alves told reporters: “Nobody leaves this room without a text.”")
    assert [(q.speaker, q.cue) for q in quotes] == [("ivan-petrenko", "said"), ("pedro-alves", "told reporters")]


def test_pronoun_speaker_resolves_to_the_last_person_of_that_gender(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "Commission President Ursula von der Leyen arrived early. Mr. Alves was late. "
                       "“I will not leave without a solution,” she told reporters.")
    assert quotes[0].speaker == "ursula-von-der-leyen"
    assert quotes[0].speaker_text == "she"


def test_unnamed_speaker_is_kept_as_written(parsed, lexicon):
    [q] = quotes_of(parsed, lexicon,
                    "“The trains will run again by spring,” a senior railway official told me.")
    assert q.speaker is None
    assert q.speaker_text == "a senior railway official"
    assert q.unnamed


def test_dash_attribution_and_according_to(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "“Pressure must come before any talks with them.” — Ingrid Solheim\n\n"
                       "The plan “will not survive the winter in its current form,” according to Pedro Alves.")
    assert [q.speaker for q in quotes] == ["ingrid-solheim", "pedro-alves"]


def test_continued_quote_keeps_its_speaker(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "“We came to listen,” Ingrid Solheim said after the session. "
                       "“Then we will decide what to put on the table.”")
    assert [q.speaker for q in quotes] == ["ingrid-solheim", "ingrid-solheim"]


def test_short_fragments_and_quoted_titles_are_not_quotes(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "He called it a “last chance” summit at his “State of the Nation Address” event.")
    assert quotes == []


def test_quote_offsets_point_at_the_quoted_words(parsed, lexicon):
    text = "Alves said: “Every member state must carry its share.”"
    document, doc = parsed(text)
    [q] = find_quotes(document, doc, find_actors(document, doc, lexicon), lexicon)
    assert text[q.start:q.end] == q.text
    assert q.evidence == text
