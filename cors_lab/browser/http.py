"""Plain HTTP messages as the browser model sees them: what was sent and what came back."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

__all__ = [
    "REDIRECT_STATUSES",
    "HeaderItems",
    "HttpRequest",
    "HttpResponse",
    "display_name",
    "header_items",
    "is_cors_header",
    "is_token",
    "parse_header_line",
    "without_empty_repeats",
]

HeaderItems = tuple[tuple[str, str], ...]
HeadersLike = Mapping[str, str] | Iterable[tuple[str, str]] | None
Kind = Literal["preflight", "actual"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110's token: a method or a header name
# The headers a reader of a CORS exchange should look at first.
_CORS_HEADER_PREFIXES = ("access-control-", "origin", "vary")


def is_token(text: str) -> bool:
    """Whether ``text`` is an HTTP token (RFC 9110), the syntax of methods and header names."""
    return _TOKEN.fullmatch(text) is not None


def display_name(name: str) -> str:
    """A header name as people write it: ``content-type`` -> ``Content-Type``."""
    return "-".join(part.capitalize() for part in name.split("-"))


def is_cors_header(name: str) -> bool:
    """Whether a header takes part in CORS (``Access-Control-*``, ``Origin``, ``Vary``)."""
    return name.lower().startswith(_CORS_HEADER_PREFIXES)


def parse_header_line(line: str) -> tuple[str, str]:
    """A ``Name: value`` line (as DevTools and curl's ``-H`` show them) as a pair, both stripped.

    A ValueError says what is wrong with the line; the caller adds where it came from.
    """
    name, colon, value = line.partition(":")
    name = name.strip()
    if not colon or not is_token(name):
        raise ValueError(f"{line.strip()!r} is not 'Name: value', e.g. 'Content-Type: application/json'")
    return name, value.strip()


def without_empty_repeats(headers: HeaderItems) -> HeaderItems:
    """The header lines with the empty ones left out where the same name has another line (Firefox
    merges repeated lines so: an empty one adds nothing, not even the ", ")."""
    filled = {name.lower() for name, value in headers if value.strip(" \t")}
    kept: list[tuple[str, str]] = []
    empty_seen: set[str] = set()
    for name, value in headers:
        if not value.strip(" \t"):
            lower = name.lower()
            if lower in filled or lower in empty_seen:
                continue
            empty_seen.add(lower)
        kept.append((name, value))
    return tuple(kept)


def header_items(headers: HeadersLike) -> HeaderItems:
    """Headers as a tuple of (name, value) pairs, in order, repeats kept."""
    if headers is None:
        return ()
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return tuple((str(name), str(value)) for name, value in pairs)


class _HeaderLookup:
    headers: HeaderItems

    @cached_property
    def _by_name(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for key, value in self.headers:
            index.setdefault(key.lower(), []).append(value)
        return index

    def get_all(self, name: str) -> list[str]:
        """Every value of a header, one per header line, in order."""
        return list(self._by_name.get(name.lower(), ()))

    def get(self, name: str) -> str | None:
        """A header's value as the browser reads it: repeated lines joined with ", "."""
        values = self._by_name.get(name.lower())
        return ", ".join(values) if values else None


@dataclass(frozen=True)
class HttpRequest(_HeaderLookup):
    """A request as the browser puts it on the wire."""

    method: str
    url: str
    headers: HeaderItems = ()
    body: bytes = b""
    kind: Kind = "actual"


@dataclass(frozen=True)
class HttpResponse(_HeaderLookup):
    """A response as it arrived, before the browser decides what the page may see."""

    status: int
    headers: HeaderItems = ()
    body: bytes = b""
    reason: str = field(default="", compare=False)

    @property
    def is_redirect(self) -> bool:
        return self.status in REDIRECT_STATUSES and self.get("location") is not None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")
