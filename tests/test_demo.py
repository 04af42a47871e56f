"""The tutorial's apps, served for real and called over HTTP."""

import httpx
import pytest
from starlette.middleware.cors import CORSMiddleware

from cors_lab import CorsConfig, demo_api, frontend_app, serve

PAGE = "http://localhost:3000"


@pytest.fixture
def api():
    with serve(demo_api()) as server, httpx.Client(base_url=server.url) as client:
        yield client


def has_cors_middleware(app) -> bool:
    return any(m.cls is CORSMiddleware for m in app.user_middleware)


def test_without_settings_there_is_no_cors_middleware():
    assert not has_cors_middleware(demo_api())


def test_cors_settings_by_config_or_keywords():
    by_keywords = demo_api(allow_origins=[PAGE], allow_credentials=True)
    by_config = demo_api(CorsConfig(allow_origins=[PAGE], allow_credentials=True))
    for app in (by_keywords, by_config):
        (middleware,) = [m for m in app.user_middleware if m.cls is CORSMiddleware]
        assert middleware.kwargs["allow_origins"] == [PAGE]
        assert middleware.kwargs["allow_credentials"] is True
    with pytest.raises(TypeError, match="not both"):
        demo_api(CorsConfig(), allow_origins=[PAGE])


def test_users_crud_and_total_count(api):
    listed = api.get("/users")
    assert listed.json() == [{"id": 1, "name": "alice"}, {"id": 2, "name": "bob"}]
    assert listed.headers["x-total-count"] == "2"
    assert api.post("/users", json={"name": "carol"}).status_code == 201
    assert api.put("/users/3", json={"name": "caroline"}).json() == {"id": 3, "name": "caroline"}
    assert api.delete("/users/1").json() == {"deleted": 1}
    assert api.get("/users").headers["x-total-count"] == "2"
    assert api.put("/users/99", json={"name": "x"}).status_code == 404
    assert api.delete("/users/99").status_code == 404
    assert api.post("/users", json={}).status_code == 422


def test_login_cookie_and_bearer_token_open_me(api):
    assert api.get("/me").status_code == 401
    assert api.get("/me").headers["www-authenticate"] == "Bearer"
    login = api.post("/login", json={"name": "dana"})
    cookie = login.headers["set-cookie"]
    assert cookie.startswith("session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert api.get("/me").json() == {"user": "dana"}  # the client's cookie jar sent it back
    token = login.json()["token"]
    api.cookies.clear()
    assert api.get("/me").status_code == 401
    assert api.get("/me", headers={"Authorization": f"Bearer {token}"}).json() == {"user": "dana"}
    assert api.get("/me", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_login_without_a_body_and_with_samesite_none(api):
    login = api.post("/login?samesite=none")
    assert login.json()["user"] == "alice"
    cookie = login.headers["set-cookie"]
    assert "SameSite=none" in cookie and "Secure" in cookie
    assert api.post("/login?samesite=sideways").status_code == 422


def test_boom_is_an_unhandled_500_without_cors_headers():
    server = serve(demo_api(allow_origins=[PAGE]), name="test-boom")
    try:
        response = httpx.get(server.url + "/boom", headers={"Origin": PAGE})
        assert response.status_code == 500
        assert "access-control-allow-origin" not in response.headers
        assert "RuntimeError" in repr(server.errors[-1])
        # The same app does add the header on a normal response.
        assert httpx.get(server.url + "/users", headers={"Origin": PAGE}).headers["access-control-allow-origin"] == PAGE
    finally:
        server.stop()


def test_items_without_slash_redirects(api):
    redirect = api.get("/items")
    assert redirect.status_code == 307
    assert redirect.headers["location"].endswith("/items/")
    assert api.get("/items/").json() == ["apple", "pear"]


def test_frontend_app_serves_a_page_with_its_title():
    server = serve(frontend_app(title="My <Shop>"), name="test-frontend")
    try:
        page = httpx.get(server.url)
        assert page.headers["content-type"].startswith("text/html")
        assert "<title>My &lt;Shop&gt;</title>" in page.text
    finally:
        server.stop()


def test_frontend_reports_are_accepted_from_the_page_only():
    seen = []
    server = serve(frontend_app(on_report=seen.append), name="test-frontend-reports")
    try:
        own = f"http://127.0.0.1:{server.port}"
        assert httpx.post(server.url + "/report", content='{"loaded": "x"}', headers={"Origin": own}).status_code == 204
        forged = httpx.post(
            server.url + "/report", content='{"loaded": "y"}', headers={"Origin": "https://evil.example"}
        )
        assert forged.status_code == 403
        assert httpx.post(server.url + "/report", content="not json", headers={"Origin": own}).status_code == 400
        assert seen == [{"loaded": "x", "user_agent": f"python-httpx/{httpx.__version__}"}]
    finally:
        server.stop()


def test_a_slow_report_callback_does_not_hold_up_the_page_server():
    import threading

    entered, release = threading.Event(), threading.Event()

    def slow_callback(report):
        entered.set()
        release.wait(10)  # as slow as a model fetch can be

    with serve(frontend_app(on_report=slow_callback)) as frontend:
        poster = threading.Thread(target=lambda: httpx.post(frontend.url + "/report", content=b"{}", timeout=15))
        poster.start()
        try:
            assert entered.wait(10)
            # The callback is still running, and the page is served all the same.
            assert httpx.get(frontend.url + "/", timeout=2).status_code == 200
        finally:
            release.set()
            poster.join(15)


def test_an_old_copy_of_the_page_learns_it_was_replaced():
    with serve(frontend_app(page_id="new")) as frontend:
        assert httpx.get(frontend.url + "/whoami").json() == {"page": "new"}
        assert '"new"' in httpx.get(frontend.url + "/").text
        old = httpx.post(frontend.url + "/report", content='{"page": "old", "outcome": {}}')
        assert old.status_code == 409
        assert httpx.post(frontend.url + "/report", content='{"page": "new", "outcome": {}}').status_code == 204


def test_demo_api_refuses_settings_it_cannot_read_with_the_way_to_write_them():
    with pytest.raises(TypeError, match=r"write demo_api\(allow_origins=\[\.\.\.\]\)"):
        demo_api(["*"])
