"""HTML views for notebooks: what DevTools would show for a fetch, as a small sequence diagram."""

from __future__ import annotations

import html
import json
from typing import Protocol

from .browser import FetchRequest, FetchWarning, Verdict
from .browser.http import HeaderItems


class FetchResult(Protocol):
    """What a view needs of a fetch's result (``cors_lab.FetchResult`` has it)."""

    page_origin: str
    request: FetchRequest

    @property
    def verdict(self) -> Verdict: ...
    @property
    def warnings(self) -> tuple[FetchWarning, ...]: ...
    @property
    def ok(self) -> bool: ...
    @property
    def status(self) -> int | None: ...
    @property
    def error_code(self) -> str | None: ...
    @property
    def console_message(self) -> str | None: ...
    @property
    def fix(self) -> str | None: ...


__all__ = ["fetch_result_html", "headers_html", "js_call"]

_GREEN, _RED, _GREY = "#1a7f37", "#cf222e", "#57606a"
_CORS_PREFIXES = ("access-control-", "origin", "vary")


def _e(value: object) -> str:
    return html.escape(str(value))


def headers_html(headers: HeaderItems) -> str:
    """Headers one per line, the CORS ones in bold (the ones to look at)."""
    rows = []
    for name, value in headers:
        style = "font-weight:bold;color:#0550ae" if name.lower().startswith(_CORS_PREFIXES) else f"color:{_GREY}"
        rows.append(f'<div style="{style}">{_e(name)}: {_e(value)}</div>')
    return "".join(rows) or f'<div style="color:{_GREY}">(no headers)</div>'


def _arrow(left_to_right: bool, label: str, detail: str = "", colour: str = "inherit") -> str:
    line = f'<span style="color:{colour}">{"&#x2500;" * 3}{"&#x25B6;" if left_to_right else ""}</span>'
    if not left_to_right:
        line = f'<span style="color:{colour}">&#x25C0;{"&#x2500;" * 3}</span>'
    body = f"<div><b>{label}</b></div>"
    if detail:
        body += (
            f'<details><summary style="cursor:pointer;color:{_GREY}">headers</summary>'
            f'<div style="font-family:monospace;font-size:90%">{detail}</div></details>'
        )
    return f"<td style='text-align:center;white-space:nowrap'>{line}</td><td style='text-align:left'>{body}</td>"


def js_call(result: FetchResult) -> str:
    """The fetch() call the page made, written as JavaScript (every string a valid JS literal)."""
    request = result.request
    options = []
    if request.method.upper() != "GET":
        options.append(f"method: {_js(request.method)}")
    if request.headers:
        options.append("headers: {" + ", ".join(f"{_js(n)}: {_js(v)}" for n, v in request.headers) + "}")
    if request.body:
        options.append(f"body: {_js(request.body.decode('utf-8', 'replace'))}")
    if request.credentials != "same-origin":
        options.append(f"credentials: {_js(request.credentials)}")
    return f"fetch({_js(request.url)}" + (", {" + ", ".join(options) + "})" if options else ")")


def _js(value: str) -> str:
    """A JavaScript string literal (JSON's string syntax is valid JavaScript)."""
    return json.dumps(value, ensure_ascii=False)


def fetch_result_html(result: FetchResult) -> str:
    """A page / browser / server sequence diagram, the verdict and the console message."""
    verdict = result.verdict
    request = result.request
    lane = f'<td style="text-align:center;color:{_GREY}">&#x2502;</td>'
    blank = "<td></td>"
    rows = [
        f"<tr><th>Page<br><code>{_e(result.page_origin)}</code></th><th></th><th></th><th>Browser</th>"
        f"<th></th><th></th><th>Server</th></tr>",
        f"<tr>{lane}{_arrow(True, '<code>' + _e(js_call(result)) + '</code>')}{lane}{blank * 2}{lane}</tr>",
    ]
    for exchange in verdict.exchanges:
        sent = exchange.request
        kind = "preflight " if sent.kind == "preflight" else ""
        label = f"{kind}{_e(sent.method)} {_e(sent.url)}"
        rows.append(f"<tr>{lane}{blank * 2}{lane}{_arrow(True, label, headers_html(sent.headers))}{lane}</tr>")
        if exchange.response is None:
            rows.append(f"<tr>{lane}{blank * 2}{lane}{_arrow(False, 'no answer', '', _RED)}{lane}</tr>")
            continue
        reply = exchange.response
        status_colour = _GREEN if 200 <= reply.status < 300 else _GREY if reply.status < 400 else _RED
        label = f"{reply.status} {_e(reply.reason)}"
        detail = headers_html(reply.headers)
        if reply.body:
            detail += f'<div style="color:{_GREY}">body: {_e(reply.text[:200])}</div>'
        rows.append(f"<tr>{lane}{blank * 2}{lane}{_arrow(False, label, detail, status_colour)}{lane}</tr>")
    if result.ok:
        outcome = f"resolves: status {result.status}"
        colour = _GREEN
    else:
        outcome = "rejects: TypeError: Failed to fetch"
        colour = _RED
    rows.append(f"<tr>{lane}{_arrow(False, outcome, '', colour)}{lane}{blank * 2}{lane}</tr>")

    banner_text = "Allowed" if result.ok else f"Blocked ({_e(result.error_code)})"
    parts = [
        f'<div class="cors-lab-fetch" style="border-left:4px solid {colour};padding-left:8px">',
        f'<div style="color:{colour};font-weight:bold">{banner_text}: {_e(request.method)} {_e(verdict.url)} '
        f"from {_e(result.page_origin)}</div>",
        f'<table style="border-collapse:collapse">{"".join(rows)}</table>',
    ]
    if result.console_message:
        parts.append(
            f'<div style="font-family:monospace;background:#ffebe9;color:{_RED};padding:4px">'
            f"&#x2716; {_e(result.console_message)}</div>"
        )
    if result.fix:
        parts.append(f"<div><b>Fix:</b> {_e(result.fix)}</div>")
    for warning in result.warnings:
        parts.append(f'<div style="color:#9a6700">&#x26A0; <b>Note:</b> {_e(warning.message)}</div>')
    steps = "".join(
        f"<li>{'&#x2714;' if s.passed else '&#x2716;' if s.passed is False else '&#x2022;'} {_e(s.title)}"
        + (f": <span style='color:{_GREY}'>{_e(s.detail)}</span>" if s.detail else "")
        + "</li>"
        for s in verdict.steps
    )
    parts.append(
        f'<details><summary style="cursor:pointer">What the browser checked</summary>'
        f'<ul style="list-style:none">{steps}</ul></details></div>'
    )
    return "".join(parts)
