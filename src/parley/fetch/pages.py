"""Fetched pages (and feed entries carrying the whole article) to Documents.

trafilatura keeps the article's text and reads its metadata: title, author, date,
site name and canonical URL. What the page lacks is taken from the feed or sitemap
that listed it (its date, title, author) and from the source (the outlet's name).
A feed entry whose content (Atom ``content``, RSS ``content:encoded``) holds at least
``FULL_ARTICLE_WORDS`` words is taken as the article itself: its page is not downloaded.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from parley.fetch.discover import Item
from parley.ingest import IngestError, decode_text, document_id, headline, normalise_date, normalise_newlines
from parley.records import Document

FULL_ARTICLE_WORDS = 150
MIN_ARTICLE_WORDS = 25
MIN_PARAGRAPH_WORDS = 12


class NoArticle(Exception):
    """A page with no article text in it, and why (one line)."""


def _extract(html: str, url: str):
    import trafilatura  # slow to import: only when there is a page

    try:
        return trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    except Exception as err:  # noqa: BLE001 - one odd page must not stop the run
        raise NoArticle(f"cannot parse the page ({' '.join(str(err).split())})") from None


def _article_text(page) -> str:
    text = normalise_newlines(page.text or "").strip() if page is not None else ""
    if len(text.split()) < MIN_ARTICLE_WORDS or not any(
            len(paragraph.split()) >= MIN_PARAGRAPH_WORDS for paragraph in text.split("\n")):
        raise NoArticle("no article text found in the page")
    return text


def _canonical(found: str | None, url: str) -> str:
    """The page's canonical URL when it names one on the same site (else the URL fetched)."""
    if found:
        canonical = urljoin(url, found.strip())
        if urlsplit(canonical).scheme in ("http", "https") and urlsplit(canonical).hostname == urlsplit(url).hostname:
            return canonical
    return url


def _site_name(found: str | None, url: str) -> str | None:
    """The page's site name, unless it is only the host name (trafilatura's stand-in)."""
    parts = urlsplit(url)
    hosts = {parts.netloc, parts.hostname, (parts.hostname or "").removeprefix("www.")}
    return found if found and found.strip() not in hosts else None


def page_document(body: bytes, url: str, item: Item | None = None, source_name: str | None = None) -> Document:
    """The article of the page ``body`` fetched from ``url`` (after redirects)."""
    try:
        html = decode_text(body, url)
    except IngestError as err:
        raise NoArticle(err.problem.replace("file", "answer")) from None  # "empty answer", "binary answer, not text"
    page = _extract(html, url)
    text = _article_text(page)
    canonical = _canonical(page.url, url)
    item = item or Item(url)
    return Document(
        id=document_id(text),
        source=canonical,
        text=text,
        title=page.title or item.title or headline(text),
        outlet=_site_name(page.sitename, canonical) or source_name or item.outlet or urlsplit(canonical).hostname,
        published=normalise_date(page.date) or item.published,
        url=canonical,
        author=page.author or item.author,
    )


def has_full_article(item: Item) -> bool:
    return bool(item.content) and len(item.content.split()) >= FULL_ARTICLE_WORDS


def entry_document(item: Item, source_name: str | None = None) -> Document:
    """The article a feed entry carries whole (see :func:`has_full_article`)."""
    page = _extract(f"<html><body><article>{item.content}</article></body></html>", item.url)
    text = _article_text(page)
    return Document(
        id=document_id(text),
        source=item.url,
        text=text,
        title=item.title or headline(text),
        outlet=source_name or item.outlet or urlsplit(item.url).hostname,
        published=item.published,
        url=item.url,
        author=item.author,
    )
