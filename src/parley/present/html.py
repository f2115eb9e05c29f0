"""HTML for the briefing: one self-contained file (``parley analyze --html``) and the
pages of ``parley serve``, rendered from the same templates over the same views.

The two differ only in how a link is written (:class:`FileLinks` points inside the one
file, :class:`ServerLinks` at the server's pages) and in how styles and scripts arrive
(inlined with their hashes in the file's Content-Security-Policy, or served from
``/static``). Every string from an article passes through Jinja's autoescaping, and the
chart data is embedded as JSON with ``<``, ``>`` and ``&`` escaped, so an article that
contains markup shows it as text; the scripts build the charts with ``textContent``
and attributes only, never by parsing HTML.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, select_autoescape

from parley.atomic_write import write_text_atomically
from parley.present.views import Source, build_views

D3 = "vendor/d3-7.9.0.min.js"  # pinned and vendored: no script is ever loaded from the network
NETWORK_NODES_DRAWN = 60
KIND_COLORS = {"meeting": "#2f6fdb", "attack": "#c0392b", "decision": "#1e8449", "visit": "#8e44ad",
               "statement": "#7f8c8d"}


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=PackageLoader("parley", "present/templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def static_text(name: str) -> str:
    return resources.files("parley").joinpath("present/static", name).read_text(encoding="utf-8")


def _doc_and_start(ref: dict[str, Any] | str) -> tuple[str, int | None]:
    """A link target: a document id alone, or a ref (document id and sentence start)."""
    return (ref, None) if isinstance(ref, str) else (ref["doc"], ref.get("start"))


class FileLinks:
    """Links inside the one-file briefing: every view, actor and document is a section."""

    def view(self, name: str) -> str:
        return f"#view-{name}"

    def actor(self, actor_id: str) -> str:
        return f"#actor-{quote(actor_id)}"

    def entry(self, n: int) -> str:
        return f"#event-{n}"

    def doc(self, ref: dict[str, Any] | str) -> str:
        doc_id, start = _doc_and_start(ref)
        return f"#{self.sentence_id(doc_id, start)}" if start is not None else f"#doc-{quote(doc_id)}"

    def sentence_id(self, doc_id: str, start: int | None) -> str:
        return f"doc-{doc_id}-s{start}"

    def search_action(self) -> str:
        return "#view-search"


class ServerLinks:
    """Links between the pages of ``parley serve``."""

    def view(self, name: str) -> str:
        return "/" if name == "overview" else f"/{name}"

    def actor(self, actor_id: str) -> str:
        return f"/actors/{quote(actor_id, safe='')}"

    def entry(self, n: int) -> str:
        return f"/timeline#event-{n}"

    def doc(self, ref: dict[str, Any] | str) -> str:
        doc_id, start = _doc_and_start(ref)
        base = f"/documents/{quote(doc_id, safe='')}"
        return f"{base}?{urlencode({'hl': start})}#{self.sentence_id(doc_id, start)}" if start is not None else base

    def sentence_id(self, doc_id: str, start: int | None) -> str:
        return f"s{start}"

    def search_action(self) -> str:
        return "/search"


def chart_data(views: dict[str, Any], links: FileLinks | ServerLinks) -> dict[str, Any]:
    """What the timeline and network charts draw, with each mark's link already written."""
    timeline = [{"n": e["n"], "kind": e["kind"], "date": e["date"], "end": (e.get("when") or {}).get("end"),
                 "label": e["label"], "when": e["when_label"], "sources": e["sources"], "status": e.get("status"),
                 "color": KIND_COLORS.get(e["kind"], "#555"), "href": links.entry(e["n"])}
                for e in views["timeline"]]
    drawn = views["network"]["nodes"][:NETWORK_NODES_DRAWN]  # the most connected: a chart of hundreds is a hairball
    ids = {n["id"] for n in drawn}
    network = {"nodes": [dict(n, href=links.actor(n["id"])) for n in drawn],
               "links": [{"source": e["source"], "target": e["target"], "weight": e["weight"]}
                         for e in views["network"]["edges"] if e["source"] in ids and e["target"] in ids],
               "total": len(views["network"]["nodes"])}
    return {"timeline": timeline, "network": network}


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def render_briefing(source: Source, changes: Any = None) -> str:
    """The one-file briefing: every view, actor page and document, styles and scripts inline;
    with ``changes`` (present/changes.py), a What's new view too, which it opens on."""
    views = build_views(source)
    links = FileLinks()
    scripts = [static_text(D3), static_text("parley.js")]
    csp = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
           f"script-src {' '.join(_csp_hash(s) for s in scripts)}; base-uri 'none'; form-action 'none'")
    return _render("briefing.html.j2", views, links, mode="static", title="briefing", current=None, csp=csp,
                   inline={"css": static_text("parley.css"), "scripts": scripts}, changes=changes)


def render_page(views: dict[str, Any], template: str, current: str | None, title: str, **context: Any) -> str:
    """One page of ``parley serve``: ``template`` is a file in templates/views/."""
    return _render("page.html.j2", views, ServerLinks(), mode="server", template=template,
                   current=current or template, title=title, csp=None, inline=None, **context)


def _render(name: str, views: dict[str, Any], links: FileLinks | ServerLinks, **context: Any) -> str:
    """A template over the views; search results, query and highlight are empty unless given."""
    context = {"results": None, "query": None, "highlight": None, "changes": None, "since_text": None,
               "since_error": None, **context}
    return environment().get_template(name).render(v=views, links=links, chart_data=chart_data(views, links),
                                                   **context)


def write_briefing(source: Source, path: Path, changes: Any = None) -> None:
    write_text_atomically(path, render_briefing(source, changes))
