"""Framing: how a document frames the prospects of the talks, with the sentences behind it."""

from __future__ import annotations

from parley.extract.framing import find_framing
from parley.records import Document, Framing
from parley.reconcile.run import framing_by_outlet

UPBEAT = ("Negotiators said the talks in Geneva were constructive and productive. "
          "Both delegations spoke of real progress on prisoner exchanges. "
          "A deal now looks within reach, one diplomat said, and the mood was hopeful.")
GLOOMY = ("The talks in Geneva are going nowhere. "
          "The two sides remain far apart on territory, the main sticking point. "
          "There was no breakthrough, and the war grinds on.")
PLAIN = ("The delegations met in Geneva on Monday. "
         "They discussed prisoner exchanges and the next round of meetings. "
         "A spokesman said a statement would follow.")


def framing(parsed, lexicon, text: str, title: str | None = None) -> Framing:
    document, doc = parsed(text)
    document.title = title
    return find_framing(document, doc, lexicon)


def test_upbeat_gloomy_and_plain_articles(parsed, lexicon):
    upbeat = framing(parsed, lexicon, UPBEAT)
    assert upbeat.label == "optimistic" and 0.3 <= upbeat.score <= 1
    assert any("within reach" in cue for cue in upbeat.cues)
    gloomy = framing(parsed, lexicon, GLOOMY)
    assert gloomy.label == "pessimistic" and -1 <= gloomy.score <= -0.3
    assert len(gloomy.cues) == 3 and gloomy.cues[0].startswith("The two sides remain far apart")  # two cues
    plain = framing(parsed, lexicon, PLAIN)
    assert plain.label == "neutral" and plain.score == 0 and plain.cues == []


def test_negation_turns_a_cue_around(parsed, lexicon):
    result = framing(parsed, lexicon, "The talks made no progress. Officials saw no breakthrough and were not "
                                      "optimistic. Nothing constructive came of the meeting.")
    assert result.label == "pessimistic"


def test_one_stray_cue_does_not_label_an_article(parsed, lexicon):
    result = framing(parsed, lexicon, PLAIN + " An official called the meeting constructive.")
    assert result.label == "neutral" and result.cues


def test_scare_quoted_progress_is_not_taken_up(parsed, lexicon):
    quoted = framing(parsed, lexicon, "Officials spoke of 'progress'. Reports mentioned “progress” again. "
                                      "Others repeated the word 'progress'.")
    assert quoted.score == 0 and quoted.label == "neutral"


def test_headline_sets_the_frame(parsed, lexicon):
    result = framing(parsed, lexicon, PLAIN, title="Geneva talks stalled: no breakthrough in sight")
    assert result.score < 0 and result.cues[0].startswith("Geneva talks stalled")


def test_questions_are_left_out(parsed, lexicon):
    result = framing(parsed, lexicon, "Is a breakthrough within reach? Will the talks bring progress? " + PLAIN)
    assert result.score == 0


def test_framing_per_outlet_in_order_of_publication():
    documents = [Document(id=str(i), source=f"{i}.txt", text="", outlet=outlet, published=published)
                 for i, (outlet, published) in enumerate([("Herald", "2026-01-20"), ("Herald", "2025-12-01"),
                                                          ("Courier", None)])]
    framing = [Framing("0.txt", "pessimistic", -0.5, []), Framing("1.txt", "optimistic", 0.5, []),
               Framing("2.txt", "neutral", 0.0, [])]
    view = {row["outlet"]: row for row in framing_by_outlet(documents, framing)}
    assert [p["published"] for p in view["Herald"]["documents"]] == ["2025-12-01", "2026-01-20"]
    assert [p["label"] for p in view["Herald"]["documents"]] == ["optimistic", "pessimistic"]
    assert view["Herald"]["mean_score"] == 0.0 and view["Courier"]["labels"] == {"neutral": 1}
