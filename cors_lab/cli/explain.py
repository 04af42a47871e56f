"""``cors-lab explain``: a pasted CORS console message (Chromium, Firefox or Safari) decoded into its cause and fix.

Exit codes: 0 the message was decoded, 2 it is not a CORS message cors-lab knows (or bad usage).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from ._app import EXIT_USAGE, app, err, fail, out

__all__ = ["explain"]

#: The request assumed for a preflight failure whose message does not say what needed the preflight.
ASSUMED_PREFLIGHTED = ("POST", (("Content-Type", "application/json"),))


@app.command()
def explain(
    message: str | None = typer.Argument(
        None, help="The console message, in quotes; read from standard input when left out (or '-')."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print engine, api, code, url, origin, causes and fix as JSON."),
    target: str | None = typer.Option(
        None, "--app", help="Re-run the request the message describes against this app, in-process: MODULE:ATTR."
    ),
    factory: bool = typer.Option(False, "--factory", help="With --app: MODULE:ATTR is a function returning the app."),
    app_dir: Path | None = typer.Option(None, "--app-dir", help="With --app: look for the module in this folder."),
    origin: str | None = typer.Option(
        None, "--origin", "-o", help="With --app: the page's origin, when the message does not name it (Firefox)."
    ),
    url: str | None = typer.Option(None, "--url", help="With --app: the URL, when the message does not name it."),
    method: str | None = typer.Option(None, "--method", "-X", help="With --app: the request's method."),
    header: list[str] = typer.Option([], "--header", "-H", help='With --app: a request header, "Name: value".'),
    credentials: bool = typer.Option(False, "--credentials", help="With --app: the request sends credentials."),
) -> None:
    """Decode a browser's CORS error message: the engine, the failing check, its likely causes in FastAPI, the fix.

    Paste the console line (or several) of Chromium, Firefox or Safari, or the error the script got.
    Exit code: 0 decoded, 2 not a CORS message cors-lab knows (or bad usage).

    Example: cors-lab explain "Access to fetch at 'http://localhost:8000/items' from origin
    'http://localhost:3000' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is
    present on the requested resource." --app main:app
    """
    from ..explain import NotACorsMessageError, explain_message

    if target is None and (factory or app_dir is not None or origin or url or method or header or credentials):
        raise fail(
            "--factory, --app-dir, --origin, --url, --method, --header and --credentials go with --app MODULE:ATTR"
        )
    text = _message(message)
    try:
        explanation = explain_message(text)
    except NotACorsMessageError as error:
        err.print(f"[bold red]error:[/] {escape(str(error))}")
        raise typer.Exit(EXIT_USAGE) from None
    rerun = None
    if target is not None:
        from ._load import load_app

        asgi = load_app(target, factory=factory, app_dir=app_dir)
        rerun = _rerun(explanation, asgi, target, origin, url, method, header, credentials)
    if as_json:
        data = explanation.as_json()
        if rerun is not None:
            data["app"] = rerun
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    _print(explanation, rerun)


def _message(message: str | None) -> str:
    if message is not None and message != "-":
        text = message
    elif sys.stdin is None or sys.stdin.isatty():
        raise fail(
            'give the message: cors-lab explain "Access to fetch at ...", or pipe it in: pbpaste | cors-lab explain'
        )
    else:
        text = sys.stdin.read()
    if not text.strip():
        raise fail("the message is empty: paste the browser's console line, in quotes, or pipe it in")
    return text


def _rerun(
    explanation: Any,
    asgi: Any,
    target: str,
    origin: str | None,
    url: str | None,
    method: str | None,
    header: list[str],
    credentials: bool,
) -> dict[str, Any]:
    """The request the message describes, made against the app by the model; what it decides."""
    from ..browser.failures import FailureCode as C
    from ..driver import Browser
    from .check import _headers

    code = explanation.code
    page = origin or explanation.origin
    if page is None or page == "null":
        raise fail(
            "the message does not name the page's origin (Firefox's and the scripts' errors do not): give it with "
            "--origin, e.g. --origin http://localhost:3000"
        )
    where = url or explanation.url
    if where is None or not where.startswith(("http://", "https://")):
        raise fail("the message names no http(s) URL: give the URL the page fetched with --url")
    headers = list(_headers(header))
    assumed = []
    if method is None and code is C.METHOD_DISALLOWED_BY_PREFLIGHT_RESPONSE and explanation.parameter:
        method = explanation.parameter
    if not header and code is C.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE and explanation.parameter:
        headers.append((explanation.parameter, "1"))
    if code.at_preflight and method is None and not headers:
        method, extra = ASSUMED_PREFLIGHTED
        headers.extend(extra)
        assumed.append(
            "the message does not say what needed the preflight: assumed a JSON POST (give --method and --header "
            "to match yours)"
        )
    credentialed = credentials or code.base in (C.WILDCARD_ORIGIN_NOT_ALLOWED, C.INVALID_ALLOW_CREDENTIALS)
    try:
        browser = Browser(page, app=asgi)
    except ValueError as error:
        raise fail(f"--origin {error}") from None
    with browser:
        try:
            result = browser.fetch(
                where,
                method=method or "GET",
                headers=headers,
                credentials="include" if credentialed else "same-origin",
            )
        except ValueError as error:
            raise fail(str(error)) from None
    failure = result.verdict.failure
    request = f"{method or 'GET'} {where} from {page}" + (" with credentials" if credentialed else "")
    if headers:
        request += " (" + ", ".join(f"{name}: {value}" for name, value in headers) + ")"
    if result.ok:
        applies = (
            f"{target} lets this request through: the message came from another server (a proxy, an older "
            "deployment, the wrong port), or from another request (its method, headers or credentials)."
        )
    elif failure is None:
        applies = f"{target} gives no response: {result.verdict.network_error or 'the request fails'}."
    else:
        same = "the same failure" if failure.code is code else f"a different failure ({failure.code})"
        applies = f"{target} gives {same}: {failure.explanation} {failure.fix}".strip()
    return {
        "app": target,
        "request": request,
        "verdict": "allowed" if result.ok else "blocked",
        "code": failure.code.value if failure is not None else None,
        "same": failure is not None and failure.code is code,
        "applies": applies,
        "assumed": assumed,
    }


def _print(explanation: Any, rerun: dict[str, Any] | None) -> None:
    api = {"fetch": "fetch()", "xhr": "XMLHttpRequest"}.get(explanation.api or "", "")
    out.print(f"[bold]{escape(explanation.engine)}[/]{', ' + api if api else ''}: [bold]{explanation.code}[/]")
    if explanation.url:
        out.print(f"  URL:    {escape(explanation.url)}")
    if explanation.origin:
        out.print(f"  origin: {escape(explanation.origin)}")
    out.print("Likely causes, most likely first:")
    for number, cause in enumerate(explanation.causes, 1):
        out.print(f"  {number}. {escape(cause)}")
    out.print(f"[bold]Fix:[/] {escape(explanation.fix)}")
    if rerun is not None:
        out.print(f"Re-run against {escape(rerun['app'])}: {escape(rerun['request'])}")
        for note in rerun["assumed"]:
            out.print(f"  [yellow]note:[/] {escape(note)}")
        verdict = rerun["verdict"] + (f", {rerun['code']}" if rerun["code"] else "")
        out.print(f"  the model: [bold]{escape(verdict)}[/]")
        out.print(f"  {escape(rerun['applies'])}")
