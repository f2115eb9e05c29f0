"""Terminal views (rich), drawn from the export object so every view shows what export shows."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text


def _names(export: dict[str, Any]) -> dict[str, str]:
    return {a["id"]: a["name"] for a in export["actors"]}


def _short(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def speaker_label(quote: dict[str, Any], names: dict[str, str]) -> str:
    if quote.get("speaker"):
        return names.get(quote["speaker"], quote["speaker"])
    if quote.get("speaker_text"):
        return f"{quote['speaker_text']} (unnamed)"
    return "(speaker unknown)"


def print_summary(export: dict[str, Any], console: Console, limit: int = 12) -> None:
    docs = export["documents"]
    names = _names(export)
    dates = sorted(d["published"] for d in docs if d.get("published"))
    span = f", {dates[0]} to {dates[-1]}" if dates else ""
    outlets = {d["outlet"] for d in docs if d.get("outlet")}
    console.rule(f"[bold]parley briefing[/]: {len(docs)} documents from {len(outlets)} outlets{span}")

    per_doc: dict[str, Counter] = {}
    for kind in ("quotes", "figures", "events", "positions"):
        for record in export[kind]:
            per_doc.setdefault(record["document"], Counter())[kind] += 1
    table = Table(title="Documents", show_lines=False)
    for column in ("source", "outlet", "published", "words", "quotes", "figures", "events", "positions"):
        table.add_column(column, justify="right" if column not in {"source", "outlet"} else "left")
    for d in docs:
        counts = per_doc.get(d["source"], Counter())
        source = d["source"] + (" [dim](copy)[/]" if d.get("duplicate_of") else "")
        table.add_row(source, d.get("outlet") or "", d.get("published") or "", str(d["words"]),
                      *(str(counts[k]) for k in ("quotes", "figures", "events", "positions")))
    console.print(table)

    table = Table(title=f"Actors (top {limit} by mentions)")
    for column in ("actor", "kind", "role", "affiliation", "documents", "mentions"):
        table.add_column(column)
    for a in export["actors"][:limit]:
        table.add_row(a["name"], a["kind"], _short(a.get("role"), 40),
                      names.get(a.get("affiliation") or "", a.get("affiliation") or ""),
                      str(len(a["documents"])), str(a["mentions"]))
    console.print(table)

    table = Table(title=f"Quotes ({len(export['quotes'])})")
    for column in ("speaker", "quote", "document"):
        table.add_column(column, overflow="fold")
    for q in export["quotes"][:limit]:
        table.add_row(speaker_label(q, names), Text(f"“{_short(q['text'], 90)}”"), q["document"])
    console.print(table)

    table = Table(title=f"Figures ({len(export['figures'])})")
    for column in ("as written", "value", "unit", "about", "document"):
        table.add_column(column)
    for f in export["figures"][:limit]:
        value = f"{f['value']:,.0f}" if float(f["value"]).is_integer() else f"{f['value']:,}"
        table.add_row(f["text"], value, f["unit"], _short(f.get("about"), 40), f["document"])
    console.print(table)


def print_timeline(export: dict[str, Any], console: Console) -> None:
    """Dated entries in date order, then undated ones in document order (as reconcile sorted them)."""
    names = _names(export)
    table = Table(title=f"Timeline ({len(export['timeline'])} events from {len(export['events'])} reports)",
                  show_lines=True)
    for column in ("when", "event", "participants", "status", "reports"):
        table.add_column(column, overflow="fold")
    for entry in export["timeline"]:
        when = entry.get("when") or {}
        day = when.get("date") or "undated"
        if when.get("end"):
            day += f" – {when['end']}"
        label = Text(entry["kind"], style="bold")
        if entry.get("place"):
            label.append(f" · {entry['place']}")
        participants = ", ".join(names.get(p, p) for p in entry["participants"])
        reports = "\n".join(f"{r['document']}: {_short(r['evidence'], 110)}" for r in entry["reports"])
        table.add_row(f"{day}\n[dim]{when.get('text') or ''}[/]", label, participants, entry.get("status") or "", reports)
    console.print(table)


def print_positions(export: dict[str, Any], console: Console) -> None:
    """Party × issue: the latest stance per cell, with its evidence and sources."""
    names = _names(export)
    cells = export["matrix"]
    if not cells:
        console.print("No positions found.")
        return
    issues = sorted({c["issue"] for c in cells})
    parties = sorted({c["party"] for c in cells}, key=lambda p: names.get(p, p))
    by_cell = {(c["party"], c["issue"]): c for c in cells}
    table = Table(title="Positions: latest stance per party and issue (* = changed over time)")
    table.add_column("party", style="bold")
    for issue in issues:
        table.add_column(issue.replace("_", " "))
    for party in parties:
        row = []
        for issue in issues:
            cell = by_cell.get((party, issue))
            row.append("" if cell is None else cell["stance"].replace("_", " ") + ("*" if cell.get("changed") else ""))
        table.add_row(names.get(party, party), *row)
    console.print(table)
    evidence = Table(title="Evidence", show_lines=True)
    for column in ("party", "issue", "stance", "evidence", "sources"):
        evidence.add_column(column, overflow="fold")
    for party in parties:
        for issue in issues:
            cell = by_cell.get((party, issue))
            if cell:
                evidence.add_row(names.get(party, party), issue, cell["stance"], _short(cell["evidence"], 160),
                                 ", ".join(cell["sources"]))
    console.print(evidence)
