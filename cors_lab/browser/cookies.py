"""A browser's cookie jar, just enough of RFC 6265bis for CORS lessons, with Chromium's SameSite rules.

Cookies ignore ports: a cookie set by localhost:8000 is also sent to localhost:3000. SameSite
compares *sites* (scheme plus registrable domain), not origins: localhost:3000 and
localhost:8000 are the same site, localhost and 127.0.0.1 are not.

Chromium 156 as installed here blocks third-party cookies: a request to another site neither
stores nor sends cookies, even SameSite=None; Secure ones. ``block_third_party=False`` models a
browser that still allows them (the SameSite rules then decide).
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Literal

import ada_url
from publicsuffixlist import PublicSuffixList

from ..origins import origin_of

__all__ = ["Cookie", "CookieJar", "Deletion", "Rejection", "is_same_site", "site_of"]

SameSite = Literal["strict", "lax", "none"]


@lru_cache(maxsize=1)
def _public_suffixes() -> PublicSuffixList:
    return PublicSuffixList()


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _registrable_domain(host: str) -> str:
    if _is_ip(host):
        return host
    return _public_suffixes().privatesuffix(host) or host


@lru_cache(maxsize=1024)
def site_of(url: str) -> str:
    """The schemeful site of a URL: ``http://example.com`` for ``http://api.example.com:8000/x``.

    An opaque origin (``file:``, ``data:``) has no site: it gives ``"null"``, which is never the
    same site as anything. Bad input raises ``OriginError``, as ``origin_of`` does.
    """
    origin = origin_of(url)
    if origin.is_opaque:
        return "null"
    return f"{origin.scheme}://{_registrable_domain(origin.host or '')}"


def is_same_site(a: str, b: str) -> bool:
    site = site_of(a)
    return site != "null" and site == site_of(b)


def _is_secure_url(url: str) -> bool:
    """https, or a loopback host: Chromium treats http://localhost as a secure context."""
    parsed = ada_url.URL(url)
    host = parsed.hostname.strip("[]")
    if parsed.protocol in ("https:", "wss:"):
        return True
    if host == "localhost" or host.endswith(".localhost"):
        return True
    return _is_ip(host) and ipaddress.ip_address(host).is_loopback


@dataclass(frozen=True)
class Cookie:
    name: str
    value: str = field(repr=False)  # a session token: never shown
    domain: str  # without a leading dot
    host_only: bool
    path: str
    secure: bool
    http_only: bool
    same_site: SameSite
    expires_at: float | None  # None: a session cookie

    def matches(self, host: str, path: str) -> bool:
        domain_ok = (
            host == self.domain
            if self.host_only
            else (host == self.domain or (host.endswith("." + self.domain) and not _is_ip(host)))
        )
        path_ok = path == self.path or (
            path.startswith(self.path) and (self.path.endswith("/") or path[len(self.path)] == "/")
        )
        return domain_ok and path_ok


@dataclass(frozen=True)
class Rejection:
    """A Set-Cookie line the browser ignored, and why (DevTools shows this in the Network panel)."""

    line: str = field(repr=False)
    reason: str


@dataclass(frozen=True)
class Deletion:
    """A Set-Cookie line with an expiry in the past: how a server deletes a cookie."""

    name: str
    domain: str
    path: str
    existed: bool  # whether the jar held that cookie


class CookieJar:
    """Stores cookies from Set-Cookie and picks the ones a request carries."""

    def __init__(self, clock: Callable[[], float] = time.time, *, block_third_party: bool = True) -> None:
        self.clock = clock
        self.block_third_party = block_third_party
        self._cookies: dict[tuple[str, str, str], Cookie] = {}

    def __iter__(self):
        now = self.clock()
        return iter([c for c in self._cookies.values() if c.expires_at is None or c.expires_at > now])

    def __len__(self) -> int:
        return len(list(iter(self)))

    def clear(self) -> None:
        self._cookies.clear()

    def store(self, set_cookie: str, url: str, *, page_url: str) -> Cookie | Rejection | Deletion:
        """Take one Set-Cookie line received from ``url`` by a fetch made from a page at ``page_url``."""
        parsed = _parse_set_cookie(set_cookie)
        if isinstance(parsed, str):
            return Rejection(set_cookie, parsed)
        name, value, attributes = parsed
        if self.block_third_party and not is_same_site(url, page_url):
            return Rejection(
                set_cookie,
                f"third-party cookies are blocked: {site_of(url)} is not the page's site {site_of(page_url)}",
            )
        target = ada_url.URL(url)
        host = target.hostname
        domain_attribute = attributes.get("domain", "").lstrip(".").lower()
        if domain_attribute:
            if _public_suffixes().is_public(domain_attribute) and domain_attribute != host:
                return Rejection(set_cookie, f"Domain={domain_attribute} is a public suffix")
            if not (host == domain_attribute or (host.endswith("." + domain_attribute) and not _is_ip(host))):
                return Rejection(set_cookie, f"Domain={domain_attribute} does not cover the host {host}")
        same_site = attributes.get("samesite", "lax").lower()
        if same_site not in ("strict", "lax", "none"):
            same_site = "lax"
        secure = "secure" in attributes
        if secure and not _is_secure_url(url):
            return Rejection(set_cookie, "it is Secure but came over plain http from a host that is not localhost")
        if same_site == "none" and not secure:
            return Rejection(set_cookie, "SameSite=None needs Secure")
        if same_site != "none" and not is_same_site(url, page_url):
            return Rejection(
                set_cookie,
                f"it is SameSite={same_site.capitalize()} and came from a cross-site "
                f"request ({site_of(url)} is not the page's site {site_of(page_url)})",
            )
        path = attributes.get("path", "")
        if not path.startswith("/"):
            directory = target.pathname.rsplit("/", 1)[0]
            path = directory or "/"
        cookie = Cookie(
            name,
            value,
            domain_attribute or host,
            not domain_attribute,
            path,
            secure,
            "httponly" in attributes,
            same_site,  # type: ignore[arg-type]
            self._expiry(attributes),
        )
        key = (cookie.domain, cookie.path, cookie.name)
        if cookie.expires_at is not None and cookie.expires_at <= self.clock():
            existed = self._cookies.pop(key, None) is not None
            return Deletion(cookie.name, cookie.domain, cookie.path, existed)
        self._cookies[key] = cookie
        return cookie

    def cookies_for(self, url: str, *, page_url: str) -> list[Cookie]:
        """The cookies a credentialed request to ``url`` from a page at ``page_url`` carries."""
        if not self._cookies:
            return []
        same_site = is_same_site(url, page_url)
        if self.block_third_party and not same_site:
            return []
        target = ada_url.URL(url)
        secure_url = _is_secure_url(url)
        chosen = [
            c
            for c in self
            if c.matches(target.hostname, target.pathname or "/")
            and (secure_url or not c.secure)
            and (same_site or c.same_site == "none")
        ]
        return sorted(chosen, key=lambda c: -len(c.path))

    def withheld(self, url: str, *, page_url: str) -> list[tuple[Cookie, str]]:
        """Cookies stored for ``url``'s host and path that a credentialed request still leaves out, and why."""
        if not self._cookies:
            return []
        target = ada_url.URL(url)
        sent = {id(c) for c in self.cookies_for(url, page_url=page_url)}
        kept_back = []
        for cookie in self:
            if id(cookie) in sent or not cookie.matches(target.hostname, target.pathname or "/"):
                continue
            if self.block_third_party and not is_same_site(url, page_url):
                reason = f"third-party cookies are blocked ({site_of(url)} is not the page's site {site_of(page_url)})"
            elif cookie.secure and not _is_secure_url(url):
                reason = "it is Secure and this request is plain http"
            else:
                reason = f"it is SameSite={cookie.same_site.capitalize()} and this request is cross-site"
            kept_back.append((cookie, reason))
        return kept_back

    def header_for(self, url: str, *, page_url: str) -> str | None:
        cookies = self.cookies_for(url, page_url=page_url)
        return "; ".join(f"{c.name}={c.value}" for c in cookies) if cookies else None

    def _expiry(self, attributes: dict[str, str]) -> float | None:
        if "max-age" in attributes:
            try:
                return self.clock() + int(attributes["max-age"])
            except ValueError:
                pass
        if "expires" in attributes:
            try:
                return parsedate_to_datetime(attributes["expires"]).timestamp()
            except (TypeError, ValueError):
                pass
        return None


def _parse_set_cookie(line: str) -> tuple[str, str, dict[str, str]] | str:
    """RFC 6265bis section 5.6: name, value and attributes (lower-cased names); a reason when refused."""
    pair, *attribute_parts = line.split(";")
    if "=" not in pair:
        return "it has no name=value pair"
    name, value = (part.strip(" \t") for part in pair.split("=", 1))
    if not name:
        return "its name is empty"
    attributes = {}
    for part in attribute_parts:
        key, _, val = part.partition("=")
        attributes[key.strip(" \t").lower()] = val.strip(" \t")
    return name, value, attributes
