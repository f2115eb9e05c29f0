"""The typed records that flow through parley's stages.

ingest  -> Document
extract -> Extraction (one per document: actors, quotes, figures, times, events, positions)
reconcile -> Corpus (corpus-wide actors, claims, conflicts, framing)

Every record read from one document carries `document` (the document's `source`),
`evidence` (the sentence it was read from, verbatim) and `start`/`end` character
offsets into the document text. Field names follow ../shared/spec/export-format.md.

Records have slots (no per-instance dict) and a record read back from the store shares its
strings with every other (``read_record`` and ``from_dict`` intern them): a reconcile holds
every extraction of the store in memory at once.
"""

from __future__ import annotations

import itertools
import json
import operator
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import msgspec


@dataclass(slots=True)
class Document:
    id: str  # content hash of the text
    source: str  # file name as ingested (relative to the folder given), or URL
    text: str
    title: str | None = None
    outlet: str | None = None
    published: str | None = None  # YYYY-MM-DD
    url: str | None = None
    author: str | None = None
    path: str | None = None  # file on disk it came from
    duplicate_of: str | None = None  # id of the document this one is a near-copy of
    added_at: str | None = None  # when the store first held it (UTC, ISO 8601); None: before parley kept it

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(slots=True)
class Mention:
    """One place in a document's text where an actor is named or referred to."""

    actor: str  # actor id
    text: str
    start: int
    end: int


@dataclass(slots=True)
class Actor:
    id: str  # stable slug, e.g. vladimir-putin
    name: str  # canonical, fullest form seen
    kind: str  # person | organization | country | bloc
    aliases: list[str] = field(default_factory=list)
    role: str | None = None
    affiliation: str | None = None  # actor id
    documents: list[str] = field(default_factory=list)
    mentions: int = 0


@dataclass(slots=True)
class Quote:
    document: str
    text: str  # words inside the quotation marks, without the marks
    speaker: str | None  # actor id, None when unnamed or unknown
    speaker_text: str | None  # the speaker as written
    cue: str | None  # said, told reporters, wrote, according to, ...
    start: int
    end: int
    evidence: str = ""
    unnamed: bool = False  # speaker is a description, not a name
    care: str | None = None  # set by reconcile: "unnamed" or "single source" (copies count once)


@dataclass(slots=True)
class Figure:
    document: str
    text: str  # as written: €71.7bn
    value: float
    unit: str  # ISO 4217, percent, km, or the counted noun in plural
    approx: str | None  # over, nearly, about, ...
    about: str | None  # what it measures
    evidence: str
    start: int
    end: int


@dataclass(slots=True)
class When:
    text: str
    date: str | None = None  # YYYY-MM-DD
    end: str | None = None  # YYYY-MM-DD for ranges
    precision: str | None = None  # day | month | year


@dataclass(slots=True)
class TimeExpression:
    document: str
    when: When
    evidence: str
    start: int
    end: int


@dataclass(slots=True)
class Event:
    document: str
    kind: str  # meeting | attack | decision | visit | statement
    participants: list[str]  # actor ids
    place: str | None
    when: When | None
    status: str | None  # planned | held | ongoing | cancelled
    evidence: str
    start: int
    end: int
    trigger: str = ""  # the word that signalled the event
    format: str | None = None  # bilateral | trilateral | multilateral ... when stated


@dataclass(slots=True)
class Position:
    document: str
    actor: str  # actor id
    issue: str
    stance: str  # demand | red_line | support | oppose | open | propose
    evidence: str
    start: int
    end: int
    cue: str = ""


@dataclass(slots=True)
class Extraction:
    """Everything the extract stage reads from one document."""

    document: str  # source
    actors: list[Actor] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    times: list[TimeExpression] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    framing: Framing | None = None  # how the document frames the prospects of the talks
    sentences: list[list[int]] = field(default_factory=list)  # [start, end] of each sentence, in order


@dataclass(slots=True)
class Claim:
    id: str
    statement: str
    documents: list[str]
    sources: int
    single_source: bool
    evidence: list[dict[str, str]]


@dataclass(slots=True)
class Conflict:
    about: str
    kind: str  # number | date | title | place | fact
    values: list[dict[str, Any]]
    evolution: bool | None
    note: str | None = None  # why evolution was judged so (or could not be)


@dataclass(slots=True)
class Framing:
    document: str
    label: str  # optimistic | neutral | pessimistic
    score: float
    cues: list[str]


@dataclass(slots=True)
class Corpus:
    """What the reconcile stage builds from all documents."""

    documents: list[Document]
    extractions: list[Extraction]  # per document, actor ids rewritten to corpus-wide ids
    actors: list[Actor]  # corpus-wide, merged across documents
    claims: list[Claim] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    framing: list[Framing] = field(default_factory=list)


_ATOMS = (str, int, float, bool, type(None))


def to_dict(record: Any) -> Any:
    """A record as plain dicts and lists (what ``dataclasses.asdict`` gives), for JSON. Written
    out because ``asdict`` deep-copies every value and looks up the fields anew on each call:
    the store turns every extraction to JSON and back, so this runs millions of times."""
    kind = type(record)
    if kind in _ATOMS:
        return record
    if kind is list:
        return [to_dict(v) for v in record]
    if kind is dict:
        return {k: to_dict(v) for k, v in record.items()}
    if kind is tuple:
        return tuple(to_dict(v) for v in record)
    return {name: to_dict(getattr(record, name)) for name in _field_names(kind)}


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    import dataclasses

    return tuple(f.name for f in dataclasses.fields(cls))


_FROM_JSON = msgspec.json.Decoder()


def from_json(text: str | bytes) -> Any:
    """JSON text back as plain values (dicts, lists, atoms), as ``json.loads`` gives them.
    msgspec reads it in about two thirds of the time (each reconcile reads every stored
    extraction and every kept statement, each export every corpus table and view); what
    it refuses and ``json`` takes (``NaN``, a lone surrogate, a number past a float's
    range, as an older store may hold) is read by ``json``."""
    try:
        return _FROM_JSON.decode(text)
    except msgspec.DecodeError:
        return json.loads(text)


def read_record(cls: type, text: str | bytes) -> Any:
    """A record of type ``cls`` from the JSON ``as_json`` made of it (a stored extraction).
    msgspec builds it straight from the text, in C, in about four fifths of the time of
    ``from_dict(cls, from_json(text))``; its strings are then interned, so the records
    read back share them as before (at 100,000 documents a reconcile's peak memory is 2%
    higher). What msgspec refuses (a value of another type, a field an older version did
    not write and that has no default, ``NaN``) goes the way of ``from_dict``, which takes
    it as before."""
    try:
        return _interner(cls)(_decoder(cls).decode(text))
    except msgspec.DecodeError:  # (a ValidationError is one)
        return from_dict(cls, from_json(text))


@lru_cache(maxsize=None)
def _decoder(cls: type) -> msgspec.json.Decoder:
    return msgspec.json.Decoder(cls)


@lru_cache(maxsize=None)
def _interner(cls: type) -> Any:
    """A function interning, in place, the strings of a ``cls`` record and of the records
    nested in it (fields of type ``str``, ``str | None``, ``list[str]``, a record or a list
    of records); it returns the record. Made once per type from its type hints, as the
    source of a function with lines for each field (as ``dataclasses`` makes ``__init__``),
    those of nested records written out in it rather than called: a store of 100,000
    documents has millions of records, and a loop over each type's field names, reading
    each with ``getattr``, took twice as long, and a call per nested record a twelfth longer."""
    lines = ["def interned(record):", *_intern_lines(cls, "record", "    ", itertools.count()), "    return record"]
    scope: dict[str, Any] = {"intern": sys.intern}
    exec("\n".join(lines), scope)  # (only field names of parley's own records go into it)
    return scope["interned"]


def _intern_lines(cls: type, name: str, indent: str, names: Iterator[int]) -> list[str]:
    """The lines interning the strings of the record ``name`` of type ``cls``, and of those
    nested in it (each held by a variable of its own, numbered by ``names``)."""
    import dataclasses
    import typing

    hints = typing.get_type_hints(cls)
    lines: list[str] = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        tp, field_of = _without_none(hint), f"{name}.{f.name}"
        optional = tp is not hint
        if tp is str:
            if optional:
                lines += [f"{indent}value = {field_of}", f"{indent}if value is not None:",
                          f"{indent}    {field_of} = intern(value)"]
            else:
                lines.append(f"{indent}{field_of} = intern({field_of})")
        elif dataclasses.is_dataclass(tp):
            inner = f"inner{next(names)}"
            lines += [f"{indent}{inner} = {field_of}", f"{indent}if {inner} is not None:",
                      *_intern_lines(tp, inner, indent + "    ", names)]
        elif typing.get_origin(tp) is list:
            (item,) = typing.get_args(tp)
            if item is str:
                lines += [f"{indent}if {field_of}:", f"{indent}    {field_of}[:] = [intern(v) for v in {field_of}]"]
            elif dataclasses.is_dataclass(item):
                inner = f"inner{next(names)}"
                lines += [f"{indent}for {inner} in {field_of} or ():", *_intern_lines(item, inner, indent + "    ", names)]
    return lines


def _without_none(tp: Any) -> Any:
    """``X`` of ``X | None``; any other type as it is."""
    import types
    import typing

    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        inner = [t for t in typing.get_args(tp) if t is not type(None)]
        return inner[0] if len(inner) == 1 else tp
    return tp


def from_dict(cls: type, data: Any) -> Any:
    """Rebuild a record (and the records nested in it) from ``to_dict`` output."""
    return _builder(cls)(data)


def _keep(value: Any) -> Any:
    return value


@lru_cache(maxsize=None)
def _builder(tp: Any) -> Any:
    """A function rebuilding values of type ``tp`` from plain data, made once per type from the
    type hints (resolving hints on every value was most of the time of reading a store)."""
    import dataclasses
    import types
    import typing

    if tp is str:
        return sys.intern  # one copy of each document name, actor id, kind and evidence sentence
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = _without_none(tp)  # (a union of two types or more: kept as it is)
        build_inner = _keep if inner is tp else _builder(inner)
        if build_inner is _keep:
            return _keep
        return lambda value: None if value is None else build_inner(value)
    if origin is list:
        (item,) = typing.get_args(tp)
        build_item = _builder(item)
        if build_item is _keep:
            return lambda value: None if value is None else list(value)
        return lambda value: None if value is None else [build_item(v) for v in value]
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        in_order = [(f.name, _builder(hints[f.name])) for f in dataclasses.fields(tp) if f.init]
        fields = dict(in_order)
        names = [name for name, _ in in_order]
        if len(names) > 1:
            values = operator.itemgetter(*names)
        else:  # itemgetter of one name gives the value, not a tuple of it
            values = lambda value: tuple(value[name] for name in names)  # noqa: E731
        made = [(n, make) for n, (_, make) in enumerate(in_order) if make is not _keep]

        def build(value: Any) -> Any:
            """Positional arguments in the fields' order when ``value`` has every field (what
            this version stores): the values taken in one ``itemgetter`` call, and only those
            of fields that need building (strings, records, lists) built. By name, the
            missing ones left to their defaults, when it comes from an older version."""
            if value is None:
                return None
            try:
                row = list(values(value))
            except KeyError:
                return tp(**{k: fields[k](v) for k, v in value.items() if k in fields})
            for n, make in made:
                row[n] = make(row[n])
            return tp(*row)
        return build
    return _keep
