"""The sentences of a document that a reader can point at: what search answers with and
what the document view highlights.

The extract stage keeps spaCy's sentence offsets in the store; this module cuts them
further at line breaks that start a new line of text (a headline, a dateline, a list
item), trims white space and list or quote markers, and falls back to a punctuation
split for a document stored without them. ``text[start:end]`` of every span is the
sentence exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# The end of a sentence for the fallback split: . ! or ? (and any closing quote or
# bracket), white space, then something that can start a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[^\W_a-z])")
# A line break that starts a new line of text: a blank line, or a line that does not
# start with a lower-case letter (one that does is a hard-wrapped sentence going on).
_LINE_BREAK = re.compile(r"\n(?:[ \t]*\n)+[ \t]*|\n[ \t]*(?=[^a-z \t])")
_LEADING_MARKS = re.compile(r"[\s>#*•|\-–—]+")  # list, heading and block-quote markers
_HAS_WORD = re.compile(r"[^\W_]")


def split_sentences(text: str) -> list[list[int]]:
    """[start, end] of each sentence of ``text`` by punctuation alone: the fallback for a
    document stored without spaCy's sentences."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append([start, match.start()])
        start = match.end()
    spans.append([start, len(text)])
    return spans


def sentence_spans(text: str, spans: Sequence[Sequence[int]] | None) -> list[tuple[int, int]]:
    """The answerable sentences of ``text`` as (start, end), in order: ``spans`` (or the
    fallback split) cut at line breaks, trimmed of white space and leading markers, and
    kept only when they hold a word."""
    out: list[tuple[int, int]] = []
    for start, end in spans or split_sentences(text):
        piece_start = start
        for brk in [*_LINE_BREAK.finditer(text, start, end), None]:
            piece_end = brk.start() if brk else end
            lead = _LEADING_MARKS.match(text, piece_start, piece_end)
            a = lead.end() if lead else piece_start
            b = piece_end
            while b > a and text[b - 1].isspace():
                b -= 1
            if _HAS_WORD.search(text, a, b):
                out.append((a, b))
            if brk:
                piece_start = brk.end()
    return out
