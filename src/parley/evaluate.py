"""Score a parley/1 export against hand-made gold files (``parley eval``).

The matching and metric rules are those of ``shared/spec/gold-format.md``:

- ``load_gold(paths)`` reads per-document gold files and the optional ``corpus.json``;
- ``score(export, gold)`` returns a JSON-serialisable dict of precision / recall / F1
  (per document and micro-averaged overall), accuracies, and corpus figures;
- ``render(scores, console)`` prints them as a rich table.

Interpretations where the spec leaves room (all documented in the function that does it):

- normalisation: NFKC, case-folded, curly quotes and dashes made plain; dashes, hyphens
  and slashes then separate words, every other punctuation mark is deleted (``U.S.`` ->
  ``us``, ``Ukraine's`` -> ``ukraines``), white space collapsed;
- "one contains the other" (quotes, places, conflict values) is containment of a
  contiguous run of whole tokens, never a piece of a word (``us`` is not in ``brussels``);
- predicted *and* gold quotes under four tokens are left out ("not annotated and not
  scored");
- a speaker is also right when a predicted form equals one of the gold speaker's gold
  aliases (``Zelenskyy`` for ``Volodymyr Zelensky``);
- "shares the last name" compares last words (titles and ``Jr.`` aside), persons only;
- a same_actor group counts only when each form resolves to exactly one predicted actor,
  the same for all forms (two predicted actors answering to one form is a failed merge);
- a claim must cover two of its gold documents (or all of them when it lists fewer);
  the gold values of a conflict must be carried by different predicted values;
- a metric whose denominator is zero is ``None`` (shown as "-"), never 0 or 1.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

RECORD_KINDS = ("quotes", "figures", "persons", "events", "positions")
ACCURACIES = ("speaker_accuracy", "about_accuracy", "stance_accuracy")
CORPUS_FILE_NAME = "corpus.json"

MIN_QUOTE_TOKENS = 4
QUOTE_MIN_F1 = 0.8
QUOTE_MIN_COVERAGE = 0.8
FIGURE_TOLERANCE = 0.005  # relative to the gold value
ABOUT_MIN_F1 = 0.5
PARTICIPANTS_MIN_JACCARD = 0.5
EPSILON = 1e-9  # keeps float rounding from moving a pair across a threshold

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


def _is_number(value: Any) -> bool:
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
    "quotes": {
        "text": (lambda v: isinstance(v, str), "a string", True),
        "speaker": (_optional_str, "a string or null", False),
    },
    "figures": {
        "value": (_is_number, "a number", True),
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
    return DocumentGold(document=document, path=path, **records)


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


class ExportActors:
    """The export's actors by id. An unknown id stands for an actor named like the id."""

    def __init__(self, export: dict) -> None:
        self.records = [actor for actor in _records(export, "actors") if actor.get("id")]
        self.by_id = {actor["id"]: actor for actor in self.records}

    def named(self, actor_id: Any) -> Named | None:
        if not actor_id:
            return None
        actor = self.by_id.get(actor_id)
        if actor is None:
            return Named.of(str(actor_id))
        return Named.of(actor.get("name"), _string_list(actor.get("aliases")), actor.get("kind"))


class GoldActors:
    """Gold actors by their normalised names and aliases: a document's first, then the corpus's."""

    def __init__(self, documents: Iterable[DocumentGold]) -> None:
        self.corpus: dict[str, Named] = {}
        self.by_document: dict[str, dict[str, Named]] = {}
        for doc in documents:
            table = self.by_document.setdefault(doc.document, {})
            named = [Named.of(a["name"], a.get("aliases") or (), a.get("kind")) for a in doc.actors]
            for lookup in (table, self.corpus):
                for actor in named:  # canonical names win over another actor's alias
                    lookup.setdefault(actor.name, actor)
                for actor in named:
                    for form in actor.forms:
                        lookup.setdefault(form, actor)

    def named(self, name: str, document: str) -> Named:
        key = normalize(name)
        return self.by_document.get(document, {}).get(key) or self.corpus.get(key) or Named.of(name)


# --------------------------------------------------------------------------- matching


def greedy_match(predicted: Sequence, gold: Sequence, rank: Callable[[Any, Any], Any]) -> list[tuple[int, int]]:
    """One-to-one pairs (predicted index, gold index), best rank first.

    ``rank(p, g)`` returns None for "no match" or a sortable value, lower is better;
    ties go to the earlier gold item, then the earlier prediction.
    """
    candidates = []
    for p_index, p_item in enumerate(predicted):
        for g_index, g_item in enumerate(gold):
            value = rank(p_item, g_item)
            if value is not None:
                candidates.append((value, g_index, p_index))
    candidates.sort(key=lambda candidate: (candidate[0], candidate[1], candidate[2]))
    used_predicted: set[int] = set()
    used_gold: set[int] = set()
    pairs = []
    for _, g_index, p_index in candidates:
        if p_index not in used_predicted and g_index not in used_gold:
            used_predicted.add(p_index)
            used_gold.add(g_index)
            pairs.append((p_index, g_index))
    return pairs


@dataclass
class Tally:
    """Counts behind the metrics of one document (or of all documents summed)."""

    matches: dict[str, list[int]] = field(default_factory=lambda: {kind: [0, 0, 0] for kind in RECORD_KINDS})
    accuracies: dict[str, list[int]] = field(default_factory=lambda: {name: [0, 0] for name in ACCURACIES})

    def count(self, kind: str, pairs: int, predicted: int, gold: int) -> None:
        counts = self.matches[kind]
        counts[0] += pairs
        counts[1] += predicted - pairs
        counts[2] += gold - pairs

    def judge(self, accuracy: str, right: Iterable[bool]) -> None:
        for verdict in right:
            self.accuracies[accuracy][0] += bool(verdict)
            self.accuracies[accuracy][1] += 1

    def add(self, other: Tally) -> None:
        for kind, counts in other.matches.items():
            self.matches[kind] = [a + b for a, b in zip(self.matches[kind], counts)]
        for name, counts in other.accuracies.items():
            self.accuracies[name] = [a + b for a, b in zip(self.accuracies[name], counts)]

    def metrics(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for kind, (tp, fp, fn) in self.matches.items():
            result[kind] = prf(tp, fp, fn)
        for name, (right, total) in self.accuracies.items():
            result[name] = {"right": right, "total": total, "accuracy": _ratio(right, total)}
        return result


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    """Precision, recall and F1 (None when undefined) with the counts behind them."""
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    if precision is None or recall is None:
        f1 = None
    else:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": None if precision is None else round(precision, 4),
        "recall": None if recall is None else round(recall, 4),
        "f1": None if f1 is None else round(f1, 4),
    }


# --------------------------------------------------------------------------- per document


@dataclass
class Context:
    """What every per-document scorer needs besides the two record lists."""

    document: str
    actors: ExportActors
    gold_actors: GoldActors

    def gold_named(self, name: str) -> Named:
        return self.gold_actors.named(name, self.document)


def score_quotes(predicted: list[dict], gold: list[dict], context: Context, tally: Tally) -> None:
    """Quotes: token F1 >= 0.8, or whole-token containment covering >= 80% of the longer."""
    predicted = [quote for quote in predicted if len(tokens(quote.get("text"))) >= MIN_QUOTE_TOKENS]
    gold = [quote for quote in gold if len(tokens(quote.get("text"))) >= MIN_QUOTE_TOKENS]

    def rank(p_quote: dict, g_quote: dict) -> tuple | None:
        p_tokens, g_tokens = tokens(p_quote.get("text")), tokens(g_quote.get("text"))
        similarity = token_f1(p_tokens, g_tokens)
        if similarity + EPSILON >= QUOTE_MIN_F1 or _covers(p_tokens, g_tokens):
            return (-similarity,)
        return None

    pairs = greedy_match(predicted, gold, rank)
    tally.count("quotes", len(pairs), len(predicted), len(gold))
    tally.judge("speaker_accuracy", (speaker_right(predicted[p], gold[g], context) for p, g in pairs))


def _covers(first: list[str], second: list[str]) -> bool:
    shorter, longer = sorted((first, second), key=len)
    return contains_tokens(longer, shorter) and len(shorter) + EPSILON >= QUOTE_MIN_COVERAGE * len(longer)


def speaker_right(p_quote: dict, g_quote: dict, context: Context) -> bool:
    """The predicted speaker's name or an alias equals the gold speaker's name, one of
    its gold aliases, or its last name; a null gold speaker wants a null prediction."""
    gold_speaker, predicted_speaker = g_quote.get("speaker"), p_quote.get("speaker")
    if not gold_speaker:
        return not predicted_speaker
    predicted = context.actors.named(predicted_speaker)
    if predicted is None:
        return False
    gold = context.gold_named(gold_speaker)
    accepted = {normalize(gold_speaker)} | gold.forms | last_names(gold_speaker) | last_names(gold.name)
    return bool(predicted.forms & accepted)


def score_figures(predicted: list[dict], gold: list[dict], context: Context, tally: Tally) -> None:
    """Figures: equal unit, value within 0.5% of the gold value; closest value first."""
    predicted = [figure for figure in predicted if _number(figure.get("value")) is not None]

    def rank(p_figure: dict, g_figure: dict) -> tuple | None:
        if normalize(p_figure.get("unit")) != normalize(g_figure.get("unit")):
            return None
        difference = relative_difference(_number(p_figure.get("value")), float(g_figure["value"]))
        if difference > FIGURE_TOLERANCE + EPSILON:
            return None
        return (difference, -about_similarity(p_figure, g_figure))

    pairs = greedy_match(predicted, gold, rank)
    tally.count("figures", len(pairs), len(predicted), len(gold))
    tally.judge(
        "about_accuracy",
        (about_similarity(predicted[p], gold[g]) + EPSILON >= ABOUT_MIN_F1 for p, g in pairs),
    )


def _number(value: Any) -> float | None:
    if _is_number(value):
        return float(value)
    try:
        return float(str(value).replace(",", "")) if isinstance(value, str) else None
    except ValueError:
        return None


def relative_difference(predicted: float, gold: float) -> float:
    if gold == 0:
        return 0.0 if predicted == 0 else float("inf")
    return abs(predicted - gold) / abs(gold)


def about_similarity(p_figure: dict, g_figure: dict) -> float:
    """Token F1 of the content words (stop words dropped) of the two `about` phrases."""
    if not p_figure.get("about") and g_figure.get("about"):
        return 0.0
    return token_f1(content_words(p_figure.get("about")), content_words(g_figure.get("about")))


def score_persons(predicted: list[Named], gold: list[dict], context: Context, tally: Tally) -> None:
    """Persons: (document, person) pairs; equal name/alias first, then shared last name."""
    gold_persons = [Named.of(a["name"], a.get("aliases") or (), a.get("kind")) for a in gold]
    gold_persons = [person for person in gold_persons if person.is_person]
    pairs = greedy_match(predicted, gold_persons, name_rank)
    tally.count("persons", len(pairs), len(predicted), len(gold_persons))


def score_events(predicted: list[dict], gold: list[dict], context: Context, tally: Tally) -> None:
    """Events: same kind, and the places match or the participants' Jaccard is >= 0.5."""

    def rank(p_event: dict, g_event: dict) -> tuple | None:
        if normalize(p_event.get("kind")) != normalize(g_event.get("kind")):
            return None
        place = places_match(p_event.get("place"), g_event.get("place"))
        overlap = participants_jaccard(p_event, g_event, context)
        if not place and overlap + EPSILON < PARTICIPANTS_MIN_JACCARD:
            return None
        return (not place, -overlap)

    pairs = greedy_match(predicted, gold, rank)
    tally.count("events", len(pairs), len(predicted), len(gold))


def places_match(predicted: Any, gold: Any) -> bool:
    """Both places given and one contains the other (whole tokens, normalised)."""
    p_tokens, g_tokens = tokens(predicted), tokens(gold)
    if not p_tokens or not g_tokens:
        return False
    return contains_tokens(p_tokens, g_tokens) or contains_tokens(g_tokens, p_tokens)


def participants_jaccard(p_event: dict, g_event: dict, context: Context) -> float:
    """Jaccard of the two participant sets, participants matched one-to-one as actors."""
    p_ids = list(dict.fromkeys(_string_list(p_event.get("participants"))))
    predicted = [named for named in map(context.actors.named, p_ids) if named is not None]
    g_names = list(dict.fromkeys(_string_list(g_event.get("participants"))))
    gold = [context.gold_named(name) for name in g_names]
    matched = len(greedy_match(predicted, gold, name_rank))
    union = len(predicted) + len(gold) - matched
    return matched / union if union else 0.0


def score_positions(predicted: list[dict], gold: list[dict], context: Context, tally: Tally) -> None:
    """Positions: same issue and matching actor; stance accuracy over the matches."""

    def rank(p_position: dict, g_position: dict) -> tuple | None:
        if normalize(p_position.get("issue")) != normalize(g_position.get("issue")):
            return None
        p_actor = context.actors.named(p_position.get("actor"))
        if p_actor is None:
            return None
        actor_rank = name_rank(p_actor, context.gold_named(g_position["actor"]))
        if actor_rank is None:
            return None
        return (actor_rank, not _same_stance(p_position, g_position))

    pairs = greedy_match(predicted, gold, rank)
    tally.count("positions", len(pairs), len(predicted), len(gold))
    tally.judge("stance_accuracy", (_same_stance(predicted[p], gold[g]) for p, g in pairs))


def _same_stance(p_position: dict, g_position: dict) -> bool:
    return normalize(p_position.get("stance")) == normalize(g_position.get("stance"))


# --------------------------------------------------------------------------- export access


def _records(export: dict, key: str) -> list[dict]:
    records = export.get(key) if isinstance(export, dict) else None
    return [record for record in records or [] if isinstance(record, dict)]


def _string_list(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


class DocumentIndex:
    """Finds the gold document a source names: equal source, else equal base file name."""

    def __init__(self, sources: Iterable[str]) -> None:
        self.exact = set(sources)
        self.by_base: dict[str, str | None] = {}
        for source in self.exact:
            base = _base_name(source)
            self.by_base[base] = None if base in self.by_base else source  # None: ambiguous

    def resolve(self, source: Any) -> str | None:
        if not isinstance(source, str) or not source:
            return None
        if source in self.exact:
            return source
        return self.by_base.get(_base_name(source))


def _by_document(records: list[dict], index: DocumentIndex) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for record in records:
        document = index.resolve(record.get("document"))
        if document is not None:
            grouped.setdefault(document, []).append(record)
    return grouped


def _persons_by_document(export: dict, index: DocumentIndex) -> dict[str, list[Named]]:
    grouped: dict[str, list[Named]] = {}
    for actor in _records(export, "actors"):
        named = Named.of(actor.get("name"), _string_list(actor.get("aliases")), actor.get("kind"))
        if not named.is_person:
            continue
        documents = {index.resolve(source) for source in _string_list(actor.get("documents"))}
        for document in documents - {None}:
            grouped.setdefault(document, []).append(named)
    return grouped


# --------------------------------------------------------------------------- corpus


def score_same_actor(export: dict, gold: Gold) -> dict[str, Any]:
    """Share of gold groups resolving to exactly one predicted actor, and bad merges."""
    actors = _records(export, "actors")
    form_owners: dict[str, set[int]] = {}
    for number, actor in enumerate(actors):
        for form in Named.of(actor.get("name"), _string_list(actor.get("aliases"))).forms:
            form_owners.setdefault(form, set()).add(number)
    groups = gold.corpus.same_actor if gold.corpus else []
    resolved = sum(1 for group in groups if _resolves_to_one(group, form_owners))
    merges = bad_merges(actors, gold)
    return {
        "groups": len(groups),
        "resolved": resolved,
        "share": _ratio(resolved, len(groups)),
        "bad_merges": len(merges),
        "merged": merges,
    }


def _resolves_to_one(group: list[str], form_owners: dict[str, set[int]]) -> bool:
    owners = [form_owners.get(normalize(form), set()) for form in group]
    return all(len(found) == 1 for found in owners) and len(set().union(*owners)) == 1


def gold_persons(gold: Gold) -> dict[str, str]:
    """Every normalised surface form of a gold person -> that person's identity (a name).

    Gold persons are one identity across files when their names are equal, when one's
    name is another's alias, or when a same_actor group joins them. A form shared by two
    identities is left out: it cannot show a merge.
    """
    persons = [
        Named.of(a["name"], a.get("aliases") or (), a.get("kind"))
        for doc in gold.documents.values()
        for a in doc.actors
    ]
    persons = [person for person in persons if person.is_person]
    parent = {person.name: person.name for person in persons}

    def find(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    def union(first: str, second: str) -> None:
        parent[find(first)] = find(second)

    names = set(parent)
    for person in persons:
        for form in person.forms & names:
            union(person.name, form)
    for group in gold.corpus.same_actor if gold.corpus else []:
        members = [name for name in map(normalize, group) if name in names]
        for name in members[1:]:
            union(members[0], name)

    identities: dict[str, set[str]] = {}
    for person in persons:
        for form in person.forms:
            identities.setdefault(form, set()).add(find(person.name))
    return {form: next(iter(ids)) for form, ids in identities.items() if len(ids) == 1}


def bad_merges(actors: list[dict], gold: Gold) -> list[dict[str, Any]]:
    """Predicted actors whose names and aliases belong to two or more gold persons."""
    identity_of = gold_persons(gold)
    merges = []
    for actor in actors:
        named = Named.of(actor.get("name"), _string_list(actor.get("aliases")))
        identities = {identity_of[form] for form in named.forms if form in identity_of}
        if len(identities) > 1:
            merges.append({"actor": actor.get("id") or actor.get("name"), "gold_persons": sorted(identities)})
    return merges


def score_claims(export: dict, corpus: CorpusGold) -> dict[str, Any]:
    """A gold claim is found when one predicted claim holds every key (in its statement
    or an evidence text) and covers at least two of the gold claim's documents."""
    predicted = _records(export, "claims")
    found = sum(1 for claim in corpus.claims if any(_claim_found(p, claim) for p in predicted))
    return {"total": len(corpus.claims), "found": found, "recall": _ratio(found, len(corpus.claims))}


def _claim_found(p_claim: dict, g_claim: dict) -> bool:
    evidence = _records(p_claim, "evidence")
    texts = [p_claim.get("statement"), *(item.get("text") for item in evidence)]
    if not all(any(contains_text(text, key) for text in texts) for key in g_claim["keys"]):
        return False
    sources = _string_list(p_claim.get("documents")) + [str(item.get("document")) for item in evidence]
    covered = sum(1 for doc in set(g_claim["documents"]) if any(same_source(doc, s) for s in sources))
    return covered >= min(2, len(set(g_claim["documents"])))


def score_conflicts(export: dict, corpus: CorpusGold) -> dict[str, Any]:
    """A gold conflict is found when a predicted one mentions every key and carries every
    gold value (each in a different predicted value); evolution is judged on the first
    predicted conflict that finds it."""
    predicted = _records(export, "conflicts")
    found = right = 0
    for conflict in corpus.conflicts:
        match = next((p for p in predicted if _conflict_found(p, conflict)), None)
        if match is not None:
            found += 1
            right += bool(match.get("evolution")) == conflict["evolution"]
    return {
        "total": len(corpus.conflicts),
        "found": found,
        "recall": _ratio(found, len(corpus.conflicts)),
        "evolution_right": right,
        "evolution_accuracy": _ratio(right, found),
    }


def _conflict_found(p_conflict: dict, g_conflict: dict) -> bool:
    values = _records(p_conflict, "values")
    texts = [p_conflict.get("about")] + [v.get(key) for v in values for key in ("value", "evidence")]
    if not all(any(contains_text(text, key) for text in texts) for key in g_conflict["keys"]):
        return False
    value_tokens = [tokens(value.get("value")) for value in values]

    def carries(g_index: int, p_index: int) -> bool:
        return contains_tokens(value_tokens[p_index], tokens(g_conflict["values"][g_index]))

    return _all_assigned(len(g_conflict["values"]), len(values), carries)


def _all_assigned(left: int, right: int, fits: Callable[[int, int], bool]) -> bool:
    """True when every left item gets its own right item it fits (bipartite matching)."""
    owner: dict[int, int] = {}

    def assign(item: int, seen: set[int]) -> bool:
        for slot in range(right):
            if slot not in seen and fits(item, slot):
                seen.add(slot)
                if slot not in owner or assign(owner[slot], seen):
                    owner[slot] = item
                    return True
        return False

    return all(assign(item, set()) for item in range(left))


def score_framing(export: dict, corpus: CorpusGold) -> dict[str, Any]:
    """Accuracy of the framing label over the documents the gold lists."""
    predicted = _records(export, "framing")
    right = 0
    for document, label in corpus.framing.items():
        match = next((p for p in predicted if same_source(p.get("document"), document)), None)
        right += match is not None and normalize(match.get("label")) == normalize(label)
    total = len(corpus.framing)
    return {"total": total, "right": right, "accuracy": _ratio(right, total)}


# --------------------------------------------------------------------------- entry points


def score(export: dict, gold: Gold) -> dict[str, Any]:
    """Score a parley/1 export against gold; only documents the gold covers count."""
    index = DocumentIndex(gold.documents)
    context_actors = ExportActors(export)
    gold_actors = GoldActors(gold.documents.values())
    grouped = {kind: _by_document(_records(export, kind), index) for kind in ("quotes", "figures", "events", "positions")}
    persons = _persons_by_document(export, index)
    in_export = {index.resolve(doc.get("source")) for doc in _records(export, "documents")}
    in_export |= set(persons).union(*grouped.values())

    overall = Tally()
    documents: dict[str, Any] = {}
    for source in sorted(gold.documents):
        doc_gold = gold.documents[source]
        context = Context(source, context_actors, gold_actors)
        tally = Tally()
        score_quotes(grouped["quotes"].get(source, []), doc_gold.quotes, context, tally)
        score_figures(grouped["figures"].get(source, []), doc_gold.figures, context, tally)
        score_persons(persons.get(source, []), doc_gold.actors, context, tally)
        score_events(grouped["events"].get(source, []), doc_gold.events, context, tally)
        score_positions(grouped["positions"].get(source, []), doc_gold.positions, context, tally)
        documents[source] = {"in_export": source in in_export, **tally.metrics()}
        overall.add(tally)

    corpus = None
    if gold.corpus is not None:
        corpus = {
            "same_actor": score_same_actor(export, gold),
            "claims": score_claims(export, gold.corpus),
            "conflicts": score_conflicts(export, gold.corpus),
            "framing": score_framing(export, gold.corpus),
        }
    return {"documents": documents, "overall": overall.metrics(), "corpus": corpus}


_KIND_TITLES = {"quotes": "Quotes", "figures": "Figures", "persons": "Persons", "events": "Events", "positions": "Positions"}
_ACCURACY_TITLES = {"speaker_accuracy": "Speaker", "about_accuracy": "About", "stance_accuracy": "Stance"}


def _percent(value: float | None) -> str:
    """A 0..1 figure as a whole percentage, "-" when undefined."""
    return "-" if value is None else f"{round(value * 100)}"


def render(scores: dict, console: Console) -> None:
    """Print the scores: one table (documents + overall, figures in %), then the corpus figures."""
    table = Table(title="parley eval (%)", header_style="bold", box=box.SIMPLE_HEAD)
    table.add_column("Document", overflow="fold", min_width=12)
    for title in _KIND_TITLES.values():
        table.add_column(f"{title}\n  P   R  F1", justify="right", no_wrap=True)
    for title in _ACCURACY_TITLES.values():
        table.add_column(f"{title}\nacc.", justify="right")
    rows = list(scores.get("documents", {}).items())
    for number, (name, metrics) in enumerate([*rows, ("overall", scores.get("overall", {}))]):
        label = f"[bold]{name}[/bold]" if name == "overall" else name
        table.add_row(label, *_row_cells(metrics), end_section=number == len(rows) - 1)
    console.print(table)
    if scores.get("corpus"):
        console.print(_corpus_table(scores["corpus"]))


def _row_cells(metrics: dict) -> list[str]:
    cells = []
    for kind in _KIND_TITLES:
        counts = metrics.get(kind) or {}
        cells.append(" ".join(f"{_percent(counts.get(key)):>3}" for key in ("precision", "recall", "f1")))
    for name in _ACCURACY_TITLES:
        cells.append(_percent((metrics.get(name) or {}).get("accuracy")))
    return cells


def _share(value: float | None, part: int, whole: int) -> str:
    return f"{_percent(value)}% ({part}/{whole})" if value is not None else f"- ({part}/{whole})"


def _corpus_table(corpus: dict) -> Table:
    table = Table(title="corpus", header_style="bold", box=box.SIMPLE_HEAD)
    table.add_column("Figure")
    table.add_column("Value", justify="right")
    same, claims = corpus["same_actor"], corpus["claims"]
    conflicts, framing = corpus["conflicts"], corpus["framing"]
    table.add_row("same actor: groups resolved", _share(same["share"], same["resolved"], same["groups"]))
    table.add_row("same actor: bad merges", str(same["bad_merges"]))
    table.add_row("claims recall", _share(claims["recall"], claims["found"], claims["total"]))
    table.add_row("conflicts recall", _share(conflicts["recall"], conflicts["found"], conflicts["total"]))
    table.add_row(
        "conflicts evolution accuracy",
        _share(conflicts["evolution_accuracy"], conflicts["evolution_right"], conflicts["found"]),
    )
    table.add_row("framing accuracy", _share(framing["accuracy"], framing["right"], framing["total"]))
    return table
