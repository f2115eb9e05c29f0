"""``parley serve`` under load: a real server process, concurrent clients, every route.

    python benchmarks/web_load.py --db seeds.db [--clients 16] [--requests 4000] [--seconds 120]

Starts ``parley serve`` (uvicorn on 127.0.0.1, a free port) over the store and waits until it
answers. One question is asked first: ``ask`` (and the search page, which shows answers too)
loads the sentence model on first use, and that cold call is reported apart as
``ask_cold_s``. Then ``--clients`` clients (asyncio + httpx, one keep-alive connection each)
send ``--requests`` requests in all, round-robin over every GET route of the app (enumerated
from the app itself, with real document and actor ids from the store, a real sentence to
highlight, and search and ask queries), and stop by themselves at that count or after
``--seconds``, whichever comes first.

Prints one JSON object: errors (anything but 200, or a failed connection; must be 0), p50 and
p99 latency per route and overall (also without the routes that run the sentence model),
requests per second, and the server's peak resident memory (VmHWM of /proc/PID/status).
Exits 1 when there were errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ["Where did the envoys meet?", "How much money is on the table?", "Who leads the delegation?",
             "What do they refuse?", "When are the next talks?"]
SEARCHES = ["talks", "frozen assets", "ceasefire security guarantees", "minister said", "sanctions"]
MODEL_ROUTES = {"/api/ask", "/search"}  # these run the sentence model (re-ranking)
VARIANTS = 5  # concrete URLs per route with parameters


def page_routes(app: Any) -> list[str]:
    """Every path the app answers to GET, as written in the app (``/documents/{doc_id}``)."""
    return [route.path for route in app.routes if "GET" in (getattr(route, "methods", None) or ())]


def fill_routes(routes: list[str], get_json: Callable[[str], Any]) -> dict[str, list[str]]:
    """Concrete URLs for every route: real ids from the store through ``get_json(path)``.
    A route this does not know how to fill stops the run (no route is left out silently)."""
    from parley.present.web import STATIC_FILES

    documents = get_json("/api/documents")
    actors = get_json("/api/actors")
    step = max(1, len(documents) // VARIANTS)
    doc_ids = [d["id"] for d in documents[::step][:VARIANTS]]
    actor_ids = [a["id"] for a in actors[:VARIANTS]]
    starts = {}
    for doc_id in doc_ids:
        sentences = get_json(f"/api/documents/{doc_id}")["sentences"]
        starts[doc_id] = sentences[len(sentences) // 2][0] if sentences else 0
    queries = {
        "/search": [f"/search?q={q.replace(' ', '+')}" for q in SEARCHES] + ["/search"],
        "/api/search": [f"/api/search?q={q.replace(' ', '+')}" for q in SEARCHES],
        "/api/ask": [f"/api/ask?q={q.replace(' ', '+').replace('?', '%3F')}&k=5" for q in QUESTIONS],
        "/documents/{doc_id}": [f"/documents/{d}?hl={starts[d]}" for d in doc_ids],
        "/api/documents/{doc_id}": [f"/api/documents/{d}" for d in doc_ids],
        "/actors/{actor_id}": [f"/actors/{a}" for a in actor_ids],
        "/api/actors/{actor_id}": [f"/api/actors/{a}" for a in actor_ids],
        "/static/{name:path}": [f"/static/{name}" for name in STATIC_FILES],
    }
    urls = {}
    for route in routes:
        if route in queries:
            urls[route] = queries[route]
        elif "{" in route:
            raise SystemExit(f"web_load: no rule to fill the route {route}; add one to fill_routes")
        else:
            urls[route] = [route]
    if not doc_ids or not actor_ids:
        raise SystemExit("web_load: the store has no documents or no actors to request")
    return urls


async def run_load(base_url: str, urls: dict[str, list[str]], clients: int, requests: int, seconds: float,
                   headers: dict[str, str] | None = None) -> dict[str, Any]:
    """``clients`` clients send ``requests`` requests in all, round-robin over the routes,
    until done or ``seconds`` have passed. Returns the summary (see :func:`summarise`)."""
    import httpx

    routes = sorted(urls)
    records: list[tuple[str, float]] = []  # (route, seconds) of each answered 200
    errors: dict[str, int] = defaultdict(int)
    examples: list[str] = []
    deadline = time.monotonic() + seconds

    async def client(number: int) -> None:
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=120) as http:
            for item in range(number, requests, clients):
                if time.monotonic() > deadline:
                    return
                route = routes[item % len(routes)]
                variants = urls[route]
                url = variants[(item // len(routes)) % len(variants)]
                started = time.perf_counter()
                try:
                    response = await http.get(url)
                    await response.aread()
                    status = response.status_code
                except httpx.HTTPError as err:
                    status, response = None, err
                elapsed = time.perf_counter() - started
                if status == 200:
                    records.append((route, elapsed))
                else:
                    errors[route] += 1
                    if len(examples) < 5:
                        examples.append(f"{url}: {status or type(response).__name__} "
                                        f"{response.text[:120] if status else response}")

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    wall = time.perf_counter() - started
    return summarise(records, dict(errors), examples, wall, requests, clients)


def percentile(sorted_seconds: list[float], p: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not sorted_seconds:
        return float("nan")
    return round(sorted_seconds[max(0, math.ceil(p / 100 * len(sorted_seconds)) - 1)] * 1000, 1)


def summarise(records: list[tuple[str, float]], errors: dict[str, int], examples: list[str], wall: float,
              requests: int, clients: int) -> dict[str, Any]:
    by_route: dict[str, list[float]] = defaultdict(list)
    for route, seconds in records:
        by_route[route].append(seconds)

    def stats(seconds: list[float]) -> dict[str, Any]:
        seconds = sorted(seconds)
        return {"requests": len(seconds), "p50_ms": percentile(seconds, 50), "p99_ms": percentile(seconds, 99)}

    without_model = [s for route, s in records if route not in MODEL_ROUTES]
    done = len(records) + sum(errors.values())
    return {
        "clients": clients, "requests_planned": requests, "requests_done": done,
        "stopped_by": "count" if done >= requests else "time",
        "errors": sum(errors.values()), "errors_by_route": errors, "error_examples": examples,
        "seconds": round(wall, 2), "requests_per_s": round(done / wall, 1) if wall else None,
        "overall": stats([s for _, s in records]),
        "overall_without_model_routes": stats(without_model),
        "routes": {route: stats(by_route.get(route, [])) for route in sorted(set(by_route) | set(errors))},
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def peak_rss_mb(pid: int) -> dict[str, float]:
    """VmHWM (peak) and VmRSS (now) of a process, in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            values[name] = round(int(rest.split()[0]) / 1024, 1)
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="a store made by parley analyze")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=4000, help="requests in all")
    parser.add_argument("--seconds", type=float, default=120, help="stop after this long anyway")
    parser.add_argument("--token", help="start the server with this access token (sent as a Bearer token)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    import httpx

    from parley.present.web import create_app

    routes = page_routes(create_app(args.db))  # the app's own list of routes; nothing is served here
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    headers = None
    if args.token:
        env["PARLEY_TOKEN"] = args.token
        headers = {"Authorization": f"Bearer {args.token}"}
    log = tempfile.TemporaryFile()
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "parley.cli", "serve", "--db", str(args.db), "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=log)
    result: dict[str, Any] = {"db": str(args.db), "routes": len(routes)}
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=300) as http:
            while True:
                if server.poll() is not None:
                    log.seek(0)
                    raise SystemExit(f"web_load: the server stopped: {log.read().decode(errors='replace')[-2000:]}")
                try:
                    if http.get("/api/overview").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            result["server_ready_s"] = round(time.perf_counter() - started, 2)
            result["documents"] = len(http.get("/api/documents").json())
            asked = time.perf_counter()
            http.get("/api/ask", params={"q": QUESTIONS[0]}).raise_for_status()
            result["ask_cold_s"] = round(time.perf_counter() - asked, 2)
            urls = fill_routes(routes, lambda path: http.get(path).raise_for_status().json())
        result["rss_before_load_mb"] = peak_rss_mb(server.pid)["VmRSS"]
        result["load"] = asyncio.run(run_load(base, urls, args.clients, args.requests, args.seconds, headers))
        memory = peak_rss_mb(server.pid)
        result["server_peak_rss_mb"] = memory["VmHWM"]
        result["server_rss_after_mb"] = memory["VmRSS"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    print(json.dumps(result, indent=1))
    if result["load"]["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
