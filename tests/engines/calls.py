"""What a page asks of an engine (a call) and what the engine did (an outcome), engine-neutral.

A call is a ``fetch()``, an ``XMLHttpRequest`` or an ``axios`` request, written the way page
JavaScript writes it. Every driver turns a call into the same dictionary for ``harness.js``
and turns what the harness and the engine's console said back into an :class:`Outcome`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias
from urllib.parse import urlsplit, urlunsplit

#: The query parameter that carries each call's token, so console lines, server hits and
#: redirect targets can be told apart per call.
TOKEN_PARAM = "call"

Headers: TypeAlias = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Fetch:
    """``fetch(url, init)``; ``init`` is passed as it is (method, headers, body, credentials, mode, redirect...)."""

    url: str
    init: Mapping[str, Any] = field(default_factory=dict)
    kind: Literal["fetch"] = "fetch"


@dataclass(frozen=True)
class Xhr:
    """``new XMLHttpRequest()``: ``open(method, url)``, ``setRequestHeader`` for each header, ``send(body)``."""

    url: str
    method: str = "GET"
    headers: Headers = ()
    body: str | None = None
    with_credentials: bool = False
    kind: Literal["xhr"] = "xhr"


@dataclass(frozen=True)
class Axios:
    """``axios({url, method, headers, data, withCredentials})`` with axios's browser (XHR) adapter."""

    url: str
    method: str = "get"
    headers: Mapping[str, str] = field(default_factory=dict)
    data: str | None = None
    with_credentials: bool = False
    kind: Literal["axios"] = "axios"


Call: TypeAlias = Fetch | Xhr | Axios


def new_token() -> str:
    return secrets.token_hex(6)


def with_token(url: str, token: str) -> str:
    """The URL with ``call=<token>`` added to its query; only http(s) URLs carry one.

    Other URLs (data:, ws:) are sent exactly as written: adding to them would change what is
    being tried.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return url
    query = f"{parts.query}&{TOKEN_PARAM}={token}" if parts.query else f"{TOKEN_PARAM}={token}"
    return urlunsplit(parts._replace(query=query))


def to_harness(call: Call, token: str) -> dict[str, Any]:
    """The JSON the in-page harness takes for one call."""
    url = with_token(call.url, token)
    if isinstance(call, Fetch):
        return {"kind": "fetch", "token": token, "url": url, "init": dict(call.init)}
    if isinstance(call, Xhr):
        return {
            "kind": "xhr",
            "token": token,
            "url": url,
            "method": call.method,
            "headers": [list(pair) for pair in call.headers],
            "body": call.body,
            "withCredentials": call.with_credentials,
        }
    config: dict[str, Any] = {
        "url": url,
        "method": call.method,
        "headers": dict(call.headers),
        "withCredentials": call.with_credentials,
    }
    if call.data is not None:  # as page code writes it: no data key at all (data: null is not the same to axios)
        config["data"] = call.data
    return {"kind": "axios", "token": token, "config": config}


@dataclass(frozen=True)
class ConsoleLine:
    """One console message: its level ("error", "warning"...) and its text exactly as the engine gives it.

    ``printed`` is the line as the engine's transport carried it when that differs from the text
    (WebKitGTK prefixes its source and level: ``CONSOLE SECURITY ERROR ...``).
    """

    level: str
    text: str
    printed: str = ""

    def __str__(self) -> str:
        return self.printed or self.text


@dataclass(frozen=True)
class AxiosError:
    """What axios's rejection carries: the fields application code branches on."""

    message: str
    code: str | None
    response_undefined: bool
    request_status: int | None


@dataclass(frozen=True)
class Outcome:
    """What one call did in one engine.

    ``resolved`` is true when the promise resolved (fetch, axios) or ``load`` fired (XHR).
    ``error`` is ``String(error)`` of the rejection or of what the call threw; for XHR it is the
    event that ended it (``error event``) when nothing was thrown. ``console`` holds the lines the
    engine printed for this call, in order.
    """

    resolved: bool
    status: int | None = None
    response_type: str | None = None
    headers: tuple[str, ...] = ()
    body: str | None = None
    error: str | None = None
    axios: AxiosError | None = None
    console: tuple[ConsoleLine, ...] = ()
    elapsed_ms: float = 0.0
    token: str = ""  # the call's token: what reached the servers for this call carries it

    @classmethod
    def from_harness(cls, answer: Mapping[str, Any], console: tuple[ConsoleLine, ...], token: str = "") -> Outcome:
        axios = answer.get("axios")
        return cls(
            resolved=bool(answer.get("resolved")),
            status=answer.get("status"),
            response_type=answer.get("type"),
            headers=tuple(answer.get("headers") or ()),
            body=answer.get("body"),
            error=answer.get("error"),
            axios=AxiosError(
                message=axios["message"],
                code=axios.get("code"),
                response_undefined=bool(axios["responseUndefined"]),
                request_status=axios.get("requestStatus"),
            )
            if axios
            else None,
            console=console,
            elapsed_ms=float(answer.get("elapsedMs") or 0.0),
            token=token,
        )

    @property
    def errors(self) -> tuple[str, ...]:
        """The error-level console lines' texts."""
        return tuple(line.text for line in self.console if line.level == "error")
