"""The reconcile stage: all documents' extractions to corpus-wide actors and views.
One module per concern; ``parley.reconcile.run`` runs them in order."""

import hashlib
from pathlib import Path
from typing import Any

import msgspec

_ENCODE = msgspec.json.Encoder().encode


def source_digest(*files: str) -> "hashlib._Hash":
    """A SHA-1 of the source ``files`` (modules' ``__file__``), in order: what a step keeps
    between runs is used again only when the code that made it is the same."""
    digest = hashlib.sha1()
    for path in files:
        digest.update(Path(path).read_bytes())
    return digest


def fingerprint(value: Any) -> bytes:
    """``value`` (records, tuples, lists, atoms) as bytes to digest, when a step checks that
    what it reads is what it read in the last run. msgspec writes records straight from
    their fields, several times faster than ``repr`` (a dataclass's is Python code, field by
    field): 300,000 records in a store of 100,000 documents. A text with a lone surrogate,
    which JSON cannot hold, is fingerprinted by its ``repr``."""
    try:
        return _ENCODE(value)
    except UnicodeEncodeError:
        return repr(value).encode("utf-8", "surrogatepass")
