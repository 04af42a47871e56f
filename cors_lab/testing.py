"""Assertions for a project's own pytest suite: what a browser page may do with your app, and no CORS holes.

    from cors_lab.testing import assert_allowed, assert_blocked, assert_no_cors_holes
    from myproject.main import app

    def test_the_frontend_can_create_orders():
        assert_allowed(app, "https://shop.example", "POST", {"Content-Type": "application/json"}, path="/orders")

    def test_other_sites_cannot_read_the_user():
        assert_blocked(app, "https://evil.example", "GET", credentials=True, path="/users/me")

    def test_no_cors_holes():
        assert_no_cors_holes(app, frontend=["https://shop.example"])

Each request runs in-process through the browser model (``cors_lab.Browser``), exactly as a
page at ``origin`` would make it; a failure says what the browser did, step by step, and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .auditing import Finding, audit
from .driver import Browser, FetchResult

__all__ = ["API_URL", "assert_allowed", "assert_blocked", "assert_no_cors_holes"]

#: Where the app is reached in-process; any URL that is not the page's own origin would do.
API_URL = "http://api.testserver"

Headers = Mapping[str, str] | Sequence[tuple[str, str]] | None


def _fetch(
    app: Any, origin: str, method: str, headers: Headers, credentials: bool, path: str, json: Any
) -> FetchResult:
    if not path.startswith("/"):
        raise ValueError(f"path={path!r} must start with '/', e.g. path='/users/me'")
    with Browser(origin, app=app) as page:
        # An https page calls the app over https: over http it would be mixed content.
        base = API_URL.replace("http:", "https:", 1) if page.origin.startswith("https:") else API_URL
        return page.fetch(
            base + path,
            method=method,
            headers=headers,
            json=json,
            credentials="include" if credentials else "same-origin",
        )


def assert_allowed(
    app: Any,
    origin: str,
    method: str = "GET",
    headers: Headers = None,
    credentials: bool = False,
    *,
    path: str = "/",
    json: Any = None,
) -> FetchResult:
    """A page at ``origin`` may make this request and read the answer; returns the result for more checks."""
    result = _fetch(app, origin, method, headers, credentials, path, json)
    if not result.ok:
        raise AssertionError(f"expected the browser to allow it, but it blocks it.\n{result.explain()}")
    return result


def assert_blocked(
    app: Any,
    origin: str,
    method: str = "GET",
    headers: Headers = None,
    credentials: bool = False,
    *,
    path: str = "/",
    json: Any = None,
) -> FetchResult:
    """A page at ``origin`` may not read the answer to this request (the browser blocks it)."""
    result = _fetch(app, origin, method, headers, credentials, path, json)
    if result.ok:
        raise AssertionError(f"expected the browser to block it, but the page can read it.\n{result.explain()}")
    return result


def assert_no_cors_holes(
    app: Any, frontend: Sequence[str] = (), *, production: bool = False, ignore: Sequence[str] = ()
) -> list[Finding]:
    """``audit(app)`` with its probes finds no error or warning (codes in ``ignore`` aside); returns every finding.

    ``frontend`` lists the origins that must get in: they are probed too, and look-alikes of them.
    """
    findings = audit(app, frontend=frontend, production=production)
    serious = [f for f in findings if f.severity != "info" and f.code not in ignore]
    if serious:
        listed = "\n\n".join(str(f) for f in serious)
        raise AssertionError(f"audit found {len(serious)} CORS problem(s):\n\n{listed}")
    return findings
