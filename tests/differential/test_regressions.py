"""What the generated test found, kept as plain cases: each once disagreed between the model and Chromium 156.

Each case runs through real headless Chromium and through the model against the same live servers
(see harness.py), and both must come out the same: verdict, status, readable headers, console
lines and what the servers received.
"""

from __future__ import annotations

import pytest

from .harness import Call, Case, ChromiumTab, Reply, Script, WireServers, reproduction, run_case

STAR = ("Access-Control-Allow-Origin", "*")

CASES = {
    # Client hints with valid values are CORS-safelisted in Chromium: no preflight.
    "client-hint-dpr": Case((Call(headers=(("DPR", "1.5"),)),), api=Script(Reply(headers=(STAR,)))),
    "client-hint-invalid-width": Case((Call(headers=(("Width", "1.5"),)),), api=Script(Reply(headers=(STAR,)))),
    "client-hints-ect-save-data": Case(
        (Call(headers=(("ECT", "4g"), ("Save-Data", "on"), ("RTT", "50"))),), api=Script(Reply(headers=(STAR,)))
    ),
    "intervention-is-safelisted": Case((Call(headers=(("Intervention", "x"),)),), api=Script(Reply(headers=(STAR,)))),
    # ... and dropped, like Authorization, when a redirect changes origin.
    "client-hint-and-authorization-dropped-on-redirect": Case(
        (Call(method="POST", headers=(("DPR", "2"), ("Authorization", "Bearer x")), body="hi"),),
        api=Script(
            Reply(307, (STAR, ("Location", "{other}/final?{query}"))),
            Reply(200, (STAR, ("Access-Control-Allow-Headers", "authorization"))),
        ),
        other=Script(Reply(200, (STAR,))),
    ),
    "client-hints-dropped-on-a-same-origin-redirect-away-from-the-page": Case(
        (Call(headers=(("DPR", "x"), ("Downlink", "x"), ("Save-Data", "x"), ("Width", "1"), ("X-A", "1"))),),
        api=Script(
            Reply(307, (STAR, ("Access-Control-Allow-Headers", "*"), ("Location", "{api}/final?{query}"))),
            Reply(200, (STAR, ("Access-Control-Allow-Headers", "*"))),
            final=Reply(200, (STAR,)),
        ),
    ),
    "client-hints-kept-on-a-redirect-to-the-page": Case(
        (Call(headers=(("DPR", "x"), ("Save-Data", "x"), ("X-A", "1"))),),
        api=Script(
            Reply(307, (STAR, ("Access-Control-Allow-Headers", "*"), ("Location", "{page}/final?{query}"))),
            Reply(200, (STAR, ("Access-Control-Allow-Headers", "*"))),
        ),
        page=Script(Reply(200, (STAR, ("Access-Control-Allow-Headers", "*")))),
    ),
    # fetch() trims HTTP whitespace from values before any check.
    "range-with-spaces-is-safelisted": Case(
        (Call(headers=(("Range", " bytes=0-10"),)),), api=Script(Reply(headers=(STAR,)))
    ),
    "content-type-with-spaces": Case(
        (Call(method="POST", headers=(("Content-Type", " text/plain "),), body="x"),),
        api=Script(Reply(headers=(STAR,))),
    ),
    # Latin-1 values are sent as bytes; anything beyond Latin-1 is fetch()'s TypeError.
    "latin1-value": Case(
        (Call(headers=(("X-Custom", "José"),)),),
        api=Script(Reply(headers=(STAR, ("Access-Control-Allow-Headers", "*")))),
    ),
    "beyond-latin1-value": Case((Call(headers=(("X-Custom", "x\u0100"),)),), api=Script(Reply(headers=(STAR,)))),
    # Only the six standard methods are upper-cased.
    "lower-case-patch-on-the-wire": Case(
        (Call(target="page", method="patch", json={"name": "x"}),), page=Script(Reply(headers=()))
    ),
    "lower-case-patch-against-PATCH": Case(
        (Call(method="patch"),), api=Script(Reply(headers=(STAR, ("Access-Control-Allow-Methods", "PATCH"))))
    ),
    # Redirects with user:password are judged against the page's origin; other schemes have their line.
    "same-origin-redirect-with-credentials": Case(
        (Call(target="page"),), page=Script(Reply(302, (("Location", "http://u:p@{other_host}/x"),)))
    ),
    "redirect-with-credentials-to-the-same-api": Case(
        (Call(),), api=Script(Reply(302, (STAR, ("Location", "http://u:p@{api_host}/final?{query}"))))
    ),
    "redirect-to-ftp": Case((Call(),), api=Script(Reply(302, (STAR, ("Location", "ftp://example.test/f"))))),
    "same-origin-redirect-to-ftp": Case(
        (Call(target="page"),), page=Script(Reply(302, (("Location", "ftp://example.test/f"),)))
    ),
    "preflight-redirect-to-an-unparsable-location": Case(
        (Call(method="PUT"),), api=Script(Reply(303, (STAR, ("Location", "http://[bad"))))
    ),
    "redirect-to-an-unparsable-location": Case((Call(),), api=Script(Reply(302, (STAR, ("Location", "http://[bad"))))),
    "redirect-to-data": Case((Call(),), api=Script(Reply(302, (STAR, ("Location", "data:,hi"))))),
    "redirect-to-about-blank": Case((Call(),), api=Script(Reply(302, (STAR, ("Location", "about:blank"))))),
    "same-origin-redirect-to-blob": Case(
        (Call(target="page"),), page=Script(Reply(302, (("Location", "blob:http://x/y"),)))
    ),
    "redirect-to-ws": Case((Call(),), api=Script(Reply(302, (STAR, ("Location", "ws://x/y"))))),
    "same-origin-redirect-to-ws": Case((Call(target="page"),), page=Script(Reply(302, (("Location", "ws://x/y"),)))),
    "redirect-to-mailto": Case((Call(),), api=Script(Reply(302, (STAR, ("Location", "mailto:a@b"))))),
    # A repeated header goes as one line, joined by ", " and trimmed.
    "repeated-header-with-an-empty-value": Case(
        (Call(target="page", headers=(("X-Requested-With", "a"), ("X-Requested-With", ""))),),
        page=Script(Reply(headers=())),
    ),
    "redirect-to-javascript": Case((Call(),), api=Script(Reply(302, (STAR, ("Location", "javascript:alert(1)"))))),
    # Chromium does not cache '*' covering Authorization: a preflight each time.
    "wildcard-authorization-is-not-cached": Case(
        tuple(Call(headers=(("Authorization", "x"),)) for _ in range(3)),
        api=Script(Reply(headers=(STAR, ("Access-Control-Allow-Headers", "*"), ("Access-Control-Max-Age", "600")))),
    ),
    # A conditional header bypasses the preflight cache (the answer is still stored).
    "conditional-request-skips-the-preflight-cache": Case(
        (
            Call(headers=(("X-A", "x"),)),
            Call(headers=(("X-A", "x"), ("If-None-Match", '"9'))),
            Call(headers=(("X-A", "x"), ("If-None-Match", '"9'))),
        ),
        api=Script(Reply(headers=(STAR, ("Access-Control-Allow-Headers", "if-none-match, x-a")))),
    ),
    "conditional-request-still-stores-the-answer": Case(
        (Call(headers=(("X-A", "x"), ("If-Modified-Since", "x"))), Call(headers=(("X-A", "x"),))),
        api=Script(Reply(headers=(STAR, ("Access-Control-Allow-Headers", "if-modified-since, x-a")))),
    ),
    # The disallowed header Chromium names: the first in its header map's order.
    "first-disallowed-header": Case(
        (Call(headers=(("x-bb", "1"), ("x-a", "1"), ("zeta", "1"), ("x-q", "1"))),),
        api=Script(Reply(headers=(STAR, ("Access-Control-Allow-Headers", "x-z")))),
    ),
    "first-disallowed-header-with-content-type": Case(
        (Call(headers=(("X-Bb", "1"), ("x-a", "1"), ("Zeta", "1"), ("Accept", "(x)")), json={"n": 1}),),
        api=Script(Reply(headers=(STAR, ("Access-Control-Allow-Headers", "x-z")))),
    ),
    # Chromium prints control and non-ASCII characters of a header value as \uXXXX.
    "escaped-allow-origin": Case(
        (Call(),), api=Script(Reply(headers=(("Access-Control-Allow-Origin", "\u00e9\t\x7f, {page}"),)))
    ),
    # After an unhandled 500 uvicorn closes the connection; the next fetch goes on a new one.
    "after-an-unhandled-500": Case(
        (Call(), Call(), Call()), api=Script(Reply(crash=True), cors=(("allow_origins", ["{page}"]),))
    ),
    # A permanent redirect twice (the servers mark it no-store: the model has no HTTP cache).
    "permanent-redirect-twice": Case(
        (Call(), Call()), api=Script(Reply(301, (("Location", "{other}/final?{query}"),)))
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_regression(name: str, wire_servers: WireServers, chromium_tab: ChromiumTab, chromium: object) -> None:
    case = CASES[name]
    real, model = run_case(wire_servers, chromium_tab, case)
    assert real == model, reproduction(case, real, model)
