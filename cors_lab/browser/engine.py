"""What an engine adds to the engine-neutral decisions: the words of its console.

The model (``cors_lab.browser``) decides *what* failed, as a :class:`~.failures.FailureCode`;
a :class:`Wording` says how one engine prints that failure in its console. Chromium's table is
in :mod:`.chromium`; another engine's wording is another implementation of this interface.
"""

from __future__ import annotations

from typing import Protocol

from .failures import FailureCode

__all__ = ["Wording"]


class Wording(Protocol):
    """One engine's console wording, keyed by failure code."""

    #: The engine's name and the version its words were measured in, e.g. "Chromium 156".
    engine: str

    def console_message(
        self, code: FailureCode, parameter: str, url: str, page_origin: str, redirected_from: str | None = None
    ) -> str:
        """The console line for a fetch() that failed with ``code`` ('' when the engine prints none)."""
        ...
