"""Positions: a party's stance on an issue of the negotiation, as a document states it.

The vocabulary is in ``data/issues.toml``: issues with their cue words ("frozen assets"
-> financing) and stances with theirs ("remains resistant" -> oppose). In each sentence:

1. Stance cues are found: not inside an issue cue ("support package" is an issue; "vote
   against" is a stance), in the use they are listed for (``[cue_forms]``: "concerns" as
   a noun, "plan to" as a verb, "threatened" with an object), not in a condition ("unless
   Y agreed to ...", "before it would back ...", "in the event of a deal between
   ..."), not naming a kind of group ("the resistance group"), and not the content of
   another stance ("the plan proposed that *Y pledge* ..."; what a speech verb reports
   stays). A wish leaves the stance to its complement ("plans to *veto* the package"); a
   modal is read on its verb ("X *must* be returned").
2. The holder of each cue (``extract/holders.py``): its possessor, an actor modifying it,
   the subject of the cue or of the verb that states it ("*Belgium* voiced concerns"),
   "opposition *from* X", both sides of an agreement, the members of "the leaders of X
   and Y", the pair a group phrase stands for ("both sides"), the speaker of a quotation
   for "we" or for their own party. What someone "must" do is the stance of whoever says
   so. What a plan calls for is its drafter's proposal ("the US plan envisages ...",
   "according to X's plan, ..."). Persons are kept as persons; they roll up to their
   party in reconcile.
3. The issue: issue cues in what the cue governs (a stance noun's infinitive too: "a
   deadline *for Y to accept* a truce"), else in its clause (leaving out
   circumstances: "after a ceasefire", clauses with their own subject or governed by
   another stance joined by "and" ("demanded X and *rejected Y*"), topics of talks:
   "agreed to talks *on sanctions*", and words that only say which one of another issue
   is meant: "sanctions on *oil* firms"); a cue on an agreement named without its issue
   ("signed *the deal*") takes the issues of the agreement the document last named with
   one; a cue with nothing after it ("X remains resistant") or with a thing already
   named ("rejected the idea") takes the issue of the sentence before when that sentence
   is about exactly one issue; else the one issue the sentence names. Weak cues
   (``direct_only``: "signed", "imposed", "seeks") need an issue they govern.
4. Negation ("does not support", "refused to back", "withheld its approval") flips the
   stance as ``[negation.flip]`` says, or drops it. What a refusal waits for is a demand
   ("will not start talks *until it receives the hostages*").

One position per (actor, issue) per document: the best-grounded one (an issue the cue
governs, then an agreement referred to, then an issue of its clause, then one carried over
from the sentence before, then one named elsewhere in the sentence), then the first. The gold standard scores a
document's positions by (actor, issue), so a second stance on the same pair would only
count against precision. A person's position that their party holds too in the document
counts as the party's (a leader signing for a country), unless the person says it in a
quotation of their own.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from parley.extract.actors import ActorTable
from parley.extract.holders import Parties, clause_verb, holder_cues
from parley.extract.syntax import (
    SUBJECT_DEPS,
    CueIndex,
    CueMatch,
    actor_index,
    cue_form,
    doc_view,
    is_nounish,
    is_verbal,
    segments,
    span_text_offsets,
)
from parley.lexicon import Lexicon
from parley.records import Document, Position, Quote

DIRECT, REFERRED, CLAUSE, INHERITED, SENTENCE = 0, 1, 2, 3, 4  # how directly the issue is tied to the cue
STANCE_HEAD_POS = {"VERB", "AUX", "NOUN", "PROPN", "ADJ"}
COMPLEMENT_DEPS = {"dobj", "prep", "xcomp", "ccomp", "acl", "pobj", "attr", "advcl", "relcl"}


@dataclass
class IssueCues:
    issues: CueIndex
    issue_entities: dict[str, str]  # entity label -> issue ("MONEY" -> financing)
    stances: CueIndex
    negation: set[str]
    flip: dict[str, str]
    circumstance_prepositions: set[str]
    circumstance_subordinators: set[str]
    reference_nouns: set[str]
    reference_pronouns: set[str]
    reference_determiners: set[str]
    content_prepositions: set[str]
    refusal_verbs: set[str]
    talk_words: set[str]
    agreement_nouns: set[str]
    target_prepositions: set[str]
    nouns_only: set[str]
    verbs_only: set[str]
    direct_only: set[str]
    with_object: set[str]
    yield_to_complement: set[str]
    hypothetical: set[str]
    conditional: set[str]
    hypothetical_nouns: set[str]
    demanding_conditions: set[str]
    plan_only: set[str]
    speaker_held: set[str]

    def issues_in(self, segment: Span) -> list[CueMatch]:
        """Issue cues of a segment: words and phrases, and entities of the listed labels."""
        found = self.issues.find(segment)
        if not self.issue_entities:
            return found
        entities = doc_view(segment.doc).entities  # sorted by start
        for start, end, label in entities[bisect.bisect_left(entities, (segment.start,)):]:
            if start >= segment.end:
                break
            if end > segment.end:
                continue
            issue = self.issue_entities.get(label)
            if issue and not any(m.start < end and start < m.end for m in found):
                found.append(CueMatch(issue, label, start, end))
        return sorted(found, key=lambda m: m.start)


def _words(table: dict, section: str, key: str, default: tuple[str, ...] = ()) -> set[str]:
    return {str(w).lower() for w in table.get(section, {}).get(key, default)}


def _stance_cues(table: dict) -> dict[str, list[str]]:
    """Stance cues by stance; what a plan provides for ("envisages") is a proposal."""
    cues = {name: list(spec.get("cues", [])) for name, spec in table.get("stances", {}).items()}
    cues.setdefault("propose", []).extend(table.get("plans", {}).get("provision_cues", []))
    return cues


@lru_cache(maxsize=8)
def issue_cues(lexicon: Lexicon) -> IssueCues:
    table = lexicon["issues"]
    issues = table.get("issues", {})
    return IssueCues(
        issues=CueIndex({name: spec.get("cues", []) for name, spec in issues.items()}, max_gap=2),
        issue_entities={label: name for name, spec in issues.items() for label in spec.get("entity_labels", [])},
        stances=CueIndex(_stance_cues(table)),
        negation=_words(table, "negation", "words", ("not", "n't", "never", "no")),
        flip=dict(table.get("negation", {}).get("flip", {})),
        circumstance_prepositions=_words(table, "circumstances", "prepositions"),
        circumstance_subordinators=_words(table, "circumstances", "subordinators"),
        reference_nouns=_words(table, "reference", "nouns"),
        reference_pronouns=_words(table, "reference", "pronouns"),
        reference_determiners=_words(table, "reference", "determiners"),
        content_prepositions=_words(table, "reference", "content_prepositions"),
        refusal_verbs=_words(table, "negation", "refusal_verbs"),
        talk_words=_words(table, "reference", "talk_words"),
        agreement_nouns=_words(table, "reference", "agreement_nouns"),
        target_prepositions=_words(table, "reference", "target_prepositions"),
        nouns_only=_words(table, "cue_forms", "nouns_only"),
        verbs_only=_words(table, "cue_forms", "verbs_only"),
        direct_only=_words(table, "cue_forms", "direct_only"),
        with_object=_words(table, "cue_forms", "with_object"),
        yield_to_complement=_words(table, "cue_forms", "yield_to_complement"),
        hypothetical=_words(table, "circumstances", "hypothetical"),
        conditional=_words(table, "circumstances", "conditional"),
        hypothetical_nouns=_words(table, "circumstances", "hypothetical_nouns"),
        demanding_conditions=_words(table, "circumstances", "demanding_conditions"),
        plan_only=_words(table, "plans", "provision_cues"),
        speaker_held=_words(table, "cue_forms", "speaker_held"),
    )


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
    without circumstances ("after a ceasefire", "if talks fail"). A noun in an adjunct
    ("before *Trump's deadline* for a truce") is a clause of its own."""
    in_adjunct = is_nounish(cue) and cue.dep_ == "pobj"
    verb = cue if in_adjunct else (clause_verb(cue) or cue)

    def circumstance(c: Token) -> bool:
        if c.dep_ == "prep":
            return c.lower_ in cues.circumstance_prepositions
        if c.dep_ == "advcl":
            return any(m.dep_ == "mark" and m.lower_ in cues.circumstance_subordinators for m in c.children)
        return False

    def another_clause(c: Token, parent: Token) -> bool:
        """'X rejected A, and Y will meet B': a verb joined to the clause's own verb, or
        one with a subject of its own. 'urged Kyiv to drop A and cede B' stays one."""
        return c.dep_ == "conj" and is_verbal(c) and (
            parent.i == verb.i or any(g.dep_ in SUBJECT_DEPS for g in c.children))

    found: set[int] = set()
    stack = [verb]
    while stack:
        t = stack.pop()
        found.add(t.i)
        stack.extend(c for c in t.children if not circumstance(c) and not another_clause(c, t))
    return found


def _core_tokens(cue: Token, cues: IssueCues, issue_starts: set[int] = frozenset()) -> set[int]:
    """What the cue is directly about: its complements, without the clauses hung on them
    ("support *a multinational force* to help secure any ceasefire") unless such a clause
    is an issue phrase itself ("drop its bid *to join NATO*")."""
    found: set[int] = set()
    heads = [c for c in cue.children if c.i > cue.i and (c.dep_ in COMPLEMENT_DEPS - {"advcl", "relcl", "acl"} or (
        is_nounish(cue) and _infinitive(c)))]  # a stance noun's content: "a deadline *for Y to accept* Z"
    if cue.dep_ in {"acomp", "attr", "oprd", "dobj"} and is_verbal(cue.head):
        heads += [c for c in cue.head.children if c.i > cue.i and c.dep_ in {"prep", "xcomp", "dobj"}]
    if cue.dep_ == "relcl":  # "a list of children *that Kyiv wants* returned": the thing wanted
        found.add(cue.head.i)
        heads += [c for c in cue.head.children if c.dep_ in {"prep", "compound", "amod"}]
    stack = list(heads)
    while stack:
        t = stack.pop()
        found.add(t.i)
        stack.extend(c for c in t.children if (c.dep_ not in {"acl", "relcl", "advcl"} or c.i in issue_starts)
                     and not (c.dep_ == "prep" and c.lower_ in cues.circumstance_prepositions))
    return found


def _infinitive(clause: Token) -> bool:
    """'(a call) *to lift* sanctions', '(a deadline) *for Y to accept* a deal'."""
    return clause.dep_ in {"acl", "relcl"} and any(c.tag_ == "TO" for c in clause.children)


def _path_up(token: Token, stop: Token) -> list[Token]:
    """The words from ``token`` up the parse to ``stop`` (or the sentence root), both left out."""
    path: list[Token] = []
    t = token
    while t.head.i != t.i and t.head.i != stop.i and len(path) < 12:
        t = t.head
        path.append(t)
    return path


def _put_on_a_track(verb: Token, cues: IssueCues) -> bool:
    """'put X *on the agenda* of later talks': X is a topic."""
    return any(c.dep_ == "prep" and c.lower_ == "on" and any(
        g.lemma_.lower() in cues.talk_words for g in c.children if g.dep_ == "pobj") for c in verb.children)


def _stated_issues(cue: Token, stance: str, issue_matches: list[CueMatch], cues: IssueCues) -> list[CueMatch]:
    """The issue cues a stance can be about: not the topic of talks agreed on ("agreed to
    *talks on* sanctions"; being ready to discuss one is openness, though), and not a word
    that only says which one of another issue is meant ("sanctions on *oil* firms")."""
    doc = cue.doc
    issue_at = {i: m for m in issue_matches for i in range(m.start, m.end)}
    objects = [c for c in cue.children if c.dep_ == "dobj" and c.i in issue_at]
    kept: list[CueMatch] = []
    for m in issue_matches:
        root = m.head(doc)
        path = _path_up(root, cue)
        if objects and path and path[-1].head.i == cue.i and path[-1].lower_ in cues.target_prepositions:
            path.append(objects[0])  # "imposed sanctions *on oil firms*": the target of the sanctions
        if stance != "open" and (any(t.lemma_.lower() in cues.talk_words for t in path) or any(
                _put_on_a_track(t, cues) for t in [root, *root.conjuncts, *path])):
            continue
        nested = False
        t = root
        for above in path:
            if t.dep_ in {"conj", "appos"}:  # one of a list: "a ceasefire, *a withdrawal*"
                break
            other = issue_at.get(above.i)
            if other is not None and other is not m:
                nested = other.name != m.name
                break
            t = above
        if not nested:
            kept.append(m)
    return kept


@dataclass
class _Before:
    """What the text before a sentence is about: the issues of the sentence just before,
    and those of the agreement the document last named with one ("the ceasefire deal")."""

    previous: list[str]
    agreement: list[str]


def _agreement_issues(sent: Span, issue_matches: list[CueMatch], cues: IssueCues) -> list[str]:
    """The issues of an agreement named in the sentence with them ("a Gaza *ceasefire* deal",
    "a deal *on freeing detainees*")."""
    doc = sent.doc
    for token in sent:
        if token.lemma_.lower() in cues.agreement_nouns:
            phrase = token.head if token.dep_ == "conj" else token  # "a truce and detainee swap *deal*"
            inside = {t.i for t in phrase.subtree}
            named = [m.name for m in issue_matches if m.head(doc).i in inside]
            if named:
                return list(dict.fromkeys(named))
    return []


def _names_the_agreement(cue: Token, core: set[int], cues: IssueCues) -> bool:
    """'signed *the agreement*', 'voted against *the deal*', 'the deal (that) X signed':
    the cue is about an agreement named before."""
    doc = cue.doc
    if cue.dep_ == "relcl" and cue.head.lemma_.lower() in cues.agreement_nouns:
        return True
    return any(doc[i].lemma_.lower() in cues.agreement_nouns for i in core)


def _issues_for(cue: Token, stance: str, issue_matches: list[CueMatch], before: _Before,
                cues: IssueCues, others: set[int] = frozenset()) -> tuple[list[str], int]:
    """Issues of the cue's clause; for a cue about an agreement named before, its issues;
    for a bare cue, the one issue of the sentence before; else the one issue named in the
    sentence. Returns them with how they were found. What another stance cue joined to
    this one by "and" governs (``others``, their words) is that cue's."""
    issue_matches = [m for m in _stated_issues(cue, stance, issue_matches, cues) if m.start not in others]
    core = _core_tokens(cue, cues, {m.start for m in issue_matches})
    clause = _clause_tokens(cue, cues)
    direct = [m.name for m in issue_matches if m.start in core or (m.end - 1) in core]
    if direct:
        return list(dict.fromkeys(direct)), DIRECT
    in_clause = [m.name for m in issue_matches if m.start in clause or (m.end - 1) in clause]
    if before.agreement and _names_the_agreement(cue, core, cues):
        return list(dict.fromkeys(before.agreement + in_clause)), REFERRED
    if in_clause:
        return list(dict.fromkeys(in_clause)), CLAUSE
    previous = before.previous
    if len(previous) == 1 and _is_bare(cue, cues):
        return previous, INHERITED
    verb = clause_verb(cue) or cue
    beside = {t.i for c in verb.subtree if c.i != verb.i and is_verbal(c) and (
        (c.dep_ == "conj" and c.head.i == verb.i)
        or (c.dep_ in {"conj", "advcl"} and any(g.dep_ in SUBJECT_DEPS for g in c.children))) for t in c.subtree}
    named = list(dict.fromkeys(m.name for m in issue_matches if m.start not in beside))
    if len(named) == 1:  # not from another clause joined to the cue's: "wants X, while Y seeks Z"
        return named, SENTENCE
    return [], INHERITED


# --------------------------------------------------------------------------- stances


def _negated(match: CueMatch, doc: Doc, negation: set[str], refusal_verbs: set[str]) -> bool:
    cue_words = {cue_form(doc[i].lower_) for i in range(match.start, match.end)}
    if cue_words & negation:
        return False  # the negation is part of the cue: "will not accept"
    head = match.head(doc)
    if head.dep_ in {"xcomp", "dobj"} and head.head.lemma_.lower() in refusal_verbs:
        return True  # "refused to back it", "withheld its approval"
    verb = clause_verb(head)
    for t in {head, verb} - {None}:
        for c in t.children:
            if c.dep_ in {"neg", "det"} and cue_form(c.lower_) in negation:
                return True
    return False


def _stance(match: CueMatch, doc: Doc, cues: IssueCues) -> str | None:
    if _negated(match, doc, cues.negation, cues.refusal_verbs):
        return cues.flip.get(match.name)
    return match.name


def _in_its_use(match: CueMatch, head: Token, cues: IssueCues) -> bool:
    """A cue listed as a noun only or a verb only is used as one ("this *concerns* X" is not
    a concern; "the *plan to* X" is not a party planning), and no cue names a kind of
    thing ("the *resistance* group")."""
    phrase = match.phrase.lower()
    if head.dep_ == "compound":
        return False  # a name's modifier: "the *resistance* group", "the *opposition* leader"
    if phrase in cues.nouns_only:
        return is_nounish(head)
    if phrase in cues.verbs_only:
        return is_verbal(head)
    if phrase in cues.with_object:  # "threatened new sanctions", "the sanctions it threatened"
        return head.dep_ == "relcl" or any(c.dep_ == "dobj" for c in head.children)
    return True


def _hypothetical(head: Token, cues: IssueCues) -> bool:
    """A cue in a condition ("unless Y *agreed* to a truce", "guarantees before it *would
    back* a truce") states no stance."""
    t = head
    for _ in range(8):
        marks = {c.lower_ for c in t.children if c.dep_ == "mark"} if t.dep_ == "advcl" else set()
        if marks & cues.hypothetical:
            return True
        if marks & cues.conditional and (t.tag_ in {"VB", "VBP", "VBZ"} or any(
                c.tag_ == "MD" for c in t.children)):
            return True  # not "before Russia agreed", a thing that happened
        if t.lemma_.lower() in cues.hypothetical_nouns and t.dep_ == "pobj" and t.head.lower_ == "in":
            return True  # "in the event of a deal between X and Y"
        if t.head.i == t.i:
            return False
        t = t.head
    return False


def _overlaps(match: CueMatch, others: list[CueMatch]) -> bool:
    return any(match.start < o.end and o.start < match.end for o in others)


@dataclass
class _Found:
    position: Position
    quality: int
    order: int


def _cue_head(match: CueMatch, doc: Doc) -> Token:
    head = match.head(doc)
    if head.tag_ == "MD" and head.head.i != head.i:
        return head.head  # "X *must* be brought back": the verb the modal goes with
    if head.pos_ == "ADP" and match.end - match.start > 1 and head.head.i != head.i:
        return head.head  # "a ceasefire *was* out of the question", "X *is* in favour of Y"
    return head


def _content(clause: Token) -> set[int]:
    """A complement clause without the clauses hung on it ("..., *while Y asks for ...*")."""
    found: set[int] = set()
    stack = [clause]
    while stack:
        t = stack.pop()
        found.add(t.i)
        stack.extend(c for c in t.children if c.dep_ != "advcl")
    return found


def _stance_cues_in(sent: Span, stance_matches: list[CueMatch], issue_matches: list[CueMatch],
                    cues: IssueCues, speech_verbs: frozenset[str]) -> list[tuple[CueMatch, Token]]:
    """The stance cues of a sentence that state a stance, with their head words: not inside
    an issue cue, in their use, not in a condition, and not the content of another stance
    ("X proposed that *Y pledge* ..." is X's proposal; what a speech verb reports stays:
    "insisted that Y *will never accept*"). A wish whose complement is a stance cue leaves
    the stance to it ("plans to *veto* the package")."""
    doc = sent.doc
    usable = []
    for match in stance_matches:
        head = _cue_head(match, doc)
        if _overlaps(match, issue_matches) or head.pos_ not in STANCE_HEAD_POS \
                or not _in_its_use(match, head, cues) or _hypothetical(head, cues):
            continue
        usable.append((match, head))
    heads = {head.i for _, head in usable}
    wishes = {head.i for match, head in usable if match.phrase.lower() in cues.yield_to_complement
              and any(c.dep_ == "xcomp" and c.i in heads for c in head.children)}
    contents: set[int] = set()
    for _, head in usable:
        if head.i not in wishes and head.lemma_.lower() not in speech_verbs:
            contents |= {i for c in head.children if c.dep_ in {"ccomp", "xcomp"} and c.i > head.i
                         for i in _content(c)}
    return [(match, head) for match, head in usable if head.i not in wishes and head.i not in contents]


def _sentence_positions(document: Document, sent: Span, issue_matches: list[CueMatch],
                        before: _Before, cues: IssueCues, parties: Parties) -> list[_Found]:
    doc = sent.doc
    evidence, start, end = span_text_offsets(sent)
    found: list[_Found] = []
    stance_matches = cues.stances.find(sent)
    # where a stance cue and an issue cue overlap, the longer is meant: "*support package*"
    # is an issue, "*vote against*" a stance
    issue_matches = [m for m in issue_matches if not any(
        _overlaps(m, [s]) and s.end - s.start > m.end - m.start for s in stance_matches)]
    usable = _stance_cues_in(sent, stance_matches, issue_matches, cues, parties.cues.speech_verbs)
    for match, head in usable:
        others = {t.i for _, h in usable if h.i != head.i and h.dep_ == "conj" and h.i > head.i for t in h.subtree}
        stance = _stance(match, doc, cues)
        if stance is None:
            continue
        owners = parties.plan_owners(head, sent)
        if owners and stance in {"demand", "propose"}:
            stance = "propose"  # what a plan calls for, its drafter proposes
        elif match.phrase.lower() in cues.plan_only:
            continue
        if head.lower_ == "according":  # "according to the plan, X would ...": the sentence is its content
            inside = {t.i for t in head.subtree}
            issues, quality = list(dict.fromkeys(m.name for m in issue_matches if m.start not in inside)), DIRECT
        else:
            issues, quality = _issues_for(head, stance, issue_matches, before, cues, others)
        if not issues or (quality > REFERRED and match.phrase.lower() in cues.direct_only):
            continue
        speaker_held = match.phrase.lower() in cues.speaker_held
        for actor in owners or parties.holders(head, sent, speaker_held):
            for issue in issues:
                found.append(_Found(Position(
                    document=document.source, actor=actor, issue=issue, stance=stance,
                    evidence=evidence, start=start, end=end, cue=doc[match.start: match.end].text,
                ), quality, match.start))
    for condition, verb in _refusals_until(sent, cues):
        inside = {t.i for t in condition.subtree}
        for issue in dict.fromkeys(m.name for m in issue_matches if m.start in inside):
            for actor in parties.holders(verb, sent):
                found.append(_Found(Position(
                    document=document.source, actor=actor, issue=issue, stance="demand",
                    evidence=evidence, start=start, end=end, cue=condition.text,
                ), DIRECT, condition.i))
    return found


def _refusals_until(sent: Span, cues: IssueCues) -> list[tuple[Token, Token]]:
    """'X will not start talks *until it receives the hostages*': what a refusal waits for is
    a demand. Returns each such clause's verb with the refused verb."""
    found = []
    for t in sent:
        if t.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in cues.demanding_conditions for c in t.children) \
                and any(c.dep_ == "neg" and cue_form(c.lower_) in cues.negation for c in t.head.children):
            found.append((t, t.head))
    return found


def find_positions(document: Document, doc: Doc, actors: ActorTable, lexicon: Lexicon,
                   quotes: Iterable[Quote] = ()) -> list[Position]:
    """Each party's stance on each issue the document states, one per (actor, issue); a
    stance said in a quotation of the document's ``quotes`` can be its speaker's."""
    cues = issue_cues(lexicon)
    parties = Parties(actor_index(doc, actors, lexicon), holder_cues(lexicon), quotes)
    found: list[_Found] = []
    before = _Before(previous=[], agreement=[])
    for sent in segments(doc):
        issue_matches = cues.issues_in(sent)
        before.agreement = _agreement_issues(sent, issue_matches, cues) or before.agreement
        here = _sentence_positions(document, sent, issue_matches, before, cues, parties)
        found.extend(here)
        # the issues its stances are about, else every issue it names
        before.previous = list(dict.fromkeys(f.position.issue for f in here)) or list(
            dict.fromkeys(m.name for m in issue_matches))
    return _one_per_actor_and_issue(found, actors, quotes)


def _one_per_actor_and_issue(found: list[_Found], actors: ActorTable, quotes: Iterable[Quote] = ()) -> list[Position]:
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
    # a leader signing for their country: the country's stance, stated in the document, says it
    # (not what the person says in their own words, quoted)
    said_by_party = {(f.position.actor, f.position.issue, f.position.stance) for f in kept}
    own_words = {(q.speaker, q.start) for q in quotes if q.speaker}
    return [f.position for f in kept if not _speaks_for(f.position, said_by_party, actors) or any(
        speaker == f.position.actor and f.position.start <= start < f.position.end for speaker, start in own_words)]


def _speaks_for(position: Position, said_by_party: set[tuple[str, str, str]], actors: ActorTable) -> bool:
    """A person's position that their party holds too in the document."""
    actor = actors.get(position.actor)
    return actor is not None and actor.kind == "person" and bool(actor.affiliation) and (
        actor.affiliation, position.issue, position.stance) in said_by_party
