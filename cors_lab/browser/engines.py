"""The engines the model can be: each one's words (a Wording) and its measured departures (EngineQuirks).

``Browser(origin, engine="firefox")`` and ``Fetch(..., engine=ENGINES["firefox"])`` pick one here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .chromium import CHROMIUM
from .engine import Wording
from .firefox import FIREFOX
from .quirks import CHROMIUM_QUIRKS, FIREFOX_QUIRKS, WEBKIT_QUIRKS, EngineQuirks
from .webkit import WEBKIT

__all__ = ["ENGINES", "ENGINE_NAMES", "Engine", "EngineName", "engine_named"]

EngineName = Literal["chromium", "firefox", "webkit"]
ENGINE_NAMES: tuple[EngineName, ...] = ("chromium", "firefox", "webkit")


@dataclass(frozen=True)
class Engine:
    """One browser engine as the model plays it."""

    name: EngineName
    wording: Wording
    quirks: EngineQuirks

    @property
    def label(self) -> str:
        """The engine and the version its behaviour was measured in, e.g. "Firefox 153"."""
        return self.wording.engine


ENGINES: dict[EngineName, Engine] = {
    "chromium": Engine("chromium", CHROMIUM, CHROMIUM_QUIRKS),
    "firefox": Engine("firefox", FIREFOX, FIREFOX_QUIRKS),
    "webkit": Engine("webkit", WEBKIT, WEBKIT_QUIRKS),
}


def engine_named(name: str) -> Engine:
    """The engine called ``name``; a ValueError naming the choices otherwise."""
    key = name.lower().strip() if isinstance(name, str) else name
    if key == "safari":
        key = "webkit"
    if key not in ENGINES:
        raise ValueError(
            f"engine={name!r} is not an engine the model knows: use 'chromium', 'firefox' or 'webkit' (Safari's)"
        )
    return ENGINES[key]
