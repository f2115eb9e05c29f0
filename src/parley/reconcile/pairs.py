"""Pairs of similar sentences within blocks: the claims step's costliest part.

Each block (sentences that may report the same thing, see ``claims.blocks_of``) is
compared as a matrix of cosines, each sentence keeping its ``neighbours`` nearest in the
block: higher cosine first, then lower sentence number, so the choice among equal
cosines is fixed. A block's pairs are its sentences with their neighbours, at least
``floor`` alike.

Kept between runs (a ``NeighbourMemo``; the store is one), by the block's anchor key: its
sentences (a digest of each one's vector and document) and each one's neighbours. A block
met again with the same sentences takes its neighbours from there. One that has only gained
sentences (most do, as news is added) is *extended*: the new sentences are compared with
the whole block, and each old one keeps the nearest of its old neighbours and the new
sentences, which are the nearest in the grown block. Any other change compares the block
anew.

Blocks overlap, so one pair is given by several blocks. The memo also keeps a *ledger*
(``_Ledger``): how many times the blocks of the last run gave each pair, and a mark of
each block's members. A block whose members are unchanged gives the same pairs, so a run
reads only the blocks that changed: it takes their last pairs out of the count and puts
their new ones in, and a pair is kept while any block still gives it. At 100,000 documents
that is a tenth of the blocks (and of 900 MB of neighbours) when 100 documents are added.

Extending gives exactly what comparing anew gives because a cosine does not depend on
the block it is computed in: sentence vectors are put on a grid of ``1 / GRID`` (see
``on_grid``), where every product of two components and every partial sum of a dot product
is a multiple of ``1 / GRID**2`` below 2, which float32 holds exactly. The matrix product
then has no rounding, in whatever order or block shape the BLAS library adds it up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

GRID = 2 ** 11  # vector components are multiples of 1/GRID; see the module docstring


def on_grid(vectors: np.ndarray) -> np.ndarray:
    """Unit vectors rounded to multiples of ``1 / GRID`` (float32): their dot products are
    exact. A cosine moves by about 1e-4, far below what tells two sentences apart."""
    grid = np.multiply(vectors, np.float32(GRID), dtype=np.float32)  # a new array, rounded in place
    np.rint(grid, out=grid)
    grid *= np.float32(1 / GRID)  # a power of two: exact
    return grid


def _order(cosines: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """An int64 key per candidate neighbour: higher for a higher cosine, then for a lower
    sentence number. Exact cosines are whole multiples of 1 / GRID**2."""
    return (np.rint(cosines * float(GRID * GRID)).astype(np.int64) << 32) | (0x7FFFFFFF - numbers.astype(np.int64))


def _nearest(cosines: np.ndarray, numbers: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the ``k`` candidates of highest ``_order`` (in no particular order): their
    numbers and cosines. ``numbers``: one per column, or one per candidate. Chosen by
    cosine alone; only a row where the best candidate left out is as alike as the last one
    taken is chosen again by ``_order`` (equal cosines are rare, and 64-bit keys slow)."""
    size = cosines.shape[1]
    rows = np.arange(len(cosines))[:, None]
    if k < size:
        parted = np.argpartition(cosines, size - k - 1, axis=1)  # the best left out, then the k taken
        top = parted[:, size - k:]
        ties = np.flatnonzero(cosines[rows, top].min(axis=1) == cosines[rows[:, 0], parted[:, size - k - 1]])
        if len(ties):
            tied = numbers[ties] if numbers.ndim == 2 else np.broadcast_to(numbers, (len(ties), size))
            top[ties] = np.argpartition(_order(cosines[ties], tied), -k, axis=1)[:, -k:]
    else:
        top = np.broadcast_to(np.arange(size), cosines.shape)
    return (numbers[top] if numbers.ndim == 1 else numbers[rows, top]), cosines[rows, top]


LEFT_OUT = -2.0  # the "cosine" of a sentence with itself or with one of its own document: below any


def _cosines(vectors: np.ndarray, rows: np.ndarray, columns: np.ndarray, documents: np.ndarray | None,
             row_vectors: np.ndarray | None = None, column_vectors: np.ndarray | None = None) -> np.ndarray:
    """Cosines of ``rows`` with ``columns`` (sentence numbers; their vectors given when already
    gathered); ``LEFT_OUT`` for a sentence with itself and, given ``documents``, for two
    sentences of one document."""
    row_vectors = vectors[rows] if row_vectors is None else row_vectors
    column_vectors = vectors[columns] if column_vectors is None else column_vectors
    cosines = row_vectors @ column_vectors.T
    if documents is not None:  # a sentence's own document is among them
        np.putmask(cosines, documents[rows][:, None] == documents[columns][None, :], LEFT_OUT)
    else:
        np.putmask(cosines, rows[:, None] == columns[None, :], LEFT_OUT)
    return cosines


@dataclass(frozen=True)
class Neighbours:
    """A block's sentences (numbers, ascending) and each one's ``k`` nearest in the block
    (``k``: the ``neighbours`` asked for, or all members in a smaller block, a sentence
    itself and those of its document then coming last, as ``LEFT_OUT``)."""

    members: np.ndarray  # int32, n
    numbers: np.ndarray  # int32, n x k: the neighbours' sentence numbers
    cosines: np.ndarray  # float32, n x k

    def rows(self, keep: np.ndarray) -> Neighbours:
        """The members ``keep`` marks (a bool per member) with their neighbours."""
        return Neighbours(self.members[keep], self.numbers[keep], self.cosines[keep])

    def pairs(self, floor: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(sentence, neighbour, cosine) for the neighbours at least ``floor`` alike."""
        keep = (self.cosines >= floor) & (self.cosines > LEFT_OUT)
        return (np.repeat(self.members, self.numbers.shape[1])[keep.ravel()], self.numbers[keep],
                self.cosines[keep])


def _k(size: int, neighbours: int) -> int:
    """How many neighbours each member keeps: in a block of at most ``neighbours`` members,
    all of them, so that the nearest in a grown block are among those kept and the new."""
    return min(neighbours, size)


def compare_block(vectors: np.ndarray, members: np.ndarray, neighbours: int, documents: np.ndarray | None,
                  chunk: int = 1024) -> Neighbours:
    """Each member's nearest neighbours in the block, from the whole matrix of cosines
    (``chunk`` rows at a time)."""
    k = _k(len(members), neighbours)
    matrix = vectors[members]
    found = [_nearest(_cosines(vectors, members[begin:begin + chunk], members, documents,
                               matrix[begin:begin + chunk], matrix), members, k)
             for begin in range(0, len(members), chunk)]
    if len(found) == 1:
        return Neighbours(members, *found[0])
    return Neighbours(members, np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found]))


def extend_block(vectors: np.ndarray, members: np.ndarray, before: Neighbours, neighbours: int,
                 documents: np.ndarray | None) -> Neighbours:
    """The neighbours of a block that has gained members since ``before`` (whose members
    are all still in it): the new members compared with the whole block; each old one's
    nearest among its old neighbours and the new members. An old member that keeps as many
    neighbours as before, and to which no new member is at least as alike as the least alike
    it kept, keeps them as they are: a block of a common anchor has thousands of members,
    and a few new ones change the nearest of few."""
    k = _k(len(members), neighbours)
    old = np.isin(members, before.members)
    added = members[~old]
    numbers = np.empty((len(members), k), dtype=np.int32)
    cosines = np.empty((len(members), k), dtype=np.float32)
    block = vectors[members]  # (gathered once: a block of a common anchor has thousands of members)
    matrix = _cosines(vectors, added, members, documents, block[~old], block)
    numbers[~old], cosines[~old] = _nearest(matrix, members, k)
    alike = matrix[:, old].T  # the old members with the new: a cosine is exact, so the same either way round
    if k == before.numbers.shape[1]:
        kept_numbers, kept_cosines = before.numbers.copy(), before.cosines.copy()
        moved = np.flatnonzero(np.any(alike >= before.cosines.min(axis=1)[:, None], axis=1))
    else:  # (a small block: each member keeps one more)
        kept_numbers, kept_cosines = numbers[old], cosines[old]
        moved = np.arange(len(before.members))
    if len(moved):
        candidates = np.concatenate([before.numbers[moved], np.broadcast_to(added, (len(moved), len(added)))], axis=1)
        kept_numbers[moved], kept_cosines[moved] = _nearest(
            np.concatenate([before.cosines[moved], alike[moved]], axis=1), candidates, k)
    numbers[old], cosines[old] = kept_numbers, kept_cosines
    return Neighbours(members, numbers, cosines)


def _pair_keys(i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """One 64-bit key per pair, the lower sentence number in the high half: keys sort in
    order of the pair."""
    return (np.minimum(i, j).astype(np.int64) << 32) | np.maximum(i, j).astype(np.int64)


def _once(keys: np.ndarray, cosines: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted pair keys each once, with the highest of their cosines (every block gives a
    pair the same one: see the module docstring) and the sum of their counts."""
    if len(keys) == 0:
        return keys, cosines, counts
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return keys[starts], np.maximum.reduceat(cosines, starts), np.add.reduceat(counts, starts)


class NeighbourMemo(Protocol):
    """Where each block's neighbours are kept between runs, by a digest of the block's anchor
    key (``Store`` is one)."""

    def block_neighbours(self, keys: Iterable[str]) -> dict[str, bytes]: ...

    def keep_block_neighbours(self, found: dict[str, bytes], used: set[str] | None = None) -> None: ...

    def pair_ledger(self) -> bytes | None: ...

    def keep_pair_ledger(self, kept: bytes) -> None: ...


@dataclass(frozen=True)
class SimilarPairs:
    """Pairs of distinct sentences (lower number first) with their cosine, in order of the
    pair, each once. Kept as three arrays: a corpus of 10,000 documents has about 800,000
    pairs, which as a dict of tuples and floats took 150 MB and as arrays take 10 MB."""

    first: np.ndarray  # int32
    second: np.ndarray  # int32
    cosine: np.ndarray  # float32

    CHUNK = 65_536  # pairs given by by_score, or turned into Python numbers by items, at a time

    @classmethod
    def none(cls) -> SimilarPairs:
        return cls(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))

    def __len__(self) -> int:
        return len(self.first)

    def among(self, marked: np.ndarray) -> SimilarPairs:
        """The pairs of two ``marked`` sentences (a bool per sentence), in the same order: a
        step that needs, say, two sentences giving a figure walks those, not every pair."""
        return self.where(marked[self.first] & marked[self.second])

    def at_least(self, floor: float) -> SimilarPairs:
        """The pairs whose cosine is ``floor`` or more, in the same order."""
        return self.where(self.cosine >= floor)

    def where(self, keep: np.ndarray) -> SimilarPairs:
        """The pairs ``keep`` marks (a bool per pair), in the same order."""
        return SimilarPairs(self.first[keep], self.second[keep], self.cosine[keep])

    def by_score(self) -> Iterator[SimilarPairs]:
        """The pairs most similar first, then in order of the pair, CHUNK at a time (a step
        that walks them one by one can first set aside, as arrays, those it need not look at)."""
        order = np.lexsort((self.second, self.first, -self.cosine))
        for begin in range(0, len(self), self.CHUNK):
            rows = order[begin:begin + self.CHUNK]
            yield SimilarPairs(self.first[rows], self.second[rows], self.cosine[rows])

    def items(self) -> Iterator[tuple[tuple[int, int], float]]:
        """((i, j), cosine) in order of the pair, turned into Python numbers CHUNK at a time."""
        for begin in range(0, len(self), self.CHUNK):
            rows = slice(begin, begin + self.CHUNK)
            yield from zip(zip(self.first[rows].tolist(), self.second[rows].tolist()), self.cosine[rows].tolist())


@dataclass(frozen=True)
class _Tally:
    """Pairs as sorted pair keys (see ``_pair_keys``), each once, with its cosine and the
    number of times the blocks gave it (once per member listing the other as a neighbour,
    in each block): what tells, when a block changes, whether its pairs are still given by
    another."""

    keys: np.ndarray  # int64, ascending
    cosines: np.ndarray  # float32
    counts: np.ndarray  # int64

    @classmethod
    def none(cls) -> _Tally:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64))

    def pairs(self) -> SimilarPairs:
        return SimilarPairs((self.keys >> 32).astype(np.int32), (self.keys & 0xFFFFFFFF).astype(np.int32),
                            self.cosines)

    def plus(self, other: _Tally) -> _Tally:
        keys = np.concatenate([self.keys, other.keys])
        order = np.argsort(keys, kind="stable")  # two sorted runs: merged in one pass
        return _Tally(*_once(keys[order], np.concatenate([self.cosines, other.cosines])[order],
                             np.concatenate([self.counts, other.counts])[order]))

    def minus(self, keys: np.ndarray) -> _Tally | None:
        """The tally without the pairs ``keys`` (each as often as it is there); None when one
        is not counted that often (then the tally is not what the blocks give)."""
        if len(keys) == 0:
            return self
        taken, times = np.unique(keys, return_counts=True)
        where = np.searchsorted(self.keys, taken)
        if where[-1] >= len(self.keys) or not np.array_equal(self.keys[where], taken) \
                or np.any(self.counts[where] < times):
            return None
        counts = self.counts.copy()
        counts[where] -= times
        left = counts > 0
        return _Tally(self.keys[left], self.cosines[left], counts[left])


class _Collected:
    """Pairs gathered block by block, counted (a ``_Tally``).

    Blocks overlap, and a sentence and its neighbour may each list the other, so the pairs
    of all blocks are several times the pairs kept. They are kept as sorted pair keys (see
    ``_pair_keys``) in *shards* of SHARD first sentences. Pairs wait until they outnumber an
    eighth of those kept (a million at least); then they are sorted once and cut at the
    shards' bounds, and each part is merged into its shard. Both are sorted, so a stable
    sort (numpy's timsort for 64-bit keys) merges them in one pass, not a sort anew."""

    AT_LEAST = 1_000_000
    SHARD = 4_096

    def __init__(self) -> None:
        self.shards: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # shard -> (keys, cosines, counts)
        self.kept = 0
        self.waiting: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.count = 0

    def add(self, i: np.ndarray, j: np.ndarray, v: np.ndarray) -> None:
        self.waiting.append((i, j, v))
        self.count += len(i)
        if self.count > max(self.AT_LEAST, self.kept // 8):
            self._merge()

    def _merge(self) -> None:
        if not self.waiting:
            return
        i, j, v = (np.concatenate(column) for column in zip(*self.waiting))
        self.waiting, self.count = [], 0
        keys = _pair_keys(i, j)
        order = np.argsort(keys)
        keys, cosines, counts = _once(keys[order], v[order], np.ones(len(keys), dtype=np.int64))
        if len(keys) == 0:
            return
        shard = (keys >> 32) // self.SHARD  # ascending, as the keys
        starts = np.flatnonzero(np.concatenate(([True], shard[1:] != shard[:-1])))
        numbers = shard[starts]
        for number, begin, end in zip(numbers.tolist(), starts.tolist(), [*starts[1:].tolist(), len(keys)]):
            part = keys[begin:end], cosines[begin:end], counts[begin:end]
            if number in self.shards:
                kept = self.shards[number]
                self.kept -= len(kept[0])
                joined = np.concatenate([kept[0], part[0]])
                order = np.argsort(joined, kind="stable")
                part = _once(joined[order], np.concatenate([kept[1], part[1]])[order],
                             np.concatenate([kept[2], part[2]])[order])
            self.shards[number] = part
            self.kept += len(part[0])

    def result(self) -> _Tally:
        self._merge()
        if not self.shards:
            return _Tally.none()
        return _Tally(*(np.concatenate([self.shards[n][c] for n in sorted(self.shards)]) for c in range(3)))


MEMO_BATCH = 2_000  # blocks whose kept neighbours are read from the memo at once


def sentence_digests(vectors: np.ndarray, documents: np.ndarray | None) -> np.ndarray:
    """A 64-bit digest of each sentence's vector and document number: what its cosines and
    its being left out of its own document's neighbours depend on."""
    numbers = documents if documents is not None else np.full(len(vectors), -1, dtype=np.int64)
    return np.array([int.from_bytes(hashlib.blake2b(row.tobytes() + int(number).to_bytes(8, "little", signed=True),
                                                    digest_size=8).digest(), "little")
                     for row, number in zip(vectors, numbers.tolist())], dtype=np.uint64)


def _mark(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def _encoded(found: Neighbours, digests: np.ndarray) -> bytes:
    """A block's neighbours as kept: member count and k, the members' digests and sentence
    numbers, then each member's neighbours (as positions in the block) and their cosines."""
    n, k = found.numbers.shape
    return b"".join([np.array([n, k], dtype=np.int32).tobytes(), digests[found.members].tobytes(),
                     found.members.astype(np.int32).tobytes(),
                     np.searchsorted(found.members, found.numbers).astype(np.int32).tobytes(),
                     found.cosines.tobytes()])


def _parts(kept: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """What ``_encoded`` kept: the members' digests and sentence numbers, their neighbours'
    positions and cosines (None when it is damaged)."""
    n, k = (int(x) for x in np.frombuffer(kept, dtype=np.int32, count=2)) if len(kept) >= 8 else (-1, -1)
    if n < 1 or k < 1 or len(kept) != 8 + 12 * n + 8 * n * k:
        return None
    positions = np.frombuffer(kept, dtype=np.int32, count=n * k, offset=8 + 12 * n).reshape(n, k)
    if positions.min() < 0 or positions.max() >= n:
        return None
    return (np.frombuffer(kept, dtype=np.uint64, count=n, offset=8),
            np.frombuffer(kept, dtype=np.int32, count=n, offset=8 + 8 * n), positions,
            np.frombuffer(kept, dtype=np.float32, count=n * k, offset=8 + 12 * n + 4 * n * k).reshape(n, k))


def _as_kept(kept: bytes) -> Neighbours | None:
    """The neighbours ``_encoded`` kept, in the sentence numbers of the run that kept them."""
    parts = _parts(kept)
    if parts is None:
        return None
    _, members, positions, cosines = parts
    return Neighbours(members, members[positions], cosines)


def _decoded(kept: bytes, members: np.ndarray, digests: np.ndarray) -> Neighbours | None:
    """The kept neighbours of a block now made of ``members``, in today's sentence numbers;
    None unless every sentence kept is still in the block, in the same order (or when what
    is kept is damaged)."""
    parts = _parts(kept)
    if parts is None:
        return None
    stored, numbered, positions, cosines = parts
    now = digests[members]
    if len(stored) == len(members) and np.array_equal(stored, now):
        old = members
    elif _still_numbered(members, now, numbered, stored):
        old = numbered  # (the kept sentences, still under the numbers they were kept with)
    else:
        where = np.flatnonzero(np.isin(now, stored))
        if len(where) != len(stored) or not np.array_equal(now[where], stored):
            return None
        old = members[where]
    return Neighbours(old, old[positions], cosines)


def _still_numbered(members: np.ndarray, now: np.ndarray, numbered: np.ndarray, stored: np.ndarray) -> bool:
    """Whether the sentences a block kept (``numbered``, with digests ``stored``) are among its
    ``members`` (digests ``now``) under the same numbers: the common case, told without
    sorting the digests (as many as a block of a common anchor has members)."""
    where = np.searchsorted(members, numbered)
    return bool(len(where) and where[-1] < len(members) and np.array_equal(members[where], numbered)
                and np.array_equal(now[where], stored))


def _rows_changed(before: Neighbours, now: Neighbours) -> tuple[Neighbours, Neighbours]:
    """The rows of a block's neighbours as counted before and as found now, without those
    that are the same in both (a member, in the same sentence numbers, with the same
    neighbours in the same order): their pairs would be taken out of the tally and put back.
    A block of a common anchor has thousands of members, and a few new ones change few rows."""
    if before.numbers.shape[1] != now.numbers.shape[1]:
        return before, now
    _, old, new = np.intersect1d(before.members, now.members, assume_unique=True, return_indices=True)
    same = np.all(before.numbers[old] == now.numbers[new], axis=1) & np.all(before.cosines[old] == now.cosines[new], axis=1)
    kept_before = np.ones(len(before.members), dtype=bool)
    kept_before[old[same]] = False
    kept_now = np.ones(len(now.members), dtype=bool)
    kept_now[new[same]] = False
    return before.rows(kept_before), now.rows(kept_now)


def _keys_of(found: Neighbours, floor: float) -> np.ndarray:
    i, j, _ = found.pairs(floor)
    return _pair_keys(i, j)


@dataclass(frozen=True)
class _Ledger:
    """What the last run counted (kept by the memo beside the blocks' neighbours): per block
    (by name), a mark of its members (their sentence numbers and digests) and a mark of the
    neighbours it kept for them; and the tally of all the blocks' pairs. A block whose
    members are unchanged gives the same pairs, so it need not be read at all; one that
    changed takes its last pairs out of the tally (read from what it kept, when that is what
    was counted) and puts its new ones in."""

    blocks: dict[str, tuple[int, int]]  # name -> (members' mark, kept neighbours' mark)
    tally: _Tally

    HEAD = 20 + 16  # settings digest, block and pair counts

    EMPTY: ClassVar[_Ledger]

    def encoded(self, settings: bytes) -> bytes:
        names = list(self.blocks)
        marks = np.array([self.blocks[name] for name in names], dtype=np.uint64).reshape(-1, 2)
        return b"".join([settings, np.array([len(names), len(self.tally.keys)], dtype=np.int64).tobytes(),
                         b"".join(bytes.fromhex(name) for name in names), marks.tobytes(),
                         self.tally.keys.tobytes(), self.tally.cosines.tobytes(),
                         self.tally.counts.astype(np.int32).tobytes()])

    @classmethod
    def decoded(cls, kept: bytes | None, settings: bytes) -> _Ledger | None:
        """The ledger kept under these ``settings``; None when there is none, or another's, or
        it is damaged."""
        if not kept or len(kept) < cls.HEAD or kept[:20] != settings:
            return None
        blocks, pairs = (int(x) for x in np.frombuffer(kept, dtype=np.int64, count=2, offset=20))
        if blocks < 0 or pairs < 0 or len(kept) != cls.HEAD + 36 * blocks + 16 * pairs:
            return None
        at = cls.HEAD + 20 * blocks
        names = [kept[cls.HEAD + 20 * n:cls.HEAD + 20 * (n + 1)].hex() for n in range(blocks)]
        marks = np.frombuffer(kept, dtype=np.uint64, count=2 * blocks, offset=at).reshape(-1, 2).tolist()
        at += 16 * blocks
        tally = _Tally(np.frombuffer(kept, dtype=np.int64, count=pairs, offset=at),
                       np.frombuffer(kept, dtype=np.float32, count=pairs, offset=at + 8 * pairs),
                       np.frombuffer(kept, dtype=np.int32, count=pairs, offset=at + 12 * pairs).astype(np.int64))
        return cls(dict(zip(names, map(tuple, marks))), tally)


_Ledger.EMPTY = _Ledger({}, _Tally.none())


class _Stale(Exception):
    """What a block kept is not what the ledger counted: the pairs are counted anew."""


def similar_pairs(vectors: np.ndarray, blocks: Mapping[tuple, Sequence[int]], floor: float, neighbours: int,
                  documents: np.ndarray | None = None, memo: NeighbourMemo | None = None) -> SimilarPairs:
    """Each block's pairs (see the module docstring): (i, j, cosine) for each sentence's
    ``neighbours`` nearest in its block, at least ``floor`` alike, each pair once. ``vectors``
    are on the grid (``on_grid``); with ``documents`` (a document number per sentence), two
    sentences of one document are not neighbours. ``blocks``: anchor key -> sentence numbers,
    ascending. With a ``memo``, blocks met before are extended or taken as they are, and
    those whose members are unchanged since the last run are not looked at (``_Ledger``)."""
    keys = [key for key, members in blocks.items() if len(members) >= 2]
    if memo is None:
        collected = _Collected()
        for key in keys:
            members = np.asarray(blocks[key], dtype=np.int32)
            collected.add(*compare_block(vectors, members, neighbours, documents).pairs(floor))
        return collected.result().pairs()
    settings = f"{neighbours}|{documents is None}|{GRID}"
    names = [hashlib.sha1(f"{settings}|{key!r}".encode()).hexdigest() for key in keys]
    digests = sentence_digests(vectors, documents)
    members = {name: np.asarray(blocks[key], dtype=np.int32) for name, key in zip(names, keys)}
    marks = {name: _mark(m.tobytes() + digests[m].tobytes()) for name, m in members.items()}
    ledger_settings = hashlib.sha1(f"ledger|{settings}|{floor!r}".encode()).digest()
    ledger = _Ledger.decoded(memo.pair_ledger(), ledger_settings)
    try:
        counted = _recounted(ledger or _Ledger.EMPTY, marks, members, vectors, floor, neighbours, documents,
                             digests, memo)
    except _Stale:  # every block counted anew (an empty ledger: each one has changed)
        counted = _recounted(_Ledger.EMPTY, marks, members, vectors, floor, neighbours, documents, digests, memo)
    memo.keep_pair_ledger(counted.encoded(ledger_settings))
    memo.keep_block_neighbours({}, used=set(names))
    return counted.tally.pairs()


def _neighbours(vectors: np.ndarray, members: np.ndarray, kept: bytes | None, neighbours: int,
                documents: np.ndarray | None, digests: np.ndarray) -> tuple[Neighbours, bytes | None]:
    """A block's neighbours, from what it kept when it can (taken as they are, or extended),
    and what to keep anew (None: what is kept stands)."""
    before = _decoded(kept, members, digests) if kept is not None else None
    if before is None:
        found = compare_block(vectors, members, neighbours, documents)
    elif len(before.members) < len(members):
        found = extend_block(vectors, members, before, neighbours, documents)
    else:
        found = before
    if found is before and np.array_equal(_parts(kept)[1], found.members):
        return found, None
    return found, _encoded(found, digests)  # (kept under sentence numbers of another run: kept anew)


def _recounted(ledger: _Ledger, marks: dict[str, int], members: dict[str, np.ndarray], vectors: np.ndarray,
               floor: float, neighbours: int, documents: np.ndarray | None, digests: np.ndarray,
               memo: NeighbourMemo) -> _Ledger:
    """The last run's tally with the pairs of the blocks that changed (or are gone) taken
    out and their new pairs put in; the unchanged blocks are not read (with an empty
    ledger, every block is counted: a first run, or one after another's). Raises ``_Stale``
    when what a changed block kept is not what the ledger counted, or its pairs are not in
    the tally (a run stopped between keeping the one and the other)."""
    changed = [name for name, mark in marks.items() if ledger.blocks.get(name, (None,))[0] != mark]
    gone = [name for name in ledger.blocks if name not in marks]
    collected = _Collected()
    taken_out: list[np.ndarray] = []
    blocks = dict(ledger.blocks)
    todo = changed + gone
    for begin in range(0, len(todo), MEMO_BATCH):
        batch = todo[begin:begin + MEMO_BATCH]
        kept = memo.block_neighbours(batch)
        fresh: dict[str, bytes] = {}
        for name in batch:
            counted = None
            if name in ledger.blocks:
                last = kept.get(name)
                counted = _as_kept(last) if last is not None and _mark(last) == ledger.blocks[name][1] else None
                if counted is None:
                    raise _Stale(name)
            if name not in marks:
                del blocks[name]
                taken_out.append(_keys_of(counted, floor))
                continue
            found, encoded = _neighbours(vectors, members[name], kept.get(name), neighbours, documents, digests)
            if encoded is not None:
                fresh[name] = encoded
            blocks[name] = (marks[name], _mark(encoded if encoded is not None else kept[name]))
            if counted is not None:
                counted, found = _rows_changed(counted, found)
                taken_out.append(_keys_of(counted, floor))
            collected.add(*found.pairs(floor))
        if fresh:  # kept batch by batch: a first run compares every block
            memo.keep_block_neighbours(fresh)
    tally = ledger.tally.minus(np.concatenate(taken_out) if taken_out else np.zeros(0, dtype=np.int64))
    if tally is None:
        raise _Stale("tally")
    return _Ledger(blocks, tally.plus(collected.result()))
