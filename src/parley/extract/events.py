"""Events of one document: meetings, attacks, decisions, visits and statements.

How an event is read from a sentence (the vocabulary is in ``data/events.toml``):

1. A trigger: a noun, verb or phrase of one kind ("talks", "met", "press conference",
   "launched ... drones"). Triggers inside quotation marks (a speaker's claims), negated
   ("no meeting is planned"), hypothetical ("if talks fail") or used as a modifier
   ("meeting rooms") are skipped.
2. Its clause chain: the trigger and the words above it up to its clause's verb, going on
   through "to"-complements: talks -> for -> arrive -> expected.
3. Participants: actors named in the trigger's own phrase (subject, object,
   with/between phrases, "a Ukrainian delegation led by X") and, for a noun, the subject
   of a support verb ("X *held* talks with Y"). A name that only modifies or describes a
   named person ("*Belgian* Prime Minister Bart De Wever", "Dmitriev, *an envoy for
   Putin*") and a place ("in Berlin") are not participants. A decision needs an
   institution as its decider ("*EU leaders* agreed", "*the EU's* ban").
4. Place: a GPE/LOC/FAC after in/at (or "to" after a verb of travel) on the trigger or
   its clause, a "where" clause, or a place name modifying the trigger ("the Miami
   talks"), as written.
5. When: the time expression (from the times extractor) attached to the trigger or its
   clause.
6. Status: cue words around the trigger (``[status]``), else the verb's tense, else the
   date against the document's published date.

A trigger with no participant, place or time is generic ("negotiations are far from
linear") and gives no event; "these talks", or "the talks" with nothing of their own,
refer back and can only add to an event already found. Mentions of one event in a
document (same kind, overlapping participants, compatible place, date and status) are
merged, so each real event is reported once; an arrival where the document's talks take
place is part of those talks.

The first section holds small helpers that the positions extractor uses too.
"""

from __future__ import annotations

import calendar

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Callable, Iterable

from spacy.tokens import Doc, Span, Token

from parley.extract.actors import ActorTable, gazetteer
from parley.lexicon import Lexicon
from parley.records import Document, Event, TimeExpression, When

# --------------------------------------------------------------------------- shared helpers

SUBJECT_DEPS = {"nsubj", "nsubjpass"}
CLAUSE_DEPS = {"relcl", "advcl", "ccomp", "csubj", "parataxis"}
MODIFIER_DEPS = {"compound", "amod", "poss", "nmod", "npadvmod"}
RELATIVE_PRONOUNS = {"who", "which", "that", "whom"}
RELATIVE_TAGS = {"WDT", "WP", "WP$", "WRB"}
VERBAL = {"VERB", "AUX"}
GAP_POS = {"ADJ", "PROPN", "NOUN", "DET", "NUM", "ADV", "PART"}


def token_forms(token: Token) -> set[str]:
    """The lower-case form and lemma of a token, curly apostrophes made straight."""
    return {token.lower_.replace("’", "'"), token.lemma_.lower().replace("’", "'")}


@dataclass
class DocView:
    """Per-document values that several extractors read token by token, computed once."""

    doc: Doc
    forms: list[tuple[str, str]]  # (lower-case form, lemma) of each token
    pos: list[str]
    segments: list[Span]
    entities: list[tuple[int, int, str]]  # (start, end, label) of each named entity


_LAST_VIEW: list[DocView] = []  # the view of the document being extracted
_LAST_INDEX: list["ActorIndex"] = []  # its actor index


def doc_view(doc: Doc) -> DocView:
    """The DocView of a parsed document (kept for the one document being extracted)."""
    if _LAST_VIEW and _LAST_VIEW[0].doc is doc:
        return _LAST_VIEW[0]
    forms = [(t.lower_.replace("’", "'"), t.lemma_.lower().replace("’", "'")) for t in doc]
    entities = [(e.start, e.end, e.label_) for e in doc.ents]
    view = DocView(doc, forms, [t.pos_ for t in doc], _segments(doc), entities)
    _LAST_VIEW[:] = [view]
    return view


def is_nounish(token: Token) -> bool:
    """True for nouns, and for words the tagger took for verbs but used as nouns ("a visit")."""
    if token.pos_ in {"NOUN", "PROPN"}:
        return True
    return token.dep_ in {"dobj", "pobj", "nsubj", "nsubjpass"} and any(
        c.dep_ in {"det", "poss", "amod", "compound"} for c in token.children)


def is_verbal(token: Token) -> bool:
    return token.pos_ in VERBAL and not is_nounish(token)


# "BERGEN, Jan 15 (Reuters) - ": a dateline, not part of the first sentence.
DATELINE = re.compile(r"^[A-Z][A-Z.' -]{1,40},\s+(?:[A-Z][a-z]{2,9}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,9})"
                      r"(?:,?\s+\d{4})?\s*(?:\([^()]{1,60}\))?\s*[-–—]{1,2}\s*")


def _without_dateline(span: Span) -> Span:
    match = DATELINE.match(span.text)
    if not match:
        return span
    cut = span.doc.char_span(span.start_char + match.end(), span.end_char, alignment_mode="contract")
    return cut if cut is not None and len(cut) else span


def segments(doc: Doc) -> list[Span]:
    """The document's sentences, also cut at line breaks (headings, bullet points and
    paragraphs that the parser ran together), without a leading dateline."""
    return doc_view(doc).segments


def _segments(doc: Doc) -> list[Span]:
    found: list[Span] = []
    for sent in doc.sents:
        start = sent.start
        for t in sent:
            if t.is_space and "\n" in t.text:
                if any(not x.is_space for x in doc[start: t.i]):
                    found.append(doc[start: t.i])
                start = t.i + 1
        if any(not x.is_space for x in doc[start: sent.end]):
            found.append(doc[start: sent.end])
    return [_without_dateline(s) for s in found]


def span_text_offsets(span: Span) -> tuple[str, int, int]:
    """A span's text without surrounding white space, and its character offsets."""
    text = span.text
    start = span.start_char + (len(text) - len(text.lstrip()))
    return text.strip(), start, start + len(text.strip())


@dataclass(frozen=True)
class CueMatch:
    name: str  # what the cue stands for: a kind, an issue, a stance, a status
    phrase: str  # the cue as listed in the data file
    start: int  # first token (document index)
    end: int  # one past the last token

    def head(self, doc: Doc) -> Token:
        """The word of the cue the others depend on ("red *lines*", "*remains* resistant")."""
        return doc[self.start: self.end].root


class CueIndex:
    """Cue phrases of one or more words, matched on each token's lemma or lower-case form.

    ``max_gap`` lets modifiers come between the words of a phrase: with 2, "frozen
    assets" also matches "frozen Russian assets".
    """

    def __init__(self, cues: dict[str, Iterable[str]], max_gap: int = 0):
        self.max_gap = max_gap
        self._by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = defaultdict(list)
        for name, phrases in cues.items():
            for phrase in phrases:
                words = tuple(w.lower().replace("’", "'") for w in str(phrase).split())
                if words:
                    self._by_first[words[0]].append((words, name, str(phrase)))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))

    def _rest_matches(self, view: DocView, i: int, words: tuple[str, ...], limit: int) -> int | None:
        """Index one past the phrase's last word when words[1:] follow token i, else None."""
        j = i
        for word in words[1:]:
            k, gap = j + 1, 0
            while k < limit and word not in view.forms[k]:
                if gap >= self.max_gap or view.pos[k] not in GAP_POS:
                    return None
                k, gap = k + 1, gap + 1
            if k >= limit:
                return None
            j = k
        return j + 1

    def at(self, doc: Doc, i: int, limit: int | None = None) -> CueMatch | None:
        """The longest cue starting at token i (not running past ``limit``), or None."""
        view = doc_view(doc)
        limit = len(doc) if limit is None else limit
        best: CueMatch | None = None
        for form in set(view.forms[i]):
            for words, name, phrase in self._by_first.get(form, ()):
                end = self._rest_matches(view, i, words, limit)
                if end is not None and (best is None or end > best.end):
                    best = CueMatch(name, phrase, i, end)
        return best

    def find(self, span: Span) -> list[CueMatch]:
        """Every cue in a span, longest first at each start, non-overlapping, in order."""
        found: list[CueMatch] = []
        i = span.start
        while i < span.end:
            match = self.at(span.doc, i, span.end)
            if match:
                found.append(match)
                i = match.end
            else:
                i += 1
        return found


def quoted_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges between paired double quotation marks (straight or curly)."""
    ranges = [(m.start(), m.end()) for m in re.finditer(r"“[^“”]*”", text)]
    ranges += [(m.start(), m.end()) for m in re.finditer(r'"[^"\n]*"', text)]
    return sorted(ranges)


def inside(position: int, ranges: list[tuple[int, int]]) -> bool:
    return any(start < position < end for start, end in ranges)


def subjects_of(verb: Token, within: Span | None = None) -> list[Token]:
    """The subject of a verb, looking through "to"-complements and conjoined verbs
    ("X is set to meet", "X arrived and met"); a relative "who" gives its antecedent.
    With ``within``, subjects outside that span (a dateline the parser took in) are ignored."""
    v = verb
    for _ in range(5):
        subjects = [c for c in v.children if c.dep_ in SUBJECT_DEPS
                    and (within is None or within.start <= c.i < within.end)]
        if subjects:
            if subjects[0].lower_ in RELATIVE_PRONOUNS and v.dep_ == "relcl":
                return [v.head]
            return subjects
        climbs = v.dep_ in {"xcomp", "conj", "acomp"} or (v.dep_ in {"advcl", "acl"} and v.tag_ in {"VBG", "VBN"})
        if not climbs or v.head is v:
            return []
        if v.dep_ == "xcomp":
            controller = _object_of(v.head)
            if controller is not None:
                return [controller]  # "X urged *Y* to meet Z": Y is the one to meet
        v = v.head  # "he is due to meet": from "meet" through "due" to "is"
    return []


def _object_of(verb: Token) -> Token | None:
    """The object of a verb that also takes a "to"-complement ("urged *Kyiv* to accept",
    "called on *member states* to back")."""
    for child in verb.children:
        if child.dep_ == "dobj":
            return child
        if child.dep_ == "prep" and child.lower_ == "on" and verb.lemma_.lower() == "call":
            return next((c for c in child.children if c.dep_ == "pobj"), None)
    return None


def _relative_clause(clause: Token) -> bool:
    """'(talks) that brought together X', '(a visit) in which X sat' -- not a bare
    infinitive such as '(a summit) to prevent ...'."""
    return any(t.tag_ in RELATIVE_TAGS for t in clause.children) or any(
        t.tag_ in RELATIVE_TAGS for c in clause.children if c.dep_ == "prep" for t in c.children)


def phrase_tokens(head: Token, keep_clauses_of: Iterable[int] = (),
                  prune: Callable[[Token], bool] | None = None) -> list[Token]:
    """The tokens of a phrase without the clauses hung on it ("Zelensky, *who is expected
    to ...*"); relative clauses hung on a token in ``keep_clauses_of`` stay ("talks *that
    brought together X and Y*"). ``prune`` drops more children with their subtrees, except
    the names coordinated under them ("Witkoff, *the envoy*, Kushner and Umerov")."""
    keep = set(keep_clauses_of)
    found: list[Token] = []
    stack = [head]
    while stack:
        t = stack.pop()
        found.append(t)
        for c in t.children:
            if c.dep_ in CLAUSE_DEPS and not (t.i in keep and c.dep_ == "relcl" and _relative_clause(c)):
                continue
            if c.dep_ == "conj" and is_verbal(c):
                continue  # "... ended, and negotiators will meet in X": another clause
            if prune is not None and prune(c):
                stack.extend(x for x in c.children if x.dep_ == "conj")
                continue
            stack.append(c)
    return sorted(found, key=lambda t: t.i)


def head_phrase(head: Token) -> list[Token]:
    """A noun phrase without its prepositional phrases, appositions and clauses: the
    phrase that names who acts ("the framework *of the plan*" names nobody)."""
    return phrase_tokens(head, prune=lambda c: c.dep_ in {"prep", "appos", "acl"})


def actor_index(doc: Doc, actors: ActorTable, lexicon: Lexicon) -> ActorIndex:
    """The ActorIndex of a document (kept for the one document being extracted)."""
    cached = _LAST_INDEX[0] if _LAST_INDEX else None
    if cached is not None and cached.doc is doc and cached.actors is actors and cached.lexicon is lexicon:
        return cached
    index = ActorIndex(doc, actors, lexicon)
    _LAST_INDEX[:] = [index]
    return index


class ActorIndex:
    """The document's actor mentions seen token by token, for turning phrases into actor ids.

    Besides the ActorTable's mentions, a single word that is a known name or demonym of
    an actor already in the table counts ("*US*-Russia talks", "*American*-led").
    """

    def __init__(self, doc: Doc, actors: ActorTable, lexicon: Lexicon):
        self.doc = doc
        self.actors = actors
        self.lexicon = lexicon
        self.pronoun_genders: dict[str, str] = dict(lexicon["language"].get("pronouns", {}))
        self._mention_of: dict[int, int] = {}  # token index -> mention key
        self._actor: list[str] = []  # mention key -> actor id
        self._roots: list[Token] = []  # mention key -> the mention's head word
        for mention in actors.mentions:
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is not None and len(span):
                self._add(span, mention.actor)
        self._add_known_words(doc, lexicon)

    def _add(self, span: Span, actor_id: str) -> None:
        key = len(self._actor)
        self._actor.append(actor_id)
        self._roots.append(span.root)
        for t in span:
            self._mention_of.setdefault(t.i, key)

    def _add_known_words(self, doc: Doc, lexicon: Lexicon) -> None:
        gaz = gazetteer(lexicon)
        for t in doc:
            if t.i in self._mention_of or not t.text[:1].isupper():
                continue
            actor_id = gaz.forms.get(t.text) or gaz.demonyms.get(t.text)
            if actor_id and actor_id in self.actors.actors:
                self._add(doc[t.i: t.i + 1], actor_id)

    def actor_of(self, token: Token) -> str | None:
        key = self._mention_of.get(token.i)
        return self._actor[key] if key is not None else None

    def kind_of(self, actor_id: str | None) -> str | None:
        actor = self.actors.get(actor_id)
        return actor.kind if actor else None

    def is_person_token(self, token: Token, other_than: int | None = None) -> bool:
        key = self._mention_of.get(token.i)
        return key is not None and key != other_than and self.kind_of(self._actor[key]) == "person"

    def modifies_person(self, key: int) -> bool:
        """Whether mention ``key`` only describes a named person: "*US* President-elect
        Donald Trump", "*Trump's* envoy, Steve Witkoff", "*Ukraine's* top official Rustem Umerov"."""
        root = self._roots[key]
        if root.dep_ not in MODIFIER_DEPS:
            return False
        h = root.head
        for _ in range(5):
            if self.is_person_token(h, key):
                return True
            if any(c.dep_ == "appos" and self.is_person_token(c, key) for c in h.children):
                return True
            if h.dep_ in {"compound", "appos", "nmod", "amod"} and h.head is not h:
                h = h.head
                continue
            return False
        return False

    def describes_person(self, token: Token) -> bool:
        """An apposition on a named person ("Kirill Dmitriev, *an envoy for President Putin*")."""
        return token.dep_ == "appos" and self.is_person_token(token.head)

    def resolve_pronoun(self, token: Token) -> str | None:
        """he/she/his/her: the most recent person of matching gender before it."""
        gender = self.pronoun_genders.get(token.lower_)
        if not gender:
            return None
        genders = getattr(self.actors, "genders", {})
        for candidate in self.actors.persons_before(token.idx):
            known = genders.get(candidate)
            if known and known != gender:
                continue
            return candidate
        return None

    def actors_in(self, tokens: Iterable[Token], resolve_pronouns: bool = True) -> list[str]:
        """Actors named in these tokens, in order, leaving out names that only modify a
        named person; he/she/his/her resolve to the person they stand for."""
        found: list[str] = []
        seen: set[int] = set()
        for t in sorted(tokens, key=lambda t: t.i):
            key = self._mention_of.get(t.i)
            actor = None
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
                if self.modifies_person(key):
                    continue
                actor = self._actor[key]
            elif resolve_pronouns and t.pos_ == "PRON":
                actor = self.resolve_pronoun(t)
            if actor and actor not in found:
                found.append(actor)
        return found

    def parties_of(self, actor_ids: Iterable[str]) -> set[str]:
        """The actors and what they belong to (a person's country, a council's bloc)."""
        parties = set()
        for a in actor_ids:
            parties.add(a)
            actor = self.actors.get(a)
            if actor and actor.affiliation:
                parties.add(actor.affiliation)
        return parties


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
    willingness: set[str]
    place_prepositions: set[str]
    place_nouns: set[str]
    destination_prepositions: set[str]
    travel_verbs: set[str]
    place_labels: set[str]
    participant_prepositions: set[str]
    formats: set[str]
    anaphoric_determiners: set[str]
    opening_verbs: set[str]
    speech_verbs: set[str]


def _lower_set(values: Iterable[str]) -> set[str]:
    return {str(v).lower() for v in values}


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
            needs_participants=bool(spec.get("needs_participants", False)),
            platforms=_lower_set(spec.get("platforms", [])),
            absorbed_by=_lower_set(spec.get("absorbed_by", [])),
        )
    status = table.get("status", {})
    order = list(status.get("order", ["cancelled", "ongoing", "planned", "held"]))
    negation = table.get("negation", {})
    place = table.get("place", {})
    return EventCues(
        kinds=kinds,
        phrases=CueIndex({name: spec.get("phrases", []) for name, spec in table.get("kinds", {}).items()}),
        status_order=order,
        status_words={s: _lower_set(status.get(s, {}).get("words", [])) for s in order},
        status_phrases=CueIndex({s: status.get(s, {}).get("phrases", []) for s in order}),
        negation_determiners=_lower_set(negation.get("determiners", ["no"])),
        negation_adverbs=_lower_set(negation.get("adverbs", ["not", "n't", "never"])),
        conditionals=_lower_set(negation.get("conditionals", ["if", "unless"])),
        willingness=_lower_set(negation.get("willingness", [])),
        place_prepositions=_lower_set(place.get("prepositions", ["in", "at"])),
        place_nouns=_lower_set(place.get("nouns", [])),
        destination_prepositions=_lower_set(place.get("destination_prepositions", [])),
        travel_verbs=_lower_set(place.get("travel_verbs", [])),
        place_labels=set(place.get("entity_labels", ["GPE", "LOC", "FAC"])),
        participant_prepositions=_lower_set(table.get("participants", {}).get("prepositions", ["with", "between"])),
        formats=_lower_set(table.get("format", {}).get("words", [])),
        anaphoric_determiners=_lower_set(table.get("reference", {}).get("determiners", [])),
        opening_verbs=_lower_set(status.get("opening_verbs", [])),
        speech_verbs=speech_verbs,
    )


# --------------------------------------------------------------------------- triggers


@dataclass
class Trigger:
    kind: str
    token: Token  # the head word
    text: str  # as written: "press conference"
    is_noun: bool
    segment: Span  # the sentence (or line) it is in


def _find_triggers(segment: Span, cues: EventCues, quotes: list[tuple[int, int]]) -> list[Trigger]:
    found: dict[int, Trigger] = {}
    in_phrases: set[int] = set()
    for match in cues.phrases.find(segment):
        head = segment.doc[match.end - 1]
        found[head.i] = Trigger(match.name, head, segment.doc[match.start: match.end].text, True, segment)
        in_phrases.update(range(match.start, match.end))
    for t in segment:
        if t.i in in_phrases or t.pos_ in {"PUNCT", "SPACE"}:
            continue
        forms = token_forms(t)
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
    triggers = [tr for tr in found.values() if not inside(tr.token.idx, quotes)]
    return sorted((tr for tr in triggers if _verb_trigger_ok(tr, cues)), key=lambda tr: tr.token.i)


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
    if lemma in kind.needs_preposition and not any(
            c.dep_ == "prep" and c.lower_ in kind.needs_preposition[lemma] for c in trigger.token.children):
        return False
    for other in cues.kinds.values():
        if other.name != kind.name and lemma in other.support_verbs and any(
                token_forms(o) & other.nouns for o in objects):
            return False
    return True


def _chain(trigger: Token, segment: Span) -> list[Token]:
    """The trigger and the words above it up to its clause's verb, through "to"-complements,
    never leaving the trigger's segment."""
    chain = [trigger]
    t = trigger
    while t.head is not t and len(chain) < 10:
        if is_verbal(t) and t.dep_ != "xcomp":
            break
        if t.dep_ in CLAUSE_DEPS or t.dep_ == "acl":
            break
        if not segment.start <= t.head.i < segment.end:
            break
        t = t.head
        chain.append(t)
    return chain


def _clause_heads(chain: list[Token]) -> list[Token]:
    """The words above the trigger, and the complements of its verbs ("is *due* in X")."""
    heads = list(chain[1:])
    for t in chain[1:]:
        if is_verbal(t):
            heads += [c for c in t.children if c.dep_ in {"acomp", "xcomp", "oprd"} and c not in chain]
    return heads


def _first_verb(chain: list[Token], trigger: Token) -> Token | None:
    return next((t for t in chain if t is not trigger and is_verbal(t)), None)


def _relation_to_verb(chain: list[Token], verb: Token | None) -> str | None:
    """The dependency by which the trigger's phrase hangs on the verb (nsubj, dobj, prep ...)."""
    if verb is None:
        return None
    return chain[chain.index(verb) - 1].dep_


# --------------------------------------------------------------------------- candidates


@dataclass
class Candidate:
    """One mention of an event; merged candidates keep their mentions."""

    kind: str
    trigger: Trigger
    segment_number: int
    participants: list[str]
    place: str | None
    when: When | None
    status: str | None
    format: str | None = None
    place_actor: str | None = None  # the actor a place name stands for (Brussels -> EU)
    own: frozenset[int] = frozenset()  # token indices where its participants are named
    anaphoric: bool = False  # "these talks", "the talks": refers back, cannot start an event
    mentions: list["Candidate"] = field(default_factory=list)

    @property
    def order(self) -> int:
        return self.trigger.token.i

    @property
    def info(self) -> int:
        return len(self.participants) + (2 if self.place else 0) + (1 if self.when else 0)


class _EventReader:
    """Reads candidate events from one document, trigger by trigger."""

    def __init__(self, document: Document, doc: Doc, actors: ActorTable,
                 times: list[TimeExpression], lexicon: Lexicon):
        self.document = document
        self.doc = doc
        self.cues = event_cues(lexicon)
        self.index = actor_index(doc, actors, lexicon)
        self.times = sorted(times, key=lambda te: te.start)
        self.quotes = quoted_ranges(doc.text)
        self.published = document.published

    # ---- the trigger's clause

    def _support(self, trigger: Trigger, verb: Token | None) -> bool:
        return verb is not None and verb.lemma_.lower() in self.cues.kinds[trigger.kind].support_verbs

    def _clause_applies(self, trigger: Trigger, chain: list[Token], verb: Token | None) -> bool:
        """Whether what hangs on the clause's verb (place, time, tense) is about this event:
        the trigger is the verb, its subject, or the object of a support verb. In "X
        described the talks as useful" it is not; in "X held talks in Y" it is."""
        if not trigger.is_noun or verb is None:
            return True
        return _relation_to_verb(chain, verb) in SUBJECT_DEPS or self._support(trigger, verb)

    def _own_tokens(self, trigger: Trigger, same_kind: set[int]) -> list[Token]:
        """The trigger's own phrase; for a verb, its dependents outside other clauses."""
        prune = self.index.describes_person
        if trigger.is_noun:
            return phrase_tokens(trigger.token, keep_clauses_of=same_kind | {trigger.token.i}, prune=prune)
        tokens = [trigger.token]
        for child in trigger.token.children:
            if child.dep_ in CLAUSE_DEPS or child.dep_ in {"xcomp", "conj", "cc", "punct"}:
                continue
            tokens.extend(phrase_tokens(child, prune=prune))
        return tokens

    def _subject_verb(self, trigger: Trigger, chain: list[Token], verb: Token | None) -> Token | None:
        """The verb whose subject takes part: the trigger itself, or a support verb."""
        if not trigger.is_noun:
            return trigger.token
        if self._support(trigger, verb) and _relation_to_verb(chain, verb) not in SUBJECT_DEPS:
            return verb
        return None

    def _participant_tokens(self, trigger: Trigger, chain: list[Token], verb: Token | None,
                            own: list[Token]) -> list[Token]:
        """Where participants are named: a noun's own phrase; a verb's subject, objects and
        with/between phrases (not what it is about: "brief X *on talks with Y*"); the
        subject of a support verb ("*X* held talks")."""
        prune = self.index.describes_person
        preps = self.cues.participant_prepositions
        tokens = list(own) if trigger.is_noun else [trigger.token]
        if not trigger.is_noun:
            for child in trigger.token.children:
                if child.dep_ in {"dobj", "dative", "attr", "agent"} or (child.dep_ == "prep" and child.lower_ in preps):
                    tokens.extend(phrase_tokens(child, prune=prune))
        subject_verb = self._subject_verb(trigger, chain, verb)
        if subject_verb is not None:
            for subject in subjects_of(subject_verb, trigger.segment):
                tokens.extend(phrase_tokens(subject, prune=prune))
            for v in (t for t in chain[1:] if is_verbal(t)):
                for child in v.children:
                    if child.dep_ == "prep" and child.lower_ in preps:
                        tokens.extend(phrase_tokens(child, prune=prune))
        gathering = self.cues.kinds[trigger.kind].gathering_verbs
        if trigger.is_noun and verb is not None and verb.lemma_.lower() in gathering \
                and _relation_to_verb(chain, verb) in SUBJECT_DEPS:
            for child in verb.children:  # "the meetings brought together X, Y and Z"
                if child.dep_ in {"dobj", "attr"} or (child.dep_ == "prep" and child.lower_ in preps):
                    tokens.extend(phrase_tokens(child, prune=prune))
        return tokens

    def _agents(self, trigger: Trigger, chain: list[Token], verb: Token | None) -> list[str]:
        """Who acts, for kinds that name their decider: possessor or modifier of the trigger
        ("*the EU's* ban", "*ICC* warrant") or the subject ("*EU leaders* agreed")."""
        heads = [c for c in trigger.token.children if c.dep_ in MODIFIER_DEPS]
        found = self.index.actors_in([t for h in heads for t in head_phrase(h)])
        subject_verb = self._subject_verb(trigger, chain, verb)
        if subject_verb is not None:
            for subject in subjects_of(subject_verb, trigger.segment):
                found += [a for a in self.index.actors_in(head_phrase(subject)) if a not in found]
        return found

    # ---- place, time, status

    def _place_entity(self, token: Token) -> Span | None:
        if token.ent_type_ not in self.cues.place_labels:
            return None
        for start, end, _ in doc_view(token.doc).entities:
            if start <= token.i < end:
                return token.doc[start:end]
        return None

    def _place_phrase(self, pobj: Token) -> Span | None:
        """A named place, or a phrase headed by a place noun ("the Emirati capital")."""
        ent = self._place_entity(pobj)
        if ent is None and self.index.actor_of(pobj) is not None and not self._names_a_country(pobj) \
                and self.index.kind_of(self.index.actor_of(pobj)) == "country":
            return pobj.doc[pobj.i: pobj.i + 1]  # "in the Kremlin": a seat of power, a place
        if ent is not None or pobj.lemma_.lower() not in self.cues.place_nouns:
            return ent
        words = [t for t in phrase_tokens(pobj, prune=lambda c: c.dep_ not in {"det", "amod", "compound", "nmod"})]
        return pobj.doc[words[0].i: words[-1].i + 1]

    @staticmethod
    def _place_text(ent: Span) -> str:
        return re.sub(r"^(the|The)\s+", "", ent.text).strip()

    def _names_a_country(self, token: Token) -> bool:
        """'the *Ukraine* talks', '*US*-Russia talks': a country taking part. A city standing
        for a country ('the *Berlin* meeting') is where it met."""
        if self.index.kind_of(self.index.actor_of(token)) != "country":
            return False
        actor = self.index.actors.get(self.index.actor_of(token))
        city_like = token.text[:1].isupper() and not token.text.isupper() and "." not in token.text
        return not city_like or token.text in (actor.name if actor else "")

    def _place_from_preps(self, heads: Iterable[Token]) -> Span | None:
        for head in heads:
            preps = self.cues.place_prepositions
            if head.lemma_.lower() in self.cues.travel_verbs:
                preps = preps | self.cues.destination_prepositions
            for child in head.children:
                if child.dep_ == "prep" and child.lower_ in preps:
                    for pobj in (c for c in child.children if c.dep_ == "pobj"):
                        place = self._place_phrase(pobj)
                        if place is not None:
                            return place
        return None

    def _place(self, trigger: Trigger, chain: list[Token], verb: Token | None, own: list[Token]) -> Span | None:
        """The place entity: after in/at on the trigger's phrase or clause, a "where"
        clause, a place name modifying the trigger ("the Miami talks")."""
        heads = [trigger.token] + [t for t in own if t is not trigger.token and t.pos_ in {"NOUN", "PROPN", "VERB", "NUM"}]
        if self._clause_applies(trigger, chain, verb):
            heads += _clause_heads(chain)
        found = self._place_from_preps(heads)
        if found is not None:
            return found
        for v in (t for t in chain if is_verbal(t)):
            if any(c.lower_ == "where" for c in v.children):
                found = self._place_entity(v.head) or self._place_from_preps([v.head])
                if found is not None:
                    return found
        for child in trigger.token.children:
            if child.dep_ in {"compound", "nmod", "npadvmod"}:
                ent = self._place_entity(child)
                if ent is not None and not self._names_a_country(child):
                    return ent
        if trigger.kind == "attack":  # where it hit: "in Fastiv, the station burned after a drone strike"
            for t in trigger.segment:
                ent = self._place_entity(t) if t.dep_ == "pobj" else None
                if ent is not None and self.index.actor_of(t) is None:
                    return ent
        return None

    def _when(self, trigger: Trigger, chain: list[Token], verb: Token | None) -> When | None:
        """The time expression attached to the trigger or to its clause. A time deeper in
        the trigger's phrase says when something it is about happens ("a ban on imports
        *from 2027*"), not when the event is."""
        segment = trigger.segment
        in_segment = [te for te in self.times if segment.start_char <= te.start < segment.end_char]
        if not in_segment:
            return None
        support = self.cues.kinds[trigger.kind].support_verbs
        heads = [trigger.token]
        heads += [c for c in trigger.token.children if c.dep_ in {"acl", "relcl"} and c.lemma_.lower() in support]
        if self._clause_applies(trigger, chain, verb):
            heads += _clause_heads(chain)
        attached: set[int] = set()
        for head in heads:
            for child in head.children:
                if child.dep_ in {"prep", "npadvmod", "advmod", "tmod", "amod"}:
                    attached.update(t.i for t in phrase_tokens(child, prune=lambda x: x.dep_ == "prep"))
        effect = self.cues.kinds[trigger.kind].effect_prepositions
        close = []
        for te in in_segment:
            span = self.doc.char_span(te.start, te.end, alignment_mode="expand")
            if span is None or not any(t.i in attached for t in span):
                continue
            before = self.doc[span.start - 1] if span.start > 0 else None
            if span[0].lower_ in effect or (before is not None and before.lower_ in effect):
                continue
            close.append(te)
        if not close:
            return None
        return min(close, key=lambda te: abs(te.start - trigger.token.idx)).when

    def _status(self, trigger: Trigger, chain: list[Token], verb: Token | None, when: When | None) -> str | None:
        """Cue words on the trigger and its clause, else the tense, else the date."""
        applies = self._clause_applies(trigger, chain, verb)
        context = [trigger.token] + [c for c in trigger.token.children if c.dep_ not in CLAUSE_DEPS]
        for head in chain[1:]:
            context.append(head)
            if head is verb and not applies:
                break  # "X described the talks as useful": only the verb itself may say ("called off")
            context.extend(c for c in head.children if c.dep_ not in CLAUSE_DEPS)
        end = trigger.segment.end
        phrase_statuses = {m.name for t in context if (m := self.cues.status_phrases.at(self.doc, t.i, end))}
        for status in self.cues.status_order:
            words = self.cues.status_words.get(status, set())
            if status in phrase_statuses or any(token_forms(t) & words for t in context):
                return status
        status = self._tense_status(trigger, verb) if applies else None
        if status is None and when is not None and when.date and self.published:
            first, last = date_range(when)
            if first > self.published:
                return "planned"
            if last < self.published:
                return "held"
        return status

    def _tense_status(self, trigger: Trigger, verb: Token | None) -> str | None:
        v = trigger.token if not trigger.is_noun else verb
        if v is None:
            return None
        aux = {c.lower_.replace("’", "'") for c in v.children if c.dep_ in {"aux", "auxpass"}}
        if v.tag_ == "VBG" and aux & {"is", "are", "'re", "'s", "am"}:
            return "ongoing"
        if v.tag_ == "VBG" and aux & {"was", "were"}:
            return "held"
        if v.tag_ == "VBD" or (v.tag_ == "VBN" and aux & {"has", "have", "had", "'ve", "was", "were"}):
            # "opened talks on Tuesday": begun, so under way
            return "ongoing" if trigger.is_noun and v.lemma_.lower() in self.cues.opening_verbs else "held"
        if v.tag_ in {"VBZ", "VBP"} and (not trigger.is_noun or self._support(trigger, verb)):
            return "held"  # headline present: "US and EU leaders meet"
        return None

    def _negated(self, trigger: Trigger, chain: list[Token]) -> bool:
        """'no meeting is planned', 'did not meet', 'no leader could sign', 'if talks fail',
        'ready to discuss a truce'."""
        if any(c.dep_ == "det" and c.lower_ in self.cues.negation_determiners for c in trigger.token.children):
            return True
        if any(t.lemma_.lower() in self.cues.willingness
               and not (t.pos_ == "VERB" and t.lemma_.lower() in self.cues.opening_verbs) for t in chain[1:]):
            return True  # ("talks opened in Quito" is no willingness)
        for v in (t for t in chain if t.pos_ in VERBAL):
            if v.lemma_ == "be" and v is not trigger.token:
                continue  # "the summit is not merely a war council"
            for c in v.children:
                if c.dep_ == "neg" and c.lower_.replace("’", "'") in self.cues.negation_adverbs:
                    return True
                if c.dep_ == "mark" and c.lower_ in self.cues.conditionals:
                    return True
                if c.dep_ in SUBJECT_DEPS and any(d.dep_ == "det" and d.lower_ in self.cues.negation_determiners
                                                  for d in c.children):
                    return True
        return False

    def _format(self, trigger: Trigger) -> str | None:
        for c in trigger.token.children:
            if c.dep_ in {"amod", "compound"} and c.lower_ in self.cues.formats:
                return c.lower_
        return None

    # ---- one trigger

    def candidate(self, trigger: Trigger, segment_number: int, same_kind: set[int]) -> Candidate | None:
        chain = _chain(trigger.token, trigger.segment)
        if self._negated(trigger, chain):
            return None
        kind = self.cues.kinds[trigger.kind]
        verb = _first_verb(chain, trigger.token)
        segment = trigger.segment
        own = [t for t in self._own_tokens(trigger, same_kind) if segment.start <= t.i < segment.end]
        place = self._place(trigger, chain, verb, own)
        place_tokens = {t.i for t in place} if place is not None else set()
        if kind.participant_kinds is not None:
            participants = [a for a in self._agents(trigger, chain, verb) if self.index.kind_of(a) in kind.participant_kinds]
            if not participants:
                return None
        tokens = [t for t in self._participant_tokens(trigger, chain, verb, own)
                  if t.i not in place_tokens and segment.start <= t.i < segment.end]
        if kind.participant_kinds is None:
            participants = self.index.actors_in(tokens)
        when = self._when(trigger, chain, verb)
        if not (participants or place is not None or (trigger.is_noun and when)):
            return None  # generic ("negotiations are far from linear") or a reference back
        if trigger.token.lemma_.lower() in kind.needs_place_or_time and place is None and when is None:
            return None  # "the Norwegian delegation said": a group of people, not a meeting
        if kind.needs_participants and not participants:
            return None
        status = self._status(trigger, chain, verb, when)
        if kind.statuses is not None and status is not None and status not in kind.statuses:
            return None
        place_actor = next((a for t in place if (a := self.index.actor_of(t))), None) if place is not None else None
        determiners = {c.lower_ for c in trigger.token.children if c.dep_ in {"det", "predet", "amod"}}
        anaphoric = bool(determiners & self.cues.anaphoric_determiners) or (
            "the" in determiners and not participants and place is None)  # "the talks ... on Thursday"
        return Candidate(trigger.kind, trigger, segment_number, participants,
                         self._place_text(place) if place is not None else None, when, status,
                         self._format(trigger), place_actor, frozenset(t.i for t in tokens), anaphoric)

    def _absorbed(self, trigger: Trigger, triggers: list[Trigger]) -> bool:
        """'arrive in Miami for talks': the arrival is part of the meeting."""
        absorbing = self.cues.kinds[trigger.kind].absorbed_by
        if not absorbing:
            return False
        own = {t.i for t in phrase_tokens(trigger.token)}
        return any(other.kind in absorbing and other.token.i in own for other in triggers)

    def candidates(self) -> list[Candidate]:
        found: list[Candidate] = []
        for number, segment in enumerate(segments(self.doc)):
            triggers = _find_triggers(segment, self.cues, self.quotes)
            for trigger in triggers:
                if self._absorbed(trigger, triggers):
                    continue
                same_kind = {t.token.i for t in triggers if t.kind == trigger.kind}
                candidate = self.candidate(trigger, number, same_kind)
                if candidate is not None:
                    found.append(candidate)
        return found


# --------------------------------------------------------------------------- merging

# Two reports may describe one event only if their statuses can be true of it together.
COMPATIBLE_STATUSES = {frozenset({"held", "ongoing"}), frozenset({"planned", "ongoing"}),
                       frozenset({"planned", "cancelled"})}
NEARBY_SEGMENTS = 3  # a report naming nobody joins an event mentioned this close before
ARRIVAL_DAYS = 3  # an arrival this many days before talks in the same place is part of them


def _norm_place(place: str | None) -> str | None:
    return re.sub(r"[^a-z0-9 ]", "", place.lower()).strip() if place else None


def places_compatible(a: str | None, b: str | None) -> bool:
    na, nb = _norm_place(a), _norm_place(b)
    return not na or not nb or na in nb or nb in na


def statuses_compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b or frozenset({a, b}) in COMPATIBLE_STATUSES


def date_range(when: When) -> tuple[str, str]:
    """First and last day a resolved date covers (a month or year covers all its days)."""
    first = when.date or ""
    last = when.end or first
    if when.end is None and when.precision == "year":
        last = first[:4] + "-12-31"
    elif when.end is None and when.precision == "month":
        year, month = int(first[:4]), int(first[5:7])
        last = f"{first[:7]}-{calendar.monthrange(year, month)[1]:02d}"
    return first, last


def dates_compatible(a: When | None, b: When | None) -> bool:
    """Two dates that could be the same event: overlapping, or one unresolved."""
    if a is None or b is None or not a.date or not b.date:
        return True
    a_first, a_last = date_range(a)
    b_first, b_last = date_range(b)
    return a_first <= b_last and b_first <= a_last


def _connected(a: Candidate, b: Candidate) -> bool:
    """One trigger lies in the other's phrase: "a round *of talks* with a delegation"."""
    return a.trigger.token.i in b.own or b.trigger.token.i in a.own


def _participant_score(event: Candidate, candidate: Candidate, index: ActorIndex) -> int:
    """3: a participant in common; 2: the same parties (a person and their country, or a
    place standing for one); 1: one side names nobody; 0: different participants."""
    pa, pb = set(event.participants), set(candidate.participants)
    if pa and pb:
        if pa & pb:
            return 3
        if pa <= index.parties_of(pb) or pb <= index.parties_of(pa):
            return 2
        return 0
    named, bare = (event, candidate) if pa else (candidate, event)
    if bare.place_actor and bare.place_actor in index.parties_of(named.participants):
        return 2  # "the summit in Brussels" and the European Council's session
    return 1


def _merge_score(event: Candidate, candidate: Candidate, index: ActorIndex) -> int:
    """How well a candidate fits an event found before it (0: not the same event)."""
    if event.kind != candidate.kind or not places_compatible(event.place, candidate.place):
        return 0
    if not dates_compatible(event.when, candidate.when):
        return 0
    connected = any(_connected(m, candidate) for m in event.mentions)
    if not connected and not statuses_compatible(event.status, candidate.status):
        return 0
    participants = _participant_score(event, candidate, index)
    if participants == 0 and not connected:
        return 0
    same_place = bool(event.place and candidate.place)
    if participants == 1 and not connected and not same_place and not candidate.anaphoric:
        distance = min(candidate.segment_number - m.segment_number for m in event.mentions)
        if distance > NEARBY_SEGMENTS:
            return 0
    return participants + (2 if same_place else 0) + (3 if connected else 0)


def _absorb(event: Candidate, candidate: Candidate) -> None:
    event.mentions.append(candidate)
    event.participants += [p for p in candidate.participants if p not in event.participants]
    if event.place is None:
        event.place, event.place_actor = candidate.place, candidate.place_actor
    if candidate.when and (event.when is None or (candidate.when.date and not event.when.date)):
        event.when = candidate.when
    if candidate.status == "cancelled":
        event.status = "cancelled"
    elif event.status is None:
        event.status = candidate.status
    event.format = event.format or candidate.format


def _best_match(events: list[Candidate], candidate: Candidate, index: ActorIndex) -> Candidate | None:
    """The event before the candidate it fits best (ties go to the most recent one)."""
    best, best_score = None, 0
    for event in reversed(events):
        score = _merge_score(event, candidate, index)
        if score > best_score:
            best, best_score = event, score
    return best


def merge_candidates(candidates: list[Candidate], index: ActorIndex) -> list[Candidate]:
    """One event per real event. Each candidate joins the best-fitting event before it or
    starts a new one ("these talks" only joins); then events that fit each other once
    complete are joined ("talks with Putin" and, later, "US-Russia talks")."""
    events: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: c.order):
        best = _best_match(events, candidate, index)
        if best is not None:
            _absorb(best, candidate)
        elif not candidate.anaphoric:
            candidate.mentions = [candidate]
            candidate.participants = list(candidate.participants)
            events.append(candidate)
    joined: list[Candidate] = []
    for event in events:
        best = _best_match(joined, event, index)
        if best is None:
            joined.append(event)
            continue
        mentions = event.mentions
        _absorb(best, event)
        best.mentions[-1:] = mentions
    return _fold_visits_into_meetings(joined)


def _arrives_for(visit: Candidate, meeting: Candidate) -> bool:
    """The visit's dates fit the meeting's, or it ends at most a few days before it."""
    if dates_compatible(meeting.when, visit.when):
        return True
    visit_last, meeting_first = date_range(visit.when)[1], date_range(meeting.when)[0]
    gap = date.fromisoformat(meeting_first) - date.fromisoformat(visit_last[:10])
    return timedelta(0) <= gap <= timedelta(days=ARRIVAL_DAYS)


def _fold_visits_into_meetings(events: list[Candidate]) -> list[Candidate]:
    """A trip to where the document's talks take place is part of those talks."""
    meetings = [e for e in events if e.kind == "meeting" and e.place]
    kept = []
    for e in events:
        host = None
        if e.kind == "visit" and e.place:
            host = next((m for m in meetings if _norm_place(m.place) == _norm_place(e.place)
                         and _arrives_for(e, m)), None)
        elif e.kind == "visit" and e.participants:  # "confirmed his arrival": for the talks he is at
            host = next((m for m in meetings if set(m.participants) & set(e.participants)
                         and _arrives_for(e, m)), None)
        if host is None:
            kept.append(e)
        else:
            host.participants += [p for p in e.participants if p not in host.participants]
    return kept


# --------------------------------------------------------------------------- entry point


def _to_event(document: Document, event: Candidate) -> Event:
    best = max(event.mentions, key=lambda m: (m.info, -m.order))
    evidence, start, end = span_text_offsets(best.trigger.segment)
    return Event(
        document=document.source,
        kind=event.kind,
        participants=list(event.participants),
        place=event.place,
        when=event.when,
        status=event.status,
        evidence=evidence,
        start=start,
        end=end,
        trigger=best.trigger.text,
        format=event.format,
    )


def find_events(document: Document, doc: Doc, actors: ActorTable, times: list[TimeExpression],
                lexicon: Lexicon) -> list[Event]:
    """The events a document reports, one per real event, in order of first report."""
    reader = _EventReader(document, doc, actors, times, lexicon)
    merged = merge_candidates(reader.candidates(), reader.index)
    return [_to_event(document, e) for e in sorted(merged, key=lambda e: e.order)]
