"""Positions: a party's stance on an issue, with the sentence that states it."""

from __future__ import annotations

from parley.extract.positions import find_positions
from parley.lexicon import load_lexicon
from test_events import actor_table

CAST = {
    "Ukraine": ("ukraine", "country", None),
    "US": ("united-states", "country", None),
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


def positions_with_quote(parsed, lexicon, text, quoted, speaker):
    """Positions of a text with one quotation (``quoted``, said by ``speaker``)."""
    from parley.records import Quote

    document, doc = parsed(text)
    start = text.index(quoted)
    quote = Quote(document="test.txt", text=quoted, speaker=speaker, speaker_text=None, cue="said",
                  start=start, end=start + len(quoted))
    return find_positions(document, doc, actor_table(text, CAST), lexicon, [quote])


def test_a_demand_on_two_joined_complements_names_both_issues(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "Chile has long called on Peru to hand over territory and to drop its bid to join NATO.")
    assert ("chile", "nato_membership", "demand") in triples(positions)
    assert ("chile", "territory", "demand") in triples(positions)


def test_agreeing_to_talk_about_an_issue_is_no_stance_on_it(parsed, lexicon):
    assert positions_of(parsed, lexicon, "Chile and Peru agreed to hold further talks on sanctions.") == []


def test_the_target_of_sanctions_is_not_an_issue_of_its_own(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "The EU imposed new sanctions on two Ruritanian oil companies.")
    assert triples(positions) == [("european-union", "sanctions", "support")]


def test_a_weak_cue_needs_an_issue_of_its_own(parsed, lexicon):
    assert positions_of(parsed, lexicon, "Peru signed a fishing accord, days after the sanctions took effect.") == []


def test_a_leader_signing_states_support_for_the_deal(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "Chile signed a ceasefire agreement with Peru on Friday.")
    assert triples(positions) == [("chile", "ceasefire", "support"), ("peru", "ceasefire", "support")]


def test_both_sides_are_the_parties_named_together_before(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "Delegations of Chile and Peru met in Lima. Both sides agreed to exchange prisoners.")
    assert ("chile", "humanitarian", "support") in triples(positions)
    assert ("peru", "humanitarian", "support") in triples(positions)


def test_the_leaders_of_countries_hold_their_countries_stance(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "The leaders of Chile and Peru pledged to respect the truce.")
    assert triples(positions) == [("chile", "ceasefire", "support"), ("peru", "ceasefire", "support")]


def test_a_stance_on_the_deal_takes_the_issue_of_the_deal_named_before(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "Chile and Peru reached a ceasefire deal on Monday. "
                             "The talks ran late. Norway welcomed the deal.")
    assert ("norway", "ceasefire", "support") in triples(positions)


def test_what_a_plan_calls_for_its_drafter_proposes(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "The EU unveiled a peace plan on Monday. "
                             "The plan calls for the withdrawal of troops from the border region.")
    assert triples(positions) == [("european-union", "territory", "propose")]


def test_a_clause_according_to_a_plan_is_its_drafters_proposal(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "According to the EU plan, Ruritania would see sanctions lifted within a year.")
    assert triples(positions) == [("european-union", "sanctions", "propose")]


def test_a_stance_in_a_condition_is_no_stance(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "Peru faces new sanctions unless Chile agrees to a ceasefire.")
    assert ("chile", "ceasefire", "support") not in triples(positions)


def test_hoping_to_avoid_sanctions_is_opposing_them(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "The Ruritanian government sought a meeting because it hoped to avoid further sanctions.")
    assert triples(positions) == [("ruritania", "sanctions", "oppose")]


def test_what_a_party_must_do_is_the_demand_of_whoever_says_so(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "Petrov said Peru must release all prisoners of war.")
    assert triples(positions) == [("ivo-petrov", "humanitarian", "demand")]


def test_detainees_who_need_to_be_released_are_a_demand(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "Chile gave Peru the names of detainees who need to be released.")
    assert triples(positions) == [("chile", "humanitarian", "demand")]


def test_we_in_a_quotation_is_its_speaker(parsed, lexicon):
    text = 'Ana Ruiz was firm. "We will never accept any loss of territory," she said.'
    positions = positions_with_quote(parsed, lexicon, text, "We will never accept any loss of territory,",
                                     "ana-ruiz")
    assert triples(positions) == [("ana-ruiz", "territory", "red_line")]


def test_refusals_to_compromise_are_red_lines(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "Peru will never agree to give up territory.")
    assert triples(positions) == [("peru", "territory", "red_line")]


def test_a_person_signing_for_their_country_counts_as_the_country(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "Ruritania backs a ceasefire. On Friday Ivo Petrov said he backs a ceasefire too.")
    assert triples(positions) == [("ruritania", "ceasefire", "support")]


def test_is_about_is_not_a_concern(parsed, lexicon):
    assert positions_of(parsed, lexicon, "Petrov said the list concerns the return of prisoners.") == []


def test_what_a_proposal_says_another_party_would_do_is_the_proposers(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "The EU proposed that Chile shelve its NATO bid and that Peru pledge neutrality.")
    assert triples(positions) == [("european-union", "nato_membership", "propose")]


def test_putting_an_issue_on_an_agenda_is_no_stance_on_it(parsed, lexicon):
    assert positions_of(parsed, lexicon,
                        "Chile agreed to put NATO accession on the agenda of later talks.") == []


def test_opposition_from_a_party_is_its_opposition(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "Strong opposition from Peru has stalled the loan for Chile.")
    assert ("peru", "financing", "oppose") in triples(positions)


def test_withholding_approval_is_opposition(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "The EU plans a new loan for Chile. Peru has withheld its approval.")
    assert ("peru", "financing", "oppose") in triples(positions)


def test_a_party_leader_named_beside_the_description_holds_the_stance(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "Peru's president, Ana Ruiz, has vowed to veto any renewal of the sanctions.")
    assert triples(positions) == [("ana-ruiz", "sanctions", "oppose")]


def test_an_issue_of_another_clause_is_not_the_stances(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "Chile wants Peru to halt its naval drills, while Peru is seeking an easing of sanctions.")
    assert triples(positions) == [("peru", "sanctions", "demand")]


def test_a_majority_vote_is_not_an_election(parsed, lexicon):
    assert positions_of(parsed, lexicon,
                        "The rules could change through a majority vote, which would take away Chile's veto.") == []


def test_a_proposal_watched_by_a_party_is_not_its_proposal(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "Peru said it was watching those proposals for peacekeepers warily.")
    assert ("peru", "security_guarantees", "propose") not in triples(positions)


def test_a_relative_clause_wants_the_thing_it_describes(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "Chile gave Peru a list of abducted children that Chile wants back.")
    assert triples(positions) == [("chile", "humanitarian", "demand")]


def test_a_person_quoted_keeps_their_own_stance_beside_their_partys(parsed, lexicon):
    text = 'Ruritania wants the prisoners back. "We want every prisoner back," Petrov said.'
    positions = positions_with_quote(parsed, lexicon, text, "We want every prisoner back,", "ivo-petrov")
    assert triples(positions) == [("ruritania", "humanitarian", "demand"), ("ivo-petrov", "humanitarian", "demand")]


def test_an_agreement_between_two_parties_is_supported_by_both(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "Norway mediated what was called an agreement between Chile and Peru for a ceasefire.")
    assert triples(positions) == [("chile", "ceasefire", "support"), ("peru", "ceasefire", "support")]


def test_a_stance_word_naming_a_kind_of_group_is_no_stance(parsed, lexicon):
    assert positions_of(parsed, lexicon, "Peru met the opposition leader to discuss the ceasefire.") == []


def test_what_a_refusal_waits_for_is_a_demand(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "Chile says it will not resume talks until Peru releases all the hostages.")
    assert triples(positions) == [("chile", "humanitarian", "demand")]


def test_a_fronted_quotation_is_not_the_content_of_a_modal(parsed, lexicon):
    text = '"We call on Norway to insist that Peru respects the ceasefire: Peru must free the hostages."'
    positions = positions_with_quote(parsed, lexicon, text, text.strip('"'), "chile")
    assert ("chile", "ceasefire", "demand") in triples(positions)


def test_out_of_the_question_is_read_on_its_verb(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "Petrov said on Friday that a ceasefire was out of the question.")
    assert triples(positions) == [("ivo-petrov", "ceasefire", "oppose")]


def test_agreeing_with_words_between_agrees_to_what_follows(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "The EU agreed late on Friday to lend Peru 5 billion euros.")
    assert triples(positions) == [("european-union", "financing", "support")]


def test_a_community_named_by_two_demonyms_is_not_a_party(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "Ukraine and the US met in May. "
                             "Several Ukrainian-American community associations raised concerns about the prisoners.")
    assert positions == []


def test_a_hyphenated_cease_fire_is_a_ceasefire(parsed, lexicon):
    positions = positions_of(parsed, lexicon, "Peru backs a cease-fire along the river.")
    assert triples(positions) == [("peru", "ceasefire", "support")]


def test_a_deal_in_the_event_of_is_no_stance(parsed, lexicon):
    assert positions_of(parsed, lexicon,
                        "Norway would send ships in the event of any truce agreement between Chile and Peru.") == []


def test_what_a_second_stance_governs_is_its_own(parsed, lexicon):
    positions = positions_of(parsed, lexicon,
                             "Peru demanded new elections and rejected any ceasefire with Chile.")
    assert ("peru", "ceasefire", "demand") not in triples(positions)
    assert ("peru", "ceasefire", "oppose") in triples(positions)


def test_a_call_held_on_an_issue_is_a_meeting_not_a_demand(parsed, lexicon):
    # "call on" asks something of someone only as a verb; "a call on funding" is a conversation.
    assert triples(positions_of(parsed, lexicon,
                                "Iceland will hold a call on funding with the EU next week.")) == []
    assert triples(positions_of(parsed, lexicon,
                                "Iceland calls on the EU to provide funding for the fleet.")) == [
        ("iceland", "financing", "demand")]
