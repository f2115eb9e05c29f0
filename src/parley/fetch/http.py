"""The polite HTTP client of ``parley fetch``.

Every request names parley and its version in its User-Agent, asks robots.txt first,
waits its turn on its host (a delay between two requests to one host and a limit on
requests at once), and is checked before it is sent: http or https only, and a host
that resolves to a public address (``addresses.check_url``), at every redirect hop; the
address the connection reached is checked again before the answer is read (a name can
resolve differently the second time).
Answers are read under limits: a body over ``max_bytes`` (counted after gzip/deflate
decompression, so a compression bomb is stopped early) or of a type that is neither a
page nor a feed is refused; redirects are followed by hand up to ``max_redirects``.
Timeouts, dropped connections, 5xx answers and "too many requests" (429) are tried again
with exponential backoff; any other 4xx answer is final. A 429 or 503 that says how long to
wait (Retry-After, in seconds or as a date) holds back every request to its host until then:
the request is tried again after that wait when it is no longer than ``max_wait``, and
otherwise the host is left for a later pass (its other requests in this pass are not sent).
A conditional GET (ETag / Last-Modified) lets an unchanged feed cost a 304.
"""

from __future__ import annotations

import json
import math
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from parley.fetch.addresses import AddressRefused, check_peer, check_url

try:
    PARLEY_VERSION = version("parley")
except PackageNotFoundError:  # running from a source tree that was never installed
    PARLEY_VERSION = "0.1.0"

USER_AGENT = f"parley/{PARLEY_VERSION} (+https://github.com/parley; news analysis for one reader)"
ROBOTS_AGENT = "parley"  # the name robots.txt rules address
REDIRECTS = {301, 302, 303, 307, 308}
TRANSIENT_4XX = {408, 425}  # timeout, too early: may pass on the next pass (a 429 is tried again at once)
SAYS_WHEN = {429, 503}  # answers whose Retry-After parley honours
MAX_CRAWL_DELAY = 60.0  # seconds: a robots.txt Crawl-delay above this is taken as this
CHUNK = 64 * 1024


@dataclass
class Settings:
    """How politely and how cautiously to fetch."""

    delay: float = 1.0  # seconds between the starts of two requests to one host
    per_host: int = 2  # requests at once to one host
    timeout: float = 20.0  # seconds to connect, and between two reads
    max_bytes: int = 10_000_000  # largest body read (decompressed)
    retries: int = 2  # further tries after a timeout, a dropped connection, a 5xx or a 429
    backoff: float = 1.0  # seconds before the first retry; doubled each time
    max_redirects: int = 5
    max_wait: float = 120.0  # longest Retry-After waited for within a pass; a longer one leaves the host
                             # for a later pass
    allow_private: bool = False  # contact hosts on private, loopback or link-local addresses
    retry_failed_after: float = 86_400.0  # seconds before an item that failed lastingly is asked
                                          # again (doubled at each further failure, at most 30 days)
    user_agent: str = USER_AGENT


@dataclass
class Response:
    url: str  # after redirects
    status: int  # 200, or 304 (not modified: no body)
    headers: dict[str, str]
    body: bytes
    fetched_at: str  # UTC, ISO 8601
    requested: str = ""  # the URL asked for

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def headers_json(self) -> str:
        return json.dumps(self.headers, sort_keys=True)


class FetchFailed(Exception):
    """A URL that could not be fetched, and why (one line). ``lasting``: the same request
    will fail the same way for a while (a 4xx, not a page, too large, a redirect loop), so
    a watch need not ask again at every pass; timeouts and 5xx are not lasting."""

    def __init__(self, reason: str, lasting: bool = False):
        super().__init__(reason)
        self.lasting = lasting


class HttpStatus(FetchFailed):
    """The server answered with an error status (4xx: final)."""

    def __init__(self, status: int, reason: str):
        super().__init__(f"HTTP {status} {reason}".strip(), lasting=status not in TRANSIENT_4XX)
        self.status = status


class RobotsDisallowed(FetchFailed):
    """robots.txt asks parley not to fetch this URL."""


class _TryAgain(Exception):
    """A failure worth another try (timeout, dropped connection, 5xx, 429). ``waited``: the
    host's gate already holds the next try back (a Retry-After), so no backoff is added."""

    def __init__(self, reason: str, waited: bool = False):
        super().__init__(reason)
        self.waited = waited


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """The seconds a Retry-After header asks to wait: a number of seconds, or an HTTP date
    (RFC 9110 10.2.3); None when absent or unreadable. A date in the past is 0."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit():  # str.isdigit alone takes "²", which float() refuses
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _seconds(seconds: float) -> str:
    if seconds < 120:
        return f"{math.ceil(seconds):g} s"
    if seconds < 7200:
        return f"{math.ceil(seconds / 60):g} min"
    return f"{round(seconds / 3600, 1):g} h"


def _text_or_xml(content_type: str) -> bool:
    return (not content_type or content_type.startswith("text/") or content_type.endswith("xml")
            or content_type.endswith("+xml"))


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g} MB"


class _HostGate:
    """Per host: at most ``per_host`` requests at once, starts at least ``delay`` apart, none
    before the time the host asked for (Retry-After), none at all in this pass when it asked
    for a longer wait than ``max_wait``."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.lock = threading.Lock()
        self.hosts: dict[str, tuple[threading.Semaphore, list[float]]] = {}
        self.delays: dict[str, float] = {}
        self.closed_until: dict[str, datetime] = {}  # host -> when it asked to be asked again

    def _host(self, host: str) -> tuple[threading.Semaphore, list[float]]:
        with self.lock:
            return self.hosts.setdefault(host, (threading.Semaphore(self.settings.per_host), [0.0]))

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        slots, next_start = self._host(host)
        with slots:
            with self.lock:
                until = self.closed_until.get(host)
                if until is not None:
                    raise FetchFailed(f"not asked: {host} asked parley to wait until {until:%Y-%m-%d %H:%M} UTC")
                now = time.monotonic()
                start = max(now, next_start[0])
                next_start[0] = start + max(self.settings.delay, self.delays.get(host, 0.0))
            if start > now:
                time.sleep(start - now)
            yield

    def slow_down(self, host: str, seconds: float) -> None:
        """A robots.txt Crawl-delay: at least ``seconds`` between requests to ``host``."""
        with self.lock:
            self.delays[host] = min(seconds, MAX_CRAWL_DELAY)

    def hold(self, host: str, seconds: float) -> bool:
        """A Retry-After of ``seconds``: no request to ``host`` starts before then. Past
        ``max_wait``, none is sent in this pass; returns whether the host will be asked again."""
        _, next_start = self._host(host)
        with self.lock:
            if seconds > self.settings.max_wait:
                self.closed_until[host] = datetime.now(timezone.utc) + timedelta(seconds=seconds)
                return False
            next_start[0] = max(next_start[0], time.monotonic() + seconds)
            return True


class PoliteClient:
    """Fetches URLs by the rules above; thread-safe (one client serves many threads)."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.client = httpx.Client(
            timeout=httpx.Timeout(self.settings.timeout), follow_redirects=False, trust_env=False,
            headers={"User-Agent": self.settings.user_agent, "Accept-Encoding": "gzip, deflate"})
        self.gate = _HostGate(self.settings)
        self.robots: dict[str, RobotFileParser | bool | str] = {}
        self.robots_lock = threading.Lock()
        self.origin_locks: dict[str, threading.Lock] = {}
        self.closed = False

    def close(self) -> None:
        """Stop: requests under way are cut off (their threads end at once, untried again)."""
        self.closed = True
        self.client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ public

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET ``url`` (conditionally, given the validators of an earlier answer); raises
        :class:`FetchFailed` (or :class:`RobotsDisallowed`) with the reason in one line."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        tries = 0
        while True:
            tries += 1
            try:
                response = self._follow(url, headers, check_robots=True)
                response.requested = url
                return response
            except _TryAgain as err:
                if self.closed:
                    raise FetchFailed("stopped") from None
                if tries > self.settings.retries:
                    raise FetchFailed(f"{err} ({tries} {'try' if tries == 1 else 'tries'})") from None
                if not err.waited:
                    time.sleep(self.settings.backoff * 2 ** (tries - 1))

    # ------------------------------------------------------------------ robots.txt

    def _robots_refusal(self, url: str) -> str | None:
        """Why robots.txt keeps parley from ``url``; None when it may be fetched."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self.robots_lock:
            lock = self.origin_locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self.robots:
                self.robots[origin] = self._read_robots(origin)
        rules = self.robots[origin]
        if isinstance(rules, str):
            return rules
        return None if rules is True or rules.can_fetch(ROBOTS_AGENT, url) else "disallowed by robots.txt"

    def _read_robots(self, origin: str) -> RobotFileParser | bool | str:
        """The rules of ``origin``'s robots.txt; True (allow all) when it has none (4xx),
        and when it cannot be reached (5xx, no answer) the reason to fetch nothing from the
        host for now, as RFC 9309 asks."""
        try:
            response = self._follow(f"{origin}/robots.txt", {}, check_robots=False)
        except _TryAgain as err:
            return f"robots.txt could not be read ({err}), so nothing is fetched from this host for now"
        except FetchFailed:  # none (4xx), or not a readable file: no rules
            return True
        rules = RobotFileParser()
        rules.parse(response.body.decode("utf-8", "replace").splitlines())
        delay = rules.crawl_delay(ROBOTS_AGENT)
        if delay:
            self.gate.slow_down(urlsplit(origin).netloc, float(delay))
        return rules

    # ------------------------------------------------------------------ one GET, hop by hop

    def _follow(self, url: str, headers: dict[str, str], check_robots: bool) -> Response:
        seen = [url]
        while True:
            try:
                check_url(url, self.settings.allow_private)
            except AddressRefused as err:
                raise FetchFailed(f"refused: {err}") from None
            refusal = self._robots_refusal(url) if check_robots else None
            if refusal:
                raise RobotsDisallowed(refusal)
            location = self._request(url, headers)
            if isinstance(location, Response):
                return location
            url = urljoin(url, location)
            if url in seen:
                raise FetchFailed(f"redirect loop ({' -> '.join(seen + [url])})", lasting=True)
            seen.append(url)
            if len(seen) > self.settings.max_redirects + 1:
                raise FetchFailed(f"more than {self.settings.max_redirects} redirects", lasting=True)

    def _request(self, url: str, headers: dict[str, str]) -> Response | str:
        """One request: the answer, or the Location of a redirect."""
        host = urlsplit(url).netloc
        settings = self.settings
        with self.gate.turn(host):
            fetched_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
            try:
                with self.client.stream("GET", url, headers=headers) as answer:
                    self._check_peer(answer)
                    status = answer.status_code
                    if status in REDIRECTS:
                        location = answer.headers.get("location")
                        if not location:
                            raise FetchFailed(f"HTTP {status} redirect without a Location")
                        return location
                    if status in SAYS_WHEN:
                        self._told_to_wait(host, status, answer)
                    if status >= 500 or status == 429:
                        raise _TryAgain(f"HTTP {status} {answer.reason_phrase}".strip())
                    if status == 304:
                        return Response(url, 304, dict(answer.headers), b"", fetched_at)
                    if status != 200:
                        raise HttpStatus(status, answer.reason_phrase)
                    answer_headers = {k.lower(): v for k, v in answer.headers.items()}
                    response = Response(url, 200, answer_headers, b"", fetched_at)
                    if not _text_or_xml(response.content_type):
                        raise FetchFailed(f"not a web page or feed ({response.content_type})", lasting=True)
                    declared = answer.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > settings.max_bytes:
                        raise FetchFailed(f"larger than the {_megabytes(settings.max_bytes)} limit "
                                          f"(it says {_megabytes(int(declared))})", lasting=True)
                    response.body = self._read_body(answer)
                    return response
            except httpx.TimeoutException:
                raise _TryAgain(f"timed out after {settings.timeout:g}s") from None
            except httpx.TransportError as err:
                raise _TryAgain(f"connection failed ({str(err) or type(err).__name__})") from None

    def _told_to_wait(self, host: str, status: int, answer: httpx.Response) -> None:
        """A 429 or 503 with a Retry-After: hold the host back that long, then try again
        (raises _TryAgain), or leave it for a later pass when that is too long (raises
        FetchFailed, not lasting). Without a readable Retry-After, returns."""
        seconds = retry_after(answer.headers.get("retry-after"))
        if seconds is None:
            return
        said = f"HTTP {status} {answer.reason_phrase}".strip()
        if self.gate.hold(host, seconds):
            raise _TryAgain(f"{said}, asked to wait {_seconds(seconds)}", waited=True)
        raise FetchFailed(f"{said}, asked to wait {_seconds(seconds)}: left for a later pass")

    def _check_peer(self, answer: httpx.Response) -> None:
        """Read nothing from a connection that reached a non-public address."""
        if self.settings.allow_private:
            return
        stream = answer.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if not peer:
            raise FetchFailed("refused: cannot tell which address the connection reached")
        try:
            check_peer(str(peer[0]))
        except AddressRefused as err:
            raise FetchFailed(f"refused: {err}") from None

    def _read_body(self, answer: httpx.Response) -> bytes:
        """The body, decompressed, never more than ``max_bytes`` held at once."""
        limit = self.settings.max_bytes
        encoding = answer.headers.get("content-encoding", "").strip().lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            decompressor = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header
        elif encoding in ("", "identity"):
            decompressor = None
        else:
            raise FetchFailed(f"unsupported content encoding '{encoding}'", lasting=True)
        deadline = time.monotonic() + 4 * self.settings.timeout
        body = bytearray()
        for chunk in answer.iter_raw(CHUNK):
            if time.monotonic() > deadline:
                raise _TryAgain(f"too slow: body not read within {4 * self.settings.timeout:g}s")
            try:
                while chunk:
                    data = decompressor.decompress(chunk, limit + 1 - len(body)) if decompressor else chunk
                    chunk = decompressor.unconsumed_tail if decompressor else b""
                    body += data
                    if len(body) > limit:
                        what = "once decompressed" if decompressor else "stopped reading there"
                        raise FetchFailed(f"larger than the {_megabytes(limit)} limit ({what})", lasting=True)
                    if decompressor and not data:
                        break
            except zlib.error as err:
                raise FetchFailed(f"broken {encoding} body ({err})") from None
        return bytes(body)


__all__ = ["FetchFailed", "PoliteClient", "Response", "RobotsDisallowed", "Settings", "USER_AGENT"]
