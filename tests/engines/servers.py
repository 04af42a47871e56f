"""The servers the engines talk to: a page, an API and a third origin, all real, all on 127.0.0.1.

:class:`ScriptedSite` is an ASGI app that serves a blank page at ``/`` and, at any other path, the
exact status and header lines a case wrote down (repeats and odd bytes included), with a separate
answer for the preflight. It notes every request that reaches it, by the call's token. The plain
http servers are ``cors_lab.serve``'s; :func:`serve_tls` runs the same app under uvicorn with a
certificate from a throwaway CA (trustme) for the https page of the mixed-content cases.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import uvicorn

from .calls import TOKEN_PARAM

HOST = "127.0.0.1"
#: A name every driver that can is told resolves to 127.0.0.1, for the mixed-content cases:
#: http://127.0.0.1 and http://localhost count as secure, so only a name shows real blocking.
MAPPED_HOST = "api.cors-lab.test"
PAGE_HTML = b"<!doctype html><meta charset=utf-8><title>cors-lab engine page</title><p>cors-lab engine page</p>"


@dataclass(frozen=True)
class Reply:
    """A hand-written response. ``{page}``, ``{api}``, ``{other}``, ``{https_page}``, ``{mapped}`` (and
    the other keys of :class:`Sites`' origins) in header values become those live origins,
    ``{path}`` the case's path and ``{query}`` the request's own query string (so a redirect
    keeps the call's token)."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b"hello"


@dataclass(frozen=True)
class Route:
    actual: Reply
    preflight: Reply | None = None  # None: OPTIONS gets the actual reply too


@dataclass(frozen=True)
class Hit:
    """One request as it reached a server."""

    server: str
    method: str
    path: str
    headers: Mapping[str, str]

    @property
    def summary(self) -> str:
        shown = [f"Origin: {self.headers['origin']}"] if "origin" in self.headers else ["no Origin"]
        for name in ("access-control-request-method", "access-control-request-headers", "content-type"):
            if name in self.headers:
                shown.append(f"{name}: {self.headers[name]}")
        extra = sorted(n for n in self.headers if n.startswith("x-") or n == "authorization")
        shown += [f"{name}: {self.headers[name]}" for name in extra]
        return f"{self.method} {self.server}{self.path} ({'; '.join(shown)})"


@dataclass
class Origins:
    """The live origins, filled in once the servers run."""

    values: dict[str, str] = field(default_factory=dict)

    def fill(self, text: str, query: str, path: str) -> str:
        # {path} is the case's path: a route at "/c/<id>/final" sends it without "/final".
        return text.format(query=query, path=path.removesuffix("/final"), **self.values)


class ScriptedSite:
    """A page at ``/`` and hand-written answers at registered paths; records every request by token."""

    def __init__(self, name: str, origins: Origins, hits: dict[str, list[Hit]]) -> None:
        self.name = name
        self.origins = origins
        self.routes: dict[str, Route] = {}
        self.hits = hits

    def route(self, path: str, actual: Reply, preflight: Reply | None = None) -> None:
        self.routes[path] = Route(actual, preflight)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        query = scope["query_string"].decode("latin-1")
        # The whitespace around a value is not part of it (RFC 9110, 5.5); some h11 releases keep it.
        headers = {name.decode("latin-1"): value.decode("latin-1").strip(" \t") for name, value in scope["headers"]}
        token = (parse_qs(query).get(TOKEN_PARAM) or [""])[0]
        if token:
            self.hits.setdefault(token, []).append(Hit(self.name, scope["method"], scope["path"], headers))
        if scope["path"] == "/":
            await _send(send, 200, [(b"content-type", b"text/html; charset=utf-8")], PAGE_HTML)
            return
        route = self.routes.get(scope["path"])
        if route is None:
            await _send(send, 404, [(b"content-type", b"text/plain")], b"no such case")
            return
        reply = route.preflight if scope["method"] == "OPTIONS" and route.preflight is not None else route.actual
        lines = [
            (name.lower().encode("latin-1"), self.origins.fill(value, query, scope["path"]).encode("latin-1"))
            for name, value in reply.headers
        ]
        if not any(name == b"content-type" for name, _ in lines):
            lines.append((b"content-type", b"text/plain; charset=utf-8"))
        await _send(send, reply.status, lines, reply.body)


async def _send(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class TlsServer:
    """uvicorn with a certificate, in a daemon thread: ``cors_lab.serve`` speaks plain http only."""

    def __init__(self, app: Any, certificate: Path) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.bind((HOST, 0))
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="off",
            ssl_certfile=str(certificate),
            ssl_keyfile=str(certificate),
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="cors-lab-tls", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the https test server did not start")
            time.sleep(0.01)

    @property
    def url(self) -> str:
        return f"https://{HOST}:{self.port}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


@contextmanager
def serve_tls(app: Any) -> Iterator[TlsServer]:
    """Serve ``app`` over https on 127.0.0.1 with a certificate for 127.0.0.1, localhost and MAPPED_HOST."""
    import trustme

    authority = trustme.CA()
    certificate = authority.issue_cert(HOST, "localhost", MAPPED_HOST)
    with tempfile.TemporaryDirectory(prefix="cors-lab-tls-") as folder:
        pem = Path(folder) / "server.pem"
        certificate.private_key_and_cert_chain_pem.write_to_path(str(pem))
        server = TlsServer(app, pem)
        try:
            yield server
        finally:
            server.stop()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then let go)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Sites:
    """The three origins of every case, running: a page, an API and another origin, plus an https page.

    ``page``, ``api`` and ``other`` are plain http (``cors_lab.serve``); ``https_page`` serves the
    same page app over https. ``hits`` maps each call's token to the requests that reached us.
    """

    def __init__(self, with_tls: bool = True) -> None:
        from cors_lab import serve

        self.origins = Origins()
        self.hits: dict[str, list[Hit]] = {}
        self.page = ScriptedSite("page", self.origins, self.hits)
        self.api = ScriptedSite("api", self.origins, self.hits)
        self.other = ScriptedSite("other", self.origins, self.hits)
        self._servers = [
            serve(site, name=f"cors-lab-engines-{site.name}") for site in (self.page, self.api, self.other)
        ]
        page, api, other = (server.url for server in self._servers)
        self._tls = serve_tls(self.page) if with_tls else None
        tls = self._tls.__enter__() if self._tls else None
        api_port, other_port = self._servers[1].port, self._servers[2].port
        self.origins.values.update(
            page=page,
            api=api,
            other=other,
            other_host=f"{HOST}:{other_port}",
            https_page=tls.url if tls else "",
            mapped=f"http://{MAPPED_HOST}:{api_port}",
            api_with_user=f"http://user:pw@{HOST}:{api_port}",
            api_ws=f"ws://{HOST}:{api_port}",
            api_localhost=f"http://localhost:{api_port}",
            api_schemeless=f"localhost:{api_port}",
            closed=f"http://{HOST}:{closed_port()}",
        )

    def __getitem__(self, origin: str) -> str:
        return self.origins.values[origin]

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
        if self._tls is not None:
            self._tls.__exit__(None, None, None)
