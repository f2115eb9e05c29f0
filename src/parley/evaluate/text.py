"""Text and names as the scorer compares them: normalisation, token overlap, seals, persons."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# Function words dropped before comparing figure `about` phrases. Deliberately small:
# words such as "share", "amount" or "two" carry meaning in an `about` phrase.
STOP_WORDS = frozenset(
    """a an the this that these those of in on at to for from by with about as into onto
    over under between among per via than and or nor but its it their his her our your my
    is are was were be been being has have had do does did will would can could may might
    shall should must which who whom whose what where when how some any each all both
    such other another more most less least so very also not no up out off""".split()
)

NAME_PARTICLES = frozenset("von van der den de del della di da du la le dos das bin ibn al el ter ten".split())
NAME_SUFFIXES = frozenset("jr sr ii iii iv".split())



# --------------------------------------------------------------------------- text


_PLAIN_CHARACTERS = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    }
)


def normalize(text: Any) -> str:
    """Lower-case, plain quotes and dashes, punctuation removed, white space collapsed.

    Dashes, hyphens and slashes separate words (``President-elect`` -> ``president
    elect``); other punctuation is deleted, so ``U.S.`` -> ``us``, ``Ukraine's`` ->
    ``ukraines``. ``None`` gives "".
    """
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", str(text)).casefold().translate(_PLAIN_CHARACTERS)
    text = re.sub(r"[-/]", " ", text)
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("P"))
    return " ".join(text.split())


def tokens(text: Any) -> list[str]:
    return normalize(text).split()


def seal(token: str) -> str:
    """A normalised token's seal: the first 8 hex digits of the SHA-1 of its UTF-8 bytes."""
    return hashlib.sha1(token.encode("utf-8")).hexdigest()[:8]


def seal_tokens(text: Any) -> list[str]:
    """The seals of a text's normalised tokens, in order (how sealed gold keeps a quotation)."""
    return [seal(token) for token in tokens(text)]


def token_f1(first: Sequence[str], second: Sequence[str]) -> float:
    """F1 of two token multisets (1.0 for two empty ones)."""
    if not first and not second:
        return 1.0
    overlap = sum((Counter(first) & Counter(second)).values())
    return 2 * overlap / (len(first) + len(second))


def contains_tokens(longer: Sequence[str], shorter: Sequence[str]) -> bool:
    """True when ``shorter`` occurs in ``longer`` as a run of whole tokens."""
    if not shorter:
        return False
    return f" {' '.join(shorter)} " in f" {' '.join(longer)} "


def contains_text(text: Any, key: Any) -> bool:
    """Case-insensitive substring test on normalised text (``Trump`` is in ``Trump's``)."""
    needle = normalize(key)
    return bool(needle) and needle in normalize(text)


def content_words(text: Any) -> list[str]:
    return [token for token in tokens(text) if token not in STOP_WORDS]


def last_names(name: Any) -> set[str]:
    """The surname forms of a person's name: the last word, and the whole surname
    when it starts with a particle (``Ursula von der Leyen`` -> leyen, von der leyen)."""
    words = tokens(name)
    while len(words) > 1 and words[-1] in NAME_SUFFIXES:
        words.pop()
    if not words:
        return set()
    forms = {words[-1]}
    for index, word in enumerate(words[:-1]):
        if word in NAME_PARTICLES:
            forms.add(" ".join(words[index:]))
            break
    return forms


def _last_word(name: Any) -> str | None:
    words = [word for word in tokens(name) if word not in NAME_SUFFIXES] or tokens(name)
    return words[-1] if words else None


def same_source(first: Any, second: Any) -> bool:
    """Two document sources name the same document: equal, or equal base file names."""
    if not first or not second:
        return False
    return first == second or _base_name(first) == _base_name(second)


def _base_name(source: Any) -> str:
    return re.split(r"[\\/]", str(source).rstrip("/\\"))[-1]


# --------------------------------------------------------------------------- names


@dataclass(frozen=True)
class Named:
    """An actor as the matcher sees it: normalised name, every normalised form, kind."""

    name: str
    forms: frozenset[str]
    kind: str | None = None

    @classmethod
    def of(cls, name: Any, aliases: Iterable[Any] = (), kind: Any = None) -> Named:
        forms = {normalize(form) for form in [name, *aliases] if isinstance(form, str)}
        forms.discard("")
        return cls(normalize(name), frozenset(forms), kind.casefold() if isinstance(kind, str) else None)

    @property
    def is_person(self) -> bool:
        return self.kind == "person"

    @property
    def last_words(self) -> set[str]:
        return {word for form in self.forms if (word := _last_word(form))}


def name_rank(predicted: Named, gold: Named) -> int | None:
    """How well a predicted actor matches a gold one: 0 when a name or alias is equal,
    1 when they share the gold last name (persons only), None when they do not match.

    A gold actor of unknown kind (named in the gold but not listed in its actors) may
    match a predicted person by last name.
    """
    if predicted.forms & gold.forms:
        return 0
    persons = predicted.is_person and gold.kind in ("person", None)
    if persons and _last_word(gold.name) in predicted.last_words:
        return 1
    return None
