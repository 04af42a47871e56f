"""``live_browser``: the learner's own browser in the loop.

A frontend page is served from one in-process server (the lesson's "http://localhost:3000") and
the tutorial's API from another (the lesson's "http://localhost:8000"). The page is embedded in
the notebook in an iframe; its button runs a real fetch() in the learner's browser and reports
what JavaScript saw back to the kernel, where each result is shown next to the browser model's
prediction for the same request.

When the learner's browser cannot reach the kernel's loopback servers (JupyterHub, Binder, a
remote kernel), the page never says hello. Where jupyter-server-proxy is installed the widget then
loads the page through Jupyter's proxy; there the page and the API share Jupyter's origin, so the
browser sees same-origin requests, and the widget says so. Otherwise it says the page is out of
reach and shows the model's prediction.
"""

from __future__ import annotations

import html
import importlib.util
import os
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal

import ipywidgets as w
from starlette.applications import Starlette
from starlette.routing import Mount

from .browser import credentials_mode
from .config import CorsConfig
from .demo import demo_api, frontend_app
from .driver import Browser, FetchResult
from .palette import BORDER, GREY, RED, YELLOW
from .servers import PortInUseError, Server, serve
from .user_agents import UserAgent, parse_user_agent
from .widgets import (
    STOPPED_MESSAGE,
    _Readable,
    _text,
    claim_server_name,
    owns_server_name,
    parse_header_lines,
    server_log_html,
)

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
    #: The learner's browser as its User-Agent names it ("Firefox 153"); the prediction is that engine's.
    browser: str = ""

    @property
    def agrees(self) -> bool:
        return self.browser_ok == self.prediction.ok and (
            not self.browser_ok or self.browser_status == self.prediction.status
        )

    def __repr__(self) -> str:
        seen = f"resolved {self.browser_status}" if self.browser_ok else f"rejected ({self.browser_error})"
        predicted = (
            f"resolves {self.prediction.status}" if self.prediction.ok else f"blocked ({self.prediction.error_code})"
        )
        return (
            f"{self.method} {self.url}: your browser {seen}; the model says {predicted}"
            f"{'' if self.agrees else ' -- they DISAGREE'}"
        )


def jupyter_proxy_prefix() -> str | None:
    """The URL path under which jupyter-server-proxy serves this machine's ports, or None without it."""
    if importlib.util.find_spec("jupyter_server_proxy") is None:
        return None
    return os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/").rstrip("/") + "/proxy/"


def _serve_on_port_or_free(app: Any, port: int, name: str) -> Server:
    try:
        return serve(app, port=port, name=name)
    except PortInUseError:
        return serve(app, port=0, name=name)


def _serve_on_lesson_port(app: Any, port: int, name: str) -> Server:
    """The lesson's own port when it is free, so URLs read as in the text; any free port otherwise."""
    try:
        return serve(app, port=port, name=name)
    except (PortInUseError, PermissionError):
        return serve(app, port=0, name=name)


class LiveBrowser(_Readable, w.VBox):
    """A real page in an iframe, its fetch() results, and the model's predictions beside them."""

    def __init__(
        self,
        cors: CorsConfig | dict[str, Any] | None = None,
        *,
        path: str = "/users",
        method: str = "GET",
        credentials: str = "same-origin",
        headers: str = "",
        body: str = "",
        wait: float = 8.0,
        height: int | None = None,
        via: Literal["auto", "direct", "proxy"] = "auto",
        name: str = "live",
    ) -> None:
        if via not in ("auto", "direct", "proxy"):
            raise ValueError(f"via={via!r}: use 'auto' (loopback, then Jupyter's proxy), 'direct' or 'proxy'")
        self.proxy_prefix = jupyter_proxy_prefix() if via != "direct" else None
        if via == "proxy" and self.proxy_prefix is None:
            raise ValueError(
                "via='proxy' needs jupyter-server-proxy: pip install jupyter-server-proxy, then restart Jupyter"
            )
        self._lock = threading.Lock()
        self.reports: list[LiveReport] = []
        self.connected = False
        self.through_proxy = False
        self.wait = wait
        self.fixed_height = height is not None
        self.height = height or 560  # until the page says how tall it is
        self.name = name
        self.page_id = secrets.token_hex(8)  # an old copy of the page can tell it was replaced
        self.stopped: str | None = None
        self._stopping = False
        self._earlier_log: list[Any] = []
        self._frame_src = ""
        self.request_defaults = {"method": method, "credentials": credentials, "headers": headers, "body": body}
        # Named servers: running the cell again replaces them; another name runs a second demo beside it.
        claim_server_name(f"{name}-backend", self)  # first: the old widget then knows it was replaced
        claim_server_name(f"{name}-frontend", self)
        self.backend = _serve_on_lesson_port(demo_api(), LESSON_BACKEND_PORT, f"{name}-backend")
        self.api_url = f"http://localhost:{self.backend.port}"
        self.path = path
        self.frontend = _serve_on_lesson_port(
            self._page_app(self.api_url + path), LESSON_FRONTEND_PORT, f"{name}-frontend"
        )
        self.page_origin = f"http://localhost:{self.frontend.port}"
        self.cors = self._settle(cors)
        self._model_app = demo_api(self.cors)
        self.backend.swap(demo_api(self.cors))
        self._model = Browser(self.page_origin, app=self._model_app)
        #: The learner's browser, from the page's User-Agent (None until the page has reported).
        self.user_agent: UserAgent | None = None
        self.status = w.HTML(layout=w.Layout(width="auto"))
        self.table = w.HTML(layout=w.Layout(width="auto"))
        self.frame = w.HTML(layout=w.Layout(width="auto"))
        self.server_log = w.HTML(layout=w.Layout(width="auto"))
        self.restart_button = w.Button(
            description="Start this demo's servers again", icon="play", layout=w.Layout(display="none", width="auto")
        )
        self.restart_button.on_click(lambda _button: self.restart())
        self.intro = intro = w.HTML(
            _text(
                f"<b>Your browser</b>, as a page at <code>{html.escape(self.page_origin)}</code>, calling the "
                f"API at <code>{html.escape(self.api_url)}</code> with <code>"
                f"{html.escape(self.cors.summary() if self.cors else 'no CORSMiddleware')}</code>. "
                "Press the button in the page; open DevTools (F12, Console) to read the browser's own "
                "message."
            ),
            layout=w.Layout(width="auto"),
        )
        super().__init__([intro, self.frame, self.restart_button, self.status, self.table, self.server_log])
        self._render()
        self._log_count = -1
        self._show_log()
        self._start_watching()
        if via == "proxy":
            self._use_proxy()
        else:
            self._show_frame(self.page_origin + "/")
            self._show_status("waiting for the page to load in your browser...")
            self._start_timer(self._direct_page_unreachable)

    def _page_app(self, api_url: str) -> Any:
        return frontend_app(
            "A page on another origin",
            api_url=api_url,
            on_report=self._receive,
            page_id=self.page_id,
            **self.request_defaults,
        )

    def _show_frame(self, src: str) -> None:
        self._frame_src = src
        self.frame.value = (
            f'<iframe src="{html.escape(src)}" style="width:100%;height:{self.height}px;'
            f'border:1px solid {BORDER}" title="a page on another origin"></iframe>'
        )

    def _start_timer(self, then: Any) -> None:
        self._timer = threading.Timer(self.wait, then)
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

    def predict(
        self,
        method: str | None = None,
        url: str | None = None,
        credentials: str | None = None,
        headers: str | None = None,
        body: str | None = None,
    ) -> FetchResult:
        """What the browser model says the page's fetch() will do (defaults: the page's prefilled form)."""
        header_text = self.request_defaults["headers"] if headers is None else headers
        text = self.request_defaults["body"] if body is None else body
        target = url or self.api_url + self.path
        if target.startswith("/"):  # the page's form may hold a path, as behind Jupyter's proxy
            target = self._model.origin + target
        return self._model.fetch(
            target,
            method=method or self.request_defaults["method"],
            headers=parse_header_lines(header_text),
            content=text or None,
            credentials=credentials_mode(credentials or self.request_defaults["credentials"]),
        )

    def stop(self) -> None:
        """Stop the page's and the API's servers; the widget then says so (re-run the cell to start again)."""
        self._stopping = True
        self._timer.cancel()
        self.frontend.stop()
        self.backend.stop()
        self._gone(STOPPED_MESSAGE + " (demo.stop() stopped it)")

    def restart(self) -> bool:
        """Start the servers again after ``cors_lab.stop_all()`` (same ports when free); False if replaced."""
        if not (owns_server_name(f"{self.name}-backend", self) and owns_server_name(f"{self.name}-frontend", self)):
            self._gone(
                "This demo was replaced: a later live_browser cell took its servers. Re-run this cell to use it again."
            )
            return False
        self._earlier_log += self.backend.requests
        self.backend = _serve_on_port_or_free(self.backend.app, self.backend.port, f"{self.name}-backend")
        self.frontend = _serve_on_port_or_free(self.frontend.app, self.frontend.port, f"{self.name}-frontend")
        self.stopped = None
        self.restart_button.layout.display = "none"
        if f"localhost:{self.frontend.port}" not in self._frame_src and not self.through_proxy:
            self._frame_src = f"http://localhost:{self.frontend.port}/"
        self._show_frame(self._frame_src)
        self._show_status("Started again: the page above talks to this demo's servers.")
        self._show_log()
        self._start_watching()
        return True

    @property
    def requests(self) -> list[Any]:
        """Every request the API server received (preflights included), with the status it answered."""
        return self._earlier_log + self.backend.requests

    def _start_watching(self) -> None:
        # Not a server thread: it only looks at the servers, and ends soon after they stop.
        self._watcher = threading.Thread(target=self._watch, name=f"live_browser {self.name!r} watcher", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        """Notice when the servers stop (stop_all(), a replacing cell) and keep the server log current."""
        while self.stopped is None and not self._stopping:
            time.sleep(0.2)
            if self._stopping:
                return
            if not (self.backend.running and self.frontend.running):
                if owns_server_name(f"{self.name}-backend", self):
                    self._gone(
                        STOPPED_MESSAGE + " (cors_lab.stop_all() stopped its servers), or press the button "
                        "to start them again.",
                        can_restart=True,
                    )
                    return
                else:
                    self._gone(
                        "This demo was replaced: a later live_browser cell took its servers. "
                        "Re-run this cell to use it again."
                    )
                return
            self._show_log()

    def _gone(self, why: str, can_restart: bool = False) -> None:
        """The servers are gone: no page to press (it could only fail), and a plain reason instead."""
        self.stopped = why
        self.frame.value = _text(
            f'<div class="cors-lab-stopped" style="border:1px solid {BORDER};border-left:4px solid {YELLOW};'
            f'padding:8px;color:{YELLOW};font-weight:bold">{html.escape(why)}</div>'
        )
        self.restart_button.layout.display = "" if can_restart else "none"
        self._show_log()

    def _show_log(self) -> None:
        requests = self.requests
        if len(requests) == self._log_count:
            return
        self._log_count = len(requests)
        self.server_log.value = _text(server_log_html(requests))

    def _receive(self, report: dict[str, Any]) -> None:
        self._follow_engine(report.get("user_agent"))
        if "loaded" in report:
            height = report.get("height")
            if not self.fixed_height and isinstance(height, int) and 200 < height < 3000:
                if abs(height + 4 - self.height) > 8:  # fit the frame to the page (it reloads, then says hello again)
                    self.connected = True
                    self.height = height + 4
                    self._show_frame(self._frame_src)
                    self._show_status("connected (fitting the frame to the page)...")
                    return
            self.connected = True
            origin = html.escape(str(report["loaded"]))
            if self.through_proxy:
                # Behind the proxy the page's real origin is Jupyter's: predict for that page.
                assert self.proxy_prefix is not None
                mounted = Starlette(routes=[Mount(f"{self.proxy_prefix}{self.backend.port}", app=self._model_app)])
                self._model = Browser(str(report["loaded"]), app=mounted, engine=self._model.engine.name)
                self._show_status(
                    f"connected through Jupyter's proxy: the page and the API are both at {origin}, one origin, "
                    "so your browser applies no CORS to these requests, and the model agrees. To see CORS "
                    "block in your own browser, run the lab on your own machine (make lab)."
                )
            else:
                self._show_status(
                    f"connected: your browser{html.escape(f' ({self._browser_label})' if self._browser_label else '')} "
                    f"loaded the page from {origin}"
                )
            return
        request, outcome = report.get("request", {}), report.get("outcome", {})
        headers = "\n".join(f"{name}: {value}" for name, value in (request.get("headers") or {}).items())
        try:
            prediction = self.predict(
                request.get("method", "GET"),
                request.get("url"),
                request.get("credentials"),
                headers,
                request.get("body") or "",
            )
        except ValueError as error:
            self._show_status(f"the page sent a request the model cannot make: {html.escape(str(error))}")
            return
        entry = LiveReport(
            request.get("method", "GET"),
            request.get("url", ""),
            request.get("credentials", ""),
            bool(outcome.get("ok")),
            outcome.get("status"),
            outcome.get("error"),
            prediction,
            self._browser_label,
        )
        with self._lock:
            self.reports.append(entry)
        self._render()
        self._show_log()

    @property
    def _browser_label(self) -> str:
        return str(self.user_agent) if self.user_agent is not None else ""

    def _follow_engine(self, header: Any) -> None:
        """Predict as the learner's own browser's engine, once its User-Agent says which."""
        if not isinstance(header, str) or not header:
            return
        self.user_agent = parse_user_agent(header)
        engine = self.user_agent.engine or "chromium"
        if engine != self._model.engine.name:
            self._model = Browser(self._model.origin, app=self._model.app, engine=engine)

    def _direct_page_unreachable(self) -> None:
        if self.connected:
            return
        if self.proxy_prefix is not None:
            self._show_status(
                "Your browser could not load the page from the kernel's localhost (the kernel runs "
                "elsewhere: JupyterHub, Binder, a remote machine). Trying through Jupyter's proxy..."
            )
            self._use_proxy()
            return
        self._fall_back_to_the_model(
            "Your browser has not loaded the page from the kernel's server. This happens when the kernel runs "
            "elsewhere (JupyterHub, Binder, a remote machine): its localhost is not your computer. (With "
            "jupyter-server-proxy installed, the page would be loaded through Jupyter instead.)"
        )

    def _use_proxy(self) -> None:
        assert self.proxy_prefix is not None
        self.through_proxy = True
        self.frontend.swap(self._page_app(f"{self.proxy_prefix}{self.backend.port}{self.path}"))
        self.intro.value = (
            "<b>Your browser</b>, through Jupyter's proxy (jupyter-server-proxy): the page at "
            f"<code>{html.escape(self.proxy_prefix)}{self.frontend.port}/</code> calls the API at "
            f"<code>{html.escape(self.proxy_prefix)}{self.backend.port}{html.escape(self.path)}</code>"
            ", both on Jupyter's own origin."
        )
        self._show_frame(f"{self.proxy_prefix}{self.frontend.port}/")
        self._start_timer(self._proxied_page_unreachable)

    def _proxied_page_unreachable(self) -> None:
        if not self.connected:
            self._fall_back_to_the_model("Your browser could not load the page, not even through Jupyter's proxy.")

    def _fall_back_to_the_model(self, why: str) -> None:
        prediction = self.predict()
        self._show_status(
            f"{why} Here is what the browser model predicts for the page's request instead:"
            f"<br>{prediction._repr_html_()}",
            error=True,
        )

    def _show_status(self, text: str, error: bool = False) -> None:
        colour = RED if error else GREY
        self.status.value = _text(f'<div style="color:{colour}">{text}</div>')

    def _render(self) -> None:
        with self._lock:
            reports = list(self.reports)
        if not reports:
            self.table.value = _text("<i>No requests from your browser yet.</i>")
            return
        rows = "".join(_report_row(r) for r in reports)
        self.table.value = _text(
            '<table class="cors-lab-reports"><tr><th>request</th>'
            f"<th>your browser{html.escape(f' ({self._browser_label})' if self._browser_label else '')} saw</th>"
            f"<th>the model predicted ({html.escape(self._model.engine.label)})</th>"
            f"<th>agree</th></tr>{rows}</table>"
        )

    def __repr__(self) -> str:
        settings = self.cors.summary() if self.cors else "no CORSMiddleware"
        with self._lock:
            count = len(self.reports)
        seen = f"{count} request{'s' if count != 1 else ''} from your browser so far"
        if self.stopped:
            seen += f"; stopped: {self.stopped}"
        return (
            f"LiveBrowser: a page at {self.page_origin} calls {self.api_url}{self.path} "
            f"({self.request_defaults['method']}, credentials {self.request_defaults['credentials']}) with "
            f"{settings}; {seen}"
        )


def live_browser(cors: CorsConfig | dict[str, Any] | None = None, **options: Any) -> LiveBrowser:
    """Embed a real page in the notebook that calls the tutorial's API from another origin.

    ``cors`` is the API's CORSMiddleware settings (``'{page}'`` in allow_origins stands for the
    page's origin). Options: ``path``, ``method``, ``credentials``, ``headers``, ``body`` prefill
    the page's form. Call ``stop()`` (or ``cors_lab.stop_all()``) when done.
    """
    return LiveBrowser(cors, **options)


def _report_row(report: LiveReport) -> str:
    """One table row: the request, what the learner's browser saw, and the model's prediction."""
    seen = f"resolved, status {report.browser_status}" if report.browser_ok else html.escape(str(report.browser_error))
    prediction = report.prediction
    predicted = (
        f"resolves, status {prediction.status}"
        if prediction.ok
        else "blocked: " + html.escape(str(prediction.console_message))
    )
    agrees = "&#x2714;" if report.agrees else "&#x2716; they disagree"
    return (
        f"<tr><td><code>{html.escape(report.method)} {html.escape(report.url)}</code><br>credentials: "
        f"{html.escape(report.credentials)}</td><td>{seen}</td><td>{predicted}</td><td>{agrees}</td></tr>"
    )
