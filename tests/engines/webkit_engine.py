"""WebKit (Safari's engine) through WebKitGTK, driven with PyGObject in a child process.

Why a child process: PyGObject and WebKitGTK's introspection data come from the system's
packages (Debian: python3-gi, gir1.2-webkit2-4.1) and import only into the system's Python; the
project's venv Python is another interpreter. Building PyGObject from PyPI into the venv would
need the GObject-introspection and Cairo development headers and a compiler, and would still
load the system's WebKit. So webkit_child.py runs under the system Python, and this side speaks
JSON lines to it. Why PyGObject and not WebKitWebDriver (Selenium): WebDriver gives the verdict
but no console text, and the console text is what this harness is for.

The WebView lives in an offscreen GTK window, which still needs an X display: the session starts
its own Xvfb and stops it at close.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import IO, Any

from .calls import ConsoleLine
from .session import CALL_TIMEOUT, EngineError, EngineSession

CHILD = Path(__file__).with_name("webkit_child.py")
#: "CONSOLE <SOURCE> <LEVEL> <message>", SOURCE absent for console API calls ("CONSOLE LOG ...");
#: a message with a source location is printed as "<url>:<line>:<column>: CONSOLE ...".
CONSOLE_LINE = re.compile(
    r"(?:^|: )CONSOLE (?:(?P<source>[A-Z-]+) )??(?P<level>LOG|INFO|WARN|ERROR|DEBUG) (?P<text>.*)$"
)
LEVELS = {"LOG": "log", "INFO": "info", "WARN": "warning", "ERROR": "error", "DEBUG": "debug"}


class Xvfb:
    """An X server of our own on a free display number (Xvfb picks it and tells us through -displayfd)."""

    def __init__(self, executable: str) -> None:
        read_end, write_end = os.pipe()
        self.process = subprocess.Popen(
            [executable, "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0", "1280x800x24"],
            pass_fds=(write_end,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_end)
        with os.fdopen(read_end) as numbers:
            number = numbers.readline().strip()
        if not number:
            self.stop()
            raise EngineError("Xvfb did not start")
        self.display = f":{number}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class WebKitSession(EngineSession):
    """WebKitGTK: console messages come from the web process's stderr, in order, with the markers."""

    name = "webkit"

    def __init__(self, python: str, xvfb: str, axios_source: str | None = None) -> None:
        super().__init__(axios_source)
        self.home = tempfile.mkdtemp(prefix="cors-lab-webkit-home-")
        self.log: deque[str] = deque(maxlen=200)  # what else WebKit and GTK printed, for error messages
        self._answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._closed = False
        self._xvfb = Xvfb(xvfb)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,  # a fresh profile: cookies, cache and preflight cache start empty
            "XDG_CACHE_HOME": f"{self.home}/cache",
            "XDG_DATA_HOME": f"{self.home}/data",
            "XDG_CONFIG_HOME": f"{self.home}/config",
            "XDG_RUNTIME_DIR": self.home,
            "DISPLAY": self._xvfb.display,
            "NO_AT_BRIDGE": "1",  # no accessibility bus to look for
            "LANG": "C.UTF-8",
        }
        self.process = subprocess.Popen(
            [python, str(CHILD)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [
            threading.Thread(target=self._read_answers, args=(self.process.stdout,), daemon=True),
            threading.Thread(target=self._read_console, args=(self.process.stderr,), daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        try:
            self._version = str(self._ask({"op": "version"}, timeout=60))
        except BaseException:
            self.close()
            raise

    @property
    def version(self) -> str:
        return self._version

    def _read_answers(self, stream: IO[str]) -> None:
        for line in stream:
            self._answers.put(json.loads(line))
        self._answers.put(None)

    def _read_console(self, stream: IO[str]) -> None:
        for raw in stream:
            line = raw.rstrip("\n")
            match = CONSOLE_LINE.search(line)
            if match is None:
                self.log.append(line)
                continue
            self.router.feed(
                ConsoleLine(LEVELS[match["level"]], match["text"], printed=line[match.start() :].lstrip(": "))
            )

    def _ask(self, request: dict[str, Any], timeout: float = CALL_TIMEOUT) -> Any:
        if self.process.poll() is not None or self.process.stdin is None:
            raise EngineError(f"webkit: the driver process has exited ({self.process.returncode}): {self._tail()}")
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        try:
            answer = self._answers.get(timeout=timeout)
        except queue.Empty:
            raise EngineError(f"webkit: no answer to {request['op']} in {timeout:.0f} s: {self._tail()}") from None
        if answer is None:
            raise EngineError(f"webkit: the driver process died: {self._tail()}")
        if not answer["ok"]:
            raise EngineError(f"webkit: {request['op']} failed: {answer['error']}")
        return answer["value"]

    def _tail(self) -> str:
        return " | ".join(list(self.log)[-5:]) or "(nothing on stderr)"

    def _navigate(self, url: str) -> None:
        self._ask({"op": "open", "url": url})

    def _add_script(self, source: str) -> None:
        self._ask({"op": "script", "source": source})

    def _run_in_page(self, payload: dict[str, Any]) -> dict[str, Any]:
        return dict(self._ask({"op": "run", "payload": payload}))

    def _flush(self, token: str) -> None:
        self._ask({"op": "flush", "token": token})

    def _pump(self, seconds: float) -> None:
        time.sleep(seconds)  # the console arrives on a reader thread

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if self.process.poll() is None and self.process.stdin is not None:
                try:
                    self.process.stdin.write(json.dumps({"op": "quit"}) + "\n")
                    self.process.stdin.flush()
                    self.process.wait(timeout=10)
                except (OSError, subprocess.TimeoutExpired):
                    self.process.kill()
                    self.process.wait()
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for reader in self._readers:  # the process has ended: they read to the end of its output
                reader.join(timeout=5)
            for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
                if pipe is not None:
                    with contextlib.suppress(OSError):  # stdin of a killed child: nothing left to flush to
                        pipe.close()
            self._xvfb.stop()
            shutil.rmtree(self.home, ignore_errors=True)
