"""The versions of what the lessons run on, read from this environment (never written into the text).

Behaviour that changes between releases (Starlette's CORSMiddleware, say) is shown live; a lesson
prints ``cors_lab.versions()`` so the reader sees which releases produced its outputs.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from importlib import metadata

__all__ = ["Versions", "versions"]

#: The distributions whose behaviour the lessons show, by display name, in the order they are printed.
SHOWN = {
    "FastAPI": "fastapi",
    "Starlette": "starlette",
    "uvicorn": "uvicorn",
    "httpx": "httpx",
    "cors-lab": "cors-lab",
}


@dataclass(frozen=True)
class Versions:
    """Installed versions by display name, e.g. ``{"Starlette": "1.10.0", ...}``."""

    installed: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.installed[name]

    def __repr__(self) -> str:
        return "Installed here: " + " · ".join(f"{name} {version}" for name, version in self.installed.items())


def versions() -> Versions:
    """Python and the packages the lessons depend on, as installed in this environment."""
    installed = {"Python": platform.python_version()}
    for name, distribution in SHOWN.items():
        try:
            installed[name] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            installed[name] = "not installed"
    return Versions(installed)
