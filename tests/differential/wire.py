"""The servers of the differential test, in a child process: ``python wire.py`` prints their ports.

Three uvicorn servers in h11 mode (the page's origin, the API and another origin), one event
loop. h11's checks on header values are widened in this process only, so that a case's odd
values (leading spaces, control bytes, bytes over 0x7F) go on the wire exactly as written, in
both directions: Chromium must parse what a sloppy server really sends, and the test must see
what Chromium really sent.

A case is registered with ``POST /__case`` (JSON, see :func:`reply_for`); every request whose
query carries ``t=<token>`` is answered by that case's script for the server it reached and
recorded; ``GET /__hits?t=<token>`` returns (and forgets) what the servers received.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import sys
from typing import Any
from urllib.parse import parse_qs

import h11._headers
import uvicorn
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.errors import ServerErrorMiddleware

# Any byte but CR, LF and NUL in a header value, as sloppy servers and pages send them.
h11._headers._field_value_re = re.compile(rb"[^\r\n\x00]*")  # type: ignore[attr-defined]

PAGE_HTML = b"<!doctype html><meta charset=utf-8><title>cors-lab differential page</title><p>page"

CASES: dict[str, dict[str, Any]] = {}
HITS: dict[str, list[dict[str, Any]]] = {}
ORIGINS: dict[str, str] = {}


def _latin1(value: str) -> bytes:
    return value.encode("latin-1")


def _fill(text: str, query: str) -> str:
    for key, origin in ORIGINS.items():
        text = text.replace("{" + key + "}", origin)
    return text.replace("{query}", query)


async def _scripted(script: dict[str, Any], scope: dict[str, Any], send: Any, query: str) -> None:
    """The reply a case wrote down for this server: status, header lines as written, body."""
    reply = script.get("actual", {})
    if scope["path"].startswith("/final") and script.get("final") is not None:
        reply = script["final"]  # where a redirect to this server's /final lands
    if scope["method"] == "OPTIONS" and script.get("preflight") is not None:
        reply = script["preflight"]
    headers = [(_latin1(name.lower()), _latin1(_fill(value, query))) for name, value in reply.get("headers", [])]
    if not any(name == b"content-type" for name, _ in headers):
        headers.append((b"content-type", b"text/plain; charset=utf-8"))
    if reply.get("status") in (301, 308) and not any(name == b"cache-control" for name, _ in headers):
        # Chromium keeps permanent redirects in its HTTP cache, and the model has no HTTP cache:
        # a second call would never reach the server in one and would in the other.
        headers.append((b"cache-control", b"no-store"))
    if reply.get("crash"):
        raise RuntimeError("an unhandled exception in the endpoint")
    await send({"type": "http.response.start", "status": reply.get("status", 200), "headers": headers})
    await send({"type": "http.response.body", "body": _latin1(reply.get("body", "hello"))})


def _app(server: str) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        query = scope["query_string"].decode("latin-1")
        token = (parse_qs(query).get("t") or [""])[0]
        if scope["path"] == "/__case":
            case = json.loads(body)
            CASES[case["token"]] = case
            HITS[case["token"]] = []
            return await _plain(send, 200, b"ok")
        if scope["path"] == "/__hits":
            hits = HITS.get(token, [])
            HITS[token] = []
            return await _plain(send, 200, json.dumps(hits).encode())
        if server == "page" and scope["path"] == "/" and not token:
            return await _plain(send, 200, PAGE_HTML, b"text/html; charset=utf-8")
        if token not in CASES:
            return await _plain(send, 404, b"no such case")
        HITS[token].append(
            {
                "server": server,
                "method": scope["method"],
                "path": scope["raw_path"].decode("latin-1") + ("?" + query if query else ""),
                "headers": [[n.decode("latin-1"), v.decode("latin-1")] for n, v in scope["headers"]],
                "body": body.decode("latin-1"),
            }
        )
        script = CASES[token].get(server) or {}
        inner = _endpoint(script, query)
        if script.get("cors") is not None:
            settings = dict(script["cors"])
            if "allow_origins" in settings:
                settings["allow_origins"] = [_fill(origin, query) for origin in settings["allow_origins"]]
            inner = CORSMiddleware(inner, **settings)
        # As in FastAPI: an unhandled exception becomes a 500 from outside CORSMiddleware, and then
        # uvicorn closes the connection.
        await ServerErrorMiddleware(inner)(scope, receive, send)

    return app


def _endpoint(script: dict[str, Any], query: str) -> Any:
    async def endpoint(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await _scripted(script, scope, send, query)

    return endpoint


async def _plain(send: Any, status: int, body: bytes, content_type: bytes = b"text/plain") -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", content_type)]})
    await send({"type": "http.response.body", "body": body})


async def main() -> None:
    sockets = {}
    for name in ("page", "api", "other"):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets[name] = sock
    ports = {name: sock.getsockname()[1] for name, sock in sockets.items()}
    # The page and the API share a site (localhost), so cookies work as in the lessons; the
    # third origin is another site.
    ORIGINS.update(
        page=f"http://localhost:{ports['page']}",
        api=f"http://localhost:{ports['api']}",
        other=f"http://127.0.0.1:{ports['other']}",
        api_host=f"localhost:{ports['api']}",
        other_host=f"127.0.0.1:{ports['other']}",
    )
    servers = [
        uvicorn.Server(uvicorn.Config(_app(name), http="h11", log_level="critical", lifespan="on")) for name in sockets
    ]
    tasks = [asyncio.create_task(s.serve(sockets=[sock])) for s, sock in zip(servers, sockets.values(), strict=True)]
    while not all(s.started for s in servers):
        await asyncio.sleep(0.01)
    print(json.dumps(ORIGINS), flush=True)
    await asyncio.gather(*tasks)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
