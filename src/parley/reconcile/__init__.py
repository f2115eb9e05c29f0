"""The reconcile stage: all documents' extractions to corpus-wide actors and views.
One module per concern; ``parley.reconcile.run`` runs them in order."""

import hashlib
from pathlib import Path


def source_digest(*files: str) -> "hashlib._Hash":
    """A SHA-1 of the source ``files`` (modules' ``__file__``), in order: what a step keeps
    between runs is used again only when the code that made it is the same."""
    digest = hashlib.sha1()
    for path in files:
        digest.update(Path(path).read_bytes())
    return digest
