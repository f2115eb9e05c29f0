"""Near-duplicate detection: find syndicated copies of the same article.

A copy may carry another headline, gain or lose a line, or wrap the story in another
outlet's boilerplate. Each document's body (its text without the headline line) is cut
into shingles (runs of five lower-cased words); two documents are near-duplicates when
the Jaccard similarity of their shingle sets reaches the threshold.

Every inserted, removed or changed word breaks up to five shingles, so on a short
article (200 words) a copy with several edits at once (new headline, a sentence cut,
a footer added) sits near the 0.8 default; long articles tolerate much more.

To stay near-linear on large corpora, documents are not compared pair by pair: a
MinHash signature of each shingle set is split into bands, and only documents sharing
a band (locality-sensitive hashing) become candidates. Every candidate is then checked
with the exact Jaccard similarity before it is linked.

MinHash is written here with numpy (a few lines) rather than taken from `datasketch`,
which would bring in scipy for the same result.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from parley.records import Document

SHINGLE_WORDS = 5
# Below this many words a text is too short to call a copy: the shared wording of two
# brief items can be chance.
MIN_WORDS = 30
NUM_HASHES = 128
# Smallest probability that a pair exactly at the threshold becomes a candidate.
CANDIDATE_RECALL = 0.99

_WORD = re.compile(r"\w+")
# Hash functions h(x) = (a*x + b) >> 32 on 64-bit words, overflow wrapping (the
# multiply-add-shift family): one per signature entry, applied to 32-bit shingle hashes.
_rng = np.random.default_rng(seed=20251219)  # fixed: signatures are the same on every run
_A = _rng.integers(0, 2**64, size=NUM_HASHES, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**64, size=NUM_HASHES, dtype=np.uint64)
_SHIFT = np.uint64(32)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (golden ratio) to mix word hashes
_CHUNK = 4096  # shingles hashed at once, to bound memory on very long texts


def near_duplicates(documents: Sequence[Document], threshold: float = 0.8) -> dict[str, str]:
    """Map the id of each near-copy to the id of the first document it copies.

    "First" follows the order of `documents`. A copy is linked to the earliest original
    (a document that is not itself a copy) whose shingle Jaccard similarity with it is at
    least `threshold`. Documents under MIN_WORDS words are never linked, and a repeated
    id (an exact duplicate) is left to the caller.
    """
    return near_duplicates_with_bands(documents, threshold)[0]


Bands = list[tuple[int, str]]  # an original's LSH band keys: (band number, hex of its rows)


@dataclass(frozen=True, slots=True)
class PackedBands:
    """An original's LSH band keys, packed into one bytes object until they are stored: as
    (band, hex) pairs they took 4 kB a document, most of the near-copy check's memory."""

    packed: bytes
    width: int  # bytes per band

    def __iter__(self) -> Iterator[tuple[int, str]]:
        for band in range(len(self.packed) // self.width):
            yield band, self.packed[band * self.width:(band + 1) * self.width].hex()


def near_duplicates_with_bands(documents: Sequence[Document], threshold: float = 0.8,
                               earlier: Callable[[Bands], list[Document]] | None = None
                               ) -> tuple[dict[str, str], dict[str, PackedBands]]:
    """``near_duplicates``, with the band keys of every original found (kept by the store,
    so that a later batch is compared with the originals before it without reading them all).

    ``earlier``: the originals of documents that come before ``documents`` (a corpus already
    linked): given a new document's band keys, those of them sharing one, in corpus order,
    texts included. A new document is then linked as it would be in one pass over all."""
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    index = _BandIndex(*bands_and_rows(threshold))
    originals: list[tuple[str, np.ndarray]] = []  # (id, shingles), in order
    links: dict[str, str] = {}
    bands: dict[str, PackedBands] = {}
    seen_ids: set[str] = set()
    for document in documents:
        if document.id in seen_ids:
            continue
        seen_ids.add(document.id)
        body = body_text(document)
        if len(body.split()) < MIN_WORDS:
            continue
        shingles = shingle_hashes(body)
        signature = minhash(shingles)
        packed = PackedBands(b"".join(index.band_keys(signature)), index.rows * signature.itemsize)
        original = None
        if earlier is not None:
            before = [(d.id, shingle_hashes(body_text(d))) for d in earlier(list(packed))]
            original = _first_match(shingles, list(range(len(before))), before, threshold)
        if original is None:
            original = _first_match(shingles, index.candidates(signature), originals, threshold)
        if original is None:
            index.add(signature, len(originals))
            originals.append((document.id, shingles))
            bands[document.id] = packed
        else:
            links[document.id] = original
    return links, bands


def mark_near_duplicates(documents: Sequence[Document], threshold: float = 0.8) -> list[Document]:
    """Copies of `documents` with `duplicate_of` set on each near-copy."""
    links = near_duplicates(documents, threshold)
    return [replace(document, duplicate_of=links.get(document.id)) for document in documents]


def body_text(document: Document) -> str:
    """The text without its headline line, which syndicated copies often rewrite."""
    text = document.text.strip()
    first_line, _, rest = text.partition("\n")
    if document.title and document.title in first_line and rest.strip():
        return rest
    return text


def shingle_hashes(text: str) -> np.ndarray:
    """The distinct 32-bit hashes of the text's five-word shingles (sorted), as 32-bit numbers.

    Each word is hashed once; the hash of a shingle mixes the hashes of its words in
    order, for all shingles of the text at once.
    """
    words = _WORD.findall(text.lower())
    count = len(words) - SHINGLE_WORDS + 1
    if count < 1:
        return np.zeros(0, dtype=np.uint32)
    word_hashes = np.fromiter((zlib.crc32(word.encode()) for word in words), dtype=np.uint64, count=len(words))
    mixed = word_hashes[:count].copy()
    for offset in range(1, SHINGLE_WORDS):
        mixed *= _MIX  # overflow wraps: the high bits end up depending on every word
        mixed ^= word_hashes[offset : offset + count]
    mixed *= _MIX
    return np.unique(mixed >> _SHIFT).astype(np.uint32)


def minhash(shingles: np.ndarray) -> np.ndarray:
    """MinHash signature: for each hash function, the smallest hash of any shingle."""
    signature = np.full(NUM_HASHES, 2**32, dtype=np.uint64)  # above any hash
    for start in range(0, len(shingles), _CHUNK):
        hashed = np.multiply.outer(_A, shingles[start : start + _CHUNK])  # one row per function
        hashed += _B[:, None]  # in place: no temporary arrays
        hashed >>= _SHIFT
        np.minimum(signature, hashed.min(axis=1), out=signature)
    return signature


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted arrays of distinct shingle hashes."""
    if len(a) == 0 or len(b) == 0:
        return 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared)


def bands_and_rows(threshold: float) -> tuple[int, int]:
    """How to cut the signature for LSH: (bands, rows per band).

    More rows per band means fewer chance candidates; the most rows are taken for which
    a pair at exactly `threshold` still shares a band with probability CANDIDATE_RECALL.
    """
    for rows in range(NUM_HASHES, 0, -1):
        bands = NUM_HASHES // rows
        if 1 - (1 - threshold**rows) ** bands >= CANDIDATE_RECALL:
            return bands, rows
    return NUM_HASHES, 1


def _first_match(
    shingles: np.ndarray, candidates: list[int], originals: list[tuple[str, np.ndarray]], threshold: float
) -> str | None:
    """The id of the earliest candidate original that is truly similar enough, if any."""
    for position in candidates:
        original_id, original_shingles = originals[position]
        if jaccard(shingles, original_shingles) >= threshold:
            return original_id
    return None


class _BandIndex:
    """LSH buckets: documents whose signatures agree on a whole band share a bucket."""

    def __init__(self, bands: int, rows: int) -> None:
        self.bands = bands
        self.rows = rows
        self.buckets: list[dict[bytes, list[int]]] = [defaultdict(list) for _ in range(bands)]

    def band_keys(self, signature: np.ndarray) -> list[bytes]:
        return [signature[band * self.rows : (band + 1) * self.rows].tobytes() for band in range(self.bands)]

    def add(self, signature: np.ndarray, position: int) -> None:
        for bucket, key in zip(self.buckets, self.band_keys(signature)):
            bucket[key].append(position)

    def candidates(self, signature: np.ndarray) -> list[int]:
        """Positions of the documents sharing at least one band, earliest first."""
        found: set[int] = set()
        for bucket, key in zip(self.buckets, self.band_keys(signature)):
            found.update(bucket.get(key, ()))
        return sorted(found)
