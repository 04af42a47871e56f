"""cors_lab.explain_message and ``cors-lab explain``: every message of the three engines decoded back to its cause.

The inputs are not copied by hand: the model itself makes them, ``cors_lab.Browser(page, app=...,
engine=...)`` running in-process against a small ASGI app, for every kind of failure (SCENARIOS),
in each engine's words (checked word for word against the real engines by
tests/engines/test_model_vs_engines.py); and the wordings make them for every failure code, with
other URLs, origins and parameters than the ones measured.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

import cors_lab
from cors_lab import Browser
from cors_lab.browser.chromium import CHROMIUM, REASONS
from cors_lab.browser.engine import API_CHOICES, Api, Occasion, Wording
from cors_lab.browser.engines import ENGINE_NAMES, ENGINES, Engine
from cors_lab.browser.failures import FailureCode
from cors_lab.browser.firefox import FIREFOX, KEYS, READ_ONLY_KEYS, format_template
from cors_lab.browser.webkit import WEBKIT
from cors_lab.explain import Explanation, NotACorsMessageError, explain_message

C = FailureCode
CLI = Path(sys.executable).parent / "cors-lab"
WORDINGS: dict[str, Wording] = {"chromium": CHROMIUM, "firefox": FIREFOX, "webkit": WEBKIT}
TITLES = {"chromium": "Chromium", "firefox": "Firefox", "webkit": "WebKit"}
#: Two set-ups, a dev one and a deployed one: the page, the API, another origin.
ORIGIN_SETS = (
    {
        "page": "http://localhost:5173",
        "https_page": "https://localhost:5173",
        "api": "http://api.dev.test:8000",
        "other": "http://auth.dev.test:9001",
    },
    {
        "page": "https://shop.example.org",
        "https_page": "https://shop.example.org",
        "api": "https://api.example.org",
        "other": "https://auth.example.net",
    },
)

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Scenario:
    """One failure the model makes: the page's call (``{api}``, ``{other}``, ``{page}`` filled in),
    and what the app answers to the preflight and to the request (``Location`` filled in alike)."""

    id: str
    url: str = "{api}/x"
    method: str = "GET"
    headers: Headers = ()
    body: str | None = None
    credentials: bool = False
    answer: tuple[int, Headers] = (200, ())
    preflight: tuple[int, Headers] = (204, (("Access-Control-Allow-Origin", "{page}"),))
    fetch_options: dict[str, str] = field(default_factory=dict)  # mode, redirect: fetch() only
    https: bool = False  # the page is the https one


ACAO = ("Access-Control-Allow-Origin", "{page}")
ANY = ("Access-Control-Allow-Origin", "*")


def to(location: str, *headers: tuple[str, str]) -> tuple[int, Headers]:
    return 302, (("Location", location), *headers)


SCENARIOS = (
    Scenario("missing-acao"),
    Scenario("acao-other-origin", answer=(200, (("Access-Control-Allow-Origin", "{other}"),))),
    Scenario("acao-two-values", answer=(200, (("Access-Control-Allow-Origin", "{page}, {other}"),))),
    Scenario("acao-not-an-origin", answer=(200, (("Access-Control-Allow-Origin", "{page}/"),))),
    Scenario("wildcard-with-credentials", credentials=True, answer=(200, (ANY,))),
    Scenario(
        "credentials-not-true", credentials=True, answer=(200, (ACAO, ("Access-Control-Allow-Credentials", "yes")))
    ),
    Scenario("preflight-404", method="PUT", preflight=(404, ())),
    Scenario("preflight-404-with-acao", method="PUT", preflight=(404, (ACAO,))),
    Scenario("preflight-without-acao", method="PUT", preflight=(204, ())),
    Scenario("preflight-other-origin", method="PUT", preflight=(204, (("Access-Control-Allow-Origin", "{other}"),))),
    Scenario("preflight-redirected", method="PUT", preflight=(307, (ACAO, ("Location", "{other}/x")))),
    Scenario("preflight-redirected-without-acao", method="PUT", preflight=(301, (("Location", "{api}/y"),))),
    Scenario("method-not-allowed", method="PUT", preflight=(204, (ACAO, ("Access-Control-Allow-Methods", "GET")))),
    Scenario("header-not-allowed", headers=(("X-Api-Key", "k"),)),
    Scenario(
        "allow-methods-invalid",
        method="PUT",
        preflight=(204, (ACAO, ("Access-Control-Allow-Methods", "PUT;GET"))),
    ),
    Scenario(
        "allow-headers-invalid",
        headers=(("X-Api-Key", "k"),),
        preflight=(204, (ACAO, ("Access-Control-Allow-Headers", "x-api-key;x-b"))),
    ),
    Scenario("redirect-without-acao", answer=to("{api}/y")),
    Scenario("redirect-to-other-without-acao", answer=to("{other}/y", ACAO)),
    Scenario("redirect-with-credentials", answer=to("http://u:p@auth.example.net/y", ACAO)),
    Scenario("redirect-to-ftp", answer=to("ftp://files.example.net/y", ACAO)),
    Scenario("redirect-to-data", answer=to("data:text/plain,hi", ACAO)),
    Scenario("redirect-to-ws", answer=to("ws://{host}/y", ACAO)),
    Scenario("redirect-invalid-location", answer=to("http://[bad", ACAO)),
    Scenario("too-many-redirects", url="{api}/loop", answer=to("{api}/loop", ACAO)),
    Scenario("redirect-mode-error", answer=to("{api}/y", ACAO), fetch_options={"redirect": "error"}),
    Scenario("mixed-content", url="http://api.example.net/x", https=True),
    Scenario("mixed-content-via-redirect", url="{page}/x", answer=to("http://api.example.net/x"), https=True),
    Scenario("unsafe-port", url="http://api.example.net:6000/x"),
    Scenario("forbidden-method", method="TRACE"),
    Scenario("method-not-a-token", method="GE T"),
    Scenario("header-name-invalid", headers=(("X Api", "1"),)),
    Scenario("header-value-with-newline", headers=(("X-Api-Key", "a\nb"),)),
    Scenario("header-value-not-latin-1", headers=(("X-Api-Key", "\u20ac"),)),
    Scenario("url-with-credentials", url="http://u:p@api.example.net/x"),
    Scenario("url-unparsable", url="http://api.example.net:99999/x"),
    Scenario("url-without-scheme", url="localhost:8000/x"),
    Scenario("get-with-body", body="hi"),
    Scenario("no-cors-put", method="PUT", fetch_options={"mode": "no-cors"}),
    Scenario("no-cors-redirect-manual", fetch_options={"mode": "no-cors", "redirect": "manual"}),
    Scenario("same-origin-mode", fetch_options={"mode": "same-origin"}),
    Scenario(
        "same-origin-mode-redirected-away", url="{page}/x", answer=to("{api}/y"), fetch_options={"mode": "same-origin"}
    ),
    Scenario("fetch-ws", url="ws://api.example.net/x"),
    Scenario("fetch-ftp", url="ftp://files.example.net/x"),
    Scenario("fetch-file", url="file:///etc/hostname"),
)


def _filled(text: str, origins: dict[str, str], page: str) -> str:
    host = origins["api"].split("//", 1)[1]
    return text.format(api=origins["api"], other=origins["other"], page=page, host=host)


def scenario_app(scenario: Scenario, origins: dict[str, str], page: str) -> Callable[..., Any]:
    """An ASGI app that answers the preflight and every other request as the scenario says."""

    async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            return
        status, headers = scenario.preflight if scope["method"] == "OPTIONS" else scenario.answer
        raw = [(n.lower().encode(), _filled(v, origins, page).encode("latin-1")) for n, v in headers]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": b"hi"})

    return app


class Recording:
    """An engine's wording that keeps what the model asked it last: the code, parameter and occasion."""

    def __init__(self, wording: Wording) -> None:
        self.wording = wording
        self.asked: tuple[FailureCode, str, Occasion] | None = None
        self.engine = wording.engine

    def console_lines(self, code: FailureCode, parameter: str, occasion: Occasion) -> tuple[str, ...]:
        self.asked = (code, parameter, occasion)
        return self.wording.console_lines(code, parameter, occasion)

    def js_error(self, code: FailureCode, parameter: str, occasion: Occasion) -> str:
        return self.wording.js_error(code, parameter, occasion)

    def __getattr__(self, name: str) -> Any:  # the optional wordings (response lines, refused headers...)
        return getattr(self.wording, name)


def same_words(
    wording: Wording,
    lines: tuple[str, ...],
    error: str,
    parameter: str,
    occasion: Occasion,
    read: Callable[[str], str] = lambda line: line,
) -> set[str]:
    """Every code the engine words exactly so for this occasion, its lines as ``read`` leaves them: the
    text cannot tell them apart (nor the URL from where a redirect pointed, when it names one of them,
    nor a redirect's status from another's where no line names it)."""
    occasions = [occasion]
    if occasion.location:
        occasions.append(replace(occasion, url=occasion.location))
    occasions += [replace(each, status=200) for each in occasions if each.status != 200]
    pasted = tuple(map(read, lines))
    return {
        code.value
        for code in FailureCode
        for each in occasions
        if tuple(map(read, wording.console_lines(code, parameter, each))) == pasted
        and (lines or wording.js_error(code, parameter, each) == error)
    }


def measured_messages() -> list[tuple[str, str, Api, str, set[str], Occasion, str]]:
    """(engine, scenario, api, pasted text, the codes it may decode to, occasion, parameter) for every
    failure the model makes in every scenario, engine, API and set of origins."""
    made = []
    for name in ENGINE_NAMES:
        for scenario in SCENARIOS:
            for origins in ORIGIN_SETS:
                page = origins["https_page" if scenario.https else "page"]
                for api in API_CHOICES:
                    if api == "xhr" and scenario.fetch_options:
                        continue  # XMLHttpRequest has no mode or redirect option
                    recording = Recording(ENGINES[name].wording)
                    with Browser(page, app=scenario_app(scenario, origins, page), engine=name) as browser:
                        browser.engine = Engine(name, recording, ENGINES[name].quirks)
                        url = _filled(scenario.url, origins, page)
                        headers = [(n, _filled(v, origins, page)) for n, v in scenario.headers]
                        if api == "fetch":
                            result = browser.fetch(
                                url,
                                scenario.method,
                                headers=headers,
                                content=scenario.body,
                                credentials="include" if scenario.credentials else "same-origin",
                                **scenario.fetch_options,  # type: ignore[arg-type]
                            )
                        else:
                            result = browser.xhr(
                                url,
                                scenario.method,
                                headers=headers,
                                body=scenario.body,
                                with_credentials=scenario.credentials,
                            )
                    if result.ok or recording.asked is None:
                        continue  # the engine lets it through
                    code, parameter, occasion = recording.asked
                    wording = recording.wording
                    lines = wording.console_lines(code, parameter, occasion)
                    error = wording.js_error(code, parameter, occasion)
                    generic = error == wording.js_error(C.MISSING_ALLOW_ORIGIN_HEADER, "", occasion)
                    if not lines and (not error or generic):
                        continue  # silent, and the script's error is the one every failure gives
                    text = "\n".join(lines) if lines else error
                    codes = same_words(wording, lines, error, parameter, occasion)
                    made.append((name, scenario.id, api, text, codes, occasion, parameter))
    return made


MEASURED = measured_messages()


@pytest.mark.parametrize(
    ("engine", "case", "api", "text", "codes", "occasion", "parameter"),
    MEASURED,
    ids=[f"{m[0]}-{m[1]}-{m[2]}-{i % 2}" for i, m in enumerate(MEASURED)],
)
def test_every_measured_message_decodes_to_its_cause(engine, case, api, text, codes, occasion, parameter):
    explanation = explain_message(text)
    assert explanation.code.value in codes, f"{text!r} decoded as {explanation.code}, not one of {codes}"
    assert TITLES[engine] in explanation.engine.split(" or ")
    assert explanation.causes and all(cause.endswith((".", ":")) for cause in explanation.causes)
    assert explanation.fix
    if explanation.url is not None:
        assert explanation.url in text
    if explanation.origin is not None and engine != "webkit":
        assert explanation.origin in (occasion.page_origin, "null")
    if engine == "chromium" and text.startswith("Access to"):
        assert (explanation.api, explanation.url, explanation.origin) == (api, occasion.url, occasion.page_origin)
    if engine == "webkit" and " cannot load " in text:
        assert explanation.api == api
    if engine == "firefox" and text.startswith("Cross-Origin Request Blocked"):
        assert explanation.api is None  # Firefox words fetch() and XHR alike


def test_the_measured_messages_cover_every_engine_and_every_kind_of_failure():
    kinds = {(engine, FailureCode(code).kind) for engine, _, _, _, codes, _, _ in MEASURED for code in codes}
    for engine in WORDINGS:
        assert {k for e, k in kinds if e == engine} == {"cors", "mixed-content", "network", "type-error"}


def every_code_messages() -> list[tuple[str, str, Api, str, set[str]]]:
    """Every code of every engine, for both APIs, with and without a redirect: beyond the measured cases."""
    parameters = {
        C.ALLOW_ORIGIN_MISMATCH: "https://staging.example.org",
        C.MULTIPLE_ALLOW_ORIGIN_VALUES: "https://a.example, https://b.example",
        C.INVALID_ALLOW_ORIGIN_VALUE: "*.example.org",
        C.INVALID_ALLOW_CREDENTIALS: "yes",
        C.METHOD_DISALLOWED_BY_PREFLIGHT_RESPONSE: "DELETE",
        C.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE: "authorization",
        C.INVALID_ALLOW_METHODS_PREFLIGHT_RESPONSE: "GET; POST",
        C.INVALID_ALLOW_HEADERS_PREFLIGHT_RESPONSE: "x-a x-b",
        C.NETWORK_ERROR: "net::ERR_CONNECTION_RESET",
        C.FORBIDDEN_METHOD: "TRACK",
        C.INVALID_HEADER_VALUE: "Bearer abc\r",
        C.URL_WITH_CREDENTIALS: "https://me:pw@api.example.org/x",
        C.NO_CORS_METHOD: "DELETE",
        C.INVALID_METHOD: "GE T",
        C.INVALID_HEADER_NAME: "X Api Key",
        C.INVALID_URL: "http://localhost:99999/x",
        C.UNSUPPORTED_SCHEME: "ws",
    }
    made = []
    for engine, wording in WORDINGS.items():
        for code in FailureCode:
            parameter = parameters.get(code.base, parameters.get(code, ""))
            status = 307 if code is C.PREFLIGHT_DISALLOWED_REDIRECT else 403
            for api in API_CHOICES:
                for redirected in (False, True):
                    occasion = Occasion(
                        "ftp://files.example.org/a"
                        if code is C.CORS_DISABLED_SCHEME
                        else "https://api.example.org/v2/x",
                        "https://app.example.org",
                        method="PATCH",
                        status=status,
                        redirected_from="https://old.example.org/x" if redirected else None,
                        api=api,
                        header_name="Authorization",
                    )
                    lines = wording.console_lines(code, parameter, occasion)
                    error = wording.js_error(code, parameter, occasion)
                    if not lines and (
                        not error or error == wording.js_error(C.MISSING_ALLOW_ORIGIN_HEADER, "", occasion)
                    ):
                        continue
                    text = "\n".join(lines) if lines else error
                    made.append((engine, code.value, api, text, same_words(wording, lines, error, parameter, occasion)))
    return made


@pytest.mark.parametrize(("engine", "code", "api", "text", "codes"), every_code_messages())
def test_every_code_of_every_engine_decodes_back(engine, code, api, text, codes):
    explanation = explain_message(text)
    assert explanation.code.value in codes, f"{text!r} decoded as {explanation.code}, not one of {codes}"
    assert TITLES[engine] in explanation.engine.split(" or ")


def test_firefox_lines_with_retyped_quotes_decode_alike():
    firefox = [m for m in MEASURED if m[0] == "firefox" and ("\u2018" in m[3] or "\u201c" in m[3])]
    assert len(firefox) > 20
    for _, case, _, text, codes, _, _ in firefox:
        retyped = text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}))
        assert explain_message(retyped).code.value in codes, (case, retyped)


def test_chromiums_old_opaque_response_suffix_is_read():
    line = CHROMIUM.console_lines(
        C.MISSING_ALLOW_ORIGIN_HEADER, "", Occasion("http://localhost:8000/items", "http://localhost:3000")
    )[0]
    old = line + (
        " If an opaque response serves your needs, set the request's mode to 'no-cors' to fetch the resource with "
        "CORS disabled."
    )
    explanation = explain_message(old)
    assert (explanation.engine, explanation.api, explanation.code) == (
        "Chromium",
        "fetch",
        C.MISSING_ALLOW_ORIGIN_HEADER,
    )
    assert (explanation.url, explanation.origin) == ("http://localhost:8000/items", "http://localhost:3000")


@pytest.mark.parametrize(
    "code", [C.MISSING_ALLOW_ORIGIN_HEADER, C.WILDCARD_ORIGIN_NOT_ALLOWED, C.PREFLIGHT_INVALID_STATUS]
)
def test_chromiums_pre_2019_failed_to_load_wording_is_read(code: FailureCode):
    reason = REASONS[code.base].format(p="x")
    if code.at_preflight:
        reason = "Response to preflight request doesn't pass access control check: " + reason
    old = (
        f"Failed to load http://localhost:8000/api/items: {reason} Origin 'http://localhost:3000' is therefore not "
        "allowed access. The response had HTTP status code 404."
    )
    explanation = explain_message(old)
    assert explanation.code is code and explanation.engine == "Chromium" and explanation.api is None
    assert (explanation.url, explanation.origin, explanation.status) == (
        "http://localhost:8000/api/items",
        "http://localhost:3000",
        404,
    )


@pytest.mark.parametrize(
    ("older", "engine", "code", "status"),
    [
        # Safari before "Status code: N", and with its "Failed to load resource: " prefix.
        (
            "Origin http://localhost:3000 is not allowed by Access-Control-Allow-Origin.",
            "WebKit",
            "MissingAllowOriginHeader",
            None,
        ),
        (
            "Failed to load resource: Origin http://localhost:3000 is not allowed by Access-Control-Allow-Origin. "
            "Status code: 404",
            "WebKit",
            "MissingAllowOriginHeader",
            404,
        ),
        # Chromium's network line, and its pre-2019 preflight wordings.
        ("GET http://localhost:8000/items net::ERR_FAILED 200 (OK)", "Chromium", "NetworkError", None),
        (
            "Failed to load http://localhost:8000/items: Response for preflight has invalid HTTP status code 405.",
            "Chromium",
            "PreflightInvalidStatus",
            405,
        ),
        (
            "Failed to load http://localhost:8000/items: Response for preflight is invalid (redirect)",
            "Chromium",
            "PreflightDisallowedRedirect",
            None,
        ),
        (
            "Failed to load http://localhost:8000/items: Request header field Authorization is not allowed by "
            "Access-Control-Allow-Headers.",
            "Chromium",
            "HeaderDisallowedByPreflightResponse",
            None,
        ),
        # Chromium before 2019 and older Safari: "XMLHttpRequest cannot load URL. <reason>".
        (
            "XMLHttpRequest cannot load http://localhost:8000/x. No 'Access-Control-Allow-Origin' header is present on "
            "the requested resource. Origin 'http://localhost:3000' is therefore not allowed access.",
            "Chromium",
            "MissingAllowOriginHeader",
            None,
        ),
        (
            "XMLHttpRequest cannot load http://localhost:8000/x. Response for preflight has invalid HTTP status "
            "code 404",
            "Chromium",
            "PreflightInvalidStatus",
            404,
        ),
        (
            "XMLHttpRequest cannot load http://127.0.0.1:40582/x. Origin null is not allowed by "
            "Access-Control-Allow-Origin.",
            "WebKit",
            "MissingAllowOriginHeader",
            None,
        ),
        (
            "Access to fetch at 'http://localhost:8000/x' from origin 'http://localhost:3000' has been blocked by CORS "
            "policy: The 'Access-Control-Allow-Origin' header contains multiple values 'http://localhost:3000, *', but "
            "only one is allowed. Have the server send the header with a valid value, or, if an opaque response serves "
            "your needs, set the request's mode to 'no-cors' to fetch the resource with CORS disabled.",
            "Chromium",
            "MultipleAllowOriginValues",
            None,
        ),
    ],
)
def test_older_wordings_people_still_paste_are_read(older: str, engine: str, code: str, status: int | None):
    explanation = explain_message(older)
    assert (explanation.engine, explanation.code.value, explanation.status) == (engine, code, status)


def test_firefox_lines_of_releases_before_the_status_code_are_read():
    """Firefox added " Status code: N." to its keys (CORSMissingAllowOrigin2...): the lines without it read alike."""
    firefox = [m for m in MEASURED if m[0] == "firefox" and " Status code: " in m[3]]
    assert len(firefox) > 20
    for _, case, _, text, _, occasion, parameter in firefox:
        older = re.sub(r"\. Status code: (?:\d{3}|\(null\))\.$", ".", text, flags=re.MULTILINE)
        # Without the status, a redirect's message may read as another code's (the codes that read alike).
        codes = same_words(FIREFOX, tuple(text.split("\n")), "", parameter, occasion, _without_status)
        assert explain_message(older).code.value in codes, (case, older)


def _without_status(line: str) -> str:
    return re.sub(r"\. Status code: (?:\d{3}|\(null\))\.$", ".", line)


@pytest.mark.parametrize("key", sorted(READ_ONLY_KEYS))
def test_firefox_keys_it_did_not_print_here_are_read(key: str):
    template, code = READ_ONLY_KEYS[key]
    explanation = explain_message(format_template(template, "https://api.example.org/v1/x", "x-api-key"))
    assert (explanation.engine, explanation.code, explanation.url) == ("Firefox", code, "https://api.example.org/v1/x")


@pytest.mark.parametrize("key", sorted({keys[0] for keys in KEYS.values() if keys and keys[0].startswith("CORS")}))
def test_firefoxs_network_panel_labels_are_read(key: str):
    """The network panel names each key in words ("CORS Missing Allow Origin"), alone or in its body note."""
    label = "CORS " + " ".join(re.findall(r"[A-Z][a-z]+", key.removeprefix("CORS")))
    codes = {code for code, keys in KEYS.items() if keys and keys[0] == key}
    for text in (label, f"Response body is not available to scripts (Reason: {label})"):
        explanation = explain_message(text)
        assert explanation.engine == "Firefox" and explanation.code in codes and explanation.api is None


@pytest.mark.parametrize(
    "wrapped",
    [
        "CONSOLE SECURITY ERROR Origin http://localhost:3000 is not allowed by Access-Control-Allow-Origin. "
        "Status code: 200",
        "[Error] Origin http://localhost:3000 is not allowed by Access-Control-Allow-Origin. Status code: 200",
        "localhost/:1 Access to fetch at 'http://localhost:8000/x' from origin 'http://localhost:3000' has been "
        "blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource. "
        "Understand this error",
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at "
        "http://localhost:8000/x. (Reason: CORS header \u2018Access-Control-Allow-Origin\u2019 missing). "
        "Status code: 200. [Learn More]",
    ],
)
def test_what_consoles_put_around_a_message_is_taken_off(wrapped: str):
    assert explain_message(wrapped).code is C.MISSING_ALLOW_ORIGIN_HEADER


def test_a_generic_line_says_it_does_not_name_the_check():
    for text in (
        "TypeError: Failed to fetch",
        "Uncaught (in promise) TypeError: Failed to fetch",
        "TypeError: Load failed",
    ):
        explanation = explain_message(text)
        assert explanation.code is C.MISSING_ALLOW_ORIGIN_HEADER and explanation.api == "fetch"
        assert "does not say which check failed" in explanation.causes[0]


@pytest.mark.parametrize("text", ["AxiosError: Network Error", "Uncaught (in promise) AxiosError: Network Error"])
def test_axioss_network_error_is_read_as_the_generic_line_it_is(text: str):
    explanation = explain_message(text)
    assert (explanation.engine, explanation.api) == ("Chromium or Firefox or WebKit", "xhr")
    assert "does not say which check failed" in explanation.causes[0]


def test_a_safari_copy_with_its_prefix_and_source_is_read():
    text = "[Error] Failed to load resource: Preflight response is not successful. Status code: 404 (items, line 0)"
    explanation = explain_message(text)
    assert (explanation.engine, explanation.code, explanation.status) == ("WebKit", C.PREFLIGHT_INVALID_STATUS, 404)


def test_an_engines_cors_line_with_a_reason_it_does_not_know_says_so():
    text = (
        "Access to fetch at 'http://192.168.1.2/' from origin 'https://app.example' has been blocked by CORS policy: "
        "The request client is not a secure context and the resource is in more-private address space `private`."
    )
    with pytest.raises(NotACorsMessageError, match="It reads as Chromium's CORS line, but its reason 'The request"):
        explain_message(text)


def test_the_main_line_wins_over_the_generic_ones_pasted_with_it():
    webkit = "[Error] Preflight response is not successful. Status code: 401\n[Error] Fetch API cannot load " + (
        "http://localhost:8000/me due to access control checks.\n[Error] TypeError: Load failed"
    )
    explanation = explain_message(webkit)
    assert (explanation.engine, explanation.code, explanation.status) == ("WebKit", C.PREFLIGHT_INVALID_STATUS, 401)
    assert explanation.url == "http://localhost:8000/me"
    assert "uthentication" in explanation.causes[0]  # a 401 preflight: authentication answered it


@pytest.mark.parametrize(
    "garbage",
    [
        "hello",
        "TypeError: x is undefined",
        "Access to fetch at",
        "Cross-Origin Request Blocked: something else entirely",
        "GET http://localhost:8000/items 500 (Internal Server Error)",
    ],
)
def test_text_that_is_no_cors_message_is_a_clear_error(garbage: str):
    with pytest.raises(NotACorsMessageError) as raised:
        explain_message(garbage)
    message = str(raised.value)
    assert message.startswith(f"not a CORS message I know: {garbage!r}")
    assert "I looked for" in message and "Cross-Origin Request Blocked" in message and "Paste" in message


def test_a_message_that_is_not_text_is_a_type_error():
    with pytest.raises(TypeError, match="takes the message as a str, not bytes"):
        explain_message(b"TypeError: Failed to fetch")  # type: ignore[arg-type]


def test_explain_message_is_exported_lazily_with_its_json_keys():
    assert cors_lab.explain_message is explain_message and cors_lab.Explanation is Explanation
    data = explain_message("TypeError: Failed to fetch").as_json()
    assert list(data) == ["engine", "api", "code", "url", "origin", "causes", "fix"]
    assert json.loads(json.dumps(data)) == data


# --- the command --------------------------------------------------------------------------------

MISSING = (
    "Access to fetch at 'http://localhost:8000/items' from origin 'http://localhost:3000' has been blocked by "
    "CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."
)
APP = """
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

slashed = FastAPI()
slashed.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000/"])

fixed = FastAPI()
fixed.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"], allow_methods=["*"])


@slashed.get("/items")
@fixed.get("/items")
def items():
    return []
"""


def run_cli(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, "explain", *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=60)


def test_the_command_decodes_an_argument_and_exits_0():
    done = run_cli(MISSING)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Chromium, fetch(): MissingAllowOriginHeader")
    assert "Likely causes, most likely first:" in done.stdout and "Fix:" in done.stdout


def test_the_command_reads_stdin_and_prints_json():
    firefox = FIREFOX.console_lines(
        C.PREFLIGHT_INVALID_STATUS, "", Occasion("http://localhost:8000/items", "http://localhost:3000", status=405)
    )
    done = run_cli("--json", stdin="\n".join(firefox) + "\n")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert list(data) == ["engine", "api", "code", "url", "origin", "causes", "fix"]
    assert (data["engine"], data["api"], data["code"], data["url"]) == (
        "Firefox",
        None,
        "PreflightInvalidStatus",
        "http://localhost:8000/items",
    )
    assert "405" in data["causes"][0]
    assert run_cli("-", "--json", stdin="TypeError: Load failed").returncode == 0


def test_the_command_exits_2_for_text_that_is_no_cors_message():
    done = run_cli("it does not work")
    assert done.returncode == 2
    assert "not a CORS message I know: 'it does not work'" in done.stderr and "I looked for" in done.stderr
    assert run_cli("--factory", MISSING).returncode == 2  # --factory without --app


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("explained")
    (folder / "shop.py").write_text(APP)
    return folder


def test_with_an_app_the_command_says_which_cause_applies(project: Path):
    done = run_cli(MISSING, "--app", "shop:slashed", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "Re-run against shop:slashed: GET http://localhost:8000/items from http://localhost:3000" in done.stdout
    assert "the model: blocked, MissingAllowOriginHeader" in done.stdout
    assert "shop:slashed gives the same failure" in done.stdout and "trailing slash" in done.stdout
    data = json.loads(run_cli(MISSING, "--app", "shop:slashed", "--json", cwd=project).stdout)
    assert data["app"]["verdict"] == "blocked" and data["app"]["same"] is True


def test_with_an_app_that_allows_it_the_command_says_the_message_came_from_elsewhere(project: Path):
    done = run_cli(MISSING, "--app", "shop:fixed", "--json", cwd=project)
    data = json.loads(done.stdout)
    assert data["app"]["verdict"] == "allowed" and data["app"]["code"] is None
    assert "lets this request through" in data["app"]["applies"]


def test_with_an_app_a_message_without_the_origin_needs_origin(project: Path):
    firefox = FIREFOX.console_lines(
        C.MISSING_ALLOW_ORIGIN_HEADER, "", Occasion("http://localhost:8000/items", "http://localhost:3000", status=200)
    )[0]
    done = run_cli(firefox, "--app", "shop:slashed", cwd=project)
    assert done.returncode == 2 and "--origin" in done.stderr
    done = run_cli(firefox, "--app", "shop:slashed", "--origin", "http://localhost:3000", "--json", cwd=project)
    assert json.loads(done.stdout)["app"]["same"] is True
