"""live_browser: a real Chromium clicks the embedded page; its results must match the model's predictions."""

import json
import time

import httpx
import pytest

from cors_lab import live_browser


@pytest.fixture(autouse=True)
def stop_servers(servers_started_here):
    yield


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def click_send(page, **fields: str) -> None:
    for name, value in fields.items():
        if name in ("method", "credentials"):
            page.select_option(f"#{name}", value)
        else:
            page.fill(f"#{name}", value)
    page.click("#send")


def test_real_browser_results_match_the_model(chromium):
    demo = live_browser({"allow_origins": ["{page}"], "allow_methods": ["GET", "POST"], "allow_credentials": True})
    assert "{page}" not in repr(demo) and demo.page_origin in repr(demo)
    context = chromium.new_context()
    page = context.new_page()
    try:
        page.goto(demo.page_origin + "/")
        wait_for(lambda: demo.connected)
        assert "connected" in demo.status.value
        click_send(page)  # the prefilled GET /users: allowed
        wait_for(lambda: len(demo.reports) == 1)
        click_send(page, method="DELETE", url=demo.api_url + "/users/1")  # DELETE is not allowed
        wait_for(lambda: len(demo.reports) == 2)
        click_send(
            page,
            method="POST",
            url=demo.api_url + "/login",
            headers="Content-Type: application/json",
            body='{"name": "erin"}',
            credentials="include",
        )
        wait_for(lambda: len(demo.reports) == 3)
        click_send(page, method="GET", url=demo.api_url + "/me", headers="", body="", credentials="include")
        wait_for(lambda: len(demo.reports) == 4)
    finally:
        context.close()
    allowed, refused, login, me = demo.reports
    assert allowed.browser_ok and allowed.browser_status == 200 and allowed.agrees
    assert allowed.browser == "Chromium 156" and "your browser (Chromium 156) saw" in demo.table.value
    assert not refused.browser_ok and refused.browser_error == "TypeError: Failed to fetch"
    assert refused.prediction.error_code == "PreflightInvalidStatus" and refused.agrees
    assert login.agrees and login.browser_status == 200
    assert me.agrees and me.browser_status == 200 and me.prediction.json() == {"user": "erin"}
    assert "&#x2714;" in demo.table.value and "disagree" not in demo.table.value
    assert repr(demo).endswith("4 requests from your browser so far")


def test_the_prediction_is_for_the_learners_own_engine_read_from_its_user_agent():
    demo = live_browser()  # no CORSMiddleware: every engine blocks, each in its own words
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"
    report = {
        "page": demo.page_id,
        "request": {"method": "GET", "url": demo.api_url + demo.path, "credentials": "same-origin"},
        "outcome": {"ok": False, "error": "TypeError: NetworkError when attempting to fetch resource."},
    }
    answer = httpx.post(
        demo.page_origin + "/report",
        content=json.dumps(report),
        headers={"Origin": demo.page_origin, "User-Agent": firefox, "Content-Type": "text/plain"},
    )
    assert answer.status_code == 204
    wait_for(lambda: len(demo.reports) == 1)
    [entry] = demo.reports
    assert entry.browser == "Firefox 153" and entry.agrees
    assert entry.prediction.js_error == "TypeError: NetworkError when attempting to fetch resource."
    assert entry.prediction.console_message.startswith("Cross-Origin Request Blocked:")
    assert "the model predicted (Firefox 153)" in demo.table.value


def test_without_a_browser_it_falls_back_to_the_model(servers_started_here):
    demo = live_browser(wait=0.2, via="direct")
    wait_for(lambda: "has not loaded the page" in demo.status.value, timeout=5)
    assert "Blocked (MissingAllowOriginHeader)" in demo.status.value
    assert not demo.connected and demo.reports == []
    demo.stop()
    assert servers_started_here() == []


def test_it_serves_on_the_lesson_ports_or_free_ones():
    first = live_browser(wait=60)
    assert first.page_origin.startswith("http://localhost:") and first.api_url.startswith("http://localhost:")
    assert first.frontend.port != first.backend.port
    first.stop()


def test_proxy_mode_needs_jupyter_server_proxy(monkeypatch):
    import cors_lab.live

    monkeypatch.setattr(cors_lab.live, "jupyter_proxy_prefix", lambda: None)
    with pytest.raises(ValueError, match="via='proxy' needs jupyter-server-proxy"):
        live_browser(via="proxy")
    with pytest.raises(ValueError, match="via='tunnel'"):
        live_browser(via="tunnel")
    demo = live_browser(wait=0.2)  # auto: no proxy to try, so straight to the model
    wait_for(lambda: "would be loaded through Jupyter instead" in demo.status.value, timeout=5)


def test_auto_mode_moves_to_the_proxy_when_the_page_stays_silent(monkeypatch):
    import cors_lab.live

    monkeypatch.setattr(cors_lab.live, "jupyter_proxy_prefix", lambda: "/user/ada/proxy/")
    demo = live_browser(wait=0.2)
    wait_for(lambda: demo.through_proxy and f"/user/ada/proxy/{demo.frontend.port}/" in demo.frame.value)
    assert "Trying through Jupyter's proxy" in demo.status.value
    wait_for(lambda: "not even through Jupyter's proxy" in demo.status.value, timeout=5)


def test_after_stop_all_the_page_says_its_server_stopped_and_the_widget_can_start_it_again(chromium):
    import cors_lab

    demo = live_browser({"allow_origins": ["{page}"]})
    context = chromium.new_context()
    page = context.new_page()
    try:
        page.goto(demo.page_origin + "/")
        wait_for(lambda: demo.connected)
        cors_lab.stop_all()
        wait_for(lambda: demo.stopped is not None)
        assert "re-run this cell" in demo.frame.value and "<iframe" not in demo.frame.value
        assert demo.restart_button.layout.display != "none"
        page.click("#send")  # the page still open in the browser: no fetch, no verdict, a plain reason
        expect_text = "this widget's server was stopped: re-run this cell"
        page.wait_for_function(f"() => document.getElementById('result').textContent.includes({expect_text!r})")
        assert "Failed to fetch" not in page.inner_text("#result") and demo.reports == []

        assert demo.restart()  # same ports: the open page works again
        assert "<iframe" in demo.frame.value and demo.stopped is None
        page.click("#send")
        wait_for(lambda: len(demo.reports) == 1)
        assert demo.reports[0].browser_ok and demo.reports[0].agrees
        wait_for(lambda: "<td>/users</td>" in demo.server_log.value)
        assert [str(r) for r in demo.requests] == ["GET /users -> 200"]
    finally:
        context.close()
        demo.stop()
    assert "demo.stop()" in demo.frame.value


def test_a_stale_page_says_it_was_replaced_and_reports_nothing_into_the_new_demo(chromium):
    old = live_browser()
    context = chromium.new_context()
    page = context.new_page()
    try:
        page.goto(old.page_origin + "/")
        wait_for(lambda: old.connected)
        new = live_browser({"allow_origins": ["{page}"]})  # the same name: takes the servers (and ports)
        assert (new.frontend.port, new.backend.port) == (old.frontend.port, old.backend.port)
        wait_for(lambda: old.stopped is not None)
        assert "replaced" in old.frame.value and old.restart_button.layout.display == "none"
        assert not old.restart()
        page.click("#send")  # the old page, still open
        page.wait_for_function("() => document.getElementById('result').textContent.includes('was replaced')")
        time.sleep(0.3)
        assert new.reports == [] and old.reports == []
    finally:
        context.close()


def test_the_frame_is_sized_to_the_page(chromium):
    demo = live_browser()
    context = chromium.new_context(viewport={"width": 900, "height": 900})
    page = context.new_page()
    try:
        page.goto(demo.page_origin + "/")
        wait_for(lambda: demo.connected)
        content = page.evaluate("() => document.documentElement.scrollHeight")
        assert demo.height == content + 4 and f"height:{content + 4}px" in demo.frame.value
    finally:
        context.close()
