"""The ``parley`` command line: analyze, fetch, watch, export, eval, timeline, positions, checks, brief, ask, serve."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from parley.export import build_export, write_export
from parley.ingest import MAX_FILE_MB, IngestError
from parley.lexicon import Lexicon, load_lexicon
from parley.store import Store, StoreBusy, StoreError, StoreUnreachable, is_postgres_url, location_of, writer_lock

if TYPE_CHECKING:
    from parley.extract.engines import Engine

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Follow a negotiation through the news: who said and did what, from which source.")
console = Console()
errors = Console(stderr=True, soft_wrap=True)

DB_HELP = "Store: an SQLite file, or a PostgreSQL database as postgresql://USER:PASSWORD@HOST:PORT/DBNAME."
DEFAULT_DB = "parley.db"
DbOption = Annotated[str, typer.Option("--db", help=DB_HELP)]
LexiconOption = Annotated[Optional[list[Path]], typer.Option(
    "--lexicon", help="Folder of extra data files (actors.toml, issues.toml, ...) merged over the bundled ones.")]


def fail(message: str) -> None:
    errors.print(f"[red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(2)


def open_store(db: str, must_exist: bool = False, read_only: bool = False) -> Store:
    """The store at ``db``: a file path or a ``postgresql://`` URL. ``must_exist``: a store
    ``parley analyze`` made (a PostgreSQL one is then opened read-only: nothing is created)."""
    if is_postgres_url(db):
        read_only = read_only or must_exist
    elif (must_exist or read_only) and not Path(db).exists():
        fail(f"{db}: no such store (run `parley analyze` first)")
    try:
        return Store(db, read_only=read_only)
    except StoreError as err:
        fail(str(err))
        raise  # unreachable


@app.command()
def analyze(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of articles (.txt .md .html .json .jsonl).")],
    db: DbOption = DEFAULT_DB,
    html: Annotated[Optional[Path], typer.Option(help="Write the HTML briefing here.")] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the export JSON here.")] = None,
    lexicon_dirs: LexiconOption = None,
    no_known_actors: Annotated[bool, typer.Option(help="Ignore the bundled list of known actors.")] = False,
    quiet: Annotated[bool, typer.Option(help="No summary tables.")] = False,
    wait: Annotated[float, typer.Option(
        min=0, help="Seconds to wait while another parley run writes to the same store.")] = 300,
    max_file_mb: Annotated[float, typer.Option(
        "--max-file-mb", help="Skip (and name) files larger than this many megabytes.")] = MAX_FILE_MB,
    workers: Annotated[Optional[int], typer.Option(
        help="Extract in this many processes (local) or Ray actors (ray); 1: in this process. "
             "Default: every core of this machine (local), every CPU of the cluster (ray).")] = None,
    engine: Annotated[str, typer.Option(help="Run the extract stage here (local) or on a Ray cluster (ray).")] = "local",
    ray_address: Annotated[Optional[str], typer.Option(
        help="The Ray cluster to use with --engine ray (auto, HOST:6379 or ray://HOST:10001); "
             "default: a local one started for this run.")] = None,
) -> None:
    """Read articles, extract and reconcile what they say, store it, and brief."""
    from parley.extract.engines import Engine, EngineError

    if not max_file_mb > 0:
        fail(f"--max-file-mb must be more than 0 (got {max_file_mb:g})")
    try:
        runner = Engine(engine, workers, ray_address)
    except EngineError as err:
        fail(str(err))
    lexicon = load_lexicon(tuple(lexicon_dirs or ()), not no_known_actors)
    try:
        with writer_lock(db, wait, on_wait=lambda: errors.print(
                f"waiting for another parley run writing to {escape(location_of(db))} (up to {wait:g}s)", highlight=False)):
            _analyze(paths, db, html, json_out, lexicon, quiet, max_file_mb, runner)
    except (StoreError, EngineError) as err:  # busy, the PostgreSQL server or a Ray cluster out of reach
        fail(str(err))


def _analyze(paths: list[Path], db: str, html: Path | None, json_out: Path | None, lexicon: Lexicon,
             quiet: bool, max_file_mb: float, engine: Engine) -> None:
    """``parley analyze`` once it holds the store's writer lock."""
    from parley.pipeline import analyze as run
    from parley.present.terminal import print_summary

    store = open_store(db)
    with Progress(TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=errors, transient=True) as bar:
        task = bar.add_task("extract", total=None)
        try:
            report = run(paths, store, lexicon, max_file_mb=max_file_mb, engine=engine,
                         progress=lambda done, total: bar.update(task, completed=done, total=total))
        except IngestError as err:
            fail(str(err))
        except KeyboardInterrupt:
            errors.print("interrupted: documents extracted so far are stored; run again to finish.")
            raise typer.Exit(130)
    for problem in report.problems:
        errors.print(f"[yellow]skipped[/] {escape(problem)}", highlight=False)
    for source, original in report.duplicates:
        errors.print(f"[dim]duplicate[/] {escape(f'{source}: same text as {original}, stored once')}", highlight=False)
    export = build_export(store)
    if not quiet:
        print_summary(export, console)
    if html:
        from parley.present.html import write_briefing
        from parley.present.views import load_source
        write_briefing(load_source(store), html)
    if json_out:
        write_export(store, json_out)
    unchanged = report.files_unchanged
    console.print(Text(
        f"{len(report.added)} new documents, {len(report.reextracted)} re-extracted, "
        f"{unchanged} unchanged files, {len(report.duplicates)} duplicates, {len(report.problems)} problems "
        f"in {sum(report.seconds.values()):.1f}s -> {store.location}"
        + (f", {html}" if html else "") + (f", {json_out}" if json_out else "")))


FetchSourcesOption = Annotated[Optional[Path], typer.Option(
    "--sources", help="A sources file (sources.toml: feeds, sitemaps and pages, with names and keywords).")]
AllowPrivateOption = Annotated[bool, typer.Option(
    "--allow-private", help="Also fetch from private, loopback and link-local addresses.")]
DelayOption = Annotated[float, typer.Option("--delay", min=0, help="Seconds between two requests to one host.")]
TimeoutOption = Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds to connect and between two reads.")]
MaxMbOption = Annotated[float, typer.Option("--max-mb", help="Refuse answers larger than this many megabytes.")]
RetriesOption = Annotated[int, typer.Option(
    "--retries", min=0, max=10, help="Tries again after a timeout or a 5xx, waiting 1s, 2s, 4s...")]
FetchWorkersOption = Annotated[Optional[int], typer.Option(
    "--workers", min=1, help="Extract the new articles in this many processes (default: every core).")]
RetryFailedOption = Annotated[str, typer.Option(
    "--retry-failed-after", help="Leave an item that failed lastingly (a 4xx, not a page, too large) alone this long "
                                 "before asking again (doubled at each further failure): 90s, 30m, 24h, 0 = every time.")]
WaitOption = Annotated[float, typer.Option(
    min=0, help="Seconds to wait while another parley run writes to the same store.")]


def _fetch_plan(urls: list[str] | None, sources_file: Path | None, delay: float, timeout: float,
                max_mb: float, retries: int, allow_private: bool, retry_failed_after: str):
    """The sources and settings of ``fetch`` and ``watch`` (a usage error ends the command)."""
    from parley.fetch.http import Settings
    from parley.fetch.sources import Source, SourcesError, check_source_url, load_sources

    if not max_mb > 0:
        fail(f"--max-mb must be more than 0 (got {max_mb:g})")
    try:
        hold_off = parse_every(retry_failed_after, zero=True)
    except typer.BadParameter as err:
        fail(f"--retry-failed-after: {err}")
    try:
        sources = [Source(check_source_url(url, "argument")) for url in urls or ()]
        if sources_file is not None:
            sources += load_sources(sources_file)
    except SourcesError as err:
        fail(str(err))
    if not sources:
        fail("give URLs to fetch or --sources FILE")
    settings = Settings(delay=delay, timeout=timeout, max_bytes=int(max_mb * 1_000_000), retries=retries,
                        allow_private=allow_private, retry_failed_after=hold_off)
    return sources, settings


def _fetch_once(sources, settings, db: str, lexicon: Lexicon, wait: float, workers: int | None,
                again_later: bool = False) -> None:
    """One fetch pass under the store's writer lock: lines for what went wrong, one summary line.
    A store that cannot be reached or stays busy ends the command, unless ``again_later`` (a
    watch that has run before): then the pass says so in one line and the next pass tries again
    (what was stored stays; a PostgreSQL server rolls back what was not committed)."""
    import time

    from parley.extract.engines import Engine
    from parley.pipeline import fetch as run

    started = time.perf_counter()
    try:
        with writer_lock(db, wait, on_wait=lambda: errors.print(
                f"waiting for another parley run writing to {escape(location_of(db))} (up to {wait:g}s)", highlight=False)):
            store = open_store(db)
            try:
                with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                              console=errors, transient=True) as bar:
                    downloads = bar.add_task("fetching", total=None)
                    extracting = bar.add_task("extracting", total=None, visible=False)
                    fetched, report = run(
                        sources, store, lexicon, settings, engine=Engine(workers=workers),
                        fetch_progress=lambda done, total: bar.update(downloads, completed=done, total=total),
                        extract_progress=lambda done, total: bar.update(extracting, completed=done, total=total,
                                                                         visible=True))
            finally:
                store.close()
    except StoreError as err:  # busy, or the PostgreSQL server cannot be reached
        if again_later and isinstance(err, (StoreBusy, StoreUnreachable)):
            errors.print(f"[red]error:[/] {escape(str(err))}; trying again at the next pass", highlight=False)
            return
        fail(str(err))
    for url, reason in fetched.failed:
        errors.print(Text.assemble(("failed ", "red"), f"{url}: {reason}"), highlight=False, soft_wrap=True)
    for url, reason in fetched.robots:
        errors.print(Text.assemble(("skipped ", "yellow"), f"{url}: {reason}"), soft_wrap=True)
    for url, reason in fetched.failed_before:
        errors.print(Text.assemble(("held off ", "dim"), f"{url}: failed before: {reason}"), soft_wrap=True)
    for url, where in fetched.duplicates:
        errors.print(Text.assemble(("duplicate ", "dim"), f"{url}: same text as {where}"
                                   if where.startswith("http") else f"{url}: {where}"), soft_wrap=True)
    for url in fetched.filtered:
        errors.print(Text.assemble(("filtered ", "dim"), f"{url}: names none of the keywords"), soft_wrap=True)
    for url, warning in fetched.warnings:
        errors.print(Text.assemble(("warning ", "yellow"), f"{url}: {warning}"), soft_wrap=True)
    stages = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in report.seconds.items())
    console.print(Text(f"{fetched.summary()}; {len(report.added)} new documents, "
                       f"{len(report.reextracted)} re-extracted in {time.perf_counter() - started:.1f}s "
                       f"({stages}) -> {location_of(db)}"), soft_wrap=True)


@app.command()
def fetch(
    urls: Annotated[Optional[list[str]], typer.Argument(
        help="Feeds (RSS, Atom), sitemaps or pages, told apart by their content.")] = None,
    sources_file: FetchSourcesOption = None,
    db: DbOption = DEFAULT_DB,
    allow_private: AllowPrivateOption = False,
    delay: DelayOption = 1.0,
    timeout: TimeoutOption = 20.0,
    max_mb: MaxMbOption = 10.0,
    retries: RetriesOption = 2,
    retry_failed_after: RetryFailedOption = "24h",
    workers: FetchWorkersOption = None,
    lexicon_dirs: LexiconOption = None,
    wait: WaitOption = 300,
) -> None:
    """Fetch what is new in feeds, sitemaps and pages, politely, and analyze it into the store."""
    sources, settings = _fetch_plan(urls, sources_file, delay, timeout, max_mb, retries, allow_private,
                                    retry_failed_after)
    lexicon = load_lexicon(tuple(lexicon_dirs or ()))
    try:
        _fetch_once(sources, settings, db, lexicon, wait, workers)
    except KeyboardInterrupt:
        errors.print("interrupted: what was stored is kept and whole; run again to finish.")
        raise typer.Exit(130)


def parse_every(value: str, zero: bool = False) -> float:
    """Seconds in "90s", "30m", "2h", "7d" (a bare number is minutes); 0 only when ``zero``."""
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value.lower())
    if not match or float(match[1]) < 0 or (float(match[1]) == 0 and not zero):
        raise typer.BadParameter(f"'{value}' is not a duration such as 90s, 30m or 2h")
    return float(match[1]) * {"s": 1, "m": 60, "": 60, "h": 3600, "d": 86400}[match[2]]


@app.command()
def watch(
    urls: Annotated[Optional[list[str]], typer.Argument(help="Feeds, sitemaps or pages (besides --sources).")] = None,
    sources_file: FetchSourcesOption = None,
    db: DbOption = DEFAULT_DB,
    every: Annotated[str, typer.Option("--every", help="Time between passes: 90s, 30m, 2h.")] = "30m",
    allow_private: AllowPrivateOption = False,
    delay: DelayOption = 1.0,
    timeout: TimeoutOption = 20.0,
    max_mb: MaxMbOption = 10.0,
    retries: RetriesOption = 2,
    retry_failed_after: RetryFailedOption = "24h",
    workers: FetchWorkersOption = None,
    lexicon_dirs: LexiconOption = None,
    wait: WaitOption = 300,
) -> None:
    """Fetch on a schedule until stopped (Ctrl-C): each pass is a `parley fetch`."""
    import itertools
    import time
    from datetime import datetime

    try:
        seconds = parse_every(every)
    except typer.BadParameter as err:
        fail(f"--every: {err}")
    sources, settings = _fetch_plan(urls, sources_file, delay, timeout, max_mb, retries, allow_private,
                                    retry_failed_after)
    lexicon = load_lexicon(tuple(lexicon_dirs or ()))
    try:
        for passes in itertools.count():
            started = time.monotonic()
            console.print(Text(f"{datetime.now():%Y-%m-%d %H:%M:%S} fetching {len(sources)} "
                               f"source{'' if len(sources) == 1 else 's'}"), style="dim")
            try:
                # a store out of reach on the first pass is a mistake to fix; later, an outage to outlast
                _fetch_once(sources, settings, db, lexicon, wait, workers, again_later=passes > 0)
            except KeyboardInterrupt:
                errors.print("interrupted: what was stored is kept and whole; run again to finish.")
                raise typer.Exit(130)
            time.sleep(max(0.0, seconds - (time.monotonic() - started)))
    except KeyboardInterrupt:
        errors.print("stopped watching.")


@app.command()
def export(
    db: DbOption = DEFAULT_DB,
    fmt: Annotated[str, typer.Option("--format", help="Export format (json).")] = "json",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
) -> None:
    """Write everything stored as one JSON object (format parley/1)."""
    if fmt != "json":
        fail(f"unknown format '{fmt}' (known: json)")
    store = open_store(db, must_exist=True)
    if output:
        write_export(store, output)
    else:
        typer.echo(json.dumps(build_export(store), ensure_ascii=False, indent=1))


@app.command(name="eval")
def evaluate(
    gold: Annotated[Optional[list[Path]], typer.Argument(
        help="Gold files or folders (corpus.json is the corpus gold); open or sealed.")] = None,
    db: Annotated[Optional[str], typer.Option("--db", help=f"Store to score. {DB_HELP}")] = None,
    export_file: Annotated[Optional[Path], typer.Option("--export", help="Export JSON to score instead of a store.")] = None,
    meantime: Annotated[Optional[Path], typer.Option(
        "--meantime", help="Score date values and person discovery on the MEANTIME corpus in this folder "
                           "(runs the extract stage on it; needs no store).")] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the scores as JSON here.")] = None,
) -> None:
    """Score the extraction against hand-made gold annotations."""
    from parley.evaluate import GoldError, load_gold, render, score

    if meantime is not None:
        from parley.evaluate.meantime import evaluate_meantime
        from parley.evaluate.report import render_meantime

        try:
            scores = evaluate_meantime(meantime, load_lexicon())
        except GoldError as err:
            fail(str(err))
        render_meantime(scores, console)
    else:
        if not gold:
            fail("give gold files or folders to score against (or --meantime DIR)")
        if export_file:
            try:
                data = json.loads(export_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                fail(f"{export_file}: cannot read export ({err})")
        else:
            data = build_export(open_store(db or DEFAULT_DB, must_exist=True))
        try:
            gold_set = load_gold(gold)
        except GoldError as err:
            fail(str(err))
        scores = score(data, gold_set)
        render(scores, console)
    if json_out:
        json_out.write_text(json.dumps(scores, indent=1, ensure_ascii=False), encoding="utf-8")


@app.command()
def timeline(db: DbOption = DEFAULT_DB) -> None:
    """Events in order, each with the documents that report it."""
    from parley.present.terminal import print_timeline

    print_timeline(build_export(open_store(db, must_exist=True)), console)


@app.command()
def positions(db: DbOption = DEFAULT_DB) -> None:
    """Each party's latest stance on each issue, with its evidence."""
    from parley.present.terminal import print_positions

    print_positions(build_export(open_store(db, must_exist=True)), console)


@app.command()
def checks(db: DbOption = DEFAULT_DB) -> None:
    """Source checks: corroborated and single-source claims, conflicts, framing."""
    from parley.present.terminal import print_checks

    print_checks(build_export(open_store(db, must_exist=True)), console)


@app.command()
def brief(
    since: Annotated[str, typer.Option(
        "--since", help="A duration back from now (90m, 24h, 7d, 2w), a date (2026-01-20) or an ISO date and time.")],
    db: DbOption = DEFAULT_DB,
    html: Annotated[Optional[Path], typer.Option(help="Write the briefing of changes as one HTML file here.")] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the changes as JSON here.")] = None,
    lexicon_dirs: LexiconOption = None,
) -> None:
    """What changed since then: new events and status changes, position changes, new conflicts and
    corroborations, new quotations by the parties' principals and new figures, every item cited."""
    from datetime import datetime, timezone

    from parley.atomic_write import write_text_atomically
    from parley.present.changes import SinceError, compute_changes, parse_since
    from parley.present.terminal import print_changes
    from parley.present.views import load_source

    now = datetime.now(timezone.utc)
    try:
        moment = parse_since(since, now)
    except SinceError as err:
        fail(str(err))
    source = load_source(open_store(db, read_only=True))
    changes = compute_changes(source, moment, now=now, lexicon=load_lexicon(tuple(lexicon_dirs or ())))
    print_changes(changes, console)
    if html:
        from parley.present.html import write_briefing
        write_briefing(source, html, changes=changes)
    if json_out:
        write_text_atomically(json_out, json.dumps(changes.to_dict(), ensure_ascii=False, indent=1))


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question, in plain words.")],
    db: DbOption = DEFAULT_DB,
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many answers.")] = 5,
    no_rerank: Annotated[bool, typer.Option(
        "--no-rerank", help="Rank by shared words (BM25) only: no sentence model, faster.")] = False,
) -> None:
    """Answer a question with sentences quoted from the articles, each with its source."""

    from parley.search import QueryError, SearchIndex, check_query

    try:
        check_query(question)
    except QueryError as err:
        fail(str(err))
    store = open_store(db, read_only=True)
    index = SearchIndex.from_store(store, rerank=not no_rerank)
    answers = index.ask(question, k=k)
    if not answers:
        console.print("No sentence in the stored articles matches that question.", highlight=False)
        return
    for number, answer in enumerate(answers, start=1):
        console.print(Text(f"{number}. {' '.join(answer.text.split())}"))
        citation = ", ".join(part for part in (answer.outlet, answer.published, answer.source) if part)
        if answer.also_in:
            citation += f" (also in: {', '.join(answer.also_in)})"
        console.print(Text(f"   — {citation}", style="dim"), soft_wrap=True)


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to listen on (only this machine by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    public: Annotated[bool, typer.Option(
        "--public", help="Allow a --host other machines can reach (0.0.0.0, a LAN address...).")] = False,
    token: Annotated[Optional[str], typer.Option(
        envvar="PARLEY_TOKEN", show_envvar=True,
        help="Access token (at least 16 characters) every request must carry: "
             "'Authorization: Bearer TOKEN', or open a page once with ?token=TOKEN.")] = None,
    time_limit: Annotated[float, typer.Option(
        min=1, max=3600, help="Seconds after which a request still running is answered 503.")] = 30.0,
    lexicon_dirs: LexiconOption = None,
) -> None:
    """Open the briefing in the browser: a read-only web app over the store."""
    import uvicorn

    from parley.present.web import MIN_TOKEN_CHARS, create_app, is_loopback

    if not is_loopback(host) and not public:
        fail(f"refusing to listen on {host}: other machines could read the briefing; "
             "add --public to allow it (and --token to require an access token)")
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        fail(f"--token must have at least {MIN_TOKEN_CHARS} characters "
             "(e.g. python -c 'import secrets; print(secrets.token_urlsafe())')")
    try:
        application = create_app(db, token=token, time_limit=time_limit,
                                 lexicon=load_lexicon(tuple(lexicon_dirs or ())))  # a missing or foreign file is a StoreError
    except StoreError as err:
        fail(str(err))
    if not is_loopback(host):
        errors.print(f"[yellow]warning:[/] listening on {escape(host)} (--public): anyone who can reach this machine "
                     + ("and has the token " if token else "") + "can read the briefing; "
                     + ("" if token else "consider --token. ") + "The traffic is not encrypted.",
                     highlight=False)
    # read the store and load the sentence model (ask and search re-rank with it) before serving,
    # so the first page and the first question are as quick as the next ones
    errors.print("reading the store and loading the sentence model...", highlight=False)
    snapshot = application.state.snapshot.current()
    if snapshot.index is not None and snapshot.index.embed is not None:
        snapshot.index.embed(["warming up"])
    console.print(Text(f"parley: serving {application.state.snapshot.location} (read-only) at http://{host}:{port}/"
                       + ("  (access token required)" if token else "") + "  (Ctrl-C to stop)"))
    uvicorn.run(application, host=host, port=port, log_level="warning", server_header=False,
                limit_concurrency=64, h11_max_incomplete_event_size=16 * 1024)


def main() -> None:
    """The ``parley`` command. A store that fails in the middle of any command (a PostgreSQL
    server restarted or out of reach) is one line, never a traceback; what was committed stays."""
    try:
        app()
    except StoreError as err:
        errors.print(f"[red]error:[/] {escape(str(err))}", highlight=False)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
