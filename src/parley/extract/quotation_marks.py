"""Where quotations are: pairing the quotation marks of news text.

Outlets and translations mark quotations in many ways: “…”, "…", «…» (translations
from Russian, Ukrainian, French), „…“ (German, Polish, Ukrainian), ‘…’, and straight
single quotes in headlines ('…'). Copy often mixes them ("…” opened straight, closed
curly). So marks are not matched by pattern but read in order, paragraph by
paragraph: each mark opens or closes by what stands around it (a space before it and a
letter after it open; a letter or punctuation before it and a space or punctuation
after it close), and an opening mark pairs with the next closing one.

Two apostrophes ('') stand for a double mark, as some sites write them.

A quotation running over several paragraphs has an opening mark at the start of each
paragraph and a closing mark only at the end of the last one: it is one quotation,
from its first opening mark to its last closing mark. An opening mark that introduces a
quotation (after a comma or a colon: 'added, "...') and that nothing closes ends with
its paragraph, as a careless copy left it; any other unclosed mark is dropped. Single quotes count only outside double ones, straight single quotes
only in a line without double quotes (a headline), so that apostrophes stay apostrophes.
"""

from __future__ import annotations

import re

OPENING = {"“": "open", "«": "open", "„": "open"}
CLOSING = {"”": "close", "»": "close"}
DOUBLE_MARKS = set(OPENING) | set(CLOSING) | {'"'}
BEFORE_OPENING = set(" \t([{—–-/:;") | {"\n"}
AFTER_CLOSING = set(" \t,.;:!?)]}—–-/…") | {"\n"}

CURLY_SINGLE = re.compile(r"(?<![\w’])‘([^‘’\n]+?(?:’\w+[^‘’\n]*?)*)’(?!\w)")
STRAIGHT_SINGLE = re.compile(r"(?<![\w'’])'([A-Za-z][^'\n]*?[\w.!?,])'(?![\w])")


def _role(line: str, i: int, is_open: bool, size: int = 1) -> str:
    """Whether the mark at line[i:i + size] opens or closes a quotation, by what stands
    around it."""
    mark = line[i] if size == 1 else '"'
    before = line[i - 1] if i > 0 else "\n"
    after = line[i + size] if i + size < len(line) else "\n"
    opens_here = before in BEFORE_OPENING or before in DOUBLE_MARKS
    closes_here = after in AFTER_CLOSING or after in DOUBLE_MARKS or after in "’'"
    if mark in OPENING and not (is_open and closes_here and not opens_here):
        return "open"
    if mark in CLOSING and not (not is_open and opens_here and not closes_here):
        return "close"
    if opens_here and not closes_here:
        return "open"
    if closes_here and not opens_here:
        return "close"
    return "close" if is_open else "open"


def _lines(text: str) -> list[tuple[int, str]]:
    found, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            found.append((offset, line))
        offset += len(line) + 1
    return found


DOUBLED = re.compile(r"''|``")


def _marks(line: str) -> list[tuple[int, int]]:
    """(position, length) of each double mark of a line; '' counts as one."""
    doubled = [(m.start(), 2) for m in DOUBLED.finditer(line)]
    covered = {i for start, _ in doubled for i in (start, start + 1)}
    single = [(i, 1) for i, ch in enumerate(line) if ch in DOUBLE_MARKS and i not in covered]
    return sorted(single + doubled)


def _double_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    carried: int | None = None  # start of a quotation left open at the end of the paragraph before
    unclosed_end: int | None = None  # where that paragraph ended
    introduced = False  # the open quotation follows a comma or a colon
    for offset, line in _lines(text):
        marks = _marks(line)
        opened: int | None = None
        if carried is not None:
            first = len(line) - len(line.lstrip())
            if marks and marks[0][0] == first and _role(line, first, False, marks[0][1]) == "open":
                opened, marks = carried, marks[1:]  # the quotation goes on in this paragraph
            elif introduced:
                spans.append((carried, unclosed_end))  # it ended with its paragraph
        carried = None
        for i, size in marks:
            if _role(line, i, opened is not None, size) == "open":
                opened = offset + i + size  # a second opening mark: the first one was never closed
                introduced = line[:i].rstrip().endswith((",", ":"))
            elif opened is not None:
                spans.append((opened, offset + i))
                opened = None
        carried = opened
        unclosed_end = offset + len(line.rstrip())
    if carried is not None and introduced:
        spans.append((carried, unclosed_end))
    return spans


def _single_spans(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans = []
    for offset, line in _lines(text):
        patterns = [CURLY_SINGLE] if any(ch in DOUBLE_MARKS for ch in line) else [CURLY_SINGLE, STRAIGHT_SINGLE]
        for pattern in patterns:
            for m in pattern.finditer(line):
                start, end = offset + m.start(1), offset + m.end(1)
                if not any(s - 1 <= start and end <= e + 1 for s, e in taken + spans):
                    spans.append((start, end))
    return spans


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation's inner text (without its marks), in order."""
    double = _double_spans(text)
    return sorted(double + _single_spans(text, double))


def quoted_ranges(text: str) -> list[tuple[int, int]]:
    """The character ranges of the quotations with their marks, for telling what stands
    inside a quotation (a speaker's claim) from what the article says."""
    return [(start - 1, end + 1) for start, end in quotation_spans(text)]
