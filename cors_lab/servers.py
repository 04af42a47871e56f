"""Real HTTP servers inside the current process, for live lessons.

``serve(app)`` runs an ASGI app under uvicorn in a daemon thread with its own event loop, so
it works the same in a plain script and in a Jupyter kernel whose loop is already running.
Servers bind 127.0.0.1 only. ``Server.swap(app)`` changes the app behind a running server, so
a widget can change CORS settings without the URL changing.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import errno
import itertools
import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.importer import ImportFromStringError, import_from_string

__all__ = [
    "LoggedRequest",
    "PortInUseError",
    "Server",
    "ServerStartError",
    "ServerStopError",
    "running_servers",
    "serve",
    "stop_all",
]

HOST = "127.0.0.1"
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0
_BACKLOG = 2048  # uvicorn's default
_running: list[Server] = []
_thread_numbers = itertools.count(1)
_registry_lock = threading.Lock()
logger = logging.getLogger(__name__)


class PortInUseError(OSError):
    """The requested port is taken by another program (or another server of ours)."""

    def __init__(self, port: int) -> None:
        self.port = port
        super().__init__(
            errno.EADDRINUSE,
            f"port {port} on {HOST} is already in use: stop what is using it, "
            "or pass port=0 to let the system pick a free port",
        )

    def __str__(self) -> str:
        return self.strerror or ""


class ServerStartError(RuntimeError):
    """The app could not be started; the message carries uvicorn's own reason.

    ``log`` holds everything uvicorn logged while trying, tracebacks included.
    """

    def __init__(self, message: str, log: list[str] | None = None) -> None:
        super().__init__(message)
        self.log = log or []


class ServerStopError(RuntimeError):
    """A server's thread did not end within the stop timeout."""


@dataclass(frozen=True)
class LoggedRequest:
    """One HTTP request a server received, and the status it answered (None: no answer was sent)."""

    method: str
    path: str
    query: str
    status: int | None
    origin: str | None

    @property
    def target(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")

    def __str__(self) -> str:
        return f"{self.method} {self.target} -> {self.status if self.status is not None else 'no answer'}"


class _AppSlot:
    """The ASGI app uvicorn serves: forwards to whichever app is current, so it can be swapped.

    It also keeps the exceptions an app raises, instead of letting uvicorn print tracebacks
    into the learner's notebook; ``Server.errors`` shows them on demand.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.errors: collections.deque[BaseException] = collections.deque(maxlen=100)
        self.requests: collections.deque[LoggedRequest] = collections.deque(maxlen=200)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        app = self.app
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        response_started = False
        status = 0
        held_end: Any = None

        async def send_and_watch(message: Any) -> None:
            nonlocal response_started, status, held_end
            if message["type"] == "http.response.start":
                response_started, status = True, message["status"]
                self._log(scope, status)  # before the answer leaves: a client that has it also sees the log
            elif status >= 500 and message["type"] == "http.response.body" and not message.get("more_body"):
                # Starlette sends the 500 and then raises: hold the end of the response until
                # the exception is recorded, so a client that got the 500 also sees `errors`.
                held_end = message
                return
            await send(message)

        try:
            await app(scope, receive, send_and_watch)
        except Exception as exc:
            self.errors.append(exc)
            logger.error("%s %s raised %r", scope["method"], scope["path"], exc, exc_info=exc)
            if not response_started:
                response_started = True
                self._log(scope, 500)
                await send(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                    }
                )
                await send({"type": "http.response.body", "body": b"Internal Server Error"})
        finally:
            if not response_started:
                self._log(scope, None)
        if held_end is not None:
            await send(held_end)

    def _log(self, scope: Any, status: int | None) -> None:
        headers = dict(scope.get("headers") or [])
        origin = headers.get(b"origin")
        self.requests.append(
            LoggedRequest(
                scope["method"],
                scope["path"],
                scope.get("query_string", b"").decode("latin-1"),
                status,
                origin.decode("latin-1") if origin is not None else None,
            )
        )


_THREAD_PREFIX = "cors-lab "
#: uvicorn's records from our server threads, re-logged here (silent unless the app configures
#: logging) instead of reaching stderr, where they would print into the learner's notebook.
_uvicorn_records = logging.getLogger(__name__ + ".uvicorn")


class _FromOurThreads(logging.Filter):
    """Moves uvicorn's records from cors-lab's server threads off uvicorn's logger, onto ours."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (record.threadName or "").startswith(_THREAD_PREFIX):
            _uvicorn_records.handle(record)
            return False
        return True


_FROM_OUR_THREADS = _FromOurThreads()


class _StartupLog(logging.Handler):
    """Collects what uvicorn logs from one server thread while it starts."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread_name: str | None = None
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.threadName == self.thread_name:
            self.messages.append(record.getMessage())


class Server:
    """A running in-process server. Create it with :func:`serve`."""

    def __init__(self, app: Any, port: int, name: str | None) -> None:
        self.name = name
        self._slot = _AppSlot(app)
        self._socket = _bind(port)
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(
            self._slot,
            log_config=None,
            access_log=False,
            lifespan="auto",
            timeout_graceful_shutdown=2,
            backlog=_BACKLOG,
        )
        self._uvicorn = uvicorn.Server(config)
        self._failure: BaseException | None = None
        # A unique name: the startup log picks this thread's records by it, from the very first one.
        self._thread = threading.Thread(
            target=self._run, name=f"{_THREAD_PREFIX}{self._label}#{next(_thread_numbers)}", daemon=True
        )

    @property
    def _label(self) -> str:
        return f"{self.name!r} " if self.name else ""

    @property
    def url(self) -> str:
        """Base URL, such as ``http://127.0.0.1:54321``."""
        return f"http://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and self._uvicorn.started and not self._uvicorn.should_exit

    @property
    def app(self) -> Any:
        """The app being served now."""
        return self._slot.app

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions the app raised while handling requests, oldest first (the last 100)."""
        return list(self._slot.errors)

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every HTTP request received (OPTIONS included) with the status answered, oldest first (the last 200)."""
        return list(self._slot.requests)

    def swap(self, app: Any) -> None:
        """Serve ``app`` from now on, on the same port, without a restart.

        Requests already in progress finish with the old app. The new app's lifespan
        (startup and shutdown events) is not run.
        """
        self._slot.app = _load(app)

    def stop(self, timeout: float = _STOP_TIMEOUT) -> None:
        """Stop serving, wait for the thread to end and free the port. Safe to call twice.

        uvicorn notices within 0.1 s. Raises ServerStopError if the thread is still running after
        ``timeout`` seconds (a request that never ends); the port is released all the same.
        """
        self._uvicorn.should_exit = True
        try:
            if self._thread.is_alive() and self._thread is not threading.current_thread():
                self._thread.join(timeout)
                if self._thread.is_alive():
                    raise ServerStopError(
                        f"{self._label}server on port {self.port} did not stop within {timeout:g} s: a request is "
                        "still running (an endpoint that never returns?); its thread is left to finish"
                    )
        finally:
            self._socket.close()
            with _registry_lock:
                if self in _running:
                    _running.remove(self)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Server {self._label}{self.url} {state}>"

    def _start(self, timeout: float) -> None:
        logging.getLogger("uvicorn.error").addFilter(_FROM_OUR_THREADS)  # once: the same filter is kept once
        log = _StartupLog()
        _uvicorn_records.addHandler(log)
        deadline = time.monotonic() + timeout
        try:
            log.thread_name = self._thread.name
            self._thread.start()
            # uvicorn sets `started` once it accepts connections; a failed start ends the thread instead.
            while not self._uvicorn.started and self._thread.is_alive() and time.monotonic() < deadline:
                time.sleep(0.001)
        finally:
            _uvicorn_records.removeHandler(log)
        if self._uvicorn.started and self._failure is None and self._thread.is_alive():
            return
        timed_out = self._thread.is_alive() and not self._uvicorn.started
        with contextlib.suppress(ServerStopError):
            self.stop(timeout=1.0)
        # uvicorn logs a failing lifespan as a whole traceback: its last line is the reason.
        reasons = [message.strip().splitlines()[-1] for message in log.messages if message.strip()]
        if timed_out:
            reasons.append(
                f"not accepting connections after {timeout:g} s (a slow startup handler? pass a longer start_timeout)"
            )
        reason = "; ".join(reasons) or (repr(self._failure) if self._failure else "no reason given")
        raise ServerStartError(f"could not start {self._label}server on port {self.port}: {reason}", log.messages)

    def _run(self) -> None:
        try:
            self._uvicorn.run(sockets=[self._socket])
        except BaseException as exc:  # uvicorn calls sys.exit() when startup fails
            self._failure = exc


def serve(app: Any, *, port: int = 0, name: str | None = None, start_timeout: float = _START_TIMEOUT) -> Server:
    """Serve an ASGI app (or a ``"module:attr"`` string) on 127.0.0.1 and return once it accepts connections.

    ``port=0`` picks a free port. ``start_timeout`` bounds the app's startup (lifespan) in seconds.
    Serving again under a ``name`` that is already running
    stops the old server first, so re-running a notebook cell never leaks servers.
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port {port!r} is not a port number: use 0 (any free port) or 1 to 65535")
    loaded = _load(app)
    if name is not None:
        for server in running_servers():
            if server.name == name:
                server.stop()
    server = Server(loaded, port, name)
    server._start(start_timeout)
    with _registry_lock:
        _running.append(server)
    return server


def running_servers() -> list[Server]:
    """The servers started by :func:`serve` that have not been stopped, oldest first."""
    with _registry_lock:
        return list(_running)


def stop_all() -> None:
    """Stop every running server (also done automatically when the interpreter exits).

    Every server is asked to stop even if one of them cannot; then the first failure is raised.
    """
    failures: list[ServerStopError] = []
    for server in running_servers():
        try:
            server.stop()
        except ServerStopError as failure:
            failures.append(failure)
    if failures:
        raise failures[0]


def _stop_at_exit() -> None:
    try:
        stop_all()
    except ServerStopError as failure:  # the interpreter is ending anyway: say so, do not raise
        logger.warning("%s", failure)


atexit.register(_stop_at_exit)


def _load(app: Any) -> Any:
    if isinstance(app, str):
        try:
            app = import_from_string(app)
        except ImportFromStringError as exc:
            raise ServerStartError(f"could not load the app {app!r}: {exc}") from None
    if not callable(app):
        raise ServerStartError(f"{app!r} is not an ASGI app: pass a FastAPI or Starlette app, or 'module:attr'")
    return app


def _bind(port: int) -> socket.socket:
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted connections only when it is explicit,
    # and without it every response waits 40 ms for a delayed ACK between headers and body.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    # Lets a restarted server take its port back at once; still refuses a port someone listens on.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        # Listening at once claims the port: with SO_REUSEADDR two programs may both bind a port
        # that nobody listens on yet, and the loser would only fail later, inside uvicorn.
        sock.listen(_BACKLOG)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(port) from None
        if exc.errno == errno.EACCES:
            raise PermissionError(
                errno.EACCES, f"port {port} needs administrator rights: use a port above 1023, or port=0"
            ) from None
        raise
    return sock
