"""Whether two ways of writing a person's name name one person.

News romanizes the same Cyrillic, Arabic or Persian name in several ways ("Andriy
Hnatov" / "Andrey Gnatov", "Yuri" / "Yury", "Araghchi" / "Araqchi", "al-Busaidi" /
"Al Busaidi"), and gives one given name in two languages or a short form ("Volodymyr" /
"Vladimir", "Dan" / "Daniel"). A name is compared through a *spelling key*: lower case,
accents off, then the rewrites of ``names.toml`` (``romanization``) applied in order, so
the variants of one spelling end up alike. Given names also match through the groups of
``names.toml`` (``given_names``). Honorifics and patronymic particles between a given name
and a surname (``middle_particles``: "Badr *bin Hamad* al-Busaidi") are left out.

Used by the actor extractor (a short or differently spelled name in one article) and by
the reconcile stage (one person across articles).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from parley.lexicon import Lexicon


@dataclass(frozen=True, eq=False)
class NameRules:
    rewrites: tuple[tuple[re.Pattern, str], ...]
    given_groups: dict[str, int]  # spelling key of a given name -> its group
    particles: frozenset[str]  # between a given name and a surname: left out
    surname_particles: frozenset[str]  # before a surname: part of it ("von der Leyen")
    letters: dict[str, str]  # letters without a plain form under accents: "ø" -> "o"


@lru_cache(maxsize=8)
def name_rules(lexicon: Lexicon) -> NameRules:
    table = lexicon["names"]
    rewrites = tuple((re.compile(pattern), replacement) for pattern, replacement in table.get("romanization", []))
    rules = NameRules(rewrites, {}, frozenset(p.lower() for p in table.get("middle_particles", [])),
                      frozenset(p.lower() for p in table.get("surname_particles", [])),
                      dict(table.get("letters", {})))
    # Groups sharing a name are one group ("Michael" is with "Mykhailo" and with "Mike").
    groups: list[set[str]] = []
    for names in table.get("given_names", []):
        keys = {spelling_key(name, rules) for name in names}
        overlapping = [g for g in groups if g & keys]
        for g in overlapping:
            keys |= g
            groups.remove(g)
        groups.append(keys)
    for number, keys in enumerate(groups):
        for key in keys:
            rules.given_groups[key] = number
    return rules


def _plain(text: str, letters: dict[str, str] | None = None) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().replace("’", "'")
    for letter, replacement in (letters or {}).items():
        plain = plain.replace(letter, replacement)
    return plain


@lru_cache(maxsize=65536)
def _rewrite(text: str, rewrites: tuple[tuple[re.Pattern, str], ...]) -> str:
    for pattern, replacement in rewrites:
        text = pattern.sub(replacement, text)
    return text


def spelling_key(text: str, rules: NameRules) -> str:
    """One word or name as compared: "Zelenskyy", "Zelenskiy" and "Zelensky" share a key."""
    plain = re.sub(r"[^a-z' -]", "", _plain(text, rules.letters)).replace("'", "")
    return _rewrite(" ".join(plain.split()), rules.rewrites)


@dataclass(frozen=True)
class NameParts:
    given: str | None  # spelling key of the given name, None for a surname alone
    surname: str  # spelling key of the surname (with its article or particle taken off)

    def given_group(self, rules: NameRules) -> int | str | None:
        if self.given is None:
            return None
        return rules.given_groups.get(self.given, self.given)


def name_parts(name: str, rules: NameRules) -> NameParts | None:
    """Given name and surname of a person's name, as spelling keys."""
    words = [w for w in re.split(r"\s+", name.strip()) if w]
    words = [w for w in words if _plain(w).strip(".") not in rules.particles or w is words[-1]]
    if not words:
        return None
    surname = spelling_key(words[-1], rules)
    # "al Busaidi", "von der Leyen", "Von Der Leyen": the article or particle belongs to the surname
    while len(words) > 1 and (words[-2][:1].islower() or words[-2].lower() in rules.surname_particles):
        words.pop()
    if not surname:
        return None
    given = spelling_key(words[0], rules) if len(words) >= 2 else None
    return NameParts(given or None, surname)


def surname_key(name: str, rules: NameRules) -> str | None:
    parts = name_parts(name, rules)
    return parts.surname if parts else None


def same_person(a: str, b: str, rules: NameRules) -> bool:
    """Two full names of one person: alike surnames and equivalent given names."""
    pa, pb = name_parts(a, rules), name_parts(b, rules)
    if pa is None or pb is None or pa.given is None or pb.given is None:
        return False
    return pa.surname == pb.surname and (pa.given_group(rules) == pb.given_group(rules)
                                         or _vowels_apart(pa.given, pb.given))


def _vowels_apart(a: str, b: str) -> bool:
    """Given names romanized with other vowels ("Zaher" / "Zahir"): the same consonants in
    the same places, four letters or more."""
    return len(a) == len(b) >= 4 and all(x == y or (x in "aeiou" and y in "aeiou") for x, y in zip(a, b))


def surname_of(short: str, full: str, rules: NameRules) -> bool:
    """A surname alone ("Umierov") that names the person of a full name ("Rustem Umerov")."""
    ps, pf = name_parts(short, rules), name_parts(full, rules)
    return ps is not None and pf is not None and ps.surname == pf.surname
