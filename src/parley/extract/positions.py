"""Positions: a party's stance on an issue of the negotiation, as a document states it.

The vocabulary is in ``data/issues.toml``: issues with their cue words ("frozen assets"
-> financing) and stances with theirs ("remains resistant" -> oppose). In each sentence:

1. Stance cues are found (not inside an issue cue: "support package" is an issue).
2. The holder of each cue: its possessor ("*Ukraine's* red lines"), an actor modifying it
   ("*French* opposition", "*US*-backed"), the subject of the cue or of the verb it is the
   object of ("*Belgium* voiced concerns", "*the EU* is proposing"), an agent ("proposed
   by *the EU*"), or "for X, it is ..." when the subject names nobody. Names that only
   modify a named person are skipped: "*Belgian* Prime Minister Bart De Wever" is De
   Wever. Persons are kept as persons; they roll up to their party in reconcile.
3. The issue: issue cues in the cue's clause (leaving out circumstances: "after a
   ceasefire"); a cue with nothing after it ("X remains resistant", "Y have shown
   reluctance") or with a thing already named ("rejected the idea") takes the issue of
   the sentence before when that sentence is about exactly one issue (the issue of its
   stances, else the one it names); else the issues named anywhere in the sentence.
4. Negation ("does not support") flips the stance as ``[negation.flip]`` says, or drops it.

One position per (actor, issue) per document: the best-grounded one (an issue in the
cue's own clause, then one carried over from the sentence before, then one named
elsewhere in the sentence), then the first. The gold standard scores a document's positions by (actor, issue), so a second
stance on the same pair would only count against precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from parley.extract.actors import ActorTable
from parley.extract.syntax import (
    SUBJECT_DEPS,
    ActorIndex,
    CueIndex,
    CueMatch,
    actor_index,
    doc_view,
    head_phrase,
    is_nounish,
    is_verbal,
    segments,
    span_text_offsets,
    subjects_of,
)
from parley.lexicon import Lexicon
from parley.records import Document, Position

DIRECT, INHERITED, SENTENCE = 0, 1, 2  # how directly the issue is tied to the stance cue
STANCE_HEAD_POS = {"VERB", "AUX", "NOUN", "PROPN", "ADJ"}
COMPLEMENT_DEPS = {"dobj", "prep", "xcomp", "ccomp", "acl", "pobj", "attr", "advcl", "relcl"}
BOUNDARY_WORDS = {"with", "while", "but", "whereas", "although", "though", "as", "because"}
EXPLETIVES = {"it", "this", "that", "there"}


@dataclass
class IssueCues:
    issues: CueIndex
    issue_entities: dict[str, str]  # entity label -> issue ("MONEY" -> financing)
    stances: CueIndex
    negation: set[str]
    flip: dict[str, str]
    circumstance_prepositions: set[str]
    circumstance_subordinators: set[str]
    speech_verbs: set[str]
    reference_nouns: set[str]
    reference_pronouns: set[str]
    reference_determiners: set[str]
    content_prepositions: set[str]
    refusal_verbs: set[str]

    def issues_in(self, segment: Span) -> list[CueMatch]:
        """Issue cues of a segment: words and phrases, and entities of the listed labels."""
        found = self.issues.find(segment)
        if not self.issue_entities:
            return found
        for start, end, label in doc_view(segment.doc).entities:
            if start < segment.start or end > segment.end:
                continue
            issue = self.issue_entities.get(label)
            if issue and not any(m.start < end and start < m.end for m in found):
                found.append(CueMatch(issue, label, start, end))
        return sorted(found, key=lambda m: m.start)


def _words(table: dict, section: str, key: str, default: tuple[str, ...] = ()) -> set[str]:
    return {str(w).lower() for w in table.get(section, {}).get(key, default)}


@lru_cache(maxsize=8)
def issue_cues(lexicon: Lexicon) -> IssueCues:
    table = lexicon["issues"]
    issues = table.get("issues", {})
    return IssueCues(
        issues=CueIndex({name: spec.get("cues", []) for name, spec in issues.items()}, max_gap=2),
        issue_entities={label: name for name, spec in issues.items() for label in spec.get("entity_labels", [])},
        stances=CueIndex({name: spec.get("cues", []) for name, spec in table.get("stances", {}).items()}),
        negation=_words(table, "negation", "words", ("not", "n't", "never", "no")),
        flip=dict(table.get("negation", {}).get("flip", {})),
        circumstance_prepositions=_words(table, "circumstances", "prepositions"),
        circumstance_subordinators=_words(table, "circumstances", "subordinators"),
        speech_verbs={w.lower() for w in lexicon["language"].get("speech_verbs", [])},
        reference_nouns=_words(table, "reference", "nouns"),
        reference_pronouns=_words(table, "reference", "pronouns"),
        reference_determiners=_words(table, "reference", "determiners"),
        content_prepositions=_words(table, "reference", "content_prepositions"),
        refusal_verbs=_words(table, "negation", "refusal_verbs"),
    )


# --------------------------------------------------------------------------- holders


def _clause_verb(token: Token) -> Token | None:
    """The verb a word belongs to: itself, or the first verb above it."""
    t = token
    for _ in range(6):
        if is_verbal(t):
            return t
        if t.head is t:
            return None
        t = t.head
    return None


def _named_by(heads: list[Token], index: ActorIndex) -> list[str]:
    """The actors these noun phrases name (without their prepositional phrases)."""
    found: list[str] = []
    for head in heads:
        found += [a for a in index.actors_in(head_phrase(head)) if a not in found]
    return found


def _actors_just_before(cue: Token, index: ActorIndex, within: Span | None) -> list[str]:
    """Names in the stretch right before a cue, back to the clause boundary
    ("with *Belgium and the ECB* voicing concerns", where the parse is lost)."""
    tokens: list[Token] = []
    t = cue.i - 1
    start = within.start if within is not None else cue.sent.start
    while t >= start:
        token = cue.doc[t]
        in_list = token.text == "," and t > start and index.actor_of(cue.doc[t - 1]) is not None \
            and index.actor_of(cue.doc[t + 1]) is not None  # "Germany, France and Britain"
        if not in_list and (token.is_punct or token.is_space or token.pos_ == "SCONJ"
                            or token.lower_ in BOUNDARY_WORDS or token.tag_ in {"VBD", "VBZ", "VBP", "MD"}):
            break
        tokens.append(token)
        t -= 1
    return index.actors_in(tokens, resolve_pronouns=False)


def _for_phrase_actors(verb: Token, index: ActorIndex) -> list[str]:
    """'for Ukraine and its allies, it is seen as ...': the parties of the for-phrase."""
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ == "for":
            found = _named_by([c for c in child.children if c.dep_ == "pobj"], index)
            if found:
                return found
    return []


def _reporter(verb: Token, index: ActorIndex, speech_verbs: set[str], within: Span | None) -> list[str]:
    """'Ukraine has said *it* will never accept ...', 'Ushakov said a ceasefire was out of
    the question': who said the reported clause this verb heads."""
    v = verb
    for _ in range(4):
        if v.dep_ == "ccomp" and v.head.lemma_.lower() in speech_verbs:
            subjects = subjects_of(v.head, within)
            if subjects:
                return _named_by(subjects, index)
            return _actors_just_before(v.head, index, within)  # a parse that lost the subject
        if v.dep_ not in {"xcomp", "conj", "acomp"} or v.head is v:
            return []
        v = v.head
    return []


def _subject_holders(verb: Token, index: ActorIndex, within: Span | None,
                     speech_verbs: set[str] = frozenset()) -> list[str] | None:
    """Actors of a verb's subject (or passive agent); None when the verb has no subject.
    A subject naming nobody in a reported clause gives way to the reporter ("Slovakia said
    *it* opposed ..."); an empty "it" to a for-phrase ("for Ukraine, it is ...")."""
    subjects = subjects_of(verb, within)
    agents = [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    if not subjects and not agents:
        return None
    if any(c.dep_ == "nsubjpass" for c in verb.children):
        subjects = []  # "Ukraine has been offered guarantees": the one offered to, not the offerer
    found = _named_by(subjects, index) or _named_by(agents, index)
    if not found and subjects:
        found = _reporter(verb, index, speech_verbs, within)
    if not found and (not subjects or subjects[0].lower_ in EXPLETIVES):
        found = _for_phrase_actors(verb, index)
    return found


def _modifier_actors(cue: Token, index: ActorIndex) -> list[str]:
    """'*French and Italian* opposition', '*EU* ban', '*US*-backed': names modifying the cue."""
    words: list[Token] = []
    for child in cue.children:
        if child.dep_ in {"compound", "amod", "nmod", "npadvmod"}:
            words += [child, *child.conjuncts]
            words += [c for w in [child, *child.conjuncts] for c in w.children if c.dep_ == "compound"]
    return index.actors_in(words, resolve_pronouns=False)


def stance_holders(cue: Token, index: ActorIndex, within: Span | None = None,
                   speech_verbs: set[str] = frozenset()) -> list[str]:
    """Who holds the stance a cue word expresses; a person who reports their own party's
    stance holds it for the party ("Zelensky said *Kyiv* favoured ..." is Zelensky's)."""
    holders = _holders(cue, index, within, speech_verbs)
    verb = _clause_verb(cue)
    if verb is None or len(holders) != 1:
        return holders
    speakers = _reporter(verb, index, speech_verbs, within)
    speaker = index.actors.get(speakers[0]) if len(speakers) == 1 else None
    if speaker is not None and speaker.kind == "person" and speaker.affiliation == holders[0]:
        return [speaker.id]
    return holders


def _holders(cue: Token, index: ActorIndex, within: Span | None, speech_verbs: set[str]) -> list[str]:
    """Who holds the stance of a cue word, by the parse (see the module docstring); ``within``
    is the sentence, beyond which the parse is not trusted."""
    found = _named_by([c for c in cue.children if c.dep_ == "poss"], index) or _modifier_actors(cue, index)
    if found:
        return found
    if is_nounish(cue):
        if cue.dep_ in {"dobj", "attr", "oprd"} and is_verbal(cue.head):
            holders = _subject_holders(cue.head, index, within, speech_verbs)
            return holders or []
        if cue.dep_ in SUBJECT_DEPS or cue.dep_ == "pobj":
            return []  # "the proposal is a minefield", "evolved from a proposal"
        return _actors_just_before(cue, index, within)
    verb = cue if is_verbal(cue) else (cue.head if cue.dep_ in {"acomp", "xcomp", "oprd"} else None)
    if verb is None:
        if cue.dep_ == "amod":  # "the reluctant Belgian government"
            return _named_by([cue.head], index)
        return []
    holders = _subject_holders(verb, index, within, speech_verbs)
    return holders if holders is not None else _actors_just_before(cue, index, within)


# --------------------------------------------------------------------------- issues


def _refers_back(token: Token, cues: IssueCues) -> bool:
    """'the idea', 'this proposal', 'it': a thing already named."""
    if token.lower_ in cues.reference_pronouns:
        return True
    return token.lemma_.lower() in cues.reference_nouns and any(
        c.dep_ == "det" and c.lower_ in cues.reference_determiners for c in token.children) and not any(
        c.dep_ in {"acl", "relcl"} or (c.dep_ == "prep" and c.lower_ in cues.content_prepositions)
        for c in token.children)


def _is_bare(cue: Token, cues: IssueCues) -> bool:
    """A cue that leaves what it is about to the context: nothing after it ("X remains
    resistant", "Y have shown reluctance") or a thing already named ("rejected the idea")."""
    for c in cue.children:
        if c.i < cue.i or c.dep_ not in COMPLEMENT_DEPS:
            continue
        objects = [c] if c.dep_ != "prep" else [g for g in c.children if g.dep_ == "pobj"]
        if not objects or not all(_refers_back(o, cues) for o in objects):
            return False
    return True


def _clause_tokens(cue: Token, cues: IssueCues) -> set[int]:
    """The cue's clause: its verb's subtree without clauses joined to it by "and"/"but" and
    without circumstances ("after a ceasefire", "if talks fail")."""
    verb = _clause_verb(cue) or cue

    def circumstance(c: Token) -> bool:
        if c.dep_ == "prep":
            return c.lower_ in cues.circumstance_prepositions
        if c.dep_ == "advcl":
            return any(m.dep_ == "mark" and m.lower_ in cues.circumstance_subordinators for m in c.children)
        return False

    found: set[int] = set()
    stack = [verb]
    while stack:
        t = stack.pop()
        found.add(t.i)
        stack.extend(c for c in t.children
                     if not circumstance(c) and not (c.dep_ == "conj" and is_verbal(c)))
    return found


def _core_tokens(cue: Token, cues: IssueCues) -> set[int]:
    """What the cue is directly about: its complements, without the clauses hung on them
    ("support *a multinational force* to help secure any ceasefire")."""
    found: set[int] = set()
    heads = [c for c in cue.children if c.i > cue.i and c.dep_ in COMPLEMENT_DEPS - {"advcl", "relcl", "acl"}]
    if cue.dep_ in {"acomp", "attr", "oprd", "dobj"} and is_verbal(cue.head):
        heads += [c for c in cue.head.children if c.i > cue.i and c.dep_ in {"prep", "xcomp", "dobj"}]
    stack = list(heads)
    while stack:
        t = stack.pop()
        found.add(t.i)
        stack.extend(c for c in t.children if c.dep_ not in {"acl", "relcl", "advcl"} and not (
            c.dep_ == "prep" and c.lower_ in cues.circumstance_prepositions))
    return found


def _issues_for(cue: Token, issue_matches: list[CueMatch], previous: list[str],
                cues: IssueCues) -> tuple[list[str], int]:
    """Issues of the cue's clause; for a bare cue, the one issue of the sentence before;
    else the issues named anywhere in the sentence. Returns them with how they were found."""
    core = _core_tokens(cue, cues)
    clause = _clause_tokens(cue, cues)
    for scope in (core, clause):
        direct = [m.name for m in issue_matches if m.start in scope or (m.end - 1) in scope]
        if direct:
            return list(dict.fromkeys(direct)), DIRECT
    if len(previous) == 1 and _is_bare(cue, cues):
        return previous, INHERITED
    if issue_matches:
        return list(dict.fromkeys(m.name for m in issue_matches)), SENTENCE
    return [], INHERITED


# --------------------------------------------------------------------------- stances


def _negated(match: CueMatch, doc: Doc, negation: set[str], refusal_verbs: set[str]) -> bool:
    cue_words = {doc[i].lower_.replace("’", "'") for i in range(match.start, match.end)}
    if cue_words & negation:
        return False  # the negation is part of the cue: "will not accept"
    head = match.head(doc)
    if head.dep_ == "xcomp" and head.head.lemma_.lower() in refusal_verbs:
        return True  # "refused to back it"
    verb = _clause_verb(head)
    for t in {head, verb} - {None}:
        for c in t.children:
            if c.dep_ in {"neg", "det"} and c.lower_.replace("’", "'") in negation:
                return True
    return False


def _stance(match: CueMatch, doc: Doc, cues: IssueCues) -> str | None:
    if _negated(match, doc, cues.negation, cues.refusal_verbs):
        return cues.flip.get(match.name)
    return match.name


def _overlaps(match: CueMatch, others: list[CueMatch]) -> bool:
    return any(match.start < o.end and o.start < match.end for o in others)


@dataclass
class _Found:
    position: Position
    quality: int
    order: int


def _sentence_positions(document: Document, sent: Span, issue_matches: list[CueMatch],
                        previous: list[str], cues: IssueCues, index: ActorIndex) -> list[_Found]:
    doc = sent.doc
    evidence, start, end = span_text_offsets(sent)
    found: list[_Found] = []
    for match in cues.stances.find(sent):
        if _overlaps(match, issue_matches):
            continue
        head = match.head(doc)
        if head.pos_ not in STANCE_HEAD_POS:
            continue
        stance = _stance(match, doc, cues)
        if stance is None:
            continue
        issues, quality = _issues_for(head, issue_matches, previous, cues)
        if not issues:
            continue
        for actor in stance_holders(head, index, sent, cues.speech_verbs):
            for issue in issues:
                found.append(_Found(Position(
                    document=document.source, actor=actor, issue=issue, stance=stance,
                    evidence=evidence, start=start, end=end, cue=doc[match.start: match.end].text,
                ), quality, match.start))
    return found


def find_positions(document: Document, doc: Doc, actors: ActorTable, lexicon: Lexicon) -> list[Position]:
    """Each party's stance on each issue the document states, one per (actor, issue)."""
    cues = issue_cues(lexicon)
    index = actor_index(doc, actors, lexicon)
    found: list[_Found] = []
    previous: list[str] = []  # what the sentence before is about
    for sent in segments(doc):
        issue_matches = cues.issues_in(sent)
        here = _sentence_positions(document, sent, issue_matches, previous, cues, index)
        found.extend(here)
        # the issues its stances are about, else every issue it names
        previous = list(dict.fromkeys(f.position.issue for f in here)) or list(
            dict.fromkeys(m.name for m in issue_matches))
    return _one_per_actor_and_issue(found, actors)


def _one_per_actor_and_issue(found: list[_Found], actors: ActorTable) -> list[Position]:
    """The best-grounded position per (actor, issue), then the first; a person and the party
    they speak for, stated in one sentence on one issue, count once (the first named)."""
    best: dict[tuple[str, str], _Found] = {}
    for f in found:
        key = (f.position.actor, f.position.issue)
        if key not in best or (f.quality, f.order) < (best[key].quality, best[key].order):
            best[key] = f
    kept: list[_Found] = []
    for f in sorted(best.values(), key=lambda f: f.order):
        actor = actors.get(f.position.actor)
        party = actor.affiliation if actor is not None and actor.kind == "person" and actor.affiliation else f.position.actor
        if any(k.position.issue == f.position.issue and k.position.start == f.position.start
               and party in (k.position.actor, getattr(actors.get(k.position.actor), "affiliation", None))
               for k in kept):
            continue
        kept.append(f)
    return [f.position for f in kept]
