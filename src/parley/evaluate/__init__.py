"""Score a parley/1 export against hand-made gold files (``parley eval``).

Modules: ``gold`` (reading, checking and sealing gold files), ``text`` (normalisation,
token overlap, seals, person names), ``score`` (matching and metrics), ``report`` (the
table), ``meantime`` (the MEANTIME yardstick: date values and person discovery).

The matching and metric rules are those of ``shared/spec/gold-format.md``:

- ``load_gold(paths)`` reads per-document gold files (open or sealed, with an optional
  ``scope``) and the optional ``corpus.json``; ``seal_gold`` seals an open one;
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

from parley.evaluate.gold import Gold, GoldError, load_gold, seal_gold
from parley.evaluate.report import render
from parley.evaluate.score import prf, score
from parley.evaluate.text import normalize, seal_tokens

__all__ = ["Gold", "GoldError", "load_gold", "normalize", "prf", "render", "score", "seal_gold", "seal_tokens"]
