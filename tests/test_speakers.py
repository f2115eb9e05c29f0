"""Speakers named only by a description their article does not resolve: the corpus
first, then the known actors (sentences written for these tests)."""

from __future__ import annotations

from parley.extract.run import extract
from parley.reconcile.actors import reconcile_actors
from parley.reconcile.speakers import resolve_described_speakers
from parley.records import Document


def extracted(nlp, lexicon, *texts):
    extractions = []
    for number, text in enumerate(texts):
        document = Document(id=f"d{number}", source=f"d{number}.txt", text=text)
        extractions.append(extract(document, nlp(text), lexicon))
    actors, extractions = reconcile_actors(extractions, lexicon)
    return resolve_described_speakers(actors, extractions, lexicon)


def test_description_resolved_through_another_article_of_the_corpus(nlp, lexicon):
    actors, extractions = extracted(
        nlp, lexicon,
        "Lode Claes, the Belgian prime minister, met the bank's board in Brussels on Monday.",
        "\"We will not carry this risk alone,\" the Belgian prime minister said after the summit.")
    [quote] = extractions[1].quotes
    assert quote.speaker == "lode-claes"
    assert quote.speaker_text == "the Belgian prime minister"  # the words that named him stay
    assert not quote.unnamed


def test_description_resolved_through_the_known_actors_when_the_corpus_has_nobody(nlp, lexicon):
    actors, extractions = extracted(
        nlp, lexicon, "\"Moscow has not received any text yet,\" the Kremlin spokesman told reporters.")
    [quote] = extractions[0].quotes
    assert quote.speaker == "dmitry-peskov"
    peskov = next(a for a in actors if a.id == "dmitry-peskov")
    assert peskov.documents == []  # he speaks in the article but is not named there


def test_a_description_two_people_fit_stays_unnamed(nlp, lexicon):
    actors, extractions = extracted(
        nlp, lexicon,
        "Foreign Minister Lode Claes met Foreign Minister Anke Vos in Ghent.",
        "\"Nothing is agreed until everything is agreed,\" the foreign minister said.")
    [quote] = extractions[1].quotes
    assert quote.speaker is None and quote.unnamed


def test_a_description_with_no_country_or_person_is_not_resolved_across_articles(nlp, lexicon):
    actors, extractions = extracted(
        nlp, lexicon,
        "Kremlin spokesman Dmitry Peskov spoke to reporters in Moscow on Monday.",
        "Army Secretary Lena Brandt left the talks upbeat. \"The talks are going well,\" his spokesman said.")
    [quote] = extractions[1].quotes
    assert quote.speaker is None and quote.speaker_text == "his spokesman"
