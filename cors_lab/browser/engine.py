"""What an engine adds to the engine-neutral decisions: the words of its console and its errors.

The model (``cors_lab.browser``) decides *what* failed, as a :class:`~.failures.FailureCode`;
a :class:`Wording` says how one engine reports that failure: every line it prints in its console,
and the error the page's script gets. Chromium's table is in :mod:`.chromium`; another engine's
wording is another implementation of this interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from .failures import FailureCode

__all__ = [
    "API_CHOICES",
    "Api",
    "Occasion",
    "RequestWording",
    "ResponseWording",
    "WildcardAuthorizationWording",
    "Wording",
]

#: The page's way of making the request: ``fetch()`` or ``XMLHttpRequest`` (which axios uses).
Api = Literal["fetch", "xhr"]
API_CHOICES: tuple[Api, ...] = ("fetch", "xhr")


@dataclass(frozen=True)
class Occasion:
    """What an engine's words for one failure may name.

    ``url`` is the URL the failure is about (after redirects, the last one); ``redirected_from``
    the page's original URL when a redirect led there; ``page_url`` the page's own URL (its
    origin and ``/`` when not given); ``status`` the status of the response that failed, if any.

    Firefox and WebKit name a few more things: ``location`` is where the redirect whose response
    failed pointed (its Location, resolved; WebKit prints it), ``origin_sent`` the Origin the
    failing request carried when it was not the page's (``"null"`` after a redirect to another
    origin; WebKit prints it), and ``header_name`` the header a failure is about as the page
    wrote it (WebKit keeps its case: ``X-Custom``, where the parameter is ``x-custom``).
    ``preflight`` says the failure came with the preflight (its answer, or no answer), which
    Firefox's words show only in how many lines it prints and which URL they name; and
    ``same_origin`` that the request never left the page's origin, so was no CORS request.
    """

    url: str
    page_origin: str
    page_url: str = ""
    method: str = "GET"
    status: int | None = None
    redirected_from: str | None = None
    api: Api = "fetch"
    location: str | None = None
    origin_sent: str = ""
    header_name: str = ""
    preflight: bool = False
    same_origin: bool = False

    @property
    def page(self) -> str:
        """The page's URL, as consoles print it."""
        return self.page_url or self.page_origin.rstrip("/") + "/"


class Wording(Protocol):
    """One engine's words for a failure, keyed by failure code."""

    #: The engine's name and the version its words were measured in, e.g. "Chromium 156".
    engine: str

    def console_lines(self, code: FailureCode, parameter: str, occasion: Occasion) -> tuple[str, ...]:
        """Every console line the engine prints for this failure, in order (() when it is silent)."""
        ...

    def js_error(self, code: FailureCode, parameter: str, occasion: Occasion) -> str:
        """The error the page's script gets, as ``String(error)`` shows it ('' when it gets no exception,
        as with XMLHttpRequest's ``error`` event)."""
        ...


@runtime_checkable
class ResponseWording(Protocol):
    """An engine that also prints lines for responses the page does get (Chromium: a 4xx or 5xx)."""

    def response_lines(self, occasion: Occasion, reason: str = "") -> tuple[str, ...]:
        """The console lines for the response in ``occasion`` (its ``status``); ``reason`` is its reason phrase."""
        ...


@runtime_checkable
class WildcardAuthorizationWording(Protocol):
    """An engine that warns when ``Access-Control-Allow-Headers: *`` is taken to cover Authorization."""

    def authorization_warning(self, url: str) -> str:
        """The console warning for a request to ``url`` whose Authorization only '*' allowed."""
        ...


@runtime_checkable
class RequestWording(Protocol):
    """An engine that prints lines while an XMLHttpRequest is being made (Chromium: a header it refuses)."""

    def unsafe_header_lines(self, name: str) -> tuple[str, ...]:
        """The console lines for ``setRequestHeader(name, ...)`` with a header no page may set."""
        ...
