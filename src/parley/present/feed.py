"""The What's new briefing as an Atom 1.0 feed (RFC 4287): ``/feed.xml`` of ``parley serve``.

One entry per item of present/changes.py: its one-line title, the sentence it rests on
with its source as the summary, and a link to the document view with that sentence
highlighted. An entry's id is derived from the item's key, so the same change keeps its
id from one reading of the feed to the next and a feed reader shows it once. The XML is
built with ElementTree, which escapes every string; characters XML 1.0 cannot carry
(control characters, lone surrogates) are dropped first.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urljoin
from xml.etree import ElementTree as ET

from parley.present.html import ServerLinks

ATOM = "http://www.w3.org/2005/Atom"
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SECTION_LABELS = {"event": "Event", "position": "Position", "conflict": "Conflict", "corroboration": "Corroboration",
                  "quote": "Quotation", "figure": "Figure"}


def _text(value: Any) -> str:
    return NOT_XML.sub("", str(value))


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _text(text)
    return element


def _summary(item: dict[str, Any]) -> str:
    cites = [item["cite"]]
    if item.get("before"):
        before = item["before"]
        cites = [*(before if isinstance(before, list) else [before.get("cite")]), item["cite"]]
    lines = []
    for cite in cites:
        if cite:
            where = ", ".join(p for p in (cite.get("outlet"), cite.get("published") or "undated", cite["document"]) if p)
            lines.append(f"“{cite['evidence']}” — {where}")
    return "\n".join(dict.fromkeys(lines))


def atom_feed(changes: Any, base_url: str, self_url: str) -> bytes:
    """The feed of ``changes`` for a server at ``base_url`` (ending with "/")."""
    ET.register_namespace("", ATOM)
    links = ServerLinks()
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", urljoin(base_url, "feed.xml"))
    _add(feed, "title", "parley: what's new in the talks")
    _add(feed, "subtitle", f"What the articles stored since {changes.since} added and changed, every item cited.")
    items = changes.items()
    _add(feed, "updated", max((i["at"] for i in items), default=changes.now))
    author = _add(feed, "author")
    _add(author, "name", "parley")
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=urljoin(base_url, "new"))
    _add(feed, "generator", "parley")
    for item in items:
        entry = _add(feed, "entry")
        _add(entry, "id", uuid.uuid5(uuid.NAMESPACE_URL, f"parley:{item['key']}").urn)
        _add(entry, "title", f"{SECTION_LABELS.get(item['kind'], item['kind'])}: {item['title']}")
        _add(entry, "updated", item["at"])
        ref = item["cite"].get("ref")
        href = urljoin(base_url, links.doc(ref).lstrip("/")) if ref else urljoin(base_url, "new")
        _add(entry, "link", rel="alternate", type="text/html", href=href)
        _add(entry, "category", term=item["kind"])
        _add(entry, "summary", _summary(item), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
