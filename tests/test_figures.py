"""Figures: what counts as one, how it is normalised, and what it is about.

Sentences are written for these tests (not taken from any article).
"""

from __future__ import annotations

import pytest

from parley.extract.figures import find_figures
from parley.lexicon import load_lexicon
from parley.nlp import load_pipeline
from parley.records import Document


@pytest.fixture(scope="session")
def nlp():
    return load_pipeline()


@pytest.fixture(scope="session")
def figures_of(nlp):
    lexicon = load_lexicon()

    def run(text: str):
        document = Document(id="t", source="test.txt", text=text)
        return find_figures(document, nlp(text), lexicon)

    return run


def only(figures):
    assert len(figures) == 1, [f.text for f in figures]
    return figures[0]


def content_words(text: str) -> set[str]:
    return {w for w in text.lower().replace(",", " ").split()
            if w not in {"of", "the", "for", "to", "in", "a", "by"}}


@pytest.mark.parametrize(
    "sentence, text, value, unit",
    [
        ("Kyiv faces a €12.4bn hole in its budget next year.", "€12.4bn", 12.4e9, "EUR"),
        ("The bloc agreed to lend 45 billion euros to Moldova.", "45 billion euros", 45e9, "EUR"),
        ("Rebuilding the country could cost $1.2 trillion.", "$1.2 trillion", 1.2e12, "USD"),
        ("The charity raised £7m for the appeal.", "£7m", 7e6, "GBP"),
        ("Moscow fined the firm 800 million rubles.", "800 million rubles", 8e8, "RUB"),
        ("The fund will pay out USD 2.5bn this spring.", "USD 2.5bn", 2.5e9, "USD"),
    ],
)
def test_money_is_expanded_with_its_iso_currency(figures_of, sentence, text, value, unit):
    figure = only(figures_of(sentence))
    assert (figure.text, figure.value, figure.unit) == (text, pytest.approx(value), unit)


@pytest.mark.parametrize(
    "sentence, text",
    [
        ("Turnout reached 45% in the capital.", "45%"),
        ("Turnout reached 45 percent in the capital.", "45 percent"),
        ("Turnout reached 45 per cent in the capital.", "45 per cent"),
    ],
)
def test_percentages_in_any_spelling(figures_of, sentence, text):
    figure = only(figures_of(sentence))
    assert (figure.text, figure.value, figure.unit) == (text, 45, "percent")


def test_approximation_is_kept_in_text_and_approx(figures_of):
    figure = only(figures_of("The rebels hold almost 15% of the province."))
    assert (figure.text, figure.approx, figure.value) == ("almost 15%", "almost", 15)
    figure = only(figures_of("More than 4,200 families were evacuated from the valley."))
    assert (figure.text, figure.approx, figure.unit) == ("More than 4,200", "more than", "families")


@pytest.mark.parametrize("sentence", ["The depot lies 40km north of the port.",
                                      "The depot lies 40 kilometres north of the port."])
def test_distances_in_km(figures_of, sentence):
    figure = only(figures_of(sentence))
    assert (figure.value, figure.unit) == (40, "km")
    assert {"port", "north"} <= content_words(figure.about)


def test_counts_take_the_plural_counted_noun(figures_of):
    found = figures_of("The navy intercepted 312 drones and 17 cruise missiles.")
    assert [(f.text, f.value, f.unit) for f in found] == [
        ("312", 312, "drones"), ("17", 17, "missiles")]
    assert "cruise" in content_words(found[1].about)


def test_the_unit_is_the_head_noun_unless_a_compound_names_one_thing(figures_of):
    found = figures_of("Some 30 world leaders and 12 EU member states sent 40 aid trucks.")
    assert [f.unit for f in found] == ["leaders", "member states", "trucks"]


def test_abbreviated_counted_nouns_take_their_full_unit(figures_of):
    figure = only(figures_of("Kyiv hopes to bring home at least 350 POWs this month."))
    assert (figure.value, figure.unit) == (350, "prisoners")


def test_percentage_points_are_a_percent_figure(figures_of):
    found = figures_of("The bank cut its key rate by 3 percentage points to 14%.")
    assert [(f.text, f.unit) for f in found] == [("3 percentage points", "percent"),
                                                  ("14%", "percent")]


def test_adjectives_are_not_part_of_the_unit(figures_of):
    figure = only(figures_of("Around 2,300 Moldovan students have enrolled abroad."))
    assert (figure.unit, figure.approx) == ("students", "around")
    assert {"moldovan", "students", "enrolled"} <= content_words(figure.about)


@pytest.mark.parametrize(
    "sentence, value, unit",
    [
        ("Three tankers were seized off the coast.", 3, "tankers"),
        ("Militias freed a dozen hostages on the border.", 12, "hostages"),
        ("The floods displaced two million people.", 2e6, "people"),
        ("Officials counted twenty-five ambulances at the scene.", 25, "ambulances"),
    ],
)
def test_spelled_out_counts(figures_of, sentence, value, unit):
    figure = only(figures_of(sentence))
    assert (figure.value, figure.unit) == (value, unit)


def test_an_elided_counted_noun_is_taken_from_the_figure_before(figures_of):
    found = figures_of("In the north, 1,200 homes lost power and 8,000 went without gas.")
    assert [(f.value, f.unit) for f in found] == [(1200, "homes"), (8000, "homes")]
    assert {"homes", "gas"} <= content_words(found[1].about)


def test_x_of_the_y_gives_two_figures_of_the_same_noun(figures_of):
    found = figures_of("The plan was backed by 19 of the 32 alliance members on Monday.")
    assert [(f.value, f.unit) for f in found] == [(19, "members"), (32, "members")]


@pytest.mark.parametrize(
    "sentence, values, unit",
    [
        ("Between 15 and 25 soldiers were wounded near the river.", [15, 25], "soldiers"),
        ("The sides swapped 500 Georgian and 500 Abkhaz detainees.", [500, 500], "detainees"),
        ("Police detained 20 or 30 protesters in the square.", [20, 30], "protesters"),
    ],
)
def test_a_noun_shared_by_two_numbers_counts_both(figures_of, sentence, values, unit):
    found = figures_of(sentence)
    assert [(f.value, f.unit) for f in found] == [(v, unit) for v in values]


@pytest.mark.parametrize(
    "sentence, text, unit",
    [
        ("The deal foresees a 300-for-300 swap of captured soldiers.", "300-for-300", "soldiers"),
        ("Both capitals agreed to trade detainees 75 for 75 next week.", "75 for 75", "detainees"),
        ("They discussed a hostage exchange in the \"40 for 40\" format.", "40 for 40", "hostages"),
        ("The envoy spoke of a 250-for-250 exchange on Friday.", "250-for-250", "prisoners"),
    ],
)
def test_an_exchange_of_equal_numbers_is_one_count(figures_of, sentence, text, unit):
    figure = only(figures_of(sentence))
    assert (figure.text, figure.unit) == (text, unit)
    assert figure.value == float(text.replace("-", " ").split()[0])


def test_a_number_joined_to_a_noun_by_a_hyphen_counts_it(figures_of):
    figure = only(figures_of("Washington presented its 12-point peace framework on Sunday."))
    assert (figure.text, figure.value, figure.unit) == ("12-point", 12, "points")
    assert {"points", "peace", "framework"} <= content_words(figure.about)


def test_the_article_before_a_count_of_three_or_more_does_not_make_it_a_reference(figures_of):
    figure = only(figures_of("The rebels must return the four captured pilots they hold."))
    assert (figure.value, figure.unit) == (4, "pilots")
    assert figures_of("The two delegations met again on Friday.") == []


def test_a_date_tag_does_not_hide_a_count_of_things(figures_of):
    figure = only(figures_of("Rescuers pulled out the last 30 miners trapped underground."))
    assert (figure.value, figure.unit) == (30, "miners")


@pytest.mark.parametrize(
    "sentence",
    [
        "The treaty was signed in 1994 and has been in force since 2022.",
        "Elections must be held by 2029, the minister said.",
        "The summit takes place on March 3-4 in Vilnius.",
        "Ministers will meet again on 14 October.",
        "The ministers talked for five hours on Friday.",
        "The two-day summit ended with a three-year deal.",
        "It is the 21st round of sanctions, the first since the spring.",
        "In one room, diplomats argued; the two sides never met.",
        "Article 5 of the treaty was invoked at 10:30 on Tuesday.",
        "Ivan Petrov, 54, was appointed envoy.",
        "Thousands of people and millions of dollars were at stake.",
        "The 1990s-style talks were drafted in a 90-day window.",
    ],
)
def test_years_dates_durations_ordinals_and_labels_are_not_figures(figures_of, sentence):
    assert figures_of(sentence) == []


def test_about_is_the_noun_the_money_modifies(figures_of):
    figure = only(figures_of("Brussels unveiled a €35bn reconstruction fund for Moldova."))
    assert {"reconstruction", "fund", "moldova"} <= content_words(figure.about)


def test_about_is_the_complement_of_in(figures_of):
    figure = only(figures_of("Sanctions froze $48bn in Iranian oil revenues."))
    assert content_words(figure.about) >= {"iranian", "oil", "revenues"}


def test_about_of_a_share_names_the_whole_and_who_holds_it(figures_of):
    figure = only(figures_of("The army says it controls 60% of the district."))
    assert figure.about.startswith("share of")
    assert {"district", "army", "controls"} <= content_words(figure.about)


def test_about_of_a_count_says_what_happened_to_it(figures_of):
    figure = only(figures_of("Some 700 prisoners were released to Armenia."))
    assert (figure.approx, figure.unit) == ("some", "prisoners")
    assert {"prisoners", "released", "armenia"} <= content_words(figure.about)
    figure = only(figures_of("The air force shot down 48 drones."))
    assert {"drones", "air", "force", "shot"} <= content_words(figure.about)


def test_offsets_and_evidence_point_into_the_text(figures_of):
    text = "Talks resumed. The convoy carried 90 tonnes of flour and 14 generators."
    found = figures_of(text)
    assert [text[f.start:f.end] for f in found] == [f.text for f in found] == ["90", "14"]
    assert all(f.evidence == "The convoy carried 90 tonnes of flour and 14 generators."
               for f in found)
    assert found[0].unit == "tonnes"


def test_more_vocabulary_comes_from_the_lexicon(nlp, tmp_path):
    (tmp_path / "figures.toml").write_text('[currency_words]\n"lari" = "GEL"\n')
    lexicon = load_lexicon((tmp_path,))
    text = "Tbilisi spent 300 million lari on roads."
    figure = only(find_figures(Document(id="t", source="t", text=text), nlp(text), lexicon))
    assert (figure.value, figure.unit) == (3e8, "GEL")


@pytest.mark.parametrize(
    "sentence, text, expected",
    [
        ("Canada will cut duties on Mexican steel from 40% to 12% next month.", "40%",
         {"canadian", "duties", "mexican", "steel", "before", "cut"}),
        ("Canada will cut duties on Mexican steel from 40% to 12% next month.", "12%",
         {"canadian", "duties", "mexican", "steel", "after", "cut"}),
        ("Both governments will lower their levies by 15 percentage points.",
         "15 percentage points", {"cut", "levies"}),
        ("Brazil said it would bring its export tax down to 5%.", "5%",
         {"brazilian", "export", "tax", "after", "cut"}),
        ("Grain prices rose 8% after the announcement.", "8%", {"rise", "grain", "prices"}),
    ],
)
def test_about_of_a_change_says_what_changed_and_when(figures_of, sentence, text, expected):
    figure = next(f for f in figures_of(sentence) if f.text == text)
    assert expected <= content_words(figure.about)


def test_about_names_the_owner_behind_its_or_their(figures_of):
    figure = only(figures_of("Japan agreed to scrap its 25 percent levy on Korean cars."))
    assert {"japanese", "levy", "korean", "cars"} <= content_words(figure.about)


def test_about_of_an_elided_count_keeps_the_noun_that_holds_it(figures_of):
    found = figures_of("The militia returned 12 soldiers alive and the bodies of 9 others.")
    assert [(f.value, f.unit) for f in found] == [(12, "soldiers"), (9, "soldiers")]
    assert {"bodies", "soldiers"} <= content_words(found[1].about)


def test_about_leaves_a_complement_holding_another_figure_to_it(figures_of):
    found = figures_of("The charter has 40 articles grouped into six chapters.")
    assert [(f.value, f.unit) for f in found] == [(40, "articles"), (6, "chapters")]
    assert "chapters" not in content_words(found[0].about)
    assert {"chapters", "articles", "grouped"} <= content_words(found[1].about)


def test_handed_over_is_not_an_approximation(figures_of):
    figure = only(figures_of("The rebels handed over 16 hostages on Monday."))
    assert (figure.text, figure.approx, figure.value) == ("16", None, 16)


def test_a_figure_on_a_headline_or_bullet_line_is_described_from_its_own_line(figures_of):
    text = ("Border talks end without a deal\n"
            "- 40 detainees freed by the militia\n"
            "- $3bn in promised aid\n"
            "Negotiators will meet again in the spring.")
    found = figures_of(text)
    assert [(f.value, f.unit) for f in found] == [(40, "detainees"), (3e9, "USD")]
    assert content_words(found[0].about) <= {"detainees", "freed", "militia"}
    assert content_words(found[1].about) <= {"promised", "aid"}


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("The truce provides for the release of 90 detained fishermen from Azov ports.",
         {"detained", "fishermen", "released"}),
        ("Mediators arranged the evacuation of 300 wounded civilians from the city.",
         {"wounded", "civilians", "evacuated"}),
        ("Kyiv will free its captives in exchange for 140 Ukrainian soldiers.",
         {"ukrainian", "soldiers", "exchanged", "captives"}),
        ("Power stations in at least six provinces were damaged.",
         {"power", "stations", "provinces", "damaged"}),
    ],
)
def test_about_of_a_count_inside_another_noun(figures_of, sentence, expected):
    assert expected <= content_words(only(figures_of(sentence)).about)


def test_about_writes_out_abbreviations(figures_of):
    figure = only(figures_of("The sides agreed to swap 90 POWs on Sunday."))
    assert {"prisoners", "war"} <= content_words(figure.about)


def test_about_names_a_country_owner_in_its_attributive_form(figures_of):
    found = figures_of("China will lower its duties on Australian wine to 5% from 30%.")
    assert all({"chinese", "duties", "australian", "wine"} <= content_words(f.about)
               for f in found)
    figure = only(figures_of("The United States will halve its levy on Indian steel by 20%."))
    assert {"us", "levy", "indian", "steel"} <= content_words(figure.about)


@pytest.mark.parametrize(
    "sentence, first, second",
    [
        ("Prices rose 3 to 5 percent in May.", (3, "percent"), (5, "percent")),
        ("The buffer will be between 10 and 15 km wide.", (10, "km"), (15, "km")),
        ("Brussels may lend between 2 and 3 billion euros.", (2e9, "EUR"), (3e9, "EUR")),
    ],
)
def test_the_first_number_of_a_range_shares_the_unit_written_after_the_second(
        figures_of, sentence, first, second):
    found = figures_of(sentence)
    assert [(f.value, f.unit) for f in found] == [first, second]
    assert found[0].about == found[1].about


@pytest.mark.parametrize(
    "sentence",
    [
        "The bill could run to a few hundred million dollars.",
        "Analysts still rate the new jet above the 787.",
        "The 2.5 litre engines were recalled.",
    ],
)
def test_vague_amounts_names_and_decimal_counts_are_not_figures(figures_of, sentence):
    assert figures_of(sentence) == []


def test_about_of_a_count_keeps_where_and_when_the_clause_puts_it(figures_of):
    figure = only(figures_of("Overnight the army fired 220 shells at Kharkiv, officials said."))
    assert {"shells", "army", "fired", "kharkiv", "overnight"} <= content_words(figure.about)
    figure = only(figures_of("Ankara brokered swaps of 900 detainees between Baku and Yerevan."))
    assert {"detainees", "swapped", "baku", "yerevan"} <= content_words(figure.about)


def test_about_of_a_count_names_the_place_of_its_clause(figures_of):
    figure = only(figures_of("Nearly 30 foreign ministers gathered to negotiate in the city of Doha."))
    assert {"ministers", "gathered", "doha"} <= content_words(figure.about)


def test_about_of_money_keeps_its_time(figures_of):
    figure = only(figures_of("Tokyo agreed to lend Manila $3bn over the next five years."))
    assert {"lend", "manila", "next", "five", "years"} <= content_words(figure.about)
    figure = only(figures_of("The ministry puts its costs for 2027 at €4.2bn."))
    assert {"costs", "2027"} <= content_words(figure.about)


def test_a_named_subject_is_given_whole(figures_of):
    figure = only(figures_of("The Bank of Korea bought 900 tonnes of gold."))
    assert {"bank", "korea", "bought"} <= content_words(figure.about)


def test_about_of_a_level_is_the_subject_that_stands_at_it(figures_of):
    figure = only(figures_of("The levy on Turkish steel will stand at 18% for the rest of the year."))
    assert {"levy", "turkish", "steel"} <= content_words(figure.about)
    assert "rest" not in content_words(figure.about)


def test_a_headline_run_into_the_first_sentence_keeps_the_sentence_subject(figures_of):
    text = ("Rebels and army swap 80 captives at the border\n"
            "Georgia and Abkhazia exchanged 80 detainees on Sunday, officials said.")
    found = figures_of(text)
    assert {"exchanged", "detainees"} <= content_words(found[1].about)
    assert content_words(found[1].about) & {"georgia", "abkhazia"}
    assert not content_words(found[1].about) & {"rebels", "army", "swap", "border"}


def test_about_of_a_participle_clause_says_what_happened(figures_of):
    figure = only(figures_of("Missiles struck the port overnight, killing at least 14 people."))
    assert {"people", "killed"} <= content_words(figure.about)


def test_an_elided_count_with_its_own_clause(figures_of):
    found = figures_of("Cairo will free 600 detainees, including 90 serving long sentences.")
    assert [(f.value, f.unit) for f in found] == [(600, "detainees"), (90, "detainees")]
    assert {"detainees", "serving", "long", "sentences"} <= content_words(found[1].about)


def test_about_of_a_percentage_keeps_its_own_clause(figures_of):
    found = figures_of("The plant reached 20 percent, far from the 90 percent needed for a bomb.")
    assert {"needed", "bomb"} <= content_words(found[1].about)


def test_a_number_too_long_for_any_float_is_no_figure(figures_of):
    found = figures_of("The fund holds $" + "9" * 400 + " and the envoys asked for 12% more.")
    assert [(f.text, f.unit) for f in found] == [("12%", "percent")]


def test_a_date_then_a_spelled_length_is_no_exchange_and_no_crash(figures_of):
    found = figures_of("The envoys met in Lisbon on March 5 for six hours.")
    assert not any(f.text.lower().endswith("for six") for f in found)
