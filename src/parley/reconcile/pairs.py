"""Pairs of similar sentences within blocks: the claims step's costliest part.

Each block (sentences that may report the same thing, see ``claims.blocks_of``) is
compared as a matrix of cosines, each sentence keeping its most similar neighbours. A
block met before, with the same sentences, vectors and documents in the same order,
takes its pairs from a ``PairMemo`` (the store keeps them): the same computation gave
them, so the result is exactly what comparing it again would give.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np


def _block_pairs(vectors: np.ndarray, members: np.ndarray, floor: float, neighbours: int, chunk: int,
                 documents: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One block's (i, j, cosine) found by ``similar_pairs``, each pair once (its highest cosine)."""
    found_i, found_j, found_v = [], [], []
    matrix = vectors[members]
    k = min(neighbours, len(members) - 1)
    for begin in range(0, len(members), chunk):
        rows = members[begin:begin + chunk]
        sims = matrix[begin:begin + chunk] @ matrix.T
        sims[np.arange(len(rows)), np.arange(begin, begin + len(rows))] = -1.0  # not itself
        if documents is not None:
            np.putmask(sims, documents[rows][:, None] == documents[members][None, :], -1.0)
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        values = np.take_along_axis(sims, top, axis=1)
        keep = values >= floor
        found_i.append(np.repeat(rows, k)[keep.ravel()])
        found_j.append(members[top[keep]])
        found_v.append(values[keep])
    return _highest(np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_v))


def _highest(i: np.ndarray, j: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each pair once (lower number first), with its highest cosine, in order of the pair.
    One sort of the pairs as 64-bit keys, then the highest cosine of each run of equal keys
    (a sort by pair and cosine together took four times as long)."""
    low, high = np.minimum(i, j), np.maximum(i, j)
    if len(low) == 0:
        return low, high, v
    key = (low.astype(np.int64) << 32) | high.astype(np.int64)
    order = np.argsort(key)
    key = key[order]
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    kept = key[starts]
    return (kept >> 32).astype(low.dtype), (kept & 0xFFFFFFFF).astype(high.dtype), np.maximum.reduceat(v[order], starts)


class PairMemo(Protocol):
    """Where each block's pairs are kept between runs, by a digest of the block's content
    (``Store`` is one): a block met again, same sentences, vectors and documents, is not
    compared again."""

    def block_pairs(self, keys: Iterable[str]) -> dict[str, bytes]: ...

    def keep_block_pairs(self, found: dict[str, bytes], used: set[str] | None = None) -> None: ...


@dataclass(frozen=True)
class SimilarPairs:
    """Pairs of distinct sentences (lower number first) with their cosine, in order of the
    pair, each once. Kept as three arrays: a corpus of 10,000 documents has about 800,000
    pairs, which as a dict of tuples and floats took 150 MB and as arrays take 10 MB."""

    first: np.ndarray  # int32
    second: np.ndarray  # int32
    cosine: np.ndarray  # float32

    CHUNK = 65_536  # pairs turned into Python numbers at a time

    @classmethod
    def none(cls) -> SimilarPairs:
        return cls(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))

    def __len__(self) -> int:
        return len(self.first)

    def among(self, marked: np.ndarray) -> SimilarPairs:
        """The pairs of two ``marked`` sentences (a bool per sentence), in the same order: a
        step that needs, say, two sentences giving a figure walks those, not every pair."""
        return self._where(marked[self.first] & marked[self.second])

    def at_least(self, floor: float) -> SimilarPairs:
        """The pairs whose cosine is ``floor`` or more, in the same order."""
        return self._where(self.cosine >= floor)

    def _where(self, keep: np.ndarray) -> SimilarPairs:
        return SimilarPairs(self.first[keep], self.second[keep], self.cosine[keep])

    def items(self) -> Iterator[tuple[tuple[int, int], float]]:
        """((i, j), cosine) in order of the pair."""
        return self._in_order(None)

    def by_score(self) -> Iterator[tuple[tuple[int, int], float]]:
        """((i, j), cosine), most similar first, then in order of the pair."""
        return self._in_order(np.lexsort((self.second, self.first, -self.cosine)))

    def _in_order(self, order: np.ndarray | None) -> Iterator[tuple[tuple[int, int], float]]:
        """The pairs in ``order`` (None: as kept), turned into Python numbers CHUNK at a time."""
        for begin in range(0, len(self), self.CHUNK):
            rows = slice(begin, begin + self.CHUNK) if order is None else order[begin:begin + self.CHUNK]
            yield from zip(zip(self.first[rows].tolist(), self.second[rows].tolist()), self.cosine[rows].tolist())


class _Collected:
    """Pairs gathered block by block, each pair kept once with its highest cosine.

    Blocks overlap, so the pairs of all blocks are several times the pairs kept, and
    finding each pair's highest cosine takes a sort. Both are done in parts: pairs wait
    until they outnumber an eighth of those kept (a million at least), then go to *shards* by
    their first sentence (SHARD sentences each), and each shard is merged with its own.
    Shards hold consecutive sentences, so joined in order they are in order of the pair."""

    AT_LEAST = 1_000_000
    SHARD = 4_096

    def __init__(self) -> None:
        self.shards: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
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
        low, high = np.minimum(i, j), np.maximum(i, j)
        shard = low // self.SHARD
        order = np.argsort(shard, kind="stable")
        numbers, starts = np.unique(shard[order], return_index=True)
        for number, begin, end in zip(numbers.tolist(), starts.tolist(), [*starts[1:].tolist(), len(order)]):
            rows = order[begin:end]
            parts = [(low[rows], high[rows], v[rows])]
            if number in self.shards:
                parts.append(self.shards[number])
                self.kept -= len(self.shards[number][0])
            self.shards[number] = _highest(*(np.concatenate(column) for column in zip(*parts)))
            self.kept += len(self.shards[number][0])

    def result(self) -> SimilarPairs:
        self._merge()
        if not self.shards:
            return SimilarPairs.none()
        return SimilarPairs(*(np.concatenate(column) for column in zip(*(self.shards[n] for n in sorted(self.shards)))))


PAIR = np.dtype([("a", "<i4"), ("b", "<i4"), ("cosine", "<f4")])  # a block's pair, by position in the block
MEMO_BATCH = 2_000  # blocks whose kept pairs are read from the memo at once


def _block_keys(vectors: np.ndarray, blocks: list[np.ndarray], settings: str,
                documents: np.ndarray | None) -> list[str]:
    """A digest of each block's content: its sentences' vectors and documents, in order."""
    rows = [hashlib.sha1(row.tobytes()).digest() for row in vectors]
    numbers = documents if documents is not None else np.full(len(vectors), -1, dtype=np.int64)
    keys = []
    for members in blocks:
        digest = hashlib.sha1(settings.encode())
        for m in members.tolist():
            digest.update(rows[m])
            digest.update(int(numbers[m]).to_bytes(8, "little", signed=True))
        keys.append(digest.hexdigest())
    return keys


def similar_pairs(vectors: np.ndarray, blocks: Iterable[Sequence[int]], floor: float,
                  neighbours: int, chunk: int = 1024,
                  documents: np.ndarray | None = None, memo: PairMemo | None = None) -> SimilarPairs:
    """(i, j, cosine) for each row's ``neighbours`` most similar rows within each block,
    at least ``floor``; with ``documents`` (a document number per row), rows of the same
    document are not each other's neighbours. Blocks are compared as matrices, in chunks
    of rows. With a ``memo``, a block whose sentences, vectors and documents are those of
    a block compared before takes its pairs from there (the same, computed the same way)."""
    blocks = [np.asarray(block, dtype=np.int32) for block in blocks if len(block) >= 2]
    keys: list[str] = []
    if memo is not None:
        keys = _block_keys(vectors, blocks, f"{floor!r}|{neighbours}|{chunk}|{documents is None}", documents)
    collected = _Collected()
    fresh: dict[str, bytes] = {}
    for begin in range(0, len(blocks), MEMO_BATCH):
        batch = range(begin, min(begin + MEMO_BATCH, len(blocks)))
        known = memo.block_pairs({keys[n] for n in batch}) if memo is not None else {}
        for number in batch:
            members = blocks[number]
            key = keys[number] if memo is not None else ""
            if key in known:
                local = np.frombuffer(known[key], dtype=PAIR)
                i, j, v = members[local["a"]], members[local["b"]], local["cosine"]
            else:
                i, j, v = _block_pairs(vectors, members, floor, neighbours, chunk, documents)
                if memo is not None:
                    where = {m: n for n, m in enumerate(members.tolist())}
                    local = np.zeros(len(i), dtype=PAIR)
                    local["a"] = [where[x] for x in i.tolist()]
                    local["b"] = [where[x] for x in j.tolist()]
                    local["cosine"] = v
                    fresh[key] = local.tobytes()
            collected.add(i, j, v)
        if fresh:  # kept batch by batch: a first run compares every block
            memo.keep_block_pairs(fresh)
            fresh = {}
    if memo is not None:
        memo.keep_block_pairs({}, used=set(keys))
    return collected.result()
