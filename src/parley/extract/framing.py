"""Framing: does a document make the prospects of the talks look good, bad, or neither?

The cue words are in ``data/framing.toml``: phrases that make the talks look better
("breakthrough", "constructive", "within reach") or worse ("stalled", "sticking point",
"going nowhere"). Each sentence of the document (and its headline) is read as lower-case
words:

1. cues are found, longest phrase first;
2. a cue with a negator shortly before it is turned around ("no progress" counts as
   pessimistic, "not stalled" as optimistic); a cue standing alone in quotation marks
   ('progress') is someone else's word and counts as ``scare_quote_weight`` says, and one
   the writer only reports ("what the participants *called* constructive") counts as
   ``distancing_weight`` says; questions are left out (rhetorical more often than not);
3. each cue counts with the weight of where it stands: the headline and the opening
   sentence set the frame and count more.

The score is ``(optimistic - pessimistic) / (optimistic + pessimistic + damping)`` in
-1..1, labelled optimistic or pessimistic past the thresholds of the data file when
enough cue weight points that way (``min_weight``), else neutral. The cue sentences that
drove it are kept, strongest first.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from parley.lexicon import Lexicon
from parley.records import Document, Framing

if TYPE_CHECKING:  # scoring sentences needs no parse: joining a long document's parts
    from spacy.tokens import Doc  # (``tasks.py``) happens where spaCy is never loaded

WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*|n't")
OPENING_QUOTES = "\"'“‘"
CLOSING_QUOTES = "\"'”’"
MAX_GAP = 1  # extra words allowed between the words of a phrase: "not yet budged" is "not budged"


@dataclass(frozen=True)
class FramingCues:
    phrases: dict[str, list[tuple[tuple[str, ...], int]]]  # first word -> (words, +1 / -1)
    negators: frozenset[str]
    negation_window: int
    distancing: frozenset[str]
    distancing_weight: float
    headline_weight: float
    opening_weight: float
    body_weight: float
    scare_quote_weight: float
    damping: float
    optimistic_from: float
    pessimistic_to: float
    min_weight: float
    max_cues: int


def _words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in WORD.findall(text.lower())]


@lru_cache(maxsize=8)
def _cues(lexicon: Lexicon) -> FramingCues:
    table = lexicon["framing"]
    phrases: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
    for name, sign in (("optimistic", 1), ("pessimistic", -1)):
        for phrase in table.get(name, []):
            words = tuple(_words(str(phrase)))
            if words:
                phrases[words[0]].append((words, sign))
    return FramingCues(
        phrases=phrases,
        negators=frozenset(w for n in table.get("negators", []) for w in [" ".join(_words(str(n)))] if w),
        negation_window=int(table.get("negation_window", 3)),
        distancing=frozenset(" ".join(_words(str(w))) for w in table.get("distancing", [])),
        distancing_weight=float(table.get("distancing_weight", 0.5)),
        headline_weight=float(table.get("headline_weight", 2.0)),
        opening_weight=float(table.get("opening_weight", 1.5)),
        body_weight=float(table.get("body_weight", 1.0)),
        scare_quote_weight=float(table.get("scare_quote_weight", 0.0)),
        damping=float(table.get("damping", 4.0)),
        optimistic_from=float(table.get("optimistic_from", 0.3)),
        pessimistic_to=float(table.get("pessimistic_to", -0.3)),
        min_weight=float(table.get("min_weight", 2.5)),
        max_cues=int(table.get("max_cues", 6)),
    )


def _match_at(words: list[str], i: int, cues: FramingCues) -> tuple[int, int] | None:
    """(end index, sign) of the longest cue starting at word i, or None."""
    best: tuple[int, int] | None = None
    for phrase, sign in cues.phrases.get(words[i], ()):
        j, ok = i, True
        for word in phrase[1:]:
            k = j + 1
            while k < len(words) and words[k] != word and k - j <= MAX_GAP:
                k += 1
            if k >= len(words) or words[k] != word:
                ok = False
                break
            j = k
        if ok and (best is None or j + 1 > best[0]):
            best = (j + 1, sign)
    return best


def _negated(words: list[str], start: int, cues: FramingCues) -> bool:
    before = words[max(0, start - cues.negation_window): start]
    pairs = [" ".join(before[k:k + 2]) for k in range(len(before) - 1)]
    return any(w in cues.negators or w.endswith("n't") for w in before) or any(p in cues.negators for p in pairs)


def _scare_quoted(sentence: str, phrase_words: list[str]) -> bool:
    """True when the cue stands alone between quotation marks: 'progress'."""
    pattern = r"[" + re.escape(OPENING_QUOTES) + r"]\s*" + r"\W+".join(map(re.escape, phrase_words)) \
        + r"\s*[,.;:]?\s*[" + re.escape(CLOSING_QUOTES) + r"]"
    return re.search(pattern, sentence, flags=re.I) is not None


def sentence_score(sentence: str, cues: FramingCues) -> tuple[float, list[str]]:
    """(signed sum of the cues in a sentence, the cues found as written)."""
    if sentence.rstrip().rstrip(CLOSING_QUOTES).endswith("?"):
        return 0.0, []
    words = _words(sentence)
    total, found = 0.0, []
    i = 0
    while i < len(words):
        match = _match_at(words, i, cues)
        if match is None:
            i += 1
            continue
        end, sign = match
        phrase = words[i:end]
        if any(w in cues.negators for w in phrase):
            negated = False  # the phrase carries its own negation ("no progress")
        else:
            negated = _negated(words, i, cues)
        if _scare_quoted(sentence, phrase):
            weight = cues.scare_quote_weight
        elif any(w in cues.distancing for w in words[max(0, i - cues.negation_window - 1): i]):
            weight = cues.distancing_weight
        else:
            weight = 1.0
        value = (-sign if negated else sign) * weight
        if value:
            total += value
            found.append(("not " if negated else "") + " ".join(phrase))
        i = end
    return total, found


def find_framing(document: Document, doc: Doc, lexicon: Lexicon) -> Framing:
    """The document's framing of the prospects of the talks, with the sentences behind it."""
    return framing_of(document, framing_sentences(doc), lexicon)


def framing_sentences(doc: Doc) -> list[str]:
    """The sentences framing is read from, in order (a document parsed in parts gives
    those of each part, one after the other)."""
    from parley.extract.syntax import segments, span_text_offsets

    return [span_text_offsets(s)[0] for s in segments(doc)]


def framing_of(document: Document, sentences: list[str], lexicon: Lexicon) -> Framing:
    """The framing of a document whose sentences (``framing_sentences``) are given."""
    cues = _cues(lexicon)
    title = " ".join((document.title or "").split())
    if sentences and title and " ".join(sentences[0].split()) == title:
        sentences = sentences[1:]  # the headline is the text's first line
    weighted = [(title, cues.headline_weight)] if title else []
    weighted += [(sentence, cues.opening_weight if number == 0 else cues.body_weight)
                 for number, sentence in enumerate(sentences)]
    optimistic = pessimistic = 0.0
    drivers: dict[str, float] = defaultdict(float)
    for sentence, weight in weighted:
        value, found = sentence_score(sentence, cues)
        if not found:
            continue
        if value > 0:
            optimistic += value * weight
        elif value < 0:
            pessimistic += -value * weight
        drivers[sentence] += value * weight
    score = (optimistic - pessimistic) / (optimistic + pessimistic + cues.damping)
    label = "neutral"
    if score >= cues.optimistic_from and optimistic >= cues.min_weight:
        label = "optimistic"
    elif score <= cues.pessimistic_to and pessimistic >= cues.min_weight:
        label = "pessimistic"
    # The sentences pulling the way of the label (both ways when neutral), strongest first.
    sign = 1 if label == "optimistic" else -1 if label == "pessimistic" else 0
    ranked = sorted((s for s, v in drivers.items() if v and (sign == 0 or v * sign > 0)),
                    key=lambda s: -abs(drivers[s]))
    return Framing(document=document.source, label=label, score=round(score, 3),
                   cues=ranked[: cues.max_cues])
