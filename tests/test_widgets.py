"""The lesson widgets, driven from Python: set values, click, read the result."""

import pytest

from cors_lab import CorsConfig
from cors_lab.widgets import (
    CorsPlayground,
    EnvConfigPlayground,
    OriginComparer,
    PasteYourError,
    PreflightExplorer,
    parse_header_lines,
)


@pytest.fixture(autouse=True)
def stop_servers(servers_started_here):
    yield


def text_plain(widget) -> str:
    return widget._repr_mimebundle_()["text/plain"]


def test_origin_comparer_names_the_differing_part_and_shows_bad_input():
    comparer = OriginComparer()
    assert comparer.result is not None and comparer.result.differences == ("port",)
    comparer.url_b.value = "https://localhost:3000/x"
    assert comparer.result.differences == ("scheme",)
    assert "different scheme: http vs https" in comparer.output.value
    comparer.url_b.value = "localhost:8000"
    assert comparer.result is None
    assert "has no scheme" in comparer.error and "&#x26A0;" in comparer.output.value
    assert text_plain(comparer).startswith("OriginComparer: 'localhost:8000' has no scheme")
    comparer.url_b.value = "http://localhost:3000/other"
    assert text_plain(comparer).endswith("-> same origin: same scheme, host and port: both are http://localhost:3000")


def test_playground_sends_live_and_swaps_settings_on_the_same_server(servers_started_here):
    playground = CorsPlayground(path="/users/1", method="PUT", json_body=True)
    url = playground.server.url
    assert [s.name for s in servers_started_here()] == ["playground"]
    blocked = playground.send()
    assert blocked.error_code == "PreflightInvalidStatus"
    assert "blocked (PreflightInvalidStatus)" in text_plain(playground)
    assert "add &#x27;PUT&#x27; to allow_methods" in playground.output.value
    playground.allow_methods.value = "GET, PUT"  # a setting change swaps the app in place
    allowed = playground.send()
    assert allowed.ok and allowed.status == 200 and playground.server.url == url
    assert text_plain(playground).endswith("-> allowed, status 200")
    assert "CORSMiddleware(allow_origins=['http://localhost:3000'], allow_methods=['GET', 'PUT'])" in text_plain(
        playground
    )


def test_playground_changing_the_origin_and_credentials():
    playground = CorsPlayground(cors=CorsConfig(allow_origins=["http://localhost:3000"]))
    playground.origin.value = "http://evil.example"
    assert playground.send().error_code == "MissingAllowOriginHeader"
    playground.origin.value = "http://localhost:3000"
    playground.credentials.value = "include"
    assert playground.send().error_code == "InvalidAllowCredentials"
    playground.allow_credentials.value = True
    assert playground.send().ok


def test_playground_shows_input_errors_and_audit_notes_inside_the_widget():
    playground = CorsPlayground()
    playground.headers.value = "X-Custom 1"
    assert playground.send() is None
    assert "header line 1: 'X-Custom 1' is not 'Name: value'" in playground.error
    assert "input error" in text_plain(playground)
    playground.headers.value = ""
    playground.origin.value = "localhost:3000"
    assert playground.send() is None and "has no scheme" in playground.error
    playground.allow_origins.value = "http://localhost:3000/"
    assert "origin-never-matches" in playground.server_notes.value
    playground.allow_origins.value = "http://localhost:3000"
    assert playground.server_notes.value == ""


def test_preflight_explorer():
    explorer = PreflightExplorer()
    assert not explorer.needs_preflight
    assert text_plain(explorer) == "PreflightExplorer: GET -> simple request, no preflight"
    explorer.method.value = "POST"
    explorer.content_type.value = "application/json"
    assert explorer.needs_preflight
    assert ("Access-Control-Request-Headers", "content-type") in explorer.preflight_headers
    explorer.content_type.value = "text/plain;charset=UTF-8"
    assert not explorer.needs_preflight
    explorer.headers.value = "X-Request-Id: 7"
    assert explorer.reasons == [
        "header X-Request-Id is not safelisted (only Accept, Accept-Language, "
        "Content-Language, Content-Type and Range are)"
    ]
    explorer.headers.value = "broken"
    assert explorer.error and "input error" in text_plain(explorer)


def test_env_config_playground():
    playground = EnvConfigPlayground()
    assert playground.config == CorsConfig(allow_origins=["http://localhost:3000"])
    playground.env.value = "ALLOWED_ORIGINS=*\nENVIRONMENT=production"
    assert [f.code for f in playground.findings] == ["production-wildcard"]
    playground.env.value = "ALLOWED_ORIGINS=https://shop.example/"
    assert playground.config is None and "use 'https://shop.example'" in playground.error
    playground.env.value = "# comment\nALLOWED_ORIGINS=https://shop.example\nCORS_ALLOW_CREDENTIALS=true"
    assert playground.config == CorsConfig(allow_origins=["https://shop.example"], allow_credentials=True)
    playground.env.value = "just words"
    assert playground.error == "line 1 ('just words') is not NAME=value"


def test_header_lines():
    assert parse_header_lines("A: 1\n\n B : two words ") == [("A", "1"), ("B", "two words")]
    with pytest.raises(ValueError, match="header line 2"):
        parse_header_lines("A: 1\nno colon")


def test_playground_server_log_lists_every_request_with_its_status():
    playground = CorsPlayground(path="/users/1", method="PUT", json_body=True)
    assert "No requests yet." in playground.server_log.value
    playground.send()  # the preflight is refused: the server saw only the OPTIONS
    assert [str(r) for r in playground.requests] == ["OPTIONS /users/1 -> 400"]
    playground.allow_methods.value = "GET, PUT"
    playground.send()
    assert [str(r) for r in playground.requests] == [
        "OPTIONS /users/1 -> 400",
        "OPTIONS /users/1 -> 200",
        "PUT /users/1 -> 200",
    ]
    assert all(r.origin == "http://localhost:3000" for r in playground.requests)
    log = playground.server_log.value
    assert log.count("<tr>") == 4 and "Server log" in log and ">400<" in log


def test_playground_keeps_working_after_stop_all_and_says_when_it_cannot():
    import cors_lab

    playground = CorsPlayground()
    assert playground.send().ok
    port = playground.server.port
    cors_lab.stop_all()  # as the last cell of every lesson does: the next send starts the server again
    again = playground.send()
    assert again.ok and again.status == 200 and playground.server.running and playground.server.port == port
    assert "started it again" in playground.server_log.value
    assert [str(r) for r in playground.requests] == ["GET /users -> 200", "GET /users -> 200"]

    newer = CorsPlayground()  # the cell run again: the new widget takes the name and the old one's server
    cors_lab.stop_all()
    assert playground.send() is None and playground.result is None  # no verdict, a plain reason
    assert playground.error.startswith("this widget's server was stopped: re-run this cell")
    assert "Blocked" not in playground.output.value and "re-run this cell" in playground.output.value
    assert "-> stopped: this widget's server was stopped" in text_plain(playground)
    assert newer.send().ok  # the newer one still works, and its server was not taken back
    newer.close()
    assert newer.send() is None and "re-run this cell" in newer.error


def test_a_connection_failure_is_never_called_blocked():
    from cors_lab import Browser
    from cors_lab.servers import serve

    server = serve(lambda scope, receive, send: None)
    port = server.port
    server.stop()  # nothing listens there any more
    result = Browser("http://localhost:3000").fetch(f"http://localhost:{port}/users")
    assert not result.ok and result.error_code == "net::ERR_CONNECTION_REFUSED"
    html = result._repr_html_()
    assert "Blocked" not in html and "Network error (net::ERR_CONNECTION_REFUSED), not CORS" in html


def test_widget_html_has_a_normal_line_height_and_labels_have_room():
    playground = CorsPlayground(cors=CorsConfig(allow_origins=["http://localhost:3000/"]))
    assert playground.send() is not None
    for value in (playground.output.value, playground.server_notes.value, playground.server_log.value):
        assert value.startswith('<div style="line-height:1.4')
    assert playground.allow_origins.layout.width == "auto"  # as wide as its column (two origins fit)
    explorer = PreflightExplorer()
    assert explorer.content_type.style.description_width == explorer.headers.style.description_width == "8em"
    assert EnvConfigPlayground().env.style.description_width == "8em"


def test_playground_sends_with_xhr_or_axios_and_shows_the_code_the_page_ran():
    playground = CorsPlayground(cors=CorsConfig(allow_origins=["http://localhost:3000"]), credentials="include")
    playground.call.value = "xhr"
    assert playground.send_button.description == "Send XMLHttpRequest"
    result = playground.send()
    assert result.api == "xhr" and result.error_code == "InvalidAllowCredentials"
    assert result.console_message.startswith("Access to XMLHttpRequest at ")
    assert "xhr.withCredentials = true;" in playground.output.value
    assert "via xhr" in text_plain(playground)
    playground.call.value = "axios"
    result = playground.send()
    assert str(result.axios_error) == "AxiosError: Network Error"
    assert "withCredentials" in result.fix and "credentials: 'include'" not in result.fix


def test_playground_plays_each_engine_and_all_three_side_by_side():
    playground = CorsPlayground(cors=CorsConfig(allow_origins=["http://localhost:3000/"]))
    playground.engine.value = "firefox"
    result = playground.send()
    assert result.console_message.startswith("Cross-Origin Request Blocked: The Same Origin Policy disallows")
    assert "in firefox" in text_plain(playground)
    playground.engine.value = "all"
    playground.send()
    comparison = playground.comparison
    assert comparison is not None and comparison.agree
    assert [r.error_code for r in comparison.results.values()] == ["MissingAllowOriginHeader"] * 3
    assert {r.js_error for r in comparison.results.values()} == {
        "TypeError: Failed to fetch",
        "TypeError: NetworkError when attempting to fetch resource.",
        "TypeError: Load failed",
    }
    assert "Firefox 153" in playground.output.value and "WebKit 2.50" in playground.output.value
    assert "in all three engines: the engines agree" in text_plain(playground)


def test_paste_your_error_reads_any_engines_message_and_says_when_it_cannot():
    widget = PasteYourError()
    assert text_plain(widget) == "PasteYourError: nothing explained yet"
    widget.message.value = (
        "Origin http://localhost:3000 is not allowed by Access-Control-Allow-Origin. Status code: 200\n"
        "Fetch API cannot load http://localhost:8000/users due to access control checks."
    )
    widget.explain_button.click()
    assert widget.explanation is not None and widget.explanation.code.value == "MissingAllowOriginHeader"
    assert text_plain(widget).startswith("PasteYourError: WebKit says MissingAllowOriginHeader")
    assert "http://localhost:8000/users" in widget.output.value and "<ol>" in widget.output.value
    widget.message.value = "my app is broken"
    widget.explain_button.click()
    assert widget.explanation is None and "not a CORS message I know" in widget.output.value
    assert "Traceback" not in widget.output.value
