"""Chromium and Firefox, driven by Playwright (CDP for Chromium, WebDriver BiDi for Firefox).

Each session runs Playwright in a thread of its own: Playwright's sync API allows one instance
per thread, and the rest of the test suite has its own (the ``chromium`` fixture), so the engine
sessions must not share the main thread with it. Every Playwright object is touched only from
that thread.
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar

from .calls import Call, ConsoleLine, Outcome
from .firefox_console import PREFS as DEVTOOLS_PREFS
from .firefox_console import DevToolsConsole, free_port
from .locate import CHROMIUM_ARGS as BASE_CHROMIUM_ARGS
from .servers import MAPPED_HOST
from .session import CALL_TIMEOUT, EngineError, EngineSession

T = TypeVar("T")

CHROMIUM_ARGS = [
    *BASE_CHROMIUM_ARGS,
    # A name that is not loopback, for mixed-content cases (loopback is exempt from them).
    f"--host-resolver-rules=MAP {MAPPED_HOST} 127.0.0.1",
]
FIREFOX_PREFS = {
    # The same name, for the same reason: resolves to loopback without being treated as loopback.
    "network.dns.localDomains": MAPPED_HOST,
}
RUN_JS = "payload => window.__corsLab.run(payload)"
FLUSH_JS = "token => window.__corsLab.flush(token)"


class PlaywrightThread:
    """A thread that owns one Playwright instance and runs whatever it is handed, in order."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._started: Future[Any] = Future()
        self._thread = threading.Thread(target=self._main, name="cors-lab-playwright", daemon=True)
        self._thread.start()
        self.playwright = self._started.result(timeout=60)

    def _main(self) -> None:
        from playwright.sync_api import sync_playwright

        try:
            manager = sync_playwright().start()
        except BaseException as error:
            self._started.set_exception(error)
            return
        self._started.set_result(manager)
        try:
            while (job := self._jobs.get()) is not None:
                work, future = job
                try:
                    future.set_result(work())
                except BaseException as error:
                    future.set_exception(error)
        finally:
            manager.stop()

    def call(self, work: Callable[[], T], timeout: float = CALL_TIMEOUT * 4) -> T:
        future: Future[T] = Future()
        self._jobs.put((work, future))
        return future.result(timeout=timeout)

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=30)


class PlaywrightSession(EngineSession):
    """What the two Playwright engines share: a browser, a context that accepts our test certificate, a tab."""

    def __init__(self, executable: str, axios_source: str | None = None) -> None:
        super().__init__(axios_source)
        self.executable = executable
        self.home = tempfile.mkdtemp(prefix=f"cors-lab-{self.name}-home-")  # nothing under the real home
        self._thread = PlaywrightThread()
        self._closed = False
        try:
            self._thread.call(self._start)
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        self.browser = self._launch(self._thread.playwright, {**os.environ, "HOME": self.home})
        self.context = self.browser.new_context(ignore_https_errors=True)
        self.page = self.context.new_page()
        self._listen(self.page)

    def _launch(self, playwright: Any, env: dict[str, str]) -> Any:
        raise NotImplementedError

    def _listen(self, page: Any) -> None:
        raise NotImplementedError

    @property
    def version(self) -> str:
        return str(self.browser.version)

    # The public methods hop onto the Playwright thread; the hooks below run there.
    def open(self, page_url: str) -> None:
        self._thread.call(lambda: EngineSession.open(self, page_url))

    def run(self, calls: Sequence[Call]) -> list[Outcome]:
        return self._thread.call(lambda: EngineSession.run(self, calls))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True

        def stop() -> None:
            browser = getattr(self, "browser", None)
            if browser is not None:
                browser.close()

        try:
            self._thread.call(stop, timeout=60)
        finally:
            self._thread.stop()
            shutil.rmtree(self.home, ignore_errors=True)

    def _navigate(self, url: str) -> None:
        response = self.page.goto(url)
        if response is None or not response.ok:
            raise EngineError(f"{self.name}: could not load {url}: {response and response.status}")

    def _add_script(self, source: str) -> None:
        self.page.add_script_tag(content=source)

    def _run_in_page(self, payload: dict[str, Any]) -> dict[str, Any]:
        return dict(self.page.evaluate(RUN_JS, payload))

    def _flush(self, token: str) -> None:
        self.page.evaluate(FLUSH_JS, token)

    def _pump(self, seconds: float) -> None:
        # Playwright delivers events only while its loop runs: wait through it, never time.sleep.
        self.page.wait_for_timeout(seconds * 1000)


def _level(playwright_type: str) -> str:
    return "warning" if playwright_type == "warning" else playwright_type


class ChromiumSession(PlaywrightSession):
    """Chromium over CDP: CORS errors and warnings arrive as console messages."""

    name = "chromium"

    def _launch(self, playwright: Any, env: dict[str, str]) -> Any:
        return playwright.chromium.launch(executable_path=self.executable, headless=True, args=CHROMIUM_ARGS, env=env)

    def _listen(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            if message.type in ("error", "warning", "log"):
                # "Failed to load resource" names its URL only in its location.
                where = str((message.location or {}).get("url", ""))
                self.router.feed(ConsoleLine(_level(message.type), message.text), where)

        page.on("console", on_console)


class FirefoxSession(PlaywrightSession):
    """Firefox over WebDriver BiDi: CORS errors arrive as page errors, split at the first ': '.

    BiDi's log.entryAdded does not forward the console service's warnings; those come from
    Firefox's own remote debugging protocol instead (firefox_console.py). ``warnings`` says
    whether that worked; without it the session still gives every error.
    """

    name = "firefox"
    grace = 0.05  # "CORS request did not succeed" follows the call's end; see ConsoleRouter

    def __init__(self, executable: str, axios_source: str | None = None) -> None:
        self._devtools_port = free_port()
        self._devtools: DevToolsConsole | None = None
        self.warnings_problem = "no page opened yet"
        super().__init__(executable, axios_source)

    @property
    def warnings(self) -> bool:
        return self._devtools is not None

    def _launch(self, playwright: Any, env: dict[str, str]) -> Any:
        return playwright.firefox.launch(
            channel="moz-firefox",
            executable_path=self.executable,
            headless=True,
            env=env,
            # "--start-debugger-server <port>" as one argument: Playwright takes a lone number for a URL to open.
            args=[f"--start-debugger-server={self._devtools_port}"],
            firefox_user_prefs={**FIREFOX_PREFS, **DEVTOOLS_PREFS},
        )

    def _navigate(self, url: str) -> None:
        super()._navigate(url)
        if self._devtools is None:
            try:  # the watcher follows the tab through later navigations
                self._devtools = DevToolsConsole(self._devtools_port, self.page.url, self.router.feed)
                self.warnings_problem = ""
            except (OSError, RuntimeError, ValueError) as problem:
                self.warnings_problem = f"Firefox's console warnings are not available: {problem}"

    def close(self) -> None:
        if self._devtools is not None:
            self._devtools.close()
        super().close()

    def _listen(self, page: Any) -> None:
        def on_page_error(error: Any) -> None:
            text = f"{error.name}: {error.message}" if error.name else str(error.message)
            self.router.feed(ConsoleLine("error", text))

        def on_console(message: Any) -> None:
            if message.type in ("error", "warning", "log"):
                self.router.feed(ConsoleLine(_level(message.type), message.text))

        page.on("pageerror", on_page_error)
        page.on("console", on_console)
