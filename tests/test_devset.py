"""The committed development set: sealed gold that parley eval reads, and nothing of the
articles' wording."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from parley.evaluate import load_gold

DEVSET = Path(__file__).resolve().parents[1] / "devset"
WORDING_KEYS = {"evidence", "speaker_text", "notes", "note", "role"}


def test_devset_gold_loads_and_every_document_has_a_source():
    gold = load_gold([DEVSET / "gold"])
    with (DEVSET / "sources.tsv").open(encoding="utf-8") as handle:
        sources = {row["document"]: row for row in csv.DictReader(handle, delimiter="\t")}
    assert len(gold.documents) >= 40
    assert set(gold.documents) == set(sources)
    assert len({row["outlet"] for row in sources.values()}) >= 12
    assert all(len(row["sha256"]) == 64 and row["url"].startswith("http") for row in sources.values())
    assert gold.corpus is not None and gold.corpus.claims and gold.corpus.same_actor


def test_devset_gold_is_sealed():
    """Quotations only as token seals; no sentences, speaker wording, roles or notes."""
    for path in sorted((DEVSET / "gold").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for quote in data.get("quotes", []):
            assert "text" not in quote and quote["text_h"], path.name

        def keys(value):
            if isinstance(value, dict):
                for key, inner in value.items():
                    yield key
                    yield from keys(inner)
            elif isinstance(value, list):
                for inner in value:
                    yield from keys(inner)

        assert not WORDING_KEYS & set(keys(data)), path.name
