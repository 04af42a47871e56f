"""Which browser engine sent a request, from its User-Agent header.

The live demos compare the learner's own browser with the model's prediction for that
engine. Only the engine matters for CORS, and every browser on iOS is WebKit whatever its
name (Apple's rule), so the brand in the string is not enough.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["EngineName", "UserAgent", "parse_user_agent"]

EngineName = Literal["chromium", "firefox", "webkit"]

_IOS = re.compile(r"\((?:iPhone|iPad|iPod)[;)]")
_FIREFOX = re.compile(r"\bFirefox/(\d+)")
_FIREFOX_IOS = re.compile(r"\bFxiOS/(\d+)")
_CHROMIUM = re.compile(r"\b(?:HeadlessChrome|Chrome|Chromium|CriOS)/(\d+)")
_SAFARI = re.compile(r"\bVersion/(\d+(?:\.\d+)?).*\bSafari/")
_WEBKIT = re.compile(r"\bAppleWebKit/(\d+)")


@dataclass(frozen=True)
class UserAgent:
    """What a User-Agent string says about its browser: the engine and a name to show."""

    engine: EngineName | None
    label: str

    def __str__(self) -> str:
        return self.label


def parse_user_agent(header: str | None) -> UserAgent:
    """The engine behind ``header`` ("chromium", "firefox" or "webkit"), or None when it cannot tell."""
    text = header or ""
    if _IOS.search(text) and _WEBKIT.search(text):
        brand = "Firefox" if _FIREFOX_IOS.search(text) else "Chrome" if "CriOS/" in text else "Safari"
        return UserAgent("webkit", f"{brand} on iOS (WebKit)")
    if found := _FIREFOX.search(text):
        return UserAgent("firefox", f"Firefox {found.group(1)}")
    if found := _CHROMIUM.search(text):
        brand = "Edge" if "Edg/" in text else "Opera" if "OPR/" in text else "Chromium"
        return UserAgent("chromium", f"{brand} {found.group(1)}")
    if found := _SAFARI.search(text):
        return UserAgent("webkit", f"Safari {found.group(1)} (WebKit)")
    if _WEBKIT.search(text):
        return UserAgent("webkit", "a WebKit browser")
    return UserAgent(None, "an unknown browser")
