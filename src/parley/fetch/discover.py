"""What a fetched URL is, told by its content (not its name): a feed (RSS 0.9x/1.0/2.0,
Atom), a sitemap (``urlset``, Google News sitemaps included), a sitemap index, or a page;
and, for feeds and sitemaps, the items they list.

XML is read with defusedxml first, which refuses entity declarations and external
references, so an entity-expansion bomb or an entity reading a local file is refused
before feedparser sees the feed. feedparser is handed the bytes inside a stream, never
as a string it could take for a URL or a file name.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from parley.ingest import normalise_date

MAX_ITEMS = 1000  # items read from one feed or sitemap (the newest come first in both)
FEED_ROOTS = {"rss", "rdf", "feed", "channel"}
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S)
_FEED_HINT = re.compile(rb"<(?:rss|feed|rdf:rdf|urlset|sitemapindex)[\s>]", re.I)
_ENTITY = re.compile(rb"<!ENTITY", re.I)
ENTITIES_REFUSED = "refused: the XML declares entities or external references (a possible entity-expansion bomb)"


class NotReadable(Exception):
    """Content that is neither a usable feed, sitemap nor page, and why (one line)."""


@dataclass
class Item:
    """One article a feed or sitemap lists."""

    url: str
    title: str | None = None
    published: str | None = None  # YYYY-MM-DD
    summary: str | None = None
    content: str | None = None  # the article's HTML when the feed carries it whole
    author: str | None = None
    outlet: str | None = None  # the feed's title, or a news sitemap's publication name


@dataclass
class Discovered:
    kind: str  # "feed", "sitemap", "sitemap index" or "page"
    items: list[Item] = field(default_factory=list)
    title: str | None = None  # the feed's title
    warning: str | None = None  # read despite a problem (a malformed feed read loosely)


def discover(body: bytes, url: str, content_type: str = "") -> Discovered:
    """Tell what ``body`` (fetched from ``url``) is; :class:`NotReadable` when it is unusable."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head) or (content_type in ("text/html", "application/xhtml+xml")
                                   and not _FEED_HINT.search(head)):
        return Discovered("page")
    try:
        root = fromstring(body)
    except DefusedXmlException:
        raise NotReadable(ENTITIES_REFUSED) from None
    except (ParseError, LookupError, ValueError) as err:  # LookupError: an unknown encoding
        if _ENTITY.search(body):  # declared where the strict parse did not reach: not for feedparser either
            raise NotReadable(ENTITIES_REFUSED) from None
        if _FEED_HINT.search(head):
            return _loose_feed(body, url, f"malformed XML ({err})")
        if head.lstrip().startswith(b"<?xml"):
            raise NotReadable(f"malformed XML ({err})") from None
        return Discovered("page")
    tag = _local(root.tag).lower()
    if tag in FEED_ROOTS:
        return _feed(body, url)
    if tag == "urlset":
        return Discovered("sitemap", _sitemap_items(root, url))
    if tag == "sitemapindex":
        return Discovered("sitemap index", [Item(urljoin(url, loc)) for loc in _texts(root, "sitemap", "loc")])
    if tag == "html":
        return Discovered("page")
    raise NotReadable(f"XML of an unknown kind (<{tag}>): neither a feed nor a sitemap")


# ---------------------------------------------------------------- feeds


def _parse_feed(body: bytes, url: str):
    import feedparser  # slow to import: only when there is a feed

    return feedparser.parse(io.BytesIO(body), response_headers={"content-location": url},
                            sanitize_html=False, resolve_relative_uris=True)


def _feed(body: bytes, url: str, warning: str | None = None) -> Discovered:
    parsed = _parse_feed(body, url)
    channel = parsed.get("feed", {})
    title = _clean(channel.get("title"))
    items = []
    for entry in parsed.get("entries", [])[:MAX_ITEMS]:
        link = entry.get("link") or next((link.get("href") for link in entry.get("links", []) if link.get("href")), None)
        if not link:
            continue
        contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
        items.append(Item(
            url=urljoin(url, link.strip()),
            title=_clean(entry.get("title")),
            published=_entry_date(entry),
            summary=entry.get("summary"),
            content=max(contents, key=len) if contents else None,
            author=_clean(entry.get("author")),
            outlet=title,
        ))
    return Discovered("feed", items, title, warning)


def _loose_feed(body: bytes, url: str, problem: str) -> Discovered:
    """A feed that is not well-formed XML: feedparser's forgiving parser may still read
    items from it; with none, it is refused."""
    found = _feed(body, url, f"{problem}; read loosely")
    if not found.items:
        raise NotReadable(f"malformed feed: {problem}, no item could be read")
    found.warning = f"malformed feed ({problem}); {len(found.items)} items read loosely"
    return found


def _entry_date(entry) -> str | None:
    for key in ("published", "updated", "created"):
        written = normalise_date(entry.get(key))
        if written:
            return written
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if isinstance(parsed, time.struct_time):
            try:
                return date(*parsed[:3]).isoformat()
            except ValueError:
                continue
    return None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


# ---------------------------------------------------------------- sitemaps


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: Element, name: str) -> Element | None:
    return next((child for child in element if _local(child.tag) == name), None)


def _text(element: Element | None) -> str | None:
    return _clean(element.text) if element is not None else None


def _texts(root: Element, entry: str, name: str) -> list[str]:
    found = []
    for element in root:
        if _local(element.tag) == entry and (loc := _text(_child(element, name))):
            found.append(loc)
        if len(found) >= MAX_ITEMS:
            break
    return found


def _sitemap_items(root: Element, url: str) -> list[Item]:
    items = []
    for element in root:
        if _local(element.tag) != "url" or not (loc := _text(_child(element, "loc"))):
            continue
        news = _child(element, "news")
        publication = _child(news, "publication") if news is not None else None
        written = _text(_child(news, "publication_date")) if news is not None else None
        items.append(Item(
            url=urljoin(url, loc),
            title=_text(_child(news, "title")) if news is not None else None,
            published=normalise_date(written or _text(_child(element, "lastmod"))),
            outlet=_text(_child(publication, "name")) if publication is not None else None,
        ))
        if len(items) >= MAX_ITEMS:
            break
    return items
