"""Figures of one document: money, percentages, distances and counts of things or people.

A figure is found in two steps:

1. A regular expression built from ``figures.toml`` finds every number as written, with
   what stands around it: an approximation ("nearly", "more than"), a currency symbol or
   code, a scale word ("bn", "million"), a unit word ("%", "euros", "km") or a noun joined
   by a hyphen that it counts ("a 28-point plan"). An exchange of equal numbers
   ("1,000-for-1,000") is one figure.
2. The parsed spaCy tokens decide whether it is a figure at all (not a year, a date, a
   duration, an ordinal, a label such as "Article 5", an age or "one" as a pronoun) and
   what a count counts: the head noun after it ("20 world leaders" counts leaders; a
   lexicalised compound such as "member states" stays whole), the noun after a second
   number ("between 30 and 40 soldiers"), the noun of "25 of the 27 member states", or
   the noun of a neighbouring figure when it is left out ("9,500 households lost heat and
   34,000 went without water"). What the figure is ``about`` is read off the parse by
   ``figure_about``. The rules compiled from ``figures.toml`` live in ``figure_rules``.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from parley.extract.figure_about import (about_amount, about_count, about_distance,
                                         clause_context, join, noun_phrase, phrase)
from parley.extract.figure_rules import FigureRules, rules_for
from parley.lexicon import Lexicon
from parley.records import Document, Figure

DETERMINERS = {"the", "these", "those", "both", "its", "their", "his", "her", "our", "my",
               "your", "whose", "this", "that", "all", "each", "every", "other"}
# A bare number takes the noun of an earlier figure only in these roles ("and 34,000 went
# without water", "up from 35"), not as the object of "at"/"in"/"on" (times, places) nor
# of "to" ("up 1.2% to 1,622" gives a level).
ELIDED_ROLES = {"nsubj", "nsubjpass", "dobj", "conj", "attr", "appos", "npadvmod"}
ELIDED_PREPOSITIONS = {"from", "of", "than", "by", "including", "among"}
MAX_ABOUT_TOKENS = 12
ABBREVIATED_SCALES = {"k", "m", "mn", "mln", "b", "bn", "bln", "tn", "trn"}


@dataclass
class Candidate:
    """A number as matched in the text, before the parse has been consulted."""

    start: int
    end: int
    approx: str | None
    number: str
    scale: float
    scale_word: str | None
    currency: str | None
    unit_word: str | None  # percent / distance word after the number
    spelled: bool  # written in words ("three", "a dozen")
    glued: str | None = None  # the noun of "a 28-point plan", which the number counts
    swap: bool = False  # "1,000-for-1,000": one count given by each side of an exchange


# --------------------------------------------------------------------------- matching


def _candidates(text: str, rules: FigureRules):
    """Every number of the text with the words around it that give its unit."""
    swaps = list(_swaps(text, rules))
    yield from swaps
    found = [c for c in map(lambda m: _candidate(m, rules), rules.pattern.finditer(text))
             if _clean_edges(text, c.start, c.end)
             and not any(s.start <= c.start < s.end for s in swaps)]
    for cand, after in zip(found, found[1:] + [None]):
        yield _sharing_unit(cand, after, text, rules)


def _candidate(m: re.Match, rules: FigureRules) -> Candidate:
    scale_word = (m.group("scale") or "").lower() or None
    unit = re.sub(r"\s+", " ", m.group("unit") or "") or None
    currency = _currency(m.group("pre"), unit, rules)
    if unit and (unit in rules.codes or unit.lower() in rules.currency_words):
        unit = None  # the unit word was the currency
    approx = m.group("approx")
    return Candidate(
        start=m.start(),
        end=m.end(),
        approx=rules.approx.get(re.sub(r"\s+", " ", approx.lower())) if approx else None,
        number=m.group("digits") or m.group("spelled"),
        scale=rules.scales[scale_word] if scale_word else 1.0,
        scale_word=scale_word,
        currency=currency,
        unit_word=unit.lower() if unit else None,
        spelled=m.group("spelled") is not None,
        glued=(m.group("glued") or "").lower() or None,
    )


RANGE_JOINS = re.compile(r"\s*(?:to|and|or|-|–)\s*$", re.IGNORECASE)


def _sharing_unit(cand: Candidate, after: Candidate | None, text: str,
                  rules: FigureRules) -> Candidate:
    """The first number of a range takes the unit, scale and currency written only after
    the second: "3 to 5 percent", "between 10 and 15 km", "2 and 3 billion euros"."""
    if after is None or _is_year(cand) or cand.unit_word or cand.glued \
            or not RANGE_JOINS.match(text[cand.end:after.start]):
        return cand
    if cand.currency and cand.currency != after.currency:
        return cand
    scale_word = cand.scale_word or (after.scale_word if cand.scale == 1.0 else None)
    return replace(cand, unit_word=after.unit_word, currency=cand.currency or after.currency,
                   scale_word=scale_word,
                   scale=rules.scales[scale_word] if scale_word else cand.scale)


SWAP_JOIN = re.compile(r"-for-|\s+for\s+", re.IGNORECASE)


def _swaps(text: str, rules: FigureRules):
    """Exchanges of equal numbers, "1,000-for-1,000": one figure, the number of one side.
    (The pattern is tried only around a "for", which keeps it cheap on long texts.)"""
    for joint in SWAP_JOIN.finditer(text):
        m = rules.swap_pattern.search(text, max(0, joint.start() - 40), joint.end() + 40)
        if m is None or not m.start() < joint.start() < m.end():
            continue
        first, second = SWAP_JOIN.split(m.group(0))
        spelled = not first[0].isdigit()
        # each side read by its own form: "on March 5 for six hours" joins a digit and a word
        values = [float(n.replace(",", "")) if n[0].isdigit() else rules.word_value(n)
                  for n in (first, second)]
        if values[0] != values[1] or values[0] <= 1:
            continue
        yield Candidate(start=m.start(), end=m.end(), approx=None, number=first, scale=1.0,
                        scale_word=None, currency=None, unit_word=None, spelled=spelled,
                        swap=True)


def _currency(before: str | None, after: str | None, rules: FigureRules) -> str | None:
    """ISO code from a symbol or code before the number, or a word or code after it."""
    if before:
        before = re.sub(r"\s+", " ", before)
        return before if before in rules.codes else rules.symbols.get(before)
    if after in rules.codes:
        return after
    return rules.currency_words.get(after.lower()) if after else None


def _clean_edges(text: str, start: int, end: int) -> bool:
    """Reject numbers glued to other characters: 21st, F-16, 10:30, 23-24, 1990s."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    after2 = text[end + 1] if end + 1 < len(text) else " "
    if before.isalnum() or before in "-–/:.#№_+":
        return False
    if before == "," and text[start - 2:start - 1].isdigit():
        return False
    if after.isalnum() or after in "/_":
        return False
    if after in ":.,/" and after2.isdigit():
        return False
    if after in "-–" and (after2.isalnum() or after2 in "€$£"):
        return False  # ranges and hyphenated modifiers: 23-24, two-year, 28-point
    return True


# --------------------------------------------------------------------------- tokens


def _tokens(doc: Doc, start: int, end: int) -> Span | None:
    return doc.char_span(start, end, alignment_mode="expand")


def _span_root(span: Span) -> Token:
    """The token that attaches the figure to the sentence: the rightmost whose head lies
    outside the span (skipping prepositions such as the "per" of "9.5 per cent")."""
    outside = [t for t in span if t.head.i < span.start or t.head.i >= span.end or t.head == t]
    content = [t for t in outside if t.pos_ not in ("ADP", "PUNCT", "ADV", "ADJ")]
    return (content or outside or [span[-1]])[-1]


def _is_plural(token: Token, rules: FigureRules) -> bool:
    return (token.tag_ in ("NNS", "NNPS") or token.lower_ in rules.invariant
            or "Plur" in token.morph.get("Number"))


def _counted_group(doc: Doc, i: int, limit: int) -> list[Token]:
    """The nominal group right after a number, up to its head noun.

    "19,000 Ukrainian children", "27 member states", "three air-defense interceptors".
    """
    group: list[Token] = []
    while i < limit:
        tok = doc[i]
        clause = any(c.dep_ == "dobj" for c in tok.children)  # "250 serving life sentences"
        nominal = tok.pos_ in ("ADJ", "NOUN", "PROPN") or (
            tok.tag_ in ("VBN", "VBG") and tok.dep_ in ("amod", "compound") and not clause) or (
            bool(group) and tok.pos_ == "NUM" and tok.text.isdigit())  # "five new 737 aircraft"
        hyphen = tok.tag_ == "HYPH" and bool(group) and not group[-1].whitespace_
        if nominal or hyphen:
            group.append(tok)
            inside = range(group[0].i, limit)
            modifies_next = tok.head.i in inside and tok.head.i > tok.i and tok.head.pos_ in (
                "NOUN", "PROPN", "ADJ")
            if tok.pos_ in ("NOUN", "PROPN") and not modifies_next:
                break  # the head noun of the group
        elif not (tok.pos_ == "ADV" and i + 1 < limit and doc[i + 1].pos_ in ("ADJ", "VERB")):
            break  # an adverb inside the group ("domestically produced", "mostly Afghan")
        i += 1
    while group and group[-1].pos_ not in ("NOUN", "PROPN"):
        group.pop()
    return group


def _glued_to_previous(token: Token) -> bool:
    doc = token.doc
    return token.i > 0 and doc[token.i - 1].tag_ == "HYPH" and not doc[token.i - 1].whitespace_


def _unit_of(group: list[Token], rules: FigureRules) -> tuple[str, Token, list[Token]] | None:
    """The counted noun in plural, its head token and its words (with its compound nouns).

    The unit is the head noun alone ("20 world leaders" counts leaders), or with the
    nouns before it when they make one lexicalised name ("27 member states")."""
    if not group:
        return None
    head = group[-1]
    if head.pos_ == "PROPN" and head.tag_ != "NNPS":
        return None
    if not _is_plural(head, rules):
        return None
    words = [head]
    for tok in reversed(group[:-1]):
        if (tok.pos_ == "NOUN" and not any(c.isdigit() for c in tok.text)) or tok.tag_ == "HYPH":
            words.insert(0, tok)
        else:
            break
    while words[0].i != head.i and (words[0].tag_ == "HYPH" or _glued_to_previous(words[0])):
        words.pop(0)  # "high-rise buildings": a hyphenated adjective is not part of the unit
    return _unit_name(group, head, rules), head, words


def _unit_name(group: list[Token], head: Token, rules: FigureRules) -> str:
    """The head noun in lower case, or the lexicalised compound ending in it."""
    unit = head.lower_
    for start in range(len(group) - 1):
        compound = " ".join(t.lower_ for t in group[start:])
        if compound in rules.compound_units:
            unit = compound
            break
    return rules.unit_synonyms.get(unit, unit)


# --------------------------------------------------------------------------- decisions


def _value(cand: Candidate, rules: FigureRules) -> float:
    if cand.spelled:
        base = rules.word_value(cand.number)
    else:
        base = float(cand.number.replace(",", ""))
    value = base * cand.scale
    if not math.isfinite(value):
        return value  # more digits than a float holds: no figure (see _figure)
    # €135.7bn is 135700000000, not 135699999999.99998: keep the digits that were written.
    return float(round(value, max(0, 6 - len(str(int(value)))))) if value >= 1 else value


def _is_year(cand: Candidate) -> bool:
    return (not cand.spelled and re.fullmatch(r"\d{4}", cand.number) is not None
            and 1800 <= int(cand.number) <= 2100)


def _next_to_month(span: Span, rules: FigureRules) -> bool:
    doc = span.doc
    neighbours = [doc[span.start - 1]] if span.start > 0 else []
    if span.start > 1 and doc[span.start - 1].lower_ == "of":
        neighbours.append(doc[span.start - 2])
    if span.end < len(doc):
        neighbours.append(doc[span.end])
    return any(t.lower_.rstrip(".") in rules.months and t.text[:1].isupper() for t in neighbours)


def _inside_date_entity(span: Span) -> bool:
    """The number is part of a longer DATE/TIME entity ("the first nine months of 2025").

    A number that spaCy tags DATE on its own is left to the other rules: such tags are
    often wrong for counts ("the air force downed 35")."""
    for tok in span:
        if tok.ent_type_ in ("DATE", "TIME"):
            start = tok.i
            while start > 0 and tok.doc[start - 1].ent_type_ == tok.ent_type_ and \
                    tok.doc[start].ent_iob_ != "B":
                start -= 1
            end = tok.i + 1
            while end < len(tok.doc) and tok.doc[end].ent_iob_ == "I":
                end += 1
            entity = tok.doc[start:end]
            if any(t.i < span.start or t.i >= span.end for t in entity):
                return True
    return False


def _looks_like_label(span: Span, prev: Token | None, cand: Candidate,
                      rules: FigureRules) -> bool:
    """Article 5, Boeing 737, page 12, Resolution 2231, "Zelensky, 47,"."""
    if prev is None or cand.approx:
        return False
    if prev.lower_.rstrip(".") in rules.label_nouns or (
        prev.pos_ in ("NOUN", "PROPN") and any(c.isupper() for c in prev.text)
        and not prev.is_sent_start
    ):
        return True  # "Boeing 737", "iPhone 4"
    doc = span.doc
    if prev.text == "," and prev.i > 0 and doc[prev.i - 1].pos_ == "PROPN" and span.end < len(doc) \
            and doc[span.end].text == ",":
        return True  # an age set off by commas
    return False


def _after_another_number(span: Span) -> bool:
    """"five new 737 aircraft": the second number names a model, the first counts."""
    i = span.start - 1
    while i >= 0 and span.doc[i].pos_ == "ADJ":
        i -= 1
    return i >= 0 and i < span.start - 1 and span.doc[i].like_num


def _coordinated_unit(doc: Doc, span: Span, limit: int, rules: FigureRules):
    """"500 and 1,000 songs", "between 20 and 30 drones", "500 Georgian and 500 Abkhaz
    detainees": the noun after the second number."""
    i = span.end
    while i < limit and (doc[i].pos_ == "ADJ" or doc[i].ent_type_ == "NORP"):
        i += 1
    if i + 1 < limit and doc[i].lower_ in ("and", "or", "to") and doc[i + 1].like_num:
        j = i + 1
        while j < limit and (doc[j].like_num or doc[j].lower_ in rules.scales):
            j += 1
        return _unit_of(_counted_group(doc, j, limit), rules)
    return None


def _partitive_unit(doc: Doc, span: Span, limit: int, rules: FigureRules):
    """25 of the 27 member states -> the noun after "of"."""
    i = span.end
    if i >= limit or doc[i].lower_ != "of":
        return None
    i += 1
    while i < limit and (doc[i].pos_ in ("DET", "NUM") or doc[i].lower_ in rules.approx
                         or doc[i].tag_ in ("PRP$", "POS")
                         or (i + 1 < limit and doc[i + 1].tag_ == "POS")):
        i += 1  # "of the 27", "of Boeing's"
    if i < limit and doc[i].pos_ == "PRON":
        return "elided"  # "two of them"
    return _unit_of(_counted_group(doc, i, limit), rules) or "unknown"  # "two of the injured"


def find_figures(document: Document, doc: Doc, lexicon: Lexicon) -> list[Figure]:
    """Every figure of the document, each with its sentence as evidence."""
    rules = rules_for(lexicon)
    text = document.text
    figures: list[Figure] = []
    last_count: dict[int, tuple[str, list[Token]]] = {}  # line start -> unit, its words
    sentences = list(doc.sents)
    starts = [s.start for s in sentences]
    for cand in sorted(_candidates(text, rules), key=lambda c: c.start):
        span = _tokens(doc, cand.start, cand.end)
        if span is None or len(span) == 0:
            continue
        if _particle_not_approx(span, cand, rules):  # "handed over 20 captives"
            cand = replace(cand, approx=None, start=span[1].idx)
            span = _tokens(doc, cand.start, cand.end)
        sent = sentences[bisect_right(starts, span.start) - 1]
        figure = _figure(document, doc, span, sent, cand, rules, last_count, figures)
        if figure is None:
            continue
        if figures and _restates(figures[-1], figure, text):
            figure.about = figures[-1].about  # "500 billion rubles (US$19.7 billion)"
        if figures and _ranges_with(figures[-1], figure, text):
            figures[-1].about = figure.about  # "between 10 and 15 km"
        figures.append(figure)
    return figures


def _ranges_with(before: Figure, figure: Figure, text: str) -> bool:
    """Two numbers of one range ("3 to 5 percent", "1,500 to 2,000 jobs"), not a change
    from one to the other ("from 145% to 30%", "by 115 points to 30%")."""
    opening = text[max(0, before.start - 5):before.start].lower().split()
    return (before.unit == figure.unit and RANGE_JOINS.match(text[before.end:figure.start])
            is not None and opening[-1:] not in (["from"], ["by"]) and bool(figure.about))


def _particle_not_approx(span: Span, cand: Candidate, rules: FigureRules) -> bool:
    """"over" after a verb it belongs to ("handed over 20 captives") is not "more than"."""
    first = span[0]
    before = first.doc[first.i - 1] if first.i > 0 else None
    return (cand.approx is not None and len(span) > 1 and first.lower_ in rules.particles
            and before is not None and before.pos_ == "VERB"
            and f"{before.lemma_.lower()} {first.lower_}" in rules.phrasal_verbs)


def _swap_text(text: str, rules: FigureRules) -> bool:
    return rules.swap_pattern.fullmatch(text) is not None


def _swap_unit(doc: Doc, span: Span, rules: FigureRules, setting: Setting,
               earlier: str | None) -> tuple[str, str]:
    """What an exchange of "1,000-for-1,000" exchanges, and the word naming the exchange.

    The plural noun next to it ("1,000-for-1,000 prisoners", "prisoners 1000 for 1000"),
    the object of the exchange ("a 300-for-300 swap of soldiers"), the noun before the
    exchange word ("a 1,000-for-1,000 POW exchange", "a prisoner exchange in the 1000 for
    1000 format"), else that of an earlier exchange of the document, else the usual one
    (``swap_default_unit``)."""
    swap = _nearest_swap_word(span, rules, setting)
    swap_word = swap.lemma_.lower() if swap is not None else "exchange"
    found = _unit_of(_counted_group(doc, span.end, setting.end), rules)
    if found is None and span.start > setting.start and _is_plural(doc[span.start - 1], rules):
        found = _unit_of([doc[span.start - 1]], rules)
    if found is not None:
        return found[0], swap_word
    thing = _exchanged_thing(swap, span, rules, setting) if swap is not None else None
    if thing is not None:
        return _plural(thing, rules), swap_word
    return earlier or rules.swap_unit, swap_word


def _exchanged_thing(swap: Token, span: Span, rules: FigureRules,
                     setting: Setting) -> Token | None:
    """The object of an exchange word ("swap of soldiers", "exchange prisoners"), else the
    noun just before it ("POW exchange")."""
    objects = [t for t in swap.children if t.dep_ == "dobj"] + [
        t for p in swap.children if p.lower_ == "of" for t in p.children if t.dep_ == "pobj"]
    things = [t for t in objects if _is_plural(t, rules)] or [
        t for t in swap.doc[max(swap.i - 2, setting.start):swap.i]
        if t.pos_ in ("NOUN", "PROPN") and t.is_alpha and not span.start <= t.i < span.end]
    return things[-1] if things else None


def _nearest_swap_word(span: Span, rules: FigureRules, setting: Setting) -> Token | None:
    near = [t for t in span.doc[setting.start:setting.end] if t.lemma_.lower() in rules.swap_words
            and abs(t.i - span.start) <= 8 and not span.start <= t.i < span.end]
    return min(near, key=lambda t: abs(t.i - span.start)) if near else None


def _plural(token: Token, rules: FigureRules) -> str:
    """The unit for a noun written in the singular: "prisoner" -> "prisoners"."""
    word = token.lower_
    if word in rules.unit_synonyms:
        return rules.unit_synonyms[word]
    if _is_plural(token, rules):
        return word
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + ("es" if re.search(r"(s|x|z|ch|sh)$", word) else "s")


def _restates(before: Figure, figure: Figure, text: str) -> bool:
    """A figure in brackets right after another of the same kind: a conversion."""
    between = text[before.end:figure.start].strip()
    same_kind = (before.unit.isupper() and figure.unit.isupper()) or before.unit == figure.unit \
        or {before.unit, figure.unit} <= {"km", "miles", "m"}
    return between == "(" and same_kind


@dataclass
class Setting:
    """Where a figure stands: its sentence cut to its line, since the parser runs a
    headline, a dateline or a bullet into the next sentence; ``skip``: the tokens its
    ``about`` must not use (its own, and those on other lines)."""

    start: int
    end: int
    skip: set[int]


def _setting(span: Span, sent: Span, text: str) -> Setting:
    line_start = text.rfind("\n", 0, span.start_char) + 1
    line_end = text.find("\n", span.end_char)
    line_end = len(text) if line_end < 0 else line_end
    on_line = [t.i for t in sent if line_start <= t.idx < line_end]
    start, end = on_line[0], on_line[-1] + 1
    skip = set(range(span.start, span.end)) | set(range(sent.start, start)) \
        | set(range(end, sent.end))
    return Setting(start, end, skip)


def _figure(document: Document, doc: Doc, span: Span, sent: Span, cand: Candidate,
            rules: FigureRules, last_count: dict, before: list[Figure]) -> Figure | None:
    setting = _setting(span, sent, document.text)
    skip = setting.skip
    value = _value(cand, rules)
    if not math.isfinite(value):
        return None  # "9999…9" with hundreds of digits: beyond any float, so beyond any figure
    root = _span_root(span)
    previous = doc[span.start - 1] if span.start > 0 else None
    if cand.spelled and previous is not None and previous.lower_ in rules.vague_counts:
        return None  # "a few hundred million": no number is given
    about: str | None
    if cand.swap:
        earlier = [f.unit for f in before if _swap_text(f.text, rules)]
        unit, swap_word = _swap_unit(doc, span, rules, setting,
                                     earlier[-1] if earlier else None)
        about = f"{unit} for each side to {swap_word}"
    elif cand.glued:
        unit = rules.glued_counts[cand.glued]
        about = _about_glued(root, value, unit, rules, skip)
        if about is None:
            return None
    elif cand.currency:
        unit = cand.currency
        about = about_amount(span, root, "money", rules, skip)
    elif cand.unit_word in rules.percent_words:
        unit = "percent"
        about = about_amount(span, root, "percent", rules, skip)
    elif cand.unit_word in rules.point_words:
        unit = "percent"  # a difference of percentages is given in percent, as written
        about = about_amount(span, root, "percent", rules, skip)
    elif cand.unit_word in rules.distances:
        unit = rules.distances[cand.unit_word]
        about = about_distance(span, root, rules, skip)
    elif cand.unit_word in rules.areas:
        unit = rules.areas[cand.unit_word]
        about = join("area", clause_context(root, skip, rules))
    else:
        counted = _count(doc, span, cand, rules, setting, last_count)
        if counted is None:
            return None
        unit, value, about = counted
    about = _expanded(about, rules)
    if about and len(about.split()) > MAX_ABOUT_TOKENS + 4:
        about = " ".join(about.split()[: MAX_ABOUT_TOKENS + 4])
    return Figure(
        document=document.source,
        text=document.text[cand.start:cand.end],
        value=value,
        unit=unit,
        approx=cand.approx,
        about=about or None,
        evidence=sent.text,
        start=cand.start,
        end=cand.end,
    )


def _about_glued(root: Token, value: float, unit: str, rules: FigureRules,
                 skip: set[int]) -> str | None:
    """"points of the peace plan" for "a 28-point peace plan"; None when the number does
    not count ("a 344.65-point drop" is an index level)."""
    if root.head.pos_ not in ("NOUN", "PROPN") or root.head.i in skip or value != int(value):
        return None
    return join(unit, "of", phrase(noun_phrase(root.head, skip, rules)))


def _expanded(about: str | None, rules: FigureRules) -> str | None:
    """Abbreviations written out, as a reader would: "POWs" -> "prisoners of war"."""
    if not about:
        return about
    return " ".join(rules.abbreviations.get(word, word) for word in about.split())


def _cannot_be_a_count(doc: Doc, span: Span, cand: Candidate, rules: FigureRules,
                       names_a_thing: bool) -> bool:
    """Years, dates, "one" as a pronoun, "the two sides", labels and model numbers.

    "the two sides" refers to a known pair; "the three hostages still held" counts them.
    A number followed by the plural noun of a thing ("the last 20 hostages") is not part
    of a date even when spaCy tags it so."""
    value = _value(cand, rules)
    if _is_year(cand) or _next_to_month(span, rules):
        return True
    if not names_a_thing and _inside_date_entity(span):
        return True
    if cand.spelled and value == 1:
        return True  # "one" as a pronoun or article: "in one room"
    if value != int(value):
        return True  # things are counted in whole numbers: "the 1.83 and 2 GHz models"
    prev = doc[span.start - 1] if span.start > 0 else None
    if cand.spelled and value < 100 and prev is not None and (
        prev.lower_ in DETERMINERS or prev.tag_ in ("PRP$", "POS")
    ) and not (prev.lower_ == "the" and value > 2):
        return True  # "the two sides", "those two scenes": a reference, not a figure
    return _looks_like_label(span, prev, cand, rules) or _after_another_number(span)


def _count(doc: Doc, span: Span, cand: Candidate, rules: FigureRules, setting: Setting,
           last_count: dict[int, tuple[str, list[Token]]]):
    """Unit, value and about of a count, or None when the number counts nothing.

    The unit is, in this order: the plural noun after the number; the noun after a second
    number ("500 and 1,000 songs"); the noun of "25 of the 27 member states"; the noun of
    the count before it in the sentence when the noun is left out ("and 34,000 went")."""
    group = _counted_group(doc, span.end, setting.end)
    found = _unit_of(group, rules) or _coordinated_unit(doc, span, setting.end, rules)
    names_a_thing = found is not None and found[0].split()[-1] not in rules.time_nouns
    if _cannot_be_a_count(doc, span, cand, rules, names_a_thing):
        return None
    value = _value(cand, rules)
    skip = setting.skip
    # the token that plays the figure's part: its noun, or the number standing alone
    role = group[-1] if group and found is not None and found[1] == group[-1] \
        else _span_root(span)
    following = doc[span.end] if span.end < setting.end else None
    if following is not None and following.lower_ in rules.elided:
        found, role = "elided", following  # "12 dead and 40 others", "and 230 more"
    elif group and found is None:
        return None  # a singular or proper noun follows: "the 2014 deal", "a 500 page report"
    if found is None:
        found = _partitive_unit(doc, span, setting.end, rules) or "elided"
    if found == "unknown":
        return None
    if found == "elided" and cand.scale_word in ABBREVIATED_SCALES:
        return None  # "86bn" alone: money in a currency we do not know, not a count
    if found == "elided":
        previous = last_count.get(setting.start)
        if previous is None or not (role.dep_ in ELIDED_ROLES or (
            role.dep_ == "pobj" and role.head.lower_ in ELIDED_PREPOSITIONS
        )) or (span.start > 0 and doc[span.start - 1].lower_ == "the"):
            return None  # a bare number that counts nothing we can name ("the 787": a name)
        unit, words = previous
        return unit, value, about_count(role, role, skip, rules, thing=words)
    unit, head, words = found
    last_word = unit.split()[-1]
    if last_word in rules.time_nouns or last_word in rules.not_counted:
        return None  # a duration ("five hours") or not a count ("three times")
    last_count[setting.start] = (unit, words)
    return unit, value, about_count(head, role, skip, rules)
