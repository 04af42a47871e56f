"""Turn measured results into the Markdown tables of docs/engines.md.

The live ports are shown as fixed ones (page 3000, API 8000, other origin 9000, https page 3443,
a closed port 8999) and the harness's per-call ``call=`` token is left out; everything else is
the engines' own words, character for character.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cors_lab.browser.failures import CODES as MODEL_CODES

from .calls import ConsoleLine, Outcome
from .cases import Case
from .firefox_reasons import key_of
from .servers import Hit, Reply

if TYPE_CHECKING:
    from .measure import EngineRun, Measured

BEGIN = "<!-- BEGIN MEASURED: written by `python -m tests.engines.measure`; edit the prose outside these markers -->"
END = "<!-- END MEASURED -->"
SHOWN_PORTS = {"page": 3000, "api": 8000, "other": 9000, "https_page": 3443, "closed": 8999}
TOKEN = re.compile(r"[?&]call=[0-9a-f]{12}")
ENGINE_TITLES = {"chromium": "Chromium", "firefox": "Firefox", "webkit": "WebKit"}
VIA_TITLES = {"fetch": "fetch", "xhr": "XHR", "axios": "axios"}


class Normaliser:
    """Live ports to shown ones, tokens out."""

    def __init__(self, origins: Mapping[str, str]) -> None:
        self.ports: dict[str, str] = {}
        for name, shown in SHOWN_PORTS.items():
            match = re.search(r":(\d+)$", origins.get(name, ""))
            if match:
                self.ports[match.group(1)] = str(shown)

    def __call__(self, text: str) -> str:
        text = TOKEN.sub("", text)
        return re.sub(r"(?<=:)(\d{4,5})\b", lambda m: self.ports.get(m.group(1), m.group(1)), text)


def code(text: str) -> str:
    """A Markdown code span that survives backticks and table pipes."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|").replace("\n", "\\n")


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def verdict(via: str, outcome: Outcome | None) -> str:
    if outcome is None:
        return "driver failed"
    if via == "xhr":
        if outcome.resolved:
            return f"load {outcome.status}"
        if outcome.error and not outcome.error.endswith(" event"):
            return "threw"
        return f"{outcome.error or 'error'}, status {outcome.status}"
    if outcome.resolved:
        kind = f" ({outcome.response_type})" if outcome.response_type else ""
        return f"resolved {outcome.status}{kind}"
    return "rejected"


def short_verdict(via: str, outcome: Outcome | None) -> str:
    """One word for the overview: ok / blocked / refused (no console line) / threw / opaque..."""
    if outcome is None:
        return "?"
    if outcome.resolved:
        if outcome.response_type in ("opaque", "opaqueredirect"):
            return outcome.response_type
        return "ok"
    if via == "xhr" and outcome.error and not outcome.error.endswith(" event"):
        return "threw"
    return "failed" if outcome.console else "failed, silent"


def result_cell(via: str, outcome: Outcome | None, normalise: Normaliser) -> str:
    text = verdict(via, outcome)
    if outcome is not None and outcome.resolved:
        text += f"; readable: {', '.join(outcome.headers) or 'none'}"
        if outcome.body:
            text += f"; body {code(normalise(outcome.body[:40]))}"
    return cell(text) if outcome is None or not outcome.resolved else text


def error_cell(outcome: Outcome | None, failure: str, normalise: Normaliser) -> str:
    if outcome is None:
        return cell(normalise(failure))
    if outcome.axios is not None:
        axios = outcome.axios
        return (
            f"{code(normalise(outcome.error or ''))}<br>code {code(str(axios.code))}, "
            f"response {'undefined' if axios.response_undefined else 'set'}, request.status {axios.request_status}"
        )
    if outcome.error and not outcome.error.endswith(" event"):
        return code(normalise(outcome.error))
    return ""


def console_cell(engine: str, lines: Sequence[ConsoleLine], reasons: Mapping[str, str], normalise: Normaliser) -> str:
    shown = []
    for line in lines:
        text = code(normalise(str(line)))
        if line.level == "warning" and engine != "webkit":
            text = f"(warning) {text}"
        key = key_of(line.text, dict(reasons)) if engine == "firefox" and reasons else None
        shown.append(f"{text} *{key}*" if key else text)
    return "<br>".join(shown) or "(none)"


def hits_cell(hits: Sequence[Hit], page_origin: str, normalise: Normaliser) -> str:
    described = []
    for hit in hits:
        parts = [f"{hit.method} {hit.server}"]
        origin = hit.headers.get("origin")
        if origin is None:
            parts.append("no Origin")
        elif origin != page_origin:
            parts.append(f"Origin: {origin}")
        for name, label in (("access-control-request-method", "ACRM"), ("access-control-request-headers", "ACRH")):
            if name in hit.headers:
                parts.append(f"{label}: {hit.headers[name]}")
        if hit.method not in ("OPTIONS", "GET") and "content-type" in hit.headers:
            parts.append(f"Content-Type: {hit.headers['content-type']}")
        for name in sorted(n for n in hit.headers if n.startswith("x-") or n == "authorization"):
            parts.append(f"{name}: {hit.headers[name]}")
        if "cookie" in hit.headers:
            parts.append("Cookie")
        described.append(
            cell(normalise(" ".join(parts[:2]) + (" (" + "; ".join(parts[2:]) + ")" if parts[2:] else "")))
        )
    return "<br>".join(described) or "nothing"


def describe_reply(reply: Reply, origins: Mapping[str, str], path: str, normalise: Normaliser) -> str:
    def shown(value: str) -> str:
        return normalise(value.format(query="", path=path, **origins)).removesuffix("?")

    headers = [f"{name}: {shown(value)}" for name, value in reply.headers]
    return f"{reply.status}" + (" with " + ", ".join(code(h) for h in headers) if headers else " without CORS headers")


def describe_routes(case: Case, origins: Mapping[str, str], normalise: Normaliser) -> str:
    described = []
    for site, actual, preflight in case.routes:
        page = "The https page's origin" if case.page == "https" else "The page's origin"
        where = {"api": "The API", "other": "The other origin", "page": page}[site]
        text = f"{where} answers {describe_reply(actual, origins, case.path, normalise)}"
        if preflight is not None:
            text += f"; its preflight (OPTIONS) {describe_reply(preflight, origins, case.path, normalise)}"
        described.append(text + ".")
    return " ".join(described) or "No server answers."


def render(
    cases: Sequence[Case],
    runs: Sequence[EngineRun],
    results: Sequence[Measured],
    origins: Mapping[str, str],
    environment: Mapping[str, Any],
    reasons: Mapping[str, str],
) -> str:
    normalise = Normaliser(origins)
    by_key = {(m.case, m.via, m.engine): m for m in results}
    engines = [run.name for run in runs if not run.skipped]
    out: list[str] = [BEGIN, "", "## Measured here", ""]
    out.append(
        f"Measured on {environment['date']} on {environment['system']}, with Playwright {environment['playwright']} "
        f"(Python {environment['python']}). Ports are shown as 3000 (the page), 8000 (the API), 9000 (another "
        "origin), 3443 (the https page) and 8999 (a port nothing listens on); the harness's per-call `call=` "
        "token is left out of URLs. *Italics* after a Firefox line name the security.properties key that made it."
    )
    out += ["", "| engine | version | start (s) | calls | per call, median (ms) |", "| --- | --- | --- | --- | --- |"]
    for run in runs:
        if run.skipped:
            out.append(f"| {ENGINE_TITLES[run.name]} | not installed: {cell(run.skipped)} | | | |")
        else:
            median = statistics.median(run.call_ms) if run.call_ms else 0.0
            out.append(
                f"| {ENGINE_TITLES[run.name]} | {run.version} | {run.started_s:.1f} | {run.calls} | {median:.0f} |"
            )

    out += ["", "### Overview", ""]
    out.append(
        "*ok*: resolved (XHR: `load`); *failed*: rejected (XHR: `error` event) with a console line; "
        "*failed, silent*: the same without any console line; *threw*: the XHR call threw; "
        "*opaque*/*opaqueredirect*: resolved with that response type. "
        "**≠** marks the cases where the engines do not agree."
    )
    header = ["case", "model"] + [f"{ENGINE_TITLES[e]} {VIA_TITLES[v]}" for e in engines for v in ("fetch", "xhr")]
    out += ["", "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for case in cases:
        row = [f"[{case.id}](#{case.id})", code(case.code) if case.code in MODEL_CODES else case.code]
        verdicts = []
        for engine in engines:
            for via in ("fetch", "xhr"):
                measured = by_key.get((case.id, via, engine))
                word = short_verdict(via, measured.outcome) if measured else "n/a"
                verdicts.append((via, word))
                row.append(word)
        differs = any(len({w for v, w in verdicts if v == via and w != "n/a"}) > 1 for via in ("fetch", "xhr"))
        if differs:
            row[0] += " **≠**"
        out.append("| " + " | ".join(row) + " |")

    group = None
    for case in cases:
        if case.group != group:
            group = case.group
            out += ["", f"### {group}"]
        out += ["", f'<a id="{case.id}"></a>', "", f"#### {case.id}: {case.title}", ""]
        model = f"The model's code: {code(case.code)}." if case.code in MODEL_CODES else f"Expected: {case.code}."
        out.append(f"{model} {describe_routes(case, origins, normalise)}")
        out += ["", "| engine | call | result | JS error | console, in order | reached the servers |"]
        out.append("| --- | --- | --- | --- | --- | --- |")
        for engine in engines:
            for via in case.via:
                measured = by_key.get((case.id, via, engine))
                if measured is None:
                    continue
                url = normalise(case.request.url.format(**origins, path=case.path))
                call = code(case.request.as_js(via, url)) if engine == engines[0] else VIA_TITLES[via]
                lines = measured.outcome.console if measured.outcome else ()
                page_origin = origins.get("https_page" if case.page == "https" else "page", "")
                out.append(
                    f"| {ENGINE_TITLES[engine]} | {call} | {result_cell(via, measured.outcome, normalise)} | "
                    f"{error_cell(measured.outcome, measured.failure, normalise)} | "
                    f"{console_cell(engine, lines, reasons, normalise)} | "
                    f"{hits_cell(measured.hits, page_origin, normalise)} |"
                )

    if reasons:
        out += ["", "### Firefox's CORS keys", ""]
        out.append(
            "Every `CORS*` key of the installed Firefox's en-US `security.properties` (in its `omni.ja`), and the "
            "cases whose console lines it made, with the model's code for each."
        )
        out += ["", "| key | template | measured in (model code) |", "| --- | --- | --- |"]
        seen: dict[str, list[str]] = {key: [] for key in reasons}
        by_case = {case.id: case for case in cases}
        for measured in results:
            if measured.engine != "firefox" or measured.outcome is None:
                continue
            for line in measured.outcome.console:
                key = key_of(line.text, dict(reasons))
                entry = f"[{measured.case}](#{measured.case}) ({by_case[measured.case].code})"
                if key and entry not in seen[key]:
                    seen[key].append(entry)
        for key, template in reasons.items():
            out.append(f"| `{key}` | {code(template)} | {', '.join(seen[key]) or 'not seen in these cases'} |")
    out += ["", END]
    return "\n".join(out)


def write_into(doc: Path, tables: str) -> None:
    """Replace what is between the markers in ``doc`` (or append the tables if there are none)."""
    text = doc.read_text("utf-8") if doc.exists() else ""
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        text = before + tables + after
    else:
        text = text.rstrip() + ("\n\n" if text else "") + tables + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, "utf-8")
