"""Gold files: reading and checking them, and sealing gold made from articles whose
wording may not be copied (quotation texts kept as token seals)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parley.evaluate.text import seal_tokens

CORPUS_FILE_NAME = "corpus.json"
RECORD_KINDS = ("quotes", "figures", "persons", "events", "positions")

# --------------------------------------------------------------------------- gold files


class GoldError(Exception):
    """A gold file that cannot be used. ``str()`` is one line: ``path: problem``."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = Path(path)
        self.problem = problem


@dataclass
class DocumentGold:
    """Hand annotations of one document (records kept as the gold file's dicts)."""

    document: str
    path: Path
    actors: list[dict] = field(default_factory=list)
    quotes: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    positions: list[dict] = field(default_factory=list)
    scope: frozenset[str] = frozenset(RECORD_KINDS)  # the record kinds this file annotates


@dataclass
class CorpusGold:
    """Hand annotations across documents: ``corpus.json``."""

    path: Path
    same_actor: list[list[str]] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    framing: dict[str, str] = field(default_factory=dict)


@dataclass
class Gold:
    documents: dict[str, DocumentGold] = field(default_factory=dict)  # source -> gold
    corpus: CorpusGold | None = None


def load_gold(paths: Sequence[Path]) -> Gold:
    """Read gold files; each path is a gold file or a folder of them (``*.json``)."""
    gold = Gold()
    for path in _gold_files(paths):
        data = _read_json(path)
        if path.name == CORPUS_FILE_NAME:
            if gold.corpus is not None:
                raise GoldError(path, f"a second corpus gold (first: {gold.corpus.path})")
            gold.corpus = _corpus_gold(path, data)
        else:
            doc = _document_gold(path, data)
            if doc.document in gold.documents:
                first = gold.documents[doc.document].path
                raise GoldError(path, f"document {doc.document!r} already annotated in {first}")
            gold.documents[doc.document] = doc
    return gold


def _gold_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.glob("*.json") if p.is_file())
            if not found:
                raise GoldError(path, "no gold files (*.json) in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise GoldError(path, "no such file or folder")
    return files


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise GoldError(path, f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise GoldError(path, f"cannot be read: {error}") from None


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _optional_str(value: Any) -> bool:
    return value is None or isinstance(value, str)


# What each gold record needs: key -> (check, what the check wants, required?)
_RECORD_RULES: dict[str, dict[str, tuple[Callable[[Any], bool], str, bool]]] = {
    "actors": {
        "name": (lambda v: isinstance(v, str) and v.strip() != "", "a non-empty string", True),
        "kind": (lambda v: isinstance(v, str), "a string", True),
        "aliases": (_is_str_list, "a list of strings", False),
    },
    "quotes": {  # text or text_h: see _check_quote_text
        "speaker": (_optional_str, "a string or null", False),
    },
    "figures": {
        "value": (is_number, "a number", True),
        "unit": (lambda v: isinstance(v, str), "a string", True),
        "about": (_optional_str, "a string or null", False),
    },
    "events": {
        "kind": (lambda v: isinstance(v, str), "a string", True),
        "participants": (_is_str_list, "a list of strings", False),
        "place": (_optional_str, "a string or null", False),
    },
    "positions": {
        "actor": (lambda v: isinstance(v, str), "a string", True),
        "issue": (lambda v: isinstance(v, str), "a string", True),
        "stance": (lambda v: isinstance(v, str), "a string", True),
    },
}


def _document_gold(path: Path, data: Any) -> DocumentGold:
    if not isinstance(data, dict):
        raise GoldError(path, "expected a JSON object")
    document = data.get("document")
    if not isinstance(document, str) or not document.strip():
        raise GoldError(path, "'document' must be the document's source (a non-empty string)")
    records = {kind: _checked_records(path, data, kind, rules) for kind, rules in _RECORD_RULES.items()}
    for number, quote in enumerate(records["quotes"]):
        _check_quote_text(path, number, quote)
    return DocumentGold(document=document, path=path, scope=_scope(path, data), **records)


def _scope(path: Path, data: dict) -> frozenset[str]:
    """The record kinds a file annotates: its ``scope`` list, or all of them."""
    scope = data.get("scope")
    if scope is None:
        return frozenset(RECORD_KINDS)
    if not _is_str_list(scope) or not scope:
        raise GoldError(path, "'scope' must be a non-empty list of record kinds")
    unknown = sorted(set(scope) - set(RECORD_KINDS))
    if unknown:
        raise GoldError(path, f"'scope' names unknown record kinds {unknown} (known: {', '.join(RECORD_KINDS)})")
    return frozenset(scope)


def _check_quote_text(path: Path, number: int, quote: dict) -> None:
    """A gold quote carries its words as ``text`` or, sealed, as ``text_h``: one seal
    (8 lower-case hex digits) per normalised token."""
    if ("text" in quote) == ("text_h" in quote):
        raise GoldError(path, f"quotes[{number}] needs exactly one of 'text' and 'text_h'")
    if "text" in quote and not isinstance(quote["text"], str):
        raise GoldError(path, f"quotes[{number}].text must be a string")
    seals = quote.get("text_h", [])
    if not _is_str_list(seals) or not all(len(s) == 8 and set(s) <= set("0123456789abcdef") for s in seals):
        raise GoldError(path, f"quotes[{number}].text_h must be a list of 8-hex-digit token seals")


# Fields of gold that carry an article's wording, left out of sealed gold.
WORDING_FIELDS = {"quotes": ("speaker_text",), "positions": ("evidence",), "actors": ("role",)}


def seal_gold(data: dict) -> dict:
    """A per-document or corpus gold object with the article's wording taken out:
    quotation texts become token seals; speaker_text, evidence, roles and notes go.
    What the scorer reads is kept, so sealed gold scores exactly as the open gold."""
    sealed = {key: value for key, value in data.items() if key != "notes"}
    for kind, fields in WORDING_FIELDS.items():
        if kind in sealed:
            sealed[kind] = [{k: v for k, v in record.items() if k not in fields} for record in sealed[kind]]
    if "quotes" in sealed:
        sealed["quotes"] = [_sealed_quote(quote) for quote in sealed["quotes"]]
    for kind in ("claims", "conflicts"):
        if kind in sealed:
            sealed[kind] = [{k: v for k, v in record.items() if k != "note"} for record in sealed[kind]]
    return sealed


def _sealed_quote(quote: dict) -> dict:
    if "text_h" in quote:
        return quote
    sealed = {"text_h": seal_tokens(quote["text"])}
    sealed.update((k, v) for k, v in quote.items() if k != "text")
    return sealed


def _checked_records(path: Path, data: dict, kind: str, rules: dict) -> list[dict]:
    records = data.get(kind)
    if records is None:
        return []
    if not isinstance(records, list):
        raise GoldError(path, f"'{kind}' must be a list")
    for number, record in enumerate(records):
        if not isinstance(record, dict):
            raise GoldError(path, f"{kind}[{number}] must be an object")
        for key, (check, wanted, required) in rules.items():
            if key not in record:
                if required:
                    raise GoldError(path, f"{kind}[{number}] lacks '{key}'")
            elif not check(record[key]):
                raise GoldError(path, f"{kind}[{number}].{key} must be {wanted}, not {json.dumps(record[key])}")
    return records


def _corpus_gold(path: Path, data: Any) -> CorpusGold:
    if not isinstance(data, dict):
        raise GoldError(path, "expected a JSON object")
    same_actor = data.get("same_actor") or []
    if not isinstance(same_actor, list) or not all(_is_str_list(group) and group for group in same_actor):
        raise GoldError(path, "'same_actor' must be a list of non-empty lists of names")
    claims = _corpus_records(path, data, "claims", {"keys": "a non-empty list of strings", "documents": "a list of strings"})
    conflicts = _corpus_records(path, data, "conflicts", {"keys": "a non-empty list of strings", "values": "a non-empty list of strings"})
    for number, conflict in enumerate(conflicts):
        if not isinstance(conflict.get("evolution"), bool):
            raise GoldError(path, f"conflicts[{number}].evolution must be true or false")
    framing = data.get("framing") or {}
    if not isinstance(framing, dict) or not all(isinstance(label, str) for label in framing.values()):
        raise GoldError(path, "'framing' must map document sources to labels")
    return CorpusGold(path=path, same_actor=same_actor, claims=claims, conflicts=conflicts, framing=framing)


def _corpus_records(path: Path, data: dict, kind: str, list_fields: dict[str, str]) -> list[dict]:
    records = data.get(kind) or []
    if not isinstance(records, list):
        raise GoldError(path, f"'{kind}' must be a list")
    for number, record in enumerate(records):
        if not isinstance(record, dict):
            raise GoldError(path, f"{kind}[{number}] must be an object")
        for key, wanted in list_fields.items():
            value = record.get(key)
            non_empty = "non-empty" not in wanted or bool(value)
            if not (_is_str_list(value) and non_empty):
                raise GoldError(path, f"{kind}[{number}].{key} must be {wanted}")
    return records
