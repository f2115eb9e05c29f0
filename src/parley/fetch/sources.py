"""The sources file (``sources.toml``): what ``parley fetch`` and ``parley watch`` follow.

    keywords = ["ceasefire"]          # optional: for every source without its own

    [[source]]
    url = "https://news.example/world/rss.xml"   # a feed, a sitemap or a page
    name = "Example News"                         # optional: the outlet's name
    keywords = ["Ukraine", "Witkoff"]             # optional: only items naming one of them

A bad file is refused in one line naming the file and the problem.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

SOURCE_KEYS = {"url", "name", "keywords"}
TOP_KEYS = {"source", "keywords"}


class SourcesError(Exception):
    """A sources file (or URL) that cannot be used, in one line."""


@dataclass(frozen=True)
class Source:
    url: str
    name: str | None = None
    keywords: tuple[str, ...] = field(default=())

    def matches(self, *texts: str | None) -> bool:
        """Whether any keyword appears in ``texts`` (a word or the start of one, any case);
        always true without keywords."""
        if not self.keywords:
            return True
        joined = " ".join(t for t in texts if t)
        return any(re.search(rf"(?<!\w){re.escape(k)}", joined, re.I) for k in self.keywords)


def check_source_url(url: str, where: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SourcesError(f"{where}: '{url}' is not an http or https URL")
    return url.strip()


def _keywords(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(k, str) and k.strip() for k in value):
        raise SourcesError(f"{where}: 'keywords' must be a list of words, e.g. [\"ceasefire\"]")
    return tuple(k.strip() for k in value)


def load_sources(path: Path) -> list[Source]:
    """The sources listed in ``path``; :class:`SourcesError` when it cannot be used."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"{path}: no such sources file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise SourcesError(f"{path}: cannot read the sources file ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise SourcesError(f"{path}: not valid TOML ({err})") from None
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise SourcesError(f"{path}: unknown setting '{unknown[0]}' (known: keywords, [[source]])")
    default_keywords = _keywords(data["keywords"], str(path)) if "keywords" in data else ()
    entries = data.get("source", [])
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{path}: no sources: add [[source]] tables with a url each")
    sources = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: source {number}"
        if not isinstance(entry, dict):
            raise SourcesError(f"{where}: must be a [[source]] table")
        unknown = sorted(set(entry) - SOURCE_KEYS)
        if unknown:
            raise SourcesError(f"{where}: unknown key '{unknown[0]}' (known: url, name, keywords)")
        if not isinstance(entry.get("url"), str):
            raise SourcesError(f"{where}: needs a url = \"https://...\"")
        name = entry.get("name")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise SourcesError(f"{where}: 'name' must be a non-empty string")
        keywords = _keywords(entry["keywords"], where) if "keywords" in entry else default_keywords
        sources.append(Source(check_source_url(entry["url"], where), name.strip() if name else None, keywords))
    return sources
