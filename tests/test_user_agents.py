import pytest

from cors_lab.user_agents import parse_user_agent

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"


@pytest.mark.parametrize(
    ("header", "engine", "label"),
    [
        (CHROME, "chromium", "Chromium 156"),
        (CHROME.replace("Chrome/", "HeadlessChrome/"), "chromium", "Chromium 156"),
        (CHROME + " Edg/156.0.0.0", "chromium", "Edge 156"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0", "firefox", "Firefox 153"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/18.1 Safari/605.1.15",
            "webkit",
            "Safari 18.1 (WebKit)",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
            "webkit",
            "Chrome on iOS (WebKit)",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko)", "webkit", "a WebKit browser"),
        ("curl/8.5.0", None, "an unknown browser"),
        (None, None, "an unknown browser"),
    ],
)
def test_the_engine_is_read_from_the_user_agent(header, engine, label):
    parsed = parse_user_agent(header)
    assert (parsed.engine, str(parsed)) == (engine, label)
