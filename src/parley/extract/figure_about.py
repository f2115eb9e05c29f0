"""The ``about`` of a figure: what it measures, read off the parse, in the words of the text.

- A count is about its counted noun with its modifiers and complements, and what its
  clause says happened to it: the subject and verb ("drones Russia fired at Ukraine
  overnight"), the verb and place ("world leaders sat down in Sharm el-Sheikh"), the noun
  that holds it ("energy facilities in eight regions hit"), or the event it undergoes
  ("the release of 250 prisoners" -> "prisoners released").
- Money and percentages are about the quantity they change, before or after the change
  or as its size ("US tariffs on Chinese goods after cut", "cut in reciprocal tariffs"),
  the noun they modify, the subject that stands at them, their of/in complement ("share
  of the district"), what is valued at them, or who lends them to whom.
- A distance is about the places it separates.

Only the figure's own line is read: the parser runs headlines, datelines and bullets into
the next sentence. A country that owns a quantity is written as it stands before a noun
("US tariffs", "Chinese duties").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

if TYPE_CHECKING:
    from parley.extract.figure_rules import FigureRules

ARTICLES = {"the", "a", "an"}
PLACE_ENTITIES = ("GPE", "LOC", "FAC")
NAME_ENTITIES = {"PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "PRODUCT", "EVENT", "LAW"}
# Prepositional complements kept with a noun in `about`: "package for Ukraine".
NOUN_PREPOSITIONS = {"of", "for", "to", "in", "on", "from", "against", "into", "at", "between",
                     "across", "near", "along", "under", "with", "over", "through"}
# Prepositions by which a counted noun hangs from another noun that describes it:
# "a barrage of 200 drones", "facilities in eight regions", "strikes on 12 cities".
HOLDING_PREPOSITIONS = {"of", "in", "on", "across", "at", "throughout"}


def phrase(tokens: list[Token]) -> str:
    """The tokens in text order as words; a possessor keeps its "'s" ("Ukraine's")."""
    tokens = sorted(set(tokens), key=lambda t: t.i)
    out = ""
    for k, tok in enumerate(tokens):
        word = tok.text
        if tok.is_sent_start and tok.pos_ != "PROPN" and tok.ent_type_ not in NAME_ENTITIES \
                and not tok.text.isupper():
            word = word.lower()  # "Overnight into Saturday, ..."
        if tok.dep_ == "poss" and any(c.dep_ == "case" for c in tok.children):
            word += "'s" if not tok.text.endswith("s") else "'"
        if tok.tag_ == "POS" or tok.lower_ in ("'s", "’s") or (
                tok.pos_ in ("PUNCT", "SYM") and tok.tag_ != "HYPH"):
            continue
        glued = k > 0 and tokens[k - 1].i == tok.i - 1 and not tokens[k - 1].whitespace_
        between = tok.doc[tok.i - 1] if tok.i > 0 else None
        if k > 0 and tokens[k - 1].i == tok.i - 2 and between.tag_ == "HYPH" \
                and not tokens[k - 1].whitespace_ and not between.whitespace_:
            out += "-" + word  # "high-rise"
            continue
        out += ("" if glued or not out else " ") + word
    return out.strip(" ,;:-")


def _after_number(token: Token) -> bool:
    """The "point" of "28-point": a word glued to a number by a hyphen."""
    doc = token.doc
    return token.i > 1 and doc[token.i - 1].tag_ == "HYPH" and doc[token.i - 2].like_num


def _modifiers(head: Token, skip: set[int], rules: FigureRules, depth: int = 0) -> list[Token]:
    """Compounds, adjectives and possessors of a noun (recursively), without determiners."""
    found: list[Token] = []
    for child in head.lefts:
        if child.i in skip or child.dep_ in ("det", "nummod", "quantmod", "punct", "advmod"):
            continue
        if child.ent_type_ in ("DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY") \
                or _after_number(child):
            continue
        if child.dep_ == "amod" and child.lower_ in rules.vague:
            continue
        if child.dep_ in ("compound", "amod", "poss", "nmod", "npadvmod") and child.pos_ != "NUM":
            if child.pos_ == "PRON":
                continue
            found.append(child)
            if depth < 2:
                found.extend(_modifiers(child, skip, rules, depth + 1))
    return found


def noun_phrase(head: Token, skip: set[int], rules: FigureRules, preps: int = 1) -> list[Token]:
    """A noun with its modifiers and up to ``preps`` complements: a prepositional phrase
    ("tariff on imports from the US") or a participle ("prisoners serving life sentences").
    A complement that holds a figure of its own is left to that figure."""
    tokens = [head] + _modifiers(head, skip, rules)
    added = 0
    for child in head.rights:
        if added >= preps:
            break
        if _holds_a_number(child, skip):
            continue
        if child.dep_ == "prep" and child.lower_ in NOUN_PREPOSITIONS:
            objects = [c for c in child.children if c.dep_ == "pobj" and c.i not in skip]
            if objects and objects[0].ent_type_ != "TIME":
                tokens += [child] + noun_phrase(objects[0], skip, rules, preps=0)
                tokens += _named_origin(objects[0], skip, rules) + _named_partners(objects[0], skip)
                added += 1
        elif child.dep_ == "acl" and child.tag_ in ("VBN", "VBG"):
            tokens += [child] + _verb_complements(child, skip, rules,
                                                  objects=child.tag_ == "VBG")
            added += 1
    return tokens


def _holds_a_number(token: Token, skip: set[int]) -> bool:
    """A number among the first three levels under a complement: "into four categories"."""
    near = [token]
    for _ in range(3):
        near = [c for t in near for c in t.children]
        if any(t.like_num and t.i not in skip and t.ent_type_ not in ("DATE", "TIME")
               for t in near):
            return True
    return False


def _named_partners(noun: Token, skip: set[int]) -> list[Token]:
    """The other names coordinated with a named complement: "between Russia and Ukraine"."""
    if noun.pos_ != "PROPN":
        return []
    partners = [c for c in noun.children if c.dep_ == "conj" and c.pos_ == "PROPN"
                and c.i not in skip]
    joins = [c for c in noun.children if c.dep_ == "cc" and c.i not in skip]
    return partners + joins[:1] if partners else []


def _named_origin(noun: Token, skip: set[int], rules: FigureRules) -> list[Token]:
    """The "from the US" of "imports from the US": where a thing comes from, when named."""
    for child in noun.rights:
        if child.dep_ == "prep" and child.lower_ == "from":
            named = [c for c in child.children if c.dep_ == "pobj" and c.i not in skip
                     and c.ent_type_ in ("GPE", "LOC", "NORP", "ORG")]
            if named:
                return [child] + _short_np(named[0], rules, skip)
    return []


def _short_np(head: Token, rules: FigureRules, skip: set[int] = frozenset()) -> list[Token]:
    """A noun with its compounds, adjectives and possessor: "Ukraine air force"."""
    if head.pos_ == "PRON" or head.i in skip:
        return []
    return [head] + _modifiers(head, skip, rules)


def _verb_complements(verb: Token, skip: set[int], rules: FigureRules,
                      objects: bool = True) -> list[Token]:
    """Particles, a direct object and the first prepositional phrase after a verb."""
    tokens: list[Token] = []
    for child in verb.rights:
        if child.i in skip:
            continue
        if child.dep_ == "prt" or (child.dep_ == "advmod" and child.lower_ in rules.particles):
            tokens.append(child)
        elif objects and child.dep_ == "dobj" and child.pos_ in ("NOUN", "PROPN"):
            tokens += _short_np(child, rules, skip)
    for child in verb.rights:
        if child.dep_ in ("prep", "agent") and child.i not in skip:
            pobjs = [c for c in child.children if c.dep_ == "pobj" and c.i not in skip
                     and c.ent_type_ not in ("DATE", "TIME") and c.pos_ != "PRON"]
            if pobjs:
                tokens += [child] + _short_np(pobjs[0], rules, skip)
            break
    return tokens


def _subject_chain(verb: Token, skip: set[int] = frozenset()) -> tuple[Token | None, list[Token]]:
    """The subject of a verb and the verbs leading to it: "Russia claims to control"."""
    chain = [verb]
    current = verb
    for _ in range(4):
        subjects = [c for c in current.children if c.dep_ in ("nsubj", "nsubjpass")
                    and c.i not in skip]
        if subjects:
            return subjects[0], chain
        if current.dep_ in ("xcomp", "conj") and current.head.pos_ in ("VERB", "AUX") \
                and current.head.i not in skip:
            if current.dep_ == "xcomp":  # "claims to control": keep the verb that governs
                chain.insert(0, current.head)
                chain += [c for c in current.children if c.dep_ == "aux" and c.tag_ == "TO"]
            current = current.head  # a conjoined verb shares its subject
            continue
        break
    return _line_subject(current, skip), chain


def _line_subject(verb: Token, skip: set[int]) -> Token | None:
    """The subject of a verb whose parse was cut by a line break (a headline run into the
    first sentence): the noun opening the verb's line, when only a noun phrase comes
    before the verb there."""
    if verb.head.i not in skip or verb.head == verb:
        return None
    start = verb.i
    while start > 0 and start - 1 not in skip:
        start -= 1
    before = verb.doc[start:verb.i]
    if not before or any(t.pos_ not in ("PROPN", "NOUN", "ADJ", "DET", "CCONJ", "PUNCT", "AUX",
                                       "PART", "ADV") for t in before):
        return None
    nouns = [t for t in before if t.pos_ in ("PROPN", "NOUN")]
    return nouns[0] if nouns else None


def clause_context(role: Token, skip: set[int], rules: FigureRules) -> str:
    """What the clause says about the figure's thing.

    As a subject: its verb and complements ("households lost heat", "deported to Russia").
    As an object: the subject and its verbs ("Russia launched", "Russia claims to control").
    """
    while role.dep_ == "conj" and role.head != role:
        role = role.head
    verb = role.head
    if verb.i in skip:
        return ""
    if role.dep_ == "pobj" and verb.dep_ == "prep":
        governing = _verb_above(verb, skip)  # "raised rates by 2 percentage points",
        if governing is not None:  # "arrived ... before sundown for the gathering of"
            return _verb_clause(governing, skip | {role.i}, rules)
        return ""
    if verb.pos_ not in ("VERB", "AUX") or verb.lemma_ in rules.light_verbs:
        return ""
    if role.dep_ in ("nsubj", "nsubjpass"):
        words = [verb] + _verb_complements(verb, skip | {role.i}, rules)
        return join(phrase(words), phrase(_where(verb, skip | {t.i for t in words})))
    if role.dep_ == "dobj" or (role.dep_ == "npadvmod" and verb.pos_ == "VERB"):
        subject, chain = _subject_chain(verb, skip)
        if subject is None and verb.dep_ == "acl" and verb.head.pos_ == "NOUN" \
                and verb.head.i not in skip:  # "an agreement to exchange 1,200 prisoners"
            return phrase(_short_np(verb.head, rules, skip) + chain)
        if subject is None and verb.tag_ == "VBG" and verb.lemma_.lower() in rules.event_verbs:
            return rules.event_verbs[verb.lemma_.lower()]  # "..., killing 12 people"
        if subject is None:
            return ""  # a verb alone says little: "providing"
        after = _verb_complements(verb, skip | {role.i}, rules, objects=False)
        when = _when(verb, skip | {t.i for t in after}, rules)
        return join(_subject_words(subject, chain, rules, skip), phrase(chain + after),
                    phrase(when))
    return ""


def _verb_above(token: Token, skip: set[int]) -> Token | None:
    """The nearest verb above a token, within three steps that pass no noun."""
    for _ in range(3):
        token = token.head
        if token.i in skip or token.pos_ in ("NOUN", "PROPN", "PRON", "NUM"):
            return None
        if token.pos_ == "VERB":
            return token
    return None


def _where(verb: Token, skip: set[int]) -> list[Token]:
    """The named place of a clause: "in the resort of Sharm el-Sheikh" -> "in Sharm el-Sheikh"
    (looked for on the verb and on a verb of purpose after it: "sat down to talk in")."""
    for clause in [verb] + [c for c in verb.children if c.dep_ in ("xcomp", "advcl")]:
        for prep in clause.children:
            if prep.dep_ != "prep" or prep.lower_ not in ("in", "at") or prep.i in skip:
                continue
            for place in prep.children:
                if place.dep_ != "pobj":
                    continue
                named = place if place.ent_type_ in PLACE_ENTITIES else next(
                    (c for p in place.children if p.lower_ == "of" for c in p.children
                     if c.ent_type_ in PLACE_ENTITIES), None)
                if named is not None and named.i not in skip:
                    return [prep] + _entity_tokens(named)
    return []


def _entity_tokens(token: Token) -> list[Token]:
    """All the tokens of the named entity a token belongs to: "Sharm el-Sheikh"."""
    doc = token.doc
    start = token.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = token.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return list(doc[start:end])


def _when(verb: Token, skip: set[int], rules: FigureRules) -> list[Token]:
    """The time the clause gives its verb: "overnight", "on Saturday", "over two years"."""
    found: list[Token] = []
    for child in verb.children:
        if child.i in skip:
            continue
        if child.dep_ in ("npadvmod", "advmod") and (
                child.lower_ in rules.time_adverbs or child.ent_type_ in ("DATE", "TIME")):
            found += [t for t in child.subtree if t.i not in skip and t.lower_ not in ARTICLES]
        elif child.dep_ == "prep" and any(c.dep_ == "pobj" and c.ent_type_ == "DATE"
                                          for c in child.children):
            found += [t for t in child.subtree if t.i not in skip and t.lower_ not in ARTICLES]
    return found


def _subject_words(subject: Token, chain: list[Token], rules: FigureRules,
                   skip: set[int] = frozenset()) -> str:
    """The subject as a short phrase. A pronoun subject of reported speech stands for the
    speaker ("the army says it controls" -> "army"); other pronouns are kept as written."""
    if subject.pos_ != "PRON":
        # "the Bank of Russia", "Ukraine and Russia"
        name = _entity_tokens(subject) if subject.ent_type_ in NAME_ENTITIES else []
        name = [t for t in name if t.i not in skip and t.lower_ not in ARTICLES]
        return phrase(_short_np(subject, rules, skip) + _named_partners(subject, skip) + name)
    top = chain[0]
    if subject.tag_ in ("WP", "WDT") and top.dep_ == "relcl":  # "Orban, who has blocked"
        return phrase(_short_np(top.head, rules, skip))
    if top.dep_ == "ccomp" and subject.lower_ in ("it", "they", "he", "she", "we"):
        speakers = [c for c in top.head.children if c.dep_ == "nsubj" and c.pos_ != "PRON"
                    and c.i not in skip]
        if speakers:
            return phrase(_short_np(speakers[0], rules, skip))
    return subject.lower_ if subject.lower_ != "i" else subject.text


def _verb_clause(verb: Token, skip: set[int], rules: FigureRules) -> str:
    """Subject, verb and object of a clause: "central bank raised rates"."""
    subject, chain = _subject_chain(verb, skip)
    objects = [c for c in verb.children if c.dep_ == "dobj" and c.i not in skip
               and c.pos_ in ("NOUN", "PROPN")]
    words = chain + (_short_np(objects[0], rules, skip) if objects else [])
    if subject is None and verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
        return phrase(_short_np(verb.head, rules, skip) + words)  # "points divided into"
    if subject is None and len(words) < 2:
        return ""
    where = _where(verb, skip | {t.i for t in words})
    return join(_subject_words(subject, chain, rules, skip) if subject is not None else "",
                phrase(words), phrase(where))


def join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def about_count(head: Token, role: Token, skip: set[int], rules: FigureRules,
                thing: list[Token] | None = None) -> str:
    """About for a count: the counted noun with its modifiers, and what happened to it.

    ``head`` is the counted noun as it stands in the sentence ("others" when the noun is
    left out, and ``thing`` then gives the noun's words from the figure before). A count
    inside an event noun is the thing the event happens to ("the release of 250
    prisoners" -> "prisoners released"); inside another noun it is described with it
    ("a barrage of 200 drones", "facilities in eight regions")."""
    if thing is not None:  # "including 250 serving life sentences": the 250's own words
        tokens = thing + [t for t in noun_phrase(head, skip, rules) if t.i != head.i] + [
            t for c in head.rights if c.tag_ in ("VBG", "VBN") and c.dep_ == "amod"
            and c.i not in skip for t in [c] + _verb_complements(c, skip, rules)]
    else:
        tokens = noun_phrase(head, skip, rules)
    traded = _traded_for(head, skip, rules)
    if traded:
        return join(phrase(tokens), traded)
    holder = _holding_noun(head, skip)
    if holder is None and role.i != head.i:  # "sanctions on two of Russia's oil firms"
        holder = _holding_noun(role, skip)
        head = role
    if holder is not None and holder.lemma_.lower() in rules.event_nouns:
        event = holder.lemma_.lower()
        counted = {c.i for c in holder.children if c.lower_ == "of"}  # the count itself
        more = _verb_complements(holder, skip | counted | {t.i for t in tokens}, rules,
                                 objects=False)
        return join(phrase(tokens), rules.event_nouns[event], phrase(more))
    if holder is not None:
        preposition = head.head.lower_ if head.dep_ == "pobj" else "of"
        holder_words = [holder] + _modifiers(holder, skip, rules)
        used = skip | {t.i for t in tokens + holder_words}
        return join(phrase(holder_words), preposition, phrase(tokens),
                    clause_context(holder, used, rules))
    return join(phrase(tokens), clause_context(role, skip | {t.i for t in tokens}, rules))


def _holding_noun(head: Token, skip: set[int]) -> Token | None:
    """The noun a counted noun hangs from by a preposition ("a barrage of 200 drones",
    "facilities in eight regions"), or that it is coordinated with after "of" ("the release
    of 250 prisoners and 1,700 detainees", however the parser attaches the second)."""
    if head.dep_ == "pobj" and head.head.lower_ in HOLDING_PREPOSITIONS:
        holder = head.head.head
    elif head.dep_ == "conj" and any(c.lower_ == "of" for c in head.head.children):
        holder = head.head
    else:
        return None
    if holder.pos_ != "NOUN" or holder.i in skip:
        return None
    return holder


def _traded_for(head: Token, skip: set[int], rules: FigureRules) -> str:
    """"in exchange for 2,000 prisoners": exchanged for what the sentence gives up."""
    preposition = head.head
    exchange = preposition.head
    if not (head.dep_ == "pobj" and preposition.lower_ == "for"
            and exchange.lemma_.lower() in rules.swap_words and exchange.head.lower_ == "in"):
        return ""
    given = exchange.head.head
    if given.i in skip:
        return ""
    objects = [c for p in given.children if p.lower_ == "of" for c in p.children
               if c.dep_ == "pobj"] if given.pos_ == "NOUN" else [
        c for c in given.children if c.dep_ == "dobj"]
    counterpart = _short_np(objects[0], rules, skip) if objects else []
    return join("exchanged for", phrase(counterpart)) if counterpart else "exchanged"


def _complement_after(root: Token, span: Span, words: tuple[str, ...],
                      skip: set[int]) -> Token | None:
    """The object of "in"/"of" right after a money or percent figure."""
    preps = [c for c in root.rights if c.dep_ == "prep"]
    if span.end < len(span.doc):
        preps.append(span.doc[span.end])
    for prep in preps:
        if prep.lower_ in ("for", "on") and prep.head != root:
            continue  # "stand at 30% for the duration": the verb's, not the figure's
        if prep.lower_ in words and prep.i not in skip:
            objects = [c for c in prep.children if c.dep_ == "pobj" and c.pos_ in ("NOUN", "PROPN")
                       and c.ent_type_ not in ("DATE", "TIME")]
            if objects:
                return _kept_part(objects[0], skip)
    return None


def _kept_part(noun: Token, skip: set[int]) -> Token | None:
    """A noun the phrase may use: itself, or when the parser took its head from the next
    line ("$3bn in promised aid" + a new line), the last noun before the break."""
    if noun.i not in skip:
        return noun
    kept = [t for t in noun.subtree if t.i not in skip and t.i < noun.i
            and t.pos_ in ("NOUN", "PROPN")]
    return kept[-1] if kept else None


def about_amount(span: Span, root: Token, kind: str, rules: FigureRules,
                 skip: set[int]) -> str:
    """About for money and percentages: what they change ("tariffs on Chinese goods before
    the cut"), the noun they modify, or their of/in complement.

    ``skip``: tokens the phrase must not use (the figure's own, those on other lines)."""
    described = [c for c in root.children if c.dep_ == "amod" and c.pos_ == "ADJ"
                 and c.i not in skip and c.lower_ not in rules.vague]  # "the current 145%"
    own = [t for c in root.rights if c.dep_ == "acl" and c.i not in skip
           for t in [c] + _verb_complements(c, skip, rules)]  # "the 90% needed for a weapon"
    return join(phrase(described), _about_amount(span, root, kind, rules, skip | {
        t.i for t in own}), phrase(own))


def _about_amount(span: Span, root: Token, kind: str, rules: FigureRules,
                  skip: set[int]) -> str:
    for reading in (_about_change, _as_modifier, _as_level, _as_complement, _as_valuation,
                    _as_loan, _as_part_of, _as_worth):
        about = reading(span, root, kind, rules, skip)
        if about:
            return about
    if root.head.i in skip:
        return ""
    return _as_predicate(root, rules, skip) or clause_context(root, skip, rules)


def _as_modifier(span: Span, root: Token, kind: str, rules: FigureRules, skip: set[int]) -> str:
    """The noun the amount modifies: "a €35bn reconstruction fund", "its 145% tariff"."""
    head = root.head
    if root.dep_ not in ("compound", "nummod", "amod", "nmod", "quantmod") \
            or head.pos_ not in ("NOUN", "PROPN") or head.i in skip:
        return ""
    tokens = noun_phrase(head, skip, rules) + _verb_attached_complement(head, skip, rules)
    owner = _owner(head, rules, skip)
    if owner:  # "the US agreed to drop its 145% tariff": the US's tariff
        return join(owner, phrase(tokens))
    return join(phrase(tokens), clause_context(head, skip | {t.i for t in tokens}, rules))


def _as_level(span: Span, root: Token, kind: str, rules: FigureRules, skip: set[int]) -> str:
    """The subject that stands at the amount: "the tariff on X will stand at 30%"."""
    head = root.head
    if root.dep_ != "pobj" or head.lower_ != "at" or head.head.lemma_ not in rules.light_verbs:
        return ""
    subjects = [c for c in head.head.children if c.dep_ in ("nsubj", "nsubjpass")
                and c.pos_ != "PRON" and c.i not in skip]
    return phrase(noun_phrase(subjects[0], skip, rules)) if subjects else ""


def _as_complement(span: Span, root: Token, kind: str, rules: FigureRules,
                   skip: set[int]) -> str:
    """The of/in complement: "$48bn in oil revenues", "60% of the district" (a share)."""
    complement = _complement_after(root, span, ("in", "of", "for", "on", "worth"), skip)
    if complement is None:
        return ""
    tokens = noun_phrase(complement, skip, rules)
    about = join(phrase(tokens), clause_context(root, skip | {t.i for t in tokens}, rules))
    if kind == "percent" and complement.head.lower_ == "of":
        return "share of " + about
    return about


def _as_valuation(span: Span, root: Token, kind: str, rules: FigureRules,
                  skip: set[int]) -> str:
    """What is valued at the amount: "puts its needs for 2026 at €135.7bn", "estimates the
    cost of rebuilding Ukraine at $524bn"."""
    head = root.head
    if root.dep_ != "pobj" or head.lower_ != "at" or head.head.pos_ != "VERB" \
            or head.head.i in skip:
        return ""
    verb = head.head
    if verb.dep_ == "pcomp" and verb.head.dep_ == "prep" and verb.head.head.pos_ == "NOUN":
        return phrase(noun_phrase(verb.head.head, skip, rules, preps=1))  # "of rebuilding"
    valued = [c for c in verb.children if c.dep_ == "dobj" and c.pos_ in ("NOUN", "PROPN")]
    if not valued:
        return ""
    words = noun_phrase(valued[0], skip, rules, preps=2)
    return join(phrase(words), phrase(_when(verb, skip | {t.i for t in words}, rules)))


def _as_loan(span: Span, root: Token, kind: str, rules: FigureRules, skip: set[int]) -> str:
    """Who gives the amount to whom, and over what time: "agreed to lend Ukraine €90bn over
    the next two years"."""
    head = root.head
    if root.dep_ != "dobj" or head.pos_ != "VERB" or head.i in skip:
        return ""
    recipients = [c for c in head.children if c.dep_ == "dative" and c.i not in skip]
    if not recipients:
        return ""
    subject, chain = _subject_chain(head, skip)
    after = _verb_complements(head, skip | {recipients[0].i}, rules, objects=False)
    when = _when(head, skip | {t.i for t in after}, rules)
    giver = _subject_words(subject, chain, rules, skip) if subject is not None else ""
    return join(giver, phrase(chain), phrase(_short_np(recipients[0], rules, skip)),
                phrase(after), phrase(when))


def _as_part_of(span: Span, root: Token, kind: str, rules: FigureRules, skip: set[int]) -> str:
    """The noun the amount is the "of" of: "the injection of $44bn into the economy"."""
    head = root.head
    owner = head.head if root.dep_ == "pobj" and head.lower_ == "of" else None
    if owner is None or owner.pos_ != "NOUN" or owner.i in skip:
        return ""
    words = noun_phrase(owner, skip, rules)  # the "of" phrase is the figure: skipped
    return join(phrase(words), clause_context(owner, skip | {t.i for t in words}, rules))


def _as_worth(span: Span, root: Token, kind: str, rules: FigureRules, skip: set[int]) -> str:
    """The noun worth the amount: "assets, worth about €210bn across the EU"."""
    head = root.head
    if head.lemma_ != "worth" or head.head.pos_ not in ("NOUN", "PROPN") \
            or head.head.i in skip:
        return ""
    return phrase(noun_phrase(head.head, skip, rules) + _verb_complements(head, skip, rules))


def _as_predicate(root: Token, rules: FigureRules, skip: set[int]) -> str:
    """The subject the amount is said of: "the package is worth $500m", "the index was 2%
    lower"."""
    head = root.head
    if not (head.lemma_ in rules.light_verbs or head.lemma_ == "worth" or (
            head.pos_ in ("ADJ", "ADV") and head.dep_ in ("acomp", "advmod", "attr"))):
        return ""
    anchor = head.head if head.lemma_ == "worth" or head.pos_ in ("ADJ", "ADV") else head
    subjects = [c for c in anchor.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subjects or subjects[0].pos_ == "PRON":
        return ""
    subject = phrase(noun_phrase(subjects[0], skip, rules))
    return join(subject, head.text) if head.pos_ in ("ADJ", "ADV") else subject


# --------------------------------------------------------------------------- changes

CHANGE_ROLES = {"from": "before", "to": "after", "by": "in"}


def _about_change(span: Span, root: Token, kind: str, rules: FigureRules,
                  skip: set[int]) -> str:
    """A figure that gives a change of a quantity: the value before ("from 145%"), after
    ("to 30%") or the size of the change ("by 115 points", "rose 3%").

    "US tariffs on Chinese goods before cut", "cut in reciprocal tariffs"."""
    doc = span.doc
    before = doc[span.start - 1] if span.start > 0 else None
    in_range = before is not None and before.i > 0 and doc[before.i - 1].like_num
    if before is not None and before.lower_ in CHANGE_ROLES and not in_range:
        role = before.lower_  # "down to 10%", however the parser hangs it ("3 to 5%" is a range)
    elif root.dep_ == "pobj" and root.head.lower_ in CHANGE_ROLES:
        role = root.head.lower_  # "from the current 145%"
    else:
        role = None
    if role is None and root.dep_ not in ("npadvmod", "dobj"):
        return ""
    verb = _governing_verb(root)
    if verb is None or verb.i in skip:
        return ""
    change = _change_noun(verb, span, rules)
    if change is None:
        return ""
    changed = _changed_quantity(verb, skip)
    if changed is None:
        return ""
    words = noun_phrase(changed, skip, rules) + _verb_attached_complement(changed, skip, rules)
    what = join(_owner(changed, rules, skip) if changed.dep_ != "nsubj" else "", phrase(words))
    if role in ("from", "to"):
        return join(what, CHANGE_ROLES[role], change)
    return join(change, "in", what)


def _governing_verb(root: Token) -> Token | None:
    """The verb a figure depends on, through the prepositions and other figures between
    them ("reduce tariffs from 145 per cent to 30 per cent")."""
    token = root
    for _ in range(5):
        if token.dep_ == "ROOT" and token.pos_ != "VERB":
            return None
        token = token.head
        if token.pos_ == "VERB":
            return token
        if token.pos_ not in ("ADP", "NUM", "NOUN", "ADV") or (
                token.pos_ == "NOUN" and not token.like_num and token.ent_type_ != "PERCENT"
                and token.ent_type_ != "MONEY"):
            return None
    return None


def _change_noun(verb: Token, span: Span, rules: FigureRules) -> str | None:
    """The noun of the change a verb makes: "reduce" -> "cut", "bring down" -> "cut"."""
    if verb.lemma_.lower() in rules.change_verbs:
        return rules.change_verbs[verb.lemma_.lower()]
    between = verb.doc[verb.i + 1:span.start]
    for token in between:
        if token.lower_ in rules.change_particles:
            return rules.change_particles[token.lower_]
    return None


def _changed_quantity(verb: Token, skip: set[int]) -> Token | None:
    """What the verb changes: its object ("cut tariffs"), else its subject ("bonds rose")."""
    for dep in ("dobj", "nsubjpass", "nsubj"):
        found = [c for c in verb.children if c.dep_ == dep and c.i not in skip
                 and c.pos_ in ("NOUN", "PROPN") and not c.like_num
                 and c.ent_type_ not in ("PERCENT", "MONEY")]
        if found:
            return found[0]
    return None


def _verb_attached_complement(noun: Token, skip: set[int], rules: FigureRules) -> list[Token]:
    """A complement the parser hung on the verb though it belongs to the noun right before
    it: "drop its tariff rate on Chinese goods"."""
    if any(c.dep_ == "prep" for c in noun.rights) or noun.head.pos_ != "VERB":
        return []
    following = noun.doc[noun.right_edge.i + 1] if noun.right_edge.i + 1 < len(noun.doc) else None
    if following is None or following.head != noun.head or following.dep_ != "prep" \
            or following.lower_ not in ("on", "for", "against", "of"):
        return []
    objects = [c for c in following.children if c.dep_ == "pobj" and c.i not in skip]
    return [following] + _short_np(objects[0], rules, skip) if objects else []


def _owner(noun: Token, rules: FigureRules, skip: set[int]) -> str:
    """Whose quantity a noun is when the text says "its"/"their" or nothing: the named
    subject of its verb ("the US will reduce tariffs" -> "US")."""
    possessors = [c for c in noun.children if c.dep_ == "poss"]
    if possessors and possessors[0].pos_ != "PRON":
        return ""  # "Ukraine's dollar bonds": already in the noun phrase
    verb = noun.head
    if noun.dep_ not in ("dobj", "pobj") or verb.pos_ != "VERB" or verb.i in skip:
        return ""
    subject, chain = _subject_chain(verb, skip)
    if subject is None:
        return ""
    if subject.pos_ == "PRON":
        named = _subject_words(subject, chain, rules, skip)
        owner = "" if named.lower() == subject.lower_ else named
    elif subject.pos_ == "PROPN" or subject.ent_type_ in ("GPE", "NORP", "ORG"):
        owner = phrase(_short_np(subject, rules, skip))
    else:
        return ""
    return rules.attributive.get(owner.lower().removeprefix("the "), owner)  # "US tariffs"


def _located_thing(token: Token) -> Token | None:
    """The noun a distance phrase describes; a place's name when the noun is in apposition."""
    for _ in range(3):
        if token.pos_ in ("NOUN", "PROPN"):
            if token.dep_ == "appos" and token.head.pos_ == "PROPN":
                return token.head
            return token
        if token.pos_ in ("VERB", "AUX"):  # "the town lies 30 miles from the border"
            subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
            return subjects[0] if subjects and subjects[0].pos_ != "PRON" else None
        token = token.head
    return None


def about_distance(span: Span, root: Token, rules: FigureRules, skip: set[int]) -> str:
    """About for distances: "distance of Fastiv southwest of Kyiv"."""
    if root.dep_ in ("compound", "amod", "nummod") and root.head.pos_ == "NOUN" \
            and root.head.lower_ not in rules.directions:
        front = noun_phrase(root.head, skip, rules)
        return join("length of", phrase(front))  # "the 1,000-mile front"
    anchor = root.head if root.head.lower_ in rules.directions else root
    where: list[Token] = [anchor] if anchor.i != root.i else []
    if anchor.pos_ == "ADP":  # "30 miles from the border": the anchor is the preposition
        where += [t for c in anchor.children if c.dep_ == "pobj" for t in _short_np(c, rules, skip)]
    for child in list(anchor.rights) + (list(root.rights) if anchor.i != root.i else []):
        objects = [c for c in child.children if c.dep_ == "pobj"]
        if child.dep_ == "prep" and child.i not in skip and objects:
            where += [child] + _short_np(objects[0], rules, skip)  # "southwest of Kyiv"
            break
    thing = _located_thing(anchor.head) if anchor.i != root.i else None
    what = phrase(_short_np(thing, rules, skip)) if thing is not None and thing.i not in skip else ""
    if not what and not where:
        return join("distance", clause_context(root, skip, rules))  # "front line stretches"
    return join("distance", "of " + what if what else "", phrase(where))
