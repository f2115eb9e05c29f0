"""Domain knowledge loaded from data files (TOML), never hard-coded in extractors.

Each extractor reads its own file from ``parley/data/`` (``language.toml``,
``figures.toml``, ``events.toml``, ``issues.toml``, ``actors.toml`` ...). A user
following another negotiation passes extra folders (``--lexicon DIR``): a file
of the same name there is merged over the bundled one (lists are extended,
tables merged key by key, scalars replaced).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

BUNDLED = resources.files("parley") / "data"


def _merge(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        merged = dict(base)
        for key, value in extra.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(extra, list):
        return base + [item for item in extra if item not in base]
    return extra


@dataclass(frozen=True)
class Lexicon:
    """The merged data files. ``lexicon["figures"]`` is the table of figures.toml."""

    extra_dirs: tuple[Path, ...] = ()
    use_bundled_actors: bool = True
    _cache: dict[str, dict] = field(default_factory=dict, compare=False, hash=False)

    def __getitem__(self, name: str) -> dict[str, Any]:
        if name not in self._cache:
            table: dict[str, Any] = {}
            bundled = BUNDLED / f"{name}.toml"
            if bundled.is_file() and (name != "actors" or self.use_bundled_actors):
                table = tomllib.loads(bundled.read_text(encoding="utf-8"))
            for folder in self.extra_dirs:
                extra = Path(folder) / f"{name}.toml"
                if extra.is_file():
                    table = _merge(table, tomllib.loads(extra.read_text(encoding="utf-8")))
            self._cache[name] = table
        return self._cache[name]

    def words(self, name: str, key: str) -> list[str]:
        """A list of cue words from one file, e.g. ``words("language", "speech_verbs")``."""
        return list(self[name].get(key, []))


@lru_cache(maxsize=8)
def load_lexicon(extra_dirs: tuple[Path, ...] = (), use_bundled_actors: bool = True) -> Lexicon:
    return Lexicon(tuple(Path(d) for d in extra_dirs), use_bundled_actors)
