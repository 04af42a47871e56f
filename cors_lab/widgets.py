"""Widgets for the lessons. Each is a class that tests (and curious learners) can drive from Python:
set its fields, call ``send()`` or ``update()``, read ``result``. Bad input is shown inside the widget,
never raised. ``repr()`` is a one-line summary, which is what nbval compares and what a notebook
shows where widgets do not render (GitHub, nbconvert).
"""

from __future__ import annotations

import html
import threading
import weakref
from typing import Any

import ipywidgets as w

from .auditing import Finding, audit, audit_env
from .browser import FetchRequest, normalize_method, preflight_reasons
from .browser.engines import engine_named
from .browser.http import parse_header_line
from .browser.machine import Fetch
from .config import CorsConfig, CorsConfigError, split_list
from .demo import demo_api
from .driver import Browser, FetchResult
from .explain import Explanation, NotACorsMessageError, explain_message
from .origins import OriginComparison, OriginError, compare_origins
from .palette import BORDER, GREEN, GREY, RED, YELLOW
from .servers import LoggedRequest, PortInUseError, Server, running_servers, serve
from .side_by_side import EngineComparison, compare_engines

__all__ = ["CorsPlayground", "EnvConfigPlayground", "OriginComparer", "PasteYourError", "PreflightExplorer"]

_ERROR_STYLE = f"color:{RED};font-weight:bold"
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
_CREDENTIALS = ["same-origin", "include", "omit"]
_CALLS = [("fetch()", "fetch"), ("XMLHttpRequest", "xhr"), ("axios", "axios")]
_SEND = {"fetch": "Send fetch()", "xhr": "Send XMLHttpRequest", "axios": "Send axios()"}
_ENGINE_CHOICES = [
    ("Chromium", "chromium"),
    ("Firefox", "firefox"),
    ("WebKit (Safari)", "webkit"),
    ("all three, side by side", "all"),
]


# ipywidgets gives widget HTML a 28 px line-height (one form row): text inside reads double-spaced without this.
_TEXT_STYLE = "line-height:1.4;white-space:normal"


def _text(content: str) -> str:
    """HTML for a widget's HTML field, at a normal line-height."""
    return f'<div style="{_TEXT_STYLE}">{content}</div>'


def _error_html(message: str) -> str:
    return _text(f'<div style="{_ERROR_STYLE}">&#x26A0; {html.escape(message)}</div>')


STOPPED_MESSAGE = "this widget's server was stopped: re-run this cell"

# Which widget last started a server under each name: a widget whose name was taken by a newer one
# (the cell was run again) must not take it back when it restarts after stop_all().
_owners: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
_owners_lock = threading.Lock()


def claim_server_name(name: str, owner: object) -> None:
    """Record that ``owner`` (a widget) now serves under ``name``."""
    with _owners_lock:
        _owners[name] = owner


def owns_server_name(name: str, owner: object) -> bool:
    """True while no newer widget has claimed ``name``."""
    with _owners_lock:
        return _owners.get(name) is owner


def parse_header_lines(text: str) -> list[tuple[str, str]]:
    """ "Name: value" lines (as in DevTools) into pairs; a ValueError names the bad line."""
    headers = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                headers.append(parse_header_line(line))
            except ValueError as error:
                raise ValueError(f"header line {number}: {error}") from None
    return headers


class _Readable:
    """Keeps the whole repr as the text/plain fallback (ipywidgets cuts it at 110 characters)."""

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        bundle = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        if bundle is not None:
            bundle["text/plain"] = repr(self)
        return bundle


_WIDE = {"description_width": "9em"}  # room for labels such as "allow_credentials"
_NARROW = {"description_width": "8em"}  # "Content-Type", "other headers", "environment" in full
_FILL = {"width": "auto", "max_width": "46em"}  # a field as wide as its column: two origins fit


def _columns(*boxes: w.Widget, min_width: str = "30em") -> w.GridBox:
    """Side by side where there is room, one below the other where there is not (nothing is cut off)."""
    return w.GridBox(
        list(boxes),
        layout=w.Layout(
            grid_template_columns=f"repeat(auto-fit, minmax(min(100%, {min_width}), 1fr))",
            grid_gap="4px 16px",
            width="auto",
        ),
    )


def _label(text: str) -> w.HTML:
    return w.HTML(f"<b>{html.escape(text)}</b>")


# --- origins -----------------------------------------------------------------------------------------


class OriginComparer(_Readable, w.VBox):
    """Two URLs; says whether they are the same origin and which part differs."""

    def __init__(self, a: str = "http://localhost:3000/app", b: str = "http://localhost:8000/users") -> None:
        self.url_a = w.Text(value=a, description="page URL", style=_NARROW, layout=w.Layout(**_FILL))
        self.url_b = w.Text(value=b, description="request URL", style=_NARROW, layout=w.Layout(**_FILL))
        self.output = w.HTML(layout=w.Layout(width="auto"))
        self.result: OriginComparison | None = None
        self.error: str | None = None
        super().__init__([self.url_a, self.url_b, self.output])
        for field in (self.url_a, self.url_b):
            field.observe(lambda _change: self.update(), names="value")
        self.update()

    def update(self) -> None:
        try:
            self.result, self.error = compare_origins(self.url_a.value, self.url_b.value), None
            self.output.value = _text(self.result._repr_html_())
        except OriginError as error:
            self.result, self.error = None, str(error)
            self.output.value = _error_html(self.error)

    def __repr__(self) -> str:
        if self.error:
            return f"OriginComparer: {self.error}"
        assert self.result is not None
        verdict = "same origin" if self.result.same_origin else "cross-origin"
        return f"OriginComparer: {self.url_a.value} vs {self.url_b.value} -> {verdict}: {self.result.explanation}"


# --- the playground ------------------------------------------------------------------------------------


class CorsPlayground(_Readable, w.VBox):
    """Server settings on the left, a request on the right, and one button that sends it live.

    The backend is the tutorial's ``demo_api`` on a real server (``serve``); changing a setting
    swaps the app in place, so the URL stays the same. ``send()`` runs the request through
    ``Browser`` and shows the exchanges, the verdict, Chromium's console message and the fix.
    The server log below lists every request the server received (preflights included).

    When ``cors_lab.stop_all()`` has stopped the server (every lesson ends with it), the next
    ``send()`` starts it again, so the widget keeps working after Run All. When the widget was
    closed, or a later cell started another server under its name, it says so and sends nothing.
    """

    def __init__(
        self,
        origin: str = "http://localhost:3000",
        *,
        cors: CorsConfig | None = None,
        path: str = "/users",
        method: str = "GET",
        headers: str = "",
        json_body: bool = False,
        credentials: str = "same-origin",
        name: str = "playground",
    ) -> None:
        cors = cors or CorsConfig(allow_origins=[origin])
        self.name = name
        claim_server_name(name, self)  # first: a widget this one replaces then knows it
        self.server: Server = serve(demo_api(cors), name=name)
        # localhost, like the default page origin: the same site, so a login cookie works as in the lessons.
        self.api_url = f"http://localhost:{self.server.port}"
        self.stopped: str | None = None  # why the widget can no longer send, once it cannot
        self._closed = False
        self._earlier_log: list[LoggedRequest] = []  # what servers before the current one received
        self._restarts: list[str] = []

        # Server side.
        def names_field(name: str, value: Any) -> w.Text:
            return w.Text(
                value=value if isinstance(value, str) else ", ".join(value),
                description=name,
                style=_WIDE,
                layout=w.Layout(**_FILL),
            )

        self.allow_origins = names_field("allow_origins", cors.allow_origins)
        self.allow_credentials = w.Checkbox(value=cors.allow_credentials, description="allow_credentials", style=_WIDE)
        self.allow_methods = names_field("allow_methods", cors.allow_methods)
        self.allow_headers = names_field("allow_headers", cors.allow_headers)
        self.expose_headers = names_field("expose_headers", cors.expose_headers)
        self.server_notes = w.HTML(layout=w.Layout(width="auto"))
        # Request side.
        field = {"style": _WIDE, "layout": w.Layout(**_FILL)}
        self.origin = w.Text(value=origin, description="page origin", **field)
        self.path = w.Combobox(
            value=path,
            options=["/users", "/users/1", "/me", "/login", "/boom", "/items", "/items/"],
            description="path",
            **field,
        )
        self.method = w.Dropdown(value=method, options=_METHODS, description="method", **field)
        self.headers = w.Textarea(
            value=headers, description="headers", placeholder="Name: value, one per line", **field
        )
        self.json_body = w.Checkbox(value=json_body, description="JSON body", style=_WIDE)
        self.credentials = w.Dropdown(value=credentials, options=_CREDENTIALS, description="credentials", **field)
        self.call = w.Dropdown(value="fetch", options=_CALLS, description="the page uses", **field)
        self.engine = w.Dropdown(value="chromium", options=_ENGINE_CHOICES, description="browser", **field)
        self.send_button = w.Button(description=_SEND["fetch"], button_style="primary", icon="paper-plane")
        self.comparison: EngineComparison | None = None
        self.server_log = w.HTML(layout=w.Layout(width="auto"))
        self.output = w.HTML(layout=w.Layout(width="auto"))
        self.result: FetchResult | None = None
        self.error: str | None = None
        self._browser: Browser | None = None
        for setting in (
            self.allow_origins,
            self.allow_credentials,
            self.allow_methods,
            self.allow_headers,
            self.expose_headers,
        ):
            setting.observe(lambda _change: self.apply_settings(), names="value")
        for changed in (self.origin, self.engine):
            changed.observe(lambda _change: self._forget_browser(), names="value")
        self.call.observe(lambda change: setattr(self.send_button, "description", _SEND[change["new"]]), names="value")
        self.send_button.on_click(lambda _button: self.send())
        server_box = w.VBox(
            [
                _label("FastAPI: CORSMiddleware"),
                self.allow_origins,
                self.allow_credentials,
                self.allow_methods,
                self.allow_headers,
                self.expose_headers,
                self.server_notes,
            ],
            layout=w.Layout(min_width="0"),
        )
        request_box = w.VBox(
            [
                _label("Browser: fetch()"),
                self.origin,
                self.path,
                self.method,
                self.headers,
                self.json_body,
                self.credentials,
                self.call,
                self.engine,
                self.send_button,
            ],
            layout=w.Layout(min_width="0"),
        )
        super().__init__([_columns(server_box, request_box), self.server_log, self.output])
        self.apply_settings()
        self._show_log()

    @property
    def config(self) -> CorsConfig:
        return CorsConfig(
            allow_origins=split_list(self.allow_origins.value),
            allow_credentials=self.allow_credentials.value,
            allow_methods=split_list(self.allow_methods.value),
            allow_headers=split_list(self.allow_headers.value),
            expose_headers=split_list(self.expose_headers.value),
        )

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request this widget's server received, oldest first (across restarts)."""
        return self._earlier_log + self.server.requests

    def apply_settings(self) -> list[Finding]:
        """Swap the served app for one with the current settings; show what audit says about them."""
        config = self.config
        self.server.swap(demo_api(config))  # a stopped server keeps it too: a restart serves this app
        findings = [f for f in audit(config) if f.severity != "info"]
        self.server_notes.value = _text("".join(f._repr_html_() for f in findings)) if findings else ""
        return findings

    def send(self) -> FetchResult | None:
        """Send the request as the page would; the result (or the input error) shows in the widget."""
        try:
            headers = parse_header_lines(self.headers.value)
            browser = self._page()
        except (ValueError, OriginError) as error:
            self.result, self.error = None, str(error)
            self.output.value = _error_html(self.error)
            return None
        if not self._server_up():
            assert self.stopped is not None
            self.result, self.error = None, self.stopped
            self.output.value = _error_html(self.stopped)  # no verdict: nothing was sent
            self._show_log()
            return None
        try:
            url, options = self.api_url + _path(self.path.value), self._call_options(headers)
            self.comparison = None
            if self.engine.value == "all":
                self.comparison = compare_engines(self.origin.value, url, call=self.call.value, **options)
                self.result = self.comparison.results["chromium"]
                self.output.value = _text(self.comparison._repr_html_())
            else:
                self.result = getattr(browser, self.call.value)(url, **options)
                self.output.value = _text(self.result._repr_html_())
            self.error = None
        except (ValueError, OriginError) as error:
            self.result, self.error = None, str(error)
            self.output.value = _error_html(self.error)
        self._show_log()
        return self.result

    def _call_options(self, headers: list[tuple[str, str]]) -> dict[str, Any]:
        """The request's options as ``Browser.fetch``, ``.xhr`` or ``.axios`` takes them."""
        body = {"name": "x"} if self.json_body.value else None
        if self.call.value == "fetch":
            return {
                "method": self.method.value,
                "headers": headers,
                "json": body,
                "credentials": self.credentials.value,
            }
        with_credentials = self.credentials.value == "include"
        if self.call.value == "xhr":
            return {"method": self.method.value, "headers": headers, "json": body, "with_credentials": with_credentials}
        return {
            "method": self.method.value.lower(),
            "headers": dict(headers),
            "data": body,
            "with_credentials": with_credentials,
        }

    def close(self) -> None:
        self._closed = True
        self.stopped = self.stopped or STOPPED_MESSAGE + " (the widget was closed)"
        self._forget_browser()
        self.server.stop()
        super().close()

    def _server_up(self) -> bool:
        """True when the server runs (started again if stop_all() stopped it); else ``stopped`` says why."""
        if self.stopped is not None:
            return False
        if self.server.running:
            return True
        if not owns_server_name(self.name, self) or any(other.name == self.name for other in running_servers()):
            self.stopped = (
                f"{STOPPED_MESSAGE} (a later cell started another server named {self.name!r}, "
                "which replaced this widget's)"
            )
            return False
        self._earlier_log += self.server.requests
        old_port = self.server.port
        try:
            try:
                self.server = serve(self.server.app, port=old_port, name=self.name)
            except PortInUseError:
                self.server = serve(self.server.app, name=self.name)
        except Exception as error:  # the server cannot be started again: say so, no verdict
            self.stopped = f"{STOPPED_MESSAGE} (it could not be started again: {error})"
            return False
        self.api_url = f"http://localhost:{self.server.port}"
        self._restarts.append(
            "The server had been stopped (cors_lab.stop_all()); the widget started it again "
            f"on port {self.server.port}."
        )
        return True

    def _show_log(self) -> None:
        self.server_log.value = _text(server_log_html(self.requests, self._restarts, self.stopped))

    def _page(self) -> Browser:
        if self._browser is None:
            engine = engine_named(self.engine.value if self.engine.value != "all" else "chromium")
            self._browser = Browser(self.origin.value, engine=engine.name)
        return self._browser

    def _forget_browser(self) -> None:
        # A new page origin: a new page, with its own cookies and cache.
        if self._browser is not None:
            self._browser.close()
        self._browser = None

    def __repr__(self) -> str:
        settings = self.config.summary()
        if self.error:
            outcome = f"{'stopped' if self.stopped else 'input error'}: {self.error}"
        elif self.result is None:
            outcome = "not sent yet"
        elif self.result.ok:
            outcome = f"allowed, status {self.result.status}"
        elif self.result.verdict.network_error is not None:
            outcome = f"network error ({self.result.error_code}), not CORS"
        else:
            outcome = f"blocked ({self.result.error_code}): {self.result.console_message}"
        if self.comparison is not None:
            outcome = "in all three engines: " + repr(self.comparison).replace("\n", "; ")
        how = "" if self.call.value == "fetch" else f" via {self.call.value}"
        how += "" if self.engine.value in ("chromium", "all") else f" in {self.engine.value}"
        return (
            f"CorsPlayground: {self.method.value} {self.path.value} from {self.origin.value} "
            f"(credentials {self.credentials.value}){how} with {settings} -> {outcome}"
        )


def server_log_html(
    requests: list[LoggedRequest], notes: list[str] | None = None, stopped: str | None = None, limit: int = 12
) -> str:
    """The server's side: every request it received (OPTIONS included) and the status it answered."""
    rows = []
    for entry in requests[-limit:]:
        if entry.status is None:
            status, colour = "no answer", RED
        else:
            status = str(entry.status)
            colour = GREEN if 200 <= entry.status < 300 else GREY if entry.status < 400 else RED
        origin = html.escape(entry.origin) if entry.origin else "(no Origin)"
        rows.append(
            f"<tr><td>{html.escape(entry.method)}</td><td>{html.escape(entry.target)}</td>"
            f'<td style="color:{colour};font-weight:bold">{status}</td><td style="color:{GREY}">{origin}</td></tr>'
        )
    earlier = len(requests) - limit
    body = (
        (f'<div style="color:{GREY}">({earlier} earlier not shown)</div>' if earlier > 0 else "")
        + '<table style="font-family:monospace;font-size:90%;border-collapse:separate;'
        + 'border-spacing:12px 0;margin-left:-12px">'
        + "<tr><th align=left>method</th><th align=left>path</th><th align=left>answered</th>"
        + "<th align=left>Origin</th></tr>"
        + "".join(rows)
        + "</table>"
        if rows
        else f'<div style="color:{GREY}">No requests yet.</div>'
    )
    extra = "".join(f'<div style="color:{GREY}">{html.escape(note)}</div>' for note in notes or [])
    if stopped:
        extra += f'<div style="color:{RED}">{html.escape(stopped)}</div>'
    return (
        f'<div class="cors-lab-server-log" style="border:1px solid {BORDER};padding:4px 8px;margin-top:4px">'
        f"<b>Server log</b> <span style='color:{GREY}'>(what the server received, and what it answered; "
        f"the browser may hide the answer from the page)</span>{body}{extra}</div>"
    )


def _path(value: str) -> str:
    value = value.strip() or "/"
    return value if value.startswith("/") else "/" + value


# --- preflight explorer -----------------------------------------------------------------------------------


class PreflightExplorer(_Readable, w.VBox):
    """Build a request and see whether the browser preflights it, why, and the OPTIONS it would send."""

    def __init__(
        self,
        method: str = "GET",
        content_type: str = "",
        headers: str = "",
        credentials: str = "same-origin",
        origin: str = "http://localhost:3000",
        url: str = "http://localhost:8000/users",
    ) -> None:
        field = {"style": _NARROW, "layout": w.Layout(**_FILL)}
        self.method = w.Dropdown(value=method, options=_METHODS, description="method", **field)
        self.content_type = w.Combobox(
            value=content_type,
            description="Content-Type",
            options=[
                "",
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "application/json",
                "text/plain;charset=UTF-8",
            ],
            **field,
        )
        self.headers = w.Textarea(value=headers, description="other headers", placeholder="Name: value", **field)
        self.credentials = w.Dropdown(value=credentials, options=_CREDENTIALS, description="credentials", **field)
        self.origin = origin
        self.url = url
        self.output = w.HTML(layout=w.Layout(width="auto"))
        self.reasons: list[str] = []
        self.preflight_headers: list[tuple[str, str]] = []
        self.error: str | None = None
        super().__init__([self.method, self.content_type, self.headers, self.credentials, self.output])
        for field in (self.method, self.content_type, self.headers, self.credentials):
            field.observe(lambda _change: self.update(), names="value")
        self.update()

    @property
    def needs_preflight(self) -> bool:
        return bool(self.reasons)

    def update(self) -> None:
        try:
            headers = parse_header_lines(self.headers.value)
            if self.content_type.value.strip():
                headers.append(("Content-Type", self.content_type.value.strip()))
            body = b"x" if self.method.value not in ("GET", "HEAD") else None
            request = FetchRequest(self.url, self.method.value, tuple(headers), body, self.credentials.value)
            first = Fetch(self.origin, request).next_request()
        except ValueError as error:
            self.error, self.reasons, self.preflight_headers = str(error), [], []
            self.output.value = _error_html(self.error)
            return
        self.error = None
        self.reasons = preflight_reasons(normalize_method(request.method), request.headers)
        assert first is not None
        self.preflight_headers = list(first.headers) if first.kind == "preflight" else []
        if self.reasons:
            items = "".join(f"<li>{html.escape(reason)}</li>" for reason in self.reasons)
            sent = "".join(f"<div>{html.escape(n)}: {html.escape(v)}</div>" for n, v in self.preflight_headers)
            self.output.value = _text(
                f"<b style='color:{YELLOW}'>Preflighted</b>: the browser first sends OPTIONS, "
                f"because<ul>{items}</ul><div style='font-family:monospace;overflow-wrap:anywhere'>OPTIONS "
                f"{html.escape(self.url)}{sent}</div>"
            )
        else:
            self.output.value = _text(
                f"<b style='color:{GREEN}'>Simple request</b>: no preflight; the browser sends it "
                "at once and checks Access-Control-Allow-Origin on the answer."
            )

    def __repr__(self) -> str:
        extra = f" with Content-Type: {self.content_type.value}" if self.content_type.value else ""
        if self.error:
            return f"PreflightExplorer: {self.method.value}{extra} -> input error: {self.error}"
        if not self.reasons:
            return f"PreflightExplorer: {self.method.value}{extra} -> simple request, no preflight"
        return f"PreflightExplorer: {self.method.value}{extra} -> preflight: {'; '.join(self.reasons)}"


# --- environment configuration -----------------------------------------------------------------------------


class EnvConfigPlayground(_Readable, w.VBox):
    """Environment variables in, the CorsConfig that ``from_env`` builds (or its error) and audit_env out."""

    def __init__(self, env: str = "ALLOWED_ORIGINS=http://localhost:3000") -> None:
        self.env = w.Textarea(
            value=env,
            description="environment",
            style=_NARROW,
            layout=w.Layout(width="auto", max_width="48em", height="6em"),
            placeholder="NAME=value, one per line",
        )
        self.output = w.HTML(layout=w.Layout(width="auto"))
        self.config: CorsConfig | None = None
        self.findings: list[Finding] = []
        self.error: str | None = None
        super().__init__([self.env, self.output])
        self.env.observe(lambda _change: self.update(), names="value")
        self.update()

    def environ(self) -> dict[str, str]:
        """The text as a dict; a ValueError names a line that is not NAME=value."""
        values = {}
        for number, line in enumerate(self.env.value.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            name, equals, value = line.partition("=")
            if not equals or not name.strip():
                raise ValueError(f"line {number} ({line.strip()!r}) is not NAME=value")
            values[name.strip()] = value.strip()
        return values

    def update(self) -> None:
        try:
            environ = self.environ()
            self.config = CorsConfig.from_env(environ)
            self.error = None
        except (ValueError, CorsConfigError) as error:
            self.config, self.error = None, str(error)
            environ = None
        self.findings = audit_env(environ) if environ is not None else []
        parts = (
            [_error_html(self.error)]
            if self.error
            else [f"<pre style='white-space:pre-wrap'>{html.escape(repr(self.config))}</pre>"]
        )
        parts += [f._repr_html_() for f in self.findings]
        self.output.value = _text("".join(parts))

    def __repr__(self) -> str:
        if self.error:
            return f"EnvConfigPlayground: error: {self.error}"
        assert self.config is not None
        settings = self.config.summary()
        found = ", ".join(f"{f.severity} {f.code}" for f in self.findings) or "no findings"
        return f"EnvConfigPlayground: {settings}; audit: {found}"


# --- paste your error -------------------------------------------------------------------------------------


class PasteYourError(_Readable, w.VBox):
    """A box for the console message a learner got in their own browser, and what it means.

    ``explain()`` reads it with :func:`cors_lab.explain_message`: Chromium's, Firefox's or Safari's
    words, fetch or XMLHttpRequest, today's wordings and older ones. A message it cannot read gets
    that answer in the widget, with what it looked for.
    """

    def __init__(self, message: str = "") -> None:
        self.message = w.Textarea(
            value=message,
            placeholder="Paste the red line from your browser's console here",
            layout=w.Layout(width="auto", max_width="60em", height="6em"),
        )
        self.explain_button = w.Button(description="Explain", button_style="primary", icon="search")
        self.output = w.HTML(layout=w.Layout(width="auto"))
        self.explanation: Explanation | None = None
        self.error: str | None = None
        self.explain_button.on_click(lambda _button: self.explain())
        super().__init__([_label("Your browser's console message"), self.message, self.explain_button, self.output])
        if message:
            self.explain()

    def explain(self) -> Explanation | None:
        """Decode the pasted message; the answer (or why there is none) shows in the widget."""
        try:
            self.explanation, self.error = explain_message(self.message.value), None
        except NotACorsMessageError as error:
            self.explanation, self.error = None, str(error)
            self.output.value = _error_html(self.error)
            return None
        found = self.explanation
        where = " ".join(
            part
            for part in (
                f"{found.engine}" + (f", {'XMLHttpRequest' if found.api == 'xhr' else 'fetch()'}" if found.api else ""),
                f"request to <code>{html.escape(found.url)}</code>" if found.url else "",
                f"from <code>{html.escape(found.origin)}</code>" if found.origin else "",
            )
            if part
        )
        causes = "".join(f"<li>{html.escape(cause)}</li>" for cause in found.causes)
        self.output.value = _text(
            f"<div><b>{html.escape(found.code.value)}</b>: {where}</div>"
            f"<div><b>Likely causes, most likely first:</b><ol>{causes}</ol></div>"
            f"<div><b>Fix:</b> {html.escape(found.fix)}</div>"
        )
        return found

    def __repr__(self) -> str:
        if self.error:
            return f"PasteYourError: {self.error}"
        if self.explanation is None:
            return "PasteYourError: nothing explained yet"
        found = self.explanation
        return (
            f"PasteYourError: {found.engine} says {found.code.value} ({found.url or 'no URL named'}); fix: {found.fix}"
        )
