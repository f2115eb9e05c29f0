"""Direct quotations and who said them.

A quotation is text between paired double quotation marks (straight or curly) or
curly single marks, four words or longer. Its speaker is looked for, in order:

1. a speech verb in the same sentence outside the quote ("...," she told reporters;
   said General Andriy Hnatov; Umerov said: "..."), its subject being the speaker;
2. "according to X" in the same sentence;
3. a dash attribution right after the quote ("... — Volodymyr Zelensky");
4. a colon introducing the quote: the subject of the clause before the colon;
5. the next sentence when it is a short attribution ("Ignatius writes."), or the
   speaker of the quote just before when this one simply continues it.

A subject that is a pronoun resolves to the most recent person of matching gender;
one that names an actor gives that actor; a description ("a senior State
Department official") is kept as written and flagged unnamed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from parley.extract.actors import ActorTable
from parley.lexicon import Lexicon
from parley.records import Document, Quote

MIN_WORDS = 4
QUOTE_PAIRS = [
    re.compile(r"“([^“”]+?)”"),
    re.compile(r'(?<![\w])"([^"]+?)"'),
    re.compile(r"(?<![\w])‘([^‘’]+?(?:’\w+[^‘’]*?)*)’(?!\w)"),
]
DASH_ATTRIBUTION = re.compile(r"^[\s>]*[—–-]{1,2}\s*([A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,4})")
SUBJECT_DEPS = {"nsubj", "nsubjpass"}
# Nouns that point back at a quotation: "The words were those of ...".
WORDS_NOUNS = {"word", "remark", "comment", "quote", "line", "verdict", "warning", "assessment"}


@dataclass
class Speaker:
    actor: str | None
    text: str | None
    cue: str | None
    unnamed: bool = False


NOBODY = Speaker(None, None, None)


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation's inner text, non-overlapping, in order."""
    found: list[tuple[int, int]] = []
    for pattern in QUOTE_PAIRS:
        for m in pattern.finditer(text):
            start, end = m.start(1), m.end(1)
            if "\n\n" in text[start:end]:
                continue
            if not any(start < e + 1 and s - 1 < end for s, e in found):
                found.append((start, end))
    return sorted(found)


def _word_count(text: str) -> int:
    return len(re.findall(r"\w+(?:['’]\w+)?", text))


def _is_title(text: str) -> bool:
    """'Results of the Year': a name in quotation marks, not a quotation."""
    words = re.findall(r"[A-Za-z][\w’'-]*", text)
    small = {"of", "the", "and", "a", "an", "in", "on", "for", "to", "at", "by", "with"}
    return bool(words) and not re.search(r"[.!?,;:]", text) and all(
        w[0].isupper() or w in small for w in words)


def _outside(token: Token, start: int, end: int) -> bool:
    return not (start - 1 <= token.idx < end + 1)


def _subject_speaker(verb: Token, actors: ActorTable, lexicon: Lexicon, cue: str) -> Speaker | None:
    subjects = [c for c in verb.children if c.dep_ in SUBJECT_DEPS]
    if not subjects and verb.dep_ in {"conj", "advcl", "xcomp"} and verb.head.pos_ in {"VERB", "AUX"}:
        subjects = [c for c in verb.head.children if c.dep_ in SUBJECT_DEPS]
    if not subjects:
        return None
    return _speaker_from_phrase(subjects[0], actors, lexicon, cue)


def _speaker_from_phrase(head: Token, actors: ActorTable, lexicon: Lexicon, cue: str | None) -> Speaker:
    doc = head.doc
    if head.pos_ == "PRON" or head.lower_ in lexicon["language"].get("pronouns", {}):
        return _pronoun_speaker(head, actors, lexicon, cue)
    excluded = {t.i for child in head.children if child.dep_ in {"relcl", "acl", "appos"}
                for t in child.subtree}
    phrase_tokens = [t for t in head.subtree if t.i not in excluded]
    left = min(t.i for t in phrase_tokens)
    right = max(t.i for t in phrase_tokens) + 1
    # Cut off trailing clauses ("a local bus driver told me by phone as ...").
    span = doc[left:right]
    cut = next((t.i for t in span if t.i > head.i and t.text in {",", "—", "–", "(", ";"}), right)
    span = doc[left:cut]
    start, end = span.start_char, span.end_char
    # A name in the phrase: the head's own mention first, then any person in it.
    actor = actors.actor_at(head.idx, head.idx + len(head.text))
    if actor is None:
        persons = [a for a in actors.actors_in(start, end) if (actors.get(a) and actors.get(a).kind == "person")]
        actor = persons[0] if persons else None
    if actor is None and head.pos_ == "PROPN":
        named = actors.actors_in(start, end)
        actor = named[0] if named else None
    text = doc.text[start:end].strip()
    if actor is not None:
        return Speaker(actor, text, cue)
    unnamed = head.pos_ in {"NOUN", "PROPN"} or head.lower_ in lexicon["language"].get("speaker_nouns", [])
    return Speaker(None, text, cue, unnamed=unnamed and head.pos_ == "NOUN")


def _pronoun_speaker(pronoun: Token, actors: ActorTable, lexicon: Lexicon, cue: str) -> Speaker:
    gender = lexicon["language"].get("pronouns", {}).get(pronoun.lower_, "")
    described = _recent_described_person(pronoun, actors, lexicon)
    if described is not None:
        return Speaker(None, described, cue, unnamed=True)
    for candidate in actors.persons_before(pronoun.idx):
        known = actors.genders.get(candidate)
        if gender and known and known != gender:
            continue
        return Speaker(candidate, pronoun.text, cue)
    return Speaker(None, pronoun.text, cue, unnamed=True)


def _recent_described_person(pronoun: Token, actors: ActorTable, lexicon: Lexicon) -> str | None:
    """'the owner swept the floor. "...," she said': the pronoun stands for a description.

    Looks at the subject of the sentence before the pronoun's; returns the description
    when that subject is a person noun ("the owner", "a retired teacher") and no named
    person is mentioned after it.
    """
    sent = pronoun.sent
    if sent.start == 0:
        return None
    before = pronoun.doc[sent.start - 1].sent
    speaker_nouns = set(lexicon["language"].get("speaker_nouns", []))
    for token in before:
        if token.dep_ in SUBJECT_DEPS and token.head.dep_ == "ROOT" and token.pos_ == "NOUN" \
                and token.lower_ in speaker_nouns:
            if any(actors.get(a) and actors.get(a).kind == "person"
                   for a in actors.actors_in(token.idx, pronoun.idx)):
                return None
            phrase = [t for t in token.subtree if t.i <= token.i]
            return pronoun.doc.text[phrase[0].idx: token.idx + len(token.text)]
    return None


def _cue_text(verb: Token, lexicon: Lexicon) -> str:
    audience = set(lexicon["language"].get("audience_nouns", []))
    words = [verb.text]
    for child in verb.children:
        if child.i > verb.i and child.dep_ in {"dobj", "dative", "prt"} and child.lower_ in audience | {"out", "on"}:
            words.append(child.text)
    return " ".join(words)


def _speech_verbs(sent: Span, start: int, end: int, lexicon: Lexicon) -> list[Token]:
    verbs = set(lexicon["language"].get("speech_verbs", []))
    return [t for t in sent if t.pos_ in {"VERB", "AUX"} and t.lemma_.lower() in verbs and _outside(t, start, end)]


def _according_to(sent: Span, start: int, end: int, actors: ActorTable, lexicon: Lexicon) -> Speaker | None:
    """'..., according to X': the nearest such phrase to the quote."""
    cues = [t for t in sent if t.lower_ == "according" and _outside(t, start, end)
            and t.i + 1 < len(t.doc) and t.doc[t.i + 1].lower_ == "to"]
    for t in sorted(cues, key=lambda t: min(abs(t.idx - start), abs(t.idx - end))):
        objects = [c for c in t.doc[t.i + 1].children if c.dep_ == "pobj"]
        if objects:
            return _speaker_from_phrase(objects[0], actors, lexicon, "according to")
    return None


def _closest(verbs: list[Token], start: int, end: int) -> Token:
    return min(verbs, key=lambda v: min(abs(v.idx - start), abs(v.idx - end)))


def _attribute(doc: Doc, start: int, end: int, actors: ActorTable, lexicon: Lexicon,
               previous: Quote | None) -> Speaker:
    text = doc.text
    sent = doc.char_span(start, end, alignment_mode="expand")
    sents = list({s.start: s for s in (sent.sents if sent is not None else [])}.values())
    window_start = sents[0].start_char if sents else start
    # A signature right after the quote: "..." — Name
    dash = DASH_ATTRIBUTION.match(text[end + 1: end + 80])
    if dash:
        name_start = end + 1 + dash.start(1)
        actor = actors.actor_at(name_start, name_start + len(dash.group(1)))
        return Speaker(actor, dash.group(1).strip(), "—")
    # 1. A speech verb in the sentence(s) around the quote.
    for s in sents:
        verbs = _speech_verbs(s, start, end, lexicon)
        # A quote's closing sentence may hold the verb: look at the sentence after when needed.
        if verbs:
            verb = _closest(verbs, start, end)
            speaker = _subject_speaker(verb, actors, lexicon, _cue_text(verb, lexicon))
            if speaker:
                return speaker
    # 2. according to X
    for s in sents:
        speaker = _according_to(s, start, end, actors, lexicon)
        if speaker:
            return speaker
    # 4. A colon before the quote: the subject of the clause it ends.
    before = text[window_start:start].rstrip(" “\"‘")
    if before.endswith(":") and sents:
        colon = doc.char_span(window_start, len(before) + window_start, alignment_mode="contract")
        if colon is not None and len(colon):
            root = colon.root
            subjects = [c for c in root.children if c.dep_ in SUBJECT_DEPS]
            if subjects:
                return _speaker_from_phrase(subjects[0], actors, lexicon, root.text)
    # 5. The next sentence attributes it, or it continues the previous quote.
    if sents and sents[-1].end < len(doc):
        nxt = doc[sents[-1].end].sent
        quoted = bool(_quote_spans(nxt.text))
        if len(nxt) <= 12 and not quoted:
            verbs = _speech_verbs(nxt, start, end, lexicon)
            if verbs:
                speaker = _subject_speaker(verbs[0], actors, lexicon, _cue_text(verbs[0], lexicon))
                if speaker:
                    return speaker
        # "The words were those of Iryna Bondar, who ..."
        if not quoted and any(t.lemma_.lower() in WORDS_NOUNS for t in nxt):
            persons = [a for a in actors.actors_in(nxt.start_char, nxt.end_char)
                       if actors.get(a) and actors.get(a).kind == "person"]
            if persons:
                mention = actors.mentions_in(nxt.start_char, nxt.end_char)
                written = next(m.text for m in mention if m.actor == persons[0])
                return Speaker(persons[0], written, None)
    if previous is not None and sents and _continues(previous, sents[0].start_char, doc, actors):
        return Speaker(previous.speaker, previous.speaker_text, previous.cue, previous.unnamed)
    if sents and sents[0].start > 0:
        lead_in = doc[sents[0].start - 1].sent
        speaker_nouns = set(lexicon["language"].get("speaker_nouns", []))
        for token in lead_in:
            if token.dep_ in SUBJECT_DEPS and token.head.dep_ == "ROOT" and token.pos_ in {"NOUN", "PROPN"}:
                speaker = _speaker_from_phrase(token, actors, lexicon, None)
                named = speaker.actor and actors.get(speaker.actor).kind == "person"
                if named or token.lower_ in speaker_nouns:
                    return speaker
    return NOBODY


def _continues(previous: Quote, sentence_start: int, doc: Doc, actors: ActorTable) -> bool:
    """A quote whose sentence follows straight on from the previous quote's, nobody else named between."""
    if previous.speaker_text is None:
        return False
    previous_end = doc.char_span(previous.start, previous.end, alignment_mode="expand")
    if previous_end is None:
        return False
    sentence_end = previous_end[-1].sent.end_char
    if doc.text[sentence_end:sentence_start].strip():
        return False
    between = actors.actors_in(previous.end, sentence_start)
    return all(a == previous.speaker for a in between if actors.get(a) and actors.get(a).kind == "person")


def find_quotes(document: Document, doc: Doc, actors: ActorTable, lexicon: Lexicon) -> list[Quote]:
    quotes: list[Quote] = []
    previous: Quote | None = None
    for start, end in _quote_spans(doc.text):
        inner = doc.text[start:end]
        if _word_count(inner) < MIN_WORDS or _is_title(inner):
            continue
        speaker = _attribute(doc, start, end, actors, lexicon, previous)
        sentence = doc.char_span(start, end, alignment_mode="expand")
        evidence = doc.text[sentence[0].sent.start_char: sentence[-1].sent.end_char] if sentence is not None else inner
        quote = Quote(
            document=document.source, text=inner.strip(), speaker=speaker.actor,
            speaker_text=speaker.text, cue=speaker.cue, start=start, end=end,
            evidence=evidence, unnamed=speaker.unnamed or (speaker.actor is None and speaker.text is not None),
        )
        quotes.append(quote)
        previous = quote
    return quotes
