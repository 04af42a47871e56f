"""One generated case, run through real headless Chromium and through the model, against the same servers.

A :class:`Case` is what the servers answer (a :class:`Script` per server: hand-written replies, or
Starlette's CORSMiddleware around one) and the fetch() calls a page makes, one after the other
(two in a row show the preflight cache). :func:`run_case` runs it both ways and returns the two
:class:`Outcome` lists; ``repr(case)`` is a one-case reproduction, ready for test_regressions.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import httpx
from engines.calls import Fetch as EngineFetch  # tests/ is on the path (see tests/conftest.py)

from cors_lab import Browser
from cors_lab.browser.firefox import is_sporadic

#: What the page may ask: fetch(url, {method, headers, body, credentials}).
PAGE_JS = """async ({url, init}) => {
  try {
    init.headers = new Headers(init.headers);
    const response = await fetch(url, init);
    const body = await response.text();
    return {ok: true, status: response.status, headers: [...response.headers.keys()].sort(), body};
  } catch (error) {
    return {ok: false, error: String(error)};
  }
}"""
#: Request headers compared between the two sides (besides every header the page set).
COMPARED_HEADERS = (
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
    "content-type",
    "authorization",
    "cookie",
    "accept",
    # What Chromium adds itself; the model adds the same (cors_lab/browser/chromium_headers.py).
    "connection",
    "referer",
    "accept-encoding",
    "accept-language",
    "sec-fetch-site",
    "sec-fetch-mode",
    "sec-fetch-dest",
    "sec-fetch-storage-access",
    "sec-ch-ua",
    "sec-ch-ua-mobile",
    "sec-ch-ua-platform",
)


#: Headers only the browser sets (a page's attempt is dropped): Chromium sends its own values.
# Headers whose values the two sides cannot share: the connection's own, and the User-Agent
# (headless Chromium says HeadlessChrome; the model sends what Chromium with a window sends).
_BROWSER_SET = frozenset(
    {"accept-charset", "content-length", "date", "dnt", "expect", "host", "keep-alive", "te", "trailer"}
    | {"transfer-encoding", "upgrade", "via", "user-agent", "sec-fetch-user", "proxy-foo"}
)


@dataclass(frozen=True)
class Reply:
    """A hand-written response: '{page}', '{api}', '{other}' and '{query}' in values become the live ones."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: str = "hello"
    crash: bool = False  # an unhandled exception instead (a 500 from outside CORSMiddleware)


@dataclass(frozen=True)
class Script:
    """What one server answers: ``actual`` (and ``preflight`` for OPTIONS), inside CORSMiddleware(**cors)."""

    actual: Reply = Reply()
    preflight: Reply | None = None
    cors: tuple[tuple[str, Any], ...] | None = None  # CORSMiddleware's keyword arguments
    final: Reply | None = None  # the answer at /final, where a redirect to the same server lands

    def to_json(self) -> dict[str, Any]:
        def reply(r: Reply | None) -> dict[str, Any] | None:
            if r is None:
                return None
            return {"status": r.status, "headers": [list(h) for h in r.headers], "body": r.body, "crash": r.crash}

        return {
            "actual": reply(self.actual),
            "preflight": reply(self.preflight),
            "cors": None if self.cors is None else dict(self.cors),
            "final": reply(self.final),
        }


@dataclass(frozen=True)
class Call:
    """One fetch() from the page. ``target`` is 'api', 'other' or 'page' (same-origin)."""

    target: str = "api"
    path: str = "/r"
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None  # a text body (fetch labels it text/plain;charset=UTF-8)
    json: Any = None
    credentials: str = "same-origin"


@dataclass(frozen=True)
class Case:
    calls: tuple[Call, ...]
    api: Script = Script()
    other: Script = Script()
    page: Script = Script()

    def to_json(self, token: str) -> dict[str, Any]:
        return {"token": token, "api": self.api.to_json(), "other": self.other.to_json(), "page": self.page.to_json()}


@dataclass
class Outcome:
    """What one fetch() came to, as both sides report it."""

    ok: bool
    status: int | None
    headers: list[str]
    console: list[str]
    received: list[str]  # what the servers received, one line per request
    error: str = field(default="", compare=False)
    #: The model let the call go without a preflight, on an earlier call's cached answer.
    preflight_reused: bool = field(default=False, compare=False)


class WireServers:
    """The child process that runs the three servers (see wire.py)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("wire.py"))],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the differential test's servers did not start")
        self.origins: dict[str, str] = json.loads(line)
        self.control = httpx.Client(base_url=self.origins["other"], trust_env=False, timeout=10)

    def register(self, case: Case, token: str) -> None:
        self.control.post("/__case", content=json.dumps(case.to_json(token))).raise_for_status()

    def hits(self, token: str) -> list[dict[str, Any]]:
        return self.control.get("/__hits", params={"t": token}).json()

    def close(self) -> None:
        self.control.close()
        self.process.terminate()
        self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()


_tokens = count(1)


def new_token() -> str:
    return f"{os.getpid()}x{next(_tokens)}x{time.monotonic_ns() % 10**9}"


def call_url(servers: WireServers, call: Call, token: str) -> str:
    return f"{servers.origins[call.target]}{call.path}?t={token}"


#: The harness of tests/engines adds its own per-call token to each URL: the model's URLs lack it.
_ENGINE_TOKEN = re.compile(r"[?&]call=[0-9a-f]{12}")


def describe_hits(
    hits: list[dict[str, Any]], page_set: set[str], origins: dict[str, str], token: str, engine: str = "chromium"
) -> list[str]:
    """What the servers received, as comparable lines: server, method, path and the headers that matter.

    For Chromium that includes the headers Chromium adds itself; for the other engines only the
    CORS ones and the page's (the model sends Chromium's own headers for every engine).
    """
    compared = COMPARED_HEADERS if engine == "chromium" else COMPARED_HEADERS[: COMPARED_HEADERS.index("connection")]
    lines = []
    for hit in hits:
        headers: dict[str, str] = {}
        for name, value in hit["headers"]:
            lower = name.lower()
            if lower in _BROWSER_SET:
                continue
            if engine != "chromium" and hit["method"] == "OPTIONS" and lower == "accept-language":
                continue  # a preflight's Accept-Language is the engine's own (WebKitGTK here: "C", its locale)
            if lower in compared or lower in page_set:
                headers[lower] = f"{headers[lower]}, {value}" if lower in headers else value
        shown = "; ".join(f"{name}: {headers[name]!r}" for name in sorted(headers))
        body = f" body={hit['body']!r}" if hit["body"] else ""
        path = _ENGINE_TOKEN.sub("", hit["path"])
        lines.append(_anonymise(f"{hit['server']} {hit['method']} {path} ({shown}){body}", origins, token))
    return lines


def _anonymise(text: str, origins: dict[str, str], token: str) -> str:
    for name, origin in origins.items():
        text = text.replace(origin, "{" + name + "}")
    return text.replace(token, "T")


def page_set_names(call: Call) -> set[str]:
    return {name.lower() for name, _ in call.headers}


def _js_init(call: Call) -> dict[str, Any]:
    init: dict[str, Any] = {"method": call.method, "credentials": call.credentials}
    headers = [list(h) for h in call.headers]
    if call.json is not None:
        init["body"] = json.dumps(call.json)
        if not any(n.lower() == "content-type" for n, _ in call.headers):
            headers.append(["Content-Type", "application/json"])
    elif call.body is not None:
        init["body"] = call.body
    init["headers"] = headers
    return init


class ChromiumTab:
    """One tab at the page's origin that runs the calls and collects Chromium's console errors."""

    def __init__(self, context: Any, page_url: str) -> None:
        self.context = context
        self.page = context.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console.append(m.text))
        self.page.goto(page_url)

    def run(self, servers: WireServers, case: Case, token: str) -> list[Outcome]:
        self.context.clear_cookies()
        outcomes = []
        for call in case.calls:
            self.console.clear()
            answer = self.page.evaluate(PAGE_JS, {"url": call_url(servers, call, token), "init": _js_init(call)})
            self.page.evaluate("1")  # one more round trip: console lines about the call arrive before it ends
            lines = [line for line in self.console if not line.startswith("Failed to load resource")]
            outcomes.append(
                Outcome(
                    answer["ok"],
                    answer.get("status"),
                    answer.get("headers", []),
                    [_anonymise(line, servers.origins, token) for line in lines],
                    describe_hits(servers.hits(token), page_set_names(call), servers.origins, token),
                    answer.get("error", ""),
                )
            )
        return outcomes


class EngineTab:
    """A page of another engine (a tests/engines session: Firefox, WebKit) run like :class:`ChromiumTab`.

    Its console lines are all kept (Firefox's warnings included), as the model gives all of its own,
    but for the warnings Firefox prints for some calls and not for others alike (firefox.is_sporadic).
    """

    def __init__(self, session: Any, page_url: str) -> None:
        self.session = session
        self.engine: str = session.name
        session.open(page_url)

    def run(self, servers: WireServers, case: Case, token: str) -> list[Outcome]:
        outcomes = []
        for call in case.calls:
            [seen] = self.session.run([EngineFetch(call_url(servers, call, token), _js_init(call))])
            lines = [
                _ENGINE_TOKEN.sub("", line.text)
                for line in seen.console
                if not (self.engine == "firefox" and is_sporadic(line.text))
            ]
            outcomes.append(
                Outcome(
                    seen.resolved,
                    seen.status if seen.resolved else None,
                    sorted(seen.headers) if seen.resolved else [],
                    [_anonymise(line, servers.origins, token) for line in lines],
                    describe_hits(servers.hits(token), page_set_names(call), servers.origins, token, self.engine),
                    seen.error or "",
                )
            )
        return outcomes


def sets_cookies(case: Case) -> bool:
    """Whether any answer of the case sets a cookie (cookies outlive a case in the other engines' pages)."""
    replies = [
        reply
        for script in (case.api, case.other, case.page)
        for reply in (script.actual, script.preflight, script.final)
        if reply is not None
    ]
    return any(name.lower() == "set-cookie" for reply in replies for name, _ in reply.headers)


def run_model(servers: WireServers, case: Case, token: str, engine: str = "chromium") -> list[Outcome]:
    outcomes = []
    with Browser(servers.origins["page"], engine=engine) as browser:  # type: ignore[arg-type]
        for call in case.calls:
            try:
                result = browser.fetch(
                    call_url(servers, call, token),
                    method=call.method,
                    headers=list(call.headers),
                    json=call.json,
                    content=call.body,
                    credentials=call.credentials,  # type: ignore[arg-type]
                )
            except ValueError as refused:  # fetch() throws a TypeError before any request
                received = describe_hits(servers.hits(token), page_set_names(call), servers.origins, token, engine)
                outcomes.append(Outcome(False, None, [], [], received, f"TypeError: {refused}"))
                continue
            except Exception as crash:  # the model must never crash: a crash is a disagreement, shown
                received = describe_hits(servers.hits(token), page_set_names(call), servers.origins, token, engine)
                outcomes.append(Outcome(False, None, [], ["the model crashed"], received, f"{crash!r}"))
                continue
            # As on Chromium's side: every line but the "Failed to load resource" ones.
            lines = [
                line
                for line in result.console_messages
                if engine != "chromium" or not line.startswith("Failed to load resource")
            ]
            outcomes.append(
                Outcome(
                    result.ok,
                    result.status,
                    sorted(result.headers.keys()),
                    [_anonymise(line, servers.origins, token) for line in lines],
                    describe_hits(servers.hits(token), page_set_names(call), servers.origins, token, engine),
                    result.summary,
                    result.preflight_cached,
                )
            )
    return outcomes


def run_case(servers: WireServers, tab: ChromiumTab | EngineTab, case: Case) -> tuple[list[Outcome], list[Outcome]]:
    """(The engine's outcomes, the model's as that engine): the same case, each side on its own token."""
    engine = tab.engine if isinstance(tab, EngineTab) else "chromium"
    token = new_token()
    servers.register(case, token)
    real = tab.run(servers, case, token)
    token = new_token()
    servers.register(case, token)
    model = run_model(servers, case, token, engine)
    return real, model


def reproduction(case: Case, real: list[Outcome], model: list[Outcome], engine: str = "chromium") -> str:
    """A one-case reproduction: the case (paste it into test_regressions.py) and both sides' outcomes."""
    lines = [f"The model and {engine} disagree on this case:", f"    {case!r},"]
    for number, (r, m) in enumerate(zip(real, model, strict=True), 1):
        if r == m:
            continue
        lines.append(f"  call {number}: {case.calls[number - 1]!r}")
        for side, o in ((f"{engine:8}", r), ("model   ", m)):
            lines.append(f"    {side}: ok={o.ok} status={o.status} headers={o.headers} ({o.error})")
            lines.extend(f"              console: {line}" for line in o.console)
            lines.extend(f"              received: {line}" for line in o.received)
    return "\n".join(lines)
