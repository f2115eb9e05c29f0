"""What the briefing shows, as plain data: the views of the HTML briefing and of ``parley serve``.

Both presenters draw the same views from the same source: the export object (see
export.py) plus each document's text and sentence offsets, which the store keeps.
Nothing here reads the store or renders HTML, so the static file, the web pages and
the JSON API cannot disagree about what a view contains.

Every fact carries a ``ref`` that points at the sentence it was read from:
``{"doc": document id, "start": offset of that sentence}``; presenters turn a ref
into a link to the document view with that sentence highlighted.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from parley.sentences import sentence_spans
from parley.store import Store

NETWORK_KINDS = ("meeting", "visit", "statement")  # events in which parties meet or speak with each other
FACT_KINDS = ("quotes", "figures", "events", "positions")  # records read from one sentence of one document
TOP_ACTORS = 12
LATEST_EVENTS = 10
# How much of a long list a view shows (everything is in the export and the JSON API's /api/export):
CORROBORATED_SHOWN = 100  # corroborated claims, most sources first
SINGLE_SOURCE_SHOWN = 200  # single-source claims
EVIDENCE_SHOWN = 6  # reports quoted per claim
CARE_QUOTES_SHOWN = 200  # quotes to treat with care
VALUES_SHOWN = 8  # sides of a conflict shown side by side
VALUES_LISTED = 50  # ... and listed under "more"


@dataclass
class Source:
    """What the views are drawn from."""

    export: dict[str, Any]
    texts: dict[str, str]  # document id -> text
    sentences: dict[str, list[list[int]]] = field(default_factory=dict)  # document id -> [start, end]
    added_at: dict[str, str | None] = field(default_factory=dict)  # document id -> when the store first held it

    @cached_property
    def locator(self) -> Locator:
        """Sentence finder over these texts, made once (the views and What's new share it)."""
        return Locator(self)


def load_source(store: Store) -> Source:
    from parley.export import build_export

    with store.snapshot():  # one committed state, even while `parley analyze` writes
        documents = store.documents()
        return Source(export=build_export(store), texts={d.id: d.text for d in documents},
                      sentences=store.sentences(), added_at={d.id: d.added_at for d in documents})


def safe_url(url: str | None) -> str | None:
    """A document's own address, only when it is an http(s) URL (never ``javascript:``)."""
    if url and re.match(r"https?://[^\s<>\"']+$", url.strip(), re.I):
        return url.strip()
    return None


class Locator:
    """Finds the sentence a fact was read from: by its offset, or by its evidence text."""

    def __init__(self, source: Source):
        self.by_source = {d["source"]: d["id"] for d in source.export["documents"]}
        self.texts = source.texts
        self.spans: dict[str, list[tuple[int, int]]] = {
            doc_id: sentence_spans(text, source.sentences.get(doc_id)) for doc_id, text in source.texts.items()}
        self.starts = {doc_id: [s for s, _ in spans] for doc_id, spans in self.spans.items()}

    def doc_id(self, source: str) -> str | None:
        return self.by_source.get(source)

    def sentence_start(self, doc_id: str, offset: int) -> int:
        return _containing(self.starts.get(doc_id, []), offset)

    def ref(self, source: str, start: int | None = None, evidence: str | None = None) -> dict[str, Any] | None:
        doc_id = self.doc_id(source)
        if doc_id is None:
            return None
        if start is None and evidence:
            found = self.texts.get(doc_id, "").find(evidence.strip()[:200])
            start = found if found >= 0 else None
        return {"doc": doc_id, "start": None if start is None else self.sentence_start(doc_id, start)}


def _containing(starts: list[int], offset: int) -> int:
    """The start of the sentence holding ``offset``, given the sentence starts in order."""
    starts = starts or [0]
    return starts[max(bisect.bisect_right(starts, offset) - 1, 0)]


def ref_at(views: dict[str, Any], doc_id: str, offset: int) -> dict[str, Any]:
    """The ref of the sentence of document ``doc_id`` that contains character ``offset``."""
    segments = (views["documents"].get(doc_id) or {}).get("segments", [])
    return {"doc": doc_id, "start": _containing([s["start"] for s in segments if "start" in s], offset)}


def build_views(source: Source) -> dict[str, Any]:
    """Every view of the briefing, keyed by name."""
    export = source.export
    locate = source.locator
    names = {a["id"]: a["name"] for a in export["actors"]}
    forms = name_forms(export)
    facts = {kind: [dict(r, ref=locate.ref(r["document"], r.get("start"), r.get("evidence"))) for r in export[kind]]
             for kind in FACT_KINDS}  # each record once, with the sentence it was read from
    quotes = facts["quotes"]
    for i, quote in enumerate(quotes):
        quote.update(index=i, speaker_name=speaker_label(quote, names, forms), speaker_as=speaker_as(quote, forms))
    documents = _documents(export, facts, locate)
    timeline = _timeline(export, locate, names)
    network = _network(export, timeline, names)
    matrix = _matrix(export, locate, names)
    return {
        "names": names,
        "documents": documents,
        "overview": _overview(export, documents, timeline),
        "timeline": timeline,
        "network": network,
        "matrix": matrix,
        "checks": _checks(export, locate, quotes),
        "quotes": quotes,
        "actors": _actors(export, locate, names, facts, timeline, network, matrix),
    }


def name_forms(export: dict[str, Any]) -> dict[str, set[str]]:
    """Each actor's name and aliases, lower case: the ways it is named."""
    return {a["id"]: {f.lower() for f in [a["name"], *a.get("aliases", [])]} for a in export["actors"]}


def speaker_as(quote: dict[str, Any], forms: dict[str, set[str]]) -> str | None:
    """The words that named a speaker when they are not one of its names ("the Belgian
    prime minister", "he"), so a reader can check how the speaker was resolved."""
    words = " ".join((quote.get("speaker_text") or "").split())
    if not quote.get("speaker") or not words or words.lower() in forms.get(quote["speaker"], set()):
        return None
    return words


def speaker_label(quote: dict[str, Any], names: dict[str, str], forms: dict[str, set[str]] | None = None) -> str:
    """The speaker as a reader sees it: "Bart De Wever (as “the Belgian prime minister”)",
    "a senior official (unnamed)"."""
    if quote.get("speaker"):
        name = names.get(quote["speaker"], quote["speaker"])
        words = speaker_as(quote, forms) if forms is not None else None
        return f"{name} (as “{words}”)" if words else name
    if quote.get("speaker_text"):
        return f"{quote['speaker_text']} (unnamed)"
    return "(speaker unknown)"


def _documents(export: dict[str, Any], facts: dict[str, list[dict[str, Any]]],
               locate: Locator) -> dict[str, dict[str, Any]]:
    """Each document with its sentences and the facts read from it, by document id."""
    by_source: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for kind in FACT_KINDS:
        for record in facts[kind]:
            by_source[record["document"]][kind].append(record)
    actors_in: dict[str, list[str]] = defaultdict(list)
    for actor in export["actors"]:
        for src in actor["documents"]:
            actors_in[src].append(actor["id"])
    framing = {f["document"]: f for f in export.get("framing", [])}
    out = {}
    for d in export["documents"]:
        text = locate.texts.get(d["id"], "")
        facts = by_source[d["source"]]
        marked = Counter(r["ref"]["start"] for kind in facts.values() for r in kind if r["ref"])
        out[d["id"]] = dict(
            d, url=safe_url(d.get("url")), actors=actors_in[d["source"]], framing=framing.get(d["source"]),
            facts={k: facts[k] for k in FACT_KINDS},
            segments=_segments(text, locate.spans.get(d["id"], []), marked))
    return out


def _segments(text: str, spans: list[tuple[int, int]], marked: Counter) -> list[dict[str, Any]]:
    """The text cut into sentences and the white space between them, in order, so a page
    can render it verbatim with each sentence addressable by its start offset."""
    out: list[dict[str, Any]] = []
    at = 0
    for start, end in spans:
        if start < at:  # overlapping spans never happen with spaCy; be safe anyway
            continue
        if start > at:
            out.append({"gap": text[at:start]})
        out.append({"start": start, "text": text[start:end], "facts": marked.get(start, 0)})
        at = end
    if at < len(text):
        out.append({"gap": text[at:]})
    return out


def _when_label(when: dict[str, Any] | None) -> str:
    if not when:
        return "undated"
    if when.get("date"):
        return when["date"] + (f" – {when['end']}" if when.get("end") and when["end"] != when["date"] else "")
    return "undated"


def _timeline(export: dict[str, Any], locate: Locator, names: dict[str, str]) -> list[dict[str, Any]]:
    published = {d["source"]: d.get("published") for d in export["documents"]}
    out = []
    for n, entry in enumerate(export.get("timeline", [])):
        reports = [dict(r, ref=locate.ref(r["document"], None, r.get("evidence")),
                        published=r.get("published", published.get(r["document"])))
                   for r in entry.get("reports", [])]
        out.append(dict(
            entry, n=n, date=(entry.get("when") or {}).get("date"), when_label=_when_label(entry.get("when")),
            when_text=(entry.get("when") or {}).get("text"),
            participant_names=[names.get(p, p) for p in entry.get("participants", [])],
            reports=reports, sources=len({r["document"] for r in reports}),
            label=_event_label(entry, names)))
    return out


def _event_label(entry: dict[str, Any], names: dict[str, str]) -> str:
    who = [names.get(p, p) for p in entry.get("participants", [])]
    head = ", ".join(who[:3]) + (f" +{len(who) - 3}" if len(who) > 3 else "")
    return " · ".join(x for x in (entry["kind"], entry.get("place"), head) if x)


def _network(export: dict[str, Any], timeline: list[dict[str, Any]], names: dict[str, str]) -> dict[str, Any]:
    """Who met or spoke with whom: an edge for each pair of participants of one event
    (after reconcile merged the reports of one real event), weighted by the number of events."""
    kinds = {a["id"]: a["kind"] for a in export["actors"]}
    mentions = {a["id"]: a["mentions"] for a in export["actors"]}
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in timeline:
        if entry["kind"] not in NETWORK_KINDS:
            continue
        people = sorted(set(entry.get("participants", [])))
        for i, a in enumerate(people):
            for b in people[i + 1:]:
                edge = edges.setdefault((a, b), {"source": a, "target": b, "weight": 0, "events": []})
                edge["weight"] += 1
                edge["events"].append(entry["n"])
    degree: Counter = Counter()
    for (a, b), edge in edges.items():
        degree[a] += edge["weight"]
        degree[b] += edge["weight"]
    nodes = [{"id": actor, "name": names.get(actor, actor), "kind": kinds.get(actor, "person"),
              "mentions": mentions.get(actor, 0), "degree": degree[actor]}
             for actor in sorted(degree, key=lambda a: (-degree[a], names.get(a, a)))]
    ordered = sorted(edges.values(), key=lambda e: (-e["weight"], names.get(e["source"], ""), names.get(e["target"], "")))
    for edge in ordered:
        edge["source_name"], edge["target_name"] = names.get(edge["source"]), names.get(edge["target"])
    return {"nodes": nodes, "edges": ordered}


def _matrix(export: dict[str, Any], locate: Locator, names: dict[str, str]) -> dict[str, Any]:
    cells = {}
    for cell in export.get("matrix", []):
        history = [dict(h, ref=locate.ref(h["document"], None, h.get("evidence")), actor_name=names.get(h.get("actor"), h.get("actor")))
                   for h in cell.get("history", [])]
        cells[f"{cell['party']}|{cell['issue']}"] = dict(
            cell, party_name=names.get(cell["party"], cell["party"]), history=history,
            ref=locate.ref(cell["document"], None, cell.get("evidence")))
    parties = sorted({c["party"] for c in export.get("matrix", [])}, key=lambda p: names.get(p, p))
    issues = sorted({c["issue"] for c in export.get("matrix", [])})
    return {"parties": [{"id": p, "name": names.get(p, p)} for p in parties], "issues": issues, "cells": cells}


def _checks(export: dict[str, Any], locate: Locator, quotes: list[dict[str, Any]]) -> dict[str, Any]:
    def with_refs(claim: dict[str, Any]) -> dict[str, Any]:
        shown = claim["evidence"][:EVIDENCE_SHOWN]
        return dict(claim, evidence=[dict(e, ref=locate.ref(e["document"], None, e.get("text"))) for e in shown],
                    evidence_more=len(claim["evidence"]) - len(shown))

    claims = [with_refs(c) for c in export.get("claims", [])]
    single = [c for c in claims if c["single_source"]]
    corroborated = sorted((c for c in claims if not c["single_source"]), key=lambda c: -c["sources"])
    care = [q for q in quotes if q.get("care")]
    meta = {d["source"]: d for d in export["documents"]}
    conflicts = []
    for c in export.get("conflicts", []):
        values = [dict(v, ref=locate.ref(v["document"], None, v.get("evidence")),
                       published=v.get("published", (meta.get(v["document"]) or {}).get("published")))
                  for v in c["values"]]
        conflicts.append(dict(c, judgment=evolution_label(c), values=values, shown=values[:VALUES_SHOWN],
                              hidden=values[VALUES_SHOWN:VALUES_LISTED], more=max(len(values) - VALUES_LISTED, 0)))
    framing = sorted(export.get("framing", []),
                     key=lambda f: ((meta.get(f["document"]) or {}).get("published") or "", f["document"]))
    return {
        "corroborated": corroborated[:CORROBORATED_SHOWN],
        "corroborated_total": len(corroborated),
        "single": single[:SINGLE_SOURCE_SHOWN],
        "claims": {c["id"]: c for c in claims},
        "single_total": len(single),
        "claims_total": len(claims),
        "care_quotes": care[:CARE_QUOTES_SHOWN],
        "care_total": len(care),
        "conflicts": conflicts,
        "framing": [dict(f, doc=locate.doc_id(f["document"]), outlet=(meta.get(f["document"]) or {}).get("outlet"),
                         published=(meta.get(f["document"]) or {}).get("published"),
                         cue_refs=[locate.ref(f["document"], None, cue) for cue in f.get("cues", [])])
                    for f in framing],
        "outlets": export.get("framing_by_outlet", []),
    }


def evolution_label(conflict: dict[str, Any]) -> str:
    evolution = conflict.get("evolution")
    return "story moved on" if evolution is True else "sources disagree" if evolution is False else "unknown"


def _overview(export: dict[str, Any], documents: dict[str, dict[str, Any]],
              timeline: list[dict[str, Any]]) -> dict[str, Any]:
    by_outlet: dict[str, list[str]] = defaultdict(list)
    for d in documents.values():
        by_outlet[d.get("outlet") or "(outlet unknown)"].append(d["id"])
    outlets = sorted(({"outlet": o, "documents": sorted(ids, key=lambda i: (documents[i].get("published") or "", documents[i]["source"]))}
                      for o, ids in by_outlet.items()), key=lambda o: (-len(o["documents"]), o["outlet"]))
    by_date = Counter(d.get("published") or "undated" for d in documents.values())
    dated = [e for e in timeline if e["date"]]
    latest = (sorted(dated, key=lambda e: (e["date"], e["n"]), reverse=True) if dated else list(reversed(timeline)))
    actors = sorted(export["actors"], key=lambda a: (-len(a["documents"]), -a["mentions"], a["name"]))
    return {
        "counts": {k: len(export.get(k, [])) for k in ("documents", "actors", "quotes", "figures", "events",
                                                       "positions", "claims", "conflicts")},
        "timeline_entries": len(timeline),
        "span": _span(d.get("published") for d in documents.values()),
        "outlets": outlets,
        "by_date": sorted(({"date": k, "documents": v} for k, v in by_date.items()),
                          key=lambda x: (x["date"] == "undated", x["date"])),
        "top_actors": [{"id": a["id"], "name": a["name"], "kind": a["kind"], "role": a.get("role"),
                        "documents": len(a["documents"]), "mentions": a["mentions"]} for a in actors[:TOP_ACTORS]],
        "latest_events": latest[:LATEST_EVENTS],
        "latest_dated": bool(dated),
    }


def _span(dates: Iterable[str | None]) -> list[str] | None:
    known = sorted(d for d in dates if d)
    return [known[0], known[-1]] if known else None


def _actors(export: dict[str, Any], locate: Locator, names: dict[str, str], facts: dict[str, list[dict[str, Any]]],
            timeline: list[dict[str, Any]], network: dict[str, Any], matrix: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """An actor page for each actor: who they are, what they said, where they stand, where they appear."""
    members: dict[str, list[str]] = defaultdict(list)
    for a in export["actors"]:
        if a.get("affiliation"):
            members[a["affiliation"]].append(a["id"])
    said = defaultdict(list)
    for q in facts["quotes"]:
        if q.get("speaker"):
            said[q["speaker"]].append(q)
    stances = defaultdict(list)
    for p in facts["positions"]:
        stances[p["actor"]].append(p)
    party_cells = defaultdict(list)
    for cell in matrix["cells"].values():
        party_cells[cell["party"]].append(cell)
    events = defaultdict(list)
    for entry in timeline:
        for p in entry.get("participants", []):
            events[p].append(entry)
    neighbours = defaultdict(list)
    for edge in network["edges"]:
        neighbours[edge["source"]].append({"id": edge["target"], "name": edge["target_name"], "weight": edge["weight"]})
        neighbours[edge["target"]].append({"id": edge["source"], "name": edge["source_name"], "weight": edge["weight"]})
    out = {}
    for a in export["actors"]:
        out[a["id"]] = dict(
            a, affiliation_name=names.get(a.get("affiliation")) if a.get("affiliation") else None,
            members=[{"id": m, "name": names.get(m, m)} for m in members[a["id"]]],
            quotes=said[a["id"]], positions=stances[a["id"]],
            matrix=sorted(party_cells[a["id"]], key=lambda c: c["issue"]),
            events=events[a["id"]], met=neighbours[a["id"]],
            document_ids=[i for i in (locate.doc_id(s) for s in a["documents"]) if i])
    return out
