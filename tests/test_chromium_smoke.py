"""The browser tests' Chromium starts, and our in-process servers serve it real pages."""

from cors_lab import frontend_app, serve


def test_chromium_loads_a_page_from_an_in_process_server(chromium):
    with serve(frontend_app(title="Smoke test")) as frontend:
        page = chromium.new_page()
        try:
            response = page.goto(frontend.url)
            assert response is not None and response.status == 200
            assert page.title() == "Smoke test"
            assert page.evaluate("window.location.origin") == frontend.url
        finally:
            page.close()
