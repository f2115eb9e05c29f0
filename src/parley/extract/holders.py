"""Who holds a stance: the party or person a stance cue word belongs to, read off the parse.

The holder of a cue is its possessor ("*Ukraine's* red lines"), an actor modifying it
("*French* opposition", "*US*-backed"), "opposition *from* Belgium", the subject of the cue
or of the verb that states it ("*Belgium* voiced concerns", "*the EU* is proposing"; not
"X is watching those *proposals*"), an agent ("proposed by *the EU*"), or "for X, it is
..." when the subject names nobody. Names that only modify a named person are skipped:
"*Belgian* Prime Minister Bart De Wever" is De Wever.

A phrase names its actors (``Parties.named_by``) directly, through the person it stands
beside ("Peru's president, *Ana Ruiz*,"), through the group it is a member of ("the
leaders *of Chile and Peru*"), or as a pair the document has already named together
("*both sides*", "*the two countries*": the last two parties named side by side, else the
two parties it names most). he/she stand for the person who is the subject of a clause
before them in the sentence, it/its for such a party; in a quotation, "we" is its speaker.
Two demonyms joined by a hyphen ("Ukrainian-Canadian associations") name a community, no party.

A subject naming nobody in a reported clause gives way to the one who reported it
("Slovakia said *it* opposed ..."); a person who says their own party's stance, reported or
quoted, holds it ("Zelensky said *Kyiv* favoured ..." is Zelensky's). What someone must do
is held by whoever says so (``holders(speaker_held=True)``). The one urged or forced to do
something ("urged *Kyiv* to accept") holds no stance by it. Cues of agreeing or signing
take in the other side too ("signed a deal *with Y*", "an agreement *between X and Y*").
A plan's provisions are its owner's proposals (``plan_owners``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Span, Token

from parley.extract.actors import gazetteer
from parley.extract.syntax import (
    SUBJECT_DEPS,
    ActorIndex,
    head_phrase,
    is_nounish,
    is_verbal,
    phrase_tokens,
    subjects_of,
)
from parley.lexicon import Lexicon
from parley.records import Quote

PARTY_KINDS = {"country", "bloc", "organization"}
BOUNDARY_WORDS = {"with", "while", "but", "whereas", "although", "though", "as", "because"}
EXPLETIVES = {"it", "this", "that", "there"}


@dataclass(frozen=True)
class HolderCues:
    speech_verbs: frozenset[str]
    group_nouns: frozenset[str]  # "sides", "parties": with a word below, the document's pair
    group_words: frozenset[str]  # "both", "two", "all", "the"
    member_nouns: frozenset[str]  # "leaders", "heads": "the leaders of X" are X
    joint_cues: frozenset[str]  # "agree", "sign", "deal": the other side of it holds it too
    party_pronouns: frozenset[str]  # "it", "its": a party named before
    first_person: frozenset[str]  # "we", "I": in a quotation, its speaker
    plan_nouns: frozenset[str]  # "plan", "draft": what a plan's provisions are stated by
    stating_verbs: frozenset[str]  # "voice", "express": their subject holds the stance noun they take
    authoring_verbs: frozenset[str]  # "unveil", "draft": whose plan it is


@lru_cache(maxsize=8)
def holder_cues(lexicon: Lexicon) -> HolderCues:
    table = lexicon["issues"].get("holders", {})
    language = lexicon["language"]

    def words(values) -> frozenset[str]:
        return frozenset(str(w).lower() for w in values)

    return HolderCues(
        speech_verbs=words(language.get("speech_verbs", [])),
        group_nouns=words(table.get("group_nouns", [])),
        group_words=words(table.get("group_words", [])),
        member_nouns=words(language.get("role_nouns", [])) | words(table.get("member_nouns", [])),
        joint_cues=words(table.get("joint_cues", [])),
        party_pronouns=words(table.get("party_pronouns", [])),
        first_person=words(table.get("first_person", [])),
        plan_nouns=words(lexicon["issues"].get("plans", {}).get("nouns", [])),
        stating_verbs=words(table.get("stating_verbs", [])),
        authoring_verbs=words(lexicon["issues"].get("plans", {}).get("authoring_verbs", [])),
    )


class Parties:
    """The actors a phrase names, for one parsed document."""

    def __init__(self, index: ActorIndex, cues: HolderCues, quotes: Iterable[Quote] = ()):
        self.index = index
        self.actors = index.actors
        self.cues = cues
        self.quotes = [(q.start, q.end, q.speaker) for q in quotes]
        self.demonyms = gazetteer(index.lexicon).demonyms
        self._pairs = self._pairs_named_together()
        self._most_named = self._parties_most_named()
        self._plan_owners = self._plans_with_owners()

    # ------------------------------------------------------------------ naming

    def _is_party(self, actor_id: str | None) -> bool:
        return self.index.kind_of(actor_id) in PARTY_KINDS

    def _pairs_named_together(self) -> list[tuple[int, list[str]]]:
        """Every "X and Y" of two parties in the document, with where it is."""
        pairs: list[tuple[int, list[str]]] = []
        for token in self.index.doc:
            first = self.index.actor_of(token)
            if not self._is_party(first):
                continue
            for other in token.conjuncts:
                second = self.index.actor_of(other)
                if other.i > token.i and self._is_party(second) and second != first:
                    pairs.append((token.i, [first, second]))
                    break
        return pairs

    def _parties_most_named(self) -> list[str]:
        counts = Counter(m.actor for m in self.actors.mentions if self._is_party(m.actor))
        top = [actor for actor, n in counts.most_common(2) if n >= 2]
        return top if len(top) == 2 else []

    def _group(self, head: Token) -> list[str]:
        """'both sides', 'the two countries', 'all parties': the pair named last before."""
        if head.lower_ not in self.cues.group_nouns or not any(
                c.lower_ in self.cues.group_words for c in head.children if c.dep_ in {"det", "nummod", "predet", "amod"}):
            return []
        if any(c.dep_ in {"relcl", "acl", "prep", "compound", "poss"} for c in head.children):
            return []  # "the countries that buy its oil", "the sides of the road"
        before = [pair for at, pair in self._pairs if at < head.i]
        return before[-1] if before else self._most_named

    def _appositions(self, head: Token) -> list[str]:
        """"Peru's president, *Ana Ruiz*,": the person a description stands beside."""
        return [a for c in head.children if c.dep_ == "appos"
                for a in self.index.actors_in(phrase_tokens(c), resolve_pronouns=False)
                if self.index.kind_of(a) == "person"]

    def _members(self, head: Token) -> list[str]:
        """'the leaders of Chile and Peru': the parties of the of-phrase."""
        if head.lemma_.lower() not in self.cues.member_nouns and head.lower_ not in self.cues.member_nouns:
            return []
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                objects = [g for g in child.children if g.dep_ == "pobj"]
                return self._actors_in([t for o in objects for t in phrase_tokens(o)])
        return []

    def _actors_in(self, tokens: list[Token]) -> list[str]:
        """Actors named in these tokens, in order; he/she stand for the person who is the
        subject of a clause before them in the sentence ("Petrov flew to Lima, where *he*
        signed"), else for the last person named."""
        found: list[str] = []
        for t in sorted(tokens, key=lambda t: t.i):
            if t.pos_ == "PRON" and t.lower_ in self.cues.first_person:
                names = self._quoted_by(t)  # "*we* will never accept", said the minister
            elif t.pos_ == "PRON" and t.lower_ in self.cues.party_pronouns:
                actor = self._subject_party_before(t)
                names = [actor] if actor else []
            elif t.pos_ == "PRON":
                actor = self._subject_person_before(t) or self.index.resolve_pronoun(t)
                names = [actor] if actor else []
            elif self._community(t):
                names = []
            else:
                names = self.index.actors_in([t], resolve_pronouns=False)
            found += [a for a in names if a not in found]
        return found

    def _community(self, token: Token) -> bool:
        """'*Ukrainian-Canadian* associations': a demonym joined by a hyphen to another
        names a community, not a party."""
        doc = token.doc
        if token.text not in self.demonyms:
            return False
        around = [(token.i - 1, token.i - 2), (token.i + 1, token.i + 2)]
        return any(0 <= other < len(doc) and doc[hyphen].text == "-" and doc[other].text[:1].isupper()
                   and (doc[other].text in self.demonyms or doc[other].ent_type_ == "NORP")
                   for hyphen, other in around)

    def _subject_party_before(self, pronoun: Token) -> str | None:
        """it/its: the party that is the subject of a clause before it in the sentence
        ("the leadership requested a meeting as *it* hoped ..."); for the subject of a
        sentence, the party the sentence before was about ("Peru said ... *It* called for")."""
        doc = pronoun.doc
        sent = pronoun.sent
        for t in reversed(doc[sent.start: pronoun.i]):
            if t.dep_ in SUBJECT_DEPS:
                party = self._the_party_named(t)
                if party:
                    return party
        if pronoun.dep_ != "nsubj" or pronoun.head.dep_ != "ROOT" or sent.start == 0:
            return None
        previous = doc[sent.start - 1].sent
        subjects = [t for t in previous if t.dep_ == "nsubj" and t.head.dep_ == "ROOT"]
        return self._the_party_named(subjects[0]) if subjects else None

    def _the_party_named(self, head: Token) -> str | None:
        actors = self.index.actors_in(head_phrase(head), resolve_pronouns=False)
        return actors[0] if len(actors) == 1 and self._is_party(actors[0]) else None

    def _subject_person_before(self, pronoun: Token) -> str | None:
        gender = self.index.pronoun_genders.get(pronoun.lower_)
        if not gender:
            return None
        genders = getattr(self.actors, "genders", {})
        for t in reversed(pronoun.doc[pronoun.sent.start: pronoun.i]):
            if t.dep_ != "nsubj":
                continue
            actor = self.index.actor_of(t)
            if self.index.kind_of(actor) == "person" and genders.get(actor, gender) == gender:
                return actor
        return None

    def named_by(self, heads: list[Token]) -> list[str]:
        """The actors these noun phrases name (without their prepositional phrases, but
        through membership and group words)."""
        found: list[str] = []
        for head in heads:
            names = self._actors_in(head_phrase(head)) or self._appositions(head)
            for member in [head, *head.conjuncts]:
                names += [a for a in self._members(member) if a not in names]
            names = names or self._group(head)
            found += [a for a in names if a not in found]
        return found

    # ------------------------------------------------------------------ plans

    def _is_plan(self, token: Token) -> bool:
        return token.lemma_.lower() in self.cues.plan_nouns or token.lower_ in self.cues.plan_nouns

    def _owner(self, plan: Token) -> list[str]:
        """'the *US* plan', '*Trump's* plan', 'a plan drafted *by X*', '*X* unveiled a plan'."""
        owners = self.index.actors_in([t for c in plan.children if c.dep_ in {"compound", "amod", "poss", "nmod"}
                                       for t in c.subtree])
        if owners:
            return owners
        for c in plan.children:  # "the plan proposed by Washington", "a proposal from Washington"
            if c.dep_ == "prep" and c.lower_ in {"from", "by"}:
                owners = self.named_by([p for p in c.children if p.dep_ == "pobj"])
                if owners:
                    return owners
            for g in c.children:
                if c.dep_ == "acl" and g.dep_ == "agent":
                    return self.named_by([p for p in g.children if p.dep_ == "pobj"])
        if plan.dep_ == "dobj" and plan.head.lemma_.lower() in self.cues.authoring_verbs:
            return self.named_by(subjects_of(plan.head))
        return []

    def _plans_with_owners(self) -> list[tuple[int, list[str]]]:
        found: list[tuple[int, list[str]]] = []
        for token in self.index.doc:
            if self._is_plan(token):
                owners = self._owner(token)
                if owners:
                    found.append((token.i, owners))
        return found

    def _plan_in(self, head: Token) -> Token | None:
        """The plan a phrase names: itself, or "the first draft *of the plan*", "the second
        part *of the plan*"."""
        frontier = [head]
        for _ in range(4):
            plans = [t for t in frontier if self._is_plan(t)]
            if plans:
                return plans[0]
            frontier = [c for t in frontier for c in t.children
                        if c.dep_ in {"nummod", "amod", "pobj"} or (c.dep_ == "prep" and c.lower_ == "of")]
        return None

    def plan_owners(self, cue: Token, within: Span | None) -> list[str]:
        """A plan's provisions are proposals of the one who drew it up: the owner of the plan
        that is the subject of the cue's clause ("*the EU plan* envisages ...", "*it* also
        calls for ..." after a sentence about the plan), or that a clause is "according to".
        A plan named without its owner is the last plan the document gave one."""
        if is_verbal(cue) or cue.lower_ == "according":
            verb = cue
        elif cue.dep_ in {"dobj", "attr"} and is_verbal(cue.head):
            verb = cue.head  # "the plan sets out *demands* for ..."
        else:
            return []
        plan = None
        according = [c for c in verb.children if c.dep_ == "prep" and c.lower_ == "according"]
        if cue.lower_ == "according":
            according = [cue]
        for a in according:
            plan = next((self._plan_in(g) for c in a.children if c.dep_ == "prep"
                         for g in c.children if g.dep_ == "pobj"), None)
        if plan is None:
            subjects = subjects_of(verb, within)
            if subjects and subjects[0].lower_ in self.cues.party_pronouns and subjects[0].head.dep_ == "ROOT":
                sent = subjects[0].sent  # "It also calls for ...": the plan the sentence before was about
                previous = cue.doc[sent.start - 1].sent if sent.start > 0 else []
                subjects = [t for t in previous if t.dep_ == "nsubj" and self._plan_in(t) is not None]
            plan = self._plan_in(subjects[0]) if subjects else None
        if plan is None:
            return []
        owners = self._owner(plan)
        if owners:
            return owners
        before = [owners for at, owners in self._plan_owners if at < plan.i]
        after = [owners for at, owners in self._plan_owners if at > plan.i]
        return before[-1] if before else (after[0] if after else [])

    # ------------------------------------------------------------------ holders

    def holders(self, cue: Token, within: Span | None = None, speaker_held: bool = False) -> list[str]:
        """Who holds the stance a cue word expresses (see the module docstring); ``within``
        is the sentence, beyond which the parse is not trusted. A ``speaker_held`` cue
        ("X *must* return the hostages") is the stance of whoever says it, not of its subject."""
        verb = clause_verb(cue)
        if speaker_held:
            return self._sayer(cue, verb, within)
        holders = self._holders(cue, within)
        holders += [a for a in self._other_side(cue) if holders and a not in holders]
        if verb is None or len(holders) != 1:
            return holders
        speakers = self._quoted_by(cue) or self.reporter(verb, within)
        speaker = self.actors.get(speakers[0]) if len(speakers) == 1 else None
        if speaker is not None and speaker.kind == "person" and speaker.affiliation == holders[0]:
            return [speaker.id]
        return holders

    def _quoted_by(self, token: Token) -> list[str]:
        """The speaker of the quotation a word is in, when the quote extractor named one."""
        for start, end, speaker in self.quotes:
            if start <= token.idx < end:
                return [speaker] if speaker else []
        return []

    def _sayer(self, cue: Token, verb: Token | None, within: Span | None) -> list[str]:
        """Who says a clause: the speaker of the quotation it is in, its reporter, or the one
        whose request a relative clause spells out ("X gave Y the names of detainees
        *who need to be released*")."""
        if verb is None:
            return []
        found = self._quoted_by(cue) or self.reporter(verb, within, through_adjuncts=True)
        if not found and verb.dep_ in {"relcl", "acl"}:
            main = clause_verb(verb.head)
            found = self._subject_holders(main, within) or [] if main is not None else []
        return found

    def _holders(self, cue: Token, within: Span | None) -> list[str]:
        found = self.named_by([c for c in cue.children if c.dep_ == "poss"]) or self._modifiers(cue) \
            or self._named_after(cue, "from")
        if found:
            return found
        if is_nounish(cue) and any(c.dep_ == "prep" and c.lower_ == "between" for c in cue.children):
            return self._named_after(cue, "between")  # the parties to it, not whoever announced it
        if is_nounish(cue):
            if cue.dep_ in {"dobj", "attr", "oprd"} and is_verbal(cue.head):
                if cue.dep_ == "dobj" and self.cues.stating_verbs and \
                        cue.head.lemma_.lower() not in self.cues.stating_verbs | self.cues.speech_verbs:
                    return []  # "X is watching *those proposals*": not X's proposals
                return self._subject_holders(cue.head, within) or []
            if cue.dep_ in SUBJECT_DEPS or cue.dep_ == "pobj":
                return []  # "the proposal is a minefield", "evolved from a proposal"
            return self._just_before(cue, within)
        verb = cue if is_verbal(cue) else (cue.head if cue.dep_ in {"acomp", "xcomp", "oprd"} else None)
        if verb is None:
            if cue.dep_ == "amod":  # "the reluctant Belgian government"
                return self.named_by([cue.head])
            return []
        holders = self._subject_holders(verb, within)
        if holders is not None:
            return holders
        if is_verbal(cue) and cue.tag_ != "VBG":
            return []  # a finite verb the parse left without a subject: the words before it are not one
        return self._just_before(cue, within)  # "with Belgium and the ECB *voicing* concerns"

    def _modifiers(self, cue: Token) -> list[str]:
        """'*French and Italian* opposition', '*EU* ban', '*US*-backed': names modifying the cue."""
        words: list[Token] = []
        for child in cue.children:
            if child.dep_ in {"compound", "amod", "nmod", "npadvmod"}:
                words += [child, *child.conjuncts]
                words += [c for w in [child, *child.conjuncts] for c in w.children if c.dep_ == "compound"]
        return self.index.actors_in(words, resolve_pronouns=False)

    def _named_after(self, cue: Token, preposition: str) -> list[str]:
        """The actors a noun's preposition names: 'an agreement *between X and Y*',
        'opposition *from Belgium*'."""
        if not is_nounish(cue):
            return []
        return self.named_by([g for c in cue.children if c.dep_ == "prep" and c.lower_ == preposition
                              for g in c.children if g.dep_ == "pobj"])

    def _other_side(self, cue: Token) -> list[str]:
        """'signed a deal *with Y*', 'agreed *with Y* on ...': the other party to an agreement."""
        if cue.lemma_.lower() not in self.cues.joint_cues:
            return []
        owners = [cue] + [c for c in cue.children if c.dep_ in {"dobj", "pobj"}]
        return self.named_by([g for o in owners for c in o.children if c.dep_ == "prep" and c.lower_ == "with"
                              for g in c.children if g.dep_ == "pobj"])

    def _just_before(self, cue: Token, within: Span | None) -> list[str]:
        """Names in the stretch right before a cue, back to the clause boundary
        ("with *Belgium and the ECB* voicing concerns", where the parse is lost)."""
        tokens: list[Token] = []
        t = cue.i - 1
        start = within.start if within is not None else cue.sent.start
        actor_of = self.index.actor_of
        while t >= start:
            token = cue.doc[t]
            in_list = token.text == "," and t > start and actor_of(cue.doc[t - 1]) is not None \
                and actor_of(cue.doc[t + 1]) is not None  # "Germany, France and Britain"
            if not in_list and (token.is_punct or token.is_space or token.pos_ == "SCONJ"
                                or token.lower_ in BOUNDARY_WORDS or token.tag_ in {"VBD", "VBZ", "VBP", "MD"}):
                break
            tokens.append(token)
            t -= 1
        return self.index.actors_in(tokens, resolve_pronouns=False)

    def _for_phrase(self, verb: Token) -> list[str]:
        """'for Ukraine and its allies, it is seen as ...': the parties of the for-phrase."""
        for child in verb.children:
            if child.dep_ == "prep" and child.lower_ == "for":
                found = self.named_by([c for c in child.children if c.dep_ == "pobj"])
                if found:
                    return found
        return []

    def reporter(self, verb: Token, within: Span | None, through_adjuncts: bool = False) -> list[str]:
        """'Ukraine has said *it* will never accept ...', 'Ushakov said a ceasefire was out of
        the question': who said the reported clause this verb heads; ``through_adjuncts``
        also for a clause hung on it ("said A, *while* B must ...")."""
        climbing = {"xcomp", "conj", "acomp", "advcl"} if through_adjuncts else {"xcomp", "conj", "acomp"}
        v = verb
        for _ in range(4):
            if v.dep_ == "ccomp" and v.head.lemma_.lower() in self.cues.speech_verbs:
                subjects = subjects_of(v.head, within)
                if subjects:
                    return self.named_by(subjects)
                return self._just_before(v.head, within)  # a parse that lost the subject
            if v.dep_ not in climbing or v.head.i == v.i:
                return []
            v = v.head
        return []

    def _subject_holders(self, verb: Token, within: Span | None) -> list[str] | None:
        """Actors of a verb's subject (or passive agent); None when the verb has no subject.
        A subject naming nobody in a reported clause gives way to the reporter; an empty
        "it" to a for-phrase ("for Ukraine, it is ...")."""
        if _controlled_by_object(verb):
            return []  # "urged Kyiv to accept": the urging is the stance, not Kyiv's
        subjects = subjects_of(verb, within)
        agents = [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        if not subjects and not agents:
            return None
        if any(c.dep_ == "nsubjpass" for c in verb.children):
            subjects = []  # "Ukraine has been offered guarantees": the one offered to, not the offerer
        found = self.named_by(subjects) or self.named_by(agents)
        if not found and subjects:
            found = self.reporter(verb, within)
        if not found and (not subjects or subjects[0].lower_ in EXPLETIVES):
            found = self._for_phrase(verb)
        return found


def clause_verb(token: Token) -> Token | None:
    """The verb a word belongs to: itself, or the first verb above it."""
    t = token
    for _ in range(6):
        if is_verbal(t):
            return t
        if t.head.i == t.i:
            return None
        t = t.head
    return None


def _controlled_by_object(verb: Token) -> bool:
    """'X forced *Ukraine* to accept', 'urged *Kyiv* to drop': a "to"-complement whose doer
    is the object of the verb above it."""
    v = verb
    while v.dep_ == "conj" and v.head.i != v.i:
        v = v.head
    return v.dep_ == "xcomp" and any(c.dep_ == "dobj" for c in v.head.children)
