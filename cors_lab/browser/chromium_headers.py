"""The headers Chromium 156 itself adds to a page's fetch() and XHR requests, as measured here.

The model decides what the page's request carries (its own headers, ``Origin``, ``Accept``,
the preflight's ``Access-Control-Request-*``); this module adds what the browser's network
stack puts around it, so a server talking to the model sees what it would see from Chromium.
Measured with Chromium 156 on Linux against a server that logged every header it received:

- every request: ``Connection: keep-alive``, Chromium's ``User-Agent`` (a page's own
  ``User-Agent`` is dropped), ``Referer`` (the page's origin and "/", the most that the default
  policy ``strict-origin-when-cross-origin`` sends cross-origin; none from https to http),
  ``Accept-Encoding`` (``identity`` with a ``Range``) and, unless the page set its own, ``Accept-Language``;
- ``Sec-Fetch-Site``, ``-Mode`` and ``-Dest`` only to a potentially trustworthy URL (https,
  ``localhost``, loopback IPs): none to ``http://api.example.test``. A preflight carries
  ``Sec-Fetch-Mode`` even there;
- the user-agent client hints (``sec-ch-ua``, ``-mobile``, ``-platform``) only while every URL
  of the request so far is potentially trustworthy, and never on a preflight;
- ``Sec-Fetch-Storage-Access: none`` on a credentialed request to another site.

The measured User-Agent says ``HeadlessChrome``; the one sent here is what the same Chromium
sends with a window (``Chrome``), as a learner's own browser would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import ada_url

from .cookies import is_same_site
from .http import HttpRequest
from .rules import is_potentially_trustworthy_host

__all__ = ["USER_AGENT", "browser_headers", "fetch_site", "is_potentially_trustworthy"]

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
ACCEPT_LANGUAGE = "en-US,en;q=0.9"
_PLATFORM = ("sec-ch-ua-platform", '"Linux"')
_BRANDS = ("sec-ch-ua", '"Not:A-Brand";v="8", "Chromium";v="156"')
_MOBILE = ("sec-ch-ua-mobile", "?0")
#: The model's own headers that Chromium places among its own (after the client hints), in its order.
_PLACED = ("accept", "access-control-request-method", "access-control-request-headers", "origin")

FetchSite = Literal["same-origin", "same-site", "cross-site"]


def is_potentially_trustworthy(url: str) -> bool:
    """https (or wss), or a loopback host (see rules.is_potentially_trustworthy_host): a secure context."""
    parsed = ada_url.URL(url)
    return parsed.protocol in ("https:", "wss:") or is_potentially_trustworthy_host(parsed.hostname)


def fetch_site(page_origin: str, url_list: Sequence[str]) -> FetchSite:
    """``Sec-Fetch-Site`` for a request whose URLs so far (redirects included) are ``url_list``."""
    origins = {_origin(url) for url in url_list}
    if origins == {_origin(page_origin)}:
        return "same-origin"
    if all(is_same_site(url, page_origin) for url in url_list):
        return "same-site"
    return "cross-site"


def browser_headers(
    request: HttpRequest,
    *,
    page_origin: str,
    url_list: Sequence[str] = (),
    credentials: str = "same-origin",
    mode: str = "cors",
) -> tuple[tuple[str, str], ...]:
    """``request``'s headers with Chromium's own around them, in Chromium's order.

    ``url_list`` is every URL the request has been sent to so far, redirects included (the
    current one last; empty means just ``request.url``). Host and Content-Length are left to
    the HTTP client.
    """
    urls = list(url_list) or [request.url]
    own = [(name, value) for name, value in request.headers if name.lower() != "user-agent"]
    names = {name.lower() for name, _ in own}
    placed = sorted(
        ((name, value) for name, value in own if name.lower() in _PLACED),
        key=lambda item: _PLACED.index(item[0].lower()),
    )
    rest = [(name, value) for name, value in own if name.lower() not in _PLACED]
    trustworthy = is_potentially_trustworthy(request.url)
    site = fetch_site(page_origin, urls)
    headers: list[tuple[str, str]] = [("Connection", "keep-alive"), *rest]
    if request.kind == "preflight":
        headers += [*placed, ("User-Agent", USER_AGENT), ("Sec-Fetch-Mode", "cors")]
        if trustworthy:
            headers += [("Sec-Fetch-Site", site), ("Sec-Fetch-Dest", "empty")]
    else:
        hints = all(is_potentially_trustworthy(url) for url in urls)
        headers += [_PLATFORM] if hints else []
        headers.append(("User-Agent", USER_AGENT))
        headers += [_BRANDS, _MOBILE] if hints else []
        headers += placed
        if trustworthy:
            headers += [("Sec-Fetch-Site", site), ("Sec-Fetch-Mode", mode), ("Sec-Fetch-Dest", "empty")]
            if credentials == "include" and site == "cross-site":
                headers.append(("Sec-Fetch-Storage-Access", "none"))
    if not (page_origin.startswith("https:") and not request.url.startswith("https:")):
        headers.append(("Referer", page_origin.rstrip("/") + "/"))
    headers.append(("Accept-Encoding", "identity" if "range" in names else ACCEPT_ENCODING))
    if "accept-language" not in names:
        headers.append(("Accept-Language", ACCEPT_LANGUAGE))
    return tuple(headers)


def _origin(url: str) -> str:
    return ada_url.URL(url).origin
