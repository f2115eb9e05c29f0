"""Actors of one document: people, organizations, countries and blocs.

How actors are found, in order:
1. Known actors and countries from the data files (``actors.toml``, ``places.toml``),
   matched by name and alias anywhere in the text; demonyms ("a Ukrainian
   delegation") count as mentions of their country.
2. spaCy's named entities, cleaned: titles and possessives stripped, person names
   that the small model labels ORG recognised by their role ("chief negotiator,
   Rustem Umerov"), noise (single capitalised words, headings) dropped.
   Names are also read where the model misses them: after a title ("Secretary of the
   Treasury Scott Bessent"), as the subject of a speech verb ("Araghchi told ...",
   "... said Khalil al-Hayya"), and with Arabic articles and particles ("al-Busaidi").
   A single word stands for a person only with such evidence (a title, a speech verb, a
   role in apposition, a person beside it in a list). An organization the model finds
   counts when it acts (the subject of a verb: "Hamas said").
3. Short forms resolved to the full name in the same document: "Dmitriev" and
   "Mr. Dmitriev" to "Kirill Dmitriev"; spellings and transliterations of one name
   ("Umierov" / "Rustem Umerov", "Vladimir" / "Volodymyr") through ``parley.names``.

Roles come from titles before a name ("Belgian Prime Minister Bart De Wever") and
appositives ("Kirill Dmitriev, an envoy for President Putin"); affiliations from
the country, organization or person named in the role.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from parley.lexicon import Lexicon
from parley.names import NameRules, name_parts, name_rules, same_person, spelling_key, surname_key
from parley.nlp import doc_text
from parley.records import Actor, Document, Mention

NAME_PARTICLES = {"von", "der", "de", "van", "den", "al", "bin", "da", "di", "la", "le", "du", "ibn"}
POSSESSIVE = {"'s", "’s", "'", "’"}
DETERMINERS = {"the", "a", "an", "this", "that", "his", "her", "its", "their", "our"}


@dataclass
class ActorTable:
    """The actors of one document and every place they are mentioned.

    Other extractors use it to turn a stretch of text into actor ids.
    """

    actors: dict[str, Actor] = field(default_factory=dict)  # id -> Actor
    mentions: list[Mention] = field(default_factory=list)  # sorted by start
    genders: dict[str, str] = field(default_factory=dict)  # person id -> "m" | "f"

    def add_mention(self, mention: Mention) -> None:
        bisect.insort(self.mentions, mention, key=lambda m: m.start)

    def get(self, actor_id: str | None) -> Actor | None:
        return self.actors.get(actor_id) if actor_id else None

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        """Mentions lying wholly inside the character range [start, end)."""
        i = bisect.bisect_left(self.mentions, start, key=lambda m: m.start)
        found = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            if self.mentions[i].end <= end:
                found.append(self.mentions[i])
            i += 1
        return found

    def actor_at(self, start: int, end: int) -> str | None:
        """The actor of the mention overlapping [start, end) the most, or None."""
        best, best_overlap = None, 0
        i = bisect.bisect_left(self.mentions, start - 200, key=lambda m: m.start)
        while i < len(self.mentions) and self.mentions[i].start < end:
            m = self.mentions[i]
            overlap = min(end, m.end) - max(start, m.start)
            if overlap > best_overlap:
                best, best_overlap = m.actor, overlap
            i += 1
        return best

    def actors_in(self, start: int, end: int) -> list[str]:
        """Distinct actor ids mentioned inside [start, end), in order of first mention."""
        seen: list[str] = []
        for m in self.mentions_in(start, end):
            if m.actor not in seen:
                seen.append(m.actor)
        return seen

    def of_kind(self, *kinds: str) -> list[Actor]:
        return [a for a in self.actors.values() if a.kind in kinds]

    def persons_before(self, position: int) -> list[str]:
        """Person ids mentioned before a character position, most recent first."""
        i = bisect.bisect_left(self.mentions, position, key=lambda m: m.start)
        seen: list[str] = []
        for m in reversed(self.mentions[:i]):
            actor = self.actors.get(m.actor)
            if actor and actor.kind == "person" and m.actor not in seen:
                seen.append(m.actor)
        return seen


# --------------------------------------------------------------------------- gazetteer


@dataclass
class KnownActor:
    id: str
    name: str
    kind: str
    role: str | None
    affiliation: str | None
    gender: str | None


@dataclass
class Gazetteer:
    """Known actors and their surface forms, compiled once per lexicon."""

    known: dict[str, KnownActor]
    forms: dict[str, str]  # exact surface form -> actor id
    demonyms: dict[str, str]  # "Ukrainian" -> "ukraine"
    pattern: re.Pattern | None
    surnames: dict[str, list[str]]  # spelling key of a surname -> known person ids
    names: NameRules
    speech_verbs: set[str]
    titles: set[str]
    title_before: re.Pattern | None  # a title ending right before a name
    role_nouns: set[str]
    org_words: set[str]
    name_things: set[str]  # "the Trump *administration*": a person's name naming a thing
    places: set[str]  # regions and cities that are not actors: never a person's name
    byline_openers: list[str]
    byline_phrases: list[str]


def slugify(name: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "actor"


@lru_cache(maxsize=8)
def gazetteer(lexicon: Lexicon) -> Gazetteer:
    known: dict[str, KnownActor] = {}
    forms: dict[str, str] = {}
    demonyms: dict[str, str] = {}

    def add_form(form: str, actor_id: str) -> None:
        forms.setdefault(form, actor_id)
        if form.startswith("the "):
            forms.setdefault("The " + form[4:], actor_id)

    for country_id, entry in lexicon["places"].get("countries", {}).items():
        known[country_id] = KnownActor(country_id, entry["name"], "country", None, None, None)
        for form in [entry["name"], *entry.get("aliases", [])]:
            add_form(form, country_id)
        for demonym in entry.get("demonyms", []):
            demonyms[demonym] = country_id
    for entry in lexicon["actors"].get("actor", []):
        actor_id = entry.get("id") or slugify(entry["name"])
        known[actor_id] = KnownActor(
            actor_id, entry["name"], entry.get("kind", "person"), entry.get("role"),
            entry.get("affiliation"), entry.get("gender"),
        )
        for form in [entry["name"], *entry.get("aliases", [])]:
            forms[form] = actor_id  # actors.toml wins over places.toml
            if form.startswith("the "):
                forms["The " + form[4:]] = actor_id
    rules = name_rules(lexicon)
    surnames: dict[str, list[str]] = defaultdict(list)
    for actor in known.values():
        if actor.kind == "person" and (key := surname_key(actor.name, rules)):
            surnames[key].append(actor.id)
    pattern = None
    if forms or demonyms:
        alternatives = sorted([*forms, *demonyms], key=len, reverse=True)
        pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, alternatives)) + r")(?![\w-])")
    language = lexicon["language"]
    titles = sorted(language.get("person_titles", []), key=len, reverse=True)
    title_before = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, titles)) + r")\s+$") if titles else None
    return Gazetteer(
        known=known, forms=forms, demonyms=demonyms, pattern=pattern, surnames=dict(surnames),
        names=rules, speech_verbs={v.lower() for v in language.get("speech_verbs", [])},
        titles=set(titles), title_before=title_before,
        role_nouns={w.lower() for w in language.get("role_nouns", [])},
        org_words=set(language.get("organization_words", [])),
        name_things={w.lower() for w in language.get("name_things", [])},
        places=set(lexicon["places"].get("places", {}).get("names", [])),
        byline_openers=list(language.get("byline_openers", [])),
        byline_phrases=list(language.get("byline_phrases", [])),
    )


# --------------------------------------------------------------------------- candidates


@dataclass
class Candidate:
    """A stretch of text that names an actor, before actors are resolved."""

    start: int  # char offsets
    end: int
    text: str  # cleaned surface form
    kind: str  # person | organization | country | bloc
    actor_id: str | None = None  # set when known
    titled: bool = False  # a title stood before it (Mr., President ...)
    span: Span | None = None
    attested: bool = False  # more than capitals says it is a person (a speech verb, a role, a list of persons)


def _clean_name_tokens(span: Span, gaz: Gazetteer) -> tuple[list[Token], bool]:
    """Strip determiners, titles and possessives off an entity; say whether a title stood before it."""
    tokens = _after_dateline(list(span))
    titled = False
    while tokens and (tokens[0].lower_ in DETERMINERS or tokens[0].text in gaz.titles
                      or tokens[0].lower_ in gaz.role_nouns or not tokens[0].text[:1].isalpha()
                      or tokens[0].text in gaz.demonyms):
        if tokens[0].text in gaz.titles or tokens[0].lower_ in gaz.role_nouns:
            titled = True
        tokens.pop(0)
    while tokens and (tokens[-1].text in POSSESSIVE or not tokens[-1].text[:1].isalnum()):
        tokens.pop()
    if span.start > 0:
        before = span.doc[span.start - 1]
        if before.text in gaz.titles or before.text.rstrip(".") in gaz.titles:
            titled = True
    return tokens, titled


DATELINE_DASHES = {"-", "–", "—", "--"}


def _is_dateline_place(span: Span) -> bool:
    """A place in capitals opening a line, then a dash or a comma: a wire dateline
    ("OSLO - ...", "KYIV, Ukraine (AP) - ..."), not an actor."""
    doc = span.doc
    opens_line = span.start == 0 or "\n" in doc[span.start - 1].text + doc[span.start - 1].whitespace_
    after = doc[span.end] if span.end < len(doc) else None
    return (opens_line and after is not None and (after.text in DATELINE_DASHES or after.text == ",")
            and all(t.text.isupper() for t in span if t.text[:1].isalpha()))


def _after_dateline(tokens: list[Token]) -> list[Token]:
    """An entity that runs on from a wire dateline ("BERLIN - Talks", "KYIV — Ukraine's
    envoy"): what follows the dash, when everything before it is a place in capitals."""
    for k, token in enumerate(tokens):
        if token.text in DATELINE_DASHES and k > 0 and tokens[k - 1].whitespace_ and token.whitespace_:
            if all(t.text.isupper() or not t.text[:1].isalpha() for t in tokens[:k]):
                return tokens[k + 1:]
            break
    return tokens


def _is_name_token(token: Token) -> bool:
    text = token.text
    if token.lower_ in NAME_PARTICLES:
        return True
    if text in HYPHENS:  # "al-Hayya", "Abdel-Fattah": a hyphen inside one name
        return _hyphen_inside_name(token)
    if ROMAN_NUMERAL.match(text) and token.i > 0 and token.doc[token.i - 1].text[:1].isupper():
        return True  # "Leo XIV", "Charles III"
    return text[:1].isupper() and not any(ch.isdigit() for ch in text) and not text.isupper()


ROMAN_NUMERAL = re.compile(r"^(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})$")


HYPHENS = {"-", "‐"}


def _hyphen_inside_name(token: Token) -> bool:
    doc = token.doc
    if token.i == 0 or token.i + 1 >= len(doc) or doc[token.i - 1].whitespace_ or token.whitespace_:
        return False
    before, after = doc[token.i - 1], doc[token.i + 1]
    return (before.lower_ in NAME_PARTICLES or before.text[:1].isupper()) and after.text[:1].isupper()


def _char_span(tokens: list[Token]) -> tuple[int, int, str]:
    doc = tokens[0].doc
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    return start, end, doc_text(doc)[start:end]


def _person_from_span(span: Span, gaz: Gazetteer) -> Candidate | None:
    tokens, titled = _clean_name_tokens(span, gaz)
    candidate = _name_candidate(tokens, titled, gaz, span, named_person=span.label_ == "PERSON")
    if candidate is not None:
        candidate.attested = _attested(span, gaz)
    return candidate


def _attested(span: Span, gaz: Gazetteer) -> bool:
    """Whether more than capitals says a name is a person: it speaks ("Haniyeh said"), a
    role stands in apposition ("Sinwar, the group's leader"), or it is listed with
    persons ("Haniyeh, Sinwar and Deif")."""
    root = span.root
    if _speech_subject(root, gaz):
        return True
    if _role_in_apposition(root, gaz):
        return True
    listed = [c for c in root.children if c.dep_ == "conj"] + ([root.head] if root.dep_ == "conj" else [])
    return any(t.ent_type_ == "PERSON" and not (span.start <= t.i < span.end) for t in listed)


def _stop_word_in_name(token: Token, tokens: list[Token], named_person: bool) -> bool:
    """A stop word that cannot be part of this name. A given name that happens to be an
    English word ("He Lifeng") can, when the model says the whole is a person."""
    if not token.is_stop or token.lower_ in NAME_PARTICLES:
        return False
    return not (named_person and token is tokens[0] and len(tokens) >= 2 and token.pos_ == "PROPN")


def _name_candidate(tokens: list[Token], titled: bool, gaz: Gazetteer,
                    span: Span | None = None, named_person: bool = False) -> Candidate | None:
    """A person candidate from name tokens, or None when they cannot be a name."""
    while tokens and tokens[-1].text in HYPHENS:
        tokens = tokens[:-1]
    if not tokens or len(tokens) > 6 or not all(_is_name_token(t) for t in tokens):
        return None
    if tokens[0].lower_ in NAME_PARTICLES and len(tokens) == 1:
        return None
    # Headline case ("Putin Envoy Dmitriev Back In Miami") is not a name; a title word
    # ending a person's name is the name ("Martin Luther King").
    if any(_stop_word_in_name(t, tokens, named_person)
           or (_role_head(t, gaz) and not (named_person and t is tokens[-1] and len(tokens) >= 2))
           for t in tokens):
        return None
    start, end, text = _char_span(tokens)
    if text in gaz.forms and gaz.known[gaz.forms[text]].kind != "person" or text in gaz.places:
        return None
    if text in gaz.demonyms or any(t.text in gaz.org_words for t in tokens):
        return None
    return Candidate(start, end, text, "person", titled=titled, span=span)


def _role_head(token: Token, gaz: Gazetteer) -> bool:
    return token.lower_ in gaz.role_nouns or token.text in gaz.titles


def _role_in_apposition(root: Token, gaz: Gazetteer) -> bool:
    """A role stands in apposition to the name ("Sinwar, the group's leader"; "the envoy,
    Lode Claes")."""
    return (root.dep_ == "appos" and _role_head(root.head, gaz)) or any(
        c.dep_ == "appos" and _role_head(c, gaz) for c in root.children)


def _looks_like_person(span: Span, gaz: Gazetteer) -> bool:
    """A 2-4 word capitalised name the model mislabelled, standing next to a role."""
    words = [t for t in span if t.text not in POSSESSIVE]
    if not 2 <= len(words) <= 4 or not all(_is_name_token(t) for t in words):
        return False
    if any(t.text in gaz.org_words or t.text in gaz.forms or t.text in gaz.demonyms for t in words):
        return False
    if _role_in_apposition(span.root, gaz):
        return True
    before = span.doc[span.start - 1] if span.start > 0 else None
    return bool(before is not None and _role_head(before, gaz))


def _candidates(doc: Doc, gaz: Gazetteer) -> list[Candidate]:
    found: list[Candidate] = []
    text = doc_text(doc)
    if gaz.pattern is not None:
        for match in gaz.pattern.finditer(text):
            form = match.group(0)
            if form in gaz.demonyms:
                actor_id = gaz.demonyms[form]
            else:
                actor_id = gaz.forms[form]
            kind = gaz.known[actor_id].kind
            found.append(Candidate(match.start(), match.end(), form, kind, actor_id=actor_id))
    titled = _titled_names(doc, gaz)
    acting = _acting_organizations(doc, gaz, {surname_key(c.text, gaz.names) for c in titled})
    for ent in doc.ents:
        label = ent.label_
        if _is_dateline_place(ent):
            continue
        if label == "PERSON" or (label in {"ORG", "PRODUCT", "WORK_OF_ART", "FAC", "GPE", "NORP"}
                                 and _looks_like_person(ent, gaz)):
            candidate = _person_from_span(ent, gaz)
            if candidate:
                found.append(candidate)
        elif label == "ORG":
            found.extend(_organization_from_span(ent, gaz, acting))
    found.extend(titled)
    found.extend(_signed_names(doc, gaz))
    found.extend(_speaking_names(doc, gaz))
    found.extend(_speaking_organizations(doc, gaz))
    return found


def _speaking_organizations(doc: Doc, gaz: Gazetteer) -> list[Candidate]:
    """An office or body that speaks, named with capitals and an organization word the
    model did not tag: "The Prime Minister's Office responded", "Oman's Foreign
    Ministry said"."""
    found = []
    for token in doc:
        if token.text not in gaz.org_words or token.ent_type_ or not _speech_subject(token, gaz):
            continue
        words = [t for t in token.subtree if t.i <= token.i and t.dep_ not in {"det", "punct"}]
        while words and not words[0].text[:1].isupper():
            words.pop(0)
        if words and all(t.text[:1].isupper() or t.text in POSSESSIVE for t in words):
            start, end, text = _char_span(words)
            found.append(Candidate(start, end, text, "organization"))
    return found


def _is_speech_verb(token: Token, gaz: Gazetteer) -> bool:
    return token.pos_ == "VERB" and token.lemma_.lower() in gaz.speech_verbs


def _speech_subject(token: Token, gaz: Gazetteer) -> bool:
    """The subject of a speech verb: "*Araghchi* told", "said *Hayya*". ("according to"
    names outlets as often as people: it is no evidence.)"""
    return token.dep_ in {"nsubj", "nsubjpass"} and _is_speech_verb(token.head, gaz)


def _proper_chain(head: Token) -> list[Token]:
    """A proper noun and the proper nouns compounded before it: "Khalil al - Hayya"."""
    tokens = [head]
    i = head.i - 1
    while i >= 0 and head.doc[i].dep_ in {"compound", "punct"} and head.doc[i].head.i >= i \
            and (head.doc[i].pos_ == "PROPN" or head.doc[i].text in HYPHENS):
        tokens.insert(0, head.doc[i])
        i -= 1
    return tokens


def _speaking_names(doc: Doc, gaz: Gazetteer) -> list[Candidate]:
    """Names the model misses or mislabels that speak: "Araghchi told reporters", "...,"
    said Kyslytsya. Not organizations ("Hamas said"): the model's ORG label stands."""
    found = []
    for token in doc:
        if token.pos_ != "PROPN" or token.ent_type_ == "ORG" or not _speech_subject(token, gaz):
            continue
        tokens, titled = _clean_name_tokens(doc[_proper_chain(token)[0].i: token.i + 1], gaz)
        candidate = _name_candidate(tokens, titled, gaz)
        if candidate is not None:
            candidate.attested = True
            found.append(candidate)
    return found


def _acting_organizations(doc: Doc, gaz: Gazetteer, titled_surnames: set[str | None]) -> set[str]:
    """Names the model calls organizations that act somewhere in the document: the subject
    of a verb, or of its delegation ("Hamas said", "a Hamas delegation met"). Every
    mention of them then counts."""
    surnames = {surname_key(e.text, gaz.names) for e in doc.ents if e.label_ == "PERSON"} | set(gaz.surnames) \
        | titled_surnames
    acting = set()
    for ent in doc.ents:
        if ent.label_ != "ORG" or len(ent) > 3 or "\n" in ent.text:
            continue
        if surname_key(ent.text, gaz.names) in surnames or (ent[0].text in gaz.titles and len(ent) >= 3):
            continue  # "Bessent said" after "Scott Bessent", "Spokeswoman Sandy Angers": a person
        if gaz.pattern is not None and gaz.pattern.search(ent.text):
            continue  # holds a known name: a heading run into it, not an organization
        root = ent.root
        if root.dep_ in {"compound", "poss", "amod", "nmod"} and root.head.i > root.i:
            root = root.head  # "a Hamas delegation met": the body acts through its delegation
        if root.dep_ in {"nsubj", "nsubjpass"} and root.head.pos_ in {"VERB", "AUX"}:
            acting.add(ent.text.removeprefix("the ").removeprefix("The "))
    return acting


SIGNATURE = re.compile(r"[”\"][\s>]*[—–]{1,2}\s*([A-Z][\w.’'-]*(?:[ \t]+[A-Z][\w.’'-]*){0,3})")


def _signed_names(doc: Doc, gaz: Gazetteer) -> list[Candidate]:
    """The name after a quotation and a dash ("... ” — Ingrid Solheim") is a person."""
    found = []
    for match in SIGNATURE.finditer(doc_text(doc)):
        span = doc.char_span(match.start(1), match.end(1), alignment_mode="contract")
        candidate = _name_candidate(list(span), True, gaz, span) if span is not None else None
        if candidate:
            found.append(candidate)
    return found


def _organization_from_span(span: Span, gaz: Gazetteer, acting: set[str]) -> list[Candidate]:
    """An organization the model found, when it looks like one (an acronym, an
    organization word) or acts. A person's name the model ran into it ("the Treasury
    Scott Bessent", "the Defence Ministry spokesperson Maly Socheata") is cut off and
    returned as a person."""
    tokens = list(span)
    while tokens and tokens[0].lower_ in DETERMINERS:
        tokens.pop(0)
    while tokens and (tokens[-1].text in POSSESSIVE or not tokens[-1].text[:1].isalnum()):
        tokens.pop()
    if not tokens:
        return []
    found: list[Candidate] = []
    last_org_word = max((i for i, t in enumerate(tokens) if t.text in gaz.org_words or _role_head(t, gaz)),
                        default=None)
    if last_org_word is not None and len(tokens) - last_org_word - 1 >= 2:
        person = _name_candidate(tokens[last_org_word + 1:], True, gaz)
        if person is not None:
            found.append(person)
            tokens = tokens[:last_org_word + 1]
    start, end, text = _char_span(tokens)
    is_acronym = 2 <= len(text) <= 6 and text.isupper() and text.isalpha() and not _is_dateline(span)
    has_org_word = any(t.text in gaz.org_words for t in tokens)
    if not (is_acronym or has_org_word or text in acting) or "\n" in text:
        return found
    # A title word right after ("Restoration Minister") means this is part of a role.
    after = span.doc[span.end] if span.end < len(span.doc) else None
    if after is not None and after.text in gaz.titles and len(tokens) == 1:
        return found
    return found + [Candidate(start, end, text, "organization", span=span)]


def _titled_form(text: str, start: int, name: str, gaz: Gazetteer) -> str | None:
    """The name with the title written right before it: 'Mr. Putin', 'General Andriy Hnatov'."""
    before = text[max(0, start - 30):start]
    match = gaz.title_before.search(before) if gaz.title_before else None
    if not match:
        return None
    titled = f"{match.group(1)} {name}"
    country = re.search(r"(\S+)\s+$", before[:match.start(1)])  # "US President Trump"
    if country and _is_country_word(country.group(1), gaz):
        return f"{country.group(1)} {titled}"
    return titled


def _country_before(text: str, start: int, gaz: Gazetteer) -> tuple[str, str] | None:
    """The country written right before a name ("Oman's", "Omani"): (as written, its id)."""
    match = re.search(r"(\S+?)(['’]s)?\s+$", text[max(0, start - 30):start])
    if match and _is_country_word(match.group(1), gaz):
        word = match.group(1)
        return word + (match.group(2) or ""), gaz.demonyms.get(word) or gaz.forms[word]
    return None


def _is_country_word(word: str, gaz: Gazetteer) -> bool:
    actor_id = gaz.demonyms.get(word) or gaz.forms.get(word)
    return actor_id is not None and gaz.known[actor_id].kind == "country"


def _is_dateline(span: Span) -> bool:
    """'MIAMI — Kirill Dmitriev ...': a place in capitals opening a paragraph."""
    doc = span.doc
    starts_line = span.start == 0 or "\n" in doc[span.start - 1].whitespace_ + doc[span.start - 1].text
    follows = doc[span.end].text if span.end < len(doc) else ""
    return starts_line and follows in {"—", "–", "-", ",", "--"}


def _titled_names(doc: Doc, gaz: Gazetteer) -> list[Candidate]:
    """Names after a title that NER missed: 'General Andriy Hnatov', 'Mr. Putin', and
    after a title with its office: 'Secretary of the Treasury Scott Bessent'."""
    found = []
    for token in doc:
        if token.text not in gaz.titles or token.ent_type_ in {"PERSON"}:
            continue
        if token.i > 0 and doc[token.i - 1].lower_ == "of":
            continue  # "Minister of General Intelligence": part of an office, not a title
        if token.ent_type_ == "ORG" and token.ent_iob_ == "B" and _entity_length(token) == 2:
            continue  # "General Motors", "General Electric": a company named with a title word
        after = token.i + 1
        if after + 2 < len(doc) and doc[after].text == "(" and doc[after + 1].text.isupper() and doc[after + 2].text == ")":
            after += 3  # "National Security Advisor (NSA) Ajit Doval"
        office = after < len(doc) and doc[after].lower_ == "of"
        if office:  # "of (the) Treasury": the office's words come before the name
            after += 2 if after + 1 < len(doc) and doc[after + 1].lower_ == "the" else 1
        names = []
        for nxt in doc[after: after + (7 if office else 5)]:
            if _is_name_token(nxt) and nxt.text not in gaz.titles and nxt.text not in gaz.demonyms:
                names.append(nxt)
            else:
                break
        while names and (names[-1].lower_ in NAME_PARTICLES or names[-1].text in HYPHENS):
            names.pop()
        if office:
            names = _name_after_office(names)
        candidate = _name_candidate(names, True, gaz)
        if candidate:
            found.append(candidate)
    return found


def _entity_length(token: Token) -> int:
    """How many tokens the named entity starting at this token has."""
    length = 1
    while token.i + length < len(token.doc) and token.doc[token.i + length].ent_iob_ == "I":
        length += 1
    return length


def _name_after_office(tokens: list[Token]) -> list[Token]:
    """In "Treasury Scott Bessent" or "Foreign Affairs Abbas Araghchi", the name is the
    surname with its particles and the given name before them; the office keeps a word."""
    i = len(tokens) - 1
    while i > 0 and (tokens[i - 1].lower_ in NAME_PARTICLES or tokens[i - 1].text in HYPHENS):
        i -= 1
    i -= 1  # the given name
    return tokens[i:] if i >= 1 else []


def _credit_ranges(text: str, gaz: Gazetteer) -> list[tuple[int, int]]:
    """The lines and sentences that credit reporters ("By Anna Smith and Tom Jones, CNN",
    "Reporting by ..."): the people named there write the story, they are not in it."""
    ranges, offset = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        opens = any(stripped.startswith(opener + " ") for opener in gaz.byline_openers)
        if (opens and len(stripped.split()) <= 25) or any(p in line for p in gaz.byline_phrases):
            ranges.append((offset, offset + len(line)))
        offset += len(line) + 1
    return ranges


def _names_a_thing(c: Candidate, doc: Doc, gaz: Gazetteer) -> bool:
    """'the Trump administration', 'the Putin regime': a person's name used to name something else."""
    if c.kind != "person":
        return False
    span = doc.char_span(c.start, c.end, alignment_mode="expand")
    if span is None:
        return False
    last = span[-1]
    while last.dep_ == "conj" and last.head.i < last.i:  # "the Kherson and Zaporizhzhia regions"
        last = last.head
    head = last.head
    return (last.dep_ in {"compound", "nmod"} and head.i > last.i and head.pos_ == "NOUN"
            and head.lemma_.lower() in gaz.name_things)


def _drop_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    """Keep the longest candidate where several cover the same text; known ones win ties."""
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), c.actor_id is None, c.start))
    taken: list[tuple[int, int]] = []
    kept = []
    for c in ordered:
        if any(c.start < e and s < c.end for s, e in taken):
            continue
        taken.append((c.start, c.end))
        kept.append(c)
    return sorted(kept, key=lambda c: c.start)


# --------------------------------------------------------------------------- resolution


NamedInFull = dict[str, list[tuple[str, str]]]  # spelling key of a surname -> [(full name, actor id)]


def _resolve_person(c: Candidate, named: NamedInFull, gaz: Gazetteer) -> str | None:
    """Actor id for a person candidate, or None if it is not credible as a person.

    A full name is someone already named in the document or a known actor when the
    names match (``parley.names``: "Andrey Gnatov" is "Andriy Hnatov"), else a new
    person. A single word is the surname of the one person of the document or of the
    known actors it fits, else a person only with evidence (a title, a speech verb ...)."""
    if c.actor_id:
        return c.actor_id
    key = surname_key(c.text, gaz.names)
    if not key:
        return None
    if _has_given_name(c.text, gaz):
        for name, actor_id in named.get(key, []):
            if same_person(c.text, name, gaz.names):
                return actor_id
        for known_id in gaz.surnames.get(key, []):
            if same_person(c.text, gaz.known[known_id].name, gaz.names):
                return known_id
        return slugify(c.text)
    in_document = {actor_id for _, actor_id in named.get(key, [])}
    if len(in_document) == 1:
        return in_document.pop()
    known = gaz.surnames.get(key, [])
    if not in_document and len(known) == 1:
        return known[0]
    if c.titled or c.attested:
        by_given = {actor_id for people in named.values() for name, actor_id in people
                    if (parts := name_parts(name, gaz.names)) and parts.given == spelling_key(c.text, gaz.names)}
        if len(by_given) == 1:  # "PM Shehbaz", "Anwar said": the given name of one person named in full
            return by_given.pop()
        return slugify(c.text)
    return None


def _has_given_name(name: str, gaz: Gazetteer) -> bool:
    """"Khalil al Hayya" has one; "al Hayya" and "von der Leyen" are surnames alone."""
    parts = name_parts(name, gaz.names)
    return parts is not None and parts.given is not None


def _name_in_full(named: NamedInFull, name: str, actor_id: str, gaz: Gazetteer) -> None:
    key = surname_key(name, gaz.names)
    if key and (name, actor_id) not in named.setdefault(key, []):
        named[key].append((name, actor_id))


def _surname_forms(named: NamedInFull) -> dict[str, str]:
    """How the surnames of the persons named in full are written alone: "Hnatov",
    "al-Hayya" and "Hayya"."""
    forms: dict[str, str] = {}
    for people in named.values():
        for name, actor_id in people:
            last = name.split()[-1]
            forms.setdefault(last, actor_id)
            if "-" in last and last.split("-", 1)[0].lower() in NAME_PARTICLES:
                forms.setdefault(last.split("-", 1)[1], actor_id)
    return forms


def _role_of(span: Span, gaz: Gazetteer) -> str | None:
    """The role phrase attached to a name: an appositive, or the title words before it."""
    root = span.root
    doc = span.doc
    for child in root.children:
        if child.dep_ == "appos" and _role_head(child, gaz):
            return _phrase(doc, child.left_edge.i, _clause_end(child))
    if root.dep_ == "appos" and _role_head(root.head, gaz):
        head = root.head
        end = min(span.start, root.left_edge.i)
        return _phrase(doc, head.left_edge.i, end)
    start = span.start
    i = start - 1
    while i >= 0 and doc[i].sent == span.sent and (
        doc[i].dep_ in {"compound", "amod", "nmod", "poss", "case", "punct", "npadvmod"}
        and doc[i].text not in {",", ";", ":", "(", '"', "“", "”"}
        and doc[i].head.i >= start - 1
        and not doc[i].ent_type_ == "PERSON"
    ):
        i -= 1
    if i + 1 < start and any(_role_head(t, gaz) for t in doc[i + 1:start]):
        return _phrase(doc, i + 1, start)
    return None


def _clause_end(token: Token) -> int:
    end = token.right_edge.i + 1
    for t in token.subtree:
        if t.i > token.i and (t.text in {",", ";", "(", "—", "–"} or t.dep_ == "relcl"):
            return t.i
    return end


def _phrase(doc: Doc, start: int, end: int) -> str | None:
    tokens = list(doc[start:end])
    while tokens and (tokens[0].lower_ in DETERMINERS or tokens[0].is_punct):
        tokens.pop(0)
    while tokens and tokens[-1].is_punct:
        tokens.pop()
    if not tokens or len(tokens) > 12:
        return None
    return doc_text(doc)[tokens[0].idx: tokens[-1].idx + len(tokens[-1].text)]


def find_actors(document: Document, doc: Doc, lexicon: Lexicon) -> ActorTable:
    gaz = gazetteer(lexicon)
    credits = _credit_ranges(doc_text(doc), gaz)
    candidates = [c for c in _drop_overlaps(_candidates(doc, gaz)) if not _names_a_thing(c, doc, gaz)
                  and not (c.kind == "person" and any(s <= c.start and c.end <= e for s, e in credits))]

    # Full names first, so that short forms can resolve to them.
    named: NamedInFull = {}
    for c in candidates:
        if c.kind == "person" and _has_given_name(c.text, gaz):
            actor_id = _resolve_person(c, named, gaz)
            if actor_id:
                _name_in_full(named, c.text, actor_id, gaz)
                if actor_id in gaz.known:
                    _name_in_full(named, gaz.known[actor_id].name, actor_id, gaz)
    for actor_id in sorted({c.actor_id for c in candidates if c.actor_id in gaz.known}):
        known = gaz.known[actor_id]
        if known.kind == "person":
            _name_in_full(named, known.name, actor_id, gaz)

    table = ActorTable()
    forms: dict[str, Counter] = defaultdict(Counter)
    titled_forms: dict[str, set[str]] = defaultdict(set)
    kinds: dict[str, str] = {}
    roles: dict[str, str] = {}
    org_countries: dict[str, str] = {}  # organization id -> the country it belongs to
    for c in candidates:
        actor_id = _resolve_person(c, named, gaz) if c.kind == "person" else (
            c.actor_id or slugify(c.text))
        if not actor_id:
            continue
        kinds.setdefault(actor_id, gaz.known[actor_id].kind if actor_id in gaz.known else c.kind)
        forms[actor_id][c.text] += 1
        if kinds[actor_id] == "person":
            titled = _titled_form(doc_text(doc), c.start, c.text, gaz)
            if titled:
                titled_forms[actor_id].add(titled)  # an alias: "Mr. Putin", "General Andriy Hnatov"
        elif kinds[actor_id] == "organization" and actor_id not in gaz.known:
            country = _country_before(doc_text(doc), c.start, gaz)
            if country:  # "Oman's Foreign Ministry", "the Omani Foreign Ministry"
                titled_forms[actor_id].add(f"{country[0]} {c.text}")
                org_countries.setdefault(actor_id, country[1])
            article = re.search(r"\b(the|The)\s+$", doc_text(doc)[max(0, c.start - 4):c.start])
            if article:  # "the Prime Minister's Office" as written
                titled_forms[actor_id].add(f"{article.group(1)} {c.text}")
        table.mentions.append(Mention(actor_id, c.text, c.start, c.end))
        if c.kind == "person" and actor_id not in roles:
            name_span = doc.char_span(c.start, c.end, alignment_mode="expand")
            role = _role_of(name_span, gaz) if name_span is not None else None
            if role:
                roles[actor_id] = role
    _add_surname_mentions(table, doc, named, forms, gaz)
    table.mentions.sort(key=lambda m: m.start)

    for actor_id, surface in forms.items():
        known = gaz.known.get(actor_id)
        name = known.name if known else max(surface, key=lambda f: (len(f.split()), len(f)))
        role = roles.get(actor_id) or (known.role if known else None)
        affiliation = known.affiliation if known else org_countries.get(actor_id)
        if role and not affiliation:
            affiliation = _affiliation_from_role(role, actor_id, table, gaz)
        table.actors[actor_id] = Actor(
            id=actor_id, name=name, kind=kinds[actor_id],
            aliases=sorted({f for f in surface if f != name} | titled_forms[actor_id]),
            role=role, affiliation=affiliation,
            documents=[document.source], mentions=sum(surface.values()),
        )
        if known and known.gender:
            table.genders[actor_id] = known.gender
    _infer_genders(table, doc)
    return table


def _add_surname_mentions(table: ActorTable, doc: Doc, named: NamedInFull,
                          forms: dict[str, Counter], gaz: Gazetteer) -> None:
    """Every bare surname of someone named in full is a mention of them, tagged by NER or
    not, and so is another spelling of it ("Gnatov" after "Andriy Hnatov")."""
    present = {last: actor_id for last, actor_id in _surname_forms(named).items() if actor_id in forms}
    if not present:
        return
    taken = sorted((m.start, m.end) for m in table.mentions)

    def free(start: int, end: int) -> bool:
        i = bisect.bisect_left(taken, (end, end))
        return not any(s < end and start < e for s, e in taken[max(0, i - 3): i + 1])

    def add(actor_id: str, text: str, start: int, end: int) -> None:
        table.mentions.append(Mention(actor_id, text, start, end))
        forms[actor_id][text] += 1
        bisect.insort(taken, (start, end))

    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(present, key=len, reverse=True))) + r")(?![\w-])")
    for match in pattern.finditer(doc_text(doc)):
        if free(match.start(), match.end()):
            add(present[match.group(0)], match.group(0), match.start(), match.end())
    by_key: dict[str, set[str]] = defaultdict(set)
    for key, people in named.items():
        by_key[key].update(actor_id for _, actor_id in people if actor_id in forms)
    for token in doc:
        if token.pos_ not in {"PROPN", "NOUN"} or not token.text[:1].isupper() or token.text in present:
            continue
        owners = by_key.get(surname_key(token.text, gaz.names) or "", set())
        if len(owners) == 1 and free(token.idx, token.idx + len(token.text)):
            add(next(iter(owners)), token.text, token.idx, token.idx + len(token.text))


def _affiliation_from_role(role: str, actor_id: str, table: ActorTable, gaz: Gazetteer) -> str | None:
    """'Belgian Prime Minister' -> belgium; 'envoy for President Putin' -> Putin's country."""
    if gaz.pattern is None:
        return None
    for match in gaz.pattern.finditer(role):
        form = match.group(0)
        other = gaz.demonyms.get(form) or gaz.forms.get(form)
        if not other or other == actor_id:
            continue
        known = gaz.known[other]
        if known.kind == "person":
            if known.affiliation:
                return known.affiliation
            continue
        return other
    return None


def _infer_genders(table: ActorTable, doc: Doc) -> None:
    """Mr./Ms. before a name tells a person's gender, for resolving 'he'/'she'."""
    for m in table.mentions:
        if m.actor in table.genders:
            continue
        before = doc_text(doc)[max(0, m.start - 5): m.start]
        if re.search(r"\bMr\.?\s$", before):
            table.genders[m.actor] = "m"
        elif re.search(r"\b(Ms|Mrs)\.?\s$", before):
            table.genders[m.actor] = "f"
