"""How fast is the browser model? Sans-I/O verdicts per second, and one preflighted fetch, live.

Prints, in one run:
- verdicts per second of the pure model (``cors_lab.browser.Fetch``) over a matrix of cases
  (simple and preflighted requests, allowed and blocked), target >= 50,000/s;
- the median time of one preflighted fetch (OPTIONS + PUT) through ``cors_lab.Browser``, over
  loopback HTTP to a real server and in-process over the ASGI transport, target < 3 ms;
- the same fetch in headless Chromium, side by side.
Run: `.venv/bin/python benchmarks/browser.py` (needs Chromium: $CHROMIUM or /usr/bin/chromium).
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout: its tests' launch flags
from cors_lab import Browser, demo_api, frontend_app, serve
from cors_lab.browser import Fetch, FetchRequest, HttpResponse, PreflightCache
from tests.engines.locate import CHROMIUM_ARGS

PAGE = "http://localhost:3000"
API = "http://localhost:8000"


def case_matrix() -> list[tuple[FetchRequest, HttpResponse, HttpResponse]]:
    """Requests crossed with server answers: every pairing is a case the model must judge."""
    requests = [
        FetchRequest(f"{API}/users"),
        FetchRequest(f"{API}/users", credentials="include"),
        FetchRequest(f"{API}/users/1", "PUT", (("Content-Type", "application/json"),), b"{}"),
        FetchRequest(f"{API}/me", headers=(("Authorization", "Bearer t"),), credentials="include"),
    ]
    allow = (("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Credentials", "true"))
    preflight_ok = HttpResponse(
        200,
        allow
        + (
            ("Access-Control-Allow-Methods", "GET, PUT"),
            ("Access-Control-Allow-Headers", "Authorization, Content-Type"),
        ),
    )
    answers = [
        HttpResponse(200, allow + (("Content-Type", "application/json"),), b"[]"),
        HttpResponse(200, (("Content-Type", "application/json"),), b"[]"),
        HttpResponse(200, (("Access-Control-Allow-Origin", "*"),), b"[]"),
        HttpResponse(200, (("Access-Control-Allow-Origin", PAGE + "/"),), b"[]"),
    ]
    preflights = [preflight_ok, HttpResponse(400, allow, b"Disallowed CORS method")]
    return list(itertools.product(requests, preflights, answers))


def verdicts_per_second(seconds: float = 2.0) -> tuple[float, int]:
    cases = case_matrix()
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for request, preflight, answer in cases:
            fetch = Fetch(PAGE, request, cache=PreflightCache())
            while (outgoing := fetch.next_request()) is not None:
                fetch.receive(preflight if outgoing.kind == "preflight" else answer)
            _ = fetch.verdict
            count += 1
    return count / (time.perf_counter() - started), len(cases)


def median_ms(action, rounds: int = 200) -> float:
    action()  # warm up
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    rate, kinds = verdicts_per_second()
    print(
        f"sans-I/O model: {rate:,.0f} verdicts/s over {kinds} cases (target >= 50,000/s: "
        f"{'met' if rate >= 50_000 else 'MISSED'})"
    )

    # max_age=0: every fetch pays its preflight, as the first fetch of a page does.
    app = demo_api(allow_origins=[PAGE], allow_methods=["GET", "PUT"], max_age=0)
    put = {"method": "PUT", "json": {"name": "x"}}
    in_process = Browser(PAGE, app=app)
    with serve(app) as server:
        over_loopback = Browser(PAGE)
        loopback_ms = median_ms(lambda: over_loopback.fetch(f"{server.url}/users/1", **put))
    asgi_ms = median_ms(lambda: in_process.fetch(f"{API}/users/1", **put))
    print(
        f"Browser, preflighted PUT (OPTIONS + PUT), median of 200: loopback {loopback_ms:.2f} ms, "
        f"ASGI transport {asgi_ms:.2f} ms (target < 3 ms: {'met' if max(loopback_ms, asgi_ms) < 3 else 'MISSED'})"
    )
    print(f"headless Chromium, same fetch: {chromium_ms():.2f} ms")


def chromium_ms(rounds: int = 100) -> float:
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    args = list(CHROMIUM_ARGS)
    with serve(frontend_app()) as page_server, tempfile.TemporaryDirectory() as home, sync_playwright() as p:
        page_origin = f"http://localhost:{page_server.port}"
        app = demo_api(allow_origins=[page_origin], allow_methods=["GET", "PUT"], max_age=0)
        with serve(app) as api:
            browser = p.chromium.launch(executable_path=executable, args=args, env={**os.environ, "HOME": home})
            page = browser.new_page()
            page.goto(page_origin + "/")
            script = """async (url) => { const t = performance.now();
                await fetch(url, {method: 'PUT', headers: {'Content-Type': 'application/json'}, body: '{"name":"x"}'});
                return performance.now() - t; }"""
            url = f"http://localhost:{api.port}/users/1"
            page.evaluate(script, url)
            timings = [page.evaluate(script, url) for _ in range(rounds)]
            browser.close()
    return statistics.median(timings)


if __name__ == "__main__":
    main()
