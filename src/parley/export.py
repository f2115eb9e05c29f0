"""``parley export``: the whole store as one JSON object, format ``parley/1``.

The contract is ../shared/spec/export-format.md: every key it names is present with
the names and vocabularies it gives. Extra keys (``times``, ``timeline``,
``matrix``, ``framing_by_outlet``, and extra fields on records such as ``evidence``,
``unnamed`` or a conflict's ``note``) are additions the contract allows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from parley.atomic_write import write_text_atomically
from parley.store import Store

FORMAT = "parley/1"
RECORD_KEYS = ["actors", "quotes", "figures", "events", "positions", "claims", "conflicts", "framing"]


def build_export(store: Store) -> dict[str, Any]:
    """The export object, read in one transaction: one committed state of the store, even
    while ``parley analyze`` writes to it."""
    with store.snapshot():
        documents = [
            {"id": d.id, "source": d.source, "title": d.title, "outlet": d.outlet,
             "published": d.published, "words": d.words, "url": d.url, "author": d.author,
             "duplicate_of": d.duplicate_of}
            for d in store.documents()
        ]
        export: dict[str, Any] = {"format": FORMAT, "documents": documents}
        for key in RECORD_KEYS:
            export[key] = store.rows(key)
        export["times"] = store.rows("times")
        export["timeline"] = store.view("timeline")
        export["matrix"] = store.view("matrix")
        export["framing_by_outlet"] = store.view("framing_by_outlet")
    return export


def write_export(store: Store, path: Path) -> None:
    write_text_atomically(path, json.dumps(build_export(store), ensure_ascii=False, indent=1))
