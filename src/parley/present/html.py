"""The self-contained HTML briefing written by ``parley analyze --html``.

One file, no network: styles inline, the timeline drawn as inline SVG. Every
string from an article passes through Jinja's autoescaping, so an article that
contains markup shows it as text.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from parley.present.terminal import evolution_label, quote_flags, speaker_label


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("parley", "present/templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["number"] = lambda v: f"{v:,.0f}" if float(v).is_integer() else f"{v:,}"
    return env


def _timeline_svg_points(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """x positions (0..1) for dated timeline entries, and month ticks."""
    dated = [e for e in entries if (e.get("when") or {}).get("date")]
    if not dated:
        return {"points": [], "ticks": []}
    days = [date.fromisoformat(e["when"]["date"]).toordinal() for e in dated]
    first, last = min(days), max(days)
    width = max(last - first, 1)
    points = []
    lanes: dict[int, int] = defaultdict(int)
    for entry, day in zip(dated, days):
        x = (day - first) / width
        bucket = round(x * 40)
        lane = lanes[bucket]
        lanes[bucket] += 1
        points.append({"x": x, "lane": lane, "entry": entry})
    ticks = []
    current = date.fromordinal(first).replace(day=1)
    while current.toordinal() <= last:
        if current.toordinal() >= first:
            ticks.append({"x": (current.toordinal() - first) / width, "label": current.strftime("%b %Y")})
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return {"points": points, "ticks": ticks, "first": date.fromordinal(first).isoformat(),
            "last": date.fromordinal(last).isoformat()}


def render_briefing(export: dict[str, Any]) -> str:
    names = {a["id"]: a["name"] for a in export["actors"]}
    by_document: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for kind in ("quotes", "figures", "events", "positions"):
        for record in export[kind]:
            by_document[record["document"]][kind].append(record)
    actors_by_document: dict[str, list] = defaultdict(list)
    for actor in export["actors"]:
        for source in actor["documents"]:
            actors_by_document[source].append(actor)
    flags = quote_flags(export)  # unnamed / single source (near-copies count once)
    template = _environment().get_template("briefing.html.j2")
    return template.render(
        export=export, names=names, by_document=by_document, actors_by_document=actors_by_document,
        speaker_label=lambda q: speaker_label(q, names),
        quote_flags=flags,
        checks=_source_checks(export, flags),
        timeline=_timeline_svg_points(export.get("timeline", [])),
        issues=sorted({c["issue"] for c in export.get("matrix", [])}),
        parties=sorted({c["party"] for c in export.get("matrix", [])}, key=lambda p: names.get(p, p)),
        cells={(c["party"], c["issue"]): c for c in export.get("matrix", [])},
    )


SINGLE_SOURCE_SHOWN = 200  # single-source claims listed in the briefing (all are in the export)
VALUES_SHOWN = 8  # sides of a conflict shown before "more"


def _source_checks(export: dict[str, Any], flags: dict[int, str]) -> dict[str, Any]:
    """What the "Source checks" section shows."""
    claims = export.get("claims", [])
    documents = {d["source"]: d for d in export["documents"]}
    single = [c for c in claims if c["single_source"]]
    framing = sorted(export.get("framing", []),
                     key=lambda f: ((documents.get(f["document"]) or {}).get("published") or "", f["document"]))
    return {
        "corroborated": [c for c in claims if not c["single_source"]],
        "single": single[:SINGLE_SOURCE_SHOWN],
        "single_total": len(single),
        "flagged_quotes": [(export["quotes"][i], flag) for i, flag in sorted(flags.items())],
        "conflicts": [dict(c, judgment=evolution_label(c), shown=c["values"][:VALUES_SHOWN],
                           hidden=c["values"][VALUES_SHOWN:]) for c in export.get("conflicts", [])],
        "framing": [dict(f, outlet=(documents.get(f["document"]) or {}).get("outlet"),
                         published=(documents.get(f["document"]) or {}).get("published")) for f in framing],
        "outlets": export.get("framing_by_outlet", []),
    }


def write_briefing(export: dict[str, Any], path: Path) -> None:
    path.write_text(render_briefing(export), encoding="utf-8")
