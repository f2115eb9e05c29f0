"""Events: meetings, attacks, decisions, visits and statements, one per real event."""

from __future__ import annotations

import re

from parley.extract.actors import ActorTable
from parley.extract.events import find_events
from parley.extract.times import resolve_when
from parley.records import Actor, Mention, TimeExpression

# A small cast for hand-made actor tables: surface form -> (id, kind, affiliation).
CAST = {
    "Maria Lopez": ("maria-lopez", "person", "chile"),
    "Lopez": ("maria-lopez", "person", "chile"),
    "Erik Olsen": ("erik-olsen", "person", "norway"),
    "Olsen": ("erik-olsen", "person", "norway"),
    "Ana Ruiz": ("ana-ruiz", "person", "peru"),
    "Chile": ("chile", "country", None),
    "Chilean": ("chile", "country", None),
    "Peru": ("peru", "country", None),
    "Peruvian": ("peru", "country", None),
    "Norway": ("norway", "country", None),
    "Norwegian": ("norway", "country", None),
    "Ruritania": ("ruritania", "country", None),
    "EU": ("european-union", "bloc", None),
    "European Union": ("european-union", "bloc", None),
}


def actor_table(text: str, cast: dict = CAST) -> ActorTable:
    """Mentions of every cast member's surface forms (longest first, no overlaps)."""
    table = ActorTable()
    taken: list[tuple[int, int]] = []
    for form in sorted(cast, key=len, reverse=True):
        actor_id, kind, affiliation = cast[form]
        for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            table.add_mention(Mention(actor_id, form, m.start(), m.end()))
            table.actors.setdefault(actor_id, Actor(actor_id, form, kind, affiliation=affiliation))
    return table


def time_expressions(text: str, phrases: list[str], published: str | None) -> list[TimeExpression]:
    found = []
    for phrase in phrases:
        start = text.index(phrase)
        found.append(TimeExpression("test.txt", resolve_when(phrase, published), "", start, start + len(phrase)))
    return found


def events_of(parsed, lexicon, text, times=(), published=None):
    document, doc = parsed(text, published=published)
    return find_events(document, doc, actor_table(text), time_expressions(text, list(times), published), lexicon)


def test_planned_meeting_with_participants_place_and_resolved_date(parsed, lexicon):
    text = "Maria Lopez is expected to arrive in Geneva on Thursday for talks with Norwegian envoy Erik Olsen."
    [event] = events_of(parsed, lexicon, text, times=["on Thursday"], published="2026-03-02")
    assert event.kind == "meeting"
    assert event.status == "planned"
    assert set(event.participants) == {"maria-lopez", "erik-olsen"}  # "Norwegian" only describes Olsen
    assert event.place == "Geneva"
    assert event.when.text == "on Thursday"
    assert event.when.date == "2026-03-05"
    assert event.evidence == text


def test_held_meeting_from_past_tense(parsed, lexicon):
    [event] = events_of(parsed, lexicon, "Lopez met Olsen in Oslo on Monday to discuss the quota.")
    assert (event.kind, event.status, event.place) == ("meeting", "held", "Oslo")
    assert set(event.participants) == {"maria-lopez", "erik-olsen"}


def test_ongoing_talks(parsed, lexicon):
    [event] = events_of(parsed, lexicon, "Talks between Chile and Peru are continuing in Lima.")
    assert event.status == "ongoing"
    assert event.participants == ["chile", "peru"]
    assert event.place == "Lima"


def test_cancelled_summit(parsed, lexicon):
    [event] = events_of(parsed, lexicon, "The Chilean government called off a summit with Peru in Lima.")
    assert event.kind == "meeting"
    assert event.status == "cancelled"


def test_delegation_led_by_a_person_gives_both_the_person_and_the_country(parsed, lexicon):
    [event] = events_of(parsed, lexicon,
                        "A Peruvian delegation led by Foreign Minister Ana Ruiz is due in Santiago this week.")
    assert event.kind == "meeting"
    assert set(event.participants) == {"peru", "ana-ruiz"}
    assert event.place == "Santiago"
    assert event.status == "planned"


def test_attack_keeps_what_was_launched_in_the_evidence(parsed, lexicon):
    [event] = events_of(parsed, lexicon,
                        "Overnight, Ruritania launched 40 drones and six missiles at power stations.")
    assert event.kind == "attack"
    assert event.participants == ["ruritania"]
    assert "40 drones and six missiles" in event.evidence
    assert event.status == "held"


def test_decision_by_an_institution_but_not_a_decision_still_to_come(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "EU leaders agreed a 40-billion-euro loan for Peru on Friday. "
                       "Peru is expected to approve the terms next month.")
    assert [(e.kind, e.participants, e.status) for e in events] == [("decision", ["european-union"], "held")]


def test_no_event_from_generic_talk_or_a_speakers_claims(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "Negotiations are rarely simple. If talks fail, prices will rise. "
                       "No meeting between Chile and Peru is planned. "
                       "\"Our forces struck the Ruritania border posts,\" the colonel said.")
    assert events == []


def test_two_mentions_of_one_meeting_make_one_event(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "Lopez will meet Olsen in Bergen on Tuesday. "
                       "Fishing quotas are expected to dominate. "
                       "The talks in Bergen with Olsen could last two days.")
    assert len(events) == 1
    assert events[0].place == "Bergen"


def test_two_meetings_in_different_places_stay_apart(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "Lopez met Olsen in Oslo in March. Lopez will meet Olsen again in Lima in May.")
    assert [(e.place, e.status) for e in events] == [("Oslo", "held"), ("Lima", "planned")]


def test_statement_on_social_media(parsed, lexicon):
    [event] = events_of(parsed, lexicon, "Ana Ruiz wrote on social media that the offer was unacceptable.")
    assert (event.kind, event.participants) == ("statement", ["ana-ruiz"])


def test_saying_something_on_a_platform_is_a_statement(parsed, lexicon):
    [event] = events_of(parsed, lexicon, "Maria Lopez wrote on Telegram that the quota offer was final.")
    assert (event.kind, event.participants) == ("statement", ["maria-lopez"])


def test_meeting_format_when_stated(parsed, lexicon):
    [event] = events_of(parsed, lexicon, "Trilateral talks between Chile, Peru and Norway opened in Quito.")
    assert event.format == "trilateral"
    assert event.participants == ["chile", "peru", "norway"]


def test_a_month_date_covers_the_real_last_day_of_the_month():
    from parley.compare import date_range
    from parley.records import When

    assert date_range(When("in November", "2025-11-01", None, "month")) == ("2025-11-01", "2025-11-30")
    assert date_range(When("in February", "2028-02-01", None, "month")) == ("2028-02-01", "2028-02-29")


def test_who_owns_a_role_or_is_talked_about_is_no_participant(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "Chile's envoys met Olsen in Oslo on Monday. "
                       "Lopez and Ana Ruiz held talks in Lima on Norway's fishing quotas on Friday.")
    assert [sorted(e.participants) for e in events] == [["erik-olsen"], ["ana-ruiz", "maria-lopez"]]


def test_phone_calls_are_meetings_when_the_other_side_is_named(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "On Monday, Lopez spoke with Olsen by phone. "
                       "A call took place between Ana Ruiz and Olsen on Friday. "
                       "Ruiz also spoke to reporters. Chile renewed its calls for a ceasefire.",
                       times=["On Monday", "on Friday"], published="2026-03-04")
    assert [(e.kind, sorted(e.participants)) for e in events] == [
        ("meeting", ["erik-olsen", "maria-lopez"]), ("meeting", ["ana-ruiz", "erik-olsen"])]


def test_support_for_talks_is_a_stance_not_an_event(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "Lopez and Olsen said they support fresh talks between Chile and Peru. "
                       "Ruiz called for talks with Norway.")
    assert events == []


def test_rounds_of_a_series_and_a_recalled_meeting_stay_apart(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "The second round of talks between Chile and Peru ended in Lima. "
                       "The third round will be held in Lima too. "
                       "Lopez last met Olsen in Lima. The talks in Lima were tense.")
    assert [(e.status, sorted(e.participants)) for e in events] == [
        ("held", ["chile", "peru"]), ("planned", []), ("held", ["erik-olsen", "maria-lopez"])]


def test_signatories_are_the_deciders_of_a_signed_agreement(parsed, lexicon):
    [event] = events_of(parsed, lexicon, "Lopez and Olsen signed a fishing agreement in Oslo on Monday.")
    assert (event.kind, sorted(event.participants), event.place) == ("decision", ["erik-olsen", "maria-lopez"], "Oslo")


def test_decisions_still_to_be_reached_or_promised_by_negotiators_are_not_decisions(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "The talks came days before a deadline for Peru to reach a deal. "
                       "Chile and Peru agreed to stay in touch. Sanctions hurt the Ruritanian economy. "
                       "The EU agreed to phase out Ruritanian gas. The EU imposed sanctions on Ruritania.")
    assert [(e.kind, e.participants) for e in events] == [
        ("decision", ["european-union"]), ("decision", ["european-union"])]


def test_a_place_keeps_its_city_and_a_country_takes_in_its_capital(parsed, lexicon):
    text = ("Chile and Peru held talks in Lima's Torre Palace on Monday. "
            "The talks in Lima were tense. Norway mediated the talks in Peru. "
            "Lopez met Olsen at the Peruvian Embassy in Oslo's old town.")
    document, doc = parsed(text, published="2026-03-04")
    cast = {**CAST, "Lima": ("peru", "country", None)}  # a capital standing for its country
    events = find_events(document, doc, actor_table(text, cast), time_expressions(text, ["on Monday"], "2026-03-04"),
                         lexicon)
    assert [e.place for e in events] == ["Lima's Torre Palace", "Peruvian Embassy in Oslo"]


def test_a_meeting_place_is_not_read_from_inside_a_clause_or_the_topic(parsed, lexicon):
    [event] = events_of(parsed, lexicon,
                        "Lopez met Olsen on Monday to discuss the situation in Lima. "
                        "The meeting, which followed a dinner in Bergen, lasted three hours.")
    assert event.place is None


def test_two_line_ups_with_one_side_in_common_are_two_meetings(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "On Monday, a meeting between Chile, Norway and Peru was held in Quito. "
                       "Then talks took place between Ruritania and Peru in Quito.")
    assert [sorted(e.participants) for e in events] == [["chile", "norway", "peru"], ["peru", "ruritania"]]


def test_he_and_his_stand_for_the_subject_of_the_clause_above(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "During a call with his Norwegian counterpart Erik Olsen, Maria Lopez said the quota was fair. "
                       "Later Lopez spoke with Ana Ruiz and said he would meet her in Lima.")
    assert sorted(events[0].participants) == ["erik-olsen", "maria-lopez"]
    assert all("erik-olsen" not in e.participants for e in events[1:])


def test_leaders_of_countries_decide_for_their_countries(parsed, lexicon):
    [event] = events_of(parsed, lexicon, "Lopez and the leaders of Peru and Norway signed the declaration in Lima.")
    assert (event.kind, sorted(event.participants)) == ("decision", ["maria-lopez", "norway", "peru"])


def test_a_meeting_only_asked_about_is_no_event(parsed, lexicon):
    assert events_of(parsed, lexicon,
                     "Olsen would not say whether a summit between Chile and Peru is likely.") == []


def test_an_attack_is_placed_where_it_struck_and_background_strikes_are_no_events(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "The war began with Ruritania's attack on Peru in March 2023. "
                       "Many buildings were destroyed in Ruritanian strikes. "
                       "A possible Chilean strike on Ruritania worries Olsen.",
                       times=["in March 2023"], published="2026-03-04")
    assert [(e.kind, e.participants, e.place) for e in events] == [("attack", ["ruritania"], "Peru")]


def test_both_sides_and_a_cabinet_stand_for_their_parties(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "Chile and Peru held talks in Lima on Monday. "
                       "Both sides will meet again next month. "
                       "Norway said the truce would start after a session of the war cabinet.",
                       times=["on Monday", "next month"], published="2026-03-04")
    assert [(sorted(e.participants), e.status) for e in events][:2] == [
        (["chile", "peru"], "held"), (["chile", "peru"], "planned")]
    assert events[2].participants == ["norway"]


def test_an_event_after_a_preposition_of_time_is_not_the_clause_verbs(parsed, lexicon):
    events = events_of(parsed, lexicon, "Lopez hopes to meet Olsen soon after last week's talks in Lima.")
    assert [(sorted(e.participants), e.place) for e in events] == [(["erik-olsen", "maria-lopez"], None), ([], "Lima")]
    assert events[0].status == "planned"


def test_gathering_for_a_summit_is_one_meeting_and_more_talks_are_the_same_parties_again(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "Chilean and Peruvian ministers gather in Lima on Monday and Tuesday for a summit. "
                       "More talks are planned.",
                       times=["on Monday", "Tuesday"], published="2026-03-04")
    assert [(sorted(e.participants), e.place, e.status) for e in events] == [
        (["chile", "peru"], "Lima", "held"), (["chile", "peru"], None, "planned")]


def test_a_speaker_may_report_a_meeting_they_place_but_not_a_vague_one(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       'Olsen said: "The summit in Lima with Chile was useful. Talks are always hard, '
                       'and negotiations with Peru will go on."')
    assert [(e.place, e.participants) for e in events] == [("Lima", ["chile"])]


def test_talks_that_ended_with_someone_include_them(parsed, lexicon):
    [event] = events_of(parsed, lexicon, "The talks that ended in Lima with Olsen on Monday were tense.")
    assert (event.place, event.participants) == ("Lima", ["erik-olsen"])


def test_they_stand_for_the_parties_named_above_and_agreeing_to_cut_tariffs_is_a_decision(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "Chilean and Peruvian envoys said they had struck an accord on fishing quotas. "
                       "Norway and Ruritania agreed to cut tariffs. Chile and Norway agreed to stay in touch.")
    assert [(e.kind, sorted(e.participants)) for e in events] == [
        ("decision", ["chile", "peru"]), ("decision", ["norway", "ruritania"])]


def test_meeting_again_is_the_same_parties_again(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "Talks between Chile and Peru ended in Lima on Monday. Lopez said they would meet again in May.",
                       times=["on Monday", "in May"], published="2026-03-04")
    assert [(sorted(e.participants), e.status) for e in events][1] == (["chile", "maria-lopez", "peru"], "planned")


def test_an_untyped_proper_name_before_a_summit_is_its_place_and_the_praised_host_takes_part(parsed, lexicon):
    text = "Olsen praised Lopez for hosting the Quellon summit."
    document, doc = parsed(text)
    doc.ents = [e for e in doc.ents if e.text != "Quellon"]  # a name the tagger left without a type
    [event] = find_events(document, doc, actor_table(text), [], lexicon)
    assert (event.place, event.participants) == ("Quellon", ["maria-lopez"])


def test_a_call_reported_inside_another_meeting_stays_its_own_event(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "During a meeting with Olsen in Oslo, Lopez made a call to Ana Ruiz. "
                       "Olsen, Lopez and Ana Ruiz later spoke about the call.")
    assert sorted(e.place or "" for e in events) == ["", "Oslo"]


def test_a_proposed_meeting_keeps_a_between_phrase_the_parser_hung_elsewhere(parsed, lexicon):
    [event] = events_of(parsed, lexicon,
                        "Peru proposed a summit after the rainy season between Maria Lopez and Erik Olsen.")
    assert (event.status, sorted(event.participants)) == ("planned", ["erik-olsen", "maria-lopez", "peru"])


def test_sending_someone_to_meet_and_to_visit_a_city_is_one_planned_meeting_there(parsed, lexicon):
    events = events_of(parsed, lexicon,
                       "Lopez is sending Olsen to meet Ana Ruiz. Olsen is expected to visit Lima next week. "
                       "Olsen met Ana Ruiz in Quito to discuss the quota.", times=["next week"], published="2026-03-04")
    assert [(e.kind, sorted(e.participants), e.place, e.status) for e in events] == [
        ("meeting", ["ana-ruiz", "erik-olsen"], "Lima", "planned"),
        ("meeting", ["ana-ruiz", "erik-olsen"], "Quito", "held")]


def test_strikes_a_ceasefire_ended_due_to_are_not_planned(parsed, lexicon):
    [event] = events_of(parsed, lexicon, "The truce ended due to Ruritania's strikes in Lima.")
    assert (event.kind, event.participants, event.place) == ("attack", ["ruritania"], "Lima")
    assert event.status != "planned"
