"""Where events are named: the event vocabulary and the words that trigger an event.

``event_cues`` compiles ``data/events.toml`` (the kinds with their nouns, verbs and
phrases; status, negation, place and participant cues). ``find_triggers`` finds, in one
sentence, the words that name an event of a kind ("talks", "met", "phone call",
"launched ... drones") and keeps those that can name a real one (a verb with the object
or preposition its kind needs; not inside a quotation). ``chain`` and its helpers read
the clause a trigger stands in. ``parley.extract.events`` turns triggers into events.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from spacy.tokens import Span, Token

from parley.extract.event_merging import Trigger
from parley.extract.syntax import (
    SUBJECT_DEPS, CueIndex, cue_form, doc_view, inside, is_nounish, token_forms,
)
from parley.lexicon import Lexicon


# --------------------------------------------------------------------------- vocabulary


@dataclass
class KindCues:
    name: str
    nouns: set[str]
    verbs: set[str]
    support_verbs: set[str]
    gathering_verbs: set[str]
    participant_kinds: set[str] | None
    statuses: set[str] | None
    needs_object: set[str]
    object_nouns: set[str]
    needs_preposition: dict[str, set[str]]
    effect_prepositions: set[str]
    needs_place_or_time: set[str]
    needs_counterpart: set[str]
    needs_noun_object: set[str]
    needs_direct_object: set[str]
    target_prepositions: set[str]
    intransitive: set[str]
    needs_support: set[str]
    person_verbs: set[str]
    institution_kinds: set[str]
    measure_verbs: set[str]
    realized_only: bool
    separate_acts: bool
    needs_participants: bool
    platforms: set[str]
    absorbed_by: set[str]


@dataclass
class EventCues:
    kinds: dict[str, KindCues]
    phrases: CueIndex  # multi-word triggers, named by kind
    status_order: list[str]
    status_words: dict[str, set[str]]
    status_phrases: CueIndex
    negation_determiners: set[str]
    negation_adverbs: set[str]
    conditionals: set[str]
    willingness: dict[str, set[str]]  # word -> the words one of which must follow it (none: any)
    place_prepositions: set[str]
    place_nouns: set[str]
    destination_prepositions: set[str]
    travel_verbs: set[str]
    place_object_verbs: set[str]
    place_labels: set[str]
    participant_prepositions: set[str]
    formats: set[str]
    anaphoric_determiners: set[str]
    opening_verbs: set[str]
    speech_verbs: set[str]
    topic_prepositions: set[str]
    sequence: dict[str, str]  # "second" -> "2", "last" -> "previous"
    verb_sequence: dict[str, str]  # the words that mark a verb ("*last* met" -> "previous")
    topic_object_verbs: set[str]
    temporal_prepositions: set[str]
    group_nouns: set[str]
    event_nouns: set[str]  # the trigger nouns of every kind
    plural_pronouns: set[str]
    government_bodies: set[str]
    member_verbs: set[str]
    role_nouns: set[str]
    # every word a single-word trigger can be (a noun's form, a verb's lemma, a speech verb
    # said on a platform), as cue forms like DocView.forms: a token with neither of its forms
    # here triggers nothing, and find_triggers passes it without reading its parse
    trigger_words: frozenset[str]


def _lower_set(values: Iterable[str]) -> set[str]:
    return {str(v).lower() for v in values}


def _words_followed_by(entries: Iterable[str]) -> dict[str, set[str]]:
    """'ready', 'call for' -> {'ready': set(), 'call': {'for'}}."""
    found: dict[str, set[str]] = {}
    for entry in entries:
        first, *rest = str(entry).lower().split()
        found.setdefault(first, set()).update(rest[:1])
    return found


@lru_cache(maxsize=8)
def event_cues(lexicon: Lexicon) -> EventCues:
    table = lexicon["events"]
    speech_verbs = _lower_set(lexicon["language"].get("speech_verbs", []))
    kinds = {}
    for name, spec in table.get("kinds", {}).items():
        kinds[name] = KindCues(
            name=name,
            nouns=_lower_set(spec.get("nouns", [])),
            verbs=_lower_set(spec.get("verbs", [])),
            support_verbs=_lower_set(spec.get("support_verbs", [])) | (
                speech_verbs if spec.get("support_speech_verbs") else set()),
            gathering_verbs=_lower_set(spec.get("gathering_verbs", [])),
            participant_kinds=_lower_set(spec["participant_kinds"]) if "participant_kinds" in spec else None,
            statuses=_lower_set(spec["statuses"]) if "statuses" in spec else None,
            needs_object=_lower_set(spec.get("needs_object", [])),
            object_nouns=_lower_set(spec.get("object_nouns", [])),
            needs_preposition={k.lower(): _lower_set(v) for k, v in spec.get("needs_preposition", {}).items()},
            effect_prepositions=_lower_set(spec.get("effect_prepositions", [])),
            needs_place_or_time=_lower_set(spec.get("needs_place_or_time", [])),
            needs_counterpart=_lower_set(spec.get("needs_counterpart", [])),
            needs_noun_object=_lower_set(spec.get("needs_noun_object", [])),
            needs_direct_object=_lower_set(spec.get("needs_direct_object", [])),
            target_prepositions=_lower_set(spec.get("target_prepositions", [])),
            intransitive=_lower_set(spec.get("intransitive", [])),
            needs_support=_lower_set(spec.get("needs_support", [])),
            person_verbs=_lower_set(spec.get("person_verbs", [])),
            institution_kinds=_lower_set(spec.get("institution_kinds", [])),
            measure_verbs=_lower_set(spec.get("measure_verbs", [])),
            realized_only=bool(spec.get("realized_only", False)),
            separate_acts=bool(spec.get("separate_acts", False)),
            needs_participants=bool(spec.get("needs_participants", False)),
            platforms=_lower_set(spec.get("platforms", [])),
            absorbed_by=_lower_set(spec.get("absorbed_by", [])),
        )
    status = table.get("status", {})
    order = list(status.get("order", ["cancelled", "ongoing", "planned", "held"]))
    negation = table.get("negation", {})
    place = table.get("place", {})
    participants = table.get("participants", {})
    return EventCues(
        kinds=kinds,
        phrases=CueIndex({name: spec.get("phrases", []) for name, spec in table.get("kinds", {}).items()}),
        status_order=order,
        status_words={s: _lower_set(status.get(s, {}).get("words", [])) for s in order},
        status_phrases=CueIndex({s: status.get(s, {}).get("phrases", []) for s in order}),
        negation_determiners=_lower_set(negation.get("determiners", ["no"])),
        negation_adverbs=_lower_set(negation.get("adverbs", ["not", "n't", "never"])),
        conditionals=_lower_set(negation.get("conditionals", ["if", "unless"])),
        willingness=_words_followed_by(negation.get("willingness", [])),
        place_prepositions=_lower_set(place.get("prepositions", ["in", "at"])),
        place_nouns=_lower_set(place.get("nouns", [])),
        destination_prepositions=_lower_set(place.get("destination_prepositions", [])),
        travel_verbs=_lower_set(place.get("travel_verbs", [])),
        place_object_verbs=_lower_set(place.get("object_verbs", [])),
        place_labels=set(place.get("entity_labels", ["GPE", "LOC", "FAC"])),
        participant_prepositions=_lower_set(participants.get("prepositions", ["with", "between"])),
        formats=_lower_set(table.get("format", {}).get("words", [])),
        anaphoric_determiners=_lower_set(table.get("reference", {}).get("determiners", [])),
        opening_verbs=_lower_set(status.get("opening_verbs", [])),
        speech_verbs=speech_verbs,
        topic_prepositions=_lower_set(participants.get("topic_prepositions", [])),
        sequence={str(k).lower(): str(v) for k, v in table.get("sequence", {}).get("words", {}).items()},
        verb_sequence={str(k).lower(): str(v) for k, v in table.get("sequence", {}).get("verb_words", {}).items()},
        topic_object_verbs=_lower_set(participants.get("topic_object_verbs", [])),
        temporal_prepositions=_lower_set(participants.get("temporal_prepositions", [])),
        group_nouns=_lower_set(participants.get("group_nouns", [])),
        event_nouns=set().union(*(k.nouns for k in kinds.values())),
        plural_pronouns=_lower_set(participants.get("plural_pronouns", [])),
        government_bodies=_lower_set(participants.get("government_bodies", [])),
        member_verbs=_lower_set(participants.get("member_verbs", [])),
        role_nouns=_lower_set(lexicon["language"].get("role_nouns", [])),
        trigger_words=frozenset(cue_form(w) for k in kinds.values() for w in k.nouns | k.verbs)
        | {cue_form(w) for w in speech_verbs},
    )


# --------------------------------------------------------------------------- triggers


def find_triggers(segment: Span, cues: EventCues, quotes: list[tuple[int, int]]) -> list[Trigger]:
    found: dict[int, Trigger] = {}
    in_phrases: set[int] = set()
    for match in cues.phrases.find(segment):
        head = segment.doc[match.end - 1]
        found[head.i] = Trigger(match.name, head, segment.doc[match.start: match.end].text, True, segment)
        in_phrases.update(range(match.start, match.end))
    view = doc_view(segment.doc)
    for i in range(segment.start, segment.end):
        if i in in_phrases or view.pos[i] in {"PUNCT", "SPACE"}:
            continue
        lower, lemma = view.forms[i]
        if lower not in cues.trigger_words and lemma not in cues.trigger_words:
            continue
        t = segment.doc[i]
        forms = {lower, lemma}
        noun = is_nounish(t)
        platform_kind = _platform_kind(t, cues)
        if platform_kind is not None and t.i not in found:
            found[t.i] = Trigger(platform_kind, t, t.text, False, segment)
            continue
        for kind in cues.kinds.values():
            if noun and forms & kind.nouns and t.dep_ != "compound":
                found[t.i] = Trigger(kind.name, t, t.text, True, segment)
                break
            if not noun and t.pos_ == "VERB" and t.lemma_.lower() in kind.verbs:
                found[t.i] = Trigger(kind.name, t, t.text, False, segment)
                break
    for tr in found.values():
        tr.quoted = inside(tr.token.idx, quotes)
    return sorted((tr for tr in found.values() if _verb_trigger_ok(tr, cues)), key=lambda tr: tr.token.i)


def _platform_kind(verb: Token, cues: EventCues) -> str | None:
    """'Witkoff wrote *on X*', 'announced it on Telegram': saying something on a platform."""
    if verb.pos_ != "VERB" or verb.lemma_.lower() not in cues.speech_verbs:
        return None
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ == "on":
            for pobj in child.children:
                name = " ".join(t.lower_ for t in pobj.subtree if t.dep_ in {"compound", "pobj"} or t is pobj)
                for kind in cues.kinds.values():
                    if pobj.dep_ == "pobj" and (pobj.lower_ in kind.platforms or name in kind.platforms):
                        return kind.name
    return None


def _objects(verb: Token) -> list[Token]:
    objects = [c for c in verb.children if c.dep_ in {"dobj", "attr", "oprd"}]
    return objects + [c for o in objects for c in o.conjuncts]


def _verb_trigger_ok(trigger: Trigger, cues: EventCues) -> bool:
    """'launched 50 drones' is an attack, 'launched a review' is not; 'strike a deal' is a
    decision (the deal), not an attack."""
    if trigger.is_noun:
        return True
    kind = cues.kinds[trigger.kind]
    lemma = trigger.token.lemma_.lower()
    objects = _objects(trigger.token)
    if lemma in kind.needs_object:
        arguments = objects + [c for c in trigger.token.children if c.dep_ in SUBJECT_DEPS]
        if not any(token_forms(a) & kind.object_nouns for a in arguments):
            return False
    if lemma in kind.needs_direct_object and not objects:
        return False  # "extended sanctions", not "the road extends to the border"
    if lemma in kind.intransitive and objects:
        return False  # "leaders gather in X", not "TASS gathered the takeaways"
    if lemma in kind.needs_preposition and not any(
            c.dep_ == "prep" and c.lower_ in kind.needs_preposition[lemma] for c in trigger.token.children):
        return False
    for other in cues.kinds.values():
        if other.name != kind.name and lemma in other.support_verbs and any(
                token_forms(o) & other.nouns for o in objects):
            return False
    return True
