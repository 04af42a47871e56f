"""The preflight cache, keyed and timed the way Chromium does it.

An entry belongs to (page origin, URL). It remembers the allowed methods and headers, whether
the preflight was made for a credentialed request, and when it expires: Access-Control-Max-Age
seconds, capped at 7200 (Chromium's cap); 5 s when the header is absent or not a number (as the
Fetch Standard says); a negative number means 0, no caching (as Chromium 156 does). The clock is
injected so lessons and tests can move time.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from .rules import unsafe_names

__all__ = ["DEFAULT_MAX_AGE", "MAX_AGE_CAP", "CacheEntry", "PreflightCache"]

DEFAULT_MAX_AGE = 5
MAX_AGE_CAP = 7200
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


@dataclass(frozen=True)
class CacheEntry:
    methods: frozenset[str]
    headers: frozenset[str]  # lower case
    credentials: bool
    expires_at: float

    def allows(self, method: str, header_names: tuple[str, ...], include_credentials: bool) -> bool:
        """Whether this entry lets the request skip its preflight (Chromium's rules)."""
        if include_credentials and not self.credentials:
            return False
        method_ok = (
            method in self.methods
            or method in ("GET", "HEAD", "POST")
            or ("*" in self.methods and not include_credentials)
        )
        # Chromium 156 lets '*' cover Authorization when it checks a preflight's answer, but not
        # when it checks a cached one: a request with Authorization sends a preflight each time
        # (measured: three fetches, three preflights).
        wildcard = "*" in self.headers and not include_credentials
        headers_ok = all(name in self.headers or (wildcard and name != "authorization") for name in header_names)
        return method_ok and headers_ok


class PreflightCache:
    """Remembers successful preflights until they expire."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._entries: dict[tuple[str, str], CacheEntry] = {}

    @staticmethod
    def max_age(header: str | None) -> int:
        """How long a preflight answer may be reused, in seconds, from Access-Control-Max-Age."""
        value = (header or "").strip(" \t")
        if not _WHOLE_NUMBER.fullmatch(value):
            return DEFAULT_MAX_AGE
        return max(0, min(int(value), MAX_AGE_CAP))

    def store(
        self,
        origin: str,
        url: str,
        *,
        methods: list[str],
        headers: list[str],
        include_credentials: bool,
        max_age_header: str | None,
    ) -> CacheEntry:
        entry = CacheEntry(
            frozenset(methods),
            frozenset(h.lower() for h in headers),
            include_credentials,
            self.clock() + self.max_age(max_age_header),
        )
        self._entries[(origin, url)] = entry
        return entry

    def lookup(
        self,
        origin: str,
        url: str,
        method: str,
        request_headers: tuple[tuple[str, str], ...],
        include_credentials: bool,
        *,
        chromium: bool = True,
        line_by_line: bool = False,
        ascii_only: bool = False,
    ) -> CacheEntry | None:
        """The entry that lets this request go without a preflight, or None (``chromium``: by
        Chromium's safelist, else by the Fetch Standard's; ``line_by_line``: each header line
        judged by its own value; ``ascii_only``: Firefox's Accept and Content-Type rule)."""
        entry = self._entries.get((origin, url))
        if entry is None:
            return None
        if entry.expires_at <= self.clock():
            del self._entries[(origin, url)]
            return None
        names = unsafe_names(request_headers, chromium, line_by_line, ascii_only)
        return entry if entry.allows(method, names, include_credentials) else None

    def seconds_left(self, origin: str, url: str) -> float | None:
        entry = self._entries.get((origin, url))
        return None if entry is None else max(0.0, entry.expires_at - self.clock())

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        now = self.clock()
        return sum(entry.expires_at > now for entry in self._entries.values())
