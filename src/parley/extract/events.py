"""Events of one document: meetings, attacks, decisions, visits and statements.

How an event is read from a sentence (the vocabulary is in ``data/events.toml``):

1. A trigger: a noun, verb or phrase of one kind ("talks", "met", "phone call",
   "launched ... drones"). Skipped: negated ("no meeting is planned"), hypothetical ("if
   talks fail", "whether a meeting ..."), wished for ("ready to discuss", "support for
   direct talks", "called for talks"), used as a modifier ("meeting rooms"). Inside
   quotation marks, only a meeting the speaker places or dates counts. Some words need
   more: a call or "spoke" needs the other side named ("a call *with X*"), "agreed" a
   noun object or a measure ("agreed *a loan*", "agreed *to cut* tariffs"; else only an
   institution decides), "sanctions" a verb that imposes them.
2. Its clause chain: the trigger and the words above it up to its clause's verb, going on
   through "to"-complements: talks -> for -> arrive -> expected; cut at a preposition of
   time ("said *after* the talks": the talks are not the saying's).
3. Participants: actors named in the trigger's own phrase (with/between phrases, "a
   delegation led by X", "talks that ended with X"), a verb's subject and objects, and,
   for a noun, the subject of a support verb ("X *held* talks with Y"). Not participants:
   a name that only describes a person ("*Belgian* Prime Minister De Wever"), the owner of
   a role ("*Lopez's* envoys"), what the event is about ("talks *on Peru's* quotas",
   "discussed *the plan*"), a place, a time ("0900 *GMT*"). Stand-ins: "he/his" is the
   subject of the clause above, "they" the parties named as subject above, "both sides"
   the latest meeting's parties, "the cabinet" the nearest country. A decision is taken
   by an institution, or by persons who sign, impose or withdraw.
4. Place: a GPE/LOC/FAC after in/at (or "to" after a verb of travel, the object of
   "visit") on the trigger's phrase or on the verbs of its clause, a "where" clause, a
   place name modifying the trigger ("the Miami talks"), where an attack struck ("an
   attack *on X*"); with its city as written ("Lima's Torre Palace", "the Chilean
   Embassy in Oslo") and the name behind a place noun ("the Peruvian capital *Lima*").
5. When: the time expression (from the times extractor) attached to the trigger or its
   clause.
6. Status: cue words around the trigger (``[status]``), else the verb's tense, else
   "planned" for an infinitive ("sent X *to meet* Y"), else the date against the
   document's published date. Decisions and attacks count only once they happened.
7. Sequence: which of a series it is ("the *second* round", "the *next* meeting",
   "*previous* talks", "X *last* met Y"), so rounds and recalled meetings stay apart.

A trigger with no participant, place or time is generic ("negotiations are far from
linear") and gives no event; "these talks", or "the talks" with nothing of their own,
refer back and can only add to an event already found. Mentions of one event in a
document are merged, so each real event is reported once; an arrival where the
document's talks take place is part of those talks (``parley.extract.event_merging``).

The vocabulary and the finding of triggers are ``parley.extract.event_triggers``; syntax
helpers shared with the other extractors live in ``parley.extract.syntax``.
"""

from __future__ import annotations

import re
from typing import Iterable

from spacy.tokens import Doc, Span, Token

from parley.compare import date_range
from parley.extract.actors import ActorTable
from parley.extract.event_merging import Candidate, Trigger, merge_candidates
from parley.extract.event_triggers import KindCues, event_cues, find_triggers
from parley.extract.quotation_marks import quoted_ranges
from parley.extract.syntax import (
    CLAUSE_DEPS, MODIFIER_DEPS, RELATIVE_TAGS, SUBJECT_DEPS, VERBAL, actor_index, cue_form, doc_view,
    head_phrase, inside, is_nounish, is_verbal, phrase_tokens, segments,
    span_text_offsets, subjects_of, token_forms,
)
from parley.lexicon import Lexicon
from parley.nlp import doc_text
from parley.records import Document, Event, TimeExpression, When


# --------------------------------------------------------------------------- the trigger's clause


def _has_noun_object(verb: Token) -> bool:
    """'agreed *a loan*', 'agreed *on a deal*', 'agreed *to the plan*' -- not 'agreed to
    keep talking', a promise of something still to be done."""
    for child in verb.children:
        if child.dep_ == "dobj" and is_nounish(child):
            return True
        if child.dep_ == "prep" and child.lower_ in {"on", "to", "upon"} and any(
                c.dep_ == "pobj" and is_nounish(c) and c.ent_type_ not in {"DATE", "TIME"} for c in child.children):
            return True
    return False


def _unrealized(trigger: Token, chain: list[Token]) -> bool:
    """A decision still to be reached: under a "to"-infinitive ("a deadline for Peru *to
    sign* an accord"), a gerund after a preposition ("aimed at *reaching* an agreement"), or
    the purpose of a thing ("a *timetable for* a deal", "a blueprint *for* an accord")."""
    for below, t in zip([trigger] + chain, chain):
        if below.dep_ == "conj":
            break  # "a demand for X *and* a warrant"
        if _infinitive(t):
            return True
        if t.pos_ in VERBAL and t.tag_ == "VBG" and t.dep_ == "pcomp":
            return True
        if below.dep_ == "pobj" and t.lower_ in {"for", "toward", "towards"} and is_nounish(t.head):
            return True
        if is_verbal(t):
            break
    return False


def _because_of(word: Token) -> bool:
    """'due *to the storm*': a cause, not a schedule ('due *to meet*')."""
    doc = word.doc
    if word.lower_ != "due" or word.i + 2 >= len(doc) or doc[word.i + 1].lower_ != "to":
        return False
    return doc[word.i + 2].pos_ not in VERBAL


def _infinitive(verb: Token) -> bool:
    return verb.pos_ in VERBAL and any(c.tag_ == "TO" for c in verb.children if c.dep_ == "aux")


def _doer_above(verb: Token) -> list[Token]:
    """Who does a gerund after a preposition or an infinitive of purpose: the object of the
    verb above ("praised *X* for hosting the forum", "sent *X* to meet Y"), else its subject."""
    if verb.tag_ == "VBG" and verb.dep_ == "pcomp":
        above = verb.head.head
    elif verb.dep_ == "advcl" and _infinitive(verb):
        above = verb.head
    else:
        return []
    objects = [c for c in above.children if c.dep_ == "dobj"]
    return objects or subjects_of(above)


def _names_the_body(word: Token, trigger: Token) -> bool:
    """'*the cabinet* met', 'the *cabinet* session', 'a session of *the cabinet*' -- not 'heads
    of *government*', a word deep in another phrase."""
    if word.dep_ in SUBJECT_DEPS or word.head.i == trigger.i:
        return True
    return word.head.dep_ == "prep" and word.head.lower_ == "of" and word.head.head.i == trigger.i


def _chain(trigger: Token, segment: Span) -> list[Token]:
    """The trigger and the words above it up to its clause's verb, through "to"-complements,
    never leaving the trigger's segment."""
    chain = [trigger]
    t = trigger
    while t.head.i != t.i and len(chain) < 10:
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


class _EventReader:
    """Reads candidate events from one document, trigger by trigger."""

    def __init__(self, document: Document, doc: Doc, actors: ActorTable,
                 times: list[TimeExpression], lexicon: Lexicon):
        self.document = document
        self.doc = doc
        self.cues = event_cues(lexicon)
        self.index = actor_index(doc, actors, lexicon)
        self.times = sorted(times, key=lambda te: te.start)
        self.time_ranges = [(te.start - 1, te.end) for te in self.times]  # "0900 *GMT*" names nobody
        self.quotes = quoted_ranges(doc_text(doc))
        self.segments = segments(doc)
        self.last_sides: list[str] = []  # the parties of the latest meeting with two or more
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

    def _place_heads(self, trigger: Trigger) -> list[Token]:
        """The words whose in/at phrases may say where the event is: the trigger, the nouns
        of its own phrase, and the verbs of clauses hung on it ("talks *held* in X", "the
        meeting, which *took place* in X") -- not the words inside those clauses, nor a
        verb's topic ("discuss the situation *in Gaza*")."""
        def prune(c: Token) -> bool:  # ... nor another event it is after or before
            return self.index.describes_person(c) or (c.dep_ == "prep" and c.lower_ in self.cues.temporal_prepositions)

        if trigger.is_noun:
            words = phrase_tokens(trigger.token, prune=lambda c: prune(c) or c.dep_ in {"acl", "relcl"})
            clauses = [c for c in trigger.token.children if c.dep_ in {"acl", "relcl"}]
            return [trigger.token] + [t for t in words if t.pos_ in {"NOUN", "PROPN", "NUM"}] + clauses
        topic = trigger.token.lemma_.lower() in self.cues.topic_object_verbs
        heads = [trigger.token]
        for child in trigger.token.children:
            if child.dep_ in CLAUSE_DEPS or child.dep_ in {"xcomp", "conj", "cc", "punct"} \
                    or (topic and child.dep_ == "dobj") or prune(child):
                continue
            heads.extend(t for t in phrase_tokens(child, prune=prune) if t.pos_ in {"NOUN", "PROPN", "VERB", "NUM"})
        return heads

    def _subject_verb(self, trigger: Trigger, chain: list[Token], verb: Token | None) -> Token | None:
        """The verb whose subject takes part: the trigger itself, or a support verb -- unless
        that verb only reports an event that names its own owner ("Lopez confirmed
        *Olsen's* visit")."""
        if not trigger.is_noun:
            return trigger.token
        if not self._support(trigger, verb) or _relation_to_verb(chain, verb) in SUBJECT_DEPS:
            return None
        if verb.lemma_.lower() in self.cues.speech_verbs and self._owned(trigger.token):
            return None
        return verb

    def _owned(self, noun: Token) -> bool:
        return any(c.dep_ == "poss" and self.index.actors_in(head_phrase(c), resolve_pronouns=False)
                   for c in noun.children)

    def _not_participant(self, child: Token) -> bool:
        """Words hung on a participant phrase that name no participant: an apposition on a
        named person ("Dmitriev, *an envoy for Putin*"), the possessor of a role
        ("*Lopez's* envoys"), what the event is about ("talks *on Peru's quotas*"),
        where someone goes ("a visit *to Lima*") and clauses that do not say who takes
        part ("talks *aimed at* ...", "a meeting *which shows* goodwill"; "a delegation
        *led by* X", "a forum *where X signed*" do)."""
        if self.index.describes_person(child):
            return True
        if child.dep_ == "poss" and token_forms(child.head) & self.cues.role_nouns \
                and not self.index.is_person_token(child.head):
            return True
        if child.dep_ == "prep":
            word = child.lower_
            if word == "to":
                return not any(self.index.is_person_token(c) for c in child.children if c.dep_ == "pobj")
            return word in self.cues.topic_prepositions
        if child.dep_ == "relcl" and token_forms(child.head) & self.cues.event_nouns and any(
                c.lower_ == "where" or (c.dep_ in SUBJECT_DEPS and c.tag_ in RELATIVE_TAGS) for c in child.children):
            return False  # "a forum *where X signed*", "talks *that ended with X*": they were there
        return child.dep_ in {"acl", "relcl"} and child.lemma_.lower() not in self.cues.member_verbs

    def _participant_tokens(self, trigger: Trigger, chain: list[Token], verb: Token | None,
                            same_kind: set[int]) -> list[Token]:
        """Where participants are named: a noun's own phrase; a verb's subject, objects and
        with/between phrases (not what it is about: "brief X *on talks with Y*", "discuss
        *Y's plan*"); the subject of a support verb ("*X* held talks")."""
        prune = self._not_participant
        preps = self.cues.participant_prepositions
        if trigger.is_noun:
            tokens = phrase_tokens(trigger.token, keep_clauses_of=same_kind | {trigger.token.i}, prune=prune)
            if verb is not None and not self.index.actors_in(tokens):
                tokens.extend(self._stray_between(trigger, verb))
            # Names coordinated with the event noun itself are a misparse of the next clause's
            # subject ("after the meeting, X and Y said"), not its participants.
            listed = {t.i for c in trigger.token.children if c.dep_ == "conj" and c.i not in same_kind
                      for t in c.subtree}
            tokens = [t for t in tokens if t.i not in listed]
        else:
            tokens = [trigger.token]
            objects = {"dative", "agent"} if trigger.token.lemma_.lower() in self.cues.topic_object_verbs \
                else {"dobj", "dative", "attr", "agent"}
            for child in trigger.token.children:
                if child.dep_ in objects or (child.dep_ == "prep" and child.lower_ in preps) \
                        or (child.dep_ == "dep" and is_nounish(child) and child.i > trigger.token.i):
                    tokens.extend(phrase_tokens(child, prune=prune))  # ("dep": "met X and, later, Y")
        subject_verb = self._subject_verb(trigger, chain, verb)
        if subject_verb is not None:
            doers = subjects_of(subject_verb, trigger.segment)
            if not doers and (trigger.is_noun or subject_verb.tag_ != "VBG"):  # not "before flying on to X"
                doers = _doer_above(subject_verb)
            for subject in doers:
                tokens.extend(phrase_tokens(subject, prune=prune))
        if subject_verb is not None or (trigger.is_noun and _relation_to_verb(chain, verb) in SUBJECT_DEPS):
            for v in (t for t in chain[1:] if is_verbal(t)):  # "a call took place *between X and Y*"
                for child in v.children:
                    if child.dep_ == "prep" and child.lower_ in preps:
                        tokens.extend(phrase_tokens(child, prune=prune))
        gathering = self.cues.kinds[trigger.kind].gathering_verbs
        if trigger.is_noun and verb is not None and verb.lemma_.lower() in gathering \
                and _relation_to_verb(chain, verb) in SUBJECT_DEPS:
            for child in verb.children:  # "the meetings brought together X, Y and Z"
                if child.dep_ in {"dobj", "attr"} or (child.dep_ == "prep" and child.lower_ in preps):
                    tokens.extend(phrase_tokens(child, prune=prune))
        return [t for t in tokens if not inside(t.idx, self.time_ranges)]

    def _stray_between(self, trigger: Trigger, verb: Token) -> list[Token]:
        """A "between X and Y" that the parser hung on a later word of the clause ("proposed a
        summit in the spring *between X and Y*"): it belongs to the event."""
        for t in verb.subtree:
            if t.i > trigger.token.i and t.dep_ == "prep" and t.lower_ == "between" and t.head.i != trigger.token.i \
                    and t.head.pos_ in {"NOUN", "PROPN"} and not self.index.actor_of(t.head):
                return phrase_tokens(t, prune=self._not_participant)
        return []

    def _names_counterpart(self, trigger: Trigger, chain: list[Token], verb: Token | None) -> bool:
        """Whether the other side is named: "a call *with/to X*", "spoke *with X*", "a call
        took place *between X and Y*", "the *X-Y* conversation"."""
        heads = [trigger.token]
        if trigger.is_noun and _relation_to_verb(chain, verb) in SUBJECT_DEPS:
            heads += [t for t in chain[1:] if is_verbal(t)]
        preps = self.cues.participant_prepositions | {"to"}
        for head in heads:
            for child in head.children:
                if child.dep_ == "prep" and child.lower_ in preps \
                        and self.index.actors_in(phrase_tokens(child, prune=self._not_participant)):
                    return True
        modifiers = [t for c in trigger.token.children if c.dep_ in {"compound", "nmod", "amod"} for t in c.subtree]
        return len(self.index.actors_in(modifiers)) >= 2

    @staticmethod
    def _agrees_to_a_measure(verb: Token, kind: KindCues) -> bool:
        """'agreed *to cut* tariffs', 'agreed *to suspend* tariffs': a measure changed, a decision."""
        return any(c.dep_ == "xcomp" and c.lemma_.lower() in kind.measure_verbs for c in verb.children)

    def _personal(self, trigger: Trigger, verb: Token | None) -> bool:
        """Whether a person can take this decision: one who signs, imposes or withdraws
        ("Aliyev and Pashinyan *signed* an agreement")."""
        doer = trigger.token if not trigger.is_noun else verb
        return doer is not None and doer.lemma_.lower() in self.cues.kinds[trigger.kind].person_verbs

    def _agents(self, trigger: Trigger, chain: list[Token], verb: Token | None) -> list[str]:
        """Who acts, for kinds that name their decider: possessor or modifier of the trigger
        ("*the EU's* ban", "*ICC* warrant") or the subject ("*EU leaders* agreed")."""
        heads = [c for c in trigger.token.children if c.dep_ in MODIFIER_DEPS]
        found = self.index.actors_in([t for h in heads for t in head_phrase(h)])
        subject_verb = self._subject_verb(trigger, chain, verb)
        if subject_verb is not None:
            for subject in subjects_of(subject_verb, trigger.segment):
                for head in [subject] + [c for c in subject.children if c.dep_ == "conj"]:
                    named = self.index.actors_in(self._decider_words(head)) or self._group(head, pronouns_only=True)
                    found += [a for a in named if a not in found]
            for prep in (c for c in subject_verb.children if c.dep_ == "prep" and c.lower_ == "with"):
                if trigger.is_noun:  # "reached an agreement *with X*"
                    found += [a for a in self.index.actors_in(phrase_tokens(prep)) if a not in found]
        return found

    def _group(self, word: Token, pronouns_only: bool = False) -> list[str]:
        """The parties a plural word stands for: "they" (the subject of a clause above:
        "Chilean and Peruvian envoys said *they* had struck an accord"), "both sides" (the latest
        parties; not for decisions: what the negotiating parties agree is the outcome of
        their talks)."""
        if word.lower_ in self.cues.plural_pronouns:
            for verb in (t for t in word.ancestors if t.pos_ in VERBAL):
                for subject in subjects_of(verb):
                    if subject.i != word.i:
                        named = self.index.actors_in(head_phrase(subject), resolve_pronouns=False)
                        if named:
                            return named
            return []
        if not pronouns_only and word.lemma_.lower() in self.cues.group_nouns and word.tag_ in {"NNS", "NNPS"} \
                and not self.index.actors_in(head_phrase(word), resolve_pronouns=False):
            return list(self.last_sides) if len(self.last_sides) >= 2 else []
        return []

    def _decider_words(self, head: Token) -> list[Token]:
        """The words naming who decides: a subject without its prepositional phrases, but
        with the countries a role stands for ("the heads *of Chile and Peru*")."""
        words = head_phrase(head)
        if token_forms(head) & self.cues.role_nouns and not self.index.is_person_token(head):
            for prep in (c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"):
                words += phrase_tokens(prep)
        return words

    # ---- place, time, status

    def _place_entity(self, token: Token) -> Span | None:
        if token.ent_type_ not in self.cues.place_labels:
            return None
        for start, end, _ in doc_view(token.doc).entities:
            if start <= token.i < end:
                return token.doc[start:end]
        return None

    def _place_phrase(self, pobj: Token) -> Span | None:
        """A named place, or a phrase headed by a place noun ("the Emirati capital"), with
        the city it is in when the text gives it ("*Lima's* Torre Palace", "the Chilean
        Embassy *in Oslo*"); a place noun naming its place gives the name ("the Peruvian
        capital *Lima*", "the port *of Valparaiso*")."""
        ent = self._place_entity(pobj)
        if ent is None and self._seat_of_power(pobj) is not None:
            return self._seat_of_power(pobj)  # "in the Kremlin": a seat of power, a place
        if ent is None and pobj.lemma_.lower() in self.cues.place_nouns:
            named = self._name_of_place_noun(pobj)
            if named is not None:
                return named
            words = [t for t in phrase_tokens(pobj, prune=lambda c: c.dep_ not in {"det", "amod", "compound", "nmod"})]
            ent = pobj.doc[words[0].i: words[-1].i + 1]
        return self._with_its_city(ent, pobj) if ent is not None else None

    def _unnamed_place(self, token: Token) -> Span | None:
        """A proper name before an event noun that names no actor and that the tagger left
        without a type: a place ("the *Quellon* forum")."""
        if token.pos_ != "PROPN" or token.ent_type_ or not token.text.istitle() or self.index.actor_of(token):
            return None
        return token.doc[token.i: token.i + 1]

    def _seat_of_power(self, token: Token) -> Span | None:
        """'the Kremlin', 'the White House': a name that stands for a country, used as a place."""
        actor = self.index.actor_of(token)
        if actor is None or self.index.kind_of(actor) != "country" or self._names_a_country(token):
            return None
        words = [t for t in token.subtree if t.dep_ == "compound" or t is token]
        return token.doc[words[0].i: token.i + 1]

    def _name_of_place_noun(self, noun: Token) -> Span | None:
        for child in noun.children:
            if child.dep_ == "appos":
                return self._place_entity(child)
            if child.dep_ == "prep" and child.lower_ == "of":
                found = [e for g in child.children if g.dep_ == "pobj" and (e := self._place_entity(g)) is not None]
                if found:
                    return found[0]
        return None

    def _with_its_city(self, place: Span, head: Token) -> Span:
        start, end = place.start, place.end
        doc = head.doc
        if end + 1 < len(doc) and doc[end].text == "," and doc[end + 1].dep_ in {"appos", "conj"}:
            country = self._place_entity(doc[end + 1])  # "Geneva, Switzerland"
            if country is not None and country.start == end + 1:
                end = country.end
        for child in head.children:
            if child.dep_ == "poss" and (ent := self._place_entity(child)) is not None:
                start = min(start, ent.start)
            if child.dep_ == "prep" and child.lower_ == "in" and child.i >= end:
                for pobj in (g for g in child.children if g.dep_ == "pobj"):
                    city = self._place_entity(pobj) or next(
                        (e for c in pobj.children if c.dep_ == "poss" and (e := self._place_entity(c))), None)
                    if city is not None:
                        end = max(end, city.end)
        return head.doc[start:end]

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

    def _place(self, trigger: Trigger, chain: list[Token], verb: Token | None) -> Span | None:
        """The place entity: after in/at on the trigger's phrase or clause, a "where"
        clause, a place name modifying the trigger ("the Miami talks")."""
        segment = trigger.segment
        kind = self.cues.kinds[trigger.kind]
        heads = [t for t in self._place_heads(trigger) if segment.start <= t.i < segment.end]
        if self._clause_applies(trigger, chain, verb):
            heads += _clause_heads(chain)
        found = self._place_from_preps(heads)
        if found is not None:
            return found
        if not trigger.is_noun and trigger.token.lemma_.lower() in self.cues.place_object_verbs:
            for obj in (c for c in trigger.token.children if c.dep_ == "dobj"):
                if self._place_entity(obj) is not None:
                    return self._with_its_city(self._place_entity(obj), obj)  # "visit *Lima*"
        for v in (t for t in chain if is_verbal(t)):
            if any(c.lower_ == "where" for c in v.children):
                found = self._place_entity(v.head) or self._place_from_preps([v.head])
                if found is not None:
                    return found
        if trigger.token.lemma_.lower() not in self.cues.kinds[trigger.kind].needs_place_or_time:
            for child in trigger.token.children:  # "the Miami talks"; a "Kyiv delegation" comes from Kyiv
                if child.dep_ in {"compound", "nmod", "npadvmod"}:
                    ent = self._place_entity(child) or self._seat_of_power(child) or self._unnamed_place(child)
                    if ent is not None and not self._names_a_country(child):
                        return ent
        for prep in (c for c in trigger.token.children if c.dep_ == "prep" and c.lower_ in kind.target_prepositions):
            for pobj in (c for c in prep.children if c.dep_ == "pobj"):
                if self._place_entity(pobj) is not None:
                    return self._place_entity(pobj)  # "an attack *on Israel*": where it struck
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
        context = [trigger.token] + [c for c in trigger.token.children if c.dep_ not in CLAUSE_DEPS
                                     and not (c.dep_ == "conj" and is_verbal(c))]  # "met X, but later cancelled Y"
        for head in chain[1:]:
            context.append(head)
            if head is verb and not applies:
                break  # "X described the talks as useful": only the verb itself may say ("called off")
            context.extend(c for c in head.children if c.dep_ not in CLAUSE_DEPS)
        end = trigger.segment.end
        context += [c for t in context if t.pos_ in VERBAL for c in t.children if c.dep_ in {"aux", "auxpass"}]
        context = [t for t in context if not _because_of(t)]
        phrase_statuses = {m.name for t in context if (m := self.cues.status_phrases.at(self.doc, t.i, end))}
        for status in self.cues.status_order:
            words = self.cues.status_words.get(status, set())
            if status in phrase_statuses or any(token_forms(t) & words for t in context):
                return status
        status = self._tense_status(trigger, verb) if applies else None
        if status is None and not trigger.is_noun and _infinitive(trigger.token):
            status = "planned"  # "sent X to meet Y", "agreed to meet"
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
        aux = {cue_form(c.lower_) for c in v.children if c.dep_ in {"aux", "auxpass"}}
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

    def _willing(self, token: Token) -> bool:
        """A word of willingness or advocacy ("ready", "support", "call *for*"); an opening
        verb is none ("talks opened in Quito")."""
        lemma = token.lemma_.lower()
        if lemma not in self.cues.willingness or (token.pos_ == "VERB" and lemma in self.cues.opening_verbs):
            return False
        after = self.cues.willingness[lemma]
        following = token.doc[token.i + 1].lower_ if token.i + 1 < len(token.doc) else ""
        return not after or following in after

    def _negated(self, trigger: Trigger, chain: list[Token]) -> bool:
        """'no meeting is planned', 'did not meet', 'no leader could sign', 'if talks fail',
        'ready to discuss a truce'."""
        if any(c.dep_ == "det" and c.lower_ in self.cues.negation_determiners for c in trigger.token.children):
            return True
        for below, t in zip(chain, chain[1:]):
            if below.dep_ == "conj":
                break  # not "a demand for X *and* a warrant"
            if self._willing(t):
                return True
        for v in (t for t in chain if t.pos_ in VERBAL):
            copula = v.lemma_ == "be" and v is not trigger.token  # "the summit is not merely a war council"
            for c in v.children:
                if c.dep_ == "neg" and cue_form(c.lower_) in self.cues.negation_adverbs and not copula:
                    return True
                if c.dep_ == "mark" and c.lower_ in self.cues.conditionals:
                    return True
                if c.dep_ in SUBJECT_DEPS and any(d.dep_ == "det" and d.lower_ in self.cues.negation_determiners
                                                  for d in c.children):
                    return True
        return False

    def _sequence(self, trigger: Trigger, verb: Token | None) -> str | None:
        """Which of a series the event is: "the *second* round", "the *next* meeting", "the
        *previous* talks", "X *last* met Y" (``[sequence]``)."""
        for c in trigger.token.children:
            if c.dep_ in {"amod", "advmod", "nummod", "npadvmod"} and c.lower_ in self.cues.sequence:
                return self.cues.sequence[c.lower_]
        doer = trigger.token if not trigger.is_noun else (verb if self._support(trigger, verb) else None)
        for c in doer.children if doer is not None else ():
            if c.dep_ == "advmod" and c.lower_ in self.cues.verb_sequence:
                return self.cues.verb_sequence[c.lower_]
        return None

    def _format(self, trigger: Trigger) -> str | None:
        for c in trigger.token.children:
            if c.dep_ in {"amod", "compound"} and c.lower_ in self.cues.formats:
                return c.lower_
        return None

    # ---- one trigger

    def _own_clause(self, chain: list[Token]) -> list[Token]:
        """The chain cut at a preposition of time: in "X spoke after *the talks*" or "X will
        see Y after *last week's summit*", the clause is about something else."""
        cut = self._time_preposition(chain)
        return chain[: chain.index(cut) + 1] if cut is not None else chain

    def _time_of(self, chain: list[Token]) -> frozenset[int]:
        """The words an event is "after" or "before" (the preposition's ancestors), if any."""
        cut = self._time_preposition(chain)
        return frozenset(t.i for t in cut.ancestors) if cut is not None else frozenset()

    def _time_preposition(self, chain: list[Token]) -> Token | None:
        return next((t for t in chain[1:] if t.dep_ == "prep" and t.lower_ in self.cues.temporal_prepositions), None)

    def candidate(self, trigger: Trigger, segment_number: int, same_kind: set[int]) -> Candidate | None:
        full_chain = _chain(trigger.token, trigger.segment)
        chain = self._own_clause(full_chain)
        kind = self.cues.kinds[trigger.kind]
        verb = _first_verb(chain, trigger.token)
        if self._negated(trigger, chain) or self._not_taken(trigger, chain, verb, kind):
            return None
        place = self._place(trigger, chain, verb)
        place_tokens = {i for t in place for i in {t.i} | self.index.mention_tokens(t)} if place is not None else set()
        segment = trigger.segment
        tokens = [t for t in self._participant_tokens(trigger, chain, verb, same_kind)
                  if t.i not in place_tokens and segment.start <= t.i < segment.end]
        sequence = self._sequence(trigger, verb)
        if kind.participant_kinds is not None:
            participants = self._deciders(trigger, chain, verb, kind)
            if not participants:
                return None
        else:
            participants = self._participants(trigger, tokens, segment_number, sequence)
        when = self._when(trigger, chain, verb)
        if not self._specific(trigger, chain, verb, kind, participants, place, when):
            return None
        status = self._status(trigger, chain, verb, when)
        if kind.statuses is not None and status is not None and status not in kind.statuses:
            return None
        place_actor = next((a for t in place if (a := self.index.actor_of(t))), None) if place is not None else None
        determiners = {c.lower_ for c in trigger.token.children if c.dep_ in {"det", "predet", "amod"}}
        anaphoric = bool(determiners & self.cues.anaphoric_determiners) or (
            "the" in determiners and not participants and place is None)  # "the talks ... on Thursday"
        linked = {t.i for t in tokens} | self._purpose_of(trigger, same_kind)
        return Candidate(trigger.kind, trigger, segment_number, participants,
                         self._place_text(place) if place is not None else None, when, status,
                         self._format(trigger), place_actor, frozenset(linked), anaphoric,
                         sequence, kind.separate_acts and not trigger.is_noun,
                         self._time_of(full_chain))

    def _not_taken(self, trigger: Trigger, chain: list[Token], verb: Token | None, kind: KindCues) -> bool:
        """A decision still to be reached, or a measure noun nobody imposed."""
        if kind.realized_only and _unrealized(trigger.token, chain):
            return True
        return trigger.is_noun and trigger.token.lower_ in kind.needs_support and not self._support(trigger, verb)

    def _deciders(self, trigger: Trigger, chain: list[Token], verb: Token | None, kind: KindCues) -> list[str]:
        """Who took a decision: institutions; persons when they sign, impose or withdraw; only
        institutions when they agree to a course ("the EU agreed to phase out gas")."""
        allowed = kind.participant_kinds | ({"person"} if self._personal(trigger, verb) else set())
        if not trigger.is_noun and trigger.token.lemma_.lower() in kind.needs_noun_object \
                and not _has_noun_object(trigger.token) and not self._agrees_to_a_measure(trigger.token, kind):
            allowed = kind.institution_kinds
        return [a for a in self._agents(trigger, chain, verb) if self.index.kind_of(a) in allowed]

    def _participants(self, trigger: Trigger, tokens: list[Token], segment_number: int,
                      sequence: str | None) -> list[str]:
        """The actors named where participants are named, and the parties standing behind
        "both sides", "the cabinet", or a meeting "again"."""
        participants = self.index.actors_in(tokens)
        participants += [a for a in self._stand_ins(trigger.token, tokens, segment_number) if a not in participants]
        if sequence == "next" and len(self._sides_of(participants)) < 2:
            participants += [a for a in self.last_sides if a not in participants]  # "more talks", "meet again"
        return participants

    def _specific(self, trigger: Trigger, chain: list[Token], verb: Token | None, kind: KindCues,
                  participants: list[str], place: Span | None, when: When | None) -> bool:
        """Whether a mention says enough to be an event of its own."""
        if not (participants or place is not None or (trigger.is_noun and when)):
            return False  # generic ("negotiations are far from linear") or a reference back
        if trigger.token.lemma_.lower() in kind.needs_place_or_time and place is None and when is None:
            return False  # "the Norwegian delegation said": a group of people, not a meeting
        if kind.needs_participants and not participants:
            return False
        if trigger.quoted and place is None and not (when and when.date):
            return False  # a speaker's words: only a meeting they place or date ("the summit in X")
        word = trigger.token.lower_ if trigger.is_noun else trigger.token.lemma_.lower()
        return word not in kind.needs_counterpart or " " in trigger.text \
            or self._names_counterpart(trigger, chain, verb)  # not "calls for a ceasefire", "spoke to reporters"

    def _purpose_of(self, trigger: Trigger, same_kind: set[int]) -> set[int]:
        """Events of the same kind a verb is for: "leaders gather in X *for a summit*", "met
        *for talks*" -- one event."""
        if trigger.is_noun:
            return set()
        return {p.i for c in trigger.token.children if c.dep_ == "prep" and c.lower_ in {"for", "at"}
                for p in c.children if p.dep_ == "pobj" and p.i in same_kind}

    def _absorbed(self, trigger: Trigger, triggers: list[Trigger]) -> bool:
        """'arrive in Miami for talks': the arrival is part of the meeting; 'met X to discuss
        Y': the discussion is the meeting."""
        if _infinitive(trigger.token) and any(other.kind == trigger.kind and other.token.i == trigger.token.head.i
                                              for other in triggers):
            return True
        absorbing = self.cues.kinds[trigger.kind].absorbed_by
        if not absorbing:
            return False
        own = {t.i for t in phrase_tokens(trigger.token)}
        return any(other.kind in absorbing and other.token.i in own for other in triggers)

    def _stand_ins(self, trigger: Token, tokens: list[Token], segment_number: int) -> list[str]:
        """Parties named by what stands for them: "both sides", "the two countries", "the
        parties" (the sides of the latest event that had two or more); "the (security)
        cabinet", "the government" (the nearest country)."""
        found: list[str] = []
        for t in tokens:
            if self.index.actor_of(t) is not None or self.index.actors_in(head_phrase(t), resolve_pronouns=False):
                continue  # "the Chilean and Peruvian teams" name their parties
            lemma = t.lemma_.lower()
            if (lemma in self.cues.group_nouns or t.lower_ in self.cues.plural_pronouns) and t.dep_ != "poss":
                found += self._group(t)
            elif lemma in self.cues.government_bodies and _names_the_body(t, trigger):
                found += self._country_near(t, segment_number)[:1]
        return found

    def _country_near(self, token: Token, segment_number: int) -> list[str]:
        """Countries named in the word's sentence, nearest first, else in the one before."""
        for number in (segment_number, segment_number - 1):
            if number < 0:
                break
            segment = self.segments[number]
            near = sorted(segment, key=lambda t: abs(t.i - token.i))
            countries = [a for t in near if (a := self.index.actor_of(t)) and self.index.kind_of(a) == "country"]
            if countries:
                return list(dict.fromkeys(countries))
        return []

    def _sides_of(self, participants: list[str]) -> list[str]:
        return [a for a in participants if self.index.kind_of(a) != "person"]

    def _remember_sides(self, candidate: Candidate) -> None:
        sides = self._sides_of(candidate.participants)
        if len(sides) >= 2 and candidate.kind == "meeting":
            self.last_sides = sides

    def candidates(self) -> list[Candidate]:
        found: list[Candidate] = []
        for number, segment in enumerate(self.segments):
            triggers = find_triggers(segment, self.cues, self.quotes)
            for trigger in triggers:
                if self._absorbed(trigger, triggers):
                    continue
                same_kind = {t.token.i for t in triggers if t.kind == trigger.kind}
                candidate = self.candidate(trigger, number, same_kind)
                if candidate is not None:
                    found.append(candidate)
                    self._remember_sides(candidate)
        return found


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
