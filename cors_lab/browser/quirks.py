"""Where Firefox's and WebKit's *behaviour* differs from Chromium's, as data the model can consult.

Each field is one difference measured on this machine (``python -m tests.engines.measure``,
docs/engines.md), named after the case that shows it. Differences in *words* only are in each
engine's wording (:mod:`.chromium`, :mod:`.firefox`, :mod:`.webkit`); the fields below are about
what the engine decides, sends or prints at all. :data:`CHROMIUM_QUIRKS` is the baseline: every
field off. tests/engines/test_model_vs_engines.py checks each field against the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["CHROMIUM_QUIRKS", "FIREFOX_QUIRKS", "QUIRKS", "WEBKIT_QUIRKS", "EngineQuirks"]


@dataclass(frozen=True)
class EngineQuirks:
    """One engine's measured departures from Chromium's behaviour (all False: behaves as Chromium)."""

    #: The engine, as its wording names it ("Firefox 153").
    engine: str
    #: mixed-content-loopback: an https page's request to ``http://127.0.0.1`` (or localhost) is
    #: blocked as mixed content. Chromium and Firefox count loopback as secure and let it through.
    loopback_http_is_mixed_content: bool = False
    #: preflight-404-without-acao: the preflight's status is checked before its
    #: Access-Control-Allow-Origin, so a 404 without CORS headers fails as ``PreflightInvalidStatus``
    #: (Chromium and Firefox: ``PreflightMissingAllowOriginHeader``).
    preflight_status_checked_before_allow_origin: bool = False
    #: authorization-under-star: ``Access-Control-Allow-Headers: *`` still covers ``Authorization``
    #: (all three engines let the request through) but the engine prints a warning that it will stop
    #: (Firefox's CORSAllowHeaderFromPreflightDeprecation).
    warns_when_star_covers_authorization: bool = False
    #: preflighted-redirect: after a redirect to another origin, the preflight to the new origin
    #: carries the page's Origin (the request itself then carries ``Origin: null``); Chromium and
    #: WebKit send ``Origin: null`` on both.
    preflight_after_redirect_sends_page_origin: bool = False
    #: redirect-error: ``fetch(url, {redirect: 'error'})`` that meets a redirect rejects with no
    #: console line at all (Chromium prints ``Failed to load resource: net::ERR_FAILED``).
    silent_redirect_mode_error: bool = False
    #: fetch-ws: ``fetch('ws://...')`` (and XHR to it) fails with no console line at all (Firefox's
    #: other schemes have lines: ftp: and no scheme "CORS request not http", file: a security error).
    silent_unsupported_scheme: bool = False
    #: Generated cases (tests/differential/test_generated_engines.py): the client hints (DPR, ECT,
    #: Width, ...) and Intervention are not CORS-safelisted, as in the Fetch Standard; Chromium
    #: safelists them (and strips them on a redirect to another origin).
    fetch_standard_safelist: bool = False
    #: fetch() keeps each header line the page set apart (its Headers object) and judges each by
    #: its own value: Content-Type: text/plain twice needs no preflight, and Access-Control-Request-
    #: Headers lists a name once per line that is not safelisted (``downlink,downlink``). Measured:
    #: repeated-content-type-twice, repeated-accept-language-one-unsafe; XMLHttpRequest joins the
    #: lines first, as Chromium and WebKit do for both.
    judges_fetch_header_lines_one_by_one: bool = False
    #: Accept and Content-Type values with a character beyond ASCII are not safelisted (the Fetch
    #: Standard, Chromium and WebKit safelist them). Measured: repeated-accept-not-ascii,
    #: repeated-content-type-not-ascii.
    safelists_ascii_accept_and_content_type_only: bool = False
    #: With the above, how fetch()'s lines of one name go on the wire: the names here as their last
    #: line alone, the others as the lines after the last empty one, joined by ", " (an empty last
    #: line sends an empty value). Measured: repeated-content-type-two-values, -authorization-twice,
    #: -custom-header-then-empty. Firefox's list is its HTTP layer's single-valued headers.
    single_valued_request_headers: frozenset[str] = frozenset()
    #: Generated cases: a redirected preflight response goes through the CORS check first, so one
    #: without Access-Control-Allow-Origin fails as PreflightMissingAllowOriginHeader (Chromium and
    #: WebKit: PreflightDisallowedRedirect whatever its headers).
    preflight_redirect_checks_allow_origin_first: bool = False
    #: With the above, the schemes a redirected preflight fails on before that check (measured:
    #: preflight-redirect-to-javascript, -data, -blob, -file, -chrome, -ws; -about, -filesystem and
    #: -ftp get the check first).
    preflight_redirect_fails_first_to: frozenset[str] = frozenset()
    #: Generated cases: of a response header sent on several lines, the empty lines count for
    #: nothing (``''`` and ``x`` read as ``x``; Chromium and WebKit: ``, x``).
    merges_header_lines_without_empty_ones: bool = False
    #: Which header a failed Access-Control-Allow-Headers check names when several are missing:
    #: the first in Chromium's own order ("chromium"), alphabetically (Firefox) or in the page's
    #: order (WebKit). Measured: headers-three-not-allowed (X-B, X-C, X-A: x-c, x-a, X-B).
    disallowed_header_order: Literal["chromium", "alphabetical", "page"] = "chromium"
    #: A 301 or 302 to another origin turns a DELETE into a GET without a body (the Fetch Standard,
    #: Chromium and Firefox: only a POST becomes a GET), keeping the other headers, Content-Type too.
    #: Measured: delete-redirected-301-to-other-origin and its variants; PUT and M-SEARCH keep their
    #: method (generated cases), 307 and 308 were not measured.
    redirect_to_another_origin_makes_delete_get: bool = False
    #: An Authorization header a redirect to another origin removed still makes the request need a
    #: preflight there: "unlisted" (Firefox: Access-Control-Request-Headers leaves it out) or
    #: "listed" (WebKit: it lists it, so the preflight must allow it); "" (Chromium): it counts no
    #: more. Either way the request itself goes without it. Measured: authorization-redirected-to-other-origin.
    dropped_authorization_still_counts: Literal["", "unlisted", "listed"] = ""
    #: Generated cases: header values go on the wire as UTF-8 (Chromium and Firefox send each
    #: character as one Latin-1 byte).
    sends_header_values_as_utf8: bool = False
    #: connection-refused: a refused connection fails with no console line at all (Chromium prints
    #: ``net::ERR_CONNECTION_REFUSED``, Firefox "CORS request did not succeed").
    silent_connection_refused: bool = False


CHROMIUM_QUIRKS = EngineQuirks("Chromium 156")
FIREFOX_QUIRKS = EngineQuirks(
    "Firefox 153",
    fetch_standard_safelist=True,
    judges_fetch_header_lines_one_by_one=True,
    safelists_ascii_accept_and_content_type_only=True,
    single_valued_request_headers=frozenset(
        {
            "authorization",
            "content-disposition",
            "content-type",
            "from",
            "if-modified-since",
            "if-unmodified-since",
            "location",
            "max-forwards",
            "sec-gpc",
        }
    ),
    preflight_redirect_checks_allow_origin_first=True,
    disallowed_header_order="alphabetical",
    dropped_authorization_still_counts="unlisted",
    preflight_redirect_fails_first_to=frozenset({"javascript:", "data:", "blob:", "file:", "chrome:", "ws:"}),
    merges_header_lines_without_empty_ones=True,
    warns_when_star_covers_authorization=True,
    preflight_after_redirect_sends_page_origin=True,
    silent_redirect_mode_error=True,
    silent_unsupported_scheme=True,
)
WEBKIT_QUIRKS = EngineQuirks(
    "WebKit 2.50",
    fetch_standard_safelist=True,
    sends_header_values_as_utf8=True,
    disallowed_header_order="page",
    redirect_to_another_origin_makes_delete_get=True,
    dropped_authorization_still_counts="listed",
    loopback_http_is_mixed_content=True,
    preflight_status_checked_before_allow_origin=True,
    silent_connection_refused=True,
)
#: Each engine's quirks by the name ``Browser(engine=...)`` takes.
QUIRKS: dict[str, EngineQuirks] = {"chromium": CHROMIUM_QUIRKS, "firefox": FIREFOX_QUIRKS, "webkit": WEBKIT_QUIRKS}
