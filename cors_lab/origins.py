"""Origins as a browser computes them, and plain-words comparisons of two origins.

URL parsing is the WHATWG URL Standard's, done by ``ada-url`` (the parser inside Node.js).
This module adds the origin rules on top, and turns the parser's bare "Invalid input" into
an error that names the value and the fix, because learners mostly mistype origins.
"""

from __future__ import annotations

import difflib
import html
import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache

import ada_url

from .palette import GREEN, HIGHLIGHT, RED

__all__ = [
    "DEFAULT_PORTS",
    "Origin",
    "OriginComparison",
    "OriginError",
    "compare_origins",
    "origin_of",
    "serialize_origin",
]

#: Default ports of the WHATWG "special" schemes that have tuple origins.
DEFAULT_PORTS: dict[str, int] = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}

_EXAMPLE = "http://localhost:3000"
_opaque_ids = itertools.count(1)
_HOST_PORT = re.compile(r"(?P<host>[^/:?#]+):(?P<port>\d+)(?P<rest>[/?#].*)?")
_SCHEME_AUTHORITY = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#\\]*)")
_LOOKS_LIKE_HOST = re.compile(r"(localhost|[\w-]+(\.[\w-]+)+)([/?#].*)?", re.IGNORECASE)


class OriginError(ValueError):
    """A string that is not a URL a browser could have an origin for; says why and how to fix it."""

    def __init__(self, value: object, problem: str, fix: str) -> None:
        self.value = value
        self.problem = problem
        self.fix = fix
        super().__init__(f"{value!r} {problem}: {fix}")


@dataclass(frozen=True)
class Origin:
    """An origin: a (scheme, host, port) tuple, or an opaque origin serialised as ``null``.

    ``port`` is the effective port (80 for ``http://example.com``). Every opaque origin is
    distinct, even from another one made from the same URL, as in the URL Standard.
    """

    scheme: str | None
    host: str | None
    port: int | None
    _opaque_id: int = field(default=0, repr=False)

    @classmethod
    def opaque(cls) -> Origin:
        """A new opaque origin, unequal to every other origin."""
        return cls(None, None, None, next(_opaque_ids))

    @property
    def is_opaque(self) -> bool:
        return self._opaque_id != 0

    @property
    def uses_default_port(self) -> bool:
        return not self.is_opaque and DEFAULT_PORTS.get(self.scheme or "") == self.port

    def __str__(self) -> str:
        if self.is_opaque:
            return "null"
        port = "" if self.uses_default_port else f":{self.port}"
        return f"{self.scheme}://{self.host}{port}"

    def __repr__(self) -> str:
        return f"Origin({str(self)!r})"


def origin_of(url: str) -> Origin:
    """The origin a browser would send in the ``Origin`` header for a page at ``url``.

    >>> str(origin_of("HTTP://Example.com:80/page?q=1#top"))
    'http://example.com'

    Raises :class:`OriginError` for input a browser would not accept, and for a missing
    scheme (WHATWG reads ``localhost:3000`` as the scheme ``localhost``; a learner means
    ``http://localhost:3000``).
    """
    parts = _origin_parts(url)
    return Origin.opaque() if parts is None else Origin(*parts)


@lru_cache(maxsize=4096)
def serialize_origin(url: str) -> str:
    """``str(origin_of(url))``, cached: the value of the ``Origin`` header a page at ``url`` sends."""
    return str(origin_of(url))


@lru_cache(maxsize=4096)
def _origin_parts(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, effective port) of a tuple origin, None for an opaque one. Cached: the
    browser model asks for the same few origins thousands of times."""
    _reject_obvious_mistakes(url)
    try:
        parsed = ada_url.URL(url)
    except ValueError:
        raise _diagnose_unparsable(url) from None
    serialised = parsed.origin
    if serialised == "null":
        _reject_mistyped_scheme(url, parsed.protocol.rstrip(":"))
        return None
    # The serialised origin of a tuple origin is itself a URL: read its parts from the parser.
    origin_url = ada_url.URL(serialised)
    scheme = origin_url.protocol.rstrip(":")
    port = int(origin_url.port) if origin_url.port else DEFAULT_PORTS[scheme]
    return scheme, origin_url.hostname, port


def _reject_obvious_mistakes(url: object) -> None:
    if not isinstance(url, str):
        raise OriginError(url, "is not a string", f"give a URL as text, such as {_EXAMPLE!r}")
    if not url.strip():
        raise OriginError(url, "is empty", f"give a URL with a scheme and host, such as {_EXAMPLE!r}")
    space = re.search(r"\s", url)
    if space:
        where = (
            "at the start" if space.start() == 0 else "at the end" if space.start() >= len(url.rstrip()) else "inside"
        )
        without_whitespace = re.sub(r"\s+", "", url)
        raise OriginError(
            url, f"contains whitespace {where} (position {space.start()})", f"remove it: {without_whitespace!r}"
        )
    if url.startswith("//"):
        raise OriginError(url, "has no scheme", f"write it as {_likely_scheme(url[2:]) + url[2:]!r}")
    host_port = _HOST_PORT.fullmatch(url)
    if host_port and host_port["host"].lower() not in DEFAULT_PORTS:
        raise OriginError(
            url,
            "has no scheme (a browser would read the host as the scheme)",
            f"write it as {_likely_scheme(url) + url!r}",
        )
    if ":" not in url:
        if _LOOKS_LIKE_HOST.fullmatch(url):
            raise OriginError(url, "has no scheme", f"write it as {_likely_scheme(url) + url!r}")
        raise OriginError(
            url, "is a bare word, not a URL", f"an origin needs a scheme and a host, such as {_EXAMPLE!r}"
        )


def _likely_scheme(host: str) -> str:
    """A development server on this machine speaks http; a public site, https."""
    local = host.lower().startswith(("localhost", "127.", "[::1]")) or host.split(".")[0].isdigit()
    return "http://" if local or ":" in host else "https://"


def _diagnose_unparsable(url: str) -> OriginError:
    """Explain why the WHATWG parser refused ``url`` (it only says "Invalid input")."""
    match = _SCHEME_AUTHORITY.match(url)
    if match is None:
        return OriginError(url, "is not a valid URL", f"write it like {_EXAMPLE!r}")
    scheme = match["scheme"].lower()
    hostport = match["authority"].rpartition("@")[2]
    if hostport.startswith("["):
        host, _, port = hostport.partition("]")
        host, port = host + "]", port.removeprefix(":")
    else:
        host, _, port = hostport.partition(":")
    if not host:
        return OriginError(url, "has no host", f"put a host after '{scheme}://', as in {_EXAMPLE!r}")
    if port and not port.isdigit():
        return OriginError(url, f"has a port {port!r} that is not a number", f"use digits only, as in {_EXAMPLE!r}")
    if port and int(port) > 65535:
        return OriginError(
            url,
            f"has port {int(port)}, out of range (0 to 65535)",
            "use a port between 1 and 65535, such as 3000 or 8000",
        )
    return OriginError(
        url,
        f"has a host {host!r} that is not valid in a URL",
        "use a domain name such as 'example.com', an IPv4 address, or an IPv6 address in []",
    )


def _reject_mistyped_scheme(url: str, scheme: str) -> None:
    """A URL like ``htp://x`` parses (with an opaque origin) but is surely a typo."""
    if "://" not in url:
        return
    close = difflib.get_close_matches(scheme, DEFAULT_PORTS, n=1, cutoff=0.6)
    if close:
        fixed = close[0] + url[len(scheme) :]
        raise OriginError(url, f"has the unknown scheme {scheme!r}", f"did you mean {fixed!r}?")


@dataclass(frozen=True)
class OriginComparison:
    """The result of :func:`compare_origins`: same origin or not, and what differs."""

    a: str
    b: str
    origin_a: Origin
    origin_b: Origin
    same_origin: bool
    differences: tuple[str, ...]
    explanation: str

    def __repr__(self) -> str:
        verdict = "same origin" if self.same_origin else "cross-origin"
        return f"<{verdict}: {self.a} vs {self.b}: {self.explanation}>"

    def _repr_html_(self) -> str:
        def cells(origin: Origin) -> list[str]:
            if origin.is_opaque:
                return ["(opaque)", "(opaque)", "(opaque)"]
            return [str(origin.scheme), str(origin.host), _describe_port(origin)]

        rows = []
        for part, left, right in zip(
            ("scheme", "host", "port"), cells(self.origin_a), cells(self.origin_b), strict=True
        ):
            differs = part in self.differences
            style = f' style="background:{HIGHLIGHT};font-weight:bold"' if differs else ""
            mark = " &#x2260;" if differs else ""
            rows.append(
                f"<tr><th>{part}{mark}</th><td{style}>{html.escape(left)}</td><td{style}>{html.escape(right)}</td></tr>"
            )
        colour = GREEN if self.same_origin else RED
        verdict = "Same origin" if self.same_origin else "Cross-origin"
        return (
            '<table class="cors-lab-origins">'
            f"<tr><th></th>{_url_heading(self.a, self.origin_a)}{_url_heading(self.b, self.origin_b)}</tr>"
            + "".join(rows)
            + f'<tr><td colspan="3" style="color:{colour}"><b>{verdict}</b>: {html.escape(self.explanation)}</td></tr>'
            "</table>"
        )


def compare_origins(a: str, b: str) -> OriginComparison:
    """Compare the origins of two URLs the way the same-origin policy does."""
    origin_a, origin_b = origin_of(a), origin_of(b)
    if origin_a.is_opaque or origin_b.is_opaque:
        which = " and ".join(repr(u) for u, o in ((a, origin_a), (b, origin_b)) if o.is_opaque)
        explanation = (
            f"{which} {'have' if ' and ' in which else 'has'} an opaque origin (sent as 'null'), "
            "which is never the same origin as anything, not even another 'null'"
        )
        return OriginComparison(a, b, origin_a, origin_b, False, ("scheme", "host", "port"), explanation)

    differences = tuple(
        part for part in ("scheme", "host", "port") if getattr(origin_a, part) != getattr(origin_b, part)
    )
    phrases = []
    if "scheme" in differences:
        phrases.append(f"different scheme: {origin_a.scheme} vs {origin_b.scheme}")
    if "host" in differences:
        phrases.append(f"different host: {origin_a.host} vs {origin_b.host}{_host_hint(origin_a, origin_b)}")
    if "port" in differences:
        phrases.append(f"different port: {_describe_port(origin_a)} vs {_describe_port(origin_b)}")
    explanation = "; ".join(phrases) if phrases else (f"same scheme, host and port: both are {origin_a}")
    return OriginComparison(a, b, origin_a, origin_b, not differences, differences, explanation)


def _describe_port(origin: Origin) -> str:
    if origin.uses_default_port:
        return f"{origin.port} (the default for {origin.scheme})"
    return str(origin.port)


def _host_hint(a: Origin, b: Origin) -> str:
    host_a, host_b = a.host or "", b.host or ""
    if host_a.endswith("." + host_b) or host_b.endswith("." + host_a):
        return " (a subdomain is a different host)"
    loopback = {"localhost", "127.0.0.1", "[::1]"}
    if host_a in loopback and host_b in loopback:
        return " (the same machine, but the browser compares names, not addresses)"
    return ""


def _url_heading(url: str, origin: Origin) -> str:
    return f"<th><code>{html.escape(url)}</code><br>origin <code>{html.escape(str(origin))}</code></th>"
