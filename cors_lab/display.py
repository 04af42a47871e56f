"""HTML views for notebooks: what DevTools would show for a fetch, as a small sequence diagram."""

from __future__ import annotations

import html
import json
from typing import Protocol

from .browser import FetchRequest, FetchWarning, Verdict
from .browser.http import HeaderItems, is_cors_header
from .palette import GREEN, GREY, LINK, RED, RED_BACKGROUND, YELLOW


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


def _e(value: object) -> str:
    return html.escape(str(value))


def headers_html(headers: HeaderItems) -> str:
    """Headers one per line, the CORS ones in bold (the ones to look at)."""
    rows = []
    for name, value in headers:
        style = f"font-weight:bold;color:{LINK}" if is_cors_header(name) else f"color:{GREY}"
        rows.append(f'<div style="{style}">{_e(name)}: {_e(value)}</div>')
    return "".join(rows) or f'<div style="color:{GREY}">(no headers)</div>'


# The three lifelines, as a share of the diagram's width (SVG lengths in percent follow the width).
_LANES = {"page": 12, "browser": 50, "server": 88}
_ROW_HEIGHT = 34


def _lifelines(height: int) -> str:
    return "".join(
        f'<line x1="{x}%" x2="{x}%" y1="0" y2="{height}" stroke="{GREY}" stroke-dasharray="4 3"/>'
        for x in _LANES.values()
    )


def _message(source: str, target: str, label: str, colour: str, detail: str = "", note: str = "") -> str:
    """One message of the sequence diagram: an arrow from one lifeline to another, its label on the arrow,
    then (below, across the whole width) what it carried: the full call or URL and its headers."""
    x1, x2 = _LANES[source], _LANES[target]
    left, right = min(x1, x2), max(x1, x2)
    tip = 6 if x2 > x1 else -6
    # The arrowhead is drawn as a small polygon in pixels next to the target, which works at any width.
    svg = (
        f'<svg class="cors-lab-arrow" width="100%" height="{_ROW_HEIGHT}" role="img" '
        f'aria-label="{_e(source)} to {_e(target)}: {_e(label)}" style="display:block;overflow:visible">'
        f"{_lifelines(_ROW_HEIGHT)}"
        f'<line x1="{left}%" x2="{right}%" y1="26" y2="26" stroke="{colour}" stroke-width="2"/>'
        f'<svg x="{x2}%" y="20" overflow="visible"><polygon points="0,6 {-tip},0 {-tip},12" fill="{colour}"/></svg>'
        f'<text x="{(left + right) / 2}%" y="18" text-anchor="middle" font-size="13" font-weight="bold" '
        f'fill="{colour}">{_e(label)}</text></svg>'
    )
    body = ""
    if note:
        body += f'<div style="font-family:monospace;font-size:90%;overflow-wrap:anywhere">{note}</div>'
    if detail:
        body += (
            f'<details><summary style="cursor:pointer;color:{GREY}">headers</summary>'
            f'<div style="font-family:monospace;font-size:90%;overflow-wrap:anywhere;padding:2px 0 4px 1em">'
            f"{detail}</div></details>"
        )
    if body:
        body = f'<div style="margin:0 2% 0 2%;padding:0 4px;border-left:3px solid {colour}">{body}</div>'
    return f'<div class="cors-lab-message">{svg}{body}</div>'


def js_call(result: FetchResult) -> str:
    """The call the page made, written as JavaScript (every string a valid JS literal): a fetch(),
    or the XMLHttpRequest lines."""
    request = result.request
    body = request.body.decode("utf-8", "replace") if request.body else None
    if request.api == "xhr":
        lines = ["const xhr = new XMLHttpRequest();", f"xhr.open({_js(request.method)}, {_js(request.url)});"]
        lines += [f"xhr.setRequestHeader({_js(n)}, {_js(v)});" for n, v in request.headers]
        if request.credentials == "include":
            lines.append("xhr.withCredentials = true;")
        lines.append(f"xhr.send({_js(body)});" if body is not None else "xhr.send();")
        return " ".join(lines)
    options = []
    if request.method.upper() != "GET":
        options.append(f"method: {_js(request.method)}")
    if request.headers:
        options.append("headers: {" + ", ".join(f"{_js(n)}: {_js(v)}" for n, v in request.headers) + "}")
    if body is not None:
        options.append(f"body: {_js(body)}")
    if request.credentials != "same-origin":
        options.append(f"credentials: {_js(request.credentials)}")
    if request.mode != "cors":
        options.append(f"mode: {_js(request.mode)}")
    if request.redirect != "follow":
        options.append(f"redirect: {_js(request.redirect)}")
    return f"fetch({_js(request.url)}" + (", {" + ", ".join(options) + "})" if options else ")")


def _origin_of(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else url


def _path_of(url: str) -> str:
    _, _, rest = url.partition("://")
    path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return path if len(path) <= 40 else path[:39] + "\u2026"


def _js(value: str) -> str:
    """A JavaScript string literal (JSON's string syntax is valid JavaScript)."""
    return json.dumps(value, ensure_ascii=False)


def _is_network_error(result: FetchResult) -> bool:
    """The fetch failed for a reason that is not CORS (the server could not be reached, a bad redirect)."""
    return not result.ok and result.verdict.network_error is not None


def _not_cors(result: FetchResult) -> str:
    """What a failure that is not CORS is, for the banner ('' for a CORS failure)."""
    failure = result.verdict.failure
    if failure is None or failure.code.is_cors:
        return ""
    if failure.code.kind == "mixed-content":
        return "Mixed content, blocked before sending"
    if failure.code.kind == "network":
        return f"Network error ({failure.parameter})"
    return f"Refused ({result.error_code})"


def fetch_result_html(result: FetchResult) -> str:
    """A page / browser / server sequence diagram, the verdict and the console message."""
    verdict = result.verdict
    request = result.request
    heads = "".join(
        f'<text x="{x}%" y="16" text-anchor="middle" font-size="13" font-weight="bold">{name}</text>'
        for name, x in zip(("Page", "Browser", "Server"), _LANES.values(), strict=True)
    )
    header = (
        f'<svg width="100%" height="44" style="display:block">{heads}'
        f'<text x="{_LANES["page"]}%" y="32" text-anchor="middle" font-size="11" fill="{GREY}">'
        f"{_e(result.page_origin)}</text>"
        f'<text x="{_LANES["server"]}%" y="32" text-anchor="middle" font-size="11" fill="{GREY}">'
        f"{_e(_origin_of(verdict.url))}</text>"
        f'<g transform="translate(0,36)">{_lifelines(8)}</g></svg>'
    )
    rows = [
        header,
        _message(
            "page",
            "browser",
            "XMLHttpRequest" if result.request.api == "xhr" else "fetch()",
            "currentColor",
            note=_e(js_call(result)),
        ),
    ]
    for exchange in verdict.exchanges:
        sent = exchange.request
        kind = " (preflight)" if sent.kind == "preflight" else ""
        rows.append(
            _message(
                "browser",
                "server",
                f"{sent.method} {_path_of(sent.url)}{kind}",
                LINK,
                headers_html(sent.headers),
                note=f"{'preflight ' if kind else ''}{_e(sent.method)} {_e(sent.url)}",
            )
        )
        if exchange.response is None:
            rows.append(_message("server", "browser", "no answer", RED))
            continue
        reply = exchange.response
        status_colour = GREEN if 200 <= reply.status < 300 else GREY if reply.status < 400 else RED
        detail = headers_html(reply.headers)
        if reply.body:
            detail += f'<div style="color:{GREY}">body: {_e(reply.text[:200])}</div>'
        rows.append(_message("server", "browser", f"{reply.status} {reply.reason}".strip(), status_colour, detail))
    network_error = _is_network_error(result)
    js_error = result.verdict.js_error
    if result.ok:
        outcome = f"resolves: status {result.status}"
        if result.verdict.response_type in ("opaque", "opaqueredirect"):
            outcome += f" ({result.verdict.response_type}: nothing readable)"
        colour = GREEN
    else:
        outcome = f"throws: {js_error}" if result.verdict.api == "xhr" and js_error else f"rejects: {js_error}"
        if not js_error:
            outcome = "error event: status 0"
        colour = RED
    rows.append(_message("browser", "page", outcome, colour))
    rows.append(f'<svg width="100%" height="8" style="display:block">{_lifelines(8)}</svg>')

    if result.ok and result.verdict.response_type in ("opaque", "opaqueredirect"):
        banner_text = f"Opaque response ({result.verdict.response_type}): the page can read nothing"
    elif result.ok:
        banner_text = "Allowed"
    elif network_error or _not_cors(result):  # not a CORS decision: never call it "Blocked by CORS"
        banner_text = f"{_e(_not_cors(result))}, not CORS"
    else:
        banner_text = f"Blocked ({_e(result.error_code)})"
    parts = [
        f'<div class="cors-lab-fetch" style="border-left:4px solid {colour};padding-left:8px;line-height:1.4">',
        f'<div style="color:{colour};font-weight:bold">{banner_text}: {_e(request.method)} {_e(verdict.url)} '
        f"from {_e(result.page_origin)}</div>",
        f'<div class="cors-lab-sequence" style="max-width:60em;margin:4px 0">{"".join(rows)}</div>',
    ]
    if result.console_message:
        parts.append(
            f'<div style="font-family:monospace;background:{RED_BACKGROUND};color:{RED};padding:4px">'
            f"&#x2716; {_e(result.console_message)}</div>"
        )
    if result.fix:
        parts.append(f"<div><b>Fix:</b> {_e(result.fix)}</div>")
    for warning in result.warnings:
        parts.append(f'<div style="color:{YELLOW}">&#x26A0; <b>Note:</b> {_e(warning.message)}</div>')
    steps = "".join(
        f"<li>{'&#x2714;' if s.passed else '&#x2716;' if s.passed is False else '&#x2022;'} {_e(s.title)}"
        + (f": <span style='color:{GREY}'>{_e(s.detail)}</span>" if s.detail else "")
        + "</li>"
        for s in verdict.steps
    )
    parts.append(
        f'<details><summary style="cursor:pointer">What the browser checked</summary>'
        f'<ul style="list-style:none">{steps}</ul></details></div>'
    )
    return "".join(parts)
