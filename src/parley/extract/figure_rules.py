"""The vocabulary of ``figures.toml``, compiled once per lexicon table: the regular
expressions that find numbers as written (with approximations, currencies, scales, units and
the nouns a hyphen joins to them), the values of numbers written in words, and the form a
country's name takes before a noun ("US tariffs", "Chinese goods").

``figures`` finds figures with these rules and ``figure_about`` reads what each is about;
both take the rules from here, so neither needs the other for them.
"""

from __future__ import annotations

import re

from parley.lexicon import Lexicon

DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


class FigureRules:
    """The vocabulary of figures.toml, compiled once per lexicon table."""

    def __init__(self, table: dict, places: dict | None = None) -> None:
        self.attributive = _attributive_forms((places or {}).get("countries", {}))
        self.approx = {k.lower(): v for k, v in table.get("approx", {}).items()}
        self.symbols = dict(table.get("currency_symbols", {}))
        self.currency_words = {k.lower(): v for k, v in table.get("currency_words", {}).items()}
        self.codes = set(table.get("currency_codes", []))
        self.scales = {k.lower(): float(v) for k, v in table.get("scales", {}).items()}
        self.percent_words = [w.lower() for w in table.get("percent_words", [])]
        self.point_words = [w.lower() for w in table.get("percentage_point_words", [])]
        self.distances = {k.lower(): v for k, v in table.get("distance_units", {}).items()}
        self.areas = {k.lower(): v for k, v in table.get("area_units", {}).items()}
        self.number_words = {k.lower(): int(v) for k, v in table.get("number_words", {}).items()}
        self.multipliers = set(table.get("multiplier_words", []))
        self.time_nouns = set(table.get("time_nouns", []))
        self.months = set(table.get("months", []))
        self.elided = set(table.get("elided_nouns", []))
        self.not_counted = set(table.get("not_counted", []))
        self.invariant = set(table.get("invariant_plurals", []))
        self.vague = set(table.get("vague_adjectives", []))
        self.vague_counts = set(table.get("vague_count_words", []))
        self.light_verbs = set(table.get("light_verbs", []))
        self.particles = set(table.get("verb_particles", []))
        self.time_adverbs = set(table.get("time_adverbs", []))
        self.phrasal_verbs = set(table.get("phrasal_verbs", []))
        self.directions = set(table.get("directions", []))
        self.label_nouns = set(table.get("label_nouns", []))
        self.compound_units = {u.lower() for u in table.get("compound_units", [])}
        self.unit_synonyms = {k.lower(): v for k, v in table.get("unit_synonyms", {}).items()}
        self.glued_counts = {k.lower(): v for k, v in table.get("hyphen_counts", {}).items()}
        self.swap_words = set(table.get("swap_words", []))
        self.abbreviations = dict(table.get("abbreviations", {}))
        self.event_nouns = {k.lower(): v for k, v in table.get("event_nouns", {}).items()}
        self.event_verbs = {k.lower(): v for k, v in table.get("event_verbs", {}).items()}
        self.change_verbs = {k.lower(): v for k, v in table.get("change_verbs", {}).items()}
        self.change_particles = {k.lower(): v
                                 for k, v in table.get("change_particles", {}).items()}
        self.swap_unit = table.get("swap_default_unit", "prisoners")
        self.pattern = self._compile()
        self.swap_pattern = self._compile_swap()

    @staticmethod
    def _alternation(words, case_sensitive: bool = False) -> str:
        escaped = sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len,
                         reverse=True)
        body = "|".join(escaped) or r"(?!x)x"
        return f"(?-i:{body})" if case_sensitive else f"(?:{body})"

    def _spelled(self) -> str:
        word_numbers = set(self.number_words) | {w for w in self.scales if len(w) > 3}
        word = self._alternation(word_numbers)
        scaled_words = self._alternation(self.multipliers | {"dozen"})
        after_multiplier = "|".join(f"(?<={m})" for m in sorted(self.multipliers))
        return (rf"(?:\ban?\s+(?={scaled_words}\b))?\b{word}"  # "and" only in "two hundred
                rf"(?:(?:(?:{after_multiplier})\s+and\s+|\s+|-){word})*\b")  # and fifty"

    def _compile(self) -> re.Pattern:
        spelled = self._spelled()
        unit_words = (self.point_words + self.percent_words + list(self.currency_words)
                      + list(self.distances) + list(self.areas))
        return re.compile(
            rf"(?:(?P<approx>{self._alternation(self.approx)})\s+)?"
            rf"(?:(?P<pre>{self._alternation(list(self.symbols) + list(self.codes), True)})\s?)?"
            rf"(?:(?P<digits>{DIGITS})|(?P<spelled>{spelled}))"
            rf"(?:(?:\s?|-)(?P<scale>{self._alternation(self.scales)})(?![\w]))?"
            rf"(?:-(?P<glued>{self._alternation(self.glued_counts)})(?![\w-])"
            rf"|[\s-]?(?P<unit>{self._alternation(unit_words)}|"
            rf"{self._alternation(self.codes, True)})(?![\w]))?",
            re.IGNORECASE,
        )

    def _compile_swap(self) -> re.Pattern:
        """"1,000-for-1,000", "1000 for 1000": an exchange of equal numbers."""
        number = rf"(?:{DIGITS}|{self._spelled()})"
        return re.compile(rf"(?<![\w,.]){number}(?:-for-|\s+for\s+){number}(?![\w])",
                          re.IGNORECASE)

    def word_value(self, text: str) -> float:
        """The value of a number written in words: "two hundred and fifty", "a dozen"."""
        total, current = 0.0, 0.0
        for part in re.split(r"[\s-]+", text.lower()):
            if part in ("a", "an"):
                current = 1
            elif part in ("hundred", "dozen"):
                current = max(current, 1) * self.number_words[part]
            elif part in self.scales:
                total += max(current, 1) * self.scales[part]
                current = 0
            elif part in self.number_words:
                current += self.number_words[part]
        return total + current


_RULES: dict[tuple[int, int], tuple[dict, dict, FigureRules]] = {}


def rules_for(lexicon: Lexicon) -> FigureRules:
    """The compiled rules of a lexicon's figures table (and its countries, for `about`)."""
    table, places = lexicon["figures"], lexicon["places"]
    key = (id(table), id(places))
    cached = _RULES.get(key)
    if cached is None or cached[0] is not table or cached[1] is not places:
        cached = (table, places, FigureRules(table, places))
        _RULES[key] = cached
    return cached[2]


def _attributive_forms(countries: dict) -> dict[str, str]:
    """Each country's names (lower case) -> the form that stands before a noun: the
    demonym ("China" -> "Chinese tariffs"), or the abbreviation of a name of several words
    ("United States" -> "US tariffs")."""
    forms: dict[str, str] = {}
    for entry in countries.values():
        names = [entry["name"], *entry.get("aliases", [])]
        short = [a for a in entry.get("aliases", []) if re.fullmatch(r"[A-Z]{2,3}", a)]
        demonyms = entry.get("demonyms", [])
        if len(entry["name"].split()) > 1 and short:
            attributive = short[0]
        elif demonyms:
            attributive = demonyms[0]
        else:
            continue
        for name in names:
            forms.setdefault(re.sub(r"^the\s+", "", name.lower()), attributive)
    return forms
