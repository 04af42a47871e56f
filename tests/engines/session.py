"""The one interface every engine driver offers, and the console bookkeeping they share.

An :class:`EngineSession` is one browser with one tab. ``open(page_url)`` loads a page (and the
harness into it); ``run(calls)`` makes the calls from that page one after the other and returns
an :class:`~.calls.Outcome` per call, with the console lines the engine printed for it.

Console lines do not always name the URL they are about (WebKit's "Origin ... is not allowed"
does not; Chromium's "Failed to load resource" names it only in its source location), and some
arrive after the call has settled (Firefox's "CORS request did not succeed"). So a line is given
to a call by, in this order: the call's token in its text or location; else the marker window
it arrived in (between the call's ``begin`` marker and its ``flush`` marker, a second round trip
after the call settled). After the last call the session waits ``grace`` seconds more, for lines
that name an earlier call's token.
"""

from __future__ import annotations

import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from .calls import Call, ConsoleLine, Outcome, new_token, to_harness

HARNESS_JS = (Path(__file__).with_name("harness.js")).read_text("utf-8")
MARKER = re.compile(r"^cors-lab:(?P<what>begin|end|flush):(?P<token>[0-9a-f]+)$")
#: How long a call (and its flush marker) may take before the driver gives up on it.
CALL_TIMEOUT = 30.0


class EngineError(RuntimeError):
    """The engine or its driver failed (not the call: a blocked call is an outcome)."""


@dataclass
class _Window:
    token: str
    lines: list[ConsoleLine] = field(default_factory=list)
    flushed: bool = False


class ConsoleRouter:
    """Gives each console line to the call it belongs to; lines may be fed from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._windows: dict[str, _Window] = {}
        self._open: _Window | None = None
        self.stray: list[ConsoleLine] = []  # lines outside every call (page load, favicon...)

    def expect(self, token: str) -> None:
        with self._lock:
            self._windows[token] = _Window(token)

    def feed(self, line: ConsoleLine, where: str = "") -> None:
        """Take one line; ``where`` is any other text that may name the call (a source URL)."""
        marker = MARKER.match(line.text)
        with self._lock:
            if marker:
                window = self._windows.get(marker["token"])
                if window is not None:
                    if marker["what"] == "begin":
                        self._open = window
                    elif marker["what"] == "flush":
                        window.flushed = True
                        if self._open is window:
                            self._open = None
                    self._lock.notify_all()
                return
            if line.level not in ("error", "warning"):
                return  # only markers are logged below warning level, by the harness
            haystack = f"{line.text} {where}"
            named = [w for token, w in self._windows.items() if token in haystack]
            target = named[0] if named else self._open
            (target.lines if target is not None else self.stray).append(line)
            self._lock.notify_all()

    def flushed(self, token: str) -> bool:
        with self._lock:
            return self._windows[token].flushed

    def lines(self, token: str) -> tuple[ConsoleLine, ...]:
        with self._lock:
            return tuple(self._windows.pop(token).lines)


class EngineSession(ABC):
    """One engine, one tab. Subclasses say how to load a page, run the harness and let events in."""

    #: The engine's name as the tests and the docs use it: "chromium", "firefox", "webkit".
    name: str = ""
    #: Seconds to wait after the last call of a run for lines that arrive late.
    grace: float = 0.0

    def __init__(self, axios_source: str | None = None) -> None:
        self.axios_source = axios_source
        self.router = ConsoleRouter()
        self.page_url: str | None = None

    @property
    @abstractmethod
    def version(self) -> str:
        """The engine's own version string."""

    def open(self, page_url: str) -> None:
        """Load ``page_url`` in the tab and put the harness (and axios, when there is one) into it."""
        self._navigate(page_url)
        scripts = ([self.axios_source] if self.axios_source else []) + [HARNESS_JS]
        for script in scripts:
            self._add_script(script)
        self.page_url = page_url

    def run(self, calls: Sequence[Call]) -> list[Outcome]:
        """Make the calls from the open page, one after the other."""
        if self.page_url is None:
            raise EngineError(f"{self.name}: open() a page before run()")
        answers: list[tuple[str, dict[str, Any]]] = []
        for call in calls:
            token = new_token()
            self.router.expect(token)
            answers.append((token, self._run_in_page(to_harness(call, token))))
            self._flush(token)
            self._wait(partial(self.router.flushed, token), CALL_TIMEOUT, f"the flush marker of {call}")
        if self.grace:
            self._pump(self.grace)
        return [Outcome.from_harness(answer, self.router.lines(token), token) for token, answer in answers]

    @abstractmethod
    def close(self) -> None:
        """Stop the engine; safe to call twice."""

    def __enter__(self) -> EngineSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _wait(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise EngineError(f"{self.name}: gave up waiting {timeout:.0f} s for {what}")
            self._pump(0.005)

    @abstractmethod
    def _navigate(self, url: str) -> None: ...

    @abstractmethod
    def _add_script(self, source: str) -> None: ...

    @abstractmethod
    def _run_in_page(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Run ``window.__corsLab.run(payload)`` in the page and return what it resolved to."""

    @abstractmethod
    def _flush(self, token: str) -> None:
        """Run ``window.__corsLab.flush(token)`` in the page (a second round trip after the call)."""

    @abstractmethod
    def _pump(self, seconds: float) -> None:
        """Let the engine's events in for about ``seconds``."""
