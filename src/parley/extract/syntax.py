"""Syntax helpers that several extractors share (events, positions, framing).

A per-document view of the parse computed once (``doc_view``), the document cut into
sentences and lines (``segments``), cue phrases matched on lemmas (``CueIndex``), subjects
and phrases read off the dependency tree (``subjects_of``, ``phrase_tokens``,
``head_phrase``), quotation ranges, and the actor mentions seen token by token
(``ActorIndex``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable

from spacy.tokens import Doc, Span, Token

from parley.extract.actors import ActorTable, gazetteer
from parley.lexicon import Lexicon
from parley.nlp import span_text

SUBJECT_DEPS = {"nsubj", "nsubjpass"}
CLAUSE_DEPS = {"relcl", "advcl", "ccomp", "csubj", "parataxis"}
MODIFIER_DEPS = {"compound", "amod", "poss", "nmod", "npadvmod"}
RELATIVE_PRONOUNS = {"who", "which", "that", "whom"}
RELATIVE_TAGS = {"WDT", "WP", "WP$", "WRB"}
VERBAL = {"VERB", "AUX"}
GAP_POS = {"ADJ", "PROPN", "NOUN", "DET", "NUM", "ADV", "PART"}


def cue_form(word: str) -> str:
    """A word as cues and triggers are matched: lower case, curly apostrophes made straight."""
    return word.lower().replace("’", "'")


def token_forms(token: Token) -> set[str]:
    """The cue forms of a token as written and of its lemma."""
    return {cue_form(token.text), cue_form(token.lemma_)}


@dataclass
class DocView:
    """Per-document values that several extractors read token by token, computed once."""

    doc: Doc
    forms: list[tuple[str, str]]  # cue forms (as written, of the lemma) of each token
    pos: list[str]
    segments: list[Span]
    entities: list[tuple[int, int, str]]  # (start, end, label) of each named entity


_LAST_VIEW: list[DocView] = []  # the view of the document being extracted
_LAST_INDEX: list["ActorIndex"] = []  # its actor index


def doc_view(doc: Doc) -> DocView:
    """The DocView of a parsed document (kept for the one document being extracted)."""
    if _LAST_VIEW and _LAST_VIEW[0].doc is doc:
        return _LAST_VIEW[0]
    forms = [(cue_form(t.text), cue_form(t.lemma_)) for t in doc]
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
    match = DATELINE.match(span_text(span))
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
    text = span_text(span)
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
                words = tuple(cue_form(w) for w in str(phrase).split())
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
        lower, lemma = view.forms[i]
        if lower not in self._by_first and lemma not in self._by_first:
            return None
        limit = len(doc) if limit is None else limit
        best: CueMatch | None = None
        # the word as written, then its lemma: a tie between two cues goes to the first in every
        # process (a set of the two would change its order with Python's hash seed)
        for form in dict.fromkeys(view.forms[i]):
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
                stack.extend(x for x in c.children if x.dep_ == "conj" and not is_verbal(x))
                continue
            stack.append(c)
    return sorted(found, key=lambda t: t.i)


def head_phrase(head: Token) -> list[Token]:
    """A noun phrase without its prepositional phrases, appositions and clauses: the
    phrase that names who acts ("the framework *of the plan*" names nobody)."""
    return phrase_tokens(head, prune=lambda c: c.dep_ in {"prep", "appos", "acl"})


def _verbs_above(token: Token) -> list[Token]:
    """The verbs on the way from a word up to its sentence's root, nearest first."""
    verbs = []
    t = token
    while t.head is not t and len(verbs) < 8:
        t = t.head
        if t.pos_ in VERBAL:
            verbs.append(t)
    return verbs


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

    def mention_tokens(self, token: Token) -> set[int]:
        """The indices of the tokens of the actor mention a token is part of (none: empty)."""
        key = self._mention_of.get(token.i)
        if key is None:
            return set()
        return {i for i, k in self._mention_of.items() if k == key}

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
        """he/she/his/her: as a subject or possessor, the person who is the subject of a
        clause above it ("Lopez phoned Olsen and said *she* ...", "During a call with
        *her* counterpart, Lopez said"); as an object, the latest person other than its
        clause's subject ("... she would see *him*"); else the latest person before it."""
        gender = self.pronoun_genders.get(token.lower_)
        if not gender:
            return None
        genders = getattr(self.actors, "genders", {})

        def fits(actor_id: str | None) -> bool:
            return actor_id is not None and self.kind_of(actor_id) == "person" \
                and genders.get(actor_id, gender) in (gender, "", None)

        if token.dep_ in SUBJECT_DEPS or token.dep_ == "poss":
            found = next((a for a in self._subjects_above(token) if fits(a)), None)
            if found is not None:
                return found
        excluded = set()
        if token.dep_ in {"dobj", "pobj", "dative"}:
            excluded = {a for v in _verbs_above(token)[:1] for s in subjects_of(v) if (a := self.actor_of(s))}
        for candidate in self.actors.persons_before(token.idx):
            if fits(candidate) and candidate not in excluded:
                return candidate
        return None

    def _subjects_above(self, token: Token) -> list[str]:
        """The actors that are subjects of the clauses a word is in, nearest first (not the
        word itself)."""
        found = []
        for verb in _verbs_above(token):
            for subject in subjects_of(verb):
                actor = self.actor_of(subject)
                if subject.i != token.i and actor is not None and actor not in found:
                    found.append(actor)
        return found

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
