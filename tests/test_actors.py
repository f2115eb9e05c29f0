"""Actors: people, bodies and countries named in a document, with roles and aliases."""

from __future__ import annotations

from parley.extract.actors import find_actors
from parley.lexicon import load_lexicon


def persons(table):
    return {a.id: a for a in table.actors.values() if a.kind == "person"}


def test_full_name_title_and_surname_resolve_to_one_person(parsed, lexicon):
    document, doc = parsed(
        "Finance Minister Marta Kowalczyk arrived in Geneva on Monday. "
        "Kowalczyk said the offer was final. Later, Ms. Kowalczyk left for Rome.")
    people = persons(find_actors(document, doc, lexicon))
    assert list(people) == ["marta-kowalczyk"]
    person = people["marta-kowalczyk"]
    assert person.name == "Marta Kowalczyk"
    assert "Kowalczyk" in person.aliases
    assert person.mentions == 3
    assert person.role == "Finance Minister"


def test_role_from_appositive_and_affiliation_from_it(parsed, lexicon):
    document, doc = parsed(
        "Pavel Sorokin, an adviser to President Vladimir Putin, flew to Doha for the talks.")
    people = persons(find_actors(document, doc, lexicon))
    assert people["pavel-sorokin"].role == "adviser to President Vladimir Putin"
    assert people["pavel-sorokin"].affiliation == "russia"


def test_name_after_role_is_a_person_even_when_ner_says_organization(parsed, lexicon):
    document, doc = parsed(
        "The talks were led by Ukraine's deputy negotiator, Taras Hrytsenko, who met the envoys.")
    people = persons(find_actors(document, doc, lexicon))
    assert "taras-hrytsenko" in people
    assert people["taras-hrytsenko"].affiliation == "ukraine"


def test_known_aliases_and_spelling_variants_are_one_actor(parsed, lexicon):
    document, doc = parsed(
        "President Volodymyr Zelenskyy spoke first. Zelensky then said the Russian leader "
        "would not stop. Putin did not answer.")
    table = find_actors(document, doc, lexicon)
    people = persons(table)
    assert set(people) == {"volodymyr-zelensky", "vladimir-putin"}
    assert "the Russian leader" in people["vladimir-putin"].aliases


def test_demonyms_and_capitals_are_mentions_of_their_country(parsed, lexicon):
    document, doc = parsed("A Ukrainian delegation met officials from Washington in Berlin.")
    table = find_actors(document, doc, lexicon)
    assert {"ukraine", "united-states"} <= set(table.actors)
    assert table.actors["ukraine"].kind == "country"


def test_headline_case_words_and_places_are_not_people(parsed, lexicon):
    document, doc = parsed(
        "Envoy Back In Geneva For Talks\nTrains stopped in Kyiv. The envoy returned to Geneva.")
    assert persons(find_actors(document, doc, lexicon)) == {}


def test_discovery_works_without_the_known_actors_file(parsed):
    bare = load_lexicon((), use_bundled_actors=False)
    document, doc = parsed(
        "Chief negotiator Ingrid Solheim met Commissioner Pedro Alves in Bergen. "
        "Solheim said the quota was too low.")
    people = persons(find_actors(document, doc, bare))
    assert set(people) == {"ingrid-solheim", "pedro-alves"}
    assert people["ingrid-solheim"].mentions == 2


def test_titled_forms_are_aliases_not_names(parsed, lexicon):
    document, doc = parsed("General Ivan Petrenko spoke. Mr. Petrenko then left for Geneva.")
    person = persons(find_actors(document, doc, lexicon))["ivan-petrenko"]
    assert person.name == "Ivan Petrenko"
    assert {"General Ivan Petrenko", "Mr. Petrenko"} <= set(person.aliases)
