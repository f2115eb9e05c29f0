"""Cue phrases of the data files, matched on each word as written or on its lemma."""

from __future__ import annotations

import pytest

from parley.extract.syntax import CueIndex


@pytest.mark.parametrize("cues", [
    {"as written": ["talks stalled"], "by lemma": ["talk stalled"]},
    {"by lemma": ["talk stalled"], "as written": ["talks stalled"]},
])
def test_of_two_cues_ending_on_the_same_word_the_one_written_as_the_text_wins(nlp, cues):
    # "talks" is a cue's first word as written and another's as a lemma; both run to "stalled".
    # The pick must not follow the order of a set, which changes with each process's hash seed.
    doc = nlp("The talks stalled in Vienna on Friday.")
    [match] = CueIndex(cues).find(doc[0:len(doc)])
    assert (match.name, doc[match.start:match.end].text) == ("as written", "talks stalled")
