"""cors_lab.testing: the assertions a project puts in its own test suite, on a project-style app."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware

from cors_lab.testing import assert_allowed, assert_blocked, assert_no_cors_holes

SHOP = "https://shop.example"


def make_app(**cors: object) -> FastAPI:
    app = FastAPI()

    @app.get("/users/me")
    def me(request: Request) -> dict[str, object]:
        return {"cookie": request.cookies.get("session")}

    @app.post("/orders")
    def order() -> dict[str, str]:
        return {"ok": "yes"}

    app.add_middleware(CORSMiddleware, **cors)  # type: ignore[arg-type]
    return app


def test_allowed_and_blocked_requests():
    app = make_app(allow_origins=[SHOP], allow_credentials=True, allow_methods=["GET", "POST"], allow_headers=["*"])
    result = assert_allowed(app, SHOP, "POST", {"Content-Type": "application/json"}, path="/orders", json={})
    assert result.status == 200 and result.preflighted
    assert_allowed(app, SHOP, credentials=True, path="/users/me")
    assert_blocked(app, "https://evil.example", credentials=True, path="/users/me")
    assert_blocked(app, SHOP, "DELETE", path="/orders")


def test_a_failed_assertion_explains_what_the_browser_did():
    app = make_app(allow_origins=[SHOP])
    with pytest.raises(AssertionError) as raised:
        assert_allowed(app, SHOP, "PUT", path="/orders")
    assert "expected the browser to allow it" in str(raised.value)
    assert "blocked: PUT" in str(raised.value) and "fix:" in str(raised.value)
    with pytest.raises(AssertionError, match="expected the browser to block it"):
        assert_blocked(app, SHOP, path="/users/me")
    with pytest.raises(ValueError, match="must start with '/'"):
        assert_allowed(app, SHOP, path="users/me")


def test_no_cors_holes_runs_the_audits_probes():
    sound = make_app(allow_origins=[SHOP], allow_credentials=True, allow_methods=["*"], allow_headers=["*"])
    assert_no_cors_holes(sound, frontend=[SHOP])
    holed = make_app(allow_origin_regex=r"https://.*shop\.example", allow_credentials=True)
    with pytest.raises(AssertionError) as raised:
        assert_no_cors_holes(holed, frontend=[SHOP])
    assert "origin-regex-too-loose" in str(raised.value) and "probe: GET /users/me from" in str(raised.value)
    assert_no_cors_holes(holed, frontend=[SHOP], ignore=["origin-regex-too-loose"])
