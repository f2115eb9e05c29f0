"""``parley eval``'s table of scores."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

_KIND_TITLES = {"quotes": "Quotes", "figures": "Figures", "persons": "Persons", "events": "Events", "positions": "Positions"}
_ACCURACY_TITLES = {"speaker_accuracy": "Speaker", "about_accuracy": "About", "stance_accuracy": "Stance"}


def _percent(value: float | None) -> str:
    """A 0..1 figure as a whole percentage, "-" when undefined."""
    return "-" if value is None else f"{round(value * 100)}"


def render(scores: dict, console: Console) -> None:
    """Print the scores: one table (documents + overall, figures in %), then the corpus figures."""
    table = Table(title="parley eval (%)", header_style="bold", box=box.SIMPLE_HEAD)
    table.add_column("Document", overflow="fold", min_width=12)
    for title in _KIND_TITLES.values():
        table.add_column(f"{title}\n  P   R  F1", justify="right", no_wrap=True)
    for title in _ACCURACY_TITLES.values():
        table.add_column(f"{title}\nacc.", justify="right")
    rows = list(scores.get("documents", {}).items())
    for number, (name, metrics) in enumerate([*rows, ("overall", scores.get("overall", {}))]):
        label = f"[bold]{name}[/bold]" if name == "overall" else name
        table.add_row(label, *_row_cells(metrics), end_section=number == len(rows) - 1)
    console.print(table)
    if scores.get("corpus"):
        console.print(_corpus_table(scores["corpus"]))


def _row_cells(metrics: dict) -> list[str]:
    cells = []
    for kind in _KIND_TITLES:
        counts = metrics.get(kind) or {}
        cells.append(" ".join(f"{_percent(counts.get(key)):>3}" for key in ("precision", "recall", "f1")))
    for name in _ACCURACY_TITLES:
        cells.append(_percent((metrics.get(name) or {}).get("accuracy")))
    return cells


def _share(value: float | None, part: int, whole: int) -> str:
    return f"{_percent(value)}% ({part}/{whole})" if value is not None else f"- ({part}/{whole})"


def _corpus_table(corpus: dict) -> Table:
    table = Table(title="corpus", header_style="bold", box=box.SIMPLE_HEAD)
    table.add_column("Figure")
    table.add_column("Value", justify="right")
    same, claims = corpus["same_actor"], corpus["claims"]
    conflicts, framing = corpus["conflicts"], corpus["framing"]
    table.add_row("same actor: groups resolved", _share(same["share"], same["resolved"], same["groups"]))
    table.add_row("same actor: bad merges", str(same["bad_merges"]))
    table.add_row("claims recall", _share(claims["recall"], claims["found"], claims["total"]))
    table.add_row("conflicts recall", _share(conflicts["recall"], conflicts["found"], conflicts["total"]))
    table.add_row(
        "conflicts evolution accuracy",
        _share(conflicts["evolution_accuracy"], conflicts["evolution_right"], conflicts["found"]),
    )
    table.add_row("framing accuracy", _share(framing["accuracy"], framing["right"], framing["total"]))
    return table


def render_meantime(scores: dict, console: Console) -> None:
    """Print the MEANTIME figures: dates found and their values, persons found."""
    dates, persons = scores["dates"], scores["persons"]
    table = Table(title=f"MEANTIME ({scores['documents']} articles)", header_style="bold", box=box.SIMPLE_HEAD)
    table.add_column("Figure")
    table.add_column("Value", justify="right")
    table.add_row("dates found (gold DATE expressions overlapped)",
                  _share(dates["found_share"], dates["found"], dates["gold"]))
    table.add_row("date expressions that are gold times (precision)",
                  _share(dates["precision"], dates["predicted"] - dates["spurious"], dates["predicted"]))
    table.add_row("date value right, of found calendar dates",
                  _share(dates["value_accuracy"], dates["value_right"], dates["calendar_found"]))
    table.add_row("date value right, of all calendar dates",
                  _share(dates["value_recall"], dates["value_right"], dates["calendar"]))
    table.add_row("persons recall", _share(persons["recall"], persons["tp"], persons["tp"] + persons["fn"]))
    table.add_row("persons precision", _share(persons["precision"], persons["tp"], persons["tp"] + persons["fp"]))
    table.add_row("persons F1", _percent(persons["f1"]))
    console.print(table)
