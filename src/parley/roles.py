"""Who a description names: "the Belgian prime minister", "Moscow's top diplomat",
"Vladimir Putin's spokesman", "the head of the White House".

A description is read into a *role* (its office, made canonical through the ``[roles]``
table of ``language.toml``: "top diplomat" and "FM" are a foreign minister), the
*countries* it names ("Belgian", "Moscow's", "the White House"), and the *person* it
belongs to, when a possessor names one ("Putin's spokesman" works for Russia). An actor
fits when one of the roles it is known by (the role the article gives it, the title
written before its name, the role of the known-actors data) is that office, and it
belongs to those countries. A description fits one actor or none: when two fit, it
stays unnamed.

The quote extractor resolves against the actors of the article; the reconcile stage
then against the whole corpus, and last against the known-actors data
(``actors.toml``): the data is one source among others, not the only one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from parley.lexicon import Lexicon
from parley.records import Actor

WORD = re.compile(r"[\w’'.-]+")


@dataclass(frozen=True, eq=False)
class RoleTable:
    phrases: tuple[tuple[tuple[str, ...], str], ...]  # (words, canonical role), longest first
    covers: dict[str, frozenset[str]]  # role -> the roles it also names ("leader" -> president ...)
    other_office: frozenset[str]  # "vice", "deputy", "former": another office than the role's
    countries: dict[str, str]  # country word ("belgian", "moscow", "kremlin") -> country id


@lru_cache(maxsize=8)
def role_table(lexicon: Lexicon) -> RoleTable:
    roles = lexicon["language"].get("roles", {})
    phrases = []
    covers: dict[str, frozenset[str]] = {}
    for name, entry in roles.items():
        canonical = name.replace("_", " ")
        for phrase in [canonical, *entry.get("phrases", [])]:
            phrases.append((tuple(phrase.lower().split()), canonical))
        covers[canonical] = frozenset(c.replace("_", " ") for c in entry.get("covers", []))
    phrases.sort(key=lambda p: -len(p[0]))
    countries: dict[str, str] = {}
    for country_id, entry in lexicon["places"].get("countries", {}).items():
        for form in [entry["name"], *entry.get("aliases", []), *entry.get("demonyms", [])]:
            key = _plain(form).removeprefix("the ")
            countries.setdefault(key, country_id)
    return RoleTable(tuple(phrases), covers,
                     frozenset(w.lower() for w in lexicon["language"].get("other_office_words", [])),
                     countries)


def _plain(text: str) -> str:
    return text.lower().replace("’", "'").removesuffix("'s").strip()


@dataclass(frozen=True)
class Description:
    roles: frozenset[str]  # canonical offices named (empty: no office, e.g. "the man")
    countries: frozenset[str]  # country ids it names
    of_person: str | None = None  # the person a possessor names ("Putin's spokesman")

    @property
    def is_office(self) -> bool:
        return bool(self.roles)


def _words(text: str) -> list[str]:
    return [_plain(w) for w in WORD.findall(text)]


def _countries_in(words: list[str], table: RoleTable) -> set[str]:
    found = set()
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            country = table.countries.get(" ".join(words[i:i + size]))
            if country:
                found.add(country)
    return found


def _offices_in(words: list[str], table: RoleTable) -> set[str]:
    """Canonical offices named by the words, longest phrase first; an office preceded by
    "vice", "deputy" or "former" is another office, and is not counted."""
    found: set[str] = set()
    used: set[int] = set()
    for phrase, canonical in table.phrases:
        size = len(phrase)
        for i in range(len(words) - size + 1):
            if tuple(words[i:i + size]) != phrase or used & set(range(i, i + size)):
                continue
            used.update(range(i, i + size))
            if i > 0 and words[i - 1] in table.other_office:
                continue
            found.add(canonical)
    return found


def describe(text: str, table: RoleTable, of_person: str | None = None) -> Description:
    """Read a description as written: "the top Russian diplomat" -> foreign minister, Russia."""
    words = _words(text)
    countries = _countries_in(words, table)
    content = [w for w in words if w not in table.countries]  # "top *Russian* diplomat"
    return Description(frozenset(_offices_in(content, table)), frozenset(countries), of_person)


def offices_of(actor: Actor, table: RoleTable, titles: Iterable[str] = ()) -> set[str]:
    """The offices an actor is known by: its role and the titles written before its name."""
    found = set()
    for text in [actor.role or "", *titles]:
        found |= _offices_in([w for w in _words(text) if w not in table.countries], table)
    return found


def fits(description: Description, actor: Actor, table: RoleTable,
         affiliation_of: dict[str, str | None], titles: Iterable[str] = ()) -> bool:
    """Whether an actor (a person) is one the description can name."""
    if actor.kind != "person" or not description.is_office:
        return False
    offices = offices_of(actor, table, titles)
    wanted = set(description.roles)
    for role in description.roles:
        wanted |= table.covers.get(role, frozenset())
    if not wanted & offices:
        return False
    countries = set(description.countries)
    if description.of_person:
        if description.of_person == actor.id:
            return False  # "Putin's spokesman" is not Putin
        if affiliation_of.get(description.of_person):
            countries.add(affiliation_of[description.of_person])
    if not countries:
        return True
    own = {actor.affiliation} | {c for text in [actor.role or "", *titles] for c in _countries_in(_words(text), table)}
    return bool(countries & own)


def resolve(description: Description, actors: Iterable[Actor], table: RoleTable,
            titles: dict[str, set[str]] | None = None,
            affiliation_of: dict[str, str | None] | None = None) -> str | None:
    """The one actor the description fits, or None when none or several do."""
    titles = titles or {}
    affiliation_of = affiliation_of or {}
    fitting = {a.id for a in actors
               if fits(description, a, table, affiliation_of, titles.get(a.id, ()))}
    return fitting.pop() if len(fitting) == 1 else None
