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


# --- the structures of real wire copy (sentences written for these tests)


def speakers(quotes):
    return [q.speaker for q in quotes]


def test_possessive_role_appositive_gives_the_named_person_not_the_possessor(parsed, lexicon):
    [q] = quotes_of(parsed, lexicon,
                    "President Anton Varga's chief foreign-policy aide, Milos Brandt, said: "
                    "\"There is no agreement on the border yet.\"")
    assert q.speaker == "milos-brandt"


def test_possessor_before_an_unnamed_role_is_never_the_speaker(parsed, lexicon):
    [q] = quotes_of(parsed, lexicon,
                    "Anton Varga met the envoys on Monday. "
                    "\"The talks will take as long as they need,\" Varga's spokesman said.")
    assert q.speaker is None and q.speaker_text == "Varga's spokesman"


def test_speaker_named_after_the_quote_in_a_long_noun_phrase(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "Anton Varga spoke first. \"The map will be drawn by the two leaders,\" stressed "
                       "veteran foreign policy adviser and Varga aide Milos Brandt.")
    assert speakers(quotes) == ["milos-brandt"]


def test_definite_description_resolves_to_the_one_person_whose_office_fits(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "Belgian Prime Minister Lode Claes and Dutch Foreign Minister Anke Vos met in Ghent. "
                       "\"We will not carry this risk alone,\" the Belgian prime minister concluded. "
                       "\"The money has to come from somewhere,\" the Dutch top diplomat said.")
    assert speakers(quotes) == ["lode-claes", "anke-vos"]
    assert quotes[0].speaker_text == "the Belgian prime minister"  # the words are kept for the reader


def test_description_that_fits_two_people_stays_unnamed(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "Foreign Minister Lode Claes and Foreign Minister Anke Vos met in Ghent on Monday. "
                       "\"Nothing is agreed until everything is agreed,\" the foreign minister said.")
    assert speakers(quotes) == [None]
    assert quotes[0].unnamed and quotes[0].speaker_text == "the foreign minister"


def test_indefinite_description_is_unnamed_even_with_a_name_inside(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "\"We made good progress in four hours of talks,\" a Varga administration official said. "
                       "\"We will meet again next week,\" the official added.")
    assert speakers(quotes) == [None, None]
    assert all(q.unnamed for q in quotes)


def test_collective_and_institutional_speakers_are_never_a_nearby_person(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "Milos Brandt attended the summit. \"The ceasefire must hold through the winter,\" the "
                       "leaders underlined. \"Both sides commit to the exchange of all prisoners,\" the joint "
                       "statement said.")
    assert speakers(quotes) == [None, None]


def test_an_organization_that_speaks_is_the_speaker(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "A Fatah delegation met Egypt's intelligence chief in Cairo on Sunday. "
                       "The talks covered \"the second phase of the agreement and the crossings,\" the group "
                       "said in a statement.")
    table = {a.id: a for a in find_actors(*parsed(
        "A Fatah delegation met Egypt's intelligence chief in Cairo on Sunday. The talks covered \"the second "
        "phase of the agreement and the crossings,\" the group said in a statement."), lexicon).actors.values()}
    assert speakers(quotes) == ["fatah"] and table["fatah"].kind == "organization"


def test_speaker_named_only_in_the_next_sentence(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "Talks on the treaty continued on Tuesday.\n\n"
                       "\"Nobody should expect a breakthrough before the spring.\"\n\n"
                       "Deputy Minister Oleg Sarkisov made this statement in an interview with a Dutch broadcaster.")
    assert speakers(quotes) == ["oleg-sarkisov"]


def test_a_pronoun_goes_to_the_subject_of_the_passage_not_the_last_name_read(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "\"We have moved on prisoners,\" chief negotiator Taras Melnyk said after the session. "
                       "He said Kyiv had proposed a meeting between President Anton Varga and President Ivan Sokol. "
                       "He added: \"Agreeing to this would show good faith.\"")
    assert speakers(quotes) == ["taras-melnyk", "taras-melnyk"]


def test_names_inside_a_quotation_do_not_take_a_pronoun(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "Karim al-Mansouri spoke after the deal. \"We honour our leaders, Haddad and Sabri, who "
                       "fell in this war,\" he said. \"We kept our word at the table,\" he added.")
    assert speakers(quotes) == ["karim-al-mansouri", "karim-al-mansouri"]


def test_quotation_marks_that_name_a_thing_are_not_quotations(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "At his year-end press conference, \"Results of the Year With the President\", Varga "
                       "spoke for four hours. The forum \"Crossroads of Peace: Regional Links and Trade\" "
                       "opened on Friday.")
    assert quotes == []


def test_mixed_quotation_marks_and_a_quotation_over_several_paragraphs(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "The ministry's spokesman Petr Hruby said: “The convoy left at dawn and reached the "
                       "crossing by noon.\"\n\n"
                       "The office of Petr Hruby replied: \"Our side has honoured every clause.\n\n"
                       "\"Their side has not honoured a single one of them.\"")
    assert [q.text for q in quotes] == [
        "The convoy left at dawn and reached the crossing by noon.",
        "Our side has honoured every clause.\n\n\"Their side has not honoured a single one of them.",
    ]


def test_headline_quotation_in_single_quotes(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "Varga hails 'a historic day for the whole region' as leaders sign the accord\n\n"
                       "Anton Varga signed the accord on Monday.")
    assert [(q.text, q.speaker) for q in quotes] == [("a historic day for the whole region", "anton-varga")]


def test_a_list_of_quotations_under_one_speaker(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "The agency gathered the main points of what President Anton Varga said.\n\n"
                       "- On trade: \"Our exports grew by a fifth in one year.\"\n\n"
                       "- On the border: \"No line will be drawn without our people.\"")
    assert speakers(quotes) == ["anton-varga", "anton-varga"]


def test_quote_from_label_before_a_colon(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "Chief negotiator Taras Melnyk and Deputy Minister Oleg Sarkisov briefed the press.\n\n"
                       "Quote from Melnyk: \"The exchange covers more than a thousand people.\"")
    assert speakers(quotes) == ["taras-melnyk"]


def test_a_statement_speaks_for_its_author_and_the_statement_for_the_same(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "The sides agreed on three steps, according to a statement by the Foreign Ministry: "
                       "\"open a channel for the release of detainees.\" The statement also said they would "
                       "\"meet again before the end of the month.\"")
    table = find_actors(*parsed(
        "The sides agreed on three steps, according to a statement by the Foreign Ministry: \"open a channel "
        "for the release of detainees.\" The statement also said they would \"meet again before the end of "
        "the month.\""), lexicon)
    ministry = next(a.id for a in table.actors.values() if a.kind == "organization")
    assert speakers(quotes) == [ministry, ministry]


def test_a_quote_ending_its_sentence_is_not_attributed_to_the_next_sentence(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "Ruritania said in a joint statement that it would \"lift the freeze on fuel deliveries "
                       "at once.\"\n\nForeign Minister Lode Claes said that the next step was up to the rebels.")
    assert quotes[0].speaker != "lode-claes"
    assert quotes[0].speaker_text == "Ruritania"


def test_called_it_quotes_the_subject(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "Foreign Minister Lode Claes called it \"an important moment after ten years of war.\"")
    assert speakers(quotes) == ["lode-claes"]


def test_doubled_apostrophes_and_a_quote_left_open_at_the_end_of_its_paragraph(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "The leader hailed a ''victory greater than any before it'' in his speech.\n\n"
                       "The Foreign Secretary Anita Rao added, \"Instructions have been given on both sides.\n\n"
                       "Markets rose on the news.")
    assert [q.text for q in quotes] == ["victory greater than any before it",
                                        "Instructions have been given on both sides."]
    assert quotes[1].speaker == "anita-rao"


def test_the_title_of_one_person_named_before(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "Movement Secretary-General Omar Haddad spoke on Friday. The Secretary-General hailed "
                       "what he called \"a victory greater than any before it.\"")
    assert speakers(quotes) == ["omar-haddad"]


def test_a_headline_quotation_takes_the_speaker_of_the_body_quote_it_echoes(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "'Dark hour for the alliance': the pact sparks anger\n\n"
                       "Prime Minister Lode Claes called it \"a dark hour for the whole alliance\" on Monday.")
    assert speakers(quotes) == ["lode-claes", "lode-claes"]


def test_a_description_as_subject_keeps_the_passage_about_its_person(parsed, lexicon):
    quotes = quotes_of(parsed, lexicon,
                       "President Anton Varga met Cardinal Matteo Rossi in Rome. The president thanked the "
                       "cardinal and Matteo Rossi for their help. According to him, \"the most important thing "
                       "is to bring people home.\"")
    assert speakers(quotes) == ["anton-varga"]
