"""What the browser model decides for each measured case (tests/engines/cases.py), per engine.

:data:`MODEL` holds, for every case, the model's failure code, its parameter and what the
engines' words may name (the failing URL, the redirect's source and target, the status...), with
the live origins as templates. :func:`for_engine` applies an engine's quirks
(cors_lab/browser/quirks.py) where it decides differently. The live wording test and the explain
tests both read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from cors_lab.browser.engine import Api, Occasion
from cors_lab.browser.failures import FailureCode
from cors_lab.browser.quirks import EngineQuirks

__all__ = ["FINAL", "MODEL", "Model", "for_engine"]

C = FailureCode


@dataclass(frozen=True)
class Model:
    """What the model decides for a case: ``code`` None means allowed. URLs are templates over the
    live origins (``{api}``, ``{path}``...), like the cases' own."""

    code: FailureCode | None
    parameter: str = ""
    url: str = "{api}{path}"
    status: int | None = None
    redirected_from: str | None = None
    location: str | None = None
    origin_sent: str = ""
    header_name: str = ""
    method: str = "GET"
    #: XMLHttpRequest sends what fetch() refuses (a URL with credentials, a GET with a body).
    xhr_allowed: bool = False
    #: An https page asking for http://127.0.0.1 (see EngineQuirks.loopback_http_is_mixed_content).
    loopback_from_https: bool = False

    def occasion(self, origins: Mapping[str, str], path: str, page_origin: str, api: Api) -> tuple[str, Occasion]:
        """The failure's parameter and occasion with the origins filled in (``path`` is the case's)."""

        def fill(template: str) -> str:
            return template.format(**origins, path=path)

        occasion = Occasion(
            fill(self.url),
            page_origin,
            method=self.method,
            status=self.status,
            redirected_from=None if self.redirected_from is None else fill(self.redirected_from),
            api=api,
            location=None if self.location is None else fill(self.location),
            origin_sent=self.origin_sent,
            header_name=self.header_name,
        )
        return fill(self.parameter) if "{" in self.parameter else self.parameter, occasion


FINAL = "{other}{path}/final"
MODEL: dict[str, Model] = {
    "allowed": Model(None),
    "missing-acao": Model(C.MISSING_ALLOW_ORIGIN_HEADER, status=200),
    "missing-acao-500": Model(C.MISSING_ALLOW_ORIGIN_HEADER, status=500),
    "acao-other-origin": Model(C.ALLOW_ORIGIN_MISMATCH, "http://other.example", status=200),
    "acao-trailing-slash": Model(C.ALLOW_ORIGIN_MISMATCH, "{page}/", status=200),
    "acao-null": Model(C.ALLOW_ORIGIN_MISMATCH, "null", status=200),
    "acao-list-in-one-header": Model(C.MULTIPLE_ALLOW_ORIGIN_VALUES, "{page}, http://other.example", status=200),
    "acao-two-header-lines": Model(C.MULTIPLE_ALLOW_ORIGIN_VALUES, "{page}, {page}", status=200),
    "acao-not-a-url": Model(C.INVALID_ALLOW_ORIGIN_VALUE, "foo", status=200),
    "acao-non-ascii": Model(C.INVALID_ALLOW_ORIGIN_VALUE, "http://b\u00fccher.example", status=200),
    "wildcard-with-credentials": Model(C.WILDCARD_ORIGIN_NOT_ALLOWED, status=200),
    "credentials-without-acac": Model(C.INVALID_ALLOW_CREDENTIALS, status=200),
    "credentials-acac-True": Model(C.INVALID_ALLOW_CREDENTIALS, "True", status=200),
    "credentials-allowed": Model(None),
    **{
        f"preflight-{status}": Model(C.PREFLIGHT_INVALID_STATUS, status=status, method="PUT")
        for status in (400, 401, 404, 500)
    },
    "preflight-404-without-acao": Model(C.PREFLIGHT_MISSING_ALLOW_ORIGIN_HEADER, status=404, method="PUT"),
    "preflight-redirect-301": Model(C.PREFLIGHT_DISALLOWED_REDIRECT, status=301, method="PUT"),
    "preflight-redirect-307": Model(C.PREFLIGHT_DISALLOWED_REDIRECT, status=307, method="PUT"),
    "method-not-allowed": Model(C.METHOD_DISALLOWED_BY_PREFLIGHT_RESPONSE, "PUT", status=204, method="PUT"),
    "method-lower-case-patch": Model(C.METHOD_DISALLOWED_BY_PREFLIGHT_RESPONSE, "patch", status=204, method="patch"),
    "header-not-allowed": Model(
        C.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE, "x-custom", status=204, header_name="X-Custom"
    ),
    "headers-one-of-several-not-allowed": Model(
        C.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE, "x-beta", status=204, header_name="X-Beta"
    ),
    "allow-methods-garbled": Model(C.INVALID_ALLOW_METHODS_PREFLIGHT_RESPONSE, "PUT, (bad)", status=204, method="PUT"),
    "allow-headers-garbled": Model(C.INVALID_ALLOW_HEADERS_PREFLIGHT_RESPONSE, "x-custom, x other", status=204),
    "authorization-under-star": Model(None),
    "authorization-listed": Model(None),
    "allow-headers-star-with-credentials": Model(
        C.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE, "x-custom", status=204, header_name="X-Custom"
    ),
    "preflight-missing-acao": Model(C.PREFLIGHT_MISSING_ALLOW_ORIGIN_HEADER, status=200, method="PUT"),
    "preflight-acao-mismatch": Model(
        C.PREFLIGHT_ALLOW_ORIGIN_MISMATCH, "http://other.example", status=204, method="PUT"
    ),
    "preflight-acao-two-lines": Model(
        C.PREFLIGHT_MULTIPLE_ALLOW_ORIGIN_VALUES, "{page}, {page}", status=204, method="PUT"
    ),
    "preflight-acao-invalid": Model(C.PREFLIGHT_INVALID_ALLOW_ORIGIN_VALUE, "foo", status=204, method="PUT"),
    "preflight-wildcard-with-credentials": Model(C.PREFLIGHT_WILDCARD_ORIGIN_NOT_ALLOWED, status=204, method="PUT"),
    "preflight-without-acac": Model(C.PREFLIGHT_INVALID_ALLOW_CREDENTIALS, status=204, method="PUT"),
    "redirect-allowed": Model(None),
    "redirect-target-without-acao": Model(
        C.MISSING_ALLOW_ORIGIN_HEADER, url=FINAL, status=200, redirected_from="{api}{path}", origin_sent="null"
    ),
    "redirect-without-acao": Model(C.MISSING_ALLOW_ORIGIN_HEADER, status=302, location=FINAL),
    "redirect-origin-null-vs-page-origin": Model(
        C.ALLOW_ORIGIN_MISMATCH, "{page}", url=FINAL, status=200, redirected_from="{api}{path}", origin_sent="null"
    ),
    "redirect-origin-null-allowed": Model(None),
    "redirect-contains-credentials": Model(
        C.REDIRECT_CONTAINS_CREDENTIALS, status=302, location="http://user:pw@{other_host}{path}/final"
    ),
    "redirect-to-ftp": Model(
        C.CORS_DISABLED_SCHEME, url="ftp://127.0.0.1/file", status=302, redirected_from="{api}{path}"
    ),
    "redirect-to-data": Model(
        C.NETWORK_ERROR, "net::ERR_UNSAFE_REDIRECT", url="data:text/plain,hi", status=302, redirected_from="{api}{path}"
    ),
    "preflighted-redirect": Model(None),
    "no-cors-get": Model(None),
    "no-cors-custom-header": Model(None),
    "no-cors-json-post": Model(None),
    "no-cors-put": Model(C.NO_CORS_METHOD, "PUT", method="PUT"),
    "same-origin-mode": Model(C.SAME_ORIGIN_MODE),
    "redirect-error": Model(C.REDIRECT_MODE_ERROR, status=302, location=FINAL),
    "redirect-manual": Model(None),
    "mixed-content-loopback": Model(None, loopback_from_https=True),
    "mixed-content-named-host": Model(C.MIXED_CONTENT, url="{mapped}{path}"),
    "mixed-content-via-redirect": Model(C.MIXED_CONTENT, url="{mapped}{path}", redirected_from="{https_page}{path}"),
    "connection-refused": Model(C.NETWORK_ERROR, "net::ERR_CONNECTION_REFUSED", url="{closed}/nothing"),
    "method-connect": Model(C.FORBIDDEN_METHOD, "CONNECT", method="CONNECT"),
    "method-trace": Model(C.FORBIDDEN_METHOD, "TRACE", method="TRACE"),
    "header-value-with-newline": Model(C.INVALID_HEADER_VALUE, "a\nb", header_name="X-Custom"),
    "url-with-credentials": Model(
        C.URL_WITH_CREDENTIALS, "{api_with_user}{path}", url="{api_with_user}{path}", xhr_allowed=True
    ),
    "get-with-body": Model(C.BODY_WITH_GET_OR_HEAD, xhr_allowed=True),
    "fetch-ws": Model(C.UNSUPPORTED_SCHEME, url="{api_ws}{path}"),
}


def for_engine(model: Model, quirks: EngineQuirks) -> Model:
    """The model's decision adjusted by the engine's quirks."""
    if model.loopback_from_https and quirks.loopback_http_is_mixed_content:
        return replace(model, code=C.MIXED_CONTENT)
    if (
        quirks.preflight_status_checked_before_allow_origin
        and model.code is not None
        and model.code.is_preflight_twin
        and not 200 <= (model.status or 200) < 300
    ):
        return replace(model, code=C.PREFLIGHT_INVALID_STATUS)
    return model
