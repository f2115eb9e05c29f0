"""The reconcile stage: all documents' extractions to one corpus-wide picture.

Runs over the stored documents every time (it is cheap next to parsing), so the
corpus views always reflect everything stored.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from typing import Any

from parley.dedup import near_duplicates
from parley.records import Corpus, Document, Extraction
from parley.reconcile.actors import reconcile_actors
from parley.reconcile.positions import position_matrix
from parley.reconcile.timeline import build_timeline


@dataclasses.dataclass
class Reconciled:
    corpus: Corpus
    duplicates: dict[str, str]  # document id -> id of the document it copies
    views: dict[str, list[dict[str, Any]]]  # derived views: timeline, matrix


def reconcile(documents: list[Document], extractions: list[Extraction]) -> Reconciled:
    duplicates = near_duplicates(documents)
    documents = [replace(d, duplicate_of=duplicates.get(d.id)) for d in documents]
    actors, extractions = reconcile_actors(extractions)
    timeline = build_timeline(documents, extractions)
    matrix = position_matrix(documents, extractions, actors)
    corpus = Corpus(documents=documents, extractions=extractions, actors=actors)
    views = {
        "timeline": [dataclasses.asdict(entry) for entry in timeline],
        "matrix": [dataclasses.asdict(cell) for cell in matrix],
    }
    return Reconciled(corpus, duplicates, views)
