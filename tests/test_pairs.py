"""The claims step's similar pairs: a block kept from an earlier run and extended with new
sentences gives exactly the pairs that comparing the grown block anew gives, so an
incremental reconcile can compare only what is new."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.reconcile import pairs
from parley.reconcile.pairs import compare_block, extend_block, on_grid, similar_pairs


def _unit_vectors(seed: int, count: int, copies: int = 0, dimensions: int = 24) -> np.ndarray:
    """Random unit vectors on the grid; the last ``copies`` repeat earlier ones, so some
    cosines are equal and the choice among equal neighbours is put to the test."""
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(count, dimensions))
    for n in range(count - copies, count):
        vectors[n] = vectors[rng.integers(0, count - copies)]
    return on_grid(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))


def _found(neighbours: pairs.Neighbours, floor: float = -2.0) -> list[tuple[int, int, float]]:
    return sorted(zip(*(column.tolist() for column in neighbours.pairs(floor))))


def test_a_cosine_does_not_depend_on_the_block_it_is_computed_in():
    vectors = _unit_vectors(1, 300, dimensions=384)
    whole = vectors @ vectors.T
    part = vectors[7:9] @ vectors[[3, 250, 299, 8]].T
    assert np.array_equal(part, whole[7:9][:, [3, 250, 299, 8]])
    assert np.array_equal(vectors[40] @ vectors[41], whole[40, 41])


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), size=st.integers(2, 40), copies=st.integers(0, 10),
       neighbours=st.integers(1, 6), documents=st.integers(1, 8), data=st.data())
def test_a_block_extended_with_new_sentences_gives_what_comparing_it_anew_gives(seed, size, copies, neighbours,
                                                                                 documents, data):
    vectors = _unit_vectors(seed, size, min(copies, size - 1))
    document_of = np.random.default_rng(seed).integers(0, documents, size=size)
    members = np.arange(size, dtype=np.int32)
    old = np.sort(np.array(data.draw(st.lists(st.sampled_from(members.tolist()), min_size=2, max_size=size,
                                              unique=True)), dtype=np.int32))
    before = compare_block(vectors, old, neighbours, document_of)
    extended = extend_block(vectors, members, before, neighbours, document_of) if len(old) < size else before
    assert _found(extended) == _found(compare_block(vectors, members, neighbours, document_of, chunk=7))


class _Memo:
    """A neighbour memo in memory."""

    def __init__(self) -> None:
        self.kept: dict[str, bytes] = {}
        self.ledger: bytes | None = None

    def block_neighbours(self, keys):
        return {key: self.kept[key] for key in keys if key in self.kept}

    def keep_block_neighbours(self, found, used=None):
        self.kept.update(found)

    def pair_ledger(self):
        return self.ledger

    def keep_pair_ledger(self, kept):
        self.ledger = kept


def test_kept_blocks_are_extended_or_taken_as_they_are(monkeypatch):
    vectors = _unit_vectors(5, 60, copies=12)
    documents = np.arange(60) // 3
    before = {("actor", "a"): list(range(0, 30)), ("place", "b"): list(range(10, 50, 2)), ("number", "c"): [1, 2, 3]}
    after = {("actor", "a"): list(range(0, 45)),  # gained sentences: extended
             ("place", "b"): [n for n in range(10, 50, 2) if n != 20],  # lost one: compared anew
             ("number", "c"): [1, 2, 3]}  # unchanged: taken as kept
    memo = _Memo()
    similar_pairs(vectors, before, 0.1, 4, documents=documents, memo=memo)
    anew = similar_pairs(vectors, after, 0.1, 4, documents=documents)
    compared, extended = [], []
    monkeypatch.setattr(pairs, "compare_block", lambda v, members, *a, **k: compared.append(len(members))
                        or compare_block(v, members, *a, **k))
    monkeypatch.setattr(pairs, "extend_block", lambda v, members, *a, **k: extended.append(len(members))
                        or extend_block(v, members, *a, **k))
    again = similar_pairs(vectors, after, 0.1, 4, documents=documents, memo=memo)
    assert (compared, extended) == ([19], [45])
    assert len(again) and all(np.array_equal(a, b) for a, b in
                              ((again.first, anew.first), (again.second, anew.second), (again.cosine, anew.cosine)))

    asked = []
    reading = memo.block_neighbours
    monkeypatch.setattr(memo, "block_neighbours", lambda names: asked.extend(names) or reading(names))
    still = similar_pairs(vectors, after, 0.1, 4, documents=documents, memo=memo)
    assert asked == [] and (compared, extended) == ([19], [45])  # unchanged blocks: their pairs are in the ledger
    assert all(np.array_equal(a, b) for a, b in ((still.first, anew.first), (still.cosine, anew.cosine)))

    memo.kept = {name: kept[:-3] for name, kept in memo.kept.items()}  # damaged rows: all compared anew
    kept = similar_pairs(vectors, before, 0.1, 4, documents=documents, memo=memo)
    assert compared == [19, 30, 20, 3]
    assert _same(kept, similar_pairs(vectors, before, 0.1, 4, documents=documents))


def _same(a: pairs.SimilarPairs, b: pairs.SimilarPairs) -> bool:
    return all(np.array_equal(x, y) for x, y in ((a.first, b.first), (a.second, b.second), (a.cosine, b.cosine)))


KEYS = [("actor", "a"), ("place", "b"), ("number", "c"), ("actor", "d")]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), stopped=st.booleans(), renumbered=st.booleans(),
       rounds=st.lists(st.dictionaries(st.sampled_from(KEYS), st.sets(st.integers(0, 39), max_size=25), max_size=4),
                       min_size=3, max_size=4))
def test_pairs_counted_from_run_to_run_are_those_of_comparing_every_block(seed, stopped, renumbered, rounds):
    """Blocks grow, shrink, appear and go from run to run, sentences are renumbered, and a
    run may stop after keeping its blocks' neighbours but before its ledger: the pairs are
    always those of comparing every block anew."""
    vectors, documents = _unit_vectors(seed, 40, copies=6), np.arange(40) // 4
    memo = _Memo()
    for number, members in enumerate(rounds):
        blocks = {key: sorted(found) for key, found in members.items()}
        if renumbered and number % 2:
            vectors, documents = vectors[::-1].copy(), documents[::-1].copy()
        last = memo.ledger
        assert _same(similar_pairs(vectors, blocks, 0.2, 3, documents=documents, memo=memo),
                     similar_pairs(vectors, blocks, 0.2, 3, documents=documents))
        if stopped and number == 1:  # the blocks' neighbours kept, then the ledger of the run before left
            memo.ledger = last


def test_a_run_stopped_before_keeping_its_ledger_leaves_no_pair_wrong():
    """A block's neighbours are kept as it is compared, the ledger at the end of the run: when
    a run stops in between, what a block keeps is no longer what the ledger counted, and
    taking those pairs out of the count would leave the wrong ones (here the pairs of a
    20-sentence block, which another block gives too, instead of those of 30 sentences)."""
    vectors, documents = _unit_vectors(3, 40, copies=5), np.arange(40) // 2
    memo = _Memo()
    similar_pairs(vectors, {("actor", "a"): list(range(30)), ("place", "c"): list(range(20))}, 0.1, 3,
                  documents=documents, memo=memo)
    counted = memo.ledger
    similar_pairs(vectors, {("actor", "a"): list(range(20)), ("place", "c"): list(range(20))}, 0.1, 3,
                  documents=documents, memo=memo)
    memo.ledger = counted  # that run stopped before keeping its ledger
    now = {("actor", "a"): list(range(25)), ("place", "c"): list(range(20))}
    assert _same(similar_pairs(vectors, now, 0.1, 3, documents=documents, memo=memo),
                 similar_pairs(vectors, now, 0.1, 3, documents=documents))
