"""Terminal views (rich), drawn from the export object so every view shows what export shows.

Every string that comes from the articles (names, sources, quotes, evidence) goes in as rich
``Text`` or escaped, never as markup: a file named "notes[/b].txt" or an outlet "[bold]"
is shown as written."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.markup import escape
from rich.text import Text

from parley.present.views import evolution_label, name_forms, speaker_label


def _names(export: dict[str, Any]) -> dict[str, str]:
    return {a["id"]: a["name"] for a in export["actors"]}


def _short(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_summary(export: dict[str, Any], console: Console, limit: int = 12) -> None:
    docs = export["documents"]
    names = _names(export)
    forms = name_forms(export)
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
        source = Text.assemble(d["source"], (" (copy)", "dim") if d.get("duplicate_of") else "")
        table.add_row(source, Text(d.get("outlet") or ""), d.get("published") or "", str(d["words"]),
                      *(str(counts[k]) for k in ("quotes", "figures", "events", "positions")))
    console.print(table)

    table = Table(title=f"Actors (top {limit} by mentions)")
    for column in ("actor", "kind", "role", "affiliation", "documents", "mentions"):
        table.add_column(column)
    for a in export["actors"][:limit]:
        table.add_row(Text(a["name"]), a["kind"], Text(_short(a.get("role"), 40)),
                      Text(names.get(a.get("affiliation") or "", a.get("affiliation") or "")),
                      str(len(a["documents"])), str(a["mentions"]))
    console.print(table)

    table = Table(title=f"Quotes ({len(export['quotes'])})")
    for column in ("speaker", "quote", "document"):
        table.add_column(column, overflow="fold")
    for q in export["quotes"][:limit]:
        table.add_row(Text(speaker_label(q, names, forms)), Text(f"“{_short(q['text'], 90)}”"), Text(q["document"]))
    console.print(table)

    table = Table(title=f"Figures ({len(export['figures'])})")
    for column in ("as written", "value", "unit", "about", "document"):
        table.add_column(column)
    for f in export["figures"][:limit]:
        value = f"{f['value']:,.0f}" if float(f["value"]).is_integer() else f"{f['value']:,}"
        table.add_row(Text(f["text"]), value, Text(f["unit"]), Text(_short(f.get("about"), 40)), Text(f["document"]))
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
        participants = Text(", ".join(names.get(p, p) for p in entry["participants"]))
        reports = Text("\n".join(f"{r['document']}: {_short(r['evidence'], 110)}" for r in entry["reports"]))
        table.add_row(Text.assemble(f"{day}\n", (when.get("text") or "", "dim")), label, participants,
                      entry.get("status") or "", reports)
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
        table.add_row(Text(names.get(party, party)), *row)
    console.print(table)
    evidence = Table(title="Evidence", show_lines=True)
    for column in ("party", "issue", "stance", "evidence", "sources"):
        evidence.add_column(column, overflow="fold")
    for party in parties:
        for issue in issues:
            cell = by_cell.get((party, issue))
            if cell:
                evidence.add_row(Text(names.get(party, party)), issue, cell["stance"],
                                 Text(_short(cell["evidence"], 160)), Text(", ".join(cell["sources"])))
    console.print(evidence)


# --------------------------------------------------------------------------- source checks


def quote_flags(export: dict[str, Any]) -> dict[int, str]:
    """Index of each quote to treat with care -> its flag ("unnamed" or "single source"),
    as the reconcile stage set it."""
    return {i: q["care"] for i, q in enumerate(export["quotes"]) if q.get("care")}


def print_checks(export: dict[str, Any], console: Console, limit: int = 25) -> None:
    """Source checks: corroborated and single-source claims, quotes to treat with care,
    conflicts side by side, and framing per document and per outlet over time."""
    names = _names(export)
    forms = name_forms(export)
    claims = export.get("claims", [])
    corroborated = [c for c in claims if c["sources"] > 1]
    console.rule(f"[bold]Source checks[/]: {len(corroborated)} corroborated claims, "
                 f"{len(claims) - len(corroborated)} single-source, {len(export.get('conflicts', []))} conflicts")
    table = Table(title=f"Claims reported by several independent sources (top {limit})", show_lines=True)
    for column in ("sources", "claim", "documents"):
        table.add_column(column, overflow="fold")
    for c in corroborated[:limit]:
        table.add_row(str(c["sources"]), Text(_short(c["statement"], 160)), Text("\n".join(c["documents"])))
    console.print(table if corroborated else "No claim is reported by more than one independent source.")

    flags = quote_flags(export)
    table = Table(title=f"Quotes to treat with care ({len(flags)} of {len(export['quotes'])})")
    for column in ("flag", "speaker", "quote", "document"):
        table.add_column(column, overflow="fold")
    for i, flag in sorted(flags.items(), key=lambda item: (item[1], item[0]))[:limit]:
        q = export["quotes"][i]
        table.add_row(flag, Text(speaker_label(q, names, forms)), Text(f"“{_short(q['text'], 90)}”"), Text(q["document"]))
    console.print(table)

    conflicts = export.get("conflicts", [])
    table = Table(title=f"Conflicts ({len(conflicts)})", show_lines=True)
    for column in ("kind", "about", "values", "judgment"):
        table.add_column(column, overflow="fold")
    for c in conflicts:
        values = "\n".join(f"{escape(_short(str(v['value']), 70))} [dim]— {escape(v['document'])}"
                           f" ({v.get('published') or 'undated'})[/]" for v in c["values"][:limit // 4])
        if len(c["values"]) > limit // 4:
            values += f"\n[dim]… {len(c['values']) - limit // 4} more[/]"
        table.add_row(c["kind"], Text(c["about"]), values,
                      f"{evolution_label(c)}\n[dim]{escape(c.get('note') or '')}[/]")
    console.print(table if conflicts else "No conflicts found.")

    published = {d["source"]: d.get("published") for d in export["documents"]}
    table = Table(title="Framing of the talks' prospects, per document")
    for column in ("document", "published", "label", "score", "strongest cue"):
        table.add_column(column, overflow="fold")
    for f in sorted(export.get("framing", []), key=lambda f: (published.get(f["document"]) or "", f["document"])):
        style = {"optimistic": "green", "pessimistic": "red"}.get(f["label"], "")
        table.add_row(Text(f["document"]), published.get(f["document"]) or "", Text(f["label"], style=style),
                      f"{f['score']:+.2f}", Text(_short(f["cues"][0], 100) if f.get("cues") else ""))
    console.print(table)
    outlets = export.get("framing_by_outlet", [])
    if outlets:
        table = Table(title="Framing per outlet over time (oldest first)")
        for column in ("outlet", "mean", "over time"):
            table.add_column(column, overflow="fold")
        for row in outlets:
            line = "  ".join(f"{p.get('published') or 'undated'} {p['label'][:3]} {p['score']:+.2f}"
                             for p in row["documents"])
            table.add_row(Text(row["outlet"]), f"{row['mean_score']:+.2f}", line)
        console.print(table)


# --------------------------------------------------------------------------- what changed

CHANGE_SECTIONS = (("events", "Events"), ("positions", "Positions"), ("conflicts", "Conflicts"),
                   ("corroborations", "Corroborations"), ("quotes", "Quotations by the parties' principals"),
                   ("figures", "Figures on the table"))


def citation_line(cite: dict[str, Any]) -> str:
    """Where a sentence comes from: outlet, published date, document."""
    return ", ".join(part for part in (cite.get("outlet"), cite.get("published") or "undated", cite["document"]) if part)


def _print_cite(console: Console, cite: dict[str, Any] | None, label: str = "") -> None:
    if not cite:
        return
    line = Text(f"    {label}" if label else "    ", style="bold" if label else "")
    line.append(f"“{_short(cite['evidence'], 220)}”")
    line.append(f" — {citation_line(cite)}", style="dim")
    console.print(line, soft_wrap=True)


def print_changes(changes: Any, console: Console) -> None:
    """``parley brief``: what the documents stored since a moment added and changed, each
    item with the sentences it rests on."""
    if changes.empty:
        console.print(Text(f"Nothing changed since {changes.since}: no document was stored after it."))
        return
    console.rule(Text(f"What changed since {changes.since}: {len(changes.documents)} new document"
                      f"{'s' if len(changes.documents) != 1 else ''}", style="bold"))
    for d in changes.documents:
        console.print(Text(f"  {d.get('title') or d['source']}", style="bold").append(
            f" — {citation_line({'outlet': d.get('outlet'), 'published': d.get('published'), 'document': d['source']})}",
            style="dim"), soft_wrap=True)
    for kind, heading in CHANGE_SECTIONS:
        items = getattr(changes, kind)
        if not items:
            continue
        console.print()
        console.print(Text(f"{heading} ({len(items)})", style="bold underline"))
        for item in items:
            console.print(Text(f"  • {item['title']}"), soft_wrap=True)
            if kind == "conflicts":
                for side in item["sides"]:
                    _print_cite(console, side["cite"], f"{'new' if side['new'] else 'earlier'}: {side['value']}  ")
                if item.get("note"):
                    console.print(Text(f"    {item['note']}", style="dim"), soft_wrap=True)
            elif kind == "corroborations":
                for cite in item["before"]:
                    _print_cite(console, cite, "earlier: ")
                for cite in item["after"]:
                    _print_cite(console, cite, "new: ")
            elif item.get("before"):
                _print_cite(console, item["before"]["cite"], "before: ")
                _print_cite(console, item["after"]["cite"], "after: ")
            else:
                _print_cite(console, item["cite"])
    if changes.other_quotes:
        console.print(Text(f"\n{changes.other_quotes} other quotation{'s' if changes.other_quotes != 1 else ''} "
                           "in the new documents (speakers who do not speak for a party, or unnamed).", style="dim"))
