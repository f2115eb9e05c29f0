"""One ``parley fetch`` pass: from sources to new Documents, politely.

1. Each source URL is fetched (conditionally, when an earlier answer is stored) and
   told apart by its content (``discover``): a feed or sitemap gives items, a sitemap
   index gives sitemaps (one level down), a page gives its article.
2. Items are kept when they match the source's keywords, were not read in an earlier
   run and are not listed twice; a feed entry carrying the whole article is used as it
   is; the other items' pages are downloaded and their articles read (``pages``).

Downloads run in a few threads (the client keeps each host's delay and limit); the
store is written from the calling thread only. The threads never hold up the end of the
process: a Ctrl-C ends parley at once, and the answers still under way are dropped.
Every body a document or an item list came from is kept in the store, raw, before it is
used. Nothing here extracts or reconciles: the caller hands the Documents to the
pipeline, with the item URLs to record as read alongside each one.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from parley.fetch.discover import Discovered, Item, NotReadable, discover
from parley.fetch.http import FetchFailed, PoliteClient, Response, RobotsDisallowed
from parley.fetch.pages import NoArticle, entry_document, has_full_article, page_document
from parley.fetch.sources import Source
from parley.records import Document
from parley.store import Store

WORKERS = 8
MAX_CHILD_SITEMAPS = 50
MAX_HOLD_OFF = timedelta(days=30)  # the longest an item that keeps failing is left alone

Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class FetchReport:
    fetched: list[str] = field(default_factory=list)  # URLs a new document was read from
    unchanged: list[str] = field(default_factory=list)  # pages unchanged, items read before
    filtered: list[str] = field(default_factory=list)  # items matching none of the keywords
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (URL, where its text already is)
    robots: list[tuple[str, str]] = field(default_factory=list)  # (URL, why robots.txt keeps parley out)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (URL, reason)
    failed_before: list[tuple[str, str]] = field(default_factory=list)  # (URL, its last failure and when it is asked again)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (URL, what was odd but usable)

    @property
    def skipped(self) -> int:
        return len(self.filtered) + len(self.duplicates) + len(self.robots) + len(self.failed_before)

    def summary(self) -> str:
        before = f", {len(self.failed_before)} failed before" if self.failed_before else ""
        return (f"fetched {len(self.fetched)}, unchanged {len(self.unchanged)}, skipped {self.skipped} "
                f"({len(self.filtered)} filtered, {len(self.duplicates)} duplicate, {len(self.robots)} robots"
                f"{before}), failed {len(self.failed)}")


@dataclass
class Collected:
    documents: list[Document] = field(default_factory=list)
    items_of: dict[str, list[str]] = field(default_factory=dict)  # document id -> item URLs it came from
    report: FetchReport = field(default_factory=FetchReport)


@dataclass
class _Download:
    url: str
    response: Response | None = None
    fresh: bool = True  # False: the stored copy, the server said it is unchanged
    error: FetchFailed | None = None


def hold_off(tries: int, base_seconds: float) -> timedelta:
    """How long an item that failed lastingly ``tries`` times is left alone: ``base_seconds``,
    doubled at each further failure, at most ``MAX_HOLD_OFF``."""
    return min(timedelta(seconds=base_seconds * 2 ** (min(tries, 20) - 1)), MAX_HOLD_OFF)


class _Downloaders:
    """``workers`` daemon threads running submitted calls, each to a Future.

    Not a ``ThreadPoolExecutor``: the interpreter joins its threads before it exits, so a
    Ctrl-C would wait for every answer under way (up to the timeout, times the tries), and
    forever for a thread that the interrupt left stuck on a lock held by the main thread.
    Daemon threads are dropped at exit instead; what they were fetching was not stored yet."""

    def __init__(self, workers: int):
        self.calls: queue.SimpleQueue[tuple[Future, Callable, tuple] | None] = queue.SimpleQueue()
        self.threads = [threading.Thread(target=self._work, name=f"parley-fetch-{n}", daemon=True)
                        for n in range(workers)]
        for thread in self.threads:
            thread.start()

    def submit(self, call: Callable[..., _Download], *args: object) -> Future[_Download]:
        future: Future[_Download] = Future()
        self.calls.put((future, call, args))
        return future

    def _work(self) -> None:
        while (job := self.calls.get()) is not None:
            future, call, args = job
            if not future.set_running_or_notify_cancel():  # cancelled before it started
                continue
            try:
                future.set_result(call(*args))
            except BaseException as err:  # handed to the caller, raised by future.result()
                future.set_exception(err)

    def stop(self, pending: Iterable[Future]) -> None:
        """Cancel the ``pending`` calls not yet started and let every thread end after its
        current call; returns at once."""
        for future in pending:
            future.cancel()
        for _ in self.threads:
            self.calls.put(None)


class Fetcher:
    def __init__(self, store: Store, client: PoliteClient, progress: Progress | None = None,
                 workers: int = WORKERS, now: Callable[[], datetime] | None = None):
        self.store = store
        self.now = now or (lambda: datetime.now(timezone.utc))
        self.client = client
        self.progress = progress
        self.workers = workers
        self.done = 0
        self.total = 0
        self.result = Collected()
        self.sources_of: dict[str, str] = {}  # document id -> the URL it was first read from

    # ------------------------------------------------------------------ downloads

    def _get(self, url: str, cached: dict | None) -> _Download:
        try:
            response = self.client.get(url, *(cached["etag"], cached["last_modified"]) if cached else (None, None))
        except FetchFailed as err:
            return _Download(url, error=err)
        if response.not_modified and cached:
            stored = Response(cached["final_url"], cached["status"], cached["headers"], cached["body"],
                              cached["fetched_at"], url)
            return _Download(url, stored, fresh=False)
        if response.not_modified:  # 304 to a request that was not conditional
            return _Download(url, error=FetchFailed("HTTP 304 to an unconditional request"))
        return _Download(url, response, fresh=not cached or cached["body"] != response.body)

    def _downloads(self, urls: list[str]) -> Iterator[_Download]:
        """Download ``urls`` in a few threads; the results in the order of ``urls``,
        never more than a few held at once."""
        self.total += len(urls)
        cached = {url: self.store.cached_response(url) for url in urls}
        if not urls:
            return
        pool = _Downloaders(min(self.workers, len(urls)))
        pending: deque[Future[_Download]] = deque()
        rest = iter(urls)
        try:
            for url in rest:
                pending.append(pool.submit(self._get, url, cached[url]))
                if len(pending) >= 2 * self.workers:
                    break
            while pending:
                download = pending.popleft().result()
                next_url = next(rest, None)
                if next_url is not None:
                    pending.append(pool.submit(self._get, next_url, cached[next_url]))
                self.done += 1
                if self.progress:
                    self.progress(self.done, self.total)
                yield download
        finally:
            pool.stop(pending)

    def _keep(self, download: _Download) -> None:
        response = download.response
        if download.fresh and response is not None:
            self.store.save_response(download.url, response.url, response.fetched_at, response.status,
                                     response.content_type, response.headers, response.body)

    def _failed(self, download: _Download, item: bool = False) -> bool:
        """Report a failed download; True when it failed. An item's lasting failure is
        remembered, so the next passes leave it alone for a while (``hold_off``)."""
        if isinstance(download.error, RobotsDisallowed):
            self.result.report.robots.append((download.url, str(download.error)))
        elif download.error is not None:
            self._item_failed(download.url, str(download.error), item and download.error.lasting)
        return download.error is not None

    def _item_failed(self, url: str, reason: str, lasting: bool) -> None:
        self.result.report.failed.append((url, reason))
        if lasting:
            self.store.remember_fetch_failure(url, reason, self.now())

    def _held_off(self, url: str) -> bool:
        """Whether ``url`` failed lastingly before and is still left alone (then reported)."""
        failure = self.store.fetch_failure(url)
        if failure is None:
            return False
        reason, tries, last_tried = failure
        again = datetime.fromisoformat(last_tried) + hold_off(tries, self.client.settings.retry_failed_after)
        if self.now() >= again:
            return False
        self.result.report.failed_before.append(
            (url, f"{reason} ({tries} {'time' if tries == 1 else 'times'}; asked again after "
                  f"{again.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC)"))
        return True

    # ------------------------------------------------------------------ documents

    def _add(self, document: Document, url: str, item: bool) -> None:
        report = self.result.report
        if document.id in self.sources_of:
            report.duplicates.append((url, self.sources_of[document.id]))
            if item:
                self.result.items_of[document.id].append(url)
        elif self.store.has_document(document.id):
            if item:
                self.store.remember_items([url], document.id)
                report.duplicates.append((url, self.store.source_of(document.id)))
            else:
                report.unchanged.append(url)
        else:
            self.sources_of[document.id] = document.source
            self.result.documents.append(document)
            self.result.items_of[document.id] = [url] if item else []
            report.fetched.append(url)

    # ------------------------------------------------------------------ the pass

    def run(self, sources: Iterable[Source]) -> Collected:
        """Fetch ``sources`` (a URL listed twice is fetched once, for its first source)."""
        items: list[tuple[Source, Item]] = []
        by_url: dict[str, Source] = {}
        for source in sources:
            by_url.setdefault(source.url, source)
        for download in self._downloads(list(by_url)):
            items += self._source_items(by_url[download.url], download)
        self._items(items)
        return self.result

    def _source_items(self, source: Source, download: _Download) -> list[tuple[Source, Item]]:
        if self._failed(download):
            return []
        response = download.response
        assert response is not None
        try:
            found = discover(response.body, response.url, response.content_type)
        except NotReadable as err:
            self.result.report.failed.append((download.url, str(err)))
            return []
        if found.kind == "page":
            self._source_page(source, download)
            return []
        self._keep(download)
        if found.warning:
            self.result.report.warnings.append((download.url, found.warning))
        if found.kind == "sitemap index":
            return self._child_sitemaps(source, found)
        return [(source, item) for item in found.items]

    def _source_page(self, source: Source, download: _Download) -> None:
        response = download.response
        assert response is not None
        if not download.fresh:
            self.result.report.unchanged.append(download.url)
            return
        try:
            document = page_document(response.body, response.url, source_name=source.name)
        except NoArticle as err:
            self.result.report.failed.append((download.url, str(err)))
            return
        if not source.matches(document.title, document.text):
            self.result.report.filtered.append(download.url)
            return
        self._keep(download)
        self._add(document, download.url, item=False)

    def _child_sitemaps(self, source: Source, index: Discovered) -> list[tuple[Source, Item]]:
        items = []
        urls = [item.url for item in index.items[:MAX_CHILD_SITEMAPS]]
        for download in self._downloads(urls):
            if self._failed(download):
                continue
            try:
                found = discover(download.response.body, download.response.url)
            except NotReadable as err:
                self.result.report.failed.append((download.url, str(err)))
                continue
            if found.kind != "sitemap":
                self.result.report.failed.append((download.url, f"listed as a sitemap, but is a {found.kind}"))
                continue
            self._keep(download)
            items += [(source, item) for item in found.items]
        return items

    def _items(self, items: list[tuple[Source, Item]]) -> None:
        report = self.result.report
        listed: set[str] = set()
        to_download: list[tuple[Source, Item]] = []
        for source, item in items:
            if item.url in listed:
                if not self.store.item_fetched(item.url):
                    report.duplicates.append((item.url, "listed by another source"))
                continue
            listed.add(item.url)
            if not source.matches(item.title, item.summary, item.content, item.url):
                report.filtered.append(item.url)
            elif self.store.item_fetched(item.url):
                report.unchanged.append(item.url)
            elif self._held_off(item.url):
                continue
            elif has_full_article(item):
                try:
                    self._add(entry_document(item, source.name), item.url, item=True)
                except NoArticle as err:
                    report.failed.append((item.url, str(err)))
            else:
                to_download.append((source, item))
        wanted = {item.url: (source, item) for source, item in to_download}
        for download in self._downloads(list(wanted)):
            if self._failed(download, item=True):
                continue
            source, item = wanted[download.url]
            response = download.response
            try:
                document = page_document(response.body, response.url, item, source.name)
            except NoArticle as err:
                self._item_failed(download.url, str(err), lasting=True)
                continue
            self._keep(download)
            self._add(document, item.url, item=True)
