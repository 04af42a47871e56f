"""Measure every case in every installed engine and write the wording tables into docs/engines.md.

    python -m tests.engines.measure                 # all engines, all cases
    python -m tests.engines.measure --engines firefox --cases missing-acao,acao-null --no-write

Real servers on 127.0.0.1 answer each case; each engine makes the case's calls from a real
page (fetch, XHR and, where it could differ, axios). What every call did, the exact console
lines and what reached the servers are kept in test-artifacts/engines/measured.json, and the
tables between the markers in docs/engines.md are rewritten from them (the prose around the
markers is left alone). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from . import locate
from .calls import Outcome
from .cases import CASES, Case
from .firefox_reasons import installed_reasons
from .playwright_engines import ChromiumSession, FirefoxSession
from .report import render, write_into
from .servers import Hit, Sites
from .session import EngineError, EngineSession
from .webkit_engine import WebKitSession

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "engines.md"
RAW = ROOT / "test-artifacts" / "engines" / "measured.json"


def say(message: str) -> None:
    print(f"measure: {message}", file=sys.stderr, flush=True)


@dataclass
class Measured:
    """One call of one case in one engine."""

    case: str
    via: str
    engine: str
    outcome: Outcome | None
    hits: list[Hit]
    failure: str = ""  # the driver failed (not the call)


@dataclass
class EngineRun:
    name: str
    version: str
    started_s: float
    calls: int = 0
    call_ms: list[float] = field(default_factory=list)
    skipped: str = ""


def starters(axios: str | None) -> dict[str, Callable[[], EngineSession]]:
    def webkit() -> EngineSession:
        parts = locate.webkit()
        return WebKitSession(parts.python, parts.xvfb, axios)

    return {
        "chromium": lambda: ChromiumSession(locate.chromium(), axios),
        "firefox": lambda: FirefoxSession(locate.firefox(), axios),
        "webkit": webkit,
    }


def register(sites: Sites, cases: Sequence[Case]) -> None:
    for case in cases:
        for site, actual, preflight in case.routes:
            target = {"api": sites.api, "other": sites.other, "page": sites.page}[site]
            path = case.path + "/final" if site == "other" else case.path
            target.route(path, actual, preflight)


def urls(sites: Sites, case: Case) -> dict[str, str]:
    return {**sites.origins.values, "path": case.path}


def measure_engine(
    start: Callable[[], EngineSession], sites: Sites, cases: Sequence[Case], axios: bool
) -> tuple[EngineRun, list[Measured]]:
    began = time.monotonic()
    session = start()
    results: list[Measured] = []
    try:
        run = EngineRun(session.name, session.version, 0.0)
        for page in ("http", "https"):
            chosen = [case for case in cases if case.page == page]
            if not chosen:
                continue
            session.open((sites["page"] if page == "http" else sites["https_page"]) + "/")
            if page == "http":
                run.started_s = time.monotonic() - began
            for case in chosen:
                vias = [via for via in case.via if via != "axios" or axios]
                calls = [case.request.call(via, urls(sites, case)) for via in vias]
                clock = time.monotonic()
                try:
                    outcomes: list[Outcome | None] = list(session.run(calls))
                    failure = ""
                except EngineError as error:
                    outcomes, failure = [None] * len(calls), str(error)
                    say(f"{session.name} {case.id}: {failure}")
                    session.open((sites["page"] if page == "http" else sites["https_page"]) + "/")
                run.calls += len(calls)
                run.call_ms.append((time.monotonic() - clock) * 1000 / max(len(calls), 1))
                for via, outcome in zip(vias, outcomes, strict=True):
                    hits = list(sites.hits.pop(outcome.token, [])) if outcome else []
                    results.append(Measured(case.id, via, session.name, outcome, hits, failure))
        say(f"{session.name} {session.version}: {run.calls} calls")
        return run, results
    finally:
        session.close()


def system_name() -> str:
    """ "Debian GNU/Linux 12 (bookworm), x86_64": the distribution says more than the kernel build."""
    release = Path("/etc/os-release")
    if release.is_file():
        for line in release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))}, {platform.machine()}"
    return f"{platform.system()} {platform.release()}, {platform.machine()}"


def as_json(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {k: as_json(v) for k, v in asdict(value).items()}
    if isinstance(value, (list, tuple)):
        return [as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure the CORS cases in the installed engines.")
    parser.add_argument("--engines", default="chromium,firefox,webkit")
    parser.add_argument("--cases", default="", help="comma-separated case ids (default: all)")
    parser.add_argument("--no-write", action="store_true", help="print the tables instead of updating the doc")
    options = parser.parse_args(argv)
    cases = [c for c in CASES if not options.cases or c.id in options.cases.split(",")]
    axios = locate.axios_source()
    if axios is None:
        say("axios was not fetched (run scripts/ensure_browsers.py): the axios calls are left out")
    sites = Sites()
    runs: list[EngineRun] = []
    results: list[Measured] = []
    try:
        register(sites, cases)
        for name in options.engines.split(","):
            say(f"{name}: starting")
            try:
                run, measured = measure_engine(starters(axios)[name], sites, cases, axios is not None)
            except locate.Missing as missing:
                say(f"{name}: skipped: {missing}")
                runs.append(EngineRun(name, "", 0.0, skipped=str(missing)))
                continue
            runs.append(run)
            results.extend(measured)
    finally:
        sites.stop()
    environment = {
        "playwright": version("playwright"),
        "python": platform.python_version(),
        "system": system_name(),
        "date": time.strftime("%Y-%m-%d"),
    }
    reasons = installed_reasons(locate.firefox()) if any(r.name == "firefox" and not r.skipped for r in runs) else {}
    RAW.parent.mkdir(parents=True, exist_ok=True)
    RAW.write_text(
        json.dumps(
            {
                "environment": environment,
                "runs": as_json(runs),
                "results": as_json(results),
                "origins": sites.origins.values,
            },
            indent=1,
            ensure_ascii=False,
        )
    )
    tables = render(cases, runs, results, sites.origins.values, environment, reasons)
    if options.no_write:
        print(tables)
    else:
        write_into(DOC, tables)
        say(f"wrote {DOC.relative_to(ROOT)} (raw results: {RAW.relative_to(ROOT)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
