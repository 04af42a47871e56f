"""``live_browser``: the learner's own browser in the loop.

A frontend page is served from one in-process server (the lesson's "http://localhost:3000") and
the tutorial's API from another (the lesson's "http://localhost:8000"). The page is embedded in
the notebook in an iframe; its button runs a real fetch() in the learner's browser and reports
what JavaScript saw back to the kernel, where each result is shown next to the browser model's
prediction for the same request.

When the learner's browser cannot reach the kernel's loopback servers (JupyterHub, Binder, a
remote kernel), the page never says hello; the widget says so and shows the model's prediction.
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from .config import CorsConfig
from .demo import demo_api, frontend_app
from .driver import Browser, FetchResult
from .servers import PortInUseError, Server, serve
from .widgets import _Readable, parse_header_lines

__all__ = ["LiveBrowser", "LiveReport", "live_browser"]

LESSON_FRONTEND_PORT = 3000
LESSON_BACKEND_PORT = 8000


@dataclass(frozen=True)
class LiveReport:
    """One fetch() the learner's browser made: what it saw, and what the model predicted."""

    method: str
    url: str
    credentials: str
    browser_ok: bool
    browser_status: int | None
    browser_error: str | None
    prediction: FetchResult

    @property
    def agrees(self) -> bool:
        return self.browser_ok == self.prediction.ok and (
            not self.browser_ok or self.browser_status == self.prediction.status)

    def __repr__(self) -> str:
        seen = f"resolved {self.browser_status}" if self.browser_ok else f"rejected ({self.browser_error})"
        predicted = (f"resolves {self.prediction.status}" if self.prediction.ok
                     else f"blocked ({self.prediction.error_code})")
        return (f"{self.method} {self.url}: your browser {seen}; the model says {predicted}"
                f"{'' if self.agrees else ' -- they DISAGREE'}")


def _serve_on_lesson_port(app: Any, port: int, name: str) -> Server:
    """The lesson's own port when it is free, so URLs read as in the text; any free port otherwise."""
    try:
        return serve(app, port=port, name=name)
    except (PortInUseError, PermissionError):
        return serve(app, port=0, name=name)


class LiveBrowser(_Readable, w.VBox):
    """A real page in an iframe, its fetch() results, and the model's predictions beside them."""

    def __init__(self, cors: CorsConfig | dict[str, Any] | None = None, *, path: str = "/users",
                 method: str = "GET", credentials: str = "same-origin", headers: str = "", body: str = "",
                 wait: float = 8.0, height: int = 430) -> None:
        self._lock = threading.Lock()
        self.reports: list[LiveReport] = []
        self.connected = False
        self.request_defaults = {"method": method, "credentials": credentials, "headers": headers, "body": body}
        self.backend = _serve_on_lesson_port(demo_api(), LESSON_BACKEND_PORT, "live-backend")
        self.api_url = f"http://localhost:{self.backend.port}"
        self.path = path
        self.frontend = _serve_on_lesson_port(
            frontend_app("A page on another origin", api_url=self.api_url + path, on_report=self._receive,
                         **self.request_defaults),
            LESSON_FRONTEND_PORT, "live-frontend")
        self.page_origin = f"http://localhost:{self.frontend.port}"
        self.cors = self._settle(cors)
        self._model_app = demo_api(self.cors)
        self.backend.swap(demo_api(self.cors))
        self._model = Browser(self.page_origin, app=self._model_app)
        self.status = w.HTML()
        self.table = w.HTML()
        frame = w.HTML(f'<iframe src="{html.escape(self.page_origin)}/" style="width:100%;height:{height}px;'
                       'border:1px solid #d0d7de" title="a page on another origin"></iframe>')
        intro = w.HTML(f"<b>Your browser</b>, as a page at <code>{html.escape(self.page_origin)}</code>, calling the "
                       f"API at <code>{html.escape(self.api_url)}</code> with <code>"
                       f"{html.escape(self.cors.summary() if self.cors else 'no CORSMiddleware')}</code>. "
                       "Press the button in the page; open DevTools (F12, Console) to read the browser's own "
                       "message.")
        super().__init__([intro, frame, self.status, self.table])
        self._show_status("waiting for the page to load in your browser...")
        self._render()
        self._timer = threading.Timer(wait, self._give_up_waiting)
        self._timer.daemon = True
        self._timer.start()

    def _settle(self, cors: CorsConfig | dict[str, Any] | None) -> CorsConfig | None:
        """'{page}' in allow_origins stands for the page's real origin (its port may not be 3000)."""
        if cors is None:
            return None
        settings = cors.as_kwargs() if isinstance(cors, CorsConfig) else dict(cors)
        origins = settings.get("allow_origins", ())
        if not isinstance(origins, str):
            settings["allow_origins"] = [o.replace("{page}", self.page_origin) for o in origins]
        return CorsConfig(**settings)

    def predict(self, method: str | None = None, url: str | None = None, credentials: str | None = None,
                headers: str | None = None, body: str | None = None) -> FetchResult:
        """What the browser model says the page's fetch() will do (defaults: the page's prefilled form)."""
        header_text = self.request_defaults["headers"] if headers is None else headers
        text = self.request_defaults["body"] if body is None else body
        return self._model.fetch(url or self.api_url + self.path, method=method or self.request_defaults["method"],
                                 headers=parse_header_lines(header_text), content=text or None,
                                 credentials=credentials or self.request_defaults["credentials"])

    def stop(self) -> None:
        self._timer.cancel()
        self.frontend.stop()
        self.backend.stop()

    def _receive(self, report: dict[str, Any]) -> None:
        if "loaded" in report:
            self.connected = True
            self._show_status(f"connected: your browser loaded the page from {html.escape(str(report['loaded']))}")
            return
        request, outcome = report.get("request", {}), report.get("outcome", {})
        headers = "\n".join(f"{name}: {value}" for name, value in (request.get("headers") or {}).items())
        try:
            prediction = self.predict(request.get("method", "GET"), request.get("url"), request.get("credentials"),
                                      headers, request.get("body") or "")
        except ValueError as error:
            self._show_status(f"the page sent a request the model cannot make: {html.escape(str(error))}")
            return
        entry = LiveReport(request.get("method", "GET"), request.get("url", ""), request.get("credentials", ""),
                           bool(outcome.get("ok")), outcome.get("status"), outcome.get("error"), prediction)
        with self._lock:
            self.reports.append(entry)
        self._render()

    def _give_up_waiting(self) -> None:
        if self.connected:
            return
        prediction = self.predict()
        self._show_status(
            "Your browser has not loaded the page from the kernel's server. This happens when the kernel runs "
            "elsewhere (JupyterHub, Binder, a remote machine): its localhost is not your computer. Here is what "
            f"the browser model predicts for the page's request instead:<br>{prediction._repr_html_()}", error=True)

    def _show_status(self, text: str, error: bool = False) -> None:
        colour = "#cf222e" if error else "#57606a"
        self.status.value = f'<div style="color:{colour}">{text}</div>'

    def _render(self) -> None:
        with self._lock:
            reports = list(self.reports)
        if not reports:
            self.table.value = "<i>No requests from your browser yet.</i>"
            return
        rows = "".join(
            f"<tr><td><code>{html.escape(r.method)} {html.escape(r.url)}</code><br>credentials: "
            f"{html.escape(r.credentials)}</td>"
            f"<td>{'resolved, status ' + str(r.browser_status) if r.browser_ok else html.escape(str(r.browser_error))}"
            f"</td><td>{'resolves, status ' + str(r.prediction.status) if r.prediction.ok else 'blocked: ' + html.escape(str(r.prediction.console_message))}"
            f"</td><td>{'&#x2714;' if r.agrees else '&#x2716; they disagree'}</td></tr>"
            for r in reports)
        self.table.value = ("<table><tr><th>request</th><th>your browser saw</th><th>the model predicted</th>"
                            f"<th>agree</th></tr>{rows}</table>")

    def __repr__(self) -> str:
        settings = self.cors.summary() if self.cors else "no CORSMiddleware"
        with self._lock:
            count = len(self.reports)
        seen = f"{count} request{'s' if count != 1 else ''} from your browser so far"
        return (f"LiveBrowser: a page at {self.page_origin} calls {self.api_url}{self.path} "
                f"({self.request_defaults['method']}, credentials {self.request_defaults['credentials']}) with "
                f"{settings}; {seen}")


def live_browser(cors: CorsConfig | dict[str, Any] | None = None, **options: Any) -> LiveBrowser:
    """Embed a real page in the notebook that calls the tutorial's API from another origin.

    ``cors`` is the API's CORSMiddleware settings (``'{page}'`` in allow_origins stands for the
    page's origin). Options: ``path``, ``method``, ``credentials``, ``headers``, ``body`` prefill
    the page's form. Call ``stop()`` (or ``cors_lab.stop_all()``) when done.
    """
    return LiveBrowser(cors, **options)
