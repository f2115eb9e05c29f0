"""Near-duplicates: syndicated copies are linked to the first version, other articles are not."""

from __future__ import annotations

import random

import pytest

from parley.dedup import bands_and_rows, mark_near_duplicates, near_duplicates
from parley.ingest import document_id, headline
from parley.records import Document

ORIGINAL = """Harbour fee talks stall over night shipping

Negotiators for the port authority and the freight operators' union left the third round
of talks on Friday without an agreement on the new berth fees, after a dispute over
night-time shipping slots took up most of the afternoon session.

The authority wants to raise the overnight fee by twelve percent to pay for extra pilots
and lighting on the outer quay. The union says the increase would push smaller operators
onto the daytime slots, which are already crowded from late spring onwards.

"We are not walking away, but we cannot sign something that punishes the people who keep
the harbour running at two in the morning," the union's chief negotiator told reporters
outside the customs house.

A spokesperson for the port authority said the offer on the table already included a
two-year phase-in period and a review clause, and that it expected the operators to come
back with a written counter-proposal before the next meeting, planned for the end of the
month. Both sides agreed to keep the current fees in place until a deal is reached."""

# The same story as a partner outlet ran it: another headline, a dateline, a word
# dropped, and the outlet's own footer.
SYNDICATED = """Port and freight union fail to agree on night berth fees

NORTHPORT - Negotiators for the port authority and the freight operators' union left the
third round of talks on Friday without an agreement on new berth fees, after a dispute
over night-time shipping slots took up most of the afternoon session.

The authority wants to raise the overnight fee by twelve percent to pay for extra pilots
and lighting on the outer quay. The union says the increase would push smaller operators
onto the daytime slots, which are already crowded from late spring onwards.

"We are not walking away, but we cannot sign something that punishes the people who keep
the harbour running at two in the morning," the union's chief negotiator told reporters
outside the customs house.

A spokesperson for the port authority said the offer on the table already included a
two-year phase-in period and a review clause, and that it expected the operators to come
back with a written counter-proposal before the next meeting, planned for the end of the
month. Both sides agreed to keep the current fees in place until a deal is reached.

This story was distributed by Coastal Wire Services. Follow us for more regional news."""

# Another outlet's own report on the same talks: same facts and names, its own words.
SAME_TALKS = """Night shipping row holds up harbour fee deal

The port authority and the freight operators' union have still not settled the new berth
fees. Friday's meeting, the third so far, broke up in the late afternoon with no
agreement, people present at the talks said.

At the heart of the dispute is a twelve percent rise in the overnight fee, which the
authority says it needs for more pilots and better lighting on the outer quay. Operators
fear the increase will force the smaller firms among them to move to daytime slots that
are already full for much of the summer.

The union's chief negotiator, speaking outside the customs house, said his members were
not walking away from the table. The authority pointed to a phase-in period of two years
and a review clause in its offer, and asked for a written counter-proposal before the
next round at the end of the month. Current fees stay in place until then."""


def make(text: str, source: str) -> Document:
    return Document(id=document_id(text), source=source, text=text, title=headline(text))


def test_syndicated_copy_is_linked_to_the_first_version():
    original, copy = make(ORIGINAL, "ledger.txt"), make(SYNDICATED, "wire.txt")
    assert near_duplicates([original, copy]) == {copy.id: original.id}


def test_copy_with_the_last_sentence_cut_is_linked():
    original = make(ORIGINAL, "ledger.txt")
    shortened = ORIGINAL.replace(" Both sides agreed to keep the current fees in place until a deal is reached.", "")
    copy = make(shortened, "trimmed.txt")
    assert near_duplicates([original, copy]) == {copy.id: original.id}


def test_link_points_to_whichever_came_first():
    original, copy = make(ORIGINAL, "ledger.txt"), make(SYNDICATED, "wire.txt")
    assert near_duplicates([copy, original]) == {original.id: copy.id}


def test_different_articles_about_the_same_talks_are_not_linked():
    documents = [make(ORIGINAL, "ledger.txt"), make(SAME_TALKS, "herald.txt")]
    assert near_duplicates(documents) == {}


def test_every_copy_points_to_the_first_document_not_to_another_copy():
    original = make(ORIGINAL, "a.txt")
    copy = make(SYNDICATED, "b.txt")
    copy_of_copy = make(SYNDICATED.replace("Coastal Wire Services", "Bay Syndicate"), "c.txt")
    other = make(SAME_TALKS, "d.txt")
    links = near_duplicates([original, other, copy, copy_of_copy])
    assert links == {copy.id: original.id, copy_of_copy.id: original.id}


def test_a_stricter_threshold_leaves_the_edited_copy_alone():
    documents = [make(ORIGINAL, "ledger.txt"), make(SYNDICATED, "wire.txt")]
    assert near_duplicates(documents, threshold=0.99) == {}


def test_short_documents_are_not_linked():
    brief = "Talks on harbour fees will resume on Monday at the customs house, the port authority said."
    documents = [make(brief, "a.txt"), make(brief.replace("Monday", "Tuesday"), "b.txt")]
    assert near_duplicates(documents) == {}


def test_exact_duplicates_are_not_linked_to_themselves():
    original = make(ORIGINAL, "a.txt")
    assert near_duplicates([original, make(ORIGINAL, "b.txt")]) == {}


def test_mark_near_duplicates_sets_duplicate_of():
    original, copy = make(ORIGINAL, "ledger.txt"), make(SYNDICATED, "wire.txt")
    marked = mark_near_duplicates([original, copy])
    assert [document.duplicate_of for document in marked] == [None, original.id]
    assert copy.duplicate_of is None  # the input is left as it was


def test_bad_threshold_is_refused():
    with pytest.raises(ValueError):
        near_duplicates([], threshold=0)


def test_pairs_at_the_threshold_almost_always_become_candidates():
    bands, rows = bands_and_rows(0.8)
    assert bands * rows <= 128
    assert 1 - (1 - 0.8**rows) ** bands >= 0.99
    # and pairs far below it rarely do, so few exact comparisons are made
    assert 1 - (1 - 0.3**rows) ** bands < 0.05


def test_copies_are_found_among_thousands_of_unrelated_documents():
    # Candidates come from LSH buckets, not from comparing every pair: this runs in
    # about a second. Random texts over a small vocabulary share many words but few
    # five-word runs, so none of them is linked.
    rng = random.Random(3)
    vocabulary = [f"word{n}" for n in range(400)]
    documents = [
        make(" ".join(rng.choices(vocabulary, k=80)), f"{n}.txt") for n in range(3000)
    ]
    original = make(ORIGINAL, "ledger.txt")
    copy = make(SYNDICATED, "wire.txt")
    documents.insert(1000, original)
    documents.append(copy)
    assert near_duplicates(documents) == {copy.id: original.id}
