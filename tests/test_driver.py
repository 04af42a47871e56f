"""cors_lab.Browser and FetchResult: the model driven over real HTTP and in-process."""

import asyncio
import threading

import pytest
from fastapi import FastAPI, Request, Response

from cors_lab import Browser, BrowserClosedError, CorsBlockedError, OpaqueResponseError, OriginError, demo_api, serve
from cors_lab.browser import FailureCode

PAGE = "http://localhost:3000"
API = "http://localhost:8000"


@pytest.fixture
def allowed():
    return Browser(
        PAGE, app=demo_api(allow_origins=[PAGE], allow_methods=["GET", "POST", "PUT"], expose_headers=["X-Total-Count"])
    )


def test_a_blocked_fetch_hides_status_headers_and_body_but_keeps_the_exchange():
    result = Browser(PAGE, app=demo_api()).fetch(f"{API}/users")
    assert (result.ok, result.blocked, result.status) == (False, True, None)
    assert list(result.headers.keys()) == []
    assert result.error_code == "MissingAllowOriginHeader"
    assert result.console_message == (
        "Access to fetch at 'http://localhost:8000/users' from origin 'http://localhost:3000' has been blocked by "
        "CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."
    )
    assert "allow_origins=['http://localhost:3000']" in result.fix
    # The server did answer, and the lesson can show it.
    assert result.server_response.status == 200
    assert b"alice" in result.server_response.body
    with pytest.raises(CorsBlockedError, match=r"TypeError: Failed to fetch.*No 'Access-Control-Allow-Origin'"):
        result.json()
    with pytest.raises(CorsBlockedError):
        result.text  # noqa: B018


def test_an_allowed_fetch_reads_the_body_and_only_exposed_headers(allowed):
    result = allowed.fetch(f"{API}/users")
    assert result.ok and result.status == 200 and not result.preflighted
    assert result.json()[0] == {"id": 1, "name": "alice"}
    assert result.headers["x-total-count"] == "2"
    assert "access-control-allow-origin" not in result.headers  # not exposed to the page
    assert result.error_code is None and result.console_message is None and result.fix is None


def test_json_bodies_are_preflighted_and_text_bodies_are_not(allowed):
    json_post = allowed.fetch(f"{API}/users", method="POST", json={"name": "carol"})
    assert json_post.preflighted and json_post.status == 201
    assert [e.request.method for e in json_post.exchanges] == ["OPTIONS", "POST"]
    assert dict(json_post.exchanges[1].request.headers)["Content-Type"] == "application/json"
    text_post = allowed.fetch(f"{API}/users", method="POST", content='{"name": "dave"}')
    assert not text_post.preflighted
    assert dict(text_post.exchanges[0].request.headers)["Content-Type"] == "text/plain;charset=UTF-8"
    with pytest.raises(ValueError, match="json= or content="):
        allowed.fetch(f"{API}/users", method="POST", json={}, content="x")


def test_relative_urls_are_same_origin_requests():
    browser = Browser("http://localhost:8000", app=demo_api())
    result = browser.fetch("/users")
    assert result.ok and result.status == 200
    assert result.verdict.url == "http://localhost:8000/users"
    assert "set-cookie" not in result.headers


def test_cookie_jar_and_preflight_cache_persist_across_fetches():
    app = demo_api(allow_origins=[PAGE], allow_credentials=True, allow_methods=["GET", "POST", "PUT"])
    browser = Browser(PAGE, app=app)
    assert browser.fetch(f"{API}/me", credentials="include").status == 401
    assert browser.fetch(f"{API}/login", method="POST", json={"name": "erin"}, credentials="include").ok
    assert len(browser.cookies) == 1
    assert browser.fetch(f"{API}/me", credentials="include").json() == {"user": "erin"}
    assert browser.fetch(f"{API}/me").status == 401  # default credentials: no cookie cross-origin
    first = browser.fetch(f"{API}/users/1", method="PUT", json={"name": "a"})
    second = browser.fetch(f"{API}/users/1", method="PUT", json={"name": "b"})
    assert first.preflighted and not second.preflighted
    assert repr(browser) == "<Browser page at http://localhost:3000 (in-process app): 1 cookies, 2 cached preflights>"


def test_an_injected_clock_expires_cached_preflights():
    now = [0.0]
    browser = Browser(PAGE, app=demo_api(allow_origins=[PAGE], allow_methods=["PUT"], max_age=60), clock=lambda: now[0])
    assert browser.fetch(f"{API}/users/1", method="PUT", json={"name": "a"}).preflighted
    now[0] = 59.0
    assert not browser.fetch(f"{API}/users/1", method="PUT", json={"name": "a"}).preflighted
    now[0] = 61.0
    assert browser.fetch(f"{API}/users/1", method="PUT", json={"name": "a"}).preflighted


def test_real_server_over_loopback_and_connection_refused():
    server = serve(demo_api(allow_origins=[PAGE]), name="test-driver-api")
    browser = Browser(PAGE)
    try:
        result = browser.fetch(f"{server.url}/users")
        assert result.ok and result.status == 200
        assert dict(result.exchanges[0].request.headers)["Host"] == f"127.0.0.1:{server.port}"
    finally:
        server.stop()
    refused = browser.fetch(f"{server.url}/users")
    assert refused.blocked and refused.error_code == "net::ERR_CONNECTION_REFUSED"
    assert refused.console_message == "Failed to load resource: net::ERR_CONNECTION_REFUSED"
    assert refused.failure_code is FailureCode.NETWORK_ERROR and refused.js_error == "TypeError: Failed to fetch"
    assert "not CORS" in refused.verdict.failure.explanation and "CORS" not in refused.fix
    assert refused.exchanges[0].response is None
    browser.close()


def _in_thread(function):
    # A fresh thread: the browser tests' Playwright may already run a loop in this one.
    results = []
    thread = threading.Thread(target=lambda: results.append(function()))
    thread.start()
    thread.join(30)
    return results


def test_afetch_works_from_a_running_event_loop(allowed):
    async def main():
        return await allowed.afetch(f"{API}/users")

    assert [r.status for r in _in_thread(lambda: asyncio.run(main()))] == [200]


def test_afetch_runs_the_app_on_the_callers_loop_without_a_thread_hop():
    app = FastAPI()
    seen = []

    @app.get("/where")
    def where():
        return {}

    @app.middleware("http")
    async def record(request, call_next):
        seen.append((threading.get_ident(), asyncio.get_running_loop()))
        return await call_next(request)

    async def main():
        with Browser(API, app=app) as page:
            await page.afetch(f"{API}/where")
        return threading.get_ident(), asyncio.get_running_loop()

    assert _in_thread(lambda: asyncio.run(main())) == seen


def test_fetch_works_inside_a_running_event_loop_as_in_a_jupyter_cell(allowed):
    async def cell():
        return allowed.fetch(f"{API}/users").status

    assert _in_thread(lambda: asyncio.run(cell())) == [200]


def test_a_closed_browser_refuses_to_fetch_and_says_what_to_do(allowed):
    with allowed as page:
        assert page.fetch(f"{API}/users").ok
    assert allowed.closed
    with pytest.raises(BrowserClosedError, match=r"was closed: create a new Browser\('http://localhost:3000'\)"):
        allowed.fetch(f"{API}/users")

    async def afetch_after_close():
        try:
            await allowed.afetch(f"{API}/users")
        except BrowserClosedError:
            return "refused"

    assert _in_thread(lambda: asyncio.run(afetch_after_close())) == ["refused"]
    with pytest.raises(BrowserClosedError):
        allowed.__enter__()
    assert len(allowed.cache) == 0 and "cached preflights" in repr(allowed)  # still readable


def test_bad_input_is_refused_clearly():
    with pytest.raises(OriginError, match="has no scheme"):
        Browser("localhost:3000")
    with pytest.raises(ValueError, match="opaque origin"):
        Browser("file:///index.html")
    browser = Browser(PAGE, app=demo_api())
    with pytest.raises(ValueError, match="credentials='always' is not a fetch\\(\\) credentials mode"):
        browser.fetch(f"{API}/users", credentials="always")
    with pytest.raises(
        ValueError, match="mode='nocors' is not a fetch\\(\\) mode: use 'cors' \\(the default\\), 'no-cors'"
    ):
        browser.fetch(f"{API}/users", mode="nocors")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="redirect='follows' is not a fetch\\(\\) redirect mode: use 'follow'"):
        browser.fetch(f"{API}/users", redirect="follows")  # type: ignore[arg-type]


def test_reprs_tell_the_story():
    blocked = Browser(PAGE, app=demo_api()).fetch(f"{API}/users", method="DELETE")
    text = repr(blocked)
    assert text.startswith("<FetchResult blocked: DELETE http://localhost:8000/users from http://localhost:3000")
    assert "console: Access to fetch at" in text and "fix:" in text
    html = blocked._repr_html_()
    assert "Blocked (PreflightMissingAllowOriginHeader)" in html
    assert "preflight OPTIONS http://localhost:8000/users" in html
    assert "TypeError: Failed to fetch" in html
    steps = blocked.explain()
    assert "FAIL The preflight response fails the CORS check" in steps
    assert "A preflight is needed: method DELETE is not safelisted" in steps


def test_forbidden_headers_are_dropped_like_fetch_does(allowed):
    result = allowed.fetch(f"{API}/users", headers={"Cookie": "session=stolen", "Origin": "http://evil.example"})
    sent = dict(result.exchanges[0].request.headers)
    assert sent["Origin"] == PAGE and "Cookie" not in sent
    assert any("dropped Cookie, Origin" in step.title for step in result.steps)


def test_two_tabs_share_a_cookie_jar_and_third_party_cookies_are_explained():
    app = demo_api(
        allow_origins=[PAGE, "http://localhost:5000", "http://127.0.0.1:3000"],
        allow_credentials=True,
        allow_methods=["GET", "POST"],
    )
    shop = Browser(PAGE, app=app)
    assert shop.fetch(f"{API}/login", method="POST", json={"name": "erin"}, credentials="include").ok
    same_site_tab = Browser("http://localhost:5000", app=app, cookies=shop.cookies)
    assert same_site_tab.fetch(f"{API}/me", credentials="include").json() == {"user": "erin"}
    cross_site_tab = Browser("http://127.0.0.1:3000", app=app, cookies=shop.cookies)
    refused = cross_site_tab.fetch(f"{API}/me", credentials="include")
    assert refused.status == 401
    (kept,) = [s for s in refused.steps if s.title == "The browser keeps the cookie session back"]
    assert kept.detail.startswith("third-party cookies are blocked")


def test_a_cached_preflight_is_reported_as_such(allowed):
    first = allowed.fetch(f"{API}/users/1", method="PUT", json={"name": "a"})
    second = allowed.fetch(f"{API}/users/1", method="PUT", json={"name": "b"})
    assert (first.preflighted, first.preflight_cached) == (True, False)
    assert (second.preflighted, second.preflight_cached) == (False, True)
    assert second.summary.endswith("(preflight answer from the cache)")


def test_a_kept_alive_connection_the_server_closed_is_retried_on_a_new_one():
    """Like Chromium: a request that fails on a reused connection goes again on a fresh one."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    answer = (
        b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
    )
    served: list[int] = []

    def serve_connections() -> None:
        for _ in range(2):
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(answer)  # kept alive, as far as the client knows
                served.append(1)
                conn.recv(65536)  # the next request on this connection: closed unanswered
        listener.close()

    thread = threading.Thread(target=serve_connections, daemon=True)
    thread.start()
    with Browser(PAGE) as browser:
        first = browser.fetch(f"http://127.0.0.1:{port}/a")
        second = browser.fetch(f"http://127.0.0.1:{port}/b")
    thread.join(5)
    assert (first.ok, second.ok, second.status, len(served)) == (True, True, 200, 2)


def test_odd_methods_and_latin1_values_go_on_the_wire_as_fetch_sends_them():
    seen: list[tuple[str, str]] = []

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        seen.append((scope["method"], dict(scope["headers"]).get(b"x-name", b"").decode("latin-1")))
        headers = [(b"access-control-allow-origin", b"*"), (b"access-control-allow-methods", b"patch")]
        headers.append((b"access-control-allow-headers", b"x-name"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    result = Browser(PAGE, app=app).fetch(f"{API}/x", method="patch", headers={"X-Name": " José "})
    assert result.ok
    assert seen == [("OPTIONS", ""), ("patch", "José")]
    refused = Browser(PAGE, app=app).fetch(f"{API}/x", headers={"X-Name": "\u0100"})
    assert refused.failure_code is FailureCode.INVALID_HEADER_VALUE and refused.exchanges == ()
    assert refused.js_error.endswith("String contains non ISO-8859-1 code point.")


def test_with_the_app_the_fix_names_the_cause_in_it():
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import PlainTextResponse

    slashed = demo_api(allow_origins=[PAGE + "/"])
    result = Browser(PAGE, app=slashed).fetch(f"{API}/users")
    assert result.fix == (
        f"allow_origins has '{PAGE}/', which never matches: browsers send the origin without a trailing slash. "
        f"Write '{PAGE}' instead."
    )

    class Guard(BaseHTTPMiddleware):
        async def dispatch(self, request, call_next):
            return PlainTextResponse("no", status_code=401)

    guarded = demo_api(allow_origins=[PAGE])
    guarded.add_middleware(Guard)  # added after CORSMiddleware: it runs outside it
    result = Browser(PAGE, app=guarded).fetch(f"{API}/users")
    assert result.error_code == "MissingAllowOriginHeader"
    assert "came from Guard, added after CORSMiddleware" in (result.fix or "")


def test_warnings_for_unexposed_headers_refused_cookies_and_reflected_origins():
    from cors_lab import WarningKind

    result = Browser(PAGE, app=demo_api(allow_origins=[PAGE])).fetch(f"{API}/users")
    assert result.ok and [w.subject for w in result.warnings] == ["x-total-count"]
    assert "note: The response has a x-total-count header" in repr(result)

    reflecting = demo_api(allow_origins=["*"], allow_credentials=True)
    browser = Browser(PAGE, app=reflecting)
    browser.fetch(f"{API}/login", method="POST", json={"name": "alice"}, credentials="include")
    result = browser.fetch(f"{API}/me", credentials="include")
    kinds = [w.kind for w in result.warnings]
    assert WarningKind.ORIGIN_REFLECTED_WITH_CREDENTIALS in kinds, result.explain()


def test_servers_receive_the_headers_chromium_sends_not_the_http_clients():
    received: list[list[tuple[str, str]]] = []
    app = FastAPI()

    @app.api_route("/echo", methods=["GET", "OPTIONS", "PUT"])
    async def echo(request: Request) -> Response:
        received.append([(name.decode(), value.decode()) for name, value in request.headers.raw])
        return Response(
            "ok",
            headers={"Access-Control-Allow-Origin": PAGE, "Access-Control-Allow-Methods": "PUT"},
        )

    with serve(app) as server, Browser(PAGE) as page:
        url = f"http://localhost:{server.port}/echo"
        assert page.fetch(url).ok
        put_result = page.fetch(url, method="PUT")
        assert put_result.ok
    simple, preflight, put = ({name.lower(): value for name, value in headers} for headers in received)
    for headers in (simple, preflight, put):
        assert headers["user-agent"].startswith("Mozilla/5.0") and "cors-lab" not in headers["user-agent"]
        assert headers["sec-fetch-mode"] == "cors" and headers["sec-fetch-site"] == "same-site"
        assert headers["referer"] == PAGE + "/" and headers["accept-language"] == "en-US,en;q=0.9"
        assert headers["accept-encoding"] == "gzip, deflate, br, zstd"
    assert "sec-ch-ua" in simple and "sec-ch-ua" not in preflight
    assert preflight["access-control-request-method"] == "PUT"
    # The exchanges the learner is shown hold what went out.
    shown = [{name.lower(): value for name, value in exchange.request.headers} for exchange in put_result.exchanges]
    assert [headers["sec-fetch-site"] for headers in shown] == ["same-site", "same-site"]


# --- XMLHttpRequest and axios, fetch() modes, failures that are not CORS ------------------------------


def test_xhr_and_what_axios_reports():
    page = Browser(PAGE, app=demo_api())
    blocked = page.xhr(f"{API}/users")
    assert blocked.api == "xhr" and blocked.blocked and blocked.status == 0 and blocked.js_error == ""
    assert blocked.console_messages == (
        "Access to XMLHttpRequest at 'http://localhost:8000/users' from origin 'http://localhost:3000' has been "
        "blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        "Failed to load resource: net::ERR_FAILED",
    )
    axios = blocked.axios_error
    assert str(axios) == "AxiosError: Network Error" and axios.code == "ERR_NETWORK"
    assert axios.response_undefined and axios.request_status == 0
    assert blocked.summary.startswith("blocked: XHR GET http://localhost:8000/users")
    with pytest.raises(CorsBlockedError, match=r"the error event \(status 0\)"):
        blocked.json()


def test_axios_rejects_a_status_outside_2xx_and_an_xhr_that_threw():
    page = Browser(PAGE, app=demo_api(allow_origins=[PAGE], allow_methods=["GET", "PUT"]))
    missing = page.xhr(f"{API}/users/99", "PUT", json={"name": "x"})
    assert missing.ok and missing.status in (404, 405)
    view = missing.axios_error
    assert view is not None and not view.response_undefined and view.request_status == missing.status
    assert (
        str(view) == f"AxiosError: Request failed with status code {missing.status}" and view.code == "ERR_BAD_REQUEST"
    )
    assert page.xhr(f"{API}/users").axios_error is None
    threw = page.xhr(f"{API}/users", "TRACE")
    assert threw.status is None and threw.error_code == "SecurityError"
    assert (threw.axios_error.name, threw.axios_error.code, threw.axios_error.request_status) == (
        "SecurityError",
        18,
        None,
    )
    assert page.fetch(f"{API}/users").axios_error is None  # axios does not use fetch()


def test_credentials_fixes_speak_the_callers_api():
    page = Browser(PAGE, app=demo_api(allow_origins=["*"]))
    assert "credentials: 'include'" in page.fetch(f"{API}/me", credentials="include").fix
    fix = page.xhr(f"{API}/me", with_credentials=True).fix
    assert "withCredentials: true" in fix and "credentials: 'include'" not in fix


def test_no_cors_gives_an_opaque_result_that_json_cannot_read():
    result = Browser(PAGE, app=demo_api()).fetch(f"{API}/users", mode="no-cors")
    assert result.ok and not result.blocked and result.opaque
    assert (result.type, result.status, result.text, list(result.headers.keys())) == ("opaque", 0, "", [])
    assert result.server_response.status == 200  # the request did reach the server
    assert result.summary.startswith("opaque: GET http://localhost:8000/users")
    with pytest.raises(OpaqueResponseError, match=r"^SyntaxError: Unexpected end of input\. .*no-cors"):
        result.json()
    assert any("not a fix for CORS" in warning.message for warning in result.warnings)


def test_redirect_options():
    page = Browser(PAGE, app=demo_api(allow_origins=[PAGE]))
    manual = page.fetch(f"{API}/items", redirect="manual")
    assert (manual.ok, manual.type, manual.status) == (True, "opaqueredirect", 0)
    error = page.fetch(f"{API}/items", redirect="error")
    assert error.failure_code is FailureCode.REDIRECT_MODE_ERROR and error.error_code == "TypeError"
    assert error.console_messages == ("Failed to load resource: net::ERR_FAILED",)
    assert "redirect_slashes" in error.fix
    assert page.fetch(f"{API}/items").type == "cors"


def test_fetch_refusals_are_results_with_chromiums_type_error():
    page = Browser(PAGE, app=demo_api())
    trace = page.fetch(f"{API}/users", method="TRACE")
    assert trace.blocked and trace.exchanges == () and trace.failure_kind == "type-error"
    assert trace.js_error == "TypeError: Failed to execute 'fetch' on 'Window': 'TRACE' HTTP method is unsupported."
    assert trace.error_code == "TypeError" and trace.summary.startswith("refused: TRACE")
    assert trace.console_messages == () and trace.console_message is None
    body = page.fetch(f"{API}/users", content="x")
    assert body.failure_code is FailureCode.BODY_WITH_GET_OR_HEAD and "POST" in body.fix
    assert page.xhr(f"{API}/users", body="x").exchanges[0].request.body == b""  # XHR drops it


def test_a_websocket_url_says_cors_does_not_apply():
    result = Browser(PAGE, app=demo_api()).fetch("ws://localhost:8000/live")
    assert result.failure_code is FailureCode.UNSUPPORTED_SCHEME and result.js_error == "TypeError: Failed to fetch"
    assert result.console_message == 'Fetch API cannot load ws://localhost:8000/live. URL scheme "ws" is not supported.'
    explanation = result.verdict.failure.explanation
    assert "CORS does not apply to WebSockets" in explanation and "Origin" in explanation
    assert "new WebSocket" in result.fix and "Origin" in result.fix and "Notebook 06" in result.fix


def test_mixed_content_names_the_real_causes_and_never_a_cors_header():
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import RedirectResponse

    app = FastAPI()
    app.add_middleware(CORSMiddleware, allow_origins=["https://app.example"])

    @app.get("/items/")
    def items() -> list[str]:
        return []

    @app.get("/items")
    def behind_a_proxy() -> RedirectResponse:  # what FastAPI builds without --proxy-headers
        return RedirectResponse("http://api.example/items/", status_code=307)

    page = Browser("https://app.example", app=app)
    direct = page.fetch("http://api.example/items/")
    assert direct.failure_code is FailureCode.MIXED_CONTENT and direct.exchanges == ()
    assert direct.error_code == "MixedContent" and direct.summary.startswith("mixed content:")
    assert direct.console_message.startswith("Mixed Content: The page at 'https://app.example/' was loaded over HTTPS")
    redirected = page.fetch("https://api.example/items")
    assert redirected.failure_code is FailureCode.MIXED_CONTENT and len(redirected.exchanges) == 1
    assert "'http://api.example/items/'" in redirected.console_message
    for result in (direct, redirected):
        assert (
            "Access-Control-Allow-Origin" not in result.fix and "not a CORS error" in result.verdict.failure.explanation
        )
    assert "--proxy-headers" in redirected.fix and "--forwarded-allow-ips" in redirected.fix
    assert "redirect_slashes" in redirected.fix and "trailing slash" in redirected.fix
    loopback = Browser("https://app.example", app=demo_api(allow_origins=["https://app.example"]))
    assert loopback.fetch("http://127.0.0.1:8000/users").ok  # loopback counts as secure


def test_network_errors_get_a_fix_and_never_blocked_by_cors():
    page = Browser(PAGE, timeout=2)
    unsafe = page.fetch("http://127.0.0.1:6000/x")
    assert unsafe.error_code == "net::ERR_UNSAFE_PORT" and unsafe.exchanges == () and "8000" in unsafe.fix
    nowhere = page.fetch("http://nothing.invalid/x")
    assert nowhere.error_code == "net::ERR_NAME_NOT_RESOLVED"
    assert nowhere.console_messages == ("Failed to load resource: net::ERR_NAME_NOT_RESOLVED",)
    for result in (unsafe, nowhere):
        assert "blocked by CORS" not in " ".join(result.console_messages) + result.fix
        assert result.failure_kind == "network" and result.summary.startswith("network error:")
    page.close()


def test_async_twins():
    page = Browser(PAGE, app=demo_api())

    async def both():
        return await page.afetch(f"{API}/users", mode="no-cors"), await page.axhr(f"{API}/users")

    [(opaque, xhr)] = _in_thread(lambda: asyncio.run(both()))
    assert opaque.type == "opaque" and xhr.api == "xhr" and xhr.status == 0


def test_the_html_view_never_calls_a_failure_that_is_not_cors_blocked():
    from cors_lab.display import fetch_result_html

    page = Browser(PAGE, app=demo_api())
    assert "Opaque response (opaque)" in fetch_result_html(page.fetch(f"{API}/users", mode="no-cors"))
    assert "Refused (TypeError), not CORS" in fetch_result_html(page.fetch(f"{API}/users", method="TRACE"))
    assert "error event: status 0" in fetch_result_html(page.xhr(f"{API}/users"))
    mixed = fetch_result_html(Browser("https://app.example", app=demo_api()).fetch("http://api.example/users"))
    assert "Mixed content, blocked before sending, not CORS" in mixed
    scheme_less = page.fetch("localhost:8000/users")
    assert "write it as 'http://localhost:8000/users'" in scheme_less.fix


def test_axios_builds_its_request_as_axios_does():
    page = Browser(PAGE, app=demo_api(allow_origins=[PAGE], allow_methods=["GET", "POST", "PUT"], allow_headers=["*"]))
    posted = page.axios(f"{API}/users", "post", data={"name": "ann"})
    sent = posted.exchanges[-1].request
    assert sent.method == "POST" and sent.get("content-type") == "application/json"
    assert sent.get("accept") == "application/json, text/plain, */*" and posted.axios_error is None
    form = page.axios(f"{API}/users", "put", data="a=1").exchanges[-1].request
    assert form.get("content-type") == "application/x-www-form-urlencoded"
    ws = page.axios("ws://localhost:8000/live")
    assert str(ws.axios_error) == "AxiosError: Unsupported protocol ws:" and ws.axios_error.code == "ERR_BAD_REQUEST"
    assert ws.console_messages == () and ws.exchanges == ()
    refused = Browser(PAGE).axios("http://127.0.0.1:6000/x")
    assert str(refused.axios_error) == "AxiosError: Network Error" and refused.axios_error.request_status == 0
    assert refused.client == "axios" and refused.summary.startswith("network error: axios GET")
    assert "axios rejects with: AxiosError: Network Error" in repr(refused)
    assert "the script gets: the error event, status 0" in repr(Browser(PAGE).xhr("http://127.0.0.1:6000/x"))
