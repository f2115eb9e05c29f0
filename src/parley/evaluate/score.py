"""Scoring an export against gold, with the matching rules of gold-format.md."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from parley.evaluate.gold import RECORD_KINDS, CorpusGold, DocumentGold, Gold, is_number
from parley.evaluate.text import (
    Named, contains_text, contains_tokens, content_words, last_names, name_rank, normalize,
    same_source, seal_tokens, token_f1, tokens, _base_name,
)

ACCURACIES = ("speaker_accuracy", "about_accuracy", "stance_accuracy")

MIN_QUOTE_TOKENS = 4
QUOTE_MIN_F1 = 0.8
QUOTE_MIN_COVERAGE = 0.8
FIGURE_TOLERANCE = 0.005  # relative to the gold value
ABOUT_MIN_F1 = 0.5
PARTICIPANTS_MIN_JACCARD = 0.5
OPTIONAL_EVENT_KIND = "statement"  # gold may leave statements out
EPSILON = 1e-9  # keeps float rounding from moving a pair across a threshold


# --------------------------------------------------------------------------- actors


class ExportActors:
    """The export's actors by id. An unknown id stands for an actor named like the id."""

    def __init__(self, export: dict) -> None:
        self.records = [actor for actor in _records(export, "actors") if actor.get("id")]
        self.by_id = {actor["id"]: actor for actor in self.records}

    def named(self, actor_id: Any) -> Named | None:
        if not actor_id:
            return None
        actor = self.by_id.get(actor_id)
        if actor is None:
            return Named.of(str(actor_id))
        return Named.of(actor.get("name"), _string_list(actor.get("aliases")), actor.get("kind"))


class GoldActors:
    """Gold actors by their normalised names and aliases: a document's first, then the corpus's."""

    def __init__(self, documents: Iterable[DocumentGold]) -> None:
        self.corpus: dict[str, Named] = {}
        self.by_document: dict[str, dict[str, Named]] = {}
        for doc in documents:
            table = self.by_document.setdefault(doc.document, {})
            named = [Named.of(a["name"], a.get("aliases") or (), a.get("kind")) for a in doc.actors]
            for lookup in (table, self.corpus):
                for actor in named:  # canonical names win over another actor's alias
                    lookup.setdefault(actor.name, actor)
                for actor in named:
                    for form in actor.forms:
                        lookup.setdefault(form, actor)

    def named(self, name: str, document: str) -> Named:
        key = normalize(name)
        return self.by_document.get(document, {}).get(key) or self.corpus.get(key) or Named.of(name)


# --------------------------------------------------------------------------- matching


def greedy_match(predicted: Sequence, gold: Sequence, rank: Callable[[Any, Any], Any]) -> list[tuple[int, int]]:
    """One-to-one pairs (predicted index, gold index), best rank first.

    ``rank(p, g)`` returns None for "no match" or a sortable value, lower is better;
    ties go to the earlier gold item, then the earlier prediction.
    """
    candidates = []
    for p_index, p_item in enumerate(predicted):
        for g_index, g_item in enumerate(gold):
            value = rank(p_item, g_item)
            if value is not None:
                candidates.append((value, g_index, p_index))
    candidates.sort(key=lambda candidate: (candidate[0], candidate[1], candidate[2]))
    used_predicted: set[int] = set()
    used_gold: set[int] = set()
    pairs = []
    for _, g_index, p_index in candidates:
        if p_index not in used_predicted and g_index not in used_gold:
            used_predicted.add(p_index)
            used_gold.add(g_index)
            pairs.append((p_index, g_index))
    return pairs


@dataclass
class Tally:
    """Counts behind the metrics of one document (or of all documents summed)."""

    matches: dict[str, list[int]] = field(default_factory=lambda: {kind: [0, 0, 0] for kind in RECORD_KINDS})
    accuracies: dict[str, list[int]] = field(default_factory=lambda: {name: [0, 0] for name in ACCURACIES})

    def count(self, kind: str, pairs: int, predicted: int, gold: int) -> None:
        counts = self.matches[kind]
        counts[0] += pairs
        counts[1] += predicted - pairs
        counts[2] += gold - pairs

    def judge(self, accuracy: str, right: Iterable[bool]) -> None:
        for verdict in right:
            self.accuracies[accuracy][0] += bool(verdict)
            self.accuracies[accuracy][1] += 1

    def add(self, other: Tally) -> None:
        for kind, counts in other.matches.items():
            self.matches[kind] = [a + b for a, b in zip(self.matches[kind], counts)]
        for name, counts in other.accuracies.items():
            self.accuracies[name] = [a + b for a, b in zip(self.accuracies[name], counts)]

    def metrics(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for kind, (tp, fp, fn) in self.matches.items():
            result[kind] = prf(tp, fp, fn)
        for name, (right, total) in self.accuracies.items():
            result[name] = {"right": right, "total": total, "accuracy": _ratio(right, total)}
        return result


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    """Precision, recall and F1 (None when undefined) with the counts behind them."""
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    if precision is None or recall is None:
        f1 = None
    else:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": None if precision is None else round(precision, 4),
        "recall": None if recall is None else round(recall, 4),
        "f1": None if f1 is None else round(f1, 4),
    }


# --------------------------------------------------------------------------- per document


@dataclass
class Context:
    """What every per-document scorer needs besides the two record lists."""

    document: str
    actors: ExportActors
    gold_actors: GoldActors

    def gold_named(self, name: str) -> Named:
        return self.gold_actors.named(name, self.document)


def quote_tokens(quote: dict, sealed: bool = False) -> list[str]:
    """A quote's normalised tokens, or their seals: sealed gold keeps ``text_h``, and a
    prediction is compared with it seal by seal."""
    if "text_h" in quote:
        return list(quote["text_h"])
    return seal_tokens(quote.get("text")) if sealed else tokens(quote.get("text"))


def score_quotes(predicted: list[dict], gold: list[dict], context: Context, tally: Tally) -> None:
    """Quotes: token F1 >= 0.8, or whole-token containment covering >= 80% of the longer
    (on seals instead of words for sealed gold)."""
    predicted = [quote for quote in predicted if len(tokens(quote.get("text"))) >= MIN_QUOTE_TOKENS]
    gold = [quote for quote in gold if len(quote_tokens(quote)) >= MIN_QUOTE_TOKENS]

    def rank(p_quote: dict, g_quote: dict) -> tuple | None:
        p_tokens, g_tokens = quote_tokens(p_quote, sealed="text_h" in g_quote), quote_tokens(g_quote)
        similarity = token_f1(p_tokens, g_tokens)
        if similarity + EPSILON >= QUOTE_MIN_F1 or _covers(p_tokens, g_tokens):
            return (-similarity,)
        return None

    pairs = greedy_match(predicted, gold, rank)
    tally.count("quotes", len(pairs), len(predicted), len(gold))
    tally.judge("speaker_accuracy", (speaker_right(predicted[p], gold[g], context) for p, g in pairs))


def _covers(first: list[str], second: list[str]) -> bool:
    shorter, longer = sorted((first, second), key=len)
    return contains_tokens(longer, shorter) and len(shorter) + EPSILON >= QUOTE_MIN_COVERAGE * len(longer)


def speaker_right(p_quote: dict, g_quote: dict, context: Context) -> bool:
    """The predicted speaker's name or an alias equals the gold speaker's name, one of
    its gold aliases, or its last name; a null gold speaker wants a null prediction."""
    gold_speaker, predicted_speaker = g_quote.get("speaker"), p_quote.get("speaker")
    if not gold_speaker:
        return not predicted_speaker
    predicted = context.actors.named(predicted_speaker)
    if predicted is None:
        return False
    gold = context.gold_named(gold_speaker)
    accepted = {normalize(gold_speaker)} | gold.forms | last_names(gold_speaker) | last_names(gold.name)
    return bool(predicted.forms & accepted)


def score_figures(predicted: list[dict], gold: list[dict], context: Context, tally: Tally) -> None:
    """Figures: equal unit, value within 0.5% of the gold value; closest value first."""
    predicted = [figure for figure in predicted if _number(figure.get("value")) is not None]

    def rank(p_figure: dict, g_figure: dict) -> tuple | None:
        if normalize(p_figure.get("unit")) != normalize(g_figure.get("unit")):
            return None
        difference = relative_difference(_number(p_figure.get("value")), float(g_figure["value"]))
        if difference > FIGURE_TOLERANCE + EPSILON:
            return None
        return (difference, -about_similarity(p_figure, g_figure))

    pairs = greedy_match(predicted, gold, rank)
    tally.count("figures", len(pairs), len(predicted), len(gold))
    tally.judge(
        "about_accuracy",
        (about_similarity(predicted[p], gold[g]) + EPSILON >= ABOUT_MIN_F1 for p, g in pairs),
    )


def _number(value: Any) -> float | None:
    if is_number(value):
        return float(value)
    try:
        return float(str(value).replace(",", "")) if isinstance(value, str) else None
    except ValueError:
        return None


def relative_difference(predicted: float, gold: float) -> float:
    if gold == 0:
        return 0.0 if predicted == 0 else float("inf")
    return abs(predicted - gold) / abs(gold)


def about_similarity(p_figure: dict, g_figure: dict) -> float:
    """Token F1 of the content words (stop words dropped) of the two `about` phrases."""
    if not p_figure.get("about") and g_figure.get("about"):
        return 0.0
    return token_f1(content_words(p_figure.get("about")), content_words(g_figure.get("about")))


def score_persons(predicted: list[Named], gold: list[dict], context: Context, tally: Tally) -> None:
    """Persons: (document, person) pairs; equal name/alias first, then shared last name."""
    gold_persons = [Named.of(a["name"], a.get("aliases") or (), a.get("kind")) for a in gold]
    gold_persons = [person for person in gold_persons if person.is_person]
    pairs = greedy_match(predicted, gold_persons, name_rank)
    tally.count("persons", len(pairs), len(predicted), len(gold_persons))


def score_events(predicted: list[dict], gold: list[dict], context: Context, tally: Tally) -> None:
    """Events: same kind, and the places match or the participants' Jaccard is >= 0.5.
    Statements are optional in gold: a gold file listing none is scored against the
    predicted events of the other kinds only."""
    if not any(normalize(g_event.get("kind")) == OPTIONAL_EVENT_KIND for g_event in gold):
        predicted = [p_event for p_event in predicted if normalize(p_event.get("kind")) != OPTIONAL_EVENT_KIND]

    def rank(p_event: dict, g_event: dict) -> tuple | None:
        if normalize(p_event.get("kind")) != normalize(g_event.get("kind")):
            return None
        place = places_match(p_event.get("place"), g_event.get("place"))
        overlap = participants_jaccard(p_event, g_event, context)
        if not place and overlap + EPSILON < PARTICIPANTS_MIN_JACCARD:
            return None
        return (not place, -overlap)

    pairs = greedy_match(predicted, gold, rank)
    tally.count("events", len(pairs), len(predicted), len(gold))


def places_match(predicted: Any, gold: Any) -> bool:
    """Both places given and one contains the other (whole tokens, normalised)."""
    p_tokens, g_tokens = tokens(predicted), tokens(gold)
    if not p_tokens or not g_tokens:
        return False
    return contains_tokens(p_tokens, g_tokens) or contains_tokens(g_tokens, p_tokens)


def participants_jaccard(p_event: dict, g_event: dict, context: Context) -> float:
    """Jaccard of the two participant sets, participants matched one-to-one as actors."""
    p_ids = list(dict.fromkeys(_string_list(p_event.get("participants"))))
    predicted = [named for named in map(context.actors.named, p_ids) if named is not None]
    g_names = list(dict.fromkeys(_string_list(g_event.get("participants"))))
    gold = [context.gold_named(name) for name in g_names]
    matched = len(greedy_match(predicted, gold, name_rank))
    union = len(predicted) + len(gold) - matched
    return matched / union if union else 0.0


def score_positions(predicted: list[dict], gold: list[dict], context: Context, tally: Tally) -> None:
    """Positions: same issue and matching actor; stance accuracy over the matches."""

    def rank(p_position: dict, g_position: dict) -> tuple | None:
        if normalize(p_position.get("issue")) != normalize(g_position.get("issue")):
            return None
        p_actor = context.actors.named(p_position.get("actor"))
        if p_actor is None:
            return None
        actor_rank = name_rank(p_actor, context.gold_named(g_position["actor"]))
        if actor_rank is None:
            return None
        return (actor_rank, not _same_stance(p_position, g_position))

    pairs = greedy_match(predicted, gold, rank)
    tally.count("positions", len(pairs), len(predicted), len(gold))
    tally.judge("stance_accuracy", (_same_stance(predicted[p], gold[g]) for p, g in pairs))


def _same_stance(p_position: dict, g_position: dict) -> bool:
    return normalize(p_position.get("stance")) == normalize(g_position.get("stance"))


# --------------------------------------------------------------------------- export access


def _records(export: dict, key: str) -> list[dict]:
    records = export.get(key) if isinstance(export, dict) else None
    return [record for record in records or [] if isinstance(record, dict)]


def _string_list(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


class DocumentIndex:
    """Finds the gold document a source names: equal source, else equal base file name."""

    def __init__(self, sources: Iterable[str]) -> None:
        self.exact = set(sources)
        self.by_base: dict[str, str | None] = {}
        for source in self.exact:
            base = _base_name(source)
            self.by_base[base] = None if base in self.by_base else source  # None: ambiguous

    def resolve(self, source: Any) -> str | None:
        if not isinstance(source, str) or not source:
            return None
        if source in self.exact:
            return source
        return self.by_base.get(_base_name(source))


def _by_document(records: list[dict], index: DocumentIndex) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for record in records:
        document = index.resolve(record.get("document"))
        if document is not None:
            grouped.setdefault(document, []).append(record)
    return grouped


def _persons_by_document(export: dict, index: DocumentIndex) -> dict[str, list[Named]]:
    grouped: dict[str, list[Named]] = {}
    for actor in _records(export, "actors"):
        named = Named.of(actor.get("name"), _string_list(actor.get("aliases")), actor.get("kind"))
        if not named.is_person:
            continue
        documents = {index.resolve(source) for source in _string_list(actor.get("documents"))}
        for document in documents - {None}:
            grouped.setdefault(document, []).append(named)
    return grouped


# --------------------------------------------------------------------------- corpus


def score_same_actor(export: dict, gold: Gold) -> dict[str, Any]:
    """Share of gold groups resolving to exactly one predicted actor, and bad merges."""
    actors = _records(export, "actors")
    form_owners: dict[str, set[int]] = {}
    for number, actor in enumerate(actors):
        for form in Named.of(actor.get("name"), _string_list(actor.get("aliases"))).forms:
            form_owners.setdefault(form, set()).add(number)
    groups = gold.corpus.same_actor if gold.corpus else []
    resolved = sum(1 for group in groups if _resolves_to_one(group, form_owners))
    merges = bad_merges(actors, gold)
    return {
        "groups": len(groups),
        "resolved": resolved,
        "share": _ratio(resolved, len(groups)),
        "bad_merges": len(merges),
        "merged": merges,
    }


def _resolves_to_one(group: list[str], form_owners: dict[str, set[int]]) -> bool:
    owners = [form_owners.get(normalize(form), set()) for form in group]
    return all(len(found) == 1 for found in owners) and len(set().union(*owners)) == 1


def gold_persons(gold: Gold) -> dict[str, str]:
    """Every normalised surface form of a gold person -> that person's identity (a name).

    Gold persons are one identity across files when their names are equal, when one's
    name is another's alias, or when a same_actor group joins them. A form shared by two
    identities is left out: it cannot show a merge.
    """
    persons = [
        Named.of(a["name"], a.get("aliases") or (), a.get("kind"))
        for doc in gold.documents.values()
        for a in doc.actors
    ]
    persons = [person for person in persons if person.is_person]
    parent = {person.name: person.name for person in persons}

    def find(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    def union(first: str, second: str) -> None:
        parent[find(first)] = find(second)

    names = set(parent)
    for person in persons:
        for form in person.forms & names:
            union(person.name, form)
    for group in gold.corpus.same_actor if gold.corpus else []:
        members = [name for name in map(normalize, group) if name in names]
        for name in members[1:]:
            union(members[0], name)

    identities: dict[str, set[str]] = {}
    for person in persons:
        for form in person.forms:
            identities.setdefault(form, set()).add(find(person.name))
    return {form: next(iter(ids)) for form, ids in identities.items() if len(ids) == 1}


def bad_merges(actors: list[dict], gold: Gold) -> list[dict[str, Any]]:
    """Predicted actors whose names and aliases belong to two or more gold persons."""
    identity_of = gold_persons(gold)
    merges = []
    for actor in actors:
        named = Named.of(actor.get("name"), _string_list(actor.get("aliases")))
        identities = {identity_of[form] for form in named.forms if form in identity_of}
        if len(identities) > 1:
            merges.append({"actor": actor.get("id") or actor.get("name"), "gold_persons": sorted(identities)})
    return merges


def score_claims(export: dict, corpus: CorpusGold) -> dict[str, Any]:
    """A gold claim is found when one predicted claim holds every key (in its statement
    or an evidence text) and covers at least two of the gold claim's documents."""
    predicted = _records(export, "claims")
    found = sum(1 for claim in corpus.claims if any(_claim_found(p, claim) for p in predicted))
    return {"total": len(corpus.claims), "found": found, "recall": _ratio(found, len(corpus.claims))}


def _claim_found(p_claim: dict, g_claim: dict) -> bool:
    evidence = _records(p_claim, "evidence")
    texts = [p_claim.get("statement"), *(item.get("text") for item in evidence)]
    if not all(any(contains_text(text, key) for text in texts) for key in g_claim["keys"]):
        return False
    sources = _string_list(p_claim.get("documents")) + [str(item.get("document")) for item in evidence]
    covered = sum(1 for doc in set(g_claim["documents"]) if any(same_source(doc, s) for s in sources))
    return covered >= min(2, len(set(g_claim["documents"])))


def score_conflicts(export: dict, corpus: CorpusGold) -> dict[str, Any]:
    """A gold conflict is found when a predicted one mentions every key and carries every
    gold value (each in a different predicted value); evolution is judged on the first
    predicted conflict that finds it."""
    predicted = _records(export, "conflicts")
    found = right = 0
    for conflict in corpus.conflicts:
        match = next((p for p in predicted if _conflict_found(p, conflict)), None)
        if match is not None:
            found += 1
            right += bool(match.get("evolution")) == conflict["evolution"]
    return {
        "total": len(corpus.conflicts),
        "found": found,
        "recall": _ratio(found, len(corpus.conflicts)),
        "evolution_right": right,
        "evolution_accuracy": _ratio(right, found),
    }


def _conflict_found(p_conflict: dict, g_conflict: dict) -> bool:
    values = _records(p_conflict, "values")
    texts = [p_conflict.get("about")] + [v.get(key) for v in values for key in ("value", "evidence")]
    if not all(any(contains_text(text, key) for text in texts) for key in g_conflict["keys"]):
        return False
    value_tokens = [tokens(value.get("value")) for value in values]

    def carries(g_index: int, p_index: int) -> bool:
        return contains_tokens(value_tokens[p_index], tokens(g_conflict["values"][g_index]))

    return _all_assigned(len(g_conflict["values"]), len(values), carries)


def _all_assigned(left: int, right: int, fits: Callable[[int, int], bool]) -> bool:
    """True when every left item gets its own right item it fits (bipartite matching)."""
    owner: dict[int, int] = {}

    def assign(item: int, seen: set[int]) -> bool:
        for slot in range(right):
            if slot not in seen and fits(item, slot):
                seen.add(slot)
                if slot not in owner or assign(owner[slot], seen):
                    owner[slot] = item
                    return True
        return False

    return all(assign(item, set()) for item in range(left))


def score_framing(export: dict, corpus: CorpusGold) -> dict[str, Any]:
    """Accuracy of the framing label over the documents the gold lists."""
    predicted = _records(export, "framing")
    right = 0
    for document, label in corpus.framing.items():
        match = next((p for p in predicted if same_source(p.get("document"), document)), None)
        right += match is not None and normalize(match.get("label")) == normalize(label)
    total = len(corpus.framing)
    return {"total": total, "right": right, "accuracy": _ratio(right, total)}


# --------------------------------------------------------------------------- entry points


def score(export: dict, gold: Gold) -> dict[str, Any]:
    """Score a parley/1 export against gold; only documents the gold covers count."""
    index = DocumentIndex(gold.documents)
    context_actors = ExportActors(export)
    gold_actors = GoldActors(gold.documents.values())
    grouped = {kind: _by_document(_records(export, kind), index) for kind in ("quotes", "figures", "events", "positions")}
    persons = _persons_by_document(export, index)
    in_export = {index.resolve(doc.get("source")) for doc in _records(export, "documents")}
    in_export |= set(persons).union(*grouped.values())

    overall = Tally()
    documents: dict[str, Any] = {}
    for source in sorted(gold.documents):
        doc_gold = gold.documents[source]
        context = Context(source, context_actors, gold_actors)
        tally = Tally()
        scorers = {
            "quotes": lambda: score_quotes(grouped["quotes"].get(source, []), doc_gold.quotes, context, tally),
            "figures": lambda: score_figures(grouped["figures"].get(source, []), doc_gold.figures, context, tally),
            "persons": lambda: score_persons(persons.get(source, []), doc_gold.actors, context, tally),
            "events": lambda: score_events(grouped["events"].get(source, []), doc_gold.events, context, tally),
            "positions": lambda: score_positions(grouped["positions"].get(source, []), doc_gold.positions,
                                                 context, tally),
        }
        for kind in RECORD_KINDS:
            if kind in doc_gold.scope:  # kinds out of a file's scope are not scored for it
                scorers[kind]()
        documents[source] = {"in_export": source in in_export, "scope": sorted(doc_gold.scope),
                             **tally.metrics()}
        overall.add(tally)

    corpus = None
    if gold.corpus is not None:
        corpus = {
            "same_actor": score_same_actor(export, gold),
            "claims": score_claims(export, gold.corpus),
            "conflicts": score_conflicts(export, gold.corpus),
            "framing": score_framing(export, gold.corpus),
        }
    return {"documents": documents, "overall": overall.metrics(), "corpus": corpus}
