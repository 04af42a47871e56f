"""The ``cors-lab`` command: the lab, and tools for a real app's CORS errors (check, audit, serve)."""

from __future__ import annotations

from . import audit, check, lab, serve  # noqa: F401  (each module registers its command)
from . import classroom as _classroom  # noqa: F401  (classroom export)
from . import course as _course  # noqa: F401  (reset, progress)
from . import hub as _hub  # noqa: F401  (singleuser)
from ._app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
