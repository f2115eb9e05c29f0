"""Direct quotations and who said them.

A quotation is the text between a pair of quotation marks (``quotation_marks``), four
words or longer, and not a name in quotation marks (a press conference called "Results
of the Year", a plan's name). Who said it is found in two steps, as in the deterministic
sieve of Muzny et al. (2017): first the words that name the speaker (a *mention*), then
the actor they name.

The mention, by the first of these that finds one:

1. a signature after the quote ("... ” — Volodymyr Zelensky");
2. a speech verb in the quote's sentence, outside it: its subject ("...," she told
   reporters; "...," stressed Putin aide Yuri Ushakov; Umerov said: "...");
3. "according to X" in the sentence;
4. a colon before the quote: the subject of the clause it ends, or a person it names
   ("Quote from Umerov: ...");
5. the next sentence, when it attributes the quote ("Ryabkov made this statement in an
   interview", "The words were those of X", a short "Ignatius writes.");
6. the speaker of the quotation just before, when this one goes on from it with nobody
   else named or speaking between (a speech in several quotations, a list of quotes);
7. the speaker of the nearest speech reported before it in the same passage ("... what
   the Russian president said." and a list of quotations under it).

The actor, from the mention:

- a name: the person named, never a possessor ("Putin's aide, Yuri Ushakov" is Ushakov)
  nor the object of a preposition ("an adviser to Putin");
- a pronoun: the most salient person before it, by gender when known: the subjects and
  quoted speakers of the sentences before it, nearest first (names inside quotations
  do not count);
- an organization or country speaking ("Hamas said", "the Kremlin said"): that actor;
  "the group", "the ministry": the organization last named that fits;
- a description: a definite one ("the Belgian prime minister", "Moscow's top diplomat",
  "Putin's spokesman") names the one person of the article whose office and country fit
  (``parley.roles``; the reconcile stage tries the corpus, then the known actors); "the
  official" names the person the passage is about; an indefinite one ("a senior
  official") or a group ("the leaders", "the joint statement") names nobody. Either way
  the words are kept as ``speaker_text`` so a reader can check.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from parley.extract.actors import ActorTable, gazetteer
from parley.extract.quotation_marks import quotation_spans
from parley.extract.syntax import actor_index
from parley.lexicon import Lexicon
from parley.nlp import doc_text
from parley.records import Document, Quote
from parley.roles import describe, resolve, role_table

MIN_WORDS = 4
# A signature after a quotation: "... ” — Name", or a dash line under a pull quote.
DASH_ATTRIBUTION = re.compile(r"^(?:[ \t>]*[—–-]{1,2}|[\s>]*[—–]{1,2})[ \t]*([A-Z][\w.’'-]*(?:[ \t]+[A-Z][\w.’'-]*){0,4})")
SUBJECT_DEPS = {"nsubj", "nsubjpass"}
INDEFINITE = {"a", "an", "another", "one", "some", "any", "several", "many", "two", "three"}
PASSAGE = 4  # sentences looked back for a pronoun's person or a continued speech


@dataclass
class Speaker:
    actor: str | None
    text: str | None
    cue: str | None
    unnamed: bool = False

    @property
    def found(self) -> bool:
        return self.actor is not None or self.unnamed


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _echoes(longer: list[str], shorter: list[str]) -> bool:
    """The shorter words stand in the longer ones in order, with at most one word of the
    longer left out between them ("day for Middle East" in "day for the Middle East")."""
    if not shorter or len(shorter) > len(longer):
        return False
    for start in range(len(longer) - len(shorter) + 1):
        if longer[start] != shorter[0]:
            continue
        i, j, skipped = start + 1, 1, 0
        while i < len(longer) and j < len(shorter) and skipped <= 1:
            if longer[i] == shorter[j]:
                j += 1
            else:
                skipped += 1
            i += 1
        if j == len(shorter) and skipped <= 1:
            return True
    return False


def _word_count(text: str) -> int:
    return len(re.findall(r"\w+(?:['’]\w+)?", text))


def _is_title(text: str) -> bool:
    """'Results of the Year', 'Crossroads of Peace: Regional Connectivity': a name in
    quotation marks, every word capitalised but the small ones, not a quotation."""
    words = re.findall(r"[A-Za-z][\w’'-]*", text)
    small = {"of", "the", "and", "a", "an", "in", "on", "for", "to", "at", "by", "with", "from", "or"}
    return bool(words) and not re.search(r"[,;!?]|\.\s+[a-z]", text) and all(
        w[0].isupper() or w in small for w in words)


class _Attributor:
    """Finds the speakers of one document's quotations, in order."""

    def __init__(self, document: Document, doc: Doc, actors: ActorTable, lexicon: Lexicon):
        self.document = document
        self.doc = doc
        self.actors = actors
        self.index = actor_index(doc, actors, lexicon)
        self.gaz = gazetteer(lexicon)
        self.roles = role_table(lexicon)
        language = lexicon["language"]
        self.audience = set(language.get("audience_nouns", []))
        self.speaker_nouns = set(language.get("speaker_nouns", []))
        self.groups = set(language.get("group_speaker_nouns", []))
        self.country_nouns = set(language.get("country_speaker_nouns", []))
        self.org_nouns = set(language.get("organization_speaker_nouns", []))
        self.statement_nouns = set(language.get("statement_nouns", []))
        self.object_senses = set(language.get("speech_verbs_other_sense_with_object", []))
        self.spans = quotation_spans(doc_text(doc))
        self.marked = [(s - 1, e + 1) for s, e in self.spans]
        self.sentences = list(doc.sents)
        self.sentence_starts = [s.start_char for s in self.sentences]
        self.found: list[Quote] = []

    # ---- where things are

    def outside(self, token: Token) -> bool:
        """Whether a token stands outside every quotation (with its marks)."""
        return self._outside_char(token.idx)

    def sentence_index(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.sentence_starts, char) - 1)

    def person(self, actor_id: str | None) -> bool:
        actor = self.actors.get(actor_id)
        return actor is not None and actor.kind == "person"

    # ---- from a mention to an actor

    def from_phrase(self, head: Token, cue: str | None) -> Speaker | None:
        """The speaker a subject (or other phrase) names; None when it names nobody who
        can speak ("The talks were useful: ..." has no speaker in its subject)."""
        if head.lower_ in self.index.pronoun_genders and head.pos_ == "PRON":
            return self.from_pronoun(head, cue)
        tokens = self._phrase(head)
        text = doc_text(self.doc)[tokens[0].idx: tokens[-1].idx + len(tokens[-1].text)].strip()
        own = self.index.actor_of(head)
        if self.person(own):
            return Speaker(own, text, cue)
        named = self._named_person(head, tokens)
        if named is not None:
            return Speaker(named, text, cue)
        if own is not None:  # an organization or a country speaks
            return Speaker(own, text, cue)
        if head.pos_ in {"NOUN", "PROPN"}:
            return self.from_description(head, tokens, text, cue)
        return None

    def _phrase(self, head: Token) -> list[Token]:
        """The subject phrase without the clauses hung on it or what follows a comma."""
        skip = {t.i for c in head.children if c.dep_ in {"relcl", "acl", "advcl"} for t in c.subtree}
        tokens = [t for t in head.subtree if t.i not in skip]
        cut = next((t.i for t in tokens if t.i > head.i and t.text in {",", "—", "–", "(", ";"}
                    and not any(c.dep_ == "appos" for c in head.children)), None)
        return [t for t in tokens if cut is None or t.i < cut] or [head]

    def _named_person(self, head: Token, tokens: list[Token]) -> str | None:
        """The person a description names itself: in apposition ("Russia's chief
        negotiator, Vladimir Medinsky"), or after a title and its office ("Secretary of
        the Treasury Scott Bessent"). Never a possessor ("*Putin's* aide") or a name that
        only modifies the noun ("a *Trump* administration official")."""
        for child in head.children:
            if child.dep_ == "appos":
                found = [a for a in self.index.actors_in(child.subtree, resolve_pronouns=False) if self.person(a)]
                if found:
                    return found[0]
        if head.text in self.gaz.titles:
            for child in head.children:
                if child.dep_ == "prep" and child.lower_ == "of":
                    found = [a for a in self.index.actors_in(child.subtree, resolve_pronouns=False) if self.person(a)]
                    if len(found) == 1:
                        return found[0]
        return None

    def from_description(self, head: Token, tokens: list[Token], text: str, cue: str | None) -> Speaker | None:
        """A speaker named by a common noun: a description of a person, a group or an
        institution. None when the noun names none of these ("The talks were useful: ...")."""
        lemma = head.lemma_.lower()
        description = describe(text, self.roles)
        if not (description.is_office or lemma in self.speaker_nouns | self.groups | self.org_nouns
                | self.country_nouns or lemma in self.gaz.role_nouns):
            return None
        determiners = {c.lower_ for c in head.children if c.dep_ in {"det", "nummod", "predet"}}
        possessor = next((c for c in head.children if c.dep_ == "poss"), None)
        definite = possessor is not None or bool(determiners & {"the", "this", "that"}) or head.text[:1].isupper()
        if lemma in self.statement_nouns and head.tag_ not in {"NNS", "NNPS"}:
            author = self._author(head) or (self._earlier_author(head) if definite else None)
            if author is not None:  # "a statement by the State Department", then "the statement"
                return Speaker(author, text, cue)
        if lemma in self.country_nouns:  # "the Russian side", "the Trump administration"
            countries = self._countries_of(tokens)
            return Speaker(countries[0] if len(countries) == 1 else None, text, cue, unnamed=len(countries) != 1)
        if lemma in self.groups or head.tag_ in {"NNS", "NNPS"}:
            return Speaker(None, text, cue, unnamed=True)  # "the leaders", "officials", "the statement"
        if lemma in self.org_nouns and definite:
            return Speaker(self._recent_organization(head, lemma), text, cue, unnamed=True)
        if not definite or determiners & INDEFINITE:
            return Speaker(None, text, cue, unnamed=True)  # "a senior official"
        of_person = self.index.actor_of(possessor) if possessor is not None else None
        if possessor is not None and possessor.pos_ == "PRON":  # "his spokesman": whose?
            of_person = self.from_pronoun(possessor, None).actor
        if self.person(of_person):  # "Putin's spokesman": works for Putin's country
            description = describe(text, self.roles, of_person)
        elif of_person is not None:  # "Moscow's foreign minister", "the Kremlin's envoy"
            description = describe(f"{text} {self.actors.get(of_person).name}", self.roles)
        if description.is_office:
            affiliations = {a.id: a.affiliation for a in self.actors.actors.values()}
            actor = resolve(description, self.actors.actors.values(), self.roles, self._titles(), affiliations)
            if actor is None:  # several fit: the one the passage names ("the president" after "President X")
                nearby = [self.actors.actors[a] for a in self._salient_persons(head)]
                actor = resolve(description, nearby, self.roles, self._titles(), affiliations)
            return Speaker(actor, text, cue, unnamed=actor is None)
        previous = self.found[-1] if self.found else None
        if previous is not None and previous.speaker_text and previous.speaker_text.split()[-1].lower() in {head.lower_, lemma} \
                and self.sentence_index(head.idx) - self.sentence_index(previous.end) <= PASSAGE:
            # "a senior official told reporters ... 'the official added'": the same speaker
            return Speaker(previous.speaker, text, cue, unnamed=previous.speaker is None)
        titled = self._titled_by(head)
        if titled is not None:  # "the Secretary-General": the one person of the article with that title
            return Speaker(titled, text, cue)
        if lemma in self.speaker_nouns and not description.countries:  # "the official": the one the passage is about
            for candidate in self._salient_persons(head):
                return Speaker(candidate, text, cue, unnamed=False)
        return Speaker(None, text, cue, unnamed=True)

    def _author(self, noun: Token) -> str | None:
        """Who issued a text: "a statement *by the State Department*", "a readout of the
        call *issued by the Kremlin*", "*the Kremlin's* readout", "the *Kremlin* statement",
        "*Russia* issued a statement"."""
        for token in noun.subtree:
            by = token.dep_ in {"prep", "agent"} and token.lower_ in {"by", "from"} and (
                token.head.i == noun.i or (token.head.tag_ == "VBN" and token.head.dep_ == "acl"))
            if by:
                for pobj in (c for c in token.children if c.dep_ == "pobj"):
                    if self.index.actor_of(pobj):
                        return self.index.actor_of(pobj)
        for child in noun.children:
            if child.dep_ in {"poss", "compound"} and child.i < noun.i and self.index.actor_of(child):
                return self.index.actor_of(child)
        if noun.dep_ == "dobj" and noun.head.pos_ == "VERB":
            subject = next((c for c in noun.head.children if c.dep_ in SUBJECT_DEPS), None)
            if subject is not None and self.index.actor_of(subject):
                return self.index.actor_of(subject)
        return None

    def _earlier_author(self, noun: Token) -> str | None:
        """"the statement said": the author of the statement the passage spoke of before."""
        first = self.sentence_index(noun.idx)
        for number in range(first, max(-1, first - PASSAGE - 1), -1):
            sentence = self.sentences[number]
            for token in reversed([t for t in sentence if t.i < noun.i and self.outside(t)]):
                if token.lemma_.lower() in self.statement_nouns:
                    author = self._author(token)
                    if author is not None:
                        return author
        for quote in reversed(self.found):  # the speaker of the statement quoted last
            words = (quote.speaker_text or "").lower().split()
            if quote.speaker and words and words[-1].rstrip("s") in self.statement_nouns:
                return quote.speaker
        return None

    def _countries_of(self, tokens: list[Token]) -> list[str]:
        """The countries a phrase names, directly or through a person of it ("Trump")."""
        found: list[str] = []
        for actor_id in self.index.actors_in(tokens, resolve_pronouns=False):
            actor = self.actors.get(actor_id)
            country = actor_id if actor and actor.kind == "country" else (actor.affiliation if actor else None)
            if country and country not in found and self.actors.get(country) is not None:
                found.append(country)
        return found

    def _titled_by(self, head: Token) -> str | None:
        """The one person of the article whose role or titled name holds the description's
        head word ("the Secretary-General" after "Secretary-General Naim Qassem")."""
        word = head.lower_
        if word in self.speaker_nouns:
            return None  # "the official": too common to single anyone out by the word alone
        holders = {a.id for a in self.actors.actors.values() if a.kind == "person" and any(
            word in re.findall(r"[\w-]+", text.lower()) for text in [a.role or "", *a.aliases])}
        return holders.pop() if len(holders) == 1 else None

    def _titles(self) -> dict[str, set[str]]:
        return {a.id: set(a.aliases) for a in self.actors.actors.values()}

    def _recent_organization(self, head: Token, lemma: str) -> str | None:
        """"the group", "the ministry": the organization the passage is about that fits,
        one named in a subject first ("A Hamas delegation met ... the group said"), else
        the last one named."""
        fitting = []
        for mention in reversed(self.actors.mentions_in(0, head.idx)):
            actor = self.actors.get(mention.actor)
            if actor and actor.kind == "organization" and (lemma in {"group", "movement", "organization", "organisation"}
                                                           or lemma in actor.name.lower()):
                fitting.append(mention)
        for mention in fitting:
            span = self.doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is not None and self.sentence_index(mention.start) >= self.sentence_index(head.idx) - PASSAGE:
                root = span.root
                while root.dep_ in {"compound", "poss", "amod", "nmod"} and root.head.i != root.i:
                    root = root.head
                if root.dep_ in SUBJECT_DEPS:
                    return mention.actor
        return fitting[0].actor if fitting else None

    def from_pronoun(self, pronoun: Token, cue: str | None) -> Speaker:
        described = self._recent_described_person(pronoun)
        if described is not None:
            return Speaker(None, described, cue, unnamed=True)
        gender = self.index.pronoun_genders.get(pronoun.lower_, "")
        if not gender:  # "they": a group
            return Speaker(None, pronoun.text, cue, unnamed=True)
        for candidate in self._salient_persons(pronoun):
            known = self.actors.genders.get(candidate)
            if not known or known == gender:
                return Speaker(candidate, pronoun.text, cue)
        return Speaker(None, pronoun.text, cue, unnamed=True)

    def _salient_persons(self, token: Token) -> list[str]:
        """Persons a pronoun (or "the official") may stand for, most salient first. In each
        sentence from its own back: the subject of its main verb; when that subject is
        itself "he" or "she", the sentence goes on about the same person and only the
        sentences before can name them; else the subjects of its other clauses, the
        speakers of its quotations and the other persons named outside quotations,
        nearest first."""
        ranked: list[str] = []
        current = self.sentence_index(token.idx)
        for number in range(current, max(-1, current - PASSAGE - 1), -1):
            sentence = self.sentences[number]
            limit = token.idx if number == current else sentence.end_char
            mentions = [m for m in self.actors.mentions_in(sentence.start_char, limit)
                        if self.person(m.actor) and self._outside_char(m.start)]
            main = self._main_subject(sentence)
            if main is not None and main.idx < limit:
                if main.pos_ == "PRON" and self.index.pronoun_genders.get(main.lower_):
                    continue  # "He said ...": still the person before
                own = self.index.actor_of(main)
                if own is None and main.pos_ in {"NOUN", "PROPN"} and main.i != token.i \
                        and any(c.lower_ == "the" for c in main.children):  # "The president also thanked ..."
                    described = self.from_description(main, [main], main.text, None)
                    own = described.actor if described is not None else None
                if self.person(own) and own not in ranked:
                    ranked.append(own)
            subjects = [m.actor for m in reversed(mentions) if self._is_subject(m.start, m.end)]
            speakers = [q.speaker for q in reversed(self.found)
                        if q.speaker and self.person(q.speaker) and sentence.start_char <= q.start < limit]
            others = [m.actor for m in reversed(mentions)]
            for actor in subjects + speakers + others:
                if actor not in ranked:
                    ranked.append(actor)
        return ranked

    def _main_subject(self, sentence: Span) -> Token | None:
        """The subject of a sentence's main verb, outside quotations."""
        root = sentence.root
        subjects = [c for c in root.children if c.dep_ in SUBJECT_DEPS and self.outside(c)]
        return subjects[0] if subjects else None

    def _outside_char(self, char: int) -> bool:
        i = bisect.bisect_right(self.marked, (char, float("inf"))) - 1
        return not (i >= 0 and self.marked[i][0] <= char < self.marked[i][1])

    def _is_subject(self, start: int, end: int) -> bool:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return False
        root = span.root
        while root.head.i != root.i and (root.dep_ in {"appos", "conj"}
                                         or (root.dep_ == "compound" and root.head.pos_ == "PROPN")):
            root = root.head  # "a *Trump* administration official" is no subject named Trump
        return root.dep_ in SUBJECT_DEPS

    def _recent_described_person(self, pronoun: Token) -> str | None:
        """'the owner swept the floor. "...," she said': the pronoun stands for a description
        (a person noun subject of the sentence before, with no named person after it)."""
        sent = pronoun.sent
        if sent.start == 0:
            return None
        for token in self.doc[sent.start - 1].sent:
            if token.dep_ in SUBJECT_DEPS and token.head.dep_ == "ROOT" and token.pos_ == "NOUN" \
                    and token.lower_ in self.speaker_nouns and not any(
                        c.dep_ == "det" and c.lower_ == "the" for c in token.children):
                if any(self.person(a) for a in self.actors.actors_in(token.idx, pronoun.idx)):
                    return None
                phrase = [t for t in token.subtree if t.i <= token.i]
                return doc_text(self.doc)[phrase[0].idx: token.idx + len(token.text)]
        return None

    # ---- the sieves: finding the mention

    def _speech_verbs(self, sent: Span) -> list[Token]:
        """Verbs of saying outside quotations; not one that has another sense with a noun
        object ("conclude a meeting", "continue the talks")."""
        return [t for t in sent if t.pos_ in {"VERB", "AUX"} and t.lemma_.lower() in self.gaz.speech_verbs
                and self.outside(t) and not (t.lemma_.lower() in self.object_senses and any(
                    c.dep_ == "dobj" and c.pos_ in {"NOUN", "PROPN"} for c in t.children))]

    def _cue(self, verb: Token) -> str:
        words = [verb.text]
        for child in verb.children:
            if child.i > verb.i and child.dep_ in {"dobj", "dative", "prt"} and child.lower_ in self.audience | {"out", "on"}:
                words.append(child.text)
        return " ".join(words)

    def _subject_of(self, verb: Token) -> Token | None:
        """The verb's subject; for a verb joined to another ("said and added", "...,
        adding"), that one's subject; after a quotation, an inverted one."""
        heads = [verb, verb.head] if verb.dep_ in {"conj", "advcl", "xcomp", "ccomp"} else [verb]
        for v in heads:
            subjects = [c for c in v.children if c.dep_ in SUBJECT_DEPS and self.outside(c)]
            if subjects:
                return subjects[0]
        return self._inverted_subject(verb)

    def _inverted_subject(self, verb: Token) -> Token | None:
        """"'...,' stressed adviser and aide Milos Brandt": after a quotation the parser
        may take the inverted subject for an object; the person it names speaks."""
        before = self.doc[verb.i - 1] if verb.i > 0 else None
        if before is None or not (before.is_quote or before.is_punct):
            return None
        for child in verb.children:
            if child.i > verb.i and child.dep_ in {"dobj", "attr", "npadvmod", "oprd"} and self.outside(child):
                named = [t for t in child.subtree if self.person(self.index.actor_of(t))]
                persons = [a for a in self.index.actors_in(named, resolve_pronouns=False) if self.person(a)]
                if persons:
                    return next(t for t in reversed(named) if self.index.actor_of(t) == persons[-1])
                return child
        return None

    def by_speech_verb(self, sents: list[Span], start: int, end: int) -> Speaker | None:
        """The subject of the speech verb nearest the quote (the next one when that one's
        subject names nobody who speaks)."""
        verbs = [v for sent in sents for v in self._speech_verbs(sent)]
        if self._closes_sentence(end):  # '"... the war." US Secretary Rubio said that ...': another sentence
            verbs = [v for v in verbs if v.idx < start]
        for verb in sorted(verbs, key=lambda v: min(abs(v.idx - start), abs(v.idx - end))):
            subject = self._subject_of(verb)
            speaker = self.from_phrase(subject, self._cue(verb)) if subject is not None else None
            if speaker is None:
                speaker = self._person_before(verb, verb.sent)
            if speaker is not None:
                return speaker
        return None

    def _closes_sentence(self, end: int) -> bool:
        """A quotation ending with a full stop (or ? !) and followed by a capital: what
        comes after it is a new sentence, whatever the parser says."""
        text = doc_text(self.doc)
        if not text[:end].rstrip().endswith((".", "!", "?")):
            return False
        rest = text[end + 1: end + 40].lstrip(" \t\n”\"’'»")
        return rest[:1].isupper()

    def _person_before(self, verb: Token, sent: Span) -> Speaker | None:
        """A subject the parser missed: "Details: Meanwhile, X, a member of the
        delegation, stated ...", "date 2025-10-09 Israel said ...": the actor named last
        before the verb in its clause (a person first)."""
        if verb.dep_ not in {"ROOT", "ccomp", "conj", "parataxis"}:
            return None  # a verb the parser could not place ("Putin, Witkoff conclude meeting")
        mentions = [m for m in self.actors.mentions_in(sent.start_char, verb.idx) if self._outside_char(m.start)]
        mentions = [m for m in mentions if self.person(m.actor)] or mentions
        if not mentions:
            return None
        last = mentions[-1]
        span = self.doc.char_span(last.start, last.end, alignment_mode="expand")
        if span is None or span.root.dep_ in {"poss", "pobj"}:
            return None
        return Speaker(last.actor, last.text, self._cue(verb))

    def by_according_to(self, sents: list[Span], start: int, end: int) -> Speaker | None:
        for sent in sents:
            cues = [t for t in sent if t.lower_ == "according" and self.outside(t)
                    and t.i + 1 < len(t.doc) and t.doc[t.i + 1].lower_ == "to"]
            for t in sorted(cues, key=lambda t: min(abs(t.idx - start), abs(t.idx - end))):
                objects = [c for c in t.doc[t.i + 1].children if c.dep_ == "pobj"]
                if objects:
                    speaker = self.from_phrase(objects[0], "according to")
                    if speaker is not None:
                        return speaker
        return None

    def by_colon(self, start: int) -> Speaker | None:
        """The clause that a colon ending the quote's line before it closes: its subject,
        or, with no subject, the person it names ("Quote from Umerov:")."""
        text = doc_text(self.doc)
        line_start = text.rfind("\n", 0, start) + 1  # the quote's own line
        before = text[line_start:start].rstrip(" “\"‘«„")
        if not before.endswith(":"):
            return None
        words = self.doc.char_span(line_start, line_start + len(before) - 1, alignment_mode="contract")
        if words is None or not len(words):
            return None
        last = list(words.sents)[-1]  # the last sentence before the colon, up to it
        clause = self.doc[max(last.start, words.start): words.end]
        root = clause.root
        subjects = [c for c in root.children if c.dep_ in SUBJECT_DEPS]
        if subjects:
            speaker = self.from_phrase(subjects[0], root.text)
            if speaker is not None:
                return speaker
        if not subjects:  # no clause: "Quote from Umerov:", "Putin's words:"
            persons = [m for m in self.actors.mentions_in(clause.start_char, clause.end_char) if self.person(m.actor)]
            if persons:
                return Speaker(persons[-1].actor, persons[-1].text, None)
        return None

    def by_next_sentence(self, last: Span) -> Speaker | None:
        if last.end >= len(self.doc):
            return None
        nxt = self.doc[last.end].sent
        if any(s < nxt.end_char and nxt.start_char < e for s, e in self.spans):
            return None  # it quotes too
        verbs = self._speech_verbs(nxt)
        if verbs and len(nxt) <= 15:
            subject = self._subject_of(verbs[0])
            if subject is not None:
                speaker = self.from_phrase(subject, self._cue(verbs[0]))
                if speaker is not None and speaker.found:
                    return speaker
        if any(t.lemma_.lower() in self.statement_nouns for t in nxt):  # "X made the remarks on ..."
            persons = [m for m in self.actors.mentions_in(nxt.start_char, nxt.end_char) if self.person(m.actor)]
            if persons:
                return Speaker(persons[0].actor, persons[0].text, None)
        return None

    def by_continuation(self, first_sentence: int) -> Speaker | None:
        """The quote before, when nobody else is named or speaks between the two."""
        if not self.found:
            return None
        previous = self.found[-1]
        if previous.speaker is None and not previous.unnamed:
            return None
        previous_sentence = self.sentence_index(previous.end)
        if first_sentence - previous_sentence > PASSAGE:
            return None
        between_start = self.sentences[previous_sentence].end_char
        between_end = self.sentences[first_sentence].start_char
        if between_start < between_end:  # someone else acting between the two ("under Trump" is no one acting)
            others = [m for m in self.actors.mentions_in(between_start, between_end)
                      if self.person(m.actor) and m.actor != previous.speaker and self._outside_char(m.start)
                      and self._is_subject(m.start, m.end)]
            if others:
                return None
            for sent in self.sentences[previous_sentence + 1: first_sentence]:
                if self._speech_verbs(sent):
                    return None
        return Speaker(previous.speaker, previous.speaker_text, previous.cue, previous.unnamed)

    def by_lead_in(self, first_sentence: int) -> Speaker | None:
        """The nearest speech reported before, in the passage: its subject."""
        for number in range(first_sentence - 1, max(-1, first_sentence - PASSAGE), -1):
            sent = self.sentences[number]
            for verb in reversed(self._speech_verbs(sent)):
                subject = self._subject_of(verb)
                speaker = self.from_phrase(subject, None) if subject is not None else None
                if speaker is not None and speaker.found:
                    return speaker
            if any(self.person(m.actor) for m in self.actors.mentions_in(sent.start_char, sent.end_char)):
                return None  # someone else is the subject of the passage now
        return None

    def attribute(self, start: int, end: int) -> Speaker:
        text = doc_text(self.doc)
        dash = DASH_ATTRIBUTION.match(text[end + 1: end + 80])
        if dash and not self._signature_goes_on(end + 1 + dash.end(1)):
            name_start = end + 1 + dash.start(1)
            actor = self.actors.actor_at(name_start, name_start + len(dash.group(1)))
            return Speaker(actor, dash.group(1).strip(), "—")
        span = self.doc.char_span(start, end, alignment_mode="expand")
        sents = list({s.start: s for s in span.sents}.values()) if span is not None else []
        if not sents:
            return Speaker(None, None, None)
        first = self.sentence_index(sents[0].start_char)
        found = (self.by_speech_verb(sents, start, end)
                 or self.by_according_to(sents, start, end)
                 or self.by_colon(start))
        if found is not None and found.found:
            return found
        for sieve in (lambda: self.by_next_sentence(sents[-1]), lambda: self.by_continuation(first),
                      lambda: self.by_lead_in(first)):
            speaker = sieve()
            if speaker is not None and speaker.found:
                return speaker
        return found or Speaker(None, None, None)

    def _signature_goes_on(self, position: int) -> bool:
        """"'...'— Putin, Witkoff conclude talks": the dash opens a headline's next clause,
        not a signature. A signature ends its line, or a role follows it."""
        text = doc_text(self.doc)
        line_end = text.find("\n", position)
        rest = text[position: line_end if line_end >= 0 else len(text)]
        words = self.doc.char_span(position, position + len(rest), alignment_mode="expand") if rest.strip() else None
        return len(rest.split()) > 8 or any(t.pos_ == "VERB" for t in words or [])

    def echo_speakers(self) -> None:
        """A quotation nobody is named for, whose words another quotation of the article
        repeats with its speaker (a headline quoting the body): that speaker."""
        for number, quote in enumerate(self.found):
            if quote.speaker is not None or quote.unnamed:
                continue
            words = _words(quote.text)
            for other in self.found:
                if other is not quote and other.speaker and _echoes(_words(other.text), words):
                    self.found[number] = replace(quote, speaker=other.speaker, speaker_text=other.speaker_text,
                                                 cue=other.cue)
                    break

    def quotes(self) -> list[Quote]:
        for start, end in self.spans:
            inner = doc_text(self.doc)[start:end]
            if _word_count(inner) < MIN_WORDS or _is_title(inner):
                continue
            speaker = self.attribute(start, end)
            sentence = self.doc.char_span(start, end, alignment_mode="expand")
            evidence = (doc_text(self.doc)[sentence[0].sent.start_char: sentence[-1].sent.end_char]
                        if sentence is not None else inner)
            self.found.append(Quote(
                document=self.document.source, text=inner.strip(), speaker=speaker.actor,
                speaker_text=speaker.text, cue=speaker.cue, start=start, end=end, evidence=evidence,
                unnamed=speaker.actor is None and speaker.text is not None,
            ))
        self.echo_speakers()
        return self.found


def find_quotes(document: Document, doc: Doc, actors: ActorTable, lexicon: Lexicon) -> list[Quote]:
    """The document's quotations of four words or more, each with its speaker."""
    return _Attributor(document, doc, actors, lexicon).quotes()
