"""The reconcile stage: all documents' extractions to one corpus-wide picture.

Runs over the stored documents every time, so the corpus views always reflect
everything stored. Sentence embeddings come through ``embed``: ``parley analyze`` passes
one backed by the store, so a sentence is embedded once, ever.

What a batch added to a reconciled store costs (``parley.pipeline.reconcile_store``):
- near-copies: only the new documents are checked, against the stored originals they
  share an LSH band with (a document is linked to the first original before it, so
  adding later documents never changes an earlier link): ``duplicates`` comes in done;
- the claims step's statements: a document whose text, records (with their corpus actor
  ids) and timeline entries, and the corpus places, the lexicon and the reading code, are
  those it was read with takes its statements from ``memo`` (the store);
- the claims step's block comparisons: a block whose sentences, vectors and documents
  are unchanged is not read (``memo`` keeps the count of the pairs every block gave), and
  one that has only gained sentences compares just those (``reconcile/pairs.py``);
- the timeline: when the event reports of the last run come first, unchanged (new
  documents come after the stored ones in corpus order), the entries they joined are
  replayed from ``memo`` and only the reports after them are matched;
- everything else runs over the whole corpus, because its result for old documents can
  change with a new one: actor merging (a new full name can take or make ambiguous a
  surname's match), described speakers (a new person can fit a description), quote care
  (a second source), the claims' blocks (built from the rarest anchors corpus-wide) and
  grouping (clusters merge in the order of all pairs' scores, and how much a shared anchor
  counts depends on how many documents name it), and the conflicts over all of these.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any, Protocol

import msgspec

from parley.dedup import near_duplicates
from parley.embeddings import Embedder, default_embedder
from parley.lexicon import Lexicon, load_lexicon
from parley.records import Corpus, Document, Extraction, Framing
from parley.reconcile.actors import reconcile_actors
from parley.reconcile.claims import ClaimsMemo, check_claims, flag_quotes
from parley.reconcile.conflicts import find_conflicts
from parley.reconcile.positions import position_matrix
from parley.reconcile.speakers import resolve_described_speakers
from parley.reconcile.timeline import JoinsMemo, build_timeline


class ReconcileMemo(ClaimsMemo, JoinsMemo, Protocol):
    """What the reconcile stage keeps between runs (``Store`` keeps all of it): the claims
    step's statements and block neighbours, the timeline's joins."""


@dataclasses.dataclass
class Reconciled:
    corpus: Corpus
    duplicates: dict[str, str]  # document id -> id of the document it copies
    views: dict[str, list[dict[str, Any]]]  # derived views: timeline, matrix, framing_by_outlet


def framing_by_outlet(documents: list[Document], framing: list[Framing]) -> list[dict[str, Any]]:
    """Per outlet, its documents' framing in order of publication (undated last), with the
    mean score. Near-copies count for the outlet that published them; documents of no
    known outlet are left out (each is in the per-document framing)."""
    by_source = {d.source: d for d in documents}
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in framing:
        document = by_source.get(item.document)
        if document is None or not document.outlet:
            continue
        rows[document.outlet].append({"document": item.document, "published": document.published,
                                      "label": item.label, "score": item.score})
    view = []
    for outlet, points in sorted(rows.items()):
        points.sort(key=lambda p: (p["published"] is None, p["published"] or ""))
        view.append({"outlet": outlet, "documents": points,
                     "mean_score": round(sum(p["score"] for p in points) / len(points), 3),
                     "labels": dict(sorted(Counter(p["label"] for p in points).items()))})
    return view


def reconcile(documents: list[Document], extractions: list[Extraction],
              embed: Embedder | None = None, lexicon: Lexicon | None = None,
              duplicates: dict[str, str] | None = None, memo: ReconcileMemo | None = None) -> Reconciled:
    """The corpus of ``documents`` (in corpus order) and their ``extractions``. ``duplicates``:
    the near-copy links when already known (``parley.dedup``), else they are found here;
    ``memo``: where the claims step keeps the statements it read and the neighbours in the
    blocks it compared, and the timeline which entry each report joined."""
    lexicon = lexicon or load_lexicon()
    if duplicates is None:
        duplicates = near_duplicates(documents)
    documents = [replace(d, duplicate_of=duplicates.get(d.id)) for d in documents]
    actors, extractions = reconcile_actors(extractions, lexicon)
    actors, extractions = resolve_described_speakers(actors, extractions, lexicon)
    extractions = flag_quotes(documents, extractions)
    timeline = build_timeline(documents, extractions, memo)
    matrix = position_matrix(documents, extractions, actors)
    checked = check_claims(documents, extractions, timeline, embed or default_embedder(), lexicon, memo)
    conflicts = find_conflicts(documents, extractions, actors, timeline, checked, lexicon)
    framing = [e.framing for e in extractions if e.framing is not None]
    corpus = Corpus(documents=documents, extractions=extractions, actors=actors,
                    claims=checked.claims, conflicts=conflicts, framing=framing)
    views = {  # (msgspec writes the records as plain values in C, a few times faster than to_dict)
        "timeline": [msgspec.to_builtins(entry) for entry in timeline],
        "matrix": [msgspec.to_builtins(cell) for cell in matrix],
        "framing_by_outlet": framing_by_outlet(documents, framing),
    }
    return Reconciled(corpus, duplicates, views)

